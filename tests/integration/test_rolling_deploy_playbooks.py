# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rolling-deploy playbooks of playbooks/, one per platform, run as written against the emulator's rolling world: each
deploys its version to every target batch by batch, and a second run, finding them all on it, deploys nothing."""

from __future__ import annotations

import os

import pytest

from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT, run_playbook

# playbook: (the deploy operation the emulator logs, how many targets it deploys, how many a second run skips, the line it
# says for one of them)
PLAYBOOKS = {
    'rolling_deploy_sae.yml': ('DeployApplication', 6, 6,
                               'skipped checkout-cell-1: already runs image registry.cn-hangzhou.aliyuncs.com/rolling/checkout:3.2.0'),
    'rolling_deploy_servicestage.yml': ('ModifyComponent', 6, 6,
                                        'skipped checkout-cell-1: already runs version 3.2.0, image swr.cn-north-4.myhuaweicloud.com/rolling/checkout:3.2.0'),
    'rolling_deploy_edas.yml': ('DeployApplication', 1, 1, 'skipped inventory: already runs package 2.1.0'),
    # The closed component (review) is left as it is, both times.
    'rolling_deploy_rainbond.yml': ('OperateApp', 11, 12, 'skipped web: already runs image registry.example.com/mall/app:2.0.0'),
}


def deployed(fleet, operation):
    """How many targets the logged deploys went to: one call per application or component, but Rainbond's one operation names
    the components of its batch (an SAE or EDAS call names the instances or ECCs its order reaches)."""
    found = [entry for entry in fleet.metrics()['actions'] if entry['operation'] == operation]
    return sum(len(entry['targets']) for entry in found) if operation == 'OperateApp' else len(found)


@pytest.mark.parametrize('playbook', sorted(PLAYBOOKS))
def test_a_rolling_deploy_playbook_deploys_every_target_once_and_a_second_run_nothing(fleet, playbook):
    operation, count, skipped_again, skipped = PLAYBOOKS[playbook]
    path = os.path.join(COLLECTION_ROOT, 'playbooks', playbook)
    run = run_playbook(path, {'paas_endpoint': fleet.url}, timeout=300)
    assert run.rc == 0, run.output
    assert deployed(fleet, operation) == count, fleet.metrics()['actions']
    assert 'rolling deploy done: %d deployed, 0 failed' % count in run.stdout
    again = run_playbook(path, {'paas_endpoint': fleet.url}, timeout=300)
    assert again.rc == 0, again.output
    assert deployed(fleet, operation) == count
    assert skipped in again.stdout and 'rolling deploy done: 0 deployed, 0 failed, %d skipped' % skipped_again in again.stdout
