#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: change_order_info
short_description: Read a platform job or change order, or an application's latest change orders, optionally waiting
version_added: 1.0.0
description:
  - Reads one asynchronous job of a PaaS platform and returns its normalized and raw status and its tasks with their
    messages. It never changes anything.
  - For O(platform=servicestage) this is a ServiceStage v3 job (C(GET /v3/{project_id}/cas/jobs/{job_id})) or, with
    O(servicestage_api=v2), a v2 job (C(GET /v2/{project_id}/cas/jobs/{job_id})), such as the ones
    M(paas.ops.component_action) and M(paas.ops.instance_action) start.
  - For O(platform=sae) it is an SAE change order (C(DescribeChangeOrder), and C(DescribePipeline) for the tasks of each
    batch that has started), for O(platform=edas) an EDAS change order (C(GetChangeOrderInfo)), such as the ones
    M(paas.ops.app_operation) starts, with their batches (pipelines), tasks and error messages.
  - For SAE and EDAS, O(application_id) instead of O(job_id) lists the application's latest change orders
    (C(ListChangeOrders), C(ListRecentChangeOrder)), newest first, in RV(change_orders).
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
      - ID of the job or change order. One of O(job_id) and O(application_id) is required.
    type: str
    aliases: [change_order_id]
  application_id:
    description:
      - For O(platform=sae) and O(platform=edas), list the latest change orders of this application instead of reading one.
    type: str
  limit:
    description:
      - How many of the application's latest change orders to list, with O(application_id).
    type: int
    default: 10
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
      - With O(application_id), wait for the newest change order of the application.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait_for_completion). On timeout the task fails and reports the last status seen.
      - At least 1, with or without O(wait_for_completion), as in every module; a smaller value is refused before anything
        is sent.
    type: int
    default: 600
extends_documentation_fragment:
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.action
  - paas.ops._group.app_ids
  - paas.ops._group.app_names
  - paas.ops._group.application_name
  - paas.ops._group.auto_confirm_batches
  - paas.ops._group.component_id
  - paas.ops._group.component_name
  - paas.ops._group.component_names
  - paas.ops._group.hosts
  - paas.ops._group.min_ready_instance_ratio
  - paas.ops._group.min_ready_instances
  - paas.ops._group.namespace_id
  - paas.ops._group.replica
  - paas.ops._group.service_ids
  - paas.ops._group.version
  - paas.ops._group.wait
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

- name: Look at SAE and EDAS change orders
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      alibaba_region_id: cn-hangzhou
      alibaba_access_key_id: "{{ vault_alibaba_ak }}"
      alibaba_access_key_secret: "{{ vault_alibaba_secret }}"
  tasks:
    - name: The five latest change orders of an SAE application
      paas.ops.change_order_info:
        platform: sae
        application_id: 6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01
        limit: 5
      register: recent

    - name: Wait for the newest one, then show the failed tasks of each batch
      paas.ops.change_order_info:
        platform: sae
        change_order_id: "{{ recent.change_orders[0].id }}"
        wait_for_completion: true
      register: newest_order

    - name: Show what failed
      ansible.builtin.debug:
        msg: "{{ newest_order.change_order.pipelines | map(attribute='tasks') | flatten | selectattr('status', 'equalto', 'failed') | list }}"

    - name: An EDAS change order, batches and per-instance messages included
      paas.ops.change_order_info:
        platform: edas
        change_order_id: 5bfa2a2a-0c9b-4cd6-8f2a-9c1e4c3c2a11
'''

RETURN = r'''
change_order:
  description: The job.
  returned: when O(job_id) is given
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
      description: The platform's status, for example ServiceStage C(execution_status) C(SUCCEEDED), or an SAE / EDAS status int such as C(2).
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
      description: The job's tasks, with normalized and raw status and messages (ServiceStage).
      type: list
      elements: dict
      sample: [{name: restart, type: restart, status: succeeded, raw_status: SUCCEEDED, messages: null}]
    sub_status:
      description: SAE C(SubStatus); C(1) (a failed batch awaiting manual rollback) makes RV(change_order.status) C(failed).
      type: int
      sample: 0
    batch_count:
      description: Number of batches (SAE, EDAS).
      type: int
      sample: 2
    batch_type:
      description: How batches follow each other, for example SAE C(auto) / C(manual), EDAS C(Automatic) / C(Manual).
      type: str
      sample: auto
    message:
      description: The order's own error message (SAE C(ErrorMessage), EDAS C(Desc)), if any.
      type: str
      sample: null
    pipelines:
      description:
        - The batches of an SAE or EDAS change order, in order, each with its tasks (SAE tasks only for batches that have started).
        - A task has C(name), C(status) (normalized), C(raw_status), C(message), C(error_code) and C(error_message).
      type: list
      elements: dict
      sample: [{id: 3a028e98-36f0-4ac8-8eae-6da55f75e1a9, name: Batch 1, status: succeeded, raw_status: 2,
                tasks: [{name: Restart web-7d9f8c6b5-2xk8p, status: succeeded, raw_status: 2, message: succeeded,
                         error_code: null, error_message: null}]}]
change_orders:
  description: The latest change orders of O(application_id), newest first (SAE, EDAS).
  returned: when O(application_id) is given
  type: list
  elements: dict
  sample: [{id: 8116d5b1-eab4-4b78-a7d4-7b37bb0bdd7b, platform: sae, application_id: 6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01,
            status: succeeded, raw_status: 2, type: CoRestartApplication, description: Restart application,
            created: "2026-11-22 11:06:33", finished: "2026-11-22 11:06:36", batch_count: 2, batch_type: auto, source: pop}]
elapsed:
  description: Seconds spent waiting, with O(wait_for_completion).
  returned: when O(wait_for_completion=true)
  type: float
  sample: 12.5
'''

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_for_job_end


def change_order_info(paas):
    params = paas.params
    api = paas.platform.api(paas.connection())
    latest = None
    if paas.platform.change_orders:
        if params['limit'] < 1:
            raise PaasInputError('limit must be 1 or more, got %d' % params['limit'])
        if params['application_id']:
            latest = api.change_orders(params['application_id'], params['limit'])
            if not params['wait_for_completion'] or not latest:
                return dict(changed=False, change_orders=latest)
            params['job_id'] = latest[0]['id']

    def read():
        return api.read_job(params['job_id'], params)

    result = dict(changed=False)
    if params['wait_for_completion']:
        outcome = wait_for_job_end(read, params['wait_timeout'], 'job %s to end' % params['job_id'], interval=0.5)
        job, result['elapsed'] = outcome.value, round(outcome.elapsed, 3)
    else:
        job = read()
    job = api.job_result(job)
    if latest:
        result['change_orders'] = [job] + latest[1:]
    job['terminal'] = job['status'] in states.JOB_TERMINAL
    result['change_order'] = job
    return result


def main():
    paas = PaasModule(
        argument_spec=dict(
            platform=dict(type='str', default=registry.DEFAULT_PLATFORM, choices=registry.names(jobs=True)),
            job_id=dict(type='str', aliases=['change_order_id']),
            application_id=dict(type='str'),
            limit=dict(type='int', default=10),
            servicestage_api=dict(type='str', default='v3', choices=['v3', 'v2']),
            wait_for_completion=dict(type='bool', default=False),
            wait_timeout=dict(type='int', default=600),
        ),
        # Here application_id lists change orders, which only SAE and EDAS have.
        platform_options=dict((option, tuple(registry.names(change_orders=True))) for option in ('application_id', 'limit')),
        mutually_exclusive=[('job_id', 'application_id')],
        required_one_of=[('job_id', 'application_id')],
        supports_check_mode=True,
    )
    paas.run(change_order_info)


if __name__ == '__main__':
    main()
