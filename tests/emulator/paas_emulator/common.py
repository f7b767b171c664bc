# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small pieces every other module needs: the API error type, JSON responses and time formats."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

from aiohttp import web


class ApiError(Exception):
    """A failure to report to the client in the calling platform's own error format.

    ``code`` and ``message`` are the platform's error code and text; the platform renders the body
    unless ``body`` is given verbatim (used where one platform has two error styles, e.g. Huawei
    IAM's Keystone errors next to the API gateway's).
    """

    def __init__(self, status, code, message, headers=None, body=None):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.body = body


def json_response(body, status=200, headers=None):
    """A JSON response that keeps non-ASCII text readable (Rainbond answers in Chinese)."""
    return web.Response(status=status, headers=headers, content_type="application/json",
                        text=json.dumps(body, ensure_ascii=False, separators=(",", ":")))


def iso_utc(epoch, milliseconds=False):
    """``2026-01-01T00:00:00Z`` (or with ``.000``) for an epoch time, as the clouds print times."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    if milliseconds:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_ms(epoch):
    """Milliseconds since the epoch, the integer time format of SAE, EDAS and ServiceStage."""
    return int(round(epoch * 1000))


def restarted_ms(unit_obj, fallback_ms):
    """When the unit last came back from a restart, upgrade, deploy or rollback (``restarted_at``, set by the job engine), in
    milliseconds; ``fallback_ms`` if it never did.  The platforms show it in the field their real API changes."""
    restarted_at = unit_obj.get("restarted_at")
    return fallback_ms if restarted_at is None else epoch_ms(restarted_at)


def now():
    """Wall-clock time; one function so that everything agrees on the clock."""
    return time.time()
