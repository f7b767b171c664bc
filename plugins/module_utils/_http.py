# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The one HTTP client every module uses.

``HttpClient.request()`` is the straight path: encoded path and query -> ``ApiRequest`` -> auth
signs it (afresh on every attempt) -> ``requests.Session`` sends it with a timeout and TLS
verification -> the platform's error shape is parsed -> a read is retried with jittered exponential
backoff on throttling, 5xx and connection errors; an action is never re-sent blindly: when its
outcome is unknown the client raises ``PaasOutcomeUnknownError`` so that the caller re-reads state.
"""

from __future__ import annotations

import json
import re
import time
import traceback
from urllib.parse import quote, urlsplit

from ansible_collections.paas.ops.plugins.module_utils._errors import (
    PaasAPIError,
    PaasAuthError,
    PaasInputError,
    PaasNotFoundError,
    PaasOutcomeUnknownError,
    PaasThrottledError,
    PaasTransportError,
    redact,
)
from ansible_collections.paas.ops.plugins.module_utils._retry import RetryPolicy, Retryable, cannot_heal, describe_exception, failed_before_sending

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = '1.0.0'
USER_AGENT = 'paas.ops/%s (+https://github.com/paas-ops/paas.ops)' % COLLECTION_VERSION

READ_METHODS = frozenset(['GET', 'HEAD'])
_PLACEHOLDER = re.compile(r'\{([A-Za-z_][A-Za-z0-9_]*)\}')


def encode_path_segment(name, value):
    """Encode one id as exactly one path segment, or refuse it before anything is sent.

    ``/``, ``?``, ``#``, ``%`` and spaces are percent-encoded, so no id can change the path;
    ``.`` and ``..`` are refused because intermediaries normalise them away even when encoded.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PaasInputError('%s must be a string or an integer, got %s' % (name, type(value).__name__))
    text = str(value)
    if not text.strip():
        raise PaasInputError('%s must not be empty' % name)
    if text in ('.', '..'):
        raise PaasInputError('%s must not be %r' % (name, text))
    return quote(text, safe='')


def build_path(template, params):
    """Fill ``{name}`` placeholders of a path template, each value encoded as one segment."""
    names = _PLACEHOLDER.findall(template)
    missing = [name for name in names if params.get(name) is None]
    if missing:
        raise PaasInputError('missing value for path parameter(s): %s' % ', '.join(missing))
    return _PLACEHOLDER.sub(lambda match: encode_path_segment(match.group(1), params[match.group(1)]), template)


# Characters a path keeps as they are on the wire: RFC 3986 unreserved, sub-delims, ":", "@" and "/" (urllib3's PATH_CHARS).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_ESCAPE = re.compile(r'%([0-9A-Fa-f]{2})')
_LONE_PERCENT = re.compile(r'%(?![0-9A-Fa-f]{2})')
_UNRESERVED = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~')


def wire_path(path):
    """``path`` exactly as requests and urllib3 put it on the wire, so that the signers sign what is sent.

    Like them: every other character is percent-encoded as UTF-8 (a literal "é" goes out as ``%C3%A9``), an escape of an
    unreserved character is decoded, other escapes are upper-cased, and a "%" that starts no escape is itself encoded.
    """
    path = _LONE_PERCENT.sub('%25', path)

    def normal(match):
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else '%' + match.group(1).upper()
    return quote(_ESCAPE.sub(normal, path), safe=_PATH_SAFE + '%')


class ApiRequest:
    """One request as the auth schemes see it: method, base URL, encoded path (as on the wire), query pairs, headers, body."""

    def __init__(self, method, base_url, path, query=None, headers=None, body=None):
        self.method = method.upper()
        self.base_url = base_url.rstrip('/')
        self.path = wire_path(path)
        self.query = list(query or [])
        self.headers = dict(headers or {})
        self.body = body

    @property
    def host(self):
        return urlsplit(self.base_url).netloc

    @property
    def url(self):
        url = self.base_url + self.path
        if self.query:
            # RFC 3986 encoding in canonical (sorted) order, as the signers canonicalise: what is signed is what is sent.
            pairs = sorted((str(key), _query_text(value)) for key, value in self.query)
            url += '?' + '&'.join('%s=%s' % (quote(key, safe='~'), quote(value, safe='~')) for key, value in pairs)
        return url


def _query_text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


class ApiResponse:

    def __init__(self, status, headers, body, data, request_id):
        self.status = status
        self.headers = headers
        self.body = body
        self.data = data
        self.request_id = request_id


class HttpClient:
    """HTTP client for one platform and one set of credentials, for the length of one module run."""

    def __init__(self, dialect, base_url, auth, timeout=30.0, verify=True, retry=None, warn=None, sleep=time.sleep, session=None):
        # Without requests, PaasModule has already failed the module with missing_required_lib.
        self.dialect = dialect
        self.base_url = base_url
        self.auth = auth
        self.timeout = timeout
        self.verify = verify
        self.retry = retry or RetryPolicy()
        self._warn = warn or (lambda message: None)
        self._sleep = sleep
        self.session = session or requests.Session()
        # Proxies come from the standard environment variables (trust_env, requests' default).
        self.session.headers['User-Agent'] = USER_AGENT
        self.extra_secrets = []
        self.budget = None

    @property
    def secrets(self):
        return [s for s in list(self.auth.secrets) + self.extra_secrets if s]

    def request(self, method, path, query=None, json_body=None, body=None, headers=None, read=None, operation=None):
        """Send one request and return an ``ApiResponse``; raise a ``PaasError`` on any failure.

        ``path`` must already be encoded (``build_path``).  ``read`` defaults to True for GET/HEAD:
        only reads (and requests known to have been rejected before any effect) are retried.
        """
        method = method.upper()
        read = method in READ_METHODS if read is None else read
        operation = operation or '%s %s' % (method, path)
        if isinstance(query, dict):
            query = [(key, value) for key, value in query.items() if value is not None]
        if json_body is not None:
            body = json.dumps(json_body).encode('utf-8')
        elif isinstance(body, str):
            body = body.encode('utf-8')
        attempt = 0
        while True:
            try:
                return self._attempt(method, path, query, body, headers, read, operation)
            except Retryable as retryable:
                if attempt >= self.retry.retries:
                    raise retryable.final.redacted(self.secrets)
                delay = self.retry.delay(attempt, retryable.retry_after)
                notice = '%s: %s; retry %d of %d in %.1fs' % (self.dialect.platform, retryable.reason, attempt + 1, self.retry.retries, delay)
                self._warn(redact(notice, self.secrets))
                self._sleep(delay)
                attempt += 1

    def _attempt(self, method, path, query, body, headers, read, operation):
        slot = self.budget.acquire() if self.budget else None
        request = ApiRequest(method, self.base_url, path, query, headers, body)
        self.auth.apply(request)
        try:
            response = self.session.request(request.method, request.url, headers=request.headers, data=request.body,
                                            timeout=self.timeout, verify=self.verify, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            permanent = cannot_heal(exc)
            if permanent:
                # Sent nowhere or refused by our own side: an action had no effect, a read would fail the same way again.
                raise PaasTransportError(self.dialect.platform, operation, permanent).redacted(self.secrets)
            reason = describe_exception(exc)
            if read or failed_before_sending(exc):
                raise Retryable(reason, PaasTransportError(self.dialect.platform, operation, reason))
            raise PaasOutcomeUnknownError(self.dialect.platform, operation, reason,
                                          under_way=isinstance(exc, requests.exceptions.Timeout)).redacted(self.secrets)
        finally:
            if slot is not None:
                self.budget.done(slot)
        return self._interpret(response, method, path, read, operation)

    def _interpret(self, response, method, path, read, operation):
        data = None
        text = response.text
        decoded = False
        if text:
            try:
                data = response.json()
                decoded = True
            except ValueError:
                data = None
        request_id = self.dialect.request_id(response.headers, data)
        status = response.status_code
        code, message, body_code = self.dialect.error_fields(status, data, text)
        if 200 <= status < 300 and code is None:
            unreadable = self._unreadable(response, method, path, data if decoded else _NOT_JSON, text)
            if unreadable is None:
                return ApiResponse(status, dict(response.headers), text, data, request_id)
            # The platform answered, but with nothing this client can read: never "no data". A read may get a readable
            # answer next time (a proxy or gateway in trouble); an action may have been taken, so it is settled by state.
            if read:
                error = PaasAPIError(self.dialect.platform, status, None, unreadable, request_id, operation)
                raise Retryable('unreadable answer (HTTP %s)' % status, error, self.dialect.retry_after(response.headers))
            raise PaasOutcomeUnknownError(self.dialect.platform, operation, unreadable, status=status,
                                          request_id=request_id, under_way=True).redacted(self.secrets)
        if self.dialect.is_throttled(status, code):
            # A throttled request was refused before it did anything: re-sending an action is safe.
            retry_after = self.dialect.retry_after(response.headers)
            error = PaasThrottledError(self.dialect.platform, status, code, message, request_id, operation, body_code=body_code)
            raise Retryable('throttled (%s)' % (code or status), error, retry_after)
        if status >= 500 or status == 0 or self.dialect.is_transient(code):
            # A transient code means the same whatever the HTTP status it came with (Alibaba sends some inside a 200).
            if read:
                error = PaasAPIError(self.dialect.platform, status, code, message, request_id, operation, body_code=body_code)
                raise Retryable('HTTP %s %s' % (status, code or '') if code and code != str(status) else 'HTTP %s' % status,
                                error, self.dialect.retry_after(response.headers))
            raise PaasOutcomeUnknownError(self.dialect.platform, operation, 'HTTP %s %s: %s' % (status, code or '', message or ''),
                                          status=status, code=code, request_id=request_id).redacted(self.secrets)
        if 300 <= status < 400:
            # Redirects are not followed (a signed request must not go elsewhere), but the user needs to know where it pointed.
            location = response.headers.get('Location')
            message = 'redirected to %s; redirects are not followed: point the endpoint at the API itself' % (
                location if location else '(no Location header)')
            raise PaasAPIError(self.dialect.platform, status, None, message, request_id, operation).redacted(self.secrets)
        error_type = PaasAPIError
        if status in (401, 403) or self.dialect.is_auth_error(code):
            error_type = PaasAuthError
        elif status == 404:
            error_type = PaasNotFoundError
        raise error_type(self.dialect.platform, status, code, message, request_id, operation, body_code=body_code).redacted(self.secrets)

    def _unreadable(self, response, method, path, data, text):
        """None for a success answer the API documents, else what came back, for the message."""
        if method == 'HEAD' or response.status_code in (204, 205):
            return None  # no body by definition
        if not text and self.dialect.documents_empty_answer(method, path):
            return None
        if data is not _NOT_JSON and self.dialect.is_envelope(data):
            return None
        if not text:
            what = 'an empty body'
        elif data is _NOT_JSON:
            what = 'a body that is not JSON'
        else:
            what = 'JSON that is not the documented response'
        parts = ['HTTP %s' % response.status_code, 'content-type %s' % (response.headers.get('Content-Type') or 'none'),
                 '%d bytes' % len(text or '')]
        if text:
            parts.append('first bytes %r' % text[:120])
        # The request id is not repeated here: every error that carries this text shows it.
        return 'the answer could not be read: %s (%s)' % (what, ', '.join(parts))


_NOT_JSON = object()  # a body that did not decode (``null`` decodes, to None)


# --------------------------------------------------------------------------------------------------
# Dialects: how each platform family shapes errors, request ids and throttling (each family's file has its own)
# --------------------------------------------------------------------------------------------------

def header_value(headers, *names):
    for name in names:
        value = headers.get(name)
        if value:
            return value
    return None


def parse_seconds(value):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


class Dialect:
    """Error shape, request id and throttling signals of one platform family."""

    platform = 'paas'
    request_id_headers = ('X-Request-Id',)
    throttling_codes = frozenset()
    auth_codes = frozenset()

    def request_id(self, headers, data):
        return header_value(headers, *self.request_id_headers)

    transient_codes = frozenset()

    def error_fields(self, status, data, text):
        """Return ``(code, message, body_code)``; ``code`` is None on success.

        ``body_code`` is a second code the body carries beside the one reported (SAE's numeric ``Code`` next to its
        ``ErrorCode``), or None: only the dialects whose bodies carry two say so; the others give ``_error_fields``.
        """
        code, message = self._error_fields(status, data, text)
        return code, message, None

    def _error_fields(self, status, data, text):
        """``(code, message)`` of an answer; ``code`` is None on success."""
        raise NotImplementedError

    def is_envelope(self, data):
        """Whether decoded JSON of a 2xx answer has the shape the platform documents for its answers."""
        return isinstance(data, dict)

    def documents_empty_answer(self, method, path):
        """Whether the API at ``path`` documents an empty body as its success answer."""
        return False

    def is_transient(self, code):
        """A code that says "try again later" whatever the HTTP status (retried on reads like a 5xx)."""
        return code in self.transient_codes

    def is_throttled(self, status, code):
        return status == 429 or code in self.throttling_codes

    def is_auth_error(self, code):
        return code in self.auth_codes

    def retry_after(self, headers):
        return parse_seconds(headers.get('Retry-After'))


def snippet(text, limit=300):
    if not text:
        return None
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[:limit] + '...'
