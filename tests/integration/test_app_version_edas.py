# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""paas.ops.app_version on EDAS as users run it: real ansible processes over HTTP against the emulator, whose action log and
world show what was sent and what the deploy groups run afterwards (read back with ListDeployGroup)."""

from __future__ import annotations

import os

import yaml

from ansible_collections.paas.ops.tests.integration.ansible_cli import run_module
from ansible_collections.paas.ops.tests.integration.test_alibaba_modules import BILLING, KEY, ORDERS, alibaba_actions, world_of

DEFAULT_WORLD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'emulator', 'worlds', 'default.yml')
ORDERS_GROUP = '9d8c7b6a-0000-4000-8000-0000000000f1'
BILLING_DEFAULT, BILLING_CANARY = '9d8c7b6a-0000-4000-8000-0000000000f2', '9d8c7b6a-0000-4000-8000-0000000000f3'
OSS = 'https://edas-demo.oss-cn-hangzhou.aliyuncs.com/'
ORDERS_172, ORDERS_180 = OSS + 'orders/orders-1.7.2.jar', OSS + 'orders/orders-1.8.0.jar'
BILLING_310 = OSS + 'billing/billing-3.1.0.war'
BROKEN, PROBE = '1.9.0-rc1', 'orders 1.9.0-rc1: /healthz answered 503'
NEVER_HEALTHY = '1.9.0-rc2'


def app_version(emulator, args, cli_args=()):
    module_args = dict(platform='edas', endpoint=emulator.url, wait_timeout=60, **KEY)
    module_args.update(args)
    return run_module('paas.ops.app_version', module_args, args=cli_args)


def deploy_groups(emulator, app_id):
    """ListDeployGroup of ``app_id`` as {GroupId: (PackageVersion, PackageUrl)}, signed and sent by the collection's own api_request."""
    run = run_module('paas.ops.api_request', dict(platform='edas', endpoint=emulator.url, method='POST', path='/pop/v5/app/deploy_group_list',
                                                  api_action='ListDeployGroup', query={'AppId': app_id}, **KEY))
    assert run.rc == 0, run.output
    return dict((group['GroupId'], (group['PackageVersion'], group['PackageUrl'])) for group in run.adhoc_result()['json']['DeployGroupList']['DeployGroup'])


def sent(emulator):
    """The operations of the actions the emulator logged, in order."""
    return [entry['operation'] for entry in alibaba_actions(emulator)]


def with_broken_version(emulator):
    """The default world, with an orders package whose first batch fails its health check, and one that never gets healthy
    (EDAS gives up on no ECC: its order runs until someone ends it)."""
    with open(DEFAULT_WORLD, encoding='utf-8') as handle:
        world = yaml.safe_load(handle)
    world['settings']['time_factor'] = 0.05
    world['bad_versions'] = [{'version': BROKEN, 'kind': 'fail_in_batch', 'batch': 1, 'message': PROBE},
                             {'version': NEVER_HEALTHY, 'kind': 'never_healthy'}]
    emulator.admin('PUT', 'world', json=world)


def test_a_deploy_changes_what_the_groups_run_and_a_second_run_changes_nothing(emulator_clean):
    args = dict(app_ids=[ORDERS], package_url=ORDERS_180, package_version='1.8.0', batch=2)
    run = app_version(emulator_clean, args)
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert (result['changed'], result['deployed'], result['unchanged'], result['failed_targets']) == (True, [ORDERS], [], [])
    (target,) = result['targets']
    assert (target['outcome'], target['msg']) == ('deployed', 'package 1.7.2 -> package 1.8.0')
    # Before: one ECC of four stopped; the deploy started it with the package.
    assert target['before'] == dict(image=None, package_url=ORDERS_172, package_version='1.7.2', version=None, state='degraded', raw_state='3/4 running')
    assert target['after'] == dict(image=None, package_url=ORDERS_180, package_version='1.8.0', version=None, state='running', raw_state='4/4 running')
    assert (target['job']['status'], target['job']['type'], target['job']['batch_count'], target['job']['batch_type']) == (
        'succeeded', 'Deploy application', 2, 'Automatic')
    assert [request['operation'] for request in result['requests']] == ['DeployApplication'] and result['requests'][0]['request_id']
    assert [(entry['operation'], entry['job_id']) for entry in alibaba_actions(emulator_clean)] == [('DeployApplication', target['job_id'])]
    assert deploy_groups(emulator_clean, ORDERS) == {ORDERS_GROUP: ('1.8.0', ORDERS_180)}

    again = app_version(emulator_clean, args)
    assert again.rc == 0, again.output
    second = again.adhoc_result()
    assert (second['changed'], second['unchanged'], second['deployed'], second['requests']) == (False, [ORDERS], [], [])
    assert second['targets'][0]['msg'] == 'already runs package 1.8.0'
    assert sent(emulator_clean) == ['DeployApplication']


def test_a_group_is_deployed_alone_and_all_groups_must_run_the_version(emulator_clean):
    canary = app_version(emulator_clean, dict(app_ids=[BILLING], group_id=BILLING_CANARY, package_url=BILLING_310, package_version='3.1.0'))
    assert canary.rc == 0, canary.output
    assert deploy_groups(emulator_clean, BILLING) == {BILLING_DEFAULT: ('3.0.0', OSS + 'billing/billing-3.0.0.war'), BILLING_CANARY: ('3.1.0', BILLING_310)}
    # Only the canary's ECCs were deployed (QueryApplicationStatus of its group alone).
    assert canary.adhoc_result()['targets'][0]['after']['raw_state'] == '2/2 running'

    # Every group: the default group runs another version, so the application does not run 3.1.0 as a whole.
    every = app_version(emulator_clean, dict(app_ids=[BILLING], package_url=BILLING_310, package_version='3.1.0'))
    assert every.rc == 0, every.output
    target = every.adhoc_result()['targets'][0]
    assert (target['outcome'], target['before']['package_version'], target['after']['package_version']) == ('deployed', None, '3.1.0')
    assert set(deploy_groups(emulator_clean, BILLING).values()) == {('3.1.0', BILLING_310)}
    assert app_version(emulator_clean, dict(app_ids=[BILLING], package_url=BILLING_310, package_version='3.1.0')).adhoc_result()['changed'] is False
    assert sent(emulator_clean) == ['DeployApplication', 'DeployApplication']


def test_check_mode_is_exact_and_leaves_the_emulator_untouched(emulator_clean):
    before = world_of(emulator_clean)
    check = app_version(emulator_clean, dict(app_ids=[ORDERS, BILLING], package_url=ORDERS_180, package_version='3.0.0'), cli_args=['--check', '--diff'])
    assert check.rc == 0, check.output
    result = check.adhoc_result()
    # billing runs 3.0.0 in every group already; orders would be deployed, and predicted running it.
    assert (result['changed'], result['deployed'], result['unchanged'], result['requests']) == (True, [ORDERS], [BILLING], [])
    assert [(target['id'], target['changed'], target['job_id']) for target in result['targets']] == [(ORDERS, True, None), (BILLING, False, None)]
    assert result['targets'][0]['after'] == dict(image=None, package_url=ORDERS_180, package_version='3.0.0', version=None, state='running',
                                                 raw_state=None)
    assert '-        "package_version": "1.7.2",' in check.stdout and '+        "package_version": "3.0.0",' in check.stdout
    assert world_of(emulator_clean) == before and alibaba_actions(emulator_clean) == []

    same = app_version(emulator_clean, dict(app_ids=[ORDERS], package_url=ORDERS_172, package_version='1.7.2'), cli_args=['--check'])
    assert same.rc == 0 and same.adhoc_result()['changed'] is False
    assert world_of(emulator_clean) == before and alibaba_actions(emulator_clean) == []


def test_diff_shows_the_package_and_state_before_and_after(emulator_clean):
    run = app_version(emulator_clean, dict(app_ids=[ORDERS], package_url=ORDERS_180, package_version='1.8.0'), cli_args=['--diff'])
    assert run.rc == 0, run.output
    for line in ('-        "package_url": "%s",' % ORDERS_172, '+        "package_url": "%s",' % ORDERS_180,
                 '-        "package_version": "1.7.2",', '+        "package_version": "1.8.0",',
                 '-        "raw_state": "3/4 running",', '+        "raw_state": "4/4 running",',
                 '-        "state": "degraded",', '+        "state": "running",'):
        assert line in run.stdout, run.stdout


def test_refusals_send_nothing(emulator_clean):
    image = app_version(emulator_clean, dict(app_ids=[ORDERS], image='registry.example.com/orders:1.8.0'))
    assert image.rc != 0 and 'EDAS deploys packages here' in image.adhoc_result()['msg']
    unversioned = app_version(emulator_clean, dict(app_ids=[ORDERS], package_url=ORDERS_180))
    assert unversioned.rc != 0 and 'give package_url and package_version' in unversioned.adhoc_result()['msg']
    long = app_version(emulator_clean, dict(app_ids=[ORDERS], package_url=ORDERS_180, package_version='v' * 65))
    assert long.rc != 0 and 'at most 64 characters' in long.adhoc_result()['msg']
    wait = app_version(emulator_clean, dict(app_ids=[ORDERS], package_url=ORDERS_180, package_version='1.8.0', batch_wait_time=6))
    assert wait.rc != 0 and 'batch_wait_time is in minutes, 0 to 5' in wait.adhoc_result()['msg']
    group = app_version(emulator_clean, dict(app_ids=[ORDERS], group_id=BILLING_CANARY, package_url=ORDERS_180, package_version='1.8.0'))
    assert group.rc != 0
    assert group.adhoc_result()['msg'] == 'application orders has no deploy group %s (its groups: %s (_DEFAULT_GROUP))' % (BILLING_CANARY, ORDERS_GROUP)
    assert alibaba_actions(emulator_clean) == []


def test_a_failing_version_fails_the_task_with_its_messages(emu):
    with_broken_version(emu)
    run = app_version(emu, dict(app_ids=[ORDERS], package_url=OSS + 'orders/orders-%s.jar' % BROKEN, package_version=BROKEN))
    assert run.rc != 0, run.output
    result = run.adhoc_result()
    order_id = result['targets'][0]['job_id']
    # The order's own message first, then each failed ECC's (the batch failed on every one of them).
    assert result['msg'].startswith('deploy of package %s failed on 1 target: orders: change order %s of application orders ended failed (Status 3): %s; '
                                    % (BROKEN, order_id, PROBE)), result['msg']
    assert 'deploy 192.168.0.11: %s' % PROBE in result['msg']
    assert (result['failed_targets'], result['rolled_back'], result['targets'][0]['outcome'], result['targets'][0]['job']['status']) == (
        [ORDERS], [], 'failed', 'failed')
    # The group still runs what it ran; nothing but the deploy was sent.
    assert deploy_groups(emu, ORDERS) == {ORDERS_GROUP: ('1.7.2', ORDERS_172)}
    assert sent(emu) == ['DeployApplication']


def test_rollback_on_failure_puts_the_groups_back_on_the_old_package_and_still_fails(emu):
    with_broken_version(emu)
    run = app_version(emu, dict(app_ids=[ORDERS], package_url=OSS + 'orders/orders-%s.jar' % BROKEN, package_version=BROKEN, rollback_on_failure=True))
    assert run.rc != 0, run.output
    result = run.adhoc_result()
    (target,) = result['targets']
    assert (result['failed_targets'], result['rolled_back'], target['outcome']) == ([ORDERS], [ORDERS], 'rolled_back')
    rollback = target['rollback']
    assert (rollback['ok'], rollback['version'], rollback['msg']) == (
        True, dict(package_url=ORDERS_172, package_version='1.7.2'), 'rolled back to package 1.7.2')
    assert result['msg'].endswith('%s (rolled back to package 1.7.2); rolled back: orders' % PROBE), result['msg']
    assert [request['operation'] for request in result['requests']] == ['DeployApplication', 'RollbackApplication']
    assert [(entry['operation'], entry['job_id']) for entry in alibaba_actions(emu)] == [('DeployApplication', target['job_id']),
                                                                                         ('RollbackApplication', rollback['job_id'])]
    assert deploy_groups(emu, ORDERS) == {ORDERS_GROUP: ('1.7.2', ORDERS_172)}
    assert (target['after']['package_version'], target['after']['state']) == ('1.7.2', 'running')
    # What it ran before, and runs again: the rollback started the ECC that was stopped, as the deploy would have.
    assert (target['before']['package_version'], target['before']['raw_state'], target['after']['raw_state']) == ('1.7.2', '3/4 running', '4/4 running')


def test_a_deploy_still_running_at_the_deadline_is_aborted_and_rolled_back(emu):
    with_broken_version(emu)
    run = app_version(emu, dict(app_ids=[ORDERS], package_url=OSS + 'orders/orders-%s.jar' % NEVER_HEALTHY, package_version=NEVER_HEALTHY,
                                rollback_on_failure=True, wait_timeout=10))
    assert run.rc != 0, run.output
    result = run.adhoc_result()
    (target,) = result['targets']
    assert (result['failed_targets'], result['rolled_back'], target['outcome'], target['rollback']['ok']) == ([ORDERS], [ORDERS], 'rolled_back', True)
    assert 'not up on package %s within the timeout' % NEVER_HEALTHY in target['msg']
    # The deploy's order held the application: aborted first, since EDAS runs one order per application at a time.
    assert sent(emu) == ['DeployApplication', 'AbortChangeOrder', 'RollbackApplication']
    assert emu.job(target['job_id'])['status'] == 'aborted'
    assert deploy_groups(emu, ORDERS) == {ORDERS_GROUP: ('1.7.2', ORDERS_172)}
    assert (target['after']['package_version'], target['after']['state'], target['after']['raw_state']) == ('1.7.2', 'running', '4/4 running')


def test_without_app_ids_every_application_of_the_region_is_in_scope(emulator_clean):
    check = app_version(emulator_clean, dict(package_url=BILLING_310, package_version='3.0.0'), cli_args=['--check'])
    assert check.rc == 0, check.output
    result = check.adhoc_result()
    assert (result['deployed'], result['unchanged']) == ([ORDERS], [BILLING])
    assert emulator_clean.metrics()['requests']['edas:ListApplication'] == 1 and alibaba_actions(emulator_clean) == []


def test_a_rolling_deploy_through_the_region_puts_the_package_on_each_batch_and_resumes_with_nothing_to_do(emulator_clean):
    # The rollout confirms batches itself (auto_confirm_batches defaults to true there): each order is sent with manual batches
    # (ReleaseType 1) and confirmed as it is followed.
    args = dict(platform='edas', endpoint=emulator_clean.url, targets=[ORDERS, BILLING], package_url=BILLING_310, package_version='3.1.0', batch=2,
                batch_size=1, **KEY)
    run = run_module('paas.ops.rollout', args)
    assert run.rc == 0, run.output
    result = run.adhoc_result()['rolling_restart_result']
    assert result['deployed'] == [ORDERS, BILLING] and [batch['targets'] for batch in result['batches']] == [[ORDERS], [BILLING]]
    assert sent(emulator_clean) == ['DeployApplication', 'ContinuePipeline', 'DeployApplication', 'ContinuePipeline']
    assert set(deploy_groups(emulator_clean, BILLING).values()) == {('3.1.0', BILLING_310)}
    assert deploy_groups(emulator_clean, ORDERS) == {ORDERS_GROUP: ('3.1.0', BILLING_310)}
    again = run_module('paas.ops.rollout', args)
    assert again.rc == 0, again.output
    resumed = again.adhoc_result()['rolling_restart_result']
    assert [(entry['id'], entry['reason']) for entry in resumed['skipped']] == [(ORDERS, 'already runs package 3.1.0'), (BILLING, 'already runs package 3.1.0')]
    assert len(sent(emulator_clean)) == 4
