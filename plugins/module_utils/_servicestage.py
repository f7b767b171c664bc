# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Huawei Cloud ServiceStage: the v3 component and v2 component-instance APIs and their jobs.

Everything ServiceStage-specific lives here: paths, response shapes (v3 keys are lower-case, v2 job
keys UPPER-CASE), name resolution, the mapping of raw statuses to the shared vocabulary, the operations
(``TargetOperation`` on a ``ComponentTarget`` / ``InstanceTarget``, and the batch of a fleet, run by ``_lifecycle.run``), the fleet a rolling restart walks
and the deploys of a new component version (``ComponentDeployer``, run by ``_version``).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import ACTIONS, action_parameters, epoch_seconds, public_view, summary
from ansible_collections.paas.ops.plugins.module_utils._errors import (PaasAPIError, PaasBatchError, PaasError, PaasInputError, PaasJobError,
                                                                       PaasOutcomeUnknownError, PaasThrottledError, PaasTransportError, PaasWaitTimeout)
from ansible_collections.paas.ops.plugins.module_utils._fleet import Fleet, application_of
from ansible_collections.paas.ops.plugins.module_utils._http import build_path
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Operation, Request, run, run_each
from ansible_collections.paas.ops.plugins.module_utils._paging import OFFSET, Paging, read_all
from ansible_collections.paas.ops.plugins.module_utils._retry import send_action
from ansible_collections.paas.ops.plugins.module_utils._version import Deployer, deployed
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
# ModifyComponent's body, the SDK's ComponentModify (huaweicloudsdkservicestage 3.1.219, v3/model/component_modify.py: its
# attribute_map, in order; tests/unit checks this list against the model). A full-body PUT: each of them the component has
# is sent back as read, and only source and version (and deploy_strategy when given) change.
COMPONENT_MODIFY_FIELDS = ('name', 'description', 'labels', 'runtime_stack', 'source', 'build', 'limit_cpu', 'limit_memory', 'request_cpu',
                           'request_memory', 'replica', 'version', 'swimlane_id', 'envs', 'storages', 'deploy_strategy', 'command', 'post_start',
                           'pre_stop', 'timezone', 'mesher', 'jvm_opts', 'tomcat_opts', 'logs', 'custom_metric', 'affinity', 'anti_affinity',
                           'liveness_probe', 'readiness_probe', 'external_accesses', 'refer_resources')
# The option that gives the new url of each source kind a deploy changes (SourceKind: code, package, image); a component
# built from code is built by ServiceStage itself.
SOURCE_OPTIONS = {'image': 'image', 'package': 'package_url'}
# DeployStrategy.type (the Node.js SDK's DeployStrategyTypeEnum; the Python model leaves it a str, and requires it).
DEPLOY_STRATEGY_TYPES = ('OneBatchRelease', 'RollingRelease', 'GrayRelease')
# Component versions: {n}.{n}.{n} or {n}.{n}.{n}.{n} (terraform-provider-huaweicloud's servicestagev3_component documentation).
COMPONENT_VERSION = re.compile(r'^[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?$')
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
        # The operation and request id of each call that changed something, for the task result (what support asks for first).
        self.action_requests = []

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
        return self.change('POST', operation, template, body, **params)[0]

    def change(self, method, operation, template, body, **params):
        """Send a call that changes something (an action, a PUT): ``(answer, request id)``."""
        response = self.client.request(method, self._path(template, **params), json_body=body, operation=operation)
        self.action_requests.append(dict(operation=operation, request_id=response.request_id))
        return response.data or {}, response.request_id

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

    def info(self):
        """The component as ShowComponentInfo answers it."""
        return self.api.get('ShowComponentInfo', V3 + '/applications/{application_id}/components/{component_id}', **self._params)

    def last_job_id(self):
        return (self.info().get('status') or {}).get('last_job_id') or None

    def read(self):
        data = self.info()
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
        return self.act_with_request(action, parameters)[0]

    def act_with_request(self, action, parameters):
        """Send ``action``: ``(job id, request id)``."""
        body = dict(action=action)
        if parameters:
            body['parameters'] = parameters
        answer, request_id = self.api.change('POST', 'UpdateComponentAction', V3 + '/applications/{application_id}/components/{component_id}/action',
                                             body, **self._params)
        return answer.get('job_id'), request_id

    def modify(self, body):
        """ModifyComponent, a PUT of the whole component: ``(job id, request id)``."""
        answer, request_id = self.api.change('PUT', 'ModifyComponent', V3 + '/applications/{application_id}/components/{component_id}', body,
                                             **self._params)
        return answer.get('job_id'), request_id


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


class ComponentDeployer(Deployer):
    """A new version of the v3 components of one application (all of them, or ``component_ids`` / ``component_names``):
    ModifyComponent, a full-body PUT of each component as ShowComponentInfo reads it with its ``source`` url and ``version``
    changed (``deploy_strategy`` as given, else the component's own), its job followed. What runs is the component's
    ``version`` and its source's url (an image, or a package URL), read with one list call (ShowComponentsInApplication).
    A rollback is the component action ``rollback`` to the version the component ran, which its deployment records
    (ShowComponentRecords) must show deployed. The v2 instance change (ChangeInstance) is not used: v3 components only."""

    kind = 'component'
    title = 'ServiceStage component'

    def __init__(self, connection, params):
        super().__init__(connection, params)
        self.api = ServiceStage(connection)
        self._application_id = None
        # Components whose deploy the platform refused outright: they still run what they ran, nothing to roll back.
        self._refused = set()

    @property
    def application_id(self):
        if self._application_id is None:
            self._application_id = self.api.application_id(self.params.get('application_id'), self.params.get('application_name'))
        return self._application_id

    def check(self, spec):
        super().check(spec)
        if not (self.params.get('application_id') or self.params.get('application_name')):
            raise PaasInputError('ServiceStage deploys need application_id or application_name')
        if self.params.get('component_ids') and self.params.get('component_names'):
            raise PaasInputError('give component_ids or component_names, not both')
        if not spec.version:
            raise PaasInputError('ServiceStage names every deploy by its component version: give version (n.n.n or n.n.n.n)')
        if not COMPONENT_VERSION.match(spec.version):
            raise PaasInputError('version must be n.n.n or n.n.n.n (a ServiceStage component version), got %r' % spec.version)
        if not (spec.image or spec.package_url):
            raise PaasInputError('give the source of version %s: image or package_url' % spec.version)
        if spec.package_version:
            raise PaasInputError('ServiceStage takes no package_version: the component version (version) names the deploy')
        strategy = self.params.get('deploy_strategy')
        if strategy is not None and strategy.get('type') not in DEPLOY_STRATEGY_TYPES:
            raise PaasInputError('deploy_strategy.type must be one of %s, got %r' % (', '.join(DEPLOY_STRATEGY_TYPES), strategy.get('type')))

    # ---- reads --------------------------------------------------------------------------------------------------

    def targets(self, ids=None):
        listed = self.api.list_components(self.application_id)
        by_id = dict((item.get('id'), item) for item in listed)
        if ids is None and self.params.get('component_names'):
            ids = [_one(listed, name, 'component in application %s' % self.application_id) for name in _unique(self.params['component_names'])]
        elif ids is None:
            ids = _unique(self.params.get('component_ids') or []) or [item.get('id') for item in listed]
        unknown = [target_id for target_id in ids if target_id not in by_id]
        if unknown:
            raise PaasInputError('no component %s in application %s (known: %s)' % (', '.join(unknown), self.application_id,
                                                                                    ', '.join(sorted(by_id)) or 'none'))
        return [self._view(by_id[target_id]) for target_id in ids]

    def _view(self, item):
        view = component_view(None, item, self.application_id)
        source = item.get('source') or {}
        kind, url = source.get('kind'), source.get('url')
        view.update(label='component %s' % (view['name'] or view['id']), health=None,
                    deployed=deployed(version=item.get('version'), image=url if kind == 'image' else None,
                                      package_url=url if kind == 'package' else None),
                    # The list carries no job status: a component in a transition has its last job in flight.
                    busy=view['last_job_id'] if view['state'] in states.TRANSITIONAL_STATES else None,
                    _source_kind=kind, _external_accesses=item.get('external_accesses'), _paused=None)
        return view

    def _target(self, view):
        target = ComponentTarget(self.api, self.application_id, view['id'])
        target.label = view['label']
        return target

    def settle(self, views, deadline):
        """Wait for the job in flight on each component in a transition; a deployment paused between batches is not waited
        for (it waits for someone to continue it): ``refuse`` says so."""
        waited = []
        for view in views:
            if not view['busy']:
                continue
            target = self._target(view)
            current = target.read()
            if current['paused_deployment']:
                view['_paused'] = (current['paused_deployment'], current['paused_version'])
                continue
            job = target.job(current['last_job_id']) if current['last_job_id'] else None
            if job and job['status'] not in states.JOB_TERMINAL:
                _wait_for_job(target, job['id'], deadline, 'job %s already running on %s' % (job['id'], target.label))
                waited.append(view['id'])
        if waited:
            again = dict((view['id'], view) for view in self.targets(waited))
            views = [again.get(view['id'], view) for view in views]
        return views, waited

    def refuse(self, view, spec):
        if view['_paused']:
            strategy, version = view['_paused']
            raise PaasInputError('%s has a %s deployment of version %s paused between batches: continue it or roll it back first '
                                 '(paas.ops.component_action)' % (view['label'], strategy, version))
        wanted = 'image' if spec.image else 'package'
        if view['_source_kind'] != wanted:
            if view['_source_kind'] not in SOURCE_OPTIONS:
                raise PaasInputError('%s is built from source kind %s: app_version deploys images and packages' % (view['label'], view['_source_kind']))
            raise PaasInputError('%s runs a source of kind %s: give %s (a deploy changes the url of its source, not its kind)' % (
                view['label'], view['_source_kind'], SOURCE_OPTIONS[view['_source_kind']]))
        if view['deployed']['version'] == spec.version and not self.on_version(view, spec):
            raise PaasInputError('%s runs version %s from another %s already: ServiceStage names each deploy (and what a rollback goes back '
                                 'to) by its version, so give a new one' % (view['label'], spec.version, wanted))

    # ---- deploy ----------------------------------------------------------------------------------------------------

    def send(self, views, spec):
        self._refused = set()
        with ThreadPoolExecutor(max_workers=min(len(views), _MAX_PARALLEL_SENDS)) as pool:
            return dict(pool.map(lambda view: (view['id'], self._deploy(view, spec)), views))

    def _deploy(self, view, spec):
        """One component's ModifyComponent: its handle; a deploy that could not be sent is a handle with the ``error``,
        which ``follow`` reports as that component's failure (the others' deploys went out)."""
        target = self._target(view)
        sent = {}

        def modify():
            job_id, sent['request_id'] = target.modify(body)
            return job_id
        try:
            info = target.info()
            body = modify_body(info, view, spec, self.params.get('deploy_strategy'))
            job_id = send_action(modify, target.last_job_id, (info.get('status') or {}).get('last_job_id') or None, 'new job on %s' % target.label)
        except PaasError as error:
            if not isinstance(error, PaasOutcomeUnknownError):
                self._refused.add(view['id'])
            return dict(kind='job', id=None, request_id=None, error='deploy not sent: %s' % error.msg)
        if not job_id:
            return dict(kind='job', id=None, request_id=sent.get('request_id'), error='ModifyComponent of %s answered no job id' % target.label)
        return dict(kind='job', id=job_id, request_id=sent.get('request_id'))

    def follow(self, view, handle, deadline, auto_confirm):
        if handle.get('error'):
            raise PaasJobError(handle['error'], job=None, target=view['label'])
        target = self._target(view)
        job = _wait_for_job(target, handle['id'], deadline, 'job %s on %s' % (handle['id'], target.label))
        _raise_if_failed(target, job)
        return job

    def rollback(self, view, deadline, auto_confirm):
        """The component action ``rollback`` to the version ``view`` ran, once the job in flight on it (the failed deploy's,
        out of time) has ended."""
        if view['id'] in self._refused:
            raise PaasInputError('its deploy was refused, so it still runs what it ran: nothing to roll back')
        target = self._target(view)
        version = view['deployed']['version']
        if version not in target.versions():
            raise PaasInputError('the deployment records of %s show no successful deployment of version %s to roll back to' % (target.label, version))
        last_job_id = target.last_job_id()
        job = target.job(last_job_id) if last_job_id else None
        if job and job['status'] not in states.JOB_TERMINAL:
            _wait_for_job(target, job['id'], deadline, 'job %s on %s before its rollback' % (job['id'], target.label))
        sent = {}

        def roll_back():
            job_id, sent['request_id'] = target.act_with_request('rollback', {'version': version})
            return job_id
        job_id = send_action(roll_back, target.last_job_id, last_job_id, 'new job on %s' % target.label)
        return dict(kind='job', id=job_id, request_id=sent.get('request_id'))


def modify_body(info, view, spec, deploy_strategy=None):
    """ModifyComponent's body: every ComponentModify field of the component as read (``info``, ShowComponentInfo), with the
    source's url and the version of ``spec``, the rest of the source kept; ``deploy_strategy`` as given, else the component's."""
    body = dict((field, info[field]) for field in COMPONENT_MODIFY_FIELDS if info.get(field) is not None)
    if 'external_accesses' not in body and view.get('_external_accesses'):
        # ShowComponentInfo has no external_accesses (SDK ShowComponentInfoResponse); the list has them: sent back too.
        body['external_accesses'] = view['_external_accesses']
    body['source'] = dict(info.get('source') or {}, url=spec.image or spec.package_url)
    body['version'] = spec.version
    if deploy_strategy:
        body['deploy_strategy'] = deploy_strategy
    return body


def deployer(connection, params):
    return ComponentDeployer(connection, params)
