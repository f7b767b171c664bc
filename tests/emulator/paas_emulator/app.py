# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's state holder and the aiohttp application that serves every platform on one port.

Paths do not collide between platforms: Rainbond ``/openapi/``, SAE ``/pop/v1/``, EDAS ``/pop/v5/``,
Huawei IAM ``/v3/auth/`` and ``/v3/projects``, ServiceStage ``/v3/{project}/cas/`` and
``/v2/{project}/cas/``, admin ``/_emulator/``.
"""

from __future__ import annotations

from aiohttp import web

from . import admin
from .auth import HuaweiTokenStore, NonceCache, SlidingWindowLimiter
from .common import json_response, now
from .edas import EDAS
from .faults import FaultRegistry
from .huawei import IAM
from .servicestage import SERVICESTAGE  # the ServiceStage platform with its actions registered
from .jobs import JobEngine
from .metrics import Metrics
from .platform import EMULATOR_KEY
from .rainbond import RAINBOND
from .sae import SAE
from .world import load_world

# Every platform served; a new platform module only needs to be added here.
PLATFORMS = (IAM, SERVICESTAGE, SAE, EDAS, RAINBOND)


class Emulator:
    """Everything that lives for the server's lifetime: world, jobs, faults, metrics, credentials' memory."""

    def __init__(self, world_source, time_factor=None, world=None):
        self.world_source = world_source
        self.time_factor_override = time_factor
        self.faults = FaultRegistry()
        self.metrics = Metrics()
        self.world = None
        self.settings = {}
        self.engine = None
        self.nonces = NonceCache()
        self.huawei_tokens = HuaweiTokenStore()
        self.limiter = SlidingWindowLimiter()
        self.load(world if world is not None else load_world(world_source), from_start_file=world is None)

    def load(self, world, from_start_file=False):
        """Replace the world and start from a clean slate: no jobs, faults, metrics, tokens, nonces."""
        self.world = world
        time_factor = world.settings["time_factor"]
        if self.time_factor_override is not None and (from_start_file or "time_factor" not in world.explicit_settings):
            time_factor = self.time_factor_override
        self.settings = {"time_factor": float(time_factor),
                         "alibaba_rate_limit_per_minute": world.settings.get("alibaba_rate_limit_per_minute")}
        self.faults.clear()
        self.metrics.reset()
        self.nonces = NonceCache()
        self.huawei_tokens = HuaweiTokenStore()
        self.limiter = SlidingWindowLimiter()
        self.engine = JobEngine(world, self.faults, self.metrics, lambda: self.settings["time_factor"])
        for platform in PLATFORMS:
            platform.world_loaded(world, self.engine, now())

    def reset(self):
        self.load(load_world(self.world_source), from_start_file=True)


async def unknown_path(request):
    return json_response({"error": "no emulated API at %s %s" % (request.method, request.path)}, status=404)


def build_app(emulator):
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[EMULATOR_KEY] = emulator
    for platform in PLATFORMS:
        platform.install(app)
    admin.install(app)
    for platform in PLATFORMS:
        platform.install_fallbacks(app)
    app.router.add_route("*", "/{tail:.*}", unknown_path)
    return app
