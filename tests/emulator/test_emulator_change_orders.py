# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's SAE and EDAS change orders behave as the platforms document them: batches per application,
manual confirmation, approval, aborting, failures, rescaling, rollback, the one-order-per-application rule and
the per-user rate limit. Driven through the official product SDKs (see test_emulator_sdk_products.py)."""

from __future__ import annotations

import pytest
from alibabacloud_edas20170801 import models as edas_models
from alibabacloud_sae20190506 import models as sae_models
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

from ansible_collections.paas.ops.tests.emulator.test_emulator_sdk_products import (
    API, BATCH, NAMESPACE, NO_RETRIES, ORDERS, WEB, WORKER, edas_client, edas_eccs, edas_order, eventually, sae_client, sae_order, sae_status)

CANARY, GATED = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a05", "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a06"
BILLING = "3616cdca-4f92-4413-8c58-0000000000a2"


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def sae_operation_code(error):
    """The operation's code of an SAE error as the SDK raises it: its ``code`` is the body's Code (the HTTP status again),
    the operation's code is in ``ErrorCode`` (deploy-and-paging-apis.md 6)."""
    assert error.code == str(error.status_code), error.data
    return error.data["ErrorCode"]


def sae_call(client, name, **fields):
    """``client.<name>_with_options(<Name>Request(**fields))`` without retries; returns the body."""
    request = getattr(sae_models, "".join(part.capitalize() for part in name.split("_")) + "Request")(**fields)
    return getattr(client, name + "_with_options")(request, {}, NO_RETRIES).body


def edas_call(client, name, **fields):
    request = getattr(edas_models, "".join(part.capitalize() for part in name.split("_")) + "Request")(**fields)
    return getattr(client, name + "_with_options")(request, {}, NO_RETRIES).body


def listed_instances(client, app_id):
    group = sae_call(client, "describe_application_groups", app_id=app_id).data[0].group_id
    return [i.instance_id for i in sae_call(client, "describe_application_instances", app_id=app_id, group_id=group, page_size=50).data.instances]


def test_one_order_over_several_applications_takes_each_down_one_batch_at_a_time(emulator_clean):
    client = sae_client(emulator_clean)
    order_id = sae_call(client, "batch_restart_applications", namespace_id=NAMESPACE, app_ids=",".join([WEB, API, WORKER])).data.change_order_id
    order = eventually(lambda: sae_order(client, order_id), lambda body: body.data.status == 2).data
    # Each application keeps its own 2 batches (8 -> 4+4, 3 -> 2+1, 2 -> 1+1): batch k of the order is batch k of each.
    assert order.batch_count == 2 and order.co_type_code == "CoRestartApplication"
    assert emulator_clean.metrics()["max_unavailable"] == {WEB: 4, API: 2, WORKER: 1}
    assert len(emulator_clean.metrics()["restarts"]) == 13


def test_batch_calls_check_the_namespace_and_every_application(emulator_clean):
    client = sae_client(emulator_clean)
    with pytest.raises(ClientException) as other_namespace:
        sae_call(client, "batch_start_applications", namespace_id="cn-hangzhou:other", app_ids=WEB)
    assert sae_operation_code(other_namespace.value) == "InvalidParameter.WithMessage"
    with pytest.raises(ClientException) as unknown:
        sae_call(client, "batch_stop_applications", namespace_id=NAMESPACE, app_ids=WEB + ",6f1c2b3a-0000-4000-8000-000000000000")
    assert sae_operation_code(unknown.value) == "InvalidApplication.NotFound"
    with pytest.raises(ClientException) as missing:
        sae_call(client, "batch_restart_applications", app_ids=WEB)
    assert (sae_operation_code(missing.value), missing.value.data["Message"]) == ("InvalidParameter.NotEmpty", "You must specify the parameter NamespaceId.")
    assert [entry for entry in emulator_clean.metrics()["actions"] if entry["platform"] == "sae"] == []


def test_manual_batches_wait_at_status_8_until_confirmed_or_refused(emulator_clean):
    client = sae_client(emulator_clean)
    first = sae_call(client, "restart_application", app_id=CANARY).data.change_order_id
    waiting = eventually(lambda: sae_order(client, first), lambda body: body.data.status == 8).data
    assert [p.status for p in waiting.pipelines] == [2, 8] and waiting.current_pipeline_id == waiting.pipelines[1].pipeline_id
    assert waiting.batch_type == "manual" and sae_status(client, CANARY).last_change_order_status == "WAIT_BATCH_CONFIRM"
    with pytest.raises(ClientException):  # only the waiting batch can be confirmed
        sae_call(client, "confirm_pipeline_batch", pipeline_id=waiting.pipelines[0].pipeline_id, confirm=True)
    sae_call(client, "confirm_pipeline_batch", pipeline_id=waiting.current_pipeline_id, confirm=True)
    assert eventually(lambda: sae_order(client, first), lambda body: body.data.status == 2).data.pipelines[1].status == 2

    second = sae_call(client, "restart_application", app_id=CANARY).data.change_order_id
    waiting = eventually(lambda: sae_order(client, second), lambda body: body.data.status == 8).data
    sae_call(client, "confirm_pipeline_batch", pipeline_id=waiting.current_pipeline_id, confirm=False)
    ended = sae_order(client, second).data
    assert (ended.status, [p.status for p in ended.pipelines]) == (6, [2, 6])


def test_an_order_needing_approval_waits_at_status_11_until_approved(emulator_clean):
    client = sae_client(emulator_clean)
    order_id = sae_call(client, "restart_application", app_id=GATED).data.change_order_id
    assert sae_order(client, order_id).data.status == 11
    status = sae_status(client, GATED)
    assert (status.last_change_order_status, status.last_change_order_running) == ("WAIT_APPROVAL", True)
    assert emulator_clean.metrics()["restarts"] == {}
    emulator_clean.admin("POST", "jobs/%s/confirm" % order_id)
    eventually(lambda: sae_order(client, order_id), lambda body: body.data.status == 2)


def test_abort_ends_a_running_order_and_refuses_an_ended_one(emulator_clean):
    client = sae_client(emulator_clean)
    emulator_clean.settings(time_factor=0.5)
    order_id = sae_call(client, "restart_application", app_id=WEB).data.change_order_id
    assert sae_call(client, "abort_change_order", change_order_id=order_id).data.change_order_id == order_id
    assert sae_order(client, order_id).data.status == 6
    with pytest.raises(ClientException) as ended:
        sae_call(client, "abort_change_order", change_order_id=order_id)
    assert sae_operation_code(ended.value) == "Application.ChangerOrder.Not.Running"


def test_a_failed_instance_fails_the_order_with_its_message(emulator_clean):
    client = sae_client(emulator_clean)
    emulator_clean.add_fault(kind="job_fail", platform="sae", target="worker-6b7c8d9e5-p9q0r", message="OOMKilled")
    order_id = sae_call(client, "restart_application", app_id=WORKER).data.change_order_id
    order = eventually(lambda: sae_order(client, order_id), lambda body: body.data.status == 3).data
    assert order.error_message == "OOMKilled" and [p.status for p in order.pipelines] == [2, 3]
    tasks = sae_call(client, "describe_pipeline", pipeline_id=order.pipelines[1].pipeline_id).data.stage_list[0].task_list
    assert [(task.status, task.error_message) for task in tasks] == [(3, "OOMKilled")]


def test_a_never_healthy_instance_keeps_the_order_running_with_sub_status_1(emulator_clean):
    client = sae_client(emulator_clean)
    emulator_clean.add_fault(kind="never_healthy", platform="sae", target="worker-6b7c8d9e5-k7m8n")
    order_id = sae_call(client, "restart_application", app_id=WORKER).data.change_order_id
    order = eventually(lambda: sae_order(client, order_id), lambda body: body.data.sub_status == 1).data
    assert order.status == 1 and sae_status(client, WORKER).sub_status == "RUNNING_BUT_HAS_ERROR"
    with pytest.raises(ClientException) as busy:
        sae_call(client, "stop_application", app_id=WORKER)
    assert sae_operation_code(busy.value) == "Application.ChangerOrderRunning"


def test_rescale_adds_and_removes_instances(emulator_clean):
    client = sae_client(emulator_clean)
    out = sae_call(client, "rescale_application", app_id=WORKER, replicas=4).data.change_order_id
    assert eventually(lambda: sae_order(client, out), lambda body: body.data.status == 2).data.co_type_code == "CoScaleOut"
    assert len(listed_instances(client, WORKER)) == 4 and sae_call(client, "describe_application_config", app_id=WORKER).data.replicas == 4
    scale_in = sae_call(client, "rescale_application", app_id=WORKER, replicas=1).data.change_order_id
    assert eventually(lambda: sae_order(client, scale_in), lambda body: body.data.status == 2).data.co_type_code == "CoScaleIn"
    assert listed_instances(client, WORKER) == ["worker-6b7c8d9e5-k7m8n"] and sae_status(client, WORKER).running_instances == 1


def test_rollback_deploys_a_listed_version_and_refuses_others(emulator_clean):
    client = sae_client(emulator_clean)
    versions = sae_call(client, "list_app_versions", app_id=WEB).data
    assert [v.build_package_url.rsplit(":", 1)[1] for v in versions] == ["1.4.2", "1.4.1"] and int(versions[0].create_time) > int(versions[1].create_time)
    with pytest.raises(ClientException) as unknown:
        sae_call(client, "rollback_application", app_id=WEB, version_id="nope")
    assert sae_operation_code(unknown.value) == "InvalidParameter.WithMessage"
    order_id = sae_call(client, "rollback_application", app_id=WEB, version_id=versions[1].id).data.change_order_id
    eventually(lambda: sae_order(client, order_id), lambda body: body.data.status == 2)
    assert sae_call(client, "describe_application_config", app_id=WEB).data.image_url == versions[1].build_package_url


def test_list_change_orders_is_newest_first_and_filters_by_status(emulator_clean):
    client = sae_client(emulator_clean)
    first = sae_call(client, "stop_application", app_id=API).data.change_order_id
    eventually(lambda: sae_order(client, first), lambda body: body.data.status == 2)
    second = sae_call(client, "start_application", app_id=API).data.change_order_id
    eventually(lambda: sae_order(client, second), lambda body: body.data.status == 2)
    listed = sae_call(client, "list_change_orders", app_id=API).data
    assert [o.change_order_id for o in listed.change_order_list] == [second, first] and listed.total_size == 2
    assert [o.co_type_code for o in listed.change_order_list] == ["CoStartApplication", "CoStopApplication"]
    assert sae_call(client, "list_change_orders", app_id=API, co_status="3").data.total_size == 0


def test_a_stopped_application_lists_no_instances(emulator_clean):
    assert listed_instances(sae_client(emulator_clean), BATCH) == []


def test_the_rate_limit_is_per_user_and_product_and_counted(emulator_clean):
    emulator_clean.settings(alibaba_rate_limit_per_minute=2)
    client = sae_client(emulator_clean)
    sae_status(client, WEB)
    sae_status(client, WEB)
    with pytest.raises(ThrottlingException) as throttled:
        sae_status(client, WEB)
    assert throttled.value.code == "Throttling.User" and throttled.value.retry_after >= 1
    edas_eccs(edas_client(emulator_clean))  # EDAS calls count against EDAS, not SAE
    metrics = emulator_clean.metrics()
    assert metrics["throttled"] == {"sae:DescribeApplicationStatus": 1} and metrics["throttled_total"] == 1


def test_edas_manual_batches_continue_and_a_late_failure_is_partial(emulator_clean):
    client = edas_client(emulator_clean)
    order_id = edas_call(client, "restart_application", app_id=BILLING).change_order_id
    info = eventually(lambda: edas_order(client, order_id), lambda body: body.change_order_info.status == 8).change_order_info
    pipelines = info.pipeline_info_list.pipeline_info
    assert info.batch_type == "Manual" and [p.pipeline_status for p in pipelines] == [2, 8]
    edas_call(client, "continue_pipeline", pipeline_id=pipelines[1].pipeline_id, confirm=True)
    eventually(lambda: edas_order(client, order_id), lambda body: body.change_order_info.status == 2)

    emulator_clean.add_fault(kind="job_fail", platform="edas", target="e2c2c3c4-0000-4000-8000-000000000004", message="port 8080 never opened")
    failing = edas_call(client, "stop_application", app_id=BILLING).change_order_id
    eventually(lambda: edas_order(client, failing), lambda body: body.change_order_info.status == 8)
    waiting = edas_order(client, failing).change_order_info.pipeline_info_list.pipeline_info[1]
    edas_call(client, "continue_pipeline", pipeline_id=waiting.pipeline_id, confirm=True)
    ended = eventually(lambda: edas_order(client, failing), lambda body: body.change_order_info.status == 7).change_order_info
    tasks = ended.pipeline_info_list.pipeline_info[1].stage_detail_list.stage_detail_dto[0].task_list.task_info_dto
    assert ["port 8080 never opened" in (task.task_error_message or "") for task in tasks] == [False, True]


def test_edas_business_errors_answer_200_with_the_failure_in_the_body(emulator_clean):
    client = edas_client(emulator_clean)
    unknown_ecc = edas_call(client, "start_application", app_id=ORDERS, ecc_info="e1c2c3c4-0000-4000-8000-00000000dead")
    assert (unknown_ecc.code, unknown_ecc.change_order_id) == (400, None)
    emulator_clean.settings(time_factor=0.5)
    edas_call(client, "restart_application", app_id=ORDERS, ecc_info="e1c2c3c4-0000-4000-8000-000000000001")
    busy = edas_call(client, "start_application", app_id=ORDERS)
    assert busy.code == 500 and "change order in progress" in busy.message and busy.request_id
    assert edas_eccs(client)["e1c2c3c4-0000-4000-8000-000000000004"] == (1, 2)  # the refused start changed nothing


def test_the_wait_between_batches_comes_from_the_update_strategy_and_shows_as_status_9(emulator_clean):
    key = {"id": "LTAIdemoAccessKeyId01", "secret": "demoAlibabaAccessKeySecret01"}
    world = {"alibaba": {"accounts": [{"uid": "1234567890123456", "access_keys": [key]}],
                         "sae": {"namespaces": [{"id": NAMESPACE, "applications": [{
                             "id": WEB, "name": "web", "replicas": 2,
                             # batchWaitTime is in minutes: 60 s, 3 s at the emulator's time factor of 0.05
                             "update_strategy": {"type": "BatchUpdate", "batchUpdate": {"batch": 2, "releaseType": "auto", "batchWaitTime": 1}},
                             "instances": [{"id": "web-a"}, {"id": "web-b"}]}]}]}}}
    emulator_clean.admin("PUT", "world", json=world)
    client = sae_client(emulator_clean)
    order_id = sae_call(client, "restart_application", app_id=WEB).data.change_order_id
    between = eventually(lambda: sae_order(client, order_id), lambda body: body.data.status == 9).data
    assert [p.status for p in between.pipelines] == [2, 0] and between.batch_wait_time == 1
    assert sae_status(client, WEB).last_change_order_status == "AUTO_BATCH_WAIT"
    done = eventually(lambda: sae_order(client, order_id), lambda body: body.data.status == 2).data
    first_done, second_started = done.pipelines[0].update_time, done.pipelines[1].start_time
    assert second_started - first_done >= 2900  # ms: the batch interval was kept
