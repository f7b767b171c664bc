# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""app_operation, instance_action, instance_info and change_order_info on SAE and EDAS as users run them: real
ansible processes over HTTP against the emulator, whose admin API and metrics show what really happened."""

from __future__ import annotations

import os
import time

import pytest

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module, run_playbook

ALIBABA = demo_world()['alibaba']
NAMESPACE = 'cn-hangzhou:demo'
WEB, API, WORKER, BATCH = ('6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a0%d' % n for n in (1, 2, 3, 4))
ORDERS = ALIBABA['edas_app_id']
KEY = dict(alibaba_access_key_id=ALIBABA['access_key_id'], alibaba_access_key_secret=ALIBABA['access_key_secret'],
           alibaba_region_id=ALIBABA['region'])
CANARY, GATED = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a05', '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a06'
BILLING = '3616cdca-4f92-4413-8c58-0000000000a2'
ECC1, ECC4 = 'e1c2c3c4-0000-4000-8000-000000000001', 'e1c2c3c4-0000-4000-8000-000000000004'
WEB_PREVIOUS = '7a1b2c3d-0001-4e5f-8a9b-0c1d2e3f4a00'
FLEET_WORLD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'emulator', 'worlds', 'fleet.yml')


def app_operation(emulator, args, cli_args=()):
    module_args = dict(endpoint=emulator.url, wait_timeout=60, **KEY)
    if args.get('platform', 'sae') == 'sae':
        module_args['namespace_id'] = NAMESPACE
    module_args.update(args)
    module_args.setdefault('platform', 'sae')
    return run_module('paas.ops.app_operation', module_args, args=cli_args)


def module(emulator, name, args, cli_args=()):
    return run_module('paas.ops.' + name, dict(endpoint=emulator.url, **dict(KEY, **args)), args=cli_args)


def alibaba_actions(emulator):
    return [entry for entry in emulator.metrics()['actions'] if entry.get('platform') in ('sae', 'edas')]


def logged_action_operation(emulator):
    """The operation of the one action the emulator logged."""
    (entry,) = alibaba_actions(emulator)
    return entry['operation']


def world_of(emulator):
    """The emulator's Alibaba objects and jobs: what a check-mode run must leave exactly as it was."""
    return emulator.state()['world']['alibaba'], emulator.admin('GET', 'jobs')['jobs']


def sae_check(emulator, args):
    run = run_module('paas.ops.app_operation', dict(platform='sae', namespace_id=NAMESPACE, endpoint=emulator.url, **dict(KEY, **args)),
                     args=['--check', '--diff'])
    assert run.rc == 0, run.output
    return run


def test_sae_check_mode_predicts_per_application_and_sends_nothing(emulator_clean):
    run = sae_check(emulator_clean, dict(app_names=['batch', 'web'], action='start'))
    result = run.adhoc_result()
    assert result['changed'] is True and result['change_order_ids'] == []
    assert [(app['id'], app['changed'], app['reason']) for app in result['applications']] == [
        (BATCH, True, 'target is stopped'), (WEB, False, 'already running')]
    assert result['applications'][0]['after']['state'] == 'running'
    assert '-        "state": "stopped"' in run.stdout and '+        "state": "running"' in run.stdout

    scale = sae_check(emulator_clean, dict(app_ids=[WORKER], action='scale', replicas=5)).adhoc_result()
    assert scale['changed'] is True and scale['applications'][0]['before']['replica'] == 2 and scale['applications'][0]['after']['replica'] == 5
    same = sae_check(emulator_clean, dict(app_ids=[WORKER], action='scale', replicas=2)).adhoc_result()
    assert same['changed'] is False and same['applications'][0]['reason'] == 'already at 2 replicas'

    metrics = emulator_clean.metrics()
    assert [entry for entry in metrics['actions'] if entry.get('platform') == 'sae'] == []
    assert metrics['requests']['sae:ListApplications'] == 1


def test_sae_refusals_before_sending(emulator_clean):
    unknown = run_module('paas.ops.app_operation', dict(platform='sae', namespace_id=NAMESPACE, app_names=['nope'], action='stop',
                                                        endpoint=emulator_clean.url, **KEY))
    known = 'api, batch, canary, gated, web, worker'
    assert unknown.rc != 0 and "no single application named nope in namespace %s (known: %s)" % (NAMESPACE, known) in unknown.adhoc_result()['msg']
    stopped = run_module('paas.ops.app_operation', dict(platform='sae', namespace_id=NAMESPACE, app_ids=[BATCH], action='restart',
                                                        endpoint=emulator_clean.url, **KEY))
    assert stopped.rc != 0 and 'use action=start' in stopped.adhoc_result()['msg']
    no_namespace = run_module('paas.ops.app_operation', dict(platform='sae', app_ids=[WEB], action='restart', endpoint=emulator_clean.url, **KEY))
    assert no_namespace.rc != 0 and 'namespace_id is required' in no_namespace.adhoc_result()['msg']
    assert [entry for entry in emulator_clean.metrics()['actions'] if entry.get('platform') == 'sae'] == []


def test_edas_eccs_are_listed_with_normalized_states(emulator_clean):
    run = run_module('paas.ops.instance_info', dict(platform='edas', application_id=ORDERS, endpoint=emulator_clean.url, **KEY))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['count'] == 4 and [ecc['state'] for ecc in result['instances']] == ['running', 'running', 'running', 'stopped']
    assert [ecc['raw_state'] for ecc in result['instances']] == [7, 7, 7, 1] and {ecc['kind'] for ecc in result['instances']} == {'ecc'}
    assert [ecc['health'] for ecc in result['instances']] == ['healthy', 'healthy', 'healthy', 'unknown']
    assert (result['instances'][0]['ip'], result['instances'][0]['task_state']) == ('192.168.0.11', 2)
    stopped = run_module('paas.ops.instance_info', dict(platform='edas', application_id=ORDERS, states=['stopped'], endpoint=emulator_clean.url, **KEY))
    assert [ecc['id'] for ecc in stopped.adhoc_result()['instances']] == ['e1c2c3c4-0000-4000-8000-000000000004']


def test_applications_change_once_then_not_again(emulator_clean):
    run = run_playbook('alibaba_applications.yml', {'paas_endpoint': emulator_clean.url})
    assert run.rc == 0, run.output
    assert 'failed=0' in run.stdout and 'changed=9' in run.stdout
    metrics = emulator_clean.metrics()
    sent = dict((name, count) for name, count in metrics['requests'].items()
                if name.split(':')[1].startswith(('Batch', 'Rescale', 'Rollback', 'RestartInstances', 'Start', 'Stop', 'Restart')))
    # One request per change that was needed; the repeated runs sent nothing.
    assert sent == {'sae:BatchStopApplications': 1, 'sae:BatchStartApplications': 1, 'sae:BatchRestartApplications': 1,
                    'sae:RescaleApplication': 1, 'sae:RollbackApplication': 1, 'sae:RestartInstances': 1,
                    'edas:StopApplication': 1, 'edas:StartApplication': 1, 'edas:RestartApplication': 1}
    assert metrics['throttled_total'] == 0


SAE_CASES = [
    (dict(app_ids=[BATCH, WEB], action='start'), True, {BATCH: 'running'}),
    (dict(app_ids=[WEB, API], action='stop'), True, {WEB: 'stopped', API: 'stopped'}),
    (dict(app_ids=[BATCH], action='stop'), False, {}),
    (dict(app_ids=[WORKER], action='restart'), True, {WORKER: 'running'}),
    (dict(app_ids=[WORKER], action='scale', replicas=4), True, {WORKER: 'running'}),
    (dict(app_ids=[WORKER], action='scale', replicas=2), False, {}),
    (dict(app_ids=[WEB], action='rollback', version_id=WEB_PREVIOUS), True, {WEB: 'running'}),
    (dict(app_ids=[WEB], action='rollback', version_id='7a1b2c3d-0001-4e5f-8a9b-0c1d2e3f4a01'), False, {}),
]


@pytest.mark.parametrize('args,changed,after_states', SAE_CASES, ids=[
    'start', 'stop', 'stop-stopped', 'restart', 'scale', 'scale-same', 'rollback', 'rollback-current'])
def test_sae_check_mode_predicts_exactly_and_changes_nothing(emulator_clean, args, changed, after_states):
    before = world_of(emulator_clean)
    check = app_operation(emulator_clean, args, cli_args=['--check'])
    assert check.rc == 0, check.output
    predicted = check.adhoc_result()
    assert predicted['changed'] is changed and predicted['change_order_ids'] == []
    assert world_of(emulator_clean) == before and alibaba_actions(emulator_clean) == []
    assert dict((app['id'], app['after']['state']) for app in predicted['applications'] if app['changed']) == after_states

    real = app_operation(emulator_clean, args)
    assert real.rc == 0, real.output
    outcome = real.adhoc_result()
    assert outcome['changed'] is changed and len(outcome['change_order_ids']) == (0 if not changed else 1)
    # The action call is returned with the platform's request id for it.
    assert [entry['operation'] for entry in outcome['requests']] == ([] if not changed else [logged_action_operation(emulator_clean)])
    assert all(len(entry['request_id']) == 36 for entry in outcome['requests'])
    # What check mode predicted is what the real run did, application by application (the raw status is only known after).
    assert [(app['id'], app['changed'], app['reason']) for app in outcome['applications']] == [
        (app['id'], app['changed'], app['reason']) for app in predicted['applications']]
    for real_app, predicted_app in zip(outcome['applications'], predicted['applications']):
        assert dict(real_app['after'], raw_state=None) == dict(predicted_app['after'], raw_state=None)


@pytest.mark.parametrize('args,changed,eccs', [
    (dict(action='start'), True, [ECC4]), (dict(action='stop', ecc_ids=[ECC4]), False, []),
    (dict(action='stop'), True, [ECC1, 'e1c2c3c4-0000-4000-8000-000000000002', 'e1c2c3c4-0000-4000-8000-000000000003']),
    (dict(action='restart', ecc_ids=[ECC1]), True, [ECC1]),
], ids=['start', 'stop-stopped-ecc', 'stop', 'restart-one'])
def test_edas_check_mode_predicts_exactly_and_changes_nothing(emulator_clean, args, changed, eccs):
    before = world_of(emulator_clean)
    check = app_operation(emulator_clean, dict(platform='edas', app_ids=[ORDERS], **args), cli_args=['--check', '--diff'])
    assert check.rc == 0, check.output
    predicted = check.adhoc_result()
    assert predicted['changed'] is changed and predicted['applications'][0]['ecc_ids'] == eccs
    assert world_of(emulator_clean) == before and alibaba_actions(emulator_clean) == []

    real = app_operation(emulator_clean, dict(platform='edas', app_ids=[ORDERS], **args)).adhoc_result()
    assert real['changed'] is changed and real['applications'][0]['ecc_ids'] == eccs
    assert [(ecc['id'], ecc['changed'], ecc['after']['state']) for ecc in real['instances']] == [
        (ecc['id'], ecc['changed'], ecc['after']['state']) for ecc in predicted['instances']]
    logged = alibaba_actions(emulator_clean)
    assert [entry['targets'] for entry in logged] == ([eccs] if changed else [])


def test_diff_shows_each_application_before_and_after(emulator_clean):
    run = app_operation(emulator_clean, dict(app_ids=[WORKER], action='scale', replicas=3), cli_args=['--diff'])
    assert run.rc == 0, run.output
    entry = run.adhoc_result()['applications'][0]
    assert (entry['before'], entry['after']) == ({'state': 'running', 'raw_state': 'RUNNING', 'replica': 2, 'version': None},
                                                 {'state': 'running', 'raw_state': 'RUNNING', 'replica': 3, 'version': None})
    assert '-        "replica": 2,' in run.stdout and '+        "replica": 3,' in run.stdout
    edas = app_operation(emulator_clean, dict(platform='edas', app_ids=[ORDERS], action='stop', ecc_ids=[ECC1]), cli_args=['--diff'])
    assert edas.rc == 0, edas.output
    assert '-        "raw_state": 7,' in edas.stdout and '+        "raw_state": 1,' in edas.stdout


def test_without_wait_the_order_is_returned_and_change_order_info_waits_for_it(emulator_clean):
    # Slow enough (the first batch takes 30 s) that the order still runs when the next process reads it, even on a busy
    # machine (10 s proved too short for the same pattern on CI); the time factor of an order is fixed when it starts.
    emulator_clean.settings(time_factor=1.5)
    started = app_operation(emulator_clean, dict(app_ids=[WEB], action='restart', wait=False))
    emulator_clean.settings(time_factor=0.05)
    assert started.rc == 0, started.output
    result = started.adhoc_result()
    assert result['changed'] is True and result['change_orders'] == [] and len(result['change_order_ids']) == 1
    order_id = result['change_order_ids'][0]
    assert module(emulator_clean, 'change_order_info', dict(platform='sae', change_order_id=order_id)).adhoc_result()['change_order']['terminal'] is False

    waited = module(emulator_clean, 'change_order_info', dict(platform='sae', change_order_id=order_id, wait_for_completion=True))
    order = waited.adhoc_result()['change_order']
    assert order['status'] == 'succeeded' and order['raw_status'] == 2 and order['type'] == 'CoRestartApplication'
    assert [pipeline['status'] for pipeline in order['pipelines']] == ['succeeded', 'succeeded'] and order['batch_count'] == 2
    # web has 8 instances in 2 batches: each batch's tasks are its 4 instances.
    assert [len(pipeline['tasks']) for pipeline in order['pipelines']] == [4, 4]
    assert emulator_clean.metrics()['max_unavailable'][WEB] == 4


def test_a_running_change_order_is_waited_for_rather_than_collided_with(emulator_clean):
    # The first order's first batch takes 30 s, so it surely still runs when the second task reads, even on a loaded machine
    # where starting an ad-hoc run takes seconds (with 10 s, CI once found it over); later batches are quick again.
    emulator_clean.settings(time_factor=1.5)
    first = app_operation(emulator_clean, dict(app_ids=[WEB], action='restart', wait=False)).adhoc_result()['change_order_ids'][0]
    emulator_clean.settings(time_factor=0.05)
    second = app_operation(emulator_clean, dict(app_ids=[WEB], action='restart'))
    assert second.rc == 0, second.output
    result = second.adhoc_result()
    assert result['waited_for_change_orders'] == [first] and result['change_orders'][0]['status'] == 'succeeded'
    assert result['change_order_ids'][0] != first
    emulator_clean.settings(time_factor=1.5)
    edas_first = app_operation(emulator_clean, dict(platform='edas', app_ids=[ORDERS], action='restart', wait=False)).adhoc_result()
    emulator_clean.settings(time_factor=0.05)
    assert edas_first['applications'][0]['ecc_ids'] == [ECC1, 'e1c2c3c4-0000-4000-8000-000000000002', 'e1c2c3c4-0000-4000-8000-000000000003']
    assert edas_first['instances'][3]['reason'] == 'ECC is stopped: a restart leaves it so (use action=start)'
    edas_second = app_operation(emulator_clean, dict(platform='edas', app_ids=[ORDERS], action='start')).adhoc_result()
    assert edas_second['waited_for_change_orders'] == edas_first['change_order_ids']
    # The restart left the stopped ECC alone; the start after it starts only that one.
    assert edas_second['applications'][0]['ecc_ids'] == [ECC4]


def test_a_failed_change_order_fails_the_task_with_its_task_messages(emulator_clean):
    emulator_clean.add_fault(kind='job_fail', platform='sae', target='api-5c8d7e6f4-d3e4f',
                             message='readiness probe failed: HTTP 503 on /healthz')
    run = app_operation(emulator_clean, dict(app_ids=[API], action='restart'))
    assert run.rc != 0
    result = run.adhoc_result()
    assert 'ended failed (Status 3)' in result['msg'] and 'api-5c8d7e6f4-d3e4f: readiness probe failed: HTTP 503 on /healthz' in result['msg']
    assert 'Traceback' not in run.output
    # change_order_info shows the same order: the failed batch's failed task and its message.
    info = module(emulator_clean, 'change_order_info', dict(platform='sae', application_id=API, limit=1, wait_for_completion=True)).adhoc_result()
    order = info['change_order']
    assert order['id'] == result['change_order_ids'][0] and order['status'] == 'failed' and order['terminal'] is True
    failed = [task for pipeline in order['pipelines'] for task in pipeline['tasks'] or [] if task['status'] == 'failed']
    assert [(task['name'], task['error_message']) for task in failed] == [
        ('Restart api-5c8d7e6f4-d3e4f', 'readiness probe failed: HTTP 503 on /healthz')]


def test_an_order_with_a_failed_batch_awaiting_rollback_counts_as_failed(emulator_clean):
    emulator_clean.add_fault(kind='never_healthy', platform='sae', target='worker-6b7c8d9e5-k7m8n')
    run = app_operation(emulator_clean, dict(app_ids=[WORKER], action='restart'))
    assert run.rc != 0
    assert 'ended failed (Status 1, SubStatus 1)' in run.adhoc_result()['msg']
    assert 'worker-6b7c8d9e5-k7m8n never became healthy' in run.adhoc_result()['msg']
    # SAE still runs that order (awaiting a manual rollback): a second action is refused rather than sent into a collision.
    again = app_operation(emulator_clean, dict(app_ids=[WORKER], action='restart'))
    assert again.rc != 0
    assert 'still running with a failed batch (Status 1, SubStatus 1): roll it back or abort it in the SAE console' in again.adhoc_result()['msg']
    assert emulator_clean.metrics()['requests']['sae:BatchRestartApplications'] == 1


def test_edas_partial_failure_fails_with_the_instance_messages(emulator_clean):
    emulator_clean.add_fault(kind='job_fail', platform='edas', target='e2c2c3c4-0000-4000-8000-000000000003', message='port 8080 never opened')
    run = app_operation(emulator_clean, dict(platform='edas', app_ids=[BILLING], action='restart', auto_confirm_batches=True))
    assert run.rc != 0
    msg = run.adhoc_result()['msg']
    assert 'ended partially_failed (Status 7)' in msg and 'port 8080 never opened' in msg


@pytest.mark.parametrize('platform,app_id', [('sae', CANARY), ('edas', BILLING)])
def test_manual_batches_end_the_wait_clearly_or_are_confirmed_when_asked(emulator_clean, platform, app_id):
    started = time.monotonic()
    run = app_operation(emulator_clean, dict(platform=platform, app_ids=[app_id], action='restart', wait_timeout=300))
    assert run.rc != 0 and time.monotonic() - started < 60  # ends at status 8, long before the timeout
    msg = run.adhoc_result()['msg']
    assert 'waits for manual confirmation of its next batch' in msg and 'auto_confirm_batches=true' in msg
    failed = run.adhoc_result()
    order_id = failed['change_order_ids'][0]
    assert failed['changed'] is True and failed['change_orders'][0]['id'] == order_id and failed['change_orders'][0]['status'] == 'waiting_confirmation'
    # The first batch ran, the second waits: half the instances were restarted.
    assert len(emulator_clean.metrics()['restarts']) == 2
    emulator_clean.admin('POST', 'jobs/%s/abort' % order_id)

    confirmed = app_operation(emulator_clean, dict(platform=platform, app_ids=[app_id], action='restart', auto_confirm_batches=True))
    assert confirmed.rc == 0, confirmed.output
    order = confirmed.adhoc_result()['change_orders'][0]
    assert order['status'] == 'succeeded' and len(order['confirmed_batches']) == 1


def test_an_order_awaiting_approval_ends_the_wait_clearly(emulator_clean):
    run = app_operation(emulator_clean, dict(app_ids=[GATED], action='restart', wait_timeout=300))
    assert run.rc != 0
    assert 'waits for approval: approve it in the SAE console' in run.adhoc_result()['msg']
    assert run.adhoc_result()['change_orders'][0]['raw_status'] == 11


def test_platform_errors_carry_code_message_and_request_id(emulator_clean):
    run = app_operation(emulator_clean, dict(app_ids=['6f1c2b3a-0000-4000-8000-000000000000'], action='stop'))
    assert run.rc != 0
    result = run.adhoc_result()
    assert 'InvalidApplication.NotFound' in result['msg'] and 'The current application does not exist.' in result['msg']
    assert result['error']['request_id'] and result['error']['request_id'] in result['msg']
    unknown_version = app_operation(emulator_clean, dict(app_ids=[WEB], action='rollback', version_id='v9'))
    assert unknown_version.rc != 0
    assert "no version 'v9' to roll back to; valid versions: %s, 7a1b2c3d-0001-4e5f-8a9b-0c1d2e3f4a01" % WEB_PREVIOUS in unknown_version.adhoc_result()['msg']
    assert alibaba_actions(emulator_clean) == []


def test_sae_instances_are_listed_across_groups_with_state_health_version_and_ip(emulator_clean):
    run = module(emulator_clean, 'instance_info', dict(platform='sae', application_id=WEB))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['count'] == 8 and {instance['state'] for instance in result['instances']} == {'running'}
    first = result['instances'][0]
    assert (first['id'], first['health'], first['raw_health'], first['ip'], first['version'], first['group_id']) == (
        'web-7d9f8c6b5-2xk8p', 'healthy', 'Healthy', '10.0.1.11', 'registry.cn-hangzhou.aliyuncs.com/demo/web:1.4.2', WEB + '-group')
    stopped = module(emulator_clean, 'instance_info', dict(platform='sae', application_id=BATCH)).adhoc_result()
    assert stopped['count'] == 0


def test_restarting_forty_applications_stays_within_the_sae_rate_limit(emulator_factory):
    fleet = emulator_factory(world=FLEET_WORLD, time_factor=0.05)
    names = ['svc-%02d' % number for number in range(1, 41)]
    run = app_operation(fleet, dict(namespace_id='cn-hangzhou:fleet', app_names=names, action='restart', wait_timeout=300))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['changed'] is True and len(result['change_order_ids']) == 1 and result['change_orders'][0]['status'] == 'succeeded'
    metrics = fleet.metrics()
    assert metrics['throttled_total'] == 0 and metrics['requests']['sae:BatchRestartApplications'] == 1
    assert len(metrics['restarts']) == 80 and set(metrics['restarts'].values()) == {1}


@pytest.mark.parametrize('platform,app_id,instance_ids,action', [
    ('sae', WEB, ['web-7d9f8c6b5-2xk8p', 'web-7d9f8c6b5-4jq7m'], 'restart'),
    ('edas', ORDERS, [ECC1], 'stop'),
    ('edas', ORDERS, [ECC4], 'start'),
])
def test_instance_action_check_mode_predicts_and_the_real_run_agrees(emulator_clean, platform, app_id, instance_ids, action):
    args = dict(platform=platform, application_id=app_id, instance_ids=instance_ids, action=action, wait_timeout=60)
    before = world_of(emulator_clean)
    check = module(emulator_clean, 'instance_action', args, cli_args=['--check'])
    assert check.rc == 0, check.output
    predicted = check.adhoc_result()
    assert predicted['changed'] is True and predicted['change_order_ids'] == []
    assert world_of(emulator_clean) == before and alibaba_actions(emulator_clean) == []
    real = module(emulator_clean, 'instance_action', args).adhoc_result()
    assert real['changed'] is True and len(real['change_order_ids']) == 1
    assert [(i['id'], i['after']['state']) for i in real['instances']] == [(i['id'], i['after']['state']) for i in predicted['instances']]
    assert [entry['targets'] for entry in alibaba_actions(emulator_clean)] == [instance_ids]
    if platform == 'edas':  # start and stop are idempotent: nothing to do the second time
        again = module(emulator_clean, 'instance_action', args).adhoc_result()
        assert again['changed'] is False and again['change_order_ids'] == []


def test_sae_instance_action_refuses_unknown_instances_and_other_actions(emulator_clean):
    unknown = module(emulator_clean, 'instance_action', dict(platform='sae', application_id=API, instance_ids=['api-nope'], action='restart'))
    assert unknown.rc != 0
    assert 'has no instance api-nope (known: api-5c8d7e6f4-a1b2c, api-5c8d7e6f4-d3e4f, api-5c8d7e6f4-g5h6j)' in unknown.adhoc_result()['msg']
    stop = module(emulator_clean, 'instance_action', dict(platform='sae', application_id=API, instance_ids=['api-5c8d7e6f4-a1b2c'], action='stop'))
    assert stop.rc != 0 and 'SAE instances can only be restarted' in stop.adhoc_result()['msg']
    assert alibaba_actions(emulator_clean) == []


def test_an_edas_failure_in_a_200_body_fails_the_task_with_code_message_and_request_id(emulator_clean):
    """EDAS may answer HTTP 200 and put the failure in the body's Code: the client checks both."""
    request = dict(platform='edas', method='POST', path='/pop/v5/changeorder/co_start', api_action='StartApplication',
                   query=dict(AppId=ORDERS, EccInfo='e1c2c3c4-0000-4000-8000-00000000dead'))
    run = module(emulator_clean, 'api_request', request)
    assert run.rc != 0
    result = run.adhoc_result()
    assert result['error']['status'] == 200 and str(result['error']['code']) == '400'
    assert 'does not belong to application %s' % ORDERS in result['msg'] and result['error']['request_id'] in result['msg']
    assert alibaba_actions(emulator_clean) == []
