# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The official SAE (alibabacloud-sae20190506 2.11.2) and EDAS (alibabacloud-edas20170801 2.0.0) clients run
unchanged against the emulator's actions and change orders, with their default ACS3 signing and both an
AccessKey and STS credentials.

Why: the emulator is only worth testing the collection against if the vendors' own clients accept what it
sends. Every SDK call here goes through ``call()``, which also checks that the SDK's response model keeps
every field of the raw body (a field or type the model does not know would be dropped by ``from_map``) and
that the body's RequestId is the ``x-acs-request-id`` header. The shared emulator runs at time factor 0.05,
so a 20 s restart batch takes 1 s; the whole file runs in well under 30 s.
"""

from __future__ import annotations

import copy
import json
import time

import pytest
from alibabacloud_edas20170801 import models as edas_models
from alibabacloud_edas20170801.client import Client as EdasClient
from alibabacloud_sae20190506 import models as sae_models
from alibabacloud_sae20190506.client import Client as SaeClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from darabonba.policy.retry import RetryOptions
from darabonba.runtime import RuntimeOptions

from ansible_collections.paas.ops.tests.emulator.test_emulator_sdks import lost_fields

# From tests/emulator/worlds/default.yml.
NAMESPACE = "cn-hangzhou:demo"
WEB, API, WORKER = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01", "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a02", "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a03"
API_INSTANCES = ["api-5c8d7e6f4-a1b2c", "api-5c8d7e6f4-d3e4f", "api-5c8d7e6f4-g5h6j"]
ORDERS, BILLING = "3616cdca-4f92-4413-8c58-0000000000a1", "3616cdca-4f92-4413-8c58-0000000000a2"
ORDERS_ECCS = ["e1c2c3c4-0000-4000-8000-00000000000%d" % n for n in (1, 2, 3, 4)]
BILLING_ECCS = ["e2c2c3c4-0000-4000-8000-00000000000%d" % n for n in (1, 2, 3, 4)]
PERMANENT = {"access_key_id": "LTAIdemoAccessKeyId01", "access_key_secret": "demoAlibabaAccessKeySecret01"}
STS = {"access_key_id": "STS.demoStsAccessKeyId01", "access_key_secret": "demoStsAccessKeySecret01", "security_token": "demoStsSecurityToken01"}
NO_RETRIES = RuntimeOptions(autoretry=False, max_attempts=0, read_timeout=5000, connect_timeout=5000)


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    """The SDKs' HTTP layer reads proxy variables; 127.0.0.1 must stay direct."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


class Recording:
    """Wraps a client's ``call_api`` (every ``*_with_options`` method goes through it) to keep the raw answers."""

    def __init__(self, client):
        self.answers = []
        original = client.call_api

        def call_api(params, request, runtime):
            result = original(params, request, runtime)
            self.answers.append((params.action, copy.deepcopy(result["body"]), dict(result["headers"])))
            return result
        client.call_api = call_api


def client_for(client_class, emulator, credentials):
    """A product client with the SDK's default signature algorithm (ACS3-HMAC-SHA256), short timeouts, no retries."""
    config = Config(endpoint=emulator.url.split("://", 1)[1], protocol="http", region_id="cn-hangzhou", read_timeout=5000,
                    connect_timeout=5000, retry_options=RetryOptions({"retryable": False}), **credentials)
    client = client_class(config)
    client.recording = Recording(client)
    return client


def call(client, name, **fields):
    """``client.<name>_with_options(<Name>Request(**fields), {}, NO_RETRIES).body``, checking model and request id."""
    models = sae_models if isinstance(client, SaeClient) else edas_models
    request = getattr(models, "".join(part.capitalize() for part in name.split("_")) + "Request")(**fields)
    response = getattr(client, name + "_with_options")(request, {}, NO_RETRIES)
    action, raw, headers = client.recording.answers[-1]
    assert lost_fields(raw, response.body.to_map()) == [], "%s: the SDK model dropped fields" % action
    assert response.status_code == 200 and raw["RequestId"] == headers["x-acs-request-id"] == response.body.request_id
    return response.body


def eventually(read, done, timeout=10.0):
    """Poll ``read`` until ``done(value)`` and return the value; fail with the last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in %.0f s; last value: %r" % (timeout, value.to_map()))
        time.sleep(0.1)


def sae_order(client, order_id):
    return call(client, "describe_change_order", change_order_id=order_id).data


def sae_order_ends(client, order_id, status=2):
    return eventually(lambda: sae_order(client, order_id), lambda order: order.status == status)


def sae_instances(client, app_id):
    """DescribeApplicationInstances of the application's group (DescribeApplicationGroups names it) as {id: (container, health)}."""
    groups = call(client, "describe_application_groups", app_id=app_id).data
    assert [group.group_id for group in groups] == [app_id + "-group"]
    data = call(client, "describe_application_instances", app_id=app_id, group_id=groups[0].group_id, current_page=1, page_size=50).data
    assert data.total_size == len(data.instances)
    return {i.instance_id: (i.instance_container_status, i.instance_health_status) for i in data.instances}


def edas_order(client, order_id):
    body = call(client, "get_change_order_info", change_order_id=order_id)
    assert body.code == 200
    return body.change_order_info


def edas_order_ends(client, order_id, status=2):
    return eventually(lambda: edas_order(client, order_id), lambda info: info.status == status)


def edas_eccs(client, app_id):
    """QueryApplicationStatus: {EccId: (AppState, TaskState)}."""
    return {ecc.ecc_id: (ecc.app_state, ecc.task_state) for ecc in call(client, "query_application_status", app_id=app_id).app_info.ecc_list.ecc}


# ---- SAE ------------------------------------------------------------------------------------------------


def test_sae_batch_stop_and_start_of_three_applications_in_one_order_each(emu):
    client = client_for(SaeClient, emu, PERMANENT)
    apps = "%s,%s,%s" % (WEB, API, WORKER)
    stop = call(client, "batch_stop_applications", namespace_id=NAMESPACE, app_ids=apps)
    assert (stop.code, stop.message, stop.success) == ("200", "success", True) and len(stop.data.change_order_id) == 36
    stopped = sae_order_ends(client, stop.data.change_order_id)
    # One order, each application in its own 2 batches: batch 1 = 4 web + 2 api + 1 worker, batch 2 = 4 + 1 + 1.
    assert (stopped.co_type_code, stopped.batch_count, stopped.batch_type) == ("CoBatchStopApplication", 2, "auto")
    assert [(p.status, p.parallel_count) for p in stopped.pipelines] == [(2, 7), (2, 6)]
    for app_id in (WEB, API, WORKER):
        status = call(client, "describe_application_status", app_id=app_id).data
        assert (status.current_status, status.running_instances, status.last_change_order_id) == ("STOPPED", 0, stop.data.change_order_id)
        assert (status.last_change_order_status, status.last_change_order_running) == ("SUCCESS", False)
    assert sae_instances(client, WEB) == {}  # a stopped application has no pods to list

    start = call(client, "batch_start_applications", namespace_id=NAMESPACE, app_ids=apps)
    assert start.data.change_order_id not in ("", stop.data.change_order_id)
    started = sae_order_ends(client, start.data.change_order_id)
    assert started.co_type_code == "CoBatchStartApplication" and [p.status for p in started.pipelines] == [2, 2]
    assert [call(client, "describe_application_status", app_id=app_id).data.running_instances for app_id in (WEB, API, WORKER)] == [8, 3, 2]
    web = sae_instances(client, WEB)
    assert len(web) == 8 and set(web.values()) == {("Running", "Healthy")}
    assert emu.metrics()["max_unavailable"] == {WEB: 8, API: 3, WORKER: 2}  # everything stopped in between


def test_sae_restart_flow_with_sts_credentials(emu):
    client = client_for(SaeClient, emu, STS)
    assert sae_instances(client, API) == dict.fromkeys(API_INSTANCES, ("Running", "Healthy"))
    restart = call(client, "restart_application", app_id=API)
    order_id = restart.data.change_order_id
    # While it runs: the first batch (2 of 3 instances) restarts, and a second order for the application is refused.
    assert sorted(sae_instances(client, API).values()) == [("PodInitializing", "NotCheckedYet")] * 2 + [("Running", "Healthy")]
    status = call(client, "describe_application_status", app_id=API).data
    assert (status.last_change_order_id, status.last_change_order_running, status.last_change_order_status) == (order_id, True, "RUNNING")
    with pytest.raises(ClientException) as collision:
        call(client, "restart_application", app_id=API)
    # SAE's envelope: the SDK's code is the body's Code ("400"); the operation's code is only in ErrorCode (deploy-and-paging-apis.md 6).
    assert (collision.value.status_code, collision.value.code, collision.value.data["ErrorCode"]) == (400, "400", "Application.ChangerOrderRunning")
    assert collision.value.request_id and collision.value.request_id == collision.value.data["RequestId"]
    assert collision.value.data["Message"] == "An application change process is in progress. Please try again later."

    order = sae_order_ends(client, order_id)
    assert (order.change_order_id, order.app_id, order.app_name, order.co_type_code) == (order_id, API, "api", "CoRestartApplication")
    assert [p.status for p in order.pipelines] == [2, 2] and order.sub_status == 0 and order.error_message == ""
    assert sae_instances(client, API) == dict.fromkeys(API_INSTANCES, ("Running", "Healthy"))

    chosen = API_INSTANCES[1]
    one = call(client, "restart_instances", app_id=API, instance_ids=chosen).data.change_order_id
    assert sae_instances(client, API)[chosen] == ("PodInitializing", "NotCheckedYet")
    order = sae_order_ends(client, one)
    assert (order.co_type_code, [p.parallel_count for p in order.pipelines]) == ("CoRestartInstances", [1])
    assert {i: emu.metrics()["restarts"][i] for i in API_INSTANCES} == {API_INSTANCES[0]: 1, chosen: 2, API_INSTANCES[2]: 1}
    assert call(client, "describe_application_status", app_id=API).data.last_change_order_id == one

    with pytest.raises(ClientException) as unknown:
        call(client, "restart_application", app_id="6f1c2b3a-0000-4000-8000-000000000000")
    # SAE's envelope: the SDK's code is the body's Code ("400"); the operation's code is only in ErrorCode (deploy-and-paging-apis.md 6).
    assert (unknown.value.status_code, unknown.value.code, unknown.value.data["ErrorCode"]) == (400, "400", "InvalidApplication.NotFound")
    assert unknown.value.request_id == unknown.value.data["RequestId"] and unknown.value.data["Message"] == "The current application does not exist."
    # The STS key is accepted on every call: the emulator logged each action under its order.
    assert [(a["operation"], a["job_id"]) for a in emu.metrics()["actions"]] == [("RestartApplication", order_id), ("RestartInstances", one)]


def test_sae_deploy_application_of_a_new_image_takes_effect(emu):
    """DeployApplication as the SDK sends it (query parameters and an empty form body, signed over that body), followed to
    its end: DescribeApplicationConfig, ListApplications, the instances and ListAppVersions then show the new image."""
    client = client_for(SaeClient, emu, PERMANENT)
    image = "registry.cn-hangzhou.aliyuncs.com/demo/api:2.1.0"
    before = call(client, "describe_application_config", app_id=API).data
    assert (before.image_url, before.package_type) == ("registry.cn-hangzhou.aliyuncs.com/demo/api:2.0.0", "Image")
    strategy = '{"type":"BatchUpdate","batchUpdate":{"batch":3,"releaseType":"auto","batchWaitTime":0}}'
    deploy = call(client, "deploy_application", app_id=API, package_type="Image", image_url=image, update_strategy=strategy,
                  min_ready_instances=1)
    assert (deploy.code, deploy.success, deploy.data.app_id, deploy.data.is_need_approval) == ("200", True, API, False)
    # While it runs the configuration still names the old image: it moves when the order succeeds.
    assert call(client, "describe_application_config", app_id=API).data.image_url == before.image_url
    order = sae_order_ends(client, deploy.data.change_order_id)
    assert (order.co_type_code, order.batch_count, [p.parallel_count for p in order.pipelines]) == ("CoDeploy", 3, [1, 1, 1])
    after = call(client, "describe_application_config", app_id=API).data
    assert (after.image_url, after.min_ready_instances, json.loads(after.update_strategy)) == (image, 1, json.loads(strategy))
    listed = call(client, "list_applications", namespace_id=NAMESPACE, app_name="api").data.applications
    assert [(app.app_id, app.image_url) for app in listed] == [(API, image)]
    groups = call(client, "describe_application_groups", app_id=API).data
    instances = call(client, "describe_application_instances", app_id=API, group_id=groups[0].group_id).data.instances
    assert {instance.image_url for instance in instances} == {image}
    versions = call(client, "list_app_versions", app_id=API).data
    assert [version.build_package_url for version in versions] == [image, before.image_url]
    assert int(versions[0].create_time) > int(versions[1].create_time)
    (logged,) = emu.metrics()["actions"]
    assert (logged["operation"], logged["job_id"]) == ("DeployApplication", deploy.data.change_order_id)


# ---- EDAS -----------------------------------------------------------------------------------------------


def test_edas_restart_stop_and_start_with_change_order_info(emu):
    client = client_for(EdasClient, emu, PERMANENT)
    assert edas_eccs(client, ORDERS) == {ORDERS_ECCS[0]: (7, 2), ORDERS_ECCS[1]: (7, 2), ORDERS_ECCS[2]: (7, 2), ORDERS_ECCS[3]: (1, 2)}
    restart = call(client, "restart_application", app_id=ORDERS, ecc_info=",".join(ORDERS_ECCS[:2]))
    assert (restart.code, restart.message) == (200, "success") and len(restart.change_order_id) == 36
    assert edas_eccs(client, ORDERS) == {ORDERS_ECCS[0]: (3, 1), ORDERS_ECCS[1]: (3, 1), ORDERS_ECCS[2]: (7, 2), ORDERS_ECCS[3]: (1, 2)}
    busy = call(client, "start_application", app_id=ORDERS, ecc_info=ORDERS_ECCS[3])  # EDAS answers a collision in the body
    assert (busy.code, busy.change_order_id) == (500, None) and restart.change_order_id in busy.message

    info = edas_order_ends(client, restart.change_order_id)
    assert (info.change_order_id, info.co_type, info.batch_count, info.batch_type) == (restart.change_order_id, "Restart application", 1, "Automatic")
    assert info.targets.items == ORDERS_ECCS[:2]
    pipeline = info.pipeline_info_list.pipeline_info[0]
    tasks = pipeline.stage_detail_list.stage_detail_dto[0].task_list.task_info_dto
    instances = pipeline.stage_list.stage_info_dto[0].stage_result_dto.instance_dtolist.instance_dto
    assert pipeline.pipeline_status == 2 and [task.task_status for task in tasks] == ["2", "2"]
    assert [(i.instance_name, i.instance_ip, i.status) for i in instances] == [(ORDERS_ECCS[0], "192.168.0.11", 2), (ORDERS_ECCS[1], "192.168.0.12", 2)]
    stage = instances[0].instance_stage_dtolist.instance_stage_dto[0]
    assert 0 < stage.start_time < stage.finish_time
    assert edas_eccs(client, ORDERS)[ORDERS_ECCS[0]] == (7, 2)

    stop = call(client, "stop_application", app_id=ORDERS, ecc_info=ORDERS_ECCS[2]).change_order_id
    assert edas_eccs(client, ORDERS)[ORDERS_ECCS[2]] == (7, 1)  # still serving, task processing
    edas_order_ends(client, stop)
    assert edas_eccs(client, ORDERS)[ORDERS_ECCS[2]] == (1, 2)
    start = call(client, "start_application", app_id=ORDERS).change_order_id  # no EccInfo: every ECC
    assert set(edas_eccs(client, ORDERS).values()) == {(3, 1)}
    assert edas_order_ends(client, start).targets.items == ORDERS_ECCS
    assert set(edas_eccs(client, ORDERS).values()) == {(7, 2)}
    application = call(client, "query_application_status", app_id=ORDERS).app_info.application
    assert (application.instance_count, application.running_instance_count) == (4, 4)
    recent = call(client, "list_recent_change_order", app_id=ORDERS).change_order_list.change_order
    assert [(o.change_order_id, o.co_type_code, o.status) for o in recent] == [
        (start, "CoStart", 2), (stop, "CoStop", 2), (restart.change_order_id, "CoRestart", 2)]


def test_edas_manual_batches_with_sts_credentials(emu):
    client = client_for(EdasClient, emu, STS)
    order_id = call(client, "restart_application", app_id=BILLING).change_order_id
    info = edas_order_ends(client, order_id, status=8)
    pipelines = info.pipeline_info_list.pipeline_info
    assert (info.batch_type, info.batch_count, [p.pipeline_status for p in pipelines]) == ("Manual", 2, [2, 8])
    assert edas_eccs(client, BILLING) == dict.fromkeys(BILLING_ECCS, (7, 2))
    assert sorted(emu.metrics()["restarts"]) == BILLING_ECCS[:2]  # the second batch waits for its confirmation
    assert call(client, "continue_pipeline", pipeline_id=pipelines[1].pipeline_id, confirm=True).code == 200
    info = edas_order_ends(client, order_id)
    assert [p.pipeline_status for p in info.pipeline_info_list.pipeline_info] == [2, 2]
    assert emu.metrics()["restarts"] == dict.fromkeys(BILLING_ECCS, 1)
    assert emu.metrics()["max_unavailable"] == {BILLING: 2}
