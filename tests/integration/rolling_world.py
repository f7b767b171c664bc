# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rolling world (tests/emulator/worlds/rolling.yml) as the rolling-restart tests see it: its ids, and a rollout of
the rolling_restart role over it with the result the test playbook prints."""

from __future__ import annotations

import json
import os
import re
import time

import yaml

from ansible_collections.paas.ops.tests.emulator_fixtures import EMULATOR_DIR
from ansible_collections.paas.ops.tests.integration.ansible_cli import run_playbook

ROLLING_WORLD = os.path.join(EMULATOR_DIR, 'worlds', 'rolling.yml')
STOREFRONT = '5ae00000-0000-4000-8000-000000000001'
INVENTORY = 'eda50000-0000-4000-8000-000000000001'
SHOP = '55a90000-0000-4000-8000-000000000001'
STOREFRONT_INSTANCES = ['storefront-%02d' % n for n in range(1, 13)]
# inventory's 8th ECC is stopped: a rolling restart leaves it so.
ECCS = ['ecc00000-0000-4000-8000-00000000000%d' % n for n in range(1, 9)]
COMPONENTS = ['55c00000-0000-4000-8000-0000000000%02d' % n for n in range(1, 13)]
MALL = ['1a1100000000400080000000000000%02d' % n for n in range(1, 13)]
# mall's 11th component, review, is closed: a rolling restart leaves it so.
MALL_RUNNING = MALL[:10] + MALL[11:]
# The line the engine says before the first batch: the marker a stopped or cancelled run goes on with.
MARKER_LINE = re.compile(r'^rolling restart marker ([0-9.]+): a run that stops or is cancelled goes on with rolling_restart_restarted_after=\1$')


def rollout(emulator, check=False, playbook='rolling_restart.yml', env=None, **variables):
    """Run tests/integration/playbooks/rolling_restart.yml (or ``playbook``, which prints its result the same way); return the
    run and the role's rolling_restart_result."""
    run = run_playbook(playbook, dict(paas_endpoint=emulator.url, **variables), env=env, args=['--check'] if check else ())
    match = re.search(r'ROLLING_RESULT=(\{.*\})"', run.stdout)
    return run, (json.loads(match.group(1).replace('\\"', '"')) if match else None)


# For the cancel tests (tests/integration/test_rollout_cancel.py, tests/packaging/test_rollout_runner.py).

def two_batch_world(tmp_path):
    """The rolling world with storefront's change orders in two batches of their own: an order aborted during its first
    batch never reaches the targets of its second."""
    with open(ROLLING_WORLD, encoding='utf-8') as handle:
        world = yaml.safe_load(handle)
    storefront = [app for namespace in world['alibaba']['sae']['namespaces'] for app in namespace['applications'] if app['id'] == STOREFRONT][0]
    storefront['update_strategy']['batchUpdate']['batch'] = 2
    path = str(tmp_path / 'world.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(world, handle)
    return path


def wait_for(what, check, seconds=60):
    """Poll ``check()`` until it returns something true; fail naming ``what`` when it never does."""
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError('never happened: %s' % what)


def restarts_sent(emulator):
    return [action for action in emulator.metrics()['actions'] if action['operation'] == 'RestartInstances']


def processes_of(directory):
    """The processes whose command line names ``directory`` (ansible-playbook and its workers run the job's files)."""
    found = []
    for pid in os.listdir('/proc'):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                if directory.encode() in handle.read():
                    found.append(int(pid))
        except (OSError, ValueError):
            continue
    return found
