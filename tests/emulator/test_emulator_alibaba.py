# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's SAE and EDAS actions and change orders over raw signed HTTP.

Why raw HTTP: the wire is what the collection's client sees — HTTP statuses, the ``x-acs-*`` headers,
SAE's string ``Code`` and EDAS's integer one, EDAS business errors inside HTTP 200 bodies — and an SDK
would hide part of it. Requests are signed with ``reference_signers`` through ``test_emulator_core.sae_get``
(ACS3, written independently of the collection and the emulator). The shared emulator runs at time factor
0.05 (a 20 s restart batch takes 1 s); tests that wait for whole orders lower it further with the settings API.
"""

from __future__ import annotations

import json
import os
import time
from urllib.parse import urlencode

from ansible_collections.paas.ops.tests.emulator.test_emulator_core import STS_AK, STS_SK, STS_TOKEN, assert_alibaba_error, sae_get
from ansible_collections.paas.ops.tests.emulator.test_emulator_rainbond import default_world_with

EMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "emulator")
FLEET_WORLD = os.path.join(EMULATOR_DIR, "worlds", "fleet.yml")

# From tests/emulator/worlds/default.yml.
NAMESPACE = "cn-hangzhou:demo"
WEB, API, WORKER, BATCH, CANARY, GATED = ("6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a0%d" % n for n in range(1, 7))
WEB_INSTANCES = ["web-7d9f8c6b5-" + s for s in ("2xk8p", "4jq7m", "6hn2v", "8bz5r", "9cw3t", "fl6xd", "kp4sn", "rt8yq")]
API_INSTANCES = ["api-5c8d7e6f4-a1b2c", "api-5c8d7e6f4-d3e4f", "api-5c8d7e6f4-g5h6j"]
WORKER_INSTANCES = ["worker-6b7c8d9e5-k7m8n", "worker-6b7c8d9e5-p9q0r"]
CANARY_INSTANCES = ["canary-3e4f5a6b7-c1d2e", "canary-3e4f5a6b7-f3g4h", "canary-3e4f5a6b7-j5k6m", "canary-3e4f5a6b7-n7p8q"]
GATED_INSTANCES = ["gated-2d3e4f5a6-r1s2t", "gated-2d3e4f5a6-u3v4w"]
WEB_IMAGE = "registry.cn-hangzhou.aliyuncs.com/demo/web:%s"
ORDERS, BILLING = "3616cdca-4f92-4413-8c58-0000000000a1", "3616cdca-4f92-4413-8c58-0000000000a2"
ORDERS_ECCS = ["e1c2c3c4-0000-4000-8000-00000000000%d" % n for n in (1, 2, 3, 4)]
BILLING_ECCS = ["e2c2c3c4-0000-4000-8000-00000000000%d" % n for n in (1, 2, 3, 4)]
ORDERS_GROUP = "9d8c7b6a-0000-4000-8000-0000000000f1"
EDAS_VERSION = "2017-08-01"
RUNNING, HEALTHY = "Running", "Healthy"


# ---- calls --------------------------------------------------------------------------------------------------


def wire_query(query):
    return {key: (str(value).lower() if isinstance(value, bool) else str(value)) for key, value in query.items()}


def sae(emulator, method, path, action, sts=False, **query):
    """One ACS3-signed SAE call; ``path`` is relative to ``/pop/v1/sam/``."""
    credentials = {"ak": STS_AK, "sk": STS_SK, "token": STS_TOKEN} if sts else {}
    return sae_get(emulator, wire_query(query), path="/pop/v1/sam/" + path, action=action, method=method, **credentials)


def edas(emulator, method, path, action, **query):
    """One ACS3-signed EDAS call; ``path`` is relative to ``/pop/v5/``."""
    return sae_get(emulator, wire_query(query), path="/pop/v5/" + path, action=action, version=EDAS_VERSION, method=method)


def sae_data(response):
    """``Data`` of a successful SAE answer, after checking the envelope and the request id."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["Code"], body["Message"], body["Success"]) == ("200", "success", True), body
    assert body["RequestId"] == response.headers["x-acs-request-id"]
    return body["Data"]


def edas_body(response):
    """A successful EDAS answer: HTTP 200 *and* body ``Code`` 200 (an integer)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["Code"], body["Message"]) == (200, "success"), body
    assert body["RequestId"] == response.headers["x-acs-request-id"]
    return body


def edas_business_error(response, code):
    """EDAS refuses business requests with HTTP 200 and the failure in the body (the emulator's model, UNVERIFIED)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"Code", "Message", "RequestId"} and body["Code"] == code, body
    assert body["RequestId"] == response.headers["x-acs-request-id"]
    return body


def eventually(read, done, timeout=10.0, interval=0.05):
    """Poll ``read`` until ``done(value)``; return the value, or fail with the last one after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in %.0f s; last value: %r" % (timeout, value))
        time.sleep(interval)


# ---- SAE reads --------------------------------------------------------------------------------------------


def sae_act(emulator, path, action, **query):
    """An SAE action (PUT); returns its ChangeOrderId."""
    data = sae_data(sae(emulator, "PUT", "app/" + path, action, **query))
    assert set(data) >= {"ChangeOrderId"} and len(data["ChangeOrderId"]) == 36, data
    return data["ChangeOrderId"]


def sae_order(emulator, order_id):
    return sae_data(sae(emulator, "GET", "changeorder/DescribeChangeOrder", "DescribeChangeOrder", ChangeOrderId=order_id))


def sae_order_reaches(emulator, order_id, status, timeout=10.0):
    return eventually(lambda: sae_order(emulator, order_id), lambda order: order["Status"] == status, timeout)


def pipeline_statuses(order):
    return [pipeline["Status"] for pipeline in order["Pipelines"]]


def sae_pipeline(emulator, pipeline_id):
    return sae_data(sae(emulator, "GET", "changeorder/DescribePipeline", "DescribePipeline", PipelineId=pipeline_id))


def sae_status(emulator, app_id):
    return sae_data(sae(emulator, "GET", "app/describeApplicationStatus", "DescribeApplicationStatus", AppId=app_id))


def sae_config(emulator, app_id):
    return sae_data(sae(emulator, "GET", "app/describeApplicationConfig", "DescribeApplicationConfig", AppId=app_id))


def sae_instance_views(emulator, app_id):
    """DescribeApplicationInstances of the application's only group, as DescribeApplicationGroups names it."""
    groups = sae_data(sae(emulator, "GET", "app/describeApplicationGroups", "DescribeApplicationGroups", AppId=app_id))
    data = sae_data(sae(emulator, "GET", "app/describeApplicationInstances", "DescribeApplicationInstances", AppId=app_id,
                        GroupId=groups[0]["GroupId"], PageSize=50))
    assert data["TotalSize"] == len(data["Instances"])
    return data["Instances"]


def sae_instances(emulator, app_id):
    """{InstanceId: (InstanceContainerStatus, InstanceHealthStatus)} of the listed instances."""
    return {i["InstanceId"]: (i["InstanceContainerStatus"], i["InstanceHealthStatus"]) for i in sae_instance_views(emulator, app_id)}


def sae_orders(emulator, app_id, **query):
    return sae_data(sae(emulator, "GET", "changeorder/ListChangeOrders", "ListChangeOrders", AppId=app_id, **query))


def restarts(emulator, unit_ids):
    counted = emulator.metrics()["restarts"]
    return [counted.get(unit_id, 0) for unit_id in unit_ids]


# ---- SAE: batches, one order per application, confirmation, approval ------------------------------------


def test_sae_batch_order_over_several_applications_takes_each_down_one_of_its_own_batches_at_a_time(emu):
    order_id = sae_act(emu, "batchRestartApplications", "BatchRestartApplications", NamespaceId=NAMESPACE, AppIds=",".join([WEB, API, WORKER]))
    order = sae_order(emu, order_id)
    # web 8 -> 4+4, api 3 -> 2+1, worker 2 -> 1+1: batch 1 of the order is batch 1 of each application.
    assert (order["Status"], order["CoTypeCode"], order["BatchCount"], order["BatchType"]) == (1, "CoRestartApplication", 2, "auto")
    assert [(p["Status"], p["ParallelCount"]) for p in order["Pipelines"]] == [(1, 7), (0, 6)]
    assert order["CurrentPipelineId"] == order["Pipelines"][0]["PipelineId"]
    restarting = ("PodInitializing", "NotCheckedYet")
    assert [sum(1 for state in sae_instances(emu, app).values() if state == restarting) for app in (WEB, API, WORKER)] == [4, 2, 1]
    status = sae_status(emu, API)
    assert (status["LastChangeOrderId"], status["LastChangeOrderRunning"], status["RunningInstances"]) == (order_id, True, 1)

    done = sae_order_reaches(emu, order_id, 2)
    assert pipeline_statuses(done) == [2, 2] and done["CurrentPipelineId"] == done["Pipelines"][1]["PipelineId"]
    metrics = emu.metrics()
    assert metrics["max_unavailable"] == {WEB: 4, API: 2, WORKER: 1}
    assert metrics["restarts"] == dict.fromkeys(WEB_INSTANCES + API_INSTANCES + WORKER_INSTANCES, 1)
    # Every application in the order lists it as its own change order.
    for app_id in (WEB, API, WORKER):
        listed = sae_orders(emu, app_id)["ChangeOrderList"]
        assert [(o["ChangeOrderId"], o["AppId"], o["Status"]) for o in listed] == [(order_id, app_id, 2)]


def test_fleet_restart_of_forty_applications_is_one_order_under_the_sixty_calls_a_minute_limit(emulator_factory):
    fleet = emulator_factory(world=FLEET_WORLD, time_factor=0.05)
    order_id = sae_act(fleet, "batchRestartApplications", "BatchRestartApplications", NamespaceId="cn-hangzhou:fleet")
    done = sae_order_reaches(fleet, order_id, 2, timeout=15.0)
    assert (done["BatchCount"], [p["ParallelCount"] for p in done["Pipelines"]]) == (2, [40, 40])
    metrics = fleet.metrics()
    apps = ["5e0f1a2b-3c4d-4e5f-8a6b-0000000000%02d" % n for n in range(1, 41)]
    assert metrics["max_unavailable"] == dict.fromkeys(apps, 1)  # 2 instances, 2 batches: never both down
    assert metrics["restarts"] == {"svc-%02d-%d" % (n, i): 1 for n in range(1, 41) for i in (0, 1)}
    assert metrics["throttled_total"] == 0

    # The world's limit is SAE's: 60 calls a minute per user, every call counted (the polling above included).
    for dummy in range(61):
        response = sae(fleet, "GET", "app/describeApplicationStatus", "DescribeApplicationStatus", AppId=apps[0])
        if response.status_code != 200:
            break
    body = assert_alibaba_error(response, 400, "Throttling.User")
    assert body["Message"] == "Request was denied due to user flow control."
    assert 1 <= int(response.headers["x-acs-retry-after"]) <= 60
    metrics = fleet.metrics()
    admitted = sum(count for name, count in metrics["requests"].items() if name.startswith("sae:")) - metrics["throttled_total"]
    assert (admitted, metrics["throttled"]) == (60, {"sae:DescribeApplicationStatus": 1})


def test_sae_runs_one_change_order_per_application(emu):
    order_id = sae_act(emu, "restartApplication", "RestartApplication", AppId=API)
    refusals = [
        sae(emu, "PUT", "app/stopApplication", "StopApplication", AppId=API),
        sae(emu, "PUT", "app/restartApplication", "RestartApplication", AppId=API, sts=True),
        sae(emu, "PUT", "app/batchStopApplications", "BatchStopApplications", NamespaceId=NAMESPACE, AppIds="%s,%s" % (WEB, API)),
        sae(emu, "PUT", "app/restartInstances", "RestartInstances", AppId=API, InstanceIds=API_INSTANCES[2]),
        sae(emu, "PUT", "app/rescaleApplication", "RescaleApplication", AppId=API, Replicas=5),
        sae(emu, "PUT", "app/rescaleApplication", "RescaleApplication", AppId=API, Replicas=1),
        sae(emu, "PUT", "app/rollbackApplication", "RollbackApplication", AppId=API, VersionId="7a1b2c3d-0002-4e5f-8a9b-0c1d2e3f4a01"),
    ]
    for response in refusals:
        body = assert_alibaba_error(response, 400, "Application.ChangerOrderRunning")
        assert body["Message"] == "An application change process is in progress. Please try again later."
    # Nothing of the refused calls happened: web is untouched, api keeps 3 instances, only the first order exists.
    assert sae_status(emu, WEB)["LastChangeOrderId"] == "" and set(sae_instances(emu, WEB).values()) == {(RUNNING, HEALTHY)}
    assert sae_config(emu, API)["Replicas"] == 3 and len(emu.admin("GET", "units?app_id=" + API)["units"]) == 3
    assert [o["ChangeOrderId"] for o in sae_orders(emu, API)["ChangeOrderList"]] == [order_id]
    # The rule is per application: another one may change at the same time.
    other = sae_act(emu, "restartApplication", "RestartApplication", AppId=WORKER)
    assert [(a["operation"], a["job_id"]) for a in emu.metrics()["actions"]] == [("RestartApplication", order_id), ("RestartApplication", other)]

    sae_order_reaches(emu, order_id, 2)
    after = sae_act(emu, "stopApplication", "StopApplication", AppId=API)
    assert sae_order(emu, after)["CoTypeCode"] == "CoStopApplication"


def test_sae_manual_batches_wait_at_status_8_for_confirm_pipeline_batch(emu):
    first = sae_act(emu, "restartApplication", "RestartApplication", AppId=CANARY)
    waiting = sae_order_reaches(emu, first, 8)
    # Seeing 8 at all proves the hold: an automatic order starts its next batch the moment the first one ends.
    assert pipeline_statuses(waiting) == [2, 8] and (waiting["BatchType"], waiting["Auto"]) == ("manual", False)
    assert waiting["CurrentPipelineId"] == waiting["Pipelines"][1]["PipelineId"]
    status = sae_status(emu, CANARY)
    assert (status["LastChangeOrderStatus"], status["LastChangeOrderRunning"], status["RunningInstances"]) == ("WAIT_BATCH_CONFIRM", True, 4)
    assert restarts(emu, CANARY_INSTANCES) == [1, 1, 0, 0]
    held = sae_pipeline(emu, waiting["CurrentPipelineId"])
    assert (held["PipelineStatus"], held["CoStatus"], [t["Status"] for t in held["StageList"][0]["TaskList"]]) == (0, 8, [0, 0])

    done_batch = sae(emu, "GET", "changeorder/ConfirmPipelineBatch", "ConfirmPipelineBatch", PipelineId=waiting["Pipelines"][0]["PipelineId"],
                     Confirm=True)
    assert_alibaba_error(done_batch, 400, "InvalidParameter.WithMessage")
    confirmed = sae(emu, "GET", "changeorder/ConfirmPipelineBatch", "ConfirmPipelineBatch", PipelineId=waiting["CurrentPipelineId"], Confirm=True)
    assert sae_data(confirmed) == {"PipelineId": waiting["CurrentPipelineId"]}
    assert pipeline_statuses(sae_order(emu, first)) == [2, 1]
    assert pipeline_statuses(sae_order_reaches(emu, first, 2)) == [2, 2] and restarts(emu, CANARY_INSTANCES) == [1, 1, 1, 1]

    second = sae_act(emu, "restartApplication", "RestartApplication", AppId=CANARY)
    waiting = sae_order_reaches(emu, second, 8)
    refused = sae(emu, "GET", "changeorder/ConfirmPipelineBatch", "ConfirmPipelineBatch", PipelineId=waiting["CurrentPipelineId"], Confirm=False)
    assert sae_data(refused) == {"PipelineId": waiting["CurrentPipelineId"]}
    ended = sae_order(emu, second)
    assert (ended["Status"], pipeline_statuses(ended)) == (6, [2, 6])
    status = sae_status(emu, CANARY)
    assert (status["LastChangeOrderStatus"], status["LastChangeOrderRunning"]) == ("ABORT", False)
    assert restarts(emu, CANARY_INSTANCES) == [2, 2, 1, 1]
    again = sae(emu, "GET", "changeorder/ConfirmPipelineBatch", "ConfirmPipelineBatch", PipelineId=waiting["CurrentPipelineId"], Confirm=True)
    assert_alibaba_error(again, 400, "InvalidParameter.WithMessage")


def test_sae_orders_of_an_application_requiring_approval_wait_at_status_11(emu):
    order_id = sae_act(emu, "restartApplication", "RestartApplication", AppId=GATED)
    order = sae_order(emu, order_id)
    assert (order["Status"], order["ApprovalId"], pipeline_statuses(order)) == (11, order_id, [0, 0])
    status = sae_status(emu, GATED)
    assert (status["LastChangeOrderStatus"], status["LastChangeOrderRunning"]) == ("WAIT_APPROVAL", True)
    assert_alibaba_error(sae(emu, "PUT", "app/stopApplication", "StopApplication", AppId=GATED), 400, "Application.ChangerOrderRunning")
    assert restarts(emu, GATED_INSTANCES) == [0, 0] and set(sae_instances(emu, GATED).values()) == {(RUNNING, HEALTHY)}

    assert emu.admin("POST", "jobs/%s/confirm" % order_id)["status"] == "running"  # the approval
    done = sae_order_reaches(emu, order_id, 2)
    assert (pipeline_statuses(done), done["ApprovalId"]) == ([2, 2], "")
    assert restarts(emu, GATED_INSTANCES) == [1, 1] and sae_status(emu, GATED)["LastChangeOrderStatus"] == "SUCCESS"

    # A rollback says so in its answer; an approval refused ends the order without touching anything.
    rollback = sae_data(sae(emu, "PUT", "app/rollbackApplication", "RollbackApplication", AppId=GATED,
                            VersionId="7a1b2c3d-0006-4e5f-8a9b-0c1d2e3f4a01"))
    assert rollback["IsNeedApproval"] is True and sae_order(emu, rollback["ChangeOrderId"])["Status"] == 11
    emu.admin("POST", "jobs/%s/confirm" % rollback["ChangeOrderId"], json={"proceed": False})
    assert pipeline_statuses(sae_order_reaches(emu, rollback["ChangeOrderId"], 6)) == [6, 6]
    assert restarts(emu, GATED_INSTANCES) == [1, 1]


# ---- SAE: failures -------------------------------------------------------------------------------------


def test_sae_a_failed_instance_fails_the_order_with_its_message(emu):
    message = "Back-off restarting failed container: OOMKilled"
    emu.add_fault(kind="job_fail", platform="sae", target=WORKER_INSTANCES[1], message=message)  # worker's second batch
    emu.add_fault(kind="job_fail", platform="sae", target=API_INSTANCES[0])  # api's first batch
    late = sae_act(emu, "restartApplication", "RestartApplication", AppId=WORKER)
    early = sae_act(emu, "restartApplication", "RestartApplication", AppId=API)

    order = sae_order_reaches(emu, late, 3)
    assert (order["ErrorMessage"], order["SubStatus"], pipeline_statuses(order)) == (message, 0, [2, 3])
    failed = sae_pipeline(emu, order["Pipelines"][1]["PipelineId"])
    assert (failed["PipelineStatus"], failed["CoStatus"], failed["StageList"][0]["Status"]) == (3, 3, 3)
    task = failed["StageList"][0]["TaskList"][0]
    assert (task["Status"], task["ErrorMessage"], task["TaskId"].endswith(WORKER_INSTANCES[1])) == (3, message, True) and task["ErrorCode"]
    passed = sae_pipeline(emu, order["Pipelines"][0]["PipelineId"])["StageList"][0]["TaskList"]
    assert [(t["Status"], t["ErrorMessage"], t["ErrorCode"]) for t in passed] == [(2, "", "")]
    assert sae_instances(emu, WORKER) == {WORKER_INSTANCES[0]: (RUNNING, HEALTHY), WORKER_INSTANCES[1]: ("Error", "Unhealthy")}
    status = sae_status(emu, WORKER)
    assert (status["LastChangeOrderStatus"], status["LastChangeOrderRunning"], status["RunningInstances"]) == ("FAIL", False, 1)
    assert [o["ChangeOrderId"] for o in sae_orders(emu, WORKER, CoStatus=3)["ChangeOrderList"]] == [late]

    # A failure in the first batch: the second batch never starts.
    order = sae_order_reaches(emu, early, 3)
    assert pipeline_statuses(order) == [3, 6] and order["ErrorMessage"].startswith("restart of " + API_INSTANCES[0])
    assert restarts(emu, API_INSTANCES) == [1, 1, 0]


def test_sae_a_never_healthy_instance_keeps_the_order_running_with_sub_status_1(emu):
    emu.settings(time_factor=0.01)  # a restart batch takes 0.2 s
    emu.add_fault(kind="never_healthy", platform="sae", target=WORKER_INSTANCES[0])
    order_id = sae_act(emu, "restartApplication", "RestartApplication", AppId=WORKER)
    order = eventually(lambda: sae_order(emu, order_id), lambda data: data["SubStatus"] == 1)
    assert (order["Status"], order["ErrorMessage"], pipeline_statuses(order)) == (1, "", [1, 0])
    status = sae_status(emu, WORKER)
    assert (status["SubStatus"], status["LastChangeOrderStatus"], status["LastChangeOrderRunning"]) == ("RUNNING_BUT_HAS_ERROR", "RUNNING", True)
    assert sae_instances(emu, WORKER)[WORKER_INSTANCES[0]] == (RUNNING, "ReadinessUnhealthy")
    task = sae_pipeline(emu, order["Pipelines"][0]["PipelineId"])["StageList"][0]["TaskList"][0]
    assert task["Status"] == 1 and "never became healthy" in task["ErrorMessage"]

    time.sleep(0.5)  # 2.5 batch durations: an order that could go on would have started its second batch
    order = sae_order(emu, order_id)
    assert (order["Status"], order["SubStatus"], pipeline_statuses(order)) == (1, 1, [1, 0]) and restarts(emu, WORKER_INSTANCES) == [1, 0]

    assert sae_data(sae(emu, "PUT", "changeorder/AbortChangeOrder", "AbortChangeOrder", ChangeOrderId=order_id)) == {"ChangeOrderId": order_id}
    order = sae_order(emu, order_id)
    assert (order["Status"], order["SubStatus"]) == (6, 0)
    status = sae_status(emu, WORKER)
    assert (status["SubStatus"], status["LastChangeOrderStatus"], status["LastChangeOrderRunning"]) == ("NORMAL", "ABORT", False)


# ---- SAE: rescale and rollback --------------------------------------------------------------------------


def test_sae_rescale_creates_and_deletes_instances(emu):
    response = sae(emu, "PUT", "app/rescaleApplication", "RescaleApplication", AppId=WORKER, Replicas=4)
    assert "TraceId" not in response.json()  # as the SDK model of this API
    out = sae_data(response)["ChangeOrderId"]
    assert sae_config(emu, WORKER)["Replicas"] == 4
    created = sorted(unit["id"] for unit in emu.admin("GET", "units?app_id=" + WORKER)["units"] if unit["id"] not in WORKER_INSTANCES)
    assert len(created) == 2 and all(instance_id.startswith("worker-") for instance_id in created)
    # One new instance per batch: the first one starts, the second has no pod before its batch.
    listed = sae_instances(emu, WORKER)
    assert sorted(listed.values()) == [("Pending", "NotCheckedYet"), (RUNNING, HEALTHY), (RUNNING, HEALTHY)] and set(listed) < set(WORKER_INSTANCES + created)
    order = sae_order_reaches(emu, out, 2)
    assert (order["CoTypeCode"], [p["ParallelCount"] for p in order["Pipelines"]]) == ("CoScaleOut", [1, 1])
    assert sae_instances(emu, WORKER) == dict.fromkeys(WORKER_INSTANCES + created, (RUNNING, HEALTHY))
    assert sae_status(emu, WORKER)["RunningInstances"] == 4
    assert sae_data(sae(emu, "GET", "app/describeApplicationGroups", "DescribeApplicationGroups", AppId=WORKER))[0]["Replicas"] == 4

    scale_in = sae_act(emu, "rescaleApplication", "RescaleApplication", AppId=WORKER, Replicas=1)
    assert sae_config(emu, WORKER)["Replicas"] == 1
    assert [state for instance_id, state in sorted(sae_instances(emu, WORKER).items()) if instance_id != WORKER_INSTANCES[0]].count(
        ("Terminating", "NotCheckedYet")) == 2  # the newest three go, two in the first batch
    order = sae_order_reaches(emu, scale_in, 2)
    assert (order["CoTypeCode"], [p["ParallelCount"] for p in order["Pipelines"]]) == ("CoScaleIn", [2, 1])
    assert sae_instances(emu, WORKER) == {WORKER_INSTANCES[0]: (RUNNING, HEALTHY)}
    assert [unit["id"] for unit in emu.admin("GET", "units?app_id=" + WORKER)["units"]] == [WORKER_INSTANCES[0]]
    assert sae_status(emu, WORKER)["RunningInstances"] == 1

    # A stopped application only changes its replica count: its new instances stay stopped (and unlisted).
    stopped = sae_act(emu, "rescaleApplication", "RescaleApplication", AppId=BATCH, Replicas=3)
    assert sae_order_reaches(emu, stopped, 2)["CoTypeCode"] == "CoScaleOut"
    assert (sae_status(emu, BATCH)["CurrentStatus"], sae_config(emu, BATCH)["Replicas"], sae_instances(emu, BATCH)) == ("STOPPED", 3, {})
    assert {unit["state"] for unit in emu.admin("GET", "units?app_id=" + BATCH)["units"]} == {"stopped"}

    assert_alibaba_error(sae(emu, "PUT", "app/rescaleApplication", "RescaleApplication", AppId=WORKER, Replicas=-1), 400, "InvalidParameter.WithMessage")
    missing = assert_alibaba_error(sae(emu, "PUT", "app/rescaleApplication", "RescaleApplication", AppId=WORKER), 400, "InvalidParameter.NotEmpty")
    assert missing["Message"] == "You must specify the parameter Replicas."


def test_sae_rollback_changes_the_running_version_only_when_its_order_succeeds(emu):
    emu.settings(time_factor=0.02)  # a rollback batch takes 0.6 s
    versions = sae_data(sae(emu, "GET", "app/listAppVersions", "ListAppVersions", AppId=WEB))
    assert [(v["Id"], v["BuildPackageUrl"]) for v in versions] == [
        ("7a1b2c3d-0001-4e5f-8a9b-0c1d2e3f4a01", WEB_IMAGE % "1.4.2"), ("7a1b2c3d-0001-4e5f-8a9b-0c1d2e3f4a00", WEB_IMAGE % "1.4.1")]
    previous = versions[1]["Id"]
    unknown = sae(emu, "PUT", "app/rollbackApplication", "RollbackApplication", AppId=WEB, VersionId="7a1b2c3d-dead-4e5f-8a9b-0c1d2e3f4a01")
    assert "7a1b2c3d-dead-4e5f-8a9b-0c1d2e3f4a01" in assert_alibaba_error(unknown, 400, "InvalidParameter.WithMessage")["Message"]
    assert sae_orders(emu, WEB)["TotalSize"] == 0

    emu.add_fault(kind="job_fail", platform="sae", target=WEB_INSTANCES[0], count=1)
    failing = sae_data(sae(emu, "PUT", "app/rollbackApplication", "RollbackApplication", AppId=WEB, VersionId=previous))
    assert failing["IsNeedApproval"] is False
    assert sae_order_reaches(emu, failing["ChangeOrderId"], 3)["CoTypeCode"] == "CoRollback"
    assert sae_config(emu, WEB)["ImageUrl"] == WEB_IMAGE % "1.4.2"

    order_id = sae_act(emu, "rollbackApplication", "RollbackApplication", AppId=WEB, VersionId=previous)
    assert sae_config(emu, WEB)["ImageUrl"] == WEB_IMAGE % "1.4.2"  # not before the order is done
    sae_order_reaches(emu, order_id, 2)
    assert sae_config(emu, WEB)["ImageUrl"] == WEB_IMAGE % "1.4.1"
    assert {i["ImageUrl"] for i in sae_instance_views(emu, WEB)} == {WEB_IMAGE % "1.4.1"}
    group = sae_data(sae(emu, "GET", "app/describeApplicationGroups", "DescribeApplicationGroups", AppId=WEB))[0]
    assert (group["PackageVersionId"], group["ImageUrl"]) == (previous, WEB_IMAGE % "1.4.1")
    assert restarts(emu, WEB_INSTANCES) == [2] * 4 + [1] * 4  # the failed order's first batch (4 of 8), then the whole rollback


# ---- SAE: deploys -----------------------------------------------------------------------------------------

FORM = {"content-type": "application/x-www-form-urlencoded"}
API_IMAGE = "registry.cn-hangzhou.aliyuncs.com/demo/api:%s"


def sae_deploy(emulator, form=None, **query):
    """DeployApplication as the SDK sends it: ``query`` in the query, ``form`` (a dict) as the form body, signed over it."""
    body = urlencode(sorted((form or {}).items())).encode()
    return sae_get(emulator, wire_query(query), path="/pop/v1/sam/app/deployApplication", action="DeployApplication", method="POST",
                   body=body, extra_headers=FORM)


def versions_of(emulator, app_id):
    return sae_data(sae(emulator, "GET", "app/listAppVersions", "ListAppVersions", AppId=app_id))


def test_sae_deploy_takes_query_and_form_parameters_and_runs_in_the_strategys_batches(emu):
    emu.settings(time_factor=0.01)  # a deploy batch takes 0.4 s
    image = WEB_IMAGE % "1.5.0"
    strategy = '{"type":"GrayBatchUpdate","batchUpdate":{"batch":2,"releaseType":"auto","batchWaitTime":0},"grayUpdate":{"gray":1}}'
    # ImageUrl and UpdateStrategy in the form body, the rest in the query: the API takes either.
    data = sae_data(sae_deploy(emu, form={"ImageUrl": image, "UpdateStrategy": strategy}, AppId=WEB, PackageType="Image", MinReadyInstances=2))
    assert set(data) == {"AppId", "ChangeOrderId", "IsNeedApproval"} and (data["AppId"], data["IsNeedApproval"]) == (WEB, False)
    # Recorded as a version at once; the configuration moves only when the order succeeds.
    versions = versions_of(emu, WEB)
    assert [(v["BuildPackageUrl"], v["Type"]) for v in versions] == [(image, "image"), (WEB_IMAGE % "1.4.2", "image"), (WEB_IMAGE % "1.4.1", "image")]
    assert int(versions[0]["CreateTime"]) > int(versions[1]["CreateTime"]) > int(versions[2]["CreateTime"])
    assert sae_config(emu, WEB)["ImageUrl"] == WEB_IMAGE % "1.4.2"
    busy = sae_deploy(emu, AppId=WEB, PackageType="Image", ImageUrl=WEB_IMAGE % "1.6.0")
    assert_alibaba_error(busy, 400, "Application.ChangerOrderRunning")
    assert len(versions_of(emu, WEB)) == 3  # a refused deploy records nothing

    order = sae_order_reaches(emu, data["ChangeOrderId"], 2)
    # The canary's one instance first, then the other seven in two batches.
    assert (order["CoTypeCode"], [p["ParallelCount"] for p in order["Pipelines"]]) == ("CoDeploy", [1, 4, 3])
    config = sae_config(emu, WEB)
    assert (config["ImageUrl"], config["MinReadyInstances"], json.loads(config["UpdateStrategy"])) == (image, 2, json.loads(strategy))
    assert {i["ImageUrl"] for i in sae_instance_views(emu, WEB)} == {image}
    listed = sae_data(sae(emu, "GET", "app/listApplications", "ListApplications", NamespaceId=NAMESPACE, AppName="web"))["Applications"]
    assert [(app["ImageUrl"], app["PackageUrl"]) for app in listed] == [(image, "")]
    assert restarts(emu, WEB_INSTANCES) == [1] * 8
    assert [(a["operation"], a["job_id"]) for a in emu.metrics()["actions"]] == [("DeployApplication", data["ChangeOrderId"])]


def test_sae_deploy_of_a_package_and_what_it_refuses(emu):
    emu.settings(time_factor=0.01)
    for query, name in ((dict(AppId=API, PackageType="FatJar", PackageVersion="2.1.0"), "PackageUrl"),
                        (dict(AppId=API, PackageType="FatJar", PackageUrl="https://oss.example.com/api-2.1.0.jar"), "PackageVersion"),
                        (dict(AppId=API, PackageType="Image"), "ImageUrl"),
                        (dict(AppId=API, PackageType="Image", ImageUrl=API_IMAGE % "2.1.0", UpdateStrategy="{not json"), "UpdateStrategy"),
                        (dict(AppId=API, PackageType="Image", ImageUrl=API_IMAGE % "2.1.0", UpdateStrategy='{"type":"GrayBatchUpdate"}'),
                         "UpdateStrategy")):
        assert name in assert_alibaba_error(sae_deploy(emu, **query), 400, "InvalidParameter.WithMessage")["Message"]
    assert_alibaba_error(sae_deploy(emu, PackageType="Image", ImageUrl=API_IMAGE % "2.1.0"), 400, "InvalidParameter.NotEmpty")
    assert emu.metrics()["actions"] == [] and len(versions_of(emu, API)) == 1

    url = "https://oss.example.com/api-2.1.0.jar"
    order_id = sae_data(sae_deploy(emu, AppId=API, PackageType="FatJar", PackageUrl=url, PackageVersion="2.1.0"))["ChangeOrderId"]
    sae_order_reaches(emu, order_id, 2)
    config = sae_config(emu, API)
    assert (config["PackageType"], config["PackageUrl"], config["PackageVersion"], config["ImageUrl"]) == ("FatJar", url, "2.1.0", "")
    assert [(v["Type"], v["WarUrl"]) for v in versions_of(emu, API)][0] == ("url", url)
    assert {(i["PackageVersion"], i["ImageUrl"]) for i in sae_instance_views(emu, API)} == {("2.1.0", "")}


def test_sae_a_failed_deploy_leaves_the_configuration_on_the_old_version_and_the_batches_it_reached_on_the_new(emu):
    broken, unhealthy = API_IMAGE % "2.1.0-rc1", API_IMAGE % "2.1.0-broken"

    def bad_versions(world):
        world["bad_versions"] = [{"version": broken, "kind": "fail_in_batch", "batch": 2, "message": "readiness probe failed"},
                                 {"version": unhealthy, "kind": "never_healthy"}]
    emu.admin("PUT", "world", json=default_world_with(bad_versions))
    emu.settings(time_factor=0.01)
    strategy = '{"type":"BatchUpdate","batchUpdate":{"batch":3,"releaseType":"auto","batchWaitTime":0}}'
    order_id = sae_data(sae_deploy(emu, AppId=API, PackageType="Image", ImageUrl=broken, UpdateStrategy=strategy))["ChangeOrderId"]
    order = sae_order_reaches(emu, order_id, 3)
    assert pipeline_statuses(order) == [2, 3, 6] and order["ErrorMessage"] == "readiness probe failed"
    assert sae_config(emu, API)["ImageUrl"] == API_IMAGE % "2.0.0"
    # Batch 1 deployed, batch 2 failed on the new image, batch 3 never reached.
    assert [(i["InstanceId"], i["ImageUrl"]) for i in sae_instance_views(emu, API)] == [
        (API_INSTANCES[0], broken), (API_INSTANCES[1], broken), (API_INSTANCES[2], API_IMAGE % "2.0.0")]
    assert sae_instances(emu, API)[API_INSTANCES[1]] == ("Error", "Unhealthy")

    previous = versions_of(emu, API)[1]
    assert previous["BuildPackageUrl"] == API_IMAGE % "2.0.0"
    rollback = sae_act(emu, "rollbackApplication", "RollbackApplication", AppId=API, VersionId=previous["Id"])
    sae_order_reaches(emu, rollback, 2)
    assert {i["ImageUrl"] for i in sae_instance_views(emu, API)} == {API_IMAGE % "2.0.0"}
    assert set(sae_instances(emu, API).values()) == {(RUNNING, HEALTHY)}

    # A version that never gets healthy holds its order running with SubStatus 1 until it is aborted.
    held = sae_data(sae_deploy(emu, AppId=API, PackageType="Image", ImageUrl=unhealthy))["ChangeOrderId"]
    order = eventually(lambda: sae_order(emu, held), lambda order: order["SubStatus"] == 1)
    assert order["Status"] == 1 and sae_status(emu, API)["LastChangeOrderRunning"] is True
    sae_data(sae(emu, "PUT", "changeorder/AbortChangeOrder", "AbortChangeOrder", ChangeOrderId=held))
    assert sae_order(emu, held)["Status"] == 6 and sae_config(emu, API)["ImageUrl"] == API_IMAGE % "2.0.0"


# ---- SAE: listing, aborting, errors, rate limit ---------------------------------------------------------


def test_sae_list_change_orders_newest_first_and_abort(emu):
    emu.settings(time_factor=0.02)
    stop = sae_act(emu, "stopApplication", "StopApplication", AppId=WORKER)
    sae_order_reaches(emu, stop, 2)
    start = sae_act(emu, "startApplication", "StartApplication", AppId=WORKER)
    sae_order_reaches(emu, start, 2)
    restart = sae_act(emu, "restartApplication", "RestartApplication", AppId=WORKER)
    aborted = sae(emu, "PUT", "changeorder/AbortChangeOrder", "AbortChangeOrder", ChangeOrderId=restart)
    assert sae_data(aborted) == {"ChangeOrderId": restart}
    assert sae_order(emu, restart)["Status"] == 6
    # The batch already under way finishes; the next one never starts.
    eventually(lambda: pipeline_statuses(sae_order(emu, restart)), lambda statuses: statuses == [2, 6])
    assert restarts(emu, WORKER_INSTANCES) == [1, 0] and sae_status(emu, WORKER)["RunningInstances"] == 2
    again = sae(emu, "PUT", "changeorder/AbortChangeOrder", "AbortChangeOrder", ChangeOrderId=restart)
    assert assert_alibaba_error(again, 400, "Application.ChangerOrder.Not.Running")["Message"] == "The change order is not running and cannot be terminated."

    listed = sae_orders(emu, WORKER)
    assert listed["TotalSize"] == 3 and (listed["CurrentPage"], listed["PageSize"]) == (1, 10)
    assert [(o["ChangeOrderId"], o["Status"], o["CoTypeCode"]) for o in listed["ChangeOrderList"]] == [
        (restart, 6, "CoRestartApplication"), (start, 2, "CoStartApplication"), (stop, 2, "CoStopApplication")]
    assert all(o["FinishTime"] >= o["CreateTime"] for o in listed["ChangeOrderList"])
    assert [o["ChangeOrderId"] for o in sae_orders(emu, WORKER, CoStatus=6)["ChangeOrderList"]] == [restart]
    assert [o["ChangeOrderId"] for o in sae_orders(emu, WORKER, CoType="CoStopApplication")["ChangeOrderList"]] == [stop]
    page = sae_orders(emu, WORKER, CurrentPage=2, PageSize=1)
    assert (page["TotalSize"], page["CurrentPage"], page["PageSize"], [o["ChangeOrderId"] for o in page["ChangeOrderList"]]) == (3, 2, 1, [start])

    assert_alibaba_error(sae(emu, "PUT", "changeorder/AbortChangeOrder", "AbortChangeOrder"), 400, "InvalidParameter.NotEmpty")
    for response in (sae(emu, "PUT", "changeorder/AbortChangeOrder", "AbortChangeOrder", ChangeOrderId="no-such-order"),
                     sae(emu, "GET", "changeorder/DescribeChangeOrder", "DescribeChangeOrder", ChangeOrderId="no-such-order"),
                     sae(emu, "GET", "changeorder/DescribePipeline", "DescribePipeline", PipelineId="no-such-pipeline"),
                     sae(emu, "PUT", "app/restartInstances", "RestartInstances", AppId=WORKER, InstanceIds="worker-no-such-pod")):
        assert_alibaba_error(response, 400, "InvalidParameter.WithMessage")
    missing = sae(emu, "PUT", "app/restartApplication", "RestartApplication", AppId="6f1c2b3a-0000-4000-8000-000000000000")
    assert assert_alibaba_error(missing, 400, "InvalidApplication.NotFound")["Message"] == "The current application does not exist."


def test_sae_rate_limit_refuses_calls_per_user_and_counts_them(emu):
    emu.settings(alibaba_rate_limit_per_minute=3)
    for sts in (False, True, False):  # both keys are the same user's
        sae_data(sae(emu, "GET", "app/describeApplicationStatus", "DescribeApplicationStatus", sts=sts, AppId=WEB))
    refused = [sae(emu, "GET", "app/describeApplicationStatus", "DescribeApplicationStatus", AppId=WEB),
               sae(emu, "GET", "app/describeApplicationStatus", "DescribeApplicationStatus", AppId=WEB, sts=True),
               sae(emu, "PUT", "app/restartApplication", "RestartApplication", AppId=WEB)]
    for response in refused:
        body = assert_alibaba_error(response, 400, "Throttling.User")
        assert body["Message"] == "Request was denied due to user flow control." and 1 <= int(response.headers["x-acs-retry-after"]) <= 60
    assert emu.metrics()["actions"] == [] and emu.unit(WEB_INSTANCES[0])["state"] == "running"  # the refused restart did nothing
    edas_body(edas(emu, "GET", "app/app_status", "QueryApplicationStatus", AppId=ORDERS))  # EDAS has its own quota
    metrics = emu.metrics()
    assert metrics["throttled"] == {"sae:DescribeApplicationStatus": 2, "sae:RestartApplication": 1} and metrics["throttled_total"] == 3
    emu.settings(alibaba_rate_limit_per_minute=None)
    assert sae_status(emu, WEB)["CurrentStatus"] == "RUNNING"


# ---- EDAS ----------------------------------------------------------------------------------------------


EDAS_ACTIONS = {"co_start": "StartApplication", "co_stop": "StopApplication", "co_restart": "RestartApplication"}


def edas_act(emulator, path, app_id, ecc_ids=None):
    """An EDAS action (POST /pop/v5/changeorder/co_*); ``ecc_ids`` None sends no EccInfo (every ECC)."""
    query = {"AppId": app_id}
    if ecc_ids is not None:
        query["EccInfo"] = ",".join(ecc_ids)
    return edas(emulator, "POST", "changeorder/" + path, EDAS_ACTIONS[path], **query)


def edas_order_id(response):
    body = edas_body(response)
    assert set(body) == {"Code", "Message", "RequestId", "ChangeOrderId"} and len(body["ChangeOrderId"]) == 36
    return body["ChangeOrderId"]


def edas_order(emulator, order_id):
    return edas_body(edas(emulator, "POST", "changeorder/change_order_info", "GetChangeOrderInfo", ChangeOrderId=order_id))["changeOrderInfo"]


def edas_order_reaches(emulator, order_id, status, timeout=10.0):
    return eventually(lambda: edas_order(emulator, order_id), lambda info: info["Status"] == status, timeout)


def edas_pipelines(info):
    return info["PipelineInfoList"]["PipelineInfo"]


def edas_tasks(pipeline):
    return pipeline["StageDetailList"]["StageDetailDTO"][0]["TaskList"]["TaskInfoDTO"]


def edas_app(emulator, app_id):
    return edas_body(edas(emulator, "GET", "app/app_status", "QueryApplicationStatus", AppId=app_id))["AppInfo"]


def edas_eccs(emulator, app_id):
    """{EccId: (AppState, TaskState)} from QueryApplicationStatus."""
    return {ecc["EccId"]: (ecc["AppState"], ecc["TaskState"]) for ecc in edas_app(emulator, app_id)["EccList"]["Ecc"]}


def edas_recent(emulator, app_id):
    return edas_body(edas(emulator, "POST", "changeorder/change_order_list", "ListRecentChangeOrder", AppId=app_id))["ChangeOrderList"]["ChangeOrder"]


def test_edas_start_stop_restart_with_and_without_ecc_info(emu):
    before = edas_eccs(emu, ORDERS)
    assert before == {ORDERS_ECCS[0]: (7, 2), ORDERS_ECCS[1]: (7, 2), ORDERS_ECCS[2]: (7, 2), ORDERS_ECCS[3]: (1, 2)}
    restart = edas_order_id(edas_act(emu, "co_restart", ORDERS, ORDERS_ECCS[:2]))
    assert edas_eccs(emu, ORDERS) == dict(before, **dict.fromkeys(ORDERS_ECCS[:2], (3, 1)))  # restarting: health check pending, task processing
    assert edas_app(emu, ORDERS)["Application"]["RunningInstanceCount"] == 1
    running = edas_order(emu, restart)
    assert (running["Status"], edas_pipelines(running)[0]["PipelineStatus"], [t["TaskStatus"] for t in edas_tasks(edas_pipelines(running)[0])]) == (
        1, 1, ["1", "1"])

    info = edas_order_reaches(emu, restart, 2)
    assert (info["ChangeOrderId"], info["CoType"], info["BatchCount"], info["BatchType"], info["Targets"]["Items"]) == (
        restart, "Restart application", 1, "Automatic", ORDERS_ECCS[:2])
    pipeline = edas_pipelines(info)[0]
    assert pipeline["PipelineStatus"] == 2 and pipeline["StageDetailList"]["StageDetailDTO"][0]["StageStatus"] == 2
    assert [(t["TaskStatus"], t["TaskErrorMessage"]) for t in edas_tasks(pipeline)] == [("2", ""), ("2", "")]
    stage = pipeline["StageList"]["StageInfoDTO"][0]
    instances = stage["StageResultDTO"]["InstanceDTOList"]["InstanceDTO"]
    assert stage["Status"] == 2 and [(i["InstanceName"], i["InstanceIp"], i["Status"]) for i in instances] == [
        (ORDERS_ECCS[0], "192.168.0.11", 2), (ORDERS_ECCS[1], "192.168.0.12", 2)]
    steps = instances[0]["InstanceStageDTOList"]["InstanceStageDTO"]
    assert len(steps) == 1 and steps[0]["Status"] == 2 and 0 < steps[0]["StartTime"] < steps[0]["FinishTime"]
    assert edas_eccs(emu, ORDERS) == before

    stop = edas_order_id(edas_act(emu, "co_stop", ORDERS, ORDERS_ECCS[2:3]))
    assert edas_eccs(emu, ORDERS)[ORDERS_ECCS[2]] == (7, 1)  # still serving while it stops
    edas_order_reaches(emu, stop, 2)
    assert edas_eccs(emu, ORDERS)[ORDERS_ECCS[2]] == (1, 2)

    start = edas_order_id(edas_act(emu, "co_start", ORDERS))  # no EccInfo: every ECC of the application
    assert set(edas_eccs(emu, ORDERS).values()) == {(3, 1)}
    assert edas_order_reaches(emu, start, 2)["Targets"]["Items"] == ORDERS_ECCS
    assert set(edas_eccs(emu, ORDERS).values()) == {(7, 2)} and edas_app(emu, ORDERS)["Application"]["RunningInstanceCount"] == 4
    assert emu.metrics()["restarts"] == dict.fromkeys(ORDERS_ECCS[:2], 1)


def test_edas_manual_batches_wait_at_status_8_for_continue_pipeline(emu):
    order_id = edas_order_id(edas_act(emu, "co_restart", BILLING))
    info = edas_order_reaches(emu, order_id, 8)
    pipelines = edas_pipelines(info)
    assert (info["BatchType"], info["BatchCount"], [p["PipelineStatus"] for p in pipelines]) == ("Manual", 2, [2, 8])
    assert [t["TaskStatus"] for t in edas_tasks(pipelines[1])] == ["0", "0"]
    assert restarts(emu, BILLING_ECCS) == [1, 1, 0, 0]
    listed = edas_recent(emu, BILLING)
    assert [(o["ChangeOrderId"], o["Status"], o["BatchType"], o["BatchCount"], o["CoTypeCode"]) for o in listed] == [
        (order_id, 8, "Manual", 2, "CoRestart")]
    edas_business_error(edas_act(emu, "co_stop", BILLING), 500)  # an order waiting for confirmation still runs

    not_waiting = edas(emu, "GET", "changeorder/pipeline_batch_confirm", "ContinuePipeline", PipelineId=pipelines[0]["PipelineId"], Confirm=True)
    edas_business_error(not_waiting, 400)
    confirmed = edas_body(edas(emu, "GET", "changeorder/pipeline_batch_confirm", "ContinuePipeline", PipelineId=pipelines[1]["PipelineId"],
                               Confirm=True))
    assert set(confirmed) == {"Code", "Message", "RequestId"}
    assert [p["PipelineStatus"] for p in edas_pipelines(edas_order(emu, order_id))] == [2, 1]
    info = edas_order_reaches(emu, order_id, 2)
    assert [p["PipelineStatus"] for p in edas_pipelines(info)] == [2, 2] and restarts(emu, BILLING_ECCS) == [1, 1, 1, 1]
    assert emu.metrics()["max_unavailable"] == {BILLING: 2}


def test_edas_a_failure_after_a_successful_batch_is_partial_and_a_failure_alone_is_failed(emu):
    message = "port 8080 never opened"
    emu.add_fault(kind="job_fail", platform="edas", target=BILLING_ECCS[3], message=message)
    emu.add_fault(kind="job_fail", platform="edas", target=ORDERS_ECCS[1])
    partial = edas_order_id(edas_act(emu, "co_stop", BILLING))
    alone = edas_order_id(edas_act(emu, "co_restart", ORDERS, ORDERS_ECCS[1:2]))

    failed = edas_order_reaches(emu, alone, 3)  # nothing succeeded: plain failure
    assert [t["TaskStatus"] for t in edas_tasks(edas_pipelines(failed)[0])] == ["3"] and edas_eccs(emu, ORDERS)[ORDERS_ECCS[1]] == (1, 3)

    waiting = edas_order_reaches(emu, partial, 8)
    edas_body(edas(emu, "GET", "changeorder/pipeline_batch_confirm", "ContinuePipeline", PipelineId=edas_pipelines(waiting)[1]["PipelineId"]))
    info = edas_order_reaches(emu, partial, 7)
    assert info["Desc"] == message and [p["PipelineStatus"] for p in edas_pipelines(info)] == [2, 3]
    tasks = edas_tasks(edas_pipelines(info)[1])
    assert [(t["TaskStatus"], t["TaskErrorMessage"]) for t in tasks] == [("2", ""), ("3", message)] and tasks[1]["TaskErrorCode"]
    instances = edas_pipelines(info)[1]["StageList"]["StageInfoDTO"][0]["StageResultDTO"]["InstanceDTOList"]["InstanceDTO"]
    assert [i["Status"] for i in instances] == [2, 3] and instances[1]["InstanceStageDTOList"]["InstanceStageDTO"][0]["StageMessage"] == message
    assert edas_eccs(emu, BILLING) == {BILLING_ECCS[0]: (1, 2), BILLING_ECCS[1]: (1, 2), BILLING_ECCS[2]: (1, 2), BILLING_ECCS[3]: (1, 3)}
    assert [(o["ChangeOrderId"], o["Status"]) for o in edas_recent(emu, BILLING)] == [(partial, 7)]


def test_edas_business_errors_answer_http_200_and_recent_orders_are_newest_first(emu):
    first = edas_order_id(edas_act(emu, "co_restart", ORDERS, ORDERS_ECCS[:1]))
    busy = edas_business_error(edas_act(emu, "co_start", ORDERS, ORDERS_ECCS[3:]), 500)
    assert first in busy["Message"]
    assert edas_eccs(emu, ORDERS)[ORDERS_ECCS[3]] == (1, 2)  # the refused start changed nothing
    unknown_ecc = edas_business_error(edas_act(emu, "co_restart", ORDERS, [ORDERS_ECCS[1], "e1c2c3c4-0000-4000-8000-00000000dead"]), 400)
    assert "e1c2c3c4-0000-4000-8000-00000000dead" in unknown_ecc["Message"] and ORDERS_ECCS[1] not in unknown_ecc["Message"]
    edas_business_error(edas(emu, "POST", "changeorder/change_order_info", "GetChangeOrderInfo", ChangeOrderId="no-such-order"), 400)
    # An unknown application is a gateway-style error with an HTTP error status (also UNVERIFIED).
    assert_alibaba_error(edas_act(emu, "co_restart", "3616cdca-0000-4000-8000-000000000000"), 400, "InvalidAppId.NotFound")

    aborted = edas_body(edas(emu, "PUT", "changeorder/change_order_abort", "AbortChangeOrder", ChangeOrderId=first))
    assert aborted["Data"] == {"ChangeOrderId": first} and aborted["TraceId"]
    assert edas_order(emu, first)["Status"] == 6
    edas_business_error(edas(emu, "PUT", "changeorder/change_order_abort", "AbortChangeOrder", ChangeOrderId=first), 400)

    second = edas_order_id(edas_act(emu, "co_stop", ORDERS, ORDERS_ECCS[2:3]))
    edas_order_reaches(emu, second, 2)
    recent = edas_recent(emu, ORDERS)
    assert [(o["ChangeOrderId"], o["Status"], o["CoTypeCode"], o["AppId"], o["GroupId"]) for o in recent] == [
        (second, 2, "CoStop", ORDERS, ORDERS_GROUP), (first, 6, "CoRestart", ORDERS, ORDERS_GROUP)]
    assert all(o["FinishTime"] >= o["CreateTime"] and o["Source"] == "pop" for o in recent)
