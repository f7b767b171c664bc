# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SAE and EDAS adapters and operations over a faked network: calls made, decisions, change-order following."""

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _waiter
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._alibaba import Edas, Sae, edas_operation, follow_change_order, sae_operation
from ansible_collections.paas.ops.plugins.module_utils._connection import CONNECTION_ARGSPEC, Connection
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError, PaasJobError
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession

STATUS = '/pop/v1/sam/app/describeApplicationStatus$'
ORDER = '/pop/v1/sam/changeorder/DescribeChangeOrder$'


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


def adapter(kind, routes):
    session = RoutedSession(routes)
    params = {name: spec.get('default') for name, spec in CONNECTION_ARGSPEC.items()}
    params.update(endpoint='http://emu', alibaba_access_key_id='ak', alibaba_access_key_secret='secret', alibaba_region_id='cn-hangzhou')
    connection = Connection(params, kind, session=session)
    return (Sae if kind == 'sae' else Edas)(connection), session


def sae(data):
    return FakeResponse(200, {'Code': '200', 'Success': True, 'Message': 'success', 'RequestId': 'r', 'Data': data})


def app_status(app_id, status='RUNNING', running_order=None):
    return sae({'AppId': app_id, 'CurrentStatus': status, 'RunningInstances': 2, 'LastChangeOrderId': running_order or 'old',
                'LastChangeOrderRunning': bool(running_order), 'LastChangeOrderStatus': 'RUNNING' if running_order else 'SUCCESS'})


def order(status, sub=0, pipelines=((('p1', 2),)), current='p1'):
    return sae({'ChangeOrderId': 'co', 'Status': status, 'SubStatus': sub, 'CoTypeCode': 'CoBatchRestartApplication', 'BatchCount': len(pipelines),
                'CurrentPipelineId': current, 'Pipelines': [{'PipelineId': pid, 'PipelineName': 'batch', 'Status': st} for pid, st in pipelines]})


def params(**values):
    base = dict(action='restart', app_ids=None, app_names=None, namespace_id='cn-hangzhou:demo', replicas=None, min_ready_instances=None,
                min_ready_instance_ratio=None, version_id=None, wait=True, wait_timeout=60, auto_confirm_batches=False)
    base.update(values)
    return base


def test_sae_batch_restart_acts_on_running_apps_with_one_order():
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1')],
                                   ('PUT', 'batchRestartApplications$'): [sae({'ChangeOrderId': 'co-1'})],
                                   ('GET', ORDER): [order(1, pipelines=[('p1', 1)]), order(2)]})
    result = sae_operation(api, params(app_ids=['a1', 'a2']), check_mode=False)
    assert result['changed'] is True and result['change_order_ids'] == ['co-1'] and result['change_orders'][0]['status'] == 'succeeded'
    put = [call for call in session.calls if call['method'] == 'PUT'][0]
    assert 'AppIds=a1%2Ca2' in put['url'] and 'NamespaceId=cn-hangzhou%3Ademo' in put['url']
    assert put['headers']['x-acs-action'] == 'BatchRestartApplications' and put['headers']['x-acs-version'] == '2019-05-06'


def test_sae_start_sends_only_what_is_stopped_and_nothing_when_all_run():
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1')]})
    result = sae_operation(api, params(action='start', app_ids=['a1']), check_mode=False)
    assert result['changed'] is False and result['applications'][0]['reason'] == 'already running'
    assert session.count('PUT', '.') == 0


def test_sae_check_mode_predicts_without_sending():
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', 'STOPPED')]})
    result = sae_operation(api, params(action='start', app_ids=['a1']), check_mode=True)
    assert result['changed'] is True and result['applications'][0]['after']['state'] == 'running' and session.count('PUT', '.') == 0


def test_sae_waits_for_a_change_order_already_running():
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', 'STOPPED', running_order='co-0'), app_status('a1', 'RUNNING')],
                                   ('GET', ORDER): [order(1), order(2)]})
    result = sae_operation(api, params(action='start', app_ids=['a1']), check_mode=False)
    assert result['waited_for_change_orders'] == ['co-0'] and result['changed'] is False


def test_sae_batch_actions_need_the_namespace():
    api, dummy = adapter('sae', {('GET', STATUS): [app_status('a1')]})
    with pytest.raises(PaasInputError, match='namespace_id is required'):
        sae_operation(api, params(app_ids=['a1'], namespace_id=None), check_mode=False)


def test_sae_restart_refuses_a_stopped_application():
    api, dummy = adapter('sae', {('GET', STATUS): [app_status('a1', 'STOPPED')]})
    with pytest.raises(PaasInputError, match='use action=start'):
        sae_operation(api, params(app_ids=['a1']), check_mode=False)


def follow(api, **kwargs):
    return follow_change_order(api, 'co', Deadline(60), label='application a1', **kwargs)


def test_manual_confirmation_ends_the_wait_clearly_or_is_confirmed_when_asked():
    api, dummy = adapter('sae', {('GET', ORDER): [order(8, pipelines=[('p1', 2), ('p2', 8)], current='p2')]})
    with pytest.raises(PaasJobError, match='waits for manual confirmation of its next batch \\(pipeline p2\\).*auto_confirm_batches=true'):
        follow(api)
    api, session = adapter('sae', {('GET', ORDER): [order(8, pipelines=[('p1', 2), ('p2', 8)], current='p2'), order(2)],
                                   ('GET', 'ConfirmPipelineBatch$'): [sae({'PipelineId': 'p2'})]})
    result = follow(api, auto_confirm=True)
    assert result['status'] == 'succeeded' and result['confirmed_batches'] == ['p2']
    assert 'PipelineId=p2' in [call for call in session.calls if 'Confirm' in call['url']][0]['url']


def test_approval_ends_the_wait_clearly():
    api, dummy = adapter('sae', {('GET', ORDER): [order(11)]})
    with pytest.raises(PaasJobError, match='waits for approval'):
        follow(api, auto_confirm=True)


@pytest.mark.parametrize('status,sub', [(3, 0), (10, 0), (1, 1)])
def test_a_failed_order_fails_with_the_pipeline_task_messages(status, sub):
    pipeline = sae({'PipelineId': 'p1', 'StageList': [{'StageName': 'restart', 'TaskList': [
        {'TaskName': 'restart web-1', 'Status': 3, 'ErrorMessage': 'readiness probe failed'}, {'TaskName': 'restart web-2', 'Status': 2}]}]})
    api, dummy = adapter('sae', {('GET', ORDER): [order(status, sub, pipelines=[('p1', 3)])], ('GET', 'DescribePipeline$'): [pipeline]})
    with pytest.raises(PaasJobError) as caught:
        follow(api)
    assert 'restart web-1: readiness probe failed' in caught.value.msg and 'web-2' not in caught.value.msg
    assert caught.value.details()['job']['status'] == 'failed'


def edas_status(states):
    return FakeResponse(200, {'Code': 200, 'Message': 'success', 'RequestId': 'r', 'AppInfo': {
        'Application': {'ApplicationId': 'e1', 'Name': 'orders'},
        'EccList': {'Ecc': [{'EccId': 'ecc-%d' % n, 'AppState': state, 'TaskState': 2, 'Ip': '10.0.0.%d' % n} for n, state in enumerate(states, 1)]}}})


def edas_order(status, pipelines=()):
    info = {'ChangeOrderId': 'co', 'Status': status, 'CoType': 'Start', 'PipelineInfoList': {'PipelineInfo': list(pipelines)}}
    return FakeResponse(200, {'Code': 200, 'RequestId': 'r', 'changeOrderInfo': info})


NO_RECENT = FakeResponse(200, {'Code': 200, 'ChangeOrderList': {'ChangeOrder': []}})


def test_edas_start_sends_only_the_stopped_eccs():
    api, session = adapter('edas', {('GET', '/pop/v5/app/app_status$'): [edas_status([7, 1, 3]), edas_status([7, 7, 3])],
                                    ('POST', 'change_order_list$'): [NO_RECENT],
                                    ('POST', '/co_start$'): [FakeResponse(200, {'Code': 200, 'ChangeOrderId': 'co-e'})],
                                    ('POST', 'change_order_info$'): [edas_order(2)]})
    result = edas_operation(api, params(action='start', app_ids=['e1']), check_mode=False)
    assert [(entry['id'], entry['changed']) for entry in result['instances']] == [('ecc-1', False), ('ecc-2', True), ('ecc-3', False)]
    post = [call for call in session.calls if 'co_start' in call['url']][0]
    assert 'EccInfo=ecc-2' in post['url'] and post['headers']['x-acs-action'] == 'StartApplication'
    assert result['instances'][1]['after']['state'] == 'running'


def test_edas_partial_success_fails_with_instance_messages():
    pipeline = {'PipelineId': 'p1', 'PipelineStatus': 3, 'StageList': {'StageInfoDTO': [{'StageResultDTO': {'InstanceDTOList': {'InstanceDTO': [
        {'InstanceName': 'ecc-2', 'InstanceStageDTOList': {'InstanceStageDTO': [{'StageName': 'start', 'Status': 3, 'StageMessage': 'port 8080 busy'}]}}]}}}]}}
    api, dummy = adapter('edas', {('POST', 'change_order_info$'): [edas_order(7, [pipeline])]})
    with pytest.raises(PaasJobError) as caught:
        follow_change_order(api, 'co', Deadline(60))
    assert 'partially_failed' in caught.value.msg and 'ecc-2: port 8080 busy' in caught.value.msg


def test_edas_unknown_ecc_is_refused_before_sending():
    api, session = adapter('edas', {('GET', '/pop/v5/app/app_status$'): [edas_status([7])], ('POST', 'change_order_list$'): [NO_RECENT]})
    with pytest.raises(PaasInputError, match='has no ECC ecc-9'):
        edas_operation(api, params(action='stop', app_ids=['e1']), check_mode=False, ecc_ids=['ecc-9'])
    assert session.count('POST', 'co_') == 0


def test_edas_business_error_in_a_200_body_fails():
    api, dummy = adapter('edas', {('GET', '/pop/v5/app/app_status$'): [FakeResponse(200, {'Code': 500, 'Message': 'no such app', 'RequestId': 'x'})]})
    with pytest.raises(Exception, match='no such app'):
        api.application('e9')
