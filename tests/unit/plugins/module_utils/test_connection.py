# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""From options to an authenticated client: endpoints, credential choice, IAM login and project look-up."""

from __future__ import annotations

import json
import re

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.paas.ops.plugins.module_utils._auth import AlibabaAuth, HuaweiAkSkAuth, HuaweiTokenAuth, RainbondTokenAuth
from ansible_collections.paas.ops.plugins.module_utils._connection import CONNECTION_ARGSPEC, Connection
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasAuthError, PaasInputError
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, FakeSession


def params(**overrides):
    values = {name: spec.get('default') for name, spec in CONNECTION_ARGSPEC.items()}
    values.update(overrides)
    return values


def token_response(token='iam-token-1', project_id='p-from-token'):
    return FakeResponse(201, {'token': {'project': {'id': project_id, 'name': 'cn-north-4'}, 'expires_at': '2026-01-02T00:00:00Z'}},
                        headers={'X-Subject-Token': token})


@pytest.mark.parametrize('platform,region,expected', [
    ('sae', 'cn-shanghai', 'https://sae.cn-shanghai.aliyuncs.com'),
    ('edas', 'cn-hangzhou', 'https://edas.cn-hangzhou.aliyuncs.com'),
    ('edas', 'cn-chengdu', 'https://edas.aliyuncs.com'),
    ('edas', 'eu-west-1', 'https://edas.ap-northeast-1.aliyuncs.com'),
])
def test_alibaba_endpoints_follow_the_region(platform, region, expected):
    assert Connection(params(alibaba_region_id=region), platform).endpoint() == expected


def test_huawei_endpoints():
    connection = Connection(params(huawei_region='cn-north-4'), 'servicestage')
    assert connection.endpoint() == 'https://servicestage.cn-north-4.myhuaweicloud.com'
    assert connection.iam_endpoint() == 'https://iam.cn-north-4.myhuaweicloud.com'
    emulated = Connection(params(endpoint='http://127.0.0.1:8080/', huawei_region='cn-north-4'), 'servicestage')
    assert emulated.endpoint() == emulated.iam_endpoint() == 'http://127.0.0.1:8080'


def test_an_endpoint_without_scheme_gets_https():
    assert Connection(params(endpoint='gateway.example:8443'), 'sae').endpoint() == 'https://gateway.example:8443'


def test_rainbond_endpoint_from_option_or_environment(monkeypatch):
    monkeypatch.delenv('RAINBOND_URL', raising=False)
    with pytest.raises(PaasInputError, match='RAINBOND_URL'):
        Connection(params(), 'rainbond').endpoint()
    monkeypatch.setenv('RAINBOND_URL', 'http://console.example:7070')
    assert Connection(params(), 'rainbond').endpoint() == 'http://console.example:7070'
    assert Connection(params(endpoint='https://other'), 'rainbond').endpoint() == 'https://other'


def options_from_environment(monkeypatch, **variables):
    """The connection options as AnsibleModule validates them with no option given, only these environment variables."""
    for spec in CONNECTION_ARGSPEC.values():
        for name in spec.get('fallback', (None, []))[1]:
            monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    result = ArgumentSpecValidator(CONNECTION_ARGSPEC).validate({})
    assert not result.error_messages
    return result.validated_parameters


def test_an_empty_environment_variable_counts_as_unset(monkeypatch):
    """What AWX injects for a credential field left empty: the option stays unset, and the next variable still counts."""
    values = options_from_environment(monkeypatch, HUAWEICLOUD_SDK_PROJECT_ID='', HW_PROJECT_ID='p-legacy', HUAWEICLOUD_SDK_SECURITY_TOKEN='',
                                      HUAWEICLOUD_SDK_AK='AK-1', HW_ACCESS_KEY='AK-legacy', ALIBABA_CLOUD_SECURITY_TOKEN='', RAINBOND_TEAM='')
    assert values['huawei_project_id'] == 'p-legacy'
    assert values['huawei_access_key'] == 'AK-1'  # the first variable still wins when it has a value
    assert values['huawei_security_token'] is None and values['alibaba_security_token'] is None and values['team_id'] is None


def test_missing_region_is_explained():
    with pytest.raises(PaasInputError, match='alibaba_region_id'):
        Connection(params(), 'sae').endpoint()


def test_unknown_platform():
    with pytest.raises(PaasInputError, match='unsupported platform'):
        Connection(params(), 'heroku')


def test_tls_settings_reach_the_client():
    base = dict(alibaba_access_key_id='ak', alibaba_access_key_secret='s', alibaba_region_id='cn-hangzhou')
    assert Connection(params(**base), 'sae', session=FakeSession()).client().verify is True
    assert Connection(params(ca_path='/ca.pem', **base), 'sae', session=FakeSession()).client().verify == '/ca.pem'
    assert Connection(params(validate_certs=False, ca_path='/ca.pem', **base), 'sae', session=FakeSession()).client().verify is False


def test_alibaba_credentials_and_signature_version():
    connection = Connection(params(alibaba_access_key_id='ak', alibaba_access_key_secret='s', alibaba_security_token='t',
                                   alibaba_region_id='cn-hangzhou', alibaba_signature_version='v1'), 'edas', session=FakeSession())
    auth = connection.client().auth
    assert isinstance(auth, AlibabaAuth) and auth.signature_version == 'v1' and auth.security_token == 't'
    with pytest.raises(PaasInputError, match='alibaba_access_key_secret'):
        Connection(params(alibaba_access_key_id='ak', alibaba_region_id='x'), 'sae').client()


def test_rainbond_credentials():
    connection = Connection(params(endpoint='http://rb', rainbond_token='tok'), 'rainbond', session=FakeSession())
    assert isinstance(connection.client().auth, RainbondTokenAuth)
    with pytest.raises(PaasInputError, match='rainbond_token'):
        Connection(params(endpoint='http://rb'), 'rainbond').client()


def test_huawei_needs_some_credentials():
    with pytest.raises(PaasInputError, match='huawei_access_key and huawei_secret_key, or huawei_auth_token'):
        Connection(params(huawei_region='cn-north-4'), 'servicestage').client()
    with pytest.raises(PaasInputError, match='huawei_secret_key'):
        Connection(params(huawei_region='cn-north-4', huawei_access_key='ak'), 'servicestage').client()
    with pytest.raises(PaasInputError, match='huawei_project_id'):
        Connection(params(huawei_region='cn-north-4', huawei_auth_token='t'), 'servicestage').client()


def test_huawei_aksk_with_project_id_sends_nothing_up_front():
    session = FakeSession()
    connection = Connection(params(huawei_region='cn-north-4', huawei_access_key='ak', huawei_secret_key='sk', huawei_project_id='p1'),
                            'servicestage', session=session)
    assert connection.project_id() == 'p1' and connection.client().auth.project_id == 'p1'
    assert isinstance(connection.client().auth, HuaweiAkSkAuth) and session.calls == []


def test_huawei_aksk_looks_the_project_up_by_region_like_the_sdk():
    session = FakeSession(FakeResponse(200, {'projects': [{'id': 'p-looked-up', 'name': 'cn-north-4'}]}))
    connection = Connection(params(endpoint='http://emu', huawei_region='cn-north-4', huawei_access_key='ak', huawei_secret_key='sk'),
                            'servicestage', session=session)
    assert connection.project_id() == 'p-looked-up'
    call = session.calls[0]
    assert call['url'] == 'http://emu/v3/projects?name=cn-north-4'
    assert call['headers']['Authorization'].startswith('SDK-HMAC-SHA256 Access=ak, ')
    assert 'X-Project-Id' not in call['headers']


def test_huawei_aksk_project_lookup_must_be_unambiguous():
    session = FakeSession(FakeResponse(200, {'projects': []}))
    connection = Connection(params(endpoint='http://emu', huawei_region='xx', huawei_access_key='ak', huawei_secret_key='sk'),
                            'servicestage', session=session)
    with pytest.raises(PaasInputError, match='found 0 IAM projects'):
        connection.client()


def test_huawei_password_login_once_scoped_by_region_and_token_masked():
    secrets = []
    session = FakeSession(token_response())
    connection = Connection(params(endpoint='http://emu', huawei_region='cn-north-4', huawei_domain_name='acme', huawei_user_name='ops',
                                   huawei_password='pw'), 'servicestage', session=session, on_secret=secrets.append)
    client = connection.client()
    assert connection.project_id() == 'p-from-token'
    assert isinstance(client.auth, HuaweiTokenAuth) and client.auth.token == 'iam-token-1'
    assert secrets == ['iam-token-1'] and 'iam-token-1' in client.secrets
    login = session.calls[0]
    assert login['method'] == 'POST' and login['url'] == 'http://emu/v3/auth/tokens?nocatalog=true'
    body = json.loads(login['data'])
    assert body['auth']['identity']['password']['user'] == {'domain': {'name': 'acme'}, 'name': 'ops', 'password': 'pw'}
    assert body['auth']['scope'] == {'project': {'name': 'cn-north-4'}}
    assert len(session.calls) == 1


def test_huawei_password_login_scoped_by_project_id():
    session = FakeSession(token_response(project_id='p9'))
    connection = Connection(params(endpoint='http://emu', huawei_project_id='p9', huawei_domain_name='acme', huawei_user_name='ops',
                                   huawei_password='pw'), 'servicestage', session=session)
    connection.client()
    assert json.loads(session.calls[0]['data'])['auth']['scope'] == {'project': {'id': 'p9'}}


def test_huawei_wrong_password_fails_clearly_without_the_password():
    session = FakeSession(FakeResponse(401, {'error': {'code': 401, 'message': 'The username or password is wrong. pw=s3cr3t', 'title': 'Unauthorized'}}))
    connection = Connection(params(endpoint='http://emu', huawei_region='cn-north-4', huawei_domain_name='acme', huawei_user_name='ops',
                                   huawei_password='s3cr3t'), 'servicestage', session=session)
    with pytest.raises(PaasAuthError) as caught:
        connection.client()
    assert caught.value.platform == 'iam' and caught.value.status == 401 and 's3cr3t' not in caught.value.msg
    assert caught.value.operation == 'KeystoneCreateUserTokenByPassword'


@pytest.mark.parametrize('platform,option,value', [
    ('servicestage', 'huawei_region', 'cn-north-4@127.0.0.1:44919/#'),
    ('servicestage', 'huawei_region', 'cn-north-4.evil.example'),
    ('servicestage', 'huawei_region', 'CN-NORTH-4'),
    ('sae', 'alibaba_region_id', 'cn-hangzhou@127.0.0.1:44919/#'),
    ('edas', 'alibaba_region_id', 'cn-hangzhou/x'),
    ('sae', 'alibaba_region_id', 'cn-hangzhou\n'),
])
def test_a_region_that_is_not_a_region_name_is_refused_before_it_becomes_a_host(platform, option, value):
    """The region is formatted into the host name: an "@" there sent a password login to 127.0.0.1 (issue 13)."""
    session = FakeSession()
    connection = Connection(params(**{option: value, 'alibaba_access_key_id': 'ak', 'alibaba_access_key_secret': 's', 'huawei_domain_name': 'acme',
                                      'huawei_user_name': 'ops', 'huawei_password': 'pw'}), platform, session=session)
    with pytest.raises(PaasInputError, match='%s=.* is not a region name' % option):
        connection.client()
    assert session.calls == []


def test_the_iam_host_is_checked_too():
    with pytest.raises(PaasInputError, match='huawei_region'):
        Connection(params(huawei_region='cn-north-4@evil'), 'servicestage').iam_endpoint()


@pytest.mark.parametrize('region', ['cn-hangzhou', 'ap-southeast-1', 'cn-shanghai-finance-1', 'cn-north-2-gov-1', 'my-kualalumpur-1'])
def test_real_region_names_pass(region):
    assert Connection(params(alibaba_region_id=region), 'sae').endpoint() == 'https://sae.%s.aliyuncs.com' % region


@pytest.mark.parametrize('value,problem', [
    ('https://user:pw@gateway.example', 'user info'),
    ('https://gateway.example@127.0.0.1:8080', 'user info'),
    ('https://gateway.example/prefix', 'a path'),
    ('https://gateway.example/?x=1', 'a query'),
    ('https://gateway.example#frag', 'a fragment'),
    ('https://gateway.example:99999', 'an invalid port'),
    ('https://gate way.example', 'an invalid host name'),
    ('ftp://gateway.example', 'only http:// and https://'),
])
@pytest.mark.parametrize('option', ['endpoint', 'huawei_iam_endpoint'])
def test_an_endpoint_with_more_than_scheme_host_and_port_is_refused(option, value, problem):
    session = FakeSession()
    connection = Connection(params(**{option: value, 'huawei_region': 'cn-north-4', 'huawei_domain_name': 'acme', 'huawei_user_name': 'ops',
                                      'huawei_password': 'pw'}), 'servicestage', session=session)
    with pytest.raises(PaasInputError, match=re.escape(problem)):
        connection.client()
    assert session.calls == []


def test_the_rainbond_url_variable_is_checked_like_the_option(monkeypatch):
    monkeypatch.setenv('RAINBOND_URL', 'http://console.example:7070/#')
    with pytest.raises(PaasInputError, match='RAINBOND_URL=.* has a fragment'):
        Connection(params(), 'rainbond').endpoint()


@pytest.mark.parametrize('value,expected', [
    ('http://127.0.0.1:8080/', 'http://127.0.0.1:8080'),
    ('gateway.example:8443', 'https://gateway.example:8443'),
    ('https://[::1]:8443', 'https://[::1]:8443'),
    ('http://paas_emulator:8080', 'http://paas_emulator:8080'),
])
def test_scheme_host_and_port_are_what_an_endpoint_documents(value, expected):
    assert Connection(params(endpoint=value), 'sae').endpoint() == expected


def test_the_timeout_reaches_the_client_as_given():
    base = dict(alibaba_access_key_id='ak', alibaba_access_key_secret='s', alibaba_region_id='cn-hangzhou')
    assert Connection(params(timeout=2.5, **base), 'sae', session=FakeSession()).client().timeout == 2.5
