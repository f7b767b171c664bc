# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""What every authentication scheme shares; the schemes themselves live with their family (``_alibaba.AlibabaAuth``,
``_huawei.HuaweiAkSkAuth`` and ``HuaweiTokenAuth``, ``_rainbond.RainbondTokenAuth``).

A scheme has ``apply(request)``, which adds headers to an ``ApiRequest`` (``_http.py``) just before it is sent, and
``secrets``, the values that must never appear in any output. Signing functions are pure (clock and nonce injected) so
that the vendors' official test vectors can check them byte for byte; they share the encoding below.
"""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import quote


def rfc3986(value):
    """Percent-encode everything but RFC 3986 unreserved characters (the vendors' ``quote(safe='~')``)."""
    return quote(str(value), safe='~')


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def new_nonce():
    return uuid.uuid4().hex


def query_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


class NoAuth:
    """For the few unauthenticated calls (IAM password login itself)."""

    secrets = []

    def apply(self, request):
        pass
