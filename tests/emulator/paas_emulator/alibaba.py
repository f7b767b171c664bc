# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What SAE and EDAS share: the ROA gateway (signatures, action/version headers, throttling), its error
body, and change orders.

A change order is a job of the engine over the units (SAE instances, EDAS ECCs) of one or more
applications.  Each application is split into its own number of batches; batch *k* of the order is
batch *k* of every application in it, so one order over many applications still takes each of them
down only one batch at a time.  Every batch is a pipeline with its own id (``job.meta["pipeline_ids"]``)
that ConfirmPipelineBatch / ContinuePipeline name.  Both products run one change order per
application at a time; ``start_change_order`` refuses a second with the product's error.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timezone

from .auth import AlibabaVerifier
from .common import ApiError, json_response
from .jobs import ABORTED, FAILED, PENDING, RUNNING, SUCCEEDED, WAITING_APPROVAL, WAITING_CONFIRMATION
from .platform import Platform

# Change-order status ints (SAE DescribeChangeOrder / EDAS GetChangeOrderInfo) for normalized job statuses;
# 9 (waiting for the automatic next batch) and EDAS's 7 (partially executed) are derived in ``order_status``.
CHANGE_ORDER_STATUS = {PENDING: 0, RUNNING: 1, SUCCEEDED: 2, FAILED: 3, ABORTED: 6, WAITING_CONFIRMATION: 8, WAITING_APPROVAL: 11}
# A pipeline's (batch's) status ints; a batch waiting for its manual confirmation is 8.
PIPELINE_STATUS = {"pending": 0, "running": 1, "succeeded": 2, "failed": 3, "aborted": 6, "waiting_confirmation": 8}
# Task status ints (DescribePipeline TaskList / EDAS TaskInfoDTO) per job-target status.
TASK_STATUS = {"pending": 0, "running": 1, "unhealthy": 1, "succeeded": 2, "failed": 3, "cancelled": 6}

THROTTLED_MESSAGE = "Request was denied due to user flow control."


class AlibabaPlatform(Platform):
    """One Alibaba product behind the ROA gateway; ``x-acs-action`` must name the operation at the path."""

    request_id_header = "x-acs-request-id"
    retry_after_header = "x-acs-retry-after"
    fault_errors = {
        429: ("Throttling.User", THROTTLED_MESSAGE),
        500: ("InternalError", "The request processing has failed due to some unknown error, exception or failure."),
        502: ("ServiceUnavailable", "The request has failed due to a temporary failure of the server."),
        503: ("ServiceUnavailable", "The request has failed due to a temporary failure of the server."),
    }

    def __init__(self, name, api_version, product, fallback_prefixes):
        super().__init__()
        self.name = name
        self.api_version = api_version
        self.product = product
        self.fallback_prefixes = fallback_prefixes

    def new_request_id(self):
        return str(uuid.uuid4()).upper()

    def host_id(self, call):
        return "%s.%s.aliyuncs.com" % (self.name, call.world.data["alibaba"]["region"])

    def check_request(self, call):
        if call.operation.name == "NotFound":
            if call.wire.header("Authorization"):
                # The signature covers the path, so the gateway can check it before it looks the API up: a request to an API
                # the emulator does not serve still proves (or disproves) that it was signed as it was sent.
                self.authenticate(call)
            return
        # The gateway finds the API by action and version; a path that is not that API's is unknown to it.
        if call.wire.header("x-acs-action") != call.operation.name:
            raise self.not_found(call)
        if call.wire.header("x-acs-version") != self.api_version:
            raise ApiError(400, "InvalidVersion", "Specified parameter Version is not valid.")

    def authenticate(self, call):
        return AlibabaVerifier(call.world, call.emulator.nonces).verify(call.wire, call.moment)

    def check_call(self, call):
        if call.principal is None:
            return  # an operation without authentication (the unknown-API fallback) counts against no account
        limit = call.emulator.settings.get("alibaba_rate_limit_per_minute")
        # The limit is per product and user (SAE: 60 calls a minute); EDAS calls do not use up SAE's.
        wait = call.emulator.limiter.admit((self.name, call.principal.account_uid), limit, call.moment)
        if wait is not None:
            call.emulator.metrics.count_throttled(self.metric_key(call))
            raise ApiError(400, "Throttling.User", THROTTLED_MESSAGE, headers={"x-acs-retry-after": str(wait)})

    # Whether an operation's own errors have the product's envelope (SAE) rather than the gateway's error body (EDAS).
    operation_error_envelope = False

    def render_error(self, call, error):
        if error.body is None and self.operation_error_envelope and getattr(error, "from_operation", False):
            # SAE: the HTTP status again as Code, the operation's code in ErrorCode, Success false (platform-apis.md 3.1,
            # deploy-and-paging-apis.md 6); the gateway's own errors (throttling, signatures, unknown API) keep the body below.
            body = {"RequestId": call.request_id, "TraceId": uuid.uuid4().hex[:30], "Code": str(error.status),
                    "ErrorCode": error.code, "Message": error.message, "Success": False}
            return json_response(body, status=error.status, headers=error.headers)
        body = error.body or {
            "RequestId": call.request_id,
            "HostId": self.host_id(call),
            "Code": error.code,
            "Message": error.message,
            "Recommend": "https://next.api.aliyun.com/troubleshoot?q=%s&product=%s" % (error.code, self.product),
        }
        return json_response(body, status=error.status, headers=error.headers)

    def not_found(self, call):
        return ApiError(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")

    def missing_parameter(self, name):
        return ApiError(400, "MissingParameter", "The input parameter \"%s\" that is mandatory for processing this request is not supplied." % name)


# ---- change orders ------------------------------------------------------------------------------


def alibaba_time(epoch):
    """``2026-01-01 08:00:00``: how SAE and EDAS print change-order times (UTC here)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def split_batches(unit_ids, batch_count):
    """``unit_ids`` in ``batch_count`` batches, as even as possible, the larger ones first."""
    batch_count = max(1, min(int(batch_count or 1), len(unit_ids) or 1))
    batches, start = [], 0
    for index in range(batch_count):
        size = math.ceil((len(unit_ids) - start) / (batch_count - index))
        batches.append(unit_ids[start:start + size])
        start += size
    return [batch for batch in batches if batch]


def running_order_of(call, app_id):
    """The unfinished change order of an application, or None."""
    jobs = call.engine.jobs_for_app(app_id, active_only=True)
    return jobs[-1] if jobs else None


def start_change_order(call, action, plans, co_type_code, busy_error, description="", on_finish=None, extra_meta=None):
    """One change order over ``plans``: ``[(app, unit_ids, batch_count, manual, batch_wait_seconds, needs_approval)]``;
    ``batch_count`` may be the batches themselves (lists of unit ids), for a split of the product's own (SAE's canary).

    ``busy_error(app, order)`` is the product's error for an application that already runs an order.
    The first plan's batching settings decide confirmation, waiting and approval for the order. ``extra_meta`` goes into the
    job's meta (e.g. ``deploying``: the version it deploys, which the world's ``bad_versions`` may make fail).
    """
    for app, _units, *_rest in plans:
        order = running_order_of(call, app["id"])
        if order is not None:
            raise busy_error(app, order)
    per_app = [batch_count if isinstance(batch_count, list) else split_batches(list(unit_ids), batch_count)
               for _app, unit_ids, batch_count, *_rest in plans]
    depth = max((len(batches) for batches in per_app), default=0)
    batches = [[unit for batches in per_app if index < len(batches) for unit in batches[index]] for index in range(depth)]
    _app, _units, _count, manual, batch_wait, needs_approval = plans[0]
    user = call.principal.account_uid if call.principal is not None else ""
    meta = {"co_type_code": co_type_code, "pipeline_ids": [str(uuid.uuid4()) for dummy in batches], "created_by": user,
            "description": description, "app_ids": [app["id"] for app, *_rest in plans]}
    meta.update(extra_meta or {})
    return call.engine.create_job(call.platform.name, action, [], call.moment, operation=call.operation.name, batches=batches,
                                  batch_wait=float(batch_wait or 0), manual_confirm=bool(manual), needs_approval=bool(needs_approval),
                                  meta=meta, on_finish=on_finish, log_detail={"co_type_code": co_type_code})


def pipeline_state(job, index):
    """Normalized status of batch ``index`` of an order (see ``PIPELINE_STATUS``)."""
    statuses = [target.status for target in job.batches[index]]
    if any(status == "failed" for status in statuses):
        return "failed"
    if any(status in ("running", "unhealthy") for status in statuses):
        return "running"
    if all(status == "succeeded" for status in statuses):
        return "succeeded"
    if job.status == WAITING_CONFIRMATION and index == job.current_batch + 1:
        return "waiting_confirmation"
    if any(status == "cancelled" for status in statuses) or job.status == ABORTED:
        return "aborted"
    return "pending"


def is_troubled(job):
    """A unit of an unfinished order failed its health check: SAE's SubStatus 1 / RUNNING_BUT_HAS_ERROR."""
    return not job.finished and any(target.status in ("failed", "unhealthy") for target in job.targets)


def order_status(job, moment, partial=False):
    """The order's status int. 9 while the next batch waits out the batch interval; with ``partial``
    (EDAS), 7 for an order that failed after some units had succeeded."""
    if job.status == RUNNING and job.next_batch_at is not None and job.next_batch_at > moment and job.current_batch >= 0:
        if not any(target.status in ("running", "unhealthy") for target in job.targets):
            return 9
    if partial and job.status == FAILED and any(target.status == "succeeded" for target in job.targets):
        return 7
    return CHANGE_ORDER_STATUS[job.status]


def waiting_pipeline_id(job):
    """The pipeline a person must confirm next, or None."""
    if job.status != WAITING_CONFIRMATION or job.current_batch + 1 >= len(job.batches):
        return None
    return job.meta["pipeline_ids"][job.current_batch + 1]


def current_pipeline_id(job):
    waiting = waiting_pipeline_id(job)
    if waiting:
        return waiting
    return job.meta["pipeline_ids"][max(job.current_batch, 0)]


def find_pipeline(call, pipeline_id):
    """``(order, batch index)`` of a pipeline id of this product, or None."""
    for job in call.engine.jobs.values():
        if job.platform == call.platform.name and pipeline_id in job.meta.get("pipeline_ids", ()):
            return job, job.meta["pipeline_ids"].index(pipeline_id)
    return None


def find_order(call, order_id):
    job = call.engine.get(order_id)
    if job is None or job.platform != call.platform.name or "pipeline_ids" not in job.meta:
        return None
    return job


def confirm_pipeline(call, pipeline_id, confirm, not_waiting_error):
    """ConfirmPipelineBatch / ContinuePipeline: release the waiting batch, or end the order (``confirm`` false)."""
    found = find_pipeline(call, pipeline_id)
    if found is None or waiting_pipeline_id(found[0]) != pipeline_id:
        raise not_waiting_error(pipeline_id)
    call.engine.confirm(found[0].job_id, call.moment, proceed=confirm)
    call.emulator.metrics.log_action(call.platform.name, call.operation.name, [pipeline_id], job_id=found[0].job_id,
                                     detail={"confirm": confirm})
    return found[0]


def parse_bool(value, default=True):
    if value is None or value == "":
        return default
    return str(value).lower() == "true"
