#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: batch_restart
short_description: Restart one batch of instances, components or applications together and wait until they are back
version_added: 1.0.0
description:
  - Restarts the given targets of one application (or, for SAE, of one namespace) at the same time with the platform's
    own operation, waits inside the module until each is done, and reports every target. It is the step the
    P(paas.ops.rolling_restart#role) role runs for each batch; it can be used on its own.
  - "Targets per platform: ServiceStage v3 components of an application, or the v2 instances of one component (each its
    own job, all at once); SAE instances of an application (one C(RestartInstances) change order) or SAE applications of
    a namespace (one C(BatchRestartApplications) order); EDAS ECCs of an application (one change order); Rainbond
    components of an application (one C(upgrade), Rainbond having no restart)."
  - A target someone else is restarting already is waited for and not restarted a second time. With
    O(restarted_after), a target whose last restart came after that moment is skipped, so a rolling restart that stopped
    half way continues where it stopped.
  - With O(max_unavailable), no more targets of the fleet are down at once than that, counting those already down; the
    module waits for room within O(batch_timeout), and fails before restarting anything when there is none.
  - With O(health_gate), every restarted target must be running, and healthy where the platform reports health, before
    O(batch_timeout) runs out.
  - The task fails when any target failed; the result still lists every target with its outcome.
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform.
    type: str
    required: true
    choices: [servicestage, sae, edas, rainbond]
  targets:
    description:
      - IDs of the targets to restart (instance, component, ECC or application IDs; Rainbond service IDs).
    type: list
    elements: str
    required: true
  application_id:
    description:
      - The application the targets belong to (ServiceStage, SAE instances, EDAS, Rainbond).
    type: str
  application_name:
    description:
      - The application by name (ServiceStage, Rainbond).
    type: str
  component_id:
    description:
      - For ServiceStage, restart the v2 instances of this component instead of the application's v3 components.
    type: str
  component_name:
    description:
      - Like O(component_id), by name.
    type: str
  namespace_id:
    description:
      - For SAE without O(application_id), the targets are applications of this namespace.
    type: str
  max_unavailable:
    description:
      - How many targets of the fleet may be down at once, this batch included. Unlimited when not set.
    type: int
  restarted_after:
    description:
      - Epoch seconds. A target whose last restart, as the platform reports it, came after this moment is skipped.
      - EDAS ECCs' restart times are read from the application's change orders (one list call, then the restart orders
        needed). Where the platform reports no restart time (SAE applications), nothing is skipped for it.
    type: float
  health_gate:
    description:
      - Wait until every restarted target is running and healthy (where the platform reports health).
    type: bool
    default: true
  batch_timeout:
    description:
      - Seconds for the whole batch, waiting for room, the restart and the health gate. At least 1; a smaller value is
        refused before anything is sent.
    type: int
    default: 600
  auto_confirm_batches:
    description:
      - Confirm the platform's own batches of a change order that waits for manual confirmation (SAE, EDAS); the
        rolling restart is the batching.
    type: bool
    default: true
  abort_on_failure:
    description:
      - When a target of an SAE or EDAS batch fails, abort the batch's change order if it still runs (SAE rolls back what it
        changed).
    type: bool
    default: false
  include_stopped:
    description:
      - A stopped target is left as it is (skipped) unless this is true; then it is started, with the platform's start
        action, before the batch's other targets are restarted. Starting takes nothing down, so a batch of stopped targets
        alone needs no room under O(max_unavailable).
      - SAE instances cannot be started one by one (start the application with M(paas.ops.app_operation)).
      - A target that was never deployed is always skipped.
    type: bool
    default: false
  allow_empty:
    description:
      - An empty O(targets) list fails the task (it is usually a selection gone wrong) unless this is true; then the task
        succeeds, changing nothing.
    type: bool
    default: false
extends_documentation_fragment:
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.action
  - paas.ops._group.app_ids
  - paas.ops._group.app_names
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
  - paas.ops._attributes.actiongroup_paas
attributes:
  check_mode:
    support: full
    details:
      - Reads the fleet and reports which targets would be restarted and which skipped, without restarting or waiting.
  diff_mode:
    support: full
    details:
      - Per target, its C(state), C(raw_state), C(health) and C(restarted_at) before and after (in check mode, a target that
        would be restarted is shown running, restarted now).
seealso:
  - module: paas.ops.instance_info
  - module: paas.ops.instance_action
'''

EXAMPLES = r'''
- name: Restart three SAE instances together, never more than three of the application down
  paas.ops.batch_restart:
    platform: sae
    application_id: 6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01
    targets: [web-7d9f8c6b5-2xk8p, web-7d9f8c6b5-4jq7m, web-7d9f8c6b5-6hn2v]
    max_unavailable: 3
    batch_timeout: 900
  register: batch

- name: Roll two Rainbond components, skipping any restarted since the run began
  paas.ops.batch_restart:
    platform: rainbond
    url: https://rainbond.example.com:7070
    token: "{{ vault_rainbond_token }}"
    team_id: demo-team
    region_name: demo-region
    application_name: shop
    targets: [3f6d1e2a9b8c4d7e8f0a1b2c3d4e5f60, 7c2e9a1b4d5f4e6a8b9c0d1e2f3a4b5c]
    restarted_after: "{{ rollout_started }}"
'''

RETURN = r'''
targets:
  description: One entry per target, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Target ID.
      type: str
    name:
      description: Target name.
      type: str
    outcome:
      description:
        - C(restarted), C(failed), C(skipped) (in check mode, C(restarted) means it would be), or C(untouched) (its SAE or
          EDAS change order ended before reaching it, so nothing happened to it).
        - A failed SAE or EDAS change order is blamed on each target for its own part, as the order's per-instance details
          tell it; a target they do not name fails with the order.
      type: str
    msg:
      description: Why it failed or was skipped; for a stopped target started because of O(include_stopped), that it was.
      type: str
    before:
      description: C(state), C(raw_state), C(health) and C(restarted_at) before.
      type: dict
    after:
      description: The same after the batch (not in check mode).
      type: dict
  sample:
    - {id: web-7d9f8c6b5-2xk8p, name: web-7d9f8c6b5-2xk8p, outcome: restarted, changed: true, msg: null,
       before: {state: running, health: healthy}, after: {state: running, health: healthy}}
restarted:
  description: IDs of the targets restarted.
  returned: always
  type: list
  elements: str
failed_targets:
  description: IDs of the targets that failed.
  returned: always
  type: list
  elements: str
skipped_targets:
  description: IDs of the targets skipped (restarted already, being restarted by someone else, stopped, or never deployed).
  returned: always
  type: list
  elements: str
untouched_targets:
  description: IDs of the targets the batch's SAE or EDAS change order ended before reaching (not restarted, not failed).
  returned: always
  type: list
  elements: str
order_messages:
  description:
    - What a failed SAE or EDAS change order said for the whole batch, once (its ID, status and the messages no target's
      own C(msg) already says).
  returned: always
  type: list
  elements: str
  sample: ["change order 5579f21b-31d3-4a54-823e-374e85ffda39 of application 5ae00000-0000-4000-8000-000000000001 ended failed (Status 3)"]
kind:
  description: What the targets are, C(component), C(instance), C(application) or C(ecc).
  returned: always
  type: str
seconds:
  description: How long the batch took.
  returned: always
  type: float
aborted_change_orders:
  description: Change orders aborted because of O(abort_on_failure).
  returned: always
  type: list
  elements: str
requests:
  description: The calls that changed something, with the platform's request ID.
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasBatchError
from ansible_collections.paas.ops.plugins.module_utils._fleet import batch_diff, restart_batch
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule
from ansible_collections.paas.ops.plugins.module_utils._servicestage import APPLICATION_ARGSPEC, COMPONENT_ARGSPEC, ID_OR_NAME


def batch_restart(paas):
    params = paas.params
    fleet = paas.platform.fleet(paas.connection(), params)
    result = restart_batch(fleet, params['targets'], timeout=params['batch_timeout'], max_unavailable=params['max_unavailable'],
                           restarted_after=params['restarted_after'], health_gate=params['health_gate'],
                           auto_confirm=params['auto_confirm_batches'], check_mode=paas.check_mode, abort_on_failure=params['abort_on_failure'],
                           include_stopped=params['include_stopped'], allow_empty=params['allow_empty'])
    result['platform'] = params['platform']
    if paas.diff_mode:
        result['diff'] = batch_diff(result['targets'])
    if result['failed_targets'] or result['untouched_targets']:
        failed = [entry for entry in result['targets'] if entry['outcome'] == 'failed']
        parts = ['%d of %d targets failed: %s' % (len(failed), len(result['targets']), '; '.join('%s: %s' % (e['id'], e['msg']) for e in failed))]
        if result['untouched_targets']:
            parts.append('not reached: %s' % ', '.join(result['untouched_targets']))
        # The change order's own message, once for the batch rather than once per target.
        raise PaasBatchError('; '.join(parts + result['order_messages']), result)
    return result


def main():
    argument_spec = dict(
        platform=dict(type='str', required=True, choices=list(registry.PLATFORMS)),
        targets=dict(type='list', elements='str', required=True),
        namespace_id=dict(type='str'),
        max_unavailable=dict(type='int'),
        restarted_after=dict(type='float'),
        health_gate=dict(type='bool', default=True),
        batch_timeout=dict(type='int', default=600),
        auto_confirm_batches=dict(type='bool', default=True),
        abort_on_failure=dict(type='bool', default=False),
        include_stopped=dict(type='bool', default=False),
        allow_empty=dict(type='bool', default=False),
        **APPLICATION_ARGSPEC, **COMPONENT_ARGSPEC
    )
    paas = PaasModule(argument_spec, mutually_exclusive=ID_OR_NAME, supports_check_mode=True)
    paas.run(batch_restart)


if __name__ == '__main__':
    main()
