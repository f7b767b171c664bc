#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: instance_action
short_description: Start, stop, restart, scale or roll back application instances, concurrently and idempotently
version_added: 1.0.0
description:
  - Runs an action on one or more instances of an application and waits for the platform's jobs.
  - For O(platform=servicestage) an instance is a Huawei Cloud ServiceStage v2 component instance (a deployment of a
    component into an environment), acted on with
    C(POST /v2/{project_id}/cas/applications/{application_id}/components/{component_id}/instances/{instance_id}/action).
  - For O(platform=sae) an instance is an instance of an SAE application; they can be restarted, all with one change order
    (C(RestartInstances)). For O(platform=edas) an instance is an ECC of an EDAS application, started, stopped or
    restarted with one change order (C(co_start), C(co_stop), C(co_restart) with C(EccInfo)).
  - Each instance is read first and acted on only when needed. V(start) on a running instance, V(stop) on a stopped one,
    V(scale) to its current replica count and V(rollback) to the version it runs change nothing. V(restart) always acts.
  - The instances are handled concurrently, at most O(concurrency) at a time, each on its own; a job already running on
    an instance is waited for before deciding. The task fails if any instance fails, and still reports every instance.
  - An instance whose action was sent reports C(changed=true), and so does the task, also when the job then fails or runs
    out of O(wait_timeout).
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform the instances run on.
    type: str
    default: servicestage
    choices: [servicestage, sae, edas]
  instance_ids:
    description:
      - IDs of the instances to act on (SAE instance IDs, EDAS ECC IDs for those platforms).
    type: list
    elements: str
    required: true
  action:
    description:
      - What to do with each instance.
      - V(scale) sets the instance's replica count to O(replica) (with O(hosts) for VM deployments).
      - V(rollback) deploys O(version) again, one of the instance's snapshots; a wrong version fails before anything is
        sent, listing the valid ones.
      - Per platform, ServiceStage offers V(start), V(stop), V(restart), V(scale), V(rollback); SAE offers
        V(restart); EDAS offers V(start), V(stop), V(restart).
    type: str
    required: true
    choices: [start, stop, restart, scale, rollback]
  replica:
    description:
      - Replica count, for O(action=scale), 0 to 1000 (a sanity bound, as ServiceStage documents no maximum); a count out of
        range is refused before anything is sent.
      - ServiceStage only, like O(hosts), O(version), O(component_id) and O(component_name), and refused when given with another
        O(platform).
      - Options that the chosen action does not take (O(replica), O(hosts), O(version)) are ignored with a warning.
    type: int
  hosts:
    description:
      - IDs of the ECS hosts, for O(action=scale) of a VM deployment.
    type: list
    elements: str
  version:
    description:
      - Version to roll back to, for O(action=rollback).
    type: str
  concurrency:
    description:
      - How many instances are handled at the same time.
    type: int
    default: 4
extends_documentation_fragment:
  - paas.ops._servicestage
  - paas.ops._servicestage.component
  - paas.ops._wait
  - paas.ops._change_order
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.app_ids
  - paas.ops._group.app_names
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
      - Reads every instance (and waits for jobs already running on them), then reports per instance what would be done,
        without sending any action.
  diff_mode:
    support: full
    details:
      - Before and after of each instance's status, replica count and version, keyed by instance ID.
seealso:
  - module: paas.ops.component_action
  - module: paas.ops.instance_info
  - name: ServiceStage v2 component instance action API
    description: The API this module calls for O(platform=servicestage).
    link: https://support.huaweicloud.com/intl/en-us/api-servicestage/servicestage_06_0050.html
'''

EXAMPLES = r'''
- name: Restart component instances, credentials from module_defaults
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      huawei_region: cn-north-4
      huawei_domain_name: my-account
      huawei_user_name: ops
      huawei_password: "{{ vault_huawei_password }}"
  tasks:
    - name: Find the running instances of the web component
      paas.ops.instance_info:
        application_name: mall
        component_name: web
        states: [running]
      register: web

    - name: Restart them, two at a time
      paas.ops.instance_action:
        application_name: mall
        component_name: web
        instance_ids: "{{ web.instances | map(attribute='id') | list }}"
        action: restart
        concurrency: 2
      register: restarted

    - name: Say which were restarted
      ansible.builtin.debug:
        msg: "{{ restarted.instances | selectattr('changed') | map(attribute='id') | list }}"

    - name: Roll one instance back to a snapshot version
      paas.ops.instance_action:
        application_id: a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01
        component_id: c0a80001-0000-4000-8000-000000000001
        instance_ids: [d1a80001-0000-4000-8000-000000000001]
        action: rollback
        version: 1.1.0

- name: Restart unhealthy SAE instances, stop one EDAS ECC
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      alibaba_region_id: cn-hangzhou
      alibaba_access_key_id: "{{ vault_alibaba_ak }}"
      alibaba_access_key_secret: "{{ vault_alibaba_secret }}"
  tasks:
    - name: Find the SAE instances whose health check fails
      paas.ops.instance_info:
        platform: sae
        application_id: 6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01
      register: web

    - name: Restart them with one change order
      paas.ops.instance_action:
        platform: sae
        application_id: 6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01
        instance_ids: "{{ web.instances | selectattr('health', 'equalto', 'unhealthy') | map(attribute='id') | list }}"
        action: restart
      when: web.instances | selectattr('health', 'equalto', 'unhealthy') | list | length > 0

    - name: Stop one ECC of an EDAS application (nothing is sent when it is stopped already)
      paas.ops.instance_action:
        platform: edas
        application_id: 3616cdca-4f92-4413-8c58-0000000000a1
        instance_ids: [e1c2c3c4-0000-4000-8000-000000000001]
        action: stop
'''

RETURN = r'''
instances:
  description: One entry per instance, in the order of O(instance_ids).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Instance ID.
      type: str
    changed:
      description: Whether an action was (or in check mode would be) sent for this instance.
      type: bool
    failed:
      description: Whether this instance failed.
      type: bool
    msg:
      description: Why it failed.
      type: str
      returned: when it failed
    reason:
      description: Why the action was, or was not, needed.
      type: str
    job_id:
      description: The job the action started, or null.
      type: str
    job:
      description: The job as it ended (status, raw_status, tasks with messages), or null.
      type: dict
    waited_for_job:
      description: A job already running on the instance that was waited for first, or null.
      type: str
    before:
      description: Status, replica count and version before.
      type: dict
    after:
      description: Status, replica count and version after (predicted in check mode).
      type: dict
    instance:
      description: The instance's latest state (id, name, state, raw_state, replica, available_replica, version, last_job_id).
      type: dict
  sample:
    - id: d1a80001-0000-4000-8000-000000000001
      changed: true
      failed: false
      reason: restart always acts
      job_id: JOB0001
      job: {id: JOB0001, status: succeeded, raw_status: SUCCEEDED, tasks: []}
      waited_for_job: null
      before: {state: running, raw_state: RUNNING, replica: 3, version: 1.2.0}
      after: {state: running, raw_state: RUNNING, replica: 3, version: 1.2.0}
      instance: {id: d1a80001-0000-4000-8000-000000000001, name: web-production, state: running, raw_state: RUNNING}
change_order_ids:
  description: For SAE and EDAS, the change orders started.
  returned: when O(platform) is V(sae) or V(edas)
  type: list
  elements: str
  sample: [be2e1c76-682b-4897-98d3-1d8d64780000]
requests:
  description:
    - The calls that changed something (actions, batch confirmations), each with its C(operation) and the platform's
      C(request_id), to quote to the platform's support.
  returned: when O(platform) is V(sae) or V(edas)
  type: list
  elements: dict
  sample: [{operation: BatchRestartApplications, request_id: 1E1CF95D-B31D-4B9F-B22A-9D55DFB4C339}]
change_orders:
  description: For SAE and EDAS, the change orders as they ended (id, status, raw_status, pipelines).
  returned: when O(platform) is V(sae) or V(edas)
  type: list
  elements: dict
application_id:
  description: ID of the application.
  returned: always
  type: str
  sample: a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01
component_id:
  description: ID of the component.
  returned: when O(platform=servicestage)
  type: str
  sample: c0a80001-0000-4000-8000-000000000001
action:
  description: The action asked for.
  returned: always
  type: str
  sample: restart
'''

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._action import REQUIRED_PARAMETERS, WAIT_ARGSPEC
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule
from ansible_collections.paas.ops.plugins.module_utils._servicestage import APPLICATION_ARGSPEC, COMPONENT_ARGSPEC, ID_OR_NAME

KIND = 'instance'


def instance_action(paas):
    return paas.lifecycle(KIND, action=paas.params['action'], platform=paas.params['platform'])


def main():
    argument_spec = dict(
        platform=dict(type='str', default=registry.DEFAULT_PLATFORM, choices=registry.names(kind=KIND)),
        instance_ids=dict(type='list', elements='str', required=True),
        action=dict(type='str', required=True, choices=registry.actions(KIND)),
        replica=dict(type='int'),
        hosts=dict(type='list', elements='str'),
        version=dict(type='str'),
        concurrency=dict(type='int', default=4),
        auto_confirm_batches=dict(type='bool', default=False),
        **APPLICATION_ARGSPEC, **COMPONENT_ARGSPEC, **WAIT_ARGSPEC
    )
    paas = PaasModule(argument_spec, mutually_exclusive=ID_OR_NAME, required_if=REQUIRED_PARAMETERS + registry.required_if(KIND), supports_check_mode=True)
    paas.run(instance_action)


if __name__ == '__main__':
    main()
