# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""restart_batch, the step of a rolling restart, driven through the real Rainbond fleet over a faked console."""

from __future__ import annotations

import calendar
import time
from urllib.parse import urlsplit

import pytest

from ansible_collections.paas.ops.plugins.module_utils._errors import PaasBatchError, PaasInputError
from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._fleet import restart_batch
from ansible_collections.paas.ops.plugins.module_utils._rainbond import RainbondFleet
from ansible_collections.paas.ops.tests.unit.fakes import make_connection
from ansible_collections.paas.ops.tests.unit.plugins.module_utils.test_rainbond import API, WEB, WORKER, FakeConsole, event

EPOCH_10_00_05 = calendar.timegm(time.strptime('2026-12-01 10:00:05', '%Y-%m-%d %H:%M:%S'))


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    from ansible_collections.paas.ops.plugins.module_utils import _waiter
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


def mall(*components, **options):
    fake = FakeConsole(*(components or ((WEB, 'web', 'running', 2), (API, 'api', 'closed', 3), (WORKER, 'worker', 'running', 1))), **options)
    connection = make_connection('rainbond', session=fake.session, endpoint='http://rainbond', rainbond_token='tok', team_id='demo-team',
                                 region_name='demo-region')
    return RainbondFleet(connection, ('1', None)), fake


def outcomes(result):
    return [(entry['id'], entry['outcome']) for entry in result['targets']]


def test_a_batch_is_one_upgrade_of_all_its_targets_and_waits_until_they_run():
    fleet, fake = mall()
    result = restart_batch(fleet, [WEB, WORKER])
    assert fake.posts() == [{'action': 'upgrade', 'service_ids': [WEB, WORKER]}]
    assert outcomes(result) == [(WEB, 'restarted'), (WORKER, 'restarted')] and result['restarted'] == [WEB, WORKER]
    assert result['failed_targets'] == [] and result['skipped_targets'] == [] and result['kind'] == 'component'
    assert [entry['after']['state'] for entry in result['targets']] == ['running', 'running']


def test_a_resumable_batch_reads_each_targets_events_once_before_and_once_after_the_upgrade():
    # Restart times and the settle before sending share one events read; after sending, a component's events are read
    # only once its status no longer shows the upgrade. The components list is read once before sending.
    fleet, fake = mall(steps=3)
    result = restart_batch(fleet, [WEB, WORKER], restarted_after=0.0)
    assert result['restarted'] == [WEB, WORKER]
    calls = [(call['method'], urlsplit(call['url']).path.split('/')[-1]) for call in fake.session.calls]
    send = calls.index(('POST', 'operations'))
    assert calls[:send] == [('GET', 'services'), ('GET', 'events'), ('GET', 'events')]
    assert sorted(calls[send + 1:]) == sorted([('GET', 'services')] * 4 + [('GET', 'events')] * 2)


def test_a_stopped_target_is_left_alone_unless_included_then_started_before_the_others_are_upgraded():
    fleet, fake = mall()
    result = restart_batch(fleet, [WEB, API])
    assert fake.posts() == [{'action': 'upgrade', 'service_ids': [WEB]}]
    assert outcomes(result) == [(WEB, 'restarted'), (API, 'skipped')] and result['targets'][1]['msg'] == 'stopped: left as it is (include_stopped is false)'
    fleet, fake = mall()
    result = restart_batch(fleet, [WEB, API], include_stopped=True)
    assert fake.posts() == [{'action': 'start', 'service_ids': [API]}, {'action': 'upgrade', 'service_ids': [WEB]}]
    assert outcomes(result) == [(WEB, 'restarted'), (API, 'restarted')] and result['targets'][1]['msg'] == 'was stopped: started'
    assert [entry['after']['state'] for entry in result['targets']] == ['running', 'running']


def test_starting_stopped_targets_takes_nothing_down_but_they_count_while_others_restart():
    fleet, fake = mall()
    # api (closed) alone: nothing is taken down, so max_unavailable=1 is no obstacle, though api is down already.
    assert restart_batch(fleet, [API], max_unavailable=1, include_stopped=True)['restarted'] == [API]
    fleet, fake = mall()
    with pytest.raises(PaasBatchError, match='no room for a batch of 2'):
        restart_batch(fleet, [API, WEB], max_unavailable=1, include_stopped=True)
    assert fake.posts() == []


def test_check_mode_reports_what_would_be_restarted_and_sends_nothing():
    fleet, fake = mall()
    result = restart_batch(fleet, [WEB], check_mode=True)
    assert fake.posts() == [] and outcomes(result) == [(WEB, 'restarted')] and result['changed'] is True


def test_targets_down_already_count_against_max_unavailable():
    fleet, fake = mall()
    # api is closed: with it down, a batch of two would make three down.
    with pytest.raises(PaasBatchError, match=r'1 targets are down \(b{32} closed\): max_unavailable=2 leaves no room for a batch of 2') as raised:
        restart_batch(fleet, [WEB, WORKER], max_unavailable=2)
    assert fake.posts() == [] and outcomes(raised.value.result) == [(WEB, 'skipped'), (WORKER, 'skipped')]
    assert restart_batch(fleet, [WEB, WORKER], max_unavailable=3)['restarted'] == [WEB, WORKER]
    with pytest.raises(PaasInputError, match='a batch of 2 would take more than max_unavailable=1 targets down'):
        restart_batch(fleet, [WEB, WORKER], max_unavailable=1)


def test_a_target_restarted_after_the_marker_is_skipped():
    fleet, fake = mall()
    fake.events[WEB].append(event('up', 'upgrade-service'))
    result = restart_batch(fleet, [WEB, WORKER], restarted_after=EPOCH_10_00_05 - 60)
    assert outcomes(result) == [(WEB, 'skipped'), (WORKER, 'restarted')] and 'after' in result['targets'][0]['msg']
    assert fake.posts() == [{'action': 'upgrade', 'service_ids': [WORKER]}]
    # Restarted before the marker: restarted again.
    fleet, fake = mall()
    fake.events[WEB].append(event('up', 'upgrade-service'))
    assert restart_batch(fleet, [WEB], restarted_after=EPOCH_10_00_05 + 60)['restarted'] == [WEB]


def test_a_target_someone_else_is_restarting_is_waited_for_not_restarted_twice():
    fleet, fake = mall(busy={WEB: 3})
    result = restart_batch(fleet, [WEB, WORKER])
    assert outcomes(result) == [(WEB, 'skipped'), (WORKER, 'restarted')] and result['targets'][0]['msg'] == 'was already restarting: waited for it instead'
    assert fake.posts() == [{'action': 'upgrade', 'service_ids': [WORKER]}]


def test_a_failed_target_is_reported_with_its_message_and_the_others_still_restarted():
    fleet, fake = mall(end_as={WORKER: ('abnormal', 'failure', 'probe failed')})
    result = restart_batch(fleet, [WEB, WORKER])
    assert outcomes(result) == [(WEB, 'restarted'), (WORKER, 'failed')] and result['failed_targets'] == [WORKER]
    assert 'component worker (grcccccc) ended abnormal' in result['targets'][1]['msg'] and 'probe failed' in result['targets'][1]['msg']


def test_unknown_and_repeated_targets_are_refused_before_anything_is_sent():
    fleet, fake = mall()
    with pytest.raises(PaasInputError, match='no component nope'):
        restart_batch(fleet, ['nope'])
    with pytest.raises(PaasInputError, match='give each target once'):
        restart_batch(fleet, [WEB, WEB])
    assert fake.posts() == []


@pytest.mark.parametrize('params,message', [
    (dict(platform='servicestage'), 'servicestage: set application_id or application_name'),
    (dict(platform='rainbond'), 'rainbond: set application_id or application_name'),
    (dict(platform='sae'), 'SAE instances belong to an application given by id'),
    (dict(platform='edas'), 'EDAS ECCs belong to an application given by id'),
])
def test_a_fleet_needs_its_application(params, message):
    with pytest.raises(PaasInputError, match=message):
        registry.platform(params['platform']).fleet(None, params)
