# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The checks every module shares, through each module's real exit path; only the network is faked (and must stay unused).

Bounds of timeouts and replica counts, options of another platform, and the validate_certs warning are one piece of code
(``_module.PaasModule``); these tests run it in every module of the group so that none is left out.
"""

from __future__ import annotations

import importlib
import json

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _http, _module
from ansible_collections.paas.ops.tests.unit.fakes import FakeSession

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

HUAWEI = dict(endpoint='http://emu:1', huawei_access_key='AK', huawei_secret_key='SK', huawei_project_id='p1')
ALIBABA = dict(endpoint='http://emu:1', alibaba_access_key_id='AK', alibaba_access_key_secret='S')
RAINBOND = dict(endpoint='http://emu:1', rainbond_token='rainbond-token-1', team_id='team', region_name='region')
# The smallest valid task of each module.
TASKS = {
    'api_request': dict(HUAWEI, platform='servicestage', path='/v3/p1/cas/applications'),
    'app_operation': dict(ALIBABA, platform='sae', namespace_id='cn-hangzhou:demo', app_ids=['a1'], action='restart'),
    'batch_restart': dict(HUAWEI, platform='servicestage', application_id='a1', targets=['c1']),
    'change_order_info': dict(HUAWEI, job_id='j1'),
    'component_action': dict(HUAWEI, application_id='a1', component_id='c1', action='restart'),
    'instance_action': dict(HUAWEI, application_id='a1', component_id='c1', instance_ids=['i1'], action='restart'),
    'instance_info': dict(HUAWEI, application_id='a1'),
}
WAITING = ('app_operation', 'change_order_info', 'component_action', 'instance_action')


@pytest.fixture
def network(monkeypatch):
    session = FakeSession()
    monkeypatch.setattr(_http.requests, 'Session', lambda: session)
    return session


def run(module_name, args, capsys):
    module = importlib.import_module('ansible_collections.paas.ops.plugins.modules.%s' % module_name)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as caught:
            module.main()
    return caught.value.code, json.loads(capsys.readouterr().out)


def refused(module_name, args, capsys, network):
    code, result = run(module_name, args, capsys)
    assert code == 1 and network.calls == [], result
    assert result['error']['type'] == 'PaasInputError' and 'exception' not in result, result
    return result['msg']


@pytest.mark.parametrize('module_name', sorted(TASKS))
@pytest.mark.parametrize('timeout', [-1, 0, float('nan')])
def test_a_timeout_of_zero_or_less_is_refused_before_sending(module_name, timeout, capsys, network):
    """-1 ended in a ValueError traceback from requests; 0 silently became 30."""
    assert refused(module_name, dict(TASKS[module_name], timeout=timeout), capsys, network).startswith(
        'timeout must be more than 0 (seconds to wait for each HTTP response), got ')


@pytest.mark.parametrize('module_name', WAITING)
@pytest.mark.parametrize('wait_timeout', [-5, 0])
def test_a_wait_timeout_below_one_is_refused_before_sending(module_name, wait_timeout, capsys, network):
    """-5 sent the action and then reported a timeout."""
    assert refused(module_name, dict(TASKS[module_name], wait_timeout=wait_timeout, wait=False), capsys, network) == (
        'wait_timeout must be at least 1 (seconds to wait for the job; to not wait at all, set wait=false), got %d' % wait_timeout)


def test_batch_timeout_and_retries_are_bounded_too(capsys, network):
    assert 'batch_timeout must be at least 1' in refused('batch_restart', dict(TASKS['batch_restart'], batch_timeout=0), capsys, network)
    assert 'retries must be at least 0' in refused('instance_info', dict(TASKS['instance_info'], retries=-1), capsys, network)


@pytest.mark.parametrize('module_name', ['instance_info', 'batch_restart', 'api_request'])
def test_an_ignored_group_option_is_accepted_and_not_checked(module_name, capsys, network):
    """wait_timeout means nothing to these modules: a group default of any value must not fail them (here: no network answer)."""
    code, result = run(module_name, dict(TASKS[module_name], wait_timeout=0, wait=False, retries=0), capsys)
    assert 'Unsupported parameters' not in result['msg'] and 'wait_timeout' not in result['msg']
    assert network.calls  # it went on to call the platform


@pytest.mark.parametrize('module_name,args,message', [
    ('instance_action', dict(ALIBABA, platform='edas', application_id='a1', component_name='web', instance_ids=['e1'], action='restart'),
     'component_name: not options of platform=edas (component_name is for servicestage)'),
    ('instance_action', dict(ALIBABA, platform='sae', application_id='a1', instance_ids=['i1'], action='restart', version='1.0'),
     'version: not options of platform=sae (version is for servicestage)'),
    ('instance_info', dict(ALIBABA, platform='sae', application_id='a1', component_id='c1'), 'component_id: not options of platform=sae'),
    ('instance_info', dict(RAINBOND, platform='rainbond', application_id='1', component_name='web'), 'component_name: not options of platform=rainbond'),
    ('instance_info', dict(HUAWEI, platform='servicestage', application_id='a1', namespace_id='cn-hangzhou:demo'),
     'namespace_id: not options of platform=servicestage (namespace_id is for sae)'),
    ('batch_restart', dict(ALIBABA, platform='edas', application_id='a1', targets=['e1'], component_id='c1'), 'component_id: not options of platform=edas'),
    ('app_operation', dict(RAINBOND, platform='rainbond', app_ids=['1'], action='start', namespace_id='cn-hangzhou:demo'),
     'namespace_id: not options of platform=rainbond'),
    ('app_operation', dict(ALIBABA, platform='edas', app_ids=['a1'], action='restart', replicas=3), 'replicas: not options of platform=edas'),
    ('change_order_info', dict(HUAWEI, application_id='a1'), 'application_id: not options of platform=servicestage (application_id is for sae, edas)'),
    ('change_order_info', dict(ALIBABA, platform='sae', job_id='j1', servicestage_api='v2'), 'servicestage_api: not options of platform=sae'),
    ('api_request', dict(RAINBOND, platform='rainbond', path='/openapi/v1/teams', api_version='2019-05-06'), 'api_version: not options of platform=rainbond'),
])
def test_an_option_of_another_platform_is_refused_the_same_way_by_every_module(module_name, args, message, capsys, network):
    assert refused(module_name, args, capsys, network).startswith(message)


@pytest.mark.parametrize('module_name,args,message', [
    ('component_action', dict(TASKS['component_action'], action='scale', replica=10 ** 9), 'replica: platform=servicestage scales to 0 to 1000 instances'),
    ('instance_action', dict(TASKS['instance_action'], action='scale', replica=1001), 'replica: platform=servicestage scales to 0 to 1000 instances'),
    ('app_operation', dict(TASKS['app_operation'], action='scale', replicas=10 ** 9), 'replicas: platform=sae scales to 0 to 1000 instances, got 1000000000'),
    ('app_operation', dict(RAINBOND, platform='rainbond', app_ids=['1'], action='scale', replicas=101),
     'replicas: platform=rainbond scales to 1 to 100 instances'),
])
def test_a_replica_count_out_of_the_platform_range_is_refused_before_sending(module_name, args, message, capsys, network):
    assert refused(module_name, args, capsys, network).startswith(message)


@pytest.fixture
def warned(monkeypatch):
    """What the module warns, recorded as it warns: the result's own list is process-wide state of ansible-core here."""
    messages = []
    original = _module.AnsibleModule.warn

    def warn(self, warning):
        messages.append(warning)
        return original(self, warning)

    monkeypatch.setattr(_module.AnsibleModule, 'warn', warn)
    return messages


@pytest.mark.parametrize('module_name', sorted(TASKS))
def test_validate_certs_false_warns_in_every_module(module_name, capsys, network, warned):
    # Any outcome carries the warning; the fake network answers nothing, so here it is a failure.
    run(module_name, dict(TASKS[module_name], validate_certs=False, retries=0), capsys)
    assert [message for message in warned if 'validate_certs' in message] == [
        "validate_certs=false: the TLS certificate of the server is not verified, so anyone on the network path can read or alter the "
        "requests, credentials included; use it only against a test server you control, or give the server's CA with ca_path instead"]
    del warned[:]
    run(module_name, dict(TASKS[module_name], retries=0), capsys)
    assert not [message for message in warned if 'validate_certs' in message]
