# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The official vendor SDKs sign and send requests that the emulator accepts, and a wrong secret is rejected.

This is the proof that the emulator speaks the real protocols, independent of the collection's code.
The SDKs are test-only dependencies (pinned with the other development dependencies).
Every client gets short timeouts and no retries, and proxies are bypassed for 127.0.0.1.
"""

from __future__ import annotations

import json
import time
import types
import warnings

import pytest
from alibabacloud_tea_openapi.client import Client as AlibabaClient
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException
from alibabacloud_tea_openapi.models import Config as AlibabaConfig
from alibabacloud_tea_openapi.models import OpenApiRequest, Params
from darabonba.runtime import RuntimeOptions
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_response import SdkResponse
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkiam.v3 import IamClient
from huaweicloudsdkiam.v3.model import (AuthScope, AuthScopeProject, KeystoneCreateUserTokenByPasswordRequest,
                                        KeystoneCreateUserTokenByPasswordRequestBody, KeystoneListProjectsRequest, PwdAuth,
                                        PwdIdentity, PwdPassword, PwdPasswordUser, PwdPasswordUserDomain)
from huaweicloudsdkservicestage.v2 import ServiceStageClient as ServiceStageV2Client
from huaweicloudsdkservicestage.v2 import model as ssv2
from huaweicloudsdkservicestage.v3 import ServiceStageClient as ServiceStageV3Client
from huaweicloudsdkservicestage.v3 import model as ssv3

DOMAIN_ID = "d0000000000000000000000000000001"
PROJECT = "0123456789abcdef0123456789abcdef"
SS_APP = "a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01"
SS_WEB = "c0a80001-0000-4000-8000-000000000001"
SS_WEB_INSTANCE = "d1a80001-0000-4000-8000-000000000001"
SS_RELEASES = "a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a03"
SS_STOREFRONT = "c0a80003-0000-4000-8000-000000000001"
HW_AK, HW_SK = "HWDEMOAK0000000000001", "demoHuaweiSecretKey01"
SAE_WEB = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01"
EDAS_APP = "3616cdca-4f92-4413-8c58-0000000000a1"

ALIBABA_PERMANENT = {"access_key_id": "LTAIdemoAccessKeyId01", "access_key_secret": "demoAlibabaAccessKeySecret01"}
ALIBABA_STS = {"access_key_id": "STS.demoStsAccessKeyId01", "access_key_secret": "demoStsAccessKeySecret01",
               "security_token": "demoStsSecurityToken01"}


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    """Both SDKs use requests-style sessions that read proxy variables; 127.0.0.1 must stay direct."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


# ---- Huawei: huaweicloudsdkcore + huaweicloudsdkiam ------------------------------------------------


def huawei_client(client_class, emulator, credentials):
    config = HttpConfig.get_default_config()
    config.timeout = (5, 10)
    config.retry_times = 0
    return client_class.new_builder().with_credentials(credentials).with_http_config(config).with_endpoints([emulator.url]).build()


def iam_client(emulator, credentials):
    return huawei_client(IamClient, emulator, credentials)


def password_request(password):
    user = PwdPasswordUser(domain=PwdPasswordUserDomain(name="demo-domain"), name="ops-user", password=password)
    auth = PwdAuth(identity=PwdIdentity(methods=["password"], password=PwdPassword(user=user)),
                   scope=AuthScope(project=AuthScopeProject(name="cn-north-4")))
    return KeystoneCreateUserTokenByPasswordRequest(body=KeystoneCreateUserTokenByPasswordRequestBody(auth=auth))


def test_huawei_password_login_returns_a_token_the_emulator_accepts(emulator):
    client = iam_client(emulator, GlobalCredentials("HWDEMOAK0000000000001", "demoHuaweiSecretKey01", DOMAIN_ID))
    response = client.keystone_create_user_token_by_password(password_request("demoHuaweiPassword01"))
    assert response.status_code == 201
    assert response.x_subject_token.startswith("MII")
    assert response.token.project.id == PROJECT and response.token.user.name == "ops-user"
    component = emulator.session.get(emulator.url + "/v3/%s/cas/applications/%s/components/%s" % (PROJECT, SS_APP, SS_WEB),
                                     headers={"X-Auth-Token": response.x_subject_token}, timeout=10)
    assert component.status_code == 200 and component.json()["status"]["component_status"] == "RUNNING"

    with pytest.raises(ClientRequestException) as failure:
        client.keystone_create_user_token_by_password(password_request("wrong-password"))
    assert failure.value.status_code == 401


@pytest.mark.parametrize("sk, expected", [("demoHuaweiSecretKey01", 200), ("wrong-secret-key", 401)])
def test_huawei_aksk_list_projects(emulator, sk, expected):
    client = iam_client(emulator, GlobalCredentials("HWDEMOAK0000000000001", sk, DOMAIN_ID))
    if expected == 200:
        response = client.keystone_list_projects(KeystoneListProjectsRequest(name="cn-north-4"))
        assert [(p.id, p.name) for p in response.projects] == [(PROJECT, "cn-north-4")]
    else:
        with pytest.raises(ClientRequestException) as failure:
            client.keystone_list_projects(KeystoneListProjectsRequest(name="cn-north-4"))
        assert (failure.value.status_code, failure.value.error_code) == (401, "APIGW.0301")
        assert failure.value.request_id


class RawResponse(SdkResponse):
    """A response model without fields: the generic client keeps the body in ``raw_content``."""

    openapi_types = {}
    attribute_map = {}


@pytest.mark.parametrize("ak, sk, token, expected", [
    ("HWDEMOAK0000000000001", "demoHuaweiSecretKey01", None, 200),
    ("HWDEMOTMPAK000000001", "demoHuaweiTmpSecretKey01", "demoHuaweiSecurityToken01", 200),
    ("HWDEMOTMPAK000000001", "wrong-secret-key", "demoHuaweiSecurityToken01", 401),
    ("HWDEMOAK0000000000001", "wrong-secret-key", None, 401),
])
def test_huawei_core_signs_a_servicestage_read(emulator, ak, sk, token, expected):
    """The core's generic request path (as every service client uses it) against a ServiceStage v3 read."""
    credentials = BasicCredentials(ak, sk, PROJECT)
    if token:
        credentials = credentials.with_security_token(token)
    client = iam_client(emulator, credentials)
    client.model_package = types.SimpleNamespace(RawResponse=RawResponse)
    path = "/v3/{project_id}/cas/applications/{application_id}/components/{component_id}"
    params = {"project_id": PROJECT, "application_id": SS_APP, "component_id": SS_WEB}
    if expected == 200:
        response = client.do_http_request("GET", path, path_params=params, query_params=[("expect_fields", "status")],
                                          header_params={"Content-Type": "application/json"}, response_type="RawResponse")
        body = json.loads(response.raw_content)
        assert response.status_code == 200 and body["name"] == "web" and body["status"]["replica"] == 3
    else:
        with pytest.raises(ClientRequestException) as failure:
            client.do_http_request("GET", path, path_params=params, header_params={"Content-Type": "application/json"}, response_type="RawResponse")
        assert (failure.value.status_code, failure.value.error_code) == (401, "APIGW.0301")


# ---- Huawei: huaweicloudsdkservicestage (v3 and v2 clients, unchanged, AK/SK) ----------------------------


def servicestage_clients(emulator, sk=HW_SK):
    credentials = BasicCredentials(HW_AK, sk, PROJECT)
    return huawei_client(ServiceStageV3Client, emulator, credentials), huawei_client(ServiceStageV2Client, emulator, credentials)


def wait_until(read, done, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if done(value):
            return value
        time.sleep(0.05)
    raise AssertionError("not done within %.1f s: %s" % (timeout, value))


def test_servicestage_sdk_v3_component_action_and_job(emulator_clean):
    emulator_clean.settings(time_factor=0.01)
    v3, _v2 = servicestage_clients(emulator_clean)
    component = v3.show_component_info(ssv3.ShowComponentInfoRequest(application_id=SS_APP, component_id=SS_WEB))
    assert (component.name, component.replica, component.version, component.status.component_status) == ("web", 3, "1.2.0", "RUNNING")
    action = ssv3.ComponentAction(action="scale", parameters=ssv3.ComponentActionParameters(replica=4))
    started = v3.update_component_action(ssv3.UpdateComponentActionRequest(application_id=SS_APP, component_id=SS_WEB, body=action))
    assert started.status_code == 200 and started.job_id.startswith("JOB") and started.result
    job = v3.show_job_info(ssv3.ShowJobInfoRequest(job_id=started.job_id))
    assert job.job.job_id == started.job_id and job.job.execution_status in ("SUBMITTED", "RUNNING") and job.tasks[0].task_type == "scale"
    job = wait_until(lambda: v3.show_job_info(ssv3.ShowJobInfoRequest(job_id=started.job_id)), lambda j: j.job.execution_status == "SUCCEEDED")
    assert job.tasks[0].task_status == "SUCCEEDED"
    status = v3.show_component_info(ssv3.ShowComponentInfoRequest(application_id=SS_APP, component_id=SS_WEB)).status
    assert (status.replica, status.available_replica, status.last_job_id) == (4, 4, started.job_id)


def test_servicestage_sdk_v2_instance_action_and_job(emulator_clean):
    emulator_clean.settings(time_factor=0.01)
    _v3, v2 = servicestage_clients(emulator_clean)
    instance = dict(application_id=SS_APP, component_id=SS_WEB, instance_id=SS_WEB_INSTANCE)
    detail = v2.show_instance_detail(ssv2.ShowInstanceDetailRequest(**instance))
    assert (detail.id, detail.version, detail.status_detail.status, detail.status_detail.replica) == (SS_WEB_INSTANCE, "1.2.0", "RUNNING", 3)
    action = ssv2.InstanceAction(action="rollback", parameters=ssv2.InstanceActionParameters(version="1.1.0"))
    started = v2.update_instance_action(ssv2.UpdateInstanceActionRequest(body=action, **instance))
    assert started.job_id.startswith("JOB")
    listed = v2.list_instances(ssv2.ListInstancesRequest(application_id=SS_APP, component_id=SS_WEB))
    assert listed.count == 1 and listed.instances[0].status_detail.status == "UPGRADING" and listed.instances[0].status_detail.last_job_id == started.job_id
    job = wait_until(lambda: v2.show_job_detail(ssv2.ShowJobDetailRequest(job_id=started.job_id)), lambda j: j.job.execution_status == "SUCCEEDED")
    assert job.job.service_instance_id == SS_WEB_INSTANCE and job.tasks[0].task_status == "SUCCEEDED" and job.tasks[0].task_type == "rollback"
    detail = v2.show_instance_detail(ssv2.ShowInstanceDetailRequest(**instance))
    assert (detail.version, detail.status_detail.status, detail.status_detail.last_job_status) == ("1.1.0", "RUNNING", "SUCCEEDED")


def test_servicestage_sdk_v3_modify_component_deploys_a_version(emulator_clean):
    """ModifyComponent as the SDK sends it (its ComponentModify body, AK/SK signed), built from ShowComponentInfo as a
    full-body PUT is: the job it answers deploys the new version and image, and the rest of the component stays."""
    emulator_clean.settings(time_factor=0.01)
    v3, _v2 = servicestage_clients(emulator_clean)
    info = v3.show_component_info(ssv3.ShowComponentInfoRequest(application_id=SS_APP, component_id=SS_WEB))
    image = "swr.cn-north-4.myhuaweicloud.com/demo/web:1.3.0"
    source = info.source
    source.url = image
    fields = dict((name, getattr(info, name)) for name in ssv3.ComponentModify.openapi_types if hasattr(info, name))
    body = ssv3.ComponentModify(**dict(fields, source=source, version="1.3.0",
                                       deploy_strategy=ssv3.DeployStrategy(type="RollingRelease",
                                                                           rolling_release=ssv3.DeployStrategyRollingRelease(batches=1))))
    started = v3.modify_component(ssv3.ModifyComponentRequest(application_id=SS_APP, component_id=SS_WEB, body=body))
    assert started.status_code == 200 and started.job_id.startswith("JOB")
    job = wait_until(lambda: v3.show_job_info(ssv3.ShowJobInfoRequest(job_id=started.job_id)), lambda j: j.job.execution_status == "SUCCEEDED")
    assert job.tasks[0].task_status == "SUCCEEDED"
    after = v3.show_component_info(ssv3.ShowComponentInfoRequest(application_id=SS_APP, component_id=SS_WEB))
    assert (after.version, after.source.kind, after.source.url, after.status.last_job_id) == ("1.3.0", "image", image, started.job_id)
    kept = [name for name in fields if name not in ("source", "version", "deploy_strategy")]
    assert dict((name, getattr(after, name)) for name in kept) == dict((name, getattr(info, name)) for name in kept)
    records = v3.show_component_records(ssv3.ShowComponentRecordsRequest(application_id=SS_APP, component_id=SS_WEB)).records
    assert (records[0].version, records[0].current_used, records[0].jobs[0].job_info.source_url) == ("1.3.0", True, image)


def lost_fields(sent, kept, path=""):
    """Paths of non-null values the emulator sent that the SDK model dropped or changed."""
    if isinstance(sent, dict):
        kept = kept if isinstance(kept, dict) else {}
        return [lost for key, value in sent.items() if value is not None for lost in lost_fields(value, kept.get(key), path + "." + key)]
    if isinstance(sent, list) and isinstance(kept, list) and len(sent) == len(kept):
        return [lost for index, value in enumerate(sent) for lost in lost_fields(value, kept[index], "%s[%d]" % (path, index))]
    return [] if sent == kept else [path]


@pytest.mark.parametrize("api, method, request_model", [
    ("v3", "show_component_info", ssv3.ShowComponentInfoRequest(application_id=SS_RELEASES, component_id=SS_STOREFRONT)),
    ("v3", "show_components_in_application", ssv3.ShowComponentsInApplicationRequest(application_id=SS_APP)),
    ("v3", "show_components", ssv3.ShowComponentsRequest(component_name="web")),
    ("v3", "show_applications", ssv3.ShowApplicationsRequest()),
    ("v3", "show_component_records", ssv3.ShowComponentRecordsRequest(application_id=SS_APP, component_id=SS_WEB)),
    ("v3", "show_job_info", ssv3.ShowJobInfoRequest(job_id="JOB0c0a8003-0000-4000-8000-0000000000a1")),
    ("v2", "show_instance_detail", ssv2.ShowInstanceDetailRequest(application_id=SS_APP, component_id=SS_WEB, instance_id=SS_WEB_INSTANCE)),
    ("v2", "list_instances", ssv2.ListInstancesRequest(application_id=SS_APP, component_id=SS_WEB)),
    ("v2", "list_instance_snapshots", ssv2.ListInstanceSnapshotsRequest(application_id=SS_APP, component_id=SS_WEB, instance_id=SS_WEB_INSTANCE)),
    ("v2", "show_job_detail", ssv2.ShowJobDetailRequest(job_id="JOB0c0a8003-0000-4000-8000-0000000000a1")),
], ids=lambda value: value if isinstance(value, str) else "")
def test_servicestage_sdk_models_keep_every_field_the_emulator_sends(emulator, api, method, request_model):
    """No field, enum value or type the emulator sends is unknown to the SDK's response models."""
    client = dict(zip(("v3", "v2"), servicestage_clients(emulator)))[api]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the SDK warns about values outside its enums and failed conversions
        response = getattr(client, method)(request_model)
    assert lost_fields(json.loads(response.raw_content), sanitize_for_serialization(response)) == []


def test_servicestage_sdk_wrong_secret_rejected(emulator):
    v3, v2 = servicestage_clients(emulator, sk="wrong-secret-key")
    with pytest.raises(ClientRequestException) as failure:
        v3.show_component_info(ssv3.ShowComponentInfoRequest(application_id=SS_APP, component_id=SS_WEB))
    assert (failure.value.status_code, failure.value.error_code) == (401, "APIGW.0301") and failure.value.request_id
    with pytest.raises(ClientRequestException) as failure:
        v2.update_instance_action(ssv2.UpdateInstanceActionRequest(application_id=SS_APP, component_id=SS_WEB, instance_id=SS_WEB_INSTANCE,
                                                                   body=ssv2.InstanceAction(action="restart")))
    assert (failure.value.status_code, failure.value.error_code) == (401, "APIGW.0301")


def test_servicestage_sdk_sees_svcstg_errors(emulator_clean):
    v3, _v2 = servicestage_clients(emulator_clean)
    with pytest.raises(ClientRequestException) as failure:
        v3.show_component_info(ssv3.ShowComponentInfoRequest(application_id=SS_APP, component_id="nope"))
    assert (failure.value.status_code, failure.value.error_code) == (404, "SVCSTG.00100404") and failure.value.request_id
    emulator_clean.add_fault(kind="http", status=429, platform="servicestage", count=1)
    with pytest.raises(ClientRequestException) as failure:
        v3.show_component_info(ssv3.ShowComponentInfoRequest(application_id=SS_APP, component_id=SS_WEB))
    # The core's urllib3 retry layer turns a 429 into error_code "429" before the body is read (platform-apis.md 5.4);
    # the APIG.0308 body itself is checked over raw HTTP in test_emulator_servicestage.py.
    assert (failure.value.status_code, failure.value.error_code) == (429, "429")


# ---- Alibaba: alibabacloud-tea-openapi -----------------------------------------------------------


def alibaba_call(emulator, credentials, signature_algorithm=None, product="sae", query=None):
    host = emulator.url.split("://", 1)[1]
    client = AlibabaClient(AlibabaConfig(endpoint=host, protocol="http", region_id="cn-hangzhou", signature_algorithm=signature_algorithm,
                                         read_timeout=5000, connect_timeout=5000, **credentials))
    if product == "sae":
        params = Params(style="ROA", pathname="/pop/v1/sam/app/describeApplicationStatus", action="DescribeApplicationStatus",
                        version="2019-05-06", method="GET", auth_type="AK", body_type="json", req_body_type="json", protocol="HTTP")
        query = query or {"AppId": SAE_WEB}
    else:
        params = Params(style="ROA", pathname="/pop/v5/app/app_status", action="QueryApplicationStatus", version="2017-08-01",
                        method="GET", auth_type="AK", body_type="json", req_body_type="json", protocol="HTTP")
        query = query or {"AppId": EDAS_APP}
    return client.call_api(params, OpenApiRequest(query=query), RuntimeOptions(autoretry=False, max_attempts=0))


@pytest.mark.parametrize("signature_algorithm", [None, "v2"], ids=["acs3", "roa-hmac-sha1"])
@pytest.mark.parametrize("credentials", [ALIBABA_PERMANENT, ALIBABA_STS], ids=["ak", "sts"])
def test_alibaba_sdk_sae_read(emulator, signature_algorithm, credentials):
    response = alibaba_call(emulator, credentials, signature_algorithm)
    assert response["statusCode"] == 200
    assert response["body"]["Data"]["AppId"] == SAE_WEB and response["body"]["Data"]["CurrentStatus"] == "RUNNING"
    assert response["headers"]["x-acs-request-id"] == response["body"]["RequestId"]


@pytest.mark.parametrize("signature_algorithm", [None, "v2"], ids=["acs3", "roa-hmac-sha1"])
def test_alibaba_sdk_edas_read(emulator, signature_algorithm):
    response = alibaba_call(emulator, ALIBABA_STS, signature_algorithm, product="edas")
    assert response["body"]["Code"] == 200
    assert len(response["body"]["AppInfo"]["EccList"]["Ecc"]) == 4


@pytest.mark.parametrize("signature_algorithm, string_to_sign_start", [(None, "ACS3-HMAC-SHA256\n"), ("v2", "GET\napplication/json\n")],
                         ids=["acs3", "roa-hmac-sha1"])
def test_alibaba_sdk_wrong_secret_rejected(emulator, signature_algorithm, string_to_sign_start):
    credentials = dict(ALIBABA_PERMANENT, access_key_secret="wrong-secret")
    with pytest.raises(ClientException) as failure:
        alibaba_call(emulator, credentials, signature_algorithm)
    assert failure.value.code == "SignatureDoesNotMatch" and failure.value.status_code == 400
    assert "server string to sign is:" + string_to_sign_start in failure.value.message


def test_alibaba_sdk_sees_throttling_with_retry_after(emulator_clean):
    emulator_clean.settings(alibaba_rate_limit_per_minute=1)
    alibaba_call(emulator_clean, ALIBABA_PERMANENT)
    with pytest.raises(ThrottlingException) as failure:  # tea-openapi turns x-acs-retry-after into this
        alibaba_call(emulator_clean, ALIBABA_PERMANENT)
    assert failure.value.code == "Throttling.User" and failure.value.retry_after >= 1
