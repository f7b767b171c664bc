# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rolling_plan filter: batch sizes, ramps, max_unavailable, what is skipped and why."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.paas.ops.plugins.filter.rolling_plan import FilterModule, rolling_plan


def fleet(count, **states):
    return [dict(id='t%02d' % n, name='web-%02d' % n, state=states.get('t%02d' % n, 'running'), restarted_at=None) for n in range(1, count + 1)]


def ids(plan):
    return [[target['id'] for target in batch] for batch in plan['batches']]


def test_the_filter_is_registered():
    assert FilterModule().filters()['rolling_plan'] is rolling_plan


def test_even_batches_by_count_and_by_percentage():
    assert rolling_plan(fleet(5), batch_size=2)['sizes'] == [2, 2, 1]
    assert rolling_plan(fleet(10), batch_size='25%')['sizes'] == [3, 3, 3, 1]
    assert ids(rolling_plan(fleet(3)))[0] == ['t01']


def test_a_ramp_with_a_canary_repeats_its_last_size():
    plan = rolling_plan(fleet(12), batches=[1, '25%', '50%'])
    assert plan['sizes'] == [1, 3, 6, 2] and ids(plan)[0] == ['t01'] and plan['eligible'] == 12


def test_max_unavailable_cuts_batches_and_counts_targets_already_down():
    assert rolling_plan(fleet(8), batch_size=4, max_unavailable=3)['sizes'] == [3, 3, 2]
    plan = rolling_plan(fleet(8, t08='stopped'), batch_size=3, max_unavailable=3)
    assert plan['sizes'] == [2, 2, 2, 1] and plan['down'] == ['t08'] and plan['max_unavailable'] == 3
    assert rolling_plan(fleet(8), batch_size=8, max_unavailable='25%')['sizes'] == [2, 2, 2, 2]


def test_no_room_at_all_is_refused_naming_what_is_down():
    with pytest.raises(AnsibleFilterError, match=r'max_unavailable=1 allows 1 down at once, and 1 are down already \(t02\)'):
        rolling_plan(fleet(3, t02='stopped'), max_unavailable=1)


def test_stopped_and_never_deployed_targets_are_skipped_unless_included():
    plan = rolling_plan(fleet(4, t02='stopped', t03='not_deployed'), batch_size=10)
    assert ids(plan) == [['t01', 't04']]
    assert [(s['id'], s['reason']) for s in plan['skipped']] == [
        ('t02', 'stopped: left as it is (include_stopped is false)'), ('t03', 'not_deployed: nothing to restart')]
    # Included, stopped targets come first: starting them takes nothing down.
    assert ids(rolling_plan(fleet(4, t03='stopped'), batch_size=10, include_stopped=True)) == [['t03', 't01', 't02', 't04']]
    assert ids(rolling_plan(fleet(2, t02='not_deployed'), batch_size=10, include_stopped=True)) == [['t01']]


def test_included_stopped_targets_count_as_down_until_their_batch_started_them():
    # Three stopped, max_unavailable 2: the first batch starts two; the second starts the third and restarts one running
    # target (down at once: the one being started and the one restarted).
    targets = fleet(6, t04='stopped', t05='stopped', t06='stopped')
    assert ids(rolling_plan(targets, batch_size=2, max_unavailable=2, include_stopped=True)) == [['t04', 't05'], ['t06', 't01'], ['t02', 't03']]
    # max_unavailable 1: stopped targets alone need no room, running ones go one by one once none is left to start.
    assert ids(rolling_plan(targets, batch_size=2, max_unavailable=1, include_stopped=True)) == [['t04', 't05'], ['t06'], ['t01'], ['t02'], ['t03']]
    # Down targets outside the plan still leave no room for running ones, but stopped ones can be started.
    with pytest.raises(AnsibleFilterError, match='no room for any batch'):
        rolling_plan(fleet(3, t01='failed', t02='stopped'), max_unavailable=1, include_stopped=True, only=['t02', 't03'])
    assert ids(rolling_plan(fleet(2, t01='failed', t02='stopped'), max_unavailable=1, include_stopped=True, only=['t02'])) == [['t02']]


def test_only_targets_in_the_states_asked_for_are_planned():
    plan = rolling_plan(fleet(4, t02='degraded', t04='failed'), batch_size=10, states=['degraded', 'failed'])
    assert ids(plan) == [['t02', 't04']]
    assert [(s['id'], s['reason']) for s in plan['skipped']] == [
        ('t01', 'running: not among the states asked for (degraded, failed)'), ('t03', 'running: not among the states asked for (degraded, failed)')]
    assert ids(rolling_plan(fleet(2), batch_size=10, states=[])) == [['t01', 't02']]


def test_targets_restarted_after_the_marker_are_skipped():
    targets = fleet(4)
    targets[0]['restarted_at'] = 2000.0
    targets[1]['restarted_at'] = 500.0
    plan = rolling_plan(targets, batch_size=10, restarted_after=1000)
    assert ids(plan) == [['t02', 't03', 't04']] and plan['skipped'] == [dict(id='t01', name='web-01', reason='restarted already, after the marker')]


def test_only_some_targets_by_id_or_name():
    assert ids(rolling_plan(fleet(5), batch_size=10, only=['t04', 't02'])) == [['t02', 't04']]
    assert ids(rolling_plan(fleet(12), batch_size=10, name='web-1*')) == [['t10', 't11', 't12']]
    with pytest.raises(AnsibleFilterError, match='no target nope among the 5 listed'):
        rolling_plan(fleet(5), only=['nope'])


@pytest.mark.parametrize('size', [0, -1, '0%', '101%', 'many', '%'])
def test_bad_sizes_are_refused(size):
    with pytest.raises(AnsibleFilterError, match='batch_size must be a count of 1 or more or a percentage'):
        rolling_plan(fleet(3), batch_size=size)


def test_the_input_must_be_the_instance_list():
    with pytest.raises(AnsibleFilterError, match='takes the list of targets'):
        rolling_plan({'instances': []})
