# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""From options to an authenticated client: endpoints, credential choice, IAM login and project look-up."""

from __future__ import annotations

import json
import re

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.paas.ops.plugins.module_utils._alibaba import AlibabaAuth
from ansible_collections.paas.ops.plugins.module_utils._huawei import HuaweiAkSkAuth, HuaweiTokenAuth
from ansible_collections.paas.ops.plugins.module_utils._rainbond import RainbondTokenAuth
from ansible_collections.paas.ops.plugins.module_utils._huawei import iam_endpoint
from ansible_collections.paas.ops.plugins.module_utils._platform import CONNECTION_ARGSPEC
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasAuthError, PaasInputError
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, FakeSession


def token_response(token='iam-token-1', project_id='p-from-token'):
    return FakeResponse(201, {'token': {'project': {'id': project_id, 'name': 'cn-north-4'}, 'expires_at': '2026-01-02T00:00:00Z'}},
                        headers={'X-Subject-Token': token})


@pytest.mark.parametrize('platform,region,expected', [
    ('sae', 'cn-shanghai', 'https://sae.cn-shanghai.aliyuncs.com'),
    ('edas', 'cn-hangzhou', 'https://edas.cn-hangzhou.aliyuncs.com'),
    ('edas', 'cn-chengdu', 'https://edas.aliyuncs.com'),
    ('edas', 'eu-west-1', 'https://edas.ap-northeast-1.aliyuncs.com'),
])
def test_alibaba_endpoints_follow_the_region(connection, platform, region, expected):
    assert connection(platform, alibaba_region_id=region).endpoint() == expected


def test_huawei_endpoints(connection):
    conn = connection('servicestage', huawei_region='cn-north-4')
    assert conn.endpoint() == 'https://servicestage.cn-north-4.myhuaweicloud.com'
    assert iam_endpoint(conn.params) == 'https://iam.cn-north-4.myhuaweicloud.com'
    emulated = connection('servicestage', endpoint='http://127.0.0.1:8080/', huawei_region='cn-north-4')
    assert emulated.endpoint() == iam_endpoint(emulated.params) == 'http://127.0.0.1:8080'


def test_an_endpoint_without_scheme_gets_https(connection):
    assert connection('sae', endpoint='gateway.example:8443').endpoint() == 'https://gateway.example:8443'


def test_rainbond_endpoint_from_option_or_environment(connection, monkeypatch):
    monkeypatch.delenv('RAINBOND_URL', raising=False)
    with pytest.raises(PaasInputError, match='RAINBOND_URL'):
        connection('rainbond').endpoint()
    monkeypatch.setenv('RAINBOND_URL', 'http://console.example:7070')
    assert connection('rainbond').endpoint() == 'http://console.example:7070'
    assert connection('rainbond', endpoint='https://other').endpoint() == 'https://other'


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


def test_missing_region_is_explained(connection):
    with pytest.raises(PaasInputError, match='alibaba_region_id'):
        connection('sae').endpoint()


def test_unknown_platform(connection):
    with pytest.raises(PaasInputError, match='unsupported platform'):
        connection('heroku')


def test_tls_settings_reach_the_client(connection):
    base = dict(alibaba_access_key_id='ak', alibaba_access_key_secret='s', alibaba_region_id='cn-hangzhou')
    assert connection('sae', session=FakeSession(), **base).client().verify is True
    assert connection('sae', ca_path='/ca.pem', session=FakeSession(), **base).client().verify == '/ca.pem'
    assert connection('sae', validate_certs=False, ca_path='/ca.pem', session=FakeSession(), **base).client().verify is False


def test_alibaba_credentials_and_signature_version(connection):
    conn = connection('edas', alibaba_access_key_id='ak', alibaba_access_key_secret='s', alibaba_security_token='t',
                      alibaba_region_id='cn-hangzhou', alibaba_signature_version='v1', session=FakeSession())
    auth = conn.client().auth
    assert isinstance(auth, AlibabaAuth) and auth.signature_version == 'v1' and auth.security_token == 't'
    with pytest.raises(PaasInputError, match='alibaba_access_key_secret'):
        connection('sae', alibaba_access_key_id='ak', alibaba_region_id='x').client()


def test_rainbond_credentials(connection):
    conn = connection('rainbond', endpoint='http://rb', rainbond_token='tok', session=FakeSession())
    assert isinstance(conn.client().auth, RainbondTokenAuth)
    with pytest.raises(PaasInputError, match='rainbond_token'):
        connection('rainbond', endpoint='http://rb').client()


def test_huawei_needs_some_credentials(connection):
    with pytest.raises(PaasInputError, match='huawei_access_key and huawei_secret_key, or huawei_auth_token'):
        connection('servicestage', huawei_region='cn-north-4').client()
    with pytest.raises(PaasInputError, match='huawei_secret_key'):
        connection('servicestage', huawei_region='cn-north-4', huawei_access_key='ak').client()
    with pytest.raises(PaasInputError, match='huawei_project_id'):
        connection('servicestage', huawei_region='cn-north-4', huawei_auth_token='t').client()


def test_huawei_aksk_with_project_id_sends_nothing_up_front(connection):
    session = FakeSession()
    conn = connection('servicestage', huawei_region='cn-north-4', huawei_access_key='ak', huawei_secret_key='sk', huawei_project_id='p1',
                      session=session)
    assert conn.client().project_id == 'p1' and conn.client().auth.project_id == 'p1'
    assert isinstance(conn.client().auth, HuaweiAkSkAuth) and session.calls == []


def test_huawei_aksk_looks_the_project_up_by_region_like_the_sdk(connection):
    session = FakeSession(FakeResponse(200, {'projects': [{'id': 'p-looked-up', 'name': 'cn-north-4'}]}))
    conn = connection('servicestage', endpoint='http://emu', huawei_region='cn-north-4', huawei_access_key='ak', huawei_secret_key='sk',
                      session=session)
    assert conn.client().project_id == 'p-looked-up'
    call = session.calls[0]
    assert call['url'] == 'http://emu/v3/projects?name=cn-north-4'
    assert call['headers']['Authorization'].startswith('SDK-HMAC-SHA256 Access=ak, ')
    assert 'X-Project-Id' not in call['headers']


def test_huawei_aksk_project_lookup_must_be_unambiguous(connection):
    session = FakeSession(FakeResponse(200, {'projects': []}))
    conn = connection('servicestage', endpoint='http://emu', huawei_region='xx', huawei_access_key='ak', huawei_secret_key='sk',
                      session=session)
    with pytest.raises(PaasInputError, match='found 0 IAM projects'):
        conn.client()


def test_huawei_password_login_once_scoped_by_region_and_token_masked(connection):
    secrets = []
    session = FakeSession(token_response())
    conn = connection('servicestage', endpoint='http://emu', huawei_region='cn-north-4', huawei_domain_name='acme', huawei_user_name='ops',
                      huawei_password='pw', session=session, on_secret=secrets.append)
    client = conn.client()
    assert conn.client().project_id == 'p-from-token'
    assert isinstance(client.auth, HuaweiTokenAuth) and client.auth.token == 'iam-token-1'
    assert secrets == ['iam-token-1'] and 'iam-token-1' in client.secrets
    login = session.calls[0]
    assert login['method'] == 'POST' and login['url'] == 'http://emu/v3/auth/tokens?nocatalog=true'
    body = json.loads(login['data'])
    assert body['auth']['identity']['password']['user'] == {'domain': {'name': 'acme'}, 'name': 'ops', 'password': 'pw'}
    assert body['auth']['scope'] == {'project': {'name': 'cn-north-4'}}
    assert len(session.calls) == 1


def test_huawei_password_login_scoped_by_project_id(connection):
    session = FakeSession(token_response(project_id='p9'))
    conn = connection('servicestage', endpoint='http://emu', huawei_project_id='p9', huawei_domain_name='acme', huawei_user_name='ops',
                      huawei_password='pw', session=session)
    conn.client()
    assert json.loads(session.calls[0]['data'])['auth']['scope'] == {'project': {'id': 'p9'}}


def test_huawei_wrong_password_fails_clearly_without_the_password(connection):
    session = FakeSession(FakeResponse(401, {'error': {'code': 401, 'message': 'The username or password is wrong. pw=s3cr3t', 'title': 'Unauthorized'}}))
    conn = connection('servicestage', endpoint='http://emu', huawei_region='cn-north-4', huawei_domain_name='acme', huawei_user_name='ops',
                      huawei_password='s3cr3t', session=session)
    with pytest.raises(PaasAuthError) as caught:
        conn.client()
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
def test_a_region_that_is_not_a_region_name_is_refused_before_it_becomes_a_host(connection, platform, option, value):
    """The region is formatted into the host name: an "@" there sent a password login to 127.0.0.1 (issue 13)."""
    session = FakeSession()
    conn = connection(platform, session=session, **{option: value, 'alibaba_access_key_id': 'ak', 'alibaba_access_key_secret': 's',
                                                    'huawei_domain_name': 'acme', 'huawei_user_name': 'ops', 'huawei_password': 'pw'})
    with pytest.raises(PaasInputError, match='%s=.* is not a region name' % option):
        conn.client()
    assert session.calls == []


def test_the_iam_host_is_checked_too(connection):
    with pytest.raises(PaasInputError, match='huawei_region'):
        iam_endpoint(connection('servicestage', huawei_region='cn-north-4@evil').params)


@pytest.mark.parametrize('region', ['cn-hangzhou', 'ap-southeast-1', 'cn-shanghai-finance-1', 'cn-north-2-gov-1', 'my-kualalumpur-1'])
def test_real_region_names_pass(connection, region):
    assert connection('sae', alibaba_region_id=region).endpoint() == 'https://sae.%s.aliyuncs.com' % region


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
def test_an_endpoint_with_more_than_scheme_host_and_port_is_refused(connection, option, value, problem):
    session = FakeSession()
    conn = connection('servicestage', session=session, **{option: value, 'huawei_region': 'cn-north-4', 'huawei_domain_name': 'acme',
                                                          'huawei_user_name': 'ops', 'huawei_password': 'pw'})
    with pytest.raises(PaasInputError, match=re.escape(problem)):
        conn.client()
    assert session.calls == []


def test_the_rainbond_url_variable_is_checked_like_the_option(connection, monkeypatch):
    monkeypatch.setenv('RAINBOND_URL', 'http://console.example:7070/#')
    with pytest.raises(PaasInputError, match='RAINBOND_URL=.* has a fragment'):
        connection('rainbond').endpoint()


@pytest.mark.parametrize('value,expected', [
    ('http://127.0.0.1:8080/', 'http://127.0.0.1:8080'),
    ('gateway.example:8443', 'https://gateway.example:8443'),
    ('https://[::1]:8443', 'https://[::1]:8443'),
    ('http://paas_emulator:8080', 'http://paas_emulator:8080'),
])
def test_scheme_host_and_port_are_what_an_endpoint_documents(connection, value, expected):
    assert connection('sae', endpoint=value).endpoint() == expected


def test_the_timeout_reaches_the_client_as_given(connection):
    base = dict(alibaba_access_key_id='ak', alibaba_access_key_secret='s', alibaba_region_id='cn-hangzhou')
    assert connection('sae', timeout=2.5, session=FakeSession(), **base).client().timeout == 2.5
