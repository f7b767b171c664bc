# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Injected faults: HTTP errors, connection resets, delays, 2xx answers with a body that is not the API's (``bad_body``)
and redirects (``redirect``, with a ``location``) on matching requests, and job faults on units.

A request fault matches on a regular expression searched in the request path (and optionally the
method and platform).  ``when`` decides whether it fires *before* the request has any effect
(the request is rejected, e.g. throttling) or *after* the handler ran (the effect happened, then the
client gets an error or a reset: the outcome is unknown to it).  Job faults (``job_fail``,
``never_healthy``) are consulted by the job engine when a unit finishes its step.  Operation faults
(``silent_drop``) are consulted by a platform when an operation reaches a unit: the unit is left out of
that operation without a word (Rainbond's region rejecting one component of a batch, e.g. for lack of memory).
Unit faults after the fact (``flap``) are consulted by the job engine when a unit came back from a restart: some
seconds later it leaves ``running`` (a crash, a probe that starts failing), and may come back.
"""

from __future__ import annotations

import itertools
import random
import re

from .common import ApiError

REQUEST_KINDS = ("http", "reset", "delay", "bad_body", "redirect")
# ``bad_body``: a 2xx whose body is not the API's JSON, as a proxy or gateway in trouble answers.
BAD_BODIES = ("empty", "truncated", "html", "text", "json_null", "json_foreign")
DEFAULT_STATUS = {"bad_body": 200, "redirect": 302}
JOB_KINDS = ("job_fail", "never_healthy")
OPERATION_KINDS = ("silent_drop",)
FLAP_KINDS = ("flap",)
# Faults aimed at one unit (``target`` required).
UNIT_KINDS = JOB_KINDS + OPERATION_KINDS + FLAP_KINDS
# What a flapping unit may turn into: any state that is not serving (the world's states less running).
FLAP_STATES = ("unhealthy", "failed", "restarting", "starting", "stopped", "unknown")
WHEN = ("before", "after")


class Fault:
    """One fault rule; ``count`` None means unlimited, ``fired`` counts how often it took effect."""

    _ids = itertools.count(1)

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ApiError(400, "InvalidFault", "a fault must be a JSON object")
        self.kind = spec.get("kind", "http")
        if self.kind not in REQUEST_KINDS + UNIT_KINDS:
            raise ApiError(400, "InvalidFault", "kind must be one of %s" % ", ".join(REQUEST_KINDS + UNIT_KINDS))
        self.when = spec.get("when", "before")
        if self.when not in WHEN:
            raise ApiError(400, "InvalidFault", "when must be 'before' or 'after'")
        self.path = spec.get("path")
        try:
            self.path_re = re.compile(self.path) if self.path else None
        except re.error as exc:
            raise ApiError(400, "InvalidFault", "path is not a valid regular expression: %s" % exc) from exc
        self.method = (spec.get("method") or "").upper() or None
        self.platform = spec.get("platform")
        self.status = int(spec.get("status", DEFAULT_STATUS.get(self.kind, 503)))
        self.body_kind = spec.get("body_kind", "html")
        if self.kind == "bad_body" and self.body_kind not in BAD_BODIES and spec.get("body") is None:
            raise ApiError(400, "InvalidFault", "body_kind must be one of %s (or give body)" % ", ".join(BAD_BODIES))
        self.body = spec.get("body")
        self.content_type = spec.get("content_type")
        self.location = spec.get("location", "https://signin.example.invalid/login")
        self.platform_code = spec.get("platform_code")
        self.message = spec.get("message")
        self.retry_after = spec.get("retry_after")
        self.delay_seconds = float(spec.get("delay_seconds", 1.0))
        self.target = spec.get("target")
        self.count = spec.get("count")
        self.probability = float(spec.get("probability", 1.0))
        # ``every: 5, offset: 2``: fire on the 3rd, 8th, 13th ... matching request: a share of traffic without chance.
        self.every = int(spec["every"]) if spec.get("every") else None
        self.offset = int(spec.get("offset") or 0)
        self.seen = 0
        self.fired = 0
        # ``flap``: real seconds (not scaled by the time factor, like ``delay_seconds``: what a client's soak waits is real time).
        self.after_seconds = float(spec.get("after_seconds", 1.0))
        self.flap_state = spec.get("state", "unhealthy")
        self.down_seconds = None if spec.get("down_seconds") is None else float(spec["down_seconds"])
        self.restarts = bool(spec.get("restarts", False))
        if self.kind == "flap":
            if self.flap_state not in FLAP_STATES:
                raise ApiError(400, "InvalidFault", "a flap's state must be one of %s" % ", ".join(FLAP_STATES))
            if self.after_seconds < 0 or (self.down_seconds is not None and self.down_seconds < 0):
                raise ApiError(400, "InvalidFault", "after_seconds and down_seconds must not be negative")
            if self.restarts and self.down_seconds is None:
                raise ApiError(400, "InvalidFault", "restarts needs down_seconds: a unit restarted by a crash comes back")
        if self.kind in UNIT_KINDS and not self.target:
            raise ApiError(400, "InvalidFault", "%s needs a target (unit id)" % self.kind)
        self.fault_id = "f-%d" % next(self._ids)
        self.spec = dict(spec)

    @property
    def exhausted(self):
        return self.count is not None and self.fired >= int(self.count)

    def try_fire(self):
        """Fire or not (``every``, else probability), and count the firing."""
        self.seen += 1
        if self.exhausted:
            return False
        if self.every is not None:
            if (self.seen - 1 - self.offset) % self.every != 0:
                return False
        elif random.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def matches_request(self, platform, method, path, when):
        if self.kind not in REQUEST_KINDS or self.when != when:
            return False
        if self.platform and self.platform != platform:
            return False
        if self.method and self.method != method.upper():
            return False
        if self.path_re and not self.path_re.search(path):
            return False
        return self.try_fire()

    def to_json(self):
        return dict(self.spec, id=self.fault_id, kind=self.kind, when=self.when, fired=self.fired, exhausted=self.exhausted)


class FaultRegistry:
    """The active faults, in the order they were added (the first match wins)."""

    def __init__(self):
        self.faults = []

    def add(self, spec):
        fault = Fault(spec)
        self.faults.append(fault)
        return fault

    def clear(self):
        self.faults = []

    def request_fault(self, platform, method, path, when):
        """The fault to apply to this request at this point (``before``/``after``), or None."""
        for fault in self.faults:
            if fault.matches_request(platform, method, path, when):
                return fault
        return None

    def job_outcome(self, platform, unit_id):
        """The ``job_fail``/``never_healthy`` fault that targets this unit now (it fires), else None."""
        for fault in self.faults:
            if fault.kind in JOB_KINDS and fault.target == unit_id and (not fault.platform or fault.platform == platform):
                if fault.try_fire():
                    return fault
        return None

    def silent_drop(self, platform, unit_id):
        """The ``silent_drop`` fault that drops this unit from the operation at hand (it fires: one firing per operation), else None."""
        for fault in self.faults:
            if fault.kind == "silent_drop" and fault.target == unit_id and (not fault.platform or fault.platform == platform):
                if fault.try_fire():
                    return fault
        return None

    def flap(self, platform, unit_id):
        """The ``flap`` fault that makes this unit, just back from a restart, flap later (it fires: once per restart), else None."""
        for fault in self.faults:
            if fault.kind == "flap" and fault.target == unit_id and (not fault.platform or fault.platform == platform):
                if fault.try_fire():
                    return fault
        return None

    def to_json(self):
        return [fault.to_json() for fault in self.faults]
