# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Alibaba Cloud SAE and EDAS: ROA calls, application and instance reads, actions and change orders.

Both products change state through change orders (one per application at a time) that run in
batches (pipelines) and may wait for a person to confirm the next batch.  ``follow_change_order``
is the one place that waits for them, confirms batches when asked to, and turns a failed order
into a ``PaasJobError`` carrying the failed tasks' messages.
"""

from __future__ import annotations

from functools import partial

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline, decide, epoch_seconds, predict, public_view, send_action, summary
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, PaasInputError, PaasJobError
from ansible_collections.paas.ops.plugins.module_utils._paging import PAGE, Paging, read_all
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_for_job_end

SAE_ACTIONS = ('start', 'stop', 'restart', 'scale', 'rollback')
EDAS_ACTIONS = ('start', 'stop', 'restart')
_SAE_BATCH = {'start': 'BatchStartApplications', 'stop': 'BatchStopApplications', 'restart': 'BatchRestartApplications'}
_EDAS_ACTION = {'start': ('StartApplication', 'co_start'), 'stop': ('StopApplication', 'co_stop'), 'restart': ('RestartApplication', 'co_restart')}
# EDAS Ecc.AppState values that mean the process runs (3: running, health check failing).
_EDAS_RUNNING = frozenset(['3', '7'])
# Change-order types (CoTypeCode) that put a new process on the ECCs they touch: a restart for a rolling restart to skip.
_EDAS_RESTARTING_ORDERS = ('Restart', 'Deploy', 'Rollback', 'Reset')
# A successful instance step (InstanceStageDTO Status).
_EDAS_STEP_SUCCEEDED = '2'
# How SAE's lists page (CurrentPage from 1, PageSize), with the largest page each takes and where its total is. The documented
# maxima are 10,000 (ListApplications) and under 10^9 (DescribeApplicationInstances, whose default is 10); the others' are not
# documented, so they are asked for 100 at a time. DescribeApplicationGroups gives no total: its list ends on a short page.
_SAE_APPLICATIONS = Paging('ListApplications', PAGE, 'PageSize', 'CurrentPage', 10000, items=('Data', 'Applications'), total=('Data', 'TotalSize'))
_SAE_INSTANCES = Paging('DescribeApplicationInstances', PAGE, 'PageSize', 'CurrentPage', 999999999, items=('Data', 'Instances'),
                        total=('Data', 'TotalSize'))
_SAE_GROUPS = Paging('DescribeApplicationGroups', PAGE, 'PageSize', 'CurrentPage', 100, items=('Data',))
_SAE_CHANGE_ORDERS = Paging('ListChangeOrders', PAGE, 'PageSize', 'CurrentPage', 100, items=('Data', 'ChangeOrderList'), total=('Data', 'TotalSize'))
# The page size asked of the lists whose documented maximum is far larger: pages of 1,000 keep a big fleet to a few calls
# (SAE allows 60 a minute) and each answer small.
_SAE_BIG_PAGE = 1000


def _as_list(value, key):
    """Alibaba wraps lists XML-style ({"EccList": {"Ecc": [...]}}); accept both that and a plain list."""
    if isinstance(value, dict):
        value = value.get(key)
    if isinstance(value, dict):
        value = [value]
    return value or []


class AlibabaApi:
    """ROA calls of one Alibaba product over the shared client (x-acs-action and x-acs-version set per call)."""

    def __init__(self, connection):
        self.platform = connection.platform.name
        self.version = connection.platform.api_version
        self.client = connection.client()
        # Request ids of the calls that changed something, for the task result (what support asks for first).
        self.action_requests = []

    def call(self, action, method, path, query=None, read=None):
        # Empty parameters are left out: the two official SDKs sign them differently.
        query = dict((key, value) for key, value in (query or {}).items() if value not in (None, ''))
        headers = {'x-acs-action': action, 'x-acs-version': self.version}
        response = self.client.request(method, path, query=query, headers=headers, read=read, operation=action)
        if read is False or (read is None and method not in ('GET', 'HEAD')):
            self.action_requests.append(dict(operation=action, request_id=response.request_id))
        return response.data or {}

    def list_all(self, paging, path, query, key, page_size=None, want=None):
        """Every item of a paged list (``paging``: how it pages), read page by page to its end; ``key`` names an item's id field."""
        return read_all(lambda page: self.call(paging.name, 'GET', path, dict(query, **page)), paging, page_size=page_size,
                        key=lambda item: item.get(key) if isinstance(item, dict) else None, want=want)


class Sae(AlibabaApi):

    def applications(self, namespace_id):
        """Every application of a namespace (ListApplications, all pages), with a state from its instance counts."""
        found = []
        for app in self.list_all(_SAE_APPLICATIONS, '/pop/v1/sam/app/listApplications', {'NamespaceId': namespace_id}, 'AppId', _SAE_BIG_PAGE):
            wanted, running = int(app.get('Instances') or 0), int(app.get('RunningInstances') or 0)
            # One call for the whole namespace: the counts say it (DescribeApplicationStatus would cost one call per app).
            state = states.STOPPED if not running else states.RUNNING if running >= wanted else states.DEGRADED
            found.append(dict(id=app.get('AppId'), name=app.get('AppName'), kind='application', application_id=app.get('AppId'),
                              state=state, raw_state='%s/%s running' % (running, wanted), replica=wanted, available_replica=running))
        return found

    def application_ids(self, app_ids, app_names, namespace_id):
        if app_ids:
            return list(app_ids)
        if not namespace_id:
            raise PaasInputError('namespace_id is needed to find applications by name')
        known = {}
        for app in self.applications(namespace_id):
            known.setdefault(app['name'], []).append(app['id'])
        missing = [name for name in app_names if len(known.get(name, [])) != 1]
        if missing:
            raise PaasInputError('no single application named %s in namespace %s (known: %s)'
                                 % (', '.join(missing), namespace_id, ', '.join(sorted(name for name in known if name)) or 'none'))
        return [known[name][0] for name in app_names]

    def application(self, app_id):
        data = self.call('DescribeApplicationStatus', 'GET', '/pop/v1/sam/app/describeApplicationStatus', {'AppId': app_id}).get('Data') or {}
        raw = data.get('CurrentStatus')
        running = bool(data.get('LastChangeOrderRunning'))
        return dict(id=app_id, label='application %s' % app_id, state=states.normalize_state('sae_application', raw), raw_state=raw,
                    running_instances=data.get('RunningInstances'), last_change_order_id=data.get('LastChangeOrderId') or None,
                    change_order_running=running)

    def last_change_order_id(self, app_id):
        """The application's last change order (DescribeApplicationStatus LastChangeOrderId): every accepted action moves it."""
        return self.application(app_id)['last_change_order_id']

    def config(self, app_id):
        return self.call('DescribeApplicationConfig', 'GET', '/pop/v1/sam/app/describeApplicationConfig', {'AppId': app_id}).get('Data') or {}

    def versions(self, app_id, config):
        """``(version ids oldest first, the id of the version running)`` of an application.

        No SAE read names the running version id: it is the newest version whose package
        (``BuildPackageUrl`` / ``WarUrl``) is the one the configuration deploys (``ImageUrl`` /
        ``PackageUrl``); None when no version matches.
        """
        found = self.call('ListAppVersions', 'GET', '/pop/v1/sam/app/listAppVersions', {'AppId': app_id}).get('Data') or []
        ordered = sorted((version for version in found if version.get('Id')), key=lambda version: int(version.get('CreateTime') or 0))
        deployed = set(url for url in (config.get('ImageUrl'), config.get('PackageUrl')) if url)
        current = [version['Id'] for version in ordered if deployed & set([version.get('BuildPackageUrl'), version.get('WarUrl')])]
        return [version['Id'] for version in ordered], (current[-1] if current else None)

    def batch(self, action, namespace_id, app_ids):
        data = self.call(_SAE_BATCH[action], 'PUT', '/pop/v1/sam/app/%sApplications' % ('batch' + action.capitalize()),
                         {'NamespaceId': namespace_id, 'AppIds': ','.join(app_ids)})
        return (data.get('Data') or {}).get('ChangeOrderId')

    def rescale(self, app_id, replicas, min_ready_instances=None, min_ready_instance_ratio=None):
        data = self.call('RescaleApplication', 'PUT', '/pop/v1/sam/app/rescaleApplication',
                         {'AppId': app_id, 'Replicas': replicas, 'MinReadyInstances': min_ready_instances,
                          'MinReadyInstanceRatio': min_ready_instance_ratio})
        return (data.get('Data') or {}).get('ChangeOrderId')

    def rollback(self, app_id, version_id, min_ready_instances=None, min_ready_instance_ratio=None):
        data = self.call('RollbackApplication', 'PUT', '/pop/v1/sam/app/rollbackApplication',
                         {'AppId': app_id, 'VersionId': version_id, 'MinReadyInstances': min_ready_instances,
                          'MinReadyInstanceRatio': min_ready_instance_ratio})
        return (data.get('Data') or {}).get('ChangeOrderId')

    def restart_instances(self, app_id, instance_ids):
        data = self.call('RestartInstances', 'PUT', '/pop/v1/sam/app/restartInstances', {'AppId': app_id, 'InstanceIds': ','.join(instance_ids)})
        return (data.get('Data') or {}).get('ChangeOrderId')

    def instances(self, app_id):
        """Every instance of the application, over all its groups and pages."""
        groups = self.list_all(_SAE_GROUPS, '/pop/v1/sam/app/describeApplicationGroups', {'AppId': app_id}, 'GroupId')
        found = []
        for group in groups:
            for instance in self.list_all(_SAE_INSTANCES, '/pop/v1/sam/app/describeApplicationInstances',
                                          {'AppId': app_id, 'GroupId': group.get('GroupId')}, 'InstanceId', _SAE_BIG_PAGE):
                raw = instance.get('InstanceContainerStatus')
                found.append(dict(id=instance.get('InstanceId'), name=instance.get('InstanceId'), kind='instance', application_id=app_id,
                                  state=states.normalize_state('sae_instance', raw), raw_state=raw,
                                  health=states.normalize_health('sae_instance', instance.get('InstanceHealthStatus')),
                                  raw_health=instance.get('InstanceHealthStatus'), version=instance.get('PackageVersion') or instance.get('ImageUrl'),
                                  group_id=group.get('GroupId'), ip=instance.get('InstanceContainerIp'),
                                  # A restarted instance is a new pod: its creation is its last restart.
                                  restarted_at=epoch_seconds(instance.get('CreateTimeStamp'))))
        return found

    def change_order(self, change_order_id):
        """The order with its batches; their tasks are read by ``with_tasks`` (one call per batch)."""
        data = self.call('DescribeChangeOrder', 'GET', '/pop/v1/sam/changeorder/DescribeChangeOrder', {'ChangeOrderId': change_order_id}).get('Data') or {}
        raw, sub = data.get('Status'), data.get('SubStatus')
        pipelines = [dict(id=p.get('PipelineId'), name=p.get('PipelineName'), raw_status=p.get('Status'),
                          status=states.normalize_job_status('sae_change_order', p.get('Status')), tasks=None) for p in data.get('Pipelines') or []]
        # ``ended``: whether SAE itself considers the order over (SubStatus 1 counts as failed, yet the order still runs).
        return dict(id=change_order_id, platform='sae', raw_status=raw, sub_status=sub, status=states.normalize_job_status('sae_change_order', raw, sub),
                    ended=states.normalize_job_status('sae_change_order', raw) in states.JOB_TERMINAL,
                    type=data.get('CoTypeCode'), description=data.get('CoType') or data.get('Description'), application_id=data.get('AppId'),
                    created=data.get('CreateTime'), batch_count=data.get('BatchCount'), batch_type=data.get('BatchType'),
                    current_pipeline_id=data.get('CurrentPipelineId'), message=data.get('ErrorMessage') or None, pipelines=pipelines)

    def with_tasks(self, order):
        """Fill in the tasks of every batch that has started (DescribePipeline)."""
        for pipeline in order['pipelines']:
            if pipeline['tasks'] is None and pipeline['status'] not in (states.JOB_PENDING, states.JOB_WAITING_CONFIRMATION):
                detail = self.call('DescribePipeline', 'GET', '/pop/v1/sam/changeorder/DescribePipeline', {'PipelineId': pipeline['id']}).get('Data') or {}
                pipeline['tasks'] = [_task(task.get('TaskName'), task.get('Status'), task.get('Message'), task.get('ErrorCode'), task.get('ErrorMessage'))
                                     for stage in detail.get('StageList') or [] for task in stage.get('TaskList') or []]
                # SAE has no per-instance list in a batch: each instance's task names it ("Restart <instance id>").
                pipeline['units'] = [_unit(str(task['name'] or '').split(), task['raw_status'], task['error_message'] or task['message'])
                                     for task in pipeline['tasks']]
        return order

    def change_orders(self, app_id, limit):
        """The newest ``limit`` change orders of an application (ListChangeOrders, as many pages as they take; all with None), newest first."""
        orders = self.list_all(_SAE_CHANGE_ORDERS, '/pop/v1/sam/changeorder/ListChangeOrders', {'AppId': app_id}, 'ChangeOrderId', want=limit)
        return [_order_summary('sae', order, 'sae_change_order') for order in orders]

    def waiting_pipeline(self, order):
        return order.get('current_pipeline_id')

    def confirm_batch(self, pipeline_id):
        self.call('ConfirmPipelineBatch', 'GET', '/pop/v1/sam/changeorder/ConfirmPipelineBatch', {'PipelineId': pipeline_id, 'Confirm': 'true'},
                  read=False)

    def abort(self, change_order_id):
        """Stop the order and roll back what its batches changed (AbortChangeOrder with Rollback)."""
        self.call('AbortChangeOrder', 'PUT', '/pop/v1/sam/changeorder/AbortChangeOrder', {'ChangeOrderId': change_order_id, 'Rollback': 'true'})


class Edas(AlibabaApi):

    def application(self, app_id):
        info = self.call('QueryApplicationStatus', 'GET', '/pop/v5/app/app_status', {'AppId': app_id}).get('AppInfo') or {}
        eccs = []
        for ecc in _as_list(info.get('EccList'), 'Ecc'):
            raw = ecc.get('AppState')
            # No restart time here (CreateTime and UpdateTime do not move): ``restart_times`` reads it from the change orders.
            eccs.append(dict(id=ecc.get('EccId'), name=ecc.get('Ip') or ecc.get('EccId'), kind='ecc', application_id=app_id,
                             state=states.normalize_state('edas_ecc', raw), raw_state=raw, health=states.normalize_health('edas_ecc', raw),
                             raw_health=raw, task_state=ecc.get('TaskState'), group_id=ecc.get('GroupId'), ip=ecc.get('Ip'), restarted_at=None))
        application = info.get('Application') or {}
        return dict(id=app_id, name=application.get('Name'), label='application %s' % (application.get('Name') or app_id), eccs=eccs)

    def recent_change_order(self, app_id):
        """The newest change order of the application and whether it still runs (EDAS runs one at a time)."""
        data = self.call('ListRecentChangeOrder', 'POST', '/pop/v5/changeorder/change_order_list', {'AppId': app_id}, read=True)
        orders = [dict(id=order.get('ChangeOrderId'), created=str(order.get('CreateTime') or ''),
                       status=states.normalize_job_status('edas_change_order', order.get('Status')))
                  for order in _as_list(data.get('ChangeOrderList'), 'ChangeOrder')]
        # Orders of the same second are not ordered by CreateTime: one that has not ended is the one that matters.
        running = [order for order in orders if order['status'] not in states.JOB_TERMINAL]
        return max(running or orders, key=lambda order: order['created'], default=None)

    def last_change_order_id(self, app_id):
        """The id of the application's newest change order (ListRecentChangeOrder): every accepted action moves it."""
        recent = self.recent_change_order(app_id)
        return recent['id'] if recent else None

    def restart_times(self, app_id, eccs, wanted=True):
        """Set ``restarted_at`` of the ECCs (all, or those whose id is in ``wanted``) from the application's change orders.

        An ECC carries no restart time; a change order does, per instance: the FinishTime of its successful steps
        (GetChangeOrderInfo ``StageList``). One ListRecentChangeOrder, then the orders that restart ECCs newest first, each
        read only while an ECC asked about has no time yet. A time that is not epoch milliseconds is not guessed at (the
        ECC counts as not restarted: restarted again rather than skipped).
        """
        pending = [ecc for ecc in eccs if wanted is True or ecc['id'] in wanted]
        for order in self.change_orders(app_id, None):
            if not pending:
                break
            if order['status'] in (states.JOB_PENDING, states.JOB_WAITING_APPROVAL) or \
                    (order['type'] and not any(word in str(order['type']) for word in _EDAS_RESTARTING_ORDERS)):
                continue
            finished = _instance_finish_times(self._order_info(order['id']))
            for ecc in list(pending):
                # Orders of an application run one at a time: the newest order that restarted an ECC holds its last restart.
                moment = finished.get(ecc['id']) or finished.get(ecc.get('ip'))
                if moment:
                    ecc['restarted_at'] = moment
                    pending.remove(ecc)
        return eccs

    def act(self, action, app_id, ecc_ids):
        name, path = _EDAS_ACTION[action]
        return self.call(name, 'POST', '/pop/v5/changeorder/' + path, {'AppId': app_id, 'EccInfo': ','.join(ecc_ids)}).get('ChangeOrderId')

    def abort(self, change_order_id):
        """Stop the order before its next batch (AbortChangeOrder)."""
        self.call('AbortChangeOrder', 'PUT', '/pop/v5/changeorder/change_order_abort', {'ChangeOrderId': change_order_id})

    def _order_info(self, change_order_id):
        return self.call('GetChangeOrderInfo', 'POST', '/pop/v5/changeorder/change_order_info', {'ChangeOrderId': change_order_id},
                         read=True).get('changeOrderInfo') or {}

    def change_order(self, change_order_id):
        """The order with its batches and their tasks, all in the one answer of GetChangeOrderInfo."""
        data = self._order_info(change_order_id)
        raw = data.get('Status')
        pipelines = []
        for pipeline in _as_list(data.get('PipelineInfoList'), 'PipelineInfo'):
            tasks = [_task(task.get('TaskName'), task.get('TaskStatus'), task.get('TaskMessage'), task.get('TaskErrorCode'), task.get('TaskErrorMessage'))
                     for stage in _as_list(pipeline.get('StageDetailList'), 'StageDetailDTO')
                     for task in _as_list(stage.get('TaskList'), 'TaskInfoDTO')]
            # Per-instance progress lives in the stage results; a failed step's message is the instance's error.
            units = {}
            for instance, step in _instance_steps(pipeline):
                failed = str(step.get('Status')) in ('3', '10')
                tasks.append(_task(instance.get('InstanceName') or instance.get('InstanceIp'),
                                   step.get('Status'), step.get('StageMessage'), None, step.get('StageMessage') if failed else None))
                keys = (instance.get('InstanceName'), instance.get('InstanceIp'), instance.get('PodName'))
                unit = units.setdefault(keys, _unit(keys, instance.get('Status'), None))
                if instance.get('Status') in (None, ''):
                    # No status of its own: its last step's says how far it got.
                    unit.update(_unit(keys, step.get('Status'), None))
                if failed or not unit['message']:
                    unit['message'] = step.get('StageMessage') or unit['message']
            pipelines.append(dict(id=pipeline.get('PipelineId'), name=pipeline.get('PipelineName'), raw_status=pipeline.get('PipelineStatus'),
                                  status=states.normalize_job_status('edas_change_order', pipeline.get('PipelineStatus')), tasks=tasks,
                                  units=list(units.values())))
        status = states.normalize_job_status('edas_change_order', raw)
        return dict(id=change_order_id, platform='edas', raw_status=raw, status=status, ended=status in states.JOB_TERMINAL,
                    type=data.get('CoType'), description=data.get('ChangeOrderDescription'), created=data.get('CreateTime'),
                    batch_count=data.get('BatchCount'), batch_type=data.get('BatchType'), message=data.get('Desc') or None, pipelines=pipelines)

    def with_tasks(self, order):
        return order

    def change_orders(self, app_id, limit):
        """The newest ``limit`` change orders of an application (ListRecentChangeOrder), newest first."""
        data = self.call('ListRecentChangeOrder', 'POST', '/pop/v5/changeorder/change_order_list', {'AppId': app_id}, read=True)
        orders = [_order_summary('edas', order, 'edas_change_order') for order in _as_list(data.get('ChangeOrderList'), 'ChangeOrder')]
        return sorted(orders, key=lambda order: str(order['created'] or ''), reverse=True)[:limit]

    def waiting_pipeline(self, order):
        waiting = [p['id'] for p in order['pipelines'] if p['status'] == states.JOB_WAITING_CONFIRMATION]
        pending = [p['id'] for p in order['pipelines'] if p['status'] == states.JOB_PENDING]
        return (waiting or pending or [None])[0]

    def confirm_batch(self, pipeline_id):
        self.call('ContinuePipeline', 'GET', '/pop/v5/changeorder/pipeline_batch_confirm', {'PipelineId': pipeline_id, 'Confirm': 'true'}, read=False)


def _instance_steps(pipeline):
    """``(instance, step)`` of every per-instance step of an EDAS pipeline (StageList -> InstanceDTOList -> InstanceStageDTOList)."""
    for stage in _as_list(pipeline.get('StageList'), 'StageInfoDTO'):
        for instance in _as_list((stage.get('StageResultDTO') or {}).get('InstanceDTOList'), 'InstanceDTO'):
            for step in _as_list(instance.get('InstanceStageDTOList'), 'InstanceStageDTO'):
                yield instance, step


def _instance_finish_times(order_info):
    """{InstanceName and InstanceIp: epoch seconds its last successful step finished} of one EDAS change order."""
    finished = {}
    for pipeline in _as_list(order_info.get('PipelineInfoList'), 'PipelineInfo'):
        for instance, step in _instance_steps(pipeline):
            moment = epoch_seconds(step.get('FinishTime')) if str(step.get('Status')) == _EDAS_STEP_SUCCEEDED else None
            for key in (instance.get('InstanceName'), instance.get('InstanceIp')):
                if moment and key and moment > finished.get(key, 0):
                    finished[key] = moment
    return finished


def _task(name, raw_status, message, error_code, error_message):
    return dict(name=name, raw_status=raw_status, status=states.normalize_job_status('alibaba_task', raw_status), message=message or None,
                error_code=error_code or None, error_message=error_message or None)


def _unit(keys, raw_status, message):
    """One instance's part in a change order: the names it goes by (id, IP, pod), how its part ended, and its message."""
    return dict(keys=[str(key) for key in keys if key], raw_status=raw_status, status=states.normalize_job_status('alibaba_task', raw_status),
                message=message or None)


def target_outcomes(order, targets):
    """What a change order that did not succeed did to each of ``targets`` (views with ``id`` and maybe ``ip``), from its
    batches' per-instance details: ``{id: (status, message)}``, status ``succeeded``, ``failed`` or ``not_reached`` (its
    batch never ran it, the order having ended). A target the details do not name, or whose part has not ended, is left
    out: the order's outcome is all that is known of it."""
    outcomes = {}
    units = [unit for pipeline in order.get('pipelines') or [] for unit in pipeline.get('units') or []]
    for target in targets:
        names = set(str(name) for name in (target.get('id'), target.get('ip')) if name)
        mine = [unit for unit in units if names & set(unit['keys'])]
        if len(mine) != 1:
            continue  # not named, or named twice (an order over several applications): not guessed at
        unit = mine[0]
        if unit['status'] in states.JOB_SUCCESS:
            outcomes[target['id']] = (states.JOB_SUCCEEDED, None)
        elif unit['status'] in (states.JOB_FAILED, states.JOB_PARTIALLY_FAILED):
            outcomes[target['id']] = (states.JOB_FAILED, unit['message'])
        elif order.get('ended') and unit['status'] in (states.JOB_PENDING, states.JOB_ABORTED):
            outcomes[target['id']] = ('not_reached', unit['message'])
    return outcomes


def without(messages, said):
    """``messages`` less those that only repeat a text already ``said`` (each target's own message, said once with it)."""
    return [message for message in messages if not any(text and text in message for text in said)]


def public_pipelines(pipelines):
    return [dict((key, value) for key, value in pipeline.items() if key != 'units') for pipeline in pipelines]


def _order_summary(platform, order, kind):
    """A change order as both products list them (ListChangeOrders / ListRecentChangeOrder)."""
    return dict(id=order.get('ChangeOrderId'), platform=platform, application_id=order.get('AppId'), raw_status=order.get('Status'),
                status=states.normalize_job_status(kind, order.get('Status')), type=order.get('CoTypeCode'),
                description=order.get('CoType') or order.get('ChangeOrderDescription') or order.get('Description'),
                created=order.get('CreateTime'), finished=order.get('FinishTime') or None, batch_count=order.get('BatchCount'),
                batch_type=order.get('BatchType'), source=order.get('Source'))


def failure_messages(order):
    """The order's own error and every failed task's, in batch order: what a failed task reports."""
    messages = [order['message']] if order.get('message') and order['status'] not in states.JOB_SUCCESS else []
    for pipeline in order['pipelines']:
        for task in pipeline['tasks'] or []:
            text = task['error_message'] or (task['message'] if task['status'] == states.JOB_FAILED else None)
            if text and '%s: %s' % (task['name'], text) not in messages:
                messages.append('%s: %s' % (task['name'], text))
    return messages


def public_order(order):
    """What a module returns of a change order: the order with its batches, the terminal flag added."""
    public = dict(order)
    # The per-instance units are the collection's own reading of the details: the tasks already show them.
    public['pipelines'] = public_pipelines(order.get('pipelines') or [])
    public['terminal'] = order['status'] in states.JOB_TERMINAL
    return public


def follow_change_order(api, change_order_id, deadline, auto_confirm=False, label=None):
    """Wait until the change order ends, confirming batches when asked; return it, or raise PaasJobError."""
    confirmed = []
    while True:
        order = wait_for_job_end(lambda: api.change_order(change_order_id), deadline.remaining(),
                                 'change order %s%s' % (change_order_id, ' of ' + label if label else '')).value
        pipeline = api.waiting_pipeline(order) if order['status'] == states.JOB_WAITING_CONFIRMATION else None
        if pipeline and auto_confirm and pipeline not in confirmed:
            api.confirm_batch(pipeline)
            confirmed.append(pipeline)
            continue
        break
    order['confirmed_batches'] = confirmed
    public = public_order(order)
    if order['status'] == states.JOB_WAITING_CONFIRMATION:
        raise PaasJobError('change order %s waits for manual confirmation of its next batch (pipeline %s): confirm it in the %s console, '
                           'or set auto_confirm_batches=true' % (change_order_id, pipeline, api.platform.upper()), job=public, target=label)
    if order['status'] == states.JOB_WAITING_APPROVAL:
        raise PaasJobError('change order %s waits for approval: approve it in the %s console, then run the task again'
                           % (change_order_id, api.platform.upper()), job=public, target=label)
    if order['status'] not in states.JOB_SUCCESS:
        messages = failure_messages(api.with_tasks(order))
        public = public_order(order)
        header = 'change order %s%s ended %s (Status %s%s)' % (change_order_id, ' of ' + label if label else '', order['status'], order['raw_status'],
                                                               ', SubStatus %s' % order['sub_status'] if order.get('sub_status') else '')
        error = PaasJobError(header + (': ' + '; '.join(messages) if messages else ''), job=public, target=label)
        # For callers that blame each target for its own part (batch_restart): the order read, its header and messages.
        error.order, error.header, error.messages = order, header, messages
        raise error
    return public


def _follow_orders(api, orders, deadline, auto_confirm, result):
    """Follow each ``(order id, label)`` into ``result['change_orders']``; a failure carries the result so far to the task."""
    try:
        for order_id, label in orders:
            result['change_orders'].append(follow_change_order(api, order_id, deadline, auto_confirm, label))
    except PaasError as error:
        if isinstance(error, PaasJobError) and error.job:
            result['change_orders'].append(error.job)
        if getattr(error, 'result', None) is None:
            error.result = result
        raise
    return result['change_orders']


# --------------------------------------------------------------------------------------------------
# Operations: decide from one read, wait for an order already running, act once, follow the order
# --------------------------------------------------------------------------------------------------

def _wait_for_running_orders(api, views, deadline, reread):
    """SAE and EDAS run one change order per application: wait for one already running instead of colliding."""
    waited = []
    for view in views:
        order_id = view.get('running_change_order_id')
        if order_id:
            order = wait_for_job_end(lambda: api.change_order(order_id), deadline.remaining(),
                                     'change order %s already running on %s' % (order_id, view['label'])).value
            if order['status'] in states.JOB_BLOCKED:
                raise PaasJobError('%s has change order %s waiting (%s); finish it before another action' % (view['label'], order_id, order['status']),
                                   job=public_order(order), target=view['label'])
            if not order['ended']:
                # SAE SubStatus 1: a batch failed and the order waits for a manual rollback; it still holds the application.
                raise PaasJobError('%s has change order %s still running with a failed batch (Status %s, SubStatus %s): roll it back or '
                                   'abort it in the %s console before another action'
                                   % (view['label'], order_id, order['raw_status'], order.get('sub_status'), api.platform.upper()),
                                   job=public_order(order), target=view['label'])
            waited.append(order_id)
    return waited, ([reread(view['id']) for view in views] if waited else views)


def _send_order(api, view, request):
    """``request()`` starts one change order on ``view``'s application; return its id.

    An unknown outcome is settled by the application's newest change order, read before sending
    (``view['last_change_order_id']``) and after: a new one is the order and is followed, none means the request is sent once more.
    """
    return send_action(request, lambda: api.last_change_order_id(view['id']), view.get('last_change_order_id'),
                       'new change order of %s' % view['label'])


def sae_operation(api, params, check_mode):
    """start/stop/restart (one batch order for all applications that need it), scale and rollback (per application)."""
    deadline = Deadline(params['wait_timeout'])
    action = params['action']
    app_ids = api.application_ids(params['app_ids'], params['app_names'], params['namespace_id'])
    if action in _SAE_BATCH and not params['namespace_id']:
        raise PaasInputError('namespace_id is required to %s SAE applications (the batch APIs take it)' % action)

    def read(app_id):
        view = api.application(app_id)
        view['running_change_order_id'] = view['last_change_order_id'] if view['change_order_running'] else None
        if action in ('scale', 'rollback'):
            config = api.config(app_id)
            view.update(replica=config.get('Replicas'), name=config.get('AppName'))
        if action == 'rollback':
            view['versions'], view['version'] = api.versions(app_id, config)
        return view

    views = [read(app_id) for app_id in app_ids]
    waited, views = _wait_for_running_orders(api, views, deadline, read)
    parameters = {'replica': params['replicas']} if action == 'scale' else {'version': params['version_id']} if action == 'rollback' else {}
    decisions = [(view,) + decide(action, view, parameters, view.get('versions')) for view in views]
    acting = [view for view, needed, dummy in decisions if needed]
    result = dict(changed=bool(acting), waited_for_change_orders=waited, change_orders=[], change_order_ids=[], requests=api.action_requests,
                  applications=[dict(id=view['id'], changed=needed, reason=reason, before=summary(view),
                                     after=predict(action, view, parameters) if needed else summary(view)) for view, needed, reason in decisions])
    if not acting or check_mode:
        return result
    if action in _SAE_BATCH:
        # One order over every application: the first one's last change order tells whether it was started.
        ids = [view['id'] for view in acting]
        orders = [(_send_order(api, acting[0], partial(api.batch, action, params['namespace_id'], ids)), 'applications %s' % ', '.join(ids))]
    elif action == 'scale':
        orders = [(_send_order(api, view, partial(api.rescale, view['id'], params['replicas'], params['min_ready_instances'],
                                                  params['min_ready_instance_ratio'])), view['label'])
                  for view in acting]
    else:
        orders = [(_send_order(api, view, partial(api.rollback, view['id'], params['version_id'], params['min_ready_instances'],
                                                  params['min_ready_instance_ratio'])), view['label'])
                  for view in acting]
    result['change_order_ids'] = [order_id for order_id, dummy in orders]
    if params['wait']:
        _follow_orders(api, orders, deadline, params['auto_confirm_batches'], result)
        finals = dict((view['id'], read(view['id'])) for view in acting)
        for entry in result['applications']:
            if entry['id'] in finals:
                entry['after'] = summary(finals[entry['id']])
    return result


def edas_operation(api, params, check_mode, ecc_ids=None):
    """start/stop/restart of each application's ECCs (all, or ``ecc_ids``) that need it: one change order per application."""
    deadline = Deadline(params['wait_timeout'])
    action = params['action']
    app_ids = params['app_ids'] or []
    if not app_ids:
        raise PaasInputError('EDAS applications are given by id: set app_ids')
    if ecc_ids and len(app_ids) != 1:
        raise PaasInputError('ecc_ids belong to one application: give exactly one app id with them')

    def read(app_id):
        view = api.application(app_id)
        recent = api.recent_change_order(app_id)
        view['running_change_order_id'] = recent['id'] if recent and recent['status'] not in states.JOB_TERMINAL else None
        view['last_change_order_id'] = recent['id'] if recent else None
        return view

    views = [read(app_id) for app_id in app_ids]
    waited, views = _wait_for_running_orders(api, views, deadline, read)
    result = dict(changed=False, waited_for_change_orders=waited, change_orders=[], change_order_ids=[], requests=api.action_requests,
                  applications=[], instances=[])
    plans = []
    for view in views:
        eccs = view['eccs']
        if ecc_ids:
            unknown = sorted(set(ecc_ids) - set(ecc['id'] for ecc in eccs))
            if unknown:
                raise PaasInputError('%s has no ECC %s (known: %s)' % (view['label'], ', '.join(unknown), ', '.join(ecc['id'] for ecc in eccs)))
            eccs = [ecc for ecc in eccs if ecc['id'] in ecc_ids]
        entries = []
        running = [ecc for ecc in eccs if str(ecc['raw_state']) in _EDAS_RUNNING]
        for ecc in eccs:
            ecc['label'] = 'ECC %s of %s' % (ecc['id'], view['label'])
            if action == 'restart' and not ecc_ids and running and ecc not in running:
                # Restarting an application restarts what runs; a stopped ECC stays stopped (start it to run it).
                entries.append(dict(id=ecc['id'], changed=False, reason='ECC is %s: a restart leaves it so (use action=start)' % ecc['state'],
                                    before=summary(ecc), after=summary(ecc)))
                continue
            # An ECC whose process runs (health check failing or not) needs no start.
            current = dict(ecc, state=states.RUNNING if ecc in running and action == 'start' else ecc['state'])
            needed, reason = decide(action, current, {})
            entries.append(dict(id=ecc['id'], changed=needed, reason=reason, before=summary(ecc), after=predict(action, ecc, {}) if needed else summary(ecc)))
        acting = [entry['id'] for entry in entries if entry['changed']]
        result['applications'].append(dict(id=view['id'], name=view.get('name'), changed=bool(acting), ecc_ids=acting))
        result['instances'].extend(entries)
        if acting:
            plans.append((view, acting))
    result['changed'] = bool(plans)
    if not plans or check_mode:
        return result
    for view, acting in plans:
        # Without ecc_ids and with every ECC acting, EccInfo may stay empty ("all"); naming them is as good and explicit.
        result['change_order_ids'].append(_send_order(api, view, partial(api.act, action, view['id'], acting)))
    if params['wait']:
        for (view, acting), order_id in zip(plans, result['change_order_ids']):
            _follow_orders(api, [(order_id, view['label'])], deadline, params['auto_confirm_batches'], result)
            final = dict((ecc['id'], ecc) for ecc in api.application(view['id'])['eccs'])
            for entry in result['instances']:
                if entry['id'] in final and entry['id'] in acting:
                    entry['after'] = summary(final[entry['id']])
    return result


def sae_restart_instances(api, app_id, instance_ids, params, check_mode):
    """Restart chosen instances of one SAE application with one change order (RestartInstances)."""
    deadline = Deadline(params['wait_timeout'])
    if params['action'] != 'restart':
        raise PaasInputError('SAE instances can only be restarted; use paas.ops.app_operation to %s the application' % params['action'])

    def read(dummy=None):
        view = api.application(app_id)
        view['running_change_order_id'] = view['last_change_order_id'] if view['change_order_running'] else None
        return view

    waited, views = _wait_for_running_orders(api, [read()], deadline, read)
    found = dict((instance['id'], instance) for instance in api.instances(app_id))
    unknown = [instance_id for instance_id in instance_ids if instance_id not in found]
    if unknown:
        raise PaasInputError('application %s has no instance %s (known: %s)' % (app_id, ', '.join(unknown), ', '.join(sorted(found)) or 'none'))
    entries = []
    for instance_id in instance_ids:
        instance = dict(found[instance_id], label='instance %s' % instance_id)
        needed, reason = decide('restart', instance, {})
        entries.append(dict(id=instance_id, changed=needed, failed=False, reason=reason, job_id=None, job=None,
                            waited_for_job=waited[0] if waited else None, before=summary(instance), after=predict('restart', instance, {}),
                            instance=public_view(instance)))
    result = dict(changed=True, instances=entries, change_order_ids=[], change_orders=[], requests=api.action_requests)
    if check_mode:
        return result
    order_id = _send_order(api, views[0], partial(api.restart_instances, app_id, instance_ids))
    result['change_order_ids'] = [order_id]
    for entry in entries:
        entry['job_id'] = order_id
    if params['wait']:
        order = _follow_orders(api, [(order_id, 'application %s' % app_id)], deadline, params['auto_confirm_batches'], result)[0]
        final = dict((instance['id'], instance) for instance in api.instances(app_id))
        for entry in entries:
            entry['job'] = order
            if entry['id'] in final:
                entry.update(after=summary(final[entry['id']]), instance=public_view(final[entry['id']]))
    return result


def edas_instance_action(api, app_id, ecc_ids, params, check_mode):
    """start/stop/restart of chosen ECCs of one EDAS application, in the shape instance_action returns."""
    outcome = edas_operation(api, dict(params, app_ids=[app_id]), check_mode, ecc_ids)
    order_id = (outcome['change_order_ids'] or [None])[0]
    order = (outcome['change_orders'] or [None])[0]
    entries = [dict(entry, failed=False, job_id=order_id if entry['changed'] else None, job=order if entry['changed'] else None,
                    waited_for_job=(outcome['waited_for_change_orders'] or [None])[0]) for entry in outcome['instances']]
    return dict(changed=outcome['changed'], instances=entries, change_order_ids=outcome['change_order_ids'], change_orders=outcome['change_orders'],
                requests=outcome['requests'])
