# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The safe cancel of a rollout: a real signal to this process (or a new parent) while a batch waits for its change order.

Only the platform is in memory (an order that runs until it is aborted, waited for with the real waiter); the engine, the
run state, the waits' cut and the cancel are the real ones. The integration tests cancel real ansible-playbook and
ansible-runner processes (tests/integration/test_rollout_cancel.py, tests/packaging/test_rollout_runner.py).
"""

from __future__ import annotations

import os
import signal
import threading

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _errors
from ansible_collections.paas.ops.plugins.module_utils._waiter import CUTOFF, wait_until
from ansible_collections.paas.ops.plugins.plugin_utils import _cancel
from ansible_collections.paas.ops.plugins.plugin_utils._cancel import Cancel
from ansible_collections.paas.ops.plugins.plugin_utils._rollout import ApplicationRollout, Batches, RunState, run_applications
from ansible_collections.paas.ops.tests.unit.plugins.plugin_utils.test_rollout import settings


class OrderFleet(Batches):
    """A fleet whose batch is one change order; the order of batch ``hold`` runs until it is aborted (each of its targets
    then 'not reached'), the others end at once. ``in_flight``/``abort`` as ControllerBatches has them."""

    def __init__(self, count, hold=2, batch=4):
        self.views = [dict(id='i%02d' % n, name='web-%02d' % n, kind='instance', state='running', restarted_at=None) for n in range(1, count + 1)]
        self.hold = hold
        self.sent = []
        self.orders = []
        self.aborted = []
        self.running = []
        self.holding = threading.Event()

    def list(self, restart_times):
        return dict(application_id='app', instances=[dict(view) for view in self.views])

    def in_flight(self):
        return list(self.running)

    def abort(self, order_ids=None):
        # Without ids: those the last batch left running; none here, each order has ended (or was aborted) by its batch's end.
        found = [order for order in order_ids or [] if order not in self.aborted]
        self.aborted += found
        return found

    def restart(self, ids, marker, max_unavailable, settings, timeout):
        self.sent.append(list(ids))
        order = 'co-%d' % len(self.sent)
        self.orders.append(order)
        self.running = [order]
        if len(self.sent) == self.hold:
            self.holding.set()
            try:
                # A long interval: only the cancel's wake of the sleep lets the wait see the abort before the grace is over.
                wait_until(lambda: order in self.aborted, lambda aborted: aborted, timeout, interval=60.0, description='change order %s' % order)
            except _errors.PaasWaitTimeout:
                pass
        self.running = []
        untouched = list(ids) if order in self.aborted else []
        restarted = [i for i in ids if i not in untouched]
        return dict(targets=[dict(id=i, outcome='untouched' if i in untouched else 'restarted') for i in ids], restarted=restarted, failed_targets=[],
                    skipped_targets=[], untouched_targets=untouched, order_messages=[], seconds=0.1)


def cancelled_run(fleet, lines, interrupt, **overrides):
    """A rollout of ``fleet`` in batches of 4, ``interrupt()`` called once batch 2's order is in flight."""
    run = RunState()
    rollouts = [ApplicationRollout('shop', 'sae', settings(batch_size=4, **overrides), fleet, lines.append, run, 100.0, False,
                                   option_prefix='rolling_restart_')]
    exits = []
    cancel = Cancel(run, rollouts, 100.0, lines.append, option_prefix='rolling_restart_', wait_seconds=2.0, exit=exits.append)

    def when_holding():
        fleet.holding.wait(30)
        interrupt()
    threading.Thread(target=when_holding, daemon=True).start()
    outcomes = cancel.supervise(lambda: run_applications(rollouts, run))
    return cancel, outcomes, exits


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_a_signal_in_batch_2_aborts_its_order_sends_nothing_more_and_says_how_to_go_on(signum):
    before = signal.getsignal(signum)
    fleet, lines = OrderFleet(12), []

    cancel, outcomes, exits = cancelled_run(fleet, lines, lambda: os.kill(os.getpid(), signum))

    assert fleet.sent == [['i01', 'i02', 'i03', 'i04'], ['i05', 'i06', 'i07', 'i08']]
    assert fleet.aborted == ['co-2']
    name = signal.Signals(signum).name
    assert lines[0] == 'rolling restart marker 100.0: a run that stops or is cancelled goes on with rolling_restart_restarted_after=100.0'
    assert '[shop] cancelled (%s): stopping; aborting change order co-2' % name in lines
    assert lines[-1] == ('[shop] cancelled (%s): 4 restarted (web-01, web-02, web-03, web-04); in flight: batch 2/3 (web-05, web-06, web-07, web-08): '
                         '4 not reached; aborted change order co-2; go on with rolling_restart_restarted_after=100.0' % name)
    # No line per poll: after the plan, each batch's start and end, then the cancel's two lines.
    assert len([line for line in lines if ' batch ' in line and ': restarting ' in line]) == 2
    (summary, error), = outcomes
    assert error is None and summary['restarted'] == ['i01', 'i02', 'i03', 'i04'] and summary['stopped_early']
    assert sorted(summary['untouched']) == ['i%02d' % n for n in range(5, 13)]
    assert cancel.message() == ('rolling restart cancelled (%s), aborted change order co-2; run again with rolling_restart_restarted_after=100.0 to go on '
                                'where it stopped' % name)
    # The controller is still there (the signal came to this process only): the task returns its result.
    assert exits == []
    # The worker's own handlers are back, and the waits of this process are no longer cut.
    assert signal.getsignal(signum) is before and CUTOFF.grace is None


def test_the_death_of_the_controller_cancels_like_a_signal_and_then_the_worker_exits(monkeypatch):
    fleet, lines = OrderFleet(12), []
    parent = [os.getppid()]
    monkeypatch.setattr(_cancel.os, 'getppid', lambda: parent[0])

    def controller_killed():
        # ansible-runner's cancel: killpg(SIGKILL) of ansible-playbook, whose worker is then a child of init.
        parent[0] = 1
    cancel, _outcomes, exits = cancelled_run(fleet, lines, controller_killed)

    assert fleet.aborted == ['co-2'] and len(fleet.sent) == 2
    assert cancel.reason == 'cancelled (the controller process ended: an ansible-runner cancel kills it)'
    assert lines[-1].endswith('; aborted change order co-2; go on with rolling_restart_restarted_after=100.0')
    # Nobody is left to read the result: the worker exits once its cleanup is done.
    assert exits == [1]


def test_without_abort_on_cancel_the_order_is_waited_for_briefly_and_left_running():
    fleet, lines = OrderFleet(12), []

    cancel, outcomes, _exits = cancelled_run(fleet, lines, lambda: os.kill(os.getpid(), signal.SIGTERM), abort_on_cancel=False)

    assert fleet.aborted == [] and len(fleet.sent) == 2
    assert '[shop] cancelled (SIGTERM): stopping' in lines
    # The wait for batch 2's order ended with the grace; the order's targets are in flight, their fate not known.
    assert lines[-1] == ('[shop] cancelled (SIGTERM): 8 restarted (web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08); in flight: batch 2/3 '
                         '(web-05, web-06, web-07, web-08): 4 restarted; go on with rolling_restart_restarted_after=100.0')
    assert cancel.message() == 'rolling restart cancelled (SIGTERM); run again with rolling_restart_restarted_after=100.0 to go on where it stopped'
    (summary, _error), = outcomes
    assert summary['stopped_early'] and len(summary['batches']) == 2


def test_a_rollout_that_ends_before_any_signal_is_left_alone():
    fleet, lines = OrderFleet(4, hold=0), []
    run = RunState()
    rollouts = [ApplicationRollout('shop', 'sae', settings(batch_size=2), fleet, lines.append, run, 100.0, False)]
    cancel = Cancel(run, rollouts, 100.0, lines.append)

    (summary, error), = cancel.supervise(lambda: run_applications(rollouts, run))

    assert error is None and summary['restarted'] == ['i01', 'i02', 'i03', 'i04'] and cancel.reason is None and fleet.aborted == []
    assert not any(line.startswith('[shop] cancelled') for line in lines)
