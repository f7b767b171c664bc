# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared client: retry and no-retry rules, error parsing per platform, path encoding, TLS, secrets."""

from __future__ import annotations

import json
import os
import stat
import threading

import pytest
import requests

from ansible_collections.paas.ops.plugins.module_utils import _http, _retry
from ansible_collections.paas.ops.plugins.module_utils._alibaba import AlibabaAuth
from ansible_collections.paas.ops.plugins.module_utils._auth import NoAuth
from ansible_collections.paas.ops.plugins.module_utils._huawei import HuaweiTokenAuth
from ansible_collections.paas.ops.plugins.module_utils._rainbond import RainbondTokenAuth
from ansible_collections.paas.ops.plugins.module_utils._errors import (
    PaasAPIError,
    PaasAuthError,
    PaasInputError,
    PaasNotFoundError,
    PaasOutcomeUnknownError,
    PaasThrottledError,
    PaasTransportError,
)

from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, FakeSession
from ansible_collections.paas.ops.plugins.module_utils._alibaba import AlibabaDialect
from ansible_collections.paas.ops.plugins.module_utils._huawei import HuaweiDialect
from ansible_collections.paas.ops.plugins.module_utils._rainbond import RainbondDialect

REFUSED = requests.exceptions.ConnectionError(
    "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /x (Caused by NewConnectionError("
    "'<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))")
RESET_AFTER_SENDING = requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))")


def make_client(session, dialect=None, auth=None, retries=3, sleeps=None, warnings=None, verify=True):
    sleeps = [] if sleeps is None else sleeps
    warnings = [] if warnings is None else warnings
    return _http.HttpClient(dialect or HuaweiDialect(), 'https://api.example', auth or NoAuth(), timeout=7.5, verify=verify,
                            retry=_retry.RetryPolicy(retries=retries, base_delay=1.0, max_delay=8.0, rand=lambda: 1.0),
                            warn=warnings.append, sleep=sleeps.append, session=session)


def ok(data=None, headers=None):
    return FakeResponse(200, data if data is not None else {'ok': True}, headers=headers)


# -- retries --------------------------------------------------------------------------------------

@pytest.mark.parametrize('failure', [FakeResponse(503, {'error_code': 'X', 'error_msg': 'busy'}), FakeResponse(502, text='bad gateway'),
                                     FakeResponse(429, {'error_code': 'APIG.0308', 'error_msg': 'throttled'}), REFUSED, RESET_AFTER_SENDING,
                                     requests.exceptions.ReadTimeout('read timed out')])
def test_a_read_is_retried_until_it_succeeds(failure):
    session = FakeSession(failure, failure, ok())
    sleeps, warnings = [], []
    response = make_client(session, sleeps=sleeps, warnings=warnings).request('GET', '/v3/p')
    assert response.data == {'ok': True}
    assert len(session.calls) == 3
    assert sleeps == [1.0, 2.0]
    assert len(warnings) == 2 and 'retry 1 of 3' in warnings[0]


def test_backoff_is_capped_and_jittered():
    policy = _retry.RetryPolicy(retries=10, base_delay=1.0, max_delay=8.0, rand=lambda: 0.0)
    assert [policy.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    policy = _retry.RetryPolicy(retries=10, base_delay=1.0, max_delay=8.0, rand=lambda: 1.0)
    assert [policy.delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert policy.delay(0, retry_after=3) == 3 and policy.delay(0, retry_after=600) == 60.0


def test_retry_after_and_alibaba_retry_after_are_honoured():
    throttled = FakeResponse(400, {'Code': 'Throttling.User', 'Message': 'Request was denied due to user flow control.'},
                             headers={'x-acs-retry-after': '5'})
    session = FakeSession(throttled, FakeResponse(429, text='', headers={'Retry-After': '2'}), ok({'Code': '200', 'Data': {}}))
    sleeps = []
    make_client(session, dialect=AlibabaDialect('sae'), sleeps=sleeps).request('GET', '/pop/v1/x')
    assert sleeps == [5.0, 2.0]


def test_reads_give_up_after_the_retries_with_the_last_error():
    session = FakeSession(*[FakeResponse(503, {'error_code': 'SVCSTG.00100500', 'error_msg': 'down'}, headers={'X-Request-Id': 'r1'})] * 4)
    with pytest.raises(PaasAPIError) as caught:
        make_client(session).request('GET', '/v3/p', operation='ShowComponentInfo')
    assert len(session.calls) == 4
    assert caught.value.status == 503 and caught.value.code == 'SVCSTG.00100500' and caught.value.request_id == 'r1'
    assert 'ShowComponentInfo' in caught.value.msg and 'request id r1' in caught.value.msg


def test_throttling_that_never_ends_raises_throttled():
    session = FakeSession(*[FakeResponse(429, {'error_code': 'APIG.0308', 'error_msg': 'over ratelimit'})] * 3)
    with pytest.raises(PaasThrottledError):
        make_client(session, retries=2).request('GET', '/v3/p')
    assert len(session.calls) == 3


def test_connection_refused_after_retries_is_a_transport_error():
    with pytest.raises(PaasTransportError) as caught:
        make_client(FakeSession(REFUSED, REFUSED), retries=1).request('GET', '/v3/p')
    assert 'Connection refused' in caught.value.msg


@pytest.mark.parametrize('failure', [FakeResponse(500, {'error_code': 'SVCSTG.00100500', 'error_msg': 'internal'}),
                                     FakeResponse(502, text='bad gateway'), FakeResponse(504, text='gateway timeout'),
                                     RESET_AFTER_SENDING, requests.exceptions.ReadTimeout('read timed out')])
def test_an_action_whose_outcome_is_unknown_is_never_resent(failure):
    session = FakeSession(failure, ok())
    with pytest.raises(PaasOutcomeUnknownError) as caught:
        make_client(session).request('POST', '/v3/p/action', json_body={'action': 'restart'}, operation='restart')
    assert len(session.calls) == 1
    assert caught.value.details()['outcome_unknown'] is True
    assert 'read the current state' in caught.value.msg
    # Only a request that got no answer in time may still be under way on the platform.
    assert caught.value.under_way is isinstance(failure, requests.exceptions.ReadTimeout)


@pytest.mark.parametrize('rejection', [REFUSED, requests.exceptions.ConnectTimeout('connect timed out'),
                                       FakeResponse(429, {'error_code': 'APIG.0308', 'error_msg': 'throttled'})])
def test_an_action_rejected_before_any_effect_is_resent(rejection):
    session = FakeSession(rejection, ok({'job_id': 'j1'}))
    response = make_client(session).request('POST', '/v3/p/action', json_body={'action': 'restart'})
    assert response.data == {'job_id': 'j1'}
    assert len(session.calls) == 2


def test_an_alibaba_action_throttled_is_resent_with_a_new_signature():
    nonces = iter(['n1', 'n2'])
    auth = AlibabaAuth('ak', 'secret', nonce=lambda: next(nonces))
    throttled = FakeResponse(400, {'Code': 'Throttling.User', 'Message': 'flow control'}, headers={'x-acs-retry-after': '1'})
    session = FakeSession(throttled, ok({'Code': '200', 'Data': {'ChangeOrderId': 'co-1'}}))
    client = make_client(session, dialect=AlibabaDialect('sae'), auth=auth)
    client.request('PUT', '/pop/v1/sam/app/batchRestartApplications', headers={'x-acs-action': 'A', 'x-acs-version': 'v'})
    first, second = session.calls
    assert first['headers']['x-acs-signature-nonce'] == 'n1' and second['headers']['x-acs-signature-nonce'] == 'n2'
    assert first['headers']['Authorization'] != second['headers']['Authorization']


def test_a_client_error_is_not_retried():
    session = FakeSession(FakeResponse(400, {'error_code': 'SVCSTG.00100400', 'error_msg': 'parameter invalid'}))
    with pytest.raises(PaasAPIError) as caught:
        make_client(session).request('GET', '/v3/p')
    assert len(session.calls) == 1 and caught.value.code == 'SVCSTG.00100400'


# -- error parsing per platform ------------------------------------------------------------------

def test_alibaba_error_body():
    body = {'RequestId': 'B7A3', 'HostId': 'sae.cn-hangzhou.aliyuncs.com', 'Code': 'SignatureDoesNotMatch',
            'Message': 'Specified signature is not matched with our calculation.'}
    with pytest.raises(PaasAuthError) as caught:
        make_client(FakeSession(FakeResponse(400, body)), dialect=AlibabaDialect('sae')).request('GET', '/pop/v1/x')
    error = caught.value.details()
    assert (error['platform'], error['status'], error['code'], error['request_id']) == ('sae', 400, 'SignatureDoesNotMatch', 'B7A3')
    assert error['message'].startswith('Specified signature')


def test_alibaba_not_found_key_is_an_auth_error_and_header_request_id_is_used():
    response = FakeResponse(404, {'Code': 'InvalidAccessKeyId.NotFound', 'Message': 'Specified access key is not found.'},
                            headers={'x-acs-request-id': 'H1'})
    with pytest.raises(PaasAuthError) as caught:
        make_client(FakeSession(response), dialect=AlibabaDialect('edas')).request('GET', '/pop/v5/app/app_status')
    assert caught.value.request_id == 'H1'


def test_edas_business_error_in_a_200_body_is_an_error():
    response = FakeResponse(200, {'Code': 500, 'Message': 'application not found', 'RequestId': 'E1'})
    with pytest.raises(PaasAPIError) as caught:
        make_client(FakeSession(response), dialect=AlibabaDialect('edas')).request('GET', '/pop/v5/app/app_status')
    assert caught.value.code == '500' and caught.value.message == 'application not found'


def test_sae_success_body_is_success():
    response = FakeResponse(200, {'Code': '200', 'Success': True, 'Message': 'success', 'Data': {'AppId': 'a'}, 'RequestId': 'S1'})
    result = make_client(FakeSession(response), dialect=AlibabaDialect('sae')).request('GET', '/pop/v1/x')
    assert result.data['Data'] == {'AppId': 'a'} and result.request_id == 'S1'


@pytest.mark.parametrize('body,code,message', [
    ({'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information'}, 'APIGW.0301', 'Incorrect IAM authentication information'),
    ({'errorCode': 'SVCSTG.00100404', 'errorMsg': 'component not found'}, 'SVCSTG.00100404', 'component not found'),
    ({'error': {'code': 401, 'message': 'The username or password is wrong.', 'title': 'Unauthorized'}}, '401', 'The username or password is wrong.'),
])
def test_huawei_error_shapes(body, code, message):
    with pytest.raises(PaasAuthError) as caught:
        make_client(FakeSession(FakeResponse(401, body, headers={'X-Request-Id': 'hw-1'}))).request('GET', '/v3/p')
    assert (caught.value.code, caught.value.message, caught.value.request_id) == (code, message, 'hw-1')


def test_huawei_not_found():
    with pytest.raises(PaasNotFoundError) as caught:
        make_client(FakeSession(FakeResponse(404, {'error_code': 'SVCSTG.00100404', 'error_msg': 'component not found'}))).request('GET', '/v3/p')
    assert caught.value.code == 'SVCSTG.00100404'


@pytest.mark.parametrize('status,body,code,message,error_type', [
    (401, {'detail': 'No such user', 'code': 401, 'error_type': 'AuthenticationFailed'}, '401', 'No such user', PaasAuthError),
    (404, {'code': 404, 'msg': 'no found app', 'msg_show': '应用不存在'}, '404', 'no found app (应用不存在)', PaasNotFoundError),
    (409, {'code': 10103, 'msg': 'The asynchronous operation is executing'}, '10103', 'The asynchronous operation is executing', PaasAPIError),
    (400, {'detail': '参数错误', 'err': {'action': ['bad']}, 'code': 20400}, '20400', '参数错误', PaasAPIError),
])
def test_rainbond_error_shapes(status, body, code, message, error_type):
    with pytest.raises(error_type) as caught:
        make_client(FakeSession(FakeResponse(status, body)), dialect=RainbondDialect()).request('GET', '/openapi/v1/teams')
    assert (caught.value.code, caught.value.message) == (code, message)


def test_rainbond_too_frequent_409_is_throttling():
    session = FakeSession(FakeResponse(409, {'code': 409, 'msg': 'wait a moment please'}), ok([]))
    make_client(session, dialect=RainbondDialect()).request('POST', '/openapi/v1/x', json_body={'action': 'stop'})
    assert len(session.calls) == 2


def test_non_json_error_body_is_summarised():
    with pytest.raises(PaasAPIError) as caught:
        make_client(FakeSession(FakeResponse(418, text='<html>  teapot\n</html>'))).request('GET', '/v3/p')
    assert caught.value.message == '<html> teapot </html>'


# -- what goes on the wire -----------------------------------------------------------------------

def test_timeout_tls_user_agent_and_no_redirects():
    session = FakeSession(ok())
    client = make_client(session, verify='/etc/ca.pem')
    client.request('GET', '/v3/p', query={'b': 'x y', 'a': 1})
    call = session.calls[0]
    assert call['timeout'] == 7.5 and call['verify'] == '/etc/ca.pem' and call['allow_redirects'] is False
    assert call['url'] == 'https://api.example/v3/p?a=1&b=x%20y'
    assert session.headers['User-Agent'].startswith('paas.ops/')


def test_tls_is_verified_by_default():
    client = _http.HttpClient(HuaweiDialect(), 'https://api.example', NoAuth(), session=FakeSession())
    assert client.verify is True


def test_json_body_is_sent_as_utf8_json():
    session = FakeSession(ok())
    make_client(session).request('POST', '/v3/p', json_body={'action': 'restart', 'parameters': {'replica': 2}})
    assert session.calls[0]['data'] == b'{"action": "restart", "parameters": {"replica": 2}}'


@pytest.mark.parametrize('hostile,encoded', [
    ('a/b', 'a%2Fb'), ('../admin', '..%2Fadmin'), ('x?y=1', 'x%3Fy%3D1'), ('100%', '100%25'), ('a b', 'a%20b'), ('#frag', '%23frag'),
    (42, '42'), ('ünï', '%C3%BCn%C3%AF'),
])
def test_path_parameters_are_one_encoded_segment(hostile, encoded):
    path = _http.build_path('/v3/{project_id}/cas/applications/{application_id}', {'project_id': 'p1', 'application_id': hostile})
    assert path == '/v3/p1/cas/applications/' + encoded
    assert path.count('/') == 5


@pytest.mark.parametrize('bad', ['', '   ', '.', '..', None, True, 1.5, ['a'], {'a': 1}])
def test_bad_path_parameters_are_refused(bad):
    with pytest.raises(PaasInputError):
        _http.build_path('/apps/{app_id}', {'app_id': bad})


def test_a_refused_parameter_sends_nothing():
    session = FakeSession()
    with pytest.raises(PaasInputError):
        make_client(session).request('GET', _http.build_path('/apps/{app_id}', {'app_id': '..'}))
    assert session.calls == []


# -- secrets --------------------------------------------------------------------------------------

def test_secrets_never_reach_error_messages():
    body = {'Code': 'SignatureDoesNotMatch', 'Message': 'server string to sign is:GET\nx-acs-security-token:sts-SECRET-token\n'}
    auth = AlibabaAuth('ak', 'the-secret', 'sts-SECRET-token')
    with pytest.raises(PaasAuthError) as caught:
        make_client(FakeSession(FakeResponse(400, body)), dialect=AlibabaDialect('sae'), auth=auth).request('GET', '/pop/v1/x')
    assert 'sts-SECRET-token' not in caught.value.msg and 'sts-SECRET-token' not in str(caught.value.details())
    assert '********' in caught.value.message


def test_secrets_never_reach_retry_warnings_or_transport_errors():
    leak = requests.exceptions.ConnectionError("('Connection aborted.', 'peer said rb-TOKEN-1')")
    warnings = []
    with pytest.raises(PaasTransportError) as caught:
        make_client(FakeSession(leak, leak), auth=RainbondTokenAuth('rb-TOKEN-1'), retries=1, warnings=warnings).request('GET', '/x')
    assert 'rb-TOKEN-1' not in caught.value.msg and all('rb-TOKEN-1' not in warning for warning in warnings)


def test_an_iam_token_obtained_at_run_time_is_redacted():
    client = make_client(FakeSession(FakeResponse(403, {'error_code': 'APIGW.0302', 'error_msg': 'token tok-123 has no access'})),
                         auth=HuaweiTokenAuth(token='tok-123'))
    with pytest.raises(PaasAuthError) as caught:
        client.request('GET', '/v3/p')
    assert 'tok-123' not in caught.value.msg


class FakeTime:
    """A clock that only moves when told to or when slept on; the sleeps are recorded."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_call_budget_keeps_under_the_quota():
    fake = FakeTime()
    budget = _retry.CallBudget(3, period=60.0, clock=fake.clock, sleep=fake.sleep)
    for dummy in range(3):
        budget.acquire()
    assert fake.sleeps == []
    fake.now = 10.0
    budget.acquire()
    assert fake.sleeps == [50.0] and fake.now == 60.0
    budget.acquire()
    budget.acquire()
    assert fake.sleeps == [50.0]


def test_a_call_holds_its_budget_slot_until_its_answer_came():
    """The server counts a call somewhere between sending and answering: the slot frees a period after the answer."""
    fake = FakeTime()
    budget = _retry.CallBudget(1, period=60.0, clock=fake.clock, sleep=fake.sleep)
    slot = budget.acquire()
    fake.now = 5.0  # a slow answer
    budget.done(slot)
    fake.now = 61.0
    budget.acquire()
    assert fake.sleeps == [4.0] and fake.now == 65.0


def test_the_budget_is_spent_before_every_attempt_including_retries():
    session = FakeSession(FakeResponse(503, {'error_code': 'X'}), ok())
    client = make_client(session)
    spent = []
    client.budget = type('Budget', (), {'acquire': lambda self: spent.append([1]) or spent[-1], 'done': lambda self, slot: slot.append('done')})()
    client.request('GET', '/v3/p')
    assert spent == [[1, 'done'], [1, 'done']]


def test_sae_clients_get_the_60_calls_a_minute_budget_of_their_endpoint_and_access_key(connection):
    params = dict(alibaba_access_key_id='ak', alibaba_access_key_secret='s', alibaba_region_id='cn-hangzhou')

    def budget(**changes):
        return connection('sae', session=FakeSession(), **dict(params, **changes)).client().budget

    assert budget().calls == 60 and budget().period == 60.0
    assert budget().path == budget().path and budget().path.endswith('.json')
    assert len({budget().path, budget(alibaba_region_id='cn-shanghai').path, budget(alibaba_access_key_id='ak2').path,
                budget(alibaba_access_key_secret='other').path}) == 3  # the secret is no part of the key
    assert 'ak' not in os.path.basename(budget().path) and 'hangzhou' not in budget().path
    assert connection('edas', session=FakeSession(), **params).client().budget is None


def shared_budgets(tmp_path, fake, *keys, calls=60):
    return [_retry.CallBudget(calls, period=60.0, key=key, directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep) for key in keys]


def test_budgets_with_one_key_share_one_ledger_like_processes_of_one_user(tmp_path):
    """Each batch of a rolling restart is another process: together they must stay within the user's quota."""
    fake = FakeTime()
    first, second = shared_budgets(tmp_path, fake, ('https://sae.example', 'ak'), ('https://sae.example', 'ak'))
    for dummy in range(30):
        first.done(first.acquire())
        second.done(second.acquire())
    assert fake.sleeps == []
    fake.now = 10.0
    second.acquire()  # the 61st call within the period waits until the first one's slot is free
    assert fake.sleeps == [50.0] and fake.now == 60.0
    assert first.path == second.path and os.path.dirname(first.path) == str(tmp_path)


def test_a_slot_held_by_another_process_frees_a_period_after_its_answer(tmp_path):
    fake = FakeTime()
    first, second = shared_budgets(tmp_path, fake, ('e', 'ak'), ('e', 'ak'), calls=1)
    slot = first.acquire()
    fake.now = 5.0
    first.done(slot)
    fake.now = 61.0
    second.acquire()
    assert fake.sleeps == [4.0] and fake.now == 65.0


def test_budgets_with_other_keys_are_independent(tmp_path):
    fake = FakeTime()
    budgets = shared_budgets(tmp_path, fake, ('https://sae.cn-hangzhou', 'ak'), ('https://sae.cn-shanghai', 'ak'),
                             ('https://sae.cn-hangzhou', 'ak2'), calls=2)
    for budget in budgets:
        budget.acquire()
        budget.acquire()
    assert fake.sleeps == [] and len({budget.path for budget in budgets}) == 3


def test_the_ledger_file_is_private_to_the_user(tmp_path):
    fake = FakeTime()
    (budget,) = shared_budgets(tmp_path, fake, ('e', 'ak'))
    budget.acquire()
    assert stat.S_IMODE(os.stat(budget.path).st_mode) == 0o600
    assert os.path.basename(budget.path).startswith('paas-ops-budget-')


@pytest.mark.parametrize('garbage', [b'{"slots": {"a": 1', b'\xff\xfe', b'[1, 2]', b'{"slots": {"a": "soon", "b": true}}', b''])
def test_a_corrupt_ledger_counts_as_empty_and_is_rewritten(tmp_path, garbage):
    fake = FakeTime()
    first, second = shared_budgets(tmp_path, fake, ('e', 'ak'), ('e', 'ak'), calls=1)
    with open(first.path, 'wb') as handle:
        handle.write(garbage)
    first.acquire()
    with open(first.path, encoding='utf-8') as handle:
        assert len(json.load(handle)['slots']) == 1
    fake.now = 1.0
    second.acquire()  # the rewritten ledger is shared again
    assert fake.sleeps == [59.0]


@pytest.mark.parametrize('obstacle', ['missing directory', 'directory in the way', 'no fcntl'])
def test_without_a_usable_ledger_file_the_budget_keeps_to_the_process(tmp_path, monkeypatch, obstacle):
    fake = FakeTime()
    directory = tmp_path
    if obstacle == 'missing directory':
        directory = tmp_path / 'gone'
    if obstacle == 'no fcntl':
        monkeypatch.setattr(_retry, 'fcntl', None)
    budget, other = shared_budgets(directory, fake, ('e', 'ak'), ('e', 'ak'), calls=2)
    if obstacle == 'directory in the way':
        os.mkdir(budget.path)
    budget.done(budget.acquire())
    budget.acquire()
    other.acquire()
    assert fake.sleeps == []  # two ledgers now, one per budget object
    budget.acquire()
    assert fake.sleeps == [60.0]


def test_a_ledger_file_of_another_user_is_not_trusted(tmp_path, monkeypatch):
    fake = FakeTime()
    (budget,) = shared_budgets(tmp_path, fake, ('e', 'ak'), calls=1)
    ledger = budget.path
    monkeypatch.setattr(_retry.os, 'geteuid', lambda: os.stat(str(tmp_path)).st_uid + 1)
    budget.acquire()
    assert os.path.getsize(ledger) == 0 and budget.path is None  # neither read nor written: the process keeps its own
    budget.acquire()
    assert fake.sleeps == [60.0]


def test_threads_of_one_process_share_the_file_ledger(tmp_path):
    sleeps = []
    budget = _retry.CallBudget(40, period=60.0, key=('e', 'ak'), directory=str(tmp_path), sleep=sleeps.append)
    threads = [threading.Thread(target=lambda: [budget.done(budget.acquire()) for dummy in range(10)]) for dummy in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(budget.path, encoding='utf-8') as handle:
        assert len(json.load(handle)['slots']) == 40  # no update was lost
    assert sleeps == []


# -- the path as it goes on the wire ----------------------------------------------------------------

@pytest.mark.parametrize('path', ['/a/\u00e9/b', '/x%7e%41%2f%2Fz', '/50%', '/%zz', '/[a]{b}', "/!$&'()*+,;=:@", '/\u00fc%C3%BC', '/a b',
                                  '/\u4e2d\u6587', '/%e4%b8%ad', '/"<>\\^`|', '/plain/v1-x_y.z~'])
def test_the_signed_path_is_the_one_requests_and_urllib3_send(path):
    from urllib3.util.url import _encode_target
    url = requests.Request('GET', 'http://h' + path).prepare().url
    assert _http.ApiRequest('GET', 'http://h', path).path == _encode_target(url[len('http://h'):])


def test_a_literal_non_ascii_path_is_sent_and_signed_percent_encoded_utf8():
    session = FakeSession(ok({'Code': '200', 'RequestId': 'r'}))
    auth = AlibabaAuth('ak', 'secret', nonce=lambda: 'n')
    make_client(session, dialect=AlibabaDialect('sae'), auth=auth).request('GET', '/pop/v1/caf\u00e9', headers={'x-acs-action': 'A'})
    assert session.calls[0]['url'] == 'https://api.example/pop/v1/caf%C3%A9'


# -- SAE's business code ------------------------------------------------------------------------------

# Every code of platform-apis.md 3.4 with its HTTP status (Throttling.User's is not known: 400 as the emulator answers it).
SAE_CODES = [
    ('System.Upgrading', 400), ('InvalidParameter.Obviously', 400), ('Mamespace.Have.No.Applications', 400),
    ('Invalid.App.List.Not.Same.Namespace', 400), ('user.indebt', 400), ('InvalidApplication.NotFound', 400),
    ('InvalidParameter.NotEmpty', 400), ('InvalidParameter.WithMessage', 400), ('NoComputeResourceQuota.Exceed', 400),
    ('Application.ChangerOrderRunning', 400), ('Application.ChangerOrder.Not.Running', 400), ('Resouce.no.permission', 400),
]


@pytest.mark.parametrize('code,status', SAE_CODES)
def test_an_sae_operation_error_reports_its_error_code_with_the_body_code_beside_it(code, status):
    body = {'RequestId': 'R-1', 'TraceId': 't', 'Code': str(status), 'ErrorCode': code, 'Success': False, 'Message': 'text of %s' % code}
    with pytest.raises(PaasAPIError) as caught:
        make_client(FakeSession(FakeResponse(status, body)), dialect=AlibabaDialect('sae')).request(
            'PUT', '/pop/v1/sam/app/batchStartApplications', operation='BatchStartApplications')
    error = caught.value
    assert (error.status, error.code, error.body_code, error.message) == (status, code, str(status), 'text of %s' % code)
    assert error.details()['code'] == code and error.details()['body_code'] == str(status)
    assert 'HTTP %d, code %s, body Code %d: text of %s (request id R-1)' % (status, code, status, code) in error.msg


@pytest.mark.parametrize('body,code,body_code', [
    ({'Code': 'Throttling.User', 'Message': 'flow control'}, 'Throttling.User', None),  # the gateway's errors name the code in Code
    ({'Code': 'SignatureDoesNotMatch', 'Message': 'no'}, 'SignatureDoesNotMatch', None),
    ({'Code': '400', 'Success': False, 'Message': 'bad'}, '400', None),  # no name anywhere: the number
    ({'Code': '400', 'ErrorCode': 'NULL', 'Success': False, 'Message': 'bad'}, '400', None),  # "NULL" is the pages' placeholder
    ({'Success': False, 'Message': 'bad'}, '400', None),  # nothing but the HTTP status
    ({'Code': 'Mamespace.Have.No.Applications', 'ErrorCode': 'Mamespace.Have.No.Applications'}, 'Mamespace.Have.No.Applications', None),
])
def test_sae_code_precedence_error_code_then_a_named_code_then_the_status(body, code, body_code):
    with pytest.raises(PaasAPIError) as caught:
        make_client(FakeSession(FakeResponse(400, body)), dialect=AlibabaDialect('sae'), retries=0).request('PUT', '/pop/v1/x')
    assert (caught.value.code, caught.value.body_code) == (code, body_code)


def test_an_sae_error_code_in_a_200_is_an_error_with_the_http_status_and_code_beside_it():
    body = {'Code': '400', 'ErrorCode': 'InvalidApplication.NotFound', 'Success': False, 'Message': 'The current application does not exist.'}
    with pytest.raises(PaasAPIError) as caught:
        make_client(FakeSession(FakeResponse(200, body)), dialect=AlibabaDialect('sae')).request('GET', '/pop/v1/x')
    assert (caught.value.status, caught.value.code, caught.value.body_code) == (200, 'InvalidApplication.NotFound', '400')


# -- transient Alibaba codes inside a 200 ---------------------------------------------------------------

@pytest.mark.parametrize('code', ['ServiceUnavailable', 'InternalError', 'Throttling.User', 'Throttling'])
def test_an_alibaba_transient_code_in_a_200_is_retried_on_a_read_as_at_503(code):
    transient = FakeResponse(200, {'Code': code, 'Success': False, 'Message': 'try later', 'RequestId': 'T1'})
    session = FakeSession(transient, transient, ok({'Code': '200', 'Success': True, 'Data': {'A': 1}, 'RequestId': 'R'}))
    warnings = []
    response = make_client(session, dialect=AlibabaDialect('sae'), warnings=warnings).request('GET', '/pop/v1/x')
    assert response.data['Data'] == {'A': 1} and len(session.calls) == 3 and len(warnings) == 2


def test_an_alibaba_service_unavailable_in_a_200_for_an_action_is_an_unknown_outcome_as_at_503():
    transient = FakeResponse(200, {'Code': 'ServiceUnavailable', 'Success': False, 'Message': 'try later', 'RequestId': 'T1'})
    with pytest.raises(PaasOutcomeUnknownError):
        make_client(FakeSession(transient), dialect=AlibabaDialect('sae')).request('PUT', '/pop/v1/sam/app/restartInstances')


# -- a 2xx that cannot be read -------------------------------------------------------------------------

UNREADABLE = [
    pytest.param(FakeResponse(200, text=''), 'an empty body', id='empty'),
    pytest.param(FakeResponse(200, text='{"RequestId": "X", "Data": {"Appl', headers={'Content-Type': 'application/json'}),
                 'not JSON', id='truncated'),
    pytest.param(FakeResponse(200, text='<html><body>Maintenance</body></html>', headers={'Content-Type': 'text/html'}),
                 'not JSON', id='html'),
    pytest.param(FakeResponse(200, text='null'), 'not the documented response', id='null'),
    pytest.param(FakeResponse(200, text='"ok"'), 'not the documented response', id='string'),
]
DIALECTS = [pytest.param(AlibabaDialect('sae'), id='sae'), pytest.param(AlibabaDialect('edas'), id='edas'),
            pytest.param(HuaweiDialect(), id='servicestage'), pytest.param(RainbondDialect(), id='rainbond')]


@pytest.mark.parametrize('dialect', DIALECTS)
@pytest.mark.parametrize('garbage,what', UNREADABLE)
def test_an_unreadable_2xx_is_retried_for_a_read_and_then_an_error_saying_what_came(dialect, garbage, what):
    session = FakeSession(garbage, garbage, garbage)
    warnings = []
    with pytest.raises(PaasAPIError) as caught:
        make_client(session, dialect=dialect, retries=2, warnings=warnings).request('GET', '/x', operation='ListThings')
    assert len(session.calls) == 3 and len(warnings) == 2
    assert what in caught.value.msg and 'HTTP 200' in caught.value.msg and 'ListThings' in caught.value.msg
    assert 'content-type %s' % (garbage.headers.get('Content-Type') or 'none') in caught.value.msg
    if garbage.text:
        assert repr(garbage.text[:20])[:-1] in caught.value.msg  # the first bytes


@pytest.mark.parametrize('dialect', DIALECTS)
def test_an_unreadable_2xx_read_that_heals_is_read(dialect):
    session = FakeSession(FakeResponse(200, text='<html></html>'), ok({'Code': 200, 'RequestId': 'r', 'items': []}))
    assert make_client(session, dialect=dialect).request('GET', '/x').data['items'] == []


@pytest.mark.parametrize('dialect', DIALECTS)
@pytest.mark.parametrize('garbage,what', UNREADABLE)
def test_an_unreadable_2xx_to_an_action_is_an_unknown_outcome_that_may_be_under_way(dialect, garbage, what):
    session = FakeSession(garbage)
    with pytest.raises(PaasOutcomeUnknownError) as caught:
        make_client(session, dialect=dialect).request('POST', '/x/action', json_body={'action': 'restart'}, operation='restart')
    assert len(session.calls) == 1
    assert caught.value.under_way is True and caught.value.status == 200 and what in caught.value.reason


def test_the_request_id_of_an_unreadable_answer_is_in_the_message():
    garbage = FakeResponse(200, text='', headers={'x-acs-request-id': 'RID-9'})
    with pytest.raises(PaasAPIError) as caught:
        make_client(FakeSession(garbage), dialect=AlibabaDialect('sae'), retries=0).request('GET', '/pop/v1/x')
    assert 'request id RID-9' in caught.value.msg


def test_a_json_object_without_the_alibaba_envelope_is_unreadable():
    with pytest.raises(PaasAPIError, match='not the documented response'):
        make_client(FakeSession(FakeResponse(200, {'Applications': []})), dialect=AlibabaDialect('sae'), retries=0).request('GET', '/x')


@pytest.mark.parametrize('method,status,path,dialect', [
    ('HEAD', 200, '/v3/p', HuaweiDialect()), ('DELETE', 204, '/v3/p/x', HuaweiDialect()),
    ('POST', 200, '/openapi/v1/teams/t/regions/r/apps/1/services/s/telescopic/horizontal', RainbondDialect()),
    ('POST', 200, '/openapi/v1/teams/t/regions/r/apps/close', RainbondDialect()),
])
def test_an_empty_answer_is_read_where_it_is_the_documented_one(method, status, path, dialect):
    response = make_client(FakeSession(FakeResponse(status, text='')), dialect=dialect).request(method, path)
    assert response.data is None and response.body == ''


# -- failures that cannot heal are not retried --------------------------------------------------------

CERTIFICATE = requests.exceptions.SSLError(
    "HTTPSConnectionPool(host='127.0.0.1', port=4433): Max retries exceeded with url: /x (Caused by SSLError(SSLCertVerificationError("
    "1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1000)')))")
NO_SUCH_NAME = requests.exceptions.ConnectionError(
    "HTTPSConnectionPool(host='sae.nowhere.invalid', port=443): Max retries exceeded with url: /x (Caused by NameResolutionError("
    "\"<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to resolve 'sae.nowhere.invalid' ([Errno -2] Name or service not known)\"))")
TRY_AGAIN = requests.exceptions.ConnectionError(
    "HTTPSConnectionPool(host='sae.example', port=443): Max retries exceeded with url: /x (Caused by NameResolutionError("
    "\"<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to resolve 'sae.example' ([Errno -3] Temporary failure in name resolution)\"))")


@pytest.mark.parametrize('method', ['GET', 'POST'])
@pytest.mark.parametrize('failure,words', [
    (CERTIFICATE, 'TLS verification failed'),
    (requests.exceptions.InvalidHeader('Invalid leading whitespace, reserved character(s), or return character(s) in header value'),
     'invalid request header'),
    (NO_SUCH_NAME, 'the host name sae.nowhere.invalid does not exist'),
])
def test_a_failure_that_cannot_heal_fails_at_once_with_one_message(failure, words, method):
    session = FakeSession(failure, ok())
    warnings = []
    with pytest.raises(PaasTransportError) as caught:
        make_client(session, warnings=warnings).request(method, '/v3/p')
    assert len(session.calls) == 1 and warnings == []
    assert words in caught.value.msg and 'Max retries' not in caught.value.msg and 'object at 0x' not in caught.value.msg


def test_a_temporary_dns_failure_is_still_retried():
    session = FakeSession(TRY_AGAIN, ok())
    assert make_client(session).request('GET', '/v3/p').data == {'ok': True} and len(session.calls) == 2


@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_the_message_names_its_location(status):
    session = FakeSession(FakeResponse(status, text='', headers={'Location': 'https://login.example/sso?next=/v3/p'}))
    with pytest.raises(PaasAPIError) as caught:
        make_client(session).request('GET', '/v3/p')
    assert len(session.calls) == 1 and session.calls[0]['allow_redirects'] is False
    assert caught.value.status == status and 'redirected to https://login.example/sso?next=/v3/p' in caught.value.msg
