# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError, PaasTransportError, PaasWaitTimeout
from ansible_collections.paas.ops.plugins.module_utils._waiter import CUTOFF, wait_until


class FakeClock:
    """Time that moves only when the waiter sleeps (plus a fixed cost per read)."""

    def __init__(self, read_cost=0.0):
        self.now = 100.0
        self.read_cost = read_cost
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def reader(values, clock):
    values = list(values)

    def read():
        clock.now += clock.read_cost
        item = values.pop(0)
        if isinstance(item, Exception):
            raise item
        return item
    return read


def test_returns_at_once_when_already_done():
    clock = FakeClock()
    result = wait_until(reader(['running'], clock), lambda v: v == 'running', timeout=10, clock=clock, sleep=clock.sleep)
    assert (result.value, result.elapsed, result.polls, clock.sleeps) == ('running', 0.0, 1, [])


def test_interval_grows_by_backoff_up_to_the_cap():
    clock = FakeClock()
    values = ['starting'] * 6 + ['running']
    result = wait_until(reader(values, clock), lambda v: v == 'running', timeout=100, interval=1, backoff=2, max_interval=5,
                        clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [1, 2, 4, 5, 5, 5]
    assert result.polls == 7 and result.elapsed == 22


def test_timeout_carries_the_last_observation_and_never_oversleeps():
    clock = FakeClock()
    with pytest.raises(PaasWaitTimeout) as caught:
        wait_until(reader(['a', 'b', 'c', 'd', 'e'], clock), lambda v: False, timeout=6, interval=2, backoff=2, max_interval=10,
                   description='component web to be running', clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [2, 4]
    assert caught.value.last == 'c' and caught.value.elapsed == 6 and caught.value.polls == 3
    assert 'component web to be running' in caught.value.msg and caught.value.details()['last'] == 'c'


def test_read_time_counts_against_the_deadline():
    clock = FakeClock(read_cost=3)
    with pytest.raises(PaasWaitTimeout):
        wait_until(reader(['x'] * 10, clock), lambda v: False, timeout=10, interval=1, clock=clock, sleep=clock.sleep)
    assert clock.now - 100.0 <= 10 + 3


def test_transient_errors_are_tolerated_within_the_deadline():
    clock = FakeClock()
    transient = PaasTransportError('sae', 'DescribeChangeOrder', 'connection reset')
    result = wait_until(reader([transient, 'running', 'succeeded'], clock), lambda v: v == 'succeeded', timeout=30, interval=1,
                        backoff=1, clock=clock, sleep=clock.sleep)
    assert result.value == 'succeeded' and result.polls == 2


def test_a_transient_error_at_the_deadline_is_raised():
    clock = FakeClock(read_cost=5)
    transient = PaasTransportError('sae', 'DescribeChangeOrder', 'connection reset')
    with pytest.raises(PaasTransportError):
        wait_until(reader([transient, transient, transient], clock), lambda v: True, timeout=8, interval=1, clock=clock, sleep=clock.sleep)


def test_other_errors_stop_the_wait():
    clock = FakeClock()
    with pytest.raises(PaasInputError):
        wait_until(reader([PaasInputError('bad')], clock), lambda v: True, timeout=30, clock=clock, sleep=clock.sleep)


@pytest.fixture
def cut():
    """The process-wide cut of every wait (a cancelled rollout's), undone after the test."""
    yield CUTOFF.cut
    CUTOFF.clear()


def test_a_cut_ends_a_long_wait_after_its_grace_polling_briskly_and_says_why(cut):
    clock = FakeClock()
    cut(3)
    with pytest.raises(PaasWaitTimeout) as caught:
        wait_until(reader(['running'] * 10, clock), lambda v: False, timeout=600, interval=1, backoff=2, max_interval=15,
                   description='change order co-1', clock=clock, sleep=clock.sleep)
    # The interval does not grow past the grace: the next reads come at once.
    assert clock.sleeps == [1, 2]
    assert str(caught.value.msg) == 'stopped waiting after 3.0s for change order co-1: the rollout was cancelled'


def test_without_a_cut_the_wait_keeps_its_own_deadline():
    clock = FakeClock()
    assert CUTOFF.grace is None
    with pytest.raises(PaasWaitTimeout) as caught:
        wait_until(reader(['running'] * 10, clock), lambda v: False, timeout=5, interval=1, backoff=2, max_interval=15,
                   description='x', clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [1, 2, 2] and caught.value.msg.startswith('timed out after 5.0s')
