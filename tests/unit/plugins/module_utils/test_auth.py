# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every signer against every matching vector the vendors' official SDKs produced (signature-vectors.json)."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from urllib.parse import parse_qsl, urlsplit

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _alibaba, _huawei, _rainbond
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._http import ApiRequest

with open(os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'signature-vectors.json')) as handle:
    VECTORS = json.load(handle)


def _vectors(prefix):
    return [pytest.param(vector, id=vector['id']) for vector in VECTORS['vectors'] if vector['scheme'].startswith(prefix)]


def _captures(prefix):
    return [pytest.param(capture, id=capture['id']) for capture in VECTORS['sdk_wire_captures'] if capture['id'].startswith(prefix)]


FIXED_NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
FIXED_NONCE = '3156853299f313e23d1673dc12e1703d'


def test_every_vector_is_exercised():
    schemes = {vector['scheme'] for vector in VECTORS['vectors']}
    assert schemes == {'ALIYUN-ROA-HMAC-SHA1 (v1)', 'ACS3-HMAC-SHA256 (v3)', 'SDK-HMAC-SHA256'}
    assert len(_vectors('ALIYUN-ROA')) + len(_vectors('ACS3')) + len(_vectors('SDK-HMAC')) == len(VECTORS['vectors']) == 11


@pytest.mark.parametrize('vector', _vectors('ALIYUN-ROA'))
def test_roa_v1_vectors(vector):
    if 'url_path_and_query' in vector:
        parts = urlsplit(vector['url_path_and_query'])
        pathname, query = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
    else:
        pathname, query = vector['pathname'], vector['query']
    string_to_sign = _alibaba.roa_string_to_sign(vector['method'], pathname, query, vector['headers'])
    assert string_to_sign == vector['expected_string_to_sign']
    signature = _alibaba.roa_signature(vector['access_key_secret'], string_to_sign)
    assert 'acs %s:%s' % (vector['access_key_id'], signature) == vector['expected_authorization']


@pytest.mark.parametrize('vector', _vectors('ACS3'))
def test_acs3_vectors(vector):
    headers = vector['headers']
    canonical, dummy = _alibaba.acs3_canonical_request(vector['method'], vector['pathname'], vector['query'], headers, headers['x-acs-content-sha256'])
    assert canonical == vector['expected_canonical_request']
    authorization = _alibaba.acs3_authorization(vector['access_key_id'], vector['access_key_secret'], vector['method'], vector['pathname'],
                                                vector['query'], headers, headers['x-acs-content-sha256'])
    assert authorization == vector['expected_authorization']


@pytest.mark.parametrize('vector', [v for v in _vectors('SDK-HMAC') if 'resource_path' in v.values[0]])
def test_huawei_vectors(vector):
    headers = vector['headers_before_signing']
    body = vector['body'].encode('utf-8') if vector['body'] is not None else None
    canonical, signed = _huawei.huawei_canonical_request(vector['method'], vector['resource_path'], vector['query'], headers, body)
    assert canonical == vector['expected_canonical_request']
    string_to_sign = _huawei.huawei_string_to_sign(headers['X-Sdk-Date'], canonical)
    assert string_to_sign == vector['expected_string_to_sign']
    authorization = 'SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s' % (
        vector['access_key'], signed, _huawei.huawei_signature(vector['secret_key'], string_to_sign))
    assert authorization == vector['expected_authorization']


def test_huawei_signing_guide_example():
    vector = [v for v in VECTORS['vectors'] if v['id'] == 'huawei-doc-example-string-to-sign'][0]
    assert _huawei.huawei_signature(vector['secret_key'], vector['expected_string_to_sign']) == vector['expected_signature']


# The auth classes, as the client uses them, must put exactly the vectors' headers on the wire.

def _alibaba_auth(vector, version):
    token = vector['headers'].get('x-acs-security-token')
    return _alibaba.AlibabaAuth(vector['access_key_id'], vector['access_key_secret'], token, version, clock=lambda: FIXED_NOW,
                                nonce=lambda: FIXED_NONCE)


@pytest.mark.parametrize('vector', [v for v in _vectors('ACS3') if not v.values[0]['body']])
def test_alibaba_auth_v3_signs_like_the_sdk(vector):
    host = vector['headers']['host']
    request = ApiRequest(vector['method'], 'https://' + host, vector['pathname'], list(vector['query'].items()),
                         {'x-acs-action': vector['headers']['x-acs-action'], 'x-acs-version': vector['headers']['x-acs-version']})
    _alibaba_auth(vector, 'v3').apply(request)
    assert request.headers.pop('Authorization') == vector['expected_authorization']
    assert request.headers == vector['headers']


@pytest.mark.parametrize('vector', [v for v in _vectors('ALIYUN-ROA') if 'host' in v.values[0]['headers']])
def test_alibaba_auth_v1_signs_like_the_sdk(vector):
    request = ApiRequest(vector['method'], 'https://' + vector['headers']['host'], vector['pathname'], list(vector['query'].items()),
                         {'x-acs-action': vector['headers']['x-acs-action'], 'x-acs-version': vector['headers']['x-acs-version']})
    _alibaba_auth(vector, 'v1').apply(request)
    assert request.headers.pop('Authorization') == vector['expected_authorization']
    assert request.headers == vector['headers']


@pytest.mark.parametrize('vector', [v for v in _vectors('SDK-HMAC') if 'resource_path' in v.values[0]])
def test_huawei_aksk_auth_signs_like_the_sdk(vector):
    headers = vector['headers_before_signing']
    body = vector['body'].encode('utf-8') if vector['body'] is not None else None
    auth = _huawei.HuaweiAkSkAuth(vector['access_key'], vector['secret_key'], headers.get('X-Security-Token'), headers['X-Project-Id'],
                                  clock=lambda: FIXED_NOW)
    request = ApiRequest(vector['method'], 'https://' + vector['host'], vector['resource_path'], vector['query'], {}, body)
    auth.apply(request)
    assert request.headers.pop('Authorization') == vector['expected_authorization']
    assert request.headers == headers
    assert request.url == 'https://' + vector['host'] + vector['final_uri']


@pytest.mark.parametrize('capture', _captures('tea-'))
def test_alibaba_sdk_wire_captures_verify(capture):
    """The SDK's own complete requests (user-agent and credentials-provider headers signed too) check out."""
    headers = {name: value for name, value in capture['headers'].items() if name.lower() != 'authorization'}
    authorization = capture['headers'].get('authorization') or capture['headers']['Authorization']
    if authorization.startswith('acs '):
        string_to_sign = _alibaba.roa_string_to_sign(capture['method'], capture['pathname'], capture['query'], headers)
        assert authorization == 'acs testAccessKeyId:' + _alibaba.roa_signature('testAccessKeySecret', string_to_sign)
    else:
        assert authorization == _alibaba.acs3_authorization('testAccessKeyId', 'testAccessKeySecret', capture['method'], capture['pathname'],
                                                            capture['query'], headers, headers['x-acs-content-sha256'])


@pytest.mark.parametrize('capture', _captures('huaweisdk-'))
def test_huawei_sdk_wire_capture_verifies(capture):
    headers = {name: value for name, value in capture['headers'].items() if name != 'Authorization'}
    url = urlsplit(capture['url'])
    canonical, signed = _huawei.huawei_canonical_request(capture['method'], url.path, [], headers, capture['body'].encode('utf-8'))
    signature = _huawei.huawei_signature('HWTESTSKEXAMPLE0000000000000000000000000', _huawei.huawei_string_to_sign(headers['X-Sdk-Date'], canonical))
    assert capture['headers']['Authorization'] == 'SDK-HMAC-SHA256 Access=HWTESTAKEXAMPLE00000, SignedHeaders=%s, Signature=%s' % (signed, signature)


def test_alibaba_auth_takes_a_fresh_nonce_and_date_per_request():
    nonces = iter(['n1', 'n2'])
    auth = _alibaba.AlibabaAuth('ak', 'secret', clock=lambda: FIXED_NOW, nonce=lambda: next(nonces))
    first, second = (ApiRequest('GET', 'https://sae.example', '/p', [], {'x-acs-action': 'A', 'x-acs-version': 'v'}) for dummy in range(2))
    auth.apply(first)
    auth.apply(second)
    assert first.headers['x-acs-signature-nonce'] == 'n1' and second.headers['x-acs-signature-nonce'] == 'n2'
    assert first.headers['Authorization'] != second.headers['Authorization']


def test_alibaba_auth_signs_a_json_body():
    auth = _alibaba.AlibabaAuth('ak', 'secret', clock=lambda: FIXED_NOW, nonce=lambda: FIXED_NONCE)
    request = ApiRequest('POST', 'https://edas.example', '/p', [], {'x-acs-action': 'A', 'x-acs-version': 'v'}, b'{"a": 1}')
    auth.apply(request)
    assert request.headers['content-type'] == 'application/json; charset=utf-8'
    assert request.headers['x-acs-content-sha256'] == hashlib.sha256(b'{"a": 1}').hexdigest()
    assert 'content-type;host' in request.headers['Authorization']


def test_secrets_of_each_scheme():
    assert _alibaba.AlibabaAuth('ak', 's3cret', 'tok').secrets == ['s3cret', 'tok']
    assert _huawei.HuaweiAkSkAuth('ak', 'sk', 'tok').secrets == ['sk', 'tok']
    assert _rainbond.RainbondTokenAuth('rb').secrets == ['rb']
    assert _huawei.HuaweiTokenAuth(token='iam').secrets == ['iam']


def test_huawei_token_auth_logs_in_once():
    logins = []

    def login():
        logins.append(1)
        return 'token-%d' % len(logins)

    auth = _huawei.HuaweiTokenAuth(login=login)
    for dummy in range(3):
        request = ApiRequest('GET', 'https://x', '/v3/p', [])
        auth.apply(request)
        assert request.headers['X-Auth-Token'] == 'token-1'
    assert logins == [1]


def test_rainbond_sends_the_raw_token():
    request = ApiRequest('GET', 'https://rb', '/openapi/v1/teams', [])
    _rainbond.RainbondTokenAuth('abc').apply(request)
    assert request.headers == {'Authorization': 'abc'}


@pytest.mark.parametrize('version', ['v3', 'v1'])
def test_alibaba_auth_refuses_a_repeated_query_key_it_could_not_sign_as_sent(version):
    # The SDKs canonicalise the query as a map (every vector has one value per key): a repeated key cannot be signed as sent.
    request = ApiRequest('GET', 'https://sae.cn-shanghai.aliyuncs.com', '/pop/v1/sam/app/describeApplicationStatus',
                         [('AppId', 'a-1'), ('Other', 'x'), ('AppId', 'a-2')], {'x-acs-action': 'A', 'x-acs-version': 'v'})
    auth = _alibaba.AlibabaAuth('testAccessKeyId', 'testAccessKeySecret', signature_version=version, clock=lambda: FIXED_NOW, nonce=lambda: FIXED_NONCE)
    with pytest.raises(PaasInputError, match='AppId given more than once'):
        auth.apply(request)
    assert 'Authorization' not in request.headers


def test_huawei_aksk_signs_every_value_of_a_repeated_query_key():
    request = ApiRequest('GET', 'https://servicestage.cn-north-4.myhuaweicloud.com', '/v2/p/cas/jobs/j', [('b', '2'), ('a', 'x'), ('b', '1')])
    _huawei.HuaweiAkSkAuth('ak', 'sk', clock=lambda: FIXED_NOW).apply(request)
    canonical, dummy = _huawei.huawei_canonical_request('GET', request.path, request.query, request.headers, None)
    assert canonical.split('\n')[2] == 'a=x&b=1&b=2' and request.url.endswith('?a=x&b=1&b=2')
