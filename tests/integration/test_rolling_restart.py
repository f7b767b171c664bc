# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rolling_restart role's safety, as the emulator sees it: never more down than allowed, a failure stops the rollout
before the next batch with later targets untouched, a re-run resumes without restarting anything twice, faulted traffic
does not break it, stopped targets stay stopped, check mode restarts nothing."""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT, demo_world, run_module, run_playbook
from ansible_collections.paas.ops.tests.integration.rolling_world import (
    COMPONENTS, ECCS, INVENTORY, MALL, MALL_RUNNING, SHOP, STOREFRONT, STOREFRONT_INSTANCES, rollout)


def restarts(emulator):
    return emulator.metrics()['restarts']


def acted_on(emulator):
    """Every target id an action was sent for, in order."""
    return [target for entry in emulator.metrics()['actions'] for target in entry['targets']]


MAIN_VARS = {
    'sae': dict(rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size=3,
                rolling_restart_max_unavailable=3),
    'edas': dict(rolling_restart_platform='edas', rolling_restart_application_id=INVENTORY, rolling_restart_batch_size=3,
                 rolling_restart_max_unavailable=3),
    'servicestage': dict(rolling_restart_platform='servicestage', rolling_restart_application_id=SHOP, rolling_restart_batches=[1, '25%', '50%'],
                         rolling_restart_max_unavailable=4),
    'rainbond': dict(rolling_restart_platform='rainbond', rolling_restart_application_name='mall', rolling_restart_batch_size=4,
                     rolling_restart_max_unavailable='25%'),
}
# What is restarted (every running target once) and the application whose down count the emulator watches.
EXPECTED = {
    'sae': (STOREFRONT_INSTANCES, STOREFRONT, 3),
    'edas': (ECCS[:7], INVENTORY, 3),
    'servicestage': (COMPONENTS, SHOP, 4),
    'rainbond': (MALL_RUNNING, '1', 3),
}


@pytest.mark.parametrize('platform', sorted(MAIN_VARS))
def test_never_more_down_than_allowed_and_every_running_target_restarted_once(fleet, platform):
    run, result = rollout(fleet, **MAIN_VARS[platform])
    assert run.rc == 0, run.output
    expected, app_id, limit = EXPECTED[platform]
    assert restarts(fleet) == dict((target, 1) for target in expected)
    # The emulator's high-water mark of targets not running at once, stopped ones included.
    assert 0 < fleet.metrics()['max_unavailable'][app_id] <= limit
    assert sorted(result['restarted']) == sorted(expected) and result['failed'] == [] and result['untouched'] == []
    # The batch's task is named with its progress line.
    # One progress line per batch transition, printed by the engine as it happens, naming the application; no task per batch.
    assert re.search(r'^\[[^\]]+\] batch 1/%d: restarting ' % len(result['batches']), run.stdout, re.M)
    assert re.search(r'^\[[^\]]+\] batch %d/%d: done in [0-9.]+ s \(' % (len(result['batches']), len(result['batches'])), run.stdout, re.M)
    assert 'batch.yml' not in run.stdout
    assert 'rolling restart done: %d restarted, 0 failed' % len(expected) in run.stdout


def test_stopped_targets_are_skipped_and_count_against_max_unavailable(fleet):
    run, result = rollout(fleet, **MAIN_VARS['edas'])
    assert run.rc == 0, run.output
    # ECC 8 is stopped: it stays stopped, and with it down a batch of 3 is cut to 2 so that no more than 3 are down.
    assert [entry['id'] for entry in result['skipped']] == [ECCS[7]] and 'left as it is' in result['skipped'][0]['reason']
    assert [len(batch['targets']) for batch in result['batches']] == [2, 2, 2, 1]
    assert ECCS[7] not in acted_on(fleet)


def test_a_failure_stops_the_rollout_and_a_rerun_resumes_without_restarting_twice(fleet):
    # mall's 4th component (checkout) is in batch 2 of 4 batches of 3; it ends abnormal.
    fleet.add_fault(kind='job_fail', target=MALL[3], message='readiness probe failed: HTTP 503')
    variables = dict(rolling_restart_platform='rainbond', rolling_restart_application_name='mall', rolling_restart_batch_size=3)
    run, result = rollout(fleet, **variables)
    assert run.rc != 0
    assert 'rolling restart stopped after batch 2 of 4: failed %s' % MALL[3] in run.stdout and 'readiness probe failed: HTTP 503' in run.stdout
    # Batches 3 and 4 were never touched.
    assert sorted(set(acted_on(fleet))) == sorted(MALL[:6])
    assert result is None  # the role failed before the last task; the summary is in the failure message
    marker = re.search(r'rolling_restart_restarted_after=([0-9.]+)', run.stdout).group(1)

    fleet.admin('DELETE', 'faults')
    again, summary = rollout(fleet, rolling_restart_restarted_after=float(marker), **variables)
    assert again.rc == 0, again.output
    # The five restarted in the first run are skipped; checkout (failed) and the untouched ones are restarted now.
    assert sorted(summary['restarted']) == sorted([MALL[3]] + MALL[6:10] + MALL[11:])
    assert sorted(entry['id'] for entry in summary['skipped'] if 'marker' in entry['reason']) == sorted(MALL[:3] + MALL[4:6])
    counts = restarts(fleet)
    assert counts == dict([(sid, 1) for sid in MALL_RUNNING if sid != MALL[3]] + [(MALL[3], 2)])


def test_a_rollout_survives_a_fifth_of_responses_faulted(fleet):
    # 429, 503, connection resets and slow answers, each on every 20th Rainbond request at another offset: 20 % in all.
    for offset, spec in enumerate([dict(kind='http', status=429), dict(kind='http', status=503), dict(kind='reset'),
                                   dict(kind='delay', delay_seconds=1.5)]):
        fleet.add_fault(platform='rainbond', every=20, offset=offset * 5, **spec)
    run, result = rollout(fleet, rolling_restart_platform='rainbond', rolling_restart_application_name='mall', rolling_restart_batch_size=4)
    assert run.rc == 0, run.output
    assert restarts(fleet) == dict((sid, 1) for sid in MALL_RUNNING)
    fired = [fault['fired'] for fault in fleet.admin('GET', 'faults')['faults']]
    assert len(fired) == 4 and min(fired) > 0, fired


def test_check_mode_prints_the_plan_and_restarts_nothing(fleet):
    run, result = rollout(fleet, check=True, **MAIN_VARS['sae'])
    assert run.rc == 0, run.output
    assert 'plan: 12 of 12 instances in 4 batches (3, 3, 3, 3), max_unavailable 3' in run.stdout
    assert '] batch 4/4: would restart storefront-10, storefront-11, storefront-12; 3 down of max 3\n' in run.stdout
    assert fleet.metrics()['actions'] == [] and restarts(fleet) == {}
    assert result['batches'][0]['restarted'] == STOREFRONT_INSTANCES[:3]


def test_every_sae_application_of_a_namespace_restarted_once_unthrottled(fleet):
    run, result = rollout(fleet, rolling_restart_platform='sae', rolling_restart_namespace_id='cn-hangzhou:rolling', rolling_restart_batch_size=3)
    assert run.rc == 0, run.output
    assert len(result['restarted']) == 7 and len(result['batches']) == 3
    assert len(restarts(fleet)) == 24
    assert set(restarts(fleet).values()) == {1} and fleet.metrics()['throttled_total'] == 0


def test_the_main_job_runs_and_its_resume_restarts_nothing_twice(fleet):
    """playbooks/demo.yml, what ./scripts/demo runs, over the whole rolling world."""
    run = run_playbook(os.path.join(COLLECTION_ROOT, 'playbooks', 'demo.yml'), {'paas_endpoint': fleet.url}, timeout=300)
    assert run.rc == 0, run.output
    # A canary of storefront, paused for promotion; then promoted from its marker.
    assert re.search(r'^\[storefront\] paused for promotion after batch 1/4: continue with rolling_restart_restarted_after=\d+\.0$', run.stdout, re.M)
    assert 'storefront: a canary of 1, paused for promotion, then the other 11 from its marker' in run.stdout
    assert 'resume: all 12 storefront instances were restarted after the marker; none restarted again' in run.stdout
    metrics = fleet.metrics()
    # EDAS, ServiceStage and Rainbond side by side: each one's first action before the others' last.
    spans = [[entry['epoch'] for entry in metrics['actions'] if entry['platform'] == platform] for platform in ('edas', 'servicestage', 'rainbond')]
    assert all(min(one) < max(other) for one in spans for other in spans if one is not other)
    assert 'checkout: 3.2.0 on all 6 cells, 1 then 2 at a time' in run.stdout
    cells = ['55c0ce11-0000-4000-8000-00000000000%d' % n for n in range(1, 7)]
    # In batches of 1, 2, 2, 1 (the components of a batch are sent side by side, in any order).
    sent = [target for entry in metrics['actions'] if entry['operation'] == 'ModifyComponent' for target in entry['targets']]
    assert [sorted(sent[start:end]) for start, end in ((0, 1), (1, 3), (3, 5), (5, 6))] == [cells[0:1], cells[1:3], cells[3:5], cells[5:6]]
    # 12 + 7 + 12 + 11 targets restarted, and the 6 cells deployed, each exactly once; never more than each rollout's
    # max_unavailable down.
    assert len(metrics['restarts']) == 42 + 6 and set(metrics['restarts'].values()) == {1}
    limits = {'1': 4, SHOP: 4, STOREFRONT: 4, INVENTORY: 3, '55a90000-0000-4000-8000-0000000000c0': 2}
    assert sorted(metrics['max_unavailable']) == sorted(limits)
    assert all(1 <= metrics['max_unavailable'][app] <= limit for app, limit in limits.items()), metrics['max_unavailable']


@pytest.mark.parametrize('platform', ['edas', 'rainbond'])
def test_included_stopped_targets_are_started_first_and_the_others_restarted_once(fleet, platform):
    stopped = {'edas': ECCS[7], 'rainbond': MALL[10]}[platform]
    run, result = rollout(fleet, rolling_restart_include_stopped=True, **MAIN_VARS[platform])
    assert run.rc == 0, run.output
    expected, app_id, limit = EXPECTED[platform]
    assert sorted(result['restarted']) == sorted(expected + [stopped]) and result['failed'] == [] and result['skipped'] == []
    # The stopped target was started, in the first batch, and never restarted; every running one restarted once.
    assert result['batches'][0]['targets'][0] == stopped
    assert restarts(fleet) == dict((target, 1) for target in expected)
    started = [entry for entry in fleet.metrics()['actions'] if stopped in entry['targets']]
    action = started[0]['detail']['action'] if platform == 'rainbond' else started[0]['operation']
    assert len(started) == 1 and action == {'edas': 'StartApplication', 'rainbond': 'start'}[platform], started
    assert 0 < fleet.metrics()['max_unavailable'][app_id] <= limit


def test_states_narrow_the_rollout_to_targets_in_those_states(fleet):
    # Only the closed component, started: nothing running is planned, and check mode acts on nothing.
    run, result = rollout(fleet, check=True, rolling_restart_states=['stopped'], rolling_restart_include_stopped=True, **MAIN_VARS['rainbond'])
    assert run.rc == 0, run.output
    assert 'plan: 1 of 12 components in 1 batches (1)' in run.stdout
    assert result['restarted'] == [MALL[10]] and len(result['skipped']) == 11
    assert {entry['reason'] for entry in result['skipped']} == {'running: not among the states asked for (stopped)'}
    assert fleet.metrics()['actions'] == []


def test_batch_restart_shows_each_target_before_and_after_in_diff_mode(fleet):
    rainbond = demo_world()['rainbond']
    args = dict(platform='rainbond', endpoint=fleet.url, rainbond_token=rainbond['token'], team_id=rainbond['team'], region_name=rainbond['region'],
                application_name='mall', targets=[MALL[0], MALL[10]])
    # The callback renders the module's diff as a unified diff of before and after, per target id.
    planned = run_module('paas.ops.batch_restart', args, args=['--check', '--diff'])
    assert planned.rc == 0, planned.output
    assert '--- before\n+++ after\n' in planned.stdout
    # web would be restarted now; review is closed and left so (no line of it changes).
    assert re.search(r'^-\s+"restarted_at": null,?$', planned.stdout, re.M) and re.search(r'^\+\s+"restarted_at": \d{10},?$', planned.stdout, re.M)
    assert not re.search(r'^[-+]\s+"state"', planned.stdout, re.M)
    assert fleet.metrics()['actions'] == []
    done = run_module('paas.ops.batch_restart', dict(args, include_stopped=True), args=['--diff'])
    assert done.rc == 0, done.output
    assert re.search(r'^-\s+"state": "stopped",?$', done.stdout, re.M) and re.search(r'^\+\s+"state": "running",?$', done.stdout, re.M)
    assert restarts(fleet) == {MALL[0]: 1}
