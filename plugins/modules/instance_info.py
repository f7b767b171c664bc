#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: instance_info
short_description: List the components or instances of an application with their normalized state
version_added: 1.0.0
description:
  - Lists the targets of lifecycle actions in one application, each with a normalized state (C(running), C(stopped),
    C(restarting), ...) beside the platform's raw one, replica counts, version and last job.
  - For O(platform=servicestage), without a component it lists the application's v3 components; with O(component_id)
    or O(component_name) it lists that component's v2 instances.
  - For O(platform=sae) it lists the application's instances (over all its groups), for O(platform=edas) the
    application's ECCs with their C(AppState).
  - For O(platform=sae) with O(namespace_id) and no O(application_id), it lists the namespace's applications (kind
    C(application)), their state from the instance counts the C(ListApplications) pages give (no call per application).
  - For O(platform=rainbond) it lists the application's components with their status, replica count (C(min_node)),
    version, memory and CPU. Rainbond's OpenAPI has no per-instance list.
  - Every list is read to its end, one call per page and each page once (ServiceStage 100 items a page, SAE 1,000
    applications or instances a page), so no target is left out past the first page (ServiceStage answers at most
    1,000 items to a list call that does not page). A list that cannot be read to its end (a page that only repeats
    earlier items, pages that stop short of the platform's own count) fails the task. This is what a rolling restart
    builds its batches from.
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform.
    type: str
    default: servicestage
    choices: [servicestage, sae, edas, rainbond]
  component_id:
    description:
      - List the v2 instances of this component instead of the application's components.
    type: str
  component_name:
    description:
      - Like O(component_id), by name.
    type: str
  name:
    description:
      - Only targets whose name matches this shell-style pattern, for example C(web*).
    type: str
  namespace_id:
    description:
      - For O(platform=sae) without O(application_id), list the applications of this namespace.
    type: str
  restart_times:
    description:
      - Also find each target's last restart (RV(instances[].restarted_at)) where the list does not carry it. Rainbond, one
        events call per component; EDAS, one change-order list call, then one call per restart, deploy or rollback order
        read (newest first, only until every ECC has its time). SAE instances and ServiceStage targets always have it.
    type: bool
    default: false
  states:
    description:
      - Only targets in one of these normalized states.
    type: list
    elements: str
    choices: [running, stopped, starting, stopping, restarting, upgrading, building, degraded, failed, pending, deleting, deleted,
              not_deployed, completed, paused, unknown]
extends_documentation_fragment:
  - paas.ops._servicestage
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.action
  - paas.ops._group.app_ids
  - paas.ops._group.app_names
  - paas.ops._group.auto_confirm_batches
  - paas.ops._group.component_names
  - paas.ops._group.hosts
  - paas.ops._group.min_ready_instance_ratio
  - paas.ops._group.min_ready_instances
  - paas.ops._group.replica
  - paas.ops._group.service_ids
  - paas.ops._group.version
  - paas.ops._group.wait
  - paas.ops._group.wait_timeout
  - paas.ops._attributes
  - paas.ops._attributes.info_module
  - paas.ops._attributes.actiongroup_paas
seealso:
  - module: paas.ops.component_action
  - module: paas.ops.instance_action
'''

EXAMPLES = r'''
- name: Inspect an application, credentials set once
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      huawei_region: cn-north-4
      huawei_access_key: "{{ vault_huawei_ak }}"
      huawei_secret_key: "{{ vault_huawei_sk }}"
  tasks:
    - name: List the components of the mall application that are not running
      paas.ops.instance_info:
        application_name: mall
        states: [stopped, failed, degraded]
      register: not_running

    - name: Name them
      ansible.builtin.debug:
        msg: "{{ not_running.instances | map(attribute='name') | list }}"

    - name: List the instances of the web component
      paas.ops.instance_info:
        application_name: mall
        component_name: web
      register: web_instances

- name: SAE instances and EDAS ECCs
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      alibaba_region_id: cn-hangzhou
      alibaba_access_key_id: "{{ vault_alibaba_ak }}"
      alibaba_access_key_secret: "{{ vault_alibaba_secret }}"
  tasks:
    - name: Every instance of an SAE application, over all its groups
      paas.ops.instance_info:
        platform: sae
        application_id: 6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01
      register: sae_instances

    - name: Their IPs and health
      ansible.builtin.debug:
        msg: "{{ sae_instances.instances | map(attribute='ip') | zip(sae_instances.instances | map(attribute='health')) | list }}"

    - name: The stopped ECCs of an EDAS application
      paas.ops.instance_info:
        platform: edas
        application_id: 3616cdca-4f92-4413-8c58-0000000000a1
        states: [stopped]

- name: Rainbond components
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The components of the shop application that are not running
      paas.ops.instance_info:
        platform: rainbond
        url: https://rainbond.example.com:7070
        token: "{{ vault_rainbond_token }}"
        team_id: demo-team
        region_name: demo-region
        application_name: shop
        states: [stopped, failed, degraded, starting]
'''

RETURN = r'''
instances:
  description: The components (v3) or component instances (v2), in the platform's order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ID of the component or instance.
      type: str
    name:
      description: Its name.
      type: str
    kind:
      description: C(component) or C(instance) (ServiceStage), C(instance) or C(application) (SAE), C(ecc) (EDAS), C(component) (Rainbond).
      type: str
    state:
      description: Normalized state.
      type: str
    raw_state:
      description:
        - The platform's status (ServiceStage C(component_status) or C(status_detail.status), SAE C(InstanceContainerStatus), EDAS
          C(AppState), Rainbond component C(status), for example C(running), C(closed), C(abnormal) or C(upgrade)).
      type: str
    health:
      description:
        - Normalized health, C(healthy), C(unhealthy), C(not_checked) (no health check configured) or C(unknown) (SAE, EDAS);
          null for ServiceStage.
      type: str
    raw_health:
      description: The platform's health, SAE C(InstanceHealthStatus) (for example C(ReadinessUnhealthy)) or EDAS C(AppState).
      type: raw
    replica:
      description: Desired replica count.
      type: int
    available_replica:
      description: Replicas available now.
      type: int
    version:
      description: Deployed version.
      type: str
    last_job_id:
      description: The last job on it.
      type: str
    application_id:
      description: ID of the application.
      type: str
    component_id:
      description: ID of the component, for instances.
      type: str
    group_id:
      description: The SAE group or EDAS deploy group the instance belongs to.
      type: str
    ip:
      description: The instance's IP address (SAE, EDAS).
      type: str
    address:
      description:
        - ServiceStage, the address of the component's (or v2 instance's) first external access, as listed; null without
          one.
      type: str
    task_state:
      description: EDAS C(TaskState) of the latest task on the ECC, C(0) unknown, C(1) processing, C(2) success, C(3) failed.
      type: int
    alias:
      description: Rainbond component alias (C(service_alias)), accepted wherever a service ID is.
      type: str
    deploy_version:
      description: Rainbond build version the component deploys.
      type: str
    memory:
      description: Rainbond memory per instance, in MB (C(min_memory)).
      type: int
    cpu:
      description: Rainbond CPU per instance, in millicores (C(min_cpu), 1000 is one core).
      type: int
    restarted_at:
      description:
        - Epoch seconds of the target's last restart as the platform says it (SAE instance C(CreateTimeStamp),
          ServiceStage C(update_time); with O(restart_times) the end of the newest successful Rainbond upgrade event, and
          the finish of the EDAS ECC's step in its newest restart, deploy or rollback change order); null where the
          platform does not report it (SAE applications, EDAS ECCs without O(restart_times) or never restarted by a
          change order EDAS still lists).
      type: float
  sample:
    - {id: c0a80001-0000-4000-8000-000000000001, name: web, kind: component, state: running, raw_state: RUNNING, replica: 3,
       available_replica: 3, version: 1.2.0, last_job_id: null, application_id: a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01}
count:
  description: Number of entries in RV(instances).
  returned: always
  type: int
  sample: 6
application_id:
  description: ID of the application.
  returned: always
  type: str
  sample: a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01
'''

import fnmatch

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule
from ansible_collections.paas.ops.plugins.module_utils._servicestage import APPLICATION_ARGSPEC, COMPONENT_ARGSPEC, ID_OR_NAME
from ansible_collections.paas.ops.plugins.module_utils._states import TARGET_STATES

FIELDS = ('id', 'name', 'kind', 'state', 'raw_state', 'health', 'raw_health', 'replica', 'available_replica', 'version', 'last_job_id',
          'application_id', 'component_id', 'group_id', 'ip', 'address', 'task_state', 'alias', 'deploy_version', 'memory', 'cpu', 'restarted_at')


def instance_info(paas):
    params = paas.params
    fleet = paas.platform.fleet(paas.connection(), params)
    return listing(params, fleet.application_id, fleet.targets(times_for=True if params['restart_times'] else None))


def listing(params, application_id, views):
    if params['name']:
        views = [view for view in views if fnmatch.fnmatchcase(view['name'] or '', params['name'])]
    if params['states']:
        views = [view for view in views if view['state'] in params['states']]
    instances = [dict((key, view.get(key)) for key in FIELDS) for view in views]
    return dict(changed=False, application_id=application_id, instances=instances, count=len(instances))


def main():
    argument_spec = dict(
        platform=dict(type='str', default=registry.DEFAULT_PLATFORM, choices=list(registry.PLATFORMS)),
        name=dict(type='str'),
        states=dict(type='list', elements='str', choices=list(TARGET_STATES)),
        namespace_id=dict(type='str'),
        restart_times=dict(type='bool', default=False),
        **APPLICATION_ARGSPEC, **COMPONENT_ARGSPEC
    )
    paas = PaasModule(argument_spec, mutually_exclusive=ID_OR_NAME, supports_check_mode=True)
    paas.run(instance_info)


if __name__ == '__main__':
    main()
