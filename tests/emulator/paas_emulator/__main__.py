# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line: ``PYTHONPATH=tests/emulator python -m paas_emulator --world FILE [--port 0] [--tls] ...``.

Prints exactly one line ``PAAS_EMULATOR_URL=<url>`` once it accepts connections (and writes the
``--ready-file`` JSON), then serves until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import tempfile

from aiohttp import web

from .app import Emulator, build_app
from .world import WorldError

DEFAULT_WORLD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "worlds", "default.yml")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="paas_emulator", description="Local emulator of the Rainbond, SAE, EDAS and ServiceStage APIs.")
    parser.add_argument("--world", default=DEFAULT_WORLD, help="world file (YAML or JSON); default: %(default)s")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--time-factor", type=float, default=None, help="multiplies job durations (0.05: a 20 s restart takes 1 s)")
    parser.add_argument("--tls", action="store_true", help="serve https with a generated CA and server certificate")
    parser.add_argument("--cert-dir", default=None, help="where --tls writes ca.pem, server.pem and server.key (default: a temporary directory)")
    parser.add_argument("--ready-file", default=None, help="write {url, port, ca_path, pid} as JSON here once ready")
    parser.add_argument("--access-log", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if args.time_factor is not None and args.time_factor <= 0:
        parser.error("--time-factor must be positive")
    return args


def make_tls(cert_dir):
    """A fresh CA and a server certificate for 127.0.0.1 and localhost; returns (ssl context, CA path)."""
    import trustme  # pylint: disable=import-outside-toplevel  # test-only dependency, needed only with --tls

    cert_dir = cert_dir or tempfile.mkdtemp(prefix="paas-emulator-tls-")
    os.makedirs(cert_dir, exist_ok=True)
    authority = trustme.CA(organization_name="paas.ops emulator")
    server_cert = authority.issue_cert("127.0.0.1", "localhost", "::1")
    ca_path = os.path.join(cert_dir, "ca.pem")
    authority.cert_pem.write_to_path(ca_path)
    server_cert.cert_chain_pems[0].write_to_path(os.path.join(cert_dir, "server.pem"))
    server_cert.private_key_pem.write_to_path(os.path.join(cert_dir, "server.key"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    return context, os.path.abspath(ca_path)


def write_ready_file(path, info):
    """Written atomically so that a poller never reads half a file."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    os.replace(temporary, path)


async def serve(emulator, args):
    ssl_context, ca_path = make_tls(args.cert_dir) if args.tls else (None, None)
    runner = web.AppRunner(build_app(emulator), access_log=logging.getLogger("aiohttp.access") if args.access_log else None,
                           handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port, ssl_context=ssl_context)
    await site.start()
    port = runner.addresses[0][1]
    host = "[%s]" % args.host if ":" in args.host else args.host
    url = "%s://%s:%d" % ("https" if args.tls else "http", host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if args.ready_file:
        write_ready_file(args.ready_file, {"url": url, "port": port, "ca_path": ca_path, "pid": os.getpid()})
    print("PAAS_EMULATOR_URL=" + url, flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO if args.access_log else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        emulator = Emulator(args.world, time_factor=args.time_factor)
    except (OSError, WorldError) as error:
        print("paas_emulator: cannot load world %s: %s" % (args.world, error), file=sys.stderr)
        return 2
    asyncio.run(serve(emulator, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
