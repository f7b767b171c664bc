# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The job engine: actions that take time, in batches, with the units' states following.

A job (Huawei job, Alibaba change order, Rainbond event) holds units split into batches.  A batch
starts, every unit in it enters the action's transient state (e.g. ``restarting``) and finishes after
its duration (world file, scaled by the time factor); when the whole batch has finished the next one
starts (after ``batch_wait`` seconds, or after ``confirm`` when batches are confirmed manually).

Progress is computed lazily: ``advance(now)`` replays every event due up to ``now`` across all jobs
in time order, so every read sees a consistent world and the unavailability high-water mark is exact.
The emulator calls ``advance`` at the start of every request.

To wire a platform action: the route handler resolves its targets to unit ids and calls
``engine.create_job(platform, action, unit_ids, operation=<API name>, batch_size=..., meta={...})``,
then renders the returned ``Job`` in its platform's shape (``Job.to_json`` is the normalized view).
A new kind of action only needs ``register_action``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Optional

from .common import ApiError, iso_utc

# Normalized job statuses; each platform maps them to its enum.
PENDING = "pending"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
ABORTED = "aborted"
WAITING_CONFIRMATION = "waiting_confirmation"
WAITING_APPROVAL = "waiting_approval"
JOB_STATUSES = (PENDING, RUNNING, SUCCEEDED, FAILED, ABORTED, WAITING_CONFIRMATION, WAITING_APPROVAL)
# Statuses in which a job stands still until someone acts (``JobEngine.confirm``).
HELD_JOB_STATUSES = (WAITING_CONFIRMATION, WAITING_APPROVAL)
FINISHED_JOB_STATUSES = (SUCCEEDED, FAILED, ABORTED)

# Per-target statuses inside a job.
TARGET_STATUSES = ("pending", "running", "succeeded", "failed", "cancelled", "unhealthy")


@dataclass(frozen=True)
class UnitStep:
    """What an action does to one unit: the state while it runs and the state when it is done.

    ``None`` keeps the unit's state (e.g. a scale changes how many replicas run, not whether the
    component runs: a stopped component stays stopped).
    """

    transient: Optional[str]
    final: Optional[str]
    counts_as_restart: bool = False


ACTIONS = {}


def register_action(name, transient, final, counts_as_restart=False):
    """Make ``name`` usable as a job action (platform issues add e.g. ``scale`` variants here)."""
    ACTIONS[name] = UnitStep(transient, final, counts_as_restart)


register_action("restart", "restarting", "running", counts_as_restart=True)
register_action("start", "starting", "running")
register_action("stop", "stopping", "stopped")
register_action("upgrade", "upgrading", "running", counts_as_restart=True)
register_action("deploy", "upgrading", "running", counts_as_restart=True)
register_action("rollback", "upgrading", "running", counts_as_restart=True)
register_action("scale", None, None)


class JobTarget:
    """One unit's progress inside a job."""

    def __init__(self, unit, batch):
        self.unit = unit
        self.batch = batch
        self.status = "pending"
        self.started_at = None
        self.due_at = None
        self.finished_at = None
        self.message = ""
        self.state_before = None

    def to_json(self):
        return {
            "id": self.unit.unit_id, "app_id": self.unit.app_id, "batch": self.batch + 1, "status": self.status,
            "started_at": iso_utc(self.started_at) if self.started_at else None,
            "finished_at": iso_utc(self.finished_at) if self.finished_at else None,
            "message": self.message,
        }


class Flap:
    """A unit that will flap: at ``at`` it leaves running (``down`` False) or comes back (``down`` True). ``since`` is the restart
    it flaps after."""

    def __init__(self, unit, fault, since):
        self.unit = unit
        self.fault = fault
        self.since = since
        self.down = False
        self.at = since + fault.after_seconds


class VersionFlap:
    """A ``flap`` bad version (world ``bad_versions``) in the shape of a flap fault: down for good ``after_seconds`` after it came up."""

    def __init__(self, bad):
        self.after_seconds = float(bad["after_seconds"])
        self.flap_state = "unhealthy"
        self.down_seconds = None
        self.restarts = False


class Job:
    """A job over units; its state only changes through ``JobEngine``."""

    def __init__(self, job_id, platform, action, operation, units, batch_size, batch_wait, manual_confirm, meta, created_at,
                 on_finish=None, batches=None, durations=None, on_unit_done=None):
        self.job_id = job_id
        self.platform = platform
        self.action = action
        self.step = ACTIONS[action]
        self.operation = operation
        self.batch_size = batch_size if batch_size and batch_size > 0 else max(len(units), 1)
        if batches is None:
            batches = [units[start:start + self.batch_size] for start in range(0, len(units), self.batch_size)]
        self.batches = [[JobTarget(unit, index) for unit in batch] for index, batch in enumerate(batches)]
        self.batch_wait = batch_wait
        self.manual_confirm = manual_confirm
        self.meta = dict(meta or {})
        self.created_at = created_at
        self.started_at = None
        self.finished_at = None
        self.status = PENDING
        self.message = ""
        self.current_batch = -1
        self.next_batch_at = created_at
        # Called with the job once it is finished (whatever the outcome): platform effects such as a new version.
        self.on_finish = on_finish
        # Called with (job, target) when one unit has finished its step (succeeded or failed): per-unit effects, because
        # a job that fails at one unit finishes while the other units of the batch are still under way.
        self.on_unit_done = on_unit_done
        # Unscaled seconds per unit id, instead of the world's durations for the action (e.g. an event the world describes).
        self.durations = dict(durations or {})

    @property
    def targets(self):
        return [target for batch in self.batches for target in batch]

    @property
    def app_ids(self):
        seen = []
        for target in self.targets:
            if target.unit.app_id not in seen:
                seen.append(target.unit.app_id)
        return seen

    @property
    def finished(self):
        return self.status in FINISHED_JOB_STATUSES

    def next_event(self):
        """``(time, kind, target)`` of the next thing that happens to this job, or None."""
        candidates = [(target.due_at, "finish", target) for target in self.targets if target.status == "running"]
        # An unhealthy unit has a due time only when its platform gives up on it (see ``unhealthy_deadline``).
        candidates += [(target.due_at, "give_up", target) for target in self.targets
                       if target.status == "unhealthy" and target.due_at is not None and not self.finished]
        if self.next_batch_at is not None and not self.finished and self.status not in HELD_JOB_STATUSES:
            candidates.append((self.next_batch_at, "batch", None))
        if not candidates:
            return None
        return min(candidates, key=lambda item: item[0])

    def to_json(self):
        return {
            "id": self.job_id, "platform": self.platform, "action": self.action, "operation": self.operation,
            "status": self.status, "message": self.message,
            "created_at": iso_utc(self.created_at), "created_epoch": self.created_at,
            "started_at": iso_utc(self.started_at) if self.started_at else None,
            "finished_at": iso_utc(self.finished_at) if self.finished_at else None,
            "batch_size": self.batch_size, "batch_count": len(self.batches), "current_batch": self.current_batch + 1,
            "confirm": "manual" if self.manual_confirm else "auto", "app_ids": self.app_ids,
            "targets": [target.to_json() for target in self.targets], "meta": self.meta,
        }


class JobEngine:
    """Creates jobs and advances them with time; owns every unit state change an action makes."""

    def __init__(self, world, faults, metrics, time_factor):
        self.world = world
        self.faults = faults
        self.metrics = metrics
        self.time_factor = time_factor  # callable: read at each batch start, so a settings change applies to later batches
        self.jobs = {}
        self.last_job_by_app = {}
        # Units that flap later (``flap`` faults): what happens to which unit when, in time order with the jobs' events.
        self.flaps = []

    # ---- creating and controlling --------------------------------------------------------

    def resolve_units(self, platform, ids):
        """Unit ids, or application ids (expanded to all their units), of one platform, in order."""
        units = []
        for target_id in ids:
            target_id = str(target_id)
            unit = self.world.units.get(target_id)
            if unit is not None and unit.platform == platform:
                units.append(unit)
                continue
            app_units = [u for u in self.world.units_of(target_id) if u.platform == platform]
            if not app_units:
                raise ApiError(404, "TargetNotFound", "no %s unit or application %r" % (platform, target_id))
            units.extend(app_units)
        unique = []
        for unit in units:
            if unit not in unique:
                unique.append(unit)
        return unique

    def create_job(self, platform, action, unit_ids, now, operation=None, batch_size=None, batch_wait=None,
                   manual_confirm=False, meta=None, job_id=None, on_finish=None, paused=False, log_detail=None,
                   batches=None, needs_approval=False, durations=None, on_unit_done=None, log=True):
        """Create and start a job; ``unit_ids`` may name applications too. Logged in the action log unless ``log`` is false
        (the caller logs the call itself, or the job is an arrangement of the world).

        ``on_finish(job)`` runs once the job has finished.  ``paused`` creates the job already waiting
        for confirmation before its first batch, its units in the action's transient state: a
        deployment paused between batches (the earlier batches are not modelled); ``confirm`` resumes it.
        ``batches`` (lists of unit ids) replaces the even split by ``batch_size`` (e.g. one order over
        several applications, each in its own number of batches).  ``needs_approval`` holds the job
        before its first batch until ``confirm`` approves it.  ``durations`` (unscaled seconds per unit id) replaces
        the world's durations for those units; ``on_unit_done(job, target)`` runs when a unit succeeds or fails its step.
        """
        if action not in ACTIONS:
            raise ApiError(400, "InvalidAction", "unknown action %r (known: %s)" % (action, ", ".join(sorted(ACTIONS))))
        if batches is not None:
            batches = [self.resolve_units(platform, batch) for batch in batches if batch]
            units = [unit for batch in batches for unit in batch]
        else:
            units = self.resolve_units(platform, unit_ids)
        if not units:
            raise ApiError(400, "NoTargets", "a job needs at least one target")
        if batch_wait is None:
            batch_wait = float(self.world.data["jobs"].get("batch_wait_seconds") or 0)
        job = Job(job_id or str(uuid.uuid4()), platform, action, operation or action, units, batch_size, batch_wait,
                  manual_confirm, meta, now, on_finish, batches, durations, on_unit_done)
        self.jobs[job.job_id] = job
        self.mark_last_job(job)
        if needs_approval:
            job.status = WAITING_APPROVAL
        if paused:
            job.status = WAITING_CONFIRMATION
            job.started_at = now
            job.next_batch_at = None
            for unit in units:
                # Arranged like a world file's state, not observed as a change (no unavailability metric).
                unit.obj["state"] = job.step.transient
                unit.obj["native_status"] = None
        elif log:
            self.metrics.log_action(platform, job.operation, [unit.unit_id for unit in units], job_id=job.job_id, detail=log_detail)
        self.advance(now)
        return job

    def mark_last_job(self, job):
        """Make ``job`` the last job of its units and applications (what the platforms report as the last change)."""
        for target in job.targets:
            target.unit.obj["last_job_id"] = job.job_id
        for app_id in job.app_ids:
            self.last_job_by_app[app_id] = job.job_id

    def active_jobs_of_unit(self, unit_id):
        """The unfinished jobs that include this unit, oldest first."""
        active = [job for job in self.jobs.values() if not job.finished and any(t.unit.unit_id == unit_id for t in job.targets)]
        return sorted(active, key=lambda job: job.created_at)

    def get(self, job_id):
        return self.jobs.get(job_id)

    def jobs_for_app(self, app_id, active_only=False):
        found = [job for job in self.jobs.values() if str(app_id) in job.app_ids]
        if active_only:
            found = [job for job in found if not job.finished]
        return sorted(found, key=lambda job: job.created_at)

    def last_job_for_app(self, app_id):
        job_id = self.last_job_by_app.get(str(app_id))
        return self.jobs.get(job_id) if job_id else None

    def abort(self, job_id, now, message="aborted"):
        """Stop a job: no further batch starts; units mid-step still finish theirs."""
        job = self._existing(job_id)
        self.advance(now)
        if job.finished:
            raise ApiError(409, "JobFinished", "job %s is already %s" % (job_id, job.status))
        self._finish(job, ABORTED, now, message)
        return job

    def confirm(self, job_id, now, proceed=True):
        """Release the next batch of a job waiting for manual confirmation or approval (or abort it)."""
        job = self._existing(job_id)
        self.advance(now)
        if job.status not in HELD_JOB_STATUSES:
            raise ApiError(409, "JobNotWaiting", "job %s is %s, not waiting for confirmation or approval" % (job_id, job.status))
        if not proceed:
            self._finish(job, ABORTED, now, "batch confirmation refused" if job.status == WAITING_CONFIRMATION else "approval refused")
            return job
        job.status = RUNNING
        job.next_batch_at = now
        self.advance(now)
        return job

    def _existing(self, job_id):
        job = self.jobs.get(job_id)
        if job is None:
            raise ApiError(404, "JobNotFound", "job %s not found" % job_id)
        return job

    # ---- time --------------------------------------------------------------------------------

    def advance(self, now):
        """Apply every event due up to ``now``, earliest first, across all jobs."""
        while True:
            due = []
            for job in self.jobs.values():
                event = job.next_event()
                if event is not None and event[0] <= now:
                    due.append((event[0], job.created_at, job, event))
            due += [(flap.at, flap.at, None, flap) for flap in self.flaps if flap.at <= now]
            if not due:
                return
            moment, _created, job, event = min(due, key=lambda item: (item[0], item[1]))
            if job is None:
                self._flap(event, moment)
            elif event[1] == "batch":
                self._start_batch(job, moment)
            elif event[1] == "give_up":
                self._give_up_target(job, event[2], moment)
            else:
                self._finish_target(job, event[2], moment)

    def _start_batch(self, job, moment):
        job.next_batch_at = None
        job.current_batch += 1
        if job.started_at is None:
            job.started_at = moment
        job.status = RUNNING
        factor = float(self.time_factor())
        for target in job.batches[job.current_batch]:
            target.status = "running"
            target.started_at = moment
            seconds = job.durations.get(target.unit.unit_id)
            if seconds is None:
                seconds = self.world.job_duration(job.platform, job.action, target.unit)
            target.due_at = moment + float(seconds) * factor
            target.state_before = target.unit.obj["state"]
            if job.step.counts_as_restart:
                self.metrics.count_restart(target.unit.unit_id)
            self._set_state(target.unit, job.step.transient)

    def _outcome(self, job, target):
        """``(kind, message, flap)`` of how this unit's step ends: an injected fault aimed at the unit, else what the version
        the job deploys (``meta['deploying']``: what it names, or a list of such names, e.g. a ServiceStage component version
        and its image) does by the world's ``bad_versions``, else ``(None, None, None)``."""
        fault = self.faults.job_outcome(job.platform, target.unit.unit_id)
        if fault is not None:
            return fault.kind, fault.message, None
        deploying = job.meta.get("deploying")
        names = deploying if isinstance(deploying, (list, tuple)) else [deploying]
        bad = self.world.bad_version(*names) if deploying else None
        if bad is None:
            return None, None, None
        if bad["kind"] == "never_healthy":
            return "never_healthy", None, None
        if bad["kind"] == "fail_in_batch":
            if target.batch + 1 != int(bad["batch"]):
                return None, None, None
            return "job_fail", bad.get("message") or "%s: readiness probe failed on version %s (batch %d)" % (
                target.unit.unit_id, bad["version"], target.batch + 1), None
        return None, None, VersionFlap(bad)

    def _finish_target(self, job, target, moment):
        target.finished_at = moment
        outcome, message, version_flap = self._outcome(job, target)
        if outcome == "job_fail":
            target.status = "failed"
            # The fault's ``message`` is what the platform reports (e.g. a probe failure); the default names the fault.
            target.message = message or "%s of %s failed (injected fault)" % (job.action, target.unit.unit_id)
            self._set_state(target.unit, "failed")
            self._unit_done(job, target)
            if not job.finished:
                self._finish(job, FAILED, moment, target.message)
            return
        if outcome == "never_healthy":
            # The workload runs but never passes its health check: the batch never completes, unless the
            # platform gives up after its deadline (then the job fails).
            target.status = "unhealthy"
            target.message = "%s never became healthy (injected fault)" % target.unit.unit_id
            target.finished_at = None
            deadline = self.world.unhealthy_deadline(job.platform)
            target.due_at = None if deadline is None else target.started_at + deadline * float(self.time_factor())
            self._set_state(target.unit, "unhealthy")
            return
        target.status = "succeeded"
        if job.step.transient is not None or job.step.final is not None:
            self._set_state(target.unit, job.step.final or target.state_before)
        if job.step.counts_as_restart:
            # The moment the unit came back (a new pod, a new deployment): each platform shows it in its own field
            # (SAE CreateTimeStamp, ServiceStage update_time), so that a client can tell which units were restarted when.
            target.unit.obj["restarted_at"] = moment
            fault = version_flap or self.faults.flap(job.platform, target.unit.unit_id)
            if fault is not None:
                self.flaps.append(Flap(target.unit, fault, moment))
        # else the step never touched the unit's state: leave it alone, with its native_status (e.g. Rainbond ``undeploy``).
        self._unit_done(job, target)
        if job.finished:
            return
        batch = job.batches[job.current_batch]
        if all(t.status == "succeeded" for t in batch):
            if job.current_batch + 1 >= len(job.batches):
                self._finish(job, SUCCEEDED, moment, "")
            elif job.manual_confirm:
                job.status = WAITING_CONFIRMATION
            else:
                job.next_batch_at = moment + job.batch_wait * float(self.time_factor())

    def _give_up_target(self, job, target, moment):
        target.status = "failed"
        target.finished_at = moment
        target.message = "%s did not become healthy before the deadline (injected never_healthy fault)" % target.unit.unit_id
        self._set_state(target.unit, "failed")
        self._unit_done(job, target)
        self._finish(job, FAILED, moment, target.message)

    def _flap(self, flap, moment):
        """A ``flap`` fault's moment: the unit leaves running (or comes back). A unit a job has taken over since (restarted
        again, stopped) is no longer the pod that flaps: left alone."""
        self.flaps.remove(flap)
        unit = flap.unit
        acting = [target for job in self.active_jobs_of_unit(unit.unit_id) for target in job.targets
                  if target.unit is unit and target.status in ("pending", "running", "unhealthy")]
        if acting or unit.obj.get("restarted_at") != flap.since:
            return
        if not flap.down:
            if unit.obj["state"] != "running":
                return
            self._set_state(unit, flap.fault.flap_state)
            if flap.fault.down_seconds is not None:
                flap.down, flap.at = True, moment + flap.fault.down_seconds
                self.flaps.append(flap)
            return
        if unit.obj["state"] == flap.fault.flap_state:
            self._set_state(unit, "running")
            if flap.fault.restarts:
                # Restarted by the crash, not by anyone's action: the restart time moves, the action log and metrics do not.
                unit.obj["restarted_at"] = moment

    @staticmethod
    def _unit_done(job, target):
        if job.on_unit_done is not None:
            job.on_unit_done(job, target)

    def _finish(self, job, status, moment, message):
        job.status = status
        job.finished_at = moment
        job.message = message
        job.next_batch_at = None
        for target in job.targets:
            if target.status == "pending":
                target.status = "cancelled"
        if job.on_finish is not None:
            job.on_finish(job)

    def _set_state(self, unit, state):
        if state is None:
            return
        unit.obj["state"] = state
        unit.obj["native_status"] = None
        not_running = sum(1 for u in self.world.units_of(unit.app_id) if u.obj["state"] != "running")
        self.metrics.observe_unavailable(unit.app_id, not_running)

    def to_json(self):
        return [job.to_json() for job in sorted(self.jobs.values(), key=lambda job: job.created_at)]
