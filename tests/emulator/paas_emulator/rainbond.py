# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rainbond console OpenAPI: applications, components, their events, app operations, image changes and horizontal scale.

Units are components.  Every change a component goes through is an *event* (``component["events"]``,
oldest first, made at load and by the APIs) whose progress is read from the job engine: an event made
by an operation names its engine job, and it runs while that job's target for the component runs.
The operations call answers ``{"msg": "操作成功"}`` whatever happens to each component (the console
discards the region's per-component result): a component with an unfinished event, or aimed at by a
``silent_drop`` fault, is left out without a word and gets no event.  See tests/emulator/README.md.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from aiohttp import web

from .auth import verify_rainbond
from .common import ApiError, json_response
from .jobs import register_action
from .platform import Platform
from .world import RAINBOND_IMAGE_SOURCES

# Component ``status`` for each normalized unit state (platform-apis.md 1.2; a restart is a stop then a start).
COMPONENT_STATUS = {
    "running": "running", "stopped": "closed", "starting": "starting", "restarting": "starting",
    "upgrading": "upgrade", "stopping": "stopping", "failed": "abnormal",
    # Pods run but readiness never passes: ready < replicas without pod errors.
    "unhealthy": "starting", "unknown": "unknow",
}

APP_PATH = "/openapi/v1/teams/{team_id}/regions/{region_name}/apps"
COMPONENT_PATH = APP_PATH + r"/{app_id:[\d\-]+}/services/{service_id}"

# The app operations (ServiceGroupOperationsSerializer ACTION_CHOICE) and the event each makes (opt_type, [rb] v2Routers.go).
OPERATIONS = ("stop", "start", "upgrade", "deploy")
OPT_TYPES = {"start": "start-service", "stop": "stop-service", "upgrade": "upgrade-service", "deploy": "build-service",
             "scale": "horizontal-service"}
OPERATED = {"msg": "操作成功"}
NOT_DEPLOYED = "the component has not been deployed"

# Engine actions of Rainbond only.  A scale-out of a running component shows ``starting`` until the new replicas are
# ready, then its state again; an event the world describes as running (``running_event``) changes no state.
register_action("scale_out", "starting", None)
register_action("event", None, None)

# Django REST framework's messages in the console's language (zh-hans), for the validation errors.
DRF_REQUIRED = "该字段是必填项。"
DRF_NULL = "该字段不能为 null。"
DRF_NOT_A_DICT = "无效数据。期待为字典类型，得到的是 %s 。"
DRF_INVALID_CHOICE = "\"%s\" 不是合法选项。"
DRF_NOT_A_LIST = "期望为一个包含物件的列表，得到的类型是\"%s\"。"
DRF_INVALID_INTEGER = "请填写合法的整数值。"
NEW_NODE_OUT_OF_RANGE = "参数超出范围，请选择1~100之间的整数值"  # new_node_validator ([rbc] openapi/serializer/app_serializer.py)


def rainbond_error(status, code, msg, msg_show):
    """The console's ServiceHandleException body (platform-apis.md 1.3)."""
    return ApiError(status, code, msg, body={"code": code, "msg": msg, "msg_show": msg_show, "data": {"bean": {}, "list": []}})


class RainbondPlatform(Platform):
    name = "rainbond"
    fallback_prefixes = ("/openapi/",)
    fault_errors = {
        429: (429, "too many requests"),
        500: (10401, "internal server error"),
        502: (10401, "region api unreachable"),
        503: (10401, "region api unavailable"),
    }

    def authenticate(self, call):
        return verify_rainbond(call.wire, call.world)

    def render_error(self, call, error):
        if error.body is not None:
            body = error.body
        elif error.status == 401:
            # Django REST framework's authentication failure, as the console's exception handler dresses it.
            body = {"detail": error.message, "code": 401, "msg": error.message, "msg_show": "认证失败", "error_type": "AuthenticationFailed"}
        else:
            body = {"code": error.code, "msg": error.message, "msg_show": error.message, "data": {"bean": {}, "list": []}}
        return json_response(body, status=error.status, headers=error.headers)

    def not_found(self, call):
        return rainbond_error(404, 404, "not found", "资源不存在")

    def invalid_body(self, detail):
        return ApiError(400, 20400, "参数错误", body={"detail": "参数错误", "err": {"body": [detail]}, "code": 20400, "error_type": "ValidationError"})


RAINBOND = RainbondPlatform()


def team_of(call):
    team = call.world.find_rainbond_team(call.match["team_id"])
    if team is None:
        raise rainbond_error(404, 404, "no found team", "团队不存在")
    allowed = call.principal.get("teams")
    if allowed is not None and team["id"] not in allowed and team["name"] not in allowed:
        raise rainbond_error(403, 10402, "no permission", "没有操作权限")
    if call.match["region_name"] not in team["regions"]:
        raise rainbond_error(404, 3000, "region not found", "数据中心不存在")
    return team


def app_of(call):
    team = team_of(call)
    for app in team["apps"]:
        if str(app["id"]) == call.match["app_id"] and app["region"] == call.match["region_name"]:
            return team, app
    raise rainbond_error(404, 404, "no found app", "应用不存在")


def component_of(call):
    """The component named by id or alias; it must belong to the app in the path."""
    team, app = app_of(call)
    wanted = call.match["service_id"]
    for other in team["apps"]:
        for component in other["components"]:
            if wanted in (component["service_id"], component["alias"]):
                if other is not app:
                    raise rainbond_error(404, 404, "component not belong to this app", "组件不属于该应用")
                return team, app, component
    raise rainbond_error(404, 404, "no found component", "组件不存在")


def django_time(call, obj, key="create_time"):
    if obj.get(key):
        return str(obj[key])
    return datetime.fromtimestamp(call.world.loaded_at - 86400, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def component_status(component):
    return component.get("native_status") or COMPONENT_STATUS[component["state"]]


def service_group_row(call, team, app):
    """The ServiceGroup model fields of an app."""
    return {
        "ID": app["id"], "tenant_id": team["id"], "group_name": app["name"], "region_name": app["region"],
        "is_default": app.get("is_default", False), "order_index": 0, "note": app.get("note", ""),
        "username": app.get("username", "admin"), "create_time": django_time(call, app), "update_time": django_time(call, app),
        "app_type": "rainbond", "app_store_name": None, "app_store_url": None, "app_template_name": None, "version": None,
        "logo": "", "k8s_app": app.get("k8s_app", "%s-%d" % (app["name"], app["id"])),
    }


def component_view(call, team, app, component):
    """ServiceBaseInfo (the TenantServiceInfo fields the OpenAPI keeps, plus ``status``)."""
    return {
        "service_id": component["service_id"], "tenant_id": team["id"], "service_key": "application",
        "service_alias": component["alias"], "service_cname": component["cname"], "service_region": app["region"],
        "desc": component.get("desc", ""), "category": "application", "version": component["version"],
        "update_version": component.get("update_version", 1), "image": component["image"],
        "cmd": component.get("cmd", ""), "min_node": component["min_node"], "min_cpu": component.get("min_cpu", 500),
        "min_memory": component.get("min_memory", 512), "container_gpu": 0, "extend_method": component.get("extend_method", "stateless_multiple"),
        "create_status": "complete", "k8s_component_name": component.get("k8s_component_name", component["cname"]),
        "service_source": component["service_source"], "build_upgrade": True, "arch": "amd64",
        "tenant_service_group_id": app["id"], "create_time": django_time(call, component), "update_time": django_time(call, component),
        "deploy_version": component.get("deploy_version", "20260101000000"), "service_type": "application",
        "status": component_status(component),
    }


@RAINBOND.route("GET", APP_PATH, "ListApps")
async def list_apps(call):
    team = team_of(call)
    query = call.query("query", "")
    return [service_group_row(call, team, app) for app in team["apps"]
            if app["region"] == call.match["region_name"] and query in app["name"]]


@RAINBOND.route("GET", APP_PATH + r"/{app_id:[\d\-]+}", "GetApp")
async def get_app(call):
    team, app = app_of(call)
    components = app["components"]
    running = [c for c in components if component_status(c) == "running"]
    # The console counts only status "running" as running (platform-apis.md 1.2, AppInfo.status).
    if components and len(running) == len(components):
        status = "running"
    elif running:
        status = "part_running"
    else:
        status = "closed"
    info = service_group_row(call, team, app)
    info.update({
        "enterprise_id": call.world.data["rainbond"]["enterprise_id"], "service_count": len(components),
        "running_service_count": len(running),
        "used_momory": sum(c.get("min_memory", 512) * c["min_node"] for c in running),
        "used_cpu": sum(c.get("min_cpu", 500) * c["min_node"] for c in running),
        "app_id": app["id"], "team_name": team["name"], "status": status,
    })
    return info


@RAINBOND.route("GET", APP_PATH + r"/{app_id:[\d\-]+}/services", "ListComponents")
async def list_components(call):
    team, app = app_of(call)
    return [component_view(call, team, app, component) for component in app["components"]]


@RAINBOND.route("GET", APP_PATH + r"/{app_id:[\d\-]+}/services/{service_id}", "GetComponent")
async def get_component(call):
    team, app, component = component_of(call)
    view = component_view(call, team, app, component)
    view["access_infos"] = component.get("access_infos", [])
    return json_response(view)


# ---- validation (the DRF serializer error shape, platform-apis.md 1.3) -------------------------------------


def validation_error(err):
    return ApiError(400, 20400, "参数错误", body={"detail": "参数错误", "err": err, "code": 20400, "error_type": "ValidationError"})


def serializer_body(call):
    """The JSON body as a serializer sees it: a mapping (an empty body is ``{}``), else DRF's non-field error."""
    body = call.json(default={})
    if not isinstance(body, dict):
        raise validation_error({"non_field_errors": [DRF_NOT_A_DICT % type(body).__name__]})
    return body


def operations_request(call):
    """``(action, service_ids or None)`` of a ServiceGroupOperationsSerializer body."""
    body = serializer_body(call)
    errors = {}
    action = body.get("action")
    if "action" not in body:
        errors["action"] = [DRF_REQUIRED]
    elif action is None:
        errors["action"] = [DRF_NULL]
    elif isinstance(action, (dict, list, bool)) or str(action) not in OPERATIONS:
        # ChoiceField looks up str(value): "True", "['start']" and "" are not choices either.
        errors["action"] = [DRF_INVALID_CHOICE % action]
    service_ids = body.get("service_ids")
    if "service_ids" in body:
        if service_ids is None:
            errors["service_ids"] = [DRF_NULL]
        elif not isinstance(service_ids, list):
            errors["service_ids"] = [DRF_NOT_A_LIST % type(service_ids).__name__]
    if errors:
        raise validation_error(errors)
    return str(action), service_ids


def drf_integer(value):
    """``value`` as DRF's IntegerField reads it (3, "3", 3.0 and "3.0" are 3; True, 3.5 and "x" are not integers), or None."""
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        return None
    try:
        return int(re.sub(r"\.0*\s*$", "", str(value)))
    except ValueError:
        return None


def new_node_request(call):
    body = serializer_body(call)
    if "new_node" not in body:
        raise validation_error({"new_node": [DRF_REQUIRED]})
    if body["new_node"] is None:
        raise validation_error({"new_node": [DRF_NULL]})
    new_node = drf_integer(body["new_node"])
    if new_node is None:
        raise validation_error({"new_node": [DRF_INVALID_INTEGER]})
    if not 1 <= new_node <= 100:
        raise validation_error({"new_node": [NEW_NODE_OUT_OF_RANGE]})
    return new_node


# ---- events ---------------------------------------------------------------------------------------------------


def rainbond_time(epoch):
    """``2026-01-01 08:00:00`` (UTC here), how the console prints event times."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def add_event(component, opt_type, user_name, moment, job=None, status="success", message=""):
    """Record a new event of the component: one that follows ``job``, or (no job) one that has already ended with ``status``."""
    event = {"event_id": uuid.uuid4().hex, "opt_type": opt_type, "user_name": user_name, "created": moment,
             "job_id": job.job_id if job is not None else None, "status": None if job is not None else status,
             "message": "" if job is not None else message, "ended": None if job is not None else moment}
    component.setdefault("events", []).append(event)
    return event


def event_progress(engine, component, event):
    """``(status, final_status, message, end time)`` of an event; one with a job follows the component's target in it."""
    if event["job_id"] is None:
        return event["status"], "complete", event["message"], event["ended"]
    job = engine.get(event["job_id"])
    target = next((t for t in job.targets if t.unit.unit_id == component["service_id"]), None) if job is not None else None
    if target is None:
        return "success", "complete", "", event["created"]
    if target.status == "succeeded":
        return "success", "complete", "", target.finished_at
    if target.status == "failed":
        return "failure", "complete", target.message, target.finished_at
    if target.status == "cancelled" or (job.finished and target.status != "running"):
        # The job ended (aborted, or failed at another component) with this one never done: its event fails with it.
        return "failure", "complete", target.message or job.message, job.finished_at
    # Running, or never healthy: the event waits (the region keeps a never-ready component's event open).
    return "", "running", "", None


def event_running(engine, component, event):
    return event_progress(engine, component, event)[1] == "running"


def has_unfinished_event(engine, component):
    """The component's last event has not completed ("The last event has not been completed"): one of its events
    runs, or an engine job that includes it is unfinished (e.g. one made with ``POST /_emulator/jobs``)."""
    if engine.active_jobs_of_unit(component["service_id"]):
        return True
    return any(event_running(engine, component, event) for event in component.get("events") or [])


def event_view(call, team, component, event):
    """AppServiceEventsSerializer's fields (snake_case, as the console code serializes them)."""
    status, final_status, message, ended = event_progress(call.engine, component, event)
    created = rainbond_time(event["created"])
    return {
        "event_id": event["event_id"], "user_name": event["user_name"], "start_time": created,
        "end_time": rainbond_time(ended) if ended is not None else None, "create_time": created,
        "target": "service", "target_id": component["service_id"], "opt_type": event["opt_type"],
        "service_id": component["service_id"], "status": status, "final_status": final_status, "syn_type": 0,
        "message": message or "", "request_body": None, "tenant_id": team["id"],
    }


def int_query(call, name, default):
    """``int(req.GET.get(name, default))`` as the console does: a value that is no integer is an unhandled error (500)."""
    value = call.query(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise rainbond_error(500, 10401, str(exc), "系统异常") from exc


@RAINBOND.route("GET", COMPONENT_PATH + "/events", "ListComponentEvents")
async def list_component_events(call):
    team, _app, component = component_of(call)
    page = int_query(call, "page", 1)
    page_size = int_query(call, "page_size", 10)
    events = list(reversed(component.get("events") or []))  # newest first
    chosen = events[(page - 1) * page_size:page * page_size] if page >= 1 and page_size >= 1 else []
    return {"events": [event_view(call, team, component, event) for event in chosen], "total": len(events), "page": page,
            "page_size": page_size}


# ---- app operations -------------------------------------------------------------------------------------------


def operation_plan(action, component):
    """What ``action`` does to one accepted component: ``(engine action, None)``, or ``(None, (status, message))`` for an
    event that ends at once (nothing to do, or a component never deployed).  What the region really does for start on a
    running component, stop on a closed one or upgrade on a closed one is UNVERIFIED (platform-apis.md 1.3)."""
    status = component_status(component)
    if action in ("start", "upgrade") and status == "undeploy":
        return None, ("failure", NOT_DEPLOYED)
    if action == "start":
        return ("start", None) if status != "running" else (None, ("success", ""))
    if action == "stop":
        return ("stop", None) if status not in ("closed", "undeploy") else (None, ("success", ""))
    if action == "upgrade":
        return ("upgrade", None) if status != "closed" else (None, ("success", ""))
    return "deploy", None  # build + deploy: whatever the status, including closed and undeploy


def record_deploy(job, target):
    """``on_unit_done`` of a deploy: a component that deployed has a new build (update_version, deploy_version), made from the
    image the job deployed (``build_image``; none for a component not built from an image)."""
    if target.status != "succeeded":
        return
    component = target.unit.obj
    component["update_version"] = int(component.get("update_version", 1)) + 1
    component["deploy_version"] = datetime.fromtimestamp(target.finished_at, tz=timezone.utc).strftime("%Y%m%d%H%M%S")
    if job.meta.get("deploying"):
        component["build_image"] = job.meta["deploying"]


def deploy_groups(components):
    """The components a deploy builds, grouped by the image each is built from (``None`` for the components not built from
    an image), in app order: one engine job per image, its ``meta['deploying']``, so that the world's ``bad_versions`` of
    that image act on those components alone."""
    groups = {}
    for component in components:
        image = component["image"] if component["service_source"] in RAINBOND_IMAGE_SOURCES else None
        groups.setdefault(image, []).append(component)
    return list(groups.items())


def operated_components(app, service_ids):
    """``(components, ignored ids)``: ``service_ids`` of this app (app order), or all of them when none are given."""
    if not service_ids:
        return list(app["components"]), []
    own = [component["service_id"] for component in app["components"]]
    ignored = []
    for service_id in service_ids:
        if service_id not in own and service_id not in ignored:
            ignored.append(service_id)
    return [component for component in app["components"] if component["service_id"] in service_ids], ignored


@RAINBOND.route("POST", APP_PATH + r"/{app_id:[\d\-]+}/operations", "OperateApp")
async def operate_app(call):
    team, app = app_of(call)
    action, service_ids = operations_request(call)
    components, ignored = operated_components(app, service_ids)
    if not components:
        return OPERATED  # batch_operations returns before calling the region
    user = call.principal["name"]
    metrics = call.emulator.metrics
    dropped, at_once, running = {}, [], []
    for component in components:
        service_id = component["service_id"]
        if has_unfinished_event(call.engine, component):
            dropped[service_id] = "The last event has not been completed"
            continue
        fault = call.emulator.faults.silent_drop(RAINBOND.name, service_id)
        if fault is not None:
            dropped[service_id] = fault.message or "silent_drop fault"
            continue
        engine_action, ended = operation_plan(action, component)
        if engine_action is None:
            add_event(component, OPT_TYPES[action], user, call.moment, status=ended[0], message=ended[1])
            at_once.append(service_id)
        else:
            running.append(component)
    jobs = []
    # One batch: the region acts on every accepted component at once. A deploy builds each component from its configured image:
    # one job per image, so that what the image does (bad_versions) is its components' alone; an upgrade rolls the build out
    # that runs already, whatever the image now configured.
    for image, group in deploy_groups(running) if action == "deploy" else ([(None, running)] if running else []):
        meta = {"action": action, "created_by": user, "team_id": team["id"]}
        if image is not None:
            meta["deploying"] = image
        job = call.engine.create_job(RAINBOND.name, action, [c["service_id"] for c in group], call.moment, operation=call.operation.name,
                                     log=False, meta=meta, on_unit_done=record_deploy if action == "deploy" else None)
        jobs.append(job)
        for component in group:
            add_event(component, OPT_TYPES[action], user, call.moment, job=job)
    for service_id in dropped:
        metrics.count_dropped(service_id)
    detail = {"action": action, "dropped": list(dropped), "drop_reasons": dropped, "completed_at_once": at_once, "ignored": ignored}
    if action == "deploy":
        detail.update(images=dict((c["service_id"], c["image"]) for c in running if c["service_source"] in RAINBOND_IMAGE_SOURCES),
                      job_ids=[job.job_id for job in jobs])
    metrics.log_action(RAINBOND.name, call.operation.name, [c["service_id"] for c in components], job_id=jobs[0].job_id if jobs else None,
                       detail=detail)
    return OPERATED


# ---- image change ---------------------------------------------------------------------------------------------

IMAGE_CHANGED = {"code": 200, "msg": "success", "msg_show": "更改镜像地址成功", "data": {"bean": {}, "list": []}}


@RAINBOND.route("PUT", COMPONENT_PATH + "/docker-image-change", "ChangeComponentImage")
async def change_image(call):
    """``ChangeDeploySourceView.put`` as the console code does it: ``request.data.get("image")`` and, when one is given, the
    image and ``version = image.split(':')[-1]`` saved (a trailing ``:`` gives ``latest``, appended to the image too), in the
    console's database only: no validation, no build, no event, whatever the component's source or events. Without an image
    nothing changes and the answer is the same 200. What is not a JSON object, or an image that is not a string, fails where
    the console's code would (500)."""
    _team, _app, component = component_of(call)
    body = call.json(default={})
    if not isinstance(body, dict):
        raise rainbond_error(500, 10401, "'%s' object has no attribute 'get'" % type(body).__name__, "系统异常")
    image = body.get("image")
    if image:
        if not isinstance(image, str):
            raise rainbond_error(500, 10401, "'%s' object has no attribute 'split'" % type(image).__name__, "系统异常")
        version = image.split(":")[-1]
        if not version:
            version = "latest"
            image = image + ":" + version
        component["image"] = image
        component["version"] = version
    call.emulator.metrics.log_action(RAINBOND.name, call.operation.name, [component["service_id"]], job_id=None,
                                     detail={"image": component["image"] if image else None})
    return json_response(IMAGE_CHANGED)


# ---- horizontal scale -----------------------------------------------------------------------------------------


@RAINBOND.route("POST", COMPONENT_PATH + "/telescopic/horizontal", "HorizontalScale")
async def horizontal_scale(call):
    team, _app, component = component_of(call)
    new_node = new_node_request(call)
    if has_unfinished_event(call.engine, component):
        raise rainbond_error(409, 10103, "The asynchronous operation is executing", "异步操作正在执行中")
    old_node = component["min_node"]
    if new_node == old_node:
        raise rainbond_error(400, 10104, "The number of components has not changed, no need to scale", "组件实例数未变化，无需伸缩")
    service_id = component["service_id"]
    component["min_node"] = new_node  # the console saves the new replica count at once
    # A running component scaled out is "starting" until its new replicas are ready; otherwise its status stays.
    action = "scale_out" if new_node > old_node and component_status(component) == "running" else "scale"
    seconds = call.world.job_duration(RAINBOND.name, "scale", call.world.units[service_id])
    job = call.engine.create_job(RAINBOND.name, action, [service_id], call.moment, operation=call.operation.name,
                                 durations={service_id: seconds}, log_detail={"new_node": new_node, "old_node": old_node},
                                 meta={"new_node": new_node, "old_node": old_node, "created_by": call.principal["name"], "team_id": team["id"]})
    add_event(component, OPT_TYPES["scale"], call.principal["name"], call.moment, job=job)
    return web.Response(status=200, body=b"", content_type="application/json")


# ---- events of the world --------------------------------------------------------------------------------------


@RAINBOND.on_world_loaded
def create_world_events(world, engine, moment):
    """Every component gets the old event that brought it where it is (none while ``undeploy``); a ``running_event``
    becomes an event still running, an engine job that changes no state and ends after ``seconds`` × the time factor."""
    for team in world.data["rainbond"]["teams"]:
        for app in team["apps"]:
            for component in app["components"]:
                component["events"] = []
                if component_status(component) != "undeploy":
                    opt_type = OPT_TYPES["stop"] if component["state"] == "stopped" else OPT_TYPES["start"]
                    event = add_event(component, opt_type, "admin", world.loaded_at - 86400)
                    event["ended"] = event["created"] + 30
                running = component.get("running_event")
                if running is not None:
                    service_id = component["service_id"]
                    job = engine.create_job(RAINBOND.name, "event", [service_id], moment, operation="WorldRunningEvent", log=False,
                                            durations={service_id: float(running["seconds"])}, meta={"opt_type": running["opt_type"]})
                    add_event(component, running["opt_type"], running["user_name"], moment, job=job)
