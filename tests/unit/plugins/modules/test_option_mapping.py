# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Each module's options become exactly the right API requests: through the module's real ``main()`` and the whole
collection code path (argspec, registry, lifecycle runner, adapter, signed client), with only the network faked.

The platform answers are routed by method and path (``RoutedSession``) in the shapes the adapter tests use; each test
asserts every request sent, in order, with its operation, path, query and JSON body, and the result fields the options
decide. A check-mode test asserts that only reads were sent.
"""

from __future__ import annotations

import importlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _http, _module, _waiter
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    import contextlib

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

HUAWEI = dict(endpoint='http://emu:1', huawei_access_key='AK', huawei_secret_key='SK', huawei_project_id='p1')
ALIBABA = dict(endpoint='http://emu:1', alibaba_access_key_id='AK', alibaba_access_key_secret='S')
RAINBOND = dict(endpoint='http://emu:1', rainbond_token='rainbond-token-1', team_id='team', region_name='region')
NAMESPACE = 'cn-hangzhou:demo'


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


@pytest.fixture
def network(monkeypatch):
    """``network(routes)``: the platform answers by ``(method, path regex)``; returns the session every client sends through."""
    def install(routes):
        session = RoutedSession(routes)
        monkeypatch.setattr(_http.requests, 'Session', lambda: session)
        return session
    return install


@pytest.fixture
def warned(monkeypatch):
    """What the module warns, recorded as it warns: the result's own list is process-wide state of ansible-core here."""
    messages = []
    original = _module.AnsibleModule.warn

    def warn(self, warning):
        messages.append(warning)
        return original(self, warning)

    monkeypatch.setattr(_module.AnsibleModule, 'warn', warn)
    return messages


def run(module_name, args, capsys, check_mode=False):
    module = importlib.import_module('ansible_collections.paas.ops.plugins.modules.%s' % module_name)
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as caught:
            module.main()
    return caught.value.code, json.loads(capsys.readouterr().out)


def succeeded(module_name, args, capsys, check_mode=False):
    code, result = run(module_name, args, capsys, check_mode)
    assert code == 0 and not result.get('failed'), result
    return result


def query_of(url):
    return dict((key, values[0]) for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items())


def body_of(call):
    return json.loads(call['data'].decode('utf-8')) if call['data'] else None


def acs_calls(session):
    """``(method, x-acs-action, query)`` of every Alibaba request, in the order sent."""
    return [(call['method'], call['headers'].get('x-acs-action'), query_of(call['url'])) for call in session.calls]


def rest_calls(session):
    """``(method, path, query, JSON body)`` of every ServiceStage or Rainbond request, in the order sent."""
    return [(call['method'], urlsplit(call['url']).path, query_of(call['url']), body_of(call)) for call in session.calls]


def by_query(key, replies):
    """A reply chosen by one query parameter (an application or group id)."""
    def reply(method, url):
        value = query_of(url).get(key)
        if value not in replies:
            raise AssertionError('unexpected %s=%s in %s %s' % (key, value, method, url))
        return replies[value]
    return reply


def decisions(entries):
    return [(entry['id'], entry['changed'], entry['reason']) for entry in entries]


# --------------------------------------------------------------------------------------------------
# SAE answers (the Alibaba envelope: Code, Success, Message, RequestId around Data)
# --------------------------------------------------------------------------------------------------

SAE_STATUS = '/pop/v1/sam/app/describeApplicationStatus$'
SAE_CONFIG = '/pop/v1/sam/app/describeApplicationConfig$'
SAE_LIST = '/pop/v1/sam/app/listApplications$'
SAE_GROUPS = '/pop/v1/sam/app/describeApplicationGroups$'
SAE_INSTANCES = '/pop/v1/sam/app/describeApplicationInstances$'
SAE_ORDER = '/pop/v1/sam/changeorder/DescribeChangeOrder$'
SAE_PIPELINE = '/pop/v1/sam/changeorder/DescribePipeline$'


def sae(data, request_id='req-sae'):
    return FakeResponse(200, {'Code': '200', 'Success': True, 'Message': 'success', 'RequestId': request_id, 'Data': data})


def sae_status(app_id, status='RUNNING'):
    return sae({'AppId': app_id, 'CurrentStatus': status, 'RunningInstances': 2, 'LastChangeOrderId': 'co-old', 'LastChangeOrderRunning': False,
                'LastChangeOrderStatus': 'SUCCESS'})


def sae_config(app_id, name, replicas):
    return sae({'AppId': app_id, 'AppName': name, 'Replicas': replicas, 'ImageUrl': 'reg/%s:1' % name, 'PackageUrl': ''})


def sae_namespace(*apps):
    """ListApplications of a namespace: ``(id, name, instances)``."""
    return sae({'TotalSize': len(apps), 'CurrentPage': 1, 'PageSize': 1000, 'Applications': [
        {'AppId': app_id, 'AppName': name, 'NamespaceId': NAMESPACE, 'Instances': count, 'RunningInstances': count} for app_id, name, count in apps]})


def sae_instances(*instances):
    """DescribeApplicationInstances of one group: ``(id, container status)``."""
    return sae({'TotalSize': len(instances), 'CurrentPage': 1, 'PageSize': 1000, 'Instances': [
        {'InstanceId': instance_id, 'InstanceContainerStatus': status, 'InstanceHealthStatus': 'Healthy', 'ImageUrl': 'reg/web:1',
         'InstanceContainerIp': '10.0.0.%d' % n} for n, (instance_id, status) in enumerate(instances, 1)]})


def sae_scale_routes():
    return {('GET', SAE_LIST): [sae_namespace(('a1', 'web', 2), ('a2', 'api', 1))],
            ('GET', SAE_STATUS): [by_query('AppId', {'a1': sae_status('a1')})],
            ('GET', SAE_CONFIG): [by_query('AppId', {'a1': sae_config('a1', 'web', 2)})],
            ('PUT', '/pop/v1/sam/app/rescaleApplication$'): [sae({'ChangeOrderId': 'co-1'}, 'req-rescale')]}


SAE_SCALE = dict(ALIBABA, platform='sae', app_names=['web'], namespace_id=NAMESPACE, action='scale', replicas=3, min_ready_instances=1, wait=False)
SAE_SCALE_READS = [('GET', 'ListApplications', {'NamespaceId': NAMESPACE, 'PageSize': '1000', 'CurrentPage': '1'}),
                   ('GET', 'DescribeApplicationStatus', {'AppId': 'a1'}),
                   ('GET', 'DescribeApplicationConfig', {'AppId': 'a1'})]
SAE_WEB_BEFORE = dict(state='running', raw_state='RUNNING', replica=2, version=None)


def test_app_operation_sae_names_are_resolved_in_the_namespace_and_scale_sends_one_rescale(capsys, network):
    session = network(sae_scale_routes())
    result = succeeded('app_operation', SAE_SCALE, capsys)
    assert acs_calls(session) == SAE_SCALE_READS + [('PUT', 'RescaleApplication', {'AppId': 'a1', 'Replicas': '3', 'MinReadyInstances': '1'})]
    assert urlsplit(session.calls[-1]['url']).path == '/pop/v1/sam/app/rescaleApplication'
    assert result['changed'] is True and result['change_order_ids'] == ['co-1'] and result['change_orders'] == []
    assert result['applications'] == [dict(id='a1', changed=True, reason='replicas 2 -> 3', before=SAE_WEB_BEFORE,
                                           after=dict(state='running', raw_state=None, replica=3, version=None))]
    assert result['requests'] == [dict(operation='RescaleApplication', request_id='req-rescale')]
    assert result['platform'] == 'sae' and result['action'] == 'scale'


def test_app_operation_sae_scale_in_check_mode_only_reads_and_predicts_the_replicas(capsys, network):
    session = network(sae_scale_routes())
    result = succeeded('app_operation', SAE_SCALE, capsys, check_mode=True)
    assert acs_calls(session) == SAE_SCALE_READS
    assert result['changed'] is True and result['change_order_ids'] == [] and result['requests'] == []
    assert decisions(result['applications']) == [('a1', True, 'replicas 2 -> 3')]
    assert result['applications'][0]['before'] == SAE_WEB_BEFORE and result['applications'][0]['after']['replica'] == 3


def test_app_operation_sae_restart_of_two_applications_is_one_batch_order(capsys, network):
    session = network({('GET', SAE_STATUS): [by_query('AppId', {'a1': sae_status('a1'), 'a2': sae_status('a2')})],
                       ('PUT', '/pop/v1/sam/app/batchRestartApplications$'): [sae({'ChangeOrderId': 'co-b'})]})
    result = succeeded('app_operation', dict(ALIBABA, platform='sae', app_ids=['a1', 'a2'], namespace_id=NAMESPACE, action='restart', wait=False),
                       capsys)
    assert acs_calls(session) == [('GET', 'DescribeApplicationStatus', {'AppId': 'a1'}), ('GET', 'DescribeApplicationStatus', {'AppId': 'a2'}),
                                  ('PUT', 'BatchRestartApplications', {'NamespaceId': NAMESPACE, 'AppIds': 'a1,a2'})]
    assert urlsplit(session.calls[-1]['url']).path == '/pop/v1/sam/app/batchRestartApplications'
    assert result['changed'] is True and result['change_order_ids'] == ['co-b']
    assert decisions(result['applications']) == [('a1', True, 'restart always acts'), ('a2', True, 'restart always acts')]


# --------------------------------------------------------------------------------------------------
# EDAS answers (a numeric Code beside the data, lists wrapped XML-style)
# --------------------------------------------------------------------------------------------------

def edas_status(*app_states):
    return FakeResponse(200, {'Code': 200, 'Message': 'success', 'RequestId': 'req-edas', 'AppInfo': {
        'Application': {'ApplicationId': 'e1', 'Name': 'orders'},
        'EccList': {'Ecc': [{'EccId': 'ecc-%d' % n, 'AppState': state, 'TaskState': 2, 'Ip': '10.0.0.%d' % n} for n, state in enumerate(app_states, 1)]}}})


def test_app_operation_edas_stop_names_only_the_chosen_eccs(capsys, network):
    finished = {'ChangeOrderId': 'co-old', 'CreateTime': '2026-01-01 10:00:00', 'Status': 2, 'AppId': 'e1', 'CoType': 'Restart'}
    session = network({('GET', '/pop/v5/app/app_status$'): [edas_status(7, 7, 7)],
                       ('POST', '/pop/v5/changeorder/change_order_list$'): [
                           FakeResponse(200, {'Code': 200, 'RequestId': 'req-list', 'ChangeOrderList': {'ChangeOrder': [finished]}})],
                       ('POST', '/pop/v5/changeorder/co_stop$'): [FakeResponse(200, {'Code': 200, 'RequestId': 'req-stop', 'ChangeOrderId': 'co-e'})]})
    result = succeeded('app_operation', dict(ALIBABA, platform='edas', app_ids=['e1'], ecc_ids=['ecc-1', 'ecc-3'], action='stop', wait=False), capsys)
    assert acs_calls(session) == [('GET', 'QueryApplicationStatus', {'AppId': 'e1'}), ('POST', 'ListRecentChangeOrder', {'AppId': 'e1'}),
                                  ('POST', 'StopApplication', {'AppId': 'e1', 'EccInfo': 'ecc-1,ecc-3'})]
    assert urlsplit(session.calls[-1]['url']).path == '/pop/v5/changeorder/co_stop'
    assert result['changed'] is True and result['change_order_ids'] == ['co-e'] and result['waited_for_change_orders'] == []
    assert decisions(result['instances']) == [('ecc-1', True, 'target is running'), ('ecc-3', True, 'target is running')]
    assert result['applications'] == [dict(id='e1', name='orders', changed=True, ecc_ids=['ecc-1', 'ecc-3'])]


# --------------------------------------------------------------------------------------------------
# Rainbond answers (bare JSON lists and objects; the scale call answers an empty body)
# --------------------------------------------------------------------------------------------------

RAINBOND_APPS = '/openapi/v1/teams/team/regions/region/apps'
WEB, API, WORKER = 'a' * 32, 'b' * 32, 'c' * 32


def rainbond_event(event_id, opt_type, final_status='complete'):
    return {'event_id': event_id, 'opt_type': opt_type, 'final_status': final_status, 'status': 'success', 'message': '', 'user_name': 'admin',
            'create_time': '2026-12-01 10:00:00', 'end_time': '2026-12-01 10:00:05'}


def rainbond_events(*events):
    return FakeResponse(200, {'events': list(events), 'total': len(events), 'page': 1, 'page_size': 1})


def rainbond_routes(events=None):
    """Application 1 (``shop``) with web (running, 2), api (running, 1) and worker (closed, 1); ``events``: each service's
    answers in turn (the last repeats)."""
    components = [dict(service_id=sid, service_alias='gr' + sid[:6], service_cname=name, status=status, min_node=replicas, version='latest',
                       deploy_version='20260101000000', min_memory=512, min_cpu=500)
                  for sid, name, status, replicas in ((WEB, 'web', 'running', 2), (API, 'api', 'running', 1), (WORKER, 'worker', 'closed', 1))]
    queues = dict((sid, list((events or {}).get(sid) or [rainbond_events(rainbond_event('old-' + sid[:4], 'start-service'))]))
                  for sid in (WEB, API, WORKER))

    def events_of(method, url):
        queue = queues[urlsplit(url).path.split('/')[-2]]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    # The console's query is a substring search: the module itself keeps the exact name.
    return {('GET', RAINBOND_APPS + '$'): [FakeResponse(200, [{'ID': 1, 'group_name': 'shop'}, {'ID': 2, 'group_name': 'shop-old'}])],
            ('GET', RAINBOND_APPS + '/1/services$'): [FakeResponse(200, components)],
            ('GET', RAINBOND_APPS + '/1/services/[^/]+/events$'): [events_of],
            ('POST', RAINBOND_APPS + '/1/services/[^/]+/telescopic/horizontal$'): [FakeResponse(200, text='')]}


def rainbond_reads(*service_ids):
    """The reads before deciding: the app by name, its components, the latest event of each chosen one."""
    return [('GET', RAINBOND_APPS, {'query': 'shop'}, None), ('GET', RAINBOND_APPS + '/1/services', {}, None)] + [
        ('GET', '%s/1/services/%s/events' % (RAINBOND_APPS, sid), {'page': '1', 'page_size': '1'}, None) for sid in service_ids]


def test_app_operation_rainbond_stop_of_components_by_name_in_check_mode_posts_nothing(capsys, network):
    session = network(rainbond_routes())
    result = succeeded('app_operation', dict(RAINBOND, platform='rainbond', app_name='shop', component_names=['web', 'api'], action='stop'), capsys,
                       check_mode=True)
    assert rest_calls(session) == rainbond_reads(WEB, API)
    assert result['changed'] is True and result['app_id'] == '1' and result['requests'] == []
    assert [(entry['id'], entry['name'], entry['changed'], entry['reason'], entry['after']['state'], entry['after']['raw_state'])
            for entry in result['components']] == [(WEB, 'web', True, 'target is running', 'stopped', 'closed'),
                                                   (API, 'api', True, 'target is running', 'stopped', 'closed')]
    assert [entry['event'] for entry in result['components']] == [None, None]


def test_app_operation_rainbond_scale_posts_the_new_node_count_of_each_chosen_component(capsys, network):
    new = rainbond_event('ev-web-1', 'horizontal-service', 'running')
    session = network(rainbond_routes({WEB: [rainbond_events(rainbond_event('old-web', 'start-service')), rainbond_events(new)]}))
    result = succeeded('app_operation', dict(RAINBOND, platform='rainbond', app_name='shop', component_names=['web'], action='scale', replicas=4,
                                             wait=False), capsys)
    assert rest_calls(session) == rainbond_reads(WEB) + [
        ('POST', '%s/1/services/%s/telescopic/horizontal' % (RAINBOND_APPS, WEB), {}, {'new_node': 4}),
        # Not waiting: the new event is read at once, since a component without one was dropped.
        ('GET', '%s/1/services/%s/events' % (RAINBOND_APPS, WEB), {'page': '1', 'page_size': '1'}, None)]
    assert result['changed'] is True and result['requests'] == [dict(operation='HorizontalScale', request_id=None)]
    entry = result['components'][0]
    assert (entry['id'], entry['changed'], entry['reason'], entry['failed'], entry['dropped']) == (WEB, True, 'replicas 2 -> 4', False, False)
    assert entry['before']['replica'] == 2 and entry['after']['replica'] == 4 and entry['event']['id'] == 'ev-web-1'


# --------------------------------------------------------------------------------------------------
# ServiceStage answers (v3 components, v2 instances)
# --------------------------------------------------------------------------------------------------

V3_APP = '/v3/p1/cas/applications/app-1'
V2_INSTANCE = '/v2/p1/cas/applications/app-1/components/comp-1/instances/%s'
FIRST_PAGE = {'limit': '100', 'offset': '0'}


def component_info(status='RUNNING', replica=2):
    return FakeResponse(200, {'name': 'web', 'replica': replica, 'version': '1.2.0',
                              'status': {'component_status': status, 'replica': replica, 'available_replica': replica if status == 'RUNNING' else 0,
                                         'last_job_id': None}})


def component_routes(status='RUNNING'):
    applications = [{'id': 'app-1', 'name': 'mall'}, {'id': 'app-2', 'name': 'reports'}]
    components = [{'id': 'comp-1', 'name': 'web'}, {'id': 'comp-2', 'name': 'api'}]
    return {('GET', '/v3/p1/cas/applications$'): [FakeResponse(200, {'count': 2, 'applications': applications})],
            ('GET', V3_APP + '/components$'): [FakeResponse(200, {'count': 2, 'components': components})],
            ('GET', V3_APP + '/components/comp-1$'): [component_info(status)],
            ('POST', V3_APP + '/components/comp-1/action$'): [FakeResponse(200, {'job_id': 'job-1'})]}


COMPONENT_READS = [('GET', '/v3/p1/cas/applications', FIRST_PAGE, None), ('GET', V3_APP + '/components', FIRST_PAGE, None),
                   ('GET', V3_APP + '/components/comp-1', {}, None)]
BY_NAME = dict(HUAWEI, application_name='mall', component_name='web', wait=False)


def test_component_action_names_resolve_and_scale_posts_the_replica_parameter(capsys, network):
    session = network(component_routes())
    result = succeeded('component_action', dict(BY_NAME, action='scale', replica=3), capsys)
    assert rest_calls(session) == COMPONENT_READS + [('POST', V3_APP + '/components/comp-1/action', {}, {'action': 'scale', 'parameters': {'replica': 3}})]
    assert (result['changed'], result['application_id'], result['component_id'], result['action'], result['reason'], result['job_id']) == (
        True, 'app-1', 'comp-1', 'scale', 'replicas 2 -> 3', 'job-1')
    assert result['before'] == dict(state='running', raw_state='RUNNING', replica=2, version='1.2.0')
    assert result['after'] == dict(state='running', raw_state=None, replica=3, version='1.2.0')


def test_component_action_a_parameter_the_action_does_not_take_is_warned_about_and_not_sent(capsys, network, warned):
    session = network(component_routes('STOPPED'))
    result = succeeded('component_action', dict(BY_NAME, action='start', version='2.0.0'), capsys)
    assert rest_calls(session) == COMPONENT_READS + [('POST', V3_APP + '/components/comp-1/action', {}, {'action': 'start'})]
    assert warned == ['version ignored: action start takes no parameters']
    assert result['changed'] is True and result['reason'] == 'target is stopped' and result['job_id'] == 'job-1'


def v2_instance(method, url):
    instance_id = urlsplit(url).path.split('/')[-1]
    return FakeResponse(200, {'id': instance_id, 'name': 'web-' + instance_id, 'version': '1.2.0',
                              'status_detail': {'status': 'RUNNING', 'replica': 1, 'available_replica': 1, 'last_job_id': None}})


def v2_action(method, url):
    return FakeResponse(200, {'job_id': 'job-' + urlsplit(url).path.split('/')[-2]})


INSTANCES = dict(HUAWEI, application_id='app-1', component_id='comp-1', instance_ids=['ins-1', 'ins-2'], action='restart', wait=False)
INSTANCE_READS = [('GET', V2_INSTANCE % 'ins-1', {}, None), ('GET', V2_INSTANCE % 'ins-2', {}, None)]


def instance_routes():
    return {('GET', V2_INSTANCE % 'ins-[0-9]$'): [v2_instance], ('POST', V2_INSTANCE % 'ins-[0-9]/action$'): [v2_action]}


def test_instance_action_servicestage_sends_one_v2_action_per_instance(capsys, network):
    session = network(instance_routes())
    result = succeeded('instance_action', INSTANCES, capsys)
    # The instances run concurrently (concurrency 4): the order between them is not fixed, each one's requests are.
    calls = rest_calls(session)
    assert sorted(calls, key=repr) == sorted(INSTANCE_READS + [('POST', V2_INSTANCE % 'ins-1/action', {}, {'action': 'restart'}),
                                                               ('POST', V2_INSTANCE % 'ins-2/action', {}, {'action': 'restart'})], key=repr)
    for instance_id in ('ins-1', 'ins-2'):
        mine = [call[0] for call in calls if call[1].startswith(V2_INSTANCE % instance_id)]
        assert mine == ['GET', 'POST']
    assert result['changed'] is True and (result['application_id'], result['component_id']) == ('app-1', 'comp-1')
    assert [(entry['id'], entry['changed'], entry['failed'], entry['reason'], entry['job_id']) for entry in result['instances']] == [
        ('ins-1', True, False, 'restart always acts', 'job-ins-1'), ('ins-2', True, False, 'restart always acts', 'job-ins-2')]


def test_instance_action_servicestage_in_check_mode_sends_nothing(capsys, network):
    session = network(instance_routes())
    result = succeeded('instance_action', INSTANCES, capsys, check_mode=True)
    assert sorted(rest_calls(session), key=repr) == INSTANCE_READS
    assert result['changed'] is True
    assert [(entry['id'], entry['changed'], entry['job_id'], entry['after']['state']) for entry in result['instances']] == [
        ('ins-1', True, None, 'running'), ('ins-2', True, None, 'running')]


def test_instance_action_sae_restarts_the_instances_with_one_order(capsys, network):
    session = network({('GET', SAE_STATUS): [sae_status('a1')], ('GET', SAE_GROUPS): [sae([{'GroupId': 'g1'}])],
                       ('GET', SAE_INSTANCES): [sae_instances(('i-1', 'Running'), ('i-2', 'Running'), ('i-3', 'Running'))],
                       ('PUT', '/pop/v1/sam/app/restartInstances$'): [sae({'ChangeOrderId': 'co-r'})]})
    result = succeeded('instance_action', dict(ALIBABA, platform='sae', application_id='a1', instance_ids=['i-2', 'i-1'], action='restart',
                                               wait=False), capsys)
    assert acs_calls(session) == [('GET', 'DescribeApplicationStatus', {'AppId': 'a1'}),
                                  ('GET', 'DescribeApplicationGroups', {'AppId': 'a1', 'PageSize': '100', 'CurrentPage': '1'}),
                                  ('GET', 'DescribeApplicationInstances', {'AppId': 'a1', 'GroupId': 'g1', 'PageSize': '1000', 'CurrentPage': '1'}),
                                  ('PUT', 'RestartInstances', {'AppId': 'a1', 'InstanceIds': 'i-2,i-1'})]
    assert urlsplit(session.calls[-1]['url']).path == '/pop/v1/sam/app/restartInstances'
    assert result['changed'] is True and result['application_id'] == 'a1' and result['change_order_ids'] == ['co-r']
    assert [(entry['id'], entry['changed'], entry['reason'], entry['job_id']) for entry in result['instances']] == [
        ('i-2', True, 'restart always acts', 'co-r'), ('i-1', True, 'restart always acts', 'co-r')]


# --------------------------------------------------------------------------------------------------
# batch_restart, instance_info, change_order_info
# --------------------------------------------------------------------------------------------------

def servicestage_components(method, url):
    return FakeResponse(200, {'count': 3, 'components': [
        {'id': 'comp-%d' % n, 'name': name, 'replica': 1, 'version': '1.2.0',
         'status': {'component_status': status, 'replica': 1, 'available_replica': 1 if status == 'RUNNING' else 0, 'last_job_id': 'job-0'}}
        for n, name, status in ((1, 'web', 'RUNNING'), (2, 'api', 'RUNNING'), (3, 'worker', 'STOPPED'))]})


BATCH = dict(HUAWEI, platform='servicestage', application_id='app-1', targets=['comp-1', 'comp-3'])


def test_batch_restart_in_check_mode_only_lists_the_fleet_and_reports_each_target(capsys, network):
    session = network({('GET', V3_APP + '/components$'): [servicestage_components]})
    result = succeeded('batch_restart', dict(BATCH, max_unavailable=2), capsys, check_mode=True)
    assert rest_calls(session) == [('GET', V3_APP + '/components', FIRST_PAGE, None)]
    assert result['kind'] == 'component' and result['platform'] == 'servicestage' and result['max_unavailable'] == 2
    assert result['changed'] is True and result['restarted'] == ['comp-1'] and result['skipped_targets'] == ['comp-3']
    assert [(entry['id'], entry['name'], entry['outcome'], entry['changed'], entry['msg'], entry['before']['state'], entry['after'])
            for entry in result['targets']] == [('comp-1', 'web', 'restarted', True, None, 'running', None),
                                                ('comp-3', 'worker', 'skipped', False, 'stopped: left as it is (include_stopped is false)', 'stopped',
                                                 None)]


def test_batch_restart_in_check_mode_refuses_a_batch_max_unavailable_has_no_room_for(capsys, network):
    """comp-3 is down already: with max_unavailable=1 taking comp-1 down too is refused (2 would be fine, see above)."""
    session = network({('GET', V3_APP + '/components$'): [servicestage_components]})
    code, result = run('batch_restart', dict(BATCH, max_unavailable=1), capsys, check_mode=True)
    assert code == 1 and rest_calls(session) == [('GET', V3_APP + '/components', FIRST_PAGE, None)]
    assert result['msg'] == '1 targets are down (comp-3 STOPPED): max_unavailable=1 leaves no room for a batch of 1; nothing was restarted'


def test_instance_info_sae_lists_each_group_of_the_application_with_its_pages(capsys, network):
    session = network({('GET', SAE_GROUPS): [sae([{'GroupId': 'g1'}, {'GroupId': 'g2'}])],
                       ('GET', SAE_INSTANCES): [by_query('GroupId', {'g1': sae_instances(('i-1', 'Running'), ('i-2', 'Pending')),
                                                                     'g2': sae_instances(('i-3', 'Running'))})]})
    result = succeeded('instance_info', dict(ALIBABA, platform='sae', application_id='a1'), capsys)
    assert acs_calls(session) == [('GET', 'DescribeApplicationGroups', {'AppId': 'a1', 'PageSize': '100', 'CurrentPage': '1'}),
                                  ('GET', 'DescribeApplicationInstances', {'AppId': 'a1', 'GroupId': 'g1', 'PageSize': '1000', 'CurrentPage': '1'}),
                                  ('GET', 'DescribeApplicationInstances', {'AppId': 'a1', 'GroupId': 'g2', 'PageSize': '1000', 'CurrentPage': '1'})]
    assert [urlsplit(call['url']).path for call in session.calls] == [
        '/pop/v1/sam/app/describeApplicationGroups', '/pop/v1/sam/app/describeApplicationInstances', '/pop/v1/sam/app/describeApplicationInstances']
    assert result['changed'] is False and result['application_id'] == 'a1' and result['count'] == 3
    assert [(entry['id'], entry['group_id'], entry['state'], entry['raw_state']) for entry in result['instances']] == [
        ('i-1', 'g1', 'running', 'Running'), ('i-2', 'g1', 'starting', 'Pending'), ('i-3', 'g2', 'running', 'Running')]


def test_change_order_info_sae_reads_the_order_named_and_its_batches(capsys, network):
    session = network({('GET', SAE_ORDER): [sae({'ChangeOrderId': 'co-9', 'Status': 2, 'SubStatus': 0, 'CoTypeCode': 'CoRestartInstances',
                                                 'AppId': 'a1', 'BatchCount': 1, 'Pipelines': [{'PipelineId': 'p1', 'PipelineName': 'batch 1',
                                                                                                'Status': 2}]})],
                       ('GET', SAE_PIPELINE): [sae({'PipelineId': 'p1', 'StageList': [{'StageName': 'restart', 'TaskList': [
                           {'TaskName': 'Restart i-1', 'Status': 2, 'Message': 'done'}]}]})]})
    result = succeeded('change_order_info', dict(ALIBABA, platform='sae', change_order_id='co-9'), capsys)
    assert acs_calls(session) == [('GET', 'DescribeChangeOrder', {'ChangeOrderId': 'co-9'}), ('GET', 'DescribePipeline', {'PipelineId': 'p1'})]
    assert [urlsplit(call['url']).path for call in session.calls] == ['/pop/v1/sam/changeorder/DescribeChangeOrder', '/pop/v1/sam/changeorder/DescribePipeline']
    order = result['change_order']
    assert (order['id'], order['platform'], order['status'], order['terminal'], order['application_id'], order['type']) == (
        'co-9', 'sae', 'succeeded', True, 'a1', 'CoRestartInstances')
    assert [(pipeline['id'], pipeline['status'], [(task['name'], task['status']) for task in pipeline['tasks']]) for pipeline in order['pipelines']] == [
        ('p1', 'succeeded', [('Restart i-1', 'succeeded')])]
    # Each batch as documented (RETURN): the per-instance units the collection reads from the tasks stay inside.
    assert sorted(order['pipelines'][0]) == ['id', 'name', 'raw_status', 'status', 'tasks']
    assert result['changed'] is False and 'change_orders' not in result
