# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every module that sends actions says ``changed: true`` once an action was sent, whether its job then failed or ran out of
time: real ``ansible`` runs against the emulator, on each platform, the emulator's action log showing the action went."""

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module

DEMO = demo_world()
HUAWEI, ALIBABA, RAINBOND = DEMO['huawei'], DEMO['alibaba'], DEMO['rainbond']
SS_APP, SS_WEB, SS_WEB_INSTANCE = HUAWEI['application_id'], HUAWEI['component_id'], HUAWEI['instance_id']
SAE_API, SAE_API_INSTANCE = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a02', 'api-5c8d7e6f4-d3e4f'
EDAS_ORDERS, EDAS_ECC = ALIBABA['edas_app_id'], 'e1c2c3c4-0000-4000-8000-000000000001'
RB_API = '7c2e9a1b4d5f4e6a8b9c0d1e2f3a4b5c'

CREDENTIALS = {
    'servicestage': dict(huawei_access_key=HUAWEI['access_key'], huawei_secret_key=HUAWEI['secret_key'], huawei_project_id=HUAWEI['project_id']),
    'sae': dict(alibaba_access_key_id=ALIBABA['access_key_id'], alibaba_access_key_secret=ALIBABA['access_key_secret'],
                alibaba_region_id=ALIBABA['region']),
    'rainbond': dict(rainbond_token=RAINBOND['token'], team_id=RAINBOND['team'], region_name=RAINBOND['region']),
}
CREDENTIALS['edas'] = CREDENTIALS['sae']

# (module, platform, its arguments, the unit the fault hits, the key of the per-target entries or None).
ACTIONS = [
    ('component_action', 'servicestage', dict(application_id=SS_APP, component_id=SS_WEB, action='restart'), SS_WEB, None),
    ('instance_action', 'servicestage', dict(application_id=SS_APP, component_id=SS_WEB, instance_ids=[SS_WEB_INSTANCE], action='restart'),
     SS_WEB, 'instances'),
    ('instance_action', 'sae', dict(application_id=SAE_API, instance_ids=[SAE_API_INSTANCE], action='restart'), SAE_API_INSTANCE, 'instances'),
    ('instance_action', 'edas', dict(application_id=EDAS_ORDERS, instance_ids=[EDAS_ECC], action='restart'), EDAS_ECC, 'instances'),
    ('app_operation', 'sae', dict(app_ids=[SAE_API], namespace_id='cn-hangzhou:demo', action='restart'), SAE_API_INSTANCE, 'applications'),
    ('app_operation', 'edas', dict(app_ids=[EDAS_ORDERS], ecc_ids=[EDAS_ECC], action='restart'), EDAS_ECC, 'instances'),
    ('app_operation', 'rainbond', dict(app_ids=['1'], component_names=['api'], action='upgrade'), RB_API, 'components'),
    ('batch_restart', 'servicestage', dict(application_id=SS_APP, targets=[SS_WEB]), SS_WEB, 'targets'),
    ('batch_restart', 'sae', dict(application_id=SAE_API, targets=[SAE_API_INSTANCE]), SAE_API_INSTANCE, 'targets'),
    ('batch_restart', 'edas', dict(application_id=EDAS_ORDERS, targets=[EDAS_ECC]), EDAS_ECC, 'targets'),
    ('batch_restart', 'rainbond', dict(application_name='shop', targets=[RB_API]), RB_API, 'targets'),
]


def run(emulator, module, platform, args, timeout):
    module_args = dict(platform=platform, endpoint=emulator.url, **dict(CREDENTIALS[platform], **args))
    module_args['batch_timeout' if module == 'batch_restart' else 'wait_timeout'] = timeout
    return run_module('paas.ops.' + module, module_args)


def assert_changed_after_sending(emulator, outcome, entries_key, unit, apps):
    result = outcome.adhoc_result()
    assert outcome.rc != 0, outcome.output
    # The action went: the platform accepted it (the emulator logged it) for the target the fault hit or its application.
    assert any(unit in entry['targets'] or set(entry['targets']) & set(apps) for entry in emulator.metrics()['actions']), emulator.metrics()['actions']
    assert result.get('changed') is True, result
    if entries_key:
        assert result[entries_key] and all(entry['changed'] is True for entry in result[entries_key]), result[entries_key]


@pytest.mark.parametrize('module,platform,args,unit,entries_key', ACTIONS, ids=['%s-%s' % (a[0], a[1]) for a in ACTIONS])
def test_changed_is_true_when_the_sent_action_failed(emu, module, platform, args, unit, entries_key):
    emu.add_fault(kind='job_fail', platform=platform, target=unit, message='readiness probe failed: HTTP 503')
    outcome = run(emu, module, platform, args, 60)
    assert 'readiness probe failed: HTTP 503' in outcome.adhoc_result()['msg'], outcome.output
    assert_changed_after_sending(emu, outcome, entries_key, unit, args.get('app_ids') or [args.get('application_id')])


@pytest.mark.parametrize('module,platform,args,unit,entries_key', ACTIONS, ids=['%s-%s' % (a[0], a[1]) for a in ACTIONS])
def test_changed_is_true_when_the_sent_action_ran_out_of_time(emu, module, platform, args, unit, entries_key):
    # Jobs of a normal length (20 s for a restart), two seconds to wait for them.
    emu.settings(time_factor=1.0)
    outcome = run(emu, module, platform, args, 2)
    message = outcome.adhoc_result()['msg']
    assert 'within' in message or 'timed out' in message or 'timeout' in message, outcome.output
    assert_changed_after_sending(emu, outcome, entries_key, unit, args.get('app_ids') or [args.get('application_id')])


def test_an_sae_order_that_fails_in_its_first_batch_leaves_the_second_batch_untouched_not_failed(emu):
    # api's orders run in two batches: the first two instances, then the third; the first fails, the order stops there.
    instances = ['api-5c8d7e6f4-a1b2c', 'api-5c8d7e6f4-d3e4f', 'api-5c8d7e6f4-g5h6j']
    emu.add_fault(kind='job_fail', platform='sae', target=instances[0], message='readiness probe failed: HTTP 503')
    outcome = run(emu, 'batch_restart', 'sae', dict(application_id=SAE_API, targets=instances), 60)
    result = outcome.adhoc_result()
    assert outcome.rc != 0, outcome.output
    assert [(entry['id'], entry['outcome']) for entry in result['targets']] == [
        (instances[0], 'failed'), (instances[1], 'restarted'), (instances[2], 'untouched')], result['targets']
    assert result['targets'][0]['msg'] == 'readiness probe failed: HTTP 503'
    assert result['untouched_targets'] == [instances[2]] and result['restarted'] == [instances[1]]
    assert len(result['order_messages']) == 1 and result['msg'].count('readiness probe failed: HTTP 503') == 1, result['msg']
    assert emu.metrics()['restarts'] == dict((instance, 1) for instance in instances[:2])
