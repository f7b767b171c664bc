# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small HTTP server on 127.0.0.1 standing in for the targets' own endpoints, for the tests of the rollout's HTTP check
(tests/unit and tests/integration share it through tests/conftest.py).

``web`` serves http, ``tls_web`` https with a certificate for 127.0.0.1 from a CA nobody trusts (its ``ca_path``). Each
path answers with its script, ``server.scripts[path]``: a list of ``(status, body)`` or ``(status, body, headers)``, one
per request, the last repeated; an unscripted path answers 200 ``ok``. ``server.hits[path]`` counts the requests,
``server.requests[path]`` keeps each one's headers.
"""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme


class Answers(BaseHTTPRequestHandler):

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        server = self.server
        with server.lock:
            server.hits[self.path] = server.hits.get(self.path, 0) + 1
            server.requests.setdefault(self.path, []).append(dict(self.headers))
            script = server.scripts.get(self.path) or [(200, 'ok')]
            answer = script[min(server.hits[self.path], len(script)) - 1]
        status, body, headers = (tuple(answer) + ({'Content-Type': 'text/plain'},))[:3]
        payload = body.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def _serve(scheme, wrap=None):
    server = ThreadingHTTPServer(('127.0.0.1', 0), Answers)
    if wrap is not None:
        server.socket = wrap(server.socket)
    server.lock = threading.Lock()
    server.scripts, server.hits, server.requests = {}, {}, {}
    server.url = '%s://127.0.0.1:%d' % (scheme, server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _stop(server):
    server.shutdown()
    server.server_close()


@pytest.fixture
def web():
    server = _serve('http')
    yield server
    _stop(server)


@pytest.fixture
def tls_web(tmp_path):
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert('127.0.0.1').configure_cert(context)
    server = _serve('https', lambda sock: context.wrap_socket(sock, server_side=True))
    server.ca_path = str(tmp_path / 'ca.pem')
    authority.cert_pem.write_to_path(server.ca_path)
    yield server
    _stop(server)
