# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""One vocabulary for target states, job statuses and health across all platforms.

Modules return the normalized value beside the platform's raw one (``state`` / ``raw_state``),
so playbooks can be written once for every platform and still see exactly what the API said.
Each platform's adapter maps its own enums into this vocabulary with a ``Table``, written from the
platform's SDKs and docs.
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

JOB_TERMINAL = frozenset([JOB_SUCCEEDED, JOB_FAILED, JOB_PARTIALLY_FAILED, JOB_ABORTED, JOB_ROLLED_BACK])
# Not terminal, but nothing will move without someone acting: a wait must not hang on these.
JOB_BLOCKED = frozenset([JOB_WAITING_CONFIRMATION, JOB_WAITING_APPROVAL])
JOB_SUCCESS = frozenset([JOB_SUCCEEDED])

# Health of an instance, where the platform reports one.
HEALTHY = 'healthy'
UNHEALTHY = 'unhealthy'
NOT_CHECKED = 'not_checked'    # no health check configured


class Table:
    """One of a platform's enums mapped into the vocabulary: ``normalize(raw)``, ``unknown`` for a value not in it.

    Values are matched as text (the APIs answer some as JSON numbers: 7 and '7' are the same); ``case_insensitive``
    where the platform spells one value in several cases (SAE, ServiceStage v2 and v3).
    """

    def __init__(self, name, mapping, case_insensitive=False):
        self.name = name
        self.case_insensitive = case_insensitive
        self.mapping = dict((key.upper() if case_insensitive else key, value) for key, value in mapping.items())

    def normalize(self, raw):
        if raw is None:
            return UNKNOWN
        key = str(raw)
        return self.mapping.get(key.upper() if self.case_insensitive else key, UNKNOWN)
