# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted stand-in for ``requests.Session``: the network is the only thing unit tests fake.

``make_connection`` builds the real ``Connection`` the modules build, over such a session.
"""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import urlsplit

from requests.structures import CaseInsensitiveDict

from ansible_collections.paas.ops.plugins.module_utils._platform import CONNECTION_ARGSPEC, connection_for


def make_connection(platform, session=None, warn=None, on_secret=None, **options):
    """The ``Connection`` a module of ``platform`` builds when it is given only ``options``: every other connection
    option has its argspec default, as AnsibleModule would leave it (the ``connection`` fixture returns this)."""
    params = {name: spec.get('default') for name, spec in CONNECTION_ARGSPEC.items()}
    params.update(options)
    return connection_for(params, platform, warn=warn, on_secret=on_secret, session=session)


class FakeResponse:

    def __init__(self, status=200, data=None, text=None, headers=None):
        self.status_code = status
        self.text = text if text is not None else (json.dumps(data) if data is not None else '')
        self.headers = CaseInsensitiveDict(headers or {})

    def json(self):
        return json.loads(self.text)


class FakeSession:
    """Answers each request with the next scripted item (a ``FakeResponse`` or an exception to raise)."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []
        self.headers = {}

    def request(self, method, url, headers=None, data=None, timeout=None, verify=None, allow_redirects=None):
        self.calls.append(dict(method=method, url=url, headers=dict(headers or {}), data=data, timeout=timeout, verify=verify,
                               allow_redirects=allow_redirects))
        if not self.script:
            raise AssertionError('unexpected request %s %s' % (method, url))
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


class RoutedSession(FakeSession):
    """Answers by route instead of by order, so concurrent callers get deterministic answers.

    ``routes`` maps ``(METHOD, path regex)`` to a list of replies used in turn; the last one repeats.
    A reply may be a function of ``(method, url)``, for answers that depend on the query (an id, a page).
    """

    def __init__(self, routes):
        super().__init__()
        self.routes = [(method, re.compile(pattern), list(replies)) for (method, pattern), replies in routes.items()]
        self._lock = threading.Lock()

    def request(self, method, url, headers=None, data=None, timeout=None, verify=None, allow_redirects=None):
        with self._lock:
            self.calls.append(dict(method=method, url=url, headers=dict(headers or {}), data=data))
            path = urlsplit(url).path
            for route_method, pattern, replies in self.routes:
                if route_method == method and pattern.search(path):
                    item = replies.pop(0) if len(replies) > 1 else replies[0]
                    break
            else:
                raise AssertionError('unexpected request %s %s' % (method, url))
            if callable(item):
                item = item(method, url)
        if isinstance(item, BaseException):
            raise item
        return item

    def count(self, method, pattern):
        return sum(1 for call in self.calls if call['method'] == method and re.search(pattern, urlsplit(call['url']).path))
