# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Alibaba Cloud EDAS (API 2017-08-01), ECS-cluster applications: reads. Units are ECCs (application instances)."""

from __future__ import annotations

from .alibaba import AlibabaPlatform
from .common import ApiError, epoch_ms

EDAS = AlibabaPlatform("edas", "2017-08-01", "Edas", ("/pop/v5/",))

# ECC (AppState, TaskState) for each normalized unit state: AppState 0 agent off, 1 stopped,
# 3 running but health check failing, 7 running; TaskState 0 unknown, 1 processing, 2 success, 3 failed.
ECC_STATE = {
    "running": (7, 2),
    "stopped": (1, 2),
    "starting": (3, 1),
    "restarting": (3, 1),
    "upgrading": (3, 1),
    "stopping": (7, 1),
    "failed": (1, 3),
    "unhealthy": (3, 2),
    "unknown": (0, 0),
}


def envelope(call, **payload):
    """EDAS bodies: integer ``Code`` 200 next to the payload (platform-apis.md 4)."""
    body = {"Code": 200, "Message": "success", "RequestId": call.request_id}
    body.update(payload)
    return body


def application_of(call):
    app = call.world.find_edas_application(call.require_query("AppId"))
    if app is None:
        # UNVERIFIED in the platform document: EDAS may signal this with HTTP 200 and a non-200 body Code.
        raise ApiError(400, "InvalidAppId.NotFound", "The specified application does not exist.")
    return app


def ecc_view(call, app, ecc):
    app_state, task_state = ECC_STATE[ecc["state"]]
    if ecc.get("native_status") is not None:
        app_state = int(ecc["native_status"])
    created = ecc.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)
    return {"EccId": ecc["id"], "EcuId": ecc.get("ecu_id", ""), "AppId": app["id"], "GroupId": ecc.get("group_id", ""),
            "Ip": ecc.get("ip", ""), "AppState": app_state, "TaskState": task_state, "ContainerStatus": "",
            "VpcId": app.get("vpc_id", ""), "CreateTime": created, "UpdateTime": created}


def ecu_view(call, app, ecc):
    created = ecc.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)
    return {"EcuId": ecc.get("ecu_id", ""), "InstanceId": ecc.get("ecs_id", ""), "IpAddr": ecc.get("ip", ""),
            "Name": ecc.get("ecs_name", ecc.get("ecs_id", "")), "Online": ecc["state"] != "unknown",
            "HeartbeatTime": epoch_ms(call.moment), "DockerEnv": False, "AvailableCpu": 2, "AvailableMem": 2048,
            "RegionId": app["region_id"], "ZoneId": app["region_id"] + "-h", "VpcId": app.get("vpc_id", ""),
            "UserId": app.get("owner_uid", ""), "GroupId": ecc.get("group_id", ""), "CreateTime": created, "UpdateTime": created}


def running_count(call, app):
    return sum(1 for unit in call.world.units_of(app["id"]) if unit.obj["state"] == "running")


@EDAS.route("GET", "/pop/v5/app/app_status", "QueryApplicationStatus")
async def query_application_status(call):
    app = application_of(call)
    created = app.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)
    eccs = app["eccs"]
    return envelope(call, AppInfo={
        "Application": {
            "ApplicationId": app["id"], "Name": app["name"], "Description": app.get("description", ""),
            "ClusterId": app.get("cluster_id", ""), "ClusterType": 2, "InstanceCount": len(eccs),
            "RunningInstanceCount": running_count(call, app), "Cpu": app.get("cpu", 2), "Memory": app.get("memory", 4096),
            "Port": app.get("port", 8080), "HealthCheckUrl": app.get("health_check_url", ""),
            "BuildPackageId": app.get("build_package_id", 0), "Dockerize": False, "RegionId": app["region_id"],
            "CreateTime": created, "LaunchTime": created, "Owner": app.get("owner", ""), "Email": "", "Phone": "",
            "UserId": app.get("owner_uid", ""),
        },
        "EccList": {"Ecc": [ecc_view(call, app, ecc) for ecc in eccs]},
        "EcuList": {"Ecu": [ecu_view(call, app, ecc) for ecc in eccs]},
        "GroupList": {"Group": [
            {"GroupId": group["id"], "GroupName": group.get("name", "_DEFAULT_GROUP"), "GroupType": group.get("type", 0),
             "AppId": app["id"], "AppVersionId": group.get("app_version_id", ""), "PackageVersionId": group.get("package_version_id", ""),
             "ClusterId": app.get("cluster_id", ""), "CreateTime": created, "UpdateTime": created}
            for group in app["groups"]]},
        "DeployRecordList": {"DeployRecord": [
            {"DeployRecordId": "dr-" + ecc["id"], "EccId": ecc["id"], "EcuId": ecc.get("ecu_id", ""),
             "PackageVersionId": ecc.get("package_version_id", ""), "PackageMd5": "", "CreateTime": created}
            for ecc in eccs]},
    })


@EDAS.route("POST", "/pop/v5/app/app_list", "ListApplication")
async def list_application(call):
    apps = call.world.data["alibaba"]["edas"]["applications"]
    return envelope(call, ApplicationList={"Application": [
        {"AppId": app["id"], "Name": app["name"], "RegionId": app["region_id"], "ClusterId": app.get("cluster_id", ""),
         "ClusterType": 2, "ApplicationType": app.get("application_type", "FatJar"), "Instances": len(app["eccs"]),
         "RunningInstanceCount": running_count(call, app), "Cpu": app.get("cpu", 2), "Mem": app.get("memory", 4096),
         "Port": app.get("port", 8080), "CreateTime": app.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)}
        for app in apps]})
