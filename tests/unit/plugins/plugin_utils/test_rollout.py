# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rollout engine's own logic: progress lines, the failure policy across applications, the deadline, the summary.

Only where the batches run is replaced (a fleet in memory instead of the platform's API): the engine, the planner and
the policy are the real ones. The integration tests run it against the emulator through ansible-playbook.
"""

from __future__ import annotations

import threading

import pytest

from ansible_collections.paas.ops.plugins.action.rollout import SETTINGS
from ansible_collections.paas.ops.plugins.plugin_utils._rollout import ApplicationRollout, Batches, RolloutError, RunState, run_applications


def settings(**overrides):
    values = dict((name, spec.get('default')) for name, spec in SETTINGS.items())
    values['restarted_after'] = None
    values.update(overrides)
    return values


class MemoryFleet(Batches):
    """Targets in memory; ``fail`` names the targets whose restart fails."""

    def __init__(self, count, prefix='t', fail=(), stopped=(), on_batch=None):
        self.views = [dict(id='%s%02d' % (prefix, n), name='web-%02d' % n, kind='instance', state='stopped' if n in stopped else 'running',
                           restarted_at=None) for n in range(1, count + 1)]
        self.fail = set(fail)
        self.sent = []
        self.on_batch = on_batch

    def list(self, restart_times):
        return dict(application_id='app', instances=[dict(view) for view in self.views])

    def restart(self, ids, marker, max_unavailable, settings, timeout):
        self.sent.append(list(ids))
        if self.on_batch:
            self.on_batch(len(self.sent))
        targets = [dict(id=i, name=i, outcome='failed' if i in self.fail else 'restarted', msg='boom' if i in self.fail else None) for i in ids]
        # Restarted after any marker the tests give (they are below 200): a run resumed from it skips these.
        for view in self.views:
            if view['id'] in ids and view['id'] not in self.fail:
                view['restarted_at'] = 200.0
        return dict(targets=targets, restarted=[t['id'] for t in targets if t['outcome'] == 'restarted'],
                    failed_targets=[t['id'] for t in targets if t['outcome'] == 'failed'], skipped_targets=[], untouched_targets=[], order_messages=[],
                    seconds=0.1)


def rollout(fleet, lines, run=None, check_mode=False, label='shop', option_prefix='', **overrides):
    return ApplicationRollout(label, 'sae', settings(**overrides), fleet, lines.append, run or RunState(), 100.0, check_mode, option_prefix=option_prefix)


def test_each_batch_says_what_it_restarts_by_name_and_how_it_ended():
    lines = []
    fleet = MemoryFleet(4)
    summary = rollout(fleet, lines, batch_size=2, max_unavailable=2).run()
    assert fleet.sent == [['t01', 't02'], ['t03', 't04']]
    assert lines[0] == '[shop] plan: 4 of 4 instances in 2 batches (2, 2), max_unavailable 2'
    assert lines[1] == '[shop] batch 1/2: restarting web-01, web-02; 2 down of max 2'
    assert lines[2].startswith('[shop] batch 1/2: done in ') and lines[2].endswith(' s (2 restarted, 0 failed)')
    assert lines[3] == '[shop] batch 2/2: restarting web-03, web-04; 2 down of max 2'
    assert summary['restarted'] == ['t01', 't02', 't03', 't04'] and summary['untouched'] == [] and not summary['stopped_early']
    assert summary['marker'] == 100.0


def test_stopped_targets_are_started_and_check_mode_says_would():
    lines = []
    r = rollout(MemoryFleet(3, stopped=(1,)), lines, check_mode=True, batch_size=1, include_stopped=True)
    summary = r.run()
    assert '[shop] batch 1/3: would start web-01' in lines
    assert '[shop] batch 2/3: would restart web-02' in lines
    assert r.summary_line(summary) == 'rolling restart planned: would restart 3, 0 skipped, in 3 batches; marker 100.0'


def test_a_failure_stops_the_application_and_says_how_to_continue():
    lines = []
    r = rollout(MemoryFleet(6, fail=('t03',)), lines, batch_size=2)
    summary = r.run()
    assert len(summary['batches']) == 2 and summary['stopped_early']
    assert summary['untouched'] == ['t05', 't06']
    message = r.failure(summary)
    assert message.startswith('rolling restart stopped after batch 2 of 3: failed t03 (boom); restarted t01, t02, t04; untouched t05, t06.')
    assert message.endswith('run again with restarted_after=100.0 to continue where it stopped')
    assert any(line.startswith('[shop] batch 2/3: failed in ') and line.endswith(' s (1 restarted, 1 failed)') for line in lines)


def test_when_one_application_fails_the_others_finish_their_batch_then_stop():
    run = RunState()
    lines = []
    # shop fails in its first batch while mall's first batch is still running: mall's batch ends only once shop has stopped.
    mall_started = threading.Event()

    def mall_batch(count):
        if count == 1:
            mall_started.set()
            run._stop.wait(10)
    shop = rollout(MemoryFleet(4, prefix='s', fail=('s01',), on_batch=lambda count: mall_started.wait(10)), lines, run=run, label='shop')
    mall = rollout(MemoryFleet(4, prefix='m', on_batch=mall_batch), lines, run=run, label='mall')
    (shop_summary, shop_error), (mall_summary, mall_error) = run_applications([shop, mall], run, parallel=2)
    assert shop_error is None and mall_error is None
    assert [b['targets'] for b in shop_summary['batches']] == [['s01']]
    assert [b['targets'] for b in mall_summary['batches']] == [['m01']] and mall_summary['stopped_early']
    assert mall.failure(mall_summary).startswith('rolling restart stopped after batch 1 of 4 (shop stopped (1 failed)): failed none; restarted m01;')


def test_the_failure_policy_can_count_over_the_whole_run():
    run = RunState()
    a = ApplicationRollout('a', 'sae', settings(max_failed_targets=1), MemoryFleet(2, prefix='a', fail=('a01',)), [].append, run, 1.0, False,
                           failure_scope='run')
    b = ApplicationRollout('b', 'sae', settings(max_failed_targets=1), MemoryFleet(2, prefix='b', fail=('b01',)), [].append, run, 1.0, False,
                           failure_scope='run')
    (first, first_error), (second, second_error) = run_applications([a, b], run, parallel=1)
    assert first_error is None and second_error is None
    # One failure each is tolerated per application; over the run the second one is one too many.
    assert len(first['batches']) == 2 and len(second['batches']) == 1
    assert run.failed == 2 and run.reason == 'b stopped (2 failed over the run)'


def test_the_deadline_stops_the_run_before_the_next_batch():
    now = [0.0]
    run = RunState(deadline_seconds=30, clock=lambda: now[0])

    def tick(count):
        now[0] += 20
    lines = []
    r = rollout(MemoryFleet(3, on_batch=tick), lines, run=run)
    summary = r.run()
    assert len(summary['batches']) == 2 and summary['untouched'] == ['t03']
    assert 'the deadline of 30 s for the whole run was reached' in r.failure(summary)


def test_an_empty_selection_fails_naming_the_filters():
    r = ApplicationRollout('shop', 'sae', settings(name_pattern='api-*'), MemoryFleet(3), [].append, RunState(), 1.0, False, option_prefix='rolling_restart_')
    with pytest.raises(RolloutError) as raised:
        r.run()
    assert str(raised.value) == ('rolling restart: no target of the 3 instances listed matches rolling_restart_name_pattern api-*: nothing to restart. '
                                 'Check the application and the filters, or set rolling_restart_allow_empty=true if an empty fleet is fine')


def test_promote_after_pauses_successfully_after_the_canary_and_says_how_to_continue():
    lines = []
    fleet = MemoryFleet(5)
    r = rollout(fleet, lines, batches=[1, 2], promote_after=1, option_prefix='rolling_restart_')
    summary = r.run()
    assert fleet.sent == [['t01']]
    assert lines[-1] == '[shop] paused for promotion after batch 1/3: continue with rolling_restart_restarted_after=100.0'
    assert summary['promotion'] == dict(after_batch=1, batches=3, remaining_batches=2, remaining=['t02', 't03', 't04', 't05'], marker=100.0,
                                        continue_with='rolling_restart_restarted_after=100.0')
    # A pause is no failure: the task succeeds, and its summary says why it stopped.
    assert r.failure(summary) is None and summary['untouched'] == ['t02', 't03', 't04', 't05']
    assert r.summary_line(summary).startswith('rolling restart paused for promotion: 1 restarted, 0 failed, 0 skipped, 4 untouched, 1 of 3 batches in ')
    assert r.summary_line(summary).endswith('; marker 100.0; continue with rolling_restart_restarted_after=100.0')


def test_the_same_options_with_the_marker_finish_the_rollout_without_pausing_again_or_restarting_twice():
    fleet = MemoryFleet(5)
    rollout(fleet, [], batches=[1, 2], promote_after=1).run()
    lines = []
    resumed = rollout(fleet, lines, batches=[1, 2], promote_after=1, restarted_after=100.0)
    summary = resumed.run()
    # The resumed plan starts its ramp again (1, 2, 1): its batch 1 is not the canary, which was promoted by giving the marker.
    assert fleet.sent == [['t01'], ['t02'], ['t03', 't04'], ['t05']]
    assert '[shop] promotion: the canary (web-01) was restarted after the marker; not pausing again' in lines
    assert summary['promotion'] is None and not summary['stopped_early'] and resumed.failure(summary) is None
    assert [entry['id'] for entry in summary['skipped']] == ['t01']


def test_a_failed_canary_fails_the_run_and_its_resume_pauses_once_the_canary_is_through():
    fleet = MemoryFleet(4, fail=('t01',))
    first = rollout(fleet, [], batch_size=1, promote_after=1)
    summary = first.run()
    # The failure policy comes first: no pause, a failure that says how to continue.
    assert summary['promotion'] is None and first.failure(summary).startswith('rolling restart stopped after batch 1 of 4: failed t01 (boom)')
    fleet.fail = set()
    lines = []
    again = rollout(fleet, lines, batch_size=1, promote_after=1, restarted_after=100.0).run()
    # t01 was not restarted after the marker: it is still the canary, put through again before the pause.
    assert fleet.sent == [['t01'], ['t01']] and again['promotion']['after_batch'] == 1
    assert lines[-1] == '[shop] paused for promotion after batch 1/4: continue with restarted_after=100.0'


def test_a_larger_promote_after_on_resume_is_a_second_stage():
    fleet = MemoryFleet(6)
    rollout(fleet, [], batches=[1, 2], promote_after=1).run()
    # The canary of promote_after=2 is t01..t03 (batches 1 and 2 of the whole plan); t01 is done, t02 and t03 go next.
    second = rollout(fleet, [], batches=[1, 2], promote_after=2, restarted_after=100.0).run()
    assert fleet.sent == [['t01'], ['t02'], ['t03', 't04']]
    assert second['promotion']['after_batch'] == 2 and second['promotion']['remaining'] == ['t05', 't06']


def test_check_mode_says_where_it_would_pause_and_plans_every_batch():
    lines = []
    summary = rollout(MemoryFleet(3), lines, check_mode=True, batch_size=1, promote_after=1).run()
    assert '[shop] would pause for promotion after batch 1/3' in lines
    assert len(summary['batches']) == 3 and summary['promotion'] is None


def test_a_canary_as_large_as_the_plan_finishes_without_a_pause():
    summary = rollout(MemoryFleet(2), [], batch_size=1, promote_after=2).run()
    assert summary['promotion'] is None and len(summary['batches']) == 2 and not summary['stopped_early']


def test_the_failure_says_the_deadline_even_when_the_batch_it_cut_short_failed():
    now = [0.0]
    run = RunState(deadline_seconds=30, clock=lambda: now[0])

    def past_the_deadline(count):
        now[0] += 40
    fleet = MemoryFleet(3, fail=('t01',), on_batch=past_the_deadline)
    # The batch's failure alone would stop the run too: the deadline, reached first, is still what the message says.
    r = rollout(fleet, [], run=run)
    summary = r.run()
    assert fleet.sent == [['t01']] and run.deadline_reached
    assert r.failure(summary).startswith('rolling restart stopped after batch 1 of 3 (the deadline of 30 s for the whole run was reached): failed t01 (boom)')
    assert r.failure(summary).endswith('run again with restarted_after=100.0 to continue where it stopped')


class MemoryDeploys(MemoryFleet):
    """A rolling deploy in memory: ``on`` names the targets on the version already; rollbacks are recorded."""

    deploys = True

    def __init__(self, count, on=(), **kwargs):
        super().__init__(count, **kwargs)
        for view in self.views:
            view['on_version'] = view['id'] in on
            view['version'] = 'image web:2' if view['on_version'] else 'image web:1'
        self.rolled = []

    def restart(self, ids, marker, max_unavailable, settings, timeout):
        outcome = super().restart(ids, marker, max_unavailable, settings, timeout)
        for view in self.views:
            if view['id'] in outcome['restarted']:
                view['on_version'] = True
        return outcome

    def roll_back(self, ids, timeout):
        self.rolled.append(list(ids))
        return [dict(id=target_id, ok=target_id != 't99', msg='rolled back to image web:1') for target_id in ids]


def test_a_rolling_deploy_says_deploying_and_skips_the_targets_on_the_version():
    lines = []
    fleet = MemoryDeploys(4, on=('t02',))
    r = rollout(fleet, lines, batch_size=2)
    summary = r.run()
    assert fleet.sent == [['t01', 't03'], ['t04']]
    assert '[shop] skipped web-02: already runs image web:2' in lines
    assert '[shop] batch 1/2: deploying web-01, web-03' in lines
    assert summary['deployed'] == ['t01', 't03', 't04'] and summary['rolled_back'] == []
    assert r.summary_line(summary).startswith('rolling deploy done: 3 deployed, 0 failed, 1 skipped, 0 untouched, 2 of 2 batches in ')


def test_a_failed_batch_of_a_rolling_deploy_is_rolled_back_and_later_batches_are_untouched():
    lines = []
    fleet = MemoryDeploys(6, fail=('t04',))
    r = rollout(fleet, lines, batch_size=2, rollback_on_failure='batch')
    summary = r.run()
    assert fleet.sent == [['t01', 't02'], ['t03', 't04']]
    assert fleet.rolled == [['t03', 't04']]
    assert '[shop] rolling back batch 2: web-03, web-04' in lines
    assert any(line.startswith('[shop] rolled back 2 in ') and line.endswith(' s (0 failed)') for line in lines)
    assert summary['deployed'] == ['t01', 't02'] and summary['rolled_back'] == ['t03', 't04'] and summary['untouched'] == ['t05', 't06']
    message = r.failure(summary)
    assert message.startswith('rolling deploy stopped after batch 2 of 3: failed t04 (boom); deployed t01, t02; rolled back t03, t04; untouched t05, t06.')
    assert message.endswith('run again with restarted_after=100.0 or the same options to continue where it stopped')


def test_rollback_all_restores_every_target_the_run_deployed_and_none_leaves_them():
    fleet = MemoryDeploys(6, fail=('t04',))
    rollout(fleet, [], batch_size=2, rollback_on_failure='all').run()
    assert fleet.rolled == [['t01', 't02', 't03', 't04']]
    fleet = MemoryDeploys(6, fail=('t04',))
    rollout(fleet, [], batch_size=2).run()
    assert fleet.rolled == []


def test_a_resumed_rolling_deploy_does_not_pause_again_for_a_canary_already_on_the_version():
    lines = []
    fleet = MemoryDeploys(4, on=('t01',))
    summary = rollout(fleet, lines, batch_size=1, promote_after=1).run()
    assert '[shop] promotion: the canary (web-01) was deployed already; not pausing again' in lines
    assert summary['promotion'] is None and summary['deployed'] == ['t02', 't03', 't04']
