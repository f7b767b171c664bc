# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Deploys of a new version: what should run (``VersionSpec``), what a platform supplies (``Deployer``), and the one runner.

A platform's ``Deployer`` (in its adapter file) alone knows how to read what each target runs, send the deploy, follow it,
tell whether a target is up on the version, and roll one back. ``DeployOperation`` is the lifecycle of a deploy through
``_lifecycle.run``, the same for every platform: read, wait for work in flight, decide from what is deployed (idempotency),
predict, send once, follow, wait until the targets run the version healthy, and roll back the failed ones when asked.
``VersionFleet`` is the same deploy seen as a rolling restart's fleet, so that ``restart_batch`` and the rollout engine walk
a deploy batch by batch exactly as they walk restarts (room, health gate, per-target outcomes, cancel).
"""

from __future__ import annotations

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, PaasInputError, PaasJobError, PaasWaitTimeout
from ansible_collections.paas.ops.plugins.module_utils._fleet import Fleet
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Operation, Request, run
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_until

# What a version is made of, as the options name them: an image reference, a package URL with its version, and a component
# version (ServiceStage names every deploy with one). A target's ``deployed`` has exactly these keys.
VERSION_FIELDS = ('image', 'package_url', 'package_version', 'version')
_HEALTH_OK = frozenset([states.HEALTHY, states.NOT_CHECKED, None])

# SAE's own release of each application (DeployApplication UpdateStrategy), as paas.ops.app_version and paas.ops.rollout take it.
UPDATE_STRATEGY = dict(
    type=dict(type='str', choices=['BatchUpdate', 'GrayBatchUpdate'], default='BatchUpdate'),
    batch=dict(type='int', default=1),
    release_type=dict(type='str', choices=['auto', 'manual'], default='auto'),
    batch_wait_time=dict(type='int', default=0),
    gray=dict(type='int'),
)
# The platforms' own settings of one deploy, passed through to them: SAE's release and ready instances, EDAS's deploy group and
# batches, ServiceStage's deploy strategy. The option docs are in plugins/modules/app_version.py.
PLATFORM_DEPLOY_ARGSPEC = dict(
    update_strategy=dict(type='dict', options=UPDATE_STRATEGY),
    min_ready_instances=dict(type='int'),
    min_ready_instance_ratio=dict(type='int'),
    group_id=dict(type='str', default='all'),
    batch=dict(type='int', default=1),
    batch_wait_time=dict(type='int', default=0),
    deploy_strategy=dict(type='dict'),
)


class VersionSpec:
    """What should run: any of ``VERSION_FIELDS``; which ones a platform needs is its ``Deployer.check``'s to say."""

    def __init__(self, image=None, package_url=None, package_version=None, version=None):
        self.image = image or None
        self.package_url = package_url or None
        self.package_version = package_version or None
        self.version = version or None

    @classmethod
    def from_params(cls, params):
        return cls(**dict((name, params.get(name)) for name in VERSION_FIELDS))

    @classmethod
    def of(cls, deployed):
        """The version a target ran, from its view's ``deployed`` (what a rollback restores)."""
        return cls(**dict((name, (deployed or {}).get(name)) for name in VERSION_FIELDS))

    def given(self):
        return dict((name, getattr(self, name)) for name in VERSION_FIELDS if getattr(self, name))

    def __bool__(self):
        return bool(self.given())

    def describe(self):
        parts = []
        if self.version:
            parts.append('version %s' % self.version)
        if self.image:
            parts.append('image %s' % self.image)
        if self.package_version:
            parts.append('package %s' % self.package_version)
        elif self.package_url:
            parts.append('package %s' % self.package_url)
        return ', '.join(parts) or 'no version'


def deployed(image=None, package_url=None, package_version=None, version=None):
    """A view's ``deployed``: every key of ``VERSION_FIELDS``, None where the platform reports none."""
    return dict(image=image or None, package_url=package_url or None, package_version=package_version or None, version=version or None)


class Deployer:
    """What one platform's deploys differ in: an adapter's subclass, built by its ``deployer(connection, params)`` factory
    from the options (the selection, the platform's own batch settings). See the methods for what each one does.

    A view (``targets``) is a dict with ``id``, ``name``, ``label``, ``kind``, ``state`` and ``health`` (the ``_states``
    vocabulary), ``raw_state``, ``deployed`` (``deployed(...)``: what the platform reports running) and ``busy`` (the id of a
    change order, job or event in flight on it, or None); keys of the adapter's own start with ``_``.
    """

    kind = 'application'
    title = 'application'
    # The platform's own state of a target that runs (Rainbond ``running``): what check mode predicts as ``raw_state``.
    running_raw_state = None

    def __init__(self, connection, params):
        self.connection = connection
        self.params = params
        # The handles sent by the deploy or rollback in progress: a cancelled rollout aborts them (change orders).
        self.sent = []

    @property
    def requests(self):
        """The actions sent so far, with their request ids (``action_requests`` of the platform's API)."""
        return list(getattr(getattr(self, 'api', None), 'action_requests', None) or [])

    def check(self, spec):
        """Refuse, from the options alone and before any call, what this platform cannot deploy (PaasInputError)."""
        if not spec:
            raise PaasInputError('give the version to deploy')

    def targets(self, ids=None, busy=True):
        """The views of the targets the options select (``ids`` None), or of ``ids`` alone, in that order; an id the platform
        does not know is refused. ``busy`` False: the caller has no use for the work in flight (a plan, a poll after the work
        ended), so a platform that reads it per target (SAE) may leave it None and spare the calls."""
        raise NotImplementedError

    def refuse(self, view, spec):
        """Refuse (PaasInputError) a target that cannot take ``spec`` at all, before anything is sent."""
        return None

    def on_version(self, view, spec):
        """Whether ``view`` runs ``spec`` already: the field each given part of the spec is compared with."""
        current = view.get('deployed') or {}
        return all(current.get(name) == value for name, value in spec.given().items())

    def predict(self, view, spec):
        """The ``deployed`` a successful deploy of ``spec`` leaves on ``view``."""
        return dict(view.get('deployed') or deployed(), **spec.given())

    def settle(self, views, deadline):
        """Wait for work in flight on ``views`` (reads only, so check mode waits too): ``(views now, ids waited for)``."""
        return views, []

    def send(self, views, spec):
        """Deploy ``spec`` to every view, once: ``{id: handle}``, a handle being ``dict(kind, id, request_id)``."""
        raise NotImplementedError

    def follow(self, view, handle, deadline, auto_confirm):
        """Wait for ``handle``'s work to end within ``deadline``: the public job, change order or event; PaasJobError when it
        failed, with the platform's messages."""
        raise NotImplementedError

    def ready(self, view, spec):
        """None when ``view`` (just read) runs ``spec``, running and healthy; else why not, briefly."""
        if view.get('busy'):
            return 'still deploying (%s)' % view['busy']
        if not self.on_version(view, spec):
            return 'runs %s, not %s' % (VersionSpec.of(view.get('deployed')).describe(), spec.describe())
        if view.get('state') != states.RUNNING:
            return 'is %s' % (view.get('raw_state') or view.get('state'))
        if view.get('health') not in _HEALTH_OK:
            return 'health %s' % view.get('health')
        return None

    def rollback(self, view, deadline, auto_confirm):
        """Send the platform's rollback of one target to what ``view`` (read before the deploy) ran: a handle to follow."""
        raise NotImplementedError

    def abort(self, handles):
        """Abort the work of ``handles`` still in flight (platforms with change orders); the ids aborted."""
        return []


def summary(view):
    """What a result and diff show of one target: its state and what it runs."""
    return dict(dict(view.get('deployed') or deployed()), state=view.get('state'), raw_state=view.get('raw_state'))


class DeployOperation(Operation):
    """The deploy of ``spec`` to a deployer's targets, through ``_lifecycle.run``; with ``rollback_on_failure`` each target
    whose deploy failed, or that is not up on the version within the deadline, is rolled back to what it ran, and waited for
    with a deadline of its own (the deploy's may be spent). Any failure raises PaasJobError carrying the whole result: a
    rolled-back deploy is never reported as a success."""

    def __init__(self, deployer, spec, rollback_on_failure=False, rollback_timeout=600):
        self.deployer = deployer
        self.spec = spec
        self.rollback_on_failure = rollback_on_failure
        self.rollback_timeout = rollback_timeout
        self.entries = {}
        self.order = []
        self.result = None

    # ---- read, settle, decide, predict ------------------------------------------------------------------------------

    def read(self, request):
        self.deployer.check(self.spec)
        return self.deployer.targets(request.chosen)

    def settle(self, request, views):
        return self.deployer.settle(views, request.deadline)

    def decide(self, request, view):
        self.deployer.refuse(view, self.spec)
        if self.deployer.on_version(view, self.spec):
            return False, 'already runs %s' % self.spec.describe()
        return True, '%s -> %s' % (VersionSpec.of(view.get('deployed')).describe(), self.spec.describe())

    def summary(self, view):
        return summary(view)

    def predict(self, request, view):
        after = dict(summary(view), state=states.RUNNING, raw_state=self.deployer.running_raw_state)
        after.update(self.deployer.predict(view, self.spec))
        return after

    def planned(self, request, plan):
        self.order = [entry['id'] for entry in plan.entries]
        self.entries = dict((entry['id'], dict(id=entry['id'], name=entry['view'].get('name'), changed=entry['changed'],
                                               outcome='deployed' if entry['changed'] else 'unchanged', msg=entry['reason'],
                                               before=entry['before'], after=entry['after'], job_id=None, job=None, rollback=None))
                            for entry in plan.entries)
        self.result = dict(changed=bool(plan.acting), kind=self.deployer.kind, version=self.spec.given(), waited=list(plan.waited),
                           targets=[self.entries[target_id] for target_id in self.order], deployed=[], failed_targets=[], rolled_back=[],
                           unchanged=[entry['id'] for entry in plan.entries if not entry['changed']])

    # ---- send, follow -----------------------------------------------------------------------------------------------

    def send(self, request, plan):
        views = [entry['view'] for entry in plan.acting]
        self.deployer.sent = []
        handles = self.deployer.send(views, self.spec)
        for target_id, handle in handles.items():
            self.entries[target_id]['job_id'] = handle.get('id')
            self.deployer.sent.append(handle)
        return handles

    def follow(self, request, plan):
        failed = {}
        for entry in plan.acting:
            handle = plan.sent.get(entry['id'])
            try:
                self.entries[entry['id']]['job'] = self.deployer.follow(entry['view'], handle, request.deadline, request.auto_confirm)
            except PaasJobError as error:
                self.entries[entry['id']]['job'] = error.job
                failed[entry['id']] = error.msg
            except PaasWaitTimeout as error:
                # Its work still in flight at the deadline: not up on the version in time, so failed (and rolled back) too.
                failed[entry['id']] = 'not up on %s within the timeout: %s' % (self.spec.describe(), error.msg)
            self.entries[entry['id']]['job_id'] = self.entries[entry['id']]['job_id'] or job_id_of(self.entries[entry['id']]['job'])
        waiting = [entry['id'] for entry in plan.acting if entry['id'] not in failed]
        final = self._wait_ready(waiting, self.spec, request.deadline, failed)
        if self.rollback_on_failure and failed:
            self._roll_back([plan.entry(target_id)['view'] for target_id in self.order if target_id in failed], request.auto_confirm)
        if request.rereads or failed:
            final.update(dict((view['id'], view) for view in self.deployer.targets([entry['id'] for entry in plan.acting], busy=False)))
        for entry in plan.acting:
            mine = self.entries[entry['id']]
            if entry['id'] in final:
                mine['after'] = summary(final[entry['id']])
            if entry['id'] in failed:
                mine.update(outcome='rolled_back' if mine['rollback'] and mine['rollback'].get('ok') else 'failed', msg=failed[entry['id']])

    def _wait_ready(self, ids, spec, deadline, failed):
        """Wait until ``ids`` run ``spec``, running and healthy; a target not so by the deadline is added to ``failed``."""
        if not ids:
            return {}
        last = {}

        def up(views):
            last.update((view['id'], view) for view in views)
            return all(self.deployer.ready(view, spec) is None for view in views)
        try:
            wait_until(lambda: self.deployer.targets(ids, busy=False), up, deadline.remaining(),
                       description='%s to run %s, healthy' % (', '.join(ids), spec.describe()))
        except PaasWaitTimeout:
            for target_id in ids:
                reason = self.deployer.ready(last[target_id], spec) if target_id in last else 'not read'
                if reason:
                    failed[target_id] = 'not up on %s within the timeout: %s' % (spec.describe(), reason)
        return last

    def _roll_back(self, views, auto_confirm):
        """Roll each of ``views`` (as read before the deploy) back to what it ran, and wait for it, within a deadline of its own."""
        deadline = Deadline(self.rollback_timeout)
        for outcome in roll_back(self.deployer, views, deadline, auto_confirm):
            self.entries[outcome['id']]['rollback'] = outcome

    def report(self, request, plan):
        result = self.result
        for target_id in self.order:
            entry = self.entries[target_id]
            if entry['outcome'] == 'deployed':
                result['deployed'].append(target_id)
            elif entry['outcome'] in ('failed', 'rolled_back'):
                result['failed_targets'].append(target_id)
            if entry['rollback']:
                result['rolled_back'].append(target_id)
        result['requests'] = self.deployer.requests
        if result['failed_targets']:
            raise PaasJobError(failure_message(self.spec, [self.entries[target_id] for target_id in result['failed_targets']]), job=None)
        return result


def roll_back(deployer, views, deadline, auto_confirm):
    """Roll each of ``views`` (as read before a deploy) back to what it ran with the platform's own rollback, follow it and wait
    until it runs that version: one outcome per view, ``{id, version, job_id, ok, msg}``."""
    outcomes, sent = [], []
    deployer.sent = []
    for view in views:
        previous = VersionSpec.of(view.get('deployed'))
        outcome = dict(id=view['id'], version=previous.given(), job_id=None, ok=False, msg=None)
        outcomes.append(outcome)
        try:
            handle = deployer.rollback(view, deadline, auto_confirm)
        except PaasError as error:
            outcome['msg'] = 'rollback not sent: %s' % error.msg
            continue
        outcome['job_id'] = handle.get('id') if handle else None
        deployer.sent.append(handle)
        sent.append((view, handle, previous, outcome))
    for view, handle, previous, outcome in sent:
        try:
            # Followed whatever the handle said: a platform that learns its job only while following (Rainbond) names it then.
            job = deployer.follow(view, handle, deadline, auto_confirm)
            outcome['job_id'] = outcome['job_id'] or job_id_of(job)
        except PaasJobError as error:
            outcome['job_id'] = outcome['job_id'] or job_id_of(error.job)
            outcome['msg'] = 'rollback failed: %s' % error.msg
            continue
        except PaasWaitTimeout as error:
            outcome['msg'] = 'rollback not done within its timeout: %s' % error.msg
            continue
        reason = None
        try:
            found = wait_until(lambda: deployer.targets([view['id']], busy=False), lambda views: deployer.ready(views[0], previous) is None,
                               deadline.remaining(), description='%s to run %s again' % (view['id'], previous.describe())).value
            reason = deployer.ready(found[0], previous)
        except PaasWaitTimeout as error:
            reason = deployer.ready(error.last[0], previous) if error.last else 'not read'
        outcome.update(ok=reason is None, msg='rolled back to %s' % previous.describe() if reason is None
                       else 'rolled back to %s, but it %s' % (previous.describe(), reason))
    deployer.sent = []
    return outcomes


def job_id_of(job):
    """The id of a followed job, change order or event: what a handle sent without one (Rainbond finds its event only then) names."""
    return job.get('id') if isinstance(job, dict) else None


def failure_message(spec, entries):
    """The task's message for failed targets: what failed, and for each whether it was rolled back."""
    parts = []
    for entry in entries:
        text = '%s: %s' % (entry['name'] or entry['id'], entry['msg'])
        if entry['rollback']:
            text += ' (%s)' % entry['rollback']['msg']
        parts.append(text)
    rolled = [entry for entry in entries if entry['rollback'] and entry['rollback'].get('ok')]
    tail = '; rolled back: %s' % ', '.join(entry['name'] or entry['id'] for entry in rolled) if rolled else ''
    return 'deploy of %s failed on %d target%s: %s%s' % (spec.describe(), len(entries), '' if len(entries) == 1 else 's', '; '.join(parts), tail)


def deploy(deployer, request, spec, rollback_on_failure=False):
    """``paas.ops.app_version``: deploy ``spec`` to the targets the options select; the result, or PaasJobError carrying it."""
    operation = DeployOperation(deployer, spec, rollback_on_failure, rollback_timeout=max(request.deadline.end - request.deadline.start, 1))
    try:
        return run(operation, request)
    except PaasError as error:
        if operation.result is not None and getattr(error, 'result', None) is None:
            operation.result['requests'] = deployer.requests
            error.result = operation.result
        raise


class VersionFleet(Fleet):
    """A deploy as a rolling restart's fleet: ``targets()`` are the deployer's (a target on the version says so in
    ``on_version``, which the planner and ``restart_batch`` skip), and ``restart(ids)`` deploys the version to them, followed
    until they are up on it. ``roll_back(ids)`` restores what each ran when this fleet first listed it."""

    def __init__(self, deployer, spec):
        self.deployer = deployer
        self.spec = spec
        self.kind = deployer.kind
        self.api = getattr(deployer, 'api', None)
        self.application_id = deployer.params.get('application_id') or deployer.params.get('namespace_id')
        # Each target as first listed, before this run changed it: what a rollback restores.
        self.before = {}

    def targets(self, times_for=None):
        # The plan, the batches' reads and the gates' polls need no work in flight: each batch's deploy reads its own.
        views = self.deployer.targets(busy=False)
        if not self.before:
            # The first listing, before any batch: a target that cannot take the version refuses the whole rollout, as the
            # module refuses it, rather than failing in the middle of the fleet (a batch is not decided again: Request.chosen).
            for view in views:
                self.deployer.refuse(view, self.spec)
        for view in views:
            view['on_version'] = self.deployer.on_version(view, self.spec)
            view['version'] = VersionSpec.of(view.get('deployed')).describe()
            self.before.setdefault(view['id'], view)
        return views

    def skip(self, view):
        """Why a target is left out of a batch: it runs the version already."""
        return 'already runs %s' % self.spec.describe() if view.get('on_version') else None

    def restart(self, ids, deadline, auto_confirm):
        operation = DeployOperation(self.deployer, self.spec)
        try:
            run(operation, Request('deploy', deadline=deadline, auto_confirm=auto_confirm, chosen=ids))
        except PaasJobError as error:
            if not operation.entries:
                return dict((target_id, error.msg) for target_id in ids)
        finally:
            self.deployer.sent = []
        return dict((target_id, operation.entries[target_id]['msg'] if operation.entries[target_id]['outcome'] == 'failed' else None)
                    for target_id in ids)

    def start(self, ids, deadline, auto_confirm):
        # A stopped target a rolling deploy was told to include takes the version and starts (SAE: Deploy=true).
        return self.restart(ids, deadline, auto_confirm)

    def roll_back(self, ids, deadline, auto_confirm):
        """Roll ``ids`` back to what they ran when first listed: one outcome per target (``roll_back``'s)."""
        return roll_back(self.deployer, [self.before[target_id] for target_id in ids if target_id in self.before], deadline, auto_confirm)

    def in_flight(self):
        return [handle['id'] for handle in self.deployer.sent if handle and handle.get('kind') == 'change_order']

    def abort(self, order_ids=None):
        handles = self.deployer.sent if order_ids is None else [dict(kind='change_order', id=order_id) for order_id in order_ids]
        return self.deployer.abort(handles)
