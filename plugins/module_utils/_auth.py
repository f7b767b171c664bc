# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Authentication of outgoing requests, one small class per scheme.

Each class has ``apply(request)``, which adds headers to an ``ApiRequest`` (``_http.py``) just before
it is sent, and ``secrets``, the values that must never appear in any output.  Signing functions are
pure (clock and nonce injected) so that the vendors' official test vectors can check them byte for byte.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import uuid
from urllib.parse import quote, unquote

from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError


def rfc3986(value):
    """Percent-encode everything but RFC 3986 unreserved characters (the vendors' ``quote(safe='~')``)."""
    return quote(str(value), safe='~')


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _new_nonce():
    return uuid.uuid4().hex


def _query_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


# --------------------------------------------------------------------------------------------------
# Alibaba Cloud: ACS3-HMAC-SHA256 (the SDKs' default, "V3") and classic ROA HMAC-SHA1 ("V1")
# --------------------------------------------------------------------------------------------------

ACS3_ALGORITHM = 'ACS3-HMAC-SHA256'


def acs3_canonical_request(method, pathname, query, headers, payload_hash):
    """Canonical request of ACS3-HMAC-SHA256; ``headers`` are exactly the ones to sign."""
    canonical_query = '&'.join('%s=%s' % (key, rfc3986(_query_value(value)))
                               for key, value in sorted(query.items()) if value is not None)
    lowered = sorted((name.lower(), str(value).strip()) for name, value in headers.items())
    canonical_headers = ''.join('%s:%s\n' % item for item in lowered)
    signed_headers = ';'.join(name for name, dummy in lowered)
    return '\n'.join([method.upper(), pathname, canonical_query, canonical_headers, signed_headers, payload_hash]), signed_headers


def acs3_authorization(access_key_id, access_key_secret, method, pathname, query, headers, payload_hash):
    canonical, signed_headers = acs3_canonical_request(method, pathname, query, headers, payload_hash)
    string_to_sign = '%s\n%s' % (ACS3_ALGORITHM, hashlib.sha256(canonical.encode('utf-8')).hexdigest())
    signature = hmac.new(access_key_secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    return '%s Credential=%s,SignedHeaders=%s,Signature=%s' % (ACS3_ALGORITHM, access_key_id, signed_headers, signature)


def roa_string_to_sign(method, pathname, query, headers):
    """String-to-sign of the classic ROA HMAC-SHA1 scheme (query values deliberately not encoded)."""
    by_name = {}
    for name, value in headers.items():
        by_name[name.lower()] = str(value)
    lines = [method.upper()] + [by_name.get(name, '') for name in ('accept', 'content-md5', 'content-type', 'date')]
    acs_headers = ''.join('%s:%s\n' % (name, by_name[name]) for name in sorted(by_name) if name.startswith('x-acs-'))
    resource = pathname
    pairs = [(key, _query_value(value)) for key, value in sorted(query.items()) if value is not None]
    if pairs:
        # tea-openapi writes an empty value as a bare key; the platform accepts exactly that form.
        resource += '?' + '&'.join(key if value == '' else '%s=%s' % (key, value) for key, value in pairs)
    return '\n'.join(lines) + '\n' + acs_headers + resource


def roa_signature(access_key_secret, string_to_sign):
    digest = hmac.new(access_key_secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


class AlibabaAuth:
    """Signs Alibaba Cloud ROA requests (SAE, EDAS) with an AccessKey pair, optionally STS.

    ``signature_version`` ``v3`` is ACS3-HMAC-SHA256, what the current SDKs send; ``v1`` is the
    classic ROA HMAC-SHA1 scheme for gateways that still want it.  A fresh nonce and date are taken
    for every attempt, so a retried read is a new signature (Alibaba refuses a reused nonce).
    """

    def __init__(self, access_key_id, access_key_secret, security_token=None, signature_version='v3', clock=None, nonce=None):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token
        self.signature_version = signature_version
        self._clock = clock or _utcnow
        self._nonce = nonce or _new_nonce

    @property
    def secrets(self):
        return [self.access_key_secret, self.security_token]

    def apply(self, request):
        repeated = sorted(set(key for index, (key, dummy) in enumerate(request.query)
                              if any(other == key for other, dummy in request.query[:index])))
        if repeated:
            # Both schemes canonicalise the query as a map, one value per key (the SDKs build it from a dict): signing one
            # value of a repeated key while the URL carries all would be refused, or worse, accepted for other values.
            raise PaasInputError('Alibaba Cloud APIs take one value per query parameter; %s given more than once: join the '
                                 'values as the API documents (for example AppIds=a,b) instead' % ', '.join(repeated))
        headers = request.headers
        headers['host'] = request.host
        headers['accept'] = 'application/json'
        headers['x-acs-signature-nonce'] = self._nonce()
        if self.security_token:
            headers['x-acs-accesskey-id'] = self.access_key_id
            headers['x-acs-security-token'] = self.security_token
        if request.body is not None and 'content-type' not in headers:
            headers['content-type'] = 'application/json; charset=utf-8'
        now = self._clock()
        if self.signature_version == 'v1':
            self._apply_roa(request, now)
        else:
            self._apply_acs3(request, now)

    def _apply_acs3(self, request, now):
        headers = request.headers
        headers['x-acs-date'] = now.strftime('%Y-%m-%dT%H:%M:%SZ')
        headers['x-acs-content-sha256'] = hashlib.sha256(request.body or b'').hexdigest()
        # Every header we set is signed; the transport's own (user-agent, accept-encoding) are not.
        signed = dict(headers)
        headers['Authorization'] = acs3_authorization(self.access_key_id, self.access_key_secret, request.method, request.path,
                                                      dict(request.query), signed, headers['x-acs-content-sha256'])

    def _apply_roa(self, request, now):
        headers = request.headers
        headers['date'] = now.strftime('%a, %d %b %Y %H:%M:%S GMT')
        headers['x-acs-signature-method'] = 'HMAC-SHA1'
        headers['x-acs-signature-version'] = '1.0'
        if request.body is not None:
            headers['content-md5'] = base64.b64encode(hashlib.md5(request.body).digest()).decode('ascii')
        # The ROA resource is the decoded path (what the SDKs sign: their pathname before it is encoded for the wire).
        string_to_sign = roa_string_to_sign(request.method, unquote(request.path), dict(request.query), headers)
        headers['Authorization'] = 'acs %s:%s' % (self.access_key_id, roa_signature(self.access_key_secret, string_to_sign))


# --------------------------------------------------------------------------------------------------
# Huawei Cloud: SDK-HMAC-SHA256 AK/SK signing, and IAM tokens
# --------------------------------------------------------------------------------------------------

HUAWEI_ALGORITHM = 'SDK-HMAC-SHA256'


def huawei_canonical_uri(path):
    segments = [rfc3986(segment) for segment in unquote(path).split('/')]
    uri = '/'.join(segments)
    return uri if uri.endswith('/') else uri + '/'


def huawei_canonical_query(query):
    grouped = {}
    for key, value in query:
        grouped.setdefault(key, []).append(_query_value(value))
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
        self._clock = clock or _utcnow

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


# --------------------------------------------------------------------------------------------------
# Rainbond: the raw access token in Authorization (no scheme prefix)
# --------------------------------------------------------------------------------------------------

class RainbondTokenAuth:

    def __init__(self, token):
        self.token = token

    @property
    def secrets(self):
        return [self.token]

    def apply(self, request):
        request.headers['Authorization'] = self.token


class NoAuth:
    """For the few unauthenticated calls (IAM password login itself)."""

    secrets = []

    def apply(self, request):
        pass
