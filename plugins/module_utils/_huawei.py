# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The Huawei Cloud family: its connection options, how a client authenticates (SDK-HMAC-SHA256 AK/SK signing, a given IAM
token, or an IAM password login) and which project it works in.

The client carries ``project_id``: given, looked up by region the way huaweicloudsdkcore does, or read from the scope of
the token a password login obtained. ServiceStage's adapter (``_servicestage.py``) puts it into every path.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import unquote

from ansible_collections.paas.ops.plugins.module_utils._auth import NoAuth, query_value, rfc3986, utcnow
from ansible_collections.paas.ops.plugins.module_utils._connection import endpoint_url, env, region_label, required
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasAPIError, PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._http import Dialect, snippet

# --------------------------------------------------------------------------------------------------
# Signing: SDK-HMAC-SHA256 AK/SK, and IAM tokens
# --------------------------------------------------------------------------------------------------

HUAWEI_ALGORITHM = 'SDK-HMAC-SHA256'


def huawei_canonical_uri(path):
    segments = [rfc3986(segment) for segment in unquote(path).split('/')]
    uri = '/'.join(segments)
    return uri if uri.endswith('/') else uri + '/'


def huawei_canonical_query(query):
    grouped = {}
    for key, value in query:
        grouped.setdefault(key, []).append(query_value(value))
    return '&'.join('%s=%s' % (rfc3986(key), rfc3986(value)) for key in sorted(grouped) for value in sorted(grouped[key]))


def huawei_signed_header_names(headers):
    return sorted(name.lower() for name in headers if '_' not in name)


def huawei_canonical_request(method, path, query, headers, body):
    by_name = dict((name.lower(), str(value).strip()) for name, value in headers.items())
    signed = huawei_signed_header_names(headers)
    canonical_headers = ''.join('%s:%s\n' % (name, by_name[name]) for name in signed)
    payload_hash = by_name.get('x-sdk-content-sha256') or hashlib.sha256(body or b'').hexdigest()
    canonical = '\n'.join([method.upper(), huawei_canonical_uri(path), huawei_canonical_query(query), canonical_headers,
                           ';'.join(signed), payload_hash])
    return canonical, ';'.join(signed)


def huawei_string_to_sign(sdk_date, canonical_request):
    return '%s\n%s\n%s' % (HUAWEI_ALGORITHM, sdk_date, hashlib.sha256(canonical_request.encode('utf-8')).hexdigest())


def huawei_signature(secret_key, string_to_sign):
    return hmac.new(secret_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


class HuaweiAkSkAuth:
    """Signs Huawei Cloud requests with SDK-HMAC-SHA256 (permanent or temporary AK/SK)."""

    def __init__(self, access_key, secret_key, security_token=None, project_id=None, clock=None):
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token
        self.project_id = project_id
        self._clock = clock or utcnow

    @property
    def secrets(self):
        return [self.secret_key, self.security_token]

    def apply(self, request):
        headers = request.headers
        headers.setdefault('Content-Type', 'application/json')
        if self.project_id:
            headers['X-Project-Id'] = self.project_id
        if self.security_token:
            headers['X-Security-Token'] = self.security_token
        sdk_date = self._clock().strftime('%Y%m%dT%H%M%SZ')
        headers['X-Sdk-Date'] = sdk_date
        headers['Host'] = request.host
        canonical, signed_headers = huawei_canonical_request(request.method, request.path, request.query, headers, request.body)
        signature = huawei_signature(self.secret_key, huawei_string_to_sign(sdk_date, canonical))
        headers['Authorization'] = '%s Access=%s, SignedHeaders=%s, Signature=%s' % (HUAWEI_ALGORITHM, self.access_key, signed_headers, signature)


class HuaweiTokenAuth:
    """Sends an IAM token as ``X-Auth-Token``.

    The token is either given (``huawei_auth_token``) or obtained once per module run by
    ``login`` (IAM password login) on first use and then reused for every request.
    """

    def __init__(self, token=None, login=None):
        self._token = token
        self._login = login

    @property
    def secrets(self):
        return [self._token]

    @property
    def token(self):
        if self._token is None:
            self._token = self._login()
        return self._token

    def apply(self, request):
        request.headers.setdefault('Content-Type', 'application/json')
        request.headers['X-Auth-Token'] = self.token


ARGSPEC = dict(
    huawei_access_key=dict(type='str', no_log=False, **env('HUAWEICLOUD_SDK_AK', 'HW_ACCESS_KEY')),
    huawei_secret_key=dict(type='str', no_log=True, **env('HUAWEICLOUD_SDK_SK', 'HW_SECRET_KEY')),
    huawei_security_token=dict(type='str', no_log=True, **env('HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HW_SECURITY_TOKEN')),
    huawei_project_id=dict(type='str', **env('HUAWEICLOUD_SDK_PROJECT_ID', 'HW_PROJECT_ID')),
    huawei_region=dict(type='str', **env('HUAWEICLOUD_SDK_REGION', 'HW_REGION_NAME')),
    huawei_domain_name=dict(type='str', **env('HUAWEICLOUD_SDK_DOMAIN_NAME', 'HW_DOMAIN_NAME')),
    huawei_user_name=dict(type='str', **env('HUAWEICLOUD_SDK_USER_NAME', 'HW_USER_NAME')),
    huawei_password=dict(type='str', no_log=True, **env('HUAWEICLOUD_SDK_PASSWORD', 'HW_PASSWORD')),
    huawei_auth_token=dict(type='str', no_log=True, **env('HUAWEICLOUD_SDK_AUTH_TOKEN', 'HW_AUTH_TOKEN')),
    huawei_iam_endpoint=dict(type='str', **env('HUAWEICLOUD_SDK_IAM_ENDPOINT')),
)


class HuaweiDialect(Dialect):
    """ServiceStage / IAM: ``{"error_code", "error_msg"}`` and the other shapes huaweicloudsdkcore accepts."""

    platform = 'servicestage'
    throttling_codes = frozenset(['APIG.0308', 'APIGW.0308'])
    auth_codes = frozenset(['APIGW.0301', 'APIG.0301', 'APIGW.0302', 'APIG.0302'])
    _pairs = (('error_code', 'error_msg'), ('errorCode', 'errorMsg'), ('code', 'message'))

    def __init__(self, platform='servicestage'):
        self.platform = platform

    def request_id(self, headers, data):
        return super().request_id(headers, data) or (data.get('request_id') if isinstance(data, dict) else None)

    def _error_fields(self, status, data, text):
        if 200 <= status < 300:
            return None, None
        if isinstance(data, dict):
            for candidate in [data] + [value for value in data.values() if isinstance(value, dict)]:
                for code_key, message_key in self._pairs:
                    if code_key in candidate or message_key in candidate:
                        code = candidate.get(code_key)
                        return (str(code) if code is not None else str(status)), candidate.get(message_key)
            if 'encoded_authorization_message' in data:
                return str(status), 'access denied (encoded_authorization_message present)'
        return str(status), snippet(text)


def iam_endpoint(params):
    """IAM lives on its own host; against a single gateway (or the emulator) ``endpoint`` serves both."""
    for option in ('huawei_iam_endpoint', 'endpoint'):
        if params.get(option):
            return endpoint_url(option, params[option])
    region = params.get('huawei_region')
    return 'https://iam.%s.myhuaweicloud.com' % region_label('huawei_region', region) if region else 'https://iam.myhuaweicloud.com'


def client(connection):
    """The authenticated client of ``connection``, with its ``project_id``."""
    params = connection.params
    name = connection.platform.name
    scope = dict(project_id=params.get('huawei_project_id'))
    if params.get('huawei_access_key') or params.get('huawei_secret_key'):
        required(params, ['huawei_access_key', 'huawei_secret_key'], '%s AK/SK signing' % name)
        auth = HuaweiAkSkAuth(params['huawei_access_key'], params['huawei_secret_key'], params.get('huawei_security_token'))
        api = connection.new_client(HuaweiDialect(), connection.endpoint(), auth)
        auth.project_id = scope['project_id'] = scope['project_id'] or _lookup_project_id(connection, api.auth)
    elif params.get('huawei_auth_token'):
        if not scope['project_id']:
            raise PaasInputError('%s: with huawei_auth_token, set huawei_project_id too' % name)
        api = connection.new_client(HuaweiDialect(), connection.endpoint(), HuaweiTokenAuth(token=params['huawei_auth_token']))
    elif params.get('huawei_password') or params.get('huawei_user_name'):
        required(params, ['huawei_user_name', 'huawei_password', 'huawei_domain_name'], '%s IAM password login' % name)
        if not (scope['project_id'] or params.get('huawei_region')):
            raise PaasInputError('%s IAM password login: set huawei_project_id or huawei_region to scope the token' % name)
        api = connection.new_client(HuaweiDialect(), connection.endpoint(), HuaweiTokenAuth(login=lambda: _password_login(connection, scope)))
        # Log in now, so that a bad password fails before any other request is built.
        api.extra_secrets.append(api.auth.token)
    else:
        raise PaasInputError('%s needs credentials: huawei_access_key and huawei_secret_key, or huawei_auth_token, '
                             'or huawei_user_name, huawei_password and huawei_domain_name' % name)
    api.project_id = scope['project_id']
    return api


def _lookup_project_id(connection, auth):
    """What huaweicloudsdkcore does without a project id: the one project named after the region."""
    region = connection.params.get('huawei_region')
    name = connection.platform.name
    if not region:
        raise PaasInputError('%s: set huawei_project_id, or huawei_region to look the project up' % name)
    iam = connection.new_client(HuaweiDialect('iam'), iam_endpoint(connection.params), auth)
    projects = (iam.request('GET', '/v3/projects', query={'name': region}, operation='KeystoneListProjects').data or {}).get('projects') or []
    if len(projects) != 1:
        raise PaasInputError('%s: found %d IAM projects named %r; set huawei_project_id' % (name, len(projects), region))
    return projects[0]['id']


def _password_login(connection, scope):
    """Log in to IAM with the user's password; the token's scope names the project when none was given."""
    params = connection.params
    wanted = {'project': {'id': scope['project_id']}} if scope['project_id'] else {'project': {'name': params['huawei_region']}}
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'domain': {'name': params['huawei_domain_name']}, 'name': params['huawei_user_name'], 'password': params['huawei_password']}}},
        'scope': wanted}}
    iam = connection.new_client(HuaweiDialect('iam'), iam_endpoint(params), NoAuth())
    iam.extra_secrets.append(params['huawei_password'])
    # Logging in changes nothing, so it is retried like a read.
    response = iam.request('POST', '/v3/auth/tokens', query={'nocatalog': 'true'}, json_body=body, read=True,
                           operation='KeystoneCreateUserTokenByPassword')
    token = response.headers.get('X-Subject-Token') or response.headers.get('x-subject-token')
    if not token:
        raise PaasAPIError('iam', response.status, None, 'the token response has no X-Subject-Token header', response.request_id,
                           'KeystoneCreateUserTokenByPassword')
    connection.on_secret(token)
    if not scope['project_id']:
        scope['project_id'] = ((response.data or {}).get('token') or {}).get('project', {}).get('id')
    return token


def raw_request(connection, headers, path_params, params):
    """api_request: a path's ``{project_id}`` is the connection's project unless given."""
    if '{project_id}' in params['path'] and 'project_id' not in path_params:
        path_params['project_id'] = connection.client().project_id
