# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the paas.ops rolling restart against the platform emulator (a script, not a test).

    .venv/bin/python tests/benchmark/run.py [--only overhead,baseline,servicestage,remote,calls,applications,reads,growth]
                                            [--sizes 100,1000,10000]
                                            [--platforms rainbond,servicestage]
                                            [--collections-path DIR] [--run-timeout 900]

Every part starts its own emulator (tests/emulator_fixtures.py's EmulatorProcess) at time factor 1.0, so job
durations are real seconds and the physical lower bound means something, and runs real ``ansible-playbook``:

overhead   the role (rolling_collection.yml) upgrading the 60 components of the bench world's Rainbond app in batches
           of 10: (wall time - (sum of the batches' job durations + pauses)) / batches, and its API calls.
baseline   the same rollout written with ansible.builtin.uri (baseline_uri.yml), on the same fresh world: wall time,
           overhead per batch by the same formula, API calls (emulator metrics ``requests_total`` and per operation).
servicestage  the same pair on the bench world's ServiceStage application (60 v3 components, restart jobs of 4 s, one job
           per component): the role (rolling_collection.yml with benchmark_platform=servicestage, AK/SK signing) and
           baseline_servicestage_uri.yml (an IAM token, a restart action per component, each job polled with ``until``
           every 5 s), each on a fresh world, in batches of 10; the same figures. A batch's jobs run side by side, so its
           lower bound is the longest of them, not their sum.
remote     the role on the same ServiceStage application with rolling_restart_run_on=host: the listing and each batch run as
           modules (paas.ops.instance_info, paas.ops.batch_restart) through the task's connection, as on a host that is not
           the controller, progress and policy staying on the controller; the same figures, beside the in-process run.
calls      the role restarting the 40 SAE applications of worlds/fleet.yml (SAE's real limit of 60 calls a minute,
           20 s restarts) in batches of 10 (sae_fleet.yml): API calls per restarted target and throttled answers.
applications  the role rolling APPLICATIONS_TOTAL SAE applications spread over APPLICATIONS_NAMESPACES namespaces of one account
           (a generated fleet world: 2 instances each, 20 s restarts, SAE's 60 calls a minute), one namespace per entry of
           rolling_restart_applications, rolling_restart_parallel_applications 10, batches of 10 (sae_applications.yml):
           throttled answers, API calls, and wall time against its floor, the larger of the jobs' (one namespace's batches one
           after the other, the namespaces side by side) and the call budget's (N calls at 60 in any 60 s take at least
           floor((N - 1) / 60) minutes).
reads      the role restarting the instances of an SAE application and the ECCs of an EDAS application of worlds/rolling.yml
           in batches of 3 (alibaba_rolling.yml), each with this checkout's collection and with the collection at
           ``--compare-ref`` (default: the last commit before the platform registry), on a fresh world each: API calls
           by operation side by side.
growth     the role over generated Rainbond apps and ServiceStage applications of 100, 1,000 and 10,000 components (0.2 s
           upgrades and restarts, batches of 10 %): controller CPU time and peak RSS, per run and per target, and each size's
           per-target figures as a ratio of the smallest size's in the same run (flat = about 1). ServiceStage lists past
           1,000 components only page by page (at most 100 a page), so this also measures the paging.

Every ansible-playbook runs under a fresh wrapper process (this script with ``--measure-child``) that reports
``getrusage(RUSAGE_CHILDREN)`` after it: CPU time of ansible-playbook and every worker it forked (the emulator is not
among them), and ``ru_maxrss``, the peak RSS of the largest single one of those processes (not their sum). The figures
go to results.md (a table and the exact commands) and results.json beside this file; parts not run keep their
previous figures there. The collection is found as tests/conftest.py finds it for pytest (a temporary
``ansible_collections`` tree linking this checkout), unless ``--collections-path`` names a directory that holds
``ansible_collections/paas/ops``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

import yaml

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(BENCH_DIR)
ROOT = os.path.dirname(TESTS_DIR)
WORLDS_DIR = os.path.join(TESTS_DIR, "emulator", "worlds")
BENCH_WORLD = os.path.join(WORLDS_DIR, "bench.yml")
FLEET_WORLD = os.path.join(WORLDS_DIR, "fleet.yml")
PARTS = ("overhead", "baseline", "servicestage", "remote", "calls", "applications", "deploys", "reads", "growth")
ROLLING_WORLD = os.path.join(WORLDS_DIR, "rolling.yml")
# The collection the reads part compares with: the last commit before the platform registry (issue 14), whose EDAS and SAE
# instance batches read again what listing the batch had just read.
COMPARE_REF = "e220563842b20f455d614b1dcd2e4b4e7c5d539e"
# The rolling world's instance fleets (tests/integration/rolling_world.py names the same ids): SAE storefront's 12 instances,
# EDAS inventory's 8 ECCs (one stopped, left so).
READS_FLEETS = (("sae", "5ae00000-0000-4000-8000-000000000001", "storefront, 12 instances"),
                ("edas", "eda50000-0000-4000-8000-000000000001", "inventory, 7 running ECCs and 1 stopped"))
READS_BATCH_SIZE = 3

# The bench world's Rainbond app and its connection (tests/emulator/worlds/bench.yml).
BENCH_APP_ID = 2
BENCH_BATCH_SIZE = 10
# The bench world's ServiceStage application (60 v3 components, restart 4 s).
BENCH_SERVICESTAGE_APP_ID = "55be4c00-0000-4000-8000-000000000001"
FLEET_NAMESPACE = "cn-hangzhou:fleet"
FLEET_BATCH_SIZE = 10
APPLICATIONS_TOTAL = 200
APPLICATIONS_NAMESPACES = 5
APPLICATIONS_PARALLEL = 10
APPLICATIONS_BATCH_SIZE = 10
# The deploys part: 20 SAE applications of 2 instances (deploy 10 s) behind SAE's 60 calls a minute, in batches of 5; the
# bench world's 60 ServiceStage components (deploy 4 s), in batches of 10.
DEPLOYS_SAE_APPLICATIONS = 20
DEPLOYS_SAE_BATCH_SIZE = 5
DEPLOYS_SAE_SECONDS = 10
DEPLOYS_SERVICESTAGE_BATCH_SIZE = 10
DEPLOYS_SERVICESTAGE_SECONDS = 4
GROWTH_SIZES = (100, 1000, 10000)
GROWTH_PLATFORMS = ("rainbond", "servicestage")
GROWTH_UPGRADE_SECONDS = 0.2

STARTED = time.monotonic()


def progress(message):
    elapsed = int(time.monotonic() - STARTED)
    print("[%02d:%02d] %s" % (elapsed // 60, elapsed % 60, message), file=sys.stderr, flush=True)


# ---- the measuring wrapper (a fresh process per playbook run) ------------------------------------------------------


def measure_child(usage_file, command):
    """Run ``command``, then write its wall time and ``getrusage(RUSAGE_CHILDREN)`` to ``usage_file``; exit with its status."""
    started = time.monotonic()
    returncode = subprocess.call(command)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(usage_file, "w", encoding="utf-8") as handle:
        json.dump({"rc": returncode, "wall_seconds": wall, "cpu_user_seconds": usage.ru_utime, "cpu_system_seconds": usage.ru_stime,
                   "maxrss_kib": usage.ru_maxrss}, handle)
    return returncode


# ---- setting up the collection and the emulator ----------------------------------------------------------------------


def use_collections(collections_path):
    """Make ``ansible_collections.paas.ops`` importable here and found by ansible-playbook; returns the tree used."""
    if collections_path:
        collections_path = os.path.abspath(collections_path)
        if not os.path.isdir(os.path.join(collections_path, "ansible_collections", "paas", "ops")):
            raise SystemExit("--collections-path %s holds no ansible_collections/paas/ops" % collections_path)
        sys.path.insert(0, collections_path)
        for variable in ("ANSIBLE_COLLECTIONS_PATH", "PYTHONPATH"):
            os.environ[variable] = os.pathsep.join([collections_path] + [e for e in os.environ.get(variable, "").split(os.pathsep) if e])
        return collections_path
    # tests/conftest.py sets up sys.path, ANSIBLE_COLLECTIONS_PATH and PYTHONPATH when imported (as pytest does).
    spec = importlib.util.spec_from_file_location("paas_ops_tests_conftest", os.path.join(TESTS_DIR, "conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._collections_dir()  # pylint: disable=protected-access


def tools():
    """EmulatorProcess and the ansible-playbook helpers of the integration tests (imported once the collection is set up)."""
    from ansible_collections.paas.ops.tests.integration import ansible_cli  # pylint: disable=import-outside-toplevel
    from ansible_collections.paas.ops.tests.emulator_fixtures import EmulatorProcess  # pylint: disable=import-outside-toplevel
    return EmulatorProcess, ansible_cli


def tail_of(path, size=6000):
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()[-size:]


class Runner:
    """Runs playbooks under the measuring wrapper and keeps the exact commands for results.md."""

    def __init__(self, args, scratch):
        self.args = args
        self.scratch = scratch
        self.emulator_process, self.ansible_cli = tools()
        self.commands = []
        self.count = 0

    def emulator(self, world):
        progress("emulator: starting %s at time factor 1.0" % os.path.relpath(world, ROOT))
        return self.emulator_process(world=world, time_factor=1.0).start()

    def playbook(self, label, playbook, extra_vars, url, collections_path=None, collections_path_label=None):
        """Run one playbook; returns its measurements (and the role's result, when the playbook saved one).

        ``collections_path``: a directory holding another ``ansible_collections/paas/ops`` that this run uses instead (the git
        revision it holds is ``collections_path_label``)."""
        self.count += 1
        usage_file = os.path.join(self.scratch, "usage-%d.json" % self.count)
        result_file = os.path.join(self.scratch, "result-%d.json" % self.count)
        log_file = os.path.join(self.scratch, "run-%d.log" % self.count)
        # key=value extra vars (strings; the playbooks cast them), so that the command shown is the command run.
        pairs = ["%s=%s" % item for item in extra_vars.items()]
        command = [self.ansible_cli._executable("ansible-playbook"), playbook]  # pylint: disable=protected-access
        for pair in pairs + ["benchmark_result_file=" + result_file]:
            command += ["-e", pair]
        shown = " ".join("-e " + shlex.quote(pair).replace(url, "$EMULATOR_URL") for pair in pairs)
        # Another collection is named by where it came from: a git archive of the revision (the reads part).
        using = "ANSIBLE_COLLECTIONS_PATH=<git archive of %s> " % collections_path_label if collections_path else ""
        self.commands.append({"part": label, "command": "%sansible-playbook %s %s" % (using, os.path.relpath(playbook, ROOT), shown)})
        progress("%s: ansible-playbook %s" % (label, os.path.relpath(playbook, ROOT)))
        environment = self.ansible_cli._environment(None)  # pylint: disable=protected-access
        if collections_path:
            environment.update(ANSIBLE_COLLECTIONS_PATH=collections_path, PYTHONPATH=collections_path)
        wrapper = [sys.executable, os.path.abspath(__file__), "--measure-child", usage_file, "--"] + command
        with open(log_file, "w", encoding="utf-8") as log:
            try:
                # A new session: on a timeout the whole run (wrapper, ansible-playbook, its workers) is killed.
                process = subprocess.Popen(wrapper, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
                process.wait(timeout=self.args.run_timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise SystemExit("%s: ansible-playbook did not finish within %d s:\n%s" % (label, self.args.run_timeout, tail_of(log_file))) from None
        with open(usage_file, encoding="utf-8") as handle:
            usage = json.load(handle)
        if usage["rc"] != 0:
            raise SystemExit("%s: ansible-playbook failed (exit %s):\n%s" % (label, usage["rc"], tail_of(log_file)))
        measured = {"wall_seconds": round(usage["wall_seconds"], 3),
                    "cpu_seconds": round(usage["cpu_user_seconds"] + usage["cpu_system_seconds"], 3),
                    "peak_rss_mib": round(usage["maxrss_kib"] / 1024.0, 1)}
        if os.path.exists(result_file):
            with open(result_file, encoding="utf-8") as handle:
                measured["role_result"] = json.load(handle)
        progress("%s: %.1f s wall, %.1f s CPU, %.0f MiB peak RSS" % (label, measured["wall_seconds"], measured["cpu_seconds"],
                                                                     measured["peak_rss_mib"]))
        return measured


# ---- figures from the emulator ----------------------------------------------------------------------------------------


def job_duration(world, platform_name, action):
    """Seconds one unit takes for ``action`` in ``world`` (as the emulator's World.job_duration, without unit overrides)."""
    durations = world["jobs"]["durations"]
    for scope in (platform_name, "default"):
        if action in (durations.get(scope) or {}):
            return float(durations[scope][action])
    raise KeyError(action)


def physical_lower_bound(emulator, batches=None):
    """The platform's own time for the jobs that ran, their number, and the number of rounds they ran in: per job, its batches
    one after the other, every target of a batch at once for the world's duration of the action (an SAE order over
    applications of 2 instances has 2 batches).

    Rounds run one after the other, as a rolling restart's batches do; the jobs of one round run side by side and count once,
    as the longest of them (ServiceStage runs one job per component, a batch's jobs together). A round is one of ``batches``
    (lists of target ids, the rollout's own batches) when a job's targets are all in that one, else a run of jobs that overlap
    in time. The world files here have no batch waits."""
    state = emulator.state()
    factor = float(state["settings"]["time_factor"])
    jobs = sorted((job for job in state["jobs"] if job["operation"] != "WorldRunningEvent"), key=lambda job: job["created_epoch"])
    batch_of = dict((target, index) for index, targets in enumerate(batches or []) for target in targets)
    rounds = []  # [batch index or None, end of the round's jobs, longest job]
    for job in jobs:
        nominal = job["batch_count"] * job_duration(state["world"], job["platform"], job["action"]) * factor
        start = float(job["created_epoch"])
        owners = set(batch_of.get(target["id"]) for target in job["targets"])
        key = owners.pop() if len(owners) == 1 else None
        last = rounds[-1] if rounds else None
        if last is not None and last[0] == key and (key is not None or start < last[1]):
            last[1], last[2] = max(last[1], start + nominal), max(last[2], nominal)
        else:
            rounds.append([key, start + nominal, nominal])
    return sum(longest for _key, _end, longest in rounds), len(jobs), len(rounds)


def api_calls(metrics):
    return {"requests_total": metrics["requests_total"], "requests": metrics["requests"], "throttled_total": metrics["throttled_total"],
            "throttled": metrics["throttled"], "restarted_units": len(metrics["restarts"]), "restarts_total": sum(metrics["restarts"].values())}


def rollout_figures(run, emulator, pause_seconds):
    """Wall time against the physical lower bound, and the API calls, of one rollout that just ran.

    The playbook's saved result, when there is one, gives the batches: the role's rolling_restart_result (batches with their
    targets and seconds), or a baseline's ``{"batches": [[target id, ...], ...]}``."""
    role = run.get("role_result") or {}
    batch_list = [batch["targets"] if isinstance(batch, dict) else batch for batch in role.get("batches") or []]
    lower_bound, jobs, rounds = physical_lower_bound(emulator, batch_list)
    calls = api_calls(emulator.metrics())
    batches = len(batch_list) or rounds
    pauses = pause_seconds * max(batches - 1, 0)
    figures = dict(run, batches=batches, platform_jobs=jobs, platform_rounds=rounds, lower_bound_seconds=round(lower_bound + pauses, 3),
                   overhead_per_batch_seconds=round((run["wall_seconds"] - lower_bound - pauses) / max(batches, 1), 3),
                   calls=calls, calls_per_target=round(calls["requests_total"] / max(calls["restarted_units"], 1), 2))
    if role.get("batches") and all(isinstance(batch, dict) and "seconds" in batch for batch in role["batches"]):
        # What the role itself reports per batch (the batch_restart call, waits included): its overhead is the part of the
        # total spent inside the module; the rest is Ansible's own per-task cost.
        figures["role_batch_seconds"] = [round(float(batch.get("seconds") or 0), 3) for batch in role["batches"]]
        figures["in_module_overhead_per_batch_seconds"] = round((sum(figures["role_batch_seconds"]) - lower_bound) / batches, 3)
    return figures


# ---- the parts ----------------------------------------------------------------------------------------------------------


def collection_playbook(args, name):
    return os.path.join(args.playbook_dir, name)


def run_overhead_and_baseline(runner, args, wanted):
    """The parts on the bench world (one emulator, a fresh world per rollout): Rainbond's overhead and baseline, ServiceStage's pair."""
    figures = {}
    emulator = runner.emulator(BENCH_WORLD)

    def rollout(label, playbook, extra_vars):
        emulator.reset()
        return rollout_figures(runner.playbook(label, playbook, extra_vars, emulator.url), emulator, 0)
    try:
        idle = os.path.join(runner.scratch, "idle.yml")
        with open(idle, "w", encoding="utf-8") as handle:
            handle.write("---\n- name: Nothing\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n"
                         "    - name: Nothing\n      ansible.builtin.debug:\n        msg: nothing\n")
        figures["startup"] = runner.playbook("startup", idle, {}, emulator.url)
        if "overhead" in wanted:
            figures["overhead"] = rollout("overhead", collection_playbook(args, "rolling_collection.yml"),
                                          {"paas_endpoint": emulator.url, "benchmark_batch_size": BENCH_BATCH_SIZE})
        if "baseline" in wanted:
            figures["baseline"] = rollout("baseline", os.path.join(BENCH_DIR, "baseline_uri.yml"),
                                          {"rainbond_url": emulator.url, "rainbond_app_id": BENCH_APP_ID, "baseline_batch_size": BENCH_BATCH_SIZE})
        if "remote" in wanted:
            figures["remote"] = rollout("remote", collection_playbook(args, "rolling_collection.yml"),
                                        {"paas_endpoint": emulator.url, "benchmark_platform": "servicestage", "benchmark_batch_size": BENCH_BATCH_SIZE,
                                         "benchmark_run_on": "host"})
        if "servicestage" in wanted:
            figures["servicestage"] = {
                "startup": figures["startup"],
                "role": rollout("servicestage role", collection_playbook(args, "rolling_collection.yml"),
                                {"paas_endpoint": emulator.url, "benchmark_platform": "servicestage", "benchmark_batch_size": BENCH_BATCH_SIZE}),
                "baseline": rollout("servicestage baseline", os.path.join(BENCH_DIR, "baseline_servicestage_uri.yml"),
                                    {"servicestage_url": emulator.url, "servicestage_application_id": BENCH_SERVICESTAGE_APP_ID,
                                     "baseline_batch_size": BENCH_BATCH_SIZE})}
    finally:
        emulator.stop()
    return figures


def run_calls(runner, args):
    emulator = runner.emulator(FLEET_WORLD)
    try:
        state = emulator.state()
        restart = job_duration(state["world"], "sae", "restart")
        limit = state["settings"]["alibaba_rate_limit_per_minute"]
        run = runner.playbook("calls", collection_playbook(args, "sae_fleet.yml"),
                              {"paas_endpoint": emulator.url, "benchmark_namespace_id": FLEET_NAMESPACE,
                               "benchmark_batch_size": FLEET_BATCH_SIZE}, emulator.url)
        figures = rollout_figures(run, emulator, 0)
        role = run.get("role_result") or {}
        restarted = len(role.get("restarted") or []) or figures["calls"]["restarted_units"]
        figures.update(restart_seconds=restart, rate_limit_per_minute=limit, restarted_targets=restarted,
                       calls_per_restarted_target=round(figures["calls"]["requests_total"] / max(restarted, 1), 2),
                       calls_per_restarted_instance=round(figures["calls"]["requests_total"] / max(figures["calls"]["restarted_units"], 1), 2))
        return figures
    finally:
        emulator.stop()


def applications_world(path):
    """The fleet world with APPLICATIONS_TOTAL applications (2 instances each) spread evenly over APPLICATIONS_NAMESPACES namespaces."""
    with open(FLEET_WORLD, encoding="utf-8") as handle:
        world = yaml.safe_load(handle)
    per_namespace = APPLICATIONS_TOTAL // APPLICATIONS_NAMESPACES
    namespaces = []
    for number in range(1, APPLICATIONS_NAMESPACES + 1):
        applications = []
        for n in range((number - 1) * per_namespace + 1, number * per_namespace + 1):
            version = "7b000000-0000-4000-8000-%012d" % n
            applications.append({"id": "5e0f1a2b-3c4d-4e5f-8a6b-%012d" % n, "name": "svc-%03d" % n, "replicas": 2, "version_id": version,
                                 "versions": [{"id": version, "type": "image", "image_url": "registry.cn-hangzhou.aliyuncs.com/fleet/svc-%03d:1.0.0" % n}],
                                 "instances": [{"id": "svc-%03d-%d" % (n, i), "ip": "10.%d.%d.%d" % (8 + n // 250, n % 250, 10 + i)} for i in range(2)]})
        namespaces.append({"id": "cn-hangzhou:ns%d" % number, "name": "ns%d" % number, "applications": applications})
    world["alibaba"]["sae"]["namespaces"] = namespaces
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(world, handle, sort_keys=False)
    return path, [namespace["id"] for namespace in namespaces]


def run_applications(runner, args):
    world, namespaces = applications_world(os.path.join(runner.scratch, "applications.yml"))
    emulator = runner.emulator(world)
    try:
        state = emulator.state()
        limit = state["settings"]["alibaba_rate_limit_per_minute"]
        run = runner.playbook("applications", collection_playbook(args, "sae_applications.yml"),
                              {"paas_endpoint": emulator.url, "benchmark_namespaces": ",".join(namespaces), "benchmark_batch_size": APPLICATIONS_BATCH_SIZE,
                               "benchmark_parallel": APPLICATIONS_PARALLEL}, emulator.url)
        calls = api_calls(emulator.metrics())
        role = run.pop("role_result", None) or {}
        # The jobs' floor: a namespace's batches one after the other, each an order over applications of 2 instances (2 of the
        # platform's batches of one instance each), the namespaces side by side.
        order_seconds = 2 * job_duration(state["world"], "sae", "restart")
        per_namespace = APPLICATIONS_TOTAL // APPLICATIONS_NAMESPACES
        jobs_floor = -(-per_namespace // APPLICATIONS_BATCH_SIZE) * order_seconds
        budget_floor = 60.0 * ((calls["requests_total"] - 1) // limit) if limit else 0.0
        return dict(run, calls=calls, applications=APPLICATIONS_TOTAL, namespaces=APPLICATIONS_NAMESPACES, parallel=APPLICATIONS_PARALLEL,
                    batch_size=APPLICATIONS_BATCH_SIZE, rate_limit_per_minute=limit, restarted=len(role.get("restarted") or []),
                    jobs_floor_seconds=jobs_floor, budget_floor_seconds=budget_floor, floor_seconds=max(jobs_floor, budget_floor),
                    calls_per_application=round(calls["requests_total"] / float(APPLICATIONS_TOTAL), 2))
    finally:
        emulator.stop()


def deploys_worlds(scratch):
    """The SAE world (fleet.yml's account and limit, one namespace of DEPLOYS_SAE_APPLICATIONS applications on image 1.0.0) and
    the ServiceStage one (bench.yml, its components' deploys taking DEPLOYS_SERVICESTAGE_SECONDS)."""
    with open(FLEET_WORLD, encoding="utf-8") as handle:
        sae = yaml.safe_load(handle)
    applications = []
    for n in range(1, DEPLOYS_SAE_APPLICATIONS + 1):
        version = "7d000000-0000-4000-8000-%012d" % n
        applications.append({"id": "5d0f1a2b-3c4d-4e5f-8a6b-%012d" % n, "name": "app-%02d" % n, "replicas": 2, "version_id": version,
                             "versions": [{"id": version, "type": "image", "image_url": "registry.example.com/bench/app:1.0.0"}],
                             "instances": [{"id": "app-%02d-%d" % (n, i), "ip": "10.30.%d.%d" % (n, 10 + i)} for i in range(2)]})
    sae["alibaba"]["sae"]["namespaces"] = [{"id": "cn-hangzhou:deploys", "name": "deploys", "applications": applications}]
    sae["jobs"]["durations"].setdefault("sae", {})["deploy"] = DEPLOYS_SAE_SECONDS
    with open(BENCH_WORLD, encoding="utf-8") as handle:
        servicestage = yaml.safe_load(handle)
    servicestage["jobs"]["durations"].setdefault("servicestage", {})["upgrade"] = DEPLOYS_SERVICESTAGE_SECONDS
    paths = []
    for name, world in (("deploys-sae.yml", sae), ("deploys-servicestage.yml", servicestage)):
        paths.append(os.path.join(scratch, name))
        with open(paths[-1], "w", encoding="utf-8") as handle:
            yaml.safe_dump(world, handle, sort_keys=False)
    return paths


def run_deploys(runner, args):
    """Rolling deploys: 20 SAE applications under the call budget, 60 ServiceStage components; wall time against the floor
    (the jobs' and, on SAE, the call budget's), calls and throttled answers."""
    sae_world, servicestage_world = deploys_worlds(runner.scratch)
    figures = {}
    for name, world, extra in (("sae", sae_world, {"benchmark_batch_size": DEPLOYS_SAE_BATCH_SIZE}),
                               ("servicestage", servicestage_world, {"benchmark_batch_size": DEPLOYS_SERVICESTAGE_BATCH_SIZE})):
        emulator = runner.emulator(world)
        try:
            limit = emulator.state()["settings"]["alibaba_rate_limit_per_minute"] if name == "sae" else None
            run = runner.playbook("deploys %s" % name, os.path.join(BENCH_DIR, "rolling_deploy.yml"),
                                  dict(extra, paas_endpoint=emulator.url, benchmark_platform=name), emulator.url)
            found = rollout_figures(run, emulator, 0)
            role = found.pop("role_result", None) or {}
            calls = found["calls"]["requests_total"]
            budget_floor = 60.0 * ((calls - 1) // limit) if limit else 0.0
            deployed = len(role.get("deployed") or [])
            found.update(platform=name, targets=deployed, rate_limit_per_minute=limit, budget_floor_seconds=budget_floor,
                         floor_seconds=max(found["lower_bound_seconds"], budget_floor), calls_per_target=round(calls / max(deployed, 1), 2))
            figures[name] = found
        finally:
            emulator.stop()
    return figures


def collection_at(ref, scratch):
    """A tree ``<scratch>/ref/ansible_collections/paas/ops`` holding the checkout's files at ``ref`` (git archive)."""
    tree = os.path.join(scratch, "ref")
    target = os.path.join(tree, "ansible_collections", "paas", "ops")
    os.makedirs(target)
    archive = subprocess.run(["git", "-C", ROOT, "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
    return tree


def run_reads(runner, args):
    old = collection_at(args.compare_ref, runner.scratch)
    emulator = runner.emulator(ROLLING_WORLD)
    rows = []
    try:
        for platform_name, application_id, described in READS_FLEETS:
            for label, collections_path in (("this checkout", None), ("at %s" % args.compare_ref[:7], old)):
                emulator.reset()
                run = runner.playbook("reads %s %s" % (platform_name, label.split(" ")[-1]), collection_playbook(args, "alibaba_rolling.yml"),
                                      {"paas_endpoint": emulator.url, "benchmark_platform": platform_name,
                                       "benchmark_application_id": application_id, "benchmark_batch_size": READS_BATCH_SIZE},
                                      emulator.url, collections_path=collections_path, collections_path_label=args.compare_ref[:7])
                figures = rollout_figures(run, emulator, 0)
                role = figures.pop("role_result", None) or {}
                figures.update(platform=platform_name, fleet=described, collection=label, restarted=len(role.get("restarted") or []),
                               calls_per_batch=round(figures["calls"]["requests_total"] / max(figures["batches"], 1), 2))
                rows.append(figures)
    finally:
        emulator.stop()
    return {"compare_ref": args.compare_ref, "batch_size": READS_BATCH_SIZE, "runs": rows}


def growth_world(size, path):
    """The bench world with ``size`` components in its Rainbond app 2 (bench) and in its ServiceStage application bench, every
    job of GROWTH_UPGRADE_SECONDS."""
    with open(BENCH_WORLD, encoding="utf-8") as handle:
        world = yaml.safe_load(handle)
    actions = ("restart", "upgrade", "deploy", "rollback", "start", "stop", "scale")
    world["jobs"]["durations"] = {"default": dict.fromkeys(actions, GROWTH_UPGRADE_SECONDS)}
    app = world["rainbond"]["teams"][0]["apps"][0]
    app["components"] = [{"service_id": "be4c%028d" % n, "alias": "grbench%04d" % n, "cname": "bench-%04d" % n, "min_node": 1}
                         for n in range(1, size + 1)]
    application = world["huawei"]["servicestage"]["applications"][0]
    environment = application["components"][0]["environment_id"]
    application["components"] = [{"id": "55be4c00-0000-4000-8000-%012d" % n, "name": "bench-%05d" % n, "environment_id": environment}
                                 for n in range(1, size + 1)]
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(world, handle, sort_keys=False)
    return path


def run_growth(runner, args):
    rows = []
    for size in args.sizes:
        world = growth_world(size, os.path.join(runner.scratch, "growth-%d.yml" % size))
        batch_size = max(size // 10, 1)
        for platform_name in args.platforms:
            emulator = runner.emulator(world)
            try:
                extra = {"paas_endpoint": emulator.url, "benchmark_batch_size": batch_size}
                if platform_name != "rainbond":
                    extra["benchmark_platform"] = platform_name
                run = runner.playbook("growth %s %d" % (platform_name, size), collection_playbook(args, "rolling_collection.yml"), extra,
                                      emulator.url)
                figures = rollout_figures(run, emulator, 0)
            finally:
                emulator.stop()
            restarted = len((run.get("role_result") or {}).get("restarted") or [])
            if restarted != size:
                raise SystemExit("growth %s %d: the role restarted %d of %d components" % (platform_name, size, restarted, size))
            figures.update(platform=platform_name, targets=size, batch_size=batch_size, restarted=restarted,
                           cpu_ms_per_target=round(1000.0 * figures["cpu_seconds"] / size, 2),
                           rss_kib_per_target=round(1024.0 * figures["peak_rss_mib"] / size, 2),
                           calls_per_target=round(figures["calls"]["requests_total"] / size, 2))
            figures.pop("role_result", None)  # 10,000 ids per run: the figures are what is kept
            rows.append(figures)
    for platform_name in args.platforms:
        # Per-target figures of each size against the smallest size's, from this one run: flat scaling keeps them near 1.
        mine = [row for row in rows if row["platform"] == platform_name]
        smallest = min(mine, key=lambda row: row["targets"]) if mine else None
        for row in mine:
            row["cpu_per_target_ratio"] = round(row["cpu_ms_per_target"] / smallest["cpu_ms_per_target"], 3)
            added = row["targets"] - smallest["targets"]
            # Peak RSS is mostly Ansible itself: what grows with the targets is the RSS above the smallest run's.
            row["rss_kib_per_added_target"] = round(1024.0 * (row["peak_rss_mib"] - smallest["peak_rss_mib"]) / added, 3) if added else 0.0
    return {"upgrade_seconds": GROWTH_UPGRADE_SECONDS, "platforms": list(args.platforms), "runs": rows}


# ---- results ----------------------------------------------------------------------------------------------------------


def environment_info():
    try:
        from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    except ImportError:
        ansible_version = "unknown"
    return {"python": platform.python_version(), "ansible_core": ansible_version, "machine": platform.machine(), "system": platform.system(),
            "cpus": os.cpu_count()}


def operations(calls, prefix):
    """``Operation count, ...`` of the calls whose metric name starts with ``prefix`` (a string or a tuple of them)."""
    return ", ".join("%s %d" % (name.split(":", 1)[1], count) for name, count in sorted(calls["requests"].items()) if name.startswith(prefix))


def rollout_table(rows, prefix):
    """The table of rollouts (the role's and its baseline's) with one column set for every platform; ``rows``: (label, figures)."""
    lines = ["| | batches | wall s | lower bound s | overhead per batch s | of which in the module s | API calls | calls per target"
             " | calls by operation | CPU s | peak RSS MiB |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, row in rows:
        if not row:
            continue
        in_module = row.get("in_module_overhead_per_batch_seconds")
        lines.append("| %s | %d | %.1f | %.1f | %.2f | %s | %d | %.2f | %s | %.1f | %.0f |" % (
            label, row["batches"], row["wall_seconds"], row["lower_bound_seconds"], row["overhead_per_batch_seconds"],
            "–" if in_module is None else "%.2f" % in_module, row["calls"]["requests_total"], row["calls_per_target"],
            operations(row["calls"], prefix), row["cpu_seconds"], row["peak_rss_mib"]))
    return lines


def markdown(results):
    lines = ["# paas.ops rolling restart benchmark", "",
             "Written by `tests/benchmark/run.py`; do not edit by hand. Emulator at time factor 1.0 (real durations).", ""]
    info = results.get("environment") or {}
    lines += ["Environment: Python %s, ansible-core %s, %s %s, %s CPUs." % (info.get("python"), info.get("ansible_core"), info.get("system"),
                                                                            info.get("machine"), info.get("cpus")), ""]
    parts = results.get("parts") or {}
    rollout = parts.get("rollout") or {}
    if rollout.get("overhead") or rollout.get("baseline"):
        lines += ["## Rainbond: 60 components in batches of 10 (bench world, upgrade 4 s)", "",
                  "Overhead per batch = (wall time - (sum of the batches' job durations + pauses)) / batches. Wall time includes",
                  "ansible-playbook's start-up (%.1f s for a one-task playbook on this machine). Measured %s." % (
                      (rollout.get("startup") or {}).get("wall_seconds", 0), rollout.get("measured_at", "?")), ""]
        lines += rollout_table([("role `paas.ops.rolling_restart`", rollout.get("overhead")), ("baseline `ansible.builtin.uri`", rollout.get("baseline"))],
                               "rainbond:")
        lines += ["", "The baseline's overhead is mostly its polling: a 3 s pause, then a status read every 5 s, so a 4 s batch is seen",
                  "done about 8 s after it started. \"Of which in the module\" is what the role's batch_restart calls report per batch minus",
                  "the job duration; the rest is Ansible's per-task cost.", ""]
    servicestage = parts.get("servicestage")
    if servicestage:
        role, baseline = servicestage.get("role") or {}, servicestage.get("baseline") or {}
        lines += ["## ServiceStage: 60 v3 components in batches of 10 (bench world, restart job 4 s)", "",
                  "One restart job per component, a batch's jobs side by side: a batch's lower bound is one job's 4 s. Same formulas as",
                  "above; wall time includes ansible-playbook's start-up (%.1f s on this machine). The role signs with AK/SK, the project" % (
                      (servicestage.get("startup") or {}).get("wall_seconds", 0)),
                  "given by id (no IAM call); the baseline logs in to IAM once (CreateToken) and takes the project id from the token.",
                  "Measured %s." % servicestage.get("measured_at", "?"), ""]
        remote = parts.get("remote") or {}
        lines += rollout_table([("role `paas.ops.rolling_restart`", role), ("role, batches as modules on the host (`run_on: host`)", remote),
                                ("baseline `ansible.builtin.uri`", baseline)], ("iam:", "servicestage:"))
        lines.append("")
        if remote:
            lines += ["The `run_on: host` row (measured %s) is the path a task takes on a host that is not the controller: the listing" % (
                      remote.get("measured_at", "?")),
                      "and each batch run as a module there (one module start each), progress and policy on the controller.", ""]
        if role and baseline:
            lines += ["Role against baseline: wall time x%.2f, API calls x%.2f (%d against %d)." % (
                role["wall_seconds"] / baseline["wall_seconds"], role["calls"]["requests_total"] / float(baseline["calls"]["requests_total"]),
                role["calls"]["requests_total"], baseline["calls"]["requests_total"]), ""]
        requests = baseline.get("calls", {}).get("requests") or {}
        waits = requests.get("servicestage:ShowJobInfo", 0) - requests.get("servicestage:UpdateComponentAction", 0)
        lines += ["Per batch the role sends one action per component, together, then polls the whole batch with one list call",
                  "(ShowComponentsInApplication) at 0, 0.5, 1.25, 2.4, 4.1 s ..., reading a job (ShowJobInfo) only when the list cannot",
                  "tell its outcome; the batch_restart module lists the application once before and once after. The baseline sends its",
                  "actions one uri call after the other and then reads each job with `until` (delay 5): every job costs a read, and a job",
                  "still running when read costs a 5 s wait and another read (%d of those in this run: where the ten uri actions of a" % waits,
                  "batch take longer than a job, its jobs have all ended by the time the first one is read).", ""]
    calls = parts.get("calls")
    if calls:
        lines += ["## SAE: the 40 applications of the fleet world in batches of 10", "",
                  "Fleet world: 80 instances, restart %.0f s, SAE's limit of %s calls a minute per user. Measured %s." % (
                      calls["restart_seconds"], calls["rate_limit_per_minute"], calls.get("measured_at", "?")), "",
                  "| restarted targets | instances restarted | API calls | calls per target | calls per instance | throttled | wall s | lower bound s"
                  " | calls by operation |",
                  "|---|---|---|---|---|---|---|---|---|",
                  "| %d | %d | %d | %.2f | %.2f | %d | %.1f | %.1f | %s |" % (
                      calls["restarted_targets"], calls["calls"]["restarted_units"], calls["calls"]["requests_total"],
                      calls["calls_per_restarted_target"], calls["calls_per_restarted_instance"], calls["calls"]["throttled_total"],
                      calls["wall_seconds"], calls["lower_bound_seconds"], operations(calls["calls"], "sae:")), ""]
        if calls["calls"]["throttled_total"]:
            lines += ["Throttled (`Throttling.User`, retried by the role): %s." % ", ".join(
                "%s %d" % (name.split(":", 1)[1], count) for name, count in sorted((calls["calls"].get("throttled") or {}).items())), ""]
    applications = parts.get("applications")
    if applications:
        lines += ["## SAE: %d applications over %d namespaces side by side, one call budget" % (applications["applications"], applications["namespaces"]), "",
                  "A generated fleet world (2 instances an application, restart 20 s, SAE's limit of %s calls a minute per user), one" % (
                      applications["rate_limit_per_minute"]),
                  "namespace per entry of `rolling_restart_applications`, %d at a time, batches of %d. The floor is the larger of the" % (
                      applications["parallel"], applications["batch_size"]),
                  "jobs' (a namespace's batches one after the other) and the call budget's (N calls, at most 60 in any 60 s, take at",
                  "least floor((N - 1) / 60) minutes). Measured %s." % applications.get("measured_at", "?"), "",
                  "| applications | restarted | API calls | calls per application | throttled | wall s | jobs floor s | call budget floor s"
                  " | wall / floor | calls by operation |",
                  "|---|---|---|---|---|---|---|---|---|---|",
                  "| %d | %d | %d | %.2f | %d | %.1f | %.1f | %.1f | %.2f | %s |" % (
                      applications["applications"], applications["restarted"], applications["calls"]["requests_total"],
                      applications["calls_per_application"], applications["calls"]["throttled_total"], applications["wall_seconds"],
                      applications["jobs_floor_seconds"], applications["budget_floor_seconds"],
                      applications["wall_seconds"] / max(applications["floor_seconds"], 1.0), operations(applications["calls"], "sae:")), ""]
    deploys = parts.get("deploys")
    if deploys:
        lines += ["## Rolling deploys: %d SAE applications and 60 ServiceStage components" % DEPLOYS_SAE_APPLICATIONS, "",
                  "The role rolling a new version (`rolling_restart_image`; on ServiceStage with `rolling_restart_version`) batch by batch:",
                  "SAE applications of 2 instances (deploy %d s, one DeployApplication order each, %s calls a minute), %d at a time;" % (
                      DEPLOYS_SAE_SECONDS, (deploys.get("sae") or {}).get("rate_limit_per_minute"), DEPLOYS_SAE_BATCH_SIZE),
                  "the bench world's 60 v3 components (deploy %d s, one ModifyComponent job each), %d at a time. The floor is the larger of" % (
                      DEPLOYS_SERVICESTAGE_SECONDS, DEPLOYS_SERVICESTAGE_BATCH_SIZE),
                  "the jobs' (the batches one after the other, each its orders' own batches) and, on SAE, the call budget's",
                  "(N calls take at least floor((N - 1) / 60) minutes). Measured %s." % deploys.get("measured_at", "?"), "",
                  "| platform | deployed | batches | API calls | calls per target | throttled | wall s | jobs floor s | call budget floor s"
                  " | wall / floor | calls by operation |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for name in ("sae", "servicestage"):
            row = deploys.get(name)
            if row:
                lines.append("| %s | %d | %d | %d | %.2f | %d | %.1f | %.1f | %.1f | %.2f | %s |" % (
                    name, row["targets"], row["batches"], row["calls"]["requests_total"], row["calls_per_target"], row["calls"]["throttled_total"],
                    row["wall_seconds"], row["lower_bound_seconds"], row["budget_floor_seconds"], row["wall_seconds"] / max(row["floor_seconds"], 1.0),
                    operations(row["calls"], name + ":")))
        lines.append("")
    reads = parts.get("reads")
    if reads:
        lines += ["## SAE instances and EDAS ECCs: the reads of a batch, against the collection at %s" % reads["compare_ref"][:7], "",
                  "The role over the rolling world's instance fleets in batches of %d, each fleet on a fresh world with this checkout's" % (
                      reads["batch_size"]),
                  "collection and with the one at %s (the last commit before the platform registry), one after the other in one run." % (
                      reads["compare_ref"][:7]),
                  "What is compared is the calls: an SAE run that follows another within a minute also waits for SAE's per-user budget",
                  "of 60 calls a minute, which the collection keeps across processes (its ledger), so its wall time is not the collection's.",
                  "Measured %s." % reads.get("measured_at", "?"), "",
                  "| fleet | collection | batches | restarted | API calls | calls per batch | calls by operation | wall s |",
                  "|---|---|---|---|---|---|---|---|"]
        for row in reads["runs"]:
            lines.append("| %s %s | %s | %d | %d | %d | %.2f | %s | %.1f |" % (
                row["platform"].upper(), row["fleet"], row["collection"], row["batches"], row["restarted"], row["calls"]["requests_total"],
                row["calls_per_batch"], operations(row["calls"], row["platform"] + ":"), row["wall_seconds"]))
        lines.append("")
        for platform_name in sorted(set(row["platform"] for row in reads["runs"])):
            mine = [row for row in reads["runs"] if row["platform"] == platform_name]
            if len(mine) == 2:
                lines.append("%s: this checkout makes %d calls against %d (x%.2f)." % (
                    platform_name.upper(), mine[0]["calls"]["requests_total"], mine[1]["calls"]["requests_total"],
                    mine[0]["calls"]["requests_total"] / float(mine[1]["calls"]["requests_total"])))
        lines.append("")
    growth = parts.get("growth")
    if growth:
        lines += ["## Growth: the role over larger Rainbond apps and ServiceStage applications", "",
                  "Generated worlds, upgrades (Rainbond) and restarts (ServiceStage) of %.1f s, batches of 10 %% of the components, all" % (
                      growth["upgrade_seconds"]),
                  "sizes and platforms in one run. CPU = user + system time of ansible-playbook and its workers (getrusage",
                  "RUSAGE_CHILDREN of a fresh wrapper process per run); peak RSS = the largest single process of the run (ru_maxrss), not a",
                  "sum. \"CPU per target x\" is the run's CPU ms per target over the smallest size's of the same platform (flat = about 1);",
                  "\"RSS KiB per added target\" is the peak RSS above the smallest size's, per target added. ServiceStage lists",
                  "page by page (100 a page): a 10,000-component listing is 100 calls. Measured %s." % growth.get("measured_at", "?"), "",
                  "| platform | components | batch size | wall s | CPU s | CPU ms per target | CPU per target x | peak RSS MiB"
                  " | RSS KiB per added target | API calls | calls per target |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in growth["runs"]:
            lines.append("| %s | %d | %d | %.1f | %.1f | %.1f | %s | %.0f | %s | %d | %.2f |" % (
                row.get("platform", "rainbond"), row["targets"], row["batch_size"], row["wall_seconds"], row["cpu_seconds"],
                row["cpu_ms_per_target"], "%.2f" % row["cpu_per_target_ratio"] if "cpu_per_target_ratio" in row else "–",
                row["peak_rss_mib"], "%.2f" % row["rss_kib_per_added_target"] if "rss_kib_per_added_target" in row else "–",
                row["calls"]["requests_total"], row["calls_per_target"]))
        lines.append("")
    lines += ["## Commands", "", "Run from the repository root:", "", "```sh"]
    for command in results.get("commands") or []:
        lines.append(command)
    lines += ["```", "", "Each part's playbook runs, against its own emulator (`$EMULATOR_URL`), as:", "", "```sh"]
    worlds = {"overhead": "tests/emulator/worlds/bench.yml", "baseline": "tests/emulator/worlds/bench.yml",
              "servicestage": "tests/emulator/worlds/bench.yml", "remote": "tests/emulator/worlds/bench.yml", "calls": "tests/emulator/worlds/fleet.yml",
              "applications": "generated by run.py: fleet.yml with %d applications over %d namespaces" % (APPLICATIONS_TOTAL, APPLICATIONS_NAMESPACES),
              "deploys": "generated by run.py: fleet.yml with %d applications, and bench.yml" % DEPLOYS_SAE_APPLICATIONS,
              "reads": "tests/emulator/worlds/rolling.yml",
              "growth": "generated by run.py: bench.yml with 100, 1000, 10000 components"}
    for part in PARTS:
        commands = (results.get("playbook_commands") or {}).get(part) or []
        if commands:
            lines.append("# %s (world %s)" % (part, worlds[part]))
            lines += commands
    lines += ["```", ""]
    return "\n".join(lines)


def save(args, figures, runner):
    os.makedirs(args.output_dir, exist_ok=True)
    json_path = os.path.join(args.output_dir, "results.json")
    results = {}
    if os.path.exists(json_path):
        with open(json_path, encoding="utf-8") as handle:
            results = json.load(handle)
    results["environment"] = environment_info()
    parts = results.setdefault("parts", {})
    rollout = parts.setdefault("rollout", {})
    # The start-up run is made whenever the bench world's emulator is; it is the Rainbond section's only when that ran.
    for key in ("startup", "overhead", "baseline") if "overhead" in figures or "baseline" in figures else ():
        if key in figures:
            rollout[key] = figures[key]
            rollout["measured_at"] = figures["measured_at"]
    for key in ("servicestage", "remote", "calls", "applications", "deploys", "reads", "growth"):
        if key in figures:
            parts[key] = dict(figures[key], measured_at=figures["measured_at"])
    command = ".venv/bin/python tests/benchmark/run.py" + "".join(" " + shlex.quote(arg) for arg in sys.argv[1:])
    results["commands"] = sorted(set((results.get("commands") or []) + [command]))
    # The commands of the parts that ran replace theirs; "growth 100" and "growth 300" are both growth's.
    ran = {}
    for entry in runner.commands:
        ran.setdefault(entry["part"].split(" ")[0], []).append(entry["command"])
    results.setdefault("playbook_commands", {}).update(ran)
    with open(json_path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2, sort_keys=True)
        handle.write("\n")
    with open(os.path.join(args.output_dir, "results.md"), "w", encoding="utf-8") as handle:
        handle.write(markdown(results))
    progress("results: %s and results.md" % os.path.relpath(json_path, ROOT))


# ---- command line --------------------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Benchmark the paas.ops rolling restart against the emulator.")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts among %s (default: all)" % ", ".join(PARTS))
    parser.add_argument("--sizes", default=",".join(str(size) for size in GROWTH_SIZES), help="component counts for growth (default: %(default)s)")
    parser.add_argument("--platforms", default=",".join(GROWTH_PLATFORMS), help="platforms for growth (default: %(default)s)")
    parser.add_argument("--collections-path", help="directory holding ansible_collections/paas/ops (default: a temporary tree linking this checkout)")
    parser.add_argument("--playbook-dir", default=BENCH_DIR, help="where rolling_collection.yml and sae_fleet.yml are (default: beside this script)")
    parser.add_argument("--output-dir", default=BENCH_DIR, help="where results.md and results.json go (default: beside this script)")
    parser.add_argument("--compare-ref", default=COMPARE_REF, help="the git revision whose collection the reads part compares with (default: %(default)s)")
    parser.add_argument("--run-timeout", type=int, default=900, help="seconds one ansible-playbook run may take (default: %(default)s)")
    args = parser.parse_args(argv)
    args.only = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(args.only) - set(PARTS))
    if unknown or not args.only:
        parser.error("--only: unknown part(s) %s; choose among %s" % (", ".join(unknown) or "(none)", ", ".join(PARTS)))
    try:
        args.sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes must be comma-separated integers")
    args.platforms = [name.strip() for name in args.platforms.split(",") if name.strip()]
    if not args.platforms or set(args.platforms) - set(GROWTH_PLATFORMS):
        parser.error("--platforms: choose among %s" % ", ".join(GROWTH_PLATFORMS))
    args.playbook_dir = os.path.abspath(args.playbook_dir)
    args.output_dir = os.path.abspath(args.output_dir)
    return args


def main(argv):
    if argv[:1] == ["--measure-child"]:
        return measure_child(argv[1], argv[3:] if argv[2:3] == ["--"] else argv[2:])
    args = parse_args(argv)
    tree = use_collections(args.collections_path)
    progress("collection: %s; parts: %s" % (os.path.join(tree, "ansible_collections", "paas", "ops"), ", ".join(args.only)))
    scratch = tempfile.mkdtemp(prefix="paas-ops-bench-")
    try:
        runner = Runner(args, scratch)
        figures = {"measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
        if set(args.only) & {"overhead", "baseline", "servicestage", "remote"}:
            figures.update(run_overhead_and_baseline(runner, args, args.only))
        if "calls" in args.only:
            figures["calls"] = run_calls(runner, args)
        if "applications" in args.only:
            figures["applications"] = run_applications(runner, args)
        if "deploys" in args.only:
            figures["deploys"] = run_deploys(runner, args)
        if "reads" in args.only:
            figures["reads"] = run_reads(runner, args)
        if "growth" in args.only:
            figures["growth"] = run_growth(runner, args)
        save(args, figures, runner)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    progress("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
