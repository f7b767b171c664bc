# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""EDAS: application, ECC and change-order reads, the operations on an application's ECCs, the fleet of ECCs a
rolling restart walks, and package deploys (``EdasDeployer``).

An ECC keeps no restart time: ``Edas.restart_times`` reads it from the change orders (one ListRecentChangeOrder, then
GetChangeOrderInfo of the restart orders needed: the ECC's step FinishTime), only when asked.

A deploy puts a package (URL and version) on the deploy groups of ECS-cluster applications with co_deploy; what an
application runs is the PackageVersion of those groups (ListDeployGroup), and a rollback is co_rollback to the version the
groups ran before, as ListHistoryDeployVersion knows it.
"""

from __future__ import annotations

from functools import partial

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import decide, epoch_seconds, summary
from ansible_collections.paas.ops.plugins.module_utils._alibaba import (AlibabaApi, ChangeOrderDeployer, ChangeOrderFleet, as_list, follow_orders,
                                                                        instance_operation, order_summary, order_task, order_unit, send_order,
                                                                        wait_for_running_orders)
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Operation, Request, run
from ansible_collections.paas.ops.plugins.module_utils._paging import PAGE, Paging
from ansible_collections.paas.ops.plugins.module_utils._version import deployed

ACTIONS = ('start', 'stop', 'restart')
_EDAS_ACTION = {'start': ('StartApplication', 'co_start'), 'stop': ('StopApplication', 'co_stop'), 'restart': ('RestartApplication', 'co_restart')}
# EDAS Ecc.AppState values that mean the process runs (3: running, health check failing).
_EDAS_RUNNING = frozenset(['3', '7'])
# Change-order types (CoTypeCode) that put a new process on the ECCs they touch: a restart for a rolling restart to skip.
_EDAS_RESTARTING_ORDERS = ('Restart', 'Deploy', 'Rollback', 'Reset')
# A successful instance step (InstanceStageDTO Status).
_EDAS_STEP_SUCCEEDED = '2'
# QueryApplicationStatus Ecc.AppState: 0 agent offline, 1 stopped, 3 running but health check failed, 7 running.
ECC_STATES = states.Table('edas_ecc', {'0': states.UNKNOWN, '1': states.STOPPED, '3': states.DEGRADED, '7': states.RUNNING})
# The same AppState as health: 7 running (health check passing), 3 running but its health check URL fails.
ECC_HEALTH = states.Table('edas_ecc', {'7': states.HEALTHY, '3': states.UNHEALTHY, '1': states.UNKNOWN, '0': states.UNKNOWN})
# GetChangeOrderInfo / ListRecentChangeOrder Status (int); 7 = partially executed.
CHANGE_ORDER_STATUSES = states.Table('edas_change_order', {
    '0': states.JOB_PENDING, '1': states.JOB_RUNNING, '2': states.JOB_SUCCEEDED, '3': states.JOB_FAILED, '6': states.JOB_ABORTED,
    '7': states.JOB_PARTIALLY_FAILED, '8': states.JOB_WAITING_CONFIRMATION, '9': states.JOB_RUNNING, '10': states.JOB_FAILED,
})

# ListApplication pages by CurrentPage and PageSize and gives no total, so a short page ends it; its largest page is not
# documented (deploy-and-paging-apis.md 5): 20 is the size its API reference shows, small enough that no cap of the
# platform's would cut a page short and end the list early.
_EDAS_APPLICATIONS = Paging('ListApplication', PAGE, 'PageSize', 'CurrentPage', 20, items=('ApplicationList', 'Application'))
# ListApplication ClusterType of an ECS cluster, the only one co_deploy deploys to (3 and 5 are Kubernetes clusters).
_EDAS_ECS_CLUSTER = '2'
# co_deploy's limits (alibabacloud-edas20170801 DeployApplicationRequest): PackageVersion length, BatchWaitTime minutes;
# co_rollback takes at most 5 batches.
_EDAS_PACKAGE_VERSION_LENGTH = 64
_EDAS_BATCH_WAIT_MINUTES = 5
_EDAS_ROLLBACK_BATCHES = 5

# EDAS serves some regions from a shared host (alibabacloud-edas20170801 Client endpoint map).
ENDPOINT_OVERRIDES = dict(
    [(region, 'https://edas.aliyuncs.com') for region in ('cn-chengdu', 'cn-huhehaote', 'cn-wuhan')]
    + [(region, 'https://edas.ap-northeast-1.aliyuncs.com')
       for region in ('ap-south-1', 'ap-southeast-3', 'ap-southeast-5', 'eu-west-1', 'me-east-1', 'us-west-1')]
)


class Edas(AlibabaApi):

    def application(self, app_id, reuse=False):
        info = self.call('QueryApplicationStatus', 'GET', '/pop/v5/app/app_status', {'AppId': app_id}, reuse=reuse).get('AppInfo') or {}
        eccs = []
        for ecc in as_list(info.get('EccList'), 'Ecc'):
            raw = ecc.get('AppState')
            # No restart time here (CreateTime and UpdateTime do not move): ``restart_times`` reads it from the change orders.
            eccs.append(dict(id=ecc.get('EccId'), name=ecc.get('Ip') or ecc.get('EccId'), kind='ecc', application_id=app_id,
                             state=ECC_STATES.normalize(raw), raw_state=raw, health=ECC_HEALTH.normalize(raw),
                             raw_health=raw, task_state=ecc.get('TaskState'), group_id=ecc.get('GroupId'), ip=ecc.get('Ip'), restarted_at=None))
        application = info.get('Application') or {}
        return dict(id=app_id, name=application.get('Name'), label='application %s' % (application.get('Name') or app_id), eccs=eccs,
                    dockerized=bool(application.get('Dockerize')))

    def applications(self):
        """Every application of the region (ListApplication, all pages)."""
        return self.list_all(_EDAS_APPLICATIONS, '/pop/v5/app/app_list', {}, 'AppId', method='POST')

    def deploy_groups(self, app_id):
        """The application's deploy groups with the package each runs (ListDeployGroup)."""
        data = self.call('ListDeployGroup', 'POST', '/pop/v5/app/deploy_group_list', {'AppId': app_id}, read=True)
        return [dict(id=group.get('GroupId'), name=group.get('GroupName'), package_version=group.get('PackageVersion') or None,
                     package_url=group.get('PackageUrl') or None)
                for group in as_list(data.get('DeployGroupList'), 'DeployGroup')]

    def package_versions(self, app_id):
        """Every package version the application was deployed with (ListHistoryDeployVersion)."""
        data = self.call('ListHistoryDeployVersion', 'GET', '/pop/v5/app/deploy_history_version_list', {'AppId': app_id})
        return [dict(id=entry.get('Id'), package_version=entry.get('PackageVersion'), url=entry.get('WarUrl'))
                for entry in as_list(data.get('PackageVersionList'), 'PackageVersion')]

    def _recent_change_orders(self, app_id, reuse=False):
        return self.call('ListRecentChangeOrder', 'POST', '/pop/v5/changeorder/change_order_list', {'AppId': app_id}, read=True, reuse=reuse)

    def recent_change_order(self, app_id, reuse=False):
        """The newest change order of the application and whether it still runs (EDAS runs one at a time)."""
        data = self._recent_change_orders(app_id, reuse)
        orders = [dict(id=order.get('ChangeOrderId'), created=str(order.get('CreateTime') or ''),
                       status=CHANGE_ORDER_STATUSES.normalize(order.get('Status')))
                  for order in as_list(data.get('ChangeOrderList'), 'ChangeOrder')]
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
        for pipeline in as_list(data.get('PipelineInfoList'), 'PipelineInfo'):
            tasks = [order_task(task.get('TaskName'), task.get('TaskStatus'), task.get('TaskMessage'), task.get('TaskErrorCode'), task.get('TaskErrorMessage'))
                     for stage in as_list(pipeline.get('StageDetailList'), 'StageDetailDTO')
                     for task in as_list(stage.get('TaskList'), 'TaskInfoDTO')]
            # Per-instance progress lives in the stage results; a failed step's message is the instance's error.
            units = {}
            for instance, step in _instance_steps(pipeline):
                failed = str(step.get('Status')) in ('3', '10')
                tasks.append(order_task(instance.get('InstanceName') or instance.get('InstanceIp'),
                                        step.get('Status'), step.get('StageMessage'), None, step.get('StageMessage') if failed else None))
                keys = (instance.get('InstanceName'), instance.get('InstanceIp'), instance.get('PodName'))
                unit = units.setdefault(keys, order_unit(keys, instance.get('Status'), None))
                if instance.get('Status') in (None, ''):
                    # No status of its own: its last step's says how far it got.
                    unit.update(order_unit(keys, step.get('Status'), None))
                if failed or not unit['message']:
                    unit['message'] = step.get('StageMessage') or unit['message']
            pipelines.append(dict(id=pipeline.get('PipelineId'), name=pipeline.get('PipelineName'), raw_status=pipeline.get('PipelineStatus'),
                                  status=CHANGE_ORDER_STATUSES.normalize(pipeline.get('PipelineStatus')), tasks=tasks,
                                  units=list(units.values())))
        status = CHANGE_ORDER_STATUSES.normalize(raw)
        return dict(id=change_order_id, platform='edas', raw_status=raw, status=status, ended=status in states.JOB_TERMINAL,
                    type=data.get('CoType'), description=data.get('ChangeOrderDescription'), created=data.get('CreateTime'),
                    batch_count=data.get('BatchCount'), batch_type=data.get('BatchType'), message=data.get('Desc') or None, pipelines=pipelines)

    def with_tasks(self, order):
        return order

    def change_orders(self, app_id, limit):
        """The newest ``limit`` change orders of an application (ListRecentChangeOrder), newest first."""
        data = self._recent_change_orders(app_id)
        orders = [order_summary('edas', order, CHANGE_ORDER_STATUSES) for order in as_list(data.get('ChangeOrderList'), 'ChangeOrder')]
        return sorted(orders, key=lambda order: str(order['created'] or ''), reverse=True)[:limit]

    def waiting_pipeline(self, order):
        waiting = [p['id'] for p in order['pipelines'] if p['status'] == states.JOB_WAITING_CONFIRMATION]
        pending = [p['id'] for p in order['pipelines'] if p['status'] == states.JOB_PENDING]
        return (waiting or pending or [None])[0]

    def confirm_batch(self, pipeline_id):
        self.call('ContinuePipeline', 'GET', '/pop/v5/changeorder/pipeline_batch_confirm', {'PipelineId': pipeline_id, 'Confirm': 'true'}, read=False)


def _instance_steps(pipeline):
    """``(instance, step)`` of every per-instance step of an EDAS pipeline (StageList -> InstanceDTOList -> InstanceStageDTOList)."""
    for stage in as_list(pipeline.get('StageList'), 'StageInfoDTO'):
        for instance in as_list((stage.get('StageResultDTO') or {}).get('InstanceDTOList'), 'InstanceDTO'):
            for step in as_list(instance.get('InstanceStageDTOList'), 'InstanceStageDTO'):
                yield instance, step


def _instance_finish_times(order_info):
    """{InstanceName and InstanceIp: epoch seconds its last successful step finished} of one EDAS change order."""
    finished = {}
    for pipeline in as_list(order_info.get('PipelineInfoList'), 'PipelineInfo'):
        for instance, step in _instance_steps(pipeline):
            moment = epoch_seconds(step.get('FinishTime')) if str(step.get('Status')) == _EDAS_STEP_SUCCEEDED else None
            for key in (instance.get('InstanceName'), instance.get('InstanceIp')):
                if moment and key and moment > finished.get(key, 0):
                    finished[key] = moment
    return finished


class ApplicationsOperation(Operation):
    """start/stop/restart of each application's ECCs (all, or ``ecc_ids`` of one application) that need it: one change order
    per application. Work in flight is an application's running change order; the decision is per ECC."""

    def __init__(self, api, app_ids, ecc_ids=None):
        self.api = api
        self.app_ids = app_ids or []
        self.ecc_ids = ecc_ids
        self.applications = []
        self.result = None
        self.plans = []

    def _read(self, app_id, reuse=False):
        view = self.api.application(app_id, reuse)
        recent = self.api.recent_change_order(app_id, reuse)
        view['running_change_order_id'] = recent['id'] if recent and recent['status'] not in states.JOB_TERMINAL else None
        view['last_change_order_id'] = recent['id'] if recent else None
        return view

    def read(self, request):
        if not self.app_ids:
            raise PaasInputError('EDAS applications are given by id: set app_ids')
        if self.ecc_ids and len(self.app_ids) != 1:
            raise PaasInputError('ecc_ids belong to one application: give exactly one app id with them')
        # What a rolling restart listed just before (QueryApplicationStatus, ListRecentChangeOrder for restart times) is
        # not read again; after a wait, everything is.
        return [self._read(app_id, reuse=True) for app_id in self.app_ids]

    def settle(self, request, views):
        waited, self.applications = wait_for_running_orders(self.api, views, request.deadline, self._read)
        eccs = []
        for view in self.applications:
            chosen = view['eccs']
            if self.ecc_ids:
                unknown = sorted(set(self.ecc_ids) - set(ecc['id'] for ecc in chosen))
                if unknown:
                    raise PaasInputError('%s has no ECC %s (known: %s)' % (view['label'], ', '.join(unknown), ', '.join(ecc['id'] for ecc in chosen)))
                chosen = [ecc for ecc in chosen if ecc['id'] in self.ecc_ids]
            running = [ecc for ecc in chosen if str(ecc['raw_state']) in _EDAS_RUNNING]
            for ecc in chosen:
                eccs.append(dict(ecc, label='ECC %s of %s' % (ecc['id'], view['label']), application=view, runs=ecc in running,
                                 # Restarting an application restarts what runs; a stopped ECC stays stopped (start it to run it).
                                 left_as_is=bool(request.action == 'restart' and not self.ecc_ids and running and ecc not in running)))
        return eccs, waited

    def decide(self, request, view):
        if view['left_as_is']:
            return False, 'ECC is %s: a restart leaves it so (use action=start)' % view['state']
        # An ECC whose process runs (health check failing or not) needs no start.
        return decide(request.action, dict(view, state=states.RUNNING if view['runs'] and request.action == 'start' else view['state']), {})

    def planned(self, request, plan):
        self.result = dict(changed=bool(plan.acting), waited_for_change_orders=plan.waited, change_orders=[], change_order_ids=[],
                           requests=self.api.action_requests, applications=[],
                           instances=[dict((key, entry[key]) for key in ('id', 'changed', 'reason', 'before', 'after')) for entry in plan.entries])
        for view in self.applications:
            acting = [entry['id'] for entry in plan.acting if entry['view']['application'] is view]
            self.result['applications'].append(dict(id=view['id'], name=view.get('name'), changed=bool(acting), ecc_ids=acting))
            if acting:
                self.plans.append((view, acting))

    def send(self, request, plan):
        for view, acting in self.plans:
            # Without ecc_ids and with every ECC acting, EccInfo may stay empty ("all"); naming them is as good and explicit.
            self.result['change_order_ids'].append(send_order(self.api, view, partial(self.api.act, request.action, view['id'], acting)))
        return self.result['change_order_ids']

    def follow(self, request, plan):
        for (view, acting), order_id in zip(self.plans, plan.sent):
            follow_orders(self.api, [(order_id, view['label'])], request.deadline, request.auto_confirm, self.result)
            if not request.rereads:
                continue
            final = dict((ecc['id'], ecc) for ecc in self.api.application(view['id'])['eccs'])
            for entry in self.result['instances']:
                if entry['id'] in final and entry['id'] in acting:
                    entry['after'] = summary(final[entry['id']])

    def report(self, request, plan):
        return self.result


class EccsOperation(ApplicationsOperation):
    """start/stop/restart of chosen ECCs of one EDAS application, in the shape instance_action returns."""

    def __init__(self, api, app_id, ecc_ids):
        super(EccsOperation, self).__init__(api, [app_id], ecc_ids)

    def report(self, request, plan):
        outcome = self.result
        order_id = (outcome['change_order_ids'] or [None])[0]
        order = (outcome['change_orders'] or [None])[0]
        entries = [dict(entry, failed=False, job_id=order_id if entry['changed'] else None, job=order if entry['changed'] else None,
                        waited_for_job=(outcome['waited_for_change_orders'] or [None])[0]) for entry in outcome['instances']]
        return dict(changed=outcome['changed'], instances=entries, change_order_ids=outcome['change_order_ids'],
                    change_orders=outcome['change_orders'], requests=outcome['requests'])


class EdasFleet(ChangeOrderFleet):
    kind = 'ecc'
    api_class = Edas
    targets_named = 'EDAS ECCs'

    def _targets(self, times_for=None):
        eccs = self.api.application(self.application_id)['eccs']
        # An ECC has no restart time of its own: its change orders tell it (one list call, then the orders needed).
        return self.api.restart_times(self.application_id, eccs, times_for) if times_for else eccs

    def restart(self, ids, deadline, auto_confirm, action='restart'):
        request = Request(action, deadline=deadline, auto_confirm=auto_confirm, chosen=ids)
        return self._run(ids, lambda: run(EccsOperation(self.api, self.application_id, list(ids)), request))

    def start(self, ids, deadline, auto_confirm):
        return self.restart(ids, deadline, auto_confirm, 'start')


class EdasDeployer(ChangeOrderDeployer):
    """paas.ops.app_version on EDAS: a package (``package_url`` with ``package_version``) deployed with co_deploy to the
    deploy group ``group_id`` (``all``: every group) of each application, in ``batch`` batches per group ``batch_wait_time``
    minutes apart. EDAS releases each next batch itself (ReleaseType 0); with ``auto_confirm_batches`` the order is sent
    with manual batches (ReleaseType 1) that the task confirms as it follows them, so that the deploy goes on only while a
    task watches it (a cancelled run leaves the next batch waiting instead of rolling on).

    The targets are ``app_ids``, or without them (a rolling deploy's scope) every application of the region. An application
    runs a version when every chosen group reports it as its PackageVersion: the version, not the URL, says it (at most
    64 characters, what EDAS names a package by; the URL a group reports may be EDAS's copy). Its state and health are its
    ECCs' in those groups (QueryApplicationStatus AppState), its work in flight its running change order.

    An image is not deployed here: co_deploy's image deploy (DeployType image, ImageUrl) is deprecated and served Swarm
    clusters only, and an application in a Kubernetes cluster is deployed with DeployK8sApplication, which this does not send.
    """

    title = 'EDAS application'

    def __init__(self, connection, params):
        super(EdasDeployer, self).__init__(connection, params)
        self.api = Edas(connection)
        self.app_ids = list(params.get('app_ids') or [])
        self.group_id = params.get('group_id') or 'all'
        self.batch = params.get('batch') if params.get('batch') is not None else 1
        self.batch_wait_time = params.get('batch_wait_time') if params.get('batch_wait_time') is not None else 0
        # ReleaseType: 0 EDAS releases each next batch by itself; 1 each waits for its confirmation (ContinuePipeline), which
        # follow_change_order sends when auto_confirm_batches is set: batches confirmed by the task itself.
        self.release_type = 1 if params.get('auto_confirm_batches') else 0
        # What ListApplication said of each application listed (its cluster type), for the targets read again later.
        self._listed = {}

    def check(self, spec):
        super(EdasDeployer, self).check(spec)
        if spec.image:
            raise PaasInputError('EDAS deploys packages here (package_url with package_version): co_deploy\'s image deploy (DeployType image, '
                                 'ImageUrl) is deprecated and served Swarm clusters only, and an application in a Kubernetes cluster takes '
                                 'DeployK8sApplication, which paas.ops.api_request can send')
        if not (spec.package_url and spec.package_version):
            raise PaasInputError('EDAS deploys a package by its URL and its version: give package_url and package_version')
        if len(spec.package_version) > _EDAS_PACKAGE_VERSION_LENGTH:
            raise PaasInputError('EDAS package versions are at most %d characters long; package_version has %d'
                                 % (_EDAS_PACKAGE_VERSION_LENGTH, len(spec.package_version)))
        if self.batch < 1:
            raise PaasInputError('batch is the number of batches per deploy group: 1 or more, not %d' % self.batch)
        if not 0 <= self.batch_wait_time <= _EDAS_BATCH_WAIT_MINUTES:
            raise PaasInputError('batch_wait_time is in minutes, 0 to %d, not %d' % (_EDAS_BATCH_WAIT_MINUTES, self.batch_wait_time))

    # ---- reads -------------------------------------------------------------------------------------------------------

    def targets(self, ids=None, busy=True):
        if ids is None and not self.app_ids:
            listed = self.api.applications()
            self._listed.update((app.get('AppId'), app) for app in listed)
            ids = [app.get('AppId') for app in listed]
        return [self._view(app_id) for app_id in (self.app_ids if ids is None else ids)]

    def _view(self, app_id):
        application = self.api.application(app_id)
        groups = self.api.deploy_groups(app_id)
        recent = self.api.recent_change_order(app_id)
        chosen = groups if self.group_id == 'all' else [group for group in groups if group['id'] == self.group_id]
        group_ids = set(group['id'] for group in chosen)
        # The ECCs the deploy puts the package on: those of the chosen groups (every ECC, for all groups).
        eccs = [ecc for ecc in application['eccs'] if self.group_id == 'all' or ecc.get('group_id') in group_ids]
        versions = set(group['package_version'] for group in chosen)
        # One version when every chosen group runs it; groups on different versions run none of them as a whole.
        running = chosen[0] if chosen and len(versions) == 1 else {}
        state, raw_state, health = _application_state(eccs)
        listed = self._listed.get(app_id) or {}
        return dict(id=app_id, name=application['name'], label=application['label'], kind='application', state=state, raw_state=raw_state,
                    health=health, deployed=deployed(package_url=running.get('package_url'), package_version=running.get('package_version')),
                    busy=recent['id'] if recent and recent['status'] not in states.JOB_TERMINAL else None,
                    _last_change_order_id=recent['id'] if recent else None, _groups=chosen, _known_groups=groups,
                    _dockerized=application['dockerized'], _cluster_type=listed.get('ClusterType'))

    def refuse(self, view, spec):
        if self.group_id != 'all' and not view['_groups']:
            raise PaasInputError('%s has no deploy group %s (its groups: %s)' % (
                view['label'], self.group_id, ', '.join('%s (%s)' % (group['id'], group['name']) for group in view['_known_groups']) or 'none'))
        if view['_cluster_type'] is not None and str(view['_cluster_type']) != _EDAS_ECS_CLUSTER:
            raise PaasInputError('%s is in a Kubernetes cluster (ClusterType %s): EDAS deploys it with DeployK8sApplication, which this module does '
                                 'not send; give app_ids of ECS-cluster applications, or use paas.ops.api_request' % (view['label'], view['_cluster_type']))
        if view['_dockerized']:
            raise PaasInputError('%s is a Docker application: co_deploy deploys packages, and its image deploy (DeployType image) is deprecated'
                                 % view['label'])

    def on_version(self, view, spec):
        return (view.get('deployed') or {}).get('package_version') == spec.package_version

    # ---- send --------------------------------------------------------------------------------------------------------

    def deploy_order(self, view, spec):
        return self.api.call('DeployApplication', 'POST', '/pop/v5/changeorder/co_deploy', {
            'AppId': view['id'], 'GroupId': self.group_id, 'DeployType': 'url', 'WarUrl': spec.package_url, 'PackageVersion': spec.package_version,
            'Batch': self.batch, 'BatchWaitTime': self.batch_wait_time, 'ReleaseType': self.release_type}).get('ChangeOrderId')

    def rollback_order(self, view):
        """co_rollback of the chosen groups to the PackageVersion they ran before (``view``, read before the deploy), which
        must be one of the application's history (ListHistoryDeployVersion): HistoryVersion names such an entry."""
        version = view['deployed']['package_version']
        if not version:
            raise PaasError('%s ran no single package version before (%s): roll each group back with group_id' % (
                view['label'], ', '.join('group %s on %s' % (group['name'] or group['id'], group['package_version']) for group in view['_groups'])
                or 'no deploy group'))
        if not any(entry['package_version'] == version for entry in self.api.package_versions(view['id'])):
            raise PaasError('%s has no package version %s in its deploy history (ListHistoryDeployVersion) to roll back to' % (view['label'], version))
        return self.api.call('RollbackApplication', 'POST', '/pop/v5/changeorder/co_rollback', {
            'AppId': view['id'], 'GroupId': self.group_id, 'HistoryVersion': version,
            'Batch': min(self.batch, _EDAS_ROLLBACK_BATCHES), 'BatchWaitTime': self.batch_wait_time}).get('ChangeOrderId')


def _application_state(eccs):
    """``(state, raw_state, health)`` of an application from its ECCs' AppState: running when every one's process runs,
    degraded when some do, stopped when none does; healthy when every one passes its health check (AppState 7)."""
    raws = [str(ecc.get('raw_state')) for ecc in eccs]
    running = sum(1 for raw in raws if raw in _EDAS_RUNNING)
    raw_state = '%d/%d running' % (running, len(raws))
    if not raws:
        return states.UNKNOWN, raw_state, None
    state = states.RUNNING if running == len(raws) else states.DEGRADED if running else states.STOPPED
    if all(raw == '7' for raw in raws):
        health = states.HEALTHY
    elif '3' in raws:
        health = states.UNHEALTHY
    else:
        health = states.UNKNOWN
    return state, raw_state, health


def api(connection):
    return Edas(connection)


def fleet(connection, params):
    return EdasFleet(connection, params.get('application_id'))


def operate_applications(connection, request):
    return run(ApplicationsOperation(Edas(connection), request.target('app_ids'), request.target('ecc_ids')), request)


def operate_instances(connection, request):
    return instance_operation(Edas(connection), request, EccsOperation)


def deployer(connection, params):
    return EdasDeployer(connection, params)
