# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ServiceStage actions (v3 component action, v2 instance action), project-wide lists and deployment records.

Both action APIs act on the same unit (a v3 component and its v2 instance are one deployment) through
``run_action``, so what one API does shows in the other.  Every action is a job of the job engine;
its effect on the component's spec happens either when it is accepted (``replica`` of a scale, as
Kubernetes takes a new spec at once) or when its job succeeds (the ``version`` of a rollback or of a
finished deployment), through the job's ``on_finish``.

A new version comes with ModifyComponent (``PUT`` of the whole component, validated as the SDK's ``ComponentModify``):
the body's other fields are taken at once, its ``source`` and ``version`` when the deployment's job succeeds; the job
deploys what the world's ``bad_versions`` may name (the version or the source URL). A ``rollback`` to a record's version
restores that record's source too.

Deployments paused between batches (the emulator's model; the real signals are UNVERIFIED): the world
gives a component ``paused_deployment: {job_id, strategy: rolling|gray, version}``.  On load its job is
created waiting for confirmation; ``continue_deploy`` (any) and ``check_gray_release`` (gray) confirm
it, ``modify_gray_rule`` (gray) records new parameters and runs a short job of its own.
"""

from __future__ import annotations

import copy
import re
import uuid

from .common import ApiError, epoch_ms, iso_utc
from .huawei import EXECUTION_STATUS, SERVICESTAGE, application_view, component_of, component_summary, default_image, instance_of, paged
from .jobs import SUCCEEDED, WAITING_CONFIRMATION, register_action

__all__ = ["SERVICESTAGE"]

V2_ACTIONS = ("start", "stop", "restart", "scale", "rollback")
# The SDK's ComponentActionType enum (3.1.219).
V3_ACTIONS = V2_ACTIONS + ("rollback_current", "continue_deploy", "check_gray_release", "modify_gray_rule")
# Actions that act on a deployment paused between batches, and the strategies each accepts.
PAUSED_ACTIONS = {"continue_deploy": ("rolling", "gray"), "check_gray_release": ("gray",), "modify_gray_rule": ("gray",)}

# Chosen codes where the documentation does not say (UNVERIFIED, see README).
CONFLICT = ("SVCSTG.00100409", "conflicts with the current state")
SNAPSHOT_NOT_FOUND = ("SVCSTG.00100436", "snapshot not found")

# ModifyComponent's body: the attributes of the SDK's ComponentModify (huaweicloudsdkservicestage 3.1.219,
# v3/model/component_modify.py), and the ones its constructor sets unconditionally (required).
COMPONENT_MODIFY_FIELDS = ("name", "description", "labels", "runtime_stack", "source", "build", "limit_cpu", "limit_memory", "request_cpu",
                           "request_memory", "replica", "version", "swimlane_id", "envs", "storages", "deploy_strategy", "command", "post_start",
                           "pre_stop", "timezone", "mesher", "jvm_opts", "tomcat_opts", "logs", "custom_metric", "affinity", "anti_affinity",
                           "liveness_probe", "readiness_probe", "external_accesses", "refer_resources")
COMPONENT_MODIFY_REQUIRED = ("name", "runtime_stack", "source", "version", "replica")
# SourceKind (SDK) and DeployStrategy.type (the Node.js SDK's DeployStrategyTypeEnum; the Python model leaves it a str).
SOURCE_KINDS = ("code", "package", "image")
DEPLOY_STRATEGY_TYPES = ("OneBatchRelease", "RollingRelease", "GrayRelease")
# Component versions: {n}.{n}.{n} or {n}.{n}.{n}.{n} (terraform-provider-huaweicloud's servicestagev3_component docs).
COMPONENT_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?$")

# A new gray rule changes routing only: the component keeps its state while this job runs.
register_action("modify_gray_rule", None, None)


def parameter_invalid(detail):
    return ApiError(400, "SVCSTG.00100400", "parameter invalid: %s" % detail)


def new_job_id():
    """ServiceStage job ids look like ``JOB66761060-f209-407c-a093-4df6f531b9dc`` (v2 instance action page)."""
    return "JOB" + str(uuid.uuid4())


# ---- deployment records ---------------------------------------------------------------------------


def record_status(engine, record):
    job = engine.get(record["job_id"]) if record.get("job_id") else None
    return EXECUTION_STATUS[job.status] if job is not None else "SUCCEEDED"


def deployed_records(engine, component):
    """The records whose deployment succeeded, oldest first; the last one is what runs."""
    return [record for record in component["records"] if record_status(engine, record) == "SUCCEEDED"]


def known_versions(component):
    """Versions a rollback may name: every snapshot (v2) and every recorded deployment (v3)."""
    versions = [snapshot["version"] for snapshot in component["instance"]["snapshots"]]
    return versions + [record["version"] for record in component["records"] if record["version"] not in versions]


def previous_version(engine, component):
    """``rollback_current``'s target: the newest deployed version before the current one, or None."""
    deployed = deployed_records(engine, component)
    for record in reversed(deployed[:-1]):
        if record["version"] != component["version"]:
            return record["version"]
    return None


def add_record(component, version, deploy_type, job_id, moment, source=None):
    """A deployment record of ``version`` (its ``source``: None for the default image of the version)."""
    record = {"version": version, "deploy_type": deploy_type, "begin_time": moment, "end_time": None, "job_id": job_id,
              "source": copy.deepcopy(source)}
    component["records"].append(record)
    return record


def recorded_source(engine, component, version):
    """The source of the newest succeeded deployment of ``version`` (what a rollback to it restores), or None."""
    records = [record for record in deployed_records(engine, component) if record["version"] == version]
    return records[-1].get("source") if records else None


def remember_version(component, version, job):
    """A deployed version becomes a snapshot (v2 rollback target) if it is not one yet."""
    snapshots = component["instance"]["snapshots"]
    if all(snapshot["version"] != version for snapshot in snapshots):
        snapshots.append({"version": version, "description": "deployed by job %s" % job.job_id, "create_time_ms": epoch_ms(job.finished_at)})


def finish_deployment(component, version, record):
    """``on_finish`` of a job that deploys ``version``: the component runs it only if the job succeeded."""
    def on_finish(job):
        record["end_time"] = job.finished_at
        if job.status == SUCCEEDED:
            component["version"] = version
            if record.get("source"):
                component["source"] = copy.deepcopy(record["source"])
            else:
                component.pop("source", None)
            remember_version(component, version, job)
    return on_finish


def record_view(call, component, record, current):
    job = call.engine.get(record["job_id"]) if record.get("job_id") else None
    source_url = (record.get("source") or {}).get("url") or default_image(call, component["name"], record["version"])
    jobs = []
    if record.get("job_id"):
        jobs.append({"sequence": 1, "deploy_type": record["deploy_type"], "job_id": record["job_id"],
                     "job_info": {"deploy_type": record["deploy_type"], "source_url": source_url, "first_batch_weight": 0,
                                  "first_batch_replica": 0, "replica": component["replica"], "remaining_batch": 0}})
    end_time = record.get("end_time")
    if job is not None:
        end_time = job.finished_at
    return {"instance_id": component["instance"]["id"], "version": record["version"], "current_used": record is current,
            "status": record_status(call.engine, record), "deploy_type": record["deploy_type"],
            "begin_time": iso_utc(record["begin_time"], milliseconds=True),
            "end_time": iso_utc(end_time, milliseconds=True) if end_time else "", "description": None, "jobs": jobs}


V3_COMPONENT = "/v3/{project_id}/cas/applications/{application_id}/components/{component_id}"
V2_INSTANCE = "/v2/{project_id}/cas/applications/{application_id}/components/{component_id}/instances/{instance_id}"


@SERVICESTAGE.route("GET", V3_COMPONENT + "/records", "ShowComponentRecords")
async def show_component_records(call):
    _app, component = component_of(call)
    deployed = deployed_records(call.engine, component)
    current = deployed[-1] if deployed else None
    records = [record_view(call, component, record, current) for record in component["records"]]
    if call.query("order") != "asc":
        records.reverse()  # newest first unless asked otherwise (UNVERIFIED default order)
    return {"count": len(records), "records": paged(call, records)}


# ---- project-wide lists -----------------------------------------------------------------------------


@SERVICESTAGE.route("GET", "/v3/{project_id}/cas/applications", "ListApplications")
async def list_applications(call):
    name = call.query("name")
    apps = [application_view(call, app) for app in call.world.servicestage_applications(call.match["project_id"])
            if not name or app["name"] == name]
    return {"count": len(apps), "applications": paged(call, apps)}


@SERVICESTAGE.route("GET", "/v3/{project_id}/cas/components", "ShowComponents")
async def show_components(call):
    application_name = call.query("application_name")
    component_name = call.query("component_name")
    components = [component_summary(call, app, component)
                  for app in call.world.servicestage_applications(call.match["project_id"])
                  if not application_name or app["name"] == application_name
                  for component in app["components"]
                  if not component_name or component["name"] == component_name]
    return {"count": len(components), "components": paged(call, components)}


# ---- actions ----------------------------------------------------------------------------------------


def action_request(call, allowed, undefined_error):
    """``(action, parameters)`` of an action body, or the API's 400."""
    body = call.json(default=None)
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        raise parameter_invalid("the body must be an object with an 'action' string")
    if body["action"] not in allowed:
        raise undefined_error(body["action"], allowed)
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise parameter_invalid("'parameters' must be an object")
    hosts = parameters.get("hosts")
    if hosts is not None and not (isinstance(hosts, list) and all(isinstance(host, str) for host in hosts)):
        raise parameter_invalid("'parameters.hosts' must be a list of ECS ids")
    return body["action"], parameters


def v2_action_not_defined(action, allowed):
    return ApiError(400, "SVCSTG.00100418", "component instance action not defined: %r (one of %s)" % (action, ", ".join(allowed)))


def v3_action_not_defined(action, allowed):
    return parameter_invalid("component action %r is not defined (one of %s)" % (action, ", ".join(allowed)))


def paused_deployment(call, component):
    """``(paused_deployment, job)`` while the component's deployment waits between batches, else ``(None, None)``."""
    paused = component.get("paused_deployment")
    job = call.engine.get(paused["job_id"]) if paused else None
    if job is None or job.status != WAITING_CONFIRMATION:
        return None, None
    return paused, job


def check_no_running_job(call, component, allowed_job=None):
    """409 while another job of this component is unfinished (a paused deployment counts, unless it is ``allowed_job``)."""
    running = [job for job in call.engine.active_jobs_of_unit(component["id"]) if job is not allowed_job]
    if running:
        job = running[-1]
        what = "a deployment is paused between batches" if job.status == WAITING_CONFIRMATION else "a job is running"
        code, message = CONFLICT
        raise ApiError(409, code, "%s: %s (job %s)" % (message, what, job.job_id))


def replica_parameter(parameters):
    replica = parameters.get("replica")
    if isinstance(replica, bool) or not isinstance(replica, int) or replica < 0:
        raise parameter_invalid("scale needs 'parameters.replica', an integer >= 0")
    return replica


def rollback_target(call, component, action, parameters):
    if action == "rollback_current":
        version = previous_version(call.engine, component)
        if version is None:
            raise parameter_invalid("rollback_current: component %s has no previous version to roll back to" % component["name"])
        return version
    version = parameters.get("version")
    if not isinstance(version, str) or not version:
        raise parameter_invalid("rollback needs 'parameters.version'")
    if version not in known_versions(component):
        code, message = SNAPSHOT_NOT_FOUND
        raise ApiError(404, code, "%s: version %s of %s (known: %s)" % (message, version, component["name"], ", ".join(known_versions(component))))
    return version


def run_action(call, component, action, parameters):
    """Start ``action`` on the component (either API) and return its job."""
    created_by = call.principal.user.get("name") or "ops-user"  # AK/SK callers carry no user name
    job_options = {"operation": call.operation.name, "job_id": new_job_id(), "log_detail": {"action": action, "parameters": parameters},
                   "meta": {"created_by": created_by, "instance_id": component["instance"]["id"], "action": action, "parameters": parameters}}
    if action in PAUSED_ACTIONS:
        return run_paused_action(call, component, action, parameters, job_options)
    check_no_running_job(call, component)
    engine = call.engine
    if action == "scale":
        replica = replica_parameter(parameters)
        component["replica_before"] = component["replica"]
        component["replica"] = replica
        return engine.create_job("servicestage", "scale", [component["id"]], call.moment,
                                 on_finish=lambda job: component.pop("replica_before", None), **job_options)
    if action in ("rollback", "rollback_current"):
        version = rollback_target(call, component, action, parameters)
        record = add_record(component, version, "rollback", job_options["job_id"], call.moment, recorded_source(engine, component, version))
        return engine.create_job("servicestage", "rollback", [component["id"]], call.moment, on_finish=finish_deployment(component, version, record),
                                 **job_options)
    return engine.create_job("servicestage", action, [component["id"]], call.moment, **job_options)


def run_paused_action(call, component, action, parameters, job_options):
    paused, paused_job = paused_deployment(call, component)
    if paused is None or paused["strategy"] not in PAUSED_ACTIONS[action]:
        wanted = " or ".join(PAUSED_ACTIONS[action])
        raise parameter_invalid("%s needs a %s deployment paused between batches; component %s has none" % (action, wanted, component["name"]))
    check_no_running_job(call, component, allowed_job=paused_job)
    if action == "modify_gray_rule":
        paused["gray_rule"] = dict(parameters)
        gray = component["deploy_strategy"].setdefault("gray_release", {})
        if "replica" in parameters:
            gray["first_batch_replica"] = replica_parameter(parameters)
        return call.engine.create_job("servicestage", "modify_gray_rule", [component["id"]], call.moment, **job_options)
    call.engine.mark_last_job(paused_job)
    call.engine.confirm(paused_job.job_id, call.moment)
    call.emulator.metrics.log_action("servicestage", call.operation.name, [component["id"]], job_id=paused_job.job_id,
                                     detail=job_options["log_detail"])
    return paused_job


@SERVICESTAGE.route("POST", V3_COMPONENT + "/action", "UpdateComponentAction")
async def update_component_action(call):
    _app, component = component_of(call)
    action, parameters = action_request(call, V3_ACTIONS, v3_action_not_defined)
    job = run_action(call, component, action, parameters)
    # The documented example answers "succeeded" at once: it says the task was accepted, the job tells the outcome.
    return {"job_id": job.job_id, "result": "succeeded"}


# ---- a new version: ModifyComponent -------------------------------------------------------------------


def component_modify(call, component):
    """The ModifyComponent body, checked as the SDK's ComponentModify requires, or the API's 400."""
    body = call.json(default=None)
    if not isinstance(body, dict):
        raise parameter_invalid("the body must be a ComponentModify object")
    unknown = sorted(set(body) - set(COMPONENT_MODIFY_FIELDS))
    if unknown:
        raise parameter_invalid("ComponentModify has no field %s" % ", ".join(unknown))
    missing = [field for field in COMPONENT_MODIFY_REQUIRED if body.get(field) in (None, "", {})]
    if missing:
        raise parameter_invalid("%s required" % ", ".join(missing))
    if body["name"] != component["name"]:
        raise parameter_invalid("name cannot change (component %s, body %r)" % (component["name"], body["name"]))
    if not isinstance(body["runtime_stack"], dict) or not body["runtime_stack"].get("name"):
        raise parameter_invalid("runtime_stack must be a RuntimeStack object with a name")
    source = body["source"]
    if not isinstance(source, dict) or source.get("kind") not in SOURCE_KINDS:
        raise parameter_invalid("source.kind must be one of %s" % ", ".join(SOURCE_KINDS))
    if source["kind"] != "code" and not (isinstance(source.get("url"), str) and source["url"]):
        raise parameter_invalid("source.url is required for a source of kind %s" % source["kind"])
    if not isinstance(body["version"], str) or not COMPONENT_VERSION.match(body["version"]):
        raise parameter_invalid("version must be {n}.{n}.{n} or {n}.{n}.{n}.{n}, got %r" % (body["version"],))
    replica = body["replica"]
    if isinstance(replica, bool) or not isinstance(replica, int) or replica < 0:
        raise parameter_invalid("replica must be an integer >= 0")
    strategy = body.get("deploy_strategy")
    if strategy is not None and (not isinstance(strategy, dict) or strategy.get("type") not in DEPLOY_STRATEGY_TYPES):
        raise parameter_invalid("deploy_strategy.type must be one of %s" % ", ".join(DEPLOY_STRATEGY_TYPES))
    return body


def deploy_component(call, component, body):
    """Take a ModifyComponent: every field but source and version at once (a full-body PUT: a field left out is cleared), the
    source and version once its deployment job succeeds (a new record of the version, with its source)."""
    for field in COMPONENT_MODIFY_FIELDS:
        if field not in ("name", "source", "version"):
            component[field] = copy.deepcopy(body.get(field))
    version, source = body["version"], body["source"]
    created_by = call.principal.user.get("name") or "ops-user"  # AK/SK callers carry no user name
    job_id = new_job_id()
    record = add_record(component, version, "upgrade", job_id, call.moment, source)
    return call.engine.create_job(
        "servicestage", "upgrade", [component["id"]], call.moment, operation=call.operation.name, job_id=job_id,
        on_finish=finish_deployment(component, version, record), log_detail={"version": version, "source": source},
        # What the job deploys, as the world's bad_versions may name it: the component version or the source URL.
        meta={"created_by": created_by, "instance_id": component["instance"]["id"], "action": "upgrade", "deploying": [version, source.get("url")]})


@SERVICESTAGE.route("PUT", V3_COMPONENT, "ModifyComponent")
async def modify_component(call):
    _app, component = component_of(call)
    body = component_modify(call, component)
    check_no_running_job(call, component)
    return {"job_id": deploy_component(call, component, body).job_id}


@SERVICESTAGE.route("POST", V2_INSTANCE + "/action", "UpdateInstanceAction")
async def update_instance_action(call):
    _app, component = instance_of(call)
    action, parameters = action_request(call, V2_ACTIONS, v2_action_not_defined)
    return {"job_id": run_action(call, component, action, parameters).job_id}


# ---- paused deployments from the world ----------------------------------------------------------------


@SERVICESTAGE.on_world_loaded
def create_paused_deployments(world, engine, moment):
    """Give every ``paused_deployment`` of the world its job, waiting between batches."""
    for unit in world.units.values():
        paused = unit.obj.get("paused_deployment") if unit.platform == "servicestage" else None
        if paused is None:
            continue
        record = next(r for r in unit.obj["records"] if r["job_id"] == paused["job_id"])
        on_finish = finish_deployment(unit.obj, paused["version"], record)

        def end_pause(job, component=unit.obj, deploy=on_finish):
            deploy(job)
            component["paused_deployment"] = None
        engine.create_job("servicestage", "upgrade", [unit.unit_id], moment - 600, operation="UpdateComponentAction", job_id=paused["job_id"],
                          paused=True, on_finish=end_pause, meta={"paused_strategy": paused["strategy"], "created_by": "ops-user",
                                                                  "instance_id": unit.obj["instance"]["id"]})
