# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Huawei Cloud ServiceStage: the v3 component and v2 component-instance APIs and their jobs.

Everything ServiceStage-specific lives here: paths, response shapes (v3 keys are lower-case, v2 job
keys UPPER-CASE), name resolution, and the mapping of raw statuses to the shared vocabulary.
Modules use ``ServiceStage`` and its ``ComponentTarget`` / ``InstanceTarget`` with ``_action.run_action``.
"""

from __future__ import annotations

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import epoch_seconds
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._http import build_path
from ansible_collections.paas.ops.plugins.module_utils._paging import OFFSET, Paging, read_all

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
                          status=states.normalize_job_status('servicestage_job', raw_task), messages=_get(task, 'messages')))
    return dict(id=job_id or _get(job, 'job_id'), type=_get(job, 'job_type'), raw_status=raw,
                status=states.normalize_job_status('servicestage_job', raw), tasks=tasks)


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
        self.project_id = connection.project_id()

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


def component_view(component_id, data, application_id=None):
    """A v3 component (ShowComponentInfo or a list item) in the shared shape."""
    status = data.get('status') or {}
    raw = status.get('component_status')
    replica = data.get('replica', status.get('replica'))
    return dict(id=component_id or data.get('id'), name=data.get('name'), kind='component', application_id=application_id or data.get('application_id'),
                state=states.normalize_state('servicestage_component', raw), raw_state=raw, replica=replica,
                available_replica=status.get('available_replica'), version=data.get('version'), last_job_id=status.get('last_job_id') or None,
                deploy_strategy=(data.get('deploy_strategy') or {}).get('type'), restarted_at=epoch_seconds(status.get('update_time')))


def instance_view(data, application_id=None, component_id=None):
    """A v2 component instance (ShowInstanceDetail or a ListInstances item) in the shared shape."""
    detail = data.get('status_detail') or {}
    raw = detail.get('status')
    return dict(id=data.get('id'), name=data.get('name'), kind='instance', application_id=application_id or data.get('application_id'),
                component_id=component_id or data.get('component_id'), environment_id=data.get('environment_id'),
                state=states.normalize_state('servicestage_instance', raw), raw_state=raw, replica=detail.get('replica'),
                available_replica=detail.get('available_replica'), version=data.get('version'), last_job_id=detail.get('last_job_id') or None,
                restarted_at=epoch_seconds(data.get('update_time')))


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
