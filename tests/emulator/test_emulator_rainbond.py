# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rainbond in the emulator over raw HTTP: app operations, component events, horizontal scale, silent drops, errors, metrics.

The session emulator runs at time factor 0.05 (a 15 s start takes 0.75 s).  Every test starts from the pristine
default world and leaves it pristine (faults and loaded worlds are cleared after it), because other test files
share the session emulator without resetting it.
"""

from __future__ import annotations

import copy
import os
import re
import time

import pytest
import requests
import yaml

from ansible_collections.paas.ops.tests.emulator.test_emulator_core import wait_for

TOKEN = "demoRainbondToken01"
TEAM_ID = "e4a5b3c2d1f0e9d8c7b6a5f4e3d2c1b0"
APPS = "/openapi/v1/teams/demo-team/regions/demo-region/apps"
APPS_BY_TEAM_ID = "/openapi/v1/teams/%s/regions/demo-region/apps" % TEAM_ID
SHOP, REPORTS, ARCHIVE = 1, 2, 3
WEB, API, WORKER, GATEWAY = ("3f6d1e2a9b8c4d7e8f0a1b2c3d4e5f60", "7c2e9a1b4d5f4e6a8b9c0d1e2f3a4b5c", "9e8d7c6b5a4f43e2a1b0c9d8e7f6a5b4",
                             "1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6")
SHOP_COMPONENTS = [WEB, API, WORKER, GATEWAY]
REPORT_API, REPORT_CRON = "5b4a3c2d1e0f4a9b8c7d6e5f4a3b2c1d", "6c5b4a3d2e1f40a9b8c7d6e5f4a3b2c1"
ARCHIVE_WEB, ARCHIVE_DB = "8d7c6b5a4e3f42a1b0c9d8e7f6a5b4c3", "2f3e4d5c6b7a48a9b0c1d2e3f4a5b6c7"
DEFAULT_WORLD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "emulator", "worlds", "default.yml")

EVENT_KEYS = {"event_id", "user_name", "start_time", "end_time", "create_time", "target", "target_id", "opt_type", "service_id", "status",
              "final_status", "syn_type", "message", "request_body", "tenant_id"}
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
OPERATED = {"msg": "操作成功"}


# ---- helpers ---------------------------------------------------------------------------------------------------


def http():
    session = requests.Session()
    session.trust_env = False
    return session


def rb(emulator, method, path, body=None, token=TOKEN, raw=None, base=APPS):
    headers = {"Authorization": token} if token is not None else {}
    if raw is not None:
        headers["Content-Type"] = "application/json"
        return http().request(method, emulator.url + base + path, headers=headers, data=raw, timeout=10)
    return http().request(method, emulator.url + base + path, headers=headers, json=body, timeout=10)


def ok(response):
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-Id"]
    return response.json()


def operate(emulator, app_id, action, service_ids=None, **extra):
    body = {"action": action}
    if service_ids is not None:
        body["service_ids"] = service_ids
    body.update(extra)
    response = rb(emulator, "POST", "/%s/operations" % app_id, body)
    assert ok(response) == OPERATED
    return response


def app(emulator, app_id):
    return ok(rb(emulator, "GET", "/%s" % app_id))


def component(emulator, app_id, service_id):
    return ok(rb(emulator, "GET", "/%s/services/%s" % (app_id, service_id)))


def status(emulator, app_id, service_id):
    return component(emulator, app_id, service_id)["status"]


def statuses(emulator, app_id):
    return {c["service_id"]: c["status"] for c in ok(rb(emulator, "GET", "/%s/services" % app_id))}


def events(emulator, app_id, service_id, page=1, page_size=10):
    return ok(rb(emulator, "GET", "/%s/services/%s/events?page=%d&page_size=%d" % (app_id, service_id, page, page_size)))


def latest_event(emulator, app_id, service_id):
    found = events(emulator, app_id, service_id, page_size=1)["events"]
    return found[0] if found else None


def scale(emulator, app_id, service_id, body):
    return rb(emulator, "POST", "/%s/services/%s/telescopic/horizontal" % (app_id, service_id), body)


def wait_event_ended(emulator, app_id, service_id, event_id, timeout=10.0):
    def ended():
        event = next(e for e in events(emulator, app_id, service_id, page_size=50)["events"] if e["event_id"] == event_id)
        return event if event["final_status"] == "complete" else None
    return wait_for(ended, timeout)


def rainbond_error(response, status_code, code):
    assert response.status_code == status_code, response.text
    body = response.json()
    assert body["code"] == code and body["data"] == {"bean": {}, "list": []} and body["msg"] and body["msg_show"], body
    return body


def validation_error(response, err):
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": "参数错误", "err": err, "code": 20400, "error_type": "ValidationError"}


def last_action(emulator):
    return emulator.metrics()["actions"][-1]


def default_world_with(changes):
    """The default world (with the session's time factor) after ``changes(world)``: tests load variants, never edit default.yml."""
    with open(DEFAULT_WORLD, encoding="utf-8") as handle:
        world = yaml.safe_load(handle)
    world["settings"]["time_factor"] = 0.05
    changes(world)
    return world


def shop_component(world, service_id):
    shop = world["rainbond"]["teams"][0]["apps"][0]
    return next(c for c in shop["components"] if c["service_id"] == service_id)


# ---- events of a fresh world -----------------------------------------------------------------------------------


def test_fresh_world_has_one_old_event_per_deployed_component(emu):
    listing = events(emu, SHOP, WEB)
    assert (listing["total"], listing["page"], listing["page_size"]) == (1, 1, 10)
    event = listing["events"][0]
    assert set(event) == EVENT_KEYS
    assert re.fullmatch(r"[0-9a-f]{32}", event["event_id"])
    assert (event["opt_type"], event["status"], event["final_status"], event["message"]) == ("start-service", "success", "complete", "")
    assert (event["target"], event["target_id"], event["service_id"], event["tenant_id"]) == ("service", WEB, WEB, TEAM_ID)
    assert (event["user_name"], event["syn_type"], event["request_body"]) == ("admin", 0, None)
    assert all(TIME_RE.match(event[key]) for key in ("start_time", "end_time", "create_time"))
    assert event["end_time"] > event["start_time"]
    assert latest_event(emu, REPORTS, REPORT_CRON)["opt_type"] == "stop-service"  # a closed component was stopped last
    assert events(emu, ARCHIVE, ARCHIVE_DB) == {"events": [], "total": 0, "page": 1, "page_size": 10}  # never deployed
    # By alias, and with the team's id instead of its name.
    by_alias = ok(rb(emu, "GET", "/%s/services/gr1a2b3c/events" % SHOP, base=APPS_BY_TEAM_ID))
    assert by_alias["events"][0]["event_id"] == event["event_id"]


# ---- operations ------------------------------------------------------------------------------------------------


def test_stop_without_service_ids_stops_every_component(emu):
    emu.settings(time_factor=0.1)  # a 1 s stop: room for the reads of the transient state
    before = {sid: latest_event(emu, SHOP, sid)["event_id"] for sid in SHOP_COMPONENTS}
    operate(emu, SHOP, "stop")
    # The events exist as soon as the call has answered: one new, running event per component.
    for sid in SHOP_COMPONENTS:
        event = latest_event(emu, SHOP, sid)
        assert event["event_id"] != before[sid]
        assert (event["opt_type"], event["status"], event["final_status"], event["end_time"]) == ("stop-service", "", "running", None)
    assert set(statuses(emu, SHOP).values()) == {"stopping"}
    shop = app(emu, SHOP)
    assert (shop["status"], shop["running_service_count"]) == ("closed", 0)
    action = last_action(emu)
    assert (action["platform"], action["operation"], action["targets"]) == ("rainbond", "OperateApp", SHOP_COMPONENTS)
    assert action["detail"] == {"action": "stop", "dropped": [], "drop_reasons": {}, "completed_at_once": [], "ignored": []}
    job = emu.job(action["job_id"])
    assert (job["action"], job["operation"], job["batch_count"], len(job["targets"])) == ("stop", "OperateApp", 1, 4)

    wait_for(lambda: set(statuses(emu, SHOP).values()) == {"closed"})
    for sid in SHOP_COMPONENTS:
        event = latest_event(emu, SHOP, sid)
        assert (event["status"], event["final_status"], event["message"]) == ("success", "complete", "")
        assert TIME_RE.match(event["end_time"])
    assert app(emu, SHOP)["status"] == "closed"
    assert emu.metrics()["restarts"] == {}  # stop is not a restart


def test_start_with_service_ids_acts_on_those_of_the_app_only(emu):
    untouched = latest_event(emu, REPORTS, REPORT_API)["event_id"]
    # An id of another app and an unknown id are ignored; the running report-api is not named.
    operate(emu, REPORTS, "start", [REPORT_CRON, WEB, "no-such-component"])
    assert statuses(emu, REPORTS) == {REPORT_API: "running", REPORT_CRON: "starting"}
    assert app(emu, REPORTS)["status"] == "part_running"
    event = latest_event(emu, REPORTS, REPORT_CRON)
    assert (event["opt_type"], event["final_status"]) == ("start-service", "running")
    assert latest_event(emu, REPORTS, REPORT_API)["event_id"] == untouched
    assert latest_event(emu, SHOP, WEB)["opt_type"] == "start-service" and events(emu, SHOP, WEB)["total"] == 1
    action = last_action(emu)
    assert action["targets"] == [REPORT_CRON] and action["detail"]["ignored"] == [WEB, "no-such-component"]

    wait_event_ended(emu, REPORTS, REPORT_CRON, event["event_id"])
    assert statuses(emu, REPORTS) == {REPORT_API: "running", REPORT_CRON: "running"}
    shop_like = app(emu, REPORTS)
    assert (shop_like["status"], shop_like["running_service_count"], shop_like["service_count"]) == ("running", 2, 2)


def test_empty_service_ids_mean_every_component(emu):
    operate(emu, REPORTS, "stop", [])
    assert last_action(emu)["targets"] == [REPORT_API, REPORT_CRON]
    # The closed report-cron gets an event that has already ended; only report-api has something to do.
    assert last_action(emu)["detail"]["completed_at_once"] == [REPORT_CRON]
    assert statuses(emu, REPORTS) == {REPORT_API: "stopping", REPORT_CRON: "closed"}
    assert app(emu, REPORTS)["status"] == "closed"


def test_only_foreign_ids_reach_no_component(emu):
    actions = len(emu.metrics()["actions"])
    operate(emu, SHOP, "stop", [REPORT_API])
    assert statuses(emu, REPORTS)[REPORT_API] == "running" and set(statuses(emu, SHOP).values()) == {"running"}
    assert len(emu.metrics()["actions"]) == actions  # nothing was sent to the region


def test_start_on_running_and_stop_on_closed_end_at_once(emu):
    operate(emu, SHOP, "start")
    action = last_action(emu)
    assert action["job_id"] is None and action["detail"]["completed_at_once"] == SHOP_COMPONENTS
    for sid in SHOP_COMPONENTS:
        listing = events(emu, SHOP, sid)
        assert listing["total"] == 2
        event = listing["events"][0]
        assert (event["opt_type"], event["status"], event["final_status"]) == ("start-service", "success", "complete")
        assert event["end_time"] == event["start_time"]
    assert set(statuses(emu, SHOP).values()) == {"running"}
    operate(emu, REPORTS, "stop", [REPORT_CRON])
    event = latest_event(emu, REPORTS, REPORT_CRON)
    assert (event["opt_type"], event["status"], event["final_status"]) == ("stop-service", "success", "complete")
    assert status(emu, REPORTS, REPORT_CRON) == "closed"


def test_upgrade_rolls_running_components_and_counts_restarts(emu):
    operate(emu, SHOP, "upgrade", [WEB, API])
    assert statuses(emu, SHOP) == {WEB: "upgrade", API: "upgrade", WORKER: "running", GATEWAY: "running"}
    assert app(emu, SHOP)["status"] == "part_running"
    event = latest_event(emu, SHOP, WEB)
    assert (event["opt_type"], event["final_status"]) == ("upgrade-service", "running")
    wait_event_ended(emu, SHOP, API, latest_event(emu, SHOP, API)["event_id"])
    wait_event_ended(emu, SHOP, WEB, event["event_id"])
    assert set(statuses(emu, SHOP).values()) == {"running"} and app(emu, SHOP)["status"] == "running"
    metrics = emu.metrics()
    assert metrics["restarts"] == {WEB: 1, API: 1}
    assert metrics["max_unavailable"]["1"] == 2
    assert component(emu, SHOP, WEB)["update_version"] == 1  # an upgrade redeploys the current build


def test_upgrade_on_closed_is_a_no_op_and_on_undeploy_fails(emu):
    operate(emu, ARCHIVE, "upgrade")
    web = latest_event(emu, ARCHIVE, ARCHIVE_WEB)
    assert (web["opt_type"], web["status"], web["final_status"]) == ("upgrade-service", "success", "complete")
    db = latest_event(emu, ARCHIVE, ARCHIVE_DB)
    assert (db["opt_type"], db["status"], db["final_status"]) == ("upgrade-service", "failure", "complete")
    assert db["message"] == "the component has not been deployed"
    assert statuses(emu, ARCHIVE) == {ARCHIVE_WEB: "closed", ARCHIVE_DB: "undeploy"}
    assert emu.metrics()["restarts"] == {}


def test_start_on_undeploy_fails_at_once_while_the_closed_one_starts(emu):
    operate(emu, ARCHIVE, "start")
    assert statuses(emu, ARCHIVE) == {ARCHIVE_WEB: "starting", ARCHIVE_DB: "undeploy"}
    db = latest_event(emu, ARCHIVE, ARCHIVE_DB)
    assert (db["opt_type"], db["status"], db["message"]) == ("start-service", "failure", "the component has not been deployed")
    action = last_action(emu)
    assert action["detail"]["completed_at_once"] == [ARCHIVE_DB] and emu.job(action["job_id"])["targets"][0]["id"] == ARCHIVE_WEB
    wait_for(lambda: status(emu, ARCHIVE, ARCHIVE_WEB) == "running")
    assert app(emu, ARCHIVE)["status"] == "part_running"


def test_deploy_builds_every_component_even_closed_and_undeploy(emu):
    emu.settings(time_factor=0.02)  # 40 s deploy -> 0.8 s
    before = component(emu, ARCHIVE, ARCHIVE_WEB)
    operate(emu, ARCHIVE, "deploy")
    assert statuses(emu, ARCHIVE) == {ARCHIVE_WEB: "upgrade", ARCHIVE_DB: "upgrade"}
    assert latest_event(emu, ARCHIVE, ARCHIVE_DB)["opt_type"] == "build-service"
    wait_for(lambda: app(emu, ARCHIVE)["status"] == "running")
    for sid in (ARCHIVE_WEB, ARCHIVE_DB):
        after = component(emu, ARCHIVE, sid)
        assert after["status"] == "running" and after["update_version"] == before["update_version"] + 1
        assert re.fullmatch(r"\d{14}", after["deploy_version"]) and after["deploy_version"] != before["deploy_version"]
        assert latest_event(emu, ARCHIVE, sid)["status"] == "success"
    assert emu.metrics()["restarts"] == {ARCHIVE_WEB: 1, ARCHIVE_DB: 1}


def test_job_fail_fault_ends_that_component_event_in_failure(emu):
    emu.add_fault(kind="job_fail", target=WEB, message="readiness probe failed: connection refused", count=1)
    operate(emu, SHOP, "upgrade", [WEB, API])
    web_event = latest_event(emu, SHOP, WEB)["event_id"]
    failed = wait_event_ended(emu, SHOP, WEB, web_event)
    assert (failed["status"], failed["final_status"], failed["message"]) == ("failure", "complete", "readiness probe failed: connection refused")
    # The other component of the batch finishes its own step and succeeds.
    api_event = wait_event_ended(emu, SHOP, API, latest_event(emu, SHOP, API)["event_id"])
    assert (api_event["status"], api_event["message"]) == ("success", "")
    assert statuses(emu, SHOP) == {WEB: "abnormal", API: "running", WORKER: "running", GATEWAY: "running"}
    shop = app(emu, SHOP)
    assert (shop["status"], shop["running_service_count"]) == ("part_running", 3)
    deploy_version = component(emu, SHOP, WEB)["deploy_version"]
    emu.add_fault(kind="job_fail", target=WORKER)
    emu.settings(time_factor=0.01)
    operate(emu, SHOP, "deploy", [WORKER, WEB])
    wait_for(lambda: latest_event(emu, SHOP, WEB)["final_status"] == "complete" and latest_event(emu, SHOP, WORKER)["final_status"] == "complete")
    assert latest_event(emu, SHOP, WORKER)["message"] == "deploy of %s failed (injected fault)" % WORKER
    assert component(emu, SHOP, WORKER)["update_version"] == 1  # a failed deploy leaves the build as it was
    assert component(emu, SHOP, WEB)["update_version"] == 2 and component(emu, SHOP, WEB)["deploy_version"] != deploy_version


def test_never_healthy_component_keeps_its_event_running_and_busy(emu):
    emu.add_fault(kind="never_healthy", target=GATEWAY)
    emu.settings(time_factor=0.01)
    operate(emu, SHOP, "upgrade", [GATEWAY])
    job_id = last_action(emu)["job_id"]
    event_id = latest_event(emu, SHOP, GATEWAY)["event_id"]
    wait_for(lambda: emu.unit(GATEWAY)["state"] == "unhealthy")
    time.sleep(0.4)  # longer than the 0.3 s upgrade
    event = latest_event(emu, SHOP, GATEWAY)
    assert (event["event_id"], event["final_status"], event["status"]) == (event_id, "running", "")
    assert status(emu, SHOP, GATEWAY) == "starting" and app(emu, SHOP)["status"] == "part_running"
    # Busy: a new operation silently leaves it out, a scale is refused.
    operate(emu, SHOP, "stop", [GATEWAY])
    assert latest_event(emu, SHOP, GATEWAY)["event_id"] == event_id
    assert last_action(emu)["detail"]["dropped"] == [GATEWAY]
    rainbond_error(scale(emu, SHOP, GATEWAY, {"new_node": 3}), 409, 10103)
    # Aborting the job ends the event in failure.
    emu.admin("POST", "jobs/%s/abort" % job_id)
    event = latest_event(emu, SHOP, GATEWAY)
    assert (event["final_status"], event["status"]) == ("complete", "failure") and "never became healthy" in event["message"]


# ---- silent drops ----------------------------------------------------------------------------------------------


def test_silent_drop_fault_leaves_the_component_out_once(emu):
    fault_id = emu.add_fault(kind="silent_drop", target=WEB, count=1)
    before = latest_event(emu, SHOP, WEB)["event_id"]
    response = operate(emu, SHOP, "stop")
    assert response.json() == OPERATED
    assert latest_event(emu, SHOP, WEB)["event_id"] == before  # no event: the region never took it
    assert statuses(emu, SHOP) == {WEB: "running", API: "stopping", WORKER: "stopping", GATEWAY: "stopping"}
    action = last_action(emu)
    assert action["targets"] == SHOP_COMPONENTS and action["detail"]["dropped"] == [WEB]
    assert action["detail"]["drop_reasons"] == {WEB: "silent_drop fault"}
    assert [t["id"] for t in emu.job(action["job_id"])["targets"]] == [API, WORKER, GATEWAY]
    metrics = emu.metrics()
    assert metrics["dropped"] == {WEB: 1} and metrics["dropped_total"] == 1
    fault = next(f for f in emu.admin("GET", "faults")["faults"] if f["id"] == fault_id)
    assert (fault["kind"], fault["fired"], fault["exhausted"]) == ("silent_drop", 1, True)
    wait_for(lambda: statuses(emu, SHOP) == {WEB: "running", API: "closed", WORKER: "closed", GATEWAY: "closed"})
    assert status(emu, SHOP, WEB) == "running"  # still, after the others are done
    operate(emu, SHOP, "stop", [WEB])  # the fault is spent: now it stops
    assert status(emu, SHOP, WEB) == "stopping" and latest_event(emu, SHOP, WEB)["opt_type"] == "stop-service"


def test_silent_drop_fault_needs_a_target(emu):
    response = http().post(emu.url + "/_emulator/faults", json={"kind": "silent_drop"}, timeout=10)
    assert response.status_code == 400 and "target" in response.json()["error"]


def test_running_event_from_the_world_drops_operations_until_it_ends(emu):
    def with_running_event(world):
        shop_component(world, WEB)["running_event"] = {"opt_type": "build-service", "seconds": 30}  # 1.5 s at 0.05
    emu.admin("PUT", "world", json=default_world_with(with_running_event))
    listing = events(emu, SHOP, WEB)
    assert listing["total"] == 2
    running, old = listing["events"]
    assert (running["opt_type"], running["status"], running["final_status"], running["end_time"]) == ("build-service", "", "running", None)
    assert (running["user_name"], old["opt_type"]) == ("admin", "start-service")
    assert status(emu, SHOP, WEB) == "running" and app(emu, SHOP)["status"] == "running"  # the event changes no status

    operate(emu, SHOP, "upgrade")
    assert statuses(emu, SHOP) == {WEB: "running", API: "upgrade", WORKER: "upgrade", GATEWAY: "upgrade"}
    assert latest_event(emu, SHOP, WEB)["event_id"] == running["event_id"]
    action = last_action(emu)
    assert action["detail"]["dropped"] == [WEB] and action["detail"]["drop_reasons"] == {WEB: "The last event has not been completed"}
    assert emu.metrics()["dropped"] == {WEB: 1}
    busy = rainbond_error(scale(emu, SHOP, WEB, {"new_node": 3}), 409, 10103)
    assert (busy["msg"], busy["msg_show"]) == ("The asynchronous operation is executing", "异步操作正在执行中")
    assert component(emu, SHOP, WEB)["min_node"] == 2

    ended = wait_event_ended(emu, SHOP, WEB, running["event_id"])
    assert (ended["status"], ended["message"]) == ("success", "")
    assert status(emu, SHOP, WEB) == "running" and WEB not in emu.metrics()["restarts"]
    assert scale(emu, SHOP, WEB, {"new_node": 3}).status_code == 200


def test_running_event_world_file_and_an_app_without_components(emulator_factory, tmp_path):
    def changes(world):
        team = world["rainbond"]["teams"][0]
        team["apps"].append({"id": 4, "name": "empty", "components": []})
        archive_db = team["apps"][2]["components"][1]
        archive_db["running_event"] = {"opt_type": "build-service", "seconds": 20, "user_name": "ci-bot"}
    path = tmp_path / "world.yml"
    path.write_text(yaml.safe_dump(default_world_with(changes)), encoding="utf-8")
    process = emulator_factory(world=str(path), time_factor=0.05)
    # An undeployed component being built: its only event runs, its status stays undeploy until a deploy.
    listing = events(process, ARCHIVE, ARCHIVE_DB)
    assert listing["total"] == 1 and listing["events"][0]["user_name"] == "ci-bot" and listing["events"][0]["final_status"] == "running"
    operate(process, ARCHIVE, "deploy")
    assert statuses(process, ARCHIVE) == {ARCHIVE_WEB: "upgrade", ARCHIVE_DB: "undeploy"}
    wait_event_ended(process, ARCHIVE, ARCHIVE_DB, listing["events"][0]["event_id"])
    assert status(process, ARCHIVE, ARCHIVE_DB) == "undeploy"
    # No components: the console answers before calling the region.
    actions = len(process.metrics()["actions"])
    operate(process, 4, "stop")
    assert app(process, 4)["status"] == "closed" and len(process.metrics()["actions"]) == actions


def test_bad_running_event_makes_the_world_invalid(emu):
    def bad(world):
        shop_component(world, WEB)["running_event"] = {"seconds": -1}
    response = http().put(emu.url + "/_emulator/world", json=default_world_with(bad), timeout=10)
    assert response.status_code == 400 and "running_event.seconds" in response.json()["error"]
    assert app(emu, SHOP)["group_name"] == "shop"  # the loaded world is untouched


# ---- horizontal scale ------------------------------------------------------------------------------------------


def test_scale_out_of_a_running_component(emu):
    response = scale(emu, SHOP, WEB, {"new_node": 4})
    assert response.status_code == 200 and response.content == b"" and response.headers["X-Request-Id"]
    web = component(emu, SHOP, WEB)
    assert (web["min_node"], web["status"]) == (4, "starting")  # the new replicas are not ready yet
    assert app(emu, SHOP)["status"] == "part_running"
    event = latest_event(emu, SHOP, WEB)
    assert (event["opt_type"], event["final_status"]) == ("horizontal-service", "running")
    action = last_action(emu)
    assert (action["operation"], action["targets"], action["detail"]) == ("HorizontalScale", [WEB], {"new_node": 4, "old_node": 2})
    ended = wait_event_ended(emu, SHOP, WEB, event["event_id"])
    assert ended["status"] == "success"
    assert status(emu, SHOP, WEB) == "running" and app(emu, SHOP)["status"] == "running"
    assert app(emu, SHOP)["used_momory"] == 512 * 4 + 1024 * 3 + 512 * 1 + 256 * 2
    assert emu.metrics()["restarts"] == {}


def test_scale_in_and_scale_of_a_closed_component_keep_their_status(emu):
    assert scale(emu, SHOP, API, {"new_node": 1}).status_code == 200
    api = component(emu, SHOP, API)
    assert (api["min_node"], api["status"]) == (1, "running")
    event = latest_event(emu, SHOP, API)
    assert (event["opt_type"], event["final_status"]) == ("horizontal-service", "running")  # the event runs for the scale duration
    operate(emu, SHOP, "stop", [API])  # busy meanwhile: dropped
    assert status(emu, SHOP, API) == "running" and last_action(emu)["detail"]["dropped"] == [API]
    wait_event_ended(emu, SHOP, API, event["event_id"])

    assert scale(emu, REPORTS, REPORT_CRON, {"new_node": 3}).status_code == 200
    cron = component(emu, REPORTS, REPORT_CRON)
    assert (cron["min_node"], cron["status"]) == (3, "closed")
    wait_event_ended(emu, REPORTS, REPORT_CRON, latest_event(emu, REPORTS, REPORT_CRON)["event_id"])
    assert status(emu, REPORTS, REPORT_CRON) == "closed"
    # DRF's IntegerField reads "2" as 2; the alias names the component too.
    assert scale(emu, SHOP, "gr7a8b9c", {"new_node": "2"}).status_code == 200
    assert component(emu, SHOP, WORKER)["min_node"] == 2


def test_scale_to_the_current_count_is_10104(emu):
    body = rainbond_error(scale(emu, SHOP, WEB, {"new_node": 2}), 400, 10104)
    assert body == {"code": 10104, "msg": "The number of components has not changed, no need to scale", "msg_show": "组件实例数未变化，无需伸缩",
                    "data": {"bean": {}, "list": []}}
    assert events(emu, SHOP, WEB)["total"] == 1 and len(emu.metrics()["actions"]) == 0


@pytest.mark.parametrize("body, err", [
    ({"new_node": 0}, {"new_node": ["参数超出范围，请选择1~100之间的整数值"]}),
    ({"new_node": 101}, {"new_node": ["参数超出范围，请选择1~100之间的整数值"]}),
    ({"new_node": "three"}, {"new_node": ["请填写合法的整数值。"]}),
    ({"new_node": 2.5}, {"new_node": ["请填写合法的整数值。"]}),
    ({"new_node": True}, {"new_node": ["请填写合法的整数值。"]}),
    ({"new_node": None}, {"new_node": ["该字段不能为 null。"]}),
    ({}, {"new_node": ["该字段是必填项。"]}),
    ([3], {"non_field_errors": ["无效数据。期待为字典类型，得到的是 list 。"]}),
])
def test_scale_validation_errors(emu, body, err):
    validation_error(scale(emu, SHOP, WEB, body), err)
    assert component(emu, SHOP, WEB)["min_node"] == 2 and events(emu, SHOP, WEB)["total"] == 1


# ---- errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, err", [
    ({"action": "restart"}, {"action": ["\"restart\" 不是合法选项。"]}),
    ({"action": ""}, {"action": ["\"\" 不是合法选项。"]}),
    ({"service_ids": [WEB]}, {"action": ["该字段是必填项。"]}),
    ({"action": None}, {"action": ["该字段不能为 null。"]}),
    ({"action": "stop", "service_ids": WEB}, {"service_ids": ["期望为一个包含物件的列表，得到的类型是\"str\"。"]}),
    ({"action": "stop", "service_ids": None}, {"service_ids": ["该字段不能为 null。"]}),
    ("stop", {"non_field_errors": ["无效数据。期待为字典类型，得到的是 str 。"]}),
])
def test_operations_validation_errors(emu, body, err):
    validation_error(rb(emu, "POST", "/%s/operations" % SHOP, body), err)
    assert set(statuses(emu, SHOP).values()) == {"running"} and emu.metrics()["actions"] == []


def test_operations_body_that_is_not_json(emu):
    response = rb(emu, "POST", "/%s/operations" % SHOP, raw=b"{not json")
    assert response.status_code == 400 and response.json()["code"] == 20400 and response.json()["error_type"] == "ValidationError"


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/1/operations", {"action": "stop"}),
    ("GET", "/1/services/%s/events" % WEB, None),
    ("POST", "/1/services/%s/telescopic/horizontal" % WEB, {"new_node": 3}),
])
def test_new_routes_need_a_valid_token(emu, method, path, body):
    for token, detail in ((None, "No token"), ("Bearer " + TOKEN, "No such user"), ("wrongToken", "No such user")):
        response = rb(emu, method, path, body, token=token)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Token"
        assert response.json()["detail"] == detail and response.json()["error_type"] == "AuthenticationFailed"
    assert set(statuses(emu, SHOP).values()) == {"running"} and component(emu, SHOP, WEB)["min_node"] == 2


@pytest.mark.parametrize("method, suffix, body", [
    ("POST", "/operations", {"action": "stop"}),
    ("GET", "/services/%s/events" % WEB, None),
    ("POST", "/services/%s/telescopic/horizontal" % WEB, {"new_node": 3}),
])
def test_new_routes_not_found(emu, method, suffix, body):
    team = http().request(method, emu.url + "/openapi/v1/teams/nope/regions/demo-region/apps/1" + suffix, headers={"Authorization": TOKEN},
                          json=body, timeout=10)
    assert rainbond_error(team, 404, 404)["msg"] == "no found team"
    region = http().request(method, emu.url + "/openapi/v1/teams/demo-team/regions/nope/apps/1" + suffix, headers={"Authorization": TOKEN},
                            json=body, timeout=10)
    rainbond_error(region, 404, 3000)
    assert rainbond_error(rb(emu, method, "/99" + suffix, body), 404, 404)["msg"] == "no found app"
    if suffix.startswith("/services/"):
        unknown = rb(emu, method, "/1" + suffix.replace(WEB, "nosuchcomponent"), body)
        assert rainbond_error(unknown, 404, 404)["msg"] == "no found component"
        foreign = rb(emu, method, "/2" + suffix, body)
        assert rainbond_error(foreign, 404, 404)["msg"] == "component not belong to this app"
    assert set(statuses(emu, SHOP).values()) == {"running"} and emu.metrics()["actions"] == []


# ---- events paging and metrics ---------------------------------------------------------------------------------


def test_events_are_newest_first_and_paged(emu):
    operate(emu, SHOP, "start", [WEB])  # three events that end at once (web is running)
    operate(emu, SHOP, "upgrade", [WEB])
    wait_for(lambda: latest_event(emu, SHOP, WEB)["final_status"] == "complete")
    operate(emu, SHOP, "start", [WEB])
    everything = events(emu, SHOP, WEB, page_size=10)
    assert everything["total"] == 4
    assert [e["opt_type"] for e in everything["events"]] == ["start-service", "upgrade-service", "start-service", "start-service"]
    ids = [e["event_id"] for e in everything["events"]]
    assert len(set(ids)) == 4
    first, second, third = (events(emu, SHOP, WEB, page=page, page_size=3) for page in (1, 2, 3))
    assert [e["event_id"] for e in first["events"]] == ids[:3] and (first["page"], first["page_size"], first["total"]) == (1, 3, 4)
    assert [e["event_id"] for e in second["events"]] == ids[3:] and third["events"] == []
    default = ok(rb(emu, "GET", "/1/services/%s/events" % WEB))
    assert (default["page"], default["page_size"], len(default["events"])) == (1, 10, 4)
    broken = rb(emu, "GET", "/1/services/%s/events?page=x" % WEB)
    assert rainbond_error(broken, 500, 10401)["msg"].startswith("invalid literal for int()")


def test_metrics_name_the_new_operations(emu):
    emu.admin("DELETE", "metrics")
    operate(emu, SHOP, "upgrade", [WEB])
    events(emu, SHOP, WEB)
    scale(emu, SHOP, WEB, {"new_node": 5})  # 409: web is still upgrading
    validation_error(rb(emu, "POST", "/1/operations", {"action": "restart"}), {"action": ["\"restart\" 不是合法选项。"]})
    metrics = emu.metrics()
    assert metrics["requests"] == {"rainbond:OperateApp": 2, "rainbond:ListComponentEvents": 1, "rainbond:HorizontalScale": 1}
    assert [a["operation"] for a in metrics["actions"]] == ["OperateApp"]
    assert "dropped" not in metrics  # only once something was dropped
    assert metrics["restarts"] == {WEB: 1}


def test_operations_after_fault_still_acts(emu):
    """An ``after`` fault: the operation took effect (events, states) although the client saw a 500."""
    emu.add_fault(path="/operations$", kind="http", status=500, when="after", count=1)
    response = rb(emu, "POST", "/1/operations", {"action": "stop", "service_ids": [WORKER]})
    assert rainbond_error(response, 500, 10401)
    assert status(emu, SHOP, WORKER) == "stopping" and latest_event(emu, SHOP, WORKER)["opt_type"] == "stop-service"


def test_state_dump_shows_events(emu):
    operate(emu, SHOP, "stop", [WORKER])
    world = copy.deepcopy(emu.state()["world"])
    worker = shop_component(world, WORKER)
    assert [e["opt_type"] for e in worker["events"]] == ["start-service", "stop-service"]
    assert worker["events"][-1]["job_id"] == last_action(emu)["job_id"]


# ---- image changes and deploys of an image --------------------------------------------------------------------

IMAGE_CHANGED = {"code": 200, "msg": "success", "msg_show": "更改镜像地址成功", "data": {"bean": {}, "list": []}}


def change_image(emulator, app_id, service_id, body=None, raw=None):
    return rb(emulator, "PUT", "/%s/services/%s/docker-image-change" % (app_id, service_id), body, raw=raw)


def test_components_say_their_source_and_image(emu):
    web = component(emu, SHOP, WEB)
    assert (web["service_source"], web["image"], web["version"]) == ("docker_image", "goodrain.me/web:latest", "latest")
    assert shop_component(emu.state()["world"], WEB)["build_image"] == "goodrain.me/web:latest"


def test_image_change_records_image_and_version_only(emu):
    before = component(emu, SHOP, WEB)
    response = change_image(emu, SHOP, WEB, {"image": "registry.example.com/shop/web:2.4.1"})
    assert ok(response) == IMAGE_CHANGED
    after = component(emu, SHOP, WEB)
    assert (after["image"], after["version"]) == ("registry.example.com/shop/web:2.4.1", "2.4.1")
    # The console's database only: no build, no event, nothing rolled.
    assert (after["status"], after["update_version"], after["deploy_version"]) == ("running", before["update_version"], before["deploy_version"])
    assert latest_event(emu, SHOP, WEB)["opt_type"] == "start-service"
    assert [job for job in emu.admin("GET", "jobs")["jobs"] if job["platform"] == "rainbond"] == []
    assert shop_component(emu.state()["world"], WEB)["build_image"] == "goodrain.me/web:latest"
    action = last_action(emu)
    assert (action["operation"], action["targets"], action["job_id"], action["detail"]) == (
        "ChangeComponentImage", [WEB], None, {"image": "registry.example.com/shop/web:2.4.1"})


@pytest.mark.parametrize("image,recorded,version", [
    ("reg:5000/app", "reg:5000/app", "5000/app"),  # the console splits on the last ':', a registry port included
    ("nginx:", "nginx::latest", "latest"),         # a trailing ':' gives latest, appended as the console appends it
    ("nginx", "nginx", "nginx"),
])
def test_image_change_derives_the_version_as_the_console_does(emu, image, recorded, version):
    assert ok(change_image(emu, SHOP, API, {"image": image})) == IMAGE_CHANGED
    after = component(emu, SHOP, API)
    assert (after["image"], after["version"]) == (recorded, version)


@pytest.mark.parametrize("body", [{}, {"image": ""}, {"image": None}, {"other": 1}])
def test_image_change_without_an_image_is_200_and_changes_nothing(emu, body):
    before = component(emu, SHOP, WEB)
    assert ok(change_image(emu, SHOP, WEB, body)) == IMAGE_CHANGED
    assert component(emu, SHOP, WEB) == before


def test_image_change_that_the_console_code_cannot_read_is_500(emu):
    assert rainbond_error(change_image(emu, SHOP, WEB, ["x"]), 500, 10401)["msg"] == "'list' object has no attribute 'get'"
    assert rainbond_error(change_image(emu, SHOP, WEB, {"image": 5}), 500, 10401)["msg"] == "'int' object has no attribute 'split'"
    assert component(emu, SHOP, WEB)["image"] == "goodrain.me/web:latest"


def test_image_change_of_an_unknown_or_foreign_component_is_404(emu):
    rainbond_error(change_image(emu, SHOP, "0" * 32, {"image": "nginx:1"}), 404, 404)
    rainbond_error(change_image(emu, REPORTS, WEB, {"image": "nginx:1"}), 404, 404)


def test_deploy_builds_the_recorded_image_and_upgrade_the_old_build(emu):
    emu.settings(time_factor=0.01)
    change_image(emu, SHOP, WEB, {"image": "registry.example.com/shop/web:2.4.1"})
    operate(emu, SHOP, "upgrade", [WEB])
    assert last_action(emu)["detail"].get("images") is None
    wait_event_ended(emu, SHOP, WEB, latest_event(emu, SHOP, WEB)["event_id"])
    assert shop_component(emu.state()["world"], WEB)["build_image"] == "goodrain.me/web:latest"  # upgrade rolled the old build
    operate(emu, SHOP, "deploy", [WEB, API])
    action = last_action(emu)
    assert action["detail"]["images"] == {WEB: "registry.example.com/shop/web:2.4.1", API: "goodrain.me/api:latest"}
    jobs = dict((job["id"], job) for job in emu.admin("GET", "jobs")["jobs"])
    assert [jobs[job_id]["meta"]["deploying"] for job_id in action["detail"]["job_ids"]] == [
        "registry.example.com/shop/web:2.4.1", "goodrain.me/api:latest"]
    assert action["job_id"] == action["detail"]["job_ids"][0]
    for sid in (WEB, API):
        assert wait_event_ended(emu, SHOP, sid, latest_event(emu, SHOP, sid)["event_id"])["status"] == "success"
    world = emu.state()["world"]
    assert shop_component(world, WEB)["build_image"] == "registry.example.com/shop/web:2.4.1"
    assert component(emu, SHOP, WEB)["update_version"] == 2


def with_bad_image(kind, **extra):
    def changes(world):
        world["bad_versions"] = [dict(version="registry.example.com/shop/web:9.9.9", kind=kind, **extra)]
    return changes


def test_a_bad_image_fails_its_own_component_only(emu):
    emu.admin("PUT", "world", json=default_world_with(with_bad_image("fail_in_batch", batch=1)))
    emu.settings(time_factor=0.01)
    change_image(emu, SHOP, WEB, {"image": "registry.example.com/shop/web:9.9.9"})
    operate(emu, SHOP, "deploy", [WEB, API])
    web = wait_event_ended(emu, SHOP, WEB, latest_event(emu, SHOP, WEB)["event_id"])
    assert (web["status"], web["message"]) == ("failure", "%s: readiness probe failed on version registry.example.com/shop/web:9.9.9 (batch 1)" % WEB)
    api = wait_event_ended(emu, SHOP, API, latest_event(emu, SHOP, API)["event_id"])
    assert api["status"] == "success"
    assert statuses(emu, SHOP)[WEB] == "abnormal" and statuses(emu, SHOP)[API] == "running"
    world = emu.state()["world"]
    assert shop_component(world, WEB)["build_image"] == "goodrain.me/web:latest"  # the failed deploy left the build as it was
    # Back to the old image: it deploys again.
    change_image(emu, SHOP, WEB, {"image": "goodrain.me/web:latest"})
    operate(emu, SHOP, "deploy", [WEB])
    assert wait_event_ended(emu, SHOP, WEB, latest_event(emu, SHOP, WEB)["event_id"])["status"] == "success"
    assert status(emu, SHOP, WEB) == "running"


def test_a_never_healthy_image_keeps_its_deploy_event_running(emu):
    emu.admin("PUT", "world", json=default_world_with(with_bad_image("never_healthy")))
    emu.settings(time_factor=0.01)
    change_image(emu, SHOP, WEB, {"image": "registry.example.com/shop/web:9.9.9"})
    operate(emu, SHOP, "deploy", [WEB])
    event_id = latest_event(emu, SHOP, WEB)["event_id"]
    wait_for(lambda: emu.unit(WEB)["state"] == "unhealthy")
    assert latest_event(emu, SHOP, WEB)["final_status"] == "running" and status(emu, SHOP, WEB) == "starting"
    operate(emu, SHOP, "deploy", [WEB])  # dropped: the last event has not been completed
    assert latest_event(emu, SHOP, WEB)["event_id"] == event_id and last_action(emu)["detail"]["dropped"] == [WEB]


def test_a_component_not_built_from_an_image_deploys_from_its_source(emu):
    def source_code(world):
        shop_component(world, WORKER).update(service_source="source_code", image="goodrain.me/runner:latest")
        world["bad_versions"] = [{"version": "goodrain.me/runner:latest", "kind": "fail_in_batch"}]
    emu.admin("PUT", "world", json=default_world_with(source_code))
    emu.settings(time_factor=0.01)
    assert component(emu, SHOP, WORKER)["service_source"] == "source_code"
    operate(emu, SHOP, "deploy", [WORKER])
    assert last_action(emu)["detail"]["images"] == {}
    assert wait_event_ended(emu, SHOP, WORKER, latest_event(emu, SHOP, WORKER)["event_id"])["status"] == "success"


def test_a_world_with_an_unknown_source_is_invalid(emu):
    def bad(world):
        shop_component(world, WEB)["service_source"] = "ftp"
    response = http().put(emu.url + "/_emulator/world", json=default_world_with(bad), timeout=10)
    assert response.status_code == 400 and "service_source 'ftp'" in response.text
