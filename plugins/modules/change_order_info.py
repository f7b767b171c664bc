#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: change_order_info
short_description: Read a platform job or change order, optionally waiting until it ends
version_added: 1.0.0
description:
  - Reads one asynchronous job of a PaaS platform and returns its normalized and raw status and its tasks with their
    messages. It never changes anything.
  - For O(platform=servicestage) this is a ServiceStage v3 job (C(GET /v3/{project_id}/cas/jobs/{job_id})) or, with
    O(servicestage_api=v2), a v2 job (C(GET /v2/{project_id}/cas/jobs/{job_id})), such as the ones
    M(paas.ops.component_action) and M(paas.ops.instance_action) start.
  - For O(platform=sae) it is an SAE change order (C(DescribeChangeOrder)), for O(platform=edas) an EDAS change order
    (C(GetChangeOrderInfo)), such as the ones M(paas.ops.app_operation) starts, with their batches (pipelines).
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform that runs the job.
    type: str
    default: servicestage
    choices: [servicestage, sae, edas]
  job_id:
    description:
      - ID of the job or change order.
    type: str
    required: true
    aliases: [change_order_id]
  servicestage_api:
    description:
      - Which ServiceStage API the job belongs to. V3 component actions start v3 jobs, v2 instance actions v2 jobs.
    type: str
    default: v3
    choices: [v3, v2]
  wait_for_completion:
    description:
      - Poll the job until it ends (succeeded, failed, aborted, rolled back) or waits for a person, then return it.
      - The module does not fail when the job failed; inspect RV(change_order.status).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait_for_completion). On timeout the task fails and reports the last status seen.
    type: int
    default: 600
extends_documentation_fragment:
  - paas.ops._connection
  - paas.ops._huawei
  - paas.ops._alibaba
  - paas.ops._rainbond
  - paas.ops._attributes
  - paas.ops._attributes.info_module
  - paas.ops._attributes.actiongroup_paas
seealso:
  - module: paas.ops.component_action
  - module: paas.ops.instance_action
'''

EXAMPLES = r'''
- name: Follow a component action that was started without waiting
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      huawei_region: cn-north-4
      huawei_access_key: "{{ vault_huawei_ak }}"
      huawei_secret_key: "{{ vault_huawei_sk }}"
  tasks:
    - name: Start a rollback and return at once
      paas.ops.component_action:
        application_name: mall
        component_name: worker
        action: rollback_current
        wait: false
      register: rollback

    - name: Wait for its job up to ten minutes
      paas.ops.change_order_info:
        job_id: "{{ rollback.job_id }}"
        wait_for_completion: true
      register: rollback_job

    - name: Fail with the task messages when it did not succeed
      ansible.builtin.assert:
        that: rollback_job.change_order.status == 'succeeded'
        fail_msg: "{{ rollback_job.change_order.tasks | map(attribute='messages') | list }}"
'''

RETURN = r'''
change_order:
  description: The job.
  returned: always
  type: dict
  contains:
    id:
      description: Job ID.
      type: str
      sample: JOB5d1e0000-0000-4000-8000-000000000001
    status:
      description:
        - Normalized status, one of C(pending), C(running), C(succeeded), C(failed), C(partially_failed), C(aborted),
          C(rolling_back), C(rolled_back), C(waiting_confirmation), C(waiting_approval), C(unknown).
      type: str
      sample: succeeded
    raw_status:
      description: The platform's status, for example ServiceStage C(execution_status) C(SUCCEEDED).
      type: str
      sample: SUCCEEDED
    type:
      description: The platform's job type, for example C(DAILY_OPERATION).
      type: str
      sample: DAILY_OPERATION
    terminal:
      description: Whether the job has ended.
      type: bool
      sample: true
    tasks:
      description: The job's tasks, with normalized and raw status and messages.
      type: list
      elements: dict
      sample: [{name: restart, type: restart, status: succeeded, raw_status: SUCCEEDED, messages: null}]
elapsed:
  description: Seconds spent waiting, with O(wait_for_completion).
  returned: when O(wait_for_completion=true)
  type: float
  sample: 12.5
'''

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._alibaba import Edas, Sae, public_order
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule
from ansible_collections.paas.ops.plugins.module_utils._servicestage import ServiceStage
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_for_job_end


def change_order_info(paas):
    params = paas.params
    if params['platform'] == 'servicestage':
        api = ServiceStage(paas.connection())

        def read():
            return api.job(params['job_id'], params['servicestage_api'])
    else:
        orders = Sae(paas.connection()) if params['platform'] == 'sae' else Edas(paas.connection())

        def read():
            return public_order(orders.change_order(params['job_id']))

    result = dict(changed=False)
    if params['wait_for_completion']:
        outcome = wait_for_job_end(read, params['wait_timeout'], 'job %s to end' % params['job_id'], interval=0.5)
        job, result['elapsed'] = outcome.value, round(outcome.elapsed, 3)
    else:
        job = read()
    job['terminal'] = job['status'] in states.JOB_TERMINAL
    result['change_order'] = job
    return result


def main():
    paas = PaasModule(
        argument_spec=dict(
            platform=dict(type='str', default='servicestage', choices=['servicestage', 'sae', 'edas']),
            job_id=dict(type='str', required=True, aliases=['change_order_id']),
            servicestage_api=dict(type='str', default='v3', choices=['v3', 'v2']),
            wait_for_completion=dict(type='bool', default=False),
            wait_timeout=dict(type='int', default=600),
        ),
        supports_check_mode=True,
    )
    paas.run(change_order_info)


if __name__ == '__main__':
    main()
