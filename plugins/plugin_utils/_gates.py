# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The gates a batch passes after the platform's own health gate, before the rollout goes on: the soak and the HTTP check.

- ``soak_seconds``: every target the batch restarted must stay running and healthy that long. Each poll is one read of the
  fleet (``Batches.read``: one listing in this process, one ``paas.ops.instance_info`` on the task's host). A target that
  leaves running or healthy, is no longer listed, or whose restart time moves again (restarted by someone else, or
  crashed and brought back) has flapped.
- ``http_check``: each target answers a URL built from its template (``{id}``, ``{name}``, ``{ip}``, ``{address}``,
  ``{application}``, ``{application_id}``) with an expected status, and optionally a body matching a regex, ``successes`` times in a row;
  ``retries`` failed answers are tolerated. Requests go from the controller, TLS verified by default, redirects not
  followed (a login page behind a 302 is not a healthy service).

A target that fails a gate is a failed target of its batch, counted by the failure policy like one the platform failed.
Each gate says one line when it starts or ends, never one per poll. The waits go through ``RunState.pause``: a stop of the
run (a failure elsewhere, the deadline) cuts them short, and the run then stops as it would after the batch.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._fleet import _HEALTH_OK
from ansible_collections.paas.ops.plugins.module_utils._retry import _innermost, describe_exception
from ansible_collections.paas.ops.plugins.plugin_utils._progress import seconds_text

try:
    import requests
except ImportError:  # pragma: no cover - the action's requirements name it; the check says so when it is used
    requests = None

# What a URL template may name, and where each value comes from: the target's view as read after its restart (a restarted
# pod may have a new address), or the application.
PLACEHOLDERS = ('id', 'name', 'ip', 'address', 'application', 'application_id')
_PLACEHOLDER = re.compile(r'\{([^{}]*)\}')
# How much of an answer's body a regex is matched against.
_BODY_LIMIT = 1 << 20
# Targets probed at once in one round of the HTTP check.
_PROBES_AT_ONCE = 8
# The options of ``http_check`` (also the role's ``rolling_restart_http_check``), for the action's argument spec.
HTTP_CHECK_OPTIONS = dict(
    url=dict(type='str', required=True),
    status_codes=dict(type='list', elements='int', default=[200]),
    body_regex=dict(type='str'),
    timeout=dict(type='float', default=5.0),
    successes=dict(type='int', default=1),
    retries=dict(type='int', default=2),
    interval=dict(type='float', default=1.0),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    headers=dict(type='dict', default={}, no_log=True),
)


def _http_settings(given):
    """``http_check`` as given, with the defaults of what it leaves out (or null), or None when not set."""
    if not given:
        return None
    check = dict((name, spec.get('default')) for name, spec in HTTP_CHECK_OPTIONS.items())
    check.update((key, value) for key, value in given.items() if value is not None)
    return check


class GateError(ValueError):
    """Gate settings that cannot work (an unknown placeholder, a bad regex): the task fails before anything is sent."""


def poll_interval(soak_seconds):
    """A soak's poll interval: six reads or more over the soak, every 5 s at most (a long soak costs few calls), 0.5 s at least."""
    return max(0.5, min(5.0, soak_seconds / 6.0))


def check_settings(settings, where='', prefix=''):
    """Refuse gate settings that cannot work, naming the option (``where``: ``applications[2]: `` and the like)."""
    soak = settings.get('soak_seconds') or 0
    if soak < 0:
        raise GateError('%s%ssoak_seconds must not be negative, got %s' % (where, prefix, soak))
    check = _http_settings(settings.get('http_check'))
    if not check:
        return
    name = '%s%shttp_check' % (where, prefix)
    url = check.get('url')
    if not url:
        raise GateError('%s.url is required' % name)
    unknown = sorted(set(found for found in _PLACEHOLDER.findall(url) if found not in PLACEHOLDERS))
    if unknown:
        raise GateError('%s.url names %s; a URL template may use %s' % (name, ', '.join('{%s}' % found for found in unknown),
                                                                        ', '.join('{%s}' % known for known in PLACEHOLDERS)))
    # A URL with sample values must be an http(s) URL with a host: a template that cannot be one fails now, not per target.
    sample = urlsplit(_PLACEHOLDER.sub('x', url))
    if sample.scheme not in ('http', 'https') or not sample.netloc:
        raise GateError('%s.url must be an http:// or https:// URL with a host, got %s' % (name, url))
    if check['body_regex'] is not None:
        try:
            re.compile(check['body_regex'])
        except re.error as error:
            raise GateError('%s.body_regex is not a valid regular expression: %s' % (name, error))
    codes = check['status_codes']
    if not codes or any(not 100 <= int(code) <= 599 for code in codes):
        raise GateError('%s.status_codes must list HTTP status codes (100 to 599), got %s' % (name, codes))
    for key, least in (('successes', 1), ('retries', 0), ('interval', 0)):
        if check[key] < least:
            raise GateError('%s.%s must be at least %s, got %s' % (name, key, least, check[key]))
    if check['timeout'] <= 0:
        raise GateError('%s.timeout must be more than 0, got %s' % (name, check['timeout']))
    if requests is None:
        raise GateError('%s needs the Python library requests on the controller' % name)


def render_url(template, view, application, application_id):
    """The URL of one target, or None and what is missing. A value is percent-encoded but for ``:`` (an IPv6 address, a
    port), so that no value can change the URL's structure (add a path, a query, a user)."""
    values = dict(id=view.get('id'), name=view.get('name') or view.get('id'), ip=view.get('ip'), address=view.get('address'), application=application,
                  application_id=application_id)
    missing = sorted(set(found for found in _PLACEHOLDER.findall(template) if values.get(found) in (None, '')))
    if missing:
        return None, missing
    return _PLACEHOLDER.sub(lambda match: quote(str(values[match.group(1)]), safe=':'), template), []


def flap_of(view, baseline):
    """Why a soaking target is no longer fine (None: it is): not listed, not running, not healthy, or restarted again."""
    if view is None:
        return 'no longer listed'
    if view.get('state') != states.RUNNING:
        return 'state %s' % (view.get('raw_state') or view.get('state'))
    if view.get('health') not in _HEALTH_OK:
        return 'health %s' % (view.get('raw_health') or view.get('health'))
    # Compared only where the listing carries a restart time (not Rainbond's, not EDAS's).
    if baseline is not None and view.get('restarted_at') is not None and view['restarted_at'] != baseline:
        return 'restarted again at %.0f (was %.0f)' % (view['restarted_at'], baseline)
    return None


class Gates:
    """The gates of one application's rollout (``ApplicationRollout``): what it set, checked against its listing at the plan."""

    def __init__(self, rollout, views, plan):
        self.rollout = rollout
        settings = rollout.settings
        self.soak_seconds = settings.get('soak_seconds') or 0
        self.http = _http_settings(settings.get('http_check'))
        if self.http:
            self._check_placeholders(views, plan)

    @classmethod
    def start(cls, rollout, views, plan):
        """The gates of ``rollout``, said with its plan; a URL template some planned target has no value for fails the rollout
        before anything is restarted."""
        gates = cls(rollout, views, plan)
        described = gates.describe()
        if described:
            rollout.say('gates: %s%s' % (described, ' (not waited in check mode)' if rollout.check_mode else ''))
        return gates

    def describe(self):
        parts = []
        if self.soak_seconds:
            parts.append('soak %s s' % seconds_text(self.soak_seconds))
        if self.http:
            codes = '/'.join(str(code) for code in self.http['status_codes'])
            parts.append('http check %s (%s, %d in a row)' % (self.http['url'], codes, self.http['successes']))
        return ', then '.join(parts)

    def _check_placeholders(self, views, plan):
        # Imported here: _rollout imports this module.
        from ansible_collections.paas.ops.plugins.plugin_utils._rollout import RolloutError
        planned = set(entry['id'] for batch in plan['batches'] for entry in batch)
        lacking = {}
        for view in views:
            if view['id'] in planned:
                _url, missing = render_url(self.http['url'], view, self.rollout.label, self.rollout.application_id)
                for name in missing:
                    lacking.setdefault(name, []).append(view.get('name') or view['id'])
        if lacking:
            name, targets = sorted(lacking.items())[0]
            raise RolloutError('%s: %shttp_check.url uses {%s}, but %s of %d planned %ss %s none (%s); use another placeholder'
                               % (self.rollout.label, self.rollout.option_prefix, name, len(targets), len(planned), self.rollout.kind,
                                  'has' if len(targets) == 1 else 'have', ', '.join(targets[:5]) + (' …' if len(targets) > 5 else '')))

    # ---- after a batch ---------------------------------------------------------------------------------------------------

    def check(self, index, total, outcome):
        """The batch's outcome with the targets that failed a gate moved from restarted to failed (in check mode, as it is)."""
        restarted = list(outcome.get('restarted') or [])
        if self.rollout.check_mode or not restarted or not (self.soak_seconds or self.http):
            return outcome
        head = 'batch %d/%d: ' % (index, total)
        failed = {}
        views = None
        if self.soak_seconds:
            baseline = dict((entry['id'], (entry.get('after') or {}).get('restarted_at')) for entry in outcome.get('targets') or [])
            failed, views = self.soak(head, restarted, baseline)
        passing = [target_id for target_id in restarted if target_id not in failed]
        if self.http and passing:
            if self.rollout.run_state.stopping():
                # The run stops after this batch anyway; its targets are neither passed nor failed by a check not sent.
                self.rollout.say('%shttp check not sent: %s' % (head, self.rollout.run_state.reason))
            else:
                failed.update(self.http_check(head, passing, views))
        return with_failures(outcome, failed) if failed else outcome

    def soak(self, head, ids, baseline):
        """``({id: why}, last views)``: the targets that flapped within the soak; a stop of the run cuts it short."""
        rollout = self.rollout
        run = rollout.run_state
        seconds = self.soak_seconds
        rollout.say('%ssoak %s s' % (head, seconds_text(seconds)))
        interval = poll_interval(seconds)
        began = run.clock()
        end = began + seconds
        first = True
        while True:
            views = rollout.batches.read(ids)
            if first:
                # Where the batch's own last read had no restart time, the soak's first read is the reference.
                for target_id in ids:
                    if baseline.get(target_id) is None:
                        baseline[target_id] = (views.get(target_id) or {}).get('restarted_at')
                first = False
            flapped = {}
            for target_id in ids:
                why = flap_of(views.get(target_id), baseline.get(target_id))
                if why:
                    flapped[target_id] = why
            if flapped:
                shown = ', '.join('%s flapped (%s)' % (rollout.names.get(target_id) or target_id, why) for target_id, why in flapped.items())
                rollout.say('%ssoak failed after %s s: %s' % (head, seconds_text(run.clock() - began), shown))
                return dict((target_id, 'flapped during the %s s soak: %s' % (seconds_text(seconds), why)) for target_id, why in flapped.items()), views
            left = end - run.clock()
            if left <= 0:
                rollout.say('%ssoak passed' % head)
                return {}, views
            run.pause(min(interval, left))
            if run.stopping():
                rollout.say('%ssoak cut short after %s s: %s' % (head, seconds_text(run.clock() - began), run.reason))
                return {}, views

    def http_check(self, head, ids, views=None):
        """``{id: why}``: the targets that did not answer as wanted ``successes`` times in a row within ``retries`` misses."""
        rollout = self.rollout
        run = rollout.run_state
        check = self.http
        # Read after the restart (and the soak): a restarted target may have a new address.
        views = views if views is not None else rollout.batches.read(ids)
        urls, failed = {}, {}
        for target_id in ids:
            url, missing = render_url(check['url'], views.get(target_id) or dict(id=target_id), rollout.label, rollout.application_id)
            if url is None:
                failed[target_id] = 'http check: no %s to build its URL from' % ', '.join('{%s}' % name for name in missing)
            else:
                urls[target_id] = url
        probe = Probe(check, rollout.option_prefix)
        streak = dict((target_id, 0) for target_id in urls)
        misses = dict(streak)
        pending = list(urls)
        try:
            with ThreadPoolExecutor(max_workers=min(_PROBES_AT_ONCE, max(len(pending), 1))) as pool:
                while pending:
                    for target_id, error in zip(list(pending), pool.map(lambda target_id: probe(urls[target_id]), list(pending))):
                        if error is None:
                            streak[target_id] += 1
                            if streak[target_id] >= check['successes']:
                                pending.remove(target_id)
                        else:
                            streak[target_id] = 0
                            misses[target_id] += 1
                            if misses[target_id] > check['retries']:
                                failed[target_id] = 'http check failed: %s' % error
                                pending.remove(target_id)
                    if pending:
                        run.pause(check['interval'])
                        if run.stopping():
                            rollout.say('%shttp check cut short: %s' % (head, run.reason))
                            return failed
        finally:
            probe.close()
        passed = len(ids) - len(failed)
        if failed:
            shown = '; '.join('%s: %s' % (rollout.names.get(target_id) or target_id, why.replace('http check failed: ', '', 1))
                              for target_id, why in failed.items())
            rollout.say('%shttp check failed: %d/%d ok; %s' % (head, passed, len(ids), shown))
        else:
            rollout.say('%shttp check %d/%d ok' % (head, passed, len(ids)))
        return failed


class Probe:
    """One GET of a target's URL, judged: None when it answered as wanted, else why not."""

    def __init__(self, check, prefix=''):
        self.check = check
        self.prefix = prefix
        self.pattern = re.compile(check['body_regex']) if check['body_regex'] is not None else None
        self.verify = (check['ca_path'] or True) if check['validate_certs'] else False
        self.session = requests.Session()
        self.session.headers.update(check['headers'] or {})

    def close(self):
        self.session.close()

    def __call__(self, url):
        check = self.check
        try:
            with self.session.get(url, timeout=check['timeout'], verify=self.verify, allow_redirects=False, stream=True) as response:
                if response.status_code not in check['status_codes']:
                    return 'HTTP %d from %s (wanted %s)' % (response.status_code, url, ', '.join(str(code) for code in check['status_codes']))
                if self.pattern is None:
                    return None
                body = response.raw.read(_BODY_LIMIT, decode_content=True).decode(response.encoding or 'utf-8', 'replace')
        except requests.exceptions.SSLError as error:
            return ('TLS certificate of %s not verified (%s); give %shttp_check.ca_path the CA that signed it, or set validate_certs '
                    'false to skip the verification' % (url, _innermost(error), self.prefix))
        except requests.exceptions.Timeout:
            return 'no answer from %s within %s s' % (url, seconds_text(check['timeout']))
        except requests.exceptions.RequestException as error:
            return 'no answer from %s (%s)' % (url, describe_exception(error))
        if not self.pattern.search(body):
            return 'HTTP %d from %s, but its body does not match %s' % (response.status_code, url, check['body_regex'])
        return None


def with_failures(outcome, failed):
    """The batch's outcome with ``failed`` ({id: msg}) moved from restarted to failed: the failure policy counts them."""
    outcome = dict(outcome)
    outcome['restarted'] = [target_id for target_id in outcome.get('restarted') or [] if target_id not in failed]
    outcome['failed_targets'] = list(outcome.get('failed_targets') or []) + [target_id for target_id in failed
                                                                             if target_id not in (outcome.get('failed_targets') or [])]
    outcome['targets'] = [dict(entry, outcome='failed', msg=failed[entry['id']]) if entry['id'] in failed else entry
                          for entry in outcome.get('targets') or []]
    return outcome
