# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's EDAS deploys over raw signed HTTP: deploy groups and their package versions (ListDeployGroup), the
history of package versions (ListHistoryDeployVersion), co_deploy and co_rollback change orders, and versions that fail on
purpose (the world's ``bad_versions``).

Why: ``paas.ops.app_version`` decides from what the groups report and follows these orders; the emulator must keep what a
group runs apart from what a failed order tried, or a rollback could not be told from a deploy that never happened.
The shared emulator runs at time factor 0.05 (a 40 s deploy takes 2 s).
"""

from __future__ import annotations

import os

import yaml

from ansible_collections.paas.ops.tests.emulator.test_emulator_alibaba import (BILLING, BILLING_ECCS, ORDERS, ORDERS_ECCS, ORDERS_GROUP, edas,
                                                                               edas_body, edas_business_error, edas_eccs, edas_order,
                                                                               edas_order_id, edas_order_reaches, edas_pipelines, edas_recent)
from ansible_collections.paas.ops.tests.emulator.test_emulator_core import assert_alibaba_error

DEFAULT_WORLD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worlds", "default.yml")
BILLING_DEFAULT, BILLING_CANARY = "9d8c7b6a-0000-4000-8000-0000000000f2", "9d8c7b6a-0000-4000-8000-0000000000f3"
PACKAGE = "https://edas-demo.oss-cn-hangzhou.aliyuncs.com/%s/%s-%s.jar"


def groups(emulator, app_id):
    """ListDeployGroup as {GroupId: (PackageVersion, PackageUrl, PackageVersionId)}."""
    body = edas_body(edas(emulator, "POST", "app/deploy_group_list", "ListDeployGroup", AppId=app_id))
    return {group["GroupId"]: (group["PackageVersion"], group["PackageUrl"], group["PackageVersionId"]) for group in body["DeployGroupList"]["DeployGroup"]}


def history(emulator, app_id):
    """ListHistoryDeployVersion as [(PackageVersion, WarUrl, Id)], newest first."""
    body = edas_body(edas(emulator, "GET", "app/deploy_history_version_list", "ListHistoryDeployVersion", AppId=app_id))
    return [(entry["PackageVersion"], entry["WarUrl"], entry["Id"]) for entry in body["PackageVersionList"]["PackageVersion"]]


def deploy(emulator, app_id, version, group_id="all", url=None, **query):
    query = dict({"AppId": app_id, "GroupId": group_id, "DeployType": "url", "WarUrl": url or PACKAGE % ("app", "app", version),
                  "PackageVersion": version}, **query)
    return edas(emulator, "POST", "changeorder/co_deploy", "DeployApplication", **query)


def rollback(emulator, app_id, version, group_id="all", **query):
    return edas(emulator, "POST", "changeorder/co_rollback", "RollbackApplication", AppId=app_id, GroupId=group_id, HistoryVersion=version, **query)


def deploy_records(emulator, app_id):
    """QueryApplicationStatus: {EccId: PackageVersionId} and {GroupId: PackageVersionId}."""
    info = edas_body(edas(emulator, "GET", "app/app_status", "QueryApplicationStatus", AppId=app_id))["AppInfo"]
    return ({record["EccId"]: record["PackageVersionId"] for record in info["DeployRecordList"]["DeployRecord"]},
            {group["GroupId"]: group["PackageVersionId"] for group in info["GroupList"]["Group"]})


def pipeline_eccs(info):
    return [[instance["InstanceName"] for instance in pipeline["StageList"]["StageInfoDTO"][0]["StageResultDTO"]["InstanceDTOList"]["InstanceDTO"]]
            for pipeline in edas_pipelines(info)]


def test_edas_groups_run_the_newest_of_their_package_versions(emu):
    orders = history(emu, ORDERS)
    assert [(version, url) for version, url, _id in orders] == [
        ("1.7.2", PACKAGE % ("orders", "orders", "1.7.2")), ("1.7.1", PACKAGE % ("orders", "orders", "1.7.1"))]
    assert groups(emu, ORDERS) == {ORDERS_GROUP: ("1.7.2", PACKAGE % ("orders", "orders", "1.7.2"), orders[0][2])}
    # QueryApplicationStatus names the same package by id only, for the group and for each ECC.
    assert deploy_records(emu, ORDERS) == (dict.fromkeys(ORDERS_ECCS, orders[0][2]), {ORDERS_GROUP: orders[0][2]})
    assert {group: version for group, (version, _url, _id) in groups(emu, BILLING).items()} == {BILLING_DEFAULT: "3.0.0", BILLING_CANARY: "3.0.0"}


def test_edas_deploy_to_every_group_in_batches_takes_each_group_a_batch_at_a_time(emu):
    order_id = edas_order_id(deploy(emu, BILLING, "3.1.0", Batch=2, url=PACKAGE % ("billing", "billing", "3.1.0")))
    # The package is known at once; the groups run it only once the order succeeded.
    assert history(emu, BILLING)[0][:2] == ("3.1.0", PACKAGE % ("billing", "billing", "3.1.0"))
    assert {version for version, _url, _id in groups(emu, BILLING).values()} == {"3.0.0"}
    # ReleaseType 0 (the default) releases batches by itself, whatever the application's own batch type (billing: Manual).
    info = edas_order_reaches(emu, order_id, 2)
    assert (info["CoType"], info["BatchCount"], info["BatchType"]) == ("Deploy application", 2, "Automatic")
    assert pipeline_eccs(info) == [[BILLING_ECCS[0], BILLING_ECCS[2]], [BILLING_ECCS[1], BILLING_ECCS[3]]]
    new_id = history(emu, BILLING)[0][2]
    assert groups(emu, BILLING) == dict.fromkeys((BILLING_DEFAULT, BILLING_CANARY), ("3.1.0", PACKAGE % ("billing", "billing", "3.1.0"), new_id))
    assert deploy_records(emu, BILLING) == (dict.fromkeys(BILLING_ECCS, new_id), dict.fromkeys((BILLING_DEFAULT, BILLING_CANARY), new_id))
    assert [(o["ChangeOrderId"], o["CoTypeCode"]) for o in edas_recent(emu, BILLING)] == [(order_id, "CoDeploy")]
    assert [(a["operation"], a["job_id"]) for a in emu.metrics()["actions"]] == [("DeployApplication", order_id)]


def test_edas_deploy_to_one_group_with_manual_release_waits_between_batches(emu):
    order_id = edas_order_id(deploy(emu, BILLING, "3.1.0", group_id=BILLING_CANARY, Batch=5, ReleaseType=1, BatchWaitTime=0))
    # Batch is at most the group's ECCs: 5 asked, 2 taken; only the canary group's ECCs are deployed.
    waiting = edas_order_reaches(emu, order_id, 8)
    assert pipeline_eccs(waiting) == [[BILLING_ECCS[2]], [BILLING_ECCS[3]]] and waiting["BatchType"] == "Manual"
    assert edas_recent(emu, BILLING)[0]["GroupId"] == BILLING_CANARY
    edas_body(edas(emu, "GET", "changeorder/pipeline_batch_confirm", "ContinuePipeline", PipelineId=edas_pipelines(waiting)[1]["PipelineId"]))
    edas_order_reaches(emu, order_id, 2)
    assert {group: version for group, (version, _url, _id) in groups(emu, BILLING).items()} == {BILLING_DEFAULT: "3.0.0", BILLING_CANARY: "3.1.0"}
    assert emu.metrics()["restarts"].get(BILLING_ECCS[0]) is None


def test_edas_deploy_refusals_send_nothing(emu):
    assert_alibaba_error(edas(emu, "POST", "changeorder/co_deploy", "DeployApplication", AppId=ORDERS, GroupId="all", WarUrl="x", PackageVersion="1"),
                         400, "MissingParameter")
    image = edas_business_error(deploy(emu, ORDERS, "2.0.0", DeployType="image", ImageUrl="registry.example.com/orders:2.0.0"), 400)
    assert "DeployType image" in image["Message"]
    assert "at most 64" in edas_business_error(deploy(emu, ORDERS, "v" * 65), 400)["Message"]
    assert "BatchWaitTime" in edas_business_error(deploy(emu, ORDERS, "2.0.0", BatchWaitTime=6), 400)["Message"]
    assert "Batch" in edas_business_error(deploy(emu, ORDERS, "2.0.0", Batch=0), 400)["Message"]
    assert "ReleaseType" in edas_business_error(deploy(emu, ORDERS, "2.0.0", ReleaseType=2), 400)["Message"]
    unknown = edas_business_error(deploy(emu, ORDERS, "2.0.0", group_id=BILLING_CANARY), 400)
    assert BILLING_CANARY in unknown["Message"]
    assert "no history version 0.0.1" in edas_business_error(rollback(emu, ORDERS, "0.0.1"), 400)["Message"]
    assert "Batch" in edas_business_error(rollback(emu, ORDERS, "1.7.1", Batch=6), 400)["Message"]
    # None of them recorded a package or started an order.
    assert [version for version, _url, _id in history(emu, ORDERS)] == ["1.7.2", "1.7.1"] and edas_recent(emu, ORDERS) == []
    first = edas_order_id(deploy(emu, ORDERS, "1.8.0"))
    assert first in edas_business_error(rollback(emu, ORDERS, "1.7.1"), 500)["Message"]  # one order per application at a time
    assert [a["operation"] for a in emu.metrics()["actions"]] == ["DeployApplication"]


def test_edas_a_bad_version_fails_its_batch_and_a_rollback_restores_the_group(emu):
    with open(DEFAULT_WORLD, encoding="utf-8") as handle:
        world = yaml.safe_load(handle)
    world["settings"]["time_factor"] = 0.05
    world["bad_versions"] = [{"version": "1.8.0", "kind": "fail_in_batch", "batch": 1, "message": "orders 1.8.0: /healthz answered 503"}]
    emu.admin("PUT", "world", json=world)
    old_id = history(emu, ORDERS)[0][2]

    order_id = edas_order_id(deploy(emu, ORDERS, "1.8.0"))
    failed = edas_order_reaches(emu, order_id, 3)
    assert failed["Desc"] == "orders 1.8.0: /healthz answered 503"
    # The group still runs what it ran; the failed package is in the history all the same.
    assert groups(emu, ORDERS)[ORDERS_GROUP][0] == "1.7.2" and [v for v, _u, _i in history(emu, ORDERS)] == ["1.8.0", "1.7.2", "1.7.1"]
    assert (7, 2) not in set(edas_eccs(emu, ORDERS).values())  # every ECC was in the one failing batch

    back = edas_body(rollback(emu, ORDERS, "1.7.2"))
    assert set(back) == {"Code", "Message", "RequestId", "ChangeOrderId"}
    info = edas_order_reaches(emu, back["ChangeOrderId"], 2)
    assert (info["CoType"], edas_recent(emu, ORDERS)[0]["CoTypeCode"]) == ("Rollback application", "CoRollback")
    assert groups(emu, ORDERS)[ORDERS_GROUP] == ("1.7.2", PACKAGE % ("orders", "orders", "1.7.2"), old_id)
    assert set(edas_eccs(emu, ORDERS).values()) == {(7, 2)} and deploy_records(emu, ORDERS)[0] == dict.fromkeys(ORDERS_ECCS, old_id)
    assert [a["operation"] for a in emu.metrics()["actions"]] == ["DeployApplication", "RollbackApplication"]
    assert edas_order(emu, order_id)["Status"] == 3


def test_edas_list_application_pages_without_a_total(emu):
    def page(number, size):
        body = edas_body(edas(emu, "POST", "app/app_list", "ListApplication", CurrentPage=number, PageSize=size))
        assert set(body) == {"Code", "Message", "RequestId", "ApplicationList"}
        return [app["AppId"] for app in body["ApplicationList"]["Application"]]
    assert (page(1, 1), page(2, 1), page(3, 1), page(1, 20)) == ([ORDERS], [BILLING], [], [ORDERS, BILLING])
