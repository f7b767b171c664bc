# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every platform API shares: operations, the request pipeline, and the hooks a platform fills in.

A platform module creates one ``Platform`` subclass instance and declares its API with
``@platform.route(method, path, "OperationName")`` on ``async def handler(call)``.  A handler returns
the success body (rendered by ``Platform.render``) or a ready ``web.Response``, and raises
``ApiError`` for failures (rendered by ``Platform.render_error`` in the platform's error shape).

The pipeline (``Platform.dispatch``) is the same for all: advance the job engine, count the
operation, apply ``before`` faults, authenticate, run platform checks (e.g. Alibaba's action
header and rate limit), run the handler, apply ``after`` faults, stamp the request id header.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import struct
import uuid
from dataclasses import dataclass

from aiohttp import web

from .auth import WireRequest
from .common import ApiError, json_response, now

EMULATOR_KEY = web.AppKey("paas_emulator", object)


@dataclass
class Operation:
    """One API operation: where it is served, its name in metrics, and whether it needs credentials."""

    platform: object
    method: str
    path: str
    name: str
    handler: object
    auth: bool = True
    # False for the fallback that answers "no such API": the gateway says that, not an operation.
    is_api: bool = True


class Call:
    """Everything a handler needs about one request."""

    def __init__(self, request, emulator, platform, operation, body):
        self.request = request
        self.emulator = emulator
        self.platform = platform
        self.operation = operation
        self.body = body
        self.wire = WireRequest.from_aiohttp(request, body)
        self.request_id = platform.new_request_id()
        self.principal = None
        self.moment = now()

    @property
    def world(self):
        return self.emulator.world

    @property
    def engine(self):
        return self.emulator.engine

    @property
    def match(self):
        return self.request.match_info

    def query(self, name, default=None):
        return self.request.query.get(name, default)

    def require_query(self, name):
        """A required query parameter, or the platform's 'missing parameter' error."""
        value = self.request.query.get(name)
        if value is None or value == "":
            raise self.platform.missing_parameter(name)
        return value

    def json(self, default=None):
        """The JSON body (``default`` when empty), or the platform's 'bad parameter' error."""
        if not self.body:
            return default
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise self.platform.invalid_body(str(exc)) from exc


class Platform:
    """Base of every platform; subclasses implement ``authenticate`` and ``render_error``."""

    name = "base"
    request_id_header = "X-Request-Id"
    # Paths under these prefixes that match no operation get this platform's "not found" error.
    fallback_prefixes = ()
    # Default code and message per HTTP status for injected ``http`` faults.
    fault_errors = {}
    retry_after_header = "Retry-After"

    def __init__(self):
        self.operations = []
        self.world_hooks = []

    def route(self, method, path, name, auth=True):
        """Decorator declaring an operation (the handler is an ``async def handler(call)``)."""
        def register(handler):
            self.operations.append(Operation(self, method.upper(), path, name, handler, auth))
            return handler
        return register

    def on_world_loaded(self, hook):
        """Decorator: ``hook(world, engine, moment)`` runs after every world load (e.g. to create jobs the world describes)."""
        self.world_hooks.append(hook)
        return hook

    def world_loaded(self, world, engine, moment):
        for hook in self.world_hooks:
            hook(world, engine, moment)

    # ---- hooks -----------------------------------------------------------------------------

    def new_request_id(self):
        return str(uuid.uuid4())

    def metric_key(self, call):
        return "%s:%s" % (self.name, call.operation.name)

    def authenticate(self, call):
        raise NotImplementedError

    def check_request(self, call):
        """Checks before authentication (e.g. that the API named in headers is the one at this path)."""

    def check_call(self, call):
        """Checks after authentication and before the handler (e.g. rate limits)."""

    def render(self, call, result):
        return json_response(result)

    def render_error(self, call, error):
        raise NotImplementedError

    def not_found(self, call):
        return ApiError(404, "NotFound", "no such API: %s %s" % (call.request.method, call.request.path))

    def missing_parameter(self, name):
        return ApiError(400, "MissingParameter", "missing parameter %s" % name)

    def invalid_body(self, detail):
        return ApiError(400, "InvalidParameter", "the request body is not valid JSON: %s" % detail)

    def fault_error(self, fault):
        code, message = self.fault_errors.get(fault.status, ("InternalError", "injected fault"))
        headers = {}
        if fault.retry_after is not None:
            headers[self.retry_after_header] = str(int(fault.retry_after))
        return ApiError(fault.status, fault.platform_code or code, fault.message or message, headers=headers)

    # ---- pipeline ------------------------------------------------------------------------------

    def install(self, app):
        for operation in self.operations:
            app.router.add_route(operation.method, route_path(operation.path), self._handler_for(operation))

    def install_fallbacks(self, app):
        fallback = Operation(self, "*", "", "NotFound", self._raise_not_found, auth=False, is_api=False)
        for prefix in self.fallback_prefixes:
            app.router.add_route("*", prefix + "{tail:.*}", self._handler_for(fallback))

    async def _raise_not_found(self, call):
        raise self.not_found(call)

    def _handler_for(self, operation):
        async def handle(request):
            return await self.dispatch(operation, request)
        handle.__name__ = "%s_%s" % (self.name, operation.name)
        return handle

    async def dispatch(self, operation, request):
        emulator = request.app[EMULATOR_KEY]
        call = Call(request, emulator, self, operation, await request.read())
        emulator.engine.advance(call.moment)
        emulator.metrics.count_request(self.metric_key(call))
        response = await self._apply_fault(call, "before")
        if response is not None:
            return response
        try:
            self.check_request(call)
            if operation.auth:
                call.principal = self.authenticate(call)
            self.check_call(call)
            try:
                result = await operation.handler(call)
            except ApiError as error:
                # Raised by the operation itself, not by the gateway in front of it: some platforms shape the two apart (SAE).
                error.from_operation = operation.is_api
                raise
            response = result if isinstance(result, web.StreamResponse) else self.render(call, result)
        except ApiError as error:
            response = self.render_error(call, error)
        replaced = await self._apply_fault(call, "after", response)
        if replaced is not None:
            response = replaced
        response.headers[self.request_id_header] = call.request_id
        return response

    async def _apply_fault(self, call, when, response=None):
        """None to carry on, or the response that replaces the normal one (``response``: the normal one, after the handler)."""
        fault = call.emulator.faults.request_fault(self.name, call.request.method, call.request.path, when)
        if fault is None:
            return None
        if fault.kind == "delay":
            await asyncio.sleep(fault.delay_seconds)
            return None
        if fault.kind == "reset":
            reset_connection(call.request)
            # Nothing reaches the client: aiohttp finds the transport closed and drops this response.
            return web.Response(status=499)
        if fault.kind == "bad_body":
            replaced = bad_body_response(fault, response)
        elif fault.kind == "redirect":
            replaced = web.Response(status=fault.status, headers={"Location": fault.location}, text="")
        else:
            replaced = self.render_error(call, self.fault_error(fault))
        replaced.headers[self.request_id_header] = call.request_id
        return replaced


def bad_body_response(fault, response):
    """A 2xx that is not the API's answer: empty, the real answer cut short, an HTML page, plain text, or foreign JSON."""
    if fault.body is not None:
        body, content_type = fault.body, fault.content_type or "text/plain"
    elif fault.body_kind == "empty":
        body, content_type = "", fault.content_type or "application/json"
    elif fault.body_kind == "truncated":
        whole = response.text if isinstance(response, web.Response) and response.text else '{"RequestId": "0", "Data": {"Items": [{"Id": 1}]}}'
        body, content_type = whole[:max(1, len(whole) // 2)], fault.content_type or "application/json"
    elif fault.body_kind == "html":
        body = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        content_type = fault.content_type or "text/html"
    elif fault.body_kind == "text":
        body, content_type = "OK", fault.content_type or "text/plain"
    elif fault.body_kind == "json_null":
        body, content_type = "null", fault.content_type or "application/json"
    else:  # json_foreign: valid JSON, but a proxy's, not the platform's
        body, content_type = '"accepted"', fault.content_type or "application/json"
    return web.Response(status=fault.status, body=body.encode("utf-8"), headers={"Content-Type": content_type})


_BARE_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def route_path(path):
    """``path`` with every bare ``{name}`` matching any one segment.

    aiohttp's default for ``{name}`` is ``[^{}/]+``: an id with a brace (which the platforms allow, percent-encoded on the
    wire) would match no route and answer 404 although it exists. Placeholders with their own pattern keep it.
    """
    return _BARE_PLACEHOLDER.sub(lambda match: "{%s:[^/]+}" % match.group(1), path)


def reset_connection(request):
    """Drop the TCP connection with an RST and no HTTP response (clients see a connection reset)."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()
