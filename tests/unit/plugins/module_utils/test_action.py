# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Idempotency decisions and predictions for every action (pure functions, no fakes needed)."""

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.plugins.module_utils._action import ACTIONS, action_parameters, decide, predict
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._servicestage import COMPONENT_ACTIONS, INSTANCE_ACTIONS


def view(state='running', raw=None, replica=2, version='1.2.0', paused=None, paused_version=None):
    return dict(label='component web', state=state, raw_state=raw or state.upper(), replica=replica, version=version,
                paused_deployment=paused, paused_version=paused_version)


def test_every_platform_action_has_rules():
    assert set(COMPONENT_ACTIONS) == set(ACTIONS) and set(INSTANCE_ACTIONS) <= set(ACTIONS)


@pytest.mark.parametrize('action,current,parameters,needed', [
    ('start', view('running'), {}, False),
    ('start', view('stopped'), {}, True),
    ('start', view('failed'), {}, True),
    ('start', view('degraded'), {}, True),
    ('stop', view('stopped'), {}, False),
    ('stop', view('running'), {}, True),
    ('stop', view('failed'), {}, True),
    ('restart', view('running'), {}, True),
    ('restart', view('degraded'), {}, True),
    ('scale', view(replica=2), {'replica': 2}, False),
    ('scale', view(replica=2), {'replica': 3}, True),
    ('scale', view('stopped', replica=2), {'replica': 0}, True),
    ('rollback', view(version='1.2.0'), {'version': '1.2.0'}, False),
    ('rollback', view(version='1.2.0'), {'version': '1.1.0'}, True),
    ('rollback_current', view(), {}, True),
    ('continue_deploy', view('upgrading', paused='rolling'), {}, True),
    ('continue_deploy', view('upgrading', paused='gray'), {}, True),
    ('check_gray_release', view('upgrading', paused='gray'), {}, True),
    ('modify_gray_rule', view('upgrading', paused='gray'), {}, True),
])
def test_decisions(action, current, parameters, needed):
    assert decide(action, current, parameters, versions=['1.1.0', '1.2.0'])[0] is needed


@pytest.mark.parametrize('action,current,parameters,message', [
    ('restart', view('stopped'), {}, 'use action=start'),
    ('restart', view('not_deployed', raw='undeploy'), {}, 'a restart needs a running target'),
    ('scale', view(), {'replica': -1}, 'replica must be 0 or more'),
    ('rollback', view(), {'version': '9.9'}, "no version '9.9' to roll back to; valid versions: 1.1.0, 1.2.0"),
    ('continue_deploy', view('running'), {}, 'needs a paused deployment'),
    ('check_gray_release', view('upgrading', paused='rolling'), {}, 'needs a paused gray release'),
    ('modify_gray_rule', view('running'), {}, 'needs a paused gray release'),
    ('restart', view('upgrading', paused='gray'), {}, 'has a gray deployment paused between batches; finish it first (continue_deploy or check_gray_release)'),
    ('stop', view('upgrading', paused='rolling'), {}, 'has a rolling deployment paused between batches; finish it first (continue_deploy) before stop'),
])
def test_refusals_before_sending(action, current, parameters, message):
    with pytest.raises(PaasInputError, match=message.replace('(', r'\(').replace(')', r'\)')):
        decide(action, current, parameters, versions=['1.1.0', '1.2.0'])


def test_rollback_to_the_current_version_is_fine_even_if_unlisted():
    assert decide('rollback', view(version='1.2.0'), {'version': '1.2.0'}, versions=[])[0] is False


@pytest.mark.parametrize('action,current,parameters,expected', [
    ('start', view('stopped'), {}, dict(state='running', replica=2, version='1.2.0')),
    ('stop', view('running'), {}, dict(state='stopped', replica=2, version='1.2.0')),
    ('restart', view('running'), {}, dict(state='running', replica=2, version='1.2.0')),
    ('scale', view(replica=2), {'replica': 5}, dict(state='running', replica=5, version='1.2.0')),
    ('rollback', view(), {'version': '1.1.0'}, dict(state='running', replica=2, version='1.1.0')),
    ('rollback_current', view(version='1.2.0'), {}, dict(state='running', replica=2, version='1.1.0')),
    ('continue_deploy', view('upgrading', paused='rolling', paused_version='1.3.0'), {}, dict(state='running', replica=2, version='1.3.0')),
    ('modify_gray_rule', view('upgrading', paused='gray'), {}, dict(state='upgrading', replica=2, version='1.2.0')),
])
def test_predictions(action, current, parameters, expected):
    after = predict(action, current, parameters, versions=['1.1.0', '1.2.0'])
    assert dict((key, after[key]) for key in expected) == expected


@pytest.mark.parametrize('action,expected,warning', [
    ('scale', {'replica': 3, 'hosts': ['ecs-1']}, 'version ignored: action scale takes replica, hosts'),
    ('rollback', {'version': '1.1.0'}, 'replica, hosts ignored: action rollback takes version'),
    ('restart', {}, 'replica, hosts, version ignored: action restart takes no parameters'),
])
def test_only_the_parameters_an_action_takes_are_sent(action, expected, warning):
    warnings = []
    params = dict(action=action, replica=3, hosts=['ecs-1'], version='1.1.0')
    assert action_parameters(params, warnings.append) == expected
    assert warnings == [warning]


def test_no_warning_without_extra_parameters():
    warnings = []
    assert action_parameters(dict(action='start', replica=None, hosts=None, version=None), warnings.append) == {}
    assert warnings == []
