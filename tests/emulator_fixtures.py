# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures that run the platform emulator (tests/emulator) as a real subprocess on 127.0.0.1.

A pytest plugin (tests/conftest.py loads it), so that the emulator's own tests (tests/emulator), the collection's
(tests/integration) and the packaging checks (tests/packaging) share one set of fixtures.

Fixtures:

``emulator``
    One emulator for the whole session (default world, ``time_factor`` 0.05 so a 20 s restart takes
    1 s). Tests share it: call ``emulator.reset()`` first if you need the pristine world, or use
    ``emulator_clean``.
``emulator_clean``
    The session emulator, reset (world, jobs, faults, metrics) before the test.
``emu``
    Like ``emulator_clean``, and reset again after the test (for tests that load worlds or change settings).
``emulator_factory``
    ``emulator_factory(world=None, time_factor=None, tls=False, args=())`` starts a dedicated emulator
    (e.g. TLS, another world file, a real-time clock); everything it started is stopped after the test.
``rolling_emulator``, ``fleet``
    An emulator of the rolling world (worlds/rolling.yml) for one test module; ``fleet`` is it, reset before and
    after the test.
``private_call_budgets`` (autouse)
    ``TMPDIR`` is the test's ``tmp_path``, so the SAE call budget ledger of the ansible processes is the test's own
    (tests/unit/conftest.py has its own fixture of that name for the in-process calls of the unit tests).

An ``EmulatorProcess`` has ``.url``, ``.port``, ``.ca_path`` (TLS CA file or None), ``.pid``,
``.admin(method, path, json=None)`` (admin API call, returns decoded JSON; ``path`` relative to
``/_emulator/`` unless it starts with ``/``), ``.reset()``, ``.metrics()``, ``.state()``,
``.add_fault(**spec)``, ``.create_job(**spec)``, ``.job(job_id)``, ``.unit(unit_id)``, ``.stop()``.
The same class works outside pytest: ``with EmulatorProcess(...) as emu: ...``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
import requests
import yaml

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
EMULATOR_DIR = os.path.join(TESTS_DIR, "emulator")
DEFAULT_WORLD = os.path.join(EMULATOR_DIR, "worlds", "default.yml")
READY_LINE_PREFIX = "PAAS_EMULATOR_URL="
SESSION_TIME_FACTOR = 0.05


class EmulatorStartError(RuntimeError):
    """The emulator exited or did not print its URL in time; the message carries its stderr."""


class EmulatorProcess:
    """A running ``python -m paas_emulator`` (start with ``start()`` or as a context manager)."""

    def __init__(self, world=None, time_factor=None, tls=False, args=(), start_timeout=30.0):
        self.world = world or DEFAULT_WORLD
        self.time_factor = time_factor
        self.tls = tls
        self.extra_args = list(args)
        self.start_timeout = start_timeout
        self.workdir = tempfile.mkdtemp(prefix="paas-emulator-")
        self.stderr_path = os.path.join(self.workdir, "stderr.log")
        self.process = None
        self.url = None
        self.port = None
        self.ca_path = None
        self.pid = None
        self.session = requests.Session()
        self.session.trust_env = False  # never send 127.0.0.1 through a proxy from the environment

    # ---- life cycle -----------------------------------------------------------------------

    def command(self):
        command = [sys.executable, "-m", "paas_emulator", "--world", self.world, "--host", "127.0.0.1", "--port", "0",
                   "--ready-file", os.path.join(self.workdir, "ready.json")]
        if self.time_factor is not None:
            command += ["--time-factor", str(self.time_factor)]
        if self.tls:
            command += ["--tls", "--cert-dir", os.path.join(self.workdir, "tls")]
        return command + self.extra_args

    def start(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([EMULATOR_DIR] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        env["PYTHONUNBUFFERED"] = "1"
        stdout_path = os.path.join(self.workdir, "stdout.log")
        with open(stdout_path, "wb") as stdout, open(self.stderr_path, "wb") as stderr:
            # pylint: disable-next=consider-using-with
            self.process = subprocess.Popen(self.command(), stdout=stdout, stderr=stderr, env=env, cwd=self.workdir)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            with open(stdout_path, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if line.startswith(READY_LINE_PREFIX) and line.endswith("\n"):
                        self._ready(line[len(READY_LINE_PREFIX):].strip())
                        return self
            if self.process.poll() is not None:
                raise EmulatorStartError("emulator exited with %s: %s" % (self.process.returncode, self.stderr()))
            time.sleep(0.05)
        self.stop()
        raise EmulatorStartError("emulator printed no URL within %.0f s: %s" % (self.start_timeout, self.stderr()))

    def _ready(self, url):
        self.url = url
        with open(os.path.join(self.workdir, "ready.json"), encoding="utf-8") as handle:
            info = json.load(handle)
        self.port = info["port"]
        self.ca_path = info["ca_path"]
        self.pid = info["pid"]
        self.session.verify = self.ca_path if self.ca_path else True

    def stderr(self):
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as handle:
                return handle.read()[-4000:]
        except OSError:
            return ""

    def stop(self, timeout=10.0, keep_files=False):
        """SIGTERM, then SIGKILL if it has not exited within ``timeout``; returns the exit code.

        The work directory (logs, ready file, TLS files) is removed unless ``keep_files``.
        """
        self.session.close()
        returncode = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout)
            returncode = self.process.returncode
        if not keep_files:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ---- admin API ------------------------------------------------------------------------------

    def admin(self, method, path, json=None, expect_status=None):  # pylint: disable=redefined-outer-name
        """Call the admin API and return the decoded JSON body; raises on an unexpected status."""
        if not path.startswith("/"):
            path = "/_emulator/" + path
        response = self.session.request(method, self.url + path, json=json, timeout=30)
        if expect_status is not None and response.status_code != expect_status:
            raise AssertionError("%s %s -> %s %s" % (method, path, response.status_code, response.text))
        if expect_status is None and response.status_code >= 400:
            raise AssertionError("%s %s -> %s %s" % (method, path, response.status_code, response.text))
        return response.json()

    def reset(self):
        return self.admin("POST", "reset")

    def load_default_world(self, changes):
        """The default world at the session's time factor after ``changes(world)``, loaded (``emu`` resets it after the test)."""
        with open(DEFAULT_WORLD, encoding="utf-8") as handle:
            world = yaml.safe_load(handle)
        world["settings"]["time_factor"] = SESSION_TIME_FACTOR
        changes(world)
        return self.admin("PUT", "world", json=world)

    def metrics(self):
        return self.admin("GET", "metrics")

    def state(self):
        return self.admin("GET", "state")

    def settings(self, **changes):
        return self.admin("PUT", "settings", json=changes)

    def add_fault(self, **spec):
        return self.admin("POST", "faults", json=spec)["id"]

    def create_job(self, **spec):
        return self.admin("POST", "jobs", json=spec)["job"]

    def job(self, job_id):
        return self.admin("GET", "jobs/" + job_id)

    def unit(self, unit_id):
        return self.admin("GET", "units/" + unit_id)


@pytest.fixture(autouse=True)
def private_call_budgets(tmp_path, monkeypatch):
    """The ansible processes of each test keep their SAE call budget ledger in the test's own temporary directory.

    The ledger (``_retry.CallBudget``) is shared by every process of the user that calls one endpoint with one
    AccessKey, as SAE's quota is the user's. Tests share the session emulator, so without this the calls of all
    earlier tests would count against a later one, which would wait for the quota instead of testing its timing.
    """
    monkeypatch.setenv("TMPDIR", str(tmp_path))


@pytest.fixture(scope="session")
def emulator():
    """The session's shared emulator (default world, time factor 0.05)."""
    with EmulatorProcess(time_factor=SESSION_TIME_FACTOR) as process:
        yield process


@pytest.fixture
def emulator_clean(emulator):  # pylint: disable=redefined-outer-name
    """The shared emulator, reset to the pristine default world before the test."""
    emulator.reset()
    return emulator


@pytest.fixture
def emu(emulator_clean):  # pylint: disable=redefined-outer-name
    """The shared emulator, pristine before the test and reset after it too (faults, loaded worlds, settings and metrics do not leak)."""
    yield emulator_clean
    emulator_clean.reset()


@pytest.fixture
def emulator_factory():
    """Start dedicated emulators: ``emulator_factory(world=None, time_factor=None, tls=False, args=())``."""
    started = []

    def start(world=None, time_factor=None, tls=False, args=()):
        process = EmulatorProcess(world=world, time_factor=time_factor, tls=tls, args=args).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="module")
def rolling_emulator():
    """An emulator of the rolling world (worlds/rolling.yml) for one test module."""
    with EmulatorProcess(world=os.path.join(EMULATOR_DIR, "worlds", "rolling.yml"), time_factor=0.05) as process:
        yield process


@pytest.fixture
def fleet(rolling_emulator):  # pylint: disable=redefined-outer-name
    """The rolling world, its metrics and faults cleared before and after the test."""
    rolling_emulator.reset()
    yield rolling_emulator
    rolling_emulator.reset()
