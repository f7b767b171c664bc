# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Rainbond console OpenAPI: applications, their components and events, and operations on them.

The operations call (``POST .../apps/{app_id}/operations``) answers ``{"msg": "操作成功"}`` and no
more: no job id, and the region drops components it rejects (an event still running, no memory)
without a word.  So what happened is read from the components themselves.  The region creates an
event for every component it accepts before the call returns: a component without a new event was
dropped.  A component is done when that event has ended and its status is the target one; the
application's own status is never used (it reads ``closed`` while components are ``starting``).
"""

from __future__ import annotations

from ansible_collections.paas.ops.plugins.module_utils import _states as states
import calendar
import re
import time

from ansible_collections.paas.ops.plugins.module_utils._action import decide, predict, summary
from ansible_collections.paas.ops.plugins.module_utils._connection import env, required
from ansible_collections.paas.ops.plugins.module_utils._fleet import Fleet, application_of
from ansible_collections.paas.ops.plugins.module_utils._http import Dialect, snippet
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasBatchError, PaasInputError, PaasJobError, PaasOutcomeUnknownError, PaasWaitTimeout
from ansible_collections.paas.ops.plugins.module_utils._http import build_path
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Operation, Request, run
from ansible_collections.paas.ops.plugins.module_utils._paging import PAGE, Paging, read_all
from ansible_collections.paas.ops.plugins.module_utils._retry import send_action, unsettled
from ansible_collections.paas.ops.plugins.module_utils._version import Deployer, deployed
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_until

ACTIONS = ('start', 'stop', 'upgrade', 'deploy', 'scale')
# Instance counts a horizontal scale (``new_node``) takes, as Rainbond documents them.
REPLICA_BOUNDS = (1, 100)
# Component status, computed by the region worker (worker/appm/types/v1/status.go).
STATES = states.Table('rainbond_component', {
    'running': states.RUNNING, 'closed': states.STOPPED, 'starting': states.STARTING, 'waiting': states.STARTING, 'stopping': states.STOPPING,
    'abnormal': states.FAILED, 'some_abnormal': states.DEGRADED, 'unknow': states.UNKNOWN, 'unknown': states.UNKNOWN, 'upgrade': states.UPGRADING,
    'building': states.BUILDING, 'build_failure': states.FAILED, 'undeploy': states.NOT_DEPLOYED, 'succeeded': states.COMPLETED,
    'paused': states.PAUSED, 'failure': states.FAILED,
})
# Event final_status; a completed event's status (success or failure) decides how it ended (event_status).
EVENT_STATUSES = states.Table('rainbond_event', {
    'running': states.JOB_RUNNING, 'failure': states.JOB_FAILED, 'empty': states.JOB_SUCCEEDED, 'emptycomplete': states.JOB_SUCCEEDED,
    'complete': states.JOB_SUCCEEDED,
})


def event_status(final_status, result):
    """An event's status: its ``final_status``, except that one which ended with ``status`` failure failed."""
    status = EVENT_STATUSES.normalize(final_status)
    return states.JOB_FAILED if status == states.JOB_SUCCEEDED and result == 'failure' else status


ARGSPEC = dict(
    rainbond_token=dict(type='str', no_log=True, aliases=['token'], **env('RAINBOND_TOKEN')),
    # Every Rainbond path starts with the team and the region (cluster): part of where calls go, like the endpoint.
    team_id=dict(type='str', **env('RAINBOND_TEAM')),
    region_name=dict(type='str', **env('RAINBOND_REGION')),
)
# Components whose last successful event of one of these types was their last restart.
_RAINBOND_RESTART_EVENTS = frozenset(['upgrade-service', 'build-service', 'restart-service'])
_APPS = '/openapi/v1/teams/{team_id}/regions/{region_name}/apps'
_APP = _APPS + '/{app_id}'
_COMPONENT = _APP + '/services/{service_id}'
# Statuses a component is left in by a failed operation (worker/appm/types/v1/status.go).
_FAILED_STATUSES = frozenset(['abnormal', 'some_abnormal', 'build_failure', 'failure'])
# Statuses in which no build of the component's configured image runs: a deploy failed on it, or it was never deployed.
_NO_BUILD_RUNS = _FAILED_STATUSES | frozenset(['undeploy'])
# The service_source of components built from an image (console/constants.py AppConstants), the only ones whose image the
# OpenAPI changes: its build view, too, takes just these as image components (openapi/services/component_action.py). The
# others build from a repository (source_code), install an application template (market) or run nothing (third_party).
IMAGE_SOURCES = frozenset(['docker_run', 'docker_compose', 'docker_image'])
# The status a component shows in a normalized state an action leaves it in (for check-mode predictions).
_RAW_STATUS = {states.RUNNING: 'running', states.STOPPED: 'closed'}
COMPONENT_FIELDS = ('id', 'name', 'alias', 'kind', 'state', 'raw_state', 'replica', 'version', 'deploy_version', 'memory', 'cpu', 'application_id')
# How many of a failed component's latest events a failure message quotes.
_EVENTS_QUOTED = 3
# Component events page with ``page`` (from 1) and ``page_size`` (default 10) and say their ``total``. The console sets no
# largest page size; 100 is this collection's own, so that one answer stays small whatever is asked.
_EVENTS = Paging('ListComponentEvents', PAGE, 'page_size', 'page', 100, items=('events',), total=('total',))


class RainbondTokenAuth:
    """The raw access token in Authorization (no scheme prefix)."""

    def __init__(self, token):
        self.token = token

    @property
    def secrets(self):
        return [self.token]

    def apply(self, request):
        request.headers['Authorization'] = self.token


class RainbondDialect(Dialect):
    """Rainbond console OpenAPI: ``{"code", "msg", "msg_show"}`` or DRF's ``{"detail"}``."""

    platform = 'rainbond'

    def is_throttled(self, status, code):
        # The OpenAPI has no rate limiter; a 409 whose code is just 409 means "too frequent, wait".
        return status == 429 or (status == 409 and code == '409')

    # The console's scale and close-components views answer 200 with an empty body (platform-apis.md 1.2).
    _EMPTY_ANSWERS = re.compile(r'/services/[^/]+/telescopic/(horizontal|vertical)$|/apps/close$')

    def documents_empty_answer(self, method, path):
        return method == 'POST' and bool(self._EMPTY_ANSWERS.search(path))

    def is_envelope(self, data):
        # Lists are answered as bare JSON arrays, objects as objects.
        return isinstance(data, (dict, list))

    def _error_fields(self, status, data, text):
        if 200 <= status < 300:
            return None, None
        if isinstance(data, dict):
            code = data.get('code', status)
            message = data.get('msg') or data.get('detail')
            if data.get('msg_show') and data.get('msg_show') != message:
                message = '%s (%s)' % (message, data['msg_show']) if message else data['msg_show']
            return str(code), message
        return str(status), snippet(text)


def event_view(event):
    """An event in the collection's vocabulary: ``status`` normalized from ``final_status`` and ``status``."""
    raw = event.get('final_status')
    return dict(id=event.get('event_id'), type=event.get('opt_type'), status=event_status(raw, event.get('status')),
                raw_status=raw, result=event.get('status') or None, message=event.get('message') or None, user=event.get('user_name'),
                created=event.get('create_time'), ended=event.get('end_time'))


def component_view(item, app_id):
    raw = item.get('status')
    return dict(id=item.get('service_id'), name=item.get('service_cname'), alias=item.get('service_alias'), kind='component',
                label='component %s (%s)' % (item.get('service_cname'), item.get('service_alias')), application_id=str(app_id),
                state=STATES.normalize(raw), raw_state=raw, replica=item.get('min_node'),
                version=item.get('version'), deploy_version=item.get('deploy_version'), memory=item.get('min_memory'), cpu=item.get('min_cpu'),
                image=item.get('image') or None, source=item.get('service_source'))


class Rainbond:
    """The OpenAPI of one team in one region, over the shared client."""

    def __init__(self, connection, team_id=None, region_name=None):
        # The team and the region are connection options (RAINBOND_TEAM, RAINBOND_REGION) unless given.
        team_id = team_id or connection.params.get('team_id')
        region_name = region_name or connection.params.get('region_name')
        if not team_id or not region_name:
            raise PaasInputError('rainbond needs team_id (the team id or name) and region_name (or RAINBOND_TEAM and RAINBOND_REGION)')
        self.client = connection.client()
        self.scope = dict(team_id=team_id, region_name=region_name)
        # The calls that changed something, with the request id the console stamped on them.
        self.action_requests = []
        # The last reads since this task last changed anything, for callers that may reuse them: a rolling restart
        # lists the components and reads their events for restart times, then the operation settles on the same.
        self._components_read = {}  # app id -> views
        self._events_read = {}  # service id -> (page size, events)

    def _call(self, method, template, operation, json_body=None, query=None, **path):
        if method != 'GET':
            self._components_read.clear()
            self._events_read.clear()
        response = self.client.request(method, build_path(template, dict(self.scope, **path)), query=query, json_body=json_body, operation=operation)
        if method != 'GET':
            self.action_requests.append(dict(operation=operation, request_id=response.request_id))
        return response.data

    def app_id(self, app_id=None, app_name=None):
        """The application's id: given (an integer), or found by its exact name in the team's list."""
        if app_id is not None:
            text = str(app_id)
            if not text.isdigit():
                raise PaasInputError('a Rainbond app id is an integer, got %r; give app_name to find an application by name' % text)
            return text
        rows = self._call('GET', _APPS, 'ListApps', query={'query': app_name}) or []
        found = [row for row in rows if row.get('group_name') == app_name]
        if len(found) != 1:
            known = ', '.join(sorted(set(row.get('group_name') or '' for row in rows))) or 'none'
            raise PaasInputError('%s application named %r in team %s, region %s (names matching: %s)'
                                 % ('no' if not found else 'more than one', app_name, self.scope['team_id'], self.scope['region_name'], known))
        row = found[0]
        return str(row.get('ID') if row.get('ID') is not None else row.get('app_id'))

    def components(self, app_id, reuse=False):
        """The application's components; with ``reuse``, from a read made since the last change."""
        if not (reuse and app_id in self._components_read):
            items = self._call('GET', _APP + '/services', 'ListComponents', app_id=app_id) or []
            self._components_read[app_id] = [component_view(item, app_id) for item in items]
        return [dict(view) for view in self._components_read[app_id]]

    def events(self, app_id, service_id, limit=1, reuse=False):
        """The component's newest ``limit`` events, newest first; with ``reuse``, from a read made since the last change."""
        kept = self._events_read.get(service_id)
        if reuse and kept and kept[0] >= limit:
            return kept[1][:limit]
        found = [event_view(event) for event in read_all(
            lambda page: self._call('GET', _COMPONENT + '/events', _EVENTS.name, query=page, app_id=app_id, service_id=service_id) or {},
            _EVENTS, key=lambda event: event.get('event_id'), want=limit)]
        self._events_read[service_id] = (limit, found)
        return found

    def latest_event(self, app_id, service_id, reuse=False):
        found = self.events(app_id, service_id, 1, reuse)
        return found[0] if found else None

    def operate(self, app_id, action, service_ids):
        self._call('POST', _APP + '/operations', 'OperateApp', json_body={'action': action, 'service_ids': list(service_ids)}, app_id=app_id)

    def change_image(self, app_id, service_id, image):
        """Set the component's configured image (the console's database only: nothing is built or rolled, no event)."""
        self._call('PUT', _COMPONENT + '/docker-image-change', 'ChangeComponentImage', json_body={'image': image}, app_id=app_id,
                   service_id=service_id)

    def scale(self, app_id, service_id, replicas):
        self._call('POST', _COMPONENT + '/telescopic/horizontal', 'HorizontalScale', json_body={'new_node': replicas}, app_id=app_id,
                   service_id=service_id)


def select_components(components, service_ids=None, component_names=None):
    """The components asked for (ids or aliases, or names), in the order given; all of them when none is named."""
    if not service_ids and not component_names:
        return list(components)
    chosen, unknown = [], []
    # Indexed once: scanning every component for every name asked for is quadratic in a large application's batches.
    by_key, by_name = {}, {}
    for component in components:
        for key in set((component['id'], component['alias'])):
            by_key.setdefault(key, []).append(component)
        by_name.setdefault(component['name'], []).append(component)
    wanted = [(name, by_key.get(name, [])) for name in service_ids or []]
    wanted += [(name, by_name.get(name, [])) for name in component_names or []]
    for name, match in wanted:
        if len(match) > 1:
            raise PaasInputError('more than one component is named %r; give its service id or alias in service_ids' % name)
        if match:
            chosen.extend(match)
        else:
            unknown.append(name)
    if unknown:
        known = ', '.join('%s (%s, %s)' % (c['name'], c['alias'], c['id']) for c in components) or 'none'
        raise PaasInputError('the application has no component %s; its components: %s' % (', '.join(unknown), known))
    unique, seen = [], set()
    for component in chosen:
        if id(component) not in seen:
            seen.add(id(component))
            unique.append(component)
    return unique


def _busy(view):
    """Why an operation now would collide with one in progress (the region would drop it), or None."""
    event = view.get('last_event')
    if event and event['status'] == states.JOB_RUNNING:
        return 'its %s event is still running' % event['type']
    if view['state'] in states.TRANSITIONAL_STATES:
        return 'it is %s' % view['raw_state']
    return None


def _settle(api, app_id, targets, deadline, wait):
    """Read each target's latest event; wait for targets in a transition; return fresh views and the ids waited for."""
    def read():
        fresh = dict((view['id'], view) for view in api.components(app_id))
        views = [fresh.get(target['id'], target) for target in targets]
        for view in views:
            view['last_event'] = api.latest_event(app_id, view['id'])
        return views

    views = [dict(target, last_event=api.latest_event(app_id, target['id'], reuse=True)) for target in targets]
    busy = [(view, _busy(view)) for view in views if _busy(view)]
    if not busy:
        return views, []
    if not wait:
        raise PaasInputError('%s; set wait=true to wait for it first' % '; '.join('%s: %s' % (view['label'], why) for view, why in busy))
    waited = [view['id'] for view, dummy in busy]
    try:
        views = wait_until(read, lambda found: not any(_busy(view) for view in found), deadline.remaining(), interval=0.5, max_interval=5.0,
                           description='%s to settle' % ', '.join(view['label'] for view, dummy in busy)).value
    except PaasWaitTimeout as error:
        still = [view for view in error.last or views if _busy(view)]
        raise PaasWaitTimeout('%s: %s' % (error.msg, '; '.join('%s: %s' % (view['label'], _busy(view)) for view in still)),
                              last=[public_component(view) for view in still], elapsed=error.elapsed, polls=error.polls)
    return views, waited


def _decide(action, view, replicas):
    if view['state'] == states.NOT_DEPLOYED and action in ('start', 'upgrade', 'scale'):
        raise PaasInputError('%s has never been deployed (status %s): use action=deploy' % (view['label'], view['raw_state']))
    if view['state'] == states.NOT_DEPLOYED and action == 'stop':
        return False, 'never deployed'
    if action == 'upgrade' and view['state'] == states.STOPPED:
        raise PaasInputError('%s is %s: a rolling upgrade needs a running component; use action=start (or deploy)' % (view['label'], view['raw_state']))
    # The modules refuse this before anything is read (PaasModule); the operation keeps the same bound for its other callers.
    low, high = REPLICA_BOUNDS
    if action == 'scale' and not low <= replicas <= high:
        raise PaasInputError('Rainbond scales a component to %d to %d instances, got %s (use action=stop to run none)' % (low, high, replicas))
    return decide(action, view, {'replica': replicas} if action == 'scale' else {})


def _target_reached(action, entry, view):
    if action == 'scale':
        return view['replica'] == entry['replica_wanted'] and (view['state'] == states.RUNNING or entry['state_before'] != states.RUNNING)
    return view['state'] == (states.STOPPED if action == 'stop' else states.RUNNING)


def _predict(action, view, replicas):
    """The summary a successful action leaves; a scale does not start a closed component."""
    after = predict(action, view, {'replica': replicas})
    if action == 'scale' and view['state'] != states.RUNNING:
        after.update(state=view['state'], raw_state=view['raw_state'])
    else:
        after['raw_state'] = _RAW_STATUS.get(after['state'])
    return after


def public_component(view):
    """What a module returns of a component."""
    return dict((key, view.get(key)) for key in COMPONENT_FIELDS)


def _new_event(api, app_id, entry, limit=5, reuse=False):
    """The event the operation started for ``entry``: the newest one unless it is the one seen before sending, else None."""
    events = api.events(app_id, entry['id'], limit, reuse)
    if entry['event'] is not None:
        return next((event for event in events if event['id'] == entry['event']['id']), entry['event'])
    newest = events[0] if events else None
    return newest if newest and newest['id'] != entry['previous_event_id'] else None


def _follow(api, app_id, action, sent, deadline):
    """Poll the components list (one call) until every sent component is done or failed; return the final views.

    ``sent`` maps service id -> the entry being built. A component's events are read only once its status no longer
    shows a transition (before that its event cannot have ended): the first such read finds the event the operation
    started, or none, which means the region dropped the component.
    """
    pending = dict(sent)
    finals = {}

    def poll():
        fresh = dict((view['id'], view) for view in api.components(app_id))
        for service_id in list(pending):
            entry = pending[service_id]
            view = finals[service_id] = fresh.get(service_id)
            if view is None or view['state'] in states.TRANSITIONAL_STATES:
                continue
            if entry['event'] is None or entry['event']['status'] == states.JOB_RUNNING:
                entry['event'] = _new_event(api, app_id, entry)
            if entry['event'] is None:
                entry.update(failed=True, dropped=True)
                del pending[service_id]
            elif entry['event']['status'] == states.JOB_RUNNING:
                continue
            elif entry['event']['status'] != states.JOB_SUCCEEDED or view['raw_state'] in _FAILED_STATUSES:
                entry['failed'] = True
                del pending[service_id]
            elif _target_reached(action, entry, view):
                del pending[service_id]
        return pending

    try:
        wait_until(poll, lambda left: not left, deadline.remaining(), interval=0.5, max_interval=5.0,
                   description='%s of %s' % (action, ', '.join(entry['label'] for entry in sent.values())))
    except PaasWaitTimeout:
        for entry in pending.values():
            entry.update(failed=True, timed_out=True)
    return finals


def _failure_text(api, app_id, entry, view):
    entry['events'] = api.events(app_id, entry['id'], _EVENTS_QUOTED)
    if entry['event'] is None and not entry.get('dropped'):
        entry['event'] = _new_event(api, app_id, entry, _EVENTS_QUOTED, reuse=True)
    event = entry['event'] or dict(type=None, result=None, raw_status='not found')
    if entry.get('dropped'):
        why = 'Rainbond dropped it without starting an event (the console answers success for every component)'
    elif entry.get('timed_out'):
        why = 'not %s within wait_timeout (status %s, event %s)' % (entry['wanted'], view and view['raw_state'], event['raw_status'])
    else:
        why = 'ended %s (event %s %s)' % (view and view['raw_state'], event['type'], event['result'] or event['raw_status'])
    quoted = '; '.join('%s %s%s' % (event['type'], event['result'] or event['raw_status'], ': ' + event['message'] if event['message'] else '')
                       for event in entry['events'])
    return '%s %s%s' % (entry['label'], why, ' (latest events: %s)' % quoted if quoted else '')


def _send(api, app_id, action, views, replicas):
    """Send the operation for ``views``; return service id -> the event it started, for those whose events were read.

    The region creates each accepted component's event before the call returns, so an unknown outcome (a reset, a
    5xx) is settled by the events: components that got one were accepted, the others are sent once more. After a
    plain success nothing is read here: ``_follow`` finds each event once it may have ended.
    """
    accepted = {}
    remaining = list(views)
    for attempt in (1, 2):
        try:
            if action == 'scale':
                for view in remaining:
                    api.scale(app_id, view['id'], replicas)
            else:
                api.operate(app_id, action, [view['id'] for view in remaining])
        except PaasOutcomeUnknownError as error:
            unknown = error
        else:
            return accepted
        for view in remaining:
            event = api.latest_event(app_id, view['id'])
            previous = view.get('last_event')
            if event and (not previous or event['id'] != previous['id']):
                accepted[view['id']] = event
        remaining = [view for view in remaining if view['id'] not in accepted]
        if not remaining:
            return accepted
        if unknown.under_way:
            # No answer in time: the region may still be taking them, so no event yet proves nothing. Not re-sent.
            raise unsettled(unknown, 'it may still be under way (no new event yet on %s); it was not re-sent'
                            % ', '.join(view['label'] for view in remaining))
        if attempt == 2:
            raise unknown
    return accepted


def _track(api, app_id, action, views, entries, events, replicas, wait):
    """Make each entry of ``entries`` (by service id) follow what ``_send`` did to its view (``events``: the events it read),
    in the keys ``_follow`` and ``_failure_text`` read; return those sent and not dropped, by service id."""
    sent = {}
    for view in views:
        entry = entries[view['id']]
        entry.update(event=events.get(view['id']), previous_event_id=(view.get('last_event') or {}).get('id'), state_before=view['state'],
                     replica_wanted=replicas, failed=False, dropped=False, timed_out=False,
                     wanted='at %s replicas' % replicas if action == 'scale' else (states.STOPPED if action == 'stop' else states.RUNNING))
        if entry['event'] is None and not wait:
            # Not waiting for it: read its events now, since a component without a new one was dropped.
            entry['event'] = _new_event(api, app_id, entry, 1)
            if entry['event'] is None:
                entry.update(failed=True, dropped=True)
        if not entry['failed']:
            sent[view['id']] = entry
    return sent


class ComponentsOperation(Operation):
    """start / stop / upgrade / deploy / scale of an application's components, from what each component shows: work in flight
    is a component's running event or transition, and what the console accepted is told by the new events (``_send``)."""

    def __init__(self, api):
        self.api = api
        self.app_id = None
        self.components = []
        self.finals = {}

    def read(self, request):
        app_ids, app_names = request.target('app_ids') or [], request.target('app_names') or []
        if len(app_ids) + len(app_names) != 1:
            raise PaasInputError('Rainbond operates one application a task: give app_id or app_name')
        self.app_id = self.api.app_id(app_ids[0] if app_ids else None, app_names[0] if app_names else None)
        return select_components(self.api.components(self.app_id, reuse=True), request.target('service_ids'), request.target('component_names'))

    def settle(self, request, views):
        return _settle(self.api, self.app_id, views, request.deadline, request.wait)

    def decide(self, request, view):
        return _decide(request.action, view, request.parameter('replicas'))

    def predict(self, request, view):
        return _predict(request.action, view, request.parameter('replicas'))

    def planned(self, request, plan):
        self.components = [dict(id=entry['id'], name=entry['view']['name'], alias=entry['view']['alias'], label=entry['view']['label'],
                                changed=entry['changed'], failed=False, reason=entry['reason'], before=entry['before'], after=entry['after'],
                                event=None, component=public_component(entry['view'])) for entry in plan.entries]

    def send(self, request, plan):
        action, replicas = request.action, request.parameter('replicas')
        acting = [entry['view'] for entry in plan.acting]
        by_id = dict((entry['id'], entry) for entry in self.components)
        return _track(self.api, self.app_id, action, acting, by_id, _send(self.api, self.app_id, action, acting, replicas), replicas, request.wait)

    def follow(self, request, plan):
        self.finals = _follow(self.api, self.app_id, request.action, plan.sent, request.deadline) if plan.sent else {}
        for entry in self.components:
            final = self.finals.get(entry['id'])
            if final is not None:
                entry.update(after=summary(final), component=public_component(final))

    def report(self, request, plan):
        result = dict(changed=bool(plan.acting), app_id=self.app_id, components=self.components, requests=self.api.action_requests,
                      waited_for_components=[entry['id'] for entry in plan.entries if entry['id'] in plan.waited])
        if plan.sent is None:
            return result
        failed = [entry for entry in self.components if entry['failed']]
        messages = []
        for entry in failed:
            entry['msg'] = _failure_text(self.api, self.app_id, entry, self.finals.get(entry['id']))
            messages.append(entry['msg'])
        for entry in self.components:
            for key in ('label', 'previous_event_id', 'state_before', 'replica_wanted', 'wanted', 'timed_out'):
                entry.pop(key, None)
            entry.setdefault('dropped', False)
        if failed:
            raise PaasBatchError('%d of %d components failed to %s: %s' % (len(failed), len(plan.acting), request.action, '; '.join(messages)), result)
        return result


class RainbondFleet(Fleet):
    """The components of a Rainbond application; a batch is one ``upgrade`` (Rainbond has no restart)."""

    kind = 'component'

    def __init__(self, connection, application):
        self.api = Rainbond(connection)
        self.application_id = self.api.app_id(*application)

    def targets(self, times_for=None):
        views = self.api.components(self.application_id)
        if times_for:
            # The list has no restart time: the newest successful upgrade (or build) event of each component says it.
            for view in views:
                if times_for is not True and view['id'] not in times_for:
                    continue
                events = self.api.events(self.application_id, view['id'], 10)
                done = [event for event in events if event['type'] in _RAINBOND_RESTART_EVENTS and event['status'] == states.JOB_SUCCEEDED]
                view['restarted_at'] = _console_time(done[0]['ended']) if done else None
        return views

    def restart(self, ids, deadline, auto_confirm, action='upgrade'):
        request = Request(action, targets=dict(app_ids=[self.application_id], service_ids=list(ids)), deadline=deadline, chosen=ids)
        try:
            entries = run(ComponentsOperation(self.api), request)['components']
        except PaasBatchError as error:
            entries = error.result['components']
        return dict((entry['id'], entry.get('msg') if entry['failed'] else None) for entry in entries)

    def start(self, ids, deadline, auto_confirm):
        return self.restart(ids, deadline, auto_confirm, 'start')


class ComponentDeployer(Deployer):
    """``paas.ops.app_version`` on the components of one Rainbond application: each one's image changed, then deployed.

    What a component runs is read from the component list alone: ``deployed.image`` is its configured image (ServiceBaseInfo
    ``image``). The running build is not readable through the OpenAPI (``deploy_version`` is left out of its serializer, and
    the build list is the console API's, behind its own login), so idempotency is about what is configured: an image set in
    the console, or by a ``docker-image-change`` that was never deployed, reads as running, and such a component is left
    alone. One exception: a component whose status says that no build of it runs (a deploy failed: abnormal, build_failure;
    or it was never deployed) is not taken to run its configured image, so that a task run again after a failed deploy
    deploys again instead of calling it done.

    A deploy sets the image of each component (``docker-image-change``: the console's database only, no build, no event),
    then sends ONE ``deploy`` operation of the application for all of them, which builds each from its image and rolls it
    out (``upgrade`` would roll the old build out again). The operations call answers success whatever happens to each
    component, so the outcomes come from the components' new events, followed as ``ComponentsOperation`` follows them. The
    OpenAPI has no rollback: a rollback sets the image the component had before and deploys it again.
    """

    kind = 'component'
    title = 'Rainbond component'
    running_raw_state = 'running'

    def __init__(self, connection, params):
        super().__init__(connection, params)
        self.api = Rainbond(connection)
        self.application = application_of(params, 'rainbond')
        self._app_id = None
        # Service id -> the entry that follows the last deploy sent to it (the keys _track, _follow and _failure_text use).
        self.following = {}

    @property
    def app_id(self):
        # Resolved at the first read (an application name is a ListApps call), not while the options are checked.
        if self._app_id is None:
            self._app_id = self.api.app_id(*self.application)
        return self._app_id

    def check(self, spec):
        super().check(spec)
        if not spec.image:
            raise PaasInputError('Rainbond deploys images: give image (its components take no package or version)')

    def targets(self, ids=None, busy=True):
        components = self.api.components(self.app_id)
        if ids is None:
            chosen = select_components(components, self.params.get('service_ids'), self.params.get('component_names'))
        else:
            chosen = select_components(components, service_ids=list(ids)) if ids else []
        return [_deploy_view(component) for component in chosen]

    def refuse(self, view, spec):
        if view.get('source') not in IMAGE_SOURCES:
            raise PaasInputError('%s is not built from an image (service_source %s): the Rainbond OpenAPI has no image change for it; leave '
                                 'it out (service_ids, component_names) or change its build source in the console' % (view['label'], view.get('source')))

    def on_version(self, view, spec):
        return super().on_version(view, spec) and view.get('raw_state') not in _NO_BUILD_RUNS

    def ready(self, view, spec):
        if not view.get('busy') and view.get('raw_state') in _NO_BUILD_RUNS and Deployer.on_version(self, view, spec):
            return 'is %s' % view['raw_state']
        return super().ready(view, spec)

    def settle(self, views, deadline):
        settled, waited = _settle(self.api, self.app_id, views, deadline, self.params.get('wait', True))
        return [_deploy_view(view) for view in settled], waited

    def send(self, views, spec):
        for view in views:
            if view.get('image') != spec.image:
                self._change_image(view, spec.image)
        return self._deploy(views)

    def _change_image(self, view, image):
        """``docker-image-change``; an unknown outcome is settled by the configured image: the console set it, or not."""
        def configured():
            return next((component.get('image') for component in self.api.components(self.app_id) if component['id'] == view['id']), None)
        send_action(lambda: self.api.change_image(self.app_id, view['id'], image), configured, view.get('image'),
                    'new image on %s' % view['label'])

    def _deploy(self, views):
        """One ``deploy`` operation of ``views`` (an unknown outcome settled by their new events, ``_send``); each one's entry in
        ``following`` then follows its event. Without waiting, a component the console dropped fails the task here."""
        events = _send(self.api, self.app_id, 'deploy', views, None)
        request_id = next((sent['request_id'] for sent in reversed(self.api.action_requests) if sent['operation'] == 'OperateApp'), None)
        entries = dict((view['id'], dict(id=view['id'], label=view['label'])) for view in views)
        _track(self.api, self.app_id, 'deploy', views, entries, events, None, self.params.get('wait', True))
        self.following.update(entries)
        dropped = [entry for entry in entries.values() if entry['dropped']]
        if dropped:
            raise PaasJobError('%d of %d components were not deployed: %s' % (len(dropped), len(views), '; '.join(
                _failure_text(self.api, self.app_id, entry, None) for entry in dropped)))
        return dict((view['id'], dict(kind='event', id=(entries[view['id']]['event'] or {}).get('id'), request_id=request_id)) for view in views)

    def follow(self, view, handle, deadline, auto_confirm):
        entry = self.following[view['id']]
        if 'final' not in entry:
            # The first component followed: every one the same deploy (or the rollbacks) sent is followed with it, one list call a poll.
            pending = dict((service_id, other) for service_id, other in self.following.items() if 'final' not in other)
            finals = _follow(self.api, self.app_id, 'deploy', pending, deadline)
            for service_id, other in pending.items():
                other['final'] = finals.get(service_id)
        if entry['failed']:
            raise PaasJobError(_failure_text(self.api, self.app_id, entry, entry['final']), job=entry['event'])
        return entry['event']

    def rollback(self, view, deadline, auto_confirm):
        previous = (view.get('deployed') or {}).get('image')
        if not previous:
            raise PaasInputError('%s had no image to go back to' % view['label'])
        # Its failed deploy may still run (never healthy): the console would drop a deploy sent now, so that is waited for.
        settled, dummy = _settle(self.api, self.app_id, self.targets([view['id']]), deadline, True)
        current = _deploy_view(settled[0])
        if current.get('image') != previous:
            self._change_image(current, previous)
        return self._deploy([current])[view['id']]


def _deploy_view(component):
    """A component as a deploy sees it (``_version.Deployer``): its configured image, no health of its own (its status says
    it), busy with the event it runs when its events were read."""
    event = component.get('last_event')
    return dict(component, health=None, deployed=deployed(image=component.get('image')),
                busy=event['id'] if event and event['status'] == states.JOB_RUNNING else None)


def _console_time(text):
    """Epoch seconds of a Rainbond console time, ``YYYY-MM-DD HH:MM:SS`` (read as UTC), or None."""
    if not text:
        return None
    try:
        return float(calendar.timegm(time.strptime(str(text)[:19].replace('T', ' '), '%Y-%m-%d %H:%M:%S')))
    except ValueError:
        return None


def api(connection):
    return Rainbond(connection)


def fleet(connection, params):
    return RainbondFleet(connection, application_of(params, 'rainbond'))


def operate_applications(connection, request):
    return run(ComponentsOperation(Rainbond(connection)), request)


def client(connection):
    required(connection.params, ['rainbond_token'], 'rainbond needs an access token')
    return connection.new_client(RainbondDialect(), connection.endpoint(), RainbondTokenAuth(connection.params['rainbond_token']))


def deployer(connection, params):
    return ComponentDeployer(connection, params)
