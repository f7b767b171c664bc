# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What SAE and EDAS share: the ROA gateway (signatures, action/version headers, throttling) and its error body."""

from __future__ import annotations

import uuid

from .auth import AlibabaVerifier
from .common import ApiError, json_response
from .jobs import ABORTED, FAILED, PENDING, RUNNING, SUCCEEDED, WAITING_CONFIRMATION
from .platform import Platform

# Change-order status ints (SAE DescribeChangeOrder / EDAS GetChangeOrderInfo) for normalized job statuses.
CHANGE_ORDER_STATUS = {PENDING: 0, RUNNING: 1, SUCCEEDED: 2, FAILED: 3, ABORTED: 6, WAITING_CONFIRMATION: 8}

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
        wait = call.emulator.limiter.admit(call.principal.account_uid, limit, call.moment)
        if wait is not None:
            raise ApiError(400, "Throttling.User", THROTTLED_MESSAGE, headers={"x-acs-retry-after": str(wait)})

    def render_error(self, call, error):
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
