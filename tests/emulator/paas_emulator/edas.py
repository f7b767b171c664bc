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

from .alibaba import (PIPELINE_STATUS, TASK_STATUS, AlibabaPlatform, alibaba_time, confirm_pipeline, find_order, order_status, parse_bool,
                      pipeline_state, start_change_order)
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
            {"GroupId": group["id"], "GroupName": group.get("name", "_DEFAULT_GROUP"), "GroupType": group.get("type", 0),
             "AppId": app["id"], "AppVersionId": group.get("app_version_id", ""), "PackageVersionId": group.get("package_version_id", ""),
             "ClusterId": app.get("cluster_id", ""), "CreateTime": created, "UpdateTime": created}
            for group in app["groups"]]},
        "DeployRecordList": {"DeployRecord": [
            {"DeployRecordId": "dr-" + ecc["id"], "EccId": ecc["id"], "EcuId": ecc.get("ecu_id", ""),
             "PackageVersionId": ecc.get("package_version_id", ""), "CreateTime": created}
            for ecc in eccs]},
    })


@EDAS.route("POST", "/pop/v5/app/app_list", "ListApplication")
async def list_application(call):
    apps = call.world.data["alibaba"]["edas"]["applications"]
    return envelope(call, ApplicationList={"Application": [
        {"AppId": app["id"], "Name": app["name"], "RegionId": app["region_id"], "ClusterId": app.get("cluster_id", ""),
         "ClusterType": 2, "ApplicationType": app.get("application_type", "FatJar"), "Instances": len(app["eccs"]),
         "RunningInstanceCount": running_count(call, app), "Port": app.get("port", 8080),
         "CreateTime": app.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)}
        for app in apps]})


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

        def busy(busy_app, order):
            return business_error(call, 500, "Application %s has a change order in progress (%s); try again later." % (busy_app["id"], order.job_id))
        job = start_change_order(call, action, [(app, eccs) + batching(app)], code, busy, description=name)
        job.meta["co_type"] = name
        return envelope(call, ChangeOrderId=job.job_id)
    return change_order_action


action_route("/pop/v5/changeorder/co_start", "StartApplication", "start")
action_route("/pop/v5/changeorder/co_stop", "StopApplication", "stop")
action_route("/pop/v5/changeorder/co_restart", "RestartApplication", "restart")


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


@EDAS.route("POST", "/pop/v5/changeorder/change_order_list", "ListRecentChangeOrder")
async def list_recent_change_order(call):
    app = application_of(call)
    orders = [job for job in reversed(call.engine.jobs_for_app(app["id"])) if find_order(call, job.job_id) is not None]
    return envelope(call, ChangeOrderList={"ChangeOrder": [
        {"ChangeOrderId": job.job_id, "AppId": app["id"], "GroupId": (app["groups"][0]["id"] if app["groups"] else ""),
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
