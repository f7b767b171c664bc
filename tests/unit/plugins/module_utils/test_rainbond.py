# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Rainbond adapter and operation over a faked network: what is sent, decisions, drops, waiting and failures.

``FakeConsole`` answers like the console OpenAPI (platform-apis.md section 1): the operations call always says
success; an accepted component gets a new event at once and reaches its final status after a few list reads.
"""

from __future__ import annotations

import itertools
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ansible_collections.paas.ops.plugins.module_utils import _waiter
from ansible_collections.paas.ops.plugins.module_utils._errors import (
    PaasAPIError, PaasBatchError, PaasInputError, PaasJobError, PaasOutcomeUnknownError, PaasWaitTimeout)
from ansible_collections.paas.ops.plugins.module_utils import _rainbond
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Request, run
from ansible_collections.paas.ops.plugins.module_utils._rainbond import Rainbond, event_view, select_components
from ansible_collections.paas.ops.plugins.module_utils._version import VersionSpec, deploy
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession, make_connection

BASE = '/openapi/v1/teams/demo-team/regions/demo-region/apps'
TRANSIENT = {'start': 'starting', 'stop': 'stopping', 'upgrade': 'upgrade', 'deploy': 'upgrade', 'scale': 'starting'}
FINAL = {'start': 'running', 'stop': 'closed', 'upgrade': 'running', 'deploy': 'running'}
OPT_TYPE = {'start': 'start-service', 'stop': 'stop-service', 'upgrade': 'upgrade-service', 'deploy': 'build-service', 'scale': 'horizontal-service'}


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(_waiter.time, 'sleep', lambda seconds: None)


def event(event_id, opt_type, final_status='complete', status='success', message=''):
    return {'event_id': event_id, 'opt_type': opt_type, 'final_status': final_status, 'status': status, 'message': message,
            'user_name': 'admin', 'create_time': '2026-12-01 10:00:00', 'end_time': None if final_status == 'running' else '2026-12-01 10:00:05'}


class FakeConsole:
    """Components of app 1 in team demo-team / region demo-region; ``status`` and ``min_node`` per component."""

    def __init__(self, *components, steps=2, drop=(), end_as=None, busy=None):
        self.components = [dict(service_id=sid, service_alias='gr' + sid[:6], service_cname=name, status=status, min_node=replicas, version='latest',
                                deploy_version='20260101000000', min_memory=512, min_cpu=500, image='goodrain.me/%s:latest' % name,
                                service_source='docker_image') for sid, name, status, replicas in components]
        self.events = dict((c['service_id'], [event('old-' + c['service_id'], 'start-service')]) for c in self.components)
        self.steps = steps          # list reads until an accepted operation is done
        self.drop = set(drop)       # components the region rejects silently
        self.end_as = end_as or {}  # service id -> (final status, event status, message) instead of success
        self.busy = dict(busy or {})  # service id -> list reads it stays in its transient status first
        self.progress = {}          # service id -> [reads left, final status, event]
        self.bodies = []
        self.reset_next_post = False
        for sid, reads in self.busy.items():
            component = self.by_id(sid)
            # A start already in flight: it ends running.
            self.progress[sid] = [reads, 'running', None]
            component['status'] = 'starting'
        self.session = RoutedSession({
            ('GET', BASE + '$'): [self.list_apps],
            ('GET', BASE + '/1/services$'): [self.list_components],
            ('GET', BASE + '/1/services/[^/]+/events$'): [self.list_events],
            ('POST', BASE + '/1/operations$'): [self.operate],
            ('POST', BASE + '/1/services/[^/]+/telescopic/horizontal$'): [self.scale],
            ('PUT', BASE + '/1/services/[^/]+/docker-image-change$'): [self.change_image],
        })
        self.reset_next_put = False

    def by_id(self, sid):
        return next(c for c in self.components if c['service_id'] == sid)

    def list_apps(self, method, url):
        query = parse_qs(urlsplit(url).query).get('query', [''])[0]
        apps = [{'ID': 1, 'group_name': 'shop'}, {'ID': 2, 'group_name': 'shop-old'}, {'ID': 3, 'group_name': 'reports'}]
        return FakeResponse(200, [app for app in apps if query in app['group_name']])

    def list_components(self, method, url):
        for sid, progress in list(self.progress.items()):
            progress[0] -= 1
            if progress[0] <= 0:
                final, event_status, message = self.end_as.get(sid, (progress[1], 'success', ''))
                self.by_id(sid)['status'] = final
                if progress[2] is not None:
                    progress[2].update(final_status='complete', status=event_status, message=message)
                del self.progress[sid]
        return FakeResponse(200, [dict(c) for c in self.components])

    def list_events(self, method, url):
        sid = urlsplit(url).path.split('/')[-2]
        size = int(parse_qs(urlsplit(url).query)['page_size'][0])
        return FakeResponse(200, {'events': list(reversed(self.events[sid]))[:size], 'total': len(self.events[sid]), 'page': 1, 'page_size': size})

    def accept(self, sid, action, final):
        new = event('ev-%s-%d' % (sid, len(self.events[sid])), OPT_TYPE[action], 'running', '')
        self.events[sid].append(new)
        self.by_id(sid)['status'] = TRANSIENT[action]
        self.progress[sid] = [self.steps, final, new]

    def operate(self, method, url):
        body = json.loads(self.bodies_append(url))
        for sid in body['service_ids'] or [c['service_id'] for c in self.components]:
            if sid not in self.drop and sid not in self.progress:
                self.accept(sid, body['action'], FINAL[body['action']])
        if self.reset_next_post:
            self.reset_next_post = False
            raise requests.exceptions.ConnectionError('Connection reset by peer')
        return FakeResponse(200, {'msg': '操作成功'}, headers={'X-Request-Id': 'rid-op'})

    def scale(self, method, url):
        sid = urlsplit(url).path.split('/')[-3]
        body = json.loads(self.bodies_append(url))
        component = self.by_id(sid)
        if body['new_node'] == component['min_node']:
            return FakeResponse(400, {'code': 10104, 'msg': 'The number of components has not changed, no need to scale', 'msg_show': '无需伸缩'})
        final = component['status']
        component['min_node'] = body['new_node']
        self.accept(sid, 'scale', final)
        return FakeResponse(200, text='')

    def change_image(self, method, url):
        sid = urlsplit(url).path.split('/')[-2]
        body = json.loads(self.bodies_append(url))
        self.by_id(sid).update(image=body['image'], version=body['image'].split(':')[-1])
        if self.reset_next_put:
            self.reset_next_put = False
            raise requests.exceptions.ConnectionError('Connection reset by peer')
        return FakeResponse(200, {'code': 200, 'msg': 'success', 'msg_show': '更改镜像地址成功', 'data': {'bean': {}, 'list': []}})

    def bodies_append(self, url):
        body = self.session.calls[-1]['data'].decode('utf-8')
        self.bodies.append((urlsplit(url).path, json.loads(body)))
        return body

    def posts(self):
        return [body for path, body in self.bodies]


WEB, API, WORKER = 'a' * 32, 'b' * 32, 'c' * 32


def console(*components, **options):
    fake = FakeConsole(*components, **options)
    return Rainbond(make_connection('rainbond', session=fake.session, endpoint='http://rainbond', rainbond_token='tok'), 'demo-team',
                    'demo-region'), fake


def params(**values):
    base = dict(action='start', app_ids=['1'], app_names=None, service_ids=None, component_names=None, replicas=None, wait=True, wait_timeout=60)
    base.update(values)
    return base


def rainbond_operation(api, options, check_mode):
    """The operation as a module calls it: its options become one Request."""
    return run(_rainbond.ComponentsOperation(api), Request.from_options(options, check_mode))


def shop(**options):
    return console((WEB, 'web', 'running', 2), (API, 'api', 'closed', 3), (WORKER, 'worker', 'running', 1), **options)


def test_start_sends_only_the_components_not_running_and_waits_for_them():
    api, fake = shop()
    result = rainbond_operation(api, params(), check_mode=False)
    assert fake.posts() == [{'action': 'start', 'service_ids': [API]}]
    post = [call for call in fake.session.calls if call['method'] == 'POST'][0]
    assert post['headers']['Authorization'] == 'tok'
    assert result['changed'] is True
    assert [(c['name'], c['changed'], c['reason']) for c in result['components']] == [
        ('web', False, 'already running'), ('api', True, 'target is stopped'), ('worker', False, 'already running')]
    api_entry = result['components'][1]
    assert api_entry['before']['raw_state'] == 'closed' and api_entry['after'] == dict(state='running', raw_state='running', replica=3, version='latest')
    assert api_entry['event']['type'] == 'start-service' and api_entry['event']['status'] == 'succeeded' and api_entry['failed'] is False
    assert result['requests'] == [dict(operation='OperateApp', request_id='rid-op')]


def test_nothing_to_send_reports_unchanged_and_sends_nothing():
    api, fake = shop()
    result = rainbond_operation(api, params(action='stop', service_ids=[API]), check_mode=False)
    assert result['changed'] is False and result['components'][0]['reason'] == 'already stopped' and fake.posts() == []


def test_check_mode_predicts_exactly_and_sends_nothing():
    api, fake = shop()
    result = rainbond_operation(api, params(action='stop'), check_mode=True)
    assert fake.posts() == []
    assert [(c['changed'], c['after']['raw_state']) for c in result['components']] == [(True, 'closed'), (False, 'closed'), (True, 'closed')]
    api_real, fake_real = shop()
    real = rainbond_operation(api_real, params(action='stop'), check_mode=False)
    assert [c['after'] for c in real['components']] == [c['after'] for c in result['components']]
    assert fake_real.posts() == [{'action': 'stop', 'service_ids': [WEB, WORKER]}]


def test_components_are_chosen_by_id_alias_or_name_and_unknown_ones_refused_before_sending():
    api, fake = shop()
    result = rainbond_operation(api, params(action='upgrade', service_ids=['gr' + WORKER[:6]], component_names=['web']), check_mode=False)
    assert fake.posts() == [{'action': 'upgrade', 'service_ids': [WORKER, WEB]}]
    assert [c['reason'] for c in result['components']] == ['upgrade always acts', 'upgrade always acts']
    with pytest.raises(PaasInputError, match=r"no component nope; its components: web \(graaaaaa, a{32}\), api"):
        rainbond_operation(api, params(component_names=['nope']), check_mode=False)
    assert len(fake.posts()) == 1


def test_duplicate_names_must_be_given_by_id():
    components = [dict(id=WEB, alias='gr1', name='web'), dict(id=API, alias='gr2', name='web')]
    with pytest.raises(PaasInputError, match="more than one component is named 'web'"):
        select_components(components, component_names=['web'])
    assert select_components(components, service_ids=['gr2', API]) == [components[1]]


def test_refusals_before_sending():
    api, fake = console((WEB, 'web', 'closed', 1), (API, 'db', 'undeploy', 1))
    with pytest.raises(PaasInputError, match=r'component web \(graaaaaa\) is closed: a rolling upgrade needs a running component'):
        rainbond_operation(api, params(action='upgrade', component_names=['web']), check_mode=True)
    with pytest.raises(PaasInputError, match='has never been deployed .status undeploy.: use action=deploy'):
        rainbond_operation(api, params(action='start', component_names=['db']), check_mode=False)
    with pytest.raises(PaasInputError, match='1 to 100 instances, got 0'):
        rainbond_operation(api, params(action='scale', replicas=0, component_names=['web']), check_mode=False)
    stopped = rainbond_operation(api, params(action='stop', component_names=['db']), check_mode=False)
    assert stopped['changed'] is False and stopped['components'][0]['reason'] == 'never deployed'
    assert fake.posts() == []


def test_deploy_always_acts_even_on_a_closed_component():
    api, fake = console((WEB, 'web', 'closed', 1))
    result = rainbond_operation(api, params(action='deploy'), check_mode=False)
    assert fake.posts() == [{'action': 'deploy', 'service_ids': [WEB]}] and result['components'][0]['after']['state'] == 'running'


def test_scale_is_sent_per_component_only_when_the_count_differs():
    api, fake = shop()
    result = rainbond_operation(api, params(action='scale', replicas=3, component_names=['web', 'api', 'worker']), check_mode=False)
    assert [path.split('/')[-3] for path, body in fake.bodies] == [WEB, WORKER]
    assert fake.posts() == [{'new_node': 3}, {'new_node': 3}]
    assert [(c['changed'], c['after']['replica'], c['after']['state']) for c in result['components']] == [
        (True, 3, 'running'), (False, 3, 'stopped'), (True, 3, 'running')]
    assert [c['reason'] for c in result['components']] == ['replicas 2 -> 3', 'already at 3 replicas', 'replicas 1 -> 3']


def test_scaling_a_closed_component_predicts_it_stays_closed():
    api, fake = shop()
    result = rainbond_operation(api, params(action='scale', replicas=5, component_names=['api']), check_mode=True)
    assert result['components'][0]['after'] == dict(state='stopped', raw_state='closed', replica=5, version='latest') and fake.posts() == []


def test_a_silently_dropped_component_fails_the_task_naming_it():
    api, fake = shop(drop=[WORKER])
    with pytest.raises(PaasBatchError) as raised:
        rainbond_operation(api, params(action='upgrade', component_names=['web', 'worker']), check_mode=False)
    assert '1 of 2 components failed to upgrade' in raised.value.msg
    assert 'component worker (grcccccc) Rainbond dropped it without starting an event' in raised.value.msg
    entries = dict((c['name'], c) for c in raised.value.result['components'])
    assert entries['worker']['dropped'] is True and entries['worker']['failed'] is True and entries['worker']['event'] is None
    assert entries['web']['failed'] is False and entries['web']['event']['status'] == 'succeeded'


def test_a_component_that_ends_abnormal_fails_with_its_events():
    api, fake = shop(end_as={API: ('abnormal', 'failure', 'OOMKilled: container exceeded 512Mi')})
    with pytest.raises(PaasBatchError) as raised:
        rainbond_operation(api, params(action='start'), check_mode=False)
    assert 'component api (grbbbbbb) ended abnormal (event start-service failure)' in raised.value.msg
    assert 'latest events: start-service failure: OOMKilled: container exceeded 512Mi; start-service success' in raised.value.msg
    entry = raised.value.result['components'][1]
    assert entry['failed'] is True and entry['after']['raw_state'] == 'abnormal' and len(entry['events']) == 2


def test_a_successful_event_on_an_abnormal_component_is_still_a_failure():
    api, fake = shop(end_as={API: ('some_abnormal', 'success', '')})
    with pytest.raises(PaasBatchError, match='ended some_abnormal'):
        rainbond_operation(api, params(action='start'), check_mode=False)


def test_a_component_in_a_transition_is_waited_for_before_deciding():
    api, fake = shop(busy={API: 3})
    result = rainbond_operation(api, params(action='start'), check_mode=False)
    # It was starting (a start already in flight) and ended running: nothing left to send.
    assert result['waited_for_components'] == [API] and result['changed'] is False and fake.posts() == []


def test_without_wait_a_transition_is_refused_not_collided_with():
    api, fake = shop(busy={API: 3})
    with pytest.raises(PaasInputError, match=r'component api \(grbbbbbb\): it is starting; set wait=true'):
        rainbond_operation(api, params(action='stop', wait=False), check_mode=False)
    assert fake.posts() == []


def test_a_running_event_counts_as_a_transition():
    api, fake = shop()
    fake.events[WEB].append(event('build', 'build-service', 'running', ''))
    with pytest.raises(PaasInputError, match='its build-service event is still running'):
        rainbond_operation(api, params(action='upgrade', wait=False), check_mode=False)


def test_wait_false_returns_once_every_component_has_its_event():
    api, fake = shop(drop=[])
    result = rainbond_operation(api, params(action='upgrade', wait=False, component_names=['web']), check_mode=False)
    entry = result['components'][0]
    assert entry['event']['status'] == 'running' and entry['after']['state'] == 'running' and fake.session.count('GET', '/services$') == 1


@pytest.fixture
def fast_clock(monkeypatch):
    """Every clock read of a wait is 7 s later than the one before: waits time out after a few polls."""
    clock = itertools.count(0, 7)
    original = _rainbond.wait_until
    monkeypatch.setattr(_rainbond, 'wait_until', lambda *args, **kwargs: original(*args, clock=lambda: next(clock), **kwargs))


def test_timeout_names_the_components_not_done(fast_clock):
    api, fake = shop(steps=10 ** 6)
    with pytest.raises(PaasBatchError) as raised:
        rainbond_operation(api, params(action='start', wait_timeout=30), check_mode=False)
    assert 'component api (grbbbbbb) not running within wait_timeout (status starting, event running)' in raised.value.msg


def test_an_unknown_outcome_is_settled_by_the_events_without_sending_twice():
    api, fake = shop()
    fake.reset_next_post = True
    result = rainbond_operation(api, params(action='start'), check_mode=False)
    # The reset came after the console accepted the operation: the new event proves it, so nothing is re-sent.
    assert fake.posts() == [{'action': 'start', 'service_ids': [API]}] and result['components'][1]['event']['status'] == 'succeeded'


def test_an_unknown_outcome_with_no_new_event_is_sent_once_more():
    api, fake = shop()
    fake.session.routes.insert(0, ('POST', re.compile('/operations$'),
                                   [requests.exceptions.ConnectionError('Connection reset by peer'), fake.operate]))
    result = rainbond_operation(api, params(action='start'), check_mode=False)
    assert fake.posts() == [{'action': 'start', 'service_ids': [API]}] and result['changed'] is True
    assert fake.session.count('POST', '/operations$') == 2


def test_a_timeout_with_no_new_event_is_not_sent_again():
    # No answer in time: the region may still be taking the operation, so no event yet proves nothing.
    api, fake = shop()
    fake.session.routes.insert(0, ('POST', re.compile('/operations$'), [requests.exceptions.ReadTimeout('read timed out'), fake.operate]))
    with pytest.raises(PaasOutcomeUnknownError, match=r'it may still be under way \(no new event yet on component api \(grbbbbbb\)\); it was not re-sent'):
        rainbond_operation(api, params(action='start'), check_mode=False)
    assert fake.session.count('POST', '/operations$') == 1


def test_two_unknown_outcomes_in_a_row_fail_clearly():
    api, fake = shop()
    fake.session.routes.insert(0, ('POST', re.compile('/operations$'), [requests.exceptions.ReadTimeout('read timed out')]))
    with pytest.raises(PaasOutcomeUnknownError):
        rainbond_operation(api, params(action='start'), check_mode=False)


def test_applications_are_found_by_exact_name_and_ids_must_be_integers():
    api, fake = shop()
    assert api.app_id(app_name='shop') == '1'
    with pytest.raises(PaasInputError, match=r"no application named 'sho' in team demo-team, region demo-region \(names matching: shop, shop-old\)"):
        api.app_id(app_name='sho')
    with pytest.raises(PaasInputError, match="a Rainbond app id is an integer, got '1/../2'"):
        api.app_id(app_id='1/../2')
    assert fake.session.count('GET', BASE + '$') == 2
    with pytest.raises(PaasInputError, match='one application a task'):
        rainbond_operation(api, params(app_ids=['1', '3']), check_mode=False)


def test_team_and_region_are_required(connection):
    with pytest.raises(PaasInputError, match='team_id .the team id or name. and region_name'):
        Rainbond(connection('rainbond', session=RoutedSession({}), endpoint='http://rainbond', rainbond_token='tok'), 'demo-team', None)


def test_ids_are_encoded_as_one_path_segment():
    api, fake = shop()
    fake.session.routes.insert(0, ('GET', re.compile('/events$'), [FakeResponse(404, {'code': 404, 'msg': 'no found component'})]))
    with pytest.raises(PaasAPIError, match='no found component'):
        api.events('1', 'x/y?z', 1)
    assert '/services/x%2Fy%3Fz/events?' in fake.session.calls[-1]['url']


@pytest.mark.parametrize('final_status,status,normalized', [
    ('running', '', 'running'), ('complete', 'success', 'succeeded'), ('complete', 'failure', 'failed'), ('failure', 'failure', 'failed'),
    ('emptycomplete', 'success', 'succeeded'), ('timeout', '', 'unknown')])
def test_event_status_normalization(final_status, status, normalized):
    view = event_view(event('e', 'start-service', final_status, status, 'm'))
    assert (view['status'], view['raw_status'], view['result'], view['message']) == (normalized, final_status, status or None, 'm')


def test_wait_timeout_before_acting_names_what_is_still_in_transition(fast_clock):
    api, fake = shop(busy={API: 10 ** 6})
    with pytest.raises(PaasWaitTimeout, match=r'to settle: component api \(grbbbbbb\): it is starting'):
        rainbond_operation(api, params(action='stop', wait_timeout=20), check_mode=False)
    assert fake.posts() == []


# ---- deploys of an image (ComponentDeployer through the shared runner) -----------------------------------------

NEW = 'registry.example.com/shop/web:2.4.1'


def deploy_with(fake, check_mode=False, rollback_on_failure=False, **options):
    """``paas.ops.app_version`` as the module runs it: the registry's deployer, one Request, the shared runner."""
    values = dict(application_id='1', application_name=None, service_ids=None, component_names=None, image=NEW, wait=True)
    values.update(options)
    connection = make_connection('rainbond', session=fake.session, endpoint='http://rainbond', rainbond_token='tok', team_id='demo-team',
                                 region_name='demo-region')
    deployer = _rainbond.deployer(connection, values)
    request = Request('deploy', wait=values['wait'], deadline=Deadline(60), check_mode=check_mode)
    return deploy(deployer, request, VersionSpec.from_params(values), rollback_on_failure=rollback_on_failure)


def image_changes(fake):
    return [(path.split('/')[-2], body['image']) for path, body in fake.bodies if path.endswith('/docker-image-change')]


def test_deploy_sets_each_image_then_sends_one_deploy_operation():
    api, fake = shop()
    result = deploy_with(fake, component_names=['web', 'api'])
    assert image_changes(fake) == [(WEB, NEW), (API, NEW)]
    assert [body for path, body in fake.bodies if path.endswith('/operations')] == [{'action': 'deploy', 'service_ids': [WEB, API]}]
    assert result['deployed'] == [WEB, API] and [t['job_id'] for t in result['targets']] == ['ev-%s-1' % WEB, 'ev-%s-1' % API]
    assert [t['after']['raw_state'] for t in result['targets']] == ['running', 'running']


def test_deploy_refuses_what_rainbond_cannot_deploy_before_sending():
    api, fake = shop()
    fake.by_id(WORKER)['service_source'] = 'market'
    with pytest.raises(PaasInputError, match=r'component worker \(grcccccc\) is not built from an image \(service_source market\)'):
        deploy_with(fake)
    with pytest.raises(PaasInputError, match='Rainbond deploys images: give image'):
        deploy_with(fake, image=None, version='1.0.0')
    assert fake.bodies == []


def test_a_component_left_abnormal_on_its_image_is_deployed_again_without_an_image_change():
    api, fake = console((WEB, 'web', 'abnormal', 1), (API, 'api', 'running', 1))
    for component in fake.components:
        component['image'] = NEW
    result = deploy_with(fake)
    assert [(t['id'], t['changed']) for t in result['targets']] == [(WEB, True), (API, False)]
    assert image_changes(fake) == [] and fake.posts() == [{'action': 'deploy', 'service_ids': [WEB]}]


def test_an_unknown_outcome_of_the_image_change_is_settled_by_the_configured_image():
    api, fake = shop()
    fake.reset_next_put = True
    result = deploy_with(fake, component_names=['web'])
    assert image_changes(fake) == [(WEB, NEW)] and result['deployed'] == [WEB]


def test_an_unknown_outcome_of_the_deploy_is_settled_by_the_new_events():
    api, fake = shop()
    fake.reset_next_post = True
    result = deploy_with(fake, component_names=['web'])
    assert [body for path, body in fake.bodies if path.endswith('/operations')] == [{'action': 'deploy', 'service_ids': [WEB]}]
    assert result['deployed'] == [WEB]


def test_a_failed_deploy_rolls_back_to_the_image_before_and_still_fails():
    api, fake = shop(end_as={WEB: ('abnormal', 'failure', 'readiness probe failed')})
    original, sent = fake.operate, []

    def deploy_then_heal(method, url):
        # The rollback's deploy succeeds: only the first deploy fails.
        sent.append(url)
        if len(sent) == 2:
            fake.end_as.pop(WEB, None)
        return original(method, url)
    fake.session.routes.insert(0, ('POST', re.compile('/operations$'), [deploy_then_heal] * 2))
    with pytest.raises(PaasJobError) as raised:
        deploy_with(fake, component_names=['web'], rollback_on_failure=True)
    result = raised.value.result
    assert image_changes(fake) == [(WEB, NEW), (WEB, 'goodrain.me/web:latest')]
    assert [body for path, body in fake.bodies if path.endswith('/operations')] == [{'action': 'deploy', 'service_ids': [WEB]}] * 2
    assert result['rolled_back'] == [WEB] and result['targets'][0]['outcome'] == 'rolled_back'
    assert 'readiness probe failed' in raised.value.msg and raised.value.msg.endswith('rolled back: web')
