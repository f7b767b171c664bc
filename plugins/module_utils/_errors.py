# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Error types raised by the collection's shared code.

Adapters and the HTTP client raise; the module runner (``_module.PaasModule``) turns every
``PaasError`` into one ``fail_json`` in one place, so every failure carries the same fields
(platform, HTTP status, the platform's error code and message, request id) and never a traceback.
"""

from __future__ import annotations

REDACTED = '********'


def redact(text, secrets):
    """Return ``text`` with every secret value replaced, so no message can leak one."""
    if text is None:
        return None
    text = str(text)
    # Longest first: a secret that contains another must not be half-replaced.
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class PaasError(Exception):
    """Base of every error the collection raises on purpose."""

    def __init__(self, msg):
        super().__init__(msg)
        self.msg = msg

    def details(self):
        """Structured fields for the task result (``error`` key); subclasses add theirs."""
        return {'type': type(self).__name__}

    def redacted(self, secrets):
        """Scrub secrets from the message and details before they reach a result."""
        self.msg = redact(self.msg, secrets)
        self.args = (self.msg,)
        return self

    def to_fail_kwargs(self):
        kwargs = dict(getattr(self, 'result', None) or {})
        kwargs.update(msg=self.msg, error=self.details())
        return kwargs


class PaasInputError(PaasError):
    """Bad input (empty id, wrong type, missing credential): refused before anything is sent."""


class PaasAPIError(PaasError):
    """The platform answered with an error."""

    def __init__(self, platform, status, code=None, message=None, request_id=None, operation=None, body_code=None):
        self.platform = platform
        self.status = status
        self.code = code
        # A second code of the body, shown beside ``code`` (SAE: the numeric ``Code`` next to its ``ErrorCode``).
        self.body_code = body_code
        self.message = message
        self.request_id = request_id
        self.operation = operation
        super().__init__(self._compose())

    def _compose(self):
        parts = ['%s API error' % self.platform]
        if self.operation:
            parts[0] += ' on %s' % self.operation
        parts.append('HTTP %s' % self.status)
        if self.code not in (None, ''):
            parts.append('code %s' % self.code)
        if self.body_code not in (None, '', self.code):
            parts.append('body Code %s' % self.body_code)
        text = ': '.join([parts[0], ', '.join(parts[1:])])
        if self.message:
            text += ': %s' % self.message
        if self.request_id:
            text += ' (request id %s)' % self.request_id
        return text

    def redacted(self, secrets):
        self.message = redact(self.message, secrets)
        return super().redacted(secrets)

    def details(self):
        data = super().details()
        data.update(platform=self.platform, status=self.status, code=self.code, message=self.message,
                    request_id=self.request_id, operation=self.operation)
        if self.body_code not in (None, '', self.code):
            data['body_code'] = self.body_code
        return data


class PaasAuthError(PaasAPIError):
    """The platform refused the credentials (bad key, signature, token, password)."""


class PaasNotFoundError(PaasAPIError):
    """The addressed object does not exist."""


class PaasThrottledError(PaasAPIError):
    """The platform kept throttling after every retry was spent."""


class PaasTransportError(PaasError):
    """No usable HTTP answer (connection refused, TLS failure, timeout) after retries."""

    def __init__(self, platform, operation, reason):
        self.platform = platform
        self.operation = operation
        self.reason = reason
        super().__init__('%s: could not reach the API for %s: %s' % (platform, operation, reason))

    def redacted(self, secrets):
        self.reason = redact(self.reason, secrets)
        return super().redacted(secrets)

    def details(self):
        data = super().details()
        data.update(platform=self.platform, operation=self.operation, reason=self.reason)
        return data


class PaasOutcomeUnknownError(PaasError):
    """A state-changing request was sent but its outcome is unknown.

    Raised instead of re-sending an action blindly (a restart sent twice restarts twice):
    the caller re-reads the platform's state to learn whether the action took effect.
    ``under_way``: no answer came within the timeout, so the platform may still be processing the
    request, and a state that does not show it yet does not prove it was not taken.
    """

    def __init__(self, platform, operation, reason, status=None, code=None, request_id=None, under_way=False):
        self.platform = platform
        self.operation = operation
        self.reason = reason
        self.under_way = under_way
        self.status = status
        self.code = code
        self.request_id = request_id
        msg = ('%s: the outcome of %s is unknown (%s); it was not re-sent: read the current state '
               'before trying again' % (platform, operation, reason))
        if request_id:
            msg += ' (request id %s)' % request_id
        super().__init__(msg)

    def redacted(self, secrets):
        self.reason = redact(self.reason, secrets)
        return super().redacted(secrets)

    def details(self):
        data = super().details()
        data.update(platform=self.platform, operation=self.operation, reason=self.reason, status=self.status,
                    code=self.code, request_id=self.request_id, outcome_unknown=True)
        return data


class PaasWaitTimeout(PaasError):
    """A wait ran out of time; carries the last observation so the task result can show it."""

    def __init__(self, msg, last=None, elapsed=None, polls=0):
        self.last = last
        self.elapsed = elapsed
        self.polls = polls
        super().__init__(msg)

    def details(self):
        data = super().details()
        data.update(last=self.last, elapsed=self.elapsed, polls=self.polls)
        return data


class PaasJobError(PaasError):
    """A platform job / change order ended without success; carries it so the result shows its tasks."""

    def __init__(self, msg, job=None, target=None):
        self.job = job
        self.target = target
        super().__init__(msg)

    def details(self):
        data = super().details()
        data.update(job=self.job, target=self.target)
        return data


class PaasBatchError(PaasError):
    """Some targets of a multi-target task failed; ``result`` keeps every target's outcome for the task result."""

    def __init__(self, msg, result):
        self.result = result
        super().__init__(msg)
