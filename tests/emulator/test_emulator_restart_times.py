# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Restart times in the platforms' own fields, over raw HTTP: what a rolling restart reads to resume (skip the targets
restarted after a given moment).

When a unit finishes a restart, upgrade, deploy or rollback the job engine records the moment (``restarted_at``) and each
platform shows it where the real API changes: SAE ``CreateTimeStamp`` of DescribeApplicationInstances (a restarted pod is
a new pod), ServiceStage v3 ``status.update_time`` and v2 ``update_time``, Rainbond the upgrade event's ``end_time``.
EDAS QueryApplicationStatus has no such field (its change orders tell it). The calls and signers are those of the other
emulator tests (test_emulator_alibaba, test_emulator_servicestage, test_emulator_rainbond), reused rather than copied.
The last tests check the rolling-restart and benchmark worlds (worlds/rolling.yml, worlds/bench.yml) that the demo,
the rolling-restart tests and tests/benchmark rely on.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import datetime, timezone

from ansible_collections.paas.ops.tests.emulator import test_emulator_alibaba as alibaba
from ansible_collections.paas.ops.tests.emulator import test_emulator_rainbond as rainbond
from ansible_collections.paas.ops.tests.emulator import test_emulator_servicestage as servicestage

SS_WEB, SS_WEB_INSTANCE = servicestage.WEB, servicestage.WEB_INSTANCE
SS_API, SS_API_INSTANCE = servicestage.API, servicestage.API_INSTANCE
SS_WORKER = "c0a80001-0000-4000-8000-000000000003"


def now_ms():
    return int(time.time() * 1000)


def restarted_ms(emulator, unit_id):
    """The engine's restart moment of a unit (admin API), in the milliseconds the platforms print."""
    restarted_at = emulator.unit(unit_id)["restarted_at"]
    return None if restarted_at is None else int(round(restarted_at * 1000))


# ---- SAE: CreateTimeStamp --------------------------------------------------------------------------------------


def sae_created(emulator, app_id):
    """{InstanceId: CreateTimeStamp} of the listed instances."""
    return {view["InstanceId"]: view["CreateTimeStamp"] for view in alibaba.sae_instance_views(emulator, app_id)}


def test_sae_a_restarted_instance_is_created_when_its_restart_finishes_and_keeps_its_id(emu):
    before = sae_created(emu, alibaba.WEB)
    assert set(before) == set(alibaba.WEB_INSTANCES) and len(set(before.values())) == 1 and max(before.values()) < now_ms()
    first, second = alibaba.WEB_INSTANCES[:2]
    started = now_ms()
    order_id = alibaba.sae_act(emu, "restartInstances", "RestartInstances", AppId=alibaba.WEB, InstanceIds=first + "," + second)
    # web restarts in 2 batches: one instance each. While its batch runs, an instance is still the old pod.
    assert sae_created(emu, alibaba.WEB)[first] == before[first]
    done = alibaba.sae_order_reaches(emu, order_id, 2)
    after = sae_created(emu, alibaba.WEB)
    assert set(after) == set(before)  # the emulator keeps InstanceIds (the real SAE names a new pod anew: README)
    # Each instance was created anew at the end of its batch, exactly when the pipeline says the batch ended.
    assert [after[first], after[second]] == [pipeline["UpdateTime"] for pipeline in done["Pipelines"]]
    assert started <= after[first] < after[second] <= now_ms()
    assert [after[first], after[second]] == [restarted_ms(emu, first), restarted_ms(emu, second)]
    assert {key: after[key] for key in alibaba.WEB_INSTANCES[2:]} == {key: before[key] for key in alibaba.WEB_INSTANCES[2:]}


def test_sae_a_failed_restart_leaves_the_instance_as_it_was(emu):
    emu.settings(time_factor=0.01)
    worker = alibaba.WORKER_INSTANCES[0]
    before = sae_created(emu, alibaba.WORKER)
    emu.add_fault(kind="job_fail", target=worker)
    order_id = alibaba.sae_act(emu, "restartApplication", "RestartApplication", AppId=alibaba.WORKER)
    alibaba.sae_order_reaches(emu, order_id, 3)
    assert sae_created(emu, alibaba.WORKER) == before and restarted_ms(emu, worker) is None


def test_sae_rollback_creates_every_instance_anew(emu):
    emu.settings(time_factor=0.01)
    before = sae_created(emu, alibaba.WEB)
    versions = alibaba.sae_data(alibaba.sae(emu, "GET", "app/listAppVersions", "ListAppVersions", AppId=alibaba.WEB))
    started = now_ms()
    order_id = alibaba.sae_act(emu, "rollbackApplication", "RollbackApplication", AppId=alibaba.WEB, VersionId=versions[1]["Id"])
    alibaba.sae_order_reaches(emu, order_id, 2)
    after = sae_created(emu, alibaba.WEB)
    assert set(after) == set(before) and all(started <= created <= now_ms() for created in after.values())


# ---- ServiceStage: v3 status.update_time, v2 update_time --------------------------------------------------------


def ss_times(emulator, component, instance):
    """Every place a component's update time shows: (v3 ShowComponentInfo, v3 ShowComponentsInApplication, v3 ShowComponents,
    v2 ShowInstanceDetail, v2 ListInstances); each must agree."""
    call, ok = servicestage.call, servicestage.ok
    info = ok(call(emulator, "GET", servicestage.component_path(component)))["status"]["update_time"]
    in_app = ok(call(emulator, "GET", "/applications/%s/components" % servicestage.MALL))["components"]
    listed = ok(call(emulator, "GET", "/components", query={"application_name": "mall"}))["components"]
    detail = ok(call(emulator, "GET", servicestage.instance_path(component, instance)))["update_time"]
    instances = ok(call(emulator, "GET", servicestage.instance_path(component, instance).rsplit("/", 1)[0]))["instances"]
    views = [info, next(c["status"]["update_time"] for c in in_app if c["id"] == component),
             next(c["status"]["update_time"] for c in listed if c["id"] == component), detail, instances[0]["update_time"]]
    assert len(set(views)) == 1, views
    return views[0]


def ss_created(emulator, component):
    return servicestage.ok(servicestage.call(emulator, "GET", servicestage.component_path(component)))["status"]["create_time"]


def test_servicestage_update_time_is_the_end_of_the_last_restart_in_v3_and_v2(emu):
    emu.settings(time_factor=0.01)
    created = ss_created(emu, SS_WEB)
    assert ss_times(emu, SS_WEB, SS_WEB_INSTANCE) == created == ss_times(emu, SS_API, SS_API_INSTANCE)

    started = now_ms()
    job = servicestage.ok(servicestage.v3_action(emu, SS_WEB, "restart"))["job_id"]
    assert servicestage.wait_job(emu, job)["job"]["execution_status"] == "SUCCEEDED"
    restarted = ss_times(emu, SS_WEB, SS_WEB_INSTANCE)
    assert started <= restarted <= now_ms() and restarted == restarted_ms(emu, SS_WEB)
    assert ss_created(emu, SS_WEB) == created and ss_times(emu, SS_API, SS_API_INSTANCE) == created

    # A restart through the v2 instance API is the same unit: v3 shows it too, and a later restart moves the time on.
    job = servicestage.ok(servicestage.v2_action(emu, SS_WEB, SS_WEB_INSTANCE, "restart"))["job_id"]
    servicestage.wait_job(emu, job)
    assert ss_times(emu, SS_WEB, SS_WEB_INSTANCE) > restarted


def test_servicestage_rollback_moves_update_time_but_scale_and_a_failed_restart_do_not(emu):
    emu.settings(time_factor=0.01)
    created = ss_created(emu, SS_API)
    job = servicestage.ok(servicestage.v2_action(emu, SS_API, SS_API_INSTANCE, "rollback", version="2.3.0"))["job_id"]
    assert servicestage.wait_job(emu, job)["job"]["execution_status"] == "SUCCEEDED"
    assert ss_times(emu, SS_API, SS_API_INSTANCE) == restarted_ms(emu, SS_API) > created

    job = servicestage.ok(servicestage.v3_action(emu, SS_WEB, "scale", replica=4))["job_id"]
    servicestage.wait_job(emu, job)
    assert ss_times(emu, SS_WEB, SS_WEB_INSTANCE) == created and restarted_ms(emu, SS_WEB) is None

    emu.add_fault(kind="job_fail", target=SS_WORKER)
    job = servicestage.ok(servicestage.v3_action(emu, SS_WORKER, "restart"))["job_id"]
    assert servicestage.wait_job(emu, job)["job"]["execution_status"] == "FAILED"
    info = servicestage.ok(servicestage.call(emu, "GET", servicestage.component_path(SS_WORKER)))["status"]
    assert info["update_time"] == created and restarted_ms(emu, SS_WORKER) is None


# ---- EDAS: no restart time in QueryApplicationStatus --------------------------------------------------------------


def test_edas_application_status_shows_no_restart_time_its_change_order_does(emu):
    emu.settings(time_factor=0.01)
    ecc = alibaba.ORDERS_ECCS[0]

    def ecc_times():
        return [(view["EccId"], view["CreateTime"], view["UpdateTime"]) for view in alibaba.edas_app(emu, alibaba.ORDERS)["EccList"]["Ecc"]]
    before = ecc_times()
    order_id = alibaba.edas_order_id(alibaba.edas_act(emu, "co_restart", alibaba.ORDERS, [ecc]))
    info = alibaba.edas_order_reaches(emu, order_id, 2)
    assert ecc_times() == before  # QueryApplicationStatus has no field that says when an ECC restarted
    stage = alibaba.edas_pipelines(info)[0]["StageList"]["StageInfoDTO"][0]
    instance = stage["StageResultDTO"]["InstanceDTOList"]["InstanceDTO"][0]
    step = instance["InstanceStageDTOList"]["InstanceStageDTO"][0]
    assert instance["InstanceName"] == ecc and step["FinishTime"] == restarted_ms(emu, ecc)


# ---- Rainbond: the upgrade event's end_time -----------------------------------------------------------------------


def test_rainbond_upgrade_event_ends_when_the_component_came_back(emu):
    emu.settings(time_factor=0.01)
    rainbond.operate(emu, rainbond.SHOP, "upgrade", [rainbond.WEB])
    event = rainbond.latest_event(emu, rainbond.SHOP, rainbond.WEB)
    assert (event["opt_type"], event["end_time"]) == ("upgrade-service", None)
    ended = rainbond.wait_event_ended(emu, rainbond.SHOP, rainbond.WEB, event["event_id"])
    restarted_at = emu.unit(rainbond.WEB)["restarted_at"]
    assert ended["status"] == "success" and ended["end_time"] == datetime.fromtimestamp(restarted_at, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    job = emu.job(emu.metrics()["actions"][-1]["job_id"])
    assert job["targets"][0]["finished_at"] == datetime.fromtimestamp(restarted_at, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ended["start_time"] <= ended["end_time"]


# ---- arranging restart times ----------------------------------------------------------------------------------------


def test_restart_times_can_be_arranged_with_the_admin_api_and_in_a_world_file(emu):
    moment = time.time() - 600
    instance = alibaba.WEB_INSTANCES[0]
    assert emu.admin("PATCH", "units/" + instance, json={"restarted_at": moment})["restarted_at"] == moment
    emu.admin("PATCH", "units/" + SS_WEB, json={"restarted_at": moment})
    assert sae_created(emu, alibaba.WEB)[instance] == int(round(moment * 1000))
    assert ss_times(emu, SS_WEB, SS_WEB_INSTANCE) == int(round(moment * 1000))
    assert emu.admin("PATCH", "units/" + SS_WEB, json={"restarted_at": None})["restarted_at"] is None
    assert ss_times(emu, SS_WEB, SS_WEB_INSTANCE) == ss_created(emu, SS_WEB)
    error = emu.admin("PATCH", "units/" + SS_WEB, json={"restarted_at": "yesterday"}, expect_status=400)["error"]
    assert "restarted_at must be epoch seconds" in error

    def with_restarted_at(value):
        def change(world):
            world["alibaba"]["sae"]["namespaces"][0]["applications"][0]["instances"][0]["restarted_at"] = value
        return rainbond.default_world_with(change)
    assert emu.admin("PUT", "world", json=with_restarted_at(moment))["ok"] is True
    assert sae_created(emu, alibaba.WEB)[instance] == int(round(moment * 1000))
    error = emu.admin("PUT", "world", json=with_restarted_at("yesterday"), expect_status=400)["error"]
    assert "restarted_at must be epoch seconds" in error


# ---- the rolling-restart and benchmark worlds ------------------------------------------------------------------------


WORLDS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "emulator", "worlds")
STOREFRONT = "5ae00000-0000-4000-8000-000000000001"


def test_rolling_world_has_its_documented_targets_and_storefront_restarts_in_one_batch_per_order(emulator_factory):
    rolling = emulator_factory(world=os.path.join(WORLDS_DIR, "rolling.yml"), time_factor=0.05)
    units = rolling.admin("GET", "units")["units"]
    # 74 targets: SAE's 24 instances of cn-hangzhou:rolling and 12 of the six cells, ServiceStage's 12 shop components and 6 checkout cells.
    assert Counter(unit["platform"] for unit in units) == {"sae": 24 + 12, "servicestage": 12 + 6, "rainbond": 12, "edas": 8}
    assert sorted(unit["id"] for unit in units if unit["state"] != "running") == ["1a110000000040008000000000000011",
                                                                                  "ecc00000-0000-4000-8000-000000000008"]
    batch = ["storefront-%02d" % n for n in range(1, 5)]
    order_id = alibaba.sae_act(rolling, "restartInstances", "RestartInstances", AppId=STOREFRONT, InstanceIds=",".join(batch))
    done = alibaba.sae_order_reaches(rolling, order_id, 2)
    assert [pipeline["ParallelCount"] for pipeline in done["Pipelines"]] == [4]  # the caller's batch is the platform's
    created = sae_created(rolling, STOREFRONT)
    assert {created[instance] for instance in batch} == {done["Pipelines"][0]["UpdateTime"]}
    assert len({created[instance] for instance in created if instance not in batch}) == 1


def test_bench_world_is_a_rainbond_app_and_a_servicestage_app_of_sixty_components_each(emulator_factory):
    bench = emulator_factory(world=os.path.join(WORLDS_DIR, "bench.yml"), time_factor=0.05)
    components = rainbond.ok(rainbond.rb(bench, "GET", "/2/services"))
    assert len(components) == 60 and {c["status"] for c in components} == {"running"}
    assert [c["service_cname"] for c in components[:2]] == ["bench-01", "bench-02"]
    assert bench.state()["world"]["jobs"]["durations"]["default"]["upgrade"] == 4
    v3 = servicestage.ok(servicestage.call(bench, "GET", "/applications/55be4c00-0000-4000-8000-000000000001/components"))["components"]
    assert len(v3) == 60 and {c["status"]["component_status"] for c in v3} == {"RUNNING"}
