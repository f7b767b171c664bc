# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Huawei Cloud ServiceStage: the v3 component and v2 component-instance APIs and their jobs.

Everything ServiceStage-specific lives here: paths, response shapes (v3 keys are lower-case, v2 job
keys UPPER-CASE), name resolution, the mapping of raw statuses to the shared vocabulary, the operations
(``TargetOperation`` on a ``ComponentTarget`` / ``InstanceTarget``, and the batch of a fleet, run by ``_lifecycle.run``) and the fleet a rolling restart walks.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import ACTIONS, action_parameters, epoch_seconds, public_view, summary
from ansible_collections.paas.ops.plugins.module_utils._errors import (PaasAPIError, PaasBatchError, PaasError, PaasInputError, PaasJobError,
                                                                       PaasThrottledError, PaasTransportError, PaasWaitTimeout)
from ansible_collections.paas.ops.plugins.module_utils._fleet import Fleet, application_of
from ansible_collections.paas.ops.plugins.module_utils._http import build_path
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Operation, Request, run, run_each
from ansible_collections.paas.ops.plugins.module_utils._paging import OFFSET, Paging, read_all
from ansible_collections.paas.ops.plugins.module_utils._retry import send_action
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_for_job_end, wait_until

V3 = '/v3/{project_id}/cas'
V2 = '/v2/{project_id}/cas'
COMPONENT_ACTIONS = ('start', 'stop', 'restart', 'scale', 'rollback', 'rollback_current', 'continue_deploy', 'check_gray_release',
                     'modify_gray_rule')
INSTANCE_ACTIONS = ('start', 'stop', 'restart', 'scale', 'rollback')
# Options naming the application and component of a task, documented by the paas.ops._servicestage fragment.
APPLICATION_ARGSPEC = dict(application_id=dict(type='str'), application_name=dict(type='str'))
COMPONENT_ARGSPEC = dict(component_id=dict(type='str'), component_name=dict(type='str'))
ID_OR_NAME = [('application_id', 'application_name'), ('component_id', 'component_name')]
_PAUSED_TASK = 'PAUSED'
# Every ServiceStage list (v3 and v2) pages the same way: ``limit`` 0 to 100 and ``offset``, a ``count`` of all items beside
# the page. Without ``limit`` it does not page but answers at most 1,000 records, silently: so every list sends a limit.
_PAGE_SIZE = 100
_GRAY_STRATEGY = 'GRAYRELEASE'
# Component (v3 status.component_status) and instance (v2 status_detail.status) states, one enum; v2 and v3 spell it in
# different cases.
STATES = states.Table('servicestage_component', {
    'INITIALIZING': states.PENDING, 'UPGRADING': states.UPGRADING, 'FAILED': states.FAILED, 'RUNNING': states.RUNNING,
    # DOWN is distinct from STOPPED (a deliberate stop): the workload is unavailable.
    'DOWN': states.FAILED, 'DELETING': states.DELETING, 'DELETED': states.DELETED, 'RESERVED': states.PENDING, 'STARTING': states.STARTING,
    'STOPPING': states.STOPPING, 'STOPPED': states.STOPPED, 'RESTARTING': states.RESTARTING, 'PENDING': states.PENDING,
    'UNKNOWN': states.UNKNOWN, 'PARTIALLY_FAILED': states.DEGRADED,
}, case_insensitive=True)
# v3 ShowJobInfo job.execution_status and v2 ShowJobDetail job.EXECUTION_STATUS (same enum).
JOB_STATUSES = states.Table('servicestage_job', {
    'SUBMITTED': states.JOB_PENDING, 'SCHEDULED': states.JOB_PENDING, 'RUNNING': states.JOB_RUNNING, 'FAILED': states.JOB_FAILED,
    'SUCCEEDED': states.JOB_SUCCEEDED, 'CANCELLED': states.JOB_ABORTED, 'PARTIALLY_FAILED': states.JOB_PARTIALLY_FAILED,
    'ROLLBACKING': states.JOB_ROLLING_BACK, 'ROLLBACKED': states.JOB_ROLLED_BACK, 'UNKNOWN': states.JOB_UNKNOWN, 'SKIPPED': states.JOB_SUCCEEDED,
}, case_insensitive=True)
# The state a batch action starts from (both end running: a start of a running target is not needed).
_ACTS_FROM = {'restart': states.RUNNING, 'start': states.STOPPED}
# At most this many actions in flight at once: a batch of 1,000 sent all together opened 1,000 connections at once and timed
# out against the API (ServiceStage's gateway allows 200 calls a second); 32 at a time still sends a batch in seconds.
_MAX_PARALLEL_SENDS = 32


def _get(mapping, key, default=None):
    """Case-insensitive key look-up: v2 jobs spell their keys in upper case, v3 in lower case."""
    if not isinstance(mapping, dict):
        return default
    if key in mapping:
        return mapping[key]
    wanted = key.lower()
    for name, value in mapping.items():
        if name.lower() == wanted:
            return value
    return default


def job_view(job_id, data):
    """A v2 or v3 job as the modules return it: normalized and raw status, and the tasks with their messages."""
    job = _get(data, 'job') or {}
    raw = _get(job, 'execution_status')
    tasks = []
    for task in _get(data, 'tasks') or []:
        raw_task = _get(task, 'task_status')
        tasks.append(dict(name=_get(task, 'task_name'), type=_get(task, 'task_type'), raw_status=raw_task,
                          status=JOB_STATUSES.normalize(raw_task), messages=_get(task, 'messages')))
    return dict(id=job_id or _get(job, 'job_id'), type=_get(job, 'job_type'), raw_status=raw,
                status=JOB_STATUSES.normalize(raw), tasks=tasks)


def _paused(job, strategy):
    """How a deployment paused between batches shows: its job runs and its current task is PAUSED."""
    if not job or job['status'] != states.JOB_RUNNING:
        return None
    if not any(str(task.get('raw_status') or '').upper() == _PAUSED_TASK for task in job['tasks']):
        return None
    return 'gray' if str(strategy or '').upper() == _GRAY_STRATEGY else 'rolling'


class ServiceStage:
    """The ServiceStage APIs of one project, over the shared client."""

    def __init__(self, connection):
        self.client = connection.client()
        self.project_id = self.client.project_id

    def _path(self, template, **params):
        return build_path(template, dict(params, project_id=self.project_id))

    def get(self, operation, template, query=None, **params):
        return self.client.request('GET', self._path(template, **params), query=query, operation=operation).data or {}

    def list_all(self, operation, template, items, key='id', **params):
        """Every item of a ServiceStage list (``items``: its key in the answer), read page by page to the end."""
        paging = Paging(operation, OFFSET, 'limit', 'offset', _PAGE_SIZE, items=(items,), total=('count',))
        path = self._path(template, **params)
        return read_all(lambda query: self.client.request('GET', path, query=query, operation=operation).data or {}, paging,
                        key=(lambda item: item.get(key)) if key else None)

    def post(self, operation, template, body, **params):
        return self.client.request('POST', self._path(template, **params), json_body=body, operation=operation).data or {}

    # -- names to ids ----------------------------------------------------------------------------

    def application_id(self, application_id=None, application_name=None):
        if application_id:
            return application_id
        return _one(self.list_all('ListApplications', V3 + '/applications', 'applications'), application_name, 'application')

    def component_id(self, application_id, component_id=None, component_name=None):
        if component_id:
            return component_id
        return _one(self.list_components(application_id), component_name, 'component in application %s' % application_id)

    # -- v3 components ---------------------------------------------------------------------------

    def list_components(self, application_id):
        return self.list_all('ShowComponentsInApplication', V3 + '/applications/{application_id}/components', 'components',
                             application_id=application_id)

    def component_records(self, application_id, component_id):
        # Records carry no id of their own: a record a later page repeats cannot be told from a second deployment.
        return self.list_all('ShowComponentRecords', V3 + '/applications/{application_id}/components/{component_id}/records', 'records',
                             key=None, application_id=application_id, component_id=component_id)

    def job(self, job_id, api='v3'):
        template = (V3 if api == 'v3' else V2) + '/jobs/{job_id}'
        operation = 'ShowJobInfo' if api == 'v3' else 'ShowJobDetail'
        return job_view(job_id, self.get(operation, template, job_id=job_id))

    def read_job(self, job_id, params):
        """A job as change_order_info returns it, from the v3 or the v2 API (``servicestage_api``)."""
        return self.job(job_id, params['servicestage_api'])

    @staticmethod
    def job_result(job):
        """What change_order_info returns of a job: as read (a job read already carries its tasks)."""
        return job

    # -- v2 instances ----------------------------------------------------------------------------

    def list_instances(self, application_id, component_id):
        return self.list_all('ListInstances', V2 + '/applications/{application_id}/components/{component_id}/instances', 'instances',
                             application_id=application_id, component_id=component_id)


def _one(items, name, what):
    if not name:
        raise PaasInputError('give the %s id or name' % what.split(' ')[0])
    matches = [item for item in items if item.get('name') == name]
    if len(matches) != 1:
        known = ', '.join(sorted(str(item.get('name')) for item in items)) or 'none'
        raise PaasInputError('%s %s named %r (known: %s)' % ('no' if not matches else 'more than one', what, name, known))
    return matches[0]['id']


def _time_key(value):
    """Order timestamps whether the API gives epoch numbers or ISO strings."""
    try:
        return (0, float(value), '')
    except (TypeError, ValueError):
        return (1, 0.0, str(value or ''))


def _unique(versions):
    seen = []
    for version in versions:
        if version and version not in seen:
            seen.append(version)
    return seen


def _access_address(data):
    """The address of the first external access (an SDK ``ExternalAccesses``: protocol, address, forward_port), or None."""
    accesses = data.get('external_accesses') or []
    return (accesses[0] or {}).get('address') or None if accesses else None


def component_view(component_id, data, application_id=None):
    """A v3 component (ShowComponentInfo or a list item) in the shared shape."""
    status = data.get('status') or {}
    raw = status.get('component_status')
    replica = data.get('replica', status.get('replica'))
    return dict(id=component_id or data.get('id'), name=data.get('name'), kind='component', application_id=application_id or data.get('application_id'),
                state=STATES.normalize(raw), raw_state=raw, replica=replica,
                available_replica=status.get('available_replica'), version=data.get('version'), last_job_id=status.get('last_job_id') or None,
                deploy_strategy=(data.get('deploy_strategy') or {}).get('type'), restarted_at=epoch_seconds(status.get('update_time')),
                address=_access_address(data))


def instance_view(data, application_id=None, component_id=None):
    """A v2 component instance (ShowInstanceDetail or a ListInstances item) in the shared shape."""
    detail = data.get('status_detail') or {}
    raw = detail.get('status')
    return dict(id=data.get('id'), name=data.get('name'), kind='instance', application_id=application_id or data.get('application_id'),
                component_id=component_id or data.get('component_id'), environment_id=data.get('environment_id'),
                state=STATES.normalize(raw), raw_state=raw, replica=detail.get('replica'),
                available_replica=detail.get('available_replica'), version=data.get('version'), last_job_id=detail.get('last_job_id') or None,
                restarted_at=epoch_seconds(data.get('update_time')), address=_access_address(data))


class ComponentTarget:
    """A v3 component as an action target."""

    def __init__(self, api, application_id, component_id):
        self.api = api
        self.application_id = application_id
        self.component_id = component_id
        self.target_id = component_id
        self.label = 'component %s' % component_id
        self._params = dict(application_id=application_id, component_id=component_id)

    def read(self):
        data = self.api.get('ShowComponentInfo', V3 + '/applications/{application_id}/components/{component_id}', **self._params)
        view = component_view(self.component_id, data, self.application_id)
        view['label'] = self.label = 'component %s' % (view['name'] or self.component_id)
        view['paused_deployment'] = view['paused_version'] = None
        if view['state'] == states.UPGRADING:
            self._find_paused_deployment(view)
        return view

    def _find_paused_deployment(self, view):
        """A deployment paused between batches is the record still in progress whose job waits on a PAUSED task.

        Looked up through the records rather than ``last_job_id``: a gray-rule change in between starts a job
        of its own, while the deployment it belongs to stays paused.
        """
        in_progress = [record for record in self._records() if str(record.get('status') or '').upper() == 'RUNNING']
        if not in_progress:
            return
        record = in_progress[-1]
        job_ids = [job.get('job_id') for job in record.get('jobs') or [] if job.get('job_id')] or [view['last_job_id']]
        for job_id in job_ids:
            paused = _paused(self.job(job_id), view['deploy_strategy']) if job_id else None
            if paused:
                view['paused_deployment'], view['paused_version'] = paused, record.get('version')
                return

    def job(self, job_id):
        return self.api.job(job_id, 'v3')

    def _records(self):
        """Deployment records, oldest first."""
        return sorted(self.api.component_records(self.application_id, self.component_id), key=lambda record: _time_key(record.get('begin_time')))

    def versions(self):
        """The versions deployed successfully, oldest first, once per deployment: rollback_current goes to the one before last."""
        return [record.get('version') for record in self._records() if str(record.get('status') or '').upper() == 'SUCCEEDED' and record.get('version')]

    def act(self, action, parameters):
        body = dict(action=action)
        if parameters:
            body['parameters'] = parameters
        return self.api.post('UpdateComponentAction', V3 + '/applications/{application_id}/components/{component_id}/action', body,
                             **self._params).get('job_id')


class InstanceTarget:
    """A v2 component instance as an action target."""

    def __init__(self, api, application_id, component_id, instance_id):
        self.api = api
        self.application_id = application_id
        self.component_id = component_id
        self.instance_id = instance_id
        self.target_id = instance_id
        self.label = 'instance %s' % instance_id
        self._params = dict(application_id=application_id, component_id=component_id, instance_id=instance_id)
        self._base = V2 + '/applications/{application_id}/components/{component_id}/instances/{instance_id}'

    def read(self):
        view = instance_view(self.api.get('ShowInstanceDetail', self._base, **self._params), self.application_id, self.component_id)
        view['id'] = view['id'] or self.instance_id
        view['label'] = self.label = 'instance %s' % (view['name'] or self.instance_id)
        view['paused_deployment'] = None
        return view

    def job(self, job_id):
        return self.api.job(job_id, 'v2')

    def versions(self):
        snapshots = self.api.list_all('ListInstanceSnapshots', self._base + '/snapshots', 'snapshots', key=None, **self._params)
        return _unique(snapshot.get('version') for snapshot in sorted(snapshots, key=lambda snapshot: _time_key(snapshot.get('create_time'))))

    def act(self, action, parameters):
        body = dict(action=action)
        if parameters:
            body['parameters'] = parameters
        return self.api.post('UpdateInstanceAction', self._base + '/action', body, **self._params).get('job_id')


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


class TargetOperation(Operation):
    """An action on one component or instance (``target``: a ``ComponentTarget`` or ``InstanceTarget``), each with its own jobs.

    Work in flight is the target's last job while it runs (a deployment paused between batches is not: resuming it is an
    action); an unknown outcome is settled by whether the last job id moved (``_job_marker``)."""

    def __init__(self, target, parameters):
        self.target = target
        self._parameters = parameters
        self.job = None
        self.final = None

    def parameters(self, request):
        return self._parameters

    def read(self, request):
        return [self.target.read()]

    def settle(self, request, views):
        view, waited = views[0], []
        in_flight = self.target.job(view['last_job_id']) if view.get('last_job_id') else None
        if in_flight and in_flight['status'] not in states.JOB_TERMINAL and not view.get('paused_deployment'):
            if not request.wait:
                raise PaasInputError('job %s is still running on %s; set wait=true to wait for it first' % (in_flight['id'], self.target.label))
            # Its outcome is not ours to judge: whatever it left behind is what the decision starts from.
            _wait_for_job(self.target, in_flight['id'], request.deadline, 'job %s already running on %s' % (in_flight['id'], self.target.label))
            waited = [in_flight['id']]
            view = self.target.read()
        if request.action in ('rollback', 'rollback_current'):
            view['versions'] = self.target.versions()
        return [view], waited

    def send(self, request, plan):
        view, action = plan.entries[0]['view'], request.action
        return send_action(lambda: self.target.act(action, self._parameters), lambda: _job_marker(action, self.target.read()),
                           _job_marker(action, view), 'new job on %s' % self.target.label)

    def follow(self, request, plan):
        entry = plan.entries[0]
        try:
            self.job = _wait_for_job(self.target, plan.sent, request.deadline, '%s of %s (job %s)' % (request.action, self.target.label, plan.sent))
            _raise_if_failed(self.target, self.job)
        except PaasError as error:
            # The action was sent: the target changed (or is changing) whatever became of its job, so the task says changed.
            sent = dict(changed=True, reason=entry['reason'], job_id=plan.sent, waited_for_job=(plan.waited or [None])[0], before=entry['before'],
                        **({'job': self.job} if self.job else {}))
            error.result = dict(getattr(error, 'result', None) or {}, **sent)
            raise
        self.final = self.target.read()
        entry['after'] = summary(self.final)

    def report(self, request, plan):
        entry = plan.entries[0]
        result = dict(changed=entry['changed'], reason=entry['reason'], job_id=plan.sent, job=self.job, waited_for_job=(plan.waited or [None])[0],
                      before=entry['before'], after=entry['after'], diff=dict(before=entry['before'], after=entry['after']),
                      target_state=self.final or entry['view'])
        if self.final is not None:
            result['elapsed'] = round(request.deadline.elapsed(), 3)
        return result


def _instance_entry(operation, outcome, error):
    """One instance's entry in instance_action's result: what was done, or why it failed (and what was sent before)."""
    target = operation.target
    entry = dict(id=target.target_id, changed=False, failed=False, reason=None, job_id=None, job=None, waited_for_job=None, before=None,
                 after=None, instance=None)
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
        return self.list()

    def listed(self, ids):
        """The last listing by id, listed again when it lacks one of ``ids`` (restart_batch lists the fleet just before)."""
        if not self._listed or any(target_id not in self._listed for target_id in ids):
            self.list()
        return self._listed

    def list(self):
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

    def target(self, target_id, view=None):
        if self.component_id:
            target = InstanceTarget(self.api, self.application_id, self.component_id, target_id)
        else:
            target = ComponentTarget(self.api, self.application_id, target_id)
        if view and view.get('name'):
            # As read() names it, so that messages read the same whichever way the target went.
            target.label = '%s %s' % (self.kind, view['name'])
        return target

    def restart(self, ids, deadline, auto_confirm):
        return run(FleetBatch(self), Request('restart', deadline=deadline, chosen=ids))

    def start(self, ids, deadline, auto_confirm):
        return run(FleetBatch(self), Request('start', deadline=deadline, chosen=ids))


class FleetBatch(Operation):
    """One ``action`` (restart, start) on a batch of the fleet's targets (``request.chosen``), sent together; then one list
    call per poll for the whole batch.

    A target's job is read only when the list cannot tell its outcome: its entry names our job but shows a failure or an
    unknown state (the job's task messages say what failed), or shows it running without our having seen it in a transition
    (a RUNNING from before the job took effect is not an outcome). An entry that still names an earlier job is waited for.
    Targets the list does not show in the state the action starts from (running for a restart, stopped for a start), and
    those the platform refuses because a job of theirs is still running (409), run on their own (``TargetOperation``): that
    waits for the job in flight, or refuses what the target's state does not allow. An unknown outcome is settled the same
    way (send_action: the target's last job id moved or not). The result is ``{id: error message or None}``.
    """

    def __init__(self, fleet):
        self.fleet = fleet
        self.targets = {}
        self.outcomes = {}
        self._on_their_own = []
        self._pool = None

    def read(self, request):
        listed = self.fleet.listed(request.chosen)
        views = [listed[target_id] for target_id in request.chosen]
        self.targets = dict((view['id'], self.fleet.target(view['id'], view)) for view in views)
        return views

    def send(self, request, plan):
        action = request.action
        quick = [entry['id'] for entry in plan.acting if entry['view']['state'] == _ACTS_FROM[action]]
        careful = [entry['id'] for entry in plan.acting if entry['id'] not in quick]

        def send(target_id):
            target = self.targets[target_id]
            try:
                return target_id, send_action(lambda: target.act(action, {}), lambda: target.read().get('last_job_id'),
                                              plan.entry(target_id)['view'].get('last_job_id'), 'new job on %s' % target.label), None
            except PaasError as error:
                return target_id, None, error

        # One pool for the sends and then for the targets that run on their own, while the list is polled for the others.
        self._pool = ThreadPoolExecutor(max_workers=min(len(plan.acting), _MAX_PARALLEL_SENDS))
        jobs = {}
        for target_id, job_id, error in self._pool.map(send, quick):
            if error is None and job_id:
                jobs[target_id] = job_id
            elif isinstance(error, PaasAPIError) and error.status == 409:
                careful.append(target_id)
            else:
                self.outcomes[target_id] = error.msg if error is not None else 'the restart of %s answered no job id' % self.targets[target_id].label
        on_own = Request(action, deadline=request.deadline)
        self._on_their_own = [(target_id, self._pool.submit(_outcome_of, TargetOperation(self.targets[target_id], {}), on_own)) for target_id in careful]
        return jobs

    def follow(self, request, plan):
        try:
            self.outcomes.update(self._follow(plan, plan.sent, request.deadline))
            for target_id, future in self._on_their_own:
                self.outcomes[target_id] = future.result()
        finally:
            self._pool.shutdown()

    def report(self, request, plan):
        return dict((target_id, self.outcomes.get(target_id)) for target_id in request.chosen)

    def _follow(self, plan, jobs, deadline):
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
                return 'wait' if view.get('last_job_id') == plan.entry(target_id)['view'].get('last_job_id') else 'job'
            last_status = JOB_STATUSES.normalize(view['last_job_status']) if view.get('last_job_status') else None
            if last_status is not None and last_status in states.JOB_TERMINAL - states.JOB_SUCCESS:
                return 'job'
            if view['state'] == states.RUNNING:
                return 'done' if target_id in moved and last_status in (None, states.JOB_SUCCEEDED) else 'job'
            if view['state'] in states.TRANSITIONAL_STATES:
                moved.add(target_id)
                return 'wait'
            return 'job'

        def read():
            views = dict((view['id'], view) for view in self.fleet.list())
            for target_id in list(pending):
                verdict = judge(target_id, views.get(target_id))
                if verdict == 'done':
                    outcomes[target_id] = None
                    del pending[target_id]
                elif verdict == 'job':
                    self._read_job(self.targets[target_id], pending, outcomes, target_id)
            return views

        try:
            wait_until(read, lambda views: not pending, deadline.remaining(), interval=0.5, backoff=1.5, max_interval=5.0,
                       description='the jobs of %s' % ', '.join(sorted(jobs)))
        except PaasWaitTimeout as error:
            last = error.last or {}
            for target_id in list(pending):
                # Out of time: the job, read once, says how it ended if it did (a failure with its messages).
                job_id = pending[target_id]
                self._read_job(self.targets[target_id], pending, outcomes, target_id)
                if target_id in pending:
                    outcomes[target_id] = '%s; job %s on %s still not ended (last listed %s)' % (
                        error.msg, job_id, self.targets[target_id].label, (last.get(target_id) or {}).get('raw_state'))
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


def _outcome_of(operation, request):
    """A target's outcome in a batch: None when done, else why not."""
    try:
        run(operation, request)
        return None
    except PaasError as error:
        return error.msg


def api(connection):
    return ServiceStage(connection)


def fleet(connection, params):
    return ServiceStageFleet(connection, application_of(params, 'servicestage'), (params.get('component_id'), params.get('component_name')))


def _targets_of(connection, request):
    api = ServiceStage(connection)
    application_id = api.application_id(request.target('application_id'), request.target('application_name'))
    component_id = api.component_id(application_id, request.target('component_id'), request.target('component_name'))
    return api, application_id, component_id, action_parameters(request.action, request.parameters, connection.warn)


def operate_component(connection, request):
    api, application_id, component_id, parameters = _targets_of(connection, request)
    outcome = run(TargetOperation(ComponentTarget(api, application_id, component_id), parameters), request)
    result = dict(changed=outcome['changed'], application_id=application_id, component_id=component_id, action=request.action,
                  reason=outcome['reason'], job_id=outcome['job_id'], job=outcome['job'], waited_for_job=outcome['waited_for_job'],
                  before=outcome['before'], after=outcome['after'], component=public_view(outcome['target_state']))
    if 'elapsed' in outcome:
        result['elapsed'] = outcome['elapsed']
    return result


def operate_instances(connection, request):
    """The instances a task names, each on its own (``request.concurrency`` at a time): one result with every outcome."""
    if request.concurrency < 1:
        raise PaasInputError('concurrency must be 1 or more, got %s' % request.concurrency)
    ids = request.target('instance_ids') or []
    duplicates = sorted(set(i for i in ids if ids.count(i) > 1))
    if duplicates or not ids:
        raise PaasInputError('give each instance once: duplicates %s' % ', '.join(duplicates) if duplicates else 'no instances given')
    api, application_id, component_id, parameters = _targets_of(connection, request)
    entries = run_each([TargetOperation(InstanceTarget(api, application_id, component_id, instance_id), parameters) for instance_id in ids], request,
                       _instance_entry)
    result = dict(application_id=application_id, component_id=component_id, changed=any(entry['changed'] for entry in entries), instances=entries)
    failed = [entry for entry in entries if entry['failed']]
    if failed:
        raise PaasBatchError('%d of %d instances failed: %s' % (len(failed), len(entries), '; '.join('%s: %s' % (e['id'], e['msg']) for e in failed)),
                             result)
    return result


def deployer(connection, params):
    """Placeholder until this adapter's Deployer lands (issue 16, in progress on a helper branch)."""
    raise PaasInputError('deploys are not available on this platform yet')
