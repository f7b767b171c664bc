# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Alibaba Cloud EDAS (API 2017-08-01), ECS-cluster applications. Units are ECCs (application instances).

Actions run through change orders (see ``alibaba.py``); an application's ``batch`` (count),
``batch_type`` (Automatic|Manual) and ``batch_wait_minutes`` set their batching.  An order that
fails after some ECCs succeeded ends 7 (partially executed) rather than 3: the emulator's model.

Business errors (an order already running, an unknown ECC) answer HTTP 200 with a non-200 body
``Code`` (the model; platform-apis.md 4 leaves it UNVERIFIED), so clients must check both.
"""

from __future__ import annotations

import uuid

from .alibaba import (PIPELINE_STATUS, TASK_STATUS, AlibabaPlatform, alibaba_time, confirm_pipeline, find_order, order_status, parse_bool,
                      pipeline_state, running_order_of, start_change_order)
from .common import ApiError, epoch_ms
from .jobs import SUCCEEDED

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


def business_error(call, code, message):
    """An EDAS business error: HTTP 200, the failure in the body's ``Code``."""
    return ApiError(200, str(code), message, body={"Code": code, "Message": message, "RequestId": call.request_id})


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
            "ApplicationId": app["id"], "Name": app["name"],
            "ClusterId": app.get("cluster_id", ""), "InstanceCount": len(eccs),
            "RunningInstanceCount": running_count(call, app), "Cpu": app.get("cpu", 2), "Memory": app.get("memory", 4096),
            "Port": app.get("port", 8080), "HealthCheckUrl": app.get("health_check_url", ""),
            "BuildPackageId": app.get("build_package_id", 0), "Dockerize": False, "RegionId": app["region_id"],
            "CreateTime": created, "LaunchTime": created, "Owner": app.get("owner", ""), "Email": "", "Phone": "",
            "UserId": app.get("owner_uid", ""),
        },
        "EccList": {"Ecc": [ecc_view(call, app, ecc) for ecc in eccs]},
        "EcuList": {"Ecu": [ecu_view(call, app, ecc) for ecc in eccs]},
        "GroupList": {"Group": [
            {"GroupId": group["id"], "GroupName": group["name"], "GroupType": group["type"],
             "AppId": app["id"], "AppVersionId": group.get("app_version_id", ""), "PackageVersionId": package_of(app, group["package_version"]).get("id", ""),
             "ClusterId": app.get("cluster_id", ""), "CreateTime": created, "UpdateTime": created}
            for group in app["groups"]]},
        "DeployRecordList": {"DeployRecord": [
            {"DeployRecordId": "dr-" + ecc["id"], "EccId": ecc["id"], "EcuId": ecc.get("ecu_id", ""),
             "PackageVersionId": package_of(app, ecc_package_version(app, ecc)).get("id", ""), "CreateTime": created}
            for ecc in eccs]},
    })


def int_query(call, name, default, low, high):
    """An integer query parameter within ``[low, high]`` (``default`` when absent), else EDAS's business error."""
    value = call.query(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        bounds = "%d to %d" % (low, high) if high is not None else "%d up" % low
        raise business_error(call, 400, "The parameter %s must be an integer from %s; got %r." % (name, bounds, value))
    return number


@EDAS.route("POST", "/pop/v5/app/app_list", "ListApplication")
async def list_application(call):
    """Pages with CurrentPage (from 1) and PageSize, and answers no total (deploy-and-paging-apis.md 5); its default page
    size is not documented: without PageSize the emulator answers every application."""
    apps = call.world.data["alibaba"]["edas"]["applications"]
    size = int_query(call, "PageSize", None, 1, None)
    if size is not None:
        start = (int_query(call, "CurrentPage", 1, 1, None) - 1) * size
        apps = apps[start:start + size]
    return envelope(call, ApplicationList={"Application": [
        {"AppId": app["id"], "Name": app["name"], "RegionId": app["region_id"], "ClusterId": app.get("cluster_id", ""),
         "ClusterType": app.get("cluster_type", 2), "ApplicationType": app.get("application_type", "FatJar"), "Instances": len(app["eccs"]),
         "RunningInstanceCount": running_count(call, app), "Port": app.get("port", 8080),
         "CreateTime": app.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)}
        for app in apps]})


# ---- deploy groups and package versions -------------------------------------------------------------------

def package_of(app, version):
    """The application's ``package_versions`` entry of ``version`` (a PackageVersion string), or {}."""
    return next((entry for entry in app["package_versions"] if entry["version"] == version), {}) if version else {}


def ecc_package_version(app, ecc):
    """What an ECC runs: the package its last deploy put on it, else its group's."""
    if ecc.get("package_version"):
        return ecc["package_version"]
    group = next((group for group in app["groups"] if group["id"] == ecc.get("group_id")), None)
    return group["package_version"] if group else None


@EDAS.route("POST", "/pop/v5/app/deploy_group_list", "ListDeployGroup")
async def list_deploy_group(call):
    """A group's package is the version of its last deploy or rollback that succeeded (an order that failed leaves it)."""
    app = application_of(call)
    created = app.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)
    groups = []
    for group in app["groups"]:
        package = package_of(app, group["package_version"])
        groups.append({"GroupId": group["id"], "GroupName": group["name"], "GroupType": group["type"], "AppId": app["id"],
                       "ClusterId": app.get("cluster_id", ""), "ClusterName": app.get("cluster_name", ""), "AppVersionId": group.get("app_version_id", ""),
                       "PackageVersion": package.get("version", ""), "PackageVersionId": package.get("id", ""),
                       "PackageUrl": package.get("url", ""), "PackagePublicUrl": package.get("url", ""),
                       "Status": str(group.get("status", 2)), "CreateTime": created, "UpdateTime": group.get("update_time_ms") or created})
    return envelope(call, DeployGroupList={"DeployGroup": groups})


@EDAS.route("GET", "/pop/v5/app/deploy_history_version_list", "ListHistoryDeployVersion")
async def list_history_deploy_version(call):
    """Every package version the application was given, newest first (the world lists them so)."""
    app = application_of(call)
    return envelope(call, PackageVersionList={"PackageVersion": [
        {"Id": package["id"], "AppId": app["id"], "PackageVersion": package["version"], "Type": package["type"], "WarUrl": package["url"],
         "PublicUrl": package["url"], "Description": package["description"], "CreateTime": package["create_time_ms"],
         "UpdateTime": package["create_time_ms"]}
        for package in app["package_versions"]]})


# ---- actions ----------------------------------------------------------------------------------------------

CO_TYPES = {"StartApplication": ("CoStart", "Start application"), "StopApplication": ("CoStop", "Stop application"),
            "RestartApplication": ("CoRestart", "Restart application")}


def batching(app):
    """``(batch count, manual, wait seconds, needs approval)`` of the application's change orders."""
    return (int(app.get("batch") or 1), app.get("batch_type", "Automatic") == "Manual", float(app.get("batch_wait_minutes") or 0) * 60, False)


def chosen_eccs(call, app):
    """``EccInfo``: comma-separated ECC ids of the application; empty means all of them."""
    known = [ecc["id"] for ecc in app["eccs"]]
    wanted = [ecc_id for ecc_id in (call.query("EccInfo") or "").split(",") if ecc_id]
    unknown = [ecc_id for ecc_id in wanted if ecc_id not in known]
    if unknown:
        raise business_error(call, 400, "The ECC %s does not belong to application %s." % (",".join(unknown), app["id"]))
    return wanted or known


def action_route(path, operation, action):
    @EDAS.route("POST", path, operation)
    async def change_order_action(call):
        app = application_of(call)
        eccs = chosen_eccs(call, app)
        code, name = CO_TYPES[operation]
        job = start_change_order(call, action, [(app, eccs) + batching(app)], code, busy_error(call), description=name)
        job.meta["co_type"] = name
        return envelope(call, ChangeOrderId=job.job_id)
    return change_order_action


action_route("/pop/v5/changeorder/co_start", "StartApplication", "start")
action_route("/pop/v5/changeorder/co_stop", "StopApplication", "stop")
action_route("/pop/v5/changeorder/co_restart", "RestartApplication", "restart")


def deploy_groups(call, app):
    """``GroupId``: one deploy group of the application, or ``all`` of them."""
    group_id = call.require_query("GroupId")
    if group_id == "all":
        return list(app["groups"])
    groups = [group for group in app["groups"] if group["id"] == group_id]
    if not groups:
        raise business_error(call, 400, "The deploy group %s does not belong to application %s." % (group_id, app["id"]))
    return groups


def busy_error(call):
    def busy(busy_app, order):
        return business_error(call, 500, "Application %s has a change order in progress (%s); try again later." % (busy_app["id"], order.job_id))
    return busy


def package_order(call, app, action, package_version, manual, co_type, max_batch=None, accepted=None):
    """One change order putting ``package_version`` on the ECCs of the chosen groups, each group in ``Batch`` batches
    (at most its ECCs: larger is taken as that many), ``BatchWaitTime`` minutes apart. It names the version it deploys
    (``meta['deploying']``), so the world's ``bad_versions`` apply; each ECC runs it once its step succeeded, each group once
    the whole order did. ``accepted()`` runs once every parameter passed and no order holds the application."""
    groups = deploy_groups(call, app)
    batch = int_query(call, "Batch", 1, 1, max_batch)
    wait = int_query(call, "BatchWaitTime", 0, 0, 5)
    plans = [(app, [ecc["id"] for ecc in app["eccs"] if ecc.get("group_id") == group["id"]], batch, manual, wait * 60, False) for group in groups]
    plans = [plan for plan in plans if plan[1]]
    if not plans:
        raise business_error(call, 400, "Application %s has no ECC in the deploy group to %s." % (app["id"], action))
    busy = busy_error(call)
    running = running_order_of(call, app["id"])
    if running is not None:
        raise busy(app, running)
    if accepted is not None:
        accepted()

    def ecc_done(job, target):
        if target.status == "succeeded":
            target.unit.obj["package_version"] = package_version

    def order_done(job):
        if job.status == SUCCEEDED:
            for group in groups:
                group["package_version"] = package_version
                group["update_time_ms"] = epoch_ms(job.finished_at)
    name, code = co_type
    job = start_change_order(call, action, plans, code, busy, description=name, on_finish=order_done,
                             extra_meta={"co_type": name, "deploying": package_version, "group_ids": [group["id"] for group in groups]})
    # Set at once: no ECC finishes its step within the call that created the order (every step takes time).
    job.on_unit_done = ecc_done
    return job


@EDAS.route("POST", "/pop/v5/changeorder/co_deploy", "DeployApplication")
async def deploy_application(call):
    """ECS-cluster deploy of a package (DeployType url, WarUrl, PackageVersion of at most 64 characters); the image deploy
    (DeployType image, ImageUrl) served Swarm clusters only and is deprecated: refused. A PackageVersion the application
    had already is deployed again (the real behaviour is not documented: deploy-and-paging-apis.md 2.2)."""
    app = application_of(call)
    deploy_type = call.require_query("DeployType")
    if deploy_type != "url":
        raise business_error(call, 400, "DeployType %s is not supported for application %s: deploy a package (DeployType url) with WarUrl."
                             % (deploy_type, app["id"]))
    war_url = call.require_query("WarUrl")
    version = call.require_query("PackageVersion")
    if len(version) > 64:
        raise business_error(call, 400, "The PackageVersion must be at most 64 characters long.")
    release_type = int_query(call, "ReleaseType", 0, 0, 1)

    def record():
        if package_of(app, version):
            package_of(app, version)["url"] = war_url
        else:
            app["package_versions"].insert(0, {"id": str(uuid.uuid4()), "version": version, "url": war_url, "type": "url",
                                               "description": call.query("Desc") or "", "create_time_ms": epoch_ms(call.moment)})
    job = package_order(call, app, "deploy", version, release_type == 1, ("Deploy application", "CoDeploy"), accepted=record)
    return envelope(call, ChangeOrderId=job.job_id)


@EDAS.route("POST", "/pop/v5/changeorder/co_rollback", "RollbackApplication")
async def rollback_application(call):
    """Back to ``HistoryVersion`` (a PackageVersion of ListHistoryDeployVersion), in 1 to 5 batches, automatically."""
    app = application_of(call)
    version = call.require_query("HistoryVersion")
    if not package_of(app, version):
        raise business_error(call, 400, "Application %s has no history version %s." % (app["id"], version))
    job = package_order(call, app, "rollback", version, False, ("Rollback application", "CoRollback"), max_batch=5)
    return envelope(call, ChangeOrderId=job.job_id)


# ---- change orders --------------------------------------------------------------------------------------

def order_of(call):
    order_id = call.require_query("ChangeOrderId")
    job = find_order(call, order_id)
    if job is None:
        raise business_error(call, 400, "The change order %s does not exist." % order_id)
    return job


def time_ms(epoch):
    return epoch_ms(epoch) if epoch else 0


def pipeline_info(call, job, index):
    pipeline_id = job.meta["pipeline_ids"][index]
    status = PIPELINE_STATUS[pipeline_state(job, index)]
    targets = job.batches[index]
    started = min((t.started_at for t in targets if t.started_at), default=None)
    stage_id = pipeline_id + "-stage"
    tasks = [{"TaskId": "%s-%s" % (stage_id, t.unit.unit_id), "TaskName": "%s %s" % (job.action, t.unit.obj.get("ip", t.unit.unit_id)),
              "TaskStatus": str(TASK_STATUS[t.status]), "TaskMessage": t.message or t.status,
              "TaskErrorCode": "ECC.Failed" if t.status in ("failed", "unhealthy") else "",
              "TaskErrorMessage": t.message if t.status in ("failed", "unhealthy") else "", "TaskErrorIgnorance": 0, "RetryType": 0,
              "ShowManualIgnorance": False} for t in targets]
    instances = [{"InstanceName": t.unit.unit_id, "InstanceIp": t.unit.obj.get("ip", ""), "PodName": "", "PodStatus": "",
                  "Status": TASK_STATUS[t.status],
                  "InstanceStageDTOList": {"InstanceStageDTO": [
                      {"StageId": stage_id, "StageName": "%s application" % job.action, "Status": TASK_STATUS[t.status],
                       "StageMessage": t.message, "StartTime": time_ms(t.started_at), "FinishTime": time_ms(t.finished_at)}]}}
                 for t in targets]
    stage_name = "%s ECCs" % job.action.capitalize()
    return {"PipelineId": pipeline_id, "PipelineName": "Batch %d" % (index + 1), "PipelineStatus": status,
            "StartTime": time_ms(started), "UpdateTime": time_ms(max((t.finished_at or t.started_at or 0 for t in targets), default=0)),
            "StageDetailList": {"StageDetailDTO": [{"StageId": stage_id, "StageName": stage_name, "StageStatus": status,
                                                    "TaskList": {"TaskInfoDTO": tasks}}]},
            "StageList": {"StageInfoDTO": [{"StageId": stage_id, "StageName": stage_name, "Status": status, "StageResultDTO": {
                "ServiceStage": {"StageId": stage_id, "StageName": stage_name, "Status": status, "Message": ""},
                "InstanceDTOList": {"InstanceDTO": instances}}}]}}


def batch_type(job):
    return "Manual" if job.manual_confirm else "Automatic"


@EDAS.route("POST", "/pop/v5/changeorder/change_order_info", "GetChangeOrderInfo")
async def get_change_order_info(call):
    job = order_of(call)
    return envelope(call, changeOrderInfo={
        "ChangeOrderId": job.job_id, "Status": order_status(job, call.moment, partial=True), "CoType": job.meta.get("co_type", ""),
        "ChangeOrderDescription": job.meta.get("description", ""), "Desc": job.message, "BatchCount": len(job.batches),
        "BatchType": batch_type(job), "CreateTime": alibaba_time(job.created_at), "CreateUserId": job.meta.get("created_by", ""),
        "SupportRollback": False, "Targets": {"Items": [t.unit.unit_id for t in job.targets]},
        "TrafficControl": {"Routes": "", "Rules": "", "Tips": ""},
        "PipelineInfoList": {"PipelineInfo": [pipeline_info(call, job, index) for index in range(len(job.batches))]}})


def order_group(app, job):
    """The group an order names: the one it deploys to, else (every group, or an action on ECCs) the application's first."""
    groups = job.meta.get("group_ids") or []
    if len(groups) == 1:
        return groups[0]
    return app["groups"][0]["id"] if app["groups"] else ""


@EDAS.route("POST", "/pop/v5/changeorder/change_order_list", "ListRecentChangeOrder")
async def list_recent_change_order(call):
    app = application_of(call)
    orders = [job for job in reversed(call.engine.jobs_for_app(app["id"])) if find_order(call, job.job_id) is not None]
    return envelope(call, ChangeOrderList={"ChangeOrder": [
        {"ChangeOrderId": job.job_id, "AppId": app["id"], "GroupId": order_group(app, job),
         "CoType": job.meta.get("co_type", ""), "CoTypeCode": job.meta["co_type_code"], "Status": order_status(job, call.moment, partial=True),
         "BatchCount": len(job.batches), "BatchType": batch_type(job), "ChangeOrderDescription": job.meta.get("description", ""),
         "CreateTime": alibaba_time(job.created_at), "FinishTime": alibaba_time(job.finished_at) if job.finished_at else "",
         "CreateUserId": job.meta.get("created_by", ""), "UserId": job.meta.get("created_by", ""), "Source": "pop"}
        for job in orders]})


@EDAS.route("GET", "/pop/v5/changeorder/pipeline_batch_confirm", "ContinuePipeline")
async def continue_pipeline(call):
    def not_waiting(pipeline):
        return business_error(call, 400, "The pipeline %s is not waiting for confirmation." % pipeline)
    confirm_pipeline(call, call.require_query("PipelineId"), parse_bool(call.query("Confirm")), not_waiting)
    return envelope(call)


@EDAS.route("PUT", "/pop/v5/changeorder/change_order_abort", "AbortChangeOrder")
async def abort_change_order(call):
    job = order_of(call)
    if job.finished:
        raise business_error(call, 400, "The change order %s is not running." % job.job_id)
    call.engine.abort(job.job_id, call.moment, message="aborted by the user")
    call.emulator.metrics.log_action("edas", call.operation.name, job.app_ids, job_id=job.job_id)
    return envelope(call, Data={"ChangeOrderId": job.job_id}, TraceId=call.request_id.replace("-", "").lower()[:30])
