# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""app_operation and instance_info on SAE and EDAS as far as the emulator's read APIs reach: real ansible
processes over HTTP; the admin API shows that nothing was changed."""

from __future__ import annotations

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module

ALIBABA = demo_world()['alibaba']
NAMESPACE = 'cn-hangzhou:demo'
WEB, API, WORKER, BATCH = ('6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a0%d' % n for n in (1, 2, 3, 4))
ORDERS = ALIBABA['edas_app_id']
KEY = dict(alibaba_access_key_id=ALIBABA['access_key_id'], alibaba_access_key_secret=ALIBABA['access_key_secret'],
           alibaba_region_id=ALIBABA['region'])


def sae_check(emulator, args):
    run = run_module('paas.ops.app_operation', dict(platform='sae', namespace_id=NAMESPACE, endpoint=emulator.url, **dict(KEY, **args)),
                     args=['--check', '--diff'])
    assert run.rc == 0, run.output
    return run


def test_sae_check_mode_predicts_per_application_and_sends_nothing(emulator_clean):
    run = sae_check(emulator_clean, dict(app_names=['batch', 'web'], action='start'))
    result = run.adhoc_result()
    assert result['changed'] is True and result['change_order_ids'] == []
    assert [(app['id'], app['changed'], app['reason']) for app in result['applications']] == [
        (BATCH, True, 'target is stopped'), (WEB, False, 'already running')]
    assert result['applications'][0]['after']['state'] == 'running'
    assert '-        "state": "stopped"' in run.stdout and '+        "state": "running"' in run.stdout

    scale = sae_check(emulator_clean, dict(app_ids=[WORKER], action='scale', replicas=5)).adhoc_result()
    assert scale['changed'] is True and scale['applications'][0]['before']['replica'] == 2 and scale['applications'][0]['after']['replica'] == 5
    same = sae_check(emulator_clean, dict(app_ids=[WORKER], action='scale', replicas=2)).adhoc_result()
    assert same['changed'] is False and same['applications'][0]['reason'] == 'already at 2 replicas'

    metrics = emulator_clean.metrics()
    assert [entry for entry in metrics['actions'] if entry.get('platform') == 'sae'] == []
    assert metrics['requests']['sae:ListApplications'] == 1


def test_sae_refusals_before_sending(emulator_clean):
    unknown = run_module('paas.ops.app_operation', dict(platform='sae', namespace_id=NAMESPACE, app_names=['nope'], action='stop',
                                                        endpoint=emulator_clean.url, **KEY))
    assert unknown.rc != 0 and "no single application named nope in namespace %s (known: api, batch, canary, gated, web, worker)" % NAMESPACE in unknown.adhoc_result()['msg']
    stopped = run_module('paas.ops.app_operation', dict(platform='sae', namespace_id=NAMESPACE, app_ids=[BATCH], action='restart',
                                                        endpoint=emulator_clean.url, **KEY))
    assert stopped.rc != 0 and 'use action=start' in stopped.adhoc_result()['msg']
    no_namespace = run_module('paas.ops.app_operation', dict(platform='sae', app_ids=[WEB], action='restart', endpoint=emulator_clean.url, **KEY))
    assert no_namespace.rc != 0 and 'namespace_id is required' in no_namespace.adhoc_result()['msg']
    assert [entry for entry in emulator_clean.metrics()['actions'] if entry.get('platform') == 'sae'] == []


def test_edas_eccs_are_listed_with_normalized_states(emulator_clean):
    run = run_module('paas.ops.instance_info', dict(platform='edas', application_id=ORDERS, endpoint=emulator_clean.url, **KEY))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['count'] == 4 and [ecc['state'] for ecc in result['instances']] == ['running', 'running', 'running', 'stopped']
    assert [ecc['raw_state'] for ecc in result['instances']] == [7, 7, 7, 1] and {ecc['kind'] for ecc in result['instances']} == {'ecc'}
    stopped = run_module('paas.ops.instance_info', dict(platform='edas', application_id=ORDERS, states=['stopped'], endpoint=emulator_clean.url, **KEY))
    assert [ecc['id'] for ecc in stopped.adhoc_result()['instances']] == ['e1c2c3c4-0000-4000-8000-000000000004']
