#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: app_operation
short_description: Start, stop, restart, scale or roll back Alibaba Cloud SAE and EDAS applications, and wait for the change orders
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
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform.
    type: str
    required: true
    choices: [sae, edas]
  action:
    description:
      - What to do with the applications. V(scale) and V(rollback) are SAE only.
    type: str
    required: true
    choices: [start, stop, restart, scale, rollback]
  app_ids:
    description:
      - IDs of the applications. One of O(app_ids) and O(app_names) is required.
    type: list
    elements: str
  app_names:
    description:
      - Names of SAE applications in O(namespace_id), resolved to their IDs.
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
      - Instance count, for V(scale).
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
  - paas.ops._attributes
  - paas.ops._attributes.actiongroup_paas
attributes:
  check_mode:
    support: full
    details:
      - Reads the applications (and waits for change orders already running on them), then reports per application
        what would be done and RV(ignore:changed) exactly as a real run would, without sending any action.
  diff_mode:
    support: full
    details:
      - Before and after of each application (or ECC) status, replica count and version.
seealso:
  - module: paas.ops.instance_action
  - module: paas.ops.change_order_info
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
'''

RETURN = r'''
applications:
  description: One entry per application.
  returned: always
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
  returned: always
  type: list
  elements: str
  sample: [be2e1c76-682b-4897-98d3-1d8d64780000]
requests:
  description:
    - The calls that changed something (actions, batch confirmations), each with its C(operation) and the platform's
      C(request_id), to quote to the platform's support.
  returned: always
  type: list
  elements: dict
  sample: [{operation: BatchRestartApplications, request_id: 1E1CF95D-B31D-4B9F-B22A-9D55DFB4C339}]
change_orders:
  description:
    - The change orders as they ended, with O(wait=true).
    - When the task fails because an order failed or waits for confirmation or approval, that order is the last entry.
  returned: always
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
  returned: always
  type: list
  elements: str
  sample: []
'''

from ansible_collections.paas.ops.plugins.module_utils._action import WAIT_ARGSPEC
from ansible_collections.paas.ops.plugins.module_utils._alibaba import SAE_ACTIONS, Edas, Sae, edas_operation, sae_operation
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule


def app_operation(paas):
    params = paas.params
    if params['platform'] == 'sae':
        if params['ecc_ids']:
            raise PaasInputError('ecc_ids are EDAS ECCs; for SAE instances use paas.ops.instance_action')
        result = sae_operation(Sae(paas.connection()), params, paas.check_mode)
    else:
        if params['action'] not in ('start', 'stop', 'restart'):
            raise PaasInputError('EDAS applications can be started, stopped and restarted; %s is SAE only' % params['action'])
        if params['app_names']:
            raise PaasInputError('EDAS applications are given by id (app_ids)')
        result = edas_operation(Edas(paas.connection()), params, paas.check_mode, params['ecc_ids'])
    result.update(platform=params['platform'], action=params['action'])
    if paas.diff_mode:
        entries = result['instances'] if params['platform'] == 'edas' else result['applications']
        result['diff'] = dict(before=dict((e['id'], e['before']) for e in entries), after=dict((e['id'], e['after']) for e in entries))
    return result


def main():
    argument_spec = dict(
        platform=dict(type='str', required=True, choices=['sae', 'edas']),
        action=dict(type='str', required=True, choices=list(SAE_ACTIONS)),
        app_ids=dict(type='list', elements='str'),
        app_names=dict(type='list', elements='str'),
        namespace_id=dict(type='str'),
        ecc_ids=dict(type='list', elements='str'),
        replicas=dict(type='int'),
        min_ready_instances=dict(type='int'),
        min_ready_instance_ratio=dict(type='int'),
        version_id=dict(type='str'),
        auto_confirm_batches=dict(type='bool', default=False),
        **WAIT_ARGSPEC
    )
    paas = PaasModule(argument_spec, mutually_exclusive=[('app_ids', 'app_names')], required_one_of=[('app_ids', 'app_names')],
                      required_if=[('action', 'scale', ['replicas']), ('action', 'rollback', ['version_id'])], supports_check_mode=True)
    paas.run(app_operation)


if __name__ == '__main__':
    main()
