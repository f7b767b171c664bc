# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""When to try again, after how long, and how much: every rule of the collection about retries in one place.

- ``RetryPolicy``: jittered exponential backoff; a server's Retry-After wins.
- ``CallBudget``: a platform's per-user quota of calls (SAE: 60 a minute), kept across processes.
- The classification of a failed attempt: what cannot have reached the server (so even an action may be re-sent),
  what no retry can heal (a certificate, a header, a host name that does not exist), and ``Retryable``, an attempt a
  retry may cure.
- ``send_action``: the re-send rule for an action whose outcome is unknown, settled by the platform's own state.

``_http.HttpClient`` applies the first three to every request; the operations apply the last to every action.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
import stat
import tempfile
import threading
import time

from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, PaasOutcomeUnknownError

try:
    import fcntl  # POSIX only: without it the call budget is kept per process
except ImportError:
    fcntl = None

try:
    import requests
except ImportError:
    # _module.PaasModule fails the module with missing_required_lib before anything here is used.
    requests = None


class RetryPolicy:
    """Jittered exponential backoff with a cap; a server's Retry-After wins over the formula."""

    def __init__(self, retries=4, base_delay=0.5, max_delay=20.0, max_retry_after=60.0, rand=random.random):
        self.retries = retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self._rand = rand

    def delay(self, attempt, retry_after=None):
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        # "Full jitter" keeps many clients throttled at once from retrying in lockstep.
        return ceiling / 2 + self._rand() * ceiling / 2


class CallBudget:
    """At most ``calls`` requests in any ``period`` seconds: a platform's per-user API quota, kept by the caller.

    SAE allows 60 calls a minute per user; a module that reads 40 applications and then polls a change
    order would otherwise be throttled. A call holds its slot from before it is sent until its answer
    has arrived (``done``): the server counted it at some moment in between, so a slot is only free
    again a full period after that answer, however long the network took.

    The quota is the user's, not the process's: a rolling restart runs one module process per batch, and
    tasks may run side by side. So with a ``key`` (the endpoint and the AccessKey id) the ledger of slots
    is a file in ``directory`` (default: the temporary directory) that every process of this OS user
    with the same key shares, locked with ``flock`` for each read-modify-write. Where that file cannot be
    used (no ``fcntl``, no writable directory, a file that is not ours) the ledger is this process's own,
    as without a key: the budget never fails a module. Thread-safe, since several targets may be handled
    at once.
    """

    def __init__(self, calls, period=60.0, key=None, directory=None, clock=time.time, sleep=time.sleep):
        self.calls = calls
        self.period = period
        # Wall-clock time, because the moments in a shared ledger must mean the same in every process.
        self._clock = clock
        self._sleep = sleep
        self._name = None
        if key is not None and fcntl is not None:
            # Hashed, so that the file name shows neither endpoint nor AccessKey id; the uid is part of it
            # so that users of one shared /tmp never contend for (or lock each other out of) one file.
            identity = '\0'.join([str(os.geteuid())] + [str(part) for part in key])
            self._name = 'paas-ops-budget-%s.json' % hashlib.sha256(identity.encode('utf-8')).hexdigest()[:32]
        self._directory = directory
        self._slots = {}  # the in-process ledger: slot id -> when it was sent, then when its answer came
        self._lock = threading.Lock()

    @property
    def path(self):
        """The shared ledger file, or None when the ledger is this process's own."""
        if self._name is None:
            return None
        # Resolved on use, not at construction: gettempdir() itself fails when no temporary directory is usable.
        return os.path.join(self._directory or tempfile.gettempdir(), self._name)

    def acquire(self):
        """Wait for a free slot and take it; pass the slot to ``done`` once the call has been answered."""
        slot = os.urandom(8).hex()
        while True:
            wait = self._update(lambda slots, now: self._take(slots, slot, now))
            if wait is None:
                return slot
            # Sleep holding no lock: other threads and processes must record their answers (done) meanwhile.
            self._sleep(wait)

    def done(self, slot):
        self._update(lambda slots, now: slots.__setitem__(slot, now))

    def _take(self, slots, slot, now):
        """Take a slot and return None, or return how long to wait for one."""
        for other, moment in list(slots.items()):
            # A moment more than a period ahead means the clock was set back: forget it rather than stall.
            if now - moment >= self.period or moment - now > self.period:
                del slots[other]
        if len(slots) < self.calls:
            slots[slot] = now
            return None
        return min(self.period, self.period - (now - min(slots.values())))

    def _update(self, change):
        """Apply ``change(slots, now)`` to the ledger under both locks; return what it returns."""
        with self._lock:  # flock alone would not do for threads: the in-process fallback needs it too
            if self._name is not None:
                try:
                    return self._update_file(change)
                except (OSError, ValueError):
                    # From now on the ledger is this process's own (it keeps the slots last seen in the file):
                    # switching back and forth would lose track of slots taken in between.
                    self._name = None
            return change(self._slots, self._clock())

    def _update_file(self, change):
        # 0600 because it is nobody else's business; O_NOFOLLOW and the owner check because in a shared /tmp
        # another user may have put a link or a file of theirs under this name first.
        flags = os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_CLOEXEC', 0)
        descriptor = os.open(self.path, flags, 0o600)
        with os.fdopen(descriptor, 'r+b') as handle:  # closing it releases the lock
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                raise OSError('the call budget file %s is not a file of this user' % self.path)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            slots = _parse_ledger(handle.read())
            now = self._clock()  # read under the lock, so that moments in the file only move forward
            result = change(slots, now)
            # Rewritten in place (a rename would swap the file others are waiting to lock); a write cut short
            # leaves a torn file, which the next reader takes for an empty ledger.
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({'slots': slots}, sort_keys=True).encode('utf-8'))
            handle.flush()
        self._slots = slots
        return result


def _parse_ledger(raw):
    """The slots of a ledger file; an empty, torn or foreign file is an empty ledger, never an error."""
    try:
        data = json.loads(raw.decode('utf-8')) if raw else {}
    except ValueError:
        return {}
    slots = data.get('slots') if isinstance(data, dict) else None
    if not isinstance(slots, dict):
        return {}
    return dict((str(slot), float(moment)) for slot, moment in slots.items()
                if isinstance(moment, (int, float)) and not isinstance(moment, bool) and math.isfinite(moment))


def failed_before_sending(exc):
    """True when the request cannot have reached the server (so even an action may be re-sent)."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema, requests.exceptions.ProxyError,
                        requests.exceptions.InvalidHeader)):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        # urllib3 says NewConnectionError / NameResolutionError when the TCP connect itself failed.
        text = repr(exc)
        return 'NewConnectionError' in text or 'NameResolutionError' in text or 'Failed to establish a new connection' in text
    return False


# getaddrinfo's answers that a name does not exist (EAI_NONAME, EAI_NODATA): unlike "Temporary failure in name
# resolution" (EAI_AGAIN), asking again gives the same answer.
_NO_SUCH_NAME = re.compile(r'Name or service not known|nodename nor servname provided|No address associated with hostname|'
                           r'getaddrinfo failed|Errno -2\b|Errno -5\b|Errno 11001\b', re.I)
_CERTIFICATE_FAILED = re.compile(r'CERTIFICATE_VERIFY_FAILED|certificate verify failed|hostname mismatch|doesn.t match', re.I)


def cannot_heal(exc):
    """A reason when the failure is the same on every attempt (so it is not retried), else None.

    A certificate that does not verify, a header or URL that requests refuses and a host name that does not exist are
    properties of the request and the configuration, not of the moment: retrying only repeats the warning.
    """
    if isinstance(exc, requests.exceptions.SSLError) and _CERTIFICATE_FAILED.search(str(exc)):
        detail = re.search(r"certificate verify failed: ([^('\"]+)", str(exc))
        return 'TLS verification failed (%s); set ca_path to the CA bundle that signed the server certificate, ' \
               'or fix the endpoint host name' % (detail.group(1).strip() if detail else _innermost(exc))
    if isinstance(exc, requests.exceptions.InvalidHeader):
        return 'invalid request header: %s' % exc
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return 'invalid URL: %s' % exc
    if isinstance(exc, requests.exceptions.ConnectionError) and 'NameResolutionError' in repr(exc) and _NO_SUCH_NAME.search(str(exc)):
        host = re.search(r"host='([^']*)'", str(exc))
        detail = re.search(r"\[Errno -?\d+\] ([^)\"']+)", str(exc))
        return 'the host name %s does not exist (%s); check the endpoint and the region' % (
            host.group(1) if host else '', detail.group(1).strip() if detail else 'DNS')
    return None


class Retryable(Exception):
    """Internal: this attempt failed in a way a retry may cure; ``final`` is raised when none are left."""

    def __init__(self, reason, final, retry_after=None):
        super().__init__(reason)
        self.reason = reason
        self.final = final
        self.retry_after = retry_after


def describe_exception(exc):
    if isinstance(exc, requests.exceptions.SSLError):
        return 'TLS verification failed (%s); set ca_path to the CA bundle that signed the server certificate' % _innermost(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return 'connection timed out'
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return 'no response within the timeout'
    return '%s: %s' % (type(exc).__name__, _innermost(exc))


def _innermost(exc):
    """The useful clause of a requests/urllib3 error, without the connection-pool preamble."""
    text = str(exc)
    if 'Caused by ' in text:
        # "(Caused by NewConnectionError("HTTPConnection(host='h', port=1): Failed to establish ...: refused"))"
        text = re.sub(r'^\w+\([\'"]?', '', text.split('Caused by ', 1)[1])
        text = re.split(r'(?:>|\)): ', text, maxsplit=1)[-1]
    return text.rstrip(')').strip(" '\"") or type(exc).__name__


def send_action(send, read_marker, before, what):
    """``send()`` an action once and return what it answered (the id of the job or change order it started).

    After an unknown outcome (a 5xx, a connection reset) the platform's state settles it: ``read_marker()`` reads what every
    accepted action moves (the target's last job id, the application's newest change order id), ``before`` is its value
    read before sending. A marker that moved proves the action was accepted: its value is returned (the job to adopt) and
    nothing is sent again. One that did not move proves it was not: it is sent once more. A request that timed out may
    still be under way, so there an unmoved marker proves nothing; that, a second unknown outcome in a row and a marker that
    cannot be read raise ``PaasOutcomeUnknownError``. ``what`` names what a moved marker shows, e.g. ``new job on component web``.
    """
    unknown = None
    for attempt in (1, 2):
        try:
            return send()
        except PaasOutcomeUnknownError as error:
            unknown = error
        sent = 'it was not re-sent' if attempt == 1 else 'it was sent twice'
        try:
            after = read_marker()
        except PaasError as error:
            raise unsettled(unknown, 'reading the state to settle it failed (%s); %s' % (error.msg, sent))
        if after is not None and after != before:
            return after
        if unknown.under_way:
            raise unsettled(unknown, 'it may still be under way (no %s yet); %s' % (what, sent))
    raise unsettled(unknown, 'it was sent twice and neither attempt shows a %s' % what)


def unsettled(error, why):
    """The unknown-outcome error, its message saying why the state could not settle it."""
    error.msg = '%s: the outcome of %s is unknown (%s): %s; read the current state before trying again%s' % (
        error.platform, error.operation, error.reason, why, ' (request id %s)' % error.request_id if error.request_id else '')
    error.args = (error.msg,)
    return error
