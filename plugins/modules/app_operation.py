#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: app_operation
short_description: Start, stop, restart, upgrade, scale or roll back SAE, EDAS and Rainbond applications, and wait until done
version_added: 1.0.0
description:
  - Operates whole applications declaratively. Every application is read first and only those not already in the
    wanted state are acted on; when none needs it the module reports RV(ignore:changed=false) and sends nothing.
  - For O(platform=sae), V(start), V(stop) and V(restart) act on all the applications that need it with one change order
    (C(BatchStartApplications), C(BatchStopApplications), C(BatchRestartApplications)); V(scale) (C(RescaleApplication)) and
    V(rollback) (C(RollbackApplication)) act per application. SAE's limit of 60 API calls a minute per user is kept by the
    module itself, so reading and restarting many applications is not throttled.
  - For O(platform=edas), V(start), V(stop) and V(restart) act on the ECCs of each application (all, or O(ecc_ids)) that
    need it, with one change order per application (C(co_start), C(co_stop), C(co_restart)).
  - SAE and EDAS run one change order per application at a time. A change order already running on an application is
    waited for first rather than collided with; the result says so in RV(waited_for_change_orders).
  - V(restart) always acts on running applications and ECCs; it refuses stopped ones (use V(start)).
  - For O(platform=rainbond), V(start), V(stop), V(upgrade) (a rolling update with the current build) and V(deploy)
    (build, then update) act on the components of one application (all, or O(service_ids) / O(component_names)) with
    one call of the console's operations API; V(scale) sets each component's instance count (horizontal scaling).
    V(start) sends only the components not C(running), V(stop) only those not C(closed), V(scale) only those whose count
    differs; V(upgrade) and V(deploy) always act. Rainbond has no restart; V(upgrade) rolls a component's instances.
  - Rainbond answers the operations call with success whatever it did, and silently drops components it rejects. The
    module therefore establishes the outcome from each component, from the event Rainbond created for it and its status
    polled until it reaches the target (C(running), or C(closed) for V(stop)). A component that got no event, ends
    C(abnormal), C(some_abnormal) or C(build_failure), or does not get there within O(wait_timeout) fails the task,
    named with its latest events. A component in a transition (C(starting), C(stopping), C(upgrade), C(building), or an
    event still running) is waited for first rather than collided with.
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform.
    type: str
    required: true
    choices: [sae, edas, rainbond]
  action:
    description:
      - What to do with the applications.
      - Per platform, SAE offers V(start), V(stop), V(restart), V(scale), V(rollback); EDAS offers V(start),
        V(stop), V(restart); Rainbond offers V(start), V(stop), V(scale), V(upgrade), V(deploy).
    type: str
    required: true
    choices: [start, stop, restart, scale, rollback, upgrade, deploy]
  app_ids:
    description:
      - IDs of the applications. One of O(app_ids) and O(app_names) is required.
      - For O(platform=rainbond), exactly one, the integer app ID (the alias O(app_id) reads better there).
    type: list
    elements: str
    aliases: [app_id]
  app_names:
    description:
      - Names of SAE applications in O(namespace_id), or the name of one Rainbond application in O(team_id), resolved to
        their IDs.
    type: list
    elements: str
    aliases: [app_name]
  service_ids:
    description:
      - For O(platform=rainbond), only these components of the application, by service ID or alias. Without it and
        O(component_names), every component of the application.
    type: list
    elements: str
  component_names:
    description:
      - For O(platform=rainbond), only the components with these names (C(service_cname)).
    type: list
    elements: str
  namespace_id:
    description:
      - SAE namespace, for example C(cn-hangzhou:demo). Required for V(start), V(stop) and V(restart) on SAE and with O(app_names).
    type: str
  ecc_ids:
    description:
      - For O(platform=edas), only these ECCs of the (single) application in O(app_ids).
    type: list
    elements: str
  replicas:
    description:
      - Instance count, for V(scale). Rainbond takes 1 to 100 and scales each chosen component to it; SAE takes 0 to 1000 (a
        sanity bound, as SAE documents no maximum). A count out of range is refused before anything is sent.
    type: int
  min_ready_instances:
    description:
      - For SAE V(scale) and V(rollback), the minimum number of instances kept ready during the change.
    type: int
  min_ready_instance_ratio:
    description:
      - For SAE V(scale) and V(rollback), the minimum percentage of instances kept ready during the change.
    type: int
  version_id:
    description:
      - For SAE V(rollback), the version to go back to, one of the IDs C(ListAppVersions) returns; a wrong one fails before
        anything is sent, listing the valid ones.
    type: str
extends_documentation_fragment:
  - paas.ops._wait
  - paas.ops._change_order
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.application_id
  - paas.ops._group.application_name
  - paas.ops._group.component_id
  - paas.ops._group.component_name
  - paas.ops._group.hosts
  - paas.ops._group.replica
  - paas.ops._group.version
  - paas.ops._attributes
  - paas.ops._attributes.actiongroup_paas
attributes:
  check_mode:
    support: full
    details:
      - Reads the applications (and waits for change orders already running on them, or Rainbond components in a
        transition), then reports per application or component what would be done and RV(ignore:changed) exactly as a
        real run would, without sending any action.
  diff_mode:
    support: full
    details:
      - Before and after of each application (or ECC, or Rainbond component) status, replica count and version.
seealso:
  - module: paas.ops.instance_action
  - module: paas.ops.change_order_info
  - name: Rainbond operate application
    description: The Rainbond OpenAPI call that starts, stops, upgrades or deploys an application's components.
    link: https://www.rainbond.com/docs/api/application/operateApp
  - name: SAE BatchRestartApplications
    description: The SAE API for restarting several applications with one change order.
    link: https://help.aliyun.com/zh/sae/developer-reference/api-batchstartapplications
'''

EXAMPLES = r'''
- name: Operate SAE and EDAS applications, credentials set once
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      alibaba_region_id: cn-hangzhou
      alibaba_access_key_id: "{{ vault_alibaba_ak }}"
      alibaba_access_key_secret: "{{ vault_alibaba_secret }}"
  tasks:
    - name: Restart the web and api applications with one change order
      paas.ops.app_operation:
        platform: sae
        namespace_id: "cn-hangzhou:demo"
        app_names: [web, api]
        action: restart
      register: restarted

    - name: Show the change order
      ansible.builtin.debug:
        msg: "{{ restarted.change_order_ids }} {{ restarted.change_orders | map(attribute='status') | list }}"

    - name: Run four instances of the worker, two kept ready meanwhile
      paas.ops.app_operation:
        platform: sae
        app_ids: [6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a03]
        action: scale
        replicas: 4
        min_ready_instances: 2

    - name: Start the stopped ECCs of an EDAS application, confirming manual batches
      paas.ops.app_operation:
        platform: edas
        app_ids: [3616cdca-4f92-4413-8c58-0000000000a1]
        action: start
        auto_confirm_batches: true

- name: Operate a Rainbond application
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      url: https://rainbond.example.com:7070
      token: "{{ vault_rainbond_token }}"
  tasks:
    - name: Start every component of the shop application that is not running
      paas.ops.app_operation:
        platform: rainbond
        team_id: demo-team
        region_name: demo-region
        app_name: shop
        action: start
      register: started

    - name: Roll the web and api components with their current build
      paas.ops.app_operation:
        platform: rainbond
        team_id: demo-team
        region_name: demo-region
        app_id: 1
        component_names: [web, api]
        action: upgrade
        wait_timeout: 900

    - name: Run three instances of the api component
      paas.ops.app_operation:
        platform: rainbond
        team_id: demo-team
        region_name: demo-region
        app_id: 1
        component_names: [api]
        action: scale
        replicas: 3
'''

RETURN = r'''
applications:
  description: One entry per application.
  returned: when O(platform) is V(sae) or V(edas)
  type: list
  elements: dict
  contains:
    id:
      description: Application ID.
      type: str
    changed:
      description: Whether the application was (or in check mode would be) acted on.
      type: bool
    reason:
      description: Why it was, or was not (SAE).
      type: str
    before:
      description: Status, replica count and version before (SAE).
      type: dict
    after:
      description: Status, replica count and version after (predicted in check mode) (SAE).
      type: dict
    ecc_ids:
      description: The ECCs acted on (EDAS).
      type: list
      elements: str
instances:
  description: For EDAS, one entry per ECC considered, with C(id), C(changed), C(reason), C(before) and C(after).
  returned: when O(platform=edas)
  type: list
  elements: dict
change_order_ids:
  description: IDs of the change orders the module started (none when nothing was needed or in check mode).
  returned: when O(platform) is V(sae) or V(edas)
  type: list
  elements: str
  sample: [be2e1c76-682b-4897-98d3-1d8d64780000]
requests:
  description:
    - The calls that changed something (actions, batch confirmations, Rainbond operations and scaling), each with its
      C(operation) and the platform's C(request_id), to quote to the platform's support.
  returned: always
  type: list
  elements: dict
  sample: [{operation: BatchRestartApplications, request_id: 1E1CF95D-B31D-4B9F-B22A-9D55DFB4C339}]
change_orders:
  description:
    - The change orders as they ended, with O(wait=true).
    - When the task fails because an order failed or waits for confirmation or approval, that order is the last entry.
  returned: when O(platform) is V(sae) or V(edas)
  type: list
  elements: dict
  contains:
    id:
      description: Change order ID.
      type: str
    status:
      description: Normalized status (C(succeeded), C(failed), C(aborted), C(partially_failed), C(waiting_confirmation), ...).
      type: str
    raw_status:
      description: The platform's status number.
      type: int
    sub_status:
      description: SAE C(SubStatus); C(1) (a failed batch awaiting manual rollback) counts as failed.
      type: int
    type:
      description: The change order type, for example SAE C(CoRestartApplication).
      type: str
    pipelines:
      description:
        - The batches, with their normalized and raw status.
        - For a failed order, each started batch's C(tasks) with their C(status), C(message) and C(error_message); EDAS
          orders always carry their tasks.
      type: list
      elements: dict
    terminal:
      description: Whether the order has ended.
      type: bool
    confirmed_batches:
      description: Pipelines confirmed because of O(auto_confirm_batches).
      type: list
      elements: str
waited_for_change_orders:
  description: Change orders already running that were waited for before deciding.
  returned: when O(platform) is V(sae) or V(edas)
  type: list
  elements: str
  sample: []
app_id:
  description: The Rainbond application's ID.
  returned: when O(platform=rainbond)
  type: str
  sample: '1'
components:
  description: For O(platform=rainbond), one entry per component considered.
  returned: when O(platform=rainbond)
  type: list
  elements: dict
  contains:
    id:
      description: Service ID of the component.
      type: str
    name:
      description: Component name (C(service_cname)).
      type: str
    alias:
      description: Component alias (C(service_alias)).
      type: str
    changed:
      description: Whether it was (or in check mode would be) acted on.
      type: bool
    reason:
      description: Why it was, or was not.
      type: str
    failed:
      description: Whether it failed (dropped, ended abnormal, or not done within O(wait_timeout)).
      type: bool
    dropped:
      description: Whether Rainbond accepted the call but started no event for the component.
      type: bool
    before:
      description: Normalized C(state), C(raw_state) (the Rainbond status), C(replica) and C(version) before.
      type: dict
    after:
      description: The same after (predicted in check mode or with O(wait=false)).
      type: dict
    event:
      description:
        - The event Rainbond started for this operation, as last read, with C(id), C(type) (C(opt_type), for example
          C(upgrade-service)), normalized C(status), C(raw_status) (C(final_status)), C(result) (C(success) or
          C(failure)) and C(message). None when nothing was sent.
      type: dict
    events:
      description: For a failed component, its latest events, newest first.
      type: list
      elements: dict
      returned: on failure
    component:
      description: The component as last read (C(id), C(name), C(alias), C(state), C(raw_state), C(replica), C(version),
        C(deploy_version), C(memory) in MB, C(cpu) in millicores).
      type: dict
  sample:
    - {id: 3f6d1e2a9b8c4d7e8f0a1b2c3d4e5f60, name: web, alias: gr1a2b3c, changed: true, failed: false, dropped: false,
       reason: upgrade always acts, before: {state: running, raw_state: running, replica: 2, version: latest},
       after: {state: running, raw_state: running, replica: 2, version: latest},
       event: {id: 0f2d0c4b6a8e4d1fb3c5a7e9d1b3f5a7, type: upgrade-service, status: succeeded, raw_status: complete,
               result: success, message: null}}
waited_for_components:
  description: Rainbond components that were in a transition (or had an event running) and were waited for first.
  returned: when O(platform=rainbond)
  type: list
  elements: str
  sample: []
'''

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._action import WAIT_ARGSPEC
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule

KIND = 'application'


def app_operation(paas):
    paas.platform.check_action(KIND, paas.params['action'], paas.params)
    return paas.lifecycle(KIND, platform=paas.params['platform'], action=paas.params['action'])


def main():
    argument_spec = dict(
        platform=dict(type='str', required=True, choices=registry.names(kind=KIND)),
        action=dict(type='str', required=True, choices=registry.actions(KIND)),
        app_ids=dict(type='list', elements='str', aliases=['app_id']),
        app_names=dict(type='list', elements='str', aliases=['app_name']),
        namespace_id=dict(type='str'),
        ecc_ids=dict(type='list', elements='str'),
        service_ids=dict(type='list', elements='str'),
        component_names=dict(type='list', elements='str'),
        replicas=dict(type='int'),
        min_ready_instances=dict(type='int'),
        min_ready_instance_ratio=dict(type='int'),
        version_id=dict(type='str'),
        auto_confirm_batches=dict(type='bool', default=False),
        **WAIT_ARGSPEC
    )
    # replicas is an option of the platforms whose applications scale here (not EDAS).
    paas = PaasModule(argument_spec, platform_options={'replicas': tuple(registry.names(kind=KIND, action='scale'))},
                      mutually_exclusive=[('app_ids', 'app_names')], required_one_of=[('app_ids', 'app_names')],
                      required_if=[('action', 'scale', ['replicas']), ('action', 'rollback', ['version_id'])], supports_check_mode=True)
    paas.run(app_operation)


if __name__ == '__main__':
    main()
