# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Huawei Cloud: IAM (password tokens, project look-up) and ServiceStage v3/v2 reads and job reads.

Units are ServiceStage (v3) components; each has exactly one v2 component *instance* (its
deployment in an environment) that shares its state, so v2 and v3 views always agree.
"""

from __future__ import annotations

import uuid

from .auth import check_huawei_project, verify_huawei
from .common import ApiError, epoch_ms, iso_utc, json_response, restarted_ms
from .jobs import ABORTED, FAILED, PENDING, RUNNING, SUCCEEDED, WAITING_APPROVAL, WAITING_CONFIRMATION
from .platform import Platform

# component_status (v3) / status_detail.status (v2) for each normalized unit state.
COMPONENT_STATUS = {
    "running": "RUNNING", "stopped": "STOPPED", "starting": "STARTING", "stopping": "STOPPING",
    "restarting": "RESTARTING", "upgrading": "UPGRADING", "failed": "FAILED",
    # Pods run but never pass readiness: still starting as far as the API can tell.
    "unhealthy": "STARTING", "unknown": "UNKNOWN",
}
EXECUTION_STATUS = {PENDING: "SUBMITTED", RUNNING: "RUNNING", SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", ABORTED: "CANCELLED",
                    WAITING_CONFIRMATION: "RUNNING", WAITING_APPROVAL: "SUBMITTED"}
TASK_STATUS = {"pending": "SUBMITTED", "running": "RUNNING", "succeeded": "SUCCEEDED", "failed": "FAILED",
               "cancelled": "CANCELLED", "unhealthy": "RUNNING"}
# v2 job reads use the v3 fields with UPPER-CASE names (platform-apis.md 7.2).
V2_TASK_KEYS = {"task_id": "TASK_ID", "task_name": "TASK_NAME", "task_type": "TASK_TYPE", "task_status": "TASK_STATUS",
                "messages": "MESSAGES", "created_at": "CREATED_AT", "task_index": "TASK_INDEX", "owner_id": "OWNER_ID",
                "last_health_check": "LAST_HEALTH_CHECK"}

SERVICESTAGE_NOT_FOUND = {
    "application": ("SVCSTG.00100403", "application not found"),
    "component": ("SVCSTG.00100404", "component not found"),
    "instance": ("SVCSTG.00100412", "instance not found"),
    "job": ("SVCSTG.00100429", "job not found"),
}


def keystone_error(status, title, message):
    """IAM's own (Keystone) error body, used by the token API."""
    return ApiError(status, title, message, body={"error": {"code": status, "message": message, "title": title}})


class HuaweiPlatform(Platform):
    """A Huawei API behind the API gateway: AK/SK or X-Auth-Token, gateway error bodies."""

    fault_errors = {
        429: ("APIG.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second"),
        500: ("SVCSTG.00100500", "internal server error"),
        502: ("APIGW.0201", "Request error: bad gateway"),
        503: ("APIGW.0201", "Request error: service unavailable"),
    }

    def __init__(self, name, fallback_prefixes):
        super().__init__()
        self.name = name
        self.fallback_prefixes = fallback_prefixes

    def new_request_id(self):
        return uuid.uuid4().hex

    def authenticate(self, call):
        principal = verify_huawei(call.wire, call.world, call.emulator.huawei_tokens, call.moment)
        project_id = call.match.get("project_id")
        if project_id:
            check_huawei_project(principal, call.world, project_id)
        return principal

    def render_error(self, call, error):
        body = error.body or {"error_code": error.code, "error_msg": error.message, "request_id": call.request_id}
        return json_response(body, status=error.status, headers=error.headers)

    def not_found(self, call):
        return ApiError(404, "APIGW.0101", "The API does not exist or has not been published in the environment")

    def missing_parameter(self, name):
        return ApiError(400, "SVCSTG.00100400", "parameter invalid: %s" % name)

    def invalid_body(self, detail):
        return keystone_error(400, "Bad Request", "The request body is not valid JSON: %s" % detail)


IAM = HuaweiPlatform("iam", ("/v3/auth/", "/v3/projects"))
SERVICESTAGE = HuaweiPlatform("servicestage", ("/v3/", "/v2/"))


# ---- IAM ---------------------------------------------------------------------------------------


def _find_by_name_or_id(items, spec):
    spec = spec or {}
    for item in items:
        if (spec.get("id") and item["id"] == spec["id"]) or (spec.get("name") and item["name"] == spec["name"]):
            return item
    return None


def _password_user(call, identity):
    """The (domain, user) whose password is right, or Keystone's 401 (same text for every mismatch)."""
    wrong = keystone_error(401, "Unauthorized", "The username or password is wrong.")
    user_spec = (identity.get("password") or {}).get("user") or {}
    domain = _find_by_name_or_id(call.world.data["huawei"]["domains"], user_spec.get("domain"))
    if domain is None:
        raise wrong
    user = _find_by_name_or_id(domain["users"], user_spec)
    if user is None or user.get("password") != user_spec.get("password"):
        raise wrong
    return domain, user


def _catalog(call):
    region = call.world.data["huawei"]["region"]

    def entry(service, host):
        url = "https://%s.%s.myhuaweicloud.com" % (host, region)
        return {"type": service, "id": uuid.uuid5(uuid.NAMESPACE_URL, url).hex, "name": service,
                "endpoints": [{"id": uuid.uuid5(uuid.NAMESPACE_URL, url + "/public").hex, "interface": "public",
                               "region": region, "region_id": region, "url": url}]}
    return [entry("identity", "iam"), entry("servicestage", "servicestage")]


@IAM.route("POST", "/v3/auth/tokens", "CreateToken", auth=False)
async def create_token(call):
    spec = call.json(default={}) or {}
    auth = spec.get("auth") if isinstance(spec, dict) else None
    identity = (auth or {}).get("identity") or {}
    if "password" not in (identity.get("methods") or []):
        raise keystone_error(400, "Bad Request", "The request you have made requires the password method.")
    domain, user = _password_user(call, identity)
    scope = auth.get("scope") or {}
    project = None
    if "project" in scope:
        project = _find_by_name_or_id(domain["projects"], scope["project"])
        if project is None:
            raise keystone_error(400, "Bad Request", "Invalid scope: the project does not exist in the account.")
    elif "domain" in scope and _find_by_name_or_id([domain], scope["domain"]) is None:
        raise keystone_error(400, "Bad Request", "Invalid scope: the domain does not match the user's account.")
    token, record = call.emulator.huawei_tokens.issue(domain, user, project, call.moment)
    domain_ref = {"id": domain["id"], "name": domain["name"]}
    body = {
        "expires_at": iso_utc(record["expires_at"], milliseconds=True),
        "issued_at": iso_utc(record["issued_at"], milliseconds=True),
        "methods": ["password"],
        "user": {"id": user["id"], "name": user["name"], "domain": domain_ref, "password_expires_at": ""},
        "roles": [{"id": uuid.uuid5(uuid.NAMESPACE_OID, role).hex, "name": role} for role in user.get("roles", ["te_admin", "op_service"])],
    }
    if project is not None:
        body["project"] = {"id": project["id"], "name": project["name"], "domain": domain_ref}
    else:
        body["domain"] = domain_ref
    if call.query("nocatalog") != "true":
        body["catalog"] = _catalog(call)
    return json_response({"token": body}, status=201, headers={"X-Subject-Token": token})


@IAM.route("GET", "/v3/projects", "ListProjects")
async def list_projects(call):
    domain = call.principal.domain
    name = call.query("name")
    base = "https://iam.%s.myhuaweicloud.com/v3/projects" % call.world.data["huawei"]["region"]
    projects = [{"id": p["id"], "name": p["name"], "domain_id": domain["id"], "description": p.get("description", ""),
                 "enabled": True, "is_domain": False, "parent_id": domain["id"], "links": {"self": base + "/" + p["id"]}}
                for p in domain["projects"] if not name or p["name"] == name]
    return {"links": {"self": base, "previous": None, "next": None}, "projects": projects}


# ---- ServiceStage --------------------------------------------------------------------------


def not_found(kind):
    code, message = SERVICESTAGE_NOT_FOUND[kind]
    return ApiError(404, code, message)


def application_of(call):
    app = call.world.find_servicestage_application(call.match["project_id"], call.match["application_id"])
    if app is None:
        raise not_found("application")
    return app


def component_of(call, app=None):
    app = app or application_of(call)
    component = next((c for c in app["components"] if c["id"] == call.match["component_id"]), None)
    if component is None:
        raise not_found("component")
    return app, component


def instance_of(call):
    app, component = component_of(call)
    if component["instance"]["id"] != call.match["instance_id"]:
        raise not_found("instance")
    return app, component


def created_ms(call, obj):
    return obj.get("create_time_ms") or epoch_ms(call.world.loaded_at - 86400)


def status_view(call, component):
    """The shared status fields of a component (v3 ``status``) and its instance (v2 ``status_detail``)."""
    state = component["state"]
    replica = component["replica"]
    last_job = call.engine.get(component.get("last_job_id") or "")
    if state == "running":
        # While a scale job runs the new replica count is the spec; the pods follow when the job ends.
        available = min(replica, component.get("replica_before", replica))
    elif state in ("restarting", "upgrading"):
        available = max(replica - 1, 0)
    else:
        available = 0
    status = COMPONENT_STATUS[state]
    if state == "unhealthy" and last_job is not None and last_job.step.transient:
        # Never ready: the component stays in the status of the action that started it (e.g. RESTARTING).
        status = COMPONENT_STATUS[last_job.step.transient]
    return {"status": component.get("native_status") or status, "available_replica": available,
            "replica": replica, "fail_detail": component.get("fail_detail"), "last_job_id": component.get("last_job_id", ""),
            "last_job_status": EXECUTION_STATUS[last_job.status] if last_job else ""}


def default_image(call, name, version):
    """The image of a component's version when the world names none (also that of its deployment records)."""
    return "swr.%s.myhuaweicloud.com/demo/%s:%s" % (call.world.data["huawei"]["region"], name, version)


def component_source(call, component):
    """The component's ``source`` (SDK SourceObject): what its last successful ModifyComponent (or a rollback to one)
    deployed, else the world's ``image``, else the default image of its version."""
    if component.get("source"):
        return component["source"]
    return {"kind": "image", "storage": "swr", "auth": "iam", "version": component["version"],
            "url": component.get("image") or default_image(call, component["name"], component["version"])}


def component_status(call, component):
    view = status_view(call, component)
    source = component_source(call, component)
    return {"component_status": view["status"], "available_replica": view["available_replica"], "replica": view["replica"],
            "fail_detail": view["fail_detail"], "last_job_id": view["last_job_id"], "creator": component.get("creator", "ops-user"),
            "create_time": created_ms(call, component), "update_time": restarted_ms(component, created_ms(call, component)),
            # ComponentArtifact: "package" for VM deployments, else "image"; here it follows the source.
            "artifact": {"type": "package" if source["kind"] == "package" else "image", "url": source["url"]}}


def environment_name(call, environment_id):
    for environment in call.world.data["huawei"]["servicestage"]["environments"]:
        if environment["id"] == environment_id:
            return environment.get("name", "")
    return ""


def runtime_stack(component):
    return component.get("runtime_stack") or {"name": "Docker", "type": "Docker", "version": "1.0", "deploy_mode": "container"}


# ServiceStage lists (v3 and v2): ``limit`` 0 to 100 and ``offset``; without a limit no paging, but at most 1,000 records
# (deploy-and-paging-apis.md 5). A ``limit`` of 0 is in the documented range; what it does is not documented: here it pages
# like no limit at all. The list's ``count`` is the total, whatever page was asked for.
LIST_MAX_LIMIT = 100
UNPAGED_MAX = 1000


def list_parameter(call, name, default, low, high=None):
    """An integer query parameter in [low, high], or the ``parameter invalid`` error (400 SVCSTG.00100400)."""
    value = call.query(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, "SVCSTG.00100400", "parameter invalid: %s must be an integer, got %r" % (name, value)) from None
    if number < low or (high is not None and number > high):
        raise ApiError(400, "SVCSTG.00100400", "parameter invalid: %s must be %s, got %d" % (
            name, "between %d and %d" % (low, high) if high is not None else "%d or more" % low, number))
    return number


def paged(call, items):
    """One page of a ServiceStage list as the platform cuts it."""
    offset = list_parameter(call, "offset", 0, 0)
    limit = list_parameter(call, "limit", 0, 0, LIST_MAX_LIMIT)
    return items[offset:offset + (limit or UNPAGED_MAX)]


@SERVICESTAGE.route("GET", "/v3/{project_id}/cas/applications/{application_id}", "ShowApplicationInfo")
async def show_application_info(call):
    return application_view(call, application_of(call))


def application_view(call, app):
    return {"id": app["id"], "name": app["name"], "description": app.get("description", ""), "component_count": len(app["components"]),
            "creator": app.get("creator", "ops-user"), "project_id": app["project_id"], "enterprise_project_id": "0",
            "create_time": created_ms(call, app), "update_time": created_ms(call, app), "labels": app.get("labels", [])}


def component_summary(call, app, component):
    return {"id": component["id"], "name": component["name"], "status": component_status(call, component),
            "version": component["version"], "environment_id": component.get("environment_id", ""),
            "environment_name": environment_name(call, component.get("environment_id")), "application_id": app["id"],
            "application_name": app["name"], "runtime_stack": runtime_stack(component),
            "source": component_source(call, component),
            "platform_type": "cce", "external_accesses": component.get("external_accesses", []), "creator": component.get("creator", "ops-user"),
            "labels": component.get("labels", [])}


@SERVICESTAGE.route("GET", "/v3/{project_id}/cas/applications/{application_id}/components", "ShowComponentsInApplication")
async def show_components_in_application(call):
    app = application_of(call)
    return {"count": len(app["components"]), "components": [component_summary(call, app, c) for c in paged(call, app["components"])]}


# What ShowComponentInfo shows of the ComponentModify fields a world component does not give. A ModifyComponent (a
# full-body PUT) sets each of them to what its body says, or clears it (None) when the body leaves it out.
COMPONENT_DEFAULTS = {
    "description": "", "labels": [], "build": None, "limit_cpu": 0.5, "limit_memory": 1, "request_cpu": 0.25, "request_memory": 0.5,
    "swimlane_id": "", "envs": [], "storages": [], "command": None, "post_start": None, "pre_stop": None, "timezone": "Asia/Shanghai",
    "mesher": None, "jvm_opts": "", "tomcat_opts": None, "logs": [], "custom_metric": None, "affinity": None, "anti_affinity": None,
    "liveness_probe": None, "readiness_probe": None, "refer_resources": [],
}


@SERVICESTAGE.route("GET", "/v3/{project_id}/cas/applications/{application_id}/components/{component_id}", "ShowComponentInfo")
async def show_component_info(call):
    app, component = component_of(call)
    summary = component_summary(call, app, component)
    info = {field: component.get(field, default) for field, default in COMPONENT_DEFAULTS.items()}
    # No "id" and no "external_accesses": the SDK's ShowComponentInfoResponse (and the documented field list) has neither.
    info.update({
        "name": component["name"], "labels": summary["labels"], "runtime_stack": summary["runtime_stack"], "source": summary["source"],
        "environment_id": summary["environment_id"], "application_id": app["id"], "replica": component["replica"],
        "version": component["version"],
        "deploy_strategy": component.get("deploy_strategy") or {"type": "RollingRelease", "rolling_release": {"batches": 1}},
        "status": summary["status"],
    })
    return info


def instance_view(call, app, component):
    instance = component["instance"]
    view = status_view(call, component)
    return {
        "id": instance["id"], "name": instance["name"], "description": instance.get("description", ""),
        "application_id": app["id"], "application_name": app["name"], "component_id": component["id"],
        "component_name": component["name"], "environment_id": component.get("environment_id", ""),
        "environment_name": environment_name(call, component.get("environment_id")), "platform_type": "cce",
        "flavor_id": instance.get("flavor_id", "SMALL-10G:1.0C:2G"), "version": component["version"],
        "artifacts": {}, "configuration": {}, "creator": component.get("creator", "ops-user"),
        "create_time": created_ms(call, instance), "update_time": restarted_ms(component, created_ms(call, instance)),
        "external_accesses": component.get("external_accesses", []), "refer_resources": [],
        "status_detail": {"status": view["status"], "available_replica": view["available_replica"], "replica": view["replica"],
                          "fail_detail": view["fail_detail"], "last_job_id": view["last_job_id"],
                          "last_job_status": view["last_job_status"],
                          "enterprise_project_id": "0"},
    }


V2_COMPONENT = "/v2/{project_id}/cas/applications/{application_id}/components/{component_id}"


# The fields of each v2 view, as the SDK's InstanceListView and ShowInstanceDetailResponse models name them.
INSTANCE_LIST_KEYS = ("id", "name", "application_id", "application_name", "component_id", "component_name", "environment_id",
                      "environment_name", "platform_type", "version", "external_accesses", "artifacts", "creator", "create_time",
                      "update_time", "status_detail")
INSTANCE_DETAIL_KEYS = ("id", "name", "description", "environment_id", "platform_type", "flavor_id", "artifacts", "version",
                        "configuration", "creator", "create_time", "update_time", "external_accesses", "refer_resources", "status_detail")


def select(view, keys):
    return {key: view[key] for key in keys}


@SERVICESTAGE.route("GET", V2_COMPONENT + "/instances", "ListInstances")
async def list_instances(call):
    app, component = component_of(call)
    instances = [select(instance_view(call, app, component), INSTANCE_LIST_KEYS)]
    return {"count": len(instances), "instances": paged(call, instances)}


@SERVICESTAGE.route("GET", V2_COMPONENT + "/instances/{instance_id}", "ShowInstanceDetail")
async def show_instance_detail(call):
    app, component = instance_of(call)
    return select(instance_view(call, app, component), INSTANCE_DETAIL_KEYS)


@SERVICESTAGE.route("GET", V2_COMPONENT + "/instances/{instance_id}/snapshots", "ListInstanceSnapshots")
async def list_instance_snapshots(call):
    _app, component = instance_of(call)
    snapshots = [{"instance_id": component["instance"]["id"], "version": snap["version"], "description": snap.get("description", ""),
                  "create_time": snap.get("create_time_ms") or created_ms(call, component)}
                 for snap in component["instance"]["snapshots"]]
    if call.query("snapshot_order_by") == "version":
        snapshots.sort(key=lambda snap: snap["version"], reverse=call.query("order") != "asc")
    return {"count": len(snapshots), "snapshots": paged(call, snapshots)}


def job_of(call):
    """A ServiceStage job of the path's project, or 404 ``job not found``."""
    job = call.engine.get(call.match["job_id"])
    if job is None or job.platform != "servicestage" or job_project(job) != call.match["project_id"]:
        raise not_found("job")
    return job


def job_project(job):
    """The project a ServiceStage job belongs to: that of its components' application."""
    return job.targets[0].unit.app["project_id"]


def job_tasks(job):
    """One task per target, lower-case keys (v3 shape).

    A deployment paused between batches (``meta.paused_strategy``) first shows its finished first batch;
    its next batch's task is ``PAUSED`` while the job waits (the emulator's model, see README).
    """
    tasks = []
    if job.meta.get("paused_strategy"):
        tasks.append({
            "task_id": "%s-0" % job.job_id, "task_index": 0, "task_name": "%s release: first batch" % job.meta["paused_strategy"],
            "task_type": job.action, "task_status": "SUCCEEDED", "messages": "", "created_at": iso_utc(job.created_at),
            "update_at": iso_utc(job.created_at), "owner_id": job.targets[0].unit.unit_id, "last_health_check": iso_utc(job.created_at),
        })
    for index, target in enumerate(job.targets):
        created = target.started_at or job.created_at
        status = TASK_STATUS[target.status]
        if job.status == WAITING_CONFIRMATION and target.status == "pending":
            status = "PAUSED"
        tasks.append({
            "task_id": "%s-%d" % (job.job_id, index + 1), "task_index": index + 1,
            "task_name": "%s component %s (batch %d)" % (job.action, target.unit.obj["name"], target.batch + 1),
            "task_type": job.action, "task_status": status,
            "messages": target.message, "created_at": iso_utc(created),
            "update_at": iso_utc(target.finished_at or target.started_at or job.created_at),
            "owner_id": target.unit.unit_id, "last_health_check": iso_utc(target.finished_at) if target.finished_at else "",
        })
    return tasks


def paged_tasks(call, job):
    """The job's tasks: ShowJobInfo's ``limit`` and ``offset`` (strings in the SDK) have no documented bounds, unlike the lists'."""
    tasks = job_tasks(job)
    if call.query("desc") == "true":
        tasks.reverse()
    offset = list_parameter(call, "offset", 0, 0)
    limit = list_parameter(call, "limit", 0, 0)
    return tasks[offset:offset + limit] if limit else tasks[offset:]


@SERVICESTAGE.route("GET", "/v3/{project_id}/cas/jobs/{job_id}", "ShowJobInfo")
async def show_job_info(call):
    job = job_of(call)
    tasks = [{key: task[key] for key in ("task_id", "task_name", "task_type", "task_status", "messages", "created_at", "update_at")}
             for task in paged_tasks(call, job)]
    return {"task_count": len(job_tasks(job)),
            "job": {"execution_status": EXECUTION_STATUS[job.status], "job_id": job.job_id, "job_type": "DAILY_OPERATION",
                    "rollback_enabled": False},
            "tasks": tasks}


@SERVICESTAGE.route("GET", "/v2/{project_id}/cas/jobs/{job_id}", "ShowJobDetail")
async def show_job_detail(call):
    job = job_of(call)
    tasks = [{upper: task[lower] for lower, upper in V2_TASK_KEYS.items()} for task in paged_tasks(call, job)]
    return {"task_count": len(job_tasks(job)),
            "job": {"CREATED_BY": job.meta.get("created_by", "ops-user"), "EXECUTION_STATUS": EXECUTION_STATUS[job.status],
                    "JOB_DESC": job.message or "%s %d component(s)" % (job.action, len(job.targets)), "JOB_ID": job.job_id,
                    "JOB_NAME": job.operation, "JOB_TYPE": "DAILY_OPERATION", "ORDER_ID": "", "PROJECT_ID": job_project(job),
                    "SERVICE_INSTANCE_ID": job.meta.get("instance_id", "")},
            "tasks": tasks}
