# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""app_operation and instance_info on Rainbond as users run them: real ansible processes over HTTP against the emulator,
whose admin API, action log and metrics show what really happened."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.paas.ops.tests.emulator_fixtures import DEFAULT_WORLD
from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module, run_playbook

RAINBOND = demo_world()['rainbond']
WEB, API, WORKER, GATEWAY = ('3f6d1e2a9b8c4d7e8f0a1b2c3d4e5f60', '7c2e9a1b4d5f4e6a8b9c0d1e2f3a4b5c', '9e8d7c6b5a4f43e2a1b0c9d8e7f6a5b4',
                             '1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6')
REPORT_API, REPORT_CRON = '5b4a3c2d1e0f4a9b8c7d6e5f4a3b2c1d', '6c5b4a3d2e1f40a9b8c7d6e5f4a3b2c1'
ARCHIVE_WEB, ARCHIVE_DB = '8d7c6b5a4e3f42a1b0c9d8e7f6a5b4c3', '2f3e4d5c6b7a48a9b0c1d2e3f4a5b6c7'


def app_operation(emulator, args, cli_args=(), env=None):
    module_args = dict(platform='rainbond', url=emulator.url, token=RAINBOND['token'], team_id=RAINBOND['team'],
                       region_name=RAINBOND['region'], wait_timeout=60)
    module_args.update(args)
    return run_module('paas.ops.app_operation', module_args, args=cli_args, env=env)


def rainbond_actions(emulator):
    return [entry for entry in emulator.metrics()['actions'] if entry.get('platform') == 'rainbond']


def rainbond_world(emulator):
    """The emulator's Rainbond objects and jobs: what a check-mode run must leave exactly as it was."""
    return emulator.state()['world']['rainbond'], emulator.admin('GET', 'jobs')['jobs']


def status_of(emulator, app_id, service_id):
    for team in emulator.state()['world']['rainbond']['teams']:
        for app in team['apps']:
            for component in app['components']:
                if component['service_id'] == service_id:
                    return component
    raise AssertionError('no component %s' % service_id)


def test_every_action_changes_once_then_not_again(emulator_clean):
    run = run_playbook('rainbond_applications.yml', {'paas_endpoint': emulator_clean.url})
    assert run.rc == 0, run.output
    assert 'failed=0' in run.stdout and 'changed=6' in run.stdout
    metrics = emulator_clean.metrics()
    # Six changes, each one request; the repeated start, stop and scale sent nothing.
    assert metrics['requests']['rainbond:OperateApp'] == 5 and metrics['requests']['rainbond:HorizontalScale'] == 1
    sent = [(entry['operation'], sorted(entry['targets'])) for entry in rainbond_actions(emulator_clean)]
    assert sent == [('OperateApp', [REPORT_CRON]), ('OperateApp', [REPORT_API]), ('OperateApp', sorted([WEB, API])),
                    ('OperateApp', sorted([WEB, API])), ('OperateApp', [ARCHIVE_DB]), ('HorizontalScale', [API])]
    assert metrics['restarts'] == {WEB: 2, API: 2, ARCHIVE_DB: 1}


CASES = [
    (dict(app_name='reports', action='start'), True, {REPORT_CRON: 'running'}),
    (dict(app_name='reports', action='stop'), True, {REPORT_API: 'stopped'}),
    (dict(app_id=3, component_names=['archive-web', 'archive-db'], action='stop'), False, {}),
    (dict(app_id=1, component_names=['gateway'], action='upgrade'), True, {GATEWAY: 'running'}),
    (dict(app_id=3, component_names=['archive-db'], action='deploy'), True, {ARCHIVE_DB: 'running'}),
    (dict(app_id=1, component_names=['worker'], action='scale', replicas=2), True, {WORKER: 'running'}),
    (dict(app_id=1, component_names=['worker'], action='scale', replicas=1), False, {}),
]


@pytest.mark.parametrize('args,changed,after_states', CASES, ids=['start', 'stop', 'stop-stopped', 'upgrade', 'deploy', 'scale', 'scale-same'])
def test_check_mode_predicts_exactly_and_changes_nothing(emulator_clean, args, changed, after_states):
    before = rainbond_world(emulator_clean)
    check = app_operation(emulator_clean, args, cli_args=['--check'])
    assert check.rc == 0, check.output
    predicted = check.adhoc_result()
    assert predicted['changed'] is changed
    assert rainbond_world(emulator_clean) == before and rainbond_actions(emulator_clean) == []
    real = app_operation(emulator_clean, args)
    assert real.rc == 0, real.output
    result = real.adhoc_result()
    assert result['changed'] is changed
    # The real run leaves exactly what check mode said it would, component by component.
    assert [(c['id'], c['changed'], c['after']) for c in result['components']] == [
        (c['id'], c['changed'], c['after']) for c in predicted['components']]
    assert dict((c['id'], c['after']['state']) for c in result['components'] if c['changed']) == after_states
    assert len(rainbond_actions(emulator_clean)) == (1 if changed else 0)


def test_diff_shows_each_component_before_and_after(emulator_clean):
    run = app_operation(emulator_clean, dict(app_name='reports', action='stop'), cli_args=['--check', '--diff'])
    assert run.rc == 0, run.output
    assert '-        "raw_state": "running",' in run.stdout and '+        "raw_state": "closed",' in run.stdout
    assert '"%s": {' % REPORT_API in run.stdout


def stop_in_flight(emulator, service_id):
    """A stop of the component that takes 20 s (the time factor is read when its batch starts), as if someone else sent it.

    Long enough that the module, started a moment later on a busy machine (the suite runs sanity beside pytest), still
    finds it stopping: 10 s windows of the same kind proved too short on CI.
    """
    emulator.settings(time_factor=2.0)
    emulator.create_job(platform='rainbond', action='stop', targets=[service_id])
    emulator.settings(time_factor=0.05)


def test_components_in_a_transition_are_waited_for_before_acting(emulator_clean):
    # A stop of report-api already in flight: the start waits for it to end, then starts the component.
    stop_in_flight(emulator_clean, REPORT_API)
    run = app_operation(emulator_clean, dict(app_id=2, component_names=['report-api'], action='start'))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['waited_for_components'] == [REPORT_API] and result['changed'] is True
    assert result['components'][0]['before']['raw_state'] == 'closed' and result['components'][0]['after']['raw_state'] == 'running'
    assert status_of(emulator_clean, 2, REPORT_API)['state'] == 'running'


def test_without_wait_a_transition_is_refused_and_nothing_sent(emulator_clean):
    stop_in_flight(emulator_clean, REPORT_API)
    run = app_operation(emulator_clean, dict(app_id=2, component_names=['report-api'], action='start', wait=False))
    assert run.rc != 0
    assert 'component report-api (grc0d1e2): it is stopping; set wait=true to wait for it first' in run.adhoc_result()['msg']
    assert [entry for entry in rainbond_actions(emulator_clean) if entry['operation'] == 'OperateApp'] == []


def test_wait_false_returns_with_the_event_running(emulator_clean):
    # A start of 10 s (the time factor is read when it begins): still under way when the module has returned.
    emulator_clean.settings(time_factor=0.5)
    run = app_operation(emulator_clean, dict(app_id=2, component_names=['report-cron'], action='start', wait=False))
    emulator_clean.settings(time_factor=0.05)
    assert run.rc == 0, run.output
    entry = run.adhoc_result()['components'][0]
    assert entry['changed'] is True and entry['event']['status'] == 'running' and entry['event']['type'] == 'start-service'
    assert status_of(emulator_clean, 2, REPORT_CRON)['state'] == 'starting'


def test_a_component_that_ends_abnormal_fails_the_task_with_its_name_and_events(emulator_clean):
    emulator_clean.add_fault(kind='job_fail', target=API, message='Back-off restarting failed container api')
    run = app_operation(emulator_clean, dict(app_id=1, component_names=['web', 'api'], action='upgrade'))
    assert run.rc != 0
    result = run.adhoc_result()
    assert result['msg'].startswith('1 of 2 components failed to upgrade: component api (gr4d5e6f) ended abnormal (event upgrade-service failure)')
    assert 'latest events: upgrade-service failure: Back-off restarting failed container api' in result['msg']
    entries = dict((c['name'], c) for c in result['components'])
    assert entries['api']['failed'] is True and entries['api']['after']['raw_state'] == 'abnormal'
    assert entries['api']['events'][0]['message'] == 'Back-off restarting failed container api'
    assert entries['web']['failed'] is False and entries['web']['after']['raw_state'] == 'running'
    assert 'Traceback' not in run.output


def test_a_silently_dropped_component_is_detected(emulator_clean):
    emulator_clean.add_fault(kind='silent_drop', target=WORKER)
    run = app_operation(emulator_clean, dict(app_id=1, component_names=['worker', 'gateway'], action='upgrade'))
    assert run.rc != 0
    result = run.adhoc_result()
    assert 'component worker (gr7a8b9c) Rainbond dropped it without starting an event' in result['msg']
    entries = dict((c['name'], c) for c in result['components'])
    assert entries['worker']['dropped'] is True and entries['worker']['event'] is None
    assert entries['gateway']['failed'] is False and entries['gateway']['event']['status'] == 'succeeded'
    # The console answered success for both; only gateway was restarted.
    assert emulator_clean.metrics()['restarts'] == {GATEWAY: 1}


def test_an_event_still_running_is_waited_for_instead_of_being_dropped(emulator_factory, tmp_path):
    world = yaml.safe_load(open(DEFAULT_WORLD, encoding='utf-8'))
    component = world['rainbond']['teams'][0]['apps'][0]['components'][2]
    assert component['cname'] == 'worker'
    # 240 s of build at time factor 0.05: still running when the module starts on a busy machine, 12 s later it has ended.
    component['running_event'] = {'opt_type': 'build-service', 'seconds': 240}
    path = tmp_path / 'world.yml'
    path.write_text(yaml.safe_dump(world), encoding='utf-8')
    emulator = emulator_factory(world=str(path), time_factor=0.05)
    run = app_operation(emulator, dict(app_id=1, component_names=['worker'], action='upgrade'))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['waited_for_components'] == [WORKER] and result['components'][0]['event']['status'] == 'succeeded'
    assert emulator.metrics()['restarts'] == {WORKER: 1}


def test_a_component_that_never_gets_ready_times_out_naming_it(emulator_clean):
    emulator_clean.add_fault(kind='never_healthy', target=REPORT_CRON)
    run = app_operation(emulator_clean, dict(app_id=2, component_names=['report-cron'], action='start', wait_timeout=3))
    assert run.rc != 0
    message = run.adhoc_result()['msg']
    assert 'component report-cron (grf3a4b5) not running within wait_timeout (status starting, event running)' in message


def test_scale_sends_only_a_changed_count(emulator_clean):
    same = app_operation(emulator_clean, dict(app_id=1, component_names=['web', 'api'], action='scale', replicas=2))
    assert same.rc == 0, same.output
    assert [c['changed'] for c in same.adhoc_result()['components']] == [False, True]
    assert emulator_clean.metrics()['requests'].get('rainbond:HorizontalScale') == 1
    assert status_of(emulator_clean, 1, API)['min_node'] == 2 and status_of(emulator_clean, 1, WEB)['min_node'] == 2
    wrong = app_operation(emulator_clean, dict(app_id=1, component_names=['web'], action='scale', replicas=101))
    assert wrong.rc != 0 and '1 to 100 instances, got 101' in wrong.adhoc_result()['msg']


@pytest.mark.parametrize('args,message', [
    (dict(token='wrongToken'), 'rainbond API error on ListComponents: HTTP 401'),
    (dict(team_id='no-such-team'), 'no found team'),
    (dict(app_id=99), 'no found app'),
    (dict(component_names=['nope']), 'the application has no component nope; its components: report-api (grc0d1e2, %s)' % REPORT_API),
    (dict(service_ids=['gr4d5e6f']), 'the application has no component gr4d5e6f'),
    (dict(app_id='2;rm'), "a Rainbond app id is an integer, got '2;rm'"),
    (dict(action='restart'), 'Rainbond has no restart: action=upgrade rolls the components'),
    (dict(namespace_id='cn-hangzhou:demo'), 'namespace_id: not options of platform=rainbond'),
], ids=['bad-token', 'unknown-team', 'unknown-app', 'unknown-component', 'component-of-another-app', 'bad-app-id', 'restart', 'sae-option'])
def test_bad_input_and_credentials_give_clear_errors_and_send_nothing(emulator_clean, args, message):
    module_args = dict(app_id=2, action='stop')
    module_args.update(args)
    run = app_operation(emulator_clean, module_args)
    assert run.rc != 0
    result = run.adhoc_result()
    assert message in result['msg'], result['msg']
    assert 'Traceback' not in run.output and RAINBOND['token'] not in run.output
    assert rainbond_actions(emulator_clean) == []


def test_api_errors_carry_the_platform_code_and_request_id(emulator_clean):
    run = app_operation(emulator_clean, dict(app_id=99, action='stop'))
    error = run.adhoc_result()['error']
    assert error['platform'] == 'rainbond' and error['status'] == 404 and error['code'] == '404' and error['request_id']


def test_credentials_from_the_environment_ad_hoc(emulator_clean):
    env = dict(RAINBOND_URL=emulator_clean.url, RAINBOND_TOKEN=RAINBOND['token'])
    run = run_module('paas.ops.instance_info', dict(platform='rainbond', team_id='e4a5b3c2d1f0e9d8c7b6a5f4e3d2c1b0', region_name='demo-region',
                                                    application_id=3), env=env)
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert [(c['name'], c['state'], c['raw_state']) for c in result['instances']] == [
        ('archive-web', 'stopped', 'closed'), ('archive-db', 'not_deployed', 'undeploy')]
    assert RAINBOND['token'] not in run.output
