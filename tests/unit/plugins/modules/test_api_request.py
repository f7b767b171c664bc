# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""api_request through its real exit path (argspec, check mode, fail_json, no_log masking); only the network is faked."""

from __future__ import annotations

import json

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _http
from ansible_collections.paas.ops.plugins.modules import api_request
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, FakeSession

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    import contextlib

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

ALIBABA = dict(platform='sae', alibaba_access_key_id='LTAIak', alibaba_access_key_secret='alibaba-SECRET', alibaba_region_id='cn-hangzhou',
               endpoint='http://emu:1')


@pytest.fixture
def network(monkeypatch):
    session = FakeSession()
    monkeypatch.setattr(_http.requests, 'Session', lambda: session)
    return session


def run(args, capsys, check_mode=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as caught:
            api_request.main()
    output = capsys.readouterr().out
    return caught.value.code, json.loads(output), output


def test_a_read_is_sent_signed_and_unchanged(network, capsys):
    network.script.append(FakeResponse(200, {'Code': '200', 'Success': True, 'Data': {'CurrentStatus': 'RUNNING'}, 'RequestId': 'R-1'}))
    code, result, dummy = run(dict(ALIBABA, path='/pop/v1/sam/app/describeApplicationStatus', api_action='DescribeApplicationStatus',
                                   query={'AppId': 'app 1'}), capsys)
    assert code == 0 and result['changed'] is False and result['sent'] is True
    assert result['json']['Data']['CurrentStatus'] == 'RUNNING' and result['request_id'] == 'R-1' and result['status'] == 200
    assert result['url'] == 'GET /pop/v1/sam/app/describeApplicationStatus?AppId=app%201'
    headers = network.calls[0]['headers']
    assert headers['x-acs-action'] == 'DescribeApplicationStatus' and headers['x-acs-version'] == '2019-05-06'
    assert headers['Authorization'].startswith('ACS3-HMAC-SHA256 Credential=LTAIak,')


def test_a_read_runs_in_check_mode(network, capsys):
    network.script.append(FakeResponse(200, [{'service_id': 's1'}]))
    code, result, dummy = run(dict(platform='rainbond', endpoint='http://rb', rainbond_token='rb-tok', path='/openapi/v1/teams/{team}/apps',
                                   path_params={'team': 'demo'}), capsys, check_mode=True)
    assert code == 0 and result['json'] == [{'service_id': 's1'}] and result['changed'] is False
    assert network.calls[0]['headers']['Authorization'] == 'rb-tok'


def test_a_write_is_not_sent_in_check_mode_and_reports_changed(network, capsys):
    code, result, dummy = run(dict(platform='rainbond', endpoint='http://rb', rainbond_token='rb-tok', method='POST',
                                   path='/openapi/v1/teams/t/regions/r/apps/1/operations', body={'action': 'stop'}), capsys, check_mode=True)
    assert code == 0 and result['changed'] is True and result['sent'] is False and network.calls == []


def test_a_write_reports_changed(network, capsys):
    network.script.append(FakeResponse(200, {'msg': '操作成功'}))
    code, result, dummy = run(dict(platform='rainbond', endpoint='http://rb', rainbond_token='rb-tok', method='POST',
                                   path='/openapi/v1/teams/t/regions/r/apps/{app_id}/operations', path_params={'app_id': 1},
                                   body={'action': 'stop'}), capsys)
    assert code == 0 and result['changed'] is True and result['json'] == {'msg': '操作成功'}
    assert json.loads(network.calls[0]['data']) == {'action': 'stop'}


def test_read_only_post(network, capsys):
    network.script.append(FakeResponse(200, {'Code': 200, 'changeOrderInfo': {'Status': 2}}))
    code, result, dummy = run(dict(ALIBABA, platform='edas', method='POST', read_only=True, path='/pop/v5/changeorder/change_order_info',
                                   api_action='GetChangeOrderInfo', query={'ChangeOrderId': 'co'}), capsys, check_mode=True)
    assert code == 0 and result['changed'] is False and network.calls[0]['headers']['x-acs-version'] == '2017-08-01'


def test_servicestage_project_id_placeholder(network, capsys):
    network.script.append(FakeResponse(200, {'status': {'component_status': 'RUNNING'}}))
    code, result, dummy = run(dict(platform='servicestage', endpoint='http://emu', huawei_access_key='AK', huawei_secret_key='SK',
                                   huawei_project_id='p1', path='/v3/{project_id}/cas/applications/{app}/components/{comp}',
                                   path_params={'app': 'a/1', 'comp': 'c'}), capsys)
    assert code == 0 and network.calls[0]['url'] == 'http://emu/v3/p1/cas/applications/a%2F1/components/c'


def test_platform_errors_fail_with_code_message_and_request_id_and_no_secret(network, capsys):
    network.script.append(FakeResponse(400, {'Code': 'SignatureDoesNotMatch', 'Message': 'bad signature alibaba-SECRET', 'RequestId': 'R-9'}))
    code, result, output = run(dict(ALIBABA, path='/pop/v1/x', api_action='X'), capsys)
    assert code == 1 and result['failed'] is True
    assert result['error']['code'] == 'SignatureDoesNotMatch' and result['error']['request_id'] == 'R-9' and result['error']['status'] == 400
    assert 'SignatureDoesNotMatch' in result['msg'] and 'R-9' in result['msg']
    assert 'alibaba-SECRET' not in output and 'Traceback' not in output


@pytest.mark.parametrize('args,message', [
    (dict(path='pop/v1/x', api_action='X'), 'path must start with'),
    (dict(path='/pop/../x', api_action='X'), 'path must start with'),
    (dict(path='/pop/x?a=1', api_action='X'), 'path must start with'),
    (dict(path='/pop/v1/x'), 'needs api_action'),
    (dict(path='/pop/{id}', api_action='X'), 'missing value for path parameter'),
    (dict(path='/pop/{id}', api_action='X', path_params={'id': '..'}), "must not be '..'"),
    (dict(path='/pop/{id}', api_action='X', path_params={'id': 'a', 'other': 'b'}), 'not used by path: other'),
    (dict(path='/pop/x', api_action='X', headers={'Authorization': 'x'}), 'may not set authentication'),
    (dict(path='/pop/x', api_action='X', method='POST', body=5), 'body must be'),
])
def test_bad_input_is_refused_before_anything_is_sent(network, capsys, args, message):
    code, result, dummy = run(dict(ALIBABA, **args), capsys)
    assert code == 1 and message in result['msg'] and network.calls == []


def test_missing_credentials_are_named(network, capsys, monkeypatch):
    for name in ('HUAWEICLOUD_SDK_AK', 'HW_ACCESS_KEY', 'HUAWEICLOUD_SDK_SK', 'HW_SECRET_KEY', 'HUAWEICLOUD_SDK_AUTH_TOKEN', 'HW_AUTH_TOKEN',
                 'HUAWEICLOUD_SDK_PASSWORD', 'HW_PASSWORD', 'HUAWEICLOUD_SDK_USER_NAME', 'HW_USER_NAME'):
        monkeypatch.delenv(name, raising=False)
    code, result, dummy = run(dict(platform='servicestage', endpoint='http://emu', path='/v3/x'), capsys)
    assert code == 1 and 'servicestage needs credentials' in result['msg'] and network.calls == []


def test_credentials_from_the_environment(network, capsys, monkeypatch):
    monkeypatch.setenv('RAINBOND_URL', 'http://console:7070')
    monkeypatch.setenv('RAINBOND_TOKEN', 'env-token')
    network.script.append(FakeResponse(200, []))
    code, result, output = run(dict(platform='rainbond', path='/openapi/v1/teams'), capsys)
    assert code == 0 and network.calls[0]['url'] == 'http://console:7070/openapi/v1/teams'
    assert network.calls[0]['headers']['Authorization'] == 'env-token' and 'env-token' not in output


def test_options_of_other_platforms_are_ignored(network, capsys):
    network.script.append(FakeResponse(200, []))
    code, dummy, dummy2 = run(dict(platform='rainbond', endpoint='http://rb', rainbond_token='t', path='/openapi/v1/teams',
                                   alibaba_access_key_id='unused', huawei_user_name='unused', huawei_region='cn-north-4'), capsys)
    assert code == 0 and network.calls[0]['headers']['Authorization'] == 't'


def test_missing_requests_library_is_reported(monkeypatch, capsys):
    monkeypatch.setattr('ansible_collections.paas.ops.plugins.module_utils._module.HAS_REQUESTS', False)
    code, result, dummy = run(dict(platform='rainbond', path='/x'), capsys)
    assert code == 1 and 'requests' in result['msg']
