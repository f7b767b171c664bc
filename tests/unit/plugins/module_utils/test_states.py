# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _alibaba, _edas, _rainbond, _sae, _servicestage
from ansible_collections.paas.ops.plugins.module_utils import _states as states

# Each adapter's tables, by the name of the enum they map (the platform's field).
TARGET_TABLES = {'rainbond_component': _rainbond.STATES, 'servicestage_component': _servicestage.STATES, 'servicestage_instance': _servicestage.STATES,
                 'sae_application': _sae.APPLICATION_STATES, 'sae_instance': _sae.INSTANCE_STATES, 'edas_ecc': _edas.ECC_STATES}
JOB_TABLES = {'servicestage_job': _servicestage.JOB_STATUSES, 'sae_change_order': _sae.CHANGE_ORDER_STATUSES,
              'edas_change_order': _edas.CHANGE_ORDER_STATUSES, 'alibaba_task': _alibaba.TASK_STATUSES, 'rainbond_event': _rainbond.EVENT_STATUSES}
HEALTH_TABLES = {'sae_instance': _sae.INSTANCE_HEALTH, 'edas_ecc': _edas.ECC_HEALTH}
# The vocabularies every table maps into.
TARGET_STATES = set(states.TARGET_STATES)
JOB_STATUSES = set(value for name, value in vars(states).items() if name.startswith('JOB_') and isinstance(value, str))
HEALTH_STATES = {states.HEALTHY, states.UNHEALTHY, states.NOT_CHECKED, states.UNKNOWN}


def normalize_state(kind, raw):
    return TARGET_TABLES[kind].normalize(raw)


def normalize_health(kind, raw):
    return HEALTH_TABLES[kind].normalize(raw)


def normalize_job_status(kind, raw, detail=None):
    """As the adapters read a status: a Rainbond event with its result, an SAE change order with its SubStatus."""
    if kind == 'rainbond_event':
        return _rainbond.event_status(raw, detail)
    if kind == 'sae_change_order':
        return _sae.change_order_status(raw, detail)
    return JOB_TABLES[kind].normalize(raw)


# Every raw value the platforms document (platform-apis.md), so an enum added later is a visible decision.
DOCUMENTED = {
    'rainbond_component': ['running', 'closed', 'starting', 'waiting', 'stopping', 'abnormal', 'some_abnormal', 'unknow', 'upgrade',
                           'building', 'build_failure', 'undeploy', 'succeeded', 'paused'],
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
    'edas_change_order': [0, 1, 2, 3, 6, 7, 8, 9, 10],
    'rainbond_event': ['complete', 'failure', 'running', 'empty', 'emptycomplete'],
}


@pytest.mark.parametrize('kind', sorted(DOCUMENTED))
def test_every_documented_target_state_is_mapped(kind):
    for raw in DOCUMENTED[kind]:
        state = normalize_state(kind, raw)
        assert state in TARGET_STATES
        if raw not in ('unknow', 'UNKNOWN', 'Unknown', 'NotFound', 0):
            assert state != states.UNKNOWN, (kind, raw)


@pytest.mark.parametrize('kind', sorted(DOCUMENTED_JOBS))
def test_every_documented_job_status_is_mapped(kind):
    for raw in DOCUMENTED_JOBS[kind]:
        status = normalize_job_status(kind, raw)
        assert status in JOB_STATUSES
        if raw != 'UNKNOWN':
            assert status != states.JOB_UNKNOWN, (kind, raw)


@pytest.mark.parametrize('kind,raw,expected', [
    ('rainbond_component', 'closed', 'stopped'), ('rainbond_component', 'some_abnormal', 'degraded'),
    ('servicestage_component', 'running', 'running'), ('servicestage_instance', 'STOPPED', 'stopped'), ('edas_ecc', 3, 'degraded'),
    ('edas_ecc', '7', 'running'), ('sae_instance', 'CrashLoopBackOff', 'failed'), ('rainbond_component', 'something-new', 'unknown'),
    ('servicestage_component', None, 'unknown'),
])
def test_examples(kind, raw, expected):
    assert normalize_state(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,detail,expected', [
    ('sae_change_order', 2, None, 'succeeded'), ('sae_change_order', 8, None, 'waiting_confirmation'),
    ('sae_change_order', 11, None, 'waiting_approval'), ('sae_change_order', 1, 1, 'failed'),
    ('sae_change_order', 2, 1, 'succeeded'), ('edas_change_order', 7, None, 'partially_failed'),
    ('servicestage_job', 'succeeded', None, 'succeeded'), ('rainbond_event', 'complete', 'failure', 'failed'),
    ('rainbond_event', 'complete', 'success', 'succeeded'),
])
def test_job_examples(kind, raw, detail, expected):
    assert normalize_job_status(kind, raw, detail) == expected


def test_terminal_and_blocked_sets():
    assert states.JOB_BLOCKED == {'waiting_confirmation', 'waiting_approval'}
    assert not states.JOB_BLOCKED & states.JOB_TERMINAL
    assert states.JOB_SUCCESS <= states.JOB_TERMINAL


# Every entry of every table, written out by hand: a changed mapping must be a deliberate edit here too,
# and a new raw value without a case here fails test_every_table_entry_has_an_explicit_case.
EXPECTED_STATES = {
    'rainbond_component': {
        'running': 'running', 'closed': 'stopped', 'starting': 'starting', 'waiting': 'starting', 'stopping': 'stopping', 'abnormal': 'failed',
        'some_abnormal': 'degraded', 'unknow': 'unknown', 'unknown': 'unknown', 'upgrade': 'upgrading', 'building': 'building',
        'build_failure': 'failed', 'undeploy': 'not_deployed', 'succeeded': 'completed', 'paused': 'paused', 'failure': 'failed',
    },
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
CASE_INSENSITIVE = ('servicestage_component', 'servicestage_instance', 'servicestage_job', 'sae_application')
# Tables keyed by integers the APIs return as JSON numbers.
INTEGER_KEYED = ('edas_ecc', 'sae_change_order', 'edas_change_order', 'alibaba_task')


def _cases(expected):
    return [(kind, raw, value) for kind in sorted(expected) for raw, value in expected[kind].items()]


@pytest.mark.parametrize('tables,expected', [
    (TARGET_TABLES, EXPECTED_STATES), (JOB_TABLES, EXPECTED_JOB_STATUSES), (HEALTH_TABLES, EXPECTED_HEALTH),
], ids=['target', 'job', 'health'])
def test_every_table_entry_has_an_explicit_case(tables, expected):
    """A kind or raw value added to a table (or dropped from it) must show up in the explicit cases below."""
    assert sorted(tables) == sorted(expected)
    for kind in tables:
        assert sorted(tables[kind].mapping) == sorted(expected[kind]), kind


@pytest.mark.parametrize('kind,raw,expected', _cases(EXPECTED_STATES))
def test_target_state_mapping(kind, raw, expected):
    assert normalize_state(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', _cases(EXPECTED_JOB_STATUSES))
def test_job_status_mapping(kind, raw, expected):
    assert normalize_job_status(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', _cases(EXPECTED_HEALTH))
def test_health_mapping(kind, raw, expected):
    assert normalize_health(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', [case for case in _cases(EXPECTED_STATES) if case[0] in CASE_INSENSITIVE])
def test_target_states_ignore_case_where_declared(kind, raw, expected):
    assert normalize_state(kind, raw.lower()) == expected
    assert normalize_state(kind, raw.capitalize()) == expected


@pytest.mark.parametrize('kind,raw,expected', [case for case in _cases(EXPECTED_JOB_STATUSES) if case[0] in CASE_INSENSITIVE])
def test_job_statuses_ignore_case_where_declared(kind, raw, expected):
    assert normalize_job_status(kind, raw.lower()) == expected
    assert normalize_job_status(kind, raw.title()) == expected


@pytest.mark.parametrize('kind,raw', [
    ('rainbond_component', 'RUNNING'), ('rainbond_component', 'Closed'),
    ('sae_instance', 'running'), ('sae_instance', 'CRASHLOOPBACKOFF'),
])
def test_case_sensitive_kinds_do_not_fold_case(kind, raw):
    """Rainbond and Kubernetes spell their values one way only; another spelling is not that value."""
    assert normalize_state(kind, raw) == 'unknown'


@pytest.mark.parametrize('kind,raw,expected', [('rainbond_event', 'COMPLETE', 'unknown'), ('rainbond_event', 'Failure', 'unknown')])
def test_case_sensitive_job_kinds_do_not_fold_case(kind, raw, expected):
    assert normalize_job_status(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', [(kind, int(raw), value) for kind, raw, value in _cases(EXPECTED_STATES) if kind in INTEGER_KEYED])
def test_integer_target_states_match_as_numbers(kind, raw, expected):
    assert normalize_state(kind, raw) == expected


@pytest.mark.parametrize('kind,raw,expected', [(kind, int(raw), value) for kind, raw, value in _cases(EXPECTED_JOB_STATUSES) if kind in INTEGER_KEYED])
def test_integer_job_statuses_match_as_numbers(kind, raw, expected):
    assert normalize_job_status(kind, raw) == expected


@pytest.mark.parametrize('kind', sorted(EXPECTED_STATES))
@pytest.mark.parametrize('raw', [None, '', 'no-such-state', 42])
def test_unmapped_target_states_are_unknown(kind, raw):
    assert normalize_state(kind, raw) == 'unknown'


@pytest.mark.parametrize('kind', sorted(EXPECTED_JOB_STATUSES))
@pytest.mark.parametrize('raw', [None, '', 'no-such-status', 42])
def test_unmapped_job_statuses_are_unknown(kind, raw):
    assert normalize_job_status(kind, raw) == 'unknown'


@pytest.mark.parametrize('kind', sorted(EXPECTED_HEALTH))
@pytest.mark.parametrize('raw', [None, 'no-such-health'])
def test_unmapped_health_is_unknown(kind, raw):
    assert normalize_health(kind, raw) == 'unknown'


# SubStatus 1 / RUNNING_BUT_HAS_ERROR: a batch failed and waits for a manual rollback. That fails an order still in
# progress (else a wait would hang on it), but does not rewrite an order that has already ended.
SAE_SUB_STATUS_1 = {
    '0': 'failed', '1': 'failed', '2': 'succeeded', '3': 'failed', '6': 'aborted', '8': 'failed', '9': 'failed', '10': 'failed',
    '11': 'failed', '12': 'failed',
}


@pytest.mark.parametrize('raw,expected', sorted(SAE_SUB_STATUS_1.items()))
@pytest.mark.parametrize('detail', [1, '1', 'RUNNING_BUT_HAS_ERROR'])
def test_sae_sub_status_1_fails_only_orders_not_ended(raw, expected, detail):
    assert normalize_job_status('sae_change_order', raw, detail) == expected
    assert normalize_job_status('sae_change_order', int(raw), detail) == expected


@pytest.mark.parametrize('kind,raw,expected', _cases(dict((kind, EXPECTED_JOB_STATUSES[kind]) for kind in ('sae_change_order',))))
@pytest.mark.parametrize('detail', [None, 0, '0', 'NORMAL', 2])
def test_sae_other_sub_statuses_change_nothing(kind, raw, expected, detail):
    assert normalize_job_status(kind, raw, detail) == expected


@pytest.mark.parametrize('raw,detail,expected', [
    ('complete', 'failure', 'failed'), ('complete', 'success', 'succeeded'), ('complete', None, 'succeeded'),
    ('complete', 'timeout', 'succeeded'), ('empty', 'failure', 'failed'), ('emptycomplete', 'failure', 'failed'),
    ('emptycomplete', 'success', 'succeeded'), ('running', 'failure', 'running'), ('failure', 'success', 'failed'),
    ('failure', 'failure', 'failed'),
])
def test_rainbond_event_status_decides_a_completed_event(raw, detail, expected):
    """Only an event that ended as succeeded is turned into failed by its status; a running one stays running."""
    assert normalize_job_status('rainbond_event', raw, detail) == expected


def test_state_and_status_sets():
    """The vocabularies the modules document, and which statuses end a wait."""
    assert states.TRANSITIONAL_STATES == {'starting', 'stopping', 'restarting', 'upgrading', 'building', 'pending', 'deleting'}
    assert states.JOB_TERMINAL == {'succeeded', 'failed', 'partially_failed', 'aborted', 'rolled_back'}
    assert states.JOB_SUCCESS == {'succeeded'}
    for expected, vocabulary in ((EXPECTED_STATES, TARGET_STATES), (EXPECTED_JOB_STATUSES, JOB_STATUSES), (EXPECTED_HEALTH, HEALTH_STATES)):
        assert set(value for table in expected.values() for value in table.values()) <= set(vocabulary)
