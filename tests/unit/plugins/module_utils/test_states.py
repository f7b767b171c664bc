# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _states as states

# Every raw value the platforms document (platform-apis.md), so an enum added later is a visible decision.
DOCUMENTED = {
    'rainbond_component': ['running', 'closed', 'starting', 'waiting', 'stopping', 'abnormal', 'some_abnormal', 'unknow', 'upgrade',
                           'building', 'build_failure', 'undeploy', 'succeeded', 'paused'],
    'rainbond_app': ['running', 'part_running', 'closed'],
    'servicestage_component': ['INITIALIZING', 'UPGRADING', 'FAILED', 'RUNNING', 'DOWN', 'DELETING', 'DELETED', 'RESERVED', 'STARTING',
                               'STOPPING', 'STOPPED', 'RESTARTING', 'PENDING', 'UNKNOWN', 'PARTIALLY_FAILED'],
    'sae_application': ['RUNNING', 'STOPPED', 'UNKNOWN'],
    'sae_instance': ['Error', 'CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff', 'Pending', 'Unknown', 'Terminating', 'NotFound',
                     'PodInitializing', 'Init:0/1', 'Running'],
    'edas_ecc': [0, 1, 3, 7],
}
DOCUMENTED_JOBS = {
    'servicestage_job': ['SUBMITTED', 'SCHEDULED', 'RUNNING', 'FAILED', 'SUCCEEDED', 'CANCELLED', 'PARTIALLY_FAILED', 'ROLLBACKING',
                         'ROLLBACKED', 'UNKNOWN'],
    'sae_change_order': [0, 1, 2, 3, 6, 8, 9, 10, 11, 12],
    'sae_last_change_order': ['READY', 'RUNNING', 'SUCCESS', 'FAIL', 'ABORT', 'WAIT_BATCH_CONFIRM', 'AUTO_BATCH_WAIT', 'SYSTEM_FAIL',
                              'WAIT_APPROVAL', 'APPROVED'],
    'edas_change_order': [0, 1, 2, 3, 6, 7, 8, 9, 10],
    'rainbond_event': ['complete', 'failure', 'running', 'empty', 'emptycomplete'],
}


@pytest.mark.parametrize('kind', sorted(DOCUMENTED))
def test_every_documented_target_state_is_mapped(kind):
    for raw in DOCUMENTED[kind]:
        state = states.normalize_state(kind, raw)
        assert state in states.TARGET_STATES
        if raw not in ('unknow', 'UNKNOWN', 'Unknown', 'NotFound', 0):
            assert state != states.UNKNOWN, (kind, raw)


@pytest.mark.parametrize('kind', sorted(DOCUMENTED_JOBS))
def test_every_documented_job_status_is_mapped(kind):
    for raw in DOCUMENTED_JOBS[kind]:
        status = states.normalize_job_status(kind, raw)
        assert status in states.JOB_STATUSES
        if raw != 'UNKNOWN':
            assert status != states.JOB_UNKNOWN, (kind, raw)


@pytest.mark.parametrize('kind,raw,expected', [
    ('rainbond_component', 'closed', 'stopped'), ('rainbond_component', 'some_abnormal', 'degraded'), ('rainbond_app', 'part_running', 'degraded'),
    ('servicestage_component', 'running', 'running'), ('servicestage_instance', 'STOPPED', 'stopped'), ('edas_ecc', 3, 'degraded'),
    ('edas_ecc', '7', 'running'), ('sae_instance', 'CrashLoopBackOff', 'failed'), ('rainbond_component', 'something-new', 'unknown'),
    ('servicestage_component', None, 'unknown'),
])
def test_examples(kind, raw, expected):
    assert states.normalize_state(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,detail,expected', [
    ('sae_change_order', 2, None, 'succeeded'), ('sae_change_order', 8, None, 'waiting_confirmation'),
    ('sae_change_order', 11, None, 'waiting_approval'), ('sae_change_order', 1, 1, 'failed'),
    ('sae_last_change_order', 'RUNNING', 'RUNNING_BUT_HAS_ERROR', 'failed'), ('sae_last_change_order', 'RUNNING', 'NORMAL', 'running'),
    ('sae_change_order', 2, 1, 'succeeded'), ('edas_change_order', 7, None, 'partially_failed'),
    ('servicestage_job', 'succeeded', None, 'succeeded'), ('rainbond_event', 'complete', 'failure', 'failed'),
    ('rainbond_event', 'complete', 'success', 'succeeded'),
])
def test_job_examples(kind, raw, detail, expected):
    assert states.normalize_job_status(kind, raw, detail) == expected


def test_terminal_and_blocked_sets():
    assert states.JOB_BLOCKED == {'waiting_confirmation', 'waiting_approval'}
    assert not states.JOB_BLOCKED & states.JOB_TERMINAL
    assert states.JOB_SUCCESS <= states.JOB_TERMINAL


def test_state_entry_keeps_the_raw_value():
    assert states.state_entry('rainbond_component', 'closed') == {'state': 'stopped', 'raw_state': 'closed'}


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        states.normalize_state('nope', 'x')
