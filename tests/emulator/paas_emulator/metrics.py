# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counters the tests assert on: requests per operation, restarts per unit, unavailability high-water marks, action log,
and units silently dropped from operations."""

from __future__ import annotations

from collections import Counter

from .common import iso_utc, now


class Metrics:
    """All counters; ``reset`` (``DELETE /_emulator/metrics``) clears them without touching the world."""

    def __init__(self):
        self.requests = Counter()
        self.throttled = Counter()
        self.restarts = Counter()
        self.max_unavailable = {}
        self.actions = []
        self.dropped = Counter()

    def reset(self):
        self.__init__()

    def count_request(self, operation):
        """``operation`` is ``<platform>:<operation name>``, e.g. ``sae:DescribeApplicationStatus``."""
        self.requests[operation] += 1

    def count_throttled(self, operation):
        """A call refused by the rate limit (``<platform>:<operation name>``)."""
        self.throttled[operation] += 1

    def count_restart(self, unit_id):
        self.restarts[unit_id] += 1

    def count_dropped(self, unit_id):
        """A unit an operation left out without telling the client (Rainbond: an unfinished event, a ``silent_drop`` fault)."""
        self.dropped[unit_id] += 1

    def observe_unavailable(self, app_id, not_running):
        """Record how many units of an application are not running right now; keeps the maximum."""
        key = str(app_id)
        if not_running > self.max_unavailable.get(key, 0):
            self.max_unavailable[key] = not_running
        else:
            self.max_unavailable.setdefault(key, not_running)

    def log_action(self, platform, operation, targets, job_id=None, detail=None):
        """Append one state-changing call to the ordered action log."""
        moment = now()
        entry = {"time": iso_utc(moment, milliseconds=True), "epoch": moment, "platform": platform,
                 "operation": operation, "targets": list(targets), "job_id": job_id}
        if detail:
            entry["detail"] = detail
        self.actions.append(entry)

    def to_json(self):
        body = {
            "requests": dict(sorted(self.requests.items())),
            "requests_total": sum(self.requests.values()),
            "throttled": dict(sorted(self.throttled.items())),
            "throttled_total": sum(self.throttled.values()),
            "restarts": dict(sorted(self.restarts.items())),
            "max_unavailable": dict(sorted(self.max_unavailable.items())),
            "actions": list(self.actions),
        }
        # Present only once a unit was dropped, so that the shape of metrics without drops stays what it always was.
        if self.dropped:
            body["dropped"] = dict(sorted(self.dropped.items()))
            body["dropped_total"] = sum(self.dropped.values())
        return body
