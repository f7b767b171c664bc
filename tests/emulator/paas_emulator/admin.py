# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin API under ``/_emulator/`` (no auth): world, settings, faults, jobs, units, metrics.

Errors are ``{"error": "<message>"}`` with a 4xx status. See tests/emulator/README.md for every call.
"""

from __future__ import annotations

import json

from aiohttp import web

from .common import ApiError, iso_utc, json_response, now
from .platform import EMULATOR_KEY
from .world import UNIT_STATES, World, WorldError, checked_restarted_at

PREFIX = "/_emulator"
routes = web.RouteTableDef()


def admin_handler(handler):
    """Advance the job engine first (so that state is current) and turn errors into ``{"error": ...}``."""
    async def wrapped(request):
        emulator = request.app[EMULATOR_KEY]
        emulator.engine.advance(now())
        try:
            return await handler(request, emulator)
        except (ApiError, WorldError) as error:
            status = getattr(error, "status", 400)
            message = getattr(error, "message", str(error))
            return json_response({"error": message}, status=status)
    wrapped.__name__ = handler.__name__
    return wrapped


async def json_body(request, default=None):
    text = await request.text()
    if not text.strip():
        return default
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ApiError(400, "InvalidJSON", "the body is not valid JSON: %s" % exc) from exc


@routes.get(PREFIX + "/health")
@admin_handler
async def health(_request, emulator):
    return json_response({"ok": True, "world": emulator.world_source})


@routes.post(PREFIX + "/reset")
@admin_handler
async def reset(_request, emulator):
    emulator.reset()
    return json_response({"ok": True, "world": emulator.world_source, "units": len(emulator.world.units)})


@routes.put(PREFIX + "/world")
@admin_handler
async def put_world(request, emulator):
    emulator.load(World.from_text(await request.text()))
    return json_response({"ok": True, "units": len(emulator.world.units)})


@routes.get(PREFIX + "/state")
@admin_handler
async def state(_request, emulator):
    return json_response({"time": iso_utc(now()), "settings": emulator.settings, "world": emulator.world.to_json(),
                          "units": units_json(emulator), "jobs": emulator.engine.to_json(), "faults": emulator.faults.to_json()})


@routes.get(PREFIX + "/settings")
@admin_handler
async def get_settings(_request, emulator):
    return json_response(emulator.settings)


@routes.put(PREFIX + "/settings")
@admin_handler
async def put_settings(request, emulator):
    changes = await json_body(request, {})
    unknown = set(changes) - set(emulator.settings)
    if unknown:
        raise ApiError(400, "UnknownSetting", "unknown settings: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(sorted(emulator.settings))))
    if "time_factor" in changes:
        if float(changes["time_factor"]) <= 0:
            raise ApiError(400, "InvalidSetting", "time_factor must be positive")
        changes["time_factor"] = float(changes["time_factor"])
    if "alibaba_rate_limit_per_minute" in changes:
        emulator.limiter.reset()
    emulator.settings.update(changes)
    return json_response(emulator.settings)


@routes.post(PREFIX + "/faults")
@admin_handler
async def add_fault(request, emulator):
    fault = emulator.faults.add(await json_body(request, {}))
    return json_response({"id": fault.fault_id, "fault": fault.to_json()}, status=201)


@routes.get(PREFIX + "/faults")
@admin_handler
async def list_faults(_request, emulator):
    return json_response({"faults": emulator.faults.to_json()})


@routes.delete(PREFIX + "/faults")
@admin_handler
async def clear_faults(_request, emulator):
    count = len(emulator.faults.faults)
    emulator.faults.clear()
    return json_response({"deleted": count})


@routes.delete(PREFIX + "/faults/{fault_id}")
@admin_handler
async def delete_fault(request, emulator):
    before = len(emulator.faults.faults)
    emulator.faults.faults = [f for f in emulator.faults.faults if f.fault_id != request.match_info["fault_id"]]
    if len(emulator.faults.faults) == before:
        raise ApiError(404, "FaultNotFound", "no fault %s" % request.match_info["fault_id"])
    return json_response({"deleted": 1})


@routes.get(PREFIX + "/metrics")
@admin_handler
async def get_metrics(_request, emulator):
    return json_response(emulator.metrics.to_json())


@routes.delete(PREFIX + "/metrics")
@admin_handler
async def reset_metrics(_request, emulator):
    emulator.metrics.reset()
    return json_response({"ok": True})


@routes.post(PREFIX + "/jobs")
@admin_handler
async def create_job(request, emulator):
    spec = await json_body(request, {})
    for key in ("platform", "action", "targets"):
        if not spec.get(key):
            raise ApiError(400, "MissingField", "a job needs %r" % key)
    if not isinstance(spec["targets"], list):
        raise ApiError(400, "InvalidField", "targets must be a list of unit or application ids")
    job = emulator.engine.create_job(
        spec["platform"], spec["action"], spec["targets"], now(), operation=spec.get("operation"),
        batch_size=int(spec.get("batch_size") or 0) or None, batch_wait=spec.get("batch_wait_seconds"),
        manual_confirm=bool(spec.get("manual_confirm")), meta=spec.get("meta"))
    return json_response({"id": job.job_id, "job": job.to_json()}, status=201)


@routes.get(PREFIX + "/jobs")
@admin_handler
async def list_jobs(_request, emulator):
    return json_response({"jobs": emulator.engine.to_json()})


def existing_job(emulator, job_id):
    job = emulator.engine.get(job_id)
    if job is None:
        raise ApiError(404, "JobNotFound", "no job %s" % job_id)
    return job


@routes.get(PREFIX + "/jobs/{job_id}")
@admin_handler
async def get_job(request, emulator):
    return json_response(existing_job(emulator, request.match_info["job_id"]).to_json())


@routes.post(PREFIX + "/jobs/{job_id}/abort")
@admin_handler
async def abort_job(request, emulator):
    return json_response(emulator.engine.abort(request.match_info["job_id"], now()).to_json())


@routes.post(PREFIX + "/jobs/{job_id}/confirm")
@admin_handler
async def confirm_job(request, emulator):
    spec = await json_body(request, {}) or {}
    return json_response(emulator.engine.confirm(request.match_info["job_id"], now(), proceed=spec.get("proceed", True)).to_json())


def unit_json(unit):
    return {"id": unit.unit_id, "platform": unit.platform, "kind": unit.kind, "app_id": unit.app_id,
            "state": unit.obj["state"], "native_status": unit.obj.get("native_status"), "last_job_id": unit.obj.get("last_job_id", ""),
            "restarted_at": unit.obj.get("restarted_at")}


def units_json(emulator):
    return [unit_json(unit) for unit in emulator.world.units.values()]


@routes.get(PREFIX + "/units")
@admin_handler
async def list_units(request, emulator):
    units = units_json(emulator)
    for key in ("platform", "app_id", "state"):
        if request.query.get(key):
            units = [unit for unit in units if unit[key] == request.query[key]]
    return json_response({"units": units})


@routes.get(PREFIX + "/units/{unit_id}")
@admin_handler
async def get_unit(request, emulator):
    unit = emulator.world.units.get(request.match_info["unit_id"])
    if unit is None:
        raise ApiError(404, "UnitNotFound", "no unit %s" % request.match_info["unit_id"])
    return json_response(unit_json(unit))


@routes.patch(PREFIX + "/units/{unit_id}")
@admin_handler
async def patch_unit(request, emulator):
    """Arrange a unit directly (``state``, ``native_status``, ``restarted_at``), bypassing jobs."""
    unit = emulator.world.units.get(request.match_info["unit_id"])
    if unit is None:
        raise ApiError(404, "UnitNotFound", "no unit %s" % request.match_info["unit_id"])
    changes = await json_body(request, {})
    if "state" in changes and changes["state"] not in UNIT_STATES:
        raise ApiError(400, "InvalidState", "state must be one of %s" % ", ".join(UNIT_STATES))
    if "restarted_at" in changes:
        unit.obj["restarted_at"] = checked_restarted_at(changes["restarted_at"], "unit %s" % unit.unit_id)
    if "state" in changes:
        unit.obj["state"] = changes["state"]
        unit.obj["native_status"] = None
    if "native_status" in changes:
        unit.obj["native_status"] = changes["native_status"]
    return json_response(unit_json(unit))


def install(app):
    app.router.add_routes(routes)
