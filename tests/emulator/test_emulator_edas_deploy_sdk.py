# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The official EDAS client (alibabacloud-edas20170801 2.0.0) deploys a package and rolls it back against the emulator,
unchanged and signed as it signs by default (ACS3-HMAC-SHA256), and the deploy takes effect: ListDeployGroup shows the
version.

Why: ``paas.ops.app_version`` is tested against the emulator's co_deploy, ListDeployGroup, ListHistoryDeployVersion and
co_rollback; this proves those speak what the vendor's own client sends and reads (every field kept by its models, see
``test_emulator_alibaba_sdks.call``). The shared emulator runs at time factor 0.05 (a 40 s deploy takes 2 s).
"""

from __future__ import annotations

from alibabacloud_edas20170801.client import Client as EdasClient

from ansible_collections.paas.ops.tests.emulator.test_emulator_alibaba_sdks import (ORDERS, ORDERS_ECCS, PERMANENT, call, client_for, edas_eccs,
                                                                                    edas_order_ends)

ORDERS_GROUP = "9d8c7b6a-0000-4000-8000-0000000000f1"
PACKAGE = "https://edas-demo.oss-cn-hangzhou.aliyuncs.com/orders/orders-%s.jar"


def deploy_groups(client, app_id):
    """ListDeployGroup as {GroupId: (PackageVersion, PackageUrl)}."""
    return {group.group_id: (group.package_version, group.package_url)
            for group in call(client, "list_deploy_group", app_id=app_id).deploy_group_list.deploy_group}


def test_edas_sdk_deploy_application_takes_effect_and_rollback_application_restores(emu):
    client = client_for(EdasClient, emu, PERMANENT)
    assert deploy_groups(client, ORDERS) == {ORDERS_GROUP: ("1.7.2", PACKAGE % "1.7.2")}

    deployed = call(client, "deploy_application", app_id=ORDERS, group_id="all", deploy_type="url", war_url=PACKAGE % "1.8.0",
                    package_version="1.8.0", batch=2, batch_wait_time=0, release_type=0, desc="orders 1.8.0")
    assert (deployed.code, deployed.message) == (200, "success") and len(deployed.change_order_id) == 36
    info = edas_order_ends(client, deployed.change_order_id)
    assert (info.co_type, info.batch_count, info.batch_type) == ("Deploy application", 2, "Automatic")
    assert deploy_groups(client, ORDERS) == {ORDERS_GROUP: ("1.8.0", PACKAGE % "1.8.0")}
    assert set(edas_eccs(client, ORDERS).values()) == {(7, 2)}  # every ECC of the group runs it, the stopped one started

    versions = call(client, "list_history_deploy_version", app_id=ORDERS).package_version_list.package_version
    assert [(v.package_version, v.war_url, v.description) for v in versions[:2]] == [
        ("1.8.0", PACKAGE % "1.8.0", "orders 1.8.0"), ("1.7.2", PACKAGE % "1.7.2", "")]
    status = call(client, "query_application_status", app_id=ORDERS).app_info
    assert {record.package_version_id for record in status.deploy_record_list.deploy_record} == {versions[0].id}
    assert [group.package_version_id for group in status.group_list.group] == [versions[0].id]

    back = call(client, "rollback_application", app_id=ORDERS, group_id="all", history_version="1.7.2", batch=1, batch_wait_time=0)
    assert back.code == 200 and back.change_order_id not in (None, deployed.change_order_id)
    assert edas_order_ends(client, back.change_order_id).co_type == "Rollback application"
    assert deploy_groups(client, ORDERS) == {ORDERS_GROUP: ("1.7.2", PACKAGE % "1.7.2")}
    recent = call(client, "list_recent_change_order", app_id=ORDERS).change_order_list.change_order
    assert [(o.change_order_id, o.co_type_code, o.status) for o in recent] == [(back.change_order_id, "CoRollback", 2),
                                                                               (deployed.change_order_id, "CoDeploy", 2)]
    assert [(a["operation"], a["job_id"]) for a in emu.metrics()["actions"]] == [("DeployApplication", deployed.change_order_id),
                                                                                 ("RollbackApplication", back.change_order_id)]
    assert sorted(emu.metrics()["restarts"]) == ORDERS_ECCS
