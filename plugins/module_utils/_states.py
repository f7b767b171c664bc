# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""One vocabulary for target states and job statuses across all platforms.

Modules return the normalized value beside the platform's raw one (``state`` / ``raw_state``),
so playbooks can be written once for every platform and still see exactly what the API said.
The tables follow the enums in the platforms' SDKs and docs (see docs/architecture.md).
"""

from __future__ import annotations

# Target (application, component, instance) states.
RUNNING = 'running'
STOPPED = 'stopped'
STARTING = 'starting'
STOPPING = 'stopping'
RESTARTING = 'restarting'
UPGRADING = 'upgrading'
BUILDING = 'building'
DEGRADED = 'degraded'          # serving, but some replicas/instances are failing or unhealthy
FAILED = 'failed'
PENDING = 'pending'
DELETING = 'deleting'
DELETED = 'deleted'
NOT_DEPLOYED = 'not_deployed'
COMPLETED = 'completed'        # run-to-completion workloads (jobs) that finished
PAUSED = 'paused'
UNKNOWN = 'unknown'

TARGET_STATES = (RUNNING, STOPPED, STARTING, STOPPING, RESTARTING, UPGRADING, BUILDING, DEGRADED, FAILED, PENDING,
                 DELETING, DELETED, NOT_DEPLOYED, COMPLETED, PAUSED, UNKNOWN)
TRANSITIONAL_STATES = frozenset([STARTING, STOPPING, RESTARTING, UPGRADING, BUILDING, PENDING, DELETING])

# Job / change-order / event statuses.
JOB_PENDING = 'pending'
JOB_RUNNING = 'running'
JOB_SUCCEEDED = 'succeeded'
JOB_FAILED = 'failed'
JOB_PARTIALLY_FAILED = 'partially_failed'
JOB_ABORTED = 'aborted'
JOB_ROLLING_BACK = 'rolling_back'
JOB_ROLLED_BACK = 'rolled_back'
JOB_WAITING_CONFIRMATION = 'waiting_confirmation'   # a batch waits for a person (or auto_confirm)
JOB_WAITING_APPROVAL = 'waiting_approval'
JOB_UNKNOWN = 'unknown'

JOB_STATUSES = (JOB_PENDING, JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED, JOB_PARTIALLY_FAILED, JOB_ABORTED, JOB_ROLLING_BACK,
                JOB_ROLLED_BACK, JOB_WAITING_CONFIRMATION, JOB_WAITING_APPROVAL, JOB_UNKNOWN)
JOB_TERMINAL = frozenset([JOB_SUCCEEDED, JOB_FAILED, JOB_PARTIALLY_FAILED, JOB_ABORTED, JOB_ROLLED_BACK])
# Not terminal, but nothing will move without someone acting: a wait must not hang on these.
JOB_BLOCKED = frozenset([JOB_WAITING_CONFIRMATION, JOB_WAITING_APPROVAL])
JOB_SUCCESS = frozenset([JOB_SUCCEEDED])

_SERVICESTAGE_STATUS = {
    'INITIALIZING': PENDING, 'UPGRADING': UPGRADING, 'FAILED': FAILED, 'RUNNING': RUNNING,
    # DOWN is distinct from STOPPED (a deliberate stop): the workload is unavailable.
    'DOWN': FAILED, 'DELETING': DELETING, 'DELETED': DELETED, 'RESERVED': PENDING, 'STARTING': STARTING,
    'STOPPING': STOPPING, 'STOPPED': STOPPED, 'RESTARTING': RESTARTING, 'PENDING': PENDING, 'UNKNOWN': UNKNOWN,
    'PARTIALLY_FAILED': DEGRADED,
}

TARGET_STATE_TABLES = {
    # Rainbond component status, computed by the region worker (worker/appm/types/v1/status.go).
    'rainbond_component': {
        'running': RUNNING, 'closed': STOPPED, 'starting': STARTING, 'waiting': STARTING, 'stopping': STOPPING,
        'abnormal': FAILED, 'some_abnormal': DEGRADED, 'unknow': UNKNOWN, 'unknown': UNKNOWN, 'upgrade': UPGRADING,
        'building': BUILDING, 'build_failure': FAILED, 'undeploy': NOT_DEPLOYED, 'succeeded': COMPLETED, 'paused': PAUSED,
        'failure': FAILED,
    },
    # Rainbond application status as the console derives it from its components.
    'rainbond_app': {'running': RUNNING, 'part_running': DEGRADED, 'closed': STOPPED},
    'servicestage_component': _SERVICESTAGE_STATUS,
    'servicestage_instance': _SERVICESTAGE_STATUS,
    # SAE DescribeApplicationStatus.CurrentStatus.
    'sae_application': {'RUNNING': RUNNING, 'STOPPED': STOPPED, 'UNKNOWN': UNKNOWN},
    # SAE DescribeApplicationInstances.InstanceContainerStatus.
    'sae_instance': {
        'Running': RUNNING, 'Pending': STARTING, 'PodInitializing': STARTING, 'Init:0/1': STARTING, 'Terminating': STOPPING,
        'Error': FAILED, 'CrashLoopBackOff': FAILED, 'ErrImagePull': FAILED, 'ImagePullBackOff': FAILED, 'NotFound': UNKNOWN,
        'Unknown': UNKNOWN,
    },
    # EDAS QueryApplicationStatus Ecc.AppState: 0 agent offline, 1 stopped, 3 running but health check failed, 7 running.
    'edas_ecc': {'0': UNKNOWN, '1': STOPPED, '3': DEGRADED, '7': RUNNING},
}

_SAE_CHANGE_ORDER = {
    '0': JOB_PENDING, '1': JOB_RUNNING, '2': JOB_SUCCEEDED, '3': JOB_FAILED, '6': JOB_ABORTED,
    '8': JOB_WAITING_CONFIRMATION, '9': JOB_RUNNING, '10': JOB_FAILED, '11': JOB_WAITING_APPROVAL, '12': JOB_PENDING,
}

JOB_STATUS_TABLES = {
    # ServiceStage v3 ShowJobInfo job.execution_status and v2 ShowJobDetail job.EXECUTION_STATUS (same enum).
    'servicestage_job': {
        'SUBMITTED': JOB_PENDING, 'SCHEDULED': JOB_PENDING, 'RUNNING': JOB_RUNNING, 'FAILED': JOB_FAILED,
        'SUCCEEDED': JOB_SUCCEEDED, 'CANCELLED': JOB_ABORTED, 'PARTIALLY_FAILED': JOB_PARTIALLY_FAILED,
        'ROLLBACKING': JOB_ROLLING_BACK, 'ROLLBACKED': JOB_ROLLED_BACK, 'UNKNOWN': JOB_UNKNOWN, 'SKIPPED': JOB_SUCCEEDED,
    },
    # SAE DescribeChangeOrder.Status (int).
    'sae_change_order': _SAE_CHANGE_ORDER,
    # SAE DescribeApplicationStatus.LastChangeOrderStatus: the same enum spelled out, in the same order.
    'sae_last_change_order': {
        'READY': JOB_PENDING, 'RUNNING': JOB_RUNNING, 'SUCCESS': JOB_SUCCEEDED, 'FAIL': JOB_FAILED, 'ABORT': JOB_ABORTED,
        'WAIT_BATCH_CONFIRM': JOB_WAITING_CONFIRMATION, 'AUTO_BATCH_WAIT': JOB_RUNNING, 'SYSTEM_FAIL': JOB_FAILED,
        'WAIT_APPROVAL': JOB_WAITING_APPROVAL, 'APPROVED': JOB_PENDING,
    },
    # EDAS GetChangeOrderInfo / ListRecentChangeOrder Status (int); 7 = partially executed.
    'edas_change_order': {
        '0': JOB_PENDING, '1': JOB_RUNNING, '2': JOB_SUCCEEDED, '3': JOB_FAILED, '6': JOB_ABORTED, '7': JOB_PARTIALLY_FAILED,
        '8': JOB_WAITING_CONFIRMATION, '9': JOB_RUNNING, '10': JOB_FAILED,
    },
    # Tasks of SAE pipelines (DescribePipeline TaskList Status) and EDAS stages (TaskInfoDTO TaskStatus, a string of the same ints):
    # 0 prepared, 1 executing, 2 succeeded, 3 failed, 5 pending retry (SAE), 6 terminated, 10 system failure (EDAS).
    'alibaba_task': {'0': JOB_PENDING, '1': JOB_RUNNING, '2': JOB_SUCCEEDED, '3': JOB_FAILED, '5': JOB_RUNNING, '6': JOB_ABORTED, '10': JOB_FAILED},
    # Rainbond event final_status (status success/failure decides a completed event).
    'rainbond_event': {
        'running': JOB_RUNNING, 'failure': JOB_FAILED, 'empty': JOB_SUCCEEDED, 'emptycomplete': JOB_SUCCEEDED,
        'complete': JOB_SUCCEEDED,
    },
}

_CASE_INSENSITIVE = frozenset(['servicestage_component', 'servicestage_instance', 'servicestage_job', 'sae_application',
                               'sae_last_change_order'])


def _lookup(tables, kind, raw, default):
    try:
        table = tables[kind]
    except KeyError:
        raise ValueError('unknown kind %r' % kind)
    if raw is None:
        return default
    key = str(raw)
    if kind in _CASE_INSENSITIVE:
        key = key.upper()
    return table.get(key, default)


def normalize_state(kind, raw):
    """Map a platform's raw target state to the shared vocabulary (``unknown`` when unmapped)."""
    return _lookup(TARGET_STATE_TABLES, kind, raw, UNKNOWN)


def normalize_job_status(kind, raw, detail=None):
    """Map a platform's raw job / change-order status to the shared vocabulary.

    ``detail`` refines statuses whose meaning needs a second field: a completed Rainbond event
    failed when its ``status`` is ``failure``; an SAE order in progress with ``SubStatus`` 1 /
    ``RUNNING_BUT_HAS_ERROR`` has a failed batch awaiting manual rollback, which counts as failed.
    """
    status = _lookup(JOB_STATUS_TABLES, kind, raw, JOB_UNKNOWN)
    if kind == 'rainbond_event' and status == JOB_SUCCEEDED and detail == 'failure':
        return JOB_FAILED
    if kind in ('sae_change_order', 'sae_last_change_order') and status not in JOB_TERMINAL and str(detail) in ('1', 'RUNNING_BUT_HAS_ERROR'):
        return JOB_FAILED
    return status


# Health of an instance, where the platform reports one.
HEALTHY = 'healthy'
UNHEALTHY = 'unhealthy'
NOT_CHECKED = 'not_checked'    # no health check configured
HEALTH_STATES = (HEALTHY, UNHEALTHY, NOT_CHECKED, UNKNOWN)

HEALTH_TABLES = {
    # SAE DescribeApplicationInstances.InstanceHealthStatus.
    'sae_instance': {
        'Healthy': HEALTHY, 'Unhealthy': UNHEALTHY, 'LivenessUnhealthy': UNHEALTHY, 'ReadinessUnhealthy': UNHEALTHY,
        'NotCheckedYet': UNKNOWN, 'WithoutHealthCheckConfig': NOT_CHECKED, 'WithoutLivenessConfig': NOT_CHECKED,
        'WithoutReadinessConfig': NOT_CHECKED,
    },
    # EDAS Ecc.AppState: 7 running (health check passing), 3 running but its health check URL fails.
    'edas_ecc': {'7': HEALTHY, '3': UNHEALTHY, '1': UNKNOWN, '0': UNKNOWN},
}


def normalize_health(kind, raw):
    """Map a platform's raw instance health to ``healthy``, ``unhealthy``, ``not_checked`` or ``unknown``."""
    return _lookup(HEALTH_TABLES, kind, raw, UNKNOWN)


def state_entry(kind, raw):
    """The pair every module returns for a target: normalized ``state`` and the platform's ``raw_state``."""
    return {'state': normalize_state(kind, raw), 'raw_state': raw}
