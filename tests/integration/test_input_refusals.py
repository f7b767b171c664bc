# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What cannot be right is refused before anything is sent (issue 13, section 4), through real ansible-playbook runs.

A capture server on 127.0.0.1 records every connection made to it. Each refused task is aimed at it, by its endpoint or by
a region value bent into a host name (``cn-north-4@127.0.0.1:<port>/#`` sent a password login there), and it must see
none; a control task that is not refused shows that it does see what is sent.
"""

from __future__ import annotations

import json
import socket
import threading

import pytest
import yaml

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module, run_playbook

WORLD = demo_world()
HUAWEI, ALIBABA, RAINBOND = WORLD['huawei'], WORLD['alibaba'], WORLD['rainbond']
PASSWORD = dict(huawei_domain_name=HUAWEI['domain_name'], huawei_user_name=HUAWEI['user_name'], huawei_password=HUAWEI['password'])
AKSK = dict(huawei_access_key=HUAWEI['access_key'], huawei_secret_key=HUAWEI['secret_key'], huawei_project_id=HUAWEI['project_id'])
ALIKEY = dict(alibaba_access_key_id=ALIBABA['access_key_id'], alibaba_access_key_secret=ALIBABA['access_key_secret'])
# No retry, a short timeout: a request that does get out fails fast instead of backing off.
FAST = dict(retries=0, timeout=5)


class CaptureServer:
    """Accepts connections on 127.0.0.1 and keeps the first bytes of each; answers nothing."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(('127.0.0.1', 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.received = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                connection, dummy = self.socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    self.received.append(connection.recv(65536))
                except OSError:
                    self.received.append(b'')

    def close(self):
        self.socket.close()


@pytest.fixture
def capture():
    server = CaptureServer()
    yield server
    server.close()


def refused_cases(port):
    """(module, options, what the message must say), each aimed at the capture server one way or another."""
    here = 'http://127.0.0.1:%d' % port
    bent = '@127.0.0.1:%d/#' % port
    return [
        # Region values bent into the host name, with a password login (the IAM request carries the password).
        ('instance_info', dict(platform='servicestage', huawei_region='cn-north-4' + bent, application_name='shop', **PASSWORD),
         "huawei_region='cn-north-4%s' is not a region name" % bent),
        ('component_action', dict(huawei_region='cn-north-4' + bent, application_name='shop', component_name='web', action='restart', **PASSWORD),
         'huawei_region='),
        ('instance_info', dict(platform='sae', alibaba_region_id='cn-hangzhou' + bent, application_id=ALIBABA['sae_app_id'], **ALIKEY),
         "alibaba_region_id='cn-hangzhou%s' is not a region name" % bent),
        ('app_operation', dict(platform='edas', alibaba_region_id='cn-hangzhou' + bent, app_ids=[ALIBABA['edas_app_id']], action='restart', **ALIKEY),
         'alibaba_region_id='),
        # Endpoints with more than scheme, host and port.
        ('instance_info', dict(platform='servicestage', endpoint='http://gateway.example@127.0.0.1:%d' % port, huawei_region='cn-north-4',
                               application_name='shop', **PASSWORD), 'has user info'),
        ('instance_info', dict(platform='servicestage', endpoint=here, huawei_iam_endpoint=here + '/#', huawei_region='cn-north-4',
                               application_name='shop', **PASSWORD), 'huawei_iam_endpoint='),
        ('instance_info', dict(platform='rainbond', endpoint=here + '/console?x=1', rainbond_token=RAINBOND['token'], team_id=RAINBOND['team'],
                               region_name=RAINBOND['region'], application_id='1'), 'has a path and a query'),
        # Timeouts.
        ('component_action', dict(endpoint=here, timeout=-1, application_name='shop', component_name='web', action='restart', **AKSK),
         'timeout must be more than 0'),
        ('instance_info', dict(platform='servicestage', endpoint=here, timeout=0, application_name='shop', **AKSK), 'timeout must be more than 0'),
        ('component_action', dict(endpoint=here, wait_timeout=-5, application_name='shop', component_name='web', action='restart', **AKSK),
         'wait_timeout must be at least 1'),
        ('app_operation', dict(platform='sae', endpoint=here, wait_timeout=0, app_ids=[ALIBABA['sae_app_id']], action='scale', replicas=2, **ALIKEY),
         'wait_timeout must be at least 1'),
        ('change_order_info', dict(platform='sae', endpoint=here, wait_timeout=0, application_id=ALIBABA['sae_app_id'], **ALIKEY),
         'wait_timeout must be at least 1'),
        ('batch_restart', dict(platform='servicestage', endpoint=here, batch_timeout=0, application_name='shop', targets=['web'], **AKSK),
         'batch_timeout must be at least 1'),
        ('api_request', dict(platform='rainbond', endpoint=here, retries=-1, path='/openapi/v1/teams', rainbond_token=RAINBOND['token']),
         'retries must be at least 0'),
        # Options of another platform.
        ('instance_action', dict(platform='edas', endpoint=here, application_id=ALIBABA['edas_app_id'], component_name='web', instance_ids=['ecc-1'],
                                 action='restart', **ALIKEY), 'component_name: not options of platform=edas (component_name is for servicestage)'),
        ('instance_info', dict(platform='sae', endpoint=here, application_id=ALIBABA['sae_app_id'], component_id='c-1', **ALIKEY),
         'component_id: not options of platform=sae'),
        ('batch_restart', dict(platform='rainbond', endpoint=here, namespace_id='cn-hangzhou:demo', rainbond_token=RAINBOND['token'],
                               team_id=RAINBOND['team'], region_name=RAINBOND['region'], application_name='mall', targets=['web']),
         'namespace_id: not options of platform=rainbond (namespace_id is for sae)'),
        ('change_order_info', dict(platform='servicestage', endpoint=here, application_id=HUAWEI['application_id'], **AKSK),
         'application_id: not options of platform=servicestage'),
        ('api_request', dict(platform='servicestage', endpoint=here, api_version='2019-05-06', path='/v3/{project_id}/cas/applications', **AKSK),
         'api_version: not options of platform=servicestage'),
        # Replica counts out of the platform's range.
        ('component_action', dict(endpoint=here, application_name='shop', component_name='web', action='scale', replica=10 ** 9, **AKSK),
         'replica: platform=servicestage scales to 0 to 1000 instances, got 1000000000'),
        ('instance_action', dict(endpoint=here, application_name='shop', component_name='web', instance_ids=['i-1'], action='scale', replica=10 ** 9,
                                 **AKSK), 'replica: platform=servicestage scales to 0 to 1000 instances'),
        ('app_operation', dict(platform='sae', endpoint=here, app_ids=[ALIBABA['sae_app_id']], action='scale', replicas=10 ** 9, **ALIKEY),
         'replicas: platform=sae scales to 0 to 1000 instances'),
        ('app_operation', dict(platform='rainbond', endpoint=here, app_ids=['1'], action='scale', replicas=0, rainbond_token=RAINBOND['token'],
                               team_id=RAINBOND['team'], region_name=RAINBOND['region']), 'replicas: platform=rainbond scales to 1 to 100 instances'),
    ]


def test_what_cannot_be_right_is_refused_with_a_clear_message_and_nothing_is_sent(capture, tmp_path):
    cases = refused_cases(capture.port)
    results = str(tmp_path / 'results.json')
    tasks = [{'name': 'case %d' % index, 'paas.ops.%s' % module: dict(FAST, **options), 'register': 'case_%d' % index, 'ignore_errors': True}
             for index, (module, options, dummy) in enumerate(cases)]
    tasks.append({'name': 'save the results', 'ansible.builtin.copy': {
        'dest': results, 'content': '{{ [%s] | to_json }}' % ', '.join('case_%d' % index for index in range(len(cases)))}})
    playbook = tmp_path / 'refusals.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'tasks': tasks}], sort_keys=False))
    run = run_playbook(str(playbook), timeout=600)
    assert 'Traceback' not in run.output and 'ValueError' not in run.output, run.output
    assert HUAWEI['password'] not in run.output
    outcomes = json.load(open(results))
    for (module, options, message), outcome in zip(cases, outcomes):
        assert outcome.get('failed') is True, (module, options, outcome)
        assert message in outcome['msg'], (module, options, outcome['msg'])
        # Refused by the input checks, not a failure on the way (a bug would be "unexpected ValueError ...").
        assert outcome['error']['type'] == 'PaasInputError', (module, options, outcome)
    assert capture.received == []


def test_the_capture_server_does_see_what_is_sent(capture):
    """The control: the same kind of task, not refused, reaches the capture server."""
    run = run_module('paas.ops.api_request', dict(FAST, platform='rainbond', endpoint='http://127.0.0.1:%d' % capture.port, path='/openapi/v1/teams',
                                                  rainbond_token=RAINBOND['token'], timeout=2))
    assert run.rc != 0
    assert len(capture.received) == 1 and capture.received[0].startswith(b'GET /openapi/v1/teams ')


def test_validate_certs_false_warns_in_every_module_result(emulator_clean):
    plain = run_module('paas.ops.instance_info', dict(platform='servicestage', endpoint=emulator_clean.url, application_id=HUAWEI['application_id'],
                                                      **AKSK))
    assert plain.rc == 0, plain.output
    assert 'validate_certs' not in plain.output
    unverified = run_module('paas.ops.instance_info', dict(platform='servicestage', endpoint=emulator_clean.url, validate_certs=False,
                                                           application_id=HUAWEI['application_id'], **AKSK))
    assert unverified.rc == 0, unverified.output
    assert '[WARNING]: validate_certs=false: the TLS certificate of the server is not verified' in unverified.output
    assert unverified.adhoc_result()['count'] > 0


def test_module_defaults_for_the_group_reach_every_module(emulator_clean, tmp_path):
    """wait_timeout in the group broke instance_info, batch_restart and api_request; wait broke change_order_info."""
    defaults = dict(endpoint=emulator_clean.url, wait=False, wait_timeout=30, auto_confirm_batches=True, alibaba_region_id=ALIBABA['region'],
                    rainbond_token=RAINBOND['token'], team_id=RAINBOND['team'], region_name=RAINBOND['region'], **dict(AKSK, **ALIKEY))
    tasks = [
        {'paas.ops.instance_info': {'platform': 'servicestage', 'application_id': HUAWEI['application_id']}},
        {'paas.ops.batch_restart': {'platform': 'servicestage', 'application_id': HUAWEI['application_id'], 'targets': [HUAWEI['component_id']]},
         'check_mode': True},
        {'paas.ops.api_request': {'platform': 'sae', 'path': '/pop/v1/sam/app/describeApplicationStatus', 'api_action': 'DescribeApplicationStatus',
                                  'query': {'AppId': ALIBABA['sae_app_id']}}},
        {'paas.ops.change_order_info': {'platform': 'sae', 'application_id': ALIBABA['sae_app_id']}},
        {'paas.ops.component_action': {'application_id': HUAWEI['application_id'], 'component_id': HUAWEI['component_id'], 'action': 'start'}},
        {'paas.ops.app_operation': {'platform': 'sae', 'namespace_id': 'cn-hangzhou:demo', 'app_ids': [ALIBABA['sae_app_id']], 'action': 'start'}},
        {'paas.ops.instance_action': {'application_id': HUAWEI['application_id'], 'component_id': HUAWEI['component_id'],
                                      'instance_ids': [HUAWEI['instance_id']], 'action': 'start'}},
    ]
    playbook = tmp_path / 'defaults.yml'
    playbook.write_text(yaml.safe_dump([{'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
                                         'module_defaults': {'group/paas.ops.paas': defaults}, 'tasks': tasks}], sort_keys=False))
    run = run_playbook(str(playbook))
    assert run.rc == 0, run.output
    assert 'Unsupported parameters' not in run.output and 'ok=7' in run.stdout, run.output


def test_a_scale_to_a_billion_is_refused_by_the_module_and_by_the_emulator(emulator_clean):
    key = dict(ALIKEY, alibaba_region_id=ALIBABA['region'], endpoint=emulator_clean.url)
    refused = run_module('paas.ops.app_operation', dict(platform='sae', app_ids=[ALIBABA['sae_app_id']], action='scale', replicas=10 ** 9, **key))
    assert refused.rc != 0 and 'replicas: platform=sae scales to 0 to 1000 instances' in refused.adhoc_result()['msg']
    assert 'sae:RescaleApplication' not in emulator_clean.metrics()['requests']
    # Sent anyway (api_request has no idea what it sends), the platform model answers at once instead of creating instances for ever.
    sent = run_module('paas.ops.api_request', dict(platform='sae', method='PUT', path='/pop/v1/sam/app/rescaleApplication', api_action='RescaleApplication',
                                                   query={'AppId': ALIBABA['sae_app_id'], 'Replicas': 10 ** 9}, **key), timeout=60)
    result = sent.adhoc_result()
    assert sent.rc != 0 and result['error']['status'] == 400 and 'Replicas' in result['msg'], result
    assert emulator_clean.metrics()['requests']['sae:RescaleApplication'] == 1
