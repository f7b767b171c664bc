# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ServiceStage fleet's batch restart over a faked network: one action per target, then one list call per poll for the
whole batch, a job read only where the list cannot tell the outcome (and a failure still carries the job's task messages)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests

from ansible_collections.paas.ops.plugins.module_utils import _waiter
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._fleet import restart_batch
from ansible_collections.paas.ops.plugins.module_utils._servicestage import ServiceStageFleet
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession, make_connection

P = 'p1'
APP = 'app-1'
WEB, API, WORKER = 'comp-1', 'comp-2', 'comp-3'
NAMES = {WEB: 'web', API: 'api', WORKER: 'worker'}
LIST = '/v3/p1/cas/applications/app-1/components$'
ACTION = '/v3/p1/cas/applications/app-1/components/(comp-[0-9])/action$'
INSTANCES = '/v2/p1/cas/applications/app-1/components/comp-1/instances$'
INSTANCE_ACTION = '/v2/p1/cas/applications/app-1/components/comp-1/instances/(ins-[0-9])/action$'
OURS = object()  # in a script: the job id the action answered


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


def ours(target_id):
    return 'job-%s' % target_id


def component_info(name, last_job_id, status='RUNNING'):
    """ShowComponentInfo of a component (what a target run on its own, TargetOperation, and the settling of an unknown outcome read)."""
    return FakeResponse(200, {'name': name, 'replica': 1, 'status': {'component_status': status, 'replica': 1, 'last_job_id': last_job_id}})


class FakeStage:
    """A ServiceStage application (or one component's v2 instances) whose list entries follow a script after each action.

    ``after[id]`` is what the list shows of that target at the 1st, 2nd, ... list call after its action (the last repeats):
    ``(status, last_job_id)`` with ``OURS`` for the action's job, or with a third item, the v2 ``last_job_status``.
    ``jobs[job id]`` are the job's answers in turn: ``(execution_status, [(task name, task status, messages)])``.
    """

    def __init__(self, statuses, after=None, jobs=None, actions=None, v2=False):
        self.v2 = v2
        self.shown = dict((target_id, (status, '') if isinstance(status, str) else status) for target_id, status in statuses.items())
        self.after = after or {}
        self.jobs = jobs or {}
        self.action_replies = actions or {}
        self.since = {}
        self.sent = []
        routes = {('GET', INSTANCES if v2 else LIST): [self.listing], ('POST', INSTANCE_ACTION if v2 else ACTION): [self.action],
                  ('GET', '/v[23]/p1/cas/jobs/[^/]+$'): [self.job]}
        self.session = RoutedSession(routes)

    def entry(self, target_id):
        if target_id in self.since:
            script = self.after.get(target_id) or [('RESTARTING', OURS), ('RUNNING', OURS)]
            shown = script[min(self.since[target_id], len(script) - 1)]
            self.since[target_id] += 1
            shown = (shown[0], ours(target_id) if shown[1] is OURS else shown[1]) + tuple(shown[2:])
            self.shown[target_id] = shown
        return self.shown[target_id]

    def listing(self, method, url):
        items = []
        for target_id in self.shown:
            shown = self.entry(target_id)
            status = dict(replica=1, available_replica=1 if shown[0] == 'RUNNING' else 0, last_job_id=shown[1])
            if self.v2:
                status.update(status=shown[0], last_job_status=shown[2] if len(shown) > 2 else '')
                items.append(dict(id=target_id, name='%s-production' % target_id, status_detail=status))
            else:
                status.update(component_status=shown[0])
                items.append(dict(id=target_id, name=NAMES.get(target_id, target_id), status=status))
        return FakeResponse(200, {'count': len(items), 'instances' if self.v2 else 'components': items})

    def action(self, method, url):
        target_id = re.search(INSTANCE_ACTION if self.v2 else ACTION, urlsplit(url).path).group(1)
        self.sent.append(target_id)
        replies = self.action_replies.get(target_id)
        reply = replies.pop(0) if replies else None
        if reply is not None:
            return reply
        self.since[target_id] = 0
        return FakeResponse(200, {'job_id': ours(target_id)})

    def job(self, method, url):
        job_id = urlsplit(url).path.rsplit('/', 1)[1]
        replies = self.jobs.get(job_id) or [('SUCCEEDED', [('restart', 'SUCCEEDED', '')])]
        status, tasks = replies.pop(0) if len(replies) > 1 else replies[0]
        key = str.upper if self.v2 else str
        return FakeResponse(200, {'task_count': len(tasks), 'job': {key('execution_status'): status, key('job_id'): job_id},
                                  'tasks': [{key('task_name'): name, key('task_status'): task_status, key('messages'): messages}
                                            for name, task_status, messages in tasks]})

    def count(self, what):
        patterns = {'list': INSTANCES if self.v2 else LIST, 'action': INSTANCE_ACTION if self.v2 else ACTION, 'job': '/cas/jobs/'}
        method = 'POST' if what == 'action' else 'GET'
        return self.session.count(method, patterns[what])


def fleet_over(fake):
    connection = make_connection('servicestage', session=fake.session, endpoint='http://emu', huawei_access_key='AK', huawei_secret_key='SK',
                                 huawei_project_id=P)
    component = ('comp-1', None) if fake.v2 else None
    return ServiceStageFleet(connection, (APP, None), component)


def outcomes(result):
    return [(entry['id'], entry['outcome']) for entry in result['targets']]


def test_a_batch_sends_one_action_per_target_and_polls_one_list_call_for_all_of_them():
    fake = FakeStage({WEB: 'RUNNING', API: 'RUNNING', WORKER: 'RUNNING'})
    result = restart_batch(fleet_over(fake), [WEB, API, WORKER])
    assert outcomes(result) == [(WEB, 'restarted'), (API, 'restarted'), (WORKER, 'restarted')]
    assert sorted(fake.sent) == sorted([WEB, API, WORKER]) and fake.count('action') == 3
    # The list before, two polls (restarting, then running again), the list after: no job read at all.
    assert fake.count('list') == 4 and fake.count('job') == 0
    assert [entry['after']['state'] for entry in result['targets']] == ['running'] * 3


def test_a_failed_job_is_read_and_reported_with_its_task_messages():
    fake = FakeStage({WEB: 'RUNNING', API: 'RUNNING'}, after={API: [('RESTARTING', OURS), ('FAILED', OURS)]},
                     jobs={ours(API): [('FAILED', [('restart component api', 'FAILED', 'readiness probe failed: HTTP 503')])]})
    result = restart_batch(fleet_over(fake), [WEB, API], health_gate=False)
    assert outcomes(result) == [(WEB, 'restarted'), (API, 'failed')] and result['failed_targets'] == [API]
    message = result['targets'][1]['msg']
    assert message.startswith('job job-comp-2 on component api ended failed (FAILED)') and 'readiness probe failed: HTTP 503' in message
    # Only the failed target's job was read.
    assert fake.count('job') == 1


def test_an_entry_still_naming_the_earlier_job_is_not_taken_as_done():
    # The list lags: twice the previous job and RUNNING (from before the restart), then ours restarting, then running.
    fake = FakeStage({WEB: ('RUNNING', 'job-old')},
                     after={WEB: [('RUNNING', 'job-old'), ('RUNNING', 'job-old'), ('RESTARTING', OURS), ('RUNNING', OURS)]})
    fleet = fleet_over(fake)
    fleet.targets()
    assert fleet.restart([WEB], Deadline(60), True) == {WEB: None}
    assert fake.count('list') == 1 + 4 and fake.count('job') == 0


def test_running_under_our_job_without_having_left_running_is_checked_with_the_job():
    # The entry names our job but never showed a transition: the job says whether it has ended.
    fake = FakeStage({WEB: 'RUNNING'}, after={WEB: [('RUNNING', OURS)]},
                     jobs={ours(WEB): [('SUBMITTED', []), ('RUNNING', []), ('SUCCEEDED', [('restart', 'SUCCEEDED', '')])]})
    fleet = fleet_over(fake)
    fleet.targets()
    assert fleet.restart([WEB], Deadline(60), True) == {WEB: None}
    assert fake.count('job') == 3 and fake.count('list') == 1 + 3


def test_a_job_that_failed_while_the_list_shows_running_again_is_a_failure():
    fake = FakeStage({WEB: 'RUNNING'}, after={WEB: [('RUNNING', OURS)]},
                     jobs={ours(WEB): [('FAILED', [('restart component web', 'FAILED', 'image pull failed')])]})
    fleet = fleet_over(fake)
    fleet.targets()
    failures = fleet.restart([WEB], Deadline(60), True)
    assert 'ended failed (FAILED)' in failures[WEB] and 'image pull failed' in failures[WEB]


def test_a_stopped_target_is_refused_without_sending_and_the_others_restart():
    fake = FakeStage({WEB: 'RUNNING', API: 'STOPPED'})
    fake.session.routes.insert(0, ('GET', re.compile('/components/comp-2$'), [component_info('api', '', 'STOPPED')]))
    fleet = fleet_over(fake)
    fleet.targets()
    failures = fleet.restart([WEB, API], Deadline(60), True)
    assert failures[WEB] is None and 'component api is STOPPED: a restart needs a running target; use action=start' in failures[API]
    assert fake.sent == [WEB]


def test_a_target_whose_job_is_still_running_is_refused_then_waited_for_and_restarted():
    # 409 while another job runs: the component runs on its own (TargetOperation): it is read, waits for that job, then restarts it.
    conflict = FakeResponse(409, {'error_code': 'SVCSTG.00100409', 'error_msg': 'conflicts with the current state: a job is running'})
    fake = FakeStage({WEB: ('RUNNING', 'job-scale')}, actions={WEB: [conflict]},
                     jobs={'job-scale': [('RUNNING', []), ('SUCCEEDED', [])], ours(WEB): [('SUCCEEDED', [('restart', 'SUCCEEDED', '')])]})
    fake.session.routes.insert(0, ('GET', re.compile('/components/comp-1$'), [component_info('web', 'job-scale')]))
    fleet = fleet_over(fake)
    fleet.targets()
    assert fleet.restart([WEB], Deadline(60), True) == {WEB: None}
    assert fake.sent == [WEB, WEB] and fake.session.count('GET', 'jobs/job-scale') == 2


def test_an_unknown_outcome_is_settled_by_the_last_job_id_adopted_resent_once_or_reported():
    timeout = requests.exceptions.ReadTimeout('read timed out')
    unavailable = FakeResponse(503, {'error_code': 'APIGW.0201', 'error_msg': 'Request error: service unavailable'})
    fake = FakeStage({WEB: 'RUNNING', API: 'RUNNING', WORKER: 'RUNNING'}, actions={WEB: [timeout], API: [unavailable], WORKER: [timeout]},
                     after={WEB: [('RESTARTING', 'job-late'), ('RUNNING', 'job-late')]},
                     jobs={'job-late': [('SUCCEEDED', [('restart', 'SUCCEEDED', '')])]})
    # web: its last job moved (the timed-out request was applied): that job is followed. api: a 503 and no new job, so it
    # was not applied: sent once more. worker: timed out and no new job yet: it may still be under way, not re-sent.
    fake.session.routes[:0] = [('GET', re.compile('/components/comp-1$'), [component_info('web', 'job-late')]),
                               ('GET', re.compile('/components/comp-2$'), [component_info('api', '')]),
                               ('GET', re.compile('/components/comp-3$'), [component_info('worker', '')])]
    fleet = fleet_over(fake)
    fleet.targets()
    fake.since[WEB] = 0  # the list shows web's late job from the first poll on
    failures = fleet.restart([WEB, API, WORKER], Deadline(60), True)
    assert failures[WEB] is None and failures[API] is None
    assert 'the outcome of UpdateComponentAction is unknown' in failures[WORKER] and 'not re-sent' in failures[WORKER]
    assert sorted(fake.sent) == sorted([WEB, API, API, WORKER])


def test_a_batch_that_does_not_end_in_time_says_which_job_is_still_running():
    fake = FakeStage({WEB: 'RUNNING'}, after={WEB: [('RESTARTING', OURS)]}, jobs={ours(WEB): [('RUNNING', [])]})
    fleet = fleet_over(fake)
    fleet.targets()
    failures = fleet.restart([WEB], Deadline(0), True)
    assert 'job job-comp-1 on component web still not ended (last listed RESTARTING)' in failures[WEB]
    # Out of time, the job was read once.
    assert fake.count('job') == 1


def test_out_of_time_a_job_that_failed_while_the_list_still_shows_a_transition_reports_its_messages():
    fake = FakeStage({WEB: 'RUNNING'}, after={WEB: [('RESTARTING', OURS)]},
                     jobs={ours(WEB): [('FAILED', [('restart component web', 'FAILED', 'quota exceeded')])]})
    fleet = fleet_over(fake)
    fleet.targets()
    failures = fleet.restart([WEB], Deadline(0), True)
    assert 'ended failed (FAILED)' in failures[WEB] and 'quota exceeded' in failures[WEB]


def test_v2_instances_are_polled_with_list_instances_and_a_failed_last_job_status_is_read():
    fake = FakeStage({'ins-1': 'RUNNING'}, v2=True, after={'ins-1': [('RESTARTING', OURS, 'RUNNING'), ('RUNNING', OURS, 'FAILED')]},
                     jobs={ours('ins-1'): [('FAILED', [('restart instance', 'FAILED', 'health check failed')])]})
    fleet = fleet_over(fake)
    assert fleet.kind == 'instance'
    fleet.targets()
    failures = fleet.restart(['ins-1'], Deadline(60), True)
    assert 'health check failed' in failures['ins-1'] and fake.count('job') == 1
    assert fake.session.count('GET', '/v2/p1/cas/jobs/') == 1


def test_v2_instances_back_to_running_with_a_succeeded_last_job_need_no_job_read():
    fake = FakeStage({'ins-1': 'RUNNING'}, v2=True, after={'ins-1': [('RESTARTING', OURS, 'RUNNING'), ('RUNNING', OURS, 'SUCCEEDED')]})
    result = restart_batch(fleet_over(fake), ['ins-1'])
    assert outcomes(result) == [('ins-1', 'restarted')] and fake.count('job') == 0 and fake.count('action') == 1


def test_an_included_stopped_component_is_started_the_same_way_and_the_others_restarted():
    fake = FakeStage({WEB: 'RUNNING', API: 'STOPPED'}, after={API: [('STARTING', OURS), ('RUNNING', OURS)]})
    result = restart_batch(fleet_over(fake), [WEB, API], include_stopped=True)
    assert outcomes(result) == [(WEB, 'restarted'), (API, 'restarted')] and result['targets'][1]['msg'] == 'was stopped: started'
    bodies = dict((re.search(ACTION, urlsplit(call['url']).path).group(1), call['data']) for call in fake.session.calls if call['method'] == 'POST')
    assert b'"start"' in bodies[API] and b'"restart"' in bodies[WEB] and fake.count('job') == 0
