# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one lifecycle runner: the order of its steps, and when it sends, follows or decides (the adapters' operations are
tested with their platforms; here an operation that records what the runner asks of it stands in for them)."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Operation, Request, run, run_each


class Recording(Operation):
    """Targets ``a`` (running) and ``b`` (stopped); records each step the runner takes."""

    def __init__(self, views=None):
        self.views = views or [dict(id='a', state='running', raw_state='RUNNING'), dict(id='b', state='stopped', raw_state='STOPPED')]
        self.steps = []

    def read(self, request):
        self.steps.append('read')
        return [dict(view) for view in self.views]

    def settle(self, request, views):
        self.steps.append('settle')
        return views, ['job-in-flight']

    def decide(self, request, view):
        self.steps.append('decide %s' % view['id'])
        return super(Recording, self).decide(request, view)

    def planned(self, request, plan):
        self.steps.append('planned %s' % ','.join(entry['id'] for entry in plan.acting))

    def send(self, request, plan):
        self.steps.append('send %s' % ','.join(entry['id'] for entry in plan.acting))
        return 'order-1'

    def follow(self, request, plan):
        self.steps.append('follow %s' % plan.sent)

    def report(self, request, plan):
        return plan


def test_it_reads_settles_decides_each_target_sends_once_and_follows():
    operation = Recording()
    plan = run(operation, Request('start'))
    assert operation.steps == ['read', 'settle', 'decide a', 'decide b', 'planned b', 'send b', 'follow order-1']
    assert plan.waited == ['job-in-flight'] and plan.sent == 'order-1'
    assert [(entry['id'], entry['changed'], entry['reason']) for entry in plan.entries] == [('a', False, 'already running'), ('b', True, 'target is stopped')]
    # What a successful start leaves is predicted for the acting target; the other one stays as it is.
    assert plan.entry('b')['after']['state'] == 'running' and plan.entry('a')['after'] == plan.entry('a')['before']


def test_check_mode_plans_without_sending():
    operation = Recording()
    plan = run(operation, Request('start', check_mode=True))
    assert operation.steps == ['read', 'settle', 'decide a', 'decide b', 'planned b'] and plan.sent is None


def test_without_wait_it_sends_and_does_not_follow():
    operation = Recording()
    run(operation, Request('start', wait=False))
    assert operation.steps[-1] == 'send b'


def test_nothing_to_do_sends_nothing():
    operation = Recording([dict(id='a', state='running', raw_state='RUNNING')])
    plan = run(operation, Request('start'))
    assert operation.steps == ['read', 'settle', 'decide a', 'planned '] and plan.acting == []


def test_a_decision_made_by_the_caller_is_not_made_again():
    operation = Recording()
    plan = run(operation, Request('restart', chosen=['a']))
    assert operation.steps == ['read', 'settle', 'planned a', 'send a', 'follow order-1']
    assert [(entry['id'], entry['changed']) for entry in plan.entries] == [('a', True), ('b', False)]


def test_a_refusal_stops_before_anything_is_sent():
    operation = Recording([dict(id='b', state='stopped', raw_state='STOPPED', label='component b')])
    with pytest.raises(PaasInputError, match='component b is STOPPED: a restart needs a running target'):
        run(operation, Request('restart'))
    assert operation.steps == ['read', 'settle', 'decide b']


class One(Recording):

    def __init__(self, name, fails=False, seen=None):
        super(One, self).__init__([dict(id=name, state='stopped', raw_state='STOPPED')])
        self.name, self.fails, self.seen = name, fails, seen

    def send(self, request, plan):
        self.seen.append(threading.current_thread().name)
        if self.fails:
            raise PaasError('%s refused' % self.name)
        return super(One, self).send(request, plan)

    def report(self, request, plan):
        return 'done %s' % self.name


def test_run_each_keeps_each_target_s_failure_its_own():
    seen = []
    operations = [One('a', seen=seen), One('b', fails=True, seen=seen), One('c', seen=seen)]
    outcomes = run_each(operations, Request('start', concurrency=2), lambda operation, result, error: (operation.name, result, error and error.msg))
    assert outcomes == [('a', 'done a', None), ('b', None, 'b refused'), ('c', 'done c', None)]
    # Every target was sent its own action, on at most two threads at once.
    assert len(seen) == 3 and len(set(seen)) <= 2
