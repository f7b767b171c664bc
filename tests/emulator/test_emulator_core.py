# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator core over real HTTP: start/stop, worlds, every auth verifier, faults, job engine, metrics, TLS.

Requests are signed with ``reference_signers`` (tests/emulator), written independently of both the
collection's signers and the emulator's verifiers, and itself checked against signature-vectors.json.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

import reference_signers as signers

# The collection keeps a copy of the shared vectors for its unit tests.
VECTORS_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit", "fixtures", "signature-vectors.json")

ALI_AK, ALI_SK = "LTAIdemoAccessKeyId01", "demoAlibabaAccessKeySecret01"
STS_AK, STS_SK, STS_TOKEN = "STS.demoStsAccessKeyId01", "demoStsAccessKeySecret01", "demoStsSecurityToken01"
HW_AK, HW_SK = "HWDEMOAK0000000000001", "demoHuaweiSecretKey01"
HW_TMP_AK, HW_TMP_SK, HW_TMP_TOKEN = "HWDEMOTMPAK000000001", "demoHuaweiTmpSecretKey01", "demoHuaweiSecurityToken01"
PROJECT = "0123456789abcdef0123456789abcdef"
OTHER_PROJECT = "fedcba9876543210fedcba9876543210"
RAINBOND_TOKEN = "demoRainbondToken01"

SAE_WEB = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01"
SAE_BATCH = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a04"
EDAS_APP = "3616cdca-4f92-4413-8c58-0000000000a1"
SS_APP = "a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01"
SS_WEB = "c0a80001-0000-4000-8000-000000000001"
SS_WEB_INSTANCE = "d1a80001-0000-4000-8000-000000000001"
RB_TEAM = "e4a5b3c2d1f0e9d8c7b6a5f4e3d2c1b0"
RB_APPS = "/openapi/v1/teams/%s/regions/demo-region/apps" % RB_TEAM
SAE_STATUS_PATH = "/pop/v1/sam/app/describeApplicationStatus"


def http():
    session = requests.Session()
    session.trust_env = False
    return session


# ---- request helpers ----------------------------------------------------------------------------


def sae_get(emulator, query, ak=ALI_AK, sk=ALI_SK, token=None, scheme="acs3", path=SAE_STATUS_PATH, action="DescribeApplicationStatus",
            version="2019-05-06", method="GET", send_query=None, body=b"", send_body=None, headers_hook=None, **sign_options):
    """Sign ``query``/``body`` and send ``send_query``/``send_body`` (to tamper), returning the response."""
    url = emulator.url + path
    sign = signers.acs3_headers if scheme == "acs3" else signers.roa_v1_headers
    headers = sign(method, url, query, body, ak, sk, action, version, security_token=token, **sign_options)
    if headers_hook:
        headers_hook(headers)
    wire_query = query if send_query is None else send_query
    return http().request(method, signers.with_query(url, wire_query), headers=headers,
                          data=body if send_body is None else send_body, timeout=10)


def hw_get(emulator, path, query=None, ak=HW_AK, sk=HW_SK, token=None, project=PROJECT, moment=None):
    url = emulator.url + path
    headers = signers.huawei_headers("GET", url, query, b"", ak, sk, project_id=project, security_token=token, moment=moment)
    return http().get(signers.with_query(url, query), headers=headers, timeout=10)


def rb_get(emulator, path, token=RAINBOND_TOKEN):
    headers = {"Authorization": token} if token is not None else {}
    return http().get(emulator.url + RB_APPS + path, headers=headers, timeout=10)


def iam_token(emulator, project_name="cn-north-4", password="demoHuaweiPassword01"):
    user = {"domain": {"name": "demo-domain"}, "name": "ops-user", "password": password}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": {"project": {"name": project_name}}}}
    return http().post(emulator.url + "/v3/auth/tokens", json=body, timeout=10)


# SAE's operation codes (platform-apis.md 3.4): SAE answers them in its envelope, the status again as Code and the code in
# ErrorCode; the gateway's own errors (signatures, throttling, unknown API) and every EDAS error have the gateway's body.
SAE_OPERATION_CODES = frozenset([
    "System.Upgrading", "InvalidParameter.Obviously", "Mamespace.Have.No.Applications", "Invalid.App.List.Not.Same.Namespace",
    "user.indebt", "InvalidApplication.NotFound", "InvalidParameter.NotEmpty", "InvalidParameter.WithMessage",
    "NoComputeResourceQuota.Exceed", "Application.ChangerOrderRunning", "Application.ChangerOrder.Not.Running", "Resouce.no.permission",
])


def assert_alibaba_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["RequestId"] == response.headers["x-acs-request-id"]
    if "/pop/v1/" in response.url and code in SAE_OPERATION_CODES:
        assert (body["ErrorCode"], body["Code"], body["Success"]) == (code, str(status), False), body
        assert set(body) == {"RequestId", "TraceId", "Code", "ErrorCode", "Message", "Success"}, body
    else:
        assert body["Code"] == code, body
        assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}, body
    return body


def assert_huawei_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    assert response.headers["X-Request-Id"]
    return body


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met within %.1f s" % timeout)


# ---- the reference signers are right (otherwise the tests below prove nothing) ------------------


def test_reference_signers_reproduce_vectors():
    with open(VECTORS_PATH, encoding="utf-8") as handle:
        vectors = {v["id"]: v for v in json.load(handle)["vectors"]}
    roa = vectors["aliyun-roa-v1-sae-batchstart"]
    assert signers.roa_v1_string_to_sign(roa["method"], roa["pathname"], roa["query"], roa["headers"]) == roa["expected_string_to_sign"]
    empty = vectors["aliyun-roa-v1-empty-query-value"]
    assert signers.roa_v1_string_to_sign(empty["method"], empty["pathname"], empty["query"], empty["headers"]) == empty["expected_string_to_sign"]

    acs3 = vectors["aliyun-acs3-sae-describechangeorder"]
    headers = signers.acs3_headers(acs3["method"], "https://" + acs3["headers"]["host"] + acs3["pathname"], acs3["query"], b"",
                                   acs3["access_key_id"], acs3["access_key_secret"], acs3["headers"]["x-acs-action"],
                                   acs3["headers"]["x-acs-version"], moment=datetime(2026, 1, 1, tzinfo=timezone.utc),
                                   nonce=acs3["headers"]["x-acs-signature-nonce"])
    assert headers["Authorization"] == acs3["expected_authorization"]

    huawei = vectors["huawei-v2-job-get-query"]
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    url = "https://%s%s" % (huawei["host"], huawei["resource_path"])
    headers = signers.huawei_headers(huawei["method"], url, dict(huawei["query"]), b"", huawei["access_key"], huawei["secret_key"],
                                     project_id=huawei["headers_before_signing"].get("X-Project-Id"), moment=moment)
    assert headers["Authorization"] == huawei["expected_authorization"]


# ---- process life cycle and worlds ------------------------------------------------------------


def test_start_on_free_port_ready_file_and_clean_stop(emulator_factory):
    process = emulator_factory(time_factor=0.5)
    assert process.url == "http://127.0.0.1:%d" % process.port and process.port > 0
    assert process.ca_path is None and process.pid == process.process.pid
    with open(os.path.join(process.workdir, "stdout.log"), encoding="utf-8") as handle:
        assert handle.read() == "PAAS_EMULATOR_URL=%s\n" % process.url
    assert process.admin("GET", "settings")["time_factor"] == 0.5
    assert process.stop() == 0
    assert not os.path.exists(process.workdir)


def test_bad_world_file_fails_to_start(emulator_factory, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("huawei: {servicestage: {applications: [{id: a, name: b, project_id: nope}]}}\n")
    with pytest.raises(RuntimeError, match="unknown project"):
        emulator_factory(world=str(bad))


def test_put_world_then_reset_restores_the_start_world(emulator_clean):
    world = {"rainbond": {"users": [{"name": "bob", "tokens": ["t1"]}],
                          "teams": [{"id": "t" * 32, "name": "solo", "regions": ["r1"],
                                     "apps": [{"id": 7, "name": "one", "components": [{"service_id": "s" * 32, "alias": "gr000001"}]}]}]}}
    result = emulator_clean.admin("PUT", "world", json=world)
    assert result["units"] == 1
    response = http().get(emulator_clean.url + "/openapi/v1/teams/solo/regions/r1/apps/7", headers={"Authorization": "t1"}, timeout=10)
    assert response.json()["status"] == "running"
    assert rb_get(emulator_clean, "/1").status_code == 401  # the default world's token is gone
    bad = http().put(emulator_clean.url + "/_emulator/world", data="rainbond: [1, 2", timeout=10)
    assert bad.status_code == 400 and "error" in bad.json()
    emulator_clean.reset()
    assert rb_get(emulator_clean, "/1").json()["group_name"] == "shop"
    state = emulator_clean.state()
    assert state["world"]["alibaba"]["accounts"][0]["uid"] == "1234567890123456"
    assert len([u for u in state["units"] if u["platform"] == "sae" and u["app_id"] == SAE_WEB]) == 8


# ---- Rainbond ------------------------------------------------------------------------------


def test_rainbond_reads_and_app_status_derivation(emulator_clean):
    assert rb_get(emulator_clean, "/1").json()["status"] == "running"
    part = rb_get(emulator_clean, "/2").json()
    assert (part["status"], part["service_count"], part["running_service_count"]) == ("part_running", 2, 1)
    assert rb_get(emulator_clean, "/3").json()["status"] == "closed"
    components = rb_get(emulator_clean, "/1/services").json()
    assert isinstance(components, list) and {c["service_cname"] for c in components} == {"web", "api", "worker", "gateway"}
    assert all(c["status"] == "running" and c["min_node"] >= 1 for c in components)
    by_alias = rb_get(emulator_clean, "/1/services/gr1a2b3c").json()
    assert by_alias["service_id"] == "3f6d1e2a9b8c4d7e8f0a1b2c3d4e5f60" and by_alias["access_infos"] == []
    by_team_name = http().get(emulator_clean.url + "/openapi/v1/teams/demo-team/regions/demo-region/apps", headers={"Authorization": RAINBOND_TOKEN},
                              timeout=10)
    assert [app["group_name"] for app in by_team_name.json()] == ["shop", "reports", "archive"]
    archive = rb_get(emulator_clean, "/3/services").json()
    assert {c["service_cname"]: c["status"] for c in archive} == {"archive-web": "closed", "archive-db": "undeploy"}


@pytest.mark.parametrize("path, msg", [
    ("/99", "no found app"),
    ("/1/services/nosuchcomponent", "no found component"),
    ("/1/services/gr6c7d8e", "component not belong to this app"),
])
def test_rainbond_not_found_bodies(emulator, path, msg):
    response = rb_get(emulator, path)
    assert response.status_code == 404
    body = response.json()
    assert body["msg"] == msg and body["data"] == {"bean": {}, "list": []} and "msg_show" in body


def test_rainbond_auth_failures(emulator):
    missing = rb_get(emulator, "/1", token=None)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Token"
    assert missing.json()["detail"] == "No token" and missing.json()["error_type"] == "AuthenticationFailed"
    unknown = rb_get(emulator, "/1", token="Bearer " + RAINBOND_TOKEN)
    assert unknown.status_code == 401 and unknown.json()["detail"] == "No such user" and unknown.json()["code"] == 401
    team = http().get(emulator.url + "/openapi/v1/teams/nope/regions/demo-region/apps/1", headers={"Authorization": RAINBOND_TOKEN}, timeout=10)
    assert team.status_code == 404 and team.json()["msg"] == "no found team"


# ---- Alibaba ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["acs3", "roa_v1"])
@pytest.mark.parametrize("credential", ["permanent", "sts"])
def test_alibaba_signed_read_accepted(emulator, scheme, credential):
    ak, sk, token = (ALI_AK, ALI_SK, None) if credential == "permanent" else (STS_AK, STS_SK, STS_TOKEN)
    response = sae_get(emulator, {"AppId": SAE_WEB}, ak=ak, sk=sk, token=token, scheme=scheme)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["Code"] == "200" and body["Success"] is True and body["Message"] == "success"
    assert body["RequestId"] == response.headers["x-acs-request-id"]
    assert body["Data"]["AppId"] == SAE_WEB and body["Data"]["CurrentStatus"] == "RUNNING" and body["Data"]["RunningInstances"] == 8


def test_sae_reads(emulator):
    stopped = sae_get(emulator, {"AppId": SAE_BATCH}).json()["Data"]
    assert (stopped["CurrentStatus"], stopped["RunningInstances"]) == ("STOPPED", 0)
    listing = sae_get(emulator, {"NamespaceId": "cn-hangzhou:demo"}, path="/pop/v1/sam/app/listApplications", action="ListApplications")
    apps = listing.json()["Data"]["Applications"]
    assert {app["AppName"] for app in apps} == {"web", "api", "worker", "batch", "canary", "gated"}
    config = sae_get(emulator, {"AppId": SAE_WEB}, path="/pop/v1/sam/app/describeApplicationConfig", action="DescribeApplicationConfig")
    assert config.json()["Data"]["Replicas"] == 8
    missing = sae_get(emulator, {"AppId": "no-such-app"})
    assert_alibaba_error(missing, 400, "InvalidApplication.NotFound")


def test_edas_reads_with_roa_v1_and_sts(emulator):
    status = sae_get(emulator, {"AppId": EDAS_APP}, ak=STS_AK, sk=STS_SK, token=STS_TOKEN, scheme="roa_v1", path="/pop/v5/app/app_status",
                     action="QueryApplicationStatus", version="2017-08-01")
    assert status.status_code == 200, status.text
    body = status.json()
    assert body["Code"] == 200 and body["Message"] == "success"
    states = [ecc["AppState"] for ecc in body["AppInfo"]["EccList"]["Ecc"]]
    assert sorted(states) == [1, 7, 7, 7]
    listing = sae_get(emulator, {}, path="/pop/v5/app/app_list", action="ListApplication", version="2017-08-01", method="POST")
    assert listing.json()["ApplicationList"]["Application"][0]["AppId"] == EDAS_APP


def test_alibaba_rejections(emulator):
    query = {"AppId": SAE_WEB}
    body = assert_alibaba_error(sae_get(emulator, query, sk="wrong-secret"), 400, "SignatureDoesNotMatch")
    assert body["Message"].startswith("Specified signature does not match our calculation. server string to sign is:ACS3-HMAC-SHA256\n")
    body = assert_alibaba_error(sae_get(emulator, query, sk="wrong-secret", scheme="roa_v1"), 400, "SignatureDoesNotMatch")
    assert body["Message"].endswith("\n" + SAE_STATUS_PATH + "?AppId=" + SAE_WEB)
    assert_alibaba_error(sae_get(emulator, query, ak="LTAIunknownKey"), 404, "InvalidAccessKeyId.NotFound")
    stale = datetime.now(timezone.utc) - timedelta(minutes=16)
    assert_alibaba_error(sae_get(emulator, query, moment=stale), 400, "InvalidTimeStamp.Expired")
    assert_alibaba_error(sae_get(emulator, query, moment=stale, scheme="roa_v1"), 400, "InvalidTimeStamp.Expired")
    assert_alibaba_error(sae_get(emulator, query, send_query={"AppId": SAE_BATCH}), 400, "SignatureDoesNotMatch")
    assert_alibaba_error(sae_get(emulator, query, send_query={"AppId": SAE_BATCH}, scheme="roa_v1"), 400, "SignatureDoesNotMatch")
    tampered_body = sae_get(emulator, {}, path="/pop/v5/app/app_list", action="ListApplication", version="2017-08-01", method="POST",
                            body=b'{"a": 1}', send_body=b'{"a": 2}')
    assert_alibaba_error(tampered_body, 400, "SignatureDoesNotMatch")
    assert_alibaba_error(sae_get(emulator, query, ak=STS_AK, sk=STS_SK, token="otherToken"), 400, "InvalidSecurityToken.MismatchWithAccessKey")
    assert_alibaba_error(sae_get(emulator, query, ak=STS_AK, sk=STS_SK), 400, "InvalidSecurityToken.MismatchWithAccessKey")
    unsigned = sae_get(emulator, query, headers_hook=lambda headers: headers.pop("Authorization"))
    assert_alibaba_error(unsigned, 400, "MissingAuthorization")
    malformed = sae_get(emulator, query, headers_hook=lambda headers: headers.update(Authorization="ACS3-HMAC-SHA256 Credential=x"))
    assert_alibaba_error(malformed, 400, "IncompleteSignature")
    wrong_action = sae_get(emulator, query, action="DescribeApplicationConfig")
    assert_alibaba_error(wrong_action, 404, "InvalidAction.NotFound")
    # An API the emulator does not serve answers like the gateway, whatever the rate-limit setting.
    emulator.settings(alibaba_rate_limit_per_minute=1000)
    try:
        unknown = sae_get(emulator, query, path="/pop/v1/sam/app/noSuchApi", action="NoSuchApi")
    finally:
        emulator.settings(alibaba_rate_limit_per_minute=None)
    assert_alibaba_error(unknown, 404, "InvalidAction.NotFound")


@pytest.mark.parametrize("scheme", ["acs3", "roa_v1"])
def test_alibaba_nonce_reuse_rejected(emulator, scheme):
    nonce = os.urandom(16).hex()
    assert sae_get(emulator, {"AppId": SAE_WEB}, nonce=nonce, scheme=scheme).status_code == 200
    assert_alibaba_error(sae_get(emulator, {"AppId": SAE_WEB}, nonce=nonce, scheme=scheme), 400, "SignatureNonceUsed")


def test_alibaba_rate_limit_throttles_per_account(emulator_clean):
    emulator_clean.settings(alibaba_rate_limit_per_minute=3)
    for _attempt in range(2):
        assert sae_get(emulator_clean, {"AppId": SAE_WEB}).status_code == 200
    # The STS key belongs to the same account: it shares the window.
    assert sae_get(emulator_clean, {"AppId": SAE_WEB}, ak=STS_AK, sk=STS_SK, token=STS_TOKEN).status_code == 200
    throttled = sae_get(emulator_clean, {"AppId": SAE_WEB})
    body = assert_alibaba_error(throttled, 400, "Throttling.User")
    assert body["Message"] == "Request was denied due to user flow control."
    assert 1 <= int(throttled.headers["x-acs-retry-after"]) <= 60
    emulator_clean.settings(alibaba_rate_limit_per_minute=None)
    assert sae_get(emulator_clean, {"AppId": SAE_WEB}).status_code == 200


# ---- Huawei ---------------------------------------------------------------------------------


def test_iam_password_token_and_servicestage_reads(emulator):
    response = iam_token(emulator)
    assert response.status_code == 201, response.text
    token = response.headers["X-Subject-Token"]
    body = response.json()["token"]
    assert body["project"] == {"id": PROJECT, "name": "cn-north-4", "domain": {"id": "d0000000000000000000000000000001", "name": "demo-domain"}}
    assert body["user"]["name"] == "ops-user" and body["methods"] == ["password"] and body["catalog"]
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert timedelta(hours=23) < expires - datetime.now(timezone.utc) <= timedelta(hours=24)

    base = emulator.url + "/v3/%s/cas/applications/%s" % (PROJECT, SS_APP)
    component = http().get(base + "/components/" + SS_WEB, headers={"X-Auth-Token": token}, timeout=10)
    assert component.status_code == 200, component.text
    status = component.json()["status"]
    assert (status["component_status"], status["replica"], status["available_replica"]) == ("RUNNING", 3, 3)
    listing = http().get(base + "/components", headers={"X-Auth-Token": token}, timeout=10).json()
    assert listing["count"] == 6 and {c["name"] for c in listing["components"]} >= {"web", "api", "worker"}
    app = http().get(base, headers={"X-Auth-Token": token}, timeout=10).json()
    assert app["component_count"] == 6

    other = iam_token(emulator, project_name="cn-east-3").headers["X-Subject-Token"]
    assert_huawei_error(http().get(base, headers={"X-Auth-Token": other}, timeout=10), 403, "APIGW.0302")
    assert_huawei_error(http().get(base, headers={"X-Auth-Token": "MIIforged"}, timeout=10), 401, "APIGW.0301")


def test_iam_wrong_password(emulator):
    response = iam_token(emulator, password="wrong")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}


def test_iam_list_projects_with_aksk(emulator):
    response = hw_get(emulator, "/v3/projects", {"name": "cn-north-4"}, project=None)
    assert response.status_code == 200, response.text
    projects = response.json()["projects"]
    assert [(p["id"], p["name"], p["domain_id"]) for p in projects] == [(PROJECT, "cn-north-4", "d0000000000000000000000000000001")]


def test_huawei_aksk_accepted_and_rejected(emulator):
    path = "/v3/%s/cas/applications/%s/components/%s" % (PROJECT, SS_APP, SS_WEB)
    assert hw_get(emulator, path).json()["name"] == "web"
    assert hw_get(emulator, path, ak=HW_TMP_AK, sk=HW_TMP_SK, token=HW_TMP_TOKEN).status_code == 200
    body = assert_huawei_error(hw_get(emulator, path, sk="wrong"), 401, "APIGW.0301")
    assert body["error_msg"].startswith("Incorrect IAM authentication information:")
    assert_huawei_error(hw_get(emulator, path, ak="HWUNKNOWNAK"), 401, "APIGW.0301")
    assert_huawei_error(hw_get(emulator, path, moment=datetime.now(timezone.utc) - timedelta(minutes=16)), 401, "APIGW.0301")
    assert_huawei_error(hw_get(emulator, path, ak=HW_TMP_AK, sk=HW_TMP_SK), 401, "APIGW.0301")
    assert_huawei_error(hw_get(emulator, path, ak=HW_TMP_AK, sk=HW_TMP_SK, token="other"), 401, "APIGW.0301")
    assert_huawei_error(hw_get(emulator, path, project=OTHER_PROJECT), 403, "APIGW.0302")
    # Tampered query: sign one value, send another.
    url = emulator.url + "/v2/%s/cas/jobs/nope" % PROJECT
    headers = signers.huawei_headers("GET", url, {"limit": "1"}, b"", HW_AK, HW_SK, project_id=PROJECT)
    assert_huawei_error(http().get(url + "?limit=2", headers=headers, timeout=10), 401, "APIGW.0301")
    assert_huawei_error(http().get(emulator.url + path, timeout=10), 401, "APIGW.0301")


def test_servicestage_v2_reads_and_not_found(emulator):
    base = "/v2/%s/cas/applications/%s/components/%s/instances" % (PROJECT, SS_APP, SS_WEB)
    instances = hw_get(emulator, base).json()
    assert instances["count"] == 1 and instances["instances"][0]["status_detail"]["status"] == "RUNNING"
    detail = hw_get(emulator, base + "/" + SS_WEB_INSTANCE).json()
    assert detail["status_detail"]["replica"] == 3
    snapshots = hw_get(emulator, base + "/" + SS_WEB_INSTANCE + "/snapshots").json()
    assert [s["version"] for s in snapshots["snapshots"]] == ["1.1.0", "1.2.0"]
    assert_huawei_error(hw_get(emulator, base + "/nope"), 404, "SVCSTG.00100412")
    assert_huawei_error(hw_get(emulator, "/v3/%s/cas/applications/%s/components/nope" % (PROJECT, SS_APP)), 404, "SVCSTG.00100404")
    assert_huawei_error(hw_get(emulator, "/v3/%s/cas/applications/nope" % PROJECT), 404, "SVCSTG.00100403")
    assert_huawei_error(hw_get(emulator, "/v3/%s/cas/jobs/nope" % PROJECT), 404, "SVCSTG.00100429")


# ---- faults ---------------------------------------------------------------------------------


def test_http_fault_with_count_then_recovers(emulator_clean):
    fault_id = emulator_clean.add_fault(path="describeApplicationStatus", method="GET", kind="http", status=429, retry_after=2, count=2)
    for _attempt in range(2):
        throttled = sae_get(emulator_clean, {"AppId": SAE_WEB})
        assert_alibaba_error(throttled, 429, "Throttling.User")
        assert throttled.headers["x-acs-retry-after"] == "2"
    assert sae_get(emulator_clean, {"AppId": SAE_WEB}).status_code == 200
    faults = emulator_clean.admin("GET", "faults")["faults"]
    assert [(f["id"], f["fired"], f["exhausted"]) for f in faults] == [(fault_id, 2, True)]

    emulator_clean.add_fault(path="/cas/", kind="http", status=503)
    assert_huawei_error(hw_get(emulator_clean, "/v3/%s/cas/applications/%s" % (PROJECT, SS_APP)), 503, "APIGW.0201")
    emulator_clean.add_fault(path="/openapi/", kind="http", status=500, platform_code=10401, message="boom")
    response = rb_get(emulator_clean, "/1")
    assert response.status_code == 500 and response.json()["code"] == 10401 and response.json()["msg"] == "boom"
    assert emulator_clean.admin("DELETE", "faults") == {"deleted": 3}
    assert rb_get(emulator_clean, "/1").status_code == 200


@pytest.mark.parametrize("when", ["before", "after"])
def test_reset_fault_closes_connection(emulator_clean, when):
    emulator_clean.add_fault(path="/openapi/", kind="reset", when=when, count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        rb_get(emulator_clean, "/1")
    assert rb_get(emulator_clean, "/1").status_code == 200


def test_delay_fault(emulator_clean):
    emulator_clean.add_fault(path="/openapi/", kind="delay", delay_seconds=0.6, count=1)
    started = time.monotonic()
    assert rb_get(emulator_clean, "/1").status_code == 200
    assert time.monotonic() - started >= 0.6


def test_fault_probability_zero_never_fires(emulator_clean):
    emulator_clean.add_fault(path="/openapi/", kind="http", status=503, probability=0)
    assert all(rb_get(emulator_clean, "/1").status_code == 200 for _attempt in range(3))


# ---- job engine -------------------------------------------------------------------------------


def sae_web_instances(emulator):
    return [u["id"] for u in emulator.admin("GET", "units?app_id=" + SAE_WEB)["units"]]


def test_restart_job_in_batches_follows_time(emulator_clean):
    emulator_clean.settings(time_factor=0.01)  # 20 s per instance -> 0.2 s per batch
    instances = sae_web_instances(emulator_clean)
    job = emulator_clean.create_job(platform="sae", action="restart", targets=[SAE_WEB], batch_size=3)
    assert job["status"] == "running" and job["batch_count"] == 3 and len(job["targets"]) == 8
    assert [t["status"] for t in job["targets"]][:4] == ["running", "running", "running", "pending"]
    assert emulator_clean.unit(instances[0])["state"] == "restarting"
    status = sae_get(emulator_clean, {"AppId": SAE_WEB}).json()["Data"]
    assert status["RunningInstances"] == 5 and status["LastChangeOrderRunning"] is True and status["LastChangeOrderId"] == job["id"]
    assert status["LastChangeOrderStatus"] == "RUNNING"

    done = wait_for(lambda: emulator_clean.job(job["id"])["status"] == "succeeded" and emulator_clean.job(job["id"]))
    assert all(t["status"] == "succeeded" for t in done["targets"])
    assert all(emulator_clean.unit(i)["state"] == "running" for i in instances)
    status = sae_get(emulator_clean, {"AppId": SAE_WEB}).json()["Data"]
    assert (status["RunningInstances"], status["LastChangeOrderRunning"], status["LastChangeOrderStatus"]) == (8, False, "SUCCESS")
    metrics = emulator_clean.metrics()
    assert metrics["max_unavailable"][SAE_WEB] == 3
    assert all(metrics["restarts"][i] == 1 for i in instances)
    assert metrics["actions"][-1]["job_id"] == job["id"] and metrics["actions"][-1]["targets"] == instances


def test_stop_and_start_jobs_change_states(emulator_clean):
    emulator_clean.settings(time_factor=0.01)
    job = emulator_clean.create_job(platform="rainbond", action="stop", targets=["1"])
    assert rb_get(emulator_clean, "/1").json()["status"] == "closed"  # stopping counts as not running
    wait_for(lambda: emulator_clean.job(job["id"])["status"] == "succeeded")
    assert {c["status"] for c in rb_get(emulator_clean, "/1/services").json()} == {"closed"}
    job = emulator_clean.create_job(platform="rainbond", action="start", targets=["1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6"])
    assert rb_get(emulator_clean, "/1/services/grd1e2f3").json()["status"] == "starting"
    wait_for(lambda: emulator_clean.job(job["id"])["status"] == "succeeded")
    assert rb_get(emulator_clean, "/1").json()["status"] == "part_running"


def test_job_fail_fault_fails_the_job_at_the_target(emulator_clean):
    emulator_clean.settings(time_factor=0.01)
    instances = sae_web_instances(emulator_clean)
    emulator_clean.add_fault(kind="job_fail", target=instances[2])
    job = emulator_clean.create_job(platform="sae", action="restart", targets=instances, batch_size=2)
    failed = wait_for(lambda: emulator_clean.job(job["id"])["status"] == "failed" and emulator_clean.job(job["id"]))
    statuses = {t["id"]: t["status"] for t in failed["targets"]}
    assert statuses[instances[2]] == "failed" and "injected" in failed["message"]
    assert [statuses[i] for i in instances[4:]] == ["cancelled"] * 4
    assert emulator_clean.unit(instances[2])["state"] == "failed"
    status = sae_get(emulator_clean, {"AppId": SAE_WEB}).json()["Data"]
    assert status["LastChangeOrderStatus"] == "FAIL" and status["RunningInstances"] == 7


def sae_instance(emulator, instance_id):
    """The instance as DescribeApplicationInstances lists it (SAE web's one group)."""
    query = {"AppId": SAE_WEB, "GroupId": SAE_WEB + "-group", "PageSize": "100"}
    data = sae_get(emulator, query, path="/pop/v1/sam/app/describeApplicationInstances", action="DescribeApplicationInstances").json()["Data"]
    return next(item for item in data["Instances"] if item["InstanceId"] == instance_id)


def test_flap_fault_takes_a_restarted_unit_down_after_n_seconds_and_a_crash_restart_brings_it_back(emulator_clean):
    emulator_clean.settings(time_factor=0.01)
    instances = sae_web_instances(emulator_clean)
    fault = emulator_clean.add_fault(kind="flap", target=instances[0], after_seconds=0.5, down_seconds=2.0, restarts=True)
    job = emulator_clean.create_job(platform="sae", action="restart", targets=instances[:2], batch_size=2)
    wait_for(lambda: emulator_clean.job(job["id"])["status"] == "succeeded")
    restarted = emulator_clean.unit(instances[0])["restarted_at"]
    # The job succeeded; the flap comes later, seen by the platform's own listing (SAE: running, but its readiness fails).
    wait_for(lambda: emulator_clean.unit(instances[0])["state"] == "unhealthy")
    assert sae_instance(emulator_clean, instances[0])["InstanceHealthStatus"] == "ReadinessUnhealthy"
    assert emulator_clean.unit(instances[1])["state"] == "running"
    back = wait_for(lambda: emulator_clean.unit(instances[0])["state"] == "running" and emulator_clean.unit(instances[0]))
    # Restarted by the crash: its restart time is when it came back (the engine replays the moments exactly), not a job's.
    assert back["restarted_at"] == pytest.approx(restarted + 0.5 + 2.0)
    assert sae_instance(emulator_clean, instances[0])["CreateTimeStamp"] == round(back["restarted_at"] * 1000)
    assert emulator_clean.metrics()["restarts"][instances[0]] == 1
    assert [f["fired"] for f in emulator_clean.admin("GET", "faults")["faults"] if f["id"] == fault] == [1]


def test_flap_fault_without_down_seconds_stays_down_and_bad_specs_are_refused(emulator_clean):
    emulator_clean.settings(time_factor=0.01)
    emulator_clean.add_fault(kind="flap", target=SS_WEB, after_seconds=0.2, state="failed")
    job = emulator_clean.create_job(platform="servicestage", action="restart", targets=[SS_WEB])
    wait_for(lambda: emulator_clean.job(job["id"])["status"] == "succeeded")
    wait_for(lambda: emulator_clean.unit(SS_WEB)["state"] == "failed")
    component = hw_get(emulator_clean, "/v3/%s/cas/applications/%s/components/%s" % (PROJECT, SS_APP, SS_WEB)).json()
    assert component["status"]["component_status"] == "FAILED"
    # The job that restarted it still succeeded: the flap came after it.
    assert emulator_clean.job(job["id"])["status"] == "succeeded"
    for spec, words in (({"state": "running"}, "state must be one of"), ({"after_seconds": -1}, "must not be negative"),
                        ({"restarts": True}, "restarts needs down_seconds"), ({"target": None}, "needs a target")):
        body = dict({"kind": "flap", "target": SS_WEB}, **spec)
        assert words in emulator_clean.admin("POST", "faults", json=body, expect_status=400)["error"]


def test_never_healthy_target_blocks_the_job_until_abort(emulator_clean):
    emulator_clean.settings(time_factor=0.01)
    emulator_clean.add_fault(kind="never_healthy", target=SS_WEB)
    job = emulator_clean.create_job(platform="servicestage", action="restart", targets=[SS_WEB, "c0a80001-0000-4000-8000-000000000002"], batch_size=1)
    wait_for(lambda: emulator_clean.unit(SS_WEB)["state"] == "unhealthy")
    time.sleep(0.5)
    stuck = emulator_clean.job(job["id"])
    assert stuck["status"] == "running" and [t["status"] for t in stuck["targets"]] == ["unhealthy", "pending"]
    component = hw_get(emulator_clean, "/v3/%s/cas/applications/%s/components/%s" % (PROJECT, SS_APP, SS_WEB)).json()
    assert component["status"]["available_replica"] == 0 and component["status"]["last_job_id"] == job["id"]
    v3 = hw_get(emulator_clean, "/v3/%s/cas/jobs/%s" % (PROJECT, job["id"])).json()
    assert v3["job"]["execution_status"] == "RUNNING" and v3["task_count"] == 2
    aborted = emulator_clean.admin("POST", "jobs/%s/abort" % job["id"])
    assert aborted["status"] == "aborted" and aborted["targets"][1]["status"] == "cancelled"
    v2 = hw_get(emulator_clean, "/v2/%s/cas/jobs/%s" % (PROJECT, job["id"])).json()
    assert v2["job"]["EXECUTION_STATUS"] == "CANCELLED" and v2["tasks"][1]["TASK_STATUS"] == "CANCELLED"
    assert hw_get(emulator_clean, "/v2/%s/cas/jobs/%s" % (OTHER_PROJECT, job["id"])).status_code == 403


def test_manual_batch_confirmation(emulator_clean):
    emulator_clean.settings(time_factor=0.01)
    job = emulator_clean.create_job(platform="edas", action="restart", targets=[EDAS_APP], batch_size=2, manual_confirm=True)
    waiting = wait_for(lambda: emulator_clean.job(job["id"])["status"] == "waiting_confirmation" and emulator_clean.job(job["id"]))
    assert [t["status"] for t in waiting["targets"]] == ["succeeded", "succeeded", "pending", "pending"]
    emulator_clean.admin("POST", "jobs/%s/confirm" % job["id"], json={"proceed": True})
    wait_for(lambda: emulator_clean.job(job["id"])["status"] == "succeeded")
    # The stopped ECC was restarted too, so it runs now: EDAS reports every ECC running.
    status = sae_get(emulator_clean, {"AppId": EDAS_APP}, path="/pop/v5/app/app_status", action="QueryApplicationStatus", version="2017-08-01")
    assert [ecc["AppState"] for ecc in status.json()["AppInfo"]["EccList"]["Ecc"]] == [7, 7, 7, 7]


def test_admin_job_errors(emulator):
    assert emulator.admin("POST", "jobs", json={"platform": "sae", "action": "restart", "targets": ["nope"]}, expect_status=404)["error"]
    assert emulator.admin("POST", "jobs", json={"platform": "sae", "action": "explode", "targets": [SAE_WEB]}, expect_status=400)["error"]
    assert emulator.admin("GET", "jobs/nope", expect_status=404)["error"]


# ---- metrics and TLS ---------------------------------------------------------------------------


def test_metrics_count_operations_and_reset(emulator_clean):
    emulator_clean.admin("DELETE", "metrics")
    sae_get(emulator_clean, {"AppId": SAE_WEB})
    sae_get(emulator_clean, {"AppId": SAE_WEB}, sk="wrong")
    rb_get(emulator_clean, "/1")
    iam_token(emulator_clean)
    hw_get(emulator_clean, "/v3/%s/cas/applications/%s/components/%s" % (PROJECT, SS_APP, SS_WEB))
    metrics = emulator_clean.metrics()
    assert metrics["requests"] == {"sae:DescribeApplicationStatus": 2, "rainbond:GetApp": 1, "iam:CreateToken": 1,
                                   "servicestage:ShowComponentInfo": 1}
    assert metrics["requests_total"] == 5
    emulator_clean.admin("DELETE", "metrics")
    assert emulator_clean.metrics() == {"requests": {}, "requests_total": 0, "throttled": {}, "throttled_total": 0, "restarts": {},
                                        "max_unavailable": {}, "actions": []}


def test_tls_mode(emulator_factory):
    process = emulator_factory(tls=True)
    assert process.url.startswith("https://127.0.0.1:") and os.path.isfile(process.ca_path)
    assert os.path.basename(process.ca_path) == "ca.pem"
    verified = http().get(process.url + "/_emulator/health", verify=process.ca_path, timeout=10)
    assert verified.json()["ok"] is True
    assert http().get(process.url.replace("127.0.0.1", "localhost") + "/_emulator/health", verify=process.ca_path, timeout=10).ok
    with pytest.raises(requests.exceptions.SSLError):
        http().get(process.url + "/_emulator/health", timeout=10)
