# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Idempotent lifecycle actions on one target, whatever the platform.

A target (a ServiceStage component or component instance, later others) is anything with
``read()`` -> view, ``act(action, parameters)`` -> job id, ``job(job_id)`` -> job view and
``versions()`` -> the versions it can roll back to.  ``run_action`` owns the semantics every
module shares: wait for a job already running instead of colliding with it, decide from one
read whether the action is needed, refuse what the target's state does not allow before sending
anything, predict the result exactly in check mode, act once, wait for the job, re-read, and
report before/after for diff mode.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasBatchError, PaasError, PaasInputError, PaasJobError
from ansible_collections.paas.ops.plugins.module_utils._retry import send_action
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_for_job_end

# Instance counts a scale may ask for where the platform documents 0 or more and no maximum (SAE RescaleApplication
# ``Replicas``, ServiceStage ``parameters.replica``): a sanity bound far above any quota, so that a typo like 10**9 is
# refused instead of being sent. A platform with documented bounds declares its own (the registry's replica_bounds).
REPLICA_BOUNDS = (0, 1000)

# Options of every action module, documented by the paas.ops._wait fragment.
WAIT_ARGSPEC = dict(wait=dict(type='bool', default=True), wait_timeout=dict(type='int', default=600))
# Action parameters as the platforms name them (ServiceStage ``parameters``); absent ones are not sent.
PARAMETER_NAMES = ('replica', 'hosts', 'version')
# An action that needs a parameter cannot run without it.
REQUIRED_PARAMETERS = [('action', 'scale', ['replica']), ('action', 'rollback', ['version'])]


def action_parameters(action, given, warn):
    """The parameters ``action`` takes among those ``given`` (by option name); others given are ignored with a warning."""
    accepted = ACTIONS[action].get('parameters', ())
    named = [name for name in PARAMETER_NAMES if given.get(name) is not None]
    ignored = [name for name in named if name not in accepted]
    if ignored:
        warn('%s ignored: action %s takes %s' % (', '.join(ignored), action, ', '.join(accepted) or 'no parameters'))
    return dict((name, given[name]) for name in named if name in accepted)


def diff_of(entries):
    """Diff mode's before and after of many targets, by id."""
    return dict(before=dict((entry['id'], entry['before']) for entry in entries), after=dict((entry['id'], entry['after']) for entry in entries))


# What each action needs and does. ``skip_when`` says when it is already done (idempotency);
# ``after`` is the state a successful run leaves the target in.
ACTIONS = {
    'start': dict(after=states.RUNNING),
    'stop': dict(after=states.STOPPED),
    'restart': dict(after=states.RUNNING),
    'scale': dict(after=states.RUNNING, parameters=('replica', 'hosts')),
    'rollback': dict(after=states.RUNNING, parameters=('version',)),
    'rollback_current': dict(after=states.RUNNING),
    'continue_deploy': dict(after=states.RUNNING, needs_paused='any'),
    'check_gray_release': dict(after=states.RUNNING, needs_paused='gray'),
    # The gray rule's own parameters are not documented; replica (first-batch size) and version are passed on.
    'modify_gray_rule': dict(after=None, needs_paused='gray', parameters=('replica', 'version')),
    # Rainbond: a rolling update with the current build, and a build followed by that update.
    'upgrade': dict(after=states.RUNNING),
    'deploy': dict(after=states.RUNNING),
}

# States from which a restart makes no sense: a stopped target must be started, not restarted.
_NOT_RESTARTABLE = frozenset([states.STOPPED, states.NOT_DEPLOYED, states.DELETING, states.DELETED])
SUMMARY_KEYS = ('state', 'raw_state', 'replica', 'version')


PUBLIC_KEYS = ('id', 'name', 'state', 'raw_state', 'replica', 'available_replica', 'version', 'last_job_id')


def summary(view):
    """What diff mode shows of a target."""
    return dict((key, view.get(key)) for key in SUMMARY_KEYS)


def public_view(view):
    """What a module returns of a target (the adapter's internal fields left out)."""
    return dict((key, view.get(key)) for key in PUBLIC_KEYS)


def epoch_seconds(milliseconds):
    """Epoch seconds from a platform's epoch milliseconds (SAE CreateTimeStamp, ServiceStage update_time); None when absent."""
    try:
        return int(milliseconds) / 1000.0 if milliseconds else None
    except (TypeError, ValueError):
        return None


class Deadline:
    """One time budget shared by every wait of a task (the job in flight, then our own job)."""

    def __init__(self, seconds, clock=time.monotonic):
        self._clock = clock
        self.start = clock()
        self.end = self.start + seconds

    def remaining(self):
        return max(self.end - self._clock(), 0.0)

    def elapsed(self):
        return self._clock() - self.start


def decide(action, view, parameters, versions=None):
    """Return ``(needed, reason)`` for ``action`` on a target in ``view``; raise when it is not allowed.

    ``versions`` is the list of versions a rollback may target (None when not known).
    """
    state = view.get('state')
    paused = view.get('paused_deployment')
    if paused and not ACTIONS[action].get('needs_paused'):
        raise PaasInputError('%s has a %s deployment paused between batches; finish it first (continue_deploy%s) before %s'
                             % (view.get('label'), paused, ' or check_gray_release' if paused == 'gray' else '', action))
    if action == 'start':
        return (False, 'already running') if state == states.RUNNING else (True, 'target is %s' % state)
    if action == 'stop':
        return (False, 'already stopped') if state == states.STOPPED else (True, 'target is %s' % state)
    if action == 'restart':
        if state in _NOT_RESTARTABLE:
            raise PaasInputError('%s is %s: a restart needs a running target; use action=start' % (view.get('label'), view.get('raw_state')))
        return True, 'restart always acts'
    if action == 'scale':
        replica = parameters['replica']
        if replica < 0:
            raise PaasInputError('replica must be 0 or more, got %s' % replica)
        if replica == view.get('replica'):
            return False, 'already at %s replicas' % replica
        return True, 'replicas %s -> %s' % (view.get('replica'), replica)
    if action == 'rollback':
        version = parameters['version']
        if version == view.get('version'):
            return False, 'version %s already deployed' % version
        if versions is not None and version not in versions:
            valid = sorted(set(versions), key=versions.index)
            raise PaasInputError('%s has no version %r to roll back to; valid versions: %s'
                                 % (view.get('label'), version, ', '.join(valid) or 'none'))
        return True, 'version %s -> %s' % (view.get('version'), version)
    needs_paused = ACTIONS[action].get('needs_paused')
    if needs_paused:
        if not paused or (needs_paused == 'gray' and paused != 'gray'):
            kind = 'a paused gray release' if needs_paused == 'gray' else 'a paused deployment'
            raise PaasInputError('%s needs %s, but %s has none (status %s)' % (action, kind, view.get('label'), view.get('raw_state')))
        return True, 'resumes the %s deployment' % paused
    return True, '%s always acts' % action


def predict(action, view, parameters, versions=None):
    """The summary a successful ``action`` leaves behind (for check mode and diff)."""
    after = summary(view)
    target_state = ACTIONS[action]['after']
    if target_state:
        after.update(state=target_state, raw_state=None)
    if action == 'scale':
        after['replica'] = parameters['replica']
    elif action == 'rollback':
        after['version'] = parameters['version']
    elif action == 'rollback_current' and versions and len(versions) > 1:
        # versions are the successful deployments, oldest first: the last is running, the one before is "previous".
        after['version'] = versions[-2]
    elif action in ('continue_deploy', 'check_gray_release') and view.get('paused_version'):
        after['version'] = view['paused_version']
    return after


def _job_marker(action, view):
    """What a new job of ``action`` moves on a target: its last job id. Resuming a paused deployment runs the paused job
    itself, so there the marker is that job once the deployment no longer waits (None while it still does)."""
    if ACTIONS[action].get('needs_paused') and ACTIONS[action]['after']:
        return None if view.get('paused_deployment') else view.get('last_job_id')
    return view.get('last_job_id')


def _wait_for_job(target, job_id, deadline, description):
    return wait_for_job_end(lambda: target.job(job_id), deadline.remaining(), description, interval=0.5).value


def _raise_if_failed(target, job):
    if job['status'] not in states.JOB_SUCCESS:
        failed = [task for task in job.get('tasks') or [] if task.get('status') not in states.JOB_SUCCESS]
        messages = '; '.join('%s: %s' % (task.get('name'), task.get('messages')) for task in failed if task.get('messages'))
        raise PaasJobError('job %s on %s ended %s (%s)%s' % (job['id'], target.label, job['status'], job.get('raw_status'),
                                                             ': ' + messages if messages else ''), job=job, target=target.label)


def run_action(target, action, parameters, wait=True, deadline=None, check_mode=False):
    """Run ``action`` on ``target`` idempotently within ``deadline`` (the task's one time budget); return the per-target result dict."""
    deadline = deadline if deadline is not None else Deadline(600)
    result = dict(target=target.label, action=action, changed=False, job_id=None, job=None, waited_for_job=None)
    view = target.read()

    # A job already running: wait for it (reads only, so check mode too) rather than colliding with it.
    in_flight = target.job(view['last_job_id']) if view.get('last_job_id') else None
    if in_flight and in_flight['status'] not in states.JOB_TERMINAL and not view.get('paused_deployment'):
        if not wait:
            raise PaasInputError('job %s is still running on %s; set wait=true to wait for it first' % (in_flight['id'], target.label))
        # Its outcome is not ours to judge: whatever it left behind is what the decision below starts from.
        _wait_for_job(target, in_flight['id'], deadline, 'job %s already running on %s' % (in_flight['id'], target.label))
        result['waited_for_job'] = in_flight['id']
        view = target.read()

    versions = target.versions() if action in ('rollback', 'rollback_current') else None
    needed, reason = decide(action, view, parameters, versions)
    before = summary(view)
    after = predict(action, view, parameters, versions) if needed else before
    result.update(changed=needed, reason=reason, diff=dict(before=before, after=after), before=before)
    result['target_state'] = view
    if not needed or check_mode:
        result['after'] = after
        return result

    job_id = send_action(lambda: target.act(action, parameters), lambda: _job_marker(action, target.read()), _job_marker(action, view),
                         'new job on %s' % target.label)
    result['job_id'] = job_id
    if not wait:
        result['after'] = after
        return result

    try:
        job = _wait_for_job(target, job_id, deadline, '%s of %s (job %s)' % (action, target.label, job_id))
        result['job'] = job
        _raise_if_failed(target, job)
    except PaasError as error:
        # The action was sent: the target changed (or is changing) whatever became of its job, so the task says changed.
        error.result = dict(getattr(error, 'result', None) or {}, **sent_result(result))
        raise
    final = target.read()
    result.update(after=summary(final), target_state=final, elapsed=round(deadline.elapsed(), 3))
    result['diff']['after'] = summary(final)
    return result


def sent_result(result):
    """What a task reports of an action that was sent when it fails afterwards (its job failed or ran out of time)."""
    job = result.get('job')
    return dict(changed=True, reason=result.get('reason'), job_id=result.get('job_id'), waited_for_job=result.get('waited_for_job'),
                before=result.get('before'), **({'job': job} if job else {}))


def _target_result(target, outcome=None, error=None):
    entry = dict(id=getattr(target, 'target_id', None) or target.label, changed=False, failed=False, reason=None, job_id=None,
                 job=None, waited_for_job=None, before=None, after=None, instance=None)
    if outcome:
        entry.update((key, outcome.get(key)) for key in ('changed', 'reason', 'job_id', 'job', 'waited_for_job', 'before', 'after'))
        entry['instance'] = public_view(outcome['target_state'])
    if error is not None:
        sent = getattr(error, 'result', None) or {}
        if sent.get('changed'):
            # Sent, then failed: the entry says what was sent (changed, its job) as well as why it failed.
            entry.update((key, sent.get(key)) for key in ('changed', 'reason', 'job_id', 'waited_for_job', 'before'))
        entry.update(failed=True, msg=error.msg)
        if isinstance(error, PaasJobError):
            entry['job'] = error.job
    return entry


def run_many(targets, action, parameters, wait, deadline, check_mode, concurrency):
    """``run_action`` on many targets at once (bounded), each on its own; one result with every target's outcome."""
    if concurrency < 1:
        raise PaasInputError('concurrency must be 1 or more, got %s' % concurrency)
    ids = [target.target_id for target in targets]
    duplicates = sorted(set(i for i in ids if ids.count(i) > 1))
    if duplicates or not targets:
        raise PaasInputError('give each instance once: duplicates %s' % ', '.join(duplicates) if duplicates else 'no instances given')

    def one(target):
        try:
            return _target_result(target, outcome=run_action(target, action, parameters, wait, deadline, check_mode))
        except PaasError as error:
            return _target_result(target, error=error)

    with ThreadPoolExecutor(max_workers=min(concurrency, len(targets))) as pool:
        entries = list(pool.map(one, targets))
    result = dict(changed=any(entry['changed'] for entry in entries), instances=entries)
    failed = [entry for entry in entries if entry['failed']]
    if failed:
        raise PaasBatchError('%d of %d instances failed: %s' % (len(failed), len(entries), '; '.join('%s: %s' % (e['id'], e['msg']) for e in failed)),
                             result)
    return result
