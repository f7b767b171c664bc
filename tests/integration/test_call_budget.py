# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SAE's quota (60 calls a minute) is the user's: module processes running side by side share one call budget.

A rolling restart runs one module process per batch; a budget per process let each batch spend a whole minute's
quota afresh. Here two real ansible processes read the 40-application fleet at the same moment, 62 calls together,
against an emulator that enforces the real limit: neither may be throttled. The limit is counted over a real minute
(the emulator's time factor scales job durations, not its rate window), so the last two calls wait about a minute.
"""

from __future__ import annotations

import os
import stat
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.paas.ops.tests.emulator_fixtures import EMULATOR_DIR
from ansible_collections.paas.ops.tests.integration.ansible_cli import run_module

FLEET_WORLD = os.path.join(EMULATOR_DIR, 'worlds', 'fleet.yml')
KEY = dict(alibaba_access_key_id='LTAIdemoAccessKeyId01', alibaba_access_key_secret='demoAlibabaAccessKeySecret01',
           alibaba_region_id='cn-hangzhou')
NAMES = ['svc-%02d' % number for number in range(1, 41)]


def test_module_processes_side_by_side_share_the_sae_quota(emulator_factory, tmp_path):
    fleet = emulator_factory(world=FLEET_WORLD, time_factor=0.05)
    assert fleet.state()['settings']['alibaba_rate_limit_per_minute'] == 60

    def read_fleet(names):
        # Check mode: one ListApplications and one status read per application, nothing changed. retries=0, so a
        # throttled call fails the run at once instead of being retried after the gateway's x-acs-retry-after.
        args = dict(platform='sae', endpoint=fleet.url, namespace_id='cn-hangzhou:fleet', app_names=names, action='restart',
                    retries=0, **KEY)
        return run_module('paas.ops.app_operation', args, args=['--check'], timeout=240)

    started = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(read_fleet, [NAMES[:30], NAMES[10:]]))
    elapsed = time.monotonic() - started

    metrics = fleet.metrics()
    assert metrics['throttled_total'] == 0, metrics['throttled']
    for run in runs:
        assert run.rc == 0, run.output
        assert len(run.adhoc_result()['applications']) == 30
    assert metrics['requests_total'] == 62 and metrics['requests']['sae:DescribeApplicationStatus'] == 60
    assert elapsed > 50  # the calls beyond the 60th waited for the minute to pass: the budget was one
    # The ledger is in the temporary directory, which is tmp_path here (the private_call_budgets fixture).
    (ledger,) = [entry for entry in os.listdir(str(tmp_path)) if entry.startswith('paas-ops-budget-')]
    assert stat.S_IMODE(os.stat(str(tmp_path / ledger)).st_mode) == 0o600
