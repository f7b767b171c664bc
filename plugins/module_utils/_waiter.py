# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Poll a read until a predicate holds, within a deadline, on a monotonic clock."""

from __future__ import annotations

import threading
import time

from ansible_collections.paas.ops.plugins.module_utils._errors import PaasThrottledError, PaasTransportError, PaasWaitTimeout
from ansible_collections.paas.ops.plugins.module_utils._states import JOB_BLOCKED, JOB_TERMINAL


def wait_for_job_end(read, timeout, description, interval=1.0):
    """Poll a job / change-order read until it has ended or waits for a person (terminal or blocked status)."""
    return wait_until(read, lambda job: job['status'] in JOB_TERMINAL | JOB_BLOCKED, timeout=timeout, interval=interval, backoff=1.5,
                      max_interval=15.0, description=description)


class Cutoff:
    """Every wait of this process cut short: a cancelled rollout (plugins/plugin_utils/_cancel.py) calls ``cut(grace)``, and
    each wait then reads at once, polls briskly and gives up ``grace`` seconds later, whatever its own deadline. A module
    process never cuts: its waits keep their deadlines. Once ``arm()``-ed (while a rollout that may be cancelled runs), the
    waits sleep so that a cut wakes them, and no wait sleeps out its interval (up to 15 s) first; unarmed, they sleep plainly."""

    def __init__(self):
        self._event = threading.Event()
        self.grace = None
        self.armed = False

    def arm(self):
        self.armed = True

    def cut(self, grace):
        self.grace = grace
        self._event.set()

    def clear(self):
        self.grace = None
        self.armed = False
        self._event.clear()

    def is_cut(self):
        return self._event.is_set()

    def sleep(self, seconds):
        """Sleep ``seconds``, or less when a cut comes meanwhile; once cut, sleep plainly (the grace's polls must not spin)."""
        if self.armed and not self._event.is_set():
            self._event.wait(seconds)
        else:
            time.sleep(seconds)


CUTOFF = Cutoff()


class WaitResult:

    def __init__(self, value, elapsed, polls):
        self.value = value
        self.elapsed = elapsed
        self.polls = polls


def wait_until(read, done, timeout, interval=1.0, backoff=1.5, max_interval=15.0, description='the condition',
               transient=(PaasTransportError, PaasThrottledError), clock=None, sleep=None):
    """Call ``read()`` until ``done(value)`` is true and return a ``WaitResult``.

    The first read happens at once; the interval then grows by ``backoff`` up to ``max_interval``
    and never sleeps past the deadline.  Transient read errors (the client already retried them)
    are tolerated until the deadline, so one bad minute does not fail a long wait.  On timeout
    ``PaasWaitTimeout`` carries the last observation.  To stop early on a terminal failure, let
    ``done`` accept it and inspect the returned value.  A ``CUTOFF.cut(grace)`` ends the wait
    ``grace`` seconds after it is seen (``PaasWaitTimeout`` too, saying so).
    """
    clock = clock or time.monotonic
    sleep = sleep or CUTOFF.sleep
    start = clock()
    deadline = start + timeout
    delay = interval
    last = None
    polls = 0
    cut = False
    while True:
        try:
            value = read()
        except transient:
            if clock() >= deadline:
                raise
        else:
            polls += 1
            last = value
            if done(value):
                return WaitResult(value, clock() - start, polls)
        now = clock()
        if not cut and CUTOFF.grace is not None:
            cut = True
            deadline = min(deadline, now + CUTOFF.grace)
            # Briskly while the grace lasts: an aborted change order shows as ended at the next read.
            delay = interval
        remaining = deadline - now
        if remaining <= 0:
            why = 'stopped waiting after %.1fs for %s: the rollout was cancelled' if cut else 'timed out after %.1fs waiting for %s'
            raise PaasWaitTimeout(why % (now - start, description), last=last, elapsed=now - start, polls=polls)
        sleep(min(delay, remaining))
        delay = min(delay * backoff, max_interval)
