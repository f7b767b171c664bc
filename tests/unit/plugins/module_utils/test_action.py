# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Idempotency decisions and predictions for every action, and how an unknown outcome is settled (pure functions, no fakes needed)."""

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.plugins.module_utils._action import ACTIONS, action_parameters, decide, predict
from ansible_collections.paas.ops.plugins.module_utils._retry import send_action
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError, PaasOutcomeUnknownError, PaasTransportError
from ansible_collections.paas.ops.plugins.module_utils._rainbond import ACTIONS as RAINBOND_ACTIONS
from ansible_collections.paas.ops.plugins.module_utils._servicestage import COMPONENT_ACTIONS, INSTANCE_ACTIONS


def view(state='running', raw=None, replica=2, version='1.2.0', paused=None, paused_version=None):
    return dict(label='component web', state=state, raw_state=raw or state.upper(), replica=replica, version=version,
                paused_deployment=paused, paused_version=paused_version)


def test_every_platform_action_has_rules():
    assert set(COMPONENT_ACTIONS) | set(RAINBOND_ACTIONS) == set(ACTIONS) and set(INSTANCE_ACTIONS) <= set(ACTIONS)


# One case per action and state a target can be in, with the reason the task reports.
@pytest.mark.parametrize('action,current,parameters,needed,reason', [
    ('start', view('running'), {}, False, 'already running'),
    ('upgrade', view('running'), {}, True, 'upgrade always acts'),
    ('deploy', view('stopped'), {}, True, 'deploy always acts'),
    ('start', view('stopped'), {}, True, 'target is stopped'),
    ('start', view('not_deployed'), {}, True, 'target is not_deployed'),
    ('start', view('failed'), {}, True, 'target is failed'),
    ('start', view('degraded'), {}, True, 'target is degraded'),
    ('start', view('unknown'), {}, True, 'target is unknown'),
    ('start', view('starting'), {}, True, 'target is starting'),
    ('stop', view('stopped'), {}, False, 'already stopped'),
    ('stop', view('running'), {}, True, 'target is running'),
    ('stop', view('not_deployed'), {}, True, 'target is not_deployed'),
    ('stop', view('failed'), {}, True, 'target is failed'),
    ('stop', view('degraded'), {}, True, 'target is degraded'),
    ('stop', view('unknown'), {}, True, 'target is unknown'),
    ('restart', view('running'), {}, True, 'restart always acts'),
    ('restart', view('failed'), {}, True, 'restart always acts'),
    ('restart', view('degraded'), {}, True, 'restart always acts'),
    ('restart', view('unknown'), {}, True, 'restart always acts'),
    ('restart', view('upgrading'), {}, True, 'restart always acts'),
    ('scale', view(replica=2), {'replica': 2}, False, 'already at 2 replicas'),
    ('scale', view(replica=2), {'replica': 3}, True, 'replicas 2 -> 3'),
    ('scale', view(replica=2), {'replica': 0}, True, 'replicas 2 -> 0'),
    ('scale', view('stopped', replica=2), {'replica': 0}, True, 'replicas 2 -> 0'),
    ('scale', view('stopped', replica=0), {'replica': 0}, False, 'already at 0 replicas'),
    ('scale', view('failed', replica=2), {'replica': 2}, False, 'already at 2 replicas'),
    ('scale', view('unknown', replica=None), {'replica': 2}, True, 'replicas None -> 2'),
    ('rollback', view(version='1.2.0'), {'version': '1.2.0'}, False, 'version 1.2.0 already deployed'),
    ('rollback', view(version='1.2.0'), {'version': '1.1.0'}, True, 'version 1.2.0 -> 1.1.0'),
    ('rollback', view('stopped', version='1.2.0'), {'version': '1.1.0'}, True, 'version 1.2.0 -> 1.1.0'),
    ('rollback', view('failed', version='1.2.0'), {'version': '1.2.0'}, False, 'version 1.2.0 already deployed'),
    ('rollback', view(version=None), {'version': '1.2.0'}, True, 'version None -> 1.2.0'),
    ('rollback_current', view(), {}, True, 'rollback_current always acts'),
    ('rollback_current', view('failed'), {}, True, 'rollback_current always acts'),
    ('rollback_current', view('stopped'), {}, True, 'rollback_current always acts'),
    ('continue_deploy', view('upgrading', paused='rolling'), {}, True, 'resumes the rolling deployment'),
    ('continue_deploy', view('upgrading', paused='gray'), {}, True, 'resumes the gray deployment'),
    ('check_gray_release', view('upgrading', paused='gray'), {}, True, 'resumes the gray deployment'),
    ('modify_gray_rule', view('upgrading', paused='gray'), {}, True, 'resumes the gray deployment'),
])
def test_decisions(action, current, parameters, needed, reason):
    assert decide(action, current, parameters, versions=['1.1.0', '1.2.0']) == (needed, reason)


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
    given = dict(replica=3, hosts=['ecs-1'], version='1.1.0')
    assert action_parameters(action, given, warnings.append) == expected
    assert warnings == [warning]


def test_no_warning_without_extra_parameters():
    warnings = []
    assert action_parameters('start', dict(replica=None, hosts=None, version=None), warnings.append) == {}
    assert warnings == []


NOT_PAUSED = ('start', 'stop', 'restart', 'scale', 'rollback', 'rollback_current')
PARAMETERS = {'scale': {'replica': 3}, 'rollback': {'version': '1.1.0'}}


@pytest.mark.parametrize('action', NOT_PAUSED)
@pytest.mark.parametrize('paused,advice', [('rolling', 'continue_deploy'), ('gray', 'continue_deploy or check_gray_release')])
def test_a_paused_deployment_refuses_every_other_action(action, paused, advice):
    """Another action between two batches would collide with the paused deployment, whatever the parameters."""
    current = view('upgrading', paused=paused)
    with pytest.raises(PaasInputError) as caught:
        decide(action, current, PARAMETERS.get(action, {}), versions=['1.1.0', '1.2.0'])
    assert caught.value.msg == ('component web has a %s deployment paused between batches; finish it first (%s) before %s'
                                % (paused, advice, action))


@pytest.mark.parametrize('action', NOT_PAUSED)
def test_a_paused_deployment_is_refused_even_when_nothing_would_change(action):
    """Idempotency does not hide the paused deployment: the refusal comes before the 'already done' answer."""
    parameters = {'scale': {'replica': 2}, 'rollback': {'version': '1.2.0'}}.get(action, {})
    with pytest.raises(PaasInputError, match='paused between batches'):
        decide(action, view('running', paused='rolling'), parameters, versions=['1.2.0'])


@pytest.mark.parametrize('state,raw', [('stopped', 'STOPPED'), ('not_deployed', 'undeploy'), ('deleting', 'DELETING'), ('deleted', 'DELETED')])
def test_restart_refuses_what_does_not_run_naming_the_raw_state(state, raw):
    with pytest.raises(PaasInputError) as caught:
        decide('restart', view(state, raw=raw), {})
    assert caught.value.msg == 'component web is %s: a restart needs a running target; use action=start' % raw


@pytest.mark.parametrize('replica', [-1, -10])
def test_scale_refuses_negative_replicas_even_when_equal(replica):
    with pytest.raises(PaasInputError) as caught:
        decide('scale', view(replica=replica), {'replica': replica})
    assert caught.value.msg == 'replica must be 0 or more, got %s' % replica


@pytest.mark.parametrize('versions,listed', [
    (['1.0.0', '1.1.0', '1.2.0'], '1.0.0, 1.1.0, 1.2.0'),
    (['1.1.0', '1.0.0', '1.1.0', '1.2.0', '1.0.0'], '1.1.0, 1.0.0, 1.2.0'),
    ([], 'none'),
])
def test_rollback_to_an_unknown_version_lists_the_valid_ones_in_order(versions, listed):
    """The message lists each version once, in the order the platform gave (oldest first), so the user can pick one."""
    with pytest.raises(PaasInputError) as caught:
        decide('rollback', view(version='1.2.0'), {'version': '9.9'}, versions=versions)
    assert caught.value.msg == "component web has no version '9.9' to roll back to; valid versions: %s" % listed


def test_rollback_without_a_version_list_trusts_the_platform_to_refuse():
    """None means the adapter cannot list versions: the decision cannot refuse what it cannot check."""
    assert decide('rollback', view(version='1.2.0'), {'version': '9.9'}, versions=None) == (True, 'version 1.2.0 -> 9.9')


@pytest.mark.parametrize('action,kind', [
    ('continue_deploy', 'a paused deployment'), ('check_gray_release', 'a paused gray release'), ('modify_gray_rule', 'a paused gray release'),
])
@pytest.mark.parametrize('state', ['running', 'stopped', 'not_deployed', 'failed', 'degraded', 'unknown', 'upgrading'])
def test_resuming_actions_need_a_paused_deployment(action, kind, state):
    with pytest.raises(PaasInputError) as caught:
        decide(action, view(state), {})
    assert caught.value.msg == '%s needs %s, but component web has none (status %s)' % (action, kind, state.upper())


@pytest.mark.parametrize('action', ['check_gray_release', 'modify_gray_rule'])
def test_gray_actions_refuse_a_paused_rolling_deployment(action):
    with pytest.raises(PaasInputError) as caught:
        decide(action, view('upgrading', raw='UPGRADING', paused='rolling'), {})
    assert caught.value.msg == '%s needs a paused gray release, but component web has none (status UPGRADING)' % action


# The full summary each action predicts: raw_state is unknown (None) after a state change, the rest is carried over.
@pytest.mark.parametrize('action,current,parameters,versions,expected', [
    ('start', view('stopped'), {}, None, dict(state='running', raw_state=None, replica=2, version='1.2.0')),
    ('start', view('failed', raw='DOWN'), {}, None, dict(state='running', raw_state=None, replica=2, version='1.2.0')),
    ('stop', view('running'), {}, None, dict(state='stopped', raw_state=None, replica=2, version='1.2.0')),
    ('stop', view('degraded'), {}, None, dict(state='stopped', raw_state=None, replica=2, version='1.2.0')),
    ('restart', view('failed'), {}, None, dict(state='running', raw_state=None, replica=2, version='1.2.0')),
    ('scale', view('stopped', replica=2), {'replica': 0}, None, dict(state='running', raw_state=None, replica=0, version='1.2.0')),
    ('rollback', view(version=None), {'version': '1.1.0'}, ['1.1.0'], dict(state='running', raw_state=None, replica=2, version='1.1.0')),
    ('rollback_current', view(version='1.2.0'), {}, ['1.0.0', '1.1.0', '1.2.0'], dict(state='running', raw_state=None, replica=2, version='1.1.0')),
    ('rollback_current', view(version='1.2.0'), {}, ['1.2.0'], dict(state='running', raw_state=None, replica=2, version='1.2.0')),
    ('rollback_current', view(version='1.2.0'), {}, None, dict(state='running', raw_state=None, replica=2, version='1.2.0')),
    ('continue_deploy', view('upgrading', paused='gray', paused_version='1.3.0'), {}, None,
     dict(state='running', raw_state=None, replica=2, version='1.3.0')),
    ('continue_deploy', view('upgrading', paused='rolling'), {}, None, dict(state='running', raw_state=None, replica=2, version='1.2.0')),
    ('check_gray_release', view('upgrading', paused='gray', paused_version='1.3.0'), {}, None,
     dict(state='running', raw_state=None, replica=2, version='1.3.0')),
    ('modify_gray_rule', view('upgrading', paused='gray', paused_version='1.3.0'), {'replica': 1}, None,
     dict(state='upgrading', raw_state='UPGRADING', replica=2, version='1.2.0')),
])
def test_full_predictions(action, current, parameters, versions, expected):
    assert predict(action, current, parameters, versions) == expected


def test_predict_leaves_the_view_alone():
    """check mode reports before and after from the same read: predicting must not change the read."""
    current = view('stopped', replica=2)
    predict('scale', current, {'replica': 4})
    assert current == view('stopped', replica=2)


# -- settling an unknown outcome: the marker read before and after ---------------------------------------

def unknown(reason='ConnectionError: Connection reset by peer', status=None, under_way=False):
    return PaasOutcomeUnknownError('sae', 'RestartInstances', reason, status=status, request_id='r-1' if status else None, under_way=under_way)


class Platform:
    """What the network answers in turn (a value or an error) and what the marker reads in turn: a stand-in for the wire."""

    def __init__(self, answers, markers):
        self.answers = list(answers)
        self.markers = list(markers)
        self.sent = 0
        self.read = 0

    def send(self):
        self.sent += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def marker(self):
        self.read += 1
        marker = self.markers.pop(0)
        if isinstance(marker, Exception):
            raise marker
        return marker


def settle(platform, before='co-0'):
    return send_action(platform.send, platform.marker, before, 'new change order of application a1')


def test_the_straight_path_sends_once_and_reads_nothing():
    platform = Platform(['co-1'], [])
    assert settle(platform) == 'co-1' and (platform.sent, platform.read) == (1, 0)


@pytest.mark.parametrize('before,after', [('co-0', 'co-1'), (None, 'co-1')])
def test_a_moved_marker_is_the_job_adopted_without_sending_again(before, after):
    platform = Platform([unknown()], [after])
    assert settle(platform, before) == after and (platform.sent, platform.read) == (1, 1)


@pytest.mark.parametrize('before', ['co-0', None])
def test_an_unmoved_marker_sends_once_more(before):
    platform = Platform([unknown('HTTP 503 503: service unavailable', status=503), 'co-2'], [before])
    assert settle(platform, before) == 'co-2' and (platform.sent, platform.read) == (2, 1)


def test_the_second_attempt_may_be_the_one_adopted():
    platform = Platform([unknown(status=503), unknown()], ['co-0', 'co-9'])
    assert settle(platform) == 'co-9' and (platform.sent, platform.read) == (2, 2)


def test_two_unknown_outcomes_without_a_new_marker_raise_the_last_clearly():
    platform = Platform([unknown('HTTP 503 503: busy', status=503), unknown('HTTP 500 InternalError: oops', status=500)], ['co-0', 'co-0'])
    with pytest.raises(PaasOutcomeUnknownError) as caught:
        settle(platform)
    assert caught.value.msg == ('sae: the outcome of RestartInstances is unknown (HTTP 500 InternalError: oops): it was sent twice and neither '
                                'attempt shows a new change order of application a1; read the current state before trying again (request id r-1)')
    assert (platform.sent, platform.read) == (2, 2) and caught.value.status == 500


def test_a_timeout_without_a_new_marker_is_not_sent_again():
    platform = Platform([unknown('ReadTimeout: read timed out', under_way=True)], ['co-0'])
    with pytest.raises(PaasOutcomeUnknownError, match='it may still be under way \\(no new change order of application a1 yet\\); it was not re-sent'):
        settle(platform)
    assert platform.sent == 1


def test_a_timeout_with_a_new_marker_is_adopted():
    platform = Platform([unknown('ReadTimeout: read timed out', under_way=True)], ['co-1'])
    assert settle(platform) == 'co-1' and platform.sent == 1


def test_a_marker_that_cannot_be_read_settles_nothing():
    platform = Platform([unknown()], [PaasTransportError('sae', 'DescribeApplicationStatus', 'connection refused')])
    with pytest.raises(PaasOutcomeUnknownError, match='reading the state to settle it failed \\(sae: could not reach the API for '
                                                      'DescribeApplicationStatus: connection refused\\); it was not re-sent'):
        settle(platform)
    assert platform.sent == 1


def test_other_errors_are_not_settled():
    platform = Platform([PaasInputError('refused')], [])
    with pytest.raises(PaasInputError):
        settle(platform)
    assert (platform.sent, platform.read) == (1, 0)


def test_a_timeout_on_the_second_attempt_says_it_was_sent_twice():
    platform = Platform([unknown(status=503), unknown('ReadTimeout: read timed out', under_way=True)], ['co-0', 'co-0'])
    with pytest.raises(PaasOutcomeUnknownError, match='it may still be under way \\(no new change order of application a1 yet\\); it was sent twice'):
        settle(platform)
    assert platform.sent == 2
