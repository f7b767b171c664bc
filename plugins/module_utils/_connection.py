# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The options every platform shares, the checks of endpoints and regions, and the ``Connection`` of one platform.

Every module accepts the options of every platform family (``_platform.CONNECTION_ARGSPEC``: these and each family's
own), so that one ``module_defaults: {group/paas.ops.paas: ...}`` block can hold the credentials of all platforms; a
module reads only the family of the ``platform`` it is asked to drive and ignores the rest. The family option names
carry the family prefix, which is what lets each have its own env fallbacks (``env``).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._http import HttpClient
from ansible_collections.paas.ops.plugins.module_utils._retry import RetryPolicy


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


def env(*names):
    return {'fallback': (_non_empty_env, list(names))}


# The options every platform shares: where the API is and how to talk to it. Each family adds its own (the registry,
# _platform.CONNECTION_ARGSPEC, joins them).
COMMON_ARGSPEC = dict(
    endpoint=dict(type='str', aliases=['url']),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    timeout=dict(type='float', default=30.0),
    retries=dict(type='int', default=4),
)


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


def required(params, names, why):
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise PaasInputError('%s: missing %s' % (why, ', '.join(missing)))


class Connection:
    """Resolved connection settings for one platform (a ``_platform.Platform``), and the factory of its ``HttpClient``.

    The platform's family builds the authenticated client (``family.client(connection)``), once per module run.
    """

    def __init__(self, params, platform, warn=None, on_secret=None, session=None):
        self.params = params
        self.platform = platform
        self.warn = warn
        self.on_secret = on_secret or (lambda secret: None)
        self._session = session
        self._client = None

    def region(self):
        option = self.platform.family.region_option
        return self.params.get(option) if option else None

    def endpoint(self):
        if self.params.get('endpoint'):
            return endpoint_url('endpoint', self.params['endpoint'])
        if self.platform.endpoint_env and os.environ.get(self.platform.endpoint_env):
            return endpoint_url(self.platform.endpoint_env, os.environ[self.platform.endpoint_env])
        if not self.platform.endpoint_template:
            raise PaasInputError('%s: set endpoint (or the %s environment variable) to the console URL' % (self.platform.name, self.platform.endpoint_env))
        option = self.platform.family.region_option
        region = self.region()
        if not region:
            raise PaasInputError('%s: set %s (or endpoint) to say which region to call' % (self.platform.name, option))
        region_label(option, region)
        if region in self.platform.endpoint_overrides:
            return self.platform.endpoint_overrides[region]
        return self.platform.endpoint_template.format(region=region)

    def _verify(self):
        if not self.params.get('validate_certs', True):
            return False
        return self.params.get('ca_path') or True

    def new_client(self, dialect, base_url, auth):
        return HttpClient(dialect, base_url, auth, timeout=30.0 if self.params.get('timeout') is None else self.params['timeout'], verify=self._verify(),
                          retry=RetryPolicy(retries=max(self.params.get('retries', 4), 0)), warn=self.warn, session=self._session)

    def client(self):
        """The authenticated client for this platform (built once per module run)."""
        if self._client is None:
            self._client = self.platform.family.client(self)
        return self._client
