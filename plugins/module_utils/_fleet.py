# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""A fleet: the targets a rolling restart walks through, on any platform, and the restart of one batch of them.

Every kind of fleet lists all its targets with one read (``targets()``: id, name, state, health,
``restarted_at``) and restarts a batch with the platform's own operation (``restart(ids)``), which
acts on the batch's targets together and waits inside the module.  ``restart_batch`` adds what a
rolling restart needs around it, the same on every platform: wait for targets someone else is
restarting (and do not restart them twice), keep within ``max_unavailable``, check health after, and
report each target.
"""

from __future__ import annotations

import time

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasBatchError, PaasInputError, PaasWaitTimeout
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Operation, Request, run
from ansible_collections.paas.ops.plugins.module_utils._waiter import CUTOFF, wait_until

# Health values that let a restarted target pass the gate (none reported counts as passing: the state decides).
_HEALTH_OK = frozenset([states.HEALTHY, states.NOT_CHECKED, None])
_RESTARTING = frozenset([states.RESTARTING, states.UPGRADING, states.STARTING])


class NotRestarted(str):
    """A ``restart()`` outcome: the operation never reached this target (its change order ended first); the message says so.
    Neither restarted nor failed: the rollout counts it untouched, to restart on the next run."""


class Fleet:
    """Base: ``kind`` of target, ``targets(times_for)``, ``restart(ids, deadline, auto_confirm)`` -> ``{id: error message or None}``.

    Each platform's adapter has its fleets (``_servicestage``, ``_sae``, ``_edas``, ``_rainbond``); the registry's
    ``Platform.fleet(connection, params)`` says which one the options describe.

    ``targets(times_for)`` also finds the last restart of the targets in ``times_for`` (True: all) where the list does not
    carry it (Rainbond: one events call per component). ``start`` is ``restart``'s twin for stopped targets a rolling
    restart was told to include; kinds whose targets cannot be started one by one refuse it.
    """

    kind = None
    api = None
    change_orders = ()
    # What the last restart's operations said once for all their targets (a failed change order's own message).
    order_messages = ()

    def restart(self, ids, deadline, auto_confirm):
        raise NotImplementedError

    def skip(self, view):
        """Why ``view`` is left out of a batch although chosen (a deploy's target on the version already), or None."""
        return None

    def start(self, ids, deadline, auto_confirm):
        raise PaasInputError('a stopped %s cannot be started on its own: %s' % (self.kind, ', '.join(ids)))

    def abort(self, order_ids=None):
        """Abort the change orders the last restart left running, or those of ``order_ids`` (platforms that have change
        orders); the ids of those aborted."""
        return []

    def in_flight(self):
        """The change orders the restart in progress has sent so far (read from another thread, to abort them on a cancel)."""
        return []

    @property
    def requests(self):
        return getattr(self.api, 'action_requests', [])


def application_of(params, platform):
    """``(application_id, application_name)`` of a fleet's options, refused when neither is given."""
    application = (params.get('application_id'), params.get('application_name'))
    if not any(application):
        raise PaasInputError('%s: set application_id or application_name' % platform)
    return application


def _down(views, except_ids=()):
    except_ids = set(except_ids)  # looked up once per target: a list would make a large fleet's every poll quadratic
    return [view['id'] for view in views if view['id'] not in except_ids and view['state'] != states.RUNNING]


def _report(view):
    report = dict((key, view.get(key)) for key in ('id', 'name', 'kind', 'state', 'raw_state', 'health', 'restarted_at'))
    if 'on_version' in view:
        # A rolling deploy's target (_version.VersionFleet): what it runs.
        report['version'] = view.get('version')
    return report


def restart_batch(fleet, ids, timeout=600, max_unavailable=None, restarted_after=None, health_gate=True, auto_confirm=True, check_mode=False,
                  abort_on_failure=False, include_stopped=False, allow_empty=False, clock=time.time):
    """Restart the fleet's targets ``ids`` together and wait until they are back; one entry per target in the result.

    A stopped target is left as it is, unless ``include_stopped``: then it is started (before the others are restarted).
    """
    started = clock()
    if not ids and not allow_empty:
        # An empty list usually is a selection that went wrong upstream: say so rather than succeed having done nothing.
        raise PaasInputError('no targets given: nothing to restart; set allow_empty=true if an empty batch is fine')
    if len(set(ids)) != len(ids):
        raise PaasInputError('give each target once')
    batch = BatchRestart(fleet, ids, max_unavailable, restarted_after, health_gate, abort_on_failure, include_stopped, started, clock)
    if not ids:
        batch.result = batch.new_result([])
        return batch.report(None, None)
    return run(batch, Request('restart', deadline=Deadline(timeout), auto_confirm=auto_confirm, check_mode=check_mode))


class BatchRestart(Operation):
    """One batch of a rolling restart, through the same runner as every action: read the fleet (one list call), wait for the
    restarts someone else has in flight (that target is then restarted already, not twice), decide which targets to skip,
    keep within ``max_unavailable``, then start the stopped ones asked for and restart the others with the platform's own
    operation (``Fleet.restart``, which takes this decision as made), check health after, and report each target."""

    def __init__(self, fleet, ids, max_unavailable, restarted_after, health_gate, abort_on_failure, include_stopped, started, clock):
        self.fleet = fleet
        self.ids = ids
        self.max_unavailable = max_unavailable
        self.restarted_after = restarted_after
        self.health_gate = health_gate
        self.abort_on_failure = abort_on_failure
        self.include_stopped = include_stopped
        self.started = started
        self.clock = clock
        self.views = []
        self.known = {}
        self.restarting = []
        self.entries = {}
        self.result = None

    def new_result(self, targets):
        return dict(changed=bool(targets), kind=self.fleet.kind, targets=[], restarted=[], failed_targets=[], skipped_targets=[],
                    untouched_targets=[], order_messages=[], aborted_change_orders=[], max_unavailable=self.max_unavailable,
                    requests=self.fleet.requests)

    def _keep(self, views):
        self.views = views
        self.known = dict((view['id'], view) for view in views)

    def read(self, request):
        self._keep(self.fleet.targets(times_for=set(self.ids) if self.restarted_after is not None else None))
        unknown = [target_id for target_id in self.ids if target_id not in self.known]
        if unknown:
            raise PaasInputError('no %s %s (known: %s)' % (self.fleet.kind, ', '.join(unknown), ', '.join(sorted(self.known)) or 'none'))
        return [self.known[target_id] for target_id in self.ids]

    def settle(self, request, views):
        self.restarting = [view['id'] for view in views if view['state'] in _RESTARTING]
        if self.restarting and not request.check_mode:
            waited = self.restarting
            self._keep(_poll(self.fleet, lambda found: not any(view['state'] in _RESTARTING for view in found if view['id'] in waited), request.deadline,
                             'the restarts already running on %s' % ', '.join(waited)))
        return [self.known[target_id] for target_id in self.ids], self.restarting

    def decide(self, request, view):
        skip = self.fleet.skip(view)
        if skip:
            return False, skip
        if self.restarted_after is not None and view.get('restarted_at') and view['restarted_at'] > self.restarted_after:
            return False, 'restarted at %.0f, after %.0f' % (view['restarted_at'], self.restarted_after)
        if view['id'] in self.restarting:
            return False, 'was already restarting: waited for it instead'
        if view['state'] == states.NOT_DEPLOYED:
            return False, 'never deployed: nothing to restart'
        if view['state'] == states.STOPPED and not self.include_stopped:
            return False, 'stopped: left as it is (include_stopped is false)'
        return True, None

    def summary(self, view):
        return _report(view)

    def predict(self, request, view):
        return None

    def planned(self, request, plan):
        self.entries = dict((entry['id'], dict(id=entry['id'], name=entry['view'].get('name'), outcome='restarted' if entry['changed'] else 'skipped',
                                               changed=entry['changed'], msg=entry['reason'], before=entry['before'], after=None))
                            for entry in plan.entries)
        acting = [entry['id'] for entry in plan.acting]
        self.result = self.new_result(acting)
        self.result['targets'] = [self.entries[target_id] for target_id in self.ids]
        # Only the running targets are taken down: the others are down already, and a batch of those alone never needs room.
        taken_down = [target_id for target_id in acting if self.known[target_id]['state'] == states.RUNNING]
        if not taken_down or self.max_unavailable is None:
            return
        max_unavailable = self.max_unavailable
        if len(taken_down) > max_unavailable:
            raise PaasInputError('a batch of %d would take more than max_unavailable=%d targets down' % (len(taken_down), max_unavailable))
        down = _down(self.views, acting)
        if len(down) + len(acting) <= max_unavailable:
            return
        no_room = PaasBatchError('%d targets are down (%s): max_unavailable=%d leaves no room for a batch of %d; nothing was restarted'
                                 % (len(down), ', '.join('%s %s' % (i, self.known[i]['raw_state']) for i in down), max_unavailable, len(acting)),
                                 self.result)
        # Targets in a transition come back by themselves: wait for room. Stopped or failed ones do not: say so at once.
        if not request.check_mode and any(self.known[i]['state'] in states.TRANSITIONAL_STATES for i in down):
            try:
                self.views = _poll(self.fleet, lambda found: len(_down(found, acting)) + len(acting) <= max_unavailable, request.deadline,
                                   'room under max_unavailable=%d' % max_unavailable)
                return
            except PaasWaitTimeout:
                pass
        for target_id in acting:
            self.entries[target_id].update(outcome='skipped', changed=False, msg='not restarted: no room under max_unavailable')
        self.result['changed'] = False
        self.report(request, plan)
        raise no_room

    def send(self, request, plan):
        acting = [entry['id'] for entry in plan.acting]
        if CUTOFF.is_cut():
            # The rollout was cancelled while this batch read the fleet: nothing is sent, and the next run restarts these.
            for target_id in acting:
                self.entries[target_id].update(outcome='untouched', changed=False, msg='not restarted: the rollout was cancelled before its batch was sent')
            self.result['changed'] = False
            return {}
        stopped = [target_id for target_id in acting if self.known[target_id]['state'] == states.STOPPED]
        failures = self.fleet.start(stopped, request.deadline, request.auto_confirm) if stopped else {}
        for target_id in stopped:
            self.entries[target_id]['msg'] = 'was stopped: started'
        stopped_ids = set(stopped)
        others = [target_id for target_id in acting if target_id not in stopped_ids]
        if others:
            failures.update(self.fleet.restart(others, request.deadline, request.auto_confirm))
        for target_id in acting:
            if isinstance(failures.get(target_id), NotRestarted):
                # Sent, but never reached: nothing happened to it, and the next run restarts it.
                self.entries[target_id].update(outcome='untouched', changed=False, msg=str(failures[target_id]))
            elif failures.get(target_id):
                self.entries[target_id].update(outcome='failed', msg=failures[target_id])
        return failures

    def follow(self, request, plan):
        entries = self.entries
        acting = [entry['id'] for entry in plan.acting]
        restarted = [target_id for target_id in acting if entries[target_id]['outcome'] == 'restarted']
        final = self.fleet.targets()
        if self.health_gate and restarted:
            restarted_ids = set(restarted)  # looked up for every listed target at every poll

            def healthy(found):
                wanted = [view for view in found if view['id'] in restarted_ids]
                return all(view['state'] == states.RUNNING and view.get('health') in _HEALTH_OK for view in wanted)
            try:
                final = _poll(self.fleet, healthy, request.deadline, 'the restarted targets to be running and healthy', first=final)
            except PaasWaitTimeout as error:
                final = error.last or final
                for view in final:
                    if view['id'] in restarted_ids and not healthy([view]):
                        entries[view['id']].update(outcome='failed', msg='not running and healthy within the batch timeout (%s, health %s)'
                                                   % (view['raw_state'], view.get('health')))
        for view in final:
            if view['id'] in entries:
                entries[view['id']]['after'] = _report(view)
        if self.abort_on_failure and any(entries[target_id]['outcome'] == 'failed' for target_id in acting):
            self.result['aborted_change_orders'] = self.fleet.abort()
        self.result['order_messages'] = list(self.fleet.order_messages)

    def report(self, request, plan):
        _finish(self.result, self.entries, self.started, self.clock)
        return self.result


def batch_diff(entries, predicted=None):
    """Each target of a batch before and after; in check mode nothing happened yet: a target to restart is shown restarted now
    (``predicted``: what else a target to act on is shown with, a rolling deploy's version)."""
    def after(entry):
        if entry['after'] is not None:
            return entry['after']
        if entry['outcome'] != 'restarted':
            return entry['before']
        return dict(entry['before'], state='running', restarted_at=round(time.time()), **(predicted or {}))
    return dict(before=dict((entry['id'], entry['before']) for entry in entries), after=dict((entry['id'], after(entry)) for entry in entries))


def _finish(result, entries, started, clock):
    for entry in entries.values():
        # Not "failed"/"skipped": those are Ansible's own result keys.
        result[{'restarted': 'restarted', 'failed': 'failed_targets', 'skipped': 'skipped_targets', 'untouched': 'untouched_targets'}[entry['outcome']]].append(
            entry['id'])
    result['seconds'] = round(clock() - started, 3)


def _poll(fleet, done, deadline, description, first=None):
    """Read the fleet (one list call) until ``done(views)``; the first read may be one already made."""
    reads = [first] if first is not None else []

    def read():
        return reads.pop() if reads else fleet.targets()
    return wait_until(read, done, deadline.remaining(), interval=0.5, max_interval=5.0, description=description).value
