# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""SAE (Serverless App Engine): application, instance and change-order reads, the operations on applications and
instances, and the fleets a rolling restart walks (the instances of an application, the applications of a namespace).

Every state change is a change order (``_alibaba.follow_change_order``). SAE names no running version id: it is the
newest ListAppVersions entry whose package URL is the configuration's.
"""

from __future__ import annotations

import json
from functools import partial

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._action import epoch_seconds, public_view, summary
from ansible_collections.paas.ops.plugins.module_utils._alibaba import (AlibabaApi, ChangeOrderDeployer, ChangeOrderFleet, follow_orders, instance_operation,
                                                                        order_summary, order_task, order_unit, send_order, wait_for_running_orders)
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Operation, Request, run
from ansible_collections.paas.ops.plugins.module_utils._paging import PAGE, Paging
from ansible_collections.paas.ops.plugins.module_utils._version import VersionSpec, deployed

ACTIONS = ('start', 'stop', 'restart', 'scale', 'rollback')
INSTANCE_ACTIONS = ('restart',)
_SAE_BATCH = {'start': 'BatchStartApplications', 'stop': 'BatchStopApplications', 'restart': 'BatchRestartApplications'}
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

# DescribeApplicationStatus.CurrentStatus.
APPLICATION_STATES = states.Table('sae_application', {'RUNNING': states.RUNNING, 'STOPPED': states.STOPPED, 'UNKNOWN': states.UNKNOWN},
                                  case_insensitive=True)
# DescribeApplicationInstances.InstanceContainerStatus (Kubernetes spellings, matched as they are).
INSTANCE_STATES = states.Table('sae_instance', {
    'Running': states.RUNNING, 'Pending': states.STARTING, 'PodInitializing': states.STARTING, 'Init:0/1': states.STARTING,
    'Terminating': states.STOPPING, 'Error': states.FAILED, 'CrashLoopBackOff': states.FAILED, 'ErrImagePull': states.FAILED,
    'ImagePullBackOff': states.FAILED, 'NotFound': states.UNKNOWN, 'Unknown': states.UNKNOWN,
})
# DescribeApplicationInstances.InstanceHealthStatus.
INSTANCE_HEALTH = states.Table('sae_instance', {
    'Healthy': states.HEALTHY, 'Unhealthy': states.UNHEALTHY, 'LivenessUnhealthy': states.UNHEALTHY, 'ReadinessUnhealthy': states.UNHEALTHY,
    'NotCheckedYet': states.UNKNOWN, 'WithoutHealthCheckConfig': states.NOT_CHECKED, 'WithoutLivenessConfig': states.NOT_CHECKED,
    'WithoutReadinessConfig': states.NOT_CHECKED,
})
# DescribeChangeOrder.Status (int).
CHANGE_ORDER_STATUSES = states.Table('sae_change_order', {
    '0': states.JOB_PENDING, '1': states.JOB_RUNNING, '2': states.JOB_SUCCEEDED, '3': states.JOB_FAILED, '6': states.JOB_ABORTED,
    '8': states.JOB_WAITING_CONFIRMATION, '9': states.JOB_RUNNING, '10': states.JOB_FAILED, '11': states.JOB_WAITING_APPROVAL,
    '12': states.JOB_PENDING,
})


def change_order_status(raw, sub_status=None):
    """A change order's status. An order in progress with SubStatus 1 (RUNNING_BUT_HAS_ERROR) has a failed batch waiting for a
    manual rollback: it counts as failed (a wait would hang on it); an order that has ended keeps its own status."""
    status = CHANGE_ORDER_STATUSES.normalize(raw)
    if status not in states.JOB_TERMINAL and str(sub_status) in ('1', 'RUNNING_BUT_HAS_ERROR'):
        return states.JOB_FAILED
    return status


class Sae(AlibabaApi):

    def applications(self, namespace_id):
        """Every application of a namespace (ListApplications, all pages; of the region without one), with a state from its
        instance counts and what its configuration deploys (the items' ``ImageUrl`` and ``PackageUrl``; they carry no
        ``PackageVersion``)."""
        found = []
        for app in self.list_all(_SAE_APPLICATIONS, '/pop/v1/sam/app/listApplications', {'NamespaceId': namespace_id}, 'AppId', _SAE_BIG_PAGE):
            wanted, running = int(app.get('Instances') or 0), int(app.get('RunningInstances') or 0)
            # One call for the whole namespace: the counts say it (DescribeApplicationStatus would cost one call per app).
            state = states.STOPPED if not running else states.RUNNING if running >= wanted else states.DEGRADED
            found.append(dict(id=app.get('AppId'), name=app.get('AppName'), kind='application', application_id=app.get('AppId'),
                              state=state, raw_state='%s/%s running' % (running, wanted), replica=wanted, available_replica=running,
                              image_url=app.get('ImageUrl') or None, package_url=app.get('PackageUrl') or None))
        return found

    def application_ids(self, app_ids, app_names, namespace_id, listed=None):
        """The ids of ``app_ids``, or of ``app_names`` in the namespace (``listed``: its applications as just listed)."""
        if app_ids:
            return list(app_ids)
        if not namespace_id:
            raise PaasInputError('namespace_id is needed to find applications by name')
        known = {}
        for app in self.applications(namespace_id) if listed is None else listed:
            known.setdefault(app['name'], []).append(app['id'])
        missing = [name for name in app_names if len(known.get(name, [])) != 1]
        if missing:
            raise PaasInputError('no single application named %s in namespace %s (known: %s)'
                                 % (', '.join(missing), namespace_id, ', '.join(sorted(name for name in known if name)) or 'none'))
        return [known[name][0] for name in app_names]

    def application(self, app_id, reuse=False):
        data = self.call('DescribeApplicationStatus', 'GET', '/pop/v1/sam/app/describeApplicationStatus', {'AppId': app_id},
                         reuse=reuse).get('Data') or {}
        raw = data.get('CurrentStatus')
        running = bool(data.get('LastChangeOrderRunning'))
        return dict(id=app_id, label='application %s' % app_id, state=APPLICATION_STATES.normalize(raw), raw_state=raw,
                    running_instances=data.get('RunningInstances'), last_change_order_id=data.get('LastChangeOrderId') or None,
                    change_order_running=running)

    def last_change_order_id(self, app_id):
        """The application's last change order (DescribeApplicationStatus LastChangeOrderId): every accepted action moves it."""
        return self.application(app_id)['last_change_order_id']

    def config(self, app_id, reuse=False):
        return self.call('DescribeApplicationConfig', 'GET', '/pop/v1/sam/app/describeApplicationConfig', {'AppId': app_id},
                         reuse=reuse).get('Data') or {}

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

    def rollback(self, app_id, version_id, min_ready_instances=None, min_ready_instance_ratio=None, update_strategy=None):
        data = self.call('RollbackApplication', 'PUT', '/pop/v1/sam/app/rollbackApplication',
                         {'AppId': app_id, 'VersionId': version_id, 'MinReadyInstances': min_ready_instances,
                          'MinReadyInstanceRatio': min_ready_instance_ratio, 'UpdateStrategy': update_strategy})
        return (data.get('Data') or {}).get('ChangeOrderId')

    def deploy(self, app_id, package_type, image_url=None, package_url=None, package_version=None, update_strategy=None,
               min_ready_instances=None, min_ready_instance_ratio=None):
        """DeployApplication: the id of the change order it started.

        As the SDK places them (``deploy_application_with_options``): every parameter sent here is a query one, and the
        request has a form body (``req_body_type`` formData), which holds only parameters this collection does not send,
        so it goes out empty, ``application/x-www-form-urlencoded`` and signed as such.
        """
        data = self.call('DeployApplication', 'POST', '/pop/v1/sam/app/deployApplication',
                         {'AppId': app_id, 'PackageType': package_type, 'ImageUrl': image_url, 'PackageUrl': package_url,
                          'PackageVersion': package_version, 'UpdateStrategy': update_strategy, 'MinReadyInstances': min_ready_instances,
                          'MinReadyInstanceRatio': min_ready_instance_ratio}, form={})
        return (data.get('Data') or {}).get('ChangeOrderId')

    def restart_instances(self, app_id, instance_ids):
        data = self.call('RestartInstances', 'PUT', '/pop/v1/sam/app/restartInstances', {'AppId': app_id, 'InstanceIds': ','.join(instance_ids)})
        return (data.get('Data') or {}).get('ChangeOrderId')

    def instances(self, app_id, reuse=False):
        """Every instance of the application, over all its groups and pages (``reuse``: as last read, if nothing changed since)."""
        groups = self.list_all(_SAE_GROUPS, '/pop/v1/sam/app/describeApplicationGroups', {'AppId': app_id}, 'GroupId', reuse=reuse)
        found = []
        for group in groups:
            for instance in self.list_all(_SAE_INSTANCES, '/pop/v1/sam/app/describeApplicationInstances',
                                          {'AppId': app_id, 'GroupId': group.get('GroupId')}, 'InstanceId', _SAE_BIG_PAGE, reuse=reuse):
                raw = instance.get('InstanceContainerStatus')
                found.append(dict(id=instance.get('InstanceId'), name=instance.get('InstanceId'), kind='instance', application_id=app_id,
                                  state=INSTANCE_STATES.normalize(raw), raw_state=raw,
                                  health=INSTANCE_HEALTH.normalize(instance.get('InstanceHealthStatus')),
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
                          status=CHANGE_ORDER_STATUSES.normalize(p.get('Status')), tasks=None) for p in data.get('Pipelines') or []]
        # ``ended``: whether SAE itself considers the order over (SubStatus 1 counts as failed, yet the order still runs).
        return dict(id=change_order_id, platform='sae', raw_status=raw, sub_status=sub, status=change_order_status(raw, sub),
                    ended=CHANGE_ORDER_STATUSES.normalize(raw) in states.JOB_TERMINAL,
                    type=data.get('CoTypeCode'), description=data.get('CoType') or data.get('Description'), application_id=data.get('AppId'),
                    created=data.get('CreateTime'), batch_count=data.get('BatchCount'), batch_type=data.get('BatchType'),
                    current_pipeline_id=data.get('CurrentPipelineId'), message=data.get('ErrorMessage') or None, pipelines=pipelines)

    def with_tasks(self, order):
        """Fill in the tasks of every batch that has started (DescribePipeline)."""
        for pipeline in order['pipelines']:
            if pipeline['tasks'] is None and pipeline['status'] not in (states.JOB_PENDING, states.JOB_WAITING_CONFIRMATION):
                detail = self.call('DescribePipeline', 'GET', '/pop/v1/sam/changeorder/DescribePipeline', {'PipelineId': pipeline['id']}).get('Data') or {}
                pipeline['tasks'] = [order_task(task.get('TaskName'), task.get('Status'), task.get('Message'), task.get('ErrorCode'), task.get('ErrorMessage'))
                                     for stage in detail.get('StageList') or [] for task in stage.get('TaskList') or []]
                # SAE has no per-instance list in a batch: each instance's task names it ("Restart <instance id>").
                pipeline['units'] = [order_unit(str(task['name'] or '').split(), task['raw_status'], task['error_message'] or task['message'])
                                     for task in pipeline['tasks']]
        return order

    def change_orders(self, app_id, limit):
        """The newest ``limit`` change orders of an application (ListChangeOrders, as many pages as they take; all with None), newest first."""
        orders = self.list_all(_SAE_CHANGE_ORDERS, '/pop/v1/sam/changeorder/ListChangeOrders', {'AppId': app_id}, 'ChangeOrderId', want=limit)
        return [order_summary('sae', order, CHANGE_ORDER_STATUSES) for order in orders]

    def waiting_pipeline(self, order):
        return order.get('current_pipeline_id')

    def confirm_batch(self, pipeline_id):
        self.call('ConfirmPipelineBatch', 'GET', '/pop/v1/sam/changeorder/ConfirmPipelineBatch', {'PipelineId': pipeline_id, 'Confirm': 'true'},
                  read=False)

    def abort(self, change_order_id):
        """Stop the order and roll back what its batches changed (AbortChangeOrder with Rollback)."""
        self.call('AbortChangeOrder', 'PUT', '/pop/v1/sam/changeorder/AbortChangeOrder', {'ChangeOrderId': change_order_id, 'Rollback': 'true'})


class ApplicationsOperation(Operation):
    """start/stop/restart (one batch order for all applications that need it), scale and rollback (one order per application).
    Work in flight is an application's running change order."""

    def __init__(self, api):
        self.api = api
        self.result = None
        self.orders = []

    def _read(self, action, app_id):
        view = self.api.application(app_id)
        view['running_change_order_id'] = view['last_change_order_id'] if view['change_order_running'] else None
        if action in ('scale', 'rollback'):
            config = self.api.config(app_id)
            view.update(replica=config.get('Replicas'), name=config.get('AppName'))
        if action == 'rollback':
            view['versions'], view['version'] = self.api.versions(app_id, config)
        return view

    def read(self, request):
        app_ids = self.api.application_ids(request.target('app_ids'), request.target('app_names'), request.target('namespace_id'))
        if request.action in _SAE_BATCH and not request.target('namespace_id'):
            raise PaasInputError('namespace_id is required to %s SAE applications (the batch APIs take it)' % request.action)
        return [self._read(request.action, app_id) for app_id in app_ids]

    def settle(self, request, views):
        waited, views = wait_for_running_orders(self.api, views, request.deadline, partial(self._read, request.action))
        return views, waited

    def parameters(self, request):
        if request.action == 'scale':
            return {'replica': request.parameter('replicas')}
        return {'version': request.parameter('version_id')} if request.action == 'rollback' else {}

    def planned(self, request, plan):
        self.result = dict(changed=bool(plan.acting), waited_for_change_orders=plan.waited, change_orders=[], change_order_ids=[],
                           requests=self.api.action_requests,
                           applications=[dict((key, entry[key]) for key in ('id', 'changed', 'reason', 'before', 'after')) for entry in plan.entries])

    def send(self, request, plan):
        acting = [entry['view'] for entry in plan.acting]
        if request.action in _SAE_BATCH:
            # One order over every application: the first one's last change order tells whether it was started.
            ids = [view['id'] for view in acting]
            self.orders = [(send_order(self.api, acting[0], partial(self.api.batch, request.action, request.target('namespace_id'), ids)),
                            'applications %s' % ', '.join(ids))]
        else:
            # Scale and rollback: one order per application, with the platform's own batch settings passed on.
            change = partial(self.api.rescale, replicas=request.parameter('replicas')) if request.action == 'scale' else \
                partial(self.api.rollback, version_id=request.parameter('version_id'))
            self.orders = [(send_order(self.api, view, partial(change, view['id'], min_ready_instances=request.parameter('min_ready_instances'),
                                                               min_ready_instance_ratio=request.parameter('min_ready_instance_ratio'))), view['label'])
                           for view in acting]
        self.result['change_order_ids'] = [order_id for order_id, dummy in self.orders]
        return self.orders

    def follow(self, request, plan):
        follow_orders(self.api, self.orders, request.deadline, request.auto_confirm, self.result)
        if not request.rereads:
            return
        finals = dict((entry['id'], self._read(request.action, entry['id'])) for entry in plan.acting)
        for entry in self.result['applications']:
            if entry['id'] in finals:
                entry['after'] = summary(finals[entry['id']])

    def report(self, request, plan):
        return self.result


class InstancesOperation(Operation):
    """A restart of chosen instances of one application with one change order (RestartInstances): work in flight is the
    application's running change order."""

    def __init__(self, api, app_id, instance_ids):
        self.api = api
        self.app_id = app_id
        self.instance_ids = instance_ids
        self.application = None
        self.result = None

    def _read_application(self, dummy=None):
        view = self.api.application(self.app_id)
        view['running_change_order_id'] = view['last_change_order_id'] if view['change_order_running'] else None
        return view

    def read(self, request):
        if request.action != 'restart':
            raise PaasInputError('SAE instances can only be restarted; use paas.ops.app_operation to %s the application' % request.action)
        return [self._read_application()]

    def settle(self, request, views):
        waited, views = wait_for_running_orders(self.api, views, request.deadline, self._read_application)
        self.application = views[0]
        # A rolling restart listed the instances just before: that listing is not read again.
        found = dict((instance['id'], instance) for instance in self.api.instances(self.app_id, reuse=True))
        unknown = [instance_id for instance_id in self.instance_ids if instance_id not in found]
        if unknown:
            raise PaasInputError('application %s has no instance %s (known: %s)' % (self.app_id, ', '.join(unknown), ', '.join(sorted(found)) or 'none'))
        return [dict(found[instance_id], label='instance %s' % instance_id) for instance_id in self.instance_ids], waited

    def planned(self, request, plan):
        entries = [dict(id=entry['id'], changed=entry['changed'], failed=False, reason=entry['reason'], job_id=None, job=None,
                        waited_for_job=(plan.waited or [None])[0], before=entry['before'], after=self.predict(request, entry['view']),
                        instance=public_view(entry['view'])) for entry in plan.entries]
        # A restart always acts.
        self.result = dict(changed=True, instances=entries, change_order_ids=[], change_orders=[], requests=self.api.action_requests)

    def send(self, request, plan):
        order_id = send_order(self.api, self.application, partial(self.api.restart_instances, self.app_id, self.instance_ids))
        self.result['change_order_ids'] = [order_id]
        for entry in self.result['instances']:
            entry['job_id'] = order_id
        return order_id

    def follow(self, request, plan):
        order = follow_orders(self.api, [(plan.sent, 'application %s' % self.app_id)], request.deadline, request.auto_confirm, self.result)[0]
        final = dict((instance['id'], instance) for instance in self.api.instances(self.app_id)) if request.rereads else {}
        for entry in self.result['instances']:
            entry['job'] = order
            if entry['id'] in final:
                entry.update(after=summary(final[entry['id']]), instance=public_view(final[entry['id']]))

    def report(self, request, plan):
        return self.result


class SaeInstanceFleet(ChangeOrderFleet):
    kind = 'instance'
    api_class = Sae
    targets_named = 'SAE instances'

    def _targets(self, times_for=None):
        return self.api.instances(self.application_id)

    def restart(self, ids, deadline, auto_confirm):
        request = Request('restart', deadline=deadline, auto_confirm=auto_confirm, chosen=ids)
        return self._run(ids, lambda: run(InstancesOperation(self.api, self.application_id, ids), request))


class SaeApplicationFleet(ChangeOrderFleet):
    """The applications of a namespace: a batch is one BatchRestartApplications order."""

    kind = 'application'

    def __init__(self, connection, namespace_id):  # pylint: disable=super-init-not-called
        self.api = Sae(connection)
        self.namespace_id = namespace_id
        self.application_id = None

    def _targets(self, times_for=None):
        return self.api.applications(self.namespace_id)

    def restart(self, ids, deadline, auto_confirm, action='restart'):
        request = Request(action, targets=dict(app_ids=list(ids), namespace_id=self.namespace_id), deadline=deadline, auto_confirm=auto_confirm,
                          chosen=ids)
        return self._run(ids, lambda: run(ApplicationsOperation(self.api), request))

    def start(self, ids, deadline, auto_confirm):
        return self.restart(ids, deadline, auto_confirm, 'start')


def api(connection):
    return Sae(connection)


def fleet(connection, params):
    """The applications of a namespace (namespace_id without application_id), or the instances of an application."""
    if params.get('namespace_id') and not params.get('application_id'):
        return SaeApplicationFleet(connection, params['namespace_id'])
    if not params.get('application_id'):
        raise PaasInputError('SAE instances belong to an application given by id: set application_id (or namespace_id for the applications of a '
                             'namespace)')
    return SaeInstanceFleet(connection, params['application_id'])


def operate_applications(connection, request):
    return run(ApplicationsOperation(Sae(connection)), request)


def operate_instances(connection, request):
    return instance_operation(Sae(connection), request, InstancesOperation)


def update_strategy(options):
    """The module's ``update_strategy`` as SAE's ``UpdateStrategy`` JSON, or None (not given: the application's own)."""
    if not options:
        return None
    strategy = dict(type=options.get('type') or 'BatchUpdate',
                    batchUpdate=dict(batch=options.get('batch') or 1, releaseType=options.get('release_type') or 'auto',
                                     batchWaitTime=options.get('batch_wait_time') or 0))
    if strategy['type'] == 'GrayBatchUpdate':
        strategy['grayUpdate'] = dict(gray=options.get('gray'))
    return json.dumps(strategy, separators=(',', ':'), sort_keys=True)


class SaeDeployer(ChangeOrderDeployer):
    """Deploys of an image, or of a package URL with its version, to SAE applications: one DeployApplication order each.

    The targets are ``app_ids``, or ``app_names`` in ``namespace_id``, or (neither given: a rolling deploy's scope) every
    application of ``namespace_id``. One ListApplications says each one's state (its instance counts) and what an image
    application runs (``ImageUrl``); an application deployed from a package is read with DescribeApplicationConfig, since
    only that names its ``PackageVersion`` (what says whether it runs a package: SAE's package URLs expire) and package type.
    DescribeApplicationStatus says the order in flight and the newest order (the marker of an unknown outcome). A rollback
    is RollbackApplication to the newest listed version (ListAppVersions) of what the target ran before.
    """

    kind = 'application'
    title = 'SAE application'

    def __init__(self, connection, params):
        super().__init__(connection, params)
        self.api = Sae(connection)

    def check(self, spec):
        super().check(spec)
        if spec.image and (spec.package_url or spec.package_version):
            raise PaasInputError('an SAE application runs an image or a package: give image, or package_url with package_version, not both')
        if not spec.image and not (spec.package_url and spec.package_version):
            raise PaasInputError('an SAE package deploy needs both package_url and package_version (the version is what SAE keeps of it)')
        options = self.params.get('update_strategy') or {}
        if options.get('type') == 'GrayBatchUpdate' and not options.get('gray'):
            raise PaasInputError('update_strategy type GrayBatchUpdate needs gray, the instances of its canary batch')
        if options.get('gray') and options.get('type') != 'GrayBatchUpdate':
            raise PaasInputError('update_strategy gray is the canary of type GrayBatchUpdate; set that type, or leave gray out')
        if self.params.get('app_names') and not self.params.get('namespace_id'):
            raise PaasInputError('namespace_id is needed to find applications by name')
        if not self.params.get('app_ids') and not self.params.get('app_names') and not self.params.get('namespace_id'):
            raise PaasInputError('give the SAE applications: app_ids, or app_names in namespace_id (or namespace_id alone for all of its applications)')

    def targets(self, ids=None):
        namespace_id = self.params.get('namespace_id')
        listed = self.api.applications(namespace_id)
        by_id = dict((app['id'], app) for app in listed)
        whole = ids is None
        if ids is None:
            ids = self.api.application_ids(self.params.get('app_ids'), self.params.get('app_names'), namespace_id, listed) \
                if self.params.get('app_ids') or self.params.get('app_names') else [app['id'] for app in listed]
        unknown = [app_id for app_id in ids if app_id not in by_id]
        if unknown:
            raise PaasInputError('no SAE application %s %s' % (', '.join(unknown), 'in namespace %s' % namespace_id if namespace_id else 'in the region'))
        return [self._view(by_id[app_id], reuse=whole) for app_id in ids]

    def _view(self, app, reuse=False):
        # The listing is always read afresh (states, images). Of the whole scope (a rolling deploy's plan and its gates' polls)
        # each application's status and configuration are read once since this task last acted: SAE allows 60 calls a
        # minute, and a namespace of N applications would cost N more per poll. The targets a deploy sends to, waits for or
        # rolls back are asked for by id: theirs are read afresh every time.
        status = self.api.application(app['id'], reuse=reuse)
        package_type, runs = 'Image', deployed(image=app['image_url'])
        if app['package_url'] or not app['image_url']:
            # Deployed from a package (or the list shows nothing): only the configuration names the package version.
            config = self.api.config(app['id'], reuse=reuse)
            package_type = config.get('PackageType') or None
            runs = deployed(image=config.get('ImageUrl'), package_url=config.get('PackageUrl'), package_version=config.get('PackageVersion'))
        health = None if app['state'] == states.STOPPED else states.HEALTHY if app['state'] == states.RUNNING else states.UNHEALTHY
        return dict(id=app['id'], name=app['name'], label='application %s' % (app['name'] or app['id']), kind='application',
                    state=app['state'], raw_state=app['raw_state'], health=health, deployed=runs,
                    busy=status['last_change_order_id'] if status['change_order_running'] else None,
                    _last_change_order_id=status['last_change_order_id'], _package_type=package_type)

    def refuse(self, view, spec):
        if not spec.image and (view.get('_package_type') or 'Image').lower().startswith('image'):
            raise PaasInputError('%s runs an image (package type %s): a package deploy needs the package type of a package application, '
                                 'which SAE does not tell for it; deploy it an image, or change its type in the SAE console first'
                                 % (view['label'], view.get('_package_type') or 'Image'))

    def on_version(self, view, spec):
        current = view.get('deployed') or {}
        if spec.image:
            return current.get('image') == spec.image
        # A package is known by its version: SAE drops the URLs of packages it was given (deploy-and-paging-apis.md 1.2).
        return current.get('package_version') == spec.package_version

    def predict(self, view, spec):
        return deployed(image=spec.image) if spec.image else deployed(package_url=spec.package_url, package_version=spec.package_version)

    def deploy_order(self, view, spec):
        params = self.params
        return self.api.deploy(view['id'], 'Image' if spec.image else view['_package_type'], image_url=spec.image, package_url=spec.package_url,
                               package_version=spec.package_version, update_strategy=update_strategy(params.get('update_strategy')),
                               min_ready_instances=params.get('min_ready_instances'), min_ready_instance_ratio=params.get('min_ready_instance_ratio'))

    def rollback_order(self, view):
        before = view.get('deployed') or {}
        dummy, version_id = self.api.versions(view['id'], {'ImageUrl': before.get('image'), 'PackageUrl': before.get('package_url')})
        if not version_id:
            raise PaasInputError('%s: no listed version (ListAppVersions) is what it ran (%s), so there is nothing to roll back to'
                                 % (view['label'], VersionSpec.of(before).describe()))
        params = self.params
        return self.api.rollback(view['id'], version_id, min_ready_instances=params.get('min_ready_instances'),
                                 min_ready_instance_ratio=params.get('min_ready_instance_ratio'),
                                 update_strategy=update_strategy(params.get('update_strategy')))


def deployer(connection, params):
    return SaeDeployer(connection, params)
