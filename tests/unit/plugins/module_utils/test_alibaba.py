# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SAE and EDAS adapters and operations over a faked network: calls made, decisions, change-order following."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ansible_collections.paas.ops.plugins.module_utils import _waiter
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._alibaba import follow_change_order
from ansible_collections.paas.ops.plugins.module_utils import _edas, _sae
from ansible_collections.paas.ops.plugins.module_utils._edas import Edas, EdasFleet
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Request, run
from ansible_collections.paas.ops.plugins.module_utils._sae import Sae
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError, PaasJobError, PaasOutcomeUnknownError
from ansible_collections.paas.ops.plugins.module_utils._fleet import restart_batch
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession, make_connection

STATUS = '/pop/v1/sam/app/describeApplicationStatus$'
ORDER = '/pop/v1/sam/changeorder/DescribeChangeOrder$'


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


def adapter(kind, routes):
    session = RoutedSession(routes)
    return (Sae if kind == 'sae' else Edas)(alibaba_connection(kind, session)), session


def alibaba_connection(kind, session):
    return make_connection(kind, session=session, endpoint='http://emu', alibaba_access_key_id='ak', alibaba_access_key_secret='secret',
                           alibaba_region_id='cn-hangzhou')


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


# The operations as a module calls them: its options become one Request.
def sae_operation(api, options, check_mode):
    return run(_sae.ApplicationsOperation(api), Request.from_options(options, check_mode))


def sae_restart_instances(api, app_id, instance_ids, options, check_mode):
    return run(_sae.InstancesOperation(api, app_id, instance_ids), Request.from_options(options, check_mode))


def edas_operation(api, options, check_mode, ecc_ids=None):
    return run(_edas.ApplicationsOperation(api, options['app_ids'], ecc_ids), Request.from_options(options, check_mode))


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


# --------------------------------------------------------------------------------------------------
# Idempotency decisions of the operations: what is sent, what is not, and why
# --------------------------------------------------------------------------------------------------

CONFIG = '/pop/v1/sam/app/describeApplicationConfig$'
VERSIONS = '/pop/v1/sam/app/listAppVersions$'
GROUPS = '/pop/v1/sam/app/describeApplicationGroups$'
INSTANCES = '/pop/v1/sam/app/describeApplicationInstances$'
EDAS_STATUS = '/pop/v5/app/app_status$'
EDAS_RECENT = '/pop/v5/changeorder/change_order_list$'
EDAS_INFO = '/pop/v5/changeorder/change_order_info$'
SAE_ACTION_NAMES = ('BatchStartApplications', 'BatchStopApplications', 'BatchRestartApplications', 'RescaleApplication', 'RollbackApplication',
                    'RestartInstances', 'ConfirmPipelineBatch')
EDAS_ACTION_NAMES = ('StartApplication', 'StopApplication', 'RestartApplication', 'ContinuePipeline')


def query_of(call):
    return dict((key, values[0]) for key, values in parse_qs(urlsplit(call['url']).query).items())


def by_query(key, answers):
    """A reply chosen by one query parameter (the application id): each value's replies used in turn, the last repeating."""
    queues = dict((value, list(replies)) for value, replies in answers.items())

    def reply(method, url):
        value = parse_qs(urlsplit(url).query).get(key, [None])[0]
        if value not in queues:
            raise AssertionError('unexpected %s=%s in %s %s' % (key, value, method, url))
        queue = queues[value]
        return queue.pop(0) if len(queue) > 1 else queue[0]
    return reply


def sent(session, names):
    """``(action, query)`` of every request whose x-acs-action is one of ``names``, in the order sent."""
    return [(call['headers']['x-acs-action'], query_of(call)) for call in session.calls if call['headers'].get('x-acs-action') in names]


def reads(session, action, **query):
    """How many ``action`` requests carried every given query parameter."""
    return sum(1 for call in session.calls if call['headers'].get('x-acs-action') == action
               and all(query_of(call).get(key) == value for key, value in query.items()))


def decisions(result, key='applications'):
    return [(entry['id'], entry['changed'], entry['reason']) for entry in result[key]]


def sae_order_id(order_id):
    return sae({'ChangeOrderId': order_id})


@pytest.mark.parametrize('action,expected,acting', [
    ('start', [('a1', False, 'already running'), ('a2', True, 'target is stopped'), ('a3', True, 'target is unknown')], 'a2,a3'),
    ('stop', [('a1', True, 'target is running'), ('a2', False, 'already stopped'), ('a3', True, 'target is unknown')], 'a1,a3'),
])
def test_sae_batch_sends_only_the_applications_not_in_the_target_state(action, expected, acting):
    statuses = {'a1': [app_status('a1', 'RUNNING')], 'a2': [app_status('a2', 'STOPPED')], 'a3': [app_status('a3', 'UNKNOWN')]}
    api, session = adapter('sae', {('GET', STATUS): [by_query('AppId', statuses)],
                                   ('PUT', '/batch%sApplications$' % action.capitalize()): [sae_order_id('co-1')]})
    result = sae_operation(api, params(action=action, app_ids=['a1', 'a2', 'a3'], wait=False), check_mode=False)
    assert decisions(result) == expected
    name = 'Batch%sApplications' % action.capitalize()
    assert sent(session, SAE_ACTION_NAMES) == [(name, {'NamespaceId': 'cn-hangzhou:demo', 'AppIds': acting})]
    assert result['changed'] is True and result['change_order_ids'] == ['co-1'] and result['change_orders'] == []
    skipped = [entry for entry in result['applications'] if not entry['changed']][0]
    assert skipped['after'] == skipped['before']


def test_sae_restart_acts_on_every_application_that_is_not_stopped():
    statuses = {'a1': [app_status('a1', 'RUNNING')], 'a2': [app_status('a2', 'UNKNOWN')]}
    api, session = adapter('sae', {('GET', STATUS): [by_query('AppId', statuses)], ('PUT', '/batchRestartApplications$'): [sae_order_id('co-1')]})
    result = sae_operation(api, params(action='restart', app_ids=['a1', 'a2'], wait=False), check_mode=False)
    assert decisions(result) == [('a1', True, 'restart always acts'), ('a2', True, 'restart always acts')]
    assert sent(session, SAE_ACTION_NAMES) == [('BatchRestartApplications', {'NamespaceId': 'cn-hangzhou:demo', 'AppIds': 'a1,a2'})]


@pytest.mark.parametrize('action,status,reason', [('start', 'RUNNING', 'already running'), ('stop', 'STOPPED', 'already stopped')])
def test_sae_batch_sends_nothing_when_every_application_is_there(action, status, reason):
    statuses = {'a1': [app_status('a1', status)], 'a2': [app_status('a2', status)]}
    api, session = adapter('sae', {('GET', STATUS): [by_query('AppId', statuses)]})
    result = sae_operation(api, params(action=action, app_ids=['a1', 'a2']), check_mode=False)
    assert result['changed'] is False and result['change_order_ids'] == [] and result['change_orders'] == []
    assert decisions(result) == [('a1', False, reason), ('a2', False, reason)]
    assert [call['method'] for call in session.calls] == ['GET', 'GET']


def test_sae_restart_with_one_stopped_application_is_refused_before_sending_anything():
    statuses = {'a1': [app_status('a1', 'RUNNING')], 'a2': [app_status('a2', 'STOPPED')]}
    api, session = adapter('sae', {('GET', STATUS): [by_query('AppId', statuses)]})
    with pytest.raises(PaasInputError) as caught:
        sae_operation(api, params(action='restart', app_ids=['a1', 'a2']), check_mode=False)
    assert caught.value.msg == 'application a2 is STOPPED: a restart needs a running target; use action=start'
    assert sent(session, SAE_ACTION_NAMES) == []


def test_sae_after_comes_from_a_read_after_the_order_and_only_for_what_acted():
    statuses = {'a1': [app_status('a1', 'RUNNING')], 'a2': [app_status('a2', 'STOPPED'), app_status('a2', 'RUNNING')]}
    api, session = adapter('sae', {('GET', STATUS): [by_query('AppId', statuses)], ('PUT', '/batchStartApplications$'): [sae_order_id('co-1')],
                                   ('GET', ORDER): [order(2)]})
    result = sae_operation(api, params(action='start', app_ids=['a1', 'a2']), check_mode=False)
    first, second = result['applications']
    assert first['after'] == first['before'] == dict(state='running', raw_state='RUNNING', replica=None, version=None)
    assert second['before']['raw_state'] == 'STOPPED' and second['after'] == dict(state='running', raw_state='RUNNING', replica=None, version=None)
    assert reads(session, 'DescribeApplicationStatus', AppId='a1') == 1 and reads(session, 'DescribeApplicationStatus', AppId='a2') == 2
    assert reads(session, 'DescribeChangeOrder', ChangeOrderId='co-1') == 1


@pytest.mark.parametrize('action,status,extra', [
    ('start', 'STOPPED', {}), ('stop', 'RUNNING', {}), ('restart', 'RUNNING', {}), ('scale', 'RUNNING', {'replicas': 5}),
    ('rollback', 'RUNNING', {'version_id': 'v1'}),
])
def test_sae_check_mode_sends_no_action(action, status, extra):
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', status)], ('GET', CONFIG): [app_config('a1', image='reg/web:2')],
                                   ('GET', VERSIONS): [app_versions(('v1', 100, 'reg/web:1'), ('v2', 200, 'reg/web:2'))]})
    result = sae_operation(api, params(action=action, app_ids=['a1'], **extra), check_mode=True)
    assert result['changed'] is True and result['applications'][0]['changed'] is True and result['change_order_ids'] == []
    assert sent(session, SAE_ACTION_NAMES) == [] and all(call['method'] == 'GET' for call in session.calls)


def app_config(app_id, replicas=2, image=None, package=None):
    return sae({'AppId': app_id, 'AppName': 'web-' + app_id, 'Replicas': replicas, 'ImageUrl': image or '', 'PackageUrl': package or ''})


def app_versions(*versions):
    """ListAppVersions data from ``(id, CreateTime, BuildPackageUrl[, WarUrl])``; SAE lists them newest first, as strings of milliseconds."""
    return sae([{'Id': version[0], 'Type': 'image', 'CreateTime': str(version[1]), 'BuildPackageUrl': version[2],
                 'WarUrl': version[3] if len(version) > 3 else ''} for version in versions])


# -- scale ------------------------------------------------------------------------------------------

def test_sae_scale_to_the_current_replicas_sends_nothing_and_needs_no_namespace():
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1')], ('GET', CONFIG): [app_config('a1', replicas=2)]})
    result = sae_operation(api, params(action='scale', app_ids=['a1'], replicas=2, namespace_id=None), check_mode=False)
    assert result['changed'] is False and decisions(result) == [('a1', False, 'already at 2 replicas')]
    assert sent(session, SAE_ACTION_NAMES) == [] and result['change_order_ids'] == []


def test_sae_scale_rescales_only_the_applications_at_other_replicas():
    configs = {'a1': [app_config('a1', replicas=2)], 'a2': [app_config('a2', replicas=3)], 'a3': [app_config('a3', replicas=0)]}
    statuses = {'a1': [app_status('a1')], 'a2': [app_status('a2')], 'a3': [app_status('a3', 'STOPPED')]}
    api, session = adapter('sae', {('GET', STATUS): [by_query('AppId', statuses)], ('GET', CONFIG): [by_query('AppId', configs)],
                                   ('PUT', '/rescaleApplication$'): [sae_order_id('co-1'), sae_order_id('co-3')]})
    result = sae_operation(api, params(action='scale', app_ids=['a1', 'a2', 'a3'], replicas=3, min_ready_instances=1, wait=False), check_mode=False)
    assert decisions(result) == [('a1', True, 'replicas 2 -> 3'), ('a2', False, 'already at 3 replicas'), ('a3', True, 'replicas 0 -> 3')]
    assert sent(session, SAE_ACTION_NAMES) == [('RescaleApplication', {'AppId': 'a1', 'Replicas': '3', 'MinReadyInstances': '1'}),
                                               ('RescaleApplication', {'AppId': 'a3', 'Replicas': '3', 'MinReadyInstances': '1'})]
    assert result['change_order_ids'] == ['co-1', 'co-3'] and result['applications'][0]['after']['replica'] == 3


def test_sae_scale_refuses_negative_replicas_before_sending():
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1')], ('GET', CONFIG): [app_config('a1')]})
    with pytest.raises(PaasInputError, match='replica must be 0 or more, got -1'):
        sae_operation(api, params(action='scale', app_ids=['a1'], replicas=-1), check_mode=False)
    assert sent(session, SAE_ACTION_NAMES) == []


# -- rollback and the running version ---------------------------------------------------------------

# Listed newest first; v3 redeployed the image of v1, so v3 is what runs when the configuration deploys reg/web:1.
HISTORY = (('v3', 1700000300000, 'reg/web:1'), ('v1', 1700000100000, 'reg/web:1'), ('v2', 1700000200000, 'reg/web:2'))


@pytest.mark.parametrize('versions,image,package,expected', [
    (HISTORY, 'reg/web:1', None, (['v1', 'v2', 'v3'], 'v3')),
    (HISTORY, 'reg/web:2', None, (['v1', 'v2', 'v3'], 'v2')),
    (HISTORY, 'reg/web:9', None, (['v1', 'v2', 'v3'], None)),
    # War and jar applications: the configuration's PackageUrl against each version's WarUrl.
    ((('w1', 1000, '', 'oss://b/app-1.war'), ('w2', 2000, '', 'oss://b/app-2.war')), None, 'oss://b/app-1.war', (['w1', 'w2'], 'w1')),
    # Milliseconds of different lengths: ordered as numbers, not as strings ('999' > '1000' as text).
    ((('new', 1000, 'reg/web:1'), ('old', 999, 'reg/web:1')), 'reg/web:1', None, (['old', 'new'], 'new')),
    # Neither side names a package: empty is no match, so nothing counts as running.
    ((('v1', 100, ''), ('v2', 200, '')), None, None, (['v1', 'v2'], None)),
    # Entries without an Id cannot be rolled back to and are left out.
    ((('', 300, 'reg/web:1'), ('v1', 100, 'reg/web:1')), 'reg/web:1', None, (['v1'], 'v1')),
])
def test_sae_versions_and_the_running_one(versions, image, package, expected):
    api, session = adapter('sae', {('GET', VERSIONS): [app_versions(*versions)]})
    config = {'ImageUrl': image or '', 'PackageUrl': package or ''}
    assert api.versions('a1', config) == expected
    assert reads(session, 'ListAppVersions', AppId='a1') == 1


def rollback_adapter(image='reg/web:1', versions=HISTORY, order_ids=('co-1',)):
    return adapter('sae', {('GET', STATUS): [app_status('a1')], ('GET', CONFIG): [app_config('a1', image=image)],
                           ('GET', VERSIONS): [app_versions(*versions)], ('PUT', '/rollbackApplication$'): [sae_order_id(i) for i in order_ids]})


def test_sae_rollback_to_the_running_version_sends_nothing():
    api, session = rollback_adapter()
    result = sae_operation(api, params(action='rollback', app_ids=['a1'], version_id='v3', namespace_id=None), check_mode=False)
    assert result['changed'] is False and decisions(result) == [('a1', False, 'version v3 already deployed')]
    assert sent(session, SAE_ACTION_NAMES) == []


@pytest.mark.parametrize('target', ['v1', 'v2'])
def test_sae_rollback_to_another_version_sends_one_rollback(target):
    """v1 deploys the same image as the running v3, but is another version: rolling back to it is a change."""
    api, session = rollback_adapter()
    result = sae_operation(api, params(action='rollback', app_ids=['a1'], version_id=target, min_ready_instance_ratio=50, wait=False),
                           check_mode=False)
    assert decisions(result) == [('a1', True, 'version v3 -> %s' % target)]
    assert result['applications'][0]['before']['version'] == 'v3' and result['applications'][0]['after']['version'] == target
    assert sent(session, SAE_ACTION_NAMES) == [('RollbackApplication', {'AppId': 'a1', 'VersionId': target, 'MinReadyInstanceRatio': '50'})]
    assert result['change_order_ids'] == ['co-1']


def test_sae_rollback_acts_when_no_version_matches_the_configuration():
    """Nothing says which version runs, so not even the newest one can be assumed deployed."""
    api, session = rollback_adapter(image='reg/web:hotfix')
    result = sae_operation(api, params(action='rollback', app_ids=['a1'], version_id='v3', wait=False), check_mode=False)
    assert decisions(result) == [('a1', True, 'version None -> v3')]
    assert sent(session, SAE_ACTION_NAMES) == [('RollbackApplication', {'AppId': 'a1', 'VersionId': 'v3'})]


def test_sae_rollback_to_an_unknown_version_is_refused_with_the_valid_ones():
    api, session = rollback_adapter()
    with pytest.raises(PaasInputError) as caught:
        sae_operation(api, params(action='rollback', app_ids=['a1'], version_id='v9'), check_mode=False)
    assert caught.value.msg == "application a1 has no version 'v9' to roll back to; valid versions: v1, v2, v3"
    assert sent(session, SAE_ACTION_NAMES) == []


# -- an order already running -----------------------------------------------------------------------

def test_sae_waits_for_the_running_order_then_decides_from_what_it_left():
    """A stop already under way: once it ends the application is stopped, so the task's own stop is not needed."""
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', 'RUNNING', running_order='co-0'), app_status('a1', 'STOPPED')],
                                   ('GET', ORDER): [order(1, pipelines=[('p1', 1)]), order(1, pipelines=[('p1', 1)]), order(2)]})
    result = sae_operation(api, params(action='stop', app_ids=['a1']), check_mode=False)
    assert result['waited_for_change_orders'] == ['co-0'] and decisions(result) == [('a1', False, 'already stopped')]
    assert reads(session, 'DescribeChangeOrder', ChangeOrderId='co-0') == 3 and sent(session, SAE_ACTION_NAMES) == []
    names = [call['headers']['x-acs-action'] for call in session.calls]
    assert names == ['DescribeApplicationStatus'] + ['DescribeChangeOrder'] * 3 + ['DescribeApplicationStatus']


@pytest.mark.parametrize('status', [3, 6, 10])
def test_sae_a_running_order_that_fails_is_waited_for_and_the_action_still_decided(status):
    """The outcome of someone else's order is not the task's to judge: it acts on the state the order left."""
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', 'RUNNING', running_order='co-0'), app_status('a1', 'RUNNING')],
                                   ('GET', ORDER): [order(1), order(status)], ('PUT', '/batchRestartApplications$'): [sae_order_id('co-1')]})
    result = sae_operation(api, params(action='restart', app_ids=['a1'], wait=False), check_mode=False)
    assert result['waited_for_change_orders'] == ['co-0'] and result['change_order_ids'] == ['co-1']
    assert reads(session, 'DescribeChangeOrder', ChangeOrderId='co-0') == 2
    assert sent(session, SAE_ACTION_NAMES) == [('BatchRestartApplications', {'NamespaceId': 'cn-hangzhou:demo', 'AppIds': 'a1'})]


@pytest.mark.parametrize('entry', ['sae_operation', 'sae_restart_instances'])
def test_sae_a_running_order_with_a_failed_batch_is_not_collided_with(entry):
    """Status 1 with SubStatus 1 counts as failed for the task's own order, but SAE still runs it (LastChangeOrderRunning,
    awaiting a manual rollback): any action sent now is answered Application.ChangerOrderRunning. Like an order waiting
    for confirmation, it must be refused before sending, naming the order."""
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', 'RUNNING', running_order='co-0'), app_status('a1')],
                                   ('GET', ORDER): [order(1, sub=1), order(1, sub=1), order(3)], ('GET', GROUPS): [sae([{'GroupId': 'g1'}])],
                                   ('GET', INSTANCES): [sae_instances(('i-1', 'Running'))], ('PUT', '/restartInstances$'): [sae_order_id('co-r')],
                                   ('PUT', '/batchRestartApplications$'): [sae_order_id('co-1')]})
    with pytest.raises(PaasJobError, match='co-0'):
        if entry == 'sae_operation':
            sae_operation(api, params(action='restart', app_ids=['a1'], wait=False), check_mode=False)
        else:
            sae_restart_instances(api, 'a1', ['i-1'], params(wait=False), check_mode=False)
    assert sent(session, SAE_ACTION_NAMES) == []


@pytest.mark.parametrize('status,word', [(8, 'waiting_confirmation'), (11, 'waiting_approval')])
def test_sae_a_running_order_waiting_for_a_person_is_refused_and_not_confirmed(status, word):
    """auto_confirm_batches confirms the task's own orders, never one somebody else started."""
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', 'RUNNING', running_order='co-0')], ('GET', ORDER): [order(status)]})
    with pytest.raises(PaasJobError) as caught:
        sae_operation(api, params(action='restart', app_ids=['a1'], auto_confirm_batches=True), check_mode=False)
    assert caught.value.msg == 'application a1 has change order co-0 waiting (%s); finish it before another action' % word
    assert sent(session, SAE_ACTION_NAMES) == []


def test_sae_a_finished_last_order_is_not_read():
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', 'STOPPED')]})
    result = sae_operation(api, params(action='stop', app_ids=['a1']), check_mode=False)
    assert result['waited_for_change_orders'] == [] and reads(session, 'DescribeChangeOrder') == 0


def test_sae_scale_after_a_running_order_decides_from_the_new_configuration():
    """The order in flight was a rescale to 3: the configuration is read again, and scaling to 3 is then done already."""
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1', 'RUNNING', running_order='co-0'), app_status('a1')],
                                   ('GET', CONFIG): [app_config('a1', replicas=2), app_config('a1', replicas=3)], ('GET', ORDER): [order(2)]})
    result = sae_operation(api, params(action='scale', app_ids=['a1'], replicas=3), check_mode=False)
    assert result['waited_for_change_orders'] == ['co-0'] and decisions(result) == [('a1', False, 'already at 3 replicas')]
    assert reads(session, 'DescribeApplicationConfig', AppId='a1') == 2 and sent(session, SAE_ACTION_NAMES) == []


# -- SAE instances ----------------------------------------------------------------------------------

def sae_instances(*instances):
    return sae({'TotalSize': len(instances), 'CurrentPage': 1, 'PageSize': 100, 'Instances': [
        {'InstanceId': instance_id, 'InstanceContainerStatus': status, 'InstanceHealthStatus': 'Healthy', 'ImageUrl': 'reg/web:1'}
        for instance_id, status in instances]})


def instances_adapter(status=None, orders=(), instances=(('i-1', 'Running'), ('i-2', 'Error'))):
    return adapter('sae', {('GET', STATUS): status or [app_status('a1')], ('GET', GROUPS): [sae([{'GroupId': 'g1'}])],
                           ('GET', INSTANCES): [sae_instances(*instances)], ('PUT', '/restartInstances$'): [sae_order_id('co-r')],
                           ('GET', ORDER): list(orders) or [order(2)]})


@pytest.mark.parametrize('action', ['start', 'stop', 'scale', 'rollback'])
def test_sae_instances_can_only_be_restarted_and_nothing_is_read_before_refusing(action):
    api, session = instances_adapter()
    with pytest.raises(PaasInputError) as caught:
        sae_restart_instances(api, 'a1', ['i-1'], params(action=action), check_mode=False)
    assert caught.value.msg == 'SAE instances can only be restarted; use paas.ops.app_operation to %s the application' % action
    assert session.calls == []


def test_sae_unknown_instance_is_refused_with_the_known_ones():
    api, session = instances_adapter(instances=(('i-2', 'Running'), ('i-1', 'Running')))
    with pytest.raises(PaasInputError) as caught:
        sae_restart_instances(api, 'a1', ['i-1', 'i-9', 'i-8'], params(), check_mode=False)
    assert caught.value.msg == 'application a1 has no instance i-9, i-8 (known: i-1, i-2)'
    assert sent(session, SAE_ACTION_NAMES) == []


def test_sae_restart_instances_sends_one_order_for_the_instances_given():
    """A failing instance is restarted as well: restart always acts."""
    api, session = instances_adapter()
    result = sae_restart_instances(api, 'a1', ['i-2', 'i-1'], params(wait=False), check_mode=False)
    assert result['changed'] is True and result['change_order_ids'] == ['co-r']
    assert decisions(result, 'instances') == [('i-2', True, 'restart always acts'), ('i-1', True, 'restart always acts')]
    assert [entry['job_id'] for entry in result['instances']] == ['co-r', 'co-r']
    assert result['instances'][0]['before'] == dict(state='failed', raw_state='Error', replica=None, version='reg/web:1')
    assert sent(session, SAE_ACTION_NAMES) == [('RestartInstances', {'AppId': 'a1', 'InstanceIds': 'i-2,i-1'})]


def test_sae_restart_instances_in_check_mode_sends_nothing():
    api, session = instances_adapter()
    result = sae_restart_instances(api, 'a1', ['i-1'], params(), check_mode=True)
    assert result['changed'] is True and result['change_order_ids'] == [] and result['instances'][0]['job_id'] is None
    assert sent(session, SAE_ACTION_NAMES) == []


def test_sae_restart_instances_waits_for_the_running_order_first():
    api, session = instances_adapter(status=[app_status('a1', running_order='co-0'), app_status('a1')], orders=[order(1), order(2)])
    result = sae_restart_instances(api, 'a1', ['i-1'], params(wait=False), check_mode=False)
    assert result['instances'][0]['waited_for_job'] == 'co-0' and reads(session, 'DescribeChangeOrder', ChangeOrderId='co-0') == 2
    names = [call['headers']['x-acs-action'] for call in session.calls]
    assert names.index('RestartInstances') > max(i for i, name in enumerate(names) if name == 'DescribeChangeOrder')


# -- EDAS ---------------------------------------------------------------------------------------------

EDAS_ACTION_PATHS = {'start': '/co_start$', 'stop': '/co_stop$', 'restart': '/co_restart$'}
LEFT_SO = 'ECC is %s: a restart leaves it so (use action=start)'


def edas_adapter(status, recent=None, acted=('co-e',), info=None):
    routes = {('GET', EDAS_STATUS): status if isinstance(status, list) else [status], ('POST', EDAS_RECENT): recent or [NO_RECENT],
              ('POST', EDAS_INFO): info or [edas_order(2)]}
    for path in EDAS_ACTION_PATHS.values():
        routes[('POST', path)] = [FakeResponse(200, {'Code': 200, 'ChangeOrderId': order_id}) for order_id in acted]
    return adapter('edas', routes)


def recent(*orders):
    """ListRecentChangeOrder from ``(id, CreateTime, Status)``."""
    return FakeResponse(200, {'Code': 200, 'RequestId': 'r', 'ChangeOrderList': {'ChangeOrder': [
        {'ChangeOrderId': order_id, 'CreateTime': created, 'Status': status, 'AppId': 'e1', 'CoType': 'Restart'}
        for order_id, created, status in orders]}})


# AppState of ecc-1..ecc-4: 7 running, 1 stopped, 3 running with a failing health check, 0 agent offline.
@pytest.mark.parametrize('action,expected,name,acting', [
    ('start', [('ecc-1', False, 'already running'), ('ecc-2', True, 'target is stopped'), ('ecc-3', False, 'already running'),
               ('ecc-4', True, 'target is unknown')], 'StartApplication', 'ecc-2,ecc-4'),
    ('stop', [('ecc-1', True, 'target is running'), ('ecc-2', False, 'already stopped'), ('ecc-3', True, 'target is degraded'),
              ('ecc-4', True, 'target is unknown')], 'StopApplication', 'ecc-1,ecc-3,ecc-4'),
    ('restart', [('ecc-1', True, 'restart always acts'), ('ecc-2', False, LEFT_SO % 'stopped'), ('ecc-3', True, 'restart always acts'),
                 ('ecc-4', False, LEFT_SO % 'unknown')], 'RestartApplication', 'ecc-1,ecc-3'),
])
def test_edas_acts_on_each_ecc_by_its_app_state(action, expected, name, acting):
    api, session = edas_adapter(edas_status([7, 1, 3, 0]))
    result = edas_operation(api, params(action=action, app_ids=['e1'], wait=False), check_mode=False)
    assert decisions(result, 'instances') == expected
    assert sent(session, EDAS_ACTION_NAMES) == [(name, {'AppId': 'e1', 'EccInfo': acting})]
    assert result['applications'] == [dict(id='e1', name='orders', changed=True, ecc_ids=acting.split(','))]
    assert result['changed'] is True and result['change_order_ids'] == ['co-e']


def test_edas_restart_acts_on_every_ecc_when_all_run():
    api, session = edas_adapter(edas_status([7, 3]))
    result = edas_operation(api, params(action='restart', app_ids=['e1'], wait=False), check_mode=False)
    assert decisions(result, 'instances') == [('ecc-1', True, 'restart always acts'), ('ecc-2', True, 'restart always acts')]
    assert sent(session, EDAS_ACTION_NAMES) == [('RestartApplication', {'AppId': 'e1', 'EccInfo': 'ecc-1,ecc-2'})]


@pytest.mark.parametrize('action,app_states,reason', [
    ('start', [7, 3], 'already running'), ('stop', [1, 1], 'already stopped'),
])
def test_edas_sends_nothing_when_every_ecc_is_there(action, app_states, reason):
    api, session = edas_adapter(edas_status(app_states))
    result = edas_operation(api, params(action=action, app_ids=['e1']), check_mode=False)
    assert result['changed'] is False and result['change_order_ids'] == [] and result['change_orders'] == []
    assert decisions(result, 'instances') == [('ecc-1', False, reason), ('ecc-2', False, reason)]
    assert result['applications'] == [dict(id='e1', name='orders', changed=False, ecc_ids=[])]
    assert sent(session, EDAS_ACTION_NAMES) == []


def test_edas_restart_of_an_application_that_is_all_stopped_is_refused():
    api, session = edas_adapter(edas_status([1, 1]))
    with pytest.raises(PaasInputError) as caught:
        edas_operation(api, params(action='restart', app_ids=['e1']), check_mode=False)
    assert caught.value.msg == 'ECC ecc-1 of application orders is 1: a restart needs a running target; use action=start'
    assert sent(session, EDAS_ACTION_NAMES) == []


@pytest.mark.parametrize('action,ecc_ids,expected,acting', [
    ('stop', ['ecc-2'], [('ecc-2', True, 'target is running')], 'ecc-2'),
    ('start', ['ecc-3', 'ecc-1'], [('ecc-1', False, 'already running'), ('ecc-3', True, 'target is stopped')], 'ecc-3'),
    ('restart', ['ecc-1'], [('ecc-1', True, 'restart always acts')], 'ecc-1'),
])
def test_edas_ecc_ids_limit_the_decisions_and_the_request(action, ecc_ids, expected, acting):
    api, session = edas_adapter(edas_status([7, 7, 1]))
    result = edas_operation(api, params(action=action, app_ids=['e1'], wait=False), check_mode=False, ecc_ids=ecc_ids)
    assert decisions(result, 'instances') == expected
    assert sent(session, EDAS_ACTION_NAMES) == [(dict(start='StartApplication', stop='StopApplication', restart='RestartApplication')[action],
                                                 {'AppId': 'e1', 'EccInfo': acting})]


def test_edas_restart_of_a_named_stopped_ecc_is_refused():
    """Named explicitly, a stopped ECC is not silently left out: the user asked for something that cannot be done."""
    api, session = edas_adapter(edas_status([7, 1]))
    with pytest.raises(PaasInputError, match='ECC ecc-2 of application orders is 1: a restart needs a running target'):
        edas_operation(api, params(action='restart', app_ids=['e1']), check_mode=False, ecc_ids=['ecc-1', 'ecc-2'])
    assert sent(session, EDAS_ACTION_NAMES) == []


def test_edas_unknown_eccs_are_refused_with_the_known_ones():
    api, session = edas_adapter(edas_status([7, 1]))
    with pytest.raises(PaasInputError) as caught:
        edas_operation(api, params(action='start', app_ids=['e1']), check_mode=False, ecc_ids=['ecc-9', 'ecc-1', 'ecc-8'])
    assert caught.value.msg == 'application orders has no ECC ecc-8, ecc-9 (known: ecc-1, ecc-2)'
    assert sent(session, EDAS_ACTION_NAMES) == []


@pytest.mark.parametrize('app_ids,ecc_ids,message', [
    (None, None, 'EDAS applications are given by id: set app_ids'),
    ([], None, 'EDAS applications are given by id: set app_ids'),
    (['e1', 'e2'], ['ecc-1'], 'ecc_ids belong to one application: give exactly one app id with them'),
])
def test_edas_refusals_before_any_request(app_ids, ecc_ids, message):
    api, session = edas_adapter(edas_status([7]))
    with pytest.raises(PaasInputError) as caught:
        edas_operation(api, params(action='stop', app_ids=app_ids), check_mode=False, ecc_ids=ecc_ids)
    assert caught.value.msg == message and session.calls == []


def test_edas_one_order_per_application_that_needs_it():
    statuses = {'e1': [edas_status([1, 7])], 'e2': [edas_status([7, 7])], 'e3': [edas_status([1])]}
    api, session = edas_adapter([by_query('AppId', statuses)], acted=('co-1', 'co-3'))
    result = edas_operation(api, params(action='start', app_ids=['e1', 'e2', 'e3'], wait=False), check_mode=False)
    assert [(entry['id'], entry['changed'], entry['ecc_ids']) for entry in result['applications']] == [
        ('e1', True, ['ecc-1']), ('e2', False, []), ('e3', True, ['ecc-1'])]
    assert sent(session, EDAS_ACTION_NAMES) == [('StartApplication', {'AppId': 'e1', 'EccInfo': 'ecc-1'}),
                                                ('StartApplication', {'AppId': 'e3', 'EccInfo': 'ecc-1'})]
    assert result['change_order_ids'] == ['co-1', 'co-3']


def test_edas_check_mode_predicts_without_sending():
    api, session = edas_adapter(edas_status([7, 1]))
    result = edas_operation(api, params(action='start', app_ids=['e1']), check_mode=True)
    assert result['changed'] is True and result['change_order_ids'] == []
    assert result['instances'][1]['after'] == dict(state='running', raw_state=None, replica=None, version=None)
    assert sent(session, EDAS_ACTION_NAMES) == []


def test_edas_after_comes_from_a_read_after_the_order():
    api, session = edas_adapter([edas_status([7, 1]), edas_status([7, 7])])
    result = edas_operation(api, params(action='start', app_ids=['e1']), check_mode=False)
    assert [entry['after']['raw_state'] for entry in result['instances']] == [7, 7]
    assert [order['id'] for order in result['change_orders']] == ['co-e'] and reads(session, 'GetChangeOrderInfo', ChangeOrderId='co-e') == 1


def test_edas_waits_for_the_running_order_then_decides_from_what_it_left():
    api, session = edas_adapter([edas_status([7, 7]), edas_status([1, 1])], recent=[recent(('co-0', '2026-01-01 10:00:00', 1)), NO_RECENT],
                                info=[edas_order(1), edas_order(2)])
    result = edas_operation(api, params(action='stop', app_ids=['e1']), check_mode=False)
    assert result['waited_for_change_orders'] == ['co-0'] and result['changed'] is False
    assert decisions(result, 'instances') == [('ecc-1', False, 'already stopped'), ('ecc-2', False, 'already stopped')]
    assert reads(session, 'GetChangeOrderInfo', ChangeOrderId='co-0') == 2 and sent(session, EDAS_ACTION_NAMES) == []


def test_edas_a_finished_recent_order_is_not_waited_for():
    api, session = edas_adapter(edas_status([1]), recent=[recent(('co-0', '2026-01-01 10:00:00', 2))])
    result = edas_operation(api, params(action='start', app_ids=['e1'], wait=False), check_mode=False)
    assert result['waited_for_change_orders'] == [] and reads(session, 'GetChangeOrderInfo') == 0
    assert sent(session, EDAS_ACTION_NAMES) == [('StartApplication', {'AppId': 'e1', 'EccInfo': 'ecc-1'})]


def test_edas_a_running_order_waiting_for_confirmation_is_refused_and_not_confirmed():
    api, session = edas_adapter(edas_status([7]), recent=[recent(('co-0', '2026-01-01 10:00:00', 8))], info=[edas_order(8)])
    with pytest.raises(PaasJobError) as caught:
        edas_operation(api, params(action='restart', app_ids=['e1'], auto_confirm_batches=True), check_mode=False)
    assert caught.value.msg == 'application orders has change order co-0 waiting (waiting_confirmation); finish it before another action'
    assert sent(session, EDAS_ACTION_NAMES) == []


def test_edas_waits_for_the_unfinished_one_of_orders_created_in_the_same_second():
    same = '2026-01-01 10:00:00'
    api, session = edas_adapter([edas_status([1]), edas_status([7])], recent=[recent(('co-a', same, 2), ('co-b', same, 1)), NO_RECENT],
                                info=[edas_order(2)])
    result = edas_operation(api, params(action='start', app_ids=['e1']), check_mode=False)
    assert result['waited_for_change_orders'] == ['co-b'] and result['changed'] is False
    assert reads(session, 'GetChangeOrderInfo', ChangeOrderId='co-b') == 1 and reads(session, 'GetChangeOrderInfo', ChangeOrderId='co-a') == 0


@pytest.mark.parametrize('orders,expected', [
    # Same CreateTime: the one not ended matters, whichever way round they are listed.
    ([('co-a', '2026-01-01 10:00:00', 2), ('co-b', '2026-01-01 10:00:00', 1)], ('co-b', 'running')),
    ([('co-b', '2026-01-01 10:00:00', 1), ('co-a', '2026-01-01 10:00:00', 2)], ('co-b', 'running')),
    ([('co-a', '2026-01-01 10:00:00', 3), ('co-b', '2026-01-01 10:00:00', 8)], ('co-b', 'waiting_confirmation')),
    # All ended: the newest.
    ([('co-a', '2026-01-01 09:00:00', 2), ('co-c', '2026-01-01 11:00:00', 3), ('co-b', '2026-01-01 10:00:00', 2)], ('co-c', 'failed')),
    # An older order still running is the one that blocks the application, not a newer one that ended.
    ([('co-a', '2026-01-01 09:00:00', 1), ('co-b', '2026-01-01 10:00:00', 2)], ('co-a', 'running')),
    # Several not ended: the newest of them.
    ([('co-a', '2026-01-01 09:00:00', 0), ('co-b', '2026-01-01 10:00:00', 1), ('co-c', '2026-01-01 11:00:00', 6)], ('co-b', 'running')),
])
def test_edas_recent_change_order(orders, expected):
    api, session = edas_adapter(edas_status([7]), recent=[recent(*orders)])
    found = api.recent_change_order('e1')
    assert (found['id'], found['status']) == expected
    assert reads(session, 'ListRecentChangeOrder', AppId='e1') == 1


@pytest.mark.parametrize('body,expected', [
    ({'ChangeOrderList': {'ChangeOrder': []}}, None),
    ({}, None),
    # XML-style wrapping of a single order, and a plain list: both are read.
    ({'ChangeOrderList': {'ChangeOrder': {'ChangeOrderId': 'co-a', 'CreateTime': '2026-01-01 10:00:00', 'Status': 1}}}, 'co-a'),
    ({'ChangeOrderList': [{'ChangeOrderId': 'co-a', 'CreateTime': '2026-01-01 10:00:00', 'Status': 2}]}, 'co-a'),
])
def test_edas_recent_change_order_shapes(body, expected):
    api, dummy = edas_adapter(edas_status([7]), recent=[FakeResponse(200, dict(body, Code=200, RequestId='r'))])
    found = api.recent_change_order('e1')
    assert (found and found['id']) == expected


# -- unknown outcomes: settled by the application's newest change order ---------------------------------

RESET = requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))")


def unavailable():
    """A 503 from a load balancer in front of the API: no Alibaba body, so the request may or may not have been served."""
    return FakeResponse(503, text='<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>')


def test_sae_a_reset_after_restart_instances_was_applied_adopts_the_new_order_and_sends_nothing_again():
    api, session = instances_adapter(status=[app_status('a1'), app_status('a1', running_order='co-new')], orders=[order(1), order(2)])
    session.routes.insert(0, ('PUT', re.compile('/restartInstances$'), [RESET]))
    result = sae_restart_instances(api, 'a1', ['i-1'], params(), check_mode=False)
    assert result['change_order_ids'] == ['co-new'] and result['instances'][0]['job_id'] == 'co-new'
    assert sent(session, SAE_ACTION_NAMES) == [('RestartInstances', {'AppId': 'a1', 'InstanceIds': 'i-1'})]
    assert reads(session, 'DescribeChangeOrder', ChangeOrderId='co-new') == 2 and reads(session, 'DescribeApplicationStatus') == 2


def test_sae_a_503_before_restart_instances_was_applied_sends_it_once_more():
    api, session = instances_adapter(status=[app_status('a1')])
    session.routes.insert(0, ('PUT', re.compile('/restartInstances$'), [unavailable(), sae_order_id('co-2')]))
    result = sae_restart_instances(api, 'a1', ['i-1', 'i-2'], params(), check_mode=False)
    assert result['change_order_ids'] == ['co-2'] and result['change_orders'][0]['status'] == 'succeeded'
    assert sent(session, SAE_ACTION_NAMES) == [('RestartInstances', {'AppId': 'a1', 'InstanceIds': 'i-1,i-2'})] * 2


def test_sae_a_batch_order_is_settled_by_the_first_application_of_the_batch():
    statuses = {'a1': [app_status('a1'), app_status('a1', running_order='co-b')], 'a2': [app_status('a2')]}
    api, session = adapter('sae', {('GET', STATUS): [by_query('AppId', statuses)], ('PUT', '/batchRestartApplications$'): [RESET]})
    result = sae_operation(api, params(app_ids=['a1', 'a2'], wait=False), check_mode=False)
    assert result['change_order_ids'] == ['co-b'] and len(sent(session, SAE_ACTION_NAMES)) == 1
    assert reads(session, 'DescribeApplicationStatus', AppId='a1') == 2 and reads(session, 'DescribeApplicationStatus', AppId='a2') == 1


def test_sae_a_rescale_with_a_503_is_sent_once_more_and_followed():
    api, session = adapter('sae', {('GET', STATUS): [app_status('a1')], ('GET', CONFIG): [app_config('a1', replicas=2)],
                                   ('PUT', '/rescaleApplication$'): [unavailable(), sae_order_id('co-s')], ('GET', ORDER): [order(2)]})
    result = sae_operation(api, params(action='scale', app_ids=['a1'], replicas=3), check_mode=False)
    assert result['change_order_ids'] == ['co-s'] and len(sent(session, ('RescaleApplication',))) == 2


def test_sae_two_unknown_outcomes_in_a_row_fail_clearly_after_one_resend():
    api, session = instances_adapter(status=[app_status('a1')])
    session.routes.insert(0, ('PUT', re.compile('/restartInstances$'), [unavailable(), RESET]))
    with pytest.raises(PaasOutcomeUnknownError) as caught:
        sae_restart_instances(api, 'a1', ['i-1'], params(), check_mode=False)
    assert caught.value.msg.startswith('sae: the outcome of RestartInstances is unknown (ConnectionError: ')
    assert caught.value.msg.endswith('it was sent twice and neither attempt shows a new change order of application a1; '
                                     'read the current state before trying again')
    assert len(sent(session, SAE_ACTION_NAMES)) == 2 and caught.value.details()['outcome_unknown'] is True


def test_sae_a_timeout_is_not_resent_when_no_new_order_shows_yet():
    """A request that got no answer in time may still be served: re-sending could restart the instances twice."""
    api, session = instances_adapter(status=[app_status('a1')])
    session.routes.insert(0, ('PUT', re.compile('/restartInstances$'), [requests.exceptions.ReadTimeout('read timed out')]))
    with pytest.raises(PaasOutcomeUnknownError, match=r'no response within the timeout\): it may still be under way \(no new change order of '
                                                      r'application a1 yet\); it was not re-sent'):
        sae_restart_instances(api, 'a1', ['i-1'], params(), check_mode=False)
    assert len(sent(session, SAE_ACTION_NAMES)) == 1


def test_sae_an_unreadable_state_after_an_unknown_outcome_is_not_guessed_at():
    api, session = instances_adapter(status=[app_status('a1'), FakeResponse(403, {'Code': 'Forbidden.RAM', 'Message': 'denied'})])
    session.routes.insert(0, ('PUT', re.compile('/restartInstances$'), [RESET]))
    with pytest.raises(PaasOutcomeUnknownError, match='reading the state to settle it failed .*Forbidden.RAM.*; it was not re-sent'):
        sae_restart_instances(api, 'a1', ['i-1'], params(), check_mode=False)
    assert len(sent(session, SAE_ACTION_NAMES)) == 1


def test_edas_a_reset_after_the_restart_was_applied_adopts_the_new_order_and_sends_nothing_again():
    before = recent(('co-0', '2026-01-01 10:00:00', 2))
    after = recent(('co-0', '2026-01-01 10:00:00', 2), ('co-new', '2026-01-01 11:00:00', 1))
    api, session = adapter('edas', {('GET', EDAS_STATUS): [edas_status([7, 7])], ('POST', EDAS_RECENT): [before, after],
                                    ('POST', '/co_restart$'): [RESET], ('POST', EDAS_INFO): [edas_order(1), edas_order(2)]})
    result = edas_operation(api, params(action='restart', app_ids=['e1']), check_mode=False, ecc_ids=['ecc-2'])
    assert result['change_order_ids'] == ['co-new'] and [order['id'] for order in result['change_orders']] == ['co-new']
    assert sent(session, EDAS_ACTION_NAMES) == [('RestartApplication', {'AppId': 'e1', 'EccInfo': 'ecc-2'})]
    assert reads(session, 'GetChangeOrderInfo', ChangeOrderId='co-new') == 2 and reads(session, 'ListRecentChangeOrder') == 2


def test_edas_a_503_before_the_restart_was_applied_sends_it_once_more():
    api, session = adapter('edas', {('GET', EDAS_STATUS): [edas_status([7, 7])], ('POST', EDAS_RECENT): [recent(('co-0', '2026-01-01 10:00:00', 2))],
                                    ('POST', '/co_restart$'): [unavailable(), FakeResponse(200, {'Code': 200, 'ChangeOrderId': 'co-e'})],
                                    ('POST', EDAS_INFO): [edas_order(2)]})
    result = edas_operation(api, params(action='restart', app_ids=['e1']), check_mode=False)
    assert result['change_order_ids'] == ['co-e'] and result['change_orders'][0]['status'] == 'succeeded'
    assert sent(session, EDAS_ACTION_NAMES) == [('RestartApplication', {'AppId': 'e1', 'EccInfo': 'ecc-1,ecc-2'})] * 2


def test_edas_a_first_order_of_an_application_is_adopted_after_an_unknown_outcome():
    api, session = adapter('edas', {('GET', EDAS_STATUS): [edas_status([1])], ('POST', EDAS_RECENT): [NO_RECENT, recent(('co-1', '2026-01-01 10:00:00', 1))],
                                    ('POST', '/co_start$'): [FakeResponse(500, {'Code': 'InternalError', 'Message': 'oops', 'RequestId': 'r5'})]})
    result = edas_operation(api, params(action='start', app_ids=['e1'], wait=False), check_mode=False)
    assert result['change_order_ids'] == ['co-1'] and len(sent(session, EDAS_ACTION_NAMES)) == 1


# -- EDAS restart times: from the change orders' per-instance steps ---------------------------------------

def instance_steps(*instances):
    """An EDAS pipeline from ``(InstanceName, InstanceIp, step Status, FinishTime)``."""
    return {'PipelineId': 'p', 'PipelineStatus': 2, 'StageList': {'StageInfoDTO': [{'StageResultDTO': {'InstanceDTOList': {'InstanceDTO': [
        {'InstanceName': name, 'InstanceIp': ip, 'InstanceStageDTOList': {'InstanceStageDTO': [
            {'StageName': 'restart application', 'Status': status, 'StartTime': 0, 'FinishTime': finished}]}}
        for name, ip, status, finished in instances]}}}]}}


def typed_recent(*orders):
    """ListRecentChangeOrder from ``(id, CreateTime, Status, CoTypeCode)``."""
    return FakeResponse(200, {'Code': 200, 'RequestId': 'r', 'ChangeOrderList': {'ChangeOrder': [
        {'ChangeOrderId': order_id, 'CreateTime': created, 'Status': status, 'AppId': 'e1', 'CoTypeCode': code}
        for order_id, created, status, code in orders]}})


def order_infos(infos):
    """GetChangeOrderInfo by ChangeOrderId."""
    return by_query('ChangeOrderId', dict((order_id, [FakeResponse(200, {'Code': 200, 'changeOrderInfo': dict(info, ChangeOrderId=order_id)})])
                                          for order_id, info in infos.items()))


HISTORY_ORDERS = typed_recent(('co-old', '2026-01-01 09:00:00', 2, 'CoRestart'), ('co-stop', '2026-01-01 10:00:00', 2, 'CoStop'),
                              ('co-new', '2026-01-01 11:00:00', 7, 'CoRestart'), ('co-next', '2026-01-01 12:00:00', 0, 'CoRestart'))
HISTORY_INFOS = {
    # ecc-1 restarted by both restarts (the newer one counts), ecc-2 only by the older one (its step in the newer one failed),
    # ecc-3 (by IP only) in the older one; ecc-4 never.
    'co-new': {'Status': 7, 'PipelineInfoList': {'PipelineInfo': [instance_steps(('ecc-1', '10.0.0.1', 2, 1767265204000),
                                                                                 ('ecc-2', '10.0.0.2', 3, 1767265205000))]}},
    'co-old': {'Status': 2, 'PipelineInfoList': {'PipelineInfo': [instance_steps(('ecc-1', '10.0.0.1', 2, 1767258004000)),
                                                                  instance_steps(('ecc-2', '10.0.0.2', '2', '1767258008000'),
                                                                                 ('i-bp1xyz', '10.0.0.3', 2, 1767258012000))]}},
    'co-stop': {'Status': 2, 'PipelineInfoList': {'PipelineInfo': [instance_steps(('ecc-4', '10.0.0.4', 2, 1767261600000))]}},
}


def test_edas_restart_times_come_from_the_newest_restart_order_of_each_ecc():
    api, session = adapter('edas', {('GET', EDAS_STATUS): [edas_status([7, 7, 7, 7])], ('POST', EDAS_RECENT): [HISTORY_ORDERS],
                                    ('POST', EDAS_INFO): [order_infos(HISTORY_INFOS)]})
    eccs = api.restart_times('e1', api.application('e1')['eccs'])
    assert [(ecc['id'], ecc['restarted_at']) for ecc in eccs] == [('ecc-1', 1767265204.0), ('ecc-2', 1767258008.0), ('ecc-3', 1767258012.0),
                                                                  ('ecc-4', None)]
    # One list call; the stop order and the order not started yet are never read.
    assert reads(session, 'ListRecentChangeOrder', AppId='e1') == 1
    assert [query_of(call)['ChangeOrderId'] for call in session.calls if call['headers']['x-acs-action'] == 'GetChangeOrderInfo'] == ['co-new', 'co-old']


def test_edas_restart_times_read_only_the_orders_needed_for_the_eccs_asked_about():
    api, session = adapter('edas', {('GET', EDAS_STATUS): [edas_status([7, 7, 7, 7])], ('POST', EDAS_RECENT): [HISTORY_ORDERS],
                                    ('POST', EDAS_INFO): [order_infos(HISTORY_INFOS)]})
    eccs = api.restart_times('e1', api.application('e1')['eccs'], {'ecc-1'})
    assert [ecc['restarted_at'] for ecc in eccs] == [1767265204.0, None, None, None]
    assert reads(session, 'GetChangeOrderInfo') == 1 and reads(session, 'GetChangeOrderInfo', ChangeOrderId='co-new') == 1


def test_edas_restart_times_do_not_guess_at_a_time_that_is_not_epoch_milliseconds():
    infos = {'co-1': {'Status': 2, 'PipelineInfoList': {'PipelineInfo': [instance_steps(('ecc-1', '10.0.0.1', 2, '2026-01-01 10:00:04'))]}}}
    api, dummy = adapter('edas', {('GET', EDAS_STATUS): [edas_status([7])], ('POST', EDAS_INFO): [order_infos(infos)],
                                  ('POST', EDAS_RECENT): [typed_recent(('co-1', '2026-01-01 10:00:00', 2, 'CoRestart'))]})
    assert api.restart_times('e1', api.application('e1')['eccs'])[0]['restarted_at'] is None


def edas_fleet(routes):
    session = RoutedSession(routes)
    return EdasFleet(alibaba_connection('edas', session), 'e1'), session


def test_the_edas_fleet_reads_change_orders_only_when_restart_times_are_asked_for():
    fleet, session = edas_fleet({('GET', EDAS_STATUS): [edas_status([7, 7, 7, 7])], ('POST', EDAS_RECENT): [HISTORY_ORDERS],
                                 ('POST', EDAS_INFO): [order_infos(HISTORY_INFOS)]})
    assert [view['restarted_at'] for view in fleet.targets()] == [None] * 4 and [call['headers']['x-acs-action'] for call in session.calls] == [
        'QueryApplicationStatus']
    assert [view['restarted_at'] for view in fleet.targets(times_for={'ecc-2'})] == [None, 1767258008.0, None, None]
    assert [view['restarted_at'] for view in fleet.targets(times_for=True)][:3] == [1767265204.0, 1767258008.0, 1767258012.0]


def test_a_resumed_edas_batch_skips_the_eccs_restarted_after_the_marker():
    fleet, session = edas_fleet({('GET', EDAS_STATUS): [edas_status([7, 7, 7, 7])], ('POST', EDAS_RECENT): [HISTORY_ORDERS],
                                 ('POST', EDAS_INFO): [order_infos(HISTORY_INFOS)]})
    result = restart_batch(fleet, ['ecc-1', 'ecc-2'], restarted_after=1767261600.0, check_mode=True)
    assert [(entry['id'], entry['outcome']) for entry in result['targets']] == [('ecc-1', 'skipped'), ('ecc-2', 'restarted')]
    assert result['targets'][0]['msg'] == 'restarted at 1767265204, after 1767261600'


# --------------------------------------------------------------------------------------------------
# Paged lists: every page read once, with SAE's own parameters
# --------------------------------------------------------------------------------------------------

def sae_pages(items, data_key=None, total=True):
    """A reply serving ``items`` page by page from CurrentPage / PageSize (SAE's default page size 10 when none is sent)."""
    def reply(method, url):
        query = parse_qs(urlsplit(url).query)
        page, size = int(query.get('CurrentPage', ['1'])[0]), int(query.get('PageSize', ['10'])[0])
        chosen = items[(page - 1) * size:page * size]
        if data_key is None:
            return sae(chosen)
        return sae(dict({data_key: chosen, 'CurrentPage': page, 'PageSize': size}, **({'TotalSize': len(items)} if total else {})))
    return reply


def unbudgeted(api):
    """SAE's 60-calls-a-minute budget (tested on its own) would make these hundreds of scripted calls wait for minutes."""
    api.client.budget = None
    return api


def test_sae_groups_without_total_are_read_until_a_short_page_and_their_instances_in_pages_of_1000():
    groups = [{'GroupId': 'g%03d' % n} for n in range(150)]
    instances = [{'InstanceId': 'i%04d' % n, 'InstanceContainerStatus': 'Running'} for n in range(1200)]
    api, session = adapter('sae', {('GET', GROUPS): [sae_pages(groups)], ('GET', INSTANCES): [sae_pages(instances, 'Instances')]})
    found = unbudgeted(api).instances('app')
    # Every group answers the same 1,200 instances here: each is listed once per group.
    assert len(found) == 150 * 1200
    group_queries = [query_of(call) for call in session.calls if call['url'].split('?')[0].endswith('describeApplicationGroups')]
    assert [(q['CurrentPage'], q['PageSize']) for q in group_queries] == [('1', '100'), ('2', '100')]
    assert len(set(instance['group_id'] for instance in found)) == 150
    instance_queries = [query_of(call) for call in session.calls if call['url'].split('?')[0].endswith('describeApplicationInstances')]
    assert len(instance_queries) == 150 * 2 and set((q['CurrentPage'], q['PageSize']) for q in instance_queries) == {('1', '1000'), ('2', '1000')}


def test_sae_change_orders_read_as_many_pages_as_the_limit_needs_and_no_more():
    orders = [{'ChangeOrderId': 'co-%03d' % n, 'Status': 2} for n in range(250)]
    api, session = adapter('sae', {('GET', '/ListChangeOrders$'): [sae_pages(orders, 'ChangeOrderList')]})
    assert [o['id'] for o in api.change_orders('app', 230)] == ['co-%03d' % n for n in range(230)]
    assert [(query_of(call)['CurrentPage'], query_of(call)['PageSize']) for call in session.calls] == [('1', '100'), ('2', '100'), ('3', '100')]
    session.calls[:] = []
    assert [o['id'] for o in api.change_orders('app', 5)] == ['co-%03d' % n for n in range(5)]
    assert [(query_of(call)['CurrentPage'], query_of(call)['PageSize']) for call in session.calls] == [('1', '5')]


def test_sae_applications_of_a_namespace_are_read_to_the_total():
    apps = [{'AppId': 'a%04d' % n, 'AppName': 'app-%04d' % n, 'Instances': 1, 'RunningInstances': 1} for n in range(2100)]
    api, session = adapter('sae', {('GET', '/listApplications$'): [sae_pages(apps, 'Applications')]})
    assert [app['id'] for app in api.applications('ns')] == [app['AppId'] for app in apps]
    assert [(query_of(call)['CurrentPage'], query_of(call)['PageSize']) for call in session.calls] == [('1', '1000'), ('2', '1000'), ('3', '1000')]


def test_a_change_order_is_in_flight_from_its_sending_to_its_batch_s_end_and_can_be_aborted_meanwhile():
    """What a cancelled rollout reads from its main thread while a batch waits (plugins/plugin_utils/_cancel.py)."""
    seen = []

    def order_read(method, url):
        seen.append(fleet.in_flight())
        return order(2)
    session = RoutedSession({('GET', STATUS): [app_status('a1')], ('GET', GROUPS): [sae([{'GroupId': 'g1'}])],
                             ('GET', INSTANCES): [sae_instances(('i-1', 'Running'))], ('PUT', '/restartInstances$'): [sae_order_id('co-r')],
                             ('GET', ORDER): [order_read], ('PUT', '/AbortChangeOrder$'): [sae_order_id('co-r')]})
    fleet = _sae.SaeInstanceFleet(alibaba_connection('sae', session), 'a1')
    fleet.targets()
    assert fleet.in_flight() == []
    assert fleet.restart(['i-1'], Deadline(60), auto_confirm=True) == {'i-1': None}
    assert seen and all(found == ['co-r'] for found in seen)
    # The batch is over: nothing of it is in flight, and its order ended, so none is left to abort.
    assert fleet.in_flight() == [] and fleet.abort() == []
    assert fleet.abort(['co-r']) == ['co-r']
    assert sent(session, ('AbortChangeOrder',)) == [('AbortChangeOrder', {'ChangeOrderId': 'co-r', 'Rollback': 'true'})]
