# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The world: accounts, credentials and every platform's objects, loaded from a YAML (or JSON) file.

The world is kept as plain dictionaries (exactly what the file says, with defaults filled in) so
that ``GET /_emulator/state`` can dump it and platform modules can extend it without new classes.
On top of the dictionaries the loader builds indexes for look-ups and a table of *units*: the
things an action changes the state of (Rainbond components, SAE instances, EDAS ECCs, ServiceStage
components).  Each unit carries a normalized ``state`` (see ``UNIT_STATES``); each platform module
maps it to its own enum when rendering.  ``native_status`` on a unit, when set, is rendered verbatim
instead (for exotic statuses such as Rainbond ``undeploy``); the job engine clears it as soon as it
changes the unit's state.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from dataclasses import dataclass

import yaml

from .common import epoch_ms, now

# The normalized unit states. "unhealthy" = the workload runs but never becomes ready.
UNIT_STATES = ("running", "stopped", "starting", "stopping", "restarting", "upgrading", "failed", "unhealthy", "unknown")

DEFAULT_DURATIONS = {"restart": 20.0, "start": 15.0, "stop": 10.0, "upgrade": 30.0, "deploy": 40.0, "rollback": 30.0, "scale": 10.0}
# Seconds after which a platform fails a job whose unit never becomes healthy (None: the job waits forever).
# ServiceStage fails a deployment that does not get ready; its real timeout is not documented (UNVERIFIED).
DEFAULT_UNHEALTHY_DEADLINES = {"default": None, "servicestage": 300.0}
PAUSED_STRATEGIES = {"rolling": "RollingRelease", "gray": "GrayRelease"}
# How a version deployed on purpose to fail behaves (the world's ``bad_versions``), whatever the platform:
# ``never_healthy`` its units run but never pass their health check; ``fail_in_batch`` the deploy's batch ``batch`` fails;
# ``flap`` its units come up healthy and leave running ``after_seconds`` (real seconds) later.
BAD_VERSION_KINDS = ("never_healthy", "fail_in_batch", "flap")
# Rainbond component sources (the console's AppConstants, and third-party components); the first three are built from an image.
RAINBOND_SOURCES = ("docker_image", "docker_run", "docker_compose", "source_code", "market", "third_party")
RAINBOND_IMAGE_SOURCES = RAINBOND_SOURCES[:3]


class WorldError(ValueError):
    """The world file is malformed; the message names the offending entry."""


@dataclass
class Unit:
    """One target of actions, with where it belongs.

    ``obj`` is the live dictionary inside the world (changing it changes what the APIs return);
    ``app_id`` groups units for the max-unavailable metric.
    """

    platform: str
    kind: str
    unit_id: str
    app_id: str
    obj: dict
    app: dict


def _require(entry, key, where):
    value = entry.get(key)
    if value is None or value == "":
        raise WorldError("%s: missing %r" % (where, key))
    return value


def _check_state(unit_obj, where):
    state = unit_obj.setdefault("state", "running")
    if state not in UNIT_STATES:
        raise WorldError("%s: state %r is not one of %s" % (where, state, ", ".join(UNIT_STATES)))
    unit_obj.setdefault("native_status", None)
    unit_obj["restarted_at"] = checked_restarted_at(unit_obj.get("restarted_at"), where)


def checked_restarted_at(value, where):
    """``restarted_at`` of a unit (epoch seconds of its last restart, or None), else WorldError naming ``where``."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise WorldError("%s: restarted_at must be epoch seconds (a number) or null" % where)
    return value


class World:
    """The loaded world plus its indexes. Build one with ``World.from_text`` / ``World.from_file``."""

    def __init__(self, data):
        if not isinstance(data, dict):
            raise WorldError("the world must be a mapping")
        self.data = copy.deepcopy(data)
        # Settings the file states itself (the command line's --time-factor yields to these for PUT worlds).
        self.explicit_settings = set((self.data.get("settings") or {}).keys())
        self.loaded_at = now()
        self.units = {}
        self.units_by_app = {}
        self.alibaba_keys = {}
        self.huawei_keys = {}
        self.huawei_users = {}
        self.huawei_projects = {}
        self.rainbond_tokens = {}
        self._fill_defaults()
        self._load_alibaba()
        self._load_huawei()
        self._load_rainbond()

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def from_text(cls, text):
        """Parse YAML (JSON is YAML too) text into a world."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise WorldError("world is not valid YAML/JSON: %s" % exc) from exc
        return cls(data or {})

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as handle:
            return cls.from_text(handle.read())

    def _fill_defaults(self):
        settings = self.data.setdefault("settings", {})
        settings.setdefault("time_factor", 1.0)
        settings.setdefault("alibaba_rate_limit_per_minute", None)
        jobs = self.data.setdefault("jobs", {})
        durations = jobs.setdefault("durations", {})
        durations.setdefault("default", {})
        for action, seconds in DEFAULT_DURATIONS.items():
            durations["default"].setdefault(action, seconds)
        jobs.setdefault("batch_wait_seconds", 0)
        deadlines = jobs.setdefault("unhealthy_deadline_seconds", {})
        for platform, seconds in DEFAULT_UNHEALTHY_DEADLINES.items():
            deadlines.setdefault(platform, seconds)
        for platform in ("alibaba", "huawei", "rainbond"):
            self.data.setdefault(platform, {})
        self._load_bad_versions()

    def _load_bad_versions(self):
        """``bad_versions``: ``[{version, kind, batch, after_seconds, message}]``; ``version`` is matched exactly against what a
        deploy names (an image reference, a package version or a component version)."""
        bad = self.data.setdefault("bad_versions", [])
        if not isinstance(bad, list):
            raise WorldError("bad_versions must be a list")
        for index, entry in enumerate(bad):
            where = "bad_versions[%d]" % index
            _require(entry, "version", where)
            kind = entry.setdefault("kind", "never_healthy")
            if kind not in BAD_VERSION_KINDS:
                raise WorldError("%s: kind %r is not one of %s" % (where, kind, ", ".join(BAD_VERSION_KINDS)))
            if kind == "fail_in_batch":
                entry.setdefault("batch", 1)
            if kind == "flap":
                entry.setdefault("after_seconds", 1.0)

    def _add_unit(self, unit):
        if unit.unit_id in self.units:
            raise WorldError("duplicate unit id %r (ids must be unique across platforms)" % unit.unit_id)
        self.units[unit.unit_id] = unit
        self.units_by_app.setdefault(unit.app_id, []).append(unit)

    def _load_alibaba(self):
        alibaba = self.data["alibaba"]
        alibaba.setdefault("region", "cn-hangzhou")
        for account in alibaba.setdefault("accounts", []):
            uid = str(_require(account, "uid", "alibaba.accounts[]"))
            account["uid"] = uid
            for key in account.setdefault("access_keys", []):
                key_id = _require(key, "id", "alibaba account %s access_keys[]" % uid)
                _require(key, "secret", "alibaba access key %s" % key_id)
                key.setdefault("security_token", None)
                key.setdefault("expires_at", None)
                self.alibaba_keys[key_id] = dict(key, account_uid=uid)
        sae = alibaba.setdefault("sae", {})
        for namespace in sae.setdefault("namespaces", []):
            ns_id = _require(namespace, "id", "alibaba.sae.namespaces[]")
            namespace.setdefault("name", ns_id.split(":")[-1])
            for app in namespace.setdefault("applications", []):
                app_id = _require(app, "id", "sae namespace %s applications[]" % ns_id)
                _require(app, "name", "sae application %s" % app_id)
                app["namespace_id"] = ns_id
                app.setdefault("region_id", alibaba["region"])
                app.setdefault("replicas", len(app.get("instances") or []))
                app.setdefault("group_id", app_id + "-group")
                app.setdefault("versions", [])
                for instance in app.setdefault("instances", []):
                    where = "sae instance of %s" % app_id
                    instance_id = _require(instance, "id", where)
                    _check_state(instance, where)
                    self._add_unit(Unit("sae", "instance", instance_id, app_id, instance, app))
        edas = alibaba.setdefault("edas", {})
        for app in edas.setdefault("applications", []):
            app_id = _require(app, "id", "alibaba.edas.applications[]")
            _require(app, "name", "edas application %s" % app_id)
            app.setdefault("region_id", alibaba["region"])
            self._load_edas_packages(app)
            for ecc in app.setdefault("eccs", []):
                where = "edas ecc of %s" % app_id
                ecc_id = _require(ecc, "id", where)
                _check_state(ecc, where)
                self._add_unit(Unit("edas", "ecc", ecc_id, app_id, ecc, app))

    def _load_edas_packages(self, app):
        """An EDAS application's ``package_versions`` (newest first, a day apart: ListHistoryDeployVersion) and its deploy
        ``groups``, each running a ``package_version`` of them (default: the newest; none when the application has none)."""
        where = "edas application %s" % app["id"]
        versions = app.setdefault("package_versions", [])
        for index, version in enumerate(versions):
            version["version"] = str(_require(version, "version", "%s package_versions[%d]" % (where, index)))
            _require(version, "url", "%s package version %s" % (where, version["version"]))
            version.setdefault("id", str(uuid.uuid5(uuid.NAMESPACE_URL, "edas/%s/%s" % (app["id"], version["version"]))))
            version.setdefault("type", "url")
            version.setdefault("description", "")
            version.setdefault("create_time_ms", epoch_ms(self.loaded_at - 86400 * (index + 1)))
        known = [version["version"] for version in versions]
        if len(set(known)) != len(known):
            raise WorldError("%s: package_versions repeat a version" % where)
        for group in app.setdefault("groups", []):
            _require(group, "id", "%s groups[]" % where)
            group.setdefault("name", "_DEFAULT_GROUP")
            group.setdefault("type", 0)
            group.setdefault("package_version", known[0] if known else None)
            if group["package_version"] is not None:
                group["package_version"] = str(group["package_version"])
                if group["package_version"] not in known:
                    raise WorldError("%s group %s: package_version %s is not one of its package_versions" % (where, group["id"], group["package_version"]))

    def _load_huawei(self):
        huawei = self.data["huawei"]
        huawei.setdefault("region", "cn-north-4")
        for domain in huawei.setdefault("domains", []):
            domain_id = _require(domain, "id", "huawei.domains[]")
            _require(domain, "name", "huawei domain %s" % domain_id)
            for user in domain.setdefault("users", []):
                name = _require(user, "name", "huawei domain %s users[]" % domain_id)
                user.setdefault("id", "u-" + name)
                self.huawei_users[(domain["name"], name)] = (domain, user)
            for project in domain.setdefault("projects", []):
                project_id = _require(project, "id", "huawei domain %s projects[]" % domain_id)
                _require(project, "name", "huawei project %s" % project_id)
                self.huawei_projects[project_id] = (domain, project)
            for key in domain.setdefault("access_keys", []):
                ak = _require(key, "ak", "huawei domain %s access_keys[]" % domain_id)
                _require(key, "sk", "huawei access key %s" % ak)
                key.setdefault("security_token", None)
                key.setdefault("expires_at", None)
                self.huawei_keys[ak] = dict(key, domain_id=domain_id)
        servicestage = huawei.setdefault("servicestage", {})
        servicestage.setdefault("environments", [])
        for app in servicestage.setdefault("applications", []):
            app_id = _require(app, "id", "huawei.servicestage.applications[]")
            _require(app, "name", "servicestage application %s" % app_id)
            project_id = _require(app, "project_id", "servicestage application %s" % app_id)
            if project_id not in self.huawei_projects:
                raise WorldError("servicestage application %s: unknown project %s" % (app_id, project_id))
            for component in app.setdefault("components", []):
                where = "servicestage component of %s" % app_id
                component_id = _require(component, "id", where)
                _require(component, "name", where)
                _check_state(component, where)
                component.setdefault("replica", 1)
                component.setdefault("version", "1.0.0")
                component.setdefault("last_job_id", "")
                instance = component.setdefault("instance", {})
                instance.setdefault("id", component_id + "-instance")
                instance.setdefault("name", component["name"] + "-instance")
                instance.setdefault("snapshots", [])
                self._load_paused_deployment(component, where)
                self._load_records(component)
                self._add_unit(Unit("servicestage", "component", component_id, app_id, component, app))

    def _load_records(self, component):
        """The deployment history (v3 records): one deployment per snapshot, oldest first, unless the file gives ``records``.

        A record is ``{version, deploy_type, begin_time, end_time, job_id}`` (epoch seconds); its status is its
        job's (none: succeeded).  The component runs the version of its newest succeeded record.
        """
        if component.get("records") is not None:
            return
        versions = [snapshot["version"] for snapshot in component["instance"]["snapshots"]]
        if not versions or versions[-1] != component["version"]:
            versions.append(component["version"])
        start = self.loaded_at - 86400 * (len(versions) + 1)
        component["records"] = [{"version": version, "deploy_type": "deploy", "begin_time": start + 86400 * index,
                                 "end_time": start + 86400 * index + 60, "job_id": None} for index, version in enumerate(versions)]
        paused = component["paused_deployment"]
        if paused is not None:
            component["records"].append({"version": paused["version"], "deploy_type": "upgrade", "begin_time": self.loaded_at - 600,
                                         "end_time": None, "job_id": paused["job_id"]})

    @staticmethod
    def _load_paused_deployment(component, where):
        """Check ``paused_deployment`` and make the component look like what it describes (see README)."""
        paused = component.setdefault("paused_deployment", None)
        if paused is None:
            return
        where = "%s %s paused_deployment" % (where, component["id"])
        _require(paused, "job_id", where)
        _require(paused, "version", where)
        strategy = paused.setdefault("strategy", "rolling")
        if strategy not in PAUSED_STRATEGIES:
            raise WorldError("%s: strategy %r is not one of %s" % (where, strategy, ", ".join(PAUSED_STRATEGIES)))
        paused.setdefault("gray_rule", None)
        component["state"] = "upgrading"
        strategy_view = {"type": PAUSED_STRATEGIES[strategy]}
        if strategy == "gray":
            strategy_view["gray_release"] = {"type": "WEIGHT", "first_batch_weight": 20, "first_batch_replica": 1, "remaining_batch": 1}
        else:
            strategy_view["rolling_release"] = {"batches": 2}
        component.setdefault("deploy_strategy", strategy_view)

    def _load_rainbond(self):
        rainbond = self.data["rainbond"]
        rainbond.setdefault("enterprise_id", "0" * 32)
        for user in rainbond.setdefault("users", []):
            name = _require(user, "name", "rainbond.users[]")
            user.setdefault("id", len(self.rainbond_tokens) + 1)
            for token in user.setdefault("tokens", []):
                self.rainbond_tokens[token] = user
            if not user["tokens"]:
                raise WorldError("rainbond user %s has no tokens" % name)
        for team in rainbond.setdefault("teams", []):
            team_id = _require(team, "id", "rainbond.teams[]")
            _require(team, "name", "rainbond team %s" % team_id)
            team.setdefault("regions", [])
            for app in team.setdefault("apps", []):
                app_id = _require(app, "id", "rainbond team %s apps[]" % team_id)
                app["id"] = int(app_id)
                _require(app, "name", "rainbond app %s" % app_id)
                app.setdefault("region", team["regions"][0] if team["regions"] else "")
                for component in app.setdefault("components", []):
                    where = "rainbond component of app %s" % app_id
                    service_id = _require(component, "service_id", where)
                    _require(component, "alias", where)
                    component.setdefault("cname", component["alias"])
                    component.setdefault("min_node", 1)
                    self._load_rainbond_build(component, "%s %s" % (where, service_id))
                    _check_state(component, where)
                    self._load_running_event(component, "%s %s" % (where, service_id))
                    self._add_unit(Unit("rainbond", "component", service_id, str(app["id"]), component, app))

    @staticmethod
    def _load_rainbond_build(component, where):
        """What a component is built from: ``service_source`` (default docker_image), its configured ``image`` and ``version``
        (the image's tag, as the console derives it), and ``build_image``, the image its running build was made from (not
        readable through the OpenAPI: a deploy sets it, a docker-image-change does not)."""
        source = component.setdefault("service_source", "docker_image")
        if source not in RAINBOND_SOURCES:
            raise WorldError("%s: service_source %r is not one of %s" % (where, source, ", ".join(RAINBOND_SOURCES)))
        image = component.setdefault("image", "goodrain.me/%s:latest" % component["cname"])
        if not isinstance(image, str) or not image:
            raise WorldError("%s: image must be a non-empty string" % where)
        component.setdefault("version", image.split(":")[-1] or "latest")
        component.setdefault("build_image", image)

    @staticmethod
    def _load_running_event(component, where):
        """Check ``running_event: {opt_type, seconds, user_name}`` (an event still running at load; rainbond.py starts it)."""
        running = component.setdefault("running_event", None)
        if running is None:
            return
        if not isinstance(running, dict):
            raise WorldError("%s: running_event must be a mapping {opt_type, seconds}" % where)
        running.setdefault("opt_type", "build-service")
        running.setdefault("seconds", 30)
        running.setdefault("user_name", "admin")
        if not isinstance(running["opt_type"], str) or not running["opt_type"]:
            raise WorldError("%s: running_event.opt_type must be a non-empty string" % where)
        seconds = running["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
            raise WorldError("%s: running_event.seconds must be a positive number" % where)

    # ---- changes the platforms make ---------------------------------------------------------

    def add_unit(self, platform, kind, unit_obj, app, collection):
        """Add a new unit (e.g. an instance a scale-out creates) to ``app[collection]`` and the indexes."""
        _check_state(unit_obj, "%s %s of %s" % (platform, kind, app["id"]))
        app[collection].append(unit_obj)
        unit = Unit(platform, kind, unit_obj["id"], app["id"], unit_obj, app)
        self._add_unit(unit)
        return unit

    def remove_unit(self, unit_id, collection):
        """Remove a unit (e.g. an instance a scale-in deleted) from its application and the indexes."""
        unit = self.units.pop(unit_id)
        self.units_by_app[unit.app_id].remove(unit)
        unit.app[collection] = [obj for obj in unit.app[collection] if obj["id"] != unit_id]

    # ---- look-ups shared by the platforms --------------------------------------------------

    @property
    def settings(self):
        return self.data["settings"]

    def job_duration(self, platform, action, unit=None):
        """Seconds one unit takes for an action (unscaled): unit override, platform, then default."""
        if unit is not None and action in (unit.obj.get("job_seconds") or {}):
            return float(unit.obj["job_seconds"][action])
        durations = self.data["jobs"]["durations"]
        for scope in (platform, "default"):
            if action in (durations.get(scope) or {}):
                return float(durations[scope][action])
        return DEFAULT_DURATIONS.get(action, 10.0)

    def unhealthy_deadline(self, platform):
        """Seconds (unscaled) after which ``platform`` fails a job stuck on a never-healthy unit, or None."""
        deadlines = self.data["jobs"]["unhealthy_deadline_seconds"]
        seconds = deadlines.get(platform, deadlines.get("default"))
        return None if seconds is None else float(seconds)

    def bad_version(self, *versions):
        """The ``bad_versions`` entry of the first of ``versions`` (what a deploy names) that has one, else None."""
        for version in versions:
            for entry in self.data.get("bad_versions") or []:
                if version and str(entry["version"]) == str(version):
                    return entry
        return None

    def units_of(self, app_id):
        return list(self.units_by_app.get(str(app_id), []))

    def sae_applications(self):
        for namespace in self.data["alibaba"]["sae"]["namespaces"]:
            yield from namespace["applications"]

    def find_sae_application(self, app_id):
        for app in self.sae_applications():
            if app["id"] == app_id:
                return app
        return None

    def find_edas_application(self, app_id):
        for app in self.data["alibaba"]["edas"]["applications"]:
            if app["id"] == app_id:
                return app
        return None

    def servicestage_applications(self, project_id=None):
        for app in self.data["huawei"]["servicestage"]["applications"]:
            if project_id is None or app["project_id"] == project_id:
                yield app

    def find_servicestage_application(self, project_id, app_id):
        for app in self.servicestage_applications(project_id):
            if app["id"] == app_id:
                return app
        return None

    def find_rainbond_team(self, team_id_or_name):
        for team in self.data["rainbond"]["teams"]:
            if team_id_or_name in (team["id"], team["name"]):
                return team
        return None

    def find_application_of(self, platform, app_id):
        """Any platform's application record by id (for the job engine and the admin API)."""
        finders = {
            "sae": self.find_sae_application,
            "edas": self.find_edas_application,
        }
        if platform in finders:
            return finders[platform](app_id)
        if platform == "servicestage":
            return next((app for app in self.servicestage_applications() if app["id"] == app_id), None)
        if platform == "rainbond":
            for team in self.data["rainbond"]["teams"]:
                for app in team["apps"]:
                    if str(app["id"]) == str(app_id):
                        return app
        return None

    def to_json(self):
        return json.loads(json.dumps(self.data, default=str))


def load_world(source):
    """A world from a file path (YAML/JSON)."""
    if not os.path.exists(source):
        raise WorldError("world file %s does not exist" % source)
    return World.from_file(source)
