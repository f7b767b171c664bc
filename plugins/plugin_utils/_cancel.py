# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Safe cancel of a rollout (``paas.ops.rollout``): on SIGINT, SIGTERM or the death of the controller process, stop sending,
abort the SAE/EDAS change orders in flight, wait briefly for the jobs sent elsewhere, and say what was done.

How a cancel reaches the action (ansible-core 2.19, ansible-runner 2.4; see docs/rolling-restarts.md, "Cancel"):

- The action runs in a WorkerProcess, which calls ``os.setsid()`` (``WorkerProcess._detach``): it is a session and a
  process group of its own. A signal to the controller's process group (the terminal's Ctrl-C, ``killpg``) never reaches it.
- Ctrl-C or SIGTERM to ``ansible-playbook``: its TaskQueueManager forwards the signal to each worker (``os.kill``), then the
  controller cleans up at once: it terminates the workers (SIGTERM) and exits, without waiting for their results. The
  worker's own handler (``WorkerProcess._term``) would kill it there and then; this one replaces it while the rollout runs.
- ``ansible-runner`` cancel (its ``cancel_callback``, or SIGINT/SIGTERM to ansible-runner, which is what AWX's receptor
  sends), ``ansible-runner stop``, its job and idle timeouts: ``Runner.handle_termination`` is ``os.killpg(<ansible-playbook's
  group>, SIGKILL)``, at once, with no grace and no setting for one. The worker, in a group of its own, is not killed: it is
  orphaned, and, unless it notices, it carries on with the rollout, unseen. So the watch below also ends the rollout when the
  worker's parent changes (``os.getppid()``).

So no guard process is needed: the worker itself outlives the SIGKILL, and it has the fleets, their clients and their change
orders in hand (no credentials handed anywhere). After the controller has gone, nothing the worker prints or returns reaches
anyone, and its result could block for ever on the full result pipe: once its cleanup is done it exits (``os._exit``). The
marker is therefore said before the first batch, where the job's output keeps it.

AWX: receptor sends SIGINT to ``ansible-runner worker`` and SIGKILL a second later, and ansible-runner kills a job's container
(``podman kill``) before its process group: nothing in the container runs on, this cleanup included. That is documented, not
worked around: no process of the job can outlive its container.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import signal
import threading

from ansible_collections.paas.ops.plugins.module_utils._errors import redact
from ansible_collections.paas.ops.plugins.module_utils._waiter import CUTOFF
from ansible_collections.paas.ops.plugins.plugin_utils._progress import names, resume_option

# How long the jobs in flight are waited for after a cancel (those aborted end at once; ServiceStage and Rainbond jobs cannot
# be aborted) before the task ends with them still running.
CANCEL_WAIT_SECONDS = 5.0
# How often the main thread looks for a signal or a new parent while the rollout runs in its thread.
_WATCH_SECONDS = 0.1
# The rollout's thread may be inside one HTTP call when the waits end: time for that call to return.
_CALL_SECONDS = 5.0


class Cancel:
    """Run a rollout (``supervise(work)``) in a thread while the main thread watches for a cancel, and carry the cancel out."""

    def __init__(self, run, rollouts, marker, say, option_prefix='', check_mode=False, wait_seconds=CANCEL_WAIT_SECONDS, watch_seconds=_WATCH_SECONDS,
                 exit=os._exit):  # pylint: disable=redefined-builtin
        self.run_state = run
        self.rollouts = rollouts
        self.marker = marker
        self._say = say
        self.option_prefix = option_prefix
        self.check_mode = check_mode
        self.wait_seconds = wait_seconds
        self.watch_seconds = watch_seconds
        self.signalled = None
        self.reason = None
        self.orphaned = False
        self.aborted = dict((rollout.label, []) for rollout in rollouts)
        self.in_flight = {}
        self._parent = None
        self._exit = exit

    def _on_signal(self, signum, frame):
        # Only a note: the main thread acts on it at its next look. A signal handler that took locks (the run's, Display's,
        # an HTTP client's) could deadlock against the very code it interrupted.
        self.signalled = signum

    @contextlib.contextmanager
    def _handlers(self):
        if threading.current_thread() is not threading.main_thread():
            # Signals are delivered to the main thread only; elsewhere the parent's death is still watched.
            yield
            return
        previous = dict((signum, signal.signal(signum, self._on_signal)) for signum in (signal.SIGINT, signal.SIGTERM))
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def resume_option(self):
        return resume_option(self.option_prefix, self.marker)

    def supervise(self, work):
        """``work()`` (the run of every application) in its own thread; its value, or after a cancel the summaries so far."""
        if not self.check_mode:
            self._say('rolling restart marker %s: a run that stops or is cancelled goes on with %s' % (float(self.marker), self.resume_option()))
        box = {}
        context = contextvars.copy_context()  # Ansible's task context, for code that looks it up

        def target():
            try:
                box['value'] = context.run(work)
            except BaseException as error:  # pylint: disable=broad-except
                box['error'] = error
        thread = threading.Thread(target=target, name='paas.ops.rollout', daemon=True)
        self._parent = os.getppid()
        CUTOFF.arm()
        try:
            with self._handlers():
                thread.start()
                while thread.is_alive():
                    thread.join(self.watch_seconds)
                    if thread.is_alive() and (self.signalled is not None or os.getppid() != self._parent):
                        self._cancel()
                        thread.join(self.wait_seconds + _CALL_SECONDS)
                        break
            if self.reason is not None:
                self._after(thread)
            # Gone as the rollout ended: the same, nobody is left to read its result.
            self.orphaned = self.orphaned or os.getppid() != self._parent
        finally:
            if not thread.is_alive():
                # Still alive, the rollout's waits stay cut: this worker process runs this one task, and ends after it.
                CUTOFF.clear()
        if self.orphaned:
            # The controller is gone: nobody reads this task's result, and sending it could block for ever.
            self._exit(1)
        if 'error' in box:
            raise box['error']
        if 'value' in box:
            return box['value']
        # Still inside a call after the wait: what each application has done so far.
        return [self._so_far(rollout) for rollout in self.rollouts]

    def _so_far(self, rollout):
        if rollout.plan is None:
            return None, '%s: %s before its plan was made' % (rollout.label, self.reason)
        return rollout.summary(self.run_state.started), None

    def _cancel(self):
        self.orphaned = os.getppid() != self._parent
        if self.signalled is not None:
            self.reason = 'cancelled (%s)' % signal.Signals(self.signalled).name
        else:
            self.reason = 'cancelled (the controller process ended: an ansible-runner cancel kills it)'
        # No new batch, no new application; then every wait ends within the grace, at once for the orders aborted now.
        self.run_state.stop(self.reason)
        CUTOFF.cut(self.wait_seconds)
        for rollout in self.rollouts:
            if rollout.in_flight:
                self.in_flight[rollout.label] = (len(rollout.done['batches']) + 1, len(rollout.plan['batches']) if rollout.plan else 0,
                                                 list(rollout.in_flight))
            self._abort(rollout, in_flight=True)
        for rollout in self.rollouts:
            aborted = self.aborted[rollout.label]
            rollout.say('%s: stopping%s' % (self.reason, '; aborting change order %s' % ', '.join(aborted) if aborted else ''))

    def _abort(self, rollout, in_flight):
        """Abort the application's change orders in flight now, or (after) those its last batch left running."""
        batches = rollout.batches
        if self.check_mode or not rollout.settings.get('abort_on_cancel') or not hasattr(batches, 'in_flight'):
            return
        try:
            found = batches.abort(batches.in_flight()) if in_flight else batches.abort()
        except Exception as error:  # pylint: disable=broad-except
            # The cleanup goes on with the other applications; the report says the order may still run.
            rollout.say('could not abort its change orders: %s' % redact(str(error), getattr(batches, 'secrets', None) or []))
            return
        self.aborted[rollout.label] += [order_id for order_id in found if order_id not in self.aborted[rollout.label]]

    def _after(self, thread):
        for rollout in self.rollouts:
            # An order sent as the cancel came: in flight still, or (once its batch has ended) left running by it, as is one
            # whose wait the cancel cut short.
            self._abort(rollout, in_flight=thread.is_alive())
            rollout.say(self.report(rollout, still_running=thread.is_alive()))

    def report(self, rollout, still_running=False):
        """What the application did before the cancel, what was in flight, and how to go on."""
        done = rollout.done
        parts = ['%s: %d restarted%s' % (self.reason, len(done['restarted']), ' (%s)' % names(done['restarted'], rollout.names) if done['restarted'] else '')]
        if rollout.label in self.in_flight:
            index, total, ids = self.in_flight[rollout.label]
            failed = set(entry['id'] for entry in done['failed'])
            restarted, unreached = set(done['restarted']), set(done['unreached'])
            fates = [('restarted', [i for i in ids if i in restarted]), ('not reached', [i for i in ids if i in unreached]),
                     ('failed', [i for i in ids if i in failed]),
                     ('still restarting' if still_running else 'not known', [i for i in ids if i not in restarted | unreached | failed])]
            fated = ', '.join('%d %s' % (len(found), fate) for fate, found in fates if found)
            parts.append('in flight: batch %d/%d (%s): %s' % (index, total, names(ids, rollout.names), fated))
        aborted = self.aborted[rollout.label]
        if aborted:
            parts.append('aborted change order%s %s' % ('s' if len(aborted) > 1 else '', ', '.join(aborted)))
        parts.append('go on with %s' % self.resume_option())
        return '; '.join(parts)

    def message(self):
        """The task's failure message after a cancel."""
        aborted = [order_id for orders in self.aborted.values() for order_id in orders]
        return 'rolling restart %s%s; run again with %s to go on where it stopped' % (
            self.reason, ', aborted change order%s %s' % ('s' if len(aborted) > 1 else '', ', '.join(aborted)) if aborted else '', self.resume_option())
