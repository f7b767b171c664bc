# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Alibaba Cloud SAE (API 2019-05-06). Units are instances; applications group them.

Applications run actions through change orders (see ``alibaba.py``).  An application's batching comes
from its ``update_strategy`` (``batchUpdate.batch``, ``releaseType`` auto|manual, ``batchWaitTime`` in
minutes, scaled by the time factor); ``requires_approval: true`` makes its orders wait for approval
(status 11) until the admin API confirms them.  A stopped application has no instances to list.

Versions. An application's ``versions`` are listed newest first (ListAppVersions); ``version_id`` is the one its
configuration deploys (DescribeApplicationConfig, ListApplications, DescribeApplicationGroups). DeployApplication records
a new version at once (SAE lists every deploy as a version, a failed one too) and runs a ``deploy`` change order in the
batches of the ``UpdateStrategy`` it was given (kept as the application's), or of the application's own. The order's
``deploying`` is the image or package version, so the world's ``bad_versions`` make it fail. The configuration moves to
the new version only when the order succeeds: a failed (or aborted) deploy leaves it on the old one, so a second run of the
same deploy is sent again rather than taken for done. The instances its batches reached do run the new version, a failed
batch included, as on a Kubernetes rollout that stopped half-way: DescribeApplicationInstances shows each instance's own
``ImageUrl`` / ``PackageVersion``; RollbackApplication (or a new deploy) puts them all on one version again. A deploy that
never gets healthy holds its order running with SubStatus 1, as SAE's does until someone aborts or rolls it back.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qsl

from .alibaba import (AlibabaPlatform, PIPELINE_STATUS, TASK_STATUS, alibaba_time, confirm_pipeline, current_pipeline_id, find_order,
                      find_pipeline, is_troubled, order_status, parse_bool, pipeline_state, running_order_of, split_batches,
                      start_change_order)
from .common import ApiError, epoch_ms, restarted_ms


class SaePlatform(AlibabaPlatform):
    """SAE reports missing parameters with its own code (platform-apis.md 3.4), an operation's errors in its envelope."""

    operation_error_envelope = True

    def missing_parameter(self, name):
        return ApiError(400, "InvalidParameter.NotEmpty", "You must specify the parameter %s." % name)


SAE = SaePlatform("sae", "2019-05-06", "sae", ("/pop/v1/",))

# DescribeApplicationStatus.LastChangeOrderStatus for each change-order status int (the documented order of both enums).
LAST_CHANGE_ORDER_STATUS = {0: "READY", 1: "RUNNING", 2: "SUCCESS", 3: "FAIL", 6: "ABORT", 8: "WAIT_BATCH_CONFIRM", 9: "AUTO_BATCH_WAIT",
                            10: "SYSTEM_FAIL", 11: "WAIT_APPROVAL", 12: "APPROVED"}
# CoTypeCode and CoType (its description) of each action API.
CO_TYPES = {
    "BatchStartApplications": ("CoBatchStartApplication", "Batch start applications"),
    "BatchStopApplications": ("CoBatchStopApplication", "Batch stop applications"),
    "BatchRestartApplications": ("CoRestartApplication", "Restart applications"),
    "StartApplication": ("CoStartApplication", "Start application"),
    "StopApplication": ("CoStopApplication", "Stop application"),
    "RestartApplication": ("CoRestartApplication", "Restart application"),
    "RestartInstances": ("CoRestartInstances", "Restart instances"),
    "RollbackApplication": ("CoRollback", "Roll back application"),
    "DeployApplication": ("CoDeploy", "Deploy application"),
    "RescaleApplication:out": ("CoScaleOut", "Scale out application"),
    "RescaleApplication:in": ("CoScaleIn", "Scale in application"),
    "RescaleApplication": ("CoScaleOut", "Rescale application"),
}

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


def invalid_parameter(name, detail):
    return ApiError(400, "InvalidParameter.WithMessage", "The parameter is invalid {%s}: %s" % (name, detail))


def order_running(_app, _order):
    return ApiError(400, "Application.ChangerOrderRunning", "An application change process is in progress. Please try again later.")


def envelope(call, data, trace=True):
    """The SAE success envelope (platform-apis.md 3.1); a few APIs' bodies have no ``TraceId`` (``trace=False``)."""
    body = {"RequestId": call.request_id, "Code": "200", "Message": "success", "Success": True, "Data": data}
    if trace:
        body["TraceId"] = call.request_id.replace("-", "").lower()[:30]
    return body


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
    return envelope(call, {
        "AppId": app["id"],
        "CurrentStatus": current_status(call, app),
        "RunningInstances": running_instances(call, app),
        "LastChangeOrderId": job.job_id if job else "",
        "LastChangeOrderRunning": bool(job and not job.finished),
        "LastChangeOrderStatus": LAST_CHANGE_ORDER_STATUS[order_status(job, call.moment)] if job else "",
        "SubStatus": "RUNNING_BUT_HAS_ERROR" if job and is_troubled(job) else "NORMAL",
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
        "AppDeletingStatus": False, "BaseAppId": "",
        "ProgrammingLanguage": app.get("language", "java"), "Tags": [],
        # What the configuration deploys (the SDK's item has both, and no PackageVersion).
        "ImageUrl": version_of(app).get("image_url", ""), "PackageUrl": version_of(app).get("package_url", ""),
    }


@SAE.route("GET", "/pop/v1/sam/app/listApplications", "ListApplications")
async def list_applications(call):
    namespace_id = call.query("NamespaceId")
    name_filter = call.query("AppName")
    apps = [app for app in call.world.sae_applications()
            if (not namespace_id or app["namespace_id"] == namespace_id) and (not name_filter or name_filter in app["name"])]
    page, size, chosen = page_of(call, apps, max_size=10000)
    body = envelope(call, {"Applications": [application_summary(call, app) for app in chosen],
                           "CurrentPage": page, "PageSize": size, "TotalSize": len(apps)}, trace=False)
    # ListApplications repeats the paging fields at the top level (the SDK's response body has both).
    body.update(CurrentPage=page, PageSize=size, TotalSize=len(apps))
    return body


def version_of(app, version_id=None):
    version_id = version_id or app.get("version_id", "")
    return next((v for v in app["versions"] if v.get("id") == version_id), {})


@SAE.route("GET", "/pop/v1/sam/app/describeApplicationConfig", "DescribeApplicationConfig")
async def describe_application_config(call):
    app = application_of(call)
    version = version_of(app, call.query("VersionId"))
    # The real API names no version id: callers match ImageUrl / PackageUrl against ListAppVersions.
    return envelope(call, {
        "AppId": app["id"], "AppName": app["name"], "AppDescription": app.get("description", ""),
        "NamespaceId": app["namespace_id"], "RegionId": app["region_id"],
        "Replicas": app["replicas"], "Cpu": app.get("cpu", 1000), "Memory": app.get("memory", 2048),
        "PackageType": app.get("package_type", "Image"), "PackageVersion": version.get("package_version", ""),
        "PackageUrl": version.get("package_url", ""), "ImageUrl": version.get("image_url", app.get("image_url", "")),
        "MinReadyInstances": app.get("min_ready_instances", 1), "MinReadyInstanceRatio": app.get("min_ready_instance_ratio", -1),
        "UpdateStrategy": json.dumps(app.get("update_strategy") or DEFAULT_UPDATE_STRATEGY),
        "BatchWaitTime": app.get("batch_wait_time", 0),
        "Timezone": "Asia/Shanghai", "Envs": "[]", "Jdk": app.get("jdk", ""),
    })


@SAE.route("GET", "/pop/v1/sam/app/listAppVersions", "ListAppVersions")
async def list_app_versions(call):
    """Newest first; the world lists an application's versions newest first, a day apart."""
    app = application_of(call)
    return envelope(call, [
        {"Id": version["id"], "Type": version.get("type", "image"),
         "CreateTime": str(version.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400 * (index + 1))),
         "BuildPackageUrl": version.get("image_url") or version.get("package_url", ""), "WarUrl": version.get("package_url", "")}
        for index, version in enumerate(app["versions"])], trace=False)


# ---- groups and instances ---------------------------------------------------------------------------


def listed_instances(call, app):
    """The instances that exist: a stopped instance has no pod (a stopped application lists none)."""
    return [unit.obj for unit in call.world.units_of(app["id"]) if unit.obj["state"] != "stopped"]


@SAE.route("GET", "/pop/v1/sam/app/describeApplicationGroups", "DescribeApplicationGroups")
async def describe_application_groups(call):
    app = application_of(call)
    version = version_of(app)
    # Paged, but with no total: a client knows the end by a short page.
    _page, _size, groups = page_of(call, [app])
    return envelope(call, [{
        "GroupId": app["group_id"], "GroupName": app.get("group_name", "_DEFAULT_GROUP"), "GroupType": 0,
        "Replicas": app["replicas"], "RunningInstances": running_instances(call, app), "PackageType": app.get("package_type", "Image"),
        "PackageVersion": version.get("package_version", ""), "PackageVersionId": version.get("id", ""),
        "PackageUrl": version.get("package_url", ""), "ImageUrl": version.get("image_url", ""), "Jdk": app.get("jdk", ""),
        "WebContainer": "", "EdasContainerVersion": ""} for app in groups])


def instance_version(call, app, instance):
    """The version an instance runs: that of the newest deploy or rollback order whose batch reached it (a failed or aborted
    order leaves the instances it reached on its version), else the configuration's."""
    for job in reversed(call.engine.jobs_for_app(app["id"])):
        version_id = job.meta.get("version_id")
        if version_id and any(target.unit.unit_id == instance["id"] and target.status not in ("pending", "cancelled") for target in job.targets):
            return version_of(app, version_id)
    return version_of(app)


def instance_view(call, app, instance):
    container, health = instance_status(instance)
    version = instance_version(call, app, instance)
    # A restarted instance is a new pod: its creation time is when the restart finished (the real SAE also gives it a new
    # name; the emulator keeps the InstanceId, see README).
    created = restarted_ms(instance, instance.get("create_time_ms") or epoch_ms(call.world.loaded_at - 3600))
    return {
        "InstanceId": instance["id"], "GroupId": app["group_id"], "VSwitchId": app.get("vswitch_id", "vsw-demo"),
        "InstanceContainerStatus": container, "InstanceHealthStatus": health,
        "InstanceContainerRestarts": call.emulator.metrics.restarts.get(instance["id"], 0), "InstanceContainerIp": instance.get("ip", ""),
        "Eip": "", "ImageUrl": version.get("image_url", ""), "PackageVersion": version.get("package_version", ""),
        "CreateTimeStamp": created, "FinishTimeStamp": 0, "MainContainerStatus": container,
        "TrafficStatus": "Normal" if container == "Running" else "", "UnhealthyMessage": "" if health != "Unhealthy" else "health check failed",
        "DebugStatus": False, "Timestamp": epoch_ms(call.moment), "SidecarContainersStatus": [], "Tags": []}


# SAE's lists page with CurrentPage (from 1) and PageSize (deploy-and-paging-apis.md 5). Documented: ListApplications takes
# PageSize 0 to 10,000, DescribeApplicationInstances 1 to 999,999,999 with a default of 10. The other defaults and maxima are
# not documented: here every default is 10 and only the documented maxima are enforced. A PageSize of 0 means the default.
DEFAULT_PAGE_SIZE = 10


def page_of(call, items, max_size=None):
    """``(page, size, the items of that page)``; a page or size out of range is refused as SAE refuses a bad parameter."""
    page = page_number(call, "CurrentPage", 1)
    size = page_number(call, "PageSize", DEFAULT_PAGE_SIZE, allow_zero=True) or DEFAULT_PAGE_SIZE
    if max_size is not None and size > max_size:
        raise invalid_parameter("PageSize", "must be at most %d, got %d" % (max_size, size))
    return page, size, items[(page - 1) * size:page * size]


def page_number(call, name, default, allow_zero=False):
    value = call.query(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise invalid_parameter(name, "not an integer: %r" % value) from None
    if number < (0 if allow_zero else 1):
        raise invalid_parameter(name, "must be %d or more, got %d" % (0 if allow_zero else 1, number))
    return number


@SAE.route("GET", "/pop/v1/sam/app/describeApplicationInstances", "DescribeApplicationInstances")
async def describe_application_instances(call):
    app = application_of(call)
    if call.require_query("GroupId") != app["group_id"]:
        raise invalid_parameter("GroupId", "application %s has no group %s" % (app["id"], call.query("GroupId")))
    instances = listed_instances(call, app)
    if call.query("InstanceId"):
        instances = [instance for instance in instances if instance["id"] == call.query("InstanceId")]
    if parse_bool(call.query("Reverse"), default=False):
        instances = list(reversed(instances))
    page, size, chosen = page_of(call, instances, max_size=999999999)
    return envelope(call, {"CurrentPage": page, "PageSize": size, "TotalSize": len(instances),
                           "Instances": [instance_view(call, app, instance) for instance in chosen]})


# ---- actions ----------------------------------------------------------------------------------------------


def batching(app, unit_ids, strategy=None):
    """``(batches, manual, wait seconds, needs approval)`` from an update strategy (the application's by default): a
    ``GrayBatchUpdate`` with ``grayUpdate.gray`` runs that many instances first, then the rest in ``batchUpdate.batch``
    batches; else ``batch`` batches (a count, split evenly)."""
    strategy = strategy or app.get("update_strategy") or DEFAULT_UPDATE_STRATEGY
    batch = strategy.get("batchUpdate") or {}
    count = int(batch.get("batch") or 1)
    gray = int((strategy.get("grayUpdate") or {}).get("gray") or 0) if strategy.get("type") == "GrayBatchUpdate" else 0
    batches = count
    if 0 < gray < len(unit_ids):
        batches = [list(unit_ids[:gray])] + split_batches(list(unit_ids[gray:]), count)
    return (batches, batch.get("releaseType") == "manual", float(batch.get("batchWaitTime") or 0) * 60,
            bool(app.get("requires_approval")))


def order_over(call, action, apps_and_units, description="", on_finish=None, co_type=None, strategy=None, meta=None):
    code, co_name = CO_TYPES[co_type or call.operation.name]
    plans = [(app, unit_ids) + batching(app, unit_ids, strategy) for app, unit_ids in apps_and_units]
    job = start_change_order(call, action, plans, code, order_running, description=description or co_name, on_finish=on_finish,
                             extra_meta=meta)
    job.meta["co_type"] = co_name
    return job


def ordered(call, job, **extra):
    data = {"ChangeOrderId": job.job_id}
    data.update(extra)
    return envelope(call, data, trace=call.operation.name != "RescaleApplication")


def app_units(call, app):
    return [unit.unit_id for unit in call.world.units_of(app["id"])]


def namespace_applications(call):
    """The applications of a batch call: ``AppIds`` (comma list) in ``NamespaceId``, or all of the namespace."""
    namespace_id = call.require_query("NamespaceId")
    namespace = next((ns for ns in call.world.data["alibaba"]["sae"]["namespaces"] if ns["id"] == namespace_id), None)
    if namespace is None:
        raise invalid_parameter("NamespaceId", "namespace %s does not exist" % namespace_id)
    app_ids = [app_id for app_id in (call.query("AppIds") or "").split(",") if app_id]
    if not app_ids:
        if not namespace["applications"]:
            raise ApiError(400, "Mamespace.Have.No.Applications", "There are no applications in this namespace.")
        return list(namespace["applications"])
    apps = []
    for app_id in app_ids:
        app = call.world.find_sae_application(app_id)
        if app is None:
            raise SaeInvalidApplication()
        if app["namespace_id"] != namespace_id:
            raise ApiError(400, "Invalid.App.List.Not.Same.Namespace", "The selected applications do not belong to the same namespace.")
        if app not in apps:
            apps.append(app)
    return apps


def batch_route(path, operation, action):
    @SAE.route("PUT", path, operation)
    async def batch_action(call):
        apps = namespace_applications(call)
        return ordered(call, order_over(call, action, [(app, app_units(call, app)) for app in apps]))
    return batch_action


batch_route("/pop/v1/sam/app/batchStartApplications", "BatchStartApplications", "start")
batch_route("/pop/v1/sam/app/batchStopApplications", "BatchStopApplications", "stop")
batch_route("/pop/v1/sam/app/batchRestartApplications", "BatchRestartApplications", "restart")


def app_route(path, operation, action):
    @SAE.route("PUT", path, operation)
    async def app_action(call):
        app = application_of(call)
        return ordered(call, order_over(call, action, [(app, app_units(call, app))]))
    return app_action


app_route("/pop/v1/sam/app/startApplication", "StartApplication", "start")
app_route("/pop/v1/sam/app/stopApplication", "StopApplication", "stop")
app_route("/pop/v1/sam/app/restartApplication", "RestartApplication", "restart")


@SAE.route("PUT", "/pop/v1/sam/app/restartInstances", "RestartInstances")
async def restart_instances(call):
    app = application_of(call)
    wanted = [instance_id for instance_id in call.require_query("InstanceIds").split(",") if instance_id]
    known = [instance["id"] for instance in listed_instances(call, app)]
    unknown = [instance_id for instance_id in wanted if instance_id not in known]
    if unknown or not wanted:
        raise invalid_parameter("InstanceIds", "application %s has no instance %s" % (app["id"], ",".join(unknown)))
    return ordered(call, order_over(call, "restart", [(app, wanted)]))


# SAE refuses a count above the application's instance quota (an account setting, raised on request); the emulator's quota
# is the sanity bound the collection itself keeps (plugins/module_utils/_module.py REPLICA_BOUNDS). Refusing here, before
# any instance exists, is also what keeps a scale to 10**9 from creating instances one by one for ever.
MAX_REPLICAS = 1000


def replicas_parameter(call):
    try:
        replicas = int(call.require_query("Replicas"))
    except ValueError:
        replicas = -1
    if not 0 <= replicas <= MAX_REPLICAS:
        raise invalid_parameter("Replicas", "must be an integer from 0 to %d" % MAX_REPLICAS)
    return replicas


@SAE.route("PUT", "/pop/v1/sam/app/rescaleApplication", "RescaleApplication")
async def rescale_application(call):
    """Scale out: new instances start. Scale in: the newest instances stop and are deleted. Same count: a no-op order."""
    app = application_of(call)
    replicas = replicas_parameter(call)
    units = call.world.units_of(app["id"])
    stopped = current_status(call, app) == "STOPPED"
    if replicas > len(units):
        if running_order_of(call, app["id"]) is not None:
            raise order_running(app, None)  # before the new instances exist
        created = []
        for dummy in range(replicas - len(units)):
            instance = {"id": "%s-%s" % (app["name"], uuid.uuid4().hex[:14]), "ip": "10.0.%d.%d" % (len(units) % 250, 100 + len(created)),
                        "state": "stopped", "create_time_ms": epoch_ms(call.moment)}
            created.append(call.world.add_unit("sae", "instance", instance, app, "instances").unit_id)
        app["replicas"] = replicas
        if stopped:
            job = order_over(call, "scale", [(app, created)], co_type="RescaleApplication:out")
        else:
            job = order_over(call, "start", [(app, created)], co_type="RescaleApplication:out")
        return ordered(call, job)
    if replicas < len(units):
        removed = [unit.unit_id for unit in units[replicas:]]

        def delete_removed(job):
            for unit_id in removed:
                if call.world.units.get(unit_id) is not None and job.status == "succeeded":
                    call.world.remove_unit(unit_id, "instances")
        job = order_over(call, "stop", [(app, removed)], on_finish=delete_removed, co_type="RescaleApplication:in")
        app["replicas"] = replicas
        return ordered(call, job)
    return ordered(call, order_over(call, "scale", [(app, [unit.unit_id for unit in units])]))


@SAE.route("PUT", "/pop/v1/sam/app/rollbackApplication", "RollbackApplication")
async def rollback_application(call):
    app = application_of(call)
    version_id = call.require_query("VersionId")
    if not version_of(app, version_id):
        raise invalid_parameter("VersionId", "application %s has no version %s" % (app["id"], version_id))

    def deploy(job):
        if job.status == "succeeded":
            app["version_id"] = version_id
    version = version_of(app, version_id)
    job = order_over(call, "rollback", [(app, [unit.unit_id for unit in call.world.units_of(app["id"])])], on_finish=deploy,
                     strategy=strategy_parameter(call), meta={"version_id": version_id, "deploying": deploying(version)})
    return ordered(call, job, IsNeedApproval=bool(app.get("requires_approval")))


def deploying(version):
    """What a deploy of ``version`` names, for the world's ``bad_versions``: the image, else the package version."""
    return version.get("image_url") or version.get("package_version") or ""


def parameter(call, name):
    """A DeployApplication parameter: the SDK puts most in the query and a few in the form body; the API takes either
    (Terraform sends them all in the query)."""
    value = call.query(name)
    if value is None and call.body and (call.wire.header("content-type") or "").startswith("application/x-www-form-urlencoded"):
        value = dict(parse_qsl(call.body.decode("utf-8"), keep_blank_values=True)).get(name)
    return value


def int_parameter(call, name):
    value = parameter(call, name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise invalid_parameter(name, "not an integer: %r" % value) from None


def strategy_parameter(call):
    """``UpdateStrategy`` (a JSON string) as a dict, or None when not given; refused as SAE refuses malformed JSON."""
    text = parameter(call, "UpdateStrategy")
    if not text:
        return None
    try:
        strategy = json.loads(text)
    except ValueError:
        raise invalid_parameter("UpdateStrategy", "not JSON: %r" % text) from None
    if not isinstance(strategy, dict) or strategy.get("type") not in ("BatchUpdate", "GrayBatchUpdate"):
        raise invalid_parameter("UpdateStrategy", "type must be BatchUpdate or GrayBatchUpdate")
    if strategy["type"] == "GrayBatchUpdate" and not (strategy.get("grayUpdate") or {}).get("gray"):
        raise invalid_parameter("UpdateStrategy", "GrayBatchUpdate needs grayUpdate.gray")
    return strategy


IMAGE_PACKAGE_TYPES = ("Image",)


@SAE.route("POST", "/pop/v1/sam/app/deployApplication", "DeployApplication")
async def deploy_application(call):
    """A new version (image, or package URL and version) in a ``deploy`` change order; see the module docstring for what a
    failed one leaves. ``Deploy=false`` on a stopped application only records the configuration (an order that starts
    nothing)."""
    app = application_of(call)
    package_type = parameter(call, "PackageType") or app.get("package_type", "Image")
    if package_type.startswith("IMAGE") or package_type in IMAGE_PACKAGE_TYPES:
        image = parameter(call, "ImageUrl")
        if not image:
            raise invalid_parameter("ImageUrl", "required when PackageType is %s" % package_type)
        version = {"type": "image", "image_url": image}
    else:
        url, package_version = parameter(call, "PackageUrl"), parameter(call, "PackageVersion")
        if not url or not package_version:
            raise invalid_parameter("PackageUrl" if not url else "PackageVersion", "required when PackageType is %s" % package_type)
        version = {"type": "url", "package_url": url, "package_version": package_version}
    strategy = strategy_parameter(call)
    min_ready, min_ready_ratio = int_parameter(call, "MinReadyInstances"), int_parameter(call, "MinReadyInstanceRatio")
    if running_order_of(call, app["id"]) is not None:
        raise order_running(app, None)  # before the version is recorded
    units = [unit.unit_id for unit in call.world.units_of(app["id"])]
    only_config = current_status(call, app) == "STOPPED" and not parse_bool(parameter(call, "Deploy"), default=True)
    version.update(id=str(uuid.uuid4()), create_time_ms=epoch_ms(call.moment))
    # The listed versions' times are fixed first: they are derived from their places, which the new one shifts.
    for index, known in enumerate(app["versions"]):
        known.setdefault("create_time_ms", epoch_ms(call.world.loaded_at - 86400 * (index + 1)))
    app["versions"].insert(0, version)
    # What the application keeps of the call: its release settings, like the configuration SAE stores.
    if strategy is not None:
        app["update_strategy"] = strategy
    if min_ready is not None:
        app["min_ready_instances"] = min_ready
    if min_ready_ratio is not None:
        app["min_ready_instance_ratio"] = min_ready_ratio

    def deployed(job):
        if job.status == "succeeded":
            app["version_id"] = version["id"]
            app["package_type"] = package_type
    job = order_over(call, "scale" if only_config else "deploy", [(app, units)], on_finish=deployed, strategy=strategy,
                     meta={"version_id": version["id"], "deploying": deploying(version)})
    return ordered(call, job, AppId=app["id"], IsNeedApproval=bool(app.get("requires_approval")))


# ---- change orders --------------------------------------------------------------------------------------


def order_of(call):
    job = find_order(call, call.require_query("ChangeOrderId"))
    if job is None:
        raise invalid_parameter("ChangeOrderId", "change order %s does not exist" % call.query("ChangeOrderId"))
    return job


def batch_type(job):
    return "manual" if job.manual_confirm else "auto"


def pipeline_times(job, index):
    targets = job.batches[index]
    started = [t.started_at for t in targets if t.started_at]
    finished = [t.finished_at for t in targets if t.finished_at]
    return (epoch_ms(min(started)) if started else 0), (epoch_ms(max(finished or started)) if started else 0)


def pipeline_summary(job, index):
    start, update = pipeline_times(job, index)
    return {"PipelineId": job.meta["pipeline_ids"][index], "PipelineName": "Batch %d" % (index + 1),
            "Status": PIPELINE_STATUS[pipeline_state(job, index)], "BatchType": batch_type(job),
            "ParallelCount": len(job.batches[index]), "StartTime": start, "UpdateTime": update}


def order_summary(call, job, app=None):
    """An order as ``app`` (default: its first application) lists it; an order over several applications is each one's."""
    app = app or call.world.find_sae_application(job.app_ids[0]) or {"id": job.app_ids[0]}
    return {"ChangeOrderId": job.job_id, "AppId": app["id"], "AppName": app.get("name", ""), "GroupId": app.get("group_id", ""),
            "CoType": job.meta.get("co_type", ""), "CoTypeCode": job.meta["co_type_code"], "Status": order_status(job, call.moment),
            "BatchCount": len(job.batches), "BatchType": batch_type(job), "CreateTime": alibaba_time(job.created_at),
            "FinishTime": alibaba_time(job.finished_at) if job.finished_at else "", "CreateUserId": job.meta.get("created_by", ""),
            "UserId": job.meta.get("created_by", ""), "Source": "pop", "Description": job.meta.get("description", "")}


@SAE.route("GET", "/pop/v1/sam/changeorder/DescribeChangeOrder", "DescribeChangeOrder")
async def describe_change_order(call):
    job = order_of(call)
    data = order_summary(call, job)
    for key in ("GroupId", "FinishTime", "CreateUserId", "UserId", "Source"):
        data.pop(key)
    first_app = call.world.find_sae_application(job.app_ids[0]) or {}
    data.update({
        "SubStatus": 1 if is_troubled(job) else 0, "ErrorMessage": job.message if job.status == "failed" else "",
        "BatchWaitTime": int(job.batch_wait // 60), "Auto": not job.manual_confirm, "CurrentPipelineId": current_pipeline_id(job),
        "SupportRollback": job.meta["co_type_code"] in ("CoRestartApplication", "CoRollback"),
        "ApplicationUpdateStrategy": json.dumps(first_app.get("update_strategy") or DEFAULT_UPDATE_STRATEGY),
        "ApplicationEnableGreyTagRoute": False, "ApprovalId": job.job_id if job.status == "waiting_approval" else "",
        "Pipelines": [pipeline_summary(job, index) for index in range(len(job.batches))]})
    return envelope(call, data)


def task_view(job, target, stage_id):
    failed = target.status in ("failed", "unhealthy")
    return {"TaskId": "%s-%s" % (stage_id, target.unit.unit_id), "TaskName": "%s %s" % (job.action.capitalize(), target.unit.unit_id),
            "StageId": stage_id, "Status": TASK_STATUS[target.status], "Message": target.message or target.status,
            "ErrorCode": "Instance.Unhealthy" if failed else "", "ErrorMessage": target.message if failed else "",
            "ErrorIgnore": 0, "ShowManualIgnore": False}


@SAE.route("GET", "/pop/v1/sam/changeorder/DescribePipeline", "DescribePipeline")
async def describe_pipeline(call):
    pipeline_id = call.require_query("PipelineId")
    found = find_pipeline(call, pipeline_id)
    if found is None:
        raise invalid_parameter("PipelineId", "pipeline %s does not exist" % pipeline_id)
    job, index = found
    state = pipeline_state(job, index)
    stage_id = pipeline_id + "-stage"
    status = PIPELINE_STATUS[state] if state != "waiting_confirmation" else 0
    ids = job.meta["pipeline_ids"]
    return envelope(call, {
        "PipelineId": pipeline_id, "PipelineName": "Batch %d" % (index + 1), "PipelineStatus": status,
        "CoStatus": order_status(job, call.moment), "CurrentStageId": stage_id, "NextPipelineId": ids[index + 1] if index + 1 < len(ids) else "",
        "ShowBatch": True,
        "StageList": [{"StageId": stage_id, "StageName": "%s instances" % job.action.capitalize(), "ExecutorType": 1, "Status": status,
                       "TaskList": [task_view(job, target, stage_id) for target in job.batches[index]]}]})


@SAE.route("GET", "/pop/v1/sam/changeorder/ListChangeOrders", "ListChangeOrders")
async def list_change_orders(call):
    app = application_of(call)
    jobs = [job for job in reversed(call.engine.jobs_for_app(app["id"])) if find_order(call, job.job_id) is not None]
    views = [order_summary(call, job, app) for job in jobs]
    for view in views:
        view.pop("AppName")  # ListChangeOrders items name the application by id only
    if call.query("CoStatus"):
        views = [view for view in views if str(view["Status"]) == call.query("CoStatus")]
    if call.query("CoType"):
        views = [view for view in views if view["CoTypeCode"] == call.query("CoType")]
    page, size, chosen = page_of(call, views)
    return envelope(call, {"CurrentPage": page, "PageSize": size, "TotalSize": len(views), "ChangeOrderList": chosen})


@SAE.route("PUT", "/pop/v1/sam/changeorder/AbortChangeOrder", "AbortChangeOrder")
async def abort_change_order(call):
    job = order_of(call)
    if job.finished:
        raise ApiError(400, "Application.ChangerOrder.Not.Running", "The change order is not running and cannot be terminated.")
    call.engine.abort(job.job_id, call.moment, message="aborted by the user")
    call.emulator.metrics.log_action("sae", call.operation.name, job.app_ids, job_id=job.job_id)
    return envelope(call, {"ChangeOrderId": job.job_id})


@SAE.route("GET", "/pop/v1/sam/changeorder/ConfirmPipelineBatch", "ConfirmPipelineBatch")
async def confirm_pipeline_batch(call):
    pipeline_id = call.require_query("PipelineId")
    confirm = parse_bool(call.require_query("Confirm"))

    def not_waiting(pipeline):
        return invalid_parameter("PipelineId", "pipeline %s is not waiting for confirmation" % pipeline)
    confirm_pipeline(call, pipeline_id, confirm, not_waiting)
    return envelope(call, {"PipelineId": pipeline_id})
