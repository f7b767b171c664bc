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


# Every entry of every table, written out by hand: a changed mapping must be a deliberate edit here too,
# and a new raw value without a case here fails test_every_table_entry_has_an_explicit_case.
EXPECTED_STATES = {
    'rainbond_component': {
        'running': 'running', 'closed': 'stopped', 'starting': 'starting', 'waiting': 'starting', 'stopping': 'stopping', 'abnormal': 'failed',
        'some_abnormal': 'degraded', 'unknow': 'unknown', 'unknown': 'unknown', 'upgrade': 'upgrading', 'building': 'building',
        'build_failure': 'failed', 'undeploy': 'not_deployed', 'succeeded': 'completed', 'paused': 'paused', 'failure': 'failed',
    },
    'rainbond_app': {'running': 'running', 'part_running': 'degraded', 'closed': 'stopped'},
    'servicestage_component': {
        'INITIALIZING': 'pending', 'UPGRADING': 'upgrading', 'FAILED': 'failed', 'RUNNING': 'running', 'DOWN': 'failed', 'DELETING': 'deleting',
        'DELETED': 'deleted', 'RESERVED': 'pending', 'STARTING': 'starting', 'STOPPING': 'stopping', 'STOPPED': 'stopped',
        'RESTARTING': 'restarting', 'PENDING': 'pending', 'UNKNOWN': 'unknown', 'PARTIALLY_FAILED': 'degraded',
    },
    'servicestage_instance': {
        'INITIALIZING': 'pending', 'UPGRADING': 'upgrading', 'FAILED': 'failed', 'RUNNING': 'running', 'DOWN': 'failed', 'DELETING': 'deleting',
        'DELETED': 'deleted', 'RESERVED': 'pending', 'STARTING': 'starting', 'STOPPING': 'stopping', 'STOPPED': 'stopped',
        'RESTARTING': 'restarting', 'PENDING': 'pending', 'UNKNOWN': 'unknown', 'PARTIALLY_FAILED': 'degraded',
    },
    'sae_application': {'RUNNING': 'running', 'STOPPED': 'stopped', 'UNKNOWN': 'unknown'},
    'sae_instance': {
        'Running': 'running', 'Pending': 'starting', 'PodInitializing': 'starting', 'Init:0/1': 'starting', 'Terminating': 'stopping',
        'Error': 'failed', 'CrashLoopBackOff': 'failed', 'ErrImagePull': 'failed', 'ImagePullBackOff': 'failed', 'NotFound': 'unknown',
        'Unknown': 'unknown',
    },
    'edas_ecc': {'0': 'unknown', '1': 'stopped', '3': 'degraded', '7': 'running'},
}
EXPECTED_JOB_STATUSES = {
    'servicestage_job': {
        'SUBMITTED': 'pending', 'SCHEDULED': 'pending', 'RUNNING': 'running', 'FAILED': 'failed', 'SUCCEEDED': 'succeeded',
        'CANCELLED': 'aborted', 'PARTIALLY_FAILED': 'partially_failed', 'ROLLBACKING': 'rolling_back', 'ROLLBACKED': 'rolled_back',
        'UNKNOWN': 'unknown', 'SKIPPED': 'succeeded',
    },
    'sae_change_order': {
        '0': 'pending', '1': 'running', '2': 'succeeded', '3': 'failed', '6': 'aborted', '8': 'waiting_confirmation', '9': 'running',
        '10': 'failed', '11': 'waiting_approval', '12': 'pending',
    },
    'sae_last_change_order': {
        'READY': 'pending', 'RUNNING': 'running', 'SUCCESS': 'succeeded', 'FAIL': 'failed', 'ABORT': 'aborted',
        'WAIT_BATCH_CONFIRM': 'waiting_confirmation', 'AUTO_BATCH_WAIT': 'running', 'SYSTEM_FAIL': 'failed', 'WAIT_APPROVAL': 'waiting_approval',
        'APPROVED': 'pending',
    },
    'edas_change_order': {
        '0': 'pending', '1': 'running', '2': 'succeeded', '3': 'failed', '6': 'aborted', '7': 'partially_failed', '8': 'waiting_confirmation',
        '9': 'running', '10': 'failed',
    },
    'alibaba_task': {'0': 'pending', '1': 'running', '2': 'succeeded', '3': 'failed', '5': 'running', '6': 'aborted', '10': 'failed'},
    'rainbond_event': {'running': 'running', 'failure': 'failed', 'empty': 'succeeded', 'emptycomplete': 'succeeded', 'complete': 'succeeded'},
}
EXPECTED_HEALTH = {
    'sae_instance': {
        'Healthy': 'healthy', 'Unhealthy': 'unhealthy', 'LivenessUnhealthy': 'unhealthy', 'ReadinessUnhealthy': 'unhealthy',
        'NotCheckedYet': 'unknown', 'WithoutHealthCheckConfig': 'not_checked', 'WithoutLivenessConfig': 'not_checked',
        'WithoutReadinessConfig': 'not_checked',
    },
    'edas_ecc': {'7': 'healthy', '3': 'unhealthy', '1': 'unknown', '0': 'unknown'},
}
# Kinds whose platform spells the same value in different cases (SAE, ServiceStage v2/v3): matched case-insensitively.
CASE_INSENSITIVE = ('servicestage_component', 'servicestage_instance', 'servicestage_job', 'sae_application', 'sae_last_change_order')
# Tables keyed by integers the APIs return as JSON numbers.
INTEGER_KEYED = ('edas_ecc', 'sae_change_order', 'edas_change_order', 'alibaba_task')


def _cases(expected):
    return [(kind, raw, value) for kind in sorted(expected) for raw, value in expected[kind].items()]


@pytest.mark.parametrize('tables,expected', [
    (states.TARGET_STATE_TABLES, EXPECTED_STATES), (states.JOB_STATUS_TABLES, EXPECTED_JOB_STATUSES), (states.HEALTH_TABLES, EXPECTED_HEALTH),
], ids=['target', 'job', 'health'])
def test_every_table_entry_has_an_explicit_case(tables, expected):
    """A kind or raw value added to a table (or dropped from it) must show up in the explicit cases below."""
    assert sorted(tables) == sorted(expected)
    for kind in tables:
        assert sorted(tables[kind]) == sorted(expected[kind]), kind


@pytest.mark.parametrize('kind,raw,expected', _cases(EXPECTED_STATES))
def test_target_state_mapping(kind, raw, expected):
    assert states.normalize_state(kind, raw) == expected
    assert states.state_entry(kind, raw) == {'state': expected, 'raw_state': raw}


@pytest.mark.parametrize('kind,raw,expected', _cases(EXPECTED_JOB_STATUSES))
def test_job_status_mapping(kind, raw, expected):
    assert states.normalize_job_status(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', _cases(EXPECTED_HEALTH))
def test_health_mapping(kind, raw, expected):
    assert states.normalize_health(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', [case for case in _cases(EXPECTED_STATES) if case[0] in CASE_INSENSITIVE])
def test_target_states_ignore_case_where_declared(kind, raw, expected):
    assert states.normalize_state(kind, raw.lower()) == expected
    assert states.normalize_state(kind, raw.capitalize()) == expected


@pytest.mark.parametrize('kind,raw,expected', [case for case in _cases(EXPECTED_JOB_STATUSES) if case[0] in CASE_INSENSITIVE])
def test_job_statuses_ignore_case_where_declared(kind, raw, expected):
    assert states.normalize_job_status(kind, raw.lower()) == expected
    assert states.normalize_job_status(kind, raw.title()) == expected


@pytest.mark.parametrize('kind,raw', [
    ('rainbond_component', 'RUNNING'), ('rainbond_component', 'Closed'), ('rainbond_app', 'RUNNING'),
    ('sae_instance', 'running'), ('sae_instance', 'CRASHLOOPBACKOFF'),
])
def test_case_sensitive_kinds_do_not_fold_case(kind, raw):
    """Rainbond and Kubernetes spell their values one way only; another spelling is not that value."""
    assert states.normalize_state(kind, raw) == 'unknown'


@pytest.mark.parametrize('kind,raw,expected', [('rainbond_event', 'COMPLETE', 'unknown'), ('rainbond_event', 'Failure', 'unknown')])
def test_case_sensitive_job_kinds_do_not_fold_case(kind, raw, expected):
    assert states.normalize_job_status(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', [(kind, int(raw), value) for kind, raw, value in _cases(EXPECTED_STATES) if kind in INTEGER_KEYED])
def test_integer_target_states_match_as_numbers(kind, raw, expected):
    assert states.normalize_state(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', [(kind, int(raw), value) for kind, raw, value in _cases(EXPECTED_JOB_STATUSES) if kind in INTEGER_KEYED])
def test_integer_job_statuses_match_as_numbers(kind, raw, expected):
    assert states.normalize_job_status(kind, raw) == expected


@pytest.mark.parametrize('kind', sorted(EXPECTED_STATES))
@pytest.mark.parametrize('raw', [None, '', 'no-such-state', 42])
def test_unmapped_target_states_are_unknown(kind, raw):
    assert states.normalize_state(kind, raw) == 'unknown'
    assert states.state_entry(kind, raw) == {'state': 'unknown', 'raw_state': raw}


@pytest.mark.parametrize('kind', sorted(EXPECTED_JOB_STATUSES))
@pytest.mark.parametrize('raw', [None, '', 'no-such-status', 42])
def test_unmapped_job_statuses_are_unknown(kind, raw):
    assert states.normalize_job_status(kind, raw) == 'unknown'


@pytest.mark.parametrize('kind', sorted(EXPECTED_HEALTH))
@pytest.mark.parametrize('raw', [None, 'no-such-health'])
def test_unmapped_health_is_unknown(kind, raw):
    assert states.normalize_health(kind, raw) == 'unknown'


# SubStatus 1 / RUNNING_BUT_HAS_ERROR: a batch failed and waits for a manual rollback. That fails an order still in
# progress (else a wait would hang on it), but does not rewrite an order that has already ended.
SAE_SUB_STATUS_1 = {
    '0': 'failed', '1': 'failed', '2': 'succeeded', '3': 'failed', '6': 'aborted', '8': 'failed', '9': 'failed', '10': 'failed',
    '11': 'failed', '12': 'failed',
}
SAE_LAST_HAS_ERROR = {
    'READY': 'failed', 'RUNNING': 'failed', 'SUCCESS': 'succeeded', 'FAIL': 'failed', 'ABORT': 'aborted', 'WAIT_BATCH_CONFIRM': 'failed',
    'AUTO_BATCH_WAIT': 'failed', 'SYSTEM_FAIL': 'failed', 'WAIT_APPROVAL': 'failed', 'APPROVED': 'failed',
}


@pytest.mark.parametrize('raw,expected', sorted(SAE_SUB_STATUS_1.items()))
@pytest.mark.parametrize('detail', [1, '1', 'RUNNING_BUT_HAS_ERROR'])
def test_sae_sub_status_1_fails_only_orders_not_ended(raw, expected, detail):
    assert states.normalize_job_status('sae_change_order', raw, detail) == expected
    assert states.normalize_job_status('sae_change_order', int(raw), detail) == expected


@pytest.mark.parametrize('raw,expected', sorted(SAE_LAST_HAS_ERROR.items()))
@pytest.mark.parametrize('detail', [1, 'RUNNING_BUT_HAS_ERROR'])
def test_sae_last_change_order_with_error_fails_only_orders_not_ended(raw, expected, detail):
    assert states.normalize_job_status('sae_last_change_order', raw, detail) == expected


@pytest.mark.parametrize('kind,raw,expected', _cases(dict((kind, EXPECTED_JOB_STATUSES[kind]) for kind in ('sae_change_order', 'sae_last_change_order'))))
@pytest.mark.parametrize('detail', [None, 0, '0', 'NORMAL', 2])
def test_sae_other_sub_statuses_change_nothing(kind, raw, expected, detail):
    assert states.normalize_job_status(kind, raw, detail) == expected


@pytest.mark.parametrize('kind,raw,expected', [
    ('edas_change_order', 1, 'running'), ('edas_change_order', 8, 'waiting_confirmation'), ('alibaba_task', 1, 'running'),
    ('servicestage_job', 'RUNNING', 'running'), ('rainbond_event', 'running', 'running'),
])
@pytest.mark.parametrize('detail', [1, 'RUNNING_BUT_HAS_ERROR'])
def test_the_sub_status_refinement_is_sae_only(kind, raw, expected, detail):
    assert states.normalize_job_status(kind, raw, detail) == expected


@pytest.mark.parametrize('raw,detail,expected', [
    ('complete', 'failure', 'failed'), ('complete', 'success', 'succeeded'), ('complete', None, 'succeeded'),
    ('complete', 'timeout', 'succeeded'), ('empty', 'failure', 'failed'), ('emptycomplete', 'failure', 'failed'),
    ('emptycomplete', 'success', 'succeeded'), ('running', 'failure', 'running'), ('failure', 'success', 'failed'),
    ('failure', 'failure', 'failed'),
])
def test_rainbond_event_status_decides_a_completed_event(raw, detail, expected):
    """Only an event that ended as succeeded is turned into failed by its status; a running one stays running."""
    assert states.normalize_job_status('rainbond_event', raw, detail) == expected


@pytest.mark.parametrize('kind', ['sae_change_order', 'edas_change_order', 'servicestage_job'])
def test_the_failure_detail_is_rainbond_only(kind):
    succeeded = {'sae_change_order': 2, 'edas_change_order': 2, 'servicestage_job': 'SUCCEEDED'}[kind]
    assert states.normalize_job_status(kind, succeeded, 'failure') == 'succeeded'


@pytest.mark.parametrize('function', [states.normalize_state, states.normalize_job_status, states.normalize_health])
@pytest.mark.parametrize('raw', ['RUNNING', None])
def test_unknown_kind_raises_value_error_even_for_none(function, raw):
    """A typo in a kind is a programming error, not an unknown state: it must not pass silently as 'unknown'."""
    with pytest.raises(ValueError, match="unknown kind 'sae_app'"):
        function('sae_app', raw)


def test_state_and_status_sets():
    """The vocabularies the modules document, and which statuses end a wait."""
    assert states.TRANSITIONAL_STATES == {'starting', 'stopping', 'restarting', 'upgrading', 'building', 'pending', 'deleting'}
    assert states.JOB_TERMINAL == {'succeeded', 'failed', 'partially_failed', 'aborted', 'rolled_back'}
    assert states.JOB_SUCCESS == {'succeeded'}
    for expected, vocabulary in ((EXPECTED_STATES, states.TARGET_STATES), (EXPECTED_JOB_STATUSES, states.JOB_STATUSES),
                                 (EXPECTED_HEALTH, states.HEALTH_STATES)):
        assert set(value for table in expected.values() for value in table.values()) <= set(vocabulary)
