#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: component_action
short_description: Start, stop, restart, scale or roll back a Huawei Cloud ServiceStage component, and wait for its job
version_added: 1.0.0
description:
  - Runs an action on a ServiceStage v3 component (C(POST /v3/{project_id}/cas/applications/{application_id}/components/{component_id}/action))
    declaratively. It reads the component first and acts only when the action is needed, waits for the platform's job and
    reports the component's final state.
  - Once the action was sent the task reports RV(ignore:changed=true), also when its job then fails or runs out of
    O(wait_timeout).
  - V(start) on a running component, V(stop) on a stopped one, V(scale) to the current replica count and V(rollback) to
    the version already deployed change nothing and report RV(ignore:changed=false).
  - V(restart) and V(rollback_current) always act. V(continue_deploy), V(check_gray_release) and V(modify_gray_rule)
    act on a deployment paused between batches and fail, before sending anything, when there is none.
  - If a job is already running on the component, the module waits for it to end before deciding, instead of colliding
    with it, and says so in RV(waited_for_job).
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform. Only Huawei Cloud ServiceStage has components in this sense.
    type: str
    default: servicestage
    choices: [servicestage]
  action:
    description:
      - V(start), V(stop), V(restart) the component.
      - V(scale) to O(replica) instances (with O(hosts) for components deployed on VMs).
      - V(rollback) to O(version), one of the versions in the component's deployment records.
      - V(rollback_current) rolls back to the previous version.
      - V(continue_deploy) resumes a deployment paused between batches; V(check_gray_release) confirms a paused gray
        release and completes it; V(modify_gray_rule) changes the rule of a paused gray release.
    type: str
    required: true
    choices: [start, stop, restart, scale, rollback, rollback_current, continue_deploy, check_gray_release, modify_gray_rule]
  replica:
    description:
      - Number of instances, for O(action=scale); for O(action=modify_gray_rule), passed on as the rule's replica count.
      - A scale takes 0 to 1000 (a sanity bound, as ServiceStage documents no maximum); a count out of range is refused before
        anything is sent.
      - Options that the chosen action does not take (O(replica), O(hosts), O(version)) are ignored with a warning.
    type: int
  hosts:
    description:
      - IDs of the ECS hosts to scale onto, for O(action=scale) of a component deployed on VMs.
    type: list
    elements: str
  version:
    description:
      - The version to roll back to, for O(action=rollback); one of the versions in the component's deployment records.
    type: str
extends_documentation_fragment:
  - paas.ops._servicestage
  - paas.ops._servicestage.component
  - paas.ops._wait
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.app_ids
  - paas.ops._group.app_names
  - paas.ops._group.auto_confirm_batches
  - paas.ops._group.component_names
  - paas.ops._group.min_ready_instance_ratio
  - paas.ops._group.min_ready_instances
  - paas.ops._group.namespace_id
  - paas.ops._group.service_ids
  - paas.ops._attributes
  - paas.ops._attributes.actiongroup_paas
attributes:
  check_mode:
    support: full
    details:
      - Reads the component (and waits for a job already running on it), then reports what would be done and
        RV(ignore:changed) exactly as a real run would, without sending the action.
  diff_mode:
    support: full
    details:
      - Before and after of the component's status, replica count and version.
seealso:
  - module: paas.ops.instance_action
  - module: paas.ops.instance_info
  - module: paas.ops.change_order_info
  - name: ServiceStage component action API
    description: The API this module calls.
    link: https://support.huaweicloud.com/intl/en-us/api-servicestage/servicestage_06_0082.html
'''

EXAMPLES = r'''
- name: Operate ServiceStage components, credentials set once for every paas.ops task
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      huawei_region: cn-north-4
      huawei_access_key: "{{ vault_huawei_ak }}"
      huawei_secret_key: "{{ vault_huawei_sk }}"
  tasks:
    - name: Restart the web component and wait until it runs again
      paas.ops.component_action:
        application_name: mall
        component_name: web
        action: restart
      register: web_restart

    - name: Show how long it took
      ansible.builtin.debug:
        msg: "{{ web_restart.component.raw_state }} after {{ web_restart.elapsed }}s (job {{ web_restart.job_id }})"

    - name: Run three instances of the api component
      paas.ops.component_action:
        application_id: a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01
        component_id: c0a80001-0000-4000-8000-000000000002
        action: scale
        replica: 3

    - name: Roll the worker back to 1.0.3 without waiting for the job
      paas.ops.component_action:
        application_name: mall
        component_name: worker
        action: rollback
        version: 1.0.3
        wait: false

    - name: Stop the search component (nothing happens if it is already stopped)
      paas.ops.component_action:
        application_name: mall
        component_name: search
        action: stop
'''

RETURN = r'''
application_id:
  description: ID of the application.
  returned: always
  type: str
  sample: a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01
component_id:
  description: ID of the component.
  returned: always
  type: str
  sample: c0a80001-0000-4000-8000-000000000001
action:
  description: The action asked for.
  returned: always
  type: str
  sample: restart
reason:
  description: Why the action was, or was not, needed.
  returned: always
  type: str
  sample: already running
job_id:
  description: ID of the job the action started; null when nothing was sent.
  returned: always
  type: str
  sample: JOB5d1e0000-0000-4000-8000-000000000001
job:
  description: The job as it ended; null when nothing was sent or O(wait=false).
  returned: always
  type: dict
  contains:
    id:
      description: Job ID.
      type: str
    status:
      description: Normalized status, one of C(pending), C(running), C(succeeded), C(failed), C(partially_failed), C(aborted),
        C(rolling_back), C(rolled_back), C(unknown).
      type: str
    raw_status:
      description: The platform's C(execution_status), for example C(SUCCEEDED).
      type: str
    type:
      description: The platform's job type.
      type: str
    tasks:
      description: The job's tasks.
      type: list
      elements: dict
      contains:
        name:
          description: Task name.
          type: str
        status:
          description: Normalized task status.
          type: str
        raw_status:
          description: The platform's task status.
          type: str
        messages:
          description: The task's messages (error text of a failed task).
          type: raw
waited_for_job:
  description: ID of a job that was already running on the component and was waited for before deciding; null if none.
  returned: always
  type: str
  sample: null
component:
  description: The component's state after the run (re-read after the job when waiting; as read before otherwise).
  returned: always
  type: dict
  contains:
    id:
      description: Component ID.
      type: str
    name:
      description: Component name.
      type: str
    state:
      description: Normalized state, for example C(running), C(stopped), C(restarting), C(upgrading), C(failed).
      type: str
    raw_state:
      description: The platform's C(component_status), for example C(RUNNING).
      type: str
    replica:
      description: Desired instance count.
      type: int
    available_replica:
      description: Instances available now.
      type: int
    version:
      description: Deployed version.
      type: str
    last_job_id:
      description: The component's last job.
      type: str
before:
  description: Status, replica count and version before the run.
  returned: always
  type: dict
  sample: {"state": "stopped", "raw_state": "STOPPED", "replica": 2, "version": "2.3.1"}
after:
  description: Status, replica count and version after the run (predicted in check mode and with O(wait=false)).
  returned: always
  type: dict
  sample: {"state": "running", "raw_state": "RUNNING", "replica": 2, "version": "2.3.1"}
elapsed:
  description: Seconds spent, waits included.
  returned: when the module waited for its job
  type: float
  sample: 21.4
'''

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._action import REQUIRED_PARAMETERS, WAIT_ARGSPEC
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule
from ansible_collections.paas.ops.plugins.module_utils._servicestage import APPLICATION_ARGSPEC, COMPONENT_ARGSPEC, ID_OR_NAME

KIND = 'component'


def component_action(paas):
    return paas.lifecycle(KIND)


def main():
    argument_spec = dict(
        platform=dict(type='str', default=registry.DEFAULT_PLATFORM, choices=registry.names(kind=KIND)),
        action=dict(type='str', required=True, choices=registry.actions(KIND)),
        replica=dict(type='int'),
        hosts=dict(type='list', elements='str'),
        version=dict(type='str'),
        **APPLICATION_ARGSPEC, **COMPONENT_ARGSPEC, **WAIT_ARGSPEC
    )
    paas = PaasModule(argument_spec, mutually_exclusive=ID_OR_NAME, required_one_of=ID_OR_NAME, required_if=REQUIRED_PARAMETERS,
                      supports_check_mode=True)
    paas.run(component_action)


if __name__ == '__main__':
    main()
