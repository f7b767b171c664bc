# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ServiceStage adapter and the action runner over a faked network: which calls are made, in which cases."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.paas.ops.plugins.module_utils import _waiter
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline, diff_of
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Request, run
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasBatchError, PaasInputError, PaasJobError, PaasNotFoundError, PaasOutcomeUnknownError
from ansible_collections.paas.ops.plugins.module_utils._servicestage import (ComponentTarget, InstanceTarget, ServiceStage, TargetOperation,
                                                                             component_view, instance_view, job_view, operate_instances)
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession, make_connection

P = 'p1'
COMPONENT = '/v3/p1/cas/applications/app-1/components/comp-1$'
ACTION = '/v3/p1/cas/applications/app-1/components/comp-1/action$'
INSTANCE = '/v2/p1/cas/applications/app-1/components/comp-1/instances/(ins-[0-9])$'


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


def connection(routes):
    session = RoutedSession(routes)
    return make_connection('servicestage', session=session, endpoint='http://emu', huawei_access_key='AK', huawei_secret_key='SK',
                           huawei_project_id=P), session


def api(routes):
    found, session = connection(routes)
    return ServiceStage(found), session


def run_action(target, action, parameters, wait=True, deadline=None, check_mode=False):
    """One target's action through the lifecycle runner, as component_action runs it."""
    return run(TargetOperation(target, parameters), Request(action, wait=wait, deadline=deadline, check_mode=check_mode))


def component(status='RUNNING', replica=2, version='1.2.0', last_job=None, strategy=None):
    data = {'name': 'web', 'replica': replica, 'version': version,
            'status': {'component_status': status, 'replica': replica, 'available_replica': replica if status == 'RUNNING' else 0,
                       'last_job_id': last_job}}
    if strategy:
        data['deploy_strategy'] = {'type': strategy}
    return FakeResponse(200, data)


def v3_job(status, tasks=()):
    return FakeResponse(200, {'task_count': len(tasks), 'job': {'execution_status': status, 'job_id': 'job-x', 'job_type': 'DAILY_OPERATION'},
                              'tasks': [{'task_name': name, 'task_status': task_status, 'messages': messages} for name, task_status, messages in tasks]})


def test_job_view_reads_v2_upper_case_keys():
    data = {'task_count': 1, 'job': {'EXECUTION_STATUS': 'FAILED', 'JOB_ID': 'j2', 'JOB_TYPE': 'DAILY_OPERATION'},
            'tasks': [{'TASK_NAME': 'restart', 'TASK_STATUS': 'FAILED', 'MESSAGES': 'pod crashloop', 'TASK_TYPE': 'restart'}]}
    job = job_view('j2', data)
    assert job == dict(id='j2', type='DAILY_OPERATION', raw_status='FAILED', status='failed',
                       tasks=[dict(name='restart', type='restart', raw_status='FAILED', status='failed', messages='pod crashloop')])


def test_start_on_a_running_component_reads_once_and_sends_nothing():
    adapter, session = api({('GET', COMPONENT): [component('RUNNING')]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'start', {})
    assert result['changed'] is False and result['reason'] == 'already running'
    assert [call['method'] for call in session.calls] == ['GET']


def test_check_mode_predicts_without_sending():
    adapter, session = api({('GET', COMPONENT): [component('STOPPED')]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'start', {}, check_mode=True)
    assert result['changed'] is True and result['after']['state'] == 'running' and result['before']['state'] == 'stopped'
    assert session.count('POST', '.') == 0


def test_restart_sends_once_waits_for_the_job_and_rereads():
    adapter, session = api({('GET', COMPONENT): [component('RUNNING'), component('RUNNING', last_job='job-1')],
                            ('POST', ACTION): [FakeResponse(200, {'job_id': 'job-1'})],
                            ('GET', '/v3/p1/cas/jobs/job-1$'): [v3_job('RUNNING'), v3_job('SUCCEEDED', [('restart', 'SUCCEEDED', None)])]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'restart', {})
    assert result['changed'] is True and result['job_id'] == 'job-1' and result['job']['status'] == 'succeeded'
    assert session.count('POST', ACTION) == 1 and session.count('GET', 'jobs/job-1') == 2
    assert result['target_state']['last_job_id'] == 'job-1'
    post = [call for call in session.calls if call['method'] == 'POST'][0]
    assert post['data'] == b'{"action": "restart"}'


def test_a_job_already_running_is_waited_for_before_deciding():
    adapter, session = api({('GET', COMPONENT): [component('STARTING', last_job='job-0'), component('RUNNING', last_job='job-0')],
                            ('GET', '/v3/p1/cas/jobs/job-0$'): [v3_job('RUNNING'), v3_job('RUNNING'), v3_job('SUCCEEDED')]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'start', {})
    assert result['waited_for_job'] == 'job-0' and result['changed'] is False
    assert session.count('POST', '.') == 0


def test_a_job_already_running_without_wait_fails_clearly():
    adapter, dummy = api({('GET', COMPONENT): [component('STARTING', last_job='job-0')], ('GET', '/jobs/job-0$'): [v3_job('RUNNING')]})
    with pytest.raises(PaasInputError, match='job job-0 is still running on component web; set wait=true'):
        run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'stop', {}, wait=False)


def test_a_failed_job_fails_with_its_task_messages():
    adapter, dummy = api({('GET', COMPONENT): [component('RUNNING')], ('POST', ACTION): [FakeResponse(200, {'job_id': 'job-2'})],
                          ('GET', '/jobs/job-2$'): [v3_job('FAILED', [('stop', 'SUCCEEDED', None), ('start', 'FAILED', 'image pull failed')])]})
    with pytest.raises(PaasJobError) as caught:
        run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'restart', {})
    assert 'job job-2 on component web ended failed (FAILED): start: image pull failed' == caught.value.msg
    assert caught.value.details()['job']['raw_status'] == 'FAILED'


def test_an_action_with_unknown_outcome_is_not_resent_when_a_new_job_shows_it_took_effect():
    adapter, session = api({('GET', COMPONENT): [component('RUNNING', last_job='old'), component('RESTARTING', last_job='job-3'),
                                                 component('RUNNING', last_job='job-3')],
                            ('GET', '/jobs/old$'): [v3_job('SUCCEEDED')],
                            ('POST', ACTION): [requests.exceptions.ReadTimeout('read timed out')],
                            ('GET', '/jobs/job-3$'): [v3_job('SUCCEEDED')]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'restart', {})
    assert result['job_id'] == 'job-3' and session.count('POST', ACTION) == 1


def test_an_action_with_unknown_outcome_and_no_new_job_is_reported():
    adapter, session = api({('GET', COMPONENT): [component('RUNNING')], ('POST', ACTION): [requests.exceptions.ReadTimeout('read timed out')]})
    with pytest.raises(Exception, match='outcome of UpdateComponentAction is unknown'):
        run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'restart', {})
    assert session.count('POST', ACTION) == 1


def test_continue_deploy_sees_a_paused_deployment():
    paused_job = v3_job('RUNNING', [('batch 1', 'SUCCEEDED', None), ('wait for confirmation', 'PAUSED', None)])
    adapter, session = api({('GET', COMPONENT): [component('UPGRADING', last_job='job-p', strategy='GrayRelease')],
                            ('GET', '/jobs/job-p$'): [paused_job],
                            ('GET', '/components/comp-1/records$'): [FakeResponse(200, {'records': [
                                {'version': '3.2.0', 'status': 'RUNNING', 'begin_time': '2026-01-02T00:00:00Z'},
                                {'version': '1.2.0', 'status': 'SUCCEEDED', 'begin_time': '2026-01-01T00:00:00Z', 'current_used': True}]})]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'check_gray_release', {}, check_mode=True)
    assert result['changed'] is True and result['waited_for_job'] is None
    assert result['after'] == dict(state='running', raw_state=None, replica=2, version='3.2.0')
    assert session.count('POST', '.') == 0


def test_rollback_current_predicts_the_previous_deployment():
    records = [{'version': '1.1.0', 'status': 'SUCCEEDED', 'begin_time': '2026-01-01T00:00:00Z'},
               {'version': '1.2.0', 'status': 'SUCCEEDED', 'begin_time': '2026-01-02T00:00:00Z'},
               {'version': '1.3.0', 'status': 'FAILED', 'begin_time': '2026-01-03T00:00:00Z'},
               {'version': '1.1.0', 'status': 'SUCCEEDED', 'begin_time': '2026-01-04T00:00:00Z'}]
    adapter, dummy = api({('GET', COMPONENT): [component('RUNNING', version='1.1.0')],
                          ('GET', '/components/comp-1/records$'): [FakeResponse(200, {'records': list(reversed(records))})]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'rollback_current', {}, check_mode=True)
    assert result['after']['version'] == '1.2.0'


def test_rollback_to_an_unknown_version_lists_the_valid_ones():
    adapter, session = api({('GET', INSTANCE): [FakeResponse(200, {'id': 'ins-1', 'name': 'web-prod', 'version': '1.2.0',
                                                                   'status_detail': {'status': 'RUNNING', 'replica': 2}})],
                            ('GET', '/instances/ins-1/snapshots$'): [FakeResponse(200, {'snapshots': [
                                {'version': '1.2.0', 'create_time': 2}, {'version': '1.1.0', 'create_time': 1}]})]})
    with pytest.raises(PaasInputError, match='valid versions: 1.1.0, 1.2.0'):
        run_action(InstanceTarget(adapter, 'app-1', 'comp-1', 'ins-1'), 'rollback', {'version': '0.9'})
    assert session.count('POST', '.') == 0


def test_names_resolve_to_ids_and_unknown_names_list_the_known_ones():
    applications = {'applications': [{'id': 'a1', 'name': 'mall'}, {'id': 'a2', 'name': 'reports'}]}
    adapter, dummy = api({('GET', '/v3/p1/cas/applications$'): [FakeResponse(200, applications)],
                          ('GET', '/applications/a1/components$'): [FakeResponse(200, {'components': [{'id': 'c1', 'name': 'web'}]})]})
    assert adapter.application_id(application_name='mall') == 'a1'
    assert adapter.component_id('a1', component_name='web') == 'c1'
    with pytest.raises(PaasInputError, match=r"no application named 'shop' \(known: mall, reports\)"):
        adapter.application_id(application_name='shop')


def test_ids_are_used_as_given_without_a_lookup():
    adapter, session = api({})
    assert adapter.application_id('a/1') == 'a/1' and adapter.component_id('a/1', 'c?1') == 'c?1' and session.calls == []


def test_many_instances_concurrently_each_on_its_own():
    def instance(status):
        return FakeResponse(200, {'name': 'x', 'version': '1', 'status_detail': {'status': status, 'replica': 1}})

    found, session = connection({('GET', '/instances/ins-1$'): [instance('RUNNING')],
                                 ('GET', '/instances/ins-2$'): [instance('STOPPED'), instance('RUNNING')],
                                 ('GET', '/instances/ins-3$'): [FakeResponse(404, {'error_code': 'SVCSTG.00100412', 'error_msg': 'instance not found'})],
                                 ('POST', '/instances/ins-2/action$'): [FakeResponse(200, {'job_id': 'j2'})],
                                 ('GET', '/v2/p1/cas/jobs/j2$'): [FakeResponse(200, {'job': {'EXECUTION_STATUS': 'SUCCEEDED'}, 'tasks': []})]})
    request = Request('start', targets=dict(application_id='app-1', component_id='comp-1', instance_ids=['ins-1', 'ins-2', 'ins-3']),
                      deadline=Deadline(60), concurrency=3)
    with pytest.raises(PaasBatchError) as caught:
        operate_instances(found, request)
    entries = caught.value.result['instances']
    assert [(e['id'], e['changed'], e['failed']) for e in entries] == [('ins-1', False, False), ('ins-2', True, False), ('ins-3', False, True)]
    assert 'SVCSTG.00100412' in entries[2]['msg'] and caught.value.msg.startswith('1 of 3 instances failed')
    assert caught.value.result['changed'] is True and diff_of(entries)['after']['ins-2']['state'] == 'running'
    assert session.count('POST', '.') == 1


def test_many_refuses_duplicates():
    found, session = connection({})
    request = Request('start', targets=dict(application_id='a', component_id='c', instance_ids=['ins-1', 'ins-1']), concurrency=2)
    with pytest.raises(PaasInputError, match='duplicates ins-1'):
        operate_instances(found, request)
    assert session.calls == []


def test_not_found_is_a_platform_error():
    adapter, dummy = api({('GET', COMPONENT): [FakeResponse(404, {'error_code': 'SVCSTG.00100404', 'error_msg': 'component not found'},
                                                            headers={'X-Request-Id': 'req-404'})]})
    with pytest.raises(PaasNotFoundError) as caught:
        run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'start', {})
    assert caught.value.code == 'SVCSTG.00100404' and caught.value.request_id == 'req-404'


# -- unknown outcomes: settled by the target's last job ------------------------------------------------

RESET = requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))")
UNAVAILABLE = FakeResponse(503, {'error_code': 'SVCSTG.00100500', 'error_msg': 'service unavailable'})
V2_ACTION = '/v2/p1/cas/applications/app-1/components/comp-1/instances/ins-1/action$'


def instance(status='RUNNING', last_job=None):
    return FakeResponse(200, {'id': 'ins-1', 'name': 'web-prod', 'version': '1.2.0',
                              'status_detail': {'status': status, 'replica': 2, 'last_job_id': last_job}})


def v2_job(status):
    return FakeResponse(200, {'job': {'EXECUTION_STATUS': status, 'JOB_ID': 'j'}, 'tasks': []})


def test_a_reset_after_the_component_action_was_applied_adopts_its_job_and_sends_nothing_again():
    adapter, session = api({('GET', COMPONENT): [component('RUNNING', last_job='old'), component('RESTARTING', last_job='job-3'),
                                                 component('RUNNING', last_job='job-3')],
                            ('GET', '/jobs/old$'): [v3_job('SUCCEEDED')],
                            ('POST', ACTION): [RESET],
                            ('GET', '/jobs/job-3$'): [v3_job('RUNNING'), v3_job('SUCCEEDED')]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'restart', {})
    assert result['job_id'] == 'job-3' and result['job']['status'] == 'succeeded' and session.count('POST', ACTION) == 1


def test_a_503_before_the_component_action_was_applied_sends_it_once_more():
    adapter, session = api({('GET', COMPONENT): [component('RUNNING', last_job='old'), component('RUNNING', last_job='old'),
                                                 component('RUNNING', last_job='job-4')],
                            ('GET', '/jobs/old$'): [v3_job('SUCCEEDED')],
                            ('POST', ACTION): [UNAVAILABLE, FakeResponse(200, {'job_id': 'job-4'})],
                            ('GET', '/jobs/job-4$'): [v3_job('SUCCEEDED')]})
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'restart', {})
    assert result['job_id'] == 'job-4' and session.count('POST', ACTION) == 2
    assert [call['data'] for call in session.calls if call['method'] == 'POST'] == [b'{"action": "restart"}'] * 2


def test_a_component_without_any_job_yet_adopts_the_first_one_after_an_unknown_outcome():
    adapter, session = api({('GET', COMPONENT): [component('STOPPED'), component('STARTING', last_job='job-1'), component('RUNNING', last_job='job-1')],
                            ('POST', ACTION): [RESET], ('GET', '/jobs/job-1$'): [v3_job('SUCCEEDED')]})
    assert run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'start', {})['job_id'] == 'job-1' and session.count('POST', ACTION) == 1


def test_two_unknown_outcomes_in_a_row_fail_clearly_after_one_resend():
    adapter, session = api({('GET', COMPONENT): [component('RUNNING', last_job='old')], ('GET', '/jobs/old$'): [v3_job('SUCCEEDED')],
                            ('POST', ACTION): [UNAVAILABLE, RESET]})
    with pytest.raises(PaasOutcomeUnknownError) as caught:
        run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'restart', {})
    assert caught.value.msg.endswith('it was sent twice and neither attempt shows a new job on component web; read the current state before trying again')
    assert session.count('POST', ACTION) == 2


def test_a_reset_after_the_instance_action_was_applied_adopts_its_job_and_sends_nothing_again():
    adapter, session = api({('GET', INSTANCE): [instance(last_job='old'), instance('RESTARTING', last_job='j5'), instance(last_job='j5')],
                            ('GET', '/v2/p1/cas/jobs/old$'): [v2_job('SUCCEEDED')],
                            ('POST', V2_ACTION): [RESET], ('GET', '/v2/p1/cas/jobs/j5$'): [v2_job('SUCCEEDED')]})
    result = run_action(InstanceTarget(adapter, 'app-1', 'comp-1', 'ins-1'), 'restart', {})
    assert result['job_id'] == 'j5' and session.count('POST', V2_ACTION) == 1


def test_a_503_before_the_instance_action_was_applied_sends_it_once_more():
    adapter, session = api({('GET', INSTANCE): [instance(last_job='old'), instance(last_job='old'), instance(last_job='j6')],
                            ('GET', '/v2/p1/cas/jobs/old$'): [v2_job('SUCCEEDED')],
                            ('POST', V2_ACTION): [UNAVAILABLE, FakeResponse(200, {'job_id': 'j6'})],
                            ('GET', '/v2/p1/cas/jobs/j6$'): [v2_job('SUCCEEDED')]})
    result = run_action(InstanceTarget(adapter, 'app-1', 'comp-1', 'ins-1'), 'restart', {})
    assert result['job_id'] == 'j6' and session.count('POST', V2_ACTION) == 2


PAUSED_JOB = v3_job('RUNNING', [('batch 1', 'SUCCEEDED', None), ('wait for confirmation', 'PAUSED', None)])
RESUMED_JOB = v3_job('RUNNING', [('batch 1', 'SUCCEEDED', None), ('batch 2', 'RUNNING', None)])


def paused_component_routes(jobs, post):
    """A gray release paused on job-p; ``jobs``: what job-p reads as in turn (two reads before sending)."""
    records = FakeResponse(200, {'records': [{'version': '3.2.0', 'status': 'RUNNING', 'begin_time': '2026-01-02T00:00:00Z'},
                                             {'version': '1.2.0', 'status': 'SUCCEEDED', 'begin_time': '2026-01-01T00:00:00Z'}]})
    upgrading = component('UPGRADING', last_job='job-p', strategy='GrayRelease')
    return {('GET', COMPONENT): [upgrading] * (len(jobs) - 2) + [component('RUNNING', last_job='job-p', strategy='GrayRelease')],
            ('GET', '/jobs/job-p$'): jobs, ('GET', '/components/comp-1/records$'): [records], ('POST', ACTION): post}


def test_resuming_a_paused_deployment_is_adopted_once_it_no_longer_waits():
    """The resumed deployment runs the paused job itself: its id does not move, the pause ending shows that the action took effect."""
    adapter, session = api(paused_component_routes([PAUSED_JOB, PAUSED_JOB, RESUMED_JOB, v3_job('SUCCEEDED')], [RESET]))
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'check_gray_release', {})
    assert result['job_id'] == 'job-p' and result['job']['status'] == 'succeeded' and session.count('POST', ACTION) == 1


def test_resuming_a_paused_deployment_that_still_waits_is_sent_once_more():
    adapter, session = api(paused_component_routes([PAUSED_JOB, PAUSED_JOB, PAUSED_JOB, v3_job('SUCCEEDED')],
                                                   [UNAVAILABLE, FakeResponse(200, {'job_id': 'job-p'})]))
    result = run_action(ComponentTarget(adapter, 'app-1', 'comp-1'), 'check_gray_release', {})
    assert result['job_id'] == 'job-p' and session.count('POST', ACTION) == 2


# --------------------------------------------------------------------------------------------------
# Paged lists: ServiceStage answers at most 1,000 records without limit, at most 100 a page with it
# --------------------------------------------------------------------------------------------------

def servicestage_pages(key, items):
    """A reply cutting ``items`` as ServiceStage does: ``limit`` (none: at most 1,000) and ``offset``, ``count`` the total."""
    from urllib.parse import parse_qs, urlsplit  # pylint: disable=import-outside-toplevel

    def reply(method, url):
        query = parse_qs(urlsplit(url).query)
        offset, limit = int(query.get('offset', ['0'])[0]), int(query.get('limit', ['0'])[0])
        assert limit <= 100, 'limit %d past the maximum of 100' % limit
        return FakeResponse(200, {'count': len(items), key: items[offset:offset + (limit or 1000)]})
    return reply


@pytest.mark.parametrize('list_name, route, key', [
    ('components', r'/applications/app/components$', 'components'),
    ('instances', r'/components/comp/instances$', 'instances'),
])
def test_servicestage_lists_past_1000_are_read_to_the_end_in_pages_of_100(list_name, route, key):
    items = [{'id': '%s-%04d' % (key, n), 'name': 'n-%04d' % n} for n in range(2345)]
    servicestage, session = api({('GET', route): [servicestage_pages(key, items)]})
    found = servicestage.list_components('app') if list_name == 'components' else servicestage.list_instances('app', 'comp')
    assert [item['id'] for item in found] == [item['id'] for item in items]
    assert [call['url'].split('?')[1] for call in session.calls] == ['limit=100&offset=%d' % (100 * n) for n in range(24)]


def test_servicestage_application_and_component_names_resolve_past_the_first_1000():
    apps = [{'id': 'app-%04d' % n, 'name': 'app-%04d' % n} for n in range(1500)]
    components = [{'id': 'c-%04d' % n, 'name': 'comp-%04d' % n} for n in range(1200)]
    servicestage, dummy = api({('GET', r'/applications$'): [servicestage_pages('applications', apps)],
                               ('GET', r'/applications/app-1499/components$'): [servicestage_pages('components', components)]})
    app_id = servicestage.application_id(application_name='app-1499')
    assert app_id == 'app-1499' and servicestage.component_id(app_id, component_name='comp-1199') == 'c-1199'


def test_a_component_and_an_instance_list_the_address_of_their_first_external_access():
    accesses = [dict(protocol='HTTP', address='10.0.0.5:30080', forward_port=8080), dict(protocol='HTTPS', address='shop.example.com', forward_port=8443)]
    assert component_view('c1', dict(name='web', external_accesses=accesses, status={}))['address'] == '10.0.0.5:30080'
    assert instance_view(dict(id='i1', external_accesses=accesses))['address'] == '10.0.0.5:30080'
    # None set (or an SDK model answering null): no address, so an http_check URL with {address} is refused before any restart.
    assert component_view('c1', dict(name='web', external_accesses=[], status={}))['address'] is None
    assert instance_view(dict(id='i1', external_accesses=None))['address'] is None
