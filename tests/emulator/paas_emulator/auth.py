# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Server-side credential verification, one verifier per scheme, written from the platform documents.

Every verifier rebuilds what the client signed from what actually arrived on the wire (raw path,
raw query string, received header values, received body bytes) and never from anything the client
claims.  This code must not share anything with the collection's signers (``plugins/``): it plays
the cloud, so a bug shared by both sides would pass unnoticed.

Each verifier returns a principal or raises ``ApiError`` carrying the platform's status and code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote, unquote

from .common import ApiError

SIGNATURE_WINDOW_SECONDS = 15 * 60
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
ACS3_REQUIRED_SIGNED_HEADERS = ("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version")
HUAWEI_TOKEN_LIFETIME_SECONDS = 24 * 3600


@dataclass
class WireRequest:
    """What arrived: method, percent-encoded path and query exactly as sent, headers, body bytes."""

    method: str
    raw_path: str
    raw_query: str
    headers: object  # a case-insensitive multidict (aiohttp's CIMultiDictProxy)
    body: bytes

    @classmethod
    def from_aiohttp(cls, request, body):
        return cls(request.method.upper(), request.rel_url.raw_path, request.rel_url.raw_query_string, request.headers, body)

    def query_pairs(self):
        return parse_qsl(self.raw_query, keep_blank_values=True)

    def header(self, name, default=""):
        return self.headers.get(name, default)


def _parse_time(text, fmt):
    try:
        return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
    except (TypeError, ValueError):
        return None


def _parse_auth_params(text, separator=","):
    """``k=v`` pairs of an Authorization header after its scheme, tolerating spaces after commas."""
    params = {}
    for part in text.split(separator):
        name, sep, value = part.strip().partition("=")
        if sep:
            params[name.strip()] = value.strip()
    return params


class NonceCache:
    """Nonces seen in the last 15 minutes, per access key (Alibaba ``SignatureNonceUsed``)."""

    def __init__(self):
        self.seen = {}

    def use(self, access_key_id, nonce, moment):
        """False if the nonce was already used within the window; otherwise remember it."""
        self.seen = {key: at for key, at in self.seen.items() if moment - at < SIGNATURE_WINDOW_SECONDS}
        key = (access_key_id, nonce)
        if key in self.seen:
            return False
        self.seen[key] = moment
        return True


# ---- Alibaba Cloud (SAE, EDAS) ---------------------------------------------------------------


@dataclass
class AlibabaPrincipal:
    access_key_id: str
    account_uid: str
    sts: bool
    scheme: str


def alibaba_error(status, code, message):
    return ApiError(status, code, message)


def _alibaba_signature_mismatch(string_to_sign):
    # Alibaba ends the message with its own string-to-sign so that a client can compare (SDKs do).
    return alibaba_error(400, "SignatureDoesNotMatch",
                         "Specified signature does not match our calculation. server string to sign is:" + string_to_sign)


class AlibabaVerifier:
    """ACS3-HMAC-SHA256 (V3) and classic ROA HMAC-SHA1 (``acs AK:sig``) for SAE and EDAS."""

    def __init__(self, world, nonces):
        self.world = world
        self.nonces = nonces

    def verify(self, wire, moment):
        authorization = wire.header("Authorization")
        if not authorization:
            raise alibaba_error(400, "MissingAuthorization", "The Authorization header is required but missing.")
        if authorization.startswith("ACS3-HMAC-SHA256 "):
            return self._verify_acs3(wire, authorization[len("ACS3-HMAC-SHA256 "):], moment)
        if authorization.startswith("acs "):
            return self._verify_roa_v1(wire, authorization[len("acs "):], moment)
        raise alibaba_error(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")

    def _access_key(self, access_key_id):
        key = self.world.alibaba_keys.get(access_key_id)
        if key is None:
            raise alibaba_error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        return key

    @staticmethod
    def _check_security_token(wire, key, moment, signed_names):
        sent = wire.header("x-acs-security-token", None)
        expected = key.get("security_token")
        mismatch = alibaba_error(400, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")
        if expected is None:
            if sent is not None:
                raise mismatch
            return
        if sent != expected or (signed_names is not None and "x-acs-security-token" not in signed_names):
            raise mismatch
        expires_at = key.get("expires_at")
        if expires_at is not None and _as_epoch(expires_at) <= moment:
            raise alibaba_error(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")

    @staticmethod
    def _check_fresh(sent_at, moment):
        if sent_at is None:
            raise alibaba_error(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        if abs(moment - sent_at) > SIGNATURE_WINDOW_SECONDS:
            raise alibaba_error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")

    def _check_nonce(self, access_key_id, nonce, moment):
        if nonce and not self.nonces.use(access_key_id, nonce, moment):
            raise alibaba_error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")

    def _verify_acs3(self, wire, params_text, moment):
        params = _parse_auth_params(params_text)
        if not all(params.get(name) for name in ("Credential", "SignedHeaders", "Signature")):
            raise alibaba_error(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        key = self._access_key(params["Credential"])
        signed_names = [name.strip().lower() for name in params["SignedHeaders"].split(";") if name.strip()]
        missing = [name for name in ACS3_REQUIRED_SIGNED_HEADERS if name not in signed_names]
        if missing:
            raise alibaba_error(400, "IncompleteSignature",
                                "The request signature does not conform to Aliyun standards. Unsigned required headers: " + ", ".join(missing))
        self._check_security_token(wire, key, moment, signed_names)
        self._check_fresh(_parse_time(wire.header("x-acs-date"), "%Y-%m-%dT%H:%M:%SZ"), moment)

        body_hash = hashlib.sha256(wire.body).hexdigest()
        canonical_query = "&".join(
            "%s=%s" % (quote(name, safe="~"), quote(value, safe="~")) for name, value in sorted(wire.query_pairs())
        )
        canonical_headers = "".join(
            "%s:%s\n" % (name, ",".join(sorted(value.strip() for value in wire.headers.getall(name, []))))
            for name in sorted(signed_names)
        )
        canonical_request = "\n".join((wire.method, wire.raw_path or "/", canonical_query, canonical_headers,
                                       ";".join(sorted(signed_names)), body_hash))
        string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
        expected = hmac.new(key["secret"].encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, params["Signature"].lower()) or wire.header("x-acs-content-sha256") != body_hash:
            raise _alibaba_signature_mismatch(string_to_sign)
        self._check_nonce(key["id"], wire.header("x-acs-signature-nonce"), moment)
        return AlibabaPrincipal(key["id"], key["account_uid"], key.get("security_token") is not None, "ACS3-HMAC-SHA256")

    def _verify_roa_v1(self, wire, credential, moment):
        access_key_id, sep, signature = credential.strip().rpartition(":")
        if not sep or not access_key_id or not signature:
            raise alibaba_error(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        key = self._access_key(access_key_id)
        self._check_security_token(wire, key, moment, None)
        date_header = wire.header("date")
        try:
            sent_at = parsedate_to_datetime(date_header).timestamp() if date_header else None
        except (TypeError, ValueError):
            sent_at = None
        self._check_fresh(sent_at, moment)
        content_md5 = wire.header("content-md5")
        if content_md5 and content_md5 != base64.b64encode(hashlib.md5(wire.body).digest()).decode():
            raise alibaba_error(400, "ContentMD5NotMatched", "Specified content md5 is not matched with your request body.")

        acs_headers = sorted((name.lower(), value) for name, value in wire.headers.items() if name.lower().startswith("x-acs-"))
        resource = unquote(wire.raw_path)
        pairs = sorted(wire.query_pairs())
        if pairs:
            # Values are not encoded; an empty value is written as the bare key (tea-openapi convention).
            resource += "?" + "&".join("%s=%s" % (name, value) if value != "" else name for name, value in pairs)
        string_to_sign = "".join((
            "%s\n" % wire.method,
            "%s\n" % wire.header("accept"),
            "%s\n" % content_md5,
            "%s\n" % wire.header("content-type"),
            "%s\n" % date_header,
            "".join("%s:%s\n" % (name, value) for name, value in acs_headers),
            resource,
        ))
        expected = base64.b64encode(hmac.new(key["secret"].encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()).decode()
        if not hmac.compare_digest(expected, signature.strip()):
            raise _alibaba_signature_mismatch(string_to_sign)
        self._check_nonce(key["id"], wire.header("x-acs-signature-nonce"), moment)
        return AlibabaPrincipal(key["id"], key["account_uid"], key.get("security_token") is not None, "ROA-HMAC-SHA1")


def _as_epoch(value):
    """A world time (epoch number or ISO text) as an epoch."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or timezone.utc).timestamp()
    text = str(value).replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=parsed.tzinfo or timezone.utc).timestamp()


class SlidingWindowLimiter:
    """Calls per rolling minute per account (SAE: 60 calls/minute/user). ``limit`` None or 0 = off."""

    def __init__(self):
        self.calls = {}

    def reset(self):
        self.calls = {}

    def admit(self, account, limit, moment, window=60.0):
        """None if admitted (and counted); else the whole seconds until a slot frees up."""
        if not limit:
            return None
        recent = [at for at in self.calls.get(account, []) if moment - at < window]
        if len(recent) >= int(limit):
            self.calls[account] = recent
            wait = window - (moment - recent[0])
            return max(1, int(wait + 0.999))
        recent.append(moment)
        self.calls[account] = recent
        return None


# ---- Huawei Cloud (IAM, ServiceStage) --------------------------------------------------------


def huawei_gateway_error(message, status=401, code="APIGW.0301"):
    return ApiError(status, code, "Incorrect IAM authentication information: " + message)


@dataclass
class HuaweiPrincipal:
    domain: dict
    scheme: str  # "aksk" or "token"
    access_key: str = ""
    project_id: str = ""  # the token's project scope, or the signed X-Project-Id
    user: dict = field(default_factory=dict)


class HuaweiAkSkVerifier:
    """SDK-HMAC-SHA256 as ``huaweicloudsdkcore`` signs it (platform-apis.md 5.3)."""

    def __init__(self, world):
        self.world = world

    def verify(self, wire, moment):
        authorization = wire.header("Authorization")
        if not authorization.startswith("SDK-HMAC-SHA256 "):
            raise huawei_gateway_error("Authorization format incorrect")
        params = _parse_auth_params(authorization[len("SDK-HMAC-SHA256 "):])
        if not all(params.get(name) for name in ("Access", "SignedHeaders", "Signature")):
            raise huawei_gateway_error("Authorization format incorrect")
        key = self.world.huawei_keys.get(params["Access"])
        if key is None:
            raise huawei_gateway_error("ak %s not exist" % params["Access"])
        signed_names = [name.strip().lower() for name in params["SignedHeaders"].split(";") if name.strip()]
        sdk_date = wire.header("X-Sdk-Date")
        if "x-sdk-date" not in signed_names:
            raise huawei_gateway_error("x-sdk-date is not signed")
        sent_at = _parse_time(sdk_date, "%Y%m%dT%H%M%SZ")
        if sent_at is None:
            raise huawei_gateway_error("x-sdk-date format invalid")
        if abs(moment - sent_at) > SIGNATURE_WINDOW_SECONDS:
            raise huawei_gateway_error("x-sdk-date expired")
        sent_token = wire.header("X-Security-Token", None)
        if key.get("security_token") is not None:
            if sent_token != key["security_token"] or "x-security-token" not in signed_names:
                raise huawei_gateway_error("security token mismatch with the temporary access key")
            if key.get("expires_at") is not None and _as_epoch(key["expires_at"]) <= moment:
                raise huawei_gateway_error("the security token has expired")
        elif sent_token is not None:
            raise huawei_gateway_error("security token sent with a permanent access key")

        segments = [quote(segment, safe="~") for segment in unquote(wire.raw_path).split("/")]
        canonical_uri = "/".join(segments)
        if not canonical_uri.endswith("/"):
            canonical_uri += "/"
        canonical_query = "&".join(
            "%s=%s" % (quote(name, safe="~"), quote(value, safe="~")) for name, value in sorted(wire.query_pairs())
        )
        canonical_headers = "".join("%s:%s\n" % (name, wire.header(name).strip()) for name in signed_names)
        if not wire.body:
            body_hash = EMPTY_SHA256
        else:
            body_hash = wire.header("X-Sdk-Content-Sha256") or hashlib.sha256(wire.body).hexdigest()
        canonical_request = "\n".join((wire.method, canonical_uri, canonical_query, canonical_headers, ";".join(signed_names), body_hash))
        string_to_sign = "SDK-HMAC-SHA256\n%s\n%s" % (sdk_date, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest())
        expected = hmac.new(key["sk"].encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, params["Signature"].lower()):
            raise huawei_gateway_error("verify aksk signature fail")
        project_id = wire.header("X-Project-Id")
        if project_id and "x-project-id" not in signed_names:
            raise huawei_gateway_error("x-project-id is not signed")
        domain_id = wire.header("X-Domain-Id")  # sent by GlobalCredentials (global services such as IAM)
        if domain_id and domain_id != key["domain_id"]:
            raise huawei_gateway_error("X-Domain-Id does not match the access key's account", 403, "APIGW.0302")
        domain = next(d for d in self.world.data["huawei"]["domains"] if d["id"] == key["domain_id"])
        return HuaweiPrincipal(domain=domain, scheme="aksk", access_key=key["ak"], project_id=project_id)


class HuaweiTokenStore:
    """Tokens issued by the emulator's IAM (``POST /v3/auth/tokens``), valid 24 hours."""

    def __init__(self):
        self.tokens = {}

    def issue(self, domain, user, project, moment):
        token = "MII" + secrets.token_urlsafe(96)
        record = {"domain": domain, "user": user, "project": project, "issued_at": moment,
                  "expires_at": moment + HUAWEI_TOKEN_LIFETIME_SECONDS}
        self.tokens[token] = record
        return token, record

    def verify(self, token, moment):
        record = self.tokens.get(token)
        if record is None or record["expires_at"] <= moment:
            raise huawei_gateway_error("decrypt token fail")
        project = record["project"]
        return HuaweiPrincipal(domain=record["domain"], scheme="token", project_id=project["id"] if project else "", user=record["user"])


def verify_huawei(wire, world, tokens, moment):
    """AK/SK signature or ``X-Auth-Token``; which one is decided by the headers present."""
    token = wire.header("X-Auth-Token")
    if token:
        return tokens.verify(token, moment)
    if wire.header("Authorization"):
        return HuaweiAkSkVerifier(world).verify(wire, moment)
    raise huawei_gateway_error("no authorization header or token found")


def check_huawei_project(principal, world, project_id):
    """The caller may act on ``project_id``: it exists in its domain, and a token/X-Project-Id names it."""
    owner = world.huawei_projects.get(project_id)
    if owner is None or owner[0]["id"] != principal.domain["id"]:
        raise huawei_gateway_error("the project %s does not belong to the caller's account" % project_id, 403, "APIGW.0302")
    if principal.scheme == "token" and principal.project_id != project_id:
        raise huawei_gateway_error("the token is not scoped to project %s" % project_id, 403, "APIGW.0302")
    if principal.scheme == "aksk" and principal.project_id and principal.project_id != project_id:
        raise huawei_gateway_error("X-Project-Id does not match the project in the path", 403, "APIGW.0302")


# ---- Rainbond ---------------------------------------------------------------------------------


def verify_rainbond(wire, world):
    """``Authorization: <raw token>``; the console looks the value up verbatim (platform-apis.md 1.1)."""
    token = wire.header("Authorization")
    if not token:
        raise ApiError(401, "No token", "No token", headers={"WWW-Authenticate": "Token"})
    user = world.rainbond_tokens.get(token)
    if user is None:
        raise ApiError(401, "No such user", "No such user", headers={"WWW-Authenticate": "Token"})
    return user
