# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ServiceStage actions in the emulator over real HTTP: v3 component and v2 instance actions, jobs, records,
paused deployments, errors and metrics.

Requests are signed with ``reference_signers`` (AK/SK), independent of the collection and of the emulator.
Every test that waits on jobs sets a time factor of 0.01 (a 20 s restart takes 0.2 s).
"""

from __future__ import annotations

import json
import time

import pytest
import requests

import reference_signers as signers

HW_AK, HW_SK = "HWDEMOAK0000000000001", "demoHuaweiSecretKey01"
PROJECT = "0123456789abcdef0123456789abcdef"
MALL = "a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a01"
WEB, WEB_INSTANCE = "c0a80001-0000-4000-8000-000000000001", "d1a80001-0000-4000-8000-000000000001"
API, API_INSTANCE = "c0a80001-0000-4000-8000-000000000002", "d1a80001-0000-4000-8000-000000000002"
REPORTS = "a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a02"
REPORT_GEN, REPORT_GEN_INSTANCE = "c0a80002-0000-4000-8000-000000000001", "d1a80002-0000-4000-8000-000000000001"
RELEASES = "a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a03"
STOREFRONT, STOREFRONT_JOB = "c0a80003-0000-4000-8000-000000000001", "JOB0c0a8003-0000-4000-8000-0000000000a1"
CHECKOUT, CHECKOUT_JOB = "c0a80003-0000-4000-8000-000000000002", "JOB0c0a8003-0000-4000-8000-0000000000a2"
TIME_FACTOR = 0.01


def call(emulator, method, path, body=None, query=None):
    """A signed ServiceStage request; ``path`` is relative to ``/v3/{project}/cas`` or starts with ``/v2/``."""
    if not path.startswith("/v"):
        path = "/v3/%s/cas%s" % (PROJECT, path)
    url = emulator.url + path
    data = json.dumps(body).encode() if body is not None else b""
    headers = signers.huawei_headers(method, url, query, data, HW_AK, HW_SK, project_id=PROJECT)
    session = requests.Session()
    session.trust_env = False
    return session.request(method, signers.with_query(url, query), headers=headers, data=data, timeout=10)


def ok(response):
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-Id"]
    return response.json()


def component_path(component, app=MALL):
    return "/applications/%s/components/%s" % (app, component)


def instance_path(component, instance, app=MALL):
    return "/v2/%s/cas/applications/%s/components/%s/instances/%s" % (PROJECT, app, component, instance)


def v3_action(emulator, component, action, app=MALL, **parameters):
    return call(emulator, "POST", component_path(component, app) + "/action", {"action": action, "parameters": parameters})


def v2_action(emulator, component, instance, action, app=MALL, **parameters):
    return call(emulator, "POST", instance_path(component, instance, app) + "/action", {"action": action, "parameters": parameters})


def component_status(emulator, component, app=MALL):
    body = ok(call(emulator, "GET", component_path(component, app)))
    return dict(body["status"], version=body["version"])


def instance_status(emulator, component, instance, app=MALL):
    body = ok(call(emulator, "GET", instance_path(component, instance, app)))
    return dict(body["status_detail"], version=body["version"])


def v3_job(emulator, job_id):
    return ok(call(emulator, "GET", "/jobs/" + job_id))


def v2_job(emulator, job_id):
    return ok(call(emulator, "GET", "/v2/%s/cas/jobs/%s" % (PROJECT, job_id)))


def wait_job(emulator, job_id, timeout=10.0):
    """Poll the v3 job until it is no longer SUBMITTED/RUNNING; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = v3_job(emulator, job_id)
        if job["job"]["execution_status"] not in ("SUBMITTED", "RUNNING"):
            return job
        time.sleep(0.03)
    raise AssertionError("job %s still running after %.1f s" % (job_id, timeout))


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    assert response.headers["X-Request-Id"] and body["request_id"] == response.headers["X-Request-Id"]
    return body


@pytest.fixture
def fast(emulator_clean):
    """The shared emulator, reset, with jobs 100 times faster than real time."""
    emulator_clean.settings(time_factor=TIME_FACTOR)
    return emulator_clean


# ---- lists and records --------------------------------------------------------------------------


def test_list_applications_and_components_by_name(emulator):
    apps = ok(call(emulator, "GET", "/applications"))
    assert apps["count"] == 3 and [a["name"] for a in apps["applications"]] == ["mall", "reports", "releases"]
    assert apps["applications"][0]["component_count"] == 6
    assert [a["id"] for a in ok(call(emulator, "GET", "/applications", query={"name": "reports"}))["applications"]] == [REPORTS]
    components = ok(call(emulator, "GET", "/components"))
    assert components["count"] == 9
    found = ok(call(emulator, "GET", "/components", query={"application_name": "mall", "component_name": "web"}))
    assert found["count"] == 1 and found["components"][0]["id"] == WEB and found["components"][0]["application_id"] == MALL
    assert ok(call(emulator, "GET", "/components", query={"component_name": "nope"})) == {"count": 0, "components": []}
    assert ok(call(emulator, "GET", "/components", query={"limit": "2", "offset": "1"}))["count"] == 9


def test_records_list_deployments_newest_first(emulator_clean):
    records = ok(call(emulator_clean, "GET", component_path(WEB) + "/records"))
    assert records["count"] == 2
    assert [(r["version"], r["current_used"], r["status"]) for r in records["records"]] == [("1.2.0", True, "SUCCEEDED"), ("1.1.0", False, "SUCCEEDED")]
    assert records["records"][0]["instance_id"] == WEB_INSTANCE and records["records"][0]["begin_time"].endswith("Z")
    ascending = ok(call(emulator_clean, "GET", component_path(WEB) + "/records", query={"order": "asc"}))
    assert [r["version"] for r in ascending["records"]] == ["1.1.0", "1.2.0"]


# ---- actions: states and jobs -------------------------------------------------------------------


def test_v3_stop_then_start_moves_through_the_transient_states(fast):
    body = ok(v3_action(fast, WEB, "stop"))
    assert body["job_id"].startswith("JOB") and body["result"] == "succeeded"
    status = component_status(fast, WEB)
    assert (status["component_status"], status["available_replica"], status["last_job_id"]) == ("STOPPING", 0, body["job_id"])
    job = v3_job(fast, body["job_id"])
    assert job["job"]["execution_status"] == "RUNNING" and job["job"]["job_id"] == body["job_id"]
    assert job["tasks"][0]["task_status"] == "RUNNING" and set(job["tasks"][0]) == {
        "task_id", "task_name", "task_type", "task_status", "messages", "created_at", "update_at"}
    assert wait_job(fast, body["job_id"])["job"]["execution_status"] == "SUCCEEDED"
    assert (component_status(fast, WEB)["component_status"], component_status(fast, WEB)["available_replica"]) == ("STOPPED", 0)

    started = ok(v3_action(fast, WEB, "start"))
    assert component_status(fast, WEB)["component_status"] == "STARTING"
    done = wait_job(fast, started["job_id"])
    assert done["tasks"][0]["task_status"] == "SUCCEEDED"
    status = component_status(fast, WEB)
    assert (status["component_status"], status["available_replica"], status["last_job_id"]) == ("RUNNING", 3, started["job_id"])
    assert fast.metrics()["restarts"].get(WEB) is None


def test_v2_restart_shows_in_v3_and_counts_a_restart(fast):
    job_id = ok(v2_action(fast, WEB, WEB_INSTANCE, "restart"))["job_id"]
    assert instance_status(fast, WEB, WEB_INSTANCE)["status"] == "RESTARTING"
    assert component_status(fast, WEB)["component_status"] == "RESTARTING"
    job = v2_job(fast, job_id)
    assert job["job"]["EXECUTION_STATUS"] == "RUNNING" and job["job"]["SERVICE_INSTANCE_ID"] == WEB_INSTANCE
    assert job["job"]["JOB_NAME"] == "UpdateInstanceAction" and job["tasks"][0]["TASK_STATUS"] == "RUNNING"
    wait_job(fast, job_id)
    detail = instance_status(fast, WEB, WEB_INSTANCE)
    assert (detail["status"], detail["available_replica"], detail["last_job_id"], detail["last_job_status"]) == ("RUNNING", 3, job_id, "SUCCEEDED")
    assert v2_job(fast, job_id)["tasks"][0]["TASK_STATUS"] == "SUCCEEDED"
    metrics = fast.metrics()
    assert metrics["restarts"][WEB] == 1 and metrics["max_unavailable"][MALL] == 1
    assert metrics["actions"][-1] == dict(metrics["actions"][-1], platform="servicestage", operation="UpdateInstanceAction",
                                          targets=[WEB], job_id=job_id, detail={"action": "restart", "parameters": {}})


@pytest.mark.parametrize("api", ["v3", "v2"])
def test_scale_changes_replica_and_available_follows(fast, api):
    response = v3_action(fast, WEB, "scale", replica=5) if api == "v3" else v2_action(fast, WEB, WEB_INSTANCE, "scale", replica=5)
    job_id = ok(response)["job_id"]
    status = component_status(fast, WEB)
    assert (status["component_status"], status["replica"], status["available_replica"]) == ("RUNNING", 5, 3)
    wait_job(fast, job_id)
    assert (component_status(fast, WEB)["replica"], component_status(fast, WEB)["available_replica"]) == (5, 5)
    assert instance_status(fast, WEB, WEB_INSTANCE)["replica"] == 5
    # A stopped component keeps its state: only its replica count changes.
    wait_job(fast, ok(v3_action(fast, REPORT_GEN, "scale", app=REPORTS, replica=0))["job_id"])
    status = component_status(fast, REPORT_GEN, REPORTS)
    assert (status["component_status"], status["replica"], status["available_replica"]) == ("STOPPED", 0, 0)


def test_rollback_by_version_and_rollback_current(fast):
    job_id = ok(v3_action(fast, WEB, "rollback", version="1.1.0"))["job_id"]
    assert component_status(fast, WEB)["component_status"] == "UPGRADING"
    wait_job(fast, job_id)
    assert component_status(fast, WEB)["version"] == "1.1.0"
    records = ok(call(fast, "GET", component_path(WEB) + "/records"))["records"]
    assert (records[0]["version"], records[0]["deploy_type"], records[0]["current_used"], records[0]["jobs"][0]["job_id"]) == (
        "1.1.0", "rollback", True, job_id)
    # rollback_current goes back to the version deployed before the current one.
    job_id = ok(v3_action(fast, WEB, "rollback_current"))["job_id"]
    wait_job(fast, job_id)
    assert component_status(fast, WEB)["version"] == "1.2.0" and instance_status(fast, WEB, WEB_INSTANCE)["version"] == "1.2.0"
    # v2 rollback to a snapshot.
    job_id = ok(v2_action(fast, WEB, WEB_INSTANCE, "rollback", version="1.1.0"))["job_id"]
    wait_job(fast, job_id)
    assert instance_status(fast, WEB, WEB_INSTANCE)["version"] == "1.1.0"
    assert fast.metrics()["restarts"][WEB] == 3


def test_job_fail_fault_fails_the_job_with_task_messages(fast):
    fast.add_fault(kind="job_fail", target=API, message="liveness probe failed on api-5d8")
    job_id = ok(v3_action(fast, API, "rollback", version="2.3.0"))["job_id"]
    job = wait_job(fast, job_id)
    assert job["job"]["execution_status"] == "FAILED"
    assert job["tasks"][0]["task_status"] == "FAILED" and job["tasks"][0]["messages"] == "liveness probe failed on api-5d8"
    assert v2_job(fast, job_id)["tasks"][0]["MESSAGES"] == "liveness probe failed on api-5d8"
    status = component_status(fast, API)
    assert (status["component_status"], status["version"]) == ("FAILED", "2.3.1")  # a failed rollback keeps the old version
    assert instance_status(fast, API, API_INSTANCE)["last_job_status"] == "FAILED"


def test_never_healthy_stays_restarting_until_the_deadline(fast):
    fast.admin("PUT", "world", json=dict(fast.state()["world"], jobs={"unhealthy_deadline_seconds": {"servicestage": 50}}))
    fast.settings(time_factor=TIME_FACTOR)
    fast.add_fault(kind="never_healthy", target=WEB)
    job_id = ok(v3_action(fast, WEB, "restart"))["job_id"]
    time.sleep(0.3)  # past the restart (0.2 s), before the deadline (0.5 s)
    status = component_status(fast, WEB)
    assert (status["component_status"], status["available_replica"]) == ("RESTARTING", 0)
    assert v3_job(fast, job_id)["job"]["execution_status"] == "RUNNING"
    job = wait_job(fast, job_id)
    assert job["job"]["execution_status"] == "FAILED" and "did not become healthy" in job["tasks"][0]["messages"]
    assert component_status(fast, WEB)["component_status"] == "FAILED"


# ---- paused deployments -------------------------------------------------------------------------


def test_paused_deployments_as_the_world_gives_them(emulator_clean):
    for component, job_id, strategy in ((STOREFRONT, STOREFRONT_JOB, "GrayRelease"), (CHECKOUT, CHECKOUT_JOB, "RollingRelease")):
        body = ok(call(emulator_clean, "GET", component_path(component, RELEASES)))
        assert (body["status"]["component_status"], body["status"]["last_job_id"], body["deploy_strategy"]["type"]) == ("UPGRADING", job_id, strategy)
        job = v3_job(emulator_clean, job_id)
        assert job["job"]["execution_status"] == "RUNNING"
        assert [t["task_status"] for t in job["tasks"]] == ["SUCCEEDED", "PAUSED"]
        assert v2_job(emulator_clean, job_id)["tasks"][-1]["TASK_STATUS"] == "PAUSED"
        records = ok(call(emulator_clean, "GET", component_path(component, RELEASES) + "/records"))["records"]
        assert (records[0]["status"], records[0]["current_used"], records[1]["current_used"]) == ("RUNNING", False, True)


@pytest.mark.parametrize("component, job_id, action, version", [
    (STOREFRONT, STOREFRONT_JOB, "check_gray_release", "3.2.0"),
    (STOREFRONT, STOREFRONT_JOB, "continue_deploy", "3.2.0"),
    (CHECKOUT, CHECKOUT_JOB, "continue_deploy", "1.5.0"),
])
def test_resuming_a_paused_deployment_finishes_it(fast, component, job_id, action, version):
    assert ok(v3_action(fast, component, action, app=RELEASES))["job_id"] == job_id
    wait_job(fast, job_id)
    assert [t["task_status"] for t in v3_job(fast, job_id)["tasks"]] == ["SUCCEEDED", "SUCCEEDED"]
    status = component_status(fast, component, RELEASES)
    assert (status["component_status"], status["version"], status["last_job_id"]) == ("RUNNING", version, job_id)
    assert fast.metrics()["actions"][-1]["job_id"] == job_id
    # Done: nothing is paused any more.
    assert_error(v3_action(fast, component, "continue_deploy", app=RELEASES), 400, "SVCSTG.00100400")


def test_modify_gray_rule_keeps_the_deployment_paused(fast):
    job_id = ok(v3_action(fast, STOREFRONT, "modify_gray_rule", app=RELEASES, replica=2))["job_id"]
    assert job_id != STOREFRONT_JOB
    assert wait_job(fast, job_id)["job"]["execution_status"] == "SUCCEEDED"
    body = ok(call(fast, "GET", component_path(STOREFRONT, RELEASES)))
    assert body["status"]["component_status"] == "UPGRADING" and body["deploy_strategy"]["gray_release"]["first_batch_replica"] == 2
    assert v3_job(fast, STOREFRONT_JOB)["job"]["execution_status"] == "RUNNING"
    wait_job(fast, ok(v3_action(fast, STOREFRONT, "check_gray_release", app=RELEASES))["job_id"])
    assert component_status(fast, STOREFRONT, RELEASES)["version"] == "3.2.0"


@pytest.mark.parametrize("component, action", [(WEB, "continue_deploy"), (CHECKOUT, "check_gray_release"), (CHECKOUT, "modify_gray_rule")])
def test_paused_actions_without_a_matching_paused_deployment(emulator_clean, component, action):
    app = MALL if component == WEB else RELEASES
    body = assert_error(v3_action(emulator_clean, component, action, app=app), 400, "SVCSTG.00100400")
    assert "paused between batches" in body["error_msg"]


def test_other_actions_conflict_with_a_paused_deployment(emulator_clean):
    body = assert_error(v3_action(emulator_clean, CHECKOUT, "restart", app=RELEASES), 409, "SVCSTG.00100409")
    assert "paused" in body["error_msg"] and CHECKOUT_JOB in body["error_msg"]


# ---- a new version: ModifyComponent ---------------------------------------------------------------

# What ShowComponentInfo shows beyond the SDK's ComponentModify: never part of the PUT body.
INFO_ONLY = ("status", "environment_id", "application_id")
NEW_IMAGE = "swr.cn-north-4.myhuaweicloud.com/demo/web:1.3.0"


def modify_body(emulator, component, app=MALL, **changes):
    """The body a full-body PUT sends: the component as read, changed by ``changes``."""
    body = {key: value for key, value in ok(call(emulator, "GET", component_path(component, app))).items() if key not in INFO_ONLY}
    body.update(changes)
    return body


def modify(emulator, component, body, app=MALL):
    return call(emulator, "PUT", component_path(component, app), body)


def with_bad_versions(emulator, *bad_versions):
    emulator.admin("PUT", "world", json=dict(emulator.state()["world"], bad_versions=list(bad_versions)))
    emulator.settings(time_factor=TIME_FACTOR)


def test_modify_component_deploys_the_version_and_keeps_the_rest(fast):
    before = ok(call(fast, "GET", component_path(WEB)))
    body = modify_body(fast, WEB, version="1.3.0", source=dict(before["source"], url=NEW_IMAGE), replica=4, description="web 1.3")
    job_id = ok(modify(fast, WEB, body))["job_id"]
    assert job_id.startswith("JOB")
    during = ok(call(fast, "GET", component_path(WEB)))
    # The new spec is taken at once; the version and source once the deployment's job succeeds.
    assert (during["status"]["component_status"], during["status"]["last_job_id"], during["version"], during["source"]["url"]) == (
        "UPGRADING", job_id, "1.2.0", before["source"]["url"])
    assert (during["replica"], during["description"]) == (4, "web 1.3")
    assert wait_job(fast, job_id)["tasks"][0]["task_status"] == "SUCCEEDED"
    after = ok(call(fast, "GET", component_path(WEB)))
    assert (after["version"], after["source"], after["status"]["artifact"]) == ("1.3.0", dict(before["source"], url=NEW_IMAGE),
                                                                                {"type": "image", "url": NEW_IMAGE})
    unchanged = ("status", "version", "source", "replica", "description")
    assert {k: v for k, v in after.items() if k not in unchanged} == {k: v for k, v in before.items() if k not in unchanged}
    listed = next(c for c in ok(call(fast, "GET", "/applications/%s/components" % MALL))["components"] if c["id"] == WEB)
    assert (listed["version"], listed["source"]["url"]) == ("1.3.0", NEW_IMAGE)
    records = ok(call(fast, "GET", component_path(WEB) + "/records"))["records"]
    assert (records[0]["version"], records[0]["deploy_type"], records[0]["current_used"], records[0]["status"]) == ("1.3.0", "upgrade", True, "SUCCEEDED")
    assert records[0]["jobs"][0]["job_id"] == job_id and records[0]["jobs"][0]["job_info"]["source_url"] == NEW_IMAGE
    assert fast.metrics()["actions"][-1] == dict(fast.metrics()["actions"][-1], operation="ModifyComponent", targets=[WEB], job_id=job_id,
                                                 detail={"version": "1.3.0", "source": body["source"]})
    assert fast.metrics()["restarts"][WEB] == 1


def test_modify_component_is_a_full_body_put(fast):
    # A field the body leaves out is cleared, as a PUT of the whole component does.
    body = modify_body(fast, WEB, version="1.3.0")
    del body["limit_cpu"], body["timezone"]
    wait_job(fast, ok(modify(fast, WEB, body))["job_id"])
    after = ok(call(fast, "GET", component_path(WEB)))
    assert (after["limit_cpu"], after["timezone"], after["limit_memory"]) == (None, None, 1)


def test_rollback_to_a_record_restores_its_version_and_source(fast):
    before = ok(call(fast, "GET", component_path(WEB)))
    wait_job(fast, ok(modify(fast, WEB, modify_body(fast, WEB, version="1.3.0", source=dict(before["source"], url=NEW_IMAGE))))["job_id"])
    wait_job(fast, ok(v3_action(fast, WEB, "rollback", version="1.2.0"))["job_id"])
    after = ok(call(fast, "GET", component_path(WEB)))
    assert (after["version"], after["source"]) == ("1.2.0", before["source"])
    wait_job(fast, ok(v3_action(fast, WEB, "rollback", version="1.3.0"))["job_id"])
    after = ok(call(fast, "GET", component_path(WEB)))
    assert (after["version"], after["source"]["url"]) == ("1.3.0", NEW_IMAGE)


@pytest.mark.parametrize("bad", [{"version": "1.3.0", "kind": "fail_in_batch", "message": "readiness probe failed: 503"},
                                 {"version": NEW_IMAGE, "kind": "fail_in_batch"}], ids=["by-version", "by-image"])
def test_a_bad_version_fails_its_deployment_and_keeps_the_old_one(fast, bad):
    with_bad_versions(fast, bad)
    source = ok(call(fast, "GET", component_path(WEB)))["source"]
    job = wait_job(fast, ok(modify(fast, WEB, modify_body(fast, WEB, version="1.3.0", source=dict(source, url=NEW_IMAGE))))["job_id"])
    assert job["job"]["execution_status"] == "FAILED"
    assert job["tasks"][0]["messages"] == bad.get("message", "%s: readiness probe failed on version %s (batch 1)" % (WEB, bad["version"]))
    after = ok(call(fast, "GET", component_path(WEB)))
    assert (after["status"]["component_status"], after["version"], after["source"]) == ("FAILED", "1.2.0", source)
    records = ok(call(fast, "GET", component_path(WEB) + "/records"))["records"]
    assert [(r["version"], r["status"], r["current_used"]) for r in records] == [
        ("1.3.0", "FAILED", False), ("1.2.0", "SUCCEEDED", True), ("1.1.0", "SUCCEEDED", False)]
    wait_job(fast, ok(v3_action(fast, WEB, "rollback", version="1.2.0"))["job_id"])
    after = ok(call(fast, "GET", component_path(WEB)))
    assert (after["status"]["component_status"], after["version"], after["source"]) == ("RUNNING", "1.2.0", source)


def test_a_never_healthy_version_stays_upgrading_until_the_deadline(fast):
    fast.admin("PUT", "world", json=dict(fast.state()["world"], bad_versions=[{"version": "1.3.0", "kind": "never_healthy"}],
                                         jobs={"unhealthy_deadline_seconds": {"servicestage": 50}}))
    fast.settings(time_factor=TIME_FACTOR)
    job_id = ok(modify(fast, WEB, modify_body(fast, WEB, version="1.3.0")))["job_id"]
    time.sleep(0.4)  # past the upgrade (0.3 s), before the deadline (0.5 s)
    assert (component_status(fast, WEB)["component_status"], v3_job(fast, job_id)["job"]["execution_status"]) == ("UPGRADING", "RUNNING")
    job = wait_job(fast, job_id)
    assert job["job"]["execution_status"] == "FAILED" and "did not become healthy" in job["tasks"][0]["messages"]
    assert (component_status(fast, WEB)["component_status"], component_status(fast, WEB)["version"]) == ("FAILED", "1.2.0")


@pytest.mark.parametrize("change, message", [
    (dict(status={"component_status": "RUNNING"}), "ComponentModify has no field status"),
    (dict(name="web2"), "name cannot change"),
    (dict(version="1.3"), "version must be"),
    (dict(version=None), "version required"),
    (dict(replica=None), "replica required"),
    (dict(runtime_stack=None), "runtime_stack required"),
    (dict(source=None), "source required"),
    (dict(replica="3"), "replica must be an integer"),
    (dict(source={"kind": "docker", "url": NEW_IMAGE}), "source.kind must be one of code, package, image"),
    (dict(source={"kind": "image"}), "source.url is required"),
    (dict(deploy_strategy={"type": "BlueGreen"}), "deploy_strategy.type must be one of"),
])
def test_modify_component_refuses_what_the_sdk_model_does_not_allow(emulator_clean, change, message):
    body = modify_body(emulator_clean, WEB, version="1.3.0")
    body.update(change)
    body = {key: value for key, value in body.items() if value is not None}
    error = assert_error(modify(emulator_clean, WEB, body), 400, "SVCSTG.00100400")
    assert message in error["error_msg"]
    assert ok(call(emulator_clean, "GET", component_path(WEB)))["version"] == "1.2.0" and emulator_clean.metrics()["actions"] == []


def test_modify_component_conflicts_with_a_running_job(emulator_clean):
    job_id = ok(v3_action(emulator_clean, WEB, "restart"))["job_id"]
    body = assert_error(modify(emulator_clean, WEB, modify_body(emulator_clean, WEB, version="1.3.0")), 409, "SVCSTG.00100409")
    assert job_id in body["error_msg"]
    assert_error(modify(emulator_clean, CHECKOUT, modify_body(emulator_clean, CHECKOUT, RELEASES, version="1.6.0"), RELEASES), 409, "SVCSTG.00100409")


# ---- errors ---------------------------------------------------------------------------------------


def test_action_while_a_job_runs_conflicts(emulator_clean):
    job_id = ok(v3_action(emulator_clean, WEB, "restart"))["job_id"]
    for response in (v3_action(emulator_clean, WEB, "stop"), v2_action(emulator_clean, WEB, WEB_INSTANCE, "scale", replica=1)):
        body = assert_error(response, 409, "SVCSTG.00100409")
        assert body["error_msg"].startswith("conflicts with the current state: a job is running") and job_id in body["error_msg"]


@pytest.mark.parametrize("request_args, status, code", [
    (("POST", "/applications/nope/components/%s/action" % WEB, {"action": "start"}), 404, "SVCSTG.00100403"),
    (("POST", component_path("nope") + "/action", {"action": "start"}), 404, "SVCSTG.00100404"),
    (("GET", component_path("nope") + "/records", None), 404, "SVCSTG.00100404"),
    (("POST", instance_path(WEB, "nope") + "/action", {"action": "start"}), 404, "SVCSTG.00100412"),
    (("POST", instance_path("nope", WEB_INSTANCE) + "/action", {"action": "start"}), 404, "SVCSTG.00100404"),
    (("GET", "/v2/%s/cas/jobs/JOBnope" % PROJECT, None), 404, "SVCSTG.00100429"),
    (("POST", instance_path(WEB, WEB_INSTANCE) + "/action", {"action": "explode"}), 400, "SVCSTG.00100418"),
    (("POST", instance_path(WEB, WEB_INSTANCE) + "/action", {"action": "continue_deploy"}), 400, "SVCSTG.00100418"),
    (("POST", component_path(WEB) + "/action", {"action": "explode"}), 400, "SVCSTG.00100400"),
    (("POST", component_path(WEB) + "/action", {"parameters": {}}), 400, "SVCSTG.00100400"),
    (("POST", component_path(WEB) + "/action", {"action": "scale"}), 400, "SVCSTG.00100400"),
    (("POST", component_path(WEB) + "/action", {"action": "scale", "parameters": {"replica": -1}}), 400, "SVCSTG.00100400"),
    (("POST", component_path(WEB) + "/action", {"action": "scale", "parameters": {"replica": "2"}}), 400, "SVCSTG.00100400"),
    (("POST", component_path(WEB) + "/action", {"action": "rollback"}), 400, "SVCSTG.00100400"),
    (("POST", component_path(WEB) + "/action", {"action": "start", "parameters": {"hosts": "ecs-1"}}), 400, "SVCSTG.00100400"),
    (("POST", component_path(WEB) + "/action", {"action": "rollback", "parameters": {"version": "9.9.9"}}), 404, "SVCSTG.00100436"),
    (("POST", instance_path(WEB, WEB_INSTANCE) + "/action", {"action": "rollback", "parameters": {"version": "9.9.9"}}), 404, "SVCSTG.00100436"),
    (("POST", component_path("c0a80001-0000-4000-8000-000000000003") + "/action", {"action": "rollback_current"}), 400, "SVCSTG.00100400"),
])
def test_errors(emulator_clean, request_args, status, code):
    method, path, body = request_args
    assert_error(call(emulator_clean, method, path, body), status, code)
    assert all(entry["platform"] != "servicestage" for entry in emulator_clean.metrics()["actions"])


def test_snapshot_not_found_lists_the_versions(emulator_clean):
    body = assert_error(v2_action(emulator_clean, WEB, WEB_INSTANCE, "rollback", version="0.0.1"), 404, "SVCSTG.00100436")
    assert body["error_msg"].startswith("snapshot not found") and "1.1.0, 1.2.0" in body["error_msg"]


def test_throttling_fault_has_the_gateway_body(emulator_clean):
    emulator_clean.add_fault(kind="http", status=429, platform="servicestage", path="/action$", count=1)
    body = assert_error(v3_action(emulator_clean, WEB, "restart"), 429, "APIG.0308")
    assert body["error_msg"] == "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second"
    assert component_status(emulator_clean, WEB)["last_job_id"] == ""  # rejected before it had any effect
    assert ok(v3_action(emulator_clean, WEB, "restart"))["job_id"]


def test_metrics_name_every_operation(emulator_clean):
    emulator_clean.admin("DELETE", "metrics")
    job_id = ok(v3_action(emulator_clean, REPORT_GEN, "start", app=REPORTS))["job_id"]
    calls = [("GET", "/applications"), ("GET", "/components"), ("GET", component_path(WEB) + "/records"), ("GET", "/jobs/" + job_id),
             ("GET", "/v2/%s/cas/jobs/%s" % (PROJECT, job_id)), ("GET", instance_path(WEB, WEB_INSTANCE)),
             ("GET", instance_path(WEB, WEB_INSTANCE).rsplit("/", 1)[0])]
    for method, path in calls:
        ok(call(emulator_clean, method, path))
    ok(v2_action(emulator_clean, WEB, WEB_INSTANCE, "restart"))
    assert emulator_clean.metrics()["requests"] == {
        "servicestage:UpdateComponentAction": 1, "servicestage:ListApplications": 1, "servicestage:ShowComponents": 1,
        "servicestage:ShowComponentRecords": 1, "servicestage:ShowJobInfo": 1, "servicestage:ShowJobDetail": 1,
        "servicestage:ShowInstanceDetail": 1, "servicestage:ListInstances": 1, "servicestage:UpdateInstanceAction": 1}
    assert [entry["operation"] for entry in emulator_clean.metrics()["actions"]] == ["UpdateComponentAction", "UpdateInstanceAction"]
