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

import calendar
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline, _raise_if_failed, run_action, send_action
from ansible_collections.paas.ops.plugins.module_utils._alibaba import (Edas, Sae, edas_instance_action, sae_operation, sae_restart_instances,
                                                                        target_outcomes, without)
from ansible_collections.paas.ops.plugins.module_utils._errors import (PaasAPIError, PaasBatchError, PaasError, PaasInputError, PaasJobError,
                                                                       PaasThrottledError, PaasTransportError, PaasWaitTimeout)
from ansible_collections.paas.ops.plugins.module_utils._rainbond import Rainbond, rainbond_operation
from ansible_collections.paas.ops.plugins.module_utils._servicestage import ComponentTarget, InstanceTarget, ServiceStage, component_view, instance_view
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_until

# Health values that let a restarted target pass the gate (none reported counts as passing: the state decides).
_HEALTH_OK = frozenset([states.HEALTHY, states.NOT_CHECKED, None])
_RESTARTING = frozenset([states.RESTARTING, states.UPGRADING, states.STARTING])
# The state a ServiceStage batch action starts from (both end running: a start of a running target is not needed).
_ACTS_FROM = {'restart': states.RUNNING, 'start': states.STOPPED}
# At most this many actions in flight at once: a batch of 1,000 sent all together opened 1,000 connections at once and timed
# out against the API (ServiceStage's gateway allows 200 calls a second); 32 at a time still sends a batch in seconds.
_MAX_PARALLEL_SENDS = 32
# Rainbond events that restart a component's pods.
_RAINBOND_RESTART_EVENTS = frozenset(['upgrade-service', 'build-service', 'restart-service'])


class NotRestarted(str):
    """A ``restart()`` outcome: the operation never reached this target (its change order ended first); the message says so.
    Neither restarted nor failed: the rollout counts it untouched, to restart on the next run."""


def _wait_params(timeout, auto_confirm=True):
    return dict(wait=True, wait_timeout=timeout, auto_confirm_batches=auto_confirm)


class Fleet:
    """Base: ``kind`` of target, ``targets(times_for)``, ``restart(ids, timeout, auto_confirm)`` -> ``{id: error message or None}``.

    ``targets(times_for)`` also finds the last restart of the targets in ``times_for`` (True: all) where the list does not
    carry it (Rainbond: one events call per component). ``start`` is ``restart``'s twin for stopped targets a rolling
    restart was told to include; kinds whose targets cannot be started one by one refuse it.
    """

    kind = None
    api = None
    change_orders = ()
    # What the last restart's operations said once for all their targets (a failed change order's own message).
    order_messages = ()

    def restart(self, ids, timeout, auto_confirm):
        raise NotImplementedError

    def start(self, ids, timeout, auto_confirm):
        raise PaasInputError('a stopped %s cannot be started on its own: %s' % (self.kind, ', '.join(ids)))

    def abort(self):
        """Abort the change orders the last restart left running (platforms that have change orders)."""
        return []

    @property
    def requests(self):
        return getattr(self.api, 'action_requests', [])


class ServiceStageFleet(Fleet):
    """The v3 components of an application, or the v2 instances of one component; each target runs its own job."""

    def __init__(self, connection, application, component=None):
        self.api = ServiceStage(connection)
        self.application_id = self.api.application_id(*application)
        self.component_id = self.api.component_id(self.application_id, *component) if component and any(component) else None
        self.kind = 'instance' if self.component_id else 'component'
        # The last listing, by id: what restart() starts from (restart_batch lists the fleet just before it restarts).
        self._listed = None

    def targets(self, times_for=None):
        return self._list()

    def _list(self):
        """One list call (ListInstances for v2 instances, ShowComponentsInApplication for v3 components): the views, also kept."""
        if self.component_id:
            items = self.api.list_instances(self.application_id, self.component_id)
            views = [instance_view(item, self.application_id, self.component_id) for item in items]
            # v2 list items also carry their last job's status (status_detail.last_job_status); v3 ones do not.
            for view, item in zip(views, items):
                view['last_job_status'] = (item.get('status_detail') or {}).get('last_job_status') or None
        else:
            views = [component_view(None, item, self.application_id) for item in self.api.list_components(self.application_id)]
        self._listed = dict((view['id'], view) for view in views)
        return views

    def _target(self, target_id, view=None):
        if self.component_id:
            target = InstanceTarget(self.api, self.application_id, self.component_id, target_id)
        else:
            target = ComponentTarget(self.api, self.application_id, target_id)
        if view and view.get('name'):
            # As read() names it, so that messages read the same whichever way the target went.
            target.label = '%s %s' % (self.kind, view['name'])
        return target

    def restart(self, ids, timeout, auto_confirm):
        return self._act(ids, timeout, 'restart')

    def start(self, ids, timeout, auto_confirm):
        return self._act(ids, timeout, 'start')

    def _act(self, ids, timeout, action):
        """One ``action`` (restart, start) per target, sent together; then one list call per poll for the whole batch.

        A target's job is read only when the list cannot tell its outcome: its entry names our job but shows a failure or an
        unknown state (the job's task messages say what failed), or shows it running without our having seen it in a transition
        (a RUNNING from before the job took effect is not an outcome). An entry that still names an earlier job is waited for.
        Targets the list does not show in the state the action starts from (running for a restart, stopped for a start), and
        those the platform refuses because a job of theirs is still running (409), go through run_action instead: it waits for
        the job in flight, or refuses what the target's state does not allow. An unknown outcome is settled as run_action
        settles it (send_action: the target's last job id moved or not).
        """
        deadline = Deadline(timeout)
        if not self._listed or any(target_id not in self._listed for target_id in ids):
            self._list()
        before = dict((target_id, self._listed[target_id]) for target_id in ids)
        targets = dict((target_id, self._target(target_id, before[target_id])) for target_id in ids)
        quick = [target_id for target_id in ids if before[target_id]['state'] == _ACTS_FROM[action]]
        careful = [target_id for target_id in ids if target_id not in quick]
        outcomes = {}

        def send(target_id):
            target = targets[target_id]
            try:
                return target_id, send_action(lambda: target.act(action, {}), lambda: target.read().get('last_job_id'),
                                              before[target_id].get('last_job_id'), 'new job on %s' % target.label), None
            except PaasError as error:
                return target_id, None, error

        with ThreadPoolExecutor(max_workers=min(len(ids), _MAX_PARALLEL_SENDS)) as pool:
            jobs = {}
            for target_id, job_id, error in pool.map(send, quick):
                if error is None and job_id:
                    jobs[target_id] = job_id
                elif isinstance(error, PaasAPIError) and error.status == 409:
                    careful.append(target_id)
                else:
                    outcomes[target_id] = error.msg if error is not None else 'the restart of %s answered no job id' % targets[target_id].label
            followed = [pool.submit(self._run_action, targets[target_id], action, deadline) for target_id in careful]
            outcomes.update(self._follow(targets, before, jobs, deadline))
            for target_id, future in zip(careful, followed):
                outcomes[target_id] = future.result()
        return dict((target_id, outcomes.get(target_id)) for target_id in ids)

    @staticmethod
    def _run_action(target, action, deadline):
        try:
            run_action(target, action, {}, True, deadline.remaining(), False)
            return None
        except PaasError as error:
            return error.msg

    def _follow(self, targets, before, jobs, deadline):
        """Poll the list until every job in ``jobs`` (id -> job id) has an outcome; ``{id: error message or None}``."""
        pending = dict(jobs)
        moved = set()  # seen in a transition under our job
        outcomes = {}

        def judge(target_id, view):
            """'done', 'wait', or 'job' (read the job: the list cannot tell)."""
            job_id = pending[target_id]
            if view is None:
                return 'job'
            if view.get('last_job_id') != job_id:
                # Still the earlier job (the list lags the action): wait. Another new job: ours may have ended, ask it.
                return 'wait' if view.get('last_job_id') == before[target_id].get('last_job_id') else 'job'
            last_status = states.normalize_job_status('servicestage_job', view['last_job_status']) if view.get('last_job_status') else None
            if last_status is not None and last_status in states.JOB_TERMINAL - states.JOB_SUCCESS:
                return 'job'
            if view['state'] == states.RUNNING:
                return 'done' if target_id in moved and last_status in (None, states.JOB_SUCCEEDED) else 'job'
            if view['state'] in states.TRANSITIONAL_STATES:
                moved.add(target_id)
                return 'wait'
            return 'job'

        def read():
            views = dict((view['id'], view) for view in self._list())
            for target_id in list(pending):
                verdict = judge(target_id, views.get(target_id))
                if verdict == 'done':
                    outcomes[target_id] = None
                    del pending[target_id]
                elif verdict == 'job':
                    self._read_job(targets[target_id], pending, outcomes, target_id)
            return views

        try:
            wait_until(read, lambda views: not pending, deadline.remaining(), interval=0.5, backoff=1.5, max_interval=5.0,
                       description='the jobs of %s' % ', '.join(sorted(jobs)))
        except PaasWaitTimeout as error:
            last = error.last or {}
            for target_id in list(pending):
                # Out of time: the job, read once, says how it ended if it did (a failure with its messages).
                job_id = pending[target_id]
                self._read_job(targets[target_id], pending, outcomes, target_id)
                if target_id in pending:
                    outcomes[target_id] = '%s; job %s on %s still not ended (last listed %s)' % (
                        error.msg, job_id, targets[target_id].label, (last.get(target_id) or {}).get('raw_state'))
        return outcomes

    @staticmethod
    def _read_job(target, pending, outcomes, target_id):
        """Read the job of a target whose outcome the list cannot tell; settle the target once the job has ended."""
        job_id = pending[target_id]
        try:
            job = target.job(job_id)
        except (PaasTransportError, PaasThrottledError):
            return  # read again at the next poll
        except PaasError as error:
            outcomes[target_id] = 'job %s on %s could not be read: %s' % (job_id, target.label, error.msg)
            del pending[target_id]
            return
        if job['status'] not in states.JOB_TERMINAL:
            if job['status'] in states.JOB_BLOCKED:
                outcomes[target_id] = 'job %s on %s waits for someone to act (%s)' % (job_id, target.label, job.get('raw_status'))
                del pending[target_id]
            return
        del pending[target_id]
        try:
            _raise_if_failed(target, job)
            outcomes[target_id] = None
        except PaasJobError as error:
            outcomes[target_id] = error.msg


class _ChangeOrderFleet(Fleet):
    """SAE and EDAS: a batch is one change order. A failed order is blamed on each target for its own part, as the order's
    per-instance details tell it (restarted, failed with its message, or never reached); the order's own message is said
    once, in ``order_messages``. A target the details do not name fails with the order."""

    api_class = None
    targets_named = None
    _listed = {}

    def __init__(self, connection, application_id):
        if not application_id:
            raise PaasInputError('%s belong to an application given by id: set application_id' % self.targets_named)
        self.api = self.api_class(connection)
        self.application_id = application_id
        self._listed = {}

    def targets(self, times_for=None):
        views = self._targets(times_for)
        # Kept for the blame of a failed order: the details name an instance by id or by IP.
        self._listed = dict((view['id'], view) for view in views)
        return views

    def _targets(self, times_for):
        raise NotImplementedError

    def _run(self, ids, operation):
        self.change_orders = []
        self.order_messages = list(self.order_messages)
        try:
            result = operation()
            failure = None
        except PaasError as error:
            result = getattr(error, 'result', None) or {}
            failure = error
        # A batch may run two orders (a start of its stopped targets, then the restart): abort may need both.
        self.change_orders = list(self.change_orders) + ([order for order in result.get('change_orders') or [] if not order.get('terminal')] or
                                                         [dict(id=order_id) for order_id in result.get('change_order_ids') or [] if failure])
        if failure is None:
            return dict((target_id, None) for target_id in ids)
        order = getattr(failure, 'order', None)
        outcomes = target_outcomes(order, [self._listed.get(target_id) or dict(id=target_id) for target_id in ids]) if order else {}
        if not outcomes:
            # Nothing says how each target fared (no order read, or details that name none of them): each failed with it.
            return dict((target_id, failure.msg) for target_id in ids)
        said = [message for status, message in outcomes.values() if message]
        rest = without(failure.messages, said)
        self.order_messages.append(failure.header + (': ' + '; '.join(rest) if rest else ''))
        found = {}
        for target_id in ids:
            status, message = outcomes.get(target_id, (None, None))
            if status == states.JOB_SUCCEEDED:
                found[target_id] = None
            elif status == states.JOB_FAILED:
                found[target_id] = message or 'its part of the change order failed'
            elif status == 'not_reached':
                found[target_id] = NotRestarted('not restarted: its change order ended before reaching it')
            else:
                found[target_id] = 'its change order failed; its own part is not reported'
        return found

    def abort(self):
        aborted = []
        for order in self.change_orders:
            try:
                self.api.abort(order['id'])
                aborted.append(order['id'])
            except PaasError:
                # Already ended: nothing left to abort.
                continue
        return aborted


class SaeInstanceFleet(_ChangeOrderFleet):
    kind = 'instance'
    api_class = Sae
    targets_named = 'SAE instances'

    def _targets(self, times_for=None):
        return self.api.instances(self.application_id)

    def restart(self, ids, timeout, auto_confirm):
        return self._run(ids, lambda: sae_restart_instances(self.api, self.application_id, ids, dict(_wait_params(timeout, auto_confirm), action='restart'),
                                                            False))


class SaeApplicationFleet(_ChangeOrderFleet):
    """The applications of a namespace: a batch is one BatchRestartApplications order."""

    kind = 'application'

    def __init__(self, connection, namespace_id):  # pylint: disable=super-init-not-called
        self.api = Sae(connection)
        self.namespace_id = namespace_id
        self.application_id = None

    def _targets(self, times_for=None):
        return self.api.applications(self.namespace_id)

    def restart(self, ids, timeout, auto_confirm, action='restart'):
        params = dict(_wait_params(timeout, auto_confirm), action=action, app_ids=list(ids), app_names=None, namespace_id=self.namespace_id)
        return self._run(ids, lambda: sae_operation(self.api, params, False))

    def start(self, ids, timeout, auto_confirm):
        return self.restart(ids, timeout, auto_confirm, 'start')


class EdasFleet(_ChangeOrderFleet):
    kind = 'ecc'
    api_class = Edas
    targets_named = 'EDAS ECCs'

    def _targets(self, times_for=None):
        eccs = self.api.application(self.application_id)['eccs']
        # An ECC has no restart time of its own: its change orders tell it (one list call, then the orders needed).
        return self.api.restart_times(self.application_id, eccs, times_for) if times_for else eccs

    def restart(self, ids, timeout, auto_confirm, action='restart'):
        params = dict(_wait_params(timeout, auto_confirm), action=action)
        return self._run(ids, lambda: edas_instance_action(self.api, self.application_id, list(ids), params, False))

    def start(self, ids, timeout, auto_confirm):
        return self.restart(ids, timeout, auto_confirm, 'start')


class RainbondFleet(Fleet):
    """The components of a Rainbond application; a batch is one ``upgrade`` (Rainbond has no restart)."""

    kind = 'component'

    def __init__(self, connection, team_id, region_name, application):
        self.api = Rainbond(connection, team_id, region_name)
        self.application_id = self.api.app_id(*application)

    def targets(self, times_for=None):
        views = self.api.components(self.application_id)
        if times_for:
            # The list has no restart time: the newest successful upgrade (or build) event of each component says it.
            for view in views:
                if times_for is not True and view['id'] not in times_for:
                    continue
                events = self.api.events(self.application_id, view['id'], 10)
                done = [event for event in events if event['type'] in _RAINBOND_RESTART_EVENTS and event['status'] == states.JOB_SUCCEEDED]
                view['restarted_at'] = _console_time(done[0]['ended']) if done else None
        return views

    def restart(self, ids, timeout, auto_confirm, action='upgrade'):
        params = dict(_wait_params(timeout), action=action, app_ids=[self.application_id], app_names=None, service_ids=list(ids),
                      component_names=None, replicas=None)
        try:
            entries = rainbond_operation(self.api, params, False)['components']
        except PaasBatchError as error:
            entries = error.result['components']
        return dict((entry['id'], entry.get('msg') if entry['failed'] else None) for entry in entries)

    def start(self, ids, timeout, auto_confirm):
        return self.restart(ids, timeout, auto_confirm, 'start')


def _console_time(text):
    """Epoch seconds of a Rainbond console time, ``YYYY-MM-DD HH:MM:SS`` (read as UTC), or None."""
    if not text:
        return None
    try:
        return float(calendar.timegm(time.strptime(str(text)[:19].replace('T', ' '), '%Y-%m-%d %H:%M:%S')))
    except ValueError:
        return None


def fleet_for(connection, params):
    """The fleet the options describe."""
    platform = params['platform']
    application = (params.get('application_id'), params.get('application_name'))
    if platform == 'servicestage':
        if not any(application):
            raise PaasInputError('servicestage: set application_id or application_name')
        return ServiceStageFleet(connection, application, (params.get('component_id'), params.get('component_name')))
    if platform == 'sae':
        if params.get('namespace_id') and not params.get('application_id'):
            return SaeApplicationFleet(connection, params['namespace_id'])
        return SaeInstanceFleet(connection, params.get('application_id'))
    if platform == 'edas':
        return EdasFleet(connection, params.get('application_id'))
    if not any(application):
        raise PaasInputError('rainbond: set application_id or application_name')
    return RainbondFleet(connection, params.get('team_id'), params.get('region_name'), application)


def _down(views, except_ids=()):
    except_ids = set(except_ids)  # looked up once per target: a list would make a large fleet's every poll quadratic
    return [view['id'] for view in views if view['id'] not in except_ids and view['state'] != states.RUNNING]


def _report(view):
    return dict((key, view.get(key)) for key in ('id', 'name', 'kind', 'state', 'raw_state', 'health', 'restarted_at'))


def restart_batch(fleet, ids, timeout=600, max_unavailable=None, restarted_after=None, health_gate=True, auto_confirm=True, check_mode=False,
                  abort_on_failure=False, include_stopped=False, allow_empty=False, clock=time.time):
    """Restart the fleet's targets ``ids`` together and wait until they are back; one entry per target in the result.

    A stopped target is left as it is, unless ``include_stopped``: then it is started (before the others are restarted).
    """
    deadline = Deadline(timeout)
    started = clock()
    if not ids and not allow_empty:
        # An empty list usually is a selection that went wrong upstream: say so rather than succeed having done nothing.
        raise PaasInputError('no targets given: nothing to restart; set allow_empty=true if an empty batch is fine')
    if len(set(ids)) != len(ids):
        raise PaasInputError('give each target once')
    if not ids:
        result = dict(changed=False, kind=fleet.kind, targets=[], restarted=[], failed_targets=[], skipped_targets=[], untouched_targets=[],
                      order_messages=[], aborted_change_orders=[], max_unavailable=max_unavailable, requests=fleet.requests)
        _finish(result, {}, started, clock)
        return result
    views = fleet.targets(times_for=set(ids) if restarted_after is not None else None)
    known = dict((view['id'], view) for view in views)
    unknown = [target_id for target_id in ids if target_id not in known]
    if unknown:
        raise PaasInputError('no %s %s (known: %s)' % (fleet.kind, ', '.join(unknown), ', '.join(sorted(known)) or 'none'))

    # Someone else's restart in flight: wait for it; that target is then restarted already, not twice.
    waited = [target_id for target_id in ids if known[target_id]['state'] in _RESTARTING]
    if waited and not check_mode:
        views = _poll(fleet, lambda found: not any(view['state'] in _RESTARTING for view in found if view['id'] in waited), deadline,
                      'the restarts already running on %s' % ', '.join(waited))
        known = dict((view['id'], view) for view in views)
    entries = dict((target_id, dict(id=target_id, name=known[target_id].get('name'), outcome='restarted', changed=True, msg=None,
                                    before=_report(known[target_id]), after=None)) for target_id in ids)
    acting = []
    for target_id in ids:
        view = known[target_id]
        if restarted_after is not None and view.get('restarted_at') and view['restarted_at'] > restarted_after:
            entries[target_id].update(outcome='skipped', changed=False, msg='restarted at %.0f, after %.0f' % (view['restarted_at'], restarted_after))
        elif target_id in waited:
            entries[target_id].update(outcome='skipped', changed=False, msg='was already restarting: waited for it instead')
        elif view['state'] == states.NOT_DEPLOYED:
            entries[target_id].update(outcome='skipped', changed=False, msg='never deployed: nothing to restart')
        elif view['state'] == states.STOPPED and not include_stopped:
            entries[target_id].update(outcome='skipped', changed=False, msg='stopped: left as it is (include_stopped is false)')
        else:
            acting.append(target_id)
    stopped = [target_id for target_id in acting if known[target_id]['state'] == states.STOPPED]
    # Only the running targets are taken down: the others are down already, and a batch of those alone never needs room.
    taken_down = [target_id for target_id in acting if known[target_id]['state'] == states.RUNNING]

    result = dict(changed=bool(acting), kind=fleet.kind, targets=[entries[target_id] for target_id in ids], restarted=[], failed_targets=[], skipped_targets=[],
                  untouched_targets=[], order_messages=[], aborted_change_orders=[], max_unavailable=max_unavailable, requests=fleet.requests)
    if taken_down and max_unavailable is not None:
        if len(taken_down) > max_unavailable:
            raise PaasInputError('a batch of %d would take more than max_unavailable=%d targets down' % (len(taken_down), max_unavailable))
        down = _down(views, acting)
        if len(down) + len(acting) > max_unavailable:
            no_room = PaasBatchError('%d targets are down (%s): max_unavailable=%d leaves no room for a batch of %d; nothing was restarted'
                                     % (len(down), ', '.join('%s %s' % (i, known[i]['raw_state']) for i in down), max_unavailable, len(acting)),
                                     result)
            # Targets in a transition come back by themselves: wait for room. Stopped or failed ones do not: say so at once.
            room = False
            if not check_mode and any(known[i]['state'] in states.TRANSITIONAL_STATES for i in down):
                try:
                    views = _poll(fleet, lambda found: len(_down(found, acting)) + len(acting) <= max_unavailable, deadline,
                                  'room under max_unavailable=%d' % max_unavailable)
                    room = True
                except PaasWaitTimeout:
                    room = False
            if not room:
                for target_id in acting:
                    entries[target_id].update(outcome='skipped', changed=False, msg='not restarted: no room under max_unavailable')
                result['changed'] = False
                _finish(result, entries, started, clock)
                raise no_room
    if check_mode or not acting:
        _finish(result, entries, started, clock)
        return result

    failures = fleet.start(stopped, deadline.remaining(), auto_confirm) if stopped else {}
    for target_id in stopped:
        entries[target_id]['msg'] = 'was stopped: started'
    stopped_ids = set(stopped)
    others = [target_id for target_id in acting if target_id not in stopped_ids]
    if others:
        failures.update(fleet.restart(others, deadline.remaining(), auto_confirm))
    for target_id in acting:
        if isinstance(failures.get(target_id), NotRestarted):
            # Sent, but never reached: nothing happened to it, and the next run restarts it.
            entries[target_id].update(outcome='untouched', changed=False, msg=str(failures[target_id]))
        elif failures.get(target_id):
            entries[target_id].update(outcome='failed', msg=failures[target_id])
    restarted = [target_id for target_id in acting if entries[target_id]['outcome'] == 'restarted']
    final = fleet.targets()
    if health_gate and restarted:
        restarted_ids = set(restarted)  # looked up for every listed target at every poll

        def healthy(found):
            wanted = [view for view in found if view['id'] in restarted_ids]
            return all(view['state'] == states.RUNNING and view.get('health') in _HEALTH_OK for view in wanted)
        try:
            final = _poll(fleet, healthy, deadline, 'the restarted targets to be running and healthy', first=final)
        except PaasWaitTimeout as error:
            final = error.last or final
            for view in final:
                if view['id'] in restarted_ids and not healthy([view]):
                    entries[view['id']].update(outcome='failed', msg='not running and healthy within the batch timeout (%s, health %s)'
                                               % (view['raw_state'], view.get('health')))
    for view in final:
        if view['id'] in entries:
            entries[view['id']]['after'] = _report(view)
    if abort_on_failure and any(entries[target_id]['outcome'] == 'failed' for target_id in acting):
        result['aborted_change_orders'] = fleet.abort()
    result['order_messages'] = list(fleet.order_messages)
    _finish(result, entries, started, clock)
    return result


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
