# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the shared HTTP client does with what comes back, and what it signs, as users see it: real ``ansible`` runs over
HTTP against the emulator (which verifies every signature), with its faults altering the answers.

Covered: SAE's business code, repeated query keys, non-ASCII paths, ids with braces on every route, 2xx answers that
cannot be read, Alibaba transient codes inside a 200, failures that cannot heal (TLS, DNS, invalid headers), redirects,
and encoded dot segments.
"""

from __future__ import annotations

import copy
import os
import re
import time
import pytest
import yaml

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module
from ansible_collections.paas.ops.tests.emulator.test_emulator_core import hw_get, rb_get, sae_get

DEMO = demo_world()
ALIBABA, HUAWEI, RAINBOND = DEMO['alibaba'], DEMO['huawei'], DEMO['rainbond']
ALIBABA_KEY = dict(alibaba_access_key_id=ALIBABA['access_key_id'], alibaba_access_key_secret=ALIBABA['access_key_secret'],
                   alibaba_region_id=ALIBABA['region'])
HUAWEI_AKSK = dict(huawei_access_key=HUAWEI['access_key'], huawei_secret_key=HUAWEI['secret_key'], huawei_region=HUAWEI['region'],
                   huawei_project_id=HUAWEI['project_id'])
HUAWEI_TEMPORARY = dict(huawei_access_key=HUAWEI['temporary_access_key'], huawei_secret_key=HUAWEI['temporary_secret_key'],
                        huawei_security_token=HUAWEI['temporary_security_token'], huawei_region=HUAWEI['region'],
                        huawei_project_id=HUAWEI['project_id'])
RAINBOND_KEY = dict(rainbond_token=RAINBOND['token'])
CREDENTIALS = dict(sae=ALIBABA_KEY, edas=ALIBABA_KEY, servicestage=HUAWEI_AKSK, rainbond=RAINBOND_KEY)
SAE_WEB = ALIBABA['sae_app_id']
RB_TEAM = 'e4a5b3c2d1f0e9d8c7b6a5f4e3d2c1b0'
DEFAULT_WORLD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'emulator', 'worlds', 'default.yml')
# The warning the client prints before each retry ("sae: HTTP 503; retry 1 of 4 in 0.6s").
RETRY_WARNING = re.compile(r'retry \d of \d')


def api_request(emulator, platform, args, endpoint=None, cli_args=()):
    module_args = dict(platform=platform, endpoint=endpoint or emulator.url, **CREDENTIALS[platform])
    module_args.update(args)
    return run_module('paas.ops.api_request', module_args, args=cli_args)


def failed(run):
    assert run.rc != 0 and 'FAILED! =>' in run.stdout, run.output
    return run.adhoc_result()


def requests_of(emulator, platform):
    return sum(count for name, count in emulator.metrics()['requests'].items() if name.startswith(platform + ':'))


def world_with(changes):
    with open(DEFAULT_WORLD, encoding='utf-8') as handle:
        world = yaml.safe_load(handle)
    world['settings']['time_factor'] = 0.05
    changes(world)
    return world


# ---- 1. SAE's business code ---------------------------------------------------------------------------------------


def test_sae_reports_its_error_code_with_the_http_code_beside_it(emu):
    def empty_namespace(world):
        world['alibaba']['sae']['namespaces'].append({'id': 'cn-hangzhou:empty', 'name': 'empty', 'applications': []})
    emu.admin('PUT', 'world', json=world_with(empty_namespace))
    result = failed(api_request(emu, 'sae', dict(method='PUT', path='/pop/v1/sam/app/batchStartApplications', api_action='BatchStartApplications',
                                                 query={'NamespaceId': 'cn-hangzhou:empty'})))
    error = result['error']
    # The seed's code (001, BatchStartApplications), not the "400" of the body's Code, which is shown beside it.
    assert (error['status'], error['code'], error['body_code']) == (400, 'Mamespace.Have.No.Applications', '400'), error
    assert 'HTTP 400, code Mamespace.Have.No.Applications, body Code 400: There are no applications in this namespace.' in result['msg']


# ---- 2. repeated query keys -----------------------------------------------------------------------------------------


@pytest.mark.parametrize('version', ['v3', 'v1'])
@pytest.mark.parametrize('platform,path,action', [('sae', '/pop/v1/sam/app/describeApplicationStatus', 'DescribeApplicationStatus'),
                                                  ('edas', '/pop/v5/app/app_status', 'QueryApplicationStatus')])
def test_an_alibaba_query_with_a_repeated_key_is_refused_before_sending(emu, platform, path, action, version):
    result = failed(api_request(emu, platform, dict(path=path, api_action=action, alibaba_signature_version=version,
                                                    query={'AppId': [SAE_WEB, 'other']})))
    assert 'AppId given more than once' in result['msg'], result
    assert requests_of(emu, platform) == 0


def test_a_huawei_query_with_a_repeated_key_is_signed_over_every_value(emu):
    path = '/v3/{project_id}/cas/applications/{application_id}/components'
    run = api_request(emu, 'servicestage', dict(path=path, path_params={'application_id': HUAWEI['application_id']},
                                                query={'limit': 100, 'offset': 0, 'order': ['desc', 'asc']}))
    # The emulator verified the signature over every pair it received.
    assert run.rc == 0, run.output
    assert run.adhoc_result()['url'].endswith('?limit=100&offset=0&order=asc&order=desc')


# ---- 3. a literal non-ASCII path ------------------------------------------------------------------------------------


NON_ASCII = [
    # Alibaba: an API the emulator does not serve, so the gateway's answer after checking the signature is "no such API".
    pytest.param('sae', '/pop/v1/sam/app/caf\u00e9', dict(api_action='Cafe'), {}, (404, 'InvalidAction.NotFound'), id='sae-acs3'),
    pytest.param('sae', '/pop/v1/sam/app/\u5e94\u7528', dict(api_action='Apps'), dict(alibaba_signature_version='v1'),
                 (404, 'InvalidAction.NotFound'), id='sae-roa-v1'),
    pytest.param('edas', '/pop/v5/app/caf\u00e9', dict(api_action='Cafe'), {}, (404, 'InvalidAction.NotFound'), id='edas-acs3'),
    pytest.param('edas', '/pop/v5/app/caf\u00e9', dict(api_action='Cafe'), dict(alibaba_signature_version='v1'),
                 (404, 'InvalidAction.NotFound'), id='edas-roa-v1'),
    # Huawei: a real route, whose answer after the signature check is "no such application".
    pytest.param('servicestage', '/v3/{project_id}/cas/applications/caf\u00e9', {}, {}, (404, 'SVCSTG.00100403'), id='huawei-aksk'),
    pytest.param('servicestage', '/v3/{project_id}/cas/applications/caf\u00e9', {}, HUAWEI_TEMPORARY, (404, 'SVCSTG.00100403'),
                 id='huawei-aksk-temporary'),
    pytest.param('rainbond', '/openapi/v1/teams/caf\u00e9/regions/demo-region/apps', {}, dict(team_id=RB_TEAM, region_name='demo-region'),
                 (404, '404'), id='rainbond-token'),
]


@pytest.mark.parametrize('platform,path,args,credentials,answer', NON_ASCII)
def test_a_literal_non_ascii_path_is_signed_as_it_goes_on_the_wire(emulator, platform, path, args, credentials, answer):
    result = failed(api_request(emulator, platform, dict(dict(path=path, **args), **credentials)))
    # Not SignatureDoesNotMatch / APIGW.0301: the emulator accepted the signature over the percent-encoded UTF-8 path.
    assert (result['error']['status'], result['error']['code']) == answer, result['error']


# ---- 4. ids with braces, on every route -----------------------------------------------------------------------------


BRACE_APP, BRACE_COMPONENT, BRACE_INSTANCE = 'app{braces}', 'web{1}', 'ins{1}'
BRACE_SERVICE, BRACE_SAE, BRACE_EDAS = 'svc{1}', 'sae{app}', 'edas{app}'


def _with_braces(world):
    huawei = world['huawei']['servicestage']
    component = copy.deepcopy(huawei['applications'][0]['components'][2])  # worker: one instance, one snapshot
    component.update(id=BRACE_COMPONENT, name='braces-web')
    component['instance'].update(id=BRACE_INSTANCE, name='braces-web-production')
    huawei['applications'].append({'id': BRACE_APP, 'name': 'braces', 'project_id': HUAWEI['project_id'], 'components': [component]})
    shop = world['rainbond']['teams'][0]['apps'][0]
    shop['components'].append({'service_id': BRACE_SERVICE, 'alias': 'grbraces', 'cname': 'braces', 'min_node': 1})
    sae = copy.deepcopy(world['alibaba']['sae']['namespaces'][0]['applications'][2])  # worker
    sae.update(id=BRACE_SAE, name='braces')
    for index, instance in enumerate(sae['instances']):
        instance['id'] = 'braces-{%d}' % index
    world['alibaba']['sae']['namespaces'][0]['applications'].append(sae)
    edas = copy.deepcopy(world['alibaba']['edas']['applications'][0])
    edas.update(id=BRACE_EDAS, name='braces')
    for index, ecc in enumerate(edas['eccs']):
        ecc.update(id='ecc{%d}' % index, ecu_id='ecu{%d}' % index, ip='192.168.9.%d' % (index + 1))
    world['alibaba']['edas']['applications'].append(edas)


@pytest.fixture
def braces(emu):
    emu.admin('PUT', 'world', json=world_with(_with_braces))
    return emu


def test_every_emulated_route_with_a_path_id_accepts_ids_with_braces(braces):
    from paas_emulator.app import PLATFORMS

    # Raw ids: the test client percent-encodes the braces on the wire (%7B, %7D), as every client does.
    values = dict(project_id=HUAWEI['project_id'], application_id=BRACE_APP, component_id=BRACE_COMPONENT, instance_id=BRACE_INSTANCE,
                  team_id=RB_TEAM, region_name='demo-region', app_id='1', service_id=BRACE_SERVICE)
    checked = []
    for platform in PLATFORMS:
        for operation in platform.operations:
            names = re.findall(r'\{(\w+)(?::[^}]*)?\}', operation.path)
            if operation.method != 'GET' or not (set(names) & {'application_id', 'component_id', 'instance_id', 'service_id'}):
                continue
            path = re.sub(r'\{(\w+)(?::[^}]*)?\}', lambda match: values[match.group(1)], operation.path)
            response = rb_get(braces, path[len('/openapi/v1/teams/%s/regions/demo-region/apps' % RB_TEAM):]) \
                if platform.name == 'rainbond' else hw_get(braces, path)
            assert response.status_code == 200, (operation.name, path, response.status_code, response.text[:300])
            checked.append(operation.name)
    assert {'ShowApplicationInfo', 'ShowComponentInfo', 'ShowInstanceDetail', 'ListInstanceSnapshots', 'GetComponent'} <= set(checked)


INFO = [
    pytest.param('servicestage', dict(application_id=BRACE_APP), BRACE_COMPONENT, id='servicestage-v3'),
    pytest.param('servicestage', dict(application_id=BRACE_APP, component_id=BRACE_COMPONENT), BRACE_INSTANCE, id='servicestage-v2'),
    pytest.param('rainbond', dict(team_id=RB_TEAM, region_name=RAINBOND['region'], application_id=1), BRACE_SERVICE, id='rainbond'),
    pytest.param('sae', dict(application_id=BRACE_SAE), 'braces-{0}', id='sae'),
    pytest.param('edas', dict(application_id=BRACE_EDAS), 'ecc{0}', id='edas'),
]


@pytest.mark.parametrize('platform,args,wanted', INFO)
def test_instance_info_finds_targets_whose_ids_have_braces(braces, platform, args, wanted):
    run = run_module('paas.ops.instance_info', dict(dict(platform=platform, endpoint=braces.url, **CREDENTIALS[platform]), **args))
    assert run.rc == 0, run.output
    assert wanted in [target['id'] for target in run.adhoc_result()['instances']], run.output


def test_alibaba_ids_with_braces_in_the_query_are_read(braces):
    response = sae_get(braces, {'AppId': BRACE_SAE})
    assert response.status_code == 200 and response.json()['Data']['AppId'] == BRACE_SAE, response.text


# ---- 5. a 2xx answer that cannot be read ------------------------------------------------------------------------------


SAE_WORKER = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a03'
READS = [
    # platform, what instance_info lists, the read it depends on (fault path), what a 2xx garbles it into
    pytest.param('sae', dict(application_id=SAE_WEB), r'/describeApplicationInstances$', 'html', id='sae-html'),
    pytest.param('edas', dict(application_id=ALIBABA['edas_app_id']), r'/app_status$', 'empty', id='edas-empty'),
    pytest.param('servicestage', dict(application_id=HUAWEI['application_id']), r'/applications/[^/]+/components$', 'truncated',
                 id='servicestage-truncated'),
    pytest.param('rainbond', dict(team_id=RB_TEAM, region_name=RAINBOND['region'], application_id=1), r'/apps/1/services$', 'json_foreign',
                 id='rainbond-foreign-json'),
]
WHAT = dict(html='a body that is not JSON', empty='an empty body', truncated='a body that is not JSON',
            json_foreign='JSON that is not the documented response')


def instance_info(emulator, platform, args, **extra):
    return run_module('paas.ops.instance_info', dict(dict(platform=platform, endpoint=emulator.url, **CREDENTIALS[platform]), **dict(args, **extra)))


@pytest.mark.parametrize('platform,args,path,body_kind', READS)
def test_instance_info_never_reads_an_unreadable_answer_as_no_targets(emu, platform, args, path, body_kind):
    emu.add_fault(kind='bad_body', body_kind=body_kind, path=path, method='GET', platform=platform)
    run = instance_info(emu, platform, args, retries=1)
    result = failed(run)
    assert 'count' not in result and 'the answer could not be read: %s (HTTP 200' % WHAT[body_kind] in result['msg'], result
    # Retried like a 5xx: two attempts, one warning.
    listed = [name for name, count in emu.metrics()['requests'].items() if count == 2]
    assert listed and len(RETRY_WARNING.findall(run.output)) == 1, (emu.metrics()['requests'], run.output)


@pytest.mark.parametrize('platform,args,path,body_kind', READS)
def test_instance_info_reads_again_after_an_unreadable_answer(emu, platform, args, path, body_kind):
    healthy = instance_info(emu, platform, args)
    assert healthy.rc == 0, healthy.output
    emu.add_fault(kind='bad_body', body_kind=body_kind, path=path, method='GET', platform=platform, count=1)
    run = instance_info(emu, platform, args)
    assert run.rc == 0, run.output
    assert run.adhoc_result()['count'] == healthy.adhoc_result()['count'] > 0


def sae_restart(emulator, app_id):
    return run_module('paas.ops.app_operation', dict(platform='sae', namespace_id='cn-hangzhou:demo', app_ids=[app_id], action='restart',
                                                     endpoint=emulator.url, wait_timeout=60, **ALIBABA_KEY))


def test_an_action_answered_with_garbage_after_it_took_effect_is_settled_by_the_state(emu):
    emu.add_fault(kind='bad_body', body_kind='html', path=r'/batchRestartApplications$', when='after', count=1)
    run = sae_restart(emu, SAE_WORKER)
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    # The order the action started was found from the application's state and followed; nothing was sent twice.
    assert result['changed'] is True and len(result['change_order_ids']) == 1, result
    assert [entry['operation'] for entry in emu.metrics()['actions'] if entry['platform'] == 'sae'] == ['BatchRestartApplications']


def test_an_action_answered_with_garbage_that_shows_no_effect_is_an_unknown_outcome_never_re_sent(emu):
    emu.add_fault(kind='bad_body', body_kind='empty', path=r'/batchRestartApplications$', when='before', count=1)
    result = failed(sae_restart(emu, SAE_WORKER))
    assert 'outcome of BatchRestartApplications is unknown' in result['msg'] and 'an empty body' in result['msg'], result
    assert 'may still be under way' in result['msg'] and 'it was not re-sent' in result['msg']
    assert emu.metrics()['requests']['sae:BatchRestartApplications'] == 1
    assert [entry for entry in emu.metrics()['actions'] if entry['platform'] == 'sae'] == []


def test_a_servicestage_action_answered_with_garbage_adopts_the_job_it_started(emu):
    component = HUAWEI['component_id']
    emu.add_fault(kind='bad_body', body_kind='truncated', path=r'/components/%s/action$' % component, when='after', count=1)
    run = run_module('paas.ops.component_action', dict(application_id=HUAWEI['application_id'], component_id=component, action='restart',
                                                       endpoint=emu.url, wait_timeout=60, **HUAWEI_AKSK))
    assert run.rc == 0, run.output
    assert run.adhoc_result()['changed'] is True
    assert emu.metrics()['requests']['servicestage:UpdateComponentAction'] == 1


# ---- 6. Alibaba transient codes inside a 200 --------------------------------------------------------------------------


@pytest.mark.parametrize('platform,args,path,code', [
    ('sae', dict(application_id=SAE_WEB), r'/describeApplicationInstances$', 'ServiceUnavailable'),
    ('sae', dict(application_id=SAE_WEB), r'/describeApplicationGroups$', 'InternalError'),
    ('edas', dict(application_id=ALIBABA['edas_app_id']), r'/app_status$', 'ServiceUnavailable'),
])
def test_an_alibaba_transient_code_in_a_200_is_retried_on_reads_as_at_503(emu, platform, args, path, code):
    emu.add_fault(kind='http', status=200, platform_code=code, path=path, platform=platform, count=2)
    run = instance_info(emu, platform, args)
    assert run.rc == 0, run.output
    assert run.adhoc_result()['count'] > 0 and len(RETRY_WARNING.findall(run.output)) == 2, run.output


# ---- 7. failures that cannot heal ------------------------------------------------------------------------------------


def assert_failed_at_once(run, words, started):
    result = failed(run)
    assert words in result['msg'], result
    assert not RETRY_WARNING.search(run.output), run.output
    assert time.monotonic() - started < 30  # four retries with backoff take longer than the run itself
    return result


def test_a_certificate_that_does_not_verify_fails_at_once(emulator_factory):
    tls = emulator_factory(tls=True)
    started = time.monotonic()
    args = dict(path='/pop/v1/sam/app/describeApplicationStatus', api_action='DescribeApplicationStatus', query={'AppId': SAE_WEB})
    result = assert_failed_at_once(api_request(tls, 'sae', args), 'TLS verification failed', started)
    assert 'ca_path' in result['msg'] and len(result['msg']) < 400
    assert tls.metrics()['requests'] == {}


def test_a_host_name_that_does_not_exist_fails_at_once(emulator):
    started = time.monotonic()
    result = assert_failed_at_once(api_request(emulator, 'servicestage', dict(path='/v3/{project_id}/cas/applications'),
                                               endpoint='https://servicestage.nowhere.invalid'), 'does not exist', started)
    assert 'servicestage.nowhere.invalid' in result['msg']


def test_an_invalid_header_fails_at_once(emu):
    started = time.monotonic()
    assert_failed_at_once(api_request(emu, 'rainbond', dict(path='/openapi/v1/teams', headers={'X-Note': 'one\ntwo'})),
                          'invalid request header', started)
    assert requests_of(emu, 'rainbond') == 0


@pytest.mark.parametrize('platform,path,args', [
    ('sae', '/pop/v1/sam/app/describeApplicationStatus', dict(api_action='DescribeApplicationStatus', query={'AppId': SAE_WEB})),
    ('servicestage', '/v3/{project_id}/cas/applications', {}),
])
def test_a_redirect_is_not_followed_and_the_message_names_its_location(emu, platform, path, args):
    emu.add_fault(kind='redirect', status=302, location='https://signin.example.invalid/login?from=api', platform=platform)
    result = failed(api_request(emu, platform, dict(path=path, **args)))
    assert result['error']['status'] == 302 and 'redirected to https://signin.example.invalid/login?from=api' in result['msg'], result


# ---- 8. encoded dot segments ------------------------------------------------------------------------------------------


@pytest.mark.parametrize('path', ['/pop/v1/sam/%2e%2e/app', '/pop/v1/sam/%2E./app', '/pop/v1/sam/.%2e/app', '/pop/v1/%2e/sam',
                                  '/pop/v1/sam/%252e%252e/app', '/pop/v1/sam/..%2fapp'])
def test_api_request_refuses_encoded_dot_segments_before_sending(emu, path):
    result = failed(api_request(emu, 'sae', dict(path=path, api_action='DescribeApplicationStatus')))
    assert '"." / ".." segments (encoded or not)' in result['msg'], result
    assert emu.metrics()['requests'] == {}
