# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rolling_restart role on SAE instances, EDAS ECCs and ServiceStage components when a fifth of the answers are faulted:
every target is restarted exactly once, an action whose outcome is unknown is adopted when the platform shows it took effect
and sent once more when it shows it did not. And a resumed EDAS rollout restarts nothing twice, EDAS's change orders saying
when each ECC was restarted."""

from __future__ import annotations

import re

import pytest

from ansible_collections.paas.ops.tests.integration.rolling_world import (
    COMPONENTS, ECCS, INVENTORY, SHOP, STOREFRONT, STOREFRONT_INSTANCES, rollout)

# platform -> (role variables, the targets restarted, the action's path and its name in the metrics).
ROLLOUTS = {
    'sae': (dict(rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size=3,
                 rolling_restart_max_unavailable=3), STOREFRONT_INSTANCES, '/restartInstances$', 'RestartInstances'),
    'edas': (dict(rolling_restart_platform='edas', rolling_restart_application_id=INVENTORY, rolling_restart_batch_size=3,
                  rolling_restart_max_unavailable=3), ECCS[:7], '/co_restart$', 'RestartApplication'),
    'servicestage': (dict(rolling_restart_platform='servicestage', rolling_restart_application_id=SHOP, rolling_restart_batches=[1, '25%', '50%'],
                          rolling_restart_max_unavailable=4), COMPONENTS, '/components/[^/]+/action$', 'UpdateComponentAction'),
}


def accepted(emulator, operation):
    """The targets of every action of ``operation`` the platform accepted (started a job for), in order."""
    return [entry['targets'] for entry in emulator.metrics()['actions'] if entry['operation'] == operation]


def fault_fifth_of_answers(emulator, platform, action_path):
    """About 20 % of the platform's answers faulted, and the first restart action certainly met with both unknown outcomes.

    The first action is refused with a 500 before it has any effect (the platform shows no new job or change order: it is
    sent once more), and the first action that gets through is applied and its connection reset (the new job or order shows
    it: adopted, not sent again).
    """
    emulator.add_fault(platform=platform, path=action_path, kind='http', status=503, count=1)
    emulator.add_fault(platform=platform, path=action_path, kind='reset', when='after', count=1)
    # Then 429, 503, connection resets after the answer was ready, and slow answers, each on every 20th request at another offset.
    for offset, spec in enumerate([dict(kind='http', status=429), dict(kind='http', status=503), dict(kind='reset', when='after'),
                                   dict(kind='delay', delay_seconds=1.0)]):
        emulator.add_fault(platform=platform, every=20, offset=offset * 5, **spec)


@pytest.mark.parametrize('platform', sorted(ROLLOUTS))
def test_a_rollout_with_a_fifth_of_answers_faulted_restarts_every_target_exactly_once(fleet, platform):
    variables, expected, action_path, operation = ROLLOUTS[platform]
    fault_fifth_of_answers(fleet, platform, action_path)
    run, result = rollout(fleet, **variables)
    assert run.rc == 0, run.output
    assert fleet.metrics()['restarts'] == dict((target, 1) for target in expected)
    assert sorted(result['restarted']) == sorted(expected) and result['failed'] == [] and result['untouched'] == []
    # One accepted action per batch (per target on ServiceStage), each target in exactly one.
    sent = accepted(fleet, operation)
    assert sorted(target for targets in sent for target in targets) == sorted(expected)
    assert len(sent) == (len(expected) if platform == 'servicestage' else len(result['batches']))
    fired = [fault['fired'] for fault in fleet.admin('GET', 'faults')['faults']]
    assert fired[:2] == [1, 1] and min(fired) > 0, fired
    assert fleet.metrics()['requests']['%s:%s' % (platform, operation)] >= len(sent) + 1


def test_a_resumed_edas_rollout_skips_the_eccs_its_change_orders_show_restarted_and_restarts_nothing_twice(fleet):
    # ECC 3 fails its restart in batch 2 (ECCs 3 and 4; the stopped ECC 8 counts as down, so batches are 2, 2, 2, 1).
    fleet.add_fault(kind='job_fail', target=ECCS[2], message='readiness probe failed: HTTP 503')
    variables = ROLLOUTS['edas'][0]
    run, result = rollout(fleet, **variables)
    assert run.rc != 0 and result is None
    stopped = re.search(r'rolling restart stopped after batch 2 of 4: failed (.*?); restarted (.*?); untouched (.*?); (change order .*?)\. Fix the cause',
                        run.stdout)
    assert stopped, run.output
    # The order failed at ECC 3 and restarted ECC 4: its per-instance details say so; the order is named once, after.
    assert stopped.group(1) == '%s (readiness probe failed: HTTP 503)' % ECCS[2]
    assert stopped.group(2) == ', '.join(ECCS[:2] + [ECCS[3]]) and stopped.group(3) == ', '.join(ECCS[4:7])
    assert re.match(r'change order [-0-9a-f]+ of application inventory ended partially_failed \(Status 7\)$', stopped.group(4)), stopped.group(4)
    assert sorted(set(target for targets in accepted(fleet, 'RestartApplication') for target in targets)) == ECCS[:4]
    marker = re.search(r'rolling_restart_restarted_after=([0-9.]+)', run.stdout).group(1)

    # Fixing the cause: the failed ECC (AppState 1 now, which a rollout leaves alone as stopped) is started again by hand.
    fleet.admin('DELETE', 'faults')
    fleet.admin('PATCH', 'units/' + ECCS[2], json={'state': 'running'})
    again, summary = rollout(fleet, rolling_restart_restarted_after=float(marker), **variables)
    assert again.rc == 0, again.output
    # ECCs 1, 2 and 4 were restarted after the marker: skipped. ECC 3's step failed, so it was not: restarted now.
    assert sorted(entry['id'] for entry in summary['skipped'] if 'marker' in entry['reason']) == ECCS[:2] + [ECCS[3]]
    assert sorted(summary['restarted']) == [ECCS[2]] + ECCS[4:7]
    assert fleet.metrics()['restarts'] == dict([(ecc, 1) for ecc in ECCS[:7] if ecc != ECCS[2]] + [(ECCS[2], 2)])
    # The restart times came from one change-order list per read and the restart orders it names.
    requests = fleet.metrics()['requests']
    assert requests['edas:ListRecentChangeOrder'] >= 1 and requests['edas:GetChangeOrderInfo'] >= 2
