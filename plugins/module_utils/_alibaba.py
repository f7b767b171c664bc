# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The Alibaba Cloud family (SAE, EDAS): its connection options, request signing and client, the ROA call, and change orders.

Both products change state through change orders (one per application at a time) that run in
batches (pipelines) and may wait for a person to confirm the next batch.  ``follow_change_order``
is the one place that waits for them, confirms batches when asked to, and turns a failed order
into a ``PaasJobError`` carrying the failed tasks' messages. ``ChangeOrderFleet`` blames a failed
order on each target for its own part. The products' own reads and operations are in ``_sae.py`` and ``_edas.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote, urlencode

from ansible_collections.paas.ops.plugins.module_utils import _states as states
from ansible_collections.paas.ops.plugins.module_utils._auth import new_nonce, query_value, rfc3986, utcnow
from ansible_collections.paas.ops.plugins.module_utils._connection import env, required
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, PaasInputError, PaasJobError
from ansible_collections.paas.ops.plugins.module_utils._fleet import Fleet, NotRestarted
from ansible_collections.paas.ops.plugins.module_utils._http import Dialect, header_value, parse_seconds, snippet
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import run
from ansible_collections.paas.ops.plugins.module_utils._paging import read_all
from ansible_collections.paas.ops.plugins.module_utils._retry import CallBudget, send_action
from ansible_collections.paas.ops.plugins.module_utils._version import Deployer
from ansible_collections.paas.ops.plugins.module_utils._waiter import wait_for_job_end

# --------------------------------------------------------------------------------------------------
# Signing: ACS3-HMAC-SHA256 (the SDKs' default, "V3") and classic ROA HMAC-SHA1 ("V1")
# --------------------------------------------------------------------------------------------------

ACS3_ALGORITHM = 'ACS3-HMAC-SHA256'


def acs3_canonical_request(method, pathname, query, headers, payload_hash):
    """Canonical request of ACS3-HMAC-SHA256; ``headers`` are exactly the ones to sign."""
    canonical_query = '&'.join('%s=%s' % (key, rfc3986(query_value(value)))
                               for key, value in sorted(query.items()) if value is not None)
    lowered = sorted((name.lower(), str(value).strip()) for name, value in headers.items())
    canonical_headers = ''.join('%s:%s\n' % item for item in lowered)
    signed_headers = ';'.join(name for name, dummy in lowered)
    return '\n'.join([method.upper(), pathname, canonical_query, canonical_headers, signed_headers, payload_hash]), signed_headers


def acs3_authorization(access_key_id, access_key_secret, method, pathname, query, headers, payload_hash):
    canonical, signed_headers = acs3_canonical_request(method, pathname, query, headers, payload_hash)
    string_to_sign = '%s\n%s' % (ACS3_ALGORITHM, hashlib.sha256(canonical.encode('utf-8')).hexdigest())
    signature = hmac.new(access_key_secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    return '%s Credential=%s,SignedHeaders=%s,Signature=%s' % (ACS3_ALGORITHM, access_key_id, signed_headers, signature)


def roa_string_to_sign(method, pathname, query, headers):
    """String-to-sign of the classic ROA HMAC-SHA1 scheme (query values deliberately not encoded)."""
    by_name = {}
    for name, value in headers.items():
        by_name[name.lower()] = str(value)
    lines = [method.upper()] + [by_name.get(name, '') for name in ('accept', 'content-md5', 'content-type', 'date')]
    acs_headers = ''.join('%s:%s\n' % (name, by_name[name]) for name in sorted(by_name) if name.startswith('x-acs-'))
    resource = pathname
    pairs = [(key, query_value(value)) for key, value in sorted(query.items()) if value is not None]
    if pairs:
        # tea-openapi writes an empty value as a bare key; the platform accepts exactly that form.
        resource += '?' + '&'.join(key if value == '' else '%s=%s' % (key, value) for key, value in pairs)
    return '\n'.join(lines) + '\n' + acs_headers + resource


def roa_signature(access_key_secret, string_to_sign):
    digest = hmac.new(access_key_secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


class AlibabaAuth:
    """Signs Alibaba Cloud ROA requests (SAE, EDAS) with an AccessKey pair, optionally STS.

    ``signature_version`` ``v3`` is ACS3-HMAC-SHA256, what the current SDKs send; ``v1`` is the
    classic ROA HMAC-SHA1 scheme for gateways that still want it.  A fresh nonce and date are taken
    for every attempt, so a retried read is a new signature (Alibaba refuses a reused nonce).
    """

    def __init__(self, access_key_id, access_key_secret, security_token=None, signature_version='v3', clock=None, nonce=None):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token
        self.signature_version = signature_version
        self._clock = clock or utcnow
        self._nonce = nonce or new_nonce

    @property
    def secrets(self):
        return [self.access_key_secret, self.security_token]

    def apply(self, request):
        repeated = sorted(set(key for index, (key, dummy) in enumerate(request.query)
                              if any(other == key for other, dummy in request.query[:index])))
        if repeated:
            # Both schemes canonicalise the query as a map, one value per key (the SDKs build it from a dict): signing one
            # value of a repeated key while the URL carries all would be refused, or worse, accepted for other values.
            raise PaasInputError('Alibaba Cloud APIs take one value per query parameter; %s given more than once: join the '
                                 'values as the API documents (for example AppIds=a,b) instead' % ', '.join(repeated))
        headers = request.headers
        headers['host'] = request.host
        headers['accept'] = 'application/json'
        headers['x-acs-signature-nonce'] = self._nonce()
        if self.security_token:
            headers['x-acs-accesskey-id'] = self.access_key_id
            headers['x-acs-security-token'] = self.security_token
        if request.body is not None and 'content-type' not in headers:
            headers['content-type'] = 'application/json; charset=utf-8'
        now = self._clock()
        if self.signature_version == 'v1':
            self._apply_roa(request, now)
        else:
            self._apply_acs3(request, now)

    def _apply_acs3(self, request, now):
        headers = request.headers
        headers['x-acs-date'] = now.strftime('%Y-%m-%dT%H:%M:%SZ')
        headers['x-acs-content-sha256'] = hashlib.sha256(request.body or b'').hexdigest()
        # Every header we set is signed; the transport's own (user-agent, accept-encoding) are not.
        signed = dict(headers)
        headers['Authorization'] = acs3_authorization(self.access_key_id, self.access_key_secret, request.method, request.path,
                                                      dict(request.query), signed, headers['x-acs-content-sha256'])

    def _apply_roa(self, request, now):
        headers = request.headers
        headers['date'] = now.strftime('%a, %d %b %Y %H:%M:%S GMT')
        headers['x-acs-signature-method'] = 'HMAC-SHA1'
        headers['x-acs-signature-version'] = '1.0'
        if request.body is not None:
            headers['content-md5'] = base64.b64encode(hashlib.md5(request.body).digest()).decode('ascii')
        # The ROA resource is the decoded path (what the SDKs sign: their pathname before it is encoded for the wire).
        string_to_sign = roa_string_to_sign(request.method, unquote(request.path), dict(request.query), headers)
        headers['Authorization'] = 'acs %s:%s' % (self.access_key_id, roa_signature(self.access_key_secret, string_to_sign))


ARGSPEC = dict(
    alibaba_access_key_id=dict(type='str', no_log=False, **env('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY')),
    alibaba_access_key_secret=dict(type='str', no_log=True, **env('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY')),
    alibaba_security_token=dict(type='str', no_log=True, **env('ALIBABA_CLOUD_SECURITY_TOKEN', 'ALICLOUD_SECURITY_TOKEN')),
    alibaba_region_id=dict(type='str', **env('ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION')),
    alibaba_signature_version=dict(type='str', default='v3', choices=['v3', 'v1']),
)


class AlibabaDialect(Dialect):
    """SAE and EDAS (ROA): ``{"Code", "Message", "RequestId"}``; EDAS may say 200 with a failing body Code."""

    request_id_headers = ('x-acs-request-id',)
    throttling_codes = frozenset(['Throttling', 'Throttling.User', 'Throttling.Api'])
    # The codes Alibaba's gateway answers with 5xx (ServiceUnavailable at 503, InternalError at 500); inside a 200 they mean
    # the same and are retried on reads the same way.
    transient_codes = frozenset(['ServiceUnavailable', 'InternalError', 'ServiceUnavailableTemporary', 'ServiceTimeout'])
    auth_codes = frozenset(['SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound', 'InvalidAccessKeyId.Inactive',
                            'IncompleteSignature', 'MissingAuthorization', 'InvalidSecurityToken.Expired',
                            'InvalidSecurityToken.MismatchWithAccessKey', 'InvalidSecurityToken.Malformed',
                            'InvalidTimeStamp.Expired', 'SignatureNonceUsed', 'Forbidden.RAM'])

    def __init__(self, platform):
        self.platform = platform

    def request_id(self, headers, data):
        if isinstance(data, dict):
            body_id = data.get('RequestId') or data.get('requestId')
            if body_id:
                return body_id
        return super().request_id(headers, data)

    def error_fields(self, status, data, text):
        if not isinstance(data, dict):
            return (None, None, None) if 200 <= status < 300 else (str(status), snippet(text), None)
        code = data.get('Code', data.get('code'))
        message = data.get('Message', data.get('message'))
        failed = not (200 <= status < 300) or data.get('Success') is False or (code is not None and str(code) not in ('200', ''))
        if not failed:
            return None, None, None
        reported, beside = self.business_code(status, code, data.get('ErrorCode'))
        return reported, message, beside

    @staticmethod
    def business_code(status, code, error_code):
        """``(code reported, body code shown beside it)``.

        SAE puts an operation's code in ``ErrorCode`` and an HTTP-like number in ``Code`` ({"Code": "400", "ErrorCode":
        "Mamespace.Have.No.Applications"}); the gateway's own errors (throttling, signatures) put the name in ``Code``;
        EDAS has only a numeric ``Code``. So: ``ErrorCode`` if given, else a ``Code`` that is a name, else the status.
        """
        error_code = str(error_code).strip() if error_code is not None else ''
        code = str(code).strip() if code is not None else ''
        numeric = code.lstrip('-').isdigit()
        if error_code and error_code.upper() != 'NULL':  # "NULL" is what the API pages print for "none"
            return error_code, (code or None) if code != error_code else None
        if code and not numeric:
            return code, None
        return (code or str(status)), None

    def is_envelope(self, data):
        # Every SAE and EDAS answer carries its Code and RequestId (platform-apis.md 3.1, section 4).
        return isinstance(data, dict) and any(key in data for key in ('Code', 'code', 'RequestId', 'requestId'))

    def retry_after(self, headers):
        # Alibaba's gateway says x-acs-retry-after; honour the standard header too.
        return parse_seconds(header_value(headers, 'x-acs-retry-after', 'Retry-After'))


# Tasks of SAE pipelines (DescribePipeline TaskList Status) and EDAS stages (TaskInfoDTO TaskStatus, a string of the same ints):
# 0 prepared, 1 executing, 2 succeeded, 3 failed, 5 pending retry (SAE), 6 terminated, 10 system failure (EDAS).
TASK_STATUSES = states.Table('alibaba_task', {
    '0': states.JOB_PENDING, '1': states.JOB_RUNNING, '2': states.JOB_SUCCEEDED, '3': states.JOB_FAILED, '5': states.JOB_RUNNING,
    '6': states.JOB_ABORTED, '10': states.JOB_FAILED,
})


def client(connection):
    """The signed client of ``connection``; for a platform with a per-user call quota, with its ``CallBudget``."""
    params = connection.params
    platform = connection.platform
    required(params, ['alibaba_access_key_id', 'alibaba_access_key_secret'], '%s needs an AccessKey' % platform.name)
    auth = AlibabaAuth(params['alibaba_access_key_id'], params['alibaba_access_key_secret'], params.get('alibaba_security_token'),
                       params.get('alibaba_signature_version') or 'v3')
    endpoint = connection.endpoint()
    api = connection.new_client(AlibabaDialect(platform.name), endpoint, auth)
    if platform.calls_per_minute:
        # The quota is the user's: every module process calling this endpoint with this AccessKey (each batch
        # of a rolling restart is one) takes from one budget. The endpoint is part of the key so that regions,
        # or emulators side by side, keep their own.
        api.budget = CallBudget(platform.calls_per_minute, key=(endpoint, params['alibaba_access_key_id']))
    return api


def raw_request(connection, headers, path_params, params):
    """api_request: the ROA headers that name the API and its version."""
    if not params['api_action']:
        raise PaasInputError('%s needs api_action (the API name sent as x-acs-action)' % connection.platform.name)
    headers['x-acs-action'] = params['api_action']
    headers['x-acs-version'] = params['api_version'] or connection.platform.api_version


def as_list(value, key):
    """Alibaba wraps lists XML-style ({"EccList": {"Ecc": [...]}}); accept both that and a plain list."""
    if isinstance(value, dict):
        value = value.get(key)
    if isinstance(value, dict):
        value = [value]
    return value or []


class AlibabaApi:
    """ROA calls of one Alibaba product over the shared client (x-acs-action and x-acs-version set per call)."""

    def __init__(self, connection):
        self.platform = connection.platform.name
        self.version = connection.platform.api_version
        self.client = connection.client()
        # Request ids of the calls that changed something, for the task result (what support asks for first).
        self.action_requests = []
        # The last answer of each read since this task last changed anything, for a caller that may reuse it: a rolling
        # restart lists the targets just before the operation reads the same (reuse=True).
        self._reads = {}

    def call(self, action, method, path, query=None, read=None, reuse=False, form=None):
        """One ROA call; ``form`` (a dict, maybe empty) is sent as an ``application/x-www-form-urlencoded`` body, as the SDKs
        send the APIs whose ``req_body_type`` is ``formData`` (SAE DeployApplication): its parameters that are not query
        ones, sorted and encoded as the SDK's ``to_form`` does, and signed with the rest (ACS3 hashes the body)."""
        # Empty parameters are left out: the two official SDKs sign them differently.
        query = dict((key, value) for key, value in (query or {}).items() if value not in (None, ''))
        changes = read is False or (read is None and method not in ('GET', 'HEAD'))
        key = (action, tuple(sorted(query.items())))
        if reuse and not changes and key in self._reads:
            return self._reads[key]
        headers = {'x-acs-action': action, 'x-acs-version': self.version}
        body = None
        if form is not None:
            headers['content-type'] = 'application/x-www-form-urlencoded'
            body = urlencode(sorted((name, query_value(value)) for name, value in form.items() if value not in (None, '')))
        response = self.client.request(method, path, query=query, body=body, headers=headers, read=read, operation=action)
        if changes:
            self._reads.clear()
            self.action_requests.append(dict(operation=action, request_id=response.request_id))
        else:
            self._reads[key] = response.data or {}
        return response.data or {}

    def read_job(self, change_order_id, params=None):
        """A change order, read as change_order_info polls it (``job_result`` is what it returns)."""
        return self.change_order(change_order_id)

    def job_result(self, order):
        """What change_order_info returns of an order: with its batches' tasks, and without the per-instance units."""
        return public_order(self.with_tasks(order))

    def list_all(self, paging, path, query, key, page_size=None, want=None, reuse=False, method='GET'):
        """Every item of a paged list (``paging``: how it pages), read page by page to its end; ``key`` names an item's id field.
        ``method``: the list's HTTP method (EDAS lists with POST: ListApplication), a read either way."""
        return read_all(lambda page: self.call(paging.name, method, path, dict(query, **page), read=True, reuse=reuse), paging, page_size=page_size,
                        key=lambda item: item.get(key) if isinstance(item, dict) else None, want=want)


def order_task(name, raw_status, message, error_code, error_message):
    return dict(name=name, raw_status=raw_status, status=TASK_STATUSES.normalize(raw_status), message=message or None,
                error_code=error_code or None, error_message=error_message or None)


def order_unit(keys, raw_status, message):
    """One instance's part in a change order: the names it goes by (id, IP, pod), how its part ended, and its message."""
    return dict(keys=[str(key) for key in keys if key], raw_status=raw_status, status=TASK_STATUSES.normalize(raw_status),
                message=message or None)


def target_outcomes(order, targets):
    """What a change order that did not succeed did to each of ``targets`` (views with ``id`` and maybe ``ip``), from its
    batches' per-instance details: ``{id: (status, message)}``, status ``succeeded``, ``failed`` or ``not_reached`` (its
    batch never ran it, the order having ended). A target the details do not name, or whose part has not ended, is left
    out: the order's outcome is all that is known of it."""
    outcomes = {}
    units = [unit for pipeline in order.get('pipelines') or [] for unit in pipeline.get('units') or []]
    for target in targets:
        names = set(str(name) for name in (target.get('id'), target.get('ip')) if name)
        mine = [unit for unit in units if names & set(unit['keys'])]
        if len(mine) != 1:
            continue  # not named, or named twice (an order over several applications): not guessed at
        unit = mine[0]
        if unit['status'] in states.JOB_SUCCESS:
            outcomes[target['id']] = (states.JOB_SUCCEEDED, None)
        elif unit['status'] in (states.JOB_FAILED, states.JOB_PARTIALLY_FAILED):
            outcomes[target['id']] = (states.JOB_FAILED, unit['message'])
        elif order.get('ended') and unit['status'] in (states.JOB_PENDING, states.JOB_ABORTED):
            outcomes[target['id']] = ('not_reached', unit['message'])
    return outcomes


def without(messages, said):
    """``messages`` less those that only repeat a text already ``said`` (each target's own message, said once with it)."""
    return [message for message in messages if not any(text and text in message for text in said)]


def public_pipelines(pipelines):
    return [dict((key, value) for key, value in pipeline.items() if key != 'units') for pipeline in pipelines]


def order_summary(platform, order, statuses):
    """A change order as both products list them (ListChangeOrders / ListRecentChangeOrder)."""
    return dict(id=order.get('ChangeOrderId'), platform=platform, application_id=order.get('AppId'), raw_status=order.get('Status'),
                status=statuses.normalize(order.get('Status')), type=order.get('CoTypeCode'),
                description=order.get('CoType') or order.get('ChangeOrderDescription') or order.get('Description'),
                created=order.get('CreateTime'), finished=order.get('FinishTime') or None, batch_count=order.get('BatchCount'),
                batch_type=order.get('BatchType'), source=order.get('Source'))


def failure_messages(order):
    """The order's own error and every failed task's, in batch order: what a failed task reports."""
    messages = [order['message']] if order.get('message') and order['status'] not in states.JOB_SUCCESS else []
    for pipeline in order['pipelines']:
        for task in pipeline['tasks'] or []:
            text = task['error_message'] or (task['message'] if task['status'] == states.JOB_FAILED else None)
            if text and '%s: %s' % (task['name'], text) not in messages:
                messages.append('%s: %s' % (task['name'], text))
    return messages


def public_order(order):
    """What a module returns of a change order: the order with its batches, the terminal flag added."""
    public = dict(order)
    # The per-instance units are the collection's own reading of the details: the tasks already show them.
    public['pipelines'] = public_pipelines(order.get('pipelines') or [])
    public['terminal'] = order['status'] in states.JOB_TERMINAL
    return public


def follow_change_order(api, change_order_id, deadline, auto_confirm=False, label=None):
    """Wait until the change order ends, confirming batches when asked; return it, or raise PaasJobError."""
    confirmed = []
    while True:
        order = wait_for_job_end(lambda: api.change_order(change_order_id), deadline.remaining(),
                                 'change order %s%s' % (change_order_id, ' of ' + label if label else '')).value
        pipeline = api.waiting_pipeline(order) if order['status'] == states.JOB_WAITING_CONFIRMATION else None
        if pipeline and auto_confirm and pipeline not in confirmed:
            api.confirm_batch(pipeline)
            confirmed.append(pipeline)
            continue
        break
    order['confirmed_batches'] = confirmed
    public = public_order(order)
    if order['status'] == states.JOB_WAITING_CONFIRMATION:
        raise PaasJobError('change order %s waits for manual confirmation of its next batch (pipeline %s): confirm it in the %s console, '
                           'or set auto_confirm_batches=true' % (change_order_id, pipeline, api.platform.upper()), job=public, target=label)
    if order['status'] == states.JOB_WAITING_APPROVAL:
        raise PaasJobError('change order %s waits for approval: approve it in the %s console, then run the task again'
                           % (change_order_id, api.platform.upper()), job=public, target=label)
    if order['status'] not in states.JOB_SUCCESS:
        messages = failure_messages(api.with_tasks(order))
        public = public_order(order)
        header = 'change order %s%s ended %s (Status %s%s)' % (change_order_id, ' of ' + label if label else '', order['status'], order['raw_status'],
                                                               ', SubStatus %s' % order['sub_status'] if order.get('sub_status') else '')
        error = PaasJobError(header + (': ' + '; '.join(messages) if messages else ''), job=public, target=label)
        # For callers that blame each target for its own part (batch_restart): the order read, its header and messages.
        error.order, error.header, error.messages = order, header, messages
        raise error
    return public


def follow_orders(api, orders, deadline, auto_confirm, result):
    """Follow each ``(order id, label)`` into ``result['change_orders']``; a failure carries the result so far to the task."""
    try:
        for order_id, label in orders:
            result['change_orders'].append(follow_change_order(api, order_id, deadline, auto_confirm, label))
    except PaasError as error:
        if isinstance(error, PaasJobError) and error.job:
            result['change_orders'].append(error.job)
        if getattr(error, 'result', None) is None:
            error.result = result
        raise
    return result['change_orders']


# --------------------------------------------------------------------------------------------------
# Operations: decide from one read, wait for an order already running, act once, follow the order
# --------------------------------------------------------------------------------------------------

def wait_for_running_orders(api, views, deadline, reread):
    """SAE and EDAS run one change order per application: wait for one already running instead of colliding."""
    waited = []
    for view in views:
        order_id = view.get('running_change_order_id')
        if order_id:
            order = wait_for_job_end(lambda: api.change_order(order_id), deadline.remaining(),
                                     'change order %s already running on %s' % (order_id, view['label'])).value
            if order['status'] in states.JOB_BLOCKED:
                raise PaasJobError('%s has change order %s waiting (%s); finish it before another action' % (view['label'], order_id, order['status']),
                                   job=public_order(order), target=view['label'])
            if not order['ended']:
                # SAE SubStatus 1: a batch failed and the order waits for a manual rollback; it still holds the application.
                raise PaasJobError('%s has change order %s still running with a failed batch (Status %s, SubStatus %s): roll it back or '
                                   'abort it in the %s console before another action'
                                   % (view['label'], order_id, order['raw_status'], order.get('sub_status'), api.platform.upper()),
                                   job=public_order(order), target=view['label'])
            waited.append(order_id)
    return waited, ([reread(view['id']) for view in views] if waited else views)


def instance_operation(api, request, operation):
    """The instances (SAE) or ECCs (EDAS) a task names, of one application given by id, each once, run by the adapter's
    ``operation(api, app_id, ids)``."""
    app_id, ids = request.target('application_id'), request.target('instance_ids')
    if not app_id:
        raise PaasInputError('%s instances belong to an application given by id: set application_id' % api.platform)
    if len(set(ids)) != len(ids):
        raise PaasInputError('give each instance once')
    result = run(operation(api, app_id, ids), request)
    result['application_id'] = app_id
    return result


def send_order(api, view, request):
    """``request()`` starts one change order on ``view``'s application; return its id.

    An unknown outcome is settled by the application's newest change order, read before sending
    (``view['last_change_order_id']``) and after: a new one is the order and is followed, none means the request is sent once more.
    """
    order_id = send_action(request, lambda: api.last_change_order_id(view['id']), view.get('last_change_order_id'),
                           'new change order of %s' % view['label'])
    # Known at once to a fleet's restart in progress (ChangeOrderFleet.in_flight): a cancelled rollout aborts it meanwhile.
    getattr(api, 'sent_orders', []).append(order_id)
    return order_id


class ChangeOrderFleet(Fleet):
    """SAE and EDAS: a batch is one change order. A failed order is blamed on each target for its own part, as the order's
    per-instance details tell it (restarted, failed with its message, or never reached); the order's own message is said
    once, in ``order_messages``. A target the details do not name fails with the order."""

    api_class = None
    targets_named = None
    _listed = {}

    def __init__(self, connection, application_id):
        if not application_id:
            raise PaasInputError('%s belong to an application given by id: set application_id' % self.targets_named)
        self.api = self.api_class(connection)
        self.application_id = application_id
        self._listed = {}

    def targets(self, times_for=None):
        views = self._targets(times_for)
        # Kept for the blame of a failed order: the details name an instance by id or by IP.
        self._listed = dict((view['id'], view) for view in views)
        return views

    def _targets(self, times_for):
        raise NotImplementedError

    def _run(self, ids, operation):
        self.change_orders = []
        self.order_messages = list(self.order_messages)
        self.api.sent_orders = []
        try:
            result = operation()
            failure = None
        except PaasError as error:
            result = getattr(error, 'result', None) or {}
            failure = error
        finally:
            # The restart is over: its orders are no longer in flight (those left running are in change_orders).
            self.api.sent_orders = []
        # A batch may run two orders (a start of its stopped targets, then the restart): abort may need both.
        self.change_orders = list(self.change_orders) + ([order for order in result.get('change_orders') or [] if not order.get('terminal')] or
                                                         [dict(id=order_id) for order_id in result.get('change_order_ids') or [] if failure])
        if failure is None:
            return dict((target_id, None) for target_id in ids)
        order = getattr(failure, 'order', None)
        outcomes = target_outcomes(order, [self._listed.get(target_id) or dict(id=target_id) for target_id in ids]) if order else {}
        if not outcomes:
            # Nothing says how each target fared (no order read, or details that name none of them): each failed with it.
            return dict((target_id, failure.msg) for target_id in ids)
        said = [message for status, message in outcomes.values() if message]
        rest = without(failure.messages, said)
        self.order_messages.append(failure.header + (': ' + '; '.join(rest) if rest else ''))
        found = {}
        for target_id in ids:
            status, message = outcomes.get(target_id, (None, None))
            if status == states.JOB_SUCCEEDED:
                found[target_id] = None
            elif status == states.JOB_FAILED:
                found[target_id] = message or 'its part of the change order failed'
            elif status == 'not_reached':
                found[target_id] = NotRestarted('not restarted: its change order ended before reaching it')
            else:
                found[target_id] = 'its change order failed; its own part is not reported'
        return found

    def in_flight(self):
        return list(getattr(self.api, 'sent_orders', None) or [])

    def abort(self, order_ids=None):
        aborted = []
        for order_id in [order['id'] for order in self.change_orders] if order_ids is None else order_ids:
            try:
                self.api.abort(order_id)
                aborted.append(order_id)
            except PaasError:
                # Already ended: nothing left to abort.
                continue
        return aborted


class ChangeOrderDeployer(Deployer):
    """What SAE and EDAS deploys share: a deploy or rollback is one change order per application, sent through
    ``send_order`` (an unknown outcome settled by the application's newest order), followed by ``follow_change_order``,
    and aborted on a cancel with the product's AbortChangeOrder; work in flight is the application's running order.

    A subclass sets ``api`` (its ``AlibabaApi``), and its views carry ``busy`` (the running order's id, or None) and
    ``_last_change_order_id`` (the newest order's id as read with the view: the marker an unknown outcome is settled by). It
    sends with ``deploy_order(view, spec)`` and ``rollback_order(view)``, each one product call returning the order's id.
    A rollback first aborts an order still running on the target (the failed deploy's), since a second would be refused.
    """

    api = None

    def deploy_order(self, view, spec):
        """Send the product's deploy of ``spec`` to ``view``'s application: the id of the change order it started."""
        raise NotImplementedError

    def rollback_order(self, view):
        """Send the product's rollback of ``view``'s application to what ``view`` ran: the id of the change order it started."""
        raise NotImplementedError

    def settle(self, views, deadline):
        # One order at a time per application: one running is waited for (or refused when it waits for a person), then
        # every view is read again at once.
        running = [dict(view, running_change_order_id=view.get('busy')) for view in views]
        waited, dummy = wait_for_running_orders(self.api, running, deadline, lambda target_id: None)
        return (self.targets([view['id'] for view in views]) if waited else views), waited

    def _send(self, view, marker, change):
        """``change()`` once through ``send_order``, settled by ``marker`` (the newest order id before): the handle."""
        sent_before = len(self.api.action_requests)
        order_id = send_order(self.api, dict(view, last_change_order_id=marker), change)
        sent = self.api.action_requests[sent_before:]
        # No request id when an unknown outcome was settled by a new order: the answer that would carry it never came.
        return dict(kind='change_order', id=order_id, request_id=sent[-1]['request_id'] if sent else None)

    def send(self, views, spec):
        return dict((view['id'], self._send(view, view.get('_last_change_order_id'), lambda view=view: self.deploy_order(view, spec)))
                    for view in views)

    def follow(self, view, handle, deadline, auto_confirm):
        return follow_change_order(self.api, handle['id'], deadline, auto_confirm, view.get('label'))

    def rollback(self, view, deadline, auto_confirm):
        # ``view`` was read before the deploy, whose own order has moved the marker since: the target is read afresh.
        now = self.targets([view['id']])[0]
        if now.get('busy'):
            # The failed deploy's order still holds the application (a batch that never got healthy, SAE's SubStatus 1, or
            # one not over by the deadline), and a second order would be refused: it is aborted first, and waited for.
            self.api.abort(now['busy'])
            wait_for_job_end(lambda: self.api.change_order(now['busy']), deadline.remaining(),
                             'aborted change order %s of %s' % (now['busy'], view.get('label')))
        return self._send(view, now.get('_last_change_order_id'), lambda: self.rollback_order(view))

    def abort(self, handles):
        aborted = []
        for handle in handles:
            if not handle or handle.get('kind') != 'change_order' or not handle.get('id'):
                continue
            try:
                self.api.abort(handle['id'])
                aborted.append(handle['id'])
            except PaasError:
                # Already ended: nothing left to abort.
                continue
        return aborted
