# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SAE's Deployer over a faked network: which calls its reads cost, the DeployApplication request as the official SDK places
it, an unknown outcome settled by the newest change order, and a rollback of a deploy whose order still holds the application.
Its behaviour end to end is tested against the emulator (tests/integration/test_app_version_sae.py)."""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _sae, _waiter
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._version import VersionSpec, deployed
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession, make_connection

NAMESPACE = 'cn-hangzhou:demo'
OLD, NEW = 'registry.example.com/shop/web:1.0', 'registry.example.com/shop/web:2.0'
LIST, STATUS, CONFIG = '/listApplications$', '/describeApplicationStatus$', '/describeApplicationConfig$'
DEPLOY, VERSIONS, ROLLBACK = '/deployApplication$', '/listAppVersions$', '/rollbackApplication$'
ABORT, ORDER = '/AbortChangeOrder$', '/DescribeChangeOrder$'


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


def sae(data):
    return FakeResponse(200, {'Code': '200', 'Success': True, 'Message': 'success', 'RequestId': 'req-%d' % id(data), 'Data': data})


def listing(*apps):
    return sae({'Applications': [dict({'Instances': 2, 'RunningInstances': 2, 'ImageUrl': '', 'PackageUrl': ''}, **app) for app in apps],
                'CurrentPage': 1, 'PageSize': 1000, 'TotalSize': len(apps)})


def status(last='co-old', running=False):
    return sae({'CurrentStatus': 'RUNNING', 'RunningInstances': 2, 'LastChangeOrderId': last, 'LastChangeOrderRunning': running})


def by_app(answers):
    """A reply chosen by the AppId of the request."""
    def reply(method, url):
        return answers[parse_qs(urlsplit(url).query)['AppId'][0]]
    return reply


def deployer(routes, **params):
    session = RoutedSession(dict(((method, pattern), replies) for (method, pattern), replies in routes.items()))
    connection = make_connection('sae', session=session, endpoint='http://emu', alibaba_access_key_id='ak', alibaba_access_key_secret='secret',
                                 alibaba_region_id='cn-hangzhou')
    options = dict(app_ids=None, app_names=None, namespace_id=NAMESPACE, update_strategy=None, min_ready_instances=None,
                   min_ready_instance_ratio=None)
    options.update(params)
    return _sae.deployer(connection, options), session


def actions(session):
    return [call['headers']['x-acs-action'] for call in session.calls]


def test_views_cost_one_listing_a_status_each_and_a_configuration_only_for_package_applications():
    routes = {('GET', LIST): [listing({'AppId': 'a1', 'AppName': 'web', 'ImageUrl': OLD},
                                      {'AppId': 'a2', 'AppName': 'jar', 'PackageUrl': 'https://oss/jar-7.jar', 'RunningInstances': 1})],
              ('GET', STATUS): [by_app({'a1': status(), 'a2': status('co-7', running=True)})],
              ('GET', CONFIG): [sae({'PackageType': 'FatJar', 'PackageUrl': 'https://oss/jar-7.jar', 'PackageVersion': '7', 'ImageUrl': ''})]}
    sae_deployer, session = deployer(routes)
    web, jar = sae_deployer.targets()
    assert actions(session) == ['ListApplications', 'DescribeApplicationStatus', 'DescribeApplicationStatus', 'DescribeApplicationConfig']
    assert (web['deployed'], web['state'], web['health'], web['busy'], web['_package_type']) == (deployed(image=OLD), 'running', 'healthy', None, 'Image')
    assert jar['deployed'] == deployed(package_url='https://oss/jar-7.jar', package_version='7')
    assert (jar['state'], jar['raw_state'], jar['health'], jar['busy'], jar['_package_type']) == ('degraded', '1/2 running', 'unhealthy', 'co-7', 'FatJar')
    # A package is known by its version alone: SAE keeps no URL it was given.
    assert sae_deployer.on_version(jar, VersionSpec(package_url='https://mirror/jar-7.jar', package_version='7'))
    assert not sae_deployer.on_version(web, VersionSpec(image=NEW))


def test_the_whole_scope_reads_each_status_once_since_the_last_action_and_targets_by_id_afresh():
    routes = {('GET', LIST): [listing({'AppId': 'a1', 'AppName': 'web', 'ImageUrl': OLD}, {'AppId': 'a2', 'AppName': 'api', 'ImageUrl': OLD})],
              ('GET', STATUS): [status()]}
    sae_deployer, session = deployer(routes)
    sae_deployer.targets()
    sae_deployer.targets()
    assert actions(session) == ['ListApplications', 'DescribeApplicationStatus', 'DescribeApplicationStatus', 'ListApplications']
    sae_deployer.targets(['a2'])
    assert actions(session)[4:] == ['ListApplications', 'DescribeApplicationStatus']


def test_names_are_resolved_from_the_same_listing_and_an_unknown_id_is_refused():
    routes = {('GET', LIST): [listing({'AppId': 'a1', 'AppName': 'web', 'ImageUrl': OLD}, {'AppId': 'a2', 'AppName': 'api', 'ImageUrl': OLD})],
              ('GET', STATUS): [status()]}
    named, session = deployer(routes, app_names=['api'])
    assert [view['id'] for view in named.targets()] == ['a2'] and actions(session) == ['ListApplications', 'DescribeApplicationStatus']
    unknown, session = deployer(routes, app_ids=['a9'], namespace_id=None)
    with pytest.raises(PaasInputError, match='no SAE application a9 in the region'):
        unknown.targets()
    # Without a namespace every application of the region is listed once: no NamespaceId is sent.
    assert [parse_qs(urlsplit(call['url']).query).get('NamespaceId') for call in session.calls] == [None]


def sdk_placement():
    """The query and form-body parameter names of the official SDK's DeployApplication (its ``client.py``)."""
    client = pytest.importorskip('alibabacloud_sae20190506.client')
    source = inspect.getsource(client.Client.deploy_application_with_options)
    return set(re.findall(r"query\['(\w+)'\]", source)), set(re.findall(r"body\['(\w+)'\]", source)), "req_body_type = 'formData'" in source


def test_deploy_application_is_sent_as_the_sdk_sends_it():
    in_query, in_body, form_data = sdk_placement()
    routes = {('GET', LIST): [listing({'AppId': 'a1', 'AppName': 'web', 'ImageUrl': OLD})], ('GET', STATUS): [status()],
              ('POST', DEPLOY): [sae({'AppId': 'a1', 'ChangeOrderId': 'co-new', 'IsNeedApproval': False})]}
    strategy = dict(type='GrayBatchUpdate', batch=2, release_type='manual', batch_wait_time=30, gray=1)
    sae_deployer, session = deployer(routes, app_ids=['a1'], update_strategy=strategy, min_ready_instances=1, min_ready_instance_ratio=50)
    handles = sae_deployer.send(sae_deployer.targets(), VersionSpec(image=NEW))
    assert list(handles) == ['a1'] and handles['a1']['kind'] == 'change_order' and handles['a1']['id'] == 'co-new'
    assert handles['a1']['request_id'] == sae_deployer.requests[-1]['request_id'] and sae_deployer.requests[-1]['operation'] == 'DeployApplication'
    call = session.calls[-1]
    query = dict((key, values[0]) for key, values in parse_qs(urlsplit(call['url']).query).items())
    assert set(query) == {'AppId', 'PackageType', 'ImageUrl', 'UpdateStrategy', 'MinReadyInstances', 'MinReadyInstanceRatio'}
    # Each where the SDK puts it: these are all query parameters; the form body holds none of them, so it is empty.
    assert set(query) <= in_query and not set(query) & in_body and form_data
    assert (query['PackageType'], query['ImageUrl'], query['MinReadyInstances'], query['MinReadyInstanceRatio']) == ('Image', NEW, '1', '50')
    assert json.loads(query['UpdateStrategy']) == {'type': 'GrayBatchUpdate', 'grayUpdate': {'gray': 1},
                                                   'batchUpdate': {'batch': 2, 'releaseType': 'manual', 'batchWaitTime': 30}}
    assert call['data'] == b'' and call['headers']['content-type'] == 'application/x-www-form-urlencoded'
    assert call['headers']['x-acs-content-sha256'] == hashlib.sha256(b'').hexdigest()
    assert 'content-type' in call['headers']['Authorization'].split('SignedHeaders=')[1].split(',')[0].split(';')


def test_a_package_keeps_the_applications_own_package_type():
    routes = {('GET', LIST): [listing({'AppId': 'a2', 'AppName': 'jar', 'PackageUrl': 'https://oss/jar-7.jar'})], ('GET', STATUS): [status()],
              ('GET', CONFIG): [sae({'PackageType': 'War', 'PackageUrl': 'https://oss/jar-7.jar', 'PackageVersion': '7'})],
              ('POST', DEPLOY): [sae({'ChangeOrderId': 'co-new'})]}
    sae_deployer, session = deployer(routes, app_ids=['a2'])
    sae_deployer.send(sae_deployer.targets(), VersionSpec(package_url='https://oss/jar-8.war', package_version='8'))
    query = parse_qs(urlsplit(session.calls[-1]['url']).query)
    assert (query['PackageType'], query['PackageUrl'], query['PackageVersion']) == (['War'], ['https://oss/jar-8.war'], ['8'])
    assert 'ImageUrl' not in query and 'UpdateStrategy' not in query


def test_an_unknown_outcome_is_settled_by_the_newest_change_order_without_sending_twice():
    routes = {('GET', LIST): [listing({'AppId': 'a1', 'AppName': 'web', 'ImageUrl': OLD})], ('GET', STATUS): [status('co-old'), status('co-new', True)],
              ('POST', DEPLOY): [FakeResponse(503, {'Code': 'ServiceUnavailable', 'Message': 'busy', 'RequestId': 'r-503'})]}
    sae_deployer, session = deployer(routes, app_ids=['a1'])
    handles = sae_deployer.send(sae_deployer.targets(), VersionSpec(image=NEW))
    assert handles['a1'] == dict(kind='change_order', id='co-new', request_id=None)
    assert actions(session).count('DeployApplication') == 1


def test_a_rollback_aborts_the_order_still_holding_the_application_then_rolls_back_to_what_it_ran():
    before = dict(id='a1', name='web', label='application web', deployed=deployed(image=OLD))
    routes = {('GET', LIST): [listing({'AppId': 'a1', 'AppName': 'web', 'ImageUrl': OLD})], ('GET', STATUS): [status('co-held', True)],
              ('PUT', ABORT): [sae({'ChangeOrderId': 'co-held'})],
              ('GET', ORDER): [sae({'ChangeOrderId': 'co-held', 'Status': 6, 'SubStatus': 0, 'Pipelines': []})],
              ('GET', VERSIONS): [sae([{'Id': 'v-new', 'CreateTime': '3', 'BuildPackageUrl': NEW}, {'Id': 'v-old', 'CreateTime': '2', 'BuildPackageUrl': OLD},
                                       {'Id': 'v-older', 'CreateTime': '1', 'BuildPackageUrl': OLD}])],
              ('PUT', ROLLBACK): [sae({'ChangeOrderId': 'co-rollback'})]}
    sae_deployer, session = deployer(routes, app_ids=['a1'], min_ready_instances=1)
    handle = sae_deployer.rollback(before, Deadline(10), auto_confirm=False)
    assert handle['id'] == 'co-rollback'
    assert actions(session) == ['ListApplications', 'DescribeApplicationStatus', 'AbortChangeOrder', 'DescribeChangeOrder', 'ListAppVersions',
                                'RollbackApplication']
    query = parse_qs(urlsplit(session.calls[-1]['url']).query)
    # The newest version that ran the old image, the deploy's own settings passed on.
    assert (query['VersionId'], query['MinReadyInstances']) == (['v-old'], ['1'])
    assert sae_deployer.abort([dict(kind='change_order', id='co-rollback'), dict(kind='job', id='j')]) == ['co-rollback']


@pytest.mark.parametrize('spec,options,message', [
    (VersionSpec(image=NEW, package_url='https://oss/a.jar', package_version='1'), {}, 'not both'),
    (VersionSpec(package_url='https://oss/a.jar'), {}, 'needs both package_url and package_version'),
    (VersionSpec(image=NEW), dict(update_strategy=dict(type='GrayBatchUpdate', batch=1)), 'GrayBatchUpdate needs gray'),
    (VersionSpec(image=NEW), dict(update_strategy=dict(type='BatchUpdate', batch=1, gray=1)), 'gray is the canary of type GrayBatchUpdate'),
    (VersionSpec(image=NEW), dict(namespace_id=None, app_names=['web']), 'namespace_id is needed'),
    (VersionSpec(image=NEW), dict(namespace_id=None), 'give the SAE applications'),
])
def test_what_is_refused_before_any_call(spec, options, message):
    sae_deployer, session = deployer({}, **options)
    with pytest.raises(PaasInputError, match=message):
        sae_deployer.check(spec)
    assert session.calls == []


def test_a_package_cannot_go_to_an_image_application():
    sae_deployer, dummy = deployer({})
    with pytest.raises(PaasInputError, match='application web runs an image'):
        sae_deployer.refuse(dict(label='application web', _package_type='Image'), VersionSpec(package_url='https://oss/a.jar', package_version='1'))
    assert sae_deployer.refuse(dict(label='application web', _package_type='Image'), VersionSpec(image=NEW)) is None


def test_the_update_strategy_option_becomes_sae_json():
    assert _sae.update_strategy(None) is None
    assert json.loads(_sae.update_strategy(dict(type='BatchUpdate', batch=3, release_type='auto', batch_wait_time=0, gray=None))) == {
        'type': 'BatchUpdate', 'batchUpdate': {'batch': 3, 'releaseType': 'auto', 'batchWaitTime': 0}}
