# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rainbond console OpenAPI: application and component reads. Units are components."""

from __future__ import annotations

from datetime import datetime, timezone

from .auth import verify_rainbond
from .common import ApiError, json_response
from .platform import Platform

# Component ``status`` for each normalized unit state (platform-apis.md 1.2; a restart is a stop then a start).
COMPONENT_STATUS = {
    "running": "running", "stopped": "closed", "starting": "starting", "restarting": "starting",
    "upgrading": "upgrade", "stopping": "stopping", "failed": "abnormal",
    # Pods run but readiness never passes: ready < replicas without pod errors.
    "unhealthy": "starting", "unknown": "unknow",
}

APP_PATH = "/openapi/v1/teams/{team_id}/regions/{region_name}/apps"


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
        "desc": component.get("desc", ""), "category": "application", "version": component.get("version", "latest"),
        "update_version": component.get("update_version", 1), "image": component.get("image", "goodrain.me/%s:latest" % component["cname"]),
        "cmd": component.get("cmd", ""), "min_node": component["min_node"], "min_cpu": component.get("min_cpu", 500),
        "min_memory": component.get("min_memory", 512), "container_gpu": 0, "extend_method": component.get("extend_method", "stateless_multiple"),
        "create_status": "complete", "k8s_component_name": component.get("k8s_component_name", component["cname"]),
        "service_source": component.get("service_source", "docker_image"), "build_upgrade": True, "arch": "amd64",
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
