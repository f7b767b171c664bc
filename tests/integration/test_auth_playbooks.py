# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real ansible-playbook / ansible processes, over real HTTP, against the emulator: every auth scheme with
right and wrong credentials, credentials from the environment, TLS, and the client's retry rules."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module, run_playbook

WORLD = demo_world()
ALIBABA = WORLD['alibaba']
HUAWEI = WORLD['huawei']
RAINBOND = WORLD['rainbond']
SECRETS = [ALIBABA['access_key_secret'], ALIBABA['sts_access_key_secret'], ALIBABA['sts_security_token'], HUAWEI['password'],
           HUAWEI['secret_key'], HUAWEI['temporary_secret_key'], HUAWEI['temporary_security_token'], RAINBOND['token']]

SAE_STATUS = dict(platform='sae', path='/pop/v1/sam/app/describeApplicationStatus', api_action='DescribeApplicationStatus',
                  query={'AppId': ALIBABA['sae_app_id']}, alibaba_region_id=ALIBABA['region'])
EDAS_STATUS = dict(platform='edas', path='/pop/v5/app/app_status', api_action='QueryApplicationStatus',
                   query={'AppId': ALIBABA['edas_app_id']}, alibaba_region_id=ALIBABA['region'])
COMPONENT = dict(platform='servicestage', path='/v3/{project_id}/cas/applications/{application_id}/components/{component_id}',
                 path_params={'application_id': HUAWEI['application_id'], 'component_id': HUAWEI['component_id']},
                 huawei_region=HUAWEI['region'])
RAINBOND_APP = dict(platform='rainbond', path='/openapi/v1/teams/{team}/regions/{region}/apps/{app_id}',
                    path_params={'team': RAINBOND['team'], 'region': RAINBOND['region'], 'app_id': RAINBOND['app_id']})
ALIBABA_KEY = dict(alibaba_access_key_id=ALIBABA['access_key_id'], alibaba_access_key_secret=ALIBABA['access_key_secret'])
HUAWEI_KEY = dict(huawei_access_key=HUAWEI['access_key'], huawei_secret_key=HUAWEI['secret_key'], huawei_project_id=HUAWEI['project_id'])


def iam_token(emulator):
    """A token from the emulator's IAM, obtained the way any IAM client does (no collection code)."""
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'domain': {'name': HUAWEI['domain_name']}, 'name': HUAWEI['user_name'], 'password': HUAWEI['password']}}},
        'scope': {'project': {'id': HUAWEI['project_id']}}}}
    response = requests.post(emulator.url + '/v3/auth/tokens', json=body, timeout=10, verify=emulator.ca_path or True)
    assert response.status_code == 201
    return response.headers['X-Subject-Token']


def assert_no_secret(run, *extra):
    for secret in SECRETS + list(extra):
        assert secret not in run.output, 'a secret leaked into the output'
    assert 'Traceback' not in run.output


def test_every_auth_scheme_reads_state(emulator_clean):
    token = iam_token(emulator_clean)
    emulator_clean.admin('DELETE', 'metrics')
    run = run_playbook('auth_schemes.yml', {'paas_endpoint': emulator_clean.url, 'paas_huawei_token': token}, args=['-v'])
    assert run.rc == 0, run.output
    assert 'ok=11' in run.stdout and 'failed=0' in run.stdout
    assert_no_secret(run, token)
    requests_seen = emulator_clean.metrics()['requests']
    assert requests_seen.get('sae:DescribeApplicationStatus') == 2
    assert requests_seen.get('edas:QueryApplicationStatus') == 2
    assert requests_seen.get('servicestage:ShowComponentInfo') == 3
    # One password login for the one task that logs in, one IAM project look-up for the one without a project id.
    assert requests_seen.get('iam:CreateToken') == 1
    assert requests_seen.get('iam:ListProjects') == 1


def test_a_second_run_changes_nothing_and_check_mode_reads(emulator):
    token = iam_token(emulator)
    for args in (['--check'], ['--diff']):
        run = run_playbook('auth_schemes.yml', {'paas_endpoint': emulator.url, 'paas_huawei_token': token}, args=args)
        assert run.rc == 0, run.output
        assert 'changed=0' in run.stdout


WRONG = [
    pytest.param(dict(SAE_STATUS, alibaba_access_key_id=ALIBABA['access_key_id'], alibaba_access_key_secret='not-the-secret'),
                 'sae', 400, 'SignatureDoesNotMatch', id='acs3-wrong-secret'),
    pytest.param(dict(SAE_STATUS, alibaba_access_key_id='LTAIunknownKey', alibaba_access_key_secret='whatever-secret'),
                 'sae', 404, 'InvalidAccessKeyId.NotFound', id='acs3-unknown-key'),
    pytest.param(dict(EDAS_STATUS, alibaba_signature_version='v1', alibaba_access_key_id=ALIBABA['access_key_id'],
                      alibaba_access_key_secret='not-the-secret'), 'edas', 400, 'SignatureDoesNotMatch', id='roa-v1-wrong-secret'),
    pytest.param(dict(SAE_STATUS, alibaba_access_key_id=ALIBABA['sts_access_key_id'], alibaba_access_key_secret=ALIBABA['sts_access_key_secret'],
                      alibaba_security_token='forged-security-token'), 'sae', 400, 'InvalidSecurityToken.MismatchWithAccessKey', id='sts-wrong-token'),
    pytest.param(dict(COMPONENT, huawei_access_key=HUAWEI['access_key'], huawei_secret_key='not-the-secret-key',
                      huawei_project_id=HUAWEI['project_id']), 'servicestage', 401, 'APIGW.0301', id='aksk-wrong-sk'),
    pytest.param(dict(COMPONENT, huawei_access_key=HUAWEI['temporary_access_key'], huawei_secret_key=HUAWEI['temporary_secret_key'],
                      huawei_security_token='forged-security-token', huawei_project_id=HUAWEI['project_id']),
                 'servicestage', 401, 'APIGW.0301', id='temporary-aksk-wrong-token'),
    pytest.param(dict(COMPONENT, huawei_domain_name=HUAWEI['domain_name'], huawei_user_name=HUAWEI['user_name'], huawei_password='not-the-password'),
                 'iam', 401, '401', id='iam-wrong-password'),
    pytest.param(dict(COMPONENT, huawei_auth_token='forged-iam-token', huawei_project_id=HUAWEI['project_id']),
                 'servicestage', 401, 'APIGW.0301', id='iam-forged-token'),
    pytest.param(dict(RAINBOND_APP, rainbond_token='forged-rainbond-token'), 'rainbond', 401, '401', id='rainbond-wrong-token'),
]


@pytest.mark.parametrize('module_args,platform,status,code', WRONG)
def test_wrong_credentials_fail_clearly(emulator, module_args, platform, status, code):
    run = run_module('paas.ops.api_request', dict(module_args, endpoint=emulator.url))
    assert run.rc != 0
    result = run.adhoc_result()
    error = result['error']
    assert '| FAILED! =>' in run.stdout and error['type'] == 'PaasAuthError'
    assert (error['platform'], error['status'], error['code']) == (platform, status, code)
    assert code in result['msg'] and error['message']
    if platform != 'rainbond':  # Rainbond's OpenAPI sends no request id
        assert error['request_id'] and error['request_id'] in result['msg']
    forged = [value for name, value in module_args.items() if 'secret' in name or 'token' in name or 'password' in name]
    assert_no_secret(run, *forged)


def test_unknown_team_is_not_an_auth_error(emulator):
    run = run_module('paas.ops.api_request', dict(RAINBOND_APP, path_params=dict(RAINBOND_APP['path_params'], team='no-such-team'),
                                                  endpoint=emulator.url, rainbond_token=RAINBOND['token']))
    result = run.adhoc_result()
    assert run.rc != 0 and result['error']['type'] == 'PaasNotFoundError' and result['error']['status'] == 404


ENVIRONMENTS = [
    pytest.param(SAE_STATUS, {'ALIBABA_CLOUD_ACCESS_KEY_ID': ALIBABA['access_key_id'], 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': ALIBABA['access_key_secret'],
                              'ALIBABA_CLOUD_REGION_ID': ALIBABA['region']}, id='alibaba'),
    pytest.param(EDAS_STATUS, {'ALICLOUD_ACCESS_KEY': ALIBABA['sts_access_key_id'], 'ALICLOUD_SECRET_KEY': ALIBABA['sts_access_key_secret'],
                               'ALICLOUD_SECURITY_TOKEN': ALIBABA['sts_security_token'], 'ALICLOUD_REGION': ALIBABA['region']}, id='alicloud-sts'),
    pytest.param(COMPONENT, {'HUAWEICLOUD_SDK_AK': HUAWEI['access_key'], 'HUAWEICLOUD_SDK_SK': HUAWEI['secret_key'],
                             'HUAWEICLOUD_SDK_PROJECT_ID': HUAWEI['project_id']}, id='huawei-aksk'),
    pytest.param(COMPONENT, {'HW_DOMAIN_NAME': HUAWEI['domain_name'], 'HW_USER_NAME': HUAWEI['user_name'], 'HW_PASSWORD': HUAWEI['password'],
                             'HW_REGION_NAME': HUAWEI['region']}, id='huawei-password'),
    pytest.param(RAINBOND_APP, {'RAINBOND_TOKEN': RAINBOND['token']}, id='rainbond'),
]


@pytest.mark.parametrize('module_args,env', ENVIRONMENTS)
def test_credentials_from_environment_variables(emulator, module_args, env):
    """What ad-hoc commands and AWX credential injection rely on: no credential in the module arguments."""
    args = {key: value for key, value in module_args.items() if key not in ('alibaba_region_id', 'huawei_region')}
    env = dict(env)
    if module_args['platform'] == 'rainbond':
        env['RAINBOND_URL'] = emulator.url
    else:
        args['endpoint'] = emulator.url
    run = run_module('paas.ops.api_request', args, env=env)
    assert run.rc == 0, run.output
    assert run.adhoc_result()['status'] == 200
    assert_no_secret(run)


def test_tls_with_and_without_ca_path(emulator_factory):
    tls = emulator_factory(tls=True)
    assert tls.url.startswith('https://127.0.0.1:') and tls.ca_path
    token = iam_token(tls)
    run = run_playbook('auth_schemes.yml', {'paas_endpoint': tls.url, 'paas_huawei_token': token, 'paas_ca_path': tls.ca_path})
    assert run.rc == 0, run.output

    untrusted = run_module('paas.ops.api_request', dict(SAE_STATUS, endpoint=tls.url, retries=0, **ALIBABA_KEY))
    result = untrusted.adhoc_result()
    assert untrusted.rc != 0 and result['error']['type'] == 'PaasTransportError'
    assert 'TLS verification failed' in result['msg'] and 'ca_path' in result['msg']

    unverified = run_module('paas.ops.api_request', dict(SAE_STATUS, endpoint=tls.url, validate_certs=False, **ALIBABA_KEY))
    assert unverified.rc == 0, unverified.output


def test_reads_are_retried_through_faults(emulator_clean):
    emulator_clean.add_fault(kind='http', path='describeApplicationStatus', status=503, count=2)
    emulator_clean.add_fault(kind='http', path='/components/', status=429, platform_code='APIG.0308', retry_after=0, count=1)
    emulator_clean.add_fault(kind='reset', path='/apps/', count=1)
    for args in (dict(SAE_STATUS, **ALIBABA_KEY), dict(COMPONENT, **HUAWEI_KEY), dict(RAINBOND_APP, rainbond_token=RAINBOND['token'])):
        run = run_module('paas.ops.api_request', dict(args, endpoint=emulator_clean.url))
        assert run.rc == 0, run.output
        assert 'retry 1 of 4' in run.output
    assert emulator_clean.metrics()['requests']['sae:DescribeApplicationStatus'] == 3
    assert all(fault['exhausted'] for fault in emulator_clean.admin('GET', 'faults')['faults'])


def test_alibaba_throttling_is_retried_after_x_acs_retry_after(emulator_clean):
    emulator_clean.add_fault(kind='http', path='describeApplicationStatus', status=400, platform_code='Throttling.User', retry_after=1, count=1)
    run = run_module('paas.ops.api_request', dict(SAE_STATUS, endpoint=emulator_clean.url, **ALIBABA_KEY))
    assert run.rc == 0, run.output
    assert 'throttled (Throttling.User); retry 1 of 4 in 1.0s' in run.output


def test_an_action_whose_outcome_is_unknown_is_not_resent(emulator_clean):
    emulator_clean.add_fault(kind='reset', when='after', path='/operations$', count=1)
    emulator_clean.admin('DELETE', 'metrics')
    run = run_module('paas.ops.api_request', dict(RAINBOND_APP, path=RAINBOND_APP['path'] + '/operations', method='POST', body={'action': 'start'},
                                                  endpoint=emulator_clean.url, rainbond_token=RAINBOND['token']))
    result = run.adhoc_result()
    assert run.rc != 0 and result['error']['type'] == 'PaasOutcomeUnknownError' and result['error']['outcome_unknown'] is True
    assert 'it was not re-sent' in result['msg']
    assert emulator_clean.metrics()['requests_total'] == 1


def test_reads_give_up_with_the_platform_error(emulator_clean):
    emulator_clean.add_fault(kind='http', path='describeApplicationStatus', status=503, platform_code='ServiceUnavailable')
    run = run_module('paas.ops.api_request', dict(SAE_STATUS, endpoint=emulator_clean.url, retries=1, **ALIBABA_KEY))
    result = run.adhoc_result()
    assert run.rc != 0 and result['error']['code'] == 'ServiceUnavailable' and result['error']['request_id']
