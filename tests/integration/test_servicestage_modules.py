# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""component_action, instance_action, instance_info and change_order_info as users run them: real ansible
processes over HTTP against the emulator, whose admin API shows what really happened."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module, run_playbook

HUAWEI = demo_world()['huawei']
APP = HUAWEI['application_id']
WEB = HUAWEI['component_id']
SEARCH = 'c0a80001-0000-4000-8000-000000000005'
AKSK = dict(huawei_access_key=HUAWEI['access_key'], huawei_secret_key=HUAWEI['secret_key'], huawei_project_id=HUAWEI['project_id'])
PASSWORD = dict(huawei_domain_name=HUAWEI['domain_name'], huawei_user_name=HUAWEI['user_name'], huawei_password=HUAWEI['password'],
                huawei_region=HUAWEI['region'])


def component_action(emulator, args, credentials=None, cli_args=()):
    module_args = dict(application_id=APP, component_id=WEB, endpoint=emulator.url, wait_timeout=60, **(credentials or AKSK))
    module_args.update(args)
    return run_module('paas.ops.component_action', module_args, args=cli_args)


def unit_state(emulator, unit_id):
    return emulator.unit(unit_id)


def actions_logged(emulator):
    return [entry for entry in emulator.metrics()['actions'] if entry.get('platform') == 'servicestage']


def test_components_change_once_then_not_again(emulator_clean):
    run = run_playbook('servicestage_components.yml', {'paas_endpoint': emulator_clean.url})
    assert run.rc == 0, run.output
    assert 'failed=0' in run.stdout
    requests_seen = emulator_clean.metrics()['requests']
    # Six actions sent, no more: the second run of each idempotent action sent nothing.
    assert requests_seen['servicestage:UpdateComponentAction'] == 6


def test_instances_change_once_then_not_again(emulator_clean):
    run = run_playbook('servicestage_instances.yml', {'paas_endpoint': emulator_clean.url})
    assert run.rc == 0, run.output
    assert emulator_clean.metrics()['requests']['servicestage:UpdateInstanceAction'] == 6
    # One password login per module run (11 tasks), never one per request.
    assert emulator_clean.metrics()['requests']['iam:CreateToken'] == 11


@pytest.mark.parametrize('args,changed', [
    (dict(action='stop'), True), (dict(action='start'), False), (dict(action='restart'), True),
    (dict(action='scale', replica=3), False), (dict(action='scale', replica=5), True),
    (dict(action='rollback', version='1.2.0'), False), (dict(action='rollback', version='1.1.0'), True),
])
def test_check_mode_predicts_exactly_and_changes_nothing(emulator_clean, args, changed):
    before = unit_state(emulator_clean, WEB)
    run = component_action(emulator_clean, args, cli_args=['--check', '--diff'])
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['changed'] is changed and result['job_id'] is None
    assert unit_state(emulator_clean, WEB) == before
    assert actions_logged(emulator_clean) == [] and 'servicestage:UpdateComponentAction' not in emulator_clean.metrics()['requests']
    if changed:
        assert result['after'] != result['before']
    # The real run agrees with the prediction.
    real = component_action(emulator_clean, args).adhoc_result()
    assert real['changed'] is changed and real['after'] == dict(result['after'], raw_state=real['after']['raw_state'])


def test_diff_shows_before_and_after(emulator_clean):
    run = component_action(emulator_clean, dict(action='scale', replica=4), cli_args=['--diff'])
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert (result['before'], result['after']) == ({'state': 'running', 'raw_state': 'RUNNING', 'replica': 3, 'version': '1.2.0'},
                                                   {'state': 'running', 'raw_state': 'RUNNING', 'replica': 4, 'version': '1.2.0'})
    # The callback renders the module's diff as a unified diff of before and after.
    assert '--- before\n+++ after\n' in run.stdout and '-    "replica": 3,\n+    "replica": 4,' in run.stdout


def test_waits_for_the_job_and_reports_how_long(emulator_clean):
    result = component_action(emulator_clean, dict(action='restart')).adhoc_result()
    assert result['changed'] is True and result['job']['status'] == 'succeeded' and result['component']['raw_state'] == 'RUNNING'
    assert result['elapsed'] > 0.3
    assert emulator_clean.metrics()['restarts'].get(WEB) == 1


def test_without_wait_returns_the_job_at_once_and_the_next_task_waits_for_it(emulator_factory):
    # Slow jobs (a stop takes 30 s), so the second task surely finds the first one's job running, even on a loaded
    # machine where starting an ad-hoc run takes seconds (at 5 s, CI once found it done already).
    slow = emulator_factory(time_factor=3)
    first = component_action(slow, dict(action='stop', wait=False)).adhoc_result()
    assert first['changed'] is True and first['job_id'] and first['job'] is None
    assert unit_state(slow, WEB)['state'] == 'stopping'
    second = component_action(slow, dict(action='stop')).adhoc_result()
    assert second['waited_for_job'] == first['job_id'] and second['changed'] is False and second['reason'] == 'already stopped'
    assert unit_state(slow, WEB)['state'] == 'stopped'
    assert slow.metrics()['requests']['servicestage:UpdateComponentAction'] == 1


def test_a_failed_job_fails_the_task_with_its_task_messages(emulator_clean):
    emulator_clean.add_fault(kind='job_fail', target=WEB, message='liveness probe failed on web-7f9')
    run = component_action(emulator_clean, dict(action='restart'))
    result = run.adhoc_result()
    assert run.rc != 0 and result['error']['type'] == 'PaasJobError'
    assert 'liveness probe failed on web-7f9' in result['msg'] and result['error']['job']['status'] == 'failed'


def test_unknown_ids_fail_with_the_platform_code_and_request_id(emulator_clean):
    run = component_action(emulator_clean, dict(action='start', component_id='no-such-component'))
    result = run.adhoc_result()
    assert run.rc != 0 and result['error']['code'] == 'SVCSTG.00100404' and result['error']['status'] == 404
    assert result['error']['request_id'] and result['error']['request_id'] in result['msg']
    run = run_module('paas.ops.instance_action', dict(application_id=APP, component_id=WEB, instance_ids=['no-such-instance'], action='start',
                                                      endpoint=emulator_clean.url, **AKSK))
    result = run.adhoc_result()
    assert run.rc != 0 and 'SVCSTG.00100412' in result['msg'] and result['instances'][0]['failed'] is True


def test_unknown_names_list_the_known_ones(emulator_clean):
    run = run_module('paas.ops.component_action', dict(application_id=APP, component_name='nope', action='start', endpoint=emulator_clean.url, **AKSK))
    result = run.adhoc_result()
    assert "no component in application %s named 'nope' (known: api, cart, notify, search, web, worker)" % APP in result['msg']


def test_bad_input_is_refused_before_sending(emulator_clean):
    run = component_action(emulator_clean, dict(action='rollback', version='0.0.1'))
    assert run.rc != 0 and 'valid versions: 1.1.0, 1.2.0' in run.adhoc_result()['msg']
    run = component_action(emulator_clean, dict(action='continue_deploy'))
    assert run.rc != 0 and 'needs a paused deployment' in run.adhoc_result()['msg']
    run = component_action(emulator_clean, dict(action='scale'))
    assert run.rc != 0 and 'replica' in run.adhoc_result()['msg']
    assert 'servicestage:UpdateComponentAction' not in emulator_clean.metrics()['requests']


def iam_token(emulator):
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'domain': {'name': HUAWEI['domain_name']}, 'name': HUAWEI['user_name'], 'password': HUAWEI['password']}}},
        'scope': {'project': {'id': HUAWEI['project_id']}}}}
    return requests.post(emulator.url + '/v3/auth/tokens', json=body, timeout=10).headers['X-Subject-Token']


def test_token_aksk_and_password_auth_each_work(emulator_clean):
    token = dict(huawei_auth_token=iam_token(emulator_clean), huawei_project_id=HUAWEI['project_id'])
    for credentials, action in ((AKSK, 'stop'), (token, 'start'), (PASSWORD, 'restart')):
        run = component_action(emulator_clean, dict(action=action, component_id=SEARCH), credentials=credentials)
        assert run.rc == 0, run.output
        assert run.adhoc_result()['changed'] is True
    assert [entry['operation'] for entry in actions_logged(emulator_clean)].count('UpdateComponentAction') == 3


RELEASES = 'a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a03'
STOREFRONT = 'c0a80003-0000-4000-8000-000000000001'  # gray release of 3.2.0 paused
CHECKOUT = 'c0a80003-0000-4000-8000-000000000002'    # rolling deployment of 1.5.0 paused


def test_paused_deployments_are_resumed_only_by_the_actions_that_fit(emulator_clean):
    wrong = component_action(emulator_clean, dict(application_id=RELEASES, component_id=CHECKOUT, action='check_gray_release'))
    assert wrong.rc != 0 and 'needs a paused gray release' in wrong.adhoc_result()['msg']

    predicted = component_action(emulator_clean, dict(application_id=RELEASES, component_id=STOREFRONT, action='check_gray_release'),
                                 cli_args=['--check']).adhoc_result()
    assert predicted['changed'] is True and predicted['after']['version'] == '3.2.0' and predicted['before']['state'] == 'upgrading'

    rule = component_action(emulator_clean, dict(application_id=RELEASES, component_id=STOREFRONT, action='modify_gray_rule', replica=2)).adhoc_result()
    assert rule['changed'] is True and rule['job']['status'] == 'succeeded' and rule['component']['raw_state'] == 'UPGRADING'

    for component_id, action, version in ((STOREFRONT, 'check_gray_release', '3.2.0'), (CHECKOUT, 'continue_deploy', '1.5.0')):
        result = component_action(emulator_clean, dict(application_id=RELEASES, component_id=component_id, action=action)).adhoc_result()
        assert result['changed'] is True and result['component']['raw_state'] == 'RUNNING' and result['component']['version'] == version
        again = component_action(emulator_clean, dict(application_id=RELEASES, component_id=component_id, action=action))
        assert again.rc != 0 and 'needs a paused' in again.adhoc_result()['msg']


def test_rollback_current_goes_to_the_previous_version_as_predicted(emulator_clean):
    predicted = component_action(emulator_clean, dict(action='rollback_current'), cli_args=['--check']).adhoc_result()
    result = component_action(emulator_clean, dict(action='rollback_current')).adhoc_result()
    assert predicted['after']['version'] == result['component']['version'] == '1.1.0'
    predicted = component_action(emulator_clean, dict(action='rollback_current'), cli_args=['--check']).adhoc_result()
    result = component_action(emulator_clean, dict(action='rollback_current')).adhoc_result()
    assert predicted['after']['version'] == result['component']['version'] == '1.2.0'


def test_a_throttled_action_is_resent_once_it_was_refused(emulator_clean):
    emulator_clean.add_fault(kind='http', path='/components/[^/]+/action$', method='POST', status=429, platform_code='APIG.0308', retry_after=0,
                             count=1)
    run = component_action(emulator_clean, dict(action='restart'))
    assert run.rc == 0, run.output
    assert 'throttled (APIG.0308); retry 1 of 4' in run.output
    assert [entry['operation'] for entry in actions_logged(emulator_clean)] == ['UpdateComponentAction']


def instance_action(emulator, args, cli_args=()):
    module_args = dict(application_id=APP, component_id=WEB, instance_ids=[HUAWEI['instance_id']], endpoint=emulator.url, wait_timeout=60, **AKSK)
    module_args.update(args)
    return run_module('paas.ops.instance_action', module_args, args=cli_args)


def test_instance_check_mode_failed_job_and_following_a_job(emulator_clean):
    before = unit_state(emulator_clean, WEB)
    predicted = instance_action(emulator_clean, dict(action='stop'), cli_args=['--check', '--diff'])
    result = predicted.adhoc_result()
    assert result['changed'] is True and result['instances'][0]['after']['state'] == 'stopped' and result['instances'][0]['job_id'] is None
    assert '-        "state": "running"' in predicted.stdout and '+        "state": "stopped"' in predicted.stdout
    assert unit_state(emulator_clean, WEB) == before and actions_logged(emulator_clean) == []

    emulator_clean.add_fault(kind='job_fail', target=WEB, message='readiness probe timed out', count=1)
    failed = instance_action(emulator_clean, dict(action='restart'))
    result = failed.adhoc_result()
    assert failed.rc != 0 and 'readiness probe timed out' in result['msg'] and result['instances'][0]['job']['raw_status'] == 'FAILED'

    started = instance_action(emulator_clean, dict(action='stop', wait=False)).adhoc_result()
    job_id = started['instances'][0]['job_id']
    followed = run_module('paas.ops.change_order_info', dict(job_id=job_id, servicestage_api='v2', wait_for_completion=True, wait_timeout=60,
                                                             endpoint=emulator_clean.url, **AKSK))
    result = followed.adhoc_result()
    assert followed.rc == 0 and result['changed'] is False and result['change_order']['status'] == 'succeeded'
    assert result['change_order']['terminal'] is True and result['elapsed'] >= 0 and result['change_order']['tasks']
    assert unit_state(emulator_clean, WEB)['state'] == 'stopped'
