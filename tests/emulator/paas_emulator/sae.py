# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Alibaba Cloud SAE (API 2019-05-06): application reads. Units are instances; applications group them."""

from __future__ import annotations

import json

from .alibaba import AlibabaPlatform
from .common import ApiError, epoch_ms
from .jobs import ABORTED, FAILED, PENDING, RUNNING, SUCCEEDED, WAITING_CONFIRMATION


class SaePlatform(AlibabaPlatform):
    """SAE reports missing parameters with its own code (platform-apis.md 3.4)."""

    def missing_parameter(self, name):
        return ApiError(400, "InvalidParameter.NotEmpty", "You must specify the parameter %s." % name)


SAE = SaePlatform("sae", "2019-05-06", "sae", ("/pop/v1/",))

# DescribeApplicationStatus.LastChangeOrderStatus for normalized job statuses.
LAST_CHANGE_ORDER_STATUS = {PENDING: "READY", RUNNING: "RUNNING", SUCCEEDED: "SUCCESS", FAILED: "FAIL", ABORTED: "ABORT",
                            WAITING_CONFIRMATION: "WAIT_BATCH_CONFIRM"}

# Instance (InstanceContainerStatus, InstanceHealthStatus) for each normalized unit state.
INSTANCE_STATUS = {
    "running": ("Running", "Healthy"),
    "stopped": ("NotFound", "NotCheckedYet"),
    "starting": ("Pending", "NotCheckedYet"),
    "restarting": ("PodInitializing", "NotCheckedYet"),
    "upgrading": ("PodInitializing", "NotCheckedYet"),
    "stopping": ("Terminating", "NotCheckedYet"),
    "failed": ("Error", "Unhealthy"),
    "unhealthy": ("Running", "ReadinessUnhealthy"),
    "unknown": ("Unknown", "NotCheckedYet"),
}

DEFAULT_UPDATE_STRATEGY = {"type": "GrayBatchUpdate", "batchUpdate": {"batch": 2, "releaseType": "auto", "batchWaitTime": 0}}


class SaeInvalidApplication(ApiError):
    def __init__(self):
        super().__init__(400, "InvalidApplication.NotFound", "The current application does not exist.")


def envelope(call, data):
    """The SAE success envelope (platform-apis.md 3.1)."""
    return {"RequestId": call.request_id, "TraceId": call.request_id.replace("-", "").lower()[:30], "Code": "200",
            "Message": "success", "Success": True, "Data": data}


def application_of(call):
    app = call.world.find_sae_application(call.require_query("AppId"))
    if app is None:
        raise SaeInvalidApplication()
    return app


def instance_status(instance):
    """(container status, health status) of an instance; ``native_status`` may give the container status."""
    container, health = INSTANCE_STATUS[instance["state"]]
    return instance.get("native_status") or container, health


def running_instances(call, app):
    return sum(1 for unit in call.world.units_of(app["id"]) if unit.obj["state"] == "running")


def current_status(call, app):
    """RUNNING while any instance is not stopped; STOPPED when all are (or there are none)."""
    states = [unit.obj["state"] for unit in call.world.units_of(app["id"])]
    if any(state == "unknown" for state in states):
        return "UNKNOWN"
    return "RUNNING" if any(state != "stopped" for state in states) else "STOPPED"


def created_ms(call, obj):
    return obj.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)


@SAE.route("GET", "/pop/v1/sam/app/describeApplicationStatus", "DescribeApplicationStatus")
async def describe_application_status(call):
    app = application_of(call)
    job = call.engine.last_job_for_app(app["id"])
    troubled = job is not None and not job.finished and any(t.status in ("failed", "unhealthy") for t in job.targets)
    return envelope(call, {
        "AppId": app["id"],
        "CurrentStatus": current_status(call, app),
        "RunningInstances": running_instances(call, app),
        "LastChangeOrderId": job.job_id if job else "",
        "LastChangeOrderRunning": bool(job and not job.finished),
        "LastChangeOrderStatus": LAST_CHANGE_ORDER_STATUS[job.status] if job else "",
        "SubStatus": "RUNNING_BUT_HAS_ERROR" if troubled else "NORMAL",
        "CreateTime": str(created_ms(call, app)),
        "EnableAgent": False,
        "ArmsAdvancedEnabled": "false",
        "ArmsApmInfo": "",
        "FileSizeLimit": 10240,
    })


def application_summary(call, app):
    return {
        "AppId": app["id"], "AppName": app["name"], "AppDescription": app.get("description", ""),
        "NamespaceId": app["namespace_id"], "RegionId": app["region_id"],
        "Instances": app["replicas"], "RunningInstances": running_instances(call, app),
        "Cpu": app.get("cpu", 1000), "Mem": app.get("memory", 2048),
        "ScaleRuleEnabled": False, "ScaleRuleType": "", "AppDeletingStatus": False, "BaseAppId": "",
        "ProgrammingLanguage": app.get("language", "java"), "Tags": [],
    }


@SAE.route("GET", "/pop/v1/sam/app/listApplications", "ListApplications")
async def list_applications(call):
    namespace_id = call.query("NamespaceId")
    name_filter = call.query("AppName")
    apps = [app for app in call.world.sae_applications()
            if (not namespace_id or app["namespace_id"] == namespace_id) and (not name_filter or name_filter in app["name"])]
    page = max(int(call.query("CurrentPage", "1") or 1), 1)
    size = max(int(call.query("PageSize", "10") or 10), 1)
    chosen = apps[(page - 1) * size:page * size]
    return envelope(call, {"Applications": [application_summary(call, app) for app in chosen],
                           "CurrentPage": page, "PageSize": size, "TotalSize": len(apps)})


@SAE.route("GET", "/pop/v1/sam/app/describeApplicationConfig", "DescribeApplicationConfig")
async def describe_application_config(call):
    app = application_of(call)
    version_id = call.query("VersionId") or app.get("version_id", "")
    version = next((v for v in app["versions"] if v.get("id") == version_id), {})
    return envelope(call, {
        "AppId": app["id"], "AppName": app["name"], "AppDescription": app.get("description", ""),
        "NamespaceId": app["namespace_id"], "RegionId": app["region_id"],
        "Replicas": app["replicas"], "Cpu": app.get("cpu", 1000), "Memory": app.get("memory", 2048),
        "PackageType": app.get("package_type", "Image"), "PackageVersion": version.get("package_version", version_id),
        "PackageUrl": version.get("package_url", ""), "ImageUrl": version.get("image_url", app.get("image_url", "")),
        "VersionId": version_id,
        "MinReadyInstances": app.get("min_ready_instances", 1), "MinReadyInstanceRatio": app.get("min_ready_instance_ratio", -1),
        "UpdateStrategy": json.dumps(app.get("update_strategy") or DEFAULT_UPDATE_STRATEGY),
        "BatchWaitTime": app.get("batch_wait_time", 0),
        "Timezone": "Asia/Shanghai", "Envs": "[]", "Jdk": app.get("jdk", ""),
    })
