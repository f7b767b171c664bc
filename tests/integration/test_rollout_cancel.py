# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A Ctrl-C in the middle of a rollout: SIGINT to ansible-playbook's process group, as a terminal sends it. The run stops
sending, aborts the SAE change order of the batch in flight, and a run given the marker restarts each target once.
(ansible-runner's cancel, a SIGKILL to that group: tests/packaging/test_rollout_runner.py.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess

from ansible_collections.paas.ops.tests.integration.ansible_cli import DEMO_VARS, PLAYBOOKS, _environment, _executable
from ansible_collections.paas.ops.tests.integration.rolling_world import (MARKER_LINE, STOREFRONT, STOREFRONT_INSTANCES, processes_of, restarts_sent,
                                                                          rollout, two_batch_world, wait_for)


def test_ctrl_c_in_batch_2_aborts_its_change_order_and_the_marker_resumes_without_restarting_twice(emulator_factory, tmp_path):
    # Restart steps of 2 s: the SIGINT reaches the rollout at once (ansible-playbook forwards it to its workers).
    emulator = emulator_factory(world=two_batch_world(tmp_path), time_factor=0.5)
    variables = dict(paas_endpoint=emulator.url, rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size='4')
    command = [_executable('ansible-playbook'), os.path.join(PLAYBOOKS, 'rolling_restart.yml'), '-e', '@' + DEMO_VARS, '-e', json.dumps(variables)]
    # Its own session and process group, as a shell's foreground job: the SIGINT goes to the group.
    with subprocess.Popen(command, env=_environment({}), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True) as run:
        try:
            wait_for('the change order of batch 2', lambda: len(restarts_sent(emulator)) == 2)
            os.killpg(run.pid, signal.SIGINT)
            output = run.communicate(timeout=60)[0]
        finally:
            if run.poll() is None:
                run.kill()
    # ansible-playbook's own answer to an interrupt.
    assert run.returncode == 99 and 'User interrupted execution' in output, output

    aborts = wait_for('the abort of batch 2', lambda: [action for action in emulator.metrics()['actions'] if action['operation'] == 'AbortChangeOrder'])
    # The worker, orphaned by ansible-playbook's exit, ends once its cleanup is done.
    wait_for('the end of the rollout\'s worker', lambda: not processes_of(emulator.url))
    first, second = restarts_sent(emulator)
    assert (first['targets'], second['targets']) == (STOREFRONT_INSTANCES[0:4], STOREFRONT_INSTANCES[4:8])
    assert [abort['job_id'] for abort in aborts] == [second['job_id']]
    assert [action['operation'] for action in emulator.metrics()['actions']] == ['RestartInstances', 'RestartInstances', 'AbortChangeOrder']
    assert emulator.metrics()['restarts'] == dict((target, 1) for target in STOREFRONT_INSTANCES[0:6])
    markers = [MARKER_LINE.match(line).group(1) for line in output.splitlines() if MARKER_LINE.match(line)]
    assert len(markers) == 1, output

    resumed, result = rollout(emulator, rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size='4',
                              rolling_restart_restarted_after=float(markers[0]))

    assert resumed.rc == 0, resumed.output
    assert emulator.metrics()['restarts'] == dict((target, 1) for target in STOREFRONT_INSTANCES)
    assert result['restarted'] == STOREFRONT_INSTANCES[6:]
