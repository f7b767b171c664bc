# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Connection and credential options, and how they become an authenticated ``HttpClient``.

Every module accepts the options of every platform family (``CONNECTION_ARGSPEC``), so that one
``module_defaults: {group/paas.ops.paas: ...}`` block can hold the credentials of all platforms;
a module reads only the family of the ``platform`` it is asked to drive and ignores the rest.
The option names carry the family prefix, which is what lets each have its own env fallbacks.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.paas.ops.plugins.module_utils._auth import AlibabaAuth, HuaweiAkSkAuth, HuaweiTokenAuth, NoAuth, RainbondTokenAuth
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasAPIError, PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._http import (
    AlibabaDialect,
    CallBudget,
    HttpClient,
    HuaweiDialect,
    RainbondDialect,
    RetryPolicy,
)


def _non_empty_env(*names):
    """Like ``env_fallback``, except that a variable set to an empty string counts as unset.

    AWX injects every field of a credential type, and one left empty as an empty string: an empty
    ``HUAWEICLOUD_SDK_PROJECT_ID`` means "not given" (and must not hide ``HW_PROJECT_ID``), as if it were not set.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def _env(*names):
    return {'fallback': (_non_empty_env, list(names))}


CONNECTION_ARGSPEC = dict(
    endpoint=dict(type='str', aliases=['url']),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    timeout=dict(type='float', default=30.0),
    retries=dict(type='int', default=4),
    # Alibaba Cloud (SAE, EDAS)
    alibaba_access_key_id=dict(type='str', no_log=False, **_env('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY')),
    alibaba_access_key_secret=dict(type='str', no_log=True, **_env('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY')),
    alibaba_security_token=dict(type='str', no_log=True, **_env('ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECURITY_TOKEN')),
    alibaba_region_id=dict(type='str', **_env('ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION')),
    alibaba_signature_version=dict(type='str', default='v3', choices=['v3', 'v1']),
    # Huawei Cloud (ServiceStage, IAM)
    huawei_access_key=dict(type='str', no_log=False, **_env('HUAWEICLOUD_SDK_AK', 'HW_ACCESS_KEY')),
    huawei_secret_key=dict(type='str', no_log=True, **_env('HUAWEICLOUD_SDK_SK', 'HW_SECRET_KEY')),
    huawei_security_token=dict(type='str', no_log=True, **_env('HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HW_SECURITY_TOKEN')),
    huawei_project_id=dict(type='str', **_env('HUAWEICLOUD_SDK_PROJECT_ID', 'HW_PROJECT_ID')),
    huawei_region=dict(type='str', **_env('HUAWEICLOUD_SDK_REGION', 'HW_REGION_NAME')),
    huawei_domain_name=dict(type='str', **_env('HUAWEICLOUD_SDK_DOMAIN_NAME', 'HW_DOMAIN_NAME')),
    huawei_user_name=dict(type='str', **_env('HUAWEICLOUD_SDK_USER_NAME', 'HW_USER_NAME')),
    huawei_password=dict(type='str', no_log=True, **_env('HUAWEICLOUD_SDK_PASSWORD', 'HW_PASSWORD')),
    huawei_auth_token=dict(type='str', no_log=True, **_env('HUAWEICLOUD_SDK_AUTH_TOKEN', 'HW_AUTH_TOKEN')),
    huawei_iam_endpoint=dict(type='str', **_env('HUAWEICLOUD_SDK_IAM_ENDPOINT')),
    # Rainbond
    rainbond_token=dict(type='str', no_log=True, aliases=['token'], **_env('RAINBOND_TOKEN')),
    # Every Rainbond path starts with the team and the region (cluster): part of where calls go, like the endpoint.
    team_id=dict(type='str', **_env('RAINBOND_TEAM')),
    region_name=dict(type='str', **_env('RAINBOND_REGION')),
)


class Platform:
    """What the shared code needs to know about one platform: its family and where its API lives."""

    def __init__(self, name, family, endpoint_template=None, api_version=None, endpoint_env=None, calls_per_minute=None):
        self.name = name
        self.family = family
        self.endpoint_template = endpoint_template
        self.api_version = api_version
        self.endpoint_env = endpoint_env
        self.calls_per_minute = calls_per_minute


# EDAS serves some regions from a shared host (alibabacloud-edas20170801 Client endpoint map).
_EDAS_ENDPOINT_OVERRIDES = dict(
    [(region, 'https://edas.aliyuncs.com') for region in ('cn-chengdu', 'cn-huhehaote', 'cn-wuhan')]
    + [(region, 'https://edas.ap-northeast-1.aliyuncs.com')
       for region in ('ap-south-1', 'ap-southeast-3', 'ap-southeast-5', 'eu-west-1', 'me-east-1', 'us-west-1')]
)

PLATFORMS = {
    'rainbond': Platform('rainbond', 'rainbond', endpoint_env='RAINBOND_URL'),
    # SAE throttles each user beyond 60 API calls a minute (Throttling.User); the client keeps under it.
    'sae': Platform('sae', 'alibaba', 'https://sae.{region}.aliyuncs.com', api_version='2019-05-06', calls_per_minute=60),
    'edas': Platform('edas', 'alibaba', 'https://edas.{region}.aliyuncs.com', api_version='2017-08-01'),
    'servicestage': Platform('servicestage', 'huawei', 'https://servicestage.{region}.myhuaweicloud.com'),
}


# Region names as both clouds spell them (cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1, my-kualalumpur-1,
# cn-north-4): a region is formatted into the API host name, so anything else (an "@", a ":", a "/" or a "#") could move
# the request, credentials included, to another host.
_REGION = re.compile(r'[a-z]{2}(-[a-z0-9]+)+\Z')
# One DNS label: letters, digits, hyphens (underscores too, as container and compose service names carry them).
_LABEL = re.compile(r'[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?\Z')
_IPV6 = re.compile(r'[0-9A-Fa-f:.]+\Z')


def region_label(option, value):
    """``value`` of the region option ``option``, refused unless it has the shape of a region name."""
    if not isinstance(value, str) or not _REGION.match(value):
        raise PaasInputError('%s=%r is not a region name such as cn-north-4 or cn-hangzhou: it becomes part of the API host name, '
                             'so it may hold only lower-case letters, digits and hyphens' % (option, value))
    return value


def endpoint_url(option, value):
    """The endpoint ``value`` of option ``option`` as ``scheme://host[:port]``, refused when it carries anything else.

    An endpoint documents scheme, host and port only: user info (``user@``) would send the credentials to whatever host
    follows it, and a path, query or fragment would be silently glued to, or cut off, every API path.
    """
    url = value if '://' in value else 'https://' + value
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https'):
        raise PaasInputError('%s=%r: only http:// and https:// endpoints are supported' % (option, value))
    problems = []
    if '@' in parts.netloc:
        problems.append('user info')
    if parts.path not in ('', '/'):
        problems.append('a path')
    if '?' in url:
        problems.append('a query')
    if '#' in url:
        problems.append('a fragment')
    try:
        parts.port
    except ValueError:
        problems.append('an invalid port')
    host = parts.hostname or ''
    if not problems and not (parts.netloc.startswith('[') and _IPV6.match(host)) and not (host and all(_LABEL.match(label) for label in host.split('.'))):
        problems.append('an invalid host name')
    if problems:
        raise PaasInputError('%s=%r has %s: give scheme, host and port only, such as https://gateway.example.com:8443'
                             % (option, value, ' and '.join(problems)))
    return '%s://%s' % (parts.scheme, parts.netloc)


def _required(params, names, why):
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise PaasInputError('%s: missing %s' % (why, ', '.join(missing)))


class Connection:
    """Resolved connection settings for one platform, and the factory of its ``HttpClient``."""

    def __init__(self, params, platform, warn=None, on_secret=None, session=None):
        if platform not in PLATFORMS:
            raise PaasInputError('unsupported platform %r; choose one of %s' % (platform, ', '.join(sorted(PLATFORMS))))
        self.params = params
        self.platform = PLATFORMS[platform]
        self._warn = warn
        self._on_secret = on_secret or (lambda secret: None)
        self._session = session
        self._project_id = params.get('huawei_project_id')
        self._client = None

    # -- endpoint and TLS ------------------------------------------------------------------------

    def _region(self):
        return self.params.get('alibaba_region_id') if self.platform.family == 'alibaba' else self.params.get('huawei_region')

    def _region_option(self):
        return 'alibaba_region_id' if self.platform.family == 'alibaba' else 'huawei_region'

    def endpoint(self):
        if self.params.get('endpoint'):
            return endpoint_url('endpoint', self.params['endpoint'])
        if self.platform.endpoint_env and os.environ.get(self.platform.endpoint_env):
            return endpoint_url(self.platform.endpoint_env, os.environ[self.platform.endpoint_env])
        if not self.platform.endpoint_template:
            raise PaasInputError('%s: set endpoint (or the %s environment variable) to the console URL' % (self.platform.name, self.platform.endpoint_env))
        region = self._region()
        if not region:
            raise PaasInputError('%s: set %s (or endpoint) to say which region to call' % (self.platform.name, self._region_option()))
        region_label(self._region_option(), region)
        if self.platform.name == 'edas' and region in _EDAS_ENDPOINT_OVERRIDES:
            return _EDAS_ENDPOINT_OVERRIDES[region]
        return self.platform.endpoint_template.format(region=region)

    def iam_endpoint(self):
        """IAM lives on its own host; against a single gateway (or the emulator) ``endpoint`` serves both."""
        for option in ('huawei_iam_endpoint', 'endpoint'):
            if self.params.get(option):
                return endpoint_url(option, self.params[option])
        region = self.params.get('huawei_region')
        return 'https://iam.%s.myhuaweicloud.com' % region_label('huawei_region', region) if region else 'https://iam.myhuaweicloud.com'

    def _verify(self):
        if not self.params.get('validate_certs', True):
            return False
        return self.params.get('ca_path') or True

    def _new_client(self, dialect, base_url, auth):
        return HttpClient(dialect, base_url, auth, timeout=30.0 if self.params.get('timeout') is None else self.params['timeout'], verify=self._verify(),
                          retry=RetryPolicy(retries=max(self.params.get('retries', 4), 0)), warn=self._warn, session=self._session)

    # -- auth ------------------------------------------------------------------------------------

    def client(self):
        """The authenticated client for this platform (built once per module run)."""
        if self._client is None:
            builder = {'alibaba': self._alibaba_client, 'huawei': self._huawei_client, 'rainbond': self._rainbond_client}
            self._client = builder[self.platform.family]()
        return self._client

    def _alibaba_client(self):
        params = self.params
        _required(params, ['alibaba_access_key_id', 'alibaba_access_key_secret'], '%s needs an AccessKey' % self.platform.name)
        auth = AlibabaAuth(params['alibaba_access_key_id'], params['alibaba_access_key_secret'], params.get('alibaba_security_token'),
                           params.get('alibaba_signature_version') or 'v3')
        endpoint = self.endpoint()
        client = self._new_client(AlibabaDialect(self.platform.name), endpoint, auth)
        if self.platform.calls_per_minute:
            # The quota is the user's: every module process calling this endpoint with this AccessKey (each batch
            # of a rolling restart is one) takes from one budget. The endpoint is part of the key so that regions,
            # or emulators side by side, keep their own.
            client.budget = CallBudget(self.platform.calls_per_minute, key=(endpoint, params['alibaba_access_key_id']))
        return client

    def _rainbond_client(self):
        _required(self.params, ['rainbond_token'], 'rainbond needs an access token')
        return self._new_client(RainbondDialect(), self.endpoint(), RainbondTokenAuth(self.params['rainbond_token']))

    def _huawei_client(self):
        params = self.params
        if params.get('huawei_access_key') or params.get('huawei_secret_key'):
            _required(params, ['huawei_access_key', 'huawei_secret_key'], 'servicestage AK/SK signing')
            auth = HuaweiAkSkAuth(params['huawei_access_key'], params['huawei_secret_key'], params.get('huawei_security_token'))
            client = self._new_client(HuaweiDialect(), self.endpoint(), auth)
            if not self._project_id:
                self._project_id = self._lookup_project_id(client)
            auth.project_id = self._project_id
            return client
        if params.get('huawei_auth_token'):
            if not self._project_id:
                raise PaasInputError('servicestage: with huawei_auth_token, set huawei_project_id too')
            return self._new_client(HuaweiDialect(), self.endpoint(), HuaweiTokenAuth(token=params['huawei_auth_token']))
        if params.get('huawei_password') or params.get('huawei_user_name'):
            _required(params, ['huawei_user_name', 'huawei_password', 'huawei_domain_name'], 'servicestage IAM password login')
            if not (self._project_id or params.get('huawei_region')):
                raise PaasInputError('servicestage IAM password login: set huawei_project_id or huawei_region to scope the token')
            client = self._new_client(HuaweiDialect(), self.endpoint(), HuaweiTokenAuth(login=self._password_login))
            # Log in now, so that a bad password fails before any other request is built.
            client.extra_secrets.append(client.auth.token)
            return client
        raise PaasInputError('servicestage needs credentials: huawei_access_key and huawei_secret_key, or huawei_auth_token, '
                             'or huawei_user_name, huawei_password and huawei_domain_name')

    def _lookup_project_id(self, client):
        """What huaweicloudsdkcore does without a project id: the one project named after the region."""
        region = self.params.get('huawei_region')
        if not region:
            raise PaasInputError('servicestage: set huawei_project_id, or huawei_region to look the project up')
        iam = self._new_client(HuaweiDialect('iam'), self.iam_endpoint(), client.auth)
        projects = (iam.request('GET', '/v3/projects', query={'name': region}, operation='KeystoneListProjects').data or {}).get('projects') or []
        if len(projects) != 1:
            raise PaasInputError('servicestage: found %d IAM projects named %r; set huawei_project_id' % (len(projects), region))
        return projects[0]['id']

    def _password_login(self):
        params = self.params
        scope = {'project': {'id': self._project_id}} if self._project_id else {'project': {'name': params['huawei_region']}}
        body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'domain': {'name': params['huawei_domain_name']}, 'name': params['huawei_user_name'], 'password': params['huawei_password']}}},
            'scope': scope}}
        iam = self._new_client(HuaweiDialect('iam'), self.iam_endpoint(), NoAuth())
        iam.extra_secrets.append(params['huawei_password'])
        # Logging in changes nothing, so it is retried like a read.
        response = iam.request('POST', '/v3/auth/tokens', query={'nocatalog': 'true'}, json_body=body, read=True,
                               operation='KeystoneCreateUserTokenByPassword')
        token = response.headers.get('X-Subject-Token') or response.headers.get('x-subject-token')
        if not token:
            raise PaasAPIError('iam', response.status, None, 'the token response has no X-Subject-Token header', response.request_id,
                               'KeystoneCreateUserTokenByPassword')
        self._on_secret(token)
        if not self._project_id:
            self._project_id = ((response.data or {}).get('token') or {}).get('project', {}).get('id')
        return token

    def project_id(self):
        """The Huawei project id (given, looked up by region, or read from the token's scope)."""
        self.client()
        return self._project_id
