# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The official SAE (alibabacloud-sae20190506) and EDAS (alibabacloud-edas20170801) product clients run the
collection's APIs against the emulator unchanged, with their default ACS3 signing, permanent and STS keys.

This proves the emulator's SAE and EDAS actions and change orders speak the real protocol, field names and
envelopes, independent of the collection's own client.
"""

from __future__ import annotations

import time

import pytest
from alibabacloud_edas20170801 import models as edas_models
from alibabacloud_edas20170801.client import Client as EdasClient
from alibabacloud_sae20190506 import models as sae_models
from alibabacloud_sae20190506.client import Client as SaeClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config, OpenApiRequest, Params
from darabonba.runtime import RuntimeOptions

from ansible_collections.paas.ops.tests.emulator.test_emulator_sdks import lost_fields

NAMESPACE = "cn-hangzhou:demo"
WEB, API, WORKER, BATCH = ("6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a0%d" % n for n in (1, 2, 3, 4))
ORDERS = "3616cdca-4f92-4413-8c58-0000000000a1"
ECC1, ECC4 = "e1c2c3c4-0000-4000-8000-000000000001", "e1c2c3c4-0000-4000-8000-000000000004"
PERMANENT = {"access_key_id": "LTAIdemoAccessKeyId01", "access_key_secret": "demoAlibabaAccessKeySecret01"}
STS = {"access_key_id": "STS.demoStsAccessKeyId01", "access_key_secret": "demoStsAccessKeySecret01", "security_token": "demoStsSecurityToken01"}
NO_RETRIES = RuntimeOptions(autoretry=False, max_attempts=0, read_timeout=5000, connect_timeout=5000)


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def config(emulator, credentials):
    """The SDKs' default signature algorithm (ACS3-HMAC-SHA256): ``signature_algorithm`` is left unset."""
    return Config(endpoint=emulator.url.split("://", 1)[1], protocol="http", region_id="cn-hangzhou", read_timeout=5000,
                  connect_timeout=5000, **credentials)


def sae_client(emulator, credentials=None):
    return SaeClient(config(emulator, credentials or PERMANENT))


def edas_client(emulator, credentials=None):
    return EdasClient(config(emulator, credentials or PERMANENT))


def eventually(read, done, timeout=15.0):
    """Poll ``read`` until ``done(value)``; return the value (the emulator runs at time factor 0.05)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in %.0f s; last value: %r" % (timeout, value))
        time.sleep(0.2)


def sae_order(client, order_id):
    return client.describe_change_order_with_options(sae_models.DescribeChangeOrderRequest(change_order_id=order_id), {}, NO_RETRIES).body


def sae_status(client, app_id):
    return client.describe_application_status_with_options(sae_models.DescribeApplicationStatusRequest(app_id=app_id), {}, NO_RETRIES).body.data


def edas_order(client, order_id):
    return client.get_change_order_info_with_options(edas_models.GetChangeOrderInfoRequest(change_order_id=order_id), {}, NO_RETRIES).body


def edas_eccs(client):
    body = client.query_application_status_with_options(edas_models.QueryApplicationStatusRequest(app_id=ORDERS), {}, NO_RETRIES).body
    return {ecc.ecc_id: (ecc.app_state, ecc.task_state) for ecc in body.app_info.ecc_list.ecc}


@pytest.mark.parametrize("credentials", [PERMANENT, STS], ids=["ak", "sts"])
def test_sae_sdk_batch_stop_and_start_with_change_orders(emulator_clean, credentials):
    client = sae_client(emulator_clean, credentials)
    stop = client.batch_stop_applications_with_options(
        sae_models.BatchStopApplicationsRequest(namespace_id=NAMESPACE, app_ids="%s,%s" % (WEB, API)), {}, NO_RETRIES).body
    assert stop.success is True and stop.code == "200" and stop.data.change_order_id
    order = eventually(lambda: sae_order(client, stop.data.change_order_id), lambda body: body.data.status == 2)
    assert order.data.co_type_code == "CoBatchStopApplication" and order.data.app_id == WEB
    assert [pipeline.status for pipeline in order.data.pipelines] == [2, 2]
    assert (sae_status(client, WEB).current_status, sae_status(client, API).current_status) == ("STOPPED", "STOPPED")

    start = client.batch_start_applications_with_options(
        sae_models.BatchStartApplicationsRequest(namespace_id=NAMESPACE, app_ids="%s,%s" % (WEB, API)), {}, NO_RETRIES).body
    eventually(lambda: sae_order(client, start.data.change_order_id), lambda body: body.data.status == 2)
    status = sae_status(client, WEB)
    assert (status.current_status, status.running_instances, status.last_change_order_id) == ("RUNNING", 8, start.data.change_order_id)
    assert status.last_change_order_running is False and status.last_change_order_status == "SUCCESS"


@pytest.mark.parametrize("credentials", [PERMANENT, STS], ids=["ak", "sts"])
def test_sae_sdk_restart_application_and_instances(emulator_clean, credentials):
    client = sae_client(emulator_clean, credentials)
    restart = client.restart_application_with_options(sae_models.RestartApplicationRequest(app_id=API), {}, NO_RETRIES).body
    assert restart.data.change_order_id
    # One change order per application: the second action collides while the first runs.
    with pytest.raises(ClientException) as collision:
        client.restart_application_with_options(sae_models.RestartApplicationRequest(app_id=API), {}, NO_RETRIES)
    # SAE's envelope: the SDK's code is the body's Code; the operation's code is only in ErrorCode (deploy-and-paging-apis.md 6).
    assert (collision.value.code, collision.value.data["ErrorCode"], collision.value.status_code) == ("400", "Application.ChangerOrderRunning", 400)
    assert collision.value.data["RequestId"]
    eventually(lambda: sae_order(client, restart.data.change_order_id), lambda body: body.data.status == 2)

    groups = client.describe_application_groups_with_options(sae_models.DescribeApplicationGroupsRequest(app_id=API), {}, NO_RETRIES).body
    instances = client.describe_application_instances_with_options(
        sae_models.DescribeApplicationInstancesRequest(app_id=API, group_id=groups.data[0].group_id, current_page=1, page_size=2),
        {}, NO_RETRIES).body.data
    assert (instances.total_size, len(instances.instances)) == (3, 2)
    assert {(i.instance_container_status, i.instance_health_status) for i in instances.instances} == {("Running", "Healthy")}

    chosen = instances.instances[0].instance_id
    restarted = client.restart_instances_with_options(sae_models.RestartInstancesRequest(app_id=API, instance_ids=chosen), {}, NO_RETRIES).body
    order = eventually(lambda: sae_order(client, restarted.data.change_order_id), lambda body: body.data.status == 2)
    assert order.data.co_type_code == "CoRestartInstances" and len(order.data.pipelines) == 1
    assert emulator_clean.metrics()["restarts"][chosen] == 2  # the application restart, then this one


def test_sae_sdk_sees_an_unknown_application(emulator_clean):
    with pytest.raises(ClientException) as failure:
        sae_status(sae_client(emulator_clean), "6f1c2b3a-0000-4000-8000-000000000000")
    assert (failure.value.code, failure.value.data["ErrorCode"]) == ("400", "InvalidApplication.NotFound")
    assert failure.value.data["Message"] == "The current application does not exist."


@pytest.mark.parametrize("credentials", [PERMANENT, STS], ids=["ak", "sts"])
def test_edas_sdk_restart_with_change_order_info(emulator_clean, credentials):
    client = edas_client(emulator_clean, credentials)
    assert edas_eccs(client)[ECC1] == (7, 2) and edas_eccs(client)[ECC4] == (1, 2)
    restart = client.restart_application_with_options(edas_models.RestartApplicationRequest(app_id=ORDERS, ecc_info=ECC1), {}, NO_RETRIES).body
    assert restart.code == 200 and restart.change_order_id
    assert edas_eccs(client)[ECC1] == (3, 1)  # restarting: health check not passing yet, task processing
    info = eventually(lambda: edas_order(client, restart.change_order_id), lambda body: body.change_order_info.status == 2)
    pipeline = info.change_order_info.pipeline_info_list.pipeline_info[0]
    tasks = pipeline.stage_detail_list.stage_detail_dto[0].task_list.task_info_dto
    instances = pipeline.stage_list.stage_info_dto[0].stage_result_dto.instance_dtolist.instance_dto
    assert (pipeline.pipeline_status, [task.task_status for task in tasks], [instance.instance_name for instance in instances]) == (2, ["2"], [ECC1])
    assert info.change_order_info.change_order_id == restart.change_order_id and info.change_order_info.batch_type == "Automatic"
    assert edas_eccs(client)[ECC1] == (7, 2)


def test_edas_sdk_start_and_stop_all_eccs(emulator_clean):
    client = edas_client(emulator_clean, STS)
    start = client.start_application_with_options(edas_models.StartApplicationRequest(app_id=ORDERS, ecc_info=ECC4), {}, NO_RETRIES).body
    eventually(lambda: edas_order(client, start.change_order_id), lambda body: body.change_order_info.status == 2)
    stop = client.stop_application_with_options(edas_models.StopApplicationRequest(app_id=ORDERS), {}, NO_RETRIES).body
    eventually(lambda: edas_order(client, stop.change_order_id), lambda body: body.change_order_info.status == 2)
    assert set(edas_eccs(client).values()) == {(1, 2)}
    recent = client.list_recent_change_order_with_options(edas_models.ListRecentChangeOrderRequest(app_id=ORDERS), {}, NO_RETRIES).body
    assert [order.change_order_id for order in recent.change_order_list.change_order] == [stop.change_order_id, start.change_order_id]


def raw_body(client, action, method, path, query, version):
    """The response body as sent, through the client's own generic call (same signing, no model)."""
    params = Params(action=action, version=version, protocol="HTTP", pathname=path, method=method, auth_type="AK", style="ROA",
                    req_body_type="json", body_type="json")
    return client.call_api(params, OpenApiRequest(query=query), NO_RETRIES)["body"]


def test_the_sdk_models_keep_every_field_the_emulator_sends(emulator_clean):
    """A field or type the SDK model does not know would be dropped by ``from_map``: the emulator sends only real ones."""
    sae, edas = sae_client(emulator_clean), edas_client(emulator_clean)
    sae_id = sae.restart_application_with_options(sae_models.RestartApplicationRequest(app_id=WORKER), {}, NO_RETRIES).body.data.change_order_id
    edas_id = edas.restart_application_with_options(edas_models.RestartApplicationRequest(app_id=ORDERS, ecc_info=ECC1), {}, NO_RETRIES).body.change_order_id
    order = eventually(lambda: sae_order(sae, sae_id), lambda body: body.data.status == 2)
    eventually(lambda: edas_order(edas, edas_id), lambda body: body.change_order_info.status == 2)
    group_id = sae.describe_application_groups_with_options(sae_models.DescribeApplicationGroupsRequest(app_id=WORKER), {}, NO_RETRIES).body.data[0].group_id
    reads = [
        (sae, "DescribeChangeOrder", "GET", "/pop/v1/sam/changeorder/DescribeChangeOrder", {"ChangeOrderId": sae_id},
         sae_models.DescribeChangeOrderResponseBody),
        (sae, "DescribePipeline", "GET", "/pop/v1/sam/changeorder/DescribePipeline", {"PipelineId": order.data.pipelines[0].pipeline_id},
         sae_models.DescribePipelineResponseBody),
        (sae, "ListChangeOrders", "GET", "/pop/v1/sam/changeorder/ListChangeOrders", {"AppId": WORKER}, sae_models.ListChangeOrdersResponseBody),
        (sae, "DescribeApplicationStatus", "GET", "/pop/v1/sam/app/describeApplicationStatus", {"AppId": WORKER},
         sae_models.DescribeApplicationStatusResponseBody),
        (sae, "DescribeApplicationGroups", "GET", "/pop/v1/sam/app/describeApplicationGroups", {"AppId": WORKER},
         sae_models.DescribeApplicationGroupsResponseBody),
        (sae, "DescribeApplicationInstances", "GET", "/pop/v1/sam/app/describeApplicationInstances", {"AppId": WORKER, "GroupId": group_id},
         sae_models.DescribeApplicationInstancesResponseBody),
        (sae, "ListAppVersions", "GET", "/pop/v1/sam/app/listAppVersions", {"AppId": WEB}, sae_models.ListAppVersionsResponseBody),
        (sae, "ListApplications", "GET", "/pop/v1/sam/app/listApplications", {"NamespaceId": NAMESPACE}, sae_models.ListApplicationsResponseBody),
        (sae, "DescribeApplicationConfig", "GET", "/pop/v1/sam/app/describeApplicationConfig", {"AppId": WEB},
         sae_models.DescribeApplicationConfigResponseBody),
        (edas, "ListApplication", "POST", "/pop/v5/app/app_list", {}, edas_models.ListApplicationResponseBody),
        (edas, "QueryApplicationStatus", "GET", "/pop/v5/app/app_status", {"AppId": ORDERS}, edas_models.QueryApplicationStatusResponseBody),
        (edas, "GetChangeOrderInfo", "POST", "/pop/v5/changeorder/change_order_info", {"ChangeOrderId": edas_id},
         edas_models.GetChangeOrderInfoResponseBody),
        (edas, "ListRecentChangeOrder", "POST", "/pop/v5/changeorder/change_order_list", {"AppId": ORDERS},
         edas_models.ListRecentChangeOrderResponseBody),
    ]
    for client, action, method, path, query, model in reads:
        version = "2019-05-06" if client is sae else "2017-08-01"
        sent = raw_body(client, action, method, path, query, version)
        assert lost_fields(sent, model().from_map(sent).to_map()) == [], action
