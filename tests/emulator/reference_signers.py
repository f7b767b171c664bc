# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Client-side signers for the emulator's own tests, written a third time from the documents.

Neither the collection's signers (``plugins/``) nor the emulator's verifiers are imported here: the
tests check these against ``signature-vectors.json`` and then use them to prove the emulator accepts
correct signatures and rejects tampered ones. Each function returns the headers to send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime, timezone
from email.utils import formatdate
from urllib.parse import quote, urlsplit


def _utc(moment=None):
    return moment or datetime.now(timezone.utc)


def encode_query(query):
    """The query string to put on the wire (RFC 3986, sorted: what the SDKs send)."""
    return "&".join("%s=%s" % (quote(k, safe="~"), quote(str(v), safe="~")) for k, v in sorted((query or {}).items()))


def acs3_headers(method, url, query, body, access_key_id, secret, action, version, security_token=None, moment=None, nonce=None,
                 extra_headers=None):
    """ACS3-HMAC-SHA256 (platform-apis.md 2.2.2): sign every header sent."""
    parts = urlsplit(url)
    body = body or b""
    headers = {
        "host": parts.netloc, "x-acs-action": action, "x-acs-version": version,
        "x-acs-date": _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ"), "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(), "accept": "application/json",
    }
    if body:
        headers["content-type"] = "application/json; charset=utf-8"
    if security_token:
        headers["x-acs-accesskey-id"] = access_key_id
        headers["x-acs-security-token"] = security_token
    headers.update(extra_headers or {})
    names = sorted(headers)
    canonical = "\n".join((
        method.upper(), parts.path or "/",
        "&".join("%s=%s" % (k, quote(str(v), safe="~")) for k, v in sorted((query or {}).items())),
        "".join("%s:%s\n" % (name, str(headers[name]).strip()) for name in names),
        ";".join(names), headers["x-acs-content-sha256"],
    ))
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = "ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s" % (access_key_id, ";".join(names), signature)
    return headers


def roa_v1_string_to_sign(method, path, query, headers):
    """The classic ROA string-to-sign (platform-apis.md 2.2.1): query values not encoded, empty value = bare key."""
    lines = [method.upper()] + [headers.get(name, "") for name in ("accept", "content-md5", "content-type", "date")]
    acs = "".join("%s:%s\n" % (name, headers[name]) for name in sorted(headers) if name.startswith("x-acs-"))
    resource = path
    if query:
        resource += "?" + "&".join(k if str(v) == "" else "%s=%s" % (k, v) for k, v in sorted(query.items()))
    return "\n".join(lines) + "\n" + acs + resource


def roa_v1_headers(method, url, query, body, access_key_id, secret, action, version, security_token=None, moment=None, nonce=None):
    """Classic ROA HMAC-SHA1 (``Authorization: acs AK:signature``)."""
    parts = urlsplit(url)
    headers = {
        "date": formatdate(_utc(moment).timestamp(), usegmt=True), "host": parts.netloc, "accept": "application/json",
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex, "x-acs-signature-method": "HMAC-SHA1",
        "x-acs-signature-version": "1.0", "x-acs-version": version, "x-acs-action": action,
    }
    if body:
        headers["content-type"] = "application/json; charset=utf-8"
    if security_token:
        headers["x-acs-accesskey-id"] = access_key_id
        headers["x-acs-security-token"] = security_token
    to_sign = roa_v1_string_to_sign(method, parts.path, query, headers)
    signature = base64.b64encode(hmac.new(secret.encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
    headers["Authorization"] = "acs %s:%s" % (access_key_id, signature)
    return headers


def huawei_headers(method, url, query, body, ak, sk, project_id=None, security_token=None, moment=None, extra_headers=None):
    """SDK-HMAC-SHA256 (platform-apis.md 5.3): sign every header without ``_``."""
    parts = urlsplit(url)
    body = body or b""
    headers = {"Content-Type": "application/json", "Host": parts.netloc, "X-Sdk-Date": _utc(moment).strftime("%Y%m%dT%H%M%SZ")}
    if project_id:
        headers["X-Project-Id"] = project_id
    if security_token:
        headers["X-Security-Token"] = security_token
    headers.update(extra_headers or {})
    signed = sorted(name.lower() for name in headers if "_" not in name)
    lowered = {name.lower(): str(value).strip() for name, value in headers.items()}
    path = "/".join(quote(segment, safe="~") for segment in parts.path.split("/"))
    if not path.endswith("/"):
        path += "/"
    canonical = "\n".join((
        method.upper(), path,
        "&".join("%s=%s" % (quote(k, safe="~"), quote(str(v), safe="~")) for k, v in sorted((query or {}).items())),
        "".join("%s:%s\n" % (name, lowered[name]) for name in signed),
        ";".join(signed), hashlib.sha256(body).hexdigest(),
    ))
    to_sign = "SDK-HMAC-SHA256\n%s\n%s" % (headers["X-Sdk-Date"], hashlib.sha256(canonical.encode()).hexdigest())
    signature = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (ak, ";".join(signed), signature)
    return headers


def with_query(url, query):
    return url + ("?" + encode_query(query) if query else "")
