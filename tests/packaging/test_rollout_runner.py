# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rollout engine under ansible-runner, run as AWX runs the rolling-restart job (tests/packaging/test_awx_job_run.py):

- its progress lines arrive as job events while the rollout task runs, each stamped as it happens, one per batch
  transition and none per poll;
- a cancel the way AWX cancels (SIGTERM to ansible-runner, which SIGKILLs ansible-playbook's process group at once) in the
  middle of batch 2 aborts that batch's SAE change order, sends nothing more, and a second job given the marker restarts
  the rest: each target exactly once over the two jobs.
"""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess

from ansible_collections.paas.ops.tests.integration.rolling_world import MARKER_LINE, ROLLING_WORLD, STOREFRONT, STOREFRONT_INSTANCES
from ansible_collections.paas.ops.tests.integration.rolling_world import processes_of, restarts_sent, two_batch_world, wait_for
from ansible_collections.paas.ops.tests.packaging.test_awx_job_run import BATCH_LINE, RUNNER_IDENT, credential_env, demo_credential_inputs, job_events
from ansible_collections.paas.ops.tests.packaging.test_awx_job_run import job_template, private_data_dir, run_job, runner_command, survey_extra_vars

PLAN_LINE = re.compile(r'^\[[^\]]+\] plan: ')
DONE_LINE = re.compile(r'^\[[^\]]+\] batch (\d+)/(\d+): done in [0-9.]+ s \((\d+) restarted, 0 failed\)$')
# The rolling world's restart takes 4 s per target step; at this time factor a step is 2 s, long enough to be seen.
TIME_FACTOR = 0.5
STEP_SECONDS = 4 * TIME_FACTOR


def sae_job(root, emulator, **answers):
    """A private data dir for the rolling-restart job of the storefront application, batches of 4."""
    template = job_template()
    extravars = survey_extra_vars(template, dict(dict(rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT,
                                                      rolling_restart_batch_size='4'), **answers), {'paas_endpoint': emulator.url})
    credentials, _secrets = credential_env(template, demo_credential_inputs(emulator))
    return private_data_dir(root, dict(credentials, ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH']), extravars), template['playbook']


def created(event):
    return datetime.datetime.fromisoformat(event['created']).timestamp()


def rollout_task_events(events):
    """The events of the rollout task: from its start to its result."""
    starts = [n for n, event in enumerate(events) if event['event'] == 'playbook_on_task_start' and
              event['event_data'].get('task_action') == 'paas.ops.rollout']
    assert len(starts) == 1, [event['event'] for event in events]
    ends = [n for n, event in enumerate(events) if n > starts[0] and event['event'] == 'runner_on_ok']
    return events[starts[0]:ends[0] + 1] if ends else events[starts[0]:]


def test_progress_lines_arrive_as_job_events_during_the_task_in_order_stamped_as_they_happen(emulator_factory, tmp_path):
    emulator = emulator_factory(world=ROLLING_WORLD, time_factor=TIME_FACTOR)
    data_dir, playbook = sae_job(str(tmp_path / 'job'), emulator)

    run = run_job(data_dir, playbook)

    assert run.returncode == 0, run.stdout + run.stderr
    events = rollout_task_events(job_events(os.path.join(data_dir, 'artifacts', RUNNER_IDENT)))
    result = events[-1]
    assert result['event'] == 'runner_on_ok' and result['event_data']['res']['rolling_restart_result']['restarted'] == STOREFRONT_INSTANCES
    printed = [event for event in events if event['event'] == 'verbose']
    lines = [event['stdout'] for event in printed]
    # The marker, the plan, then each batch's start and end, in order; nothing else (no line per poll of the platform).
    assert MARKER_LINE.match(lines[0]) and PLAN_LINE.match(lines[1]), lines
    batches = lines[2:]
    assert len(batches) == 2 * 3, lines
    assert [BATCH_LINE.match(line).group(1) for line in batches[0::2]] == ['1', '2', '3'], lines
    assert [DONE_LINE.match(line).groups() for line in batches[1::2]] == [(str(n), '3', '4') for n in (1, 2, 3)], lines
    # Each line is an event of its own, made as it was printed, before the task's result: a batch's end comes at least one
    # job step after its start (the platform's job takes that long), and the next batch starts after it.
    stamps = [created(event) for event in printed[2:]]
    assert all(later >= earlier for earlier, later in zip(stamps, stamps[1:])), stamps
    assert all(end - start >= STEP_SECONDS for start, end in zip(stamps[0::2], stamps[1::2])), stamps
    assert created(result) >= stamps[-1] and stamps[-1] - stamps[0] >= 3 * STEP_SECONDS, stamps
    assert all(event['counter'] < result['counter'] for event in printed)


def test_an_ansible_runner_cancel_in_batch_2_aborts_its_change_order_and_the_marker_resumes_without_restarting_twice(emulator_factory, tmp_path):
    # ansible-runner looks at its cancel once per read of the job's output, at least every pexpect_timeout (5 s, AWX's too):
    # the SIGKILL may come that long after the signal. A step of 8 s keeps the order in its first batch until then.
    emulator = emulator_factory(world=two_batch_world(tmp_path), time_factor=2.0)
    data_dir, playbook = sae_job(str(tmp_path / 'cancelled'), emulator)
    command, env = runner_command(data_dir, playbook)
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as runner:
        try:
            # In the middle of batch 2: its change order is sent, and its first half is restarting.
            wait_for('the change order of batch 2', lambda: len(restarts_sent(emulator)) == 2)
            # What AWX's receptor does to cancel a job: signal ansible-runner, whose cancel is killpg(SIGKILL) of ansible-playbook.
            runner.send_signal(signal.SIGTERM)
            assert runner.wait(timeout=60) == 254
        finally:
            if runner.poll() is None:
                runner.kill()
    artifacts = os.path.join(data_dir, 'artifacts', RUNNER_IDENT)
    with open(os.path.join(artifacts, 'status'), encoding='utf-8') as status:
        assert status.read() == 'canceled'

    # The rollout's worker outlived the SIGKILL of ansible-playbook: it noticed, aborted batch 2's order, sent nothing
    # more, and exited.
    aborts = wait_for('the abort of batch 2', lambda: [action for action in emulator.metrics()['actions'] if action['operation'] == 'AbortChangeOrder'])
    wait_for('the end of the job\'s processes', lambda: not processes_of(data_dir))
    first, second = restarts_sent(emulator)
    assert (first['targets'], second['targets']) == (STOREFRONT_INSTANCES[0:4], STOREFRONT_INSTANCES[4:8])
    assert [abort['job_id'] for abort in aborts] == [second['job_id']]
    assert emulator.job(second['job_id'])['status'] == 'aborted'
    assert [action['operation'] for action in emulator.metrics()['actions']] == ['RestartInstances', 'RestartInstances', 'AbortChangeOrder']
    # The order's first batch finished its step; its second never started.
    assert emulator.metrics()['restarts'] == dict((target, 1) for target in STOREFRONT_INSTANCES[0:6])
    # The marker was said before the first batch, so the cancelled job's output has it.
    lines = [event['stdout'] for event in job_events(artifacts) if event['event'] == 'verbose']
    markers = [MARKER_LINE.match(line).group(1) for line in lines if MARKER_LINE.match(line)]
    assert len(markers) == 1

    data_dir, playbook = sae_job(str(tmp_path / 'resumed'), emulator, rolling_restart_restarted_after=float(markers[0]))
    run = run_job(data_dir, playbook)

    assert run.returncode == 0, run.stdout + run.stderr
    assert emulator.metrics()['restarts'] == dict((target, 1) for target in STOREFRONT_INSTANCES)
    result = [event for event in job_events(os.path.join(data_dir, 'artifacts', RUNNER_IDENT))
              if event['event'] == 'runner_on_ok' and 'rolling_restart_result' in event['event_data']['res']][0]['event_data']['res']
    assert result['rolling_restart_result']['restarted'] == STOREFRONT_INSTANCES[6:]
    assert result['rolling_restart_result']['marker'] == float(markers[0])
