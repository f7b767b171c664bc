# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The actions' shared vocabulary, whatever the platform: what each action needs and leaves behind (``ACTIONS``), the
decision from one read whether it is needed (``decide``, which refuses what a target's state does not allow before
anything is sent), the exact prediction for check mode and diff (``predict``), the summaries a result shows, and the
one ``Deadline`` of a task. The lifecycle that uses them is ``_lifecycle.run``.
"""

from __future__ import annotations

import time
from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError

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
