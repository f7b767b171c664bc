# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a rollout says it did, against the emulator: the marker to resume from is the earliest one in force, so that
following its own instructions never restarts a target twice; a rollout that selects nothing fails unless told that is
fine; and a failed SAE or EDAS change order is blamed on the targets that failed, its message said once."""

from __future__ import annotations

import re

import pytest

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module
from ansible_collections.paas.ops.tests.integration.rolling_world import (
    COMPONENTS, ECCS, INVENTORY, SHOP, STOREFRONT, STOREFRONT_INSTANCES, rollout)

HUAWEI = demo_world()['huawei']
HUAWEI_KEYS = dict(huawei_access_key=HUAWEI['access_key'], huawei_secret_key=HUAWEI['secret_key'], huawei_project_id=HUAWEI['project_id'])
SHOP_ROLLOUT = dict(rolling_restart_platform='servicestage', rolling_restart_application_id=SHOP, rolling_restart_batches=[1, '25%', '50%'],
                    rolling_restart_max_unavailable=4)


def refuse_actions_on(emulator, component_id):
    """The platform refuses every action on one component (before it has any effect: nothing is restarted)."""
    emulator.add_fault(platform='servicestage', path='/components/%s/action$' % component_id, kind='http', status=400,
                       platform_code='SVCSTG.00100400', message='parameter invalid: injected refusal')


def printed_marker(run):
    # Ansible prints the failure twice (the error line and the task result): one marker, the same in both.
    found = set(re.findall(r'rolling_restart_restarted_after=([0-9.]+) to continue where it stopped', run.stdout))
    assert len(found) == 1, run.output
    return float(found.pop())


def test_three_runs_each_resuming_from_the_marker_the_last_printed_restart_every_target_exactly_once(fleet):
    # Run 1 (batches 1, 3, 6, 2): component 4, in batch 2, is refused; components 1 to 3 are restarted.
    refuse_actions_on(fleet, COMPONENTS[3])
    first, dummy = rollout(fleet, **SHOP_ROLLOUT)
    assert first.rc != 0 and 'failed %s' % COMPONENTS[3] in first.stdout, first.output
    marker_1 = printed_marker(first)
    assert fleet.metrics()['restarts'] == dict((component, 1) for component in COMPONENTS[:3])

    # Run 2 resumes from run 1's marker; this time component 8 is refused, after component 4 and a few more went through.
    fleet.admin('DELETE', 'faults')
    refuse_actions_on(fleet, COMPONENTS[7])
    second, dummy = rollout(fleet, rolling_restart_restarted_after=marker_1, **SHOP_ROLLOUT)
    assert second.rc != 0 and 'failed %s' % COMPONENTS[7] in second.stdout, second.output
    marker_2 = printed_marker(second)
    # The marker in force is run 1's: what run 1 restarted is still to be skipped by the next run.
    assert marker_2 == marker_1

    # Run 3 follows run 2's instructions: the rest, and only the rest, is restarted.
    fleet.admin('DELETE', 'faults')
    third, result = rollout(fleet, rolling_restart_restarted_after=marker_2, **SHOP_ROLLOUT)
    assert third.rc == 0, third.output
    assert fleet.metrics()['restarts'] == dict((component, 1) for component in COMPONENTS)
    assert result['marker'] == marker_1 and result['failed'] == [] and result['untouched'] == []
    # Every component was sent exactly one accepted restart over the three runs.
    accepted = [target for entry in fleet.metrics()['actions'] for target in entry['targets']]
    assert sorted(accepted) == sorted(COMPONENTS)


# platform -> (the rollout: batches of three, the first batch's targets, the one that fails).
ORDER_ROLLOUTS = {
    'sae': (dict(rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size=3),
            STOREFRONT_INSTANCES[:3], STOREFRONT_INSTANCES[1]),
    'edas': (dict(rolling_restart_platform='edas', rolling_restart_application_id=INVENTORY, rolling_restart_batch_size=3),
             ECCS[:3], ECCS[1]),
}


@pytest.mark.parametrize('platform', sorted(ORDER_ROLLOUTS))
def test_a_change_order_failing_one_instance_of_three_blames_that_one_and_says_its_message_once(fleet, platform):
    variables, batch, failing = ORDER_ROLLOUTS[platform]
    fleet.add_fault(kind='job_fail', platform=platform, target=failing, message='readiness probe failed: HTTP 503 on /healthz')
    run, dummy = rollout(fleet, **variables)
    assert run.rc != 0, run.output
    summary = re.search(r'"msg": "rolling restart stopped: (\d+) restarted, (\d+) failed, (\d+) skipped, (\d+) untouched', run.stdout)
    assert summary, run.output
    # The two the order restarted are restarted, the one it failed at is failed.
    assert summary.groups()[:2] == ('2', '1'), run.output
    stopped = re.search(r'fatal: .*"msg": "(rolling restart stopped after batch 1 of \d+: failed (.*?); restarted (.*?); untouched .*)"', run.stdout)
    assert stopped, run.output
    message, failed, restarted = stopped.groups()
    assert failed.startswith(failing + ' (') and restarted == ', '.join(target for target in batch if target != failing)
    # The instance's own message, once; the order named once.
    assert message.count('readiness probe failed: HTTP 503 on /healthz') == 1, message
    order_id = fleet.metrics()['actions'][0]['job_id']
    assert message.count(order_id) == 1, message
    assert fleet.metrics()['restarts'] == dict((target, 1) for target in batch)


@pytest.mark.parametrize('selection', [dict(rolling_restart_name_pattern='no-such-*'), dict(rolling_restart_states=['failed'])],
                         ids=['name_pattern', 'states'])
def test_a_rollout_that_selects_no_target_fails_unless_told_an_empty_fleet_is_fine(fleet, selection):
    run, result = rollout(fleet, **dict(SHOP_ROLLOUT, **selection))
    assert run.rc != 0 and result is None, run.output
    assert 'rolling restart: no target of the 12 components listed matches' in run.stdout, run.output
    assert 'rolling_restart_allow_empty=true' in run.stdout
    assert fleet.metrics()['actions'] == []

    allowed, result = rollout(fleet, rolling_restart_allow_empty=True, **dict(SHOP_ROLLOUT, **selection))
    assert allowed.rc == 0, allowed.output
    assert result['planned'] == 0 and result['restarted'] == [] and fleet.metrics()['actions'] == []


def test_batch_restart_refuses_an_empty_list_of_targets_unless_allowed(fleet):
    args = dict(platform='servicestage', endpoint=fleet.url, application_id=SHOP, targets=[], **HUAWEI_KEYS)
    refused = run_module('paas.ops.batch_restart', args)
    assert refused.rc != 0 and 'no targets given' in refused.adhoc_result()['msg'] and 'allow_empty=true' in refused.adhoc_result()['msg']
    allowed = run_module('paas.ops.batch_restart', dict(args, allow_empty=True))
    assert allowed.rc == 0, allowed.output
    result = allowed.adhoc_result()
    assert result['changed'] is False and result['targets'] == [] and result['restarted'] == []
    assert fleet.metrics()['actions'] == []
