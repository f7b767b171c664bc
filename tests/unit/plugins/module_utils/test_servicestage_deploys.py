# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ServiceStage deploys (ComponentDeployer) over a faked network: the ModifyComponent body, and an unknown outcome of it."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.paas.ops.plugins.module_utils import _waiter
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Request
from ansible_collections.paas.ops.plugins.module_utils._servicestage import COMPONENT_MODIFY_FIELDS, ComponentDeployer, modify_body
from ansible_collections.paas.ops.plugins.module_utils._version import VersionSpec, deploy
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession, make_connection

COMPONENTS = '/v3/p1/cas/applications/app-1/components$'
COMPONENT = '/v3/p1/cas/applications/app-1/components/comp-1$'
OLD, NEW = 'swr.example.com/shop/web:1.2.0', 'swr.example.com/shop/web:1.3.0'
SOURCE = {'kind': 'image', 'url': OLD, 'storage': 'swr', 'auth': 'iam'}
ACCESSES = [{'protocol': 'HTTP', 'address': '10.0.0.5:30080', 'forward_port': 8080}]
RESET = requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))")


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


def test_the_body_fields_are_those_of_the_sdk_model():
    model = pytest.importorskip('huaweicloudsdkservicestage.v3.model')
    assert COMPONENT_MODIFY_FIELDS == tuple(model.ComponentModify.attribute_map.values())


def info(version='1.2.0', url=OLD, status='RUNNING', last_job='old'):
    """ShowComponentInfo: ComponentModify's fields and what only the read has (environment_id, application_id, status)."""
    return {'name': 'web', 'description': 'storefront', 'labels': [{'key': 'tier', 'value': 'front'}],
            'runtime_stack': {'name': 'Docker', 'type': 'Docker', 'deploy_mode': 'container'}, 'source': dict(SOURCE, url=url), 'build': None,
            'limit_cpu': 1.0, 'replica': 2, 'version': version, 'envs': [{'name': 'MODE', 'value': 'prod'}],
            'deploy_strategy': {'type': 'RollingRelease', 'rolling_release': {'batches': 2}}, 'refer_resources': [{'id': 'cce-1', 'type': 'cce'}],
            'environment_id': 'env-1', 'application_id': 'app-1',
            'status': {'component_status': status, 'replica': 2, 'available_replica': 2, 'last_job_id': last_job}}


def listed(version='1.2.0', url=OLD, status='RUNNING', last_job='old'):
    item = dict(id='comp-1', name='web', version=version, source=dict(SOURCE, url=url), external_accesses=ACCESSES,
                status={'component_status': status, 'replica': 2, 'available_replica': 2, 'last_job_id': last_job})
    return FakeResponse(200, {'count': 1, 'components': [item]})


def test_the_body_is_the_component_as_read_with_the_new_source_url_and_version():
    view = {'_external_accesses': ACCESSES}
    body = modify_body(info(), view, VersionSpec(image=NEW, version='1.3.0'))
    read = info()
    # Every ComponentModify field as read (none of the read's own), the source's other fields kept; the list's external accesses.
    expected = dict((key, value) for key, value in read.items() if key not in ('environment_id', 'application_id', 'status', 'build'))
    assert body == dict(expected, source=dict(SOURCE, url=NEW), version='1.3.0', external_accesses=ACCESSES)
    strategy = {'type': 'OneBatchRelease'}
    assert modify_body(info(), {}, VersionSpec(package_url='https://obs.example.com/web.jar', version='1.3.0'), strategy)['deploy_strategy'] == strategy


def test_a_reset_after_modify_component_was_applied_adopts_its_job_and_sends_nothing_again():
    session = RoutedSession({('GET', COMPONENTS): [listed(), listed(status='UPGRADING', last_job='job-9'), listed('1.3.0', NEW, last_job='job-9')],
                             ('GET', COMPONENT): [FakeResponse(200, info()), FakeResponse(200, info(status='UPGRADING', last_job='job-9'))],
                             ('PUT', COMPONENT): [RESET],
                             ('GET', '/jobs/job-9$'): [FakeResponse(200, {'job': {'execution_status': 'SUCCEEDED', 'job_id': 'job-9'}, 'tasks': []})]})
    connection = make_connection('servicestage', session=session, endpoint='http://emu', huawei_access_key='AK', huawei_secret_key='SK',
                                 huawei_project_id='p1')
    deployer = ComponentDeployer(connection, dict(application_id='app-1', component_ids=['comp-1']))
    result = deploy(deployer, Request('deploy', deadline=Deadline(60)), VersionSpec(image=NEW, version='1.3.0'))
    assert result['deployed'] == ['comp-1'] and result['targets'][0]['job_id'] == 'job-9' and result['targets'][0]['job']['status'] == 'succeeded'
    assert session.count('PUT', COMPONENT) == 1
    put = json.loads(next(call['data'] for call in session.calls if call['method'] == 'PUT'))
    assert (put['version'], put['source'], put['replica']) == ('1.3.0', dict(SOURCE, url=NEW), 2) and 'status' not in put
