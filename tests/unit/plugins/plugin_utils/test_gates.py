# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The gates (plugin_utils/_gates.py) inside the real rollout engine: the soak's polls, what counts as a flap, the stop of a
run cutting a soak short, the HTTP check's streaks and misses against a real HTTP server on 127.0.0.1, the URL templates.

What is replaced: where the batches run (targets in memory whose state changes at given moments) and time (a clock that
moves when the run pauses, instead of sleeping). The engine, the gates, the planner and the failure policy are the real ones.
"""

from __future__ import annotations

import socket
import threading

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.paas.ops.plugins.action.rollout import ARGSPEC, SETTINGS, HostBatches
from ansible_collections.paas.ops.plugins.plugin_utils._gates import (
    GateError, Gates, check_settings, flap_of, poll_interval, render_url, with_failures)
from ansible_collections.paas.ops.plugins.plugin_utils._rollout import ApplicationRollout, Batches, RolloutError, RunState


class Clock:
    """Time that moves only when the run pauses: a soak of 30 s takes no time, and every poll happens at a known moment."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


class PausingStop(threading.Event):
    """The run's stop event, whose wait moves the clock instead of sleeping."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def wait(self, timeout=None):
        self.clock.now += timeout
        return self.is_set()


def run_state(clock, **kwargs):
    run = RunState(clock=clock, **kwargs)
    run._stop = PausingStop(clock)
    return run


class SteppedFleet(Batches):
    """Targets in memory; ``changes`` are ``(seconds after the target's restart, id, {field: value})``, applied as time passes."""

    def __init__(self, clock, count=4, changes=(), ip=True):
        self.clock = clock
        self.views = dict(('t%d' % n, dict(id='t%d' % n, name='web-%d' % n, kind='instance', state='running', raw_state='Running',
                                           health='healthy', restarted_at=500.0, ip='10.0.0.%d' % n if ip else None))
                          for n in range(1, count + 1))
        self.changes = list(changes)
        self.restarted = {}
        self.reads = []

    def _apply(self):
        for after, target_id, fields in self.changes:
            moment = self.restarted.get(target_id)
            if moment is not None and self.clock.now >= moment + after:
                self.views[target_id].update(fields)

    def list(self, restart_times):
        return dict(application_id='app-1', instances=[dict(view) for view in self.views.values()])

    def read(self, ids):
        self._apply()
        self.reads.append((self.clock.now, list(ids)))
        return dict((target_id, dict(self.views[target_id])) for target_id in ids if self.views[target_id].get('state') != 'gone')

    def restart(self, ids, marker, max_unavailable, settings, timeout):
        self.clock.now += 1.0
        for target_id in ids:
            self.restarted[target_id] = self.clock.now
            self.views[target_id]['restarted_at'] = self.clock.now
        targets = [dict(id=i, name=self.views[i]['name'], outcome='restarted', msg=None, after=dict(self.views[i])) for i in ids]
        return dict(targets=targets, restarted=list(ids), failed_targets=[], skipped_targets=[], untouched_targets=[], order_messages=[], seconds=1.0)


def settings(**overrides):
    values = dict((name, spec.get('default')) for name, spec in SETTINGS.items())
    values['restarted_after'] = None
    values.update(overrides)
    return values


def rollout(fleet, lines, run, check_mode=False, **overrides):
    return ApplicationRollout('shop', 'sae', settings(**overrides), fleet, lines.append, run, 100.0, check_mode, option_prefix='rolling_restart_')


def test_a_soak_polls_once_per_interval_and_says_only_its_start_and_end():
    clock = Clock()
    fleet = SteppedFleet(clock)
    lines = []
    summary = rollout(fleet, lines, run_state(clock), batch_size=2, soak_seconds=3).run()
    assert summary['restarted'] == ['t1', 't2', 't3', 't4'] and not summary['stopped_early']
    # 3 s at a poll every 0.5 s: reads at 0, 0.5 ... 3 s after each batch, one list call each.
    first = [moment - 1001.0 for moment, ids in fleet.reads if ids == ['t1', 't2']]
    assert first == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    assert len(fleet.reads) == 14
    assert lines == ['[shop] plan: 4 of 4 instances in 2 batches (2, 2)', '[shop] gates: soak 3 s',
                     '[shop] batch 1/2: restarting web-1, web-2', '[shop] batch 1/2: soak 3 s', '[shop] batch 1/2: soak passed',
                     '[shop] batch 1/2: done in 4 s (2 restarted, 0 failed)',
                     '[shop] batch 2/2: restarting web-3, web-4', '[shop] batch 2/2: soak 3 s', '[shop] batch 2/2: soak passed',
                     '[shop] batch 2/2: done in 4 s (2 restarted, 0 failed)']


def test_the_poll_interval_is_a_sixth_of_the_soak_between_half_a_second_and_five():
    assert [poll_interval(seconds) for seconds in (1, 3, 12, 30, 600)] == [0.5, 0.5, 2.0, 5.0, 5.0]


def test_a_target_that_flaps_fails_the_batch_and_the_policy_stops_the_rollout():
    clock = Clock()
    fleet = SteppedFleet(clock, changes=[(1.2, 't2', dict(state='failed', raw_state='Error'))])
    lines = []
    r = rollout(fleet, lines, run_state(clock), batch_size=2, soak_seconds=3)
    summary = r.run()
    assert '[shop] batch 1/2: soak failed after 1.5 s: web-2 flapped (state Error)' in lines
    assert '[shop] batch 1/2: failed in 2.5 s (1 restarted, 1 failed)' in lines
    assert summary['failed'] == [dict(id='t2', name='web-2', msg='flapped during the 3 s soak: state Error')]
    assert summary['restarted'] == ['t1'] and summary['untouched'] == ['t3', 't4'] and summary['stopped_early']
    assert r.failure(summary).startswith('rolling restart stopped after batch 1 of 2: failed t2 (flapped during the 3 s soak: state Error); restarted t1')


def test_a_flap_allowed_by_the_policy_lets_the_rollout_go_on():
    clock = Clock()
    fleet = SteppedFleet(clock, changes=[(0.2, 't1', dict(health='unhealthy', raw_health='ReadinessUnhealthy'))])
    lines = []
    summary = rollout(fleet, lines, run_state(clock), batch_size=2, soak_seconds=2, max_failed_targets=1).run()
    assert '[shop] batch 1/2: soak failed after 0.5 s: web-1 flapped (health ReadinessUnhealthy)' in lines
    assert '[shop] batch 2/2: soak passed' in lines
    assert [entry['id'] for entry in summary['failed']] == ['t1'] and summary['restarted'] == ['t2', 't3', 't4']


@pytest.mark.parametrize('view, baseline, why', [
    (None, 1.0, 'no longer listed'),
    (dict(state='restarting', raw_state='PodInitializing'), 1.0, 'state PodInitializing'),
    (dict(state='running', health='unhealthy'), 1.0, 'health unhealthy'),
    (dict(state='running', health='healthy', restarted_at=9.0), 1.0, 'restarted again at 9 (was 1)'),
    (dict(state='running', health='not_checked', restarted_at=1.0), 1.0, None),
    # A listing without restart times (Rainbond, EDAS) compares none.
    (dict(state='running', restarted_at=None), 1.0, None),
    (dict(state='running', restarted_at=9.0), None, None),
])
def test_what_counts_as_a_flap(view, baseline, why):
    assert flap_of(view, baseline) == why


def test_a_target_restarted_again_or_gone_during_the_soak_flapped():
    clock = Clock()
    fleet = SteppedFleet(clock, count=2, changes=[(1.0, 't1', dict(restarted_at=1003.0)), (2.0, 't2', dict(state='gone'))])
    lines = []
    summary = rollout(fleet, lines, run_state(clock), batch_size=2, soak_seconds=3, max_failed_targets=5).run()
    assert '[shop] batch 1/1: soak failed after 1 s: web-1 flapped (restarted again at 1003 (was 1001))' in lines
    # The first flap ends the soak: t2 leaves only later, and is not blamed.
    assert [entry['id'] for entry in summary['failed']] == ['t1'] and summary['restarted'] == ['t2']


def test_the_run_deadline_cuts_a_soak_short_without_failing_its_targets():
    clock = Clock()
    fleet = SteppedFleet(clock)
    lines = []
    r = rollout(fleet, lines, run_state(clock, deadline_seconds=3), batch_size=2, soak_seconds=30)
    summary = r.run()
    assert '[shop] batch 1/2: soak 30 s' in lines
    assert '[shop] batch 1/2: soak cut short after 2 s: the deadline of 3 s for the whole run was reached' in lines
    assert summary['failed'] == [] and summary['restarted'] == ['t1', 't2'] and summary['untouched'] == ['t3', 't4']
    assert 'deadline' in r.failure(summary)


def test_check_mode_waits_for_no_gate_and_says_so():
    clock = Clock()
    fleet = SteppedFleet(clock)
    lines = []
    rollout(fleet, lines, run_state(clock), check_mode=True, batch_size=2, soak_seconds=30, http_check=dict(url='http://{ip}/health')).run()
    assert lines[1] == '[shop] gates: soak 30 s, then http check http://{ip}/health (200, 1 in a row) (not waited in check mode)'
    assert fleet.reads == [] and not any('soak 30 s' in line for line in lines[2:])


# ---- the HTTP check -------------------------------------------------------------------------------------------------


def check(url, **given):
    return dict(dict(url=url, status_codes=[200], body_regex=None, timeout=5.0, successes=1, retries=2, interval=1.0, validate_certs=True,
                     ca_path=None, headers={}), **given)


def test_an_http_check_needs_its_successes_in_a_row_and_tolerates_its_retries(web):
    web.scripts['/web-1'] = [(200, 'ok', {}), (503, '', {}), (200, 'ok', {})]
    web.scripts['/web-2'] = [(500, '', {}), (500, '', {}), (200, 'ok', {})]
    clock = Clock()
    lines = []
    summary = rollout(SteppedFleet(clock, count=2), lines, run_state(clock), batch_size=2,
                      http_check=check(web.url + '/{name}', successes=2, retries=1, interval=0.5)).run()
    # web-1: ok, miss, ok, ok. web-2: two misses, more than one retry allows.
    assert web.hits == {'/web-1': 4, '/web-2': 2}
    assert '[shop] batch 1/1: http check failed: 1/2 ok; web-2: HTTP 500 from %s/web-2 (wanted 200)' % web.url in lines
    assert summary['failed'] == [dict(id='t2', name='web-2', msg='http check failed: HTTP 500 from %s/web-2 (wanted 200)' % web.url)]
    # Rounds 0.5 s apart on the run's clock: 3 pauses after the batch (restart at 1001).
    assert clock.now == 1001.0 + 3 * 0.5


def test_an_http_check_follows_no_redirect_matches_the_body_and_sends_the_headers(web):
    web.scripts['/web-1'] = [(302, '', {'Location': '/login'})]
    web.scripts['/web-2'] = [(200, 'status: degraded', {})]
    web.scripts['/web-3'] = [(200, 'status: ok', {})]
    clock = Clock()
    lines = []
    summary = rollout(SteppedFleet(clock, count=3), lines, run_state(clock), batch_size=3, max_failed_targets=5,
                      http_check=check(web.url + '/{name}', body_regex='^status: (ok|fine)$', retries=0, headers={'Authorization': 'Bearer s3cret'})).run()
    msgs = dict((entry['id'], entry['msg']) for entry in summary['failed'])
    assert msgs == {'t1': 'http check failed: HTTP 302 from %s/web-1 (wanted 200)' % web.url,
                    't2': 'http check failed: HTTP 200 from %s/web-2, but its body does not match ^status: (ok|fine)$' % web.url}
    assert '/login' not in web.hits and summary['restarted'] == ['t3']
    assert [headers[0].get('Authorization') for headers in web.requests.values()] == ['Bearer s3cret'] * 3
    assert any(line.startswith('[shop] batch 1/1: http check failed: 1/3 ok; web-1: HTTP 302') for line in lines)


def test_an_http_check_says_when_nothing_answers():
    clock = Clock()
    lines = []
    # A port nothing listens on: one the system handed out, then closed.
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    summary = rollout(SteppedFleet(clock, count=1), lines, run_state(clock), batch_size=1, http_check=check('http://127.0.0.1:%d/{id}' % port, retries=0)).run()
    assert summary['failed'][0]['msg'].startswith('http check failed: no answer from http://127.0.0.1:%d/t1 (' % port)


def test_a_url_template_fills_each_target_encoding_what_could_change_the_url():
    view = dict(id='a/b?c', name='web 1#x', ip='fe80::1')
    assert render_url('https://[{ip}]:8443/{application}/{id}/{name}', view, 'shop', 'app-1') == (
        'https://[fe80::1]:8443/shop/a%2Fb%3Fc/web%201%23x', [])
    assert render_url('http://{ip}/{application_id}', dict(id='t1', ip=None), 'shop', 'app-1') == (None, ['ip'])


def test_a_placeholder_a_planned_target_has_no_value_for_fails_before_any_batch():
    clock = Clock()
    fleet = SteppedFleet(clock, count=3, ip=False)
    with pytest.raises(RolloutError) as raised:
        rollout(fleet, [], run_state(clock), http_check=check('http://{ip}:8080/')).run()
    assert str(raised.value) == ('shop: rolling_restart_http_check.url uses {ip}, but 3 of 3 planned instances have none (web-1, web-2, web-3); '
                                 'use another placeholder')
    assert fleet.restarted == {}


@pytest.mark.parametrize('given, words', [
    (dict(soak_seconds=-1), 'soak_seconds must not be negative'),
    (dict(http_check=dict(url='http://{host}/')), 'http_check.url names {host}; a URL template may use {id}, {name}, {ip}, {address}, {application}'),
    (dict(http_check=dict(url='ftp://{ip}/')), 'http_check.url must be an http:// or https:// URL with a host'),
    (dict(http_check=dict(url='/health/{name}')), 'must be an http:// or https:// URL with a host'),
    (dict(http_check=dict(url='http://{ip}/', body_regex='(')), 'http_check.body_regex is not a valid regular expression'),
    (dict(http_check=dict(url='http://{ip}/', status_codes=[200, 1000])), 'http_check.status_codes must list HTTP status codes'),
    (dict(http_check=dict(url='http://{ip}/', successes=0)), 'http_check.successes must be at least 1'),
    (dict(http_check=dict(url='http://{ip}/', retries=-1)), 'http_check.retries must be at least 0'),
    (dict(http_check=dict(url='http://{ip}/', timeout=0)), 'http_check.timeout must be more than 0'),
])
def test_gate_settings_that_cannot_work_are_refused_naming_the_option(given, words):
    with pytest.raises(GateError) as raised:
        check_settings(settings(**given), 'applications[2]: ', 'rolling_restart_')
    assert str(raised.value).startswith('applications[2]: rolling_restart_') and words in str(raised.value)


def test_gate_settings_that_work_pass():
    check_settings(settings(soak_seconds=30, http_check=dict(url='https://{name}.svc:8443/healthz?app={application}', status_codes=[200, 204])))
    check_settings(settings())


def test_a_gate_failure_moves_the_target_from_restarted_to_failed():
    targets = [dict(id='a', outcome='restarted', msg=None), dict(id='b', outcome='restarted'), dict(id='c', outcome='failed', msg='boom')]
    outcome = dict(restarted=['a', 'b'], failed_targets=['c'], targets=targets)
    moved = with_failures(outcome, {'b': 'flapped'})
    assert moved['restarted'] == ['a'] and moved['failed_targets'] == ['c', 'b']
    assert [(entry['id'], entry['outcome'], entry.get('msg')) for entry in moved['targets']] == [
        ('a', 'restarted', None), ('b', 'failed', 'flapped'), ('c', 'failed', 'boom')]
    # The batch's own result is left as it was (the diff shows what the platform did).
    assert outcome['restarted'] == ['a', 'b'] and targets[1]['outcome'] == 'restarted'


def test_gates_are_described_with_the_plan():
    clock = Clock()
    r = rollout(SteppedFleet(clock), [], run_state(clock), soak_seconds=2.5, http_check=check('http://{ip}/', successes=3, status_codes=[200, 204]))
    r.application_id = 'app-1'
    gates = Gates(r, list(SteppedFleet(clock).views.values()), dict(batches=[[dict(id='t1')]]))
    assert gates.describe() == 'soak 2.5 s, then http check http://{ip}/ (200/204, 3 in a row)'


def test_on_the_task_s_host_a_gate_read_is_one_instance_info_of_the_application_as_listed():
    calls = []

    def execute(name, args):
        calls.append((name, args))
        return dict(application_id='app-1', instances=[dict(id='t1', state='running'), dict(id='t2', state='running'), dict(id='t3', state='failed')])
    batches = HostBatches(execute, dict(platform='sae', application_name='shop', endpoint='http://127.0.0.1:1'))
    batches.list(restart_times=True)
    assert batches.read(['t1', 't3', 'gone']) == {'t1': dict(id='t1', state='running'), 't3': dict(id='t3', state='failed')}
    # The application as listed (its id), and no option sent as null: a module counts a null option as given.
    assert calls[1] == ('paas.ops.instance_info', dict(platform='sae', endpoint='http://127.0.0.1:1', application_id='app-1', restart_times=False))


def test_the_headers_of_an_http_check_are_kept_out_of_the_logs():
    given = dict(platform='sae', application_id='app-1', http_check=dict(url='http://{ip}/', headers={'Authorization': 'Bearer s3cret'}),
                 applications=[dict(name='b', http_check=dict(url='http://{ip}/', headers={'X-Token': 'an0ther'}))])
    validated = ArgumentSpecValidator(ARGSPEC).validate(given)
    assert validated.error_messages == []
    assert {'Bearer s3cret', 'an0ther'} <= set(validated._no_log_values)
    assert validated.validated_parameters['http_check']['status_codes'] == [200]


def test_a_run_stopped_during_the_soak_sends_no_http_check(web):
    clock = Clock()
    lines = []
    run = run_state(clock, deadline_seconds=2)
    rollout(SteppedFleet(clock, count=2), lines, run, batch_size=2, soak_seconds=10, http_check=check(web.url + '/{name}')).run()
    assert '[shop] batch 1/1: soak cut short after 1 s: the deadline of 2 s for the whole run was reached' in lines
    assert '[shop] batch 1/1: http check not sent: the deadline of 2 s for the whole run was reached' in lines
    assert web.hits == {}
