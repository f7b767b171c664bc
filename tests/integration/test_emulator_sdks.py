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
import types

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
from huaweicloudsdkiam.v3 import IamClient
from huaweicloudsdkiam.v3.model import (AuthScope, AuthScopeProject, KeystoneCreateUserTokenByPasswordRequest,
                                        KeystoneCreateUserTokenByPasswordRequestBody, KeystoneListProjectsRequest, PwdAuth,
                                        PwdIdentity, PwdPassword, PwdPasswordUser, PwdPasswordUserDomain)

DOMAIN_ID = "d0000000000000000000000000000001"
PROJECT = "0123456789abcdef0123456789abcdef"
SS_APP = "a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01"
SS_WEB = "c0a80001-0000-4000-8000-000000000001"
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


def iam_client(emulator, credentials):
    config = HttpConfig.get_default_config()
    config.timeout = (5, 10)
    config.retry_times = 0
    return IamClient.new_builder().with_credentials(credentials).with_http_config(config).with_endpoints([emulator.url]).build()


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
