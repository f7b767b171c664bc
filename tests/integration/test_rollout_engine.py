# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""paas.ops.rollout beyond one application, as the emulator sees it: applications side by side, a failure that stops the
others after the batch they are in, the failure policy counted per application or over the run, check mode and diff per
application, the path that runs each batch as a module on the task's host, and one SAE call budget across namespaces."""

from __future__ import annotations

import json
import os
import re

import yaml

from ansible_collections.paas.ops.tests.integration.ansible_cli import run_playbook
from ansible_collections.paas.ops.tests.integration.rolling_world import COMPONENTS, MALL, MALL_RUNNING, SHOP, STOREFRONT, rollout
from ansible_collections.paas.ops.tests.emulator_fixtures import EMULATOR_DIR

SHOP_APP = dict(name='shop', platform='servicestage', application_id=SHOP)
MALL_APP = dict(name='mall', platform='rainbond', application_name='mall')
CONNECTION = {
    'endpoint': '{{ paas_endpoint }}',
    'alibaba_region_id': '{{ paas_demo.alibaba.region }}',
    'alibaba_access_key_id': '{{ paas_demo.alibaba.access_key_id }}',
    'alibaba_access_key_secret': '{{ paas_demo.alibaba.access_key_secret }}',
    'huawei_region': '{{ paas_demo.huawei.region }}',
    'huawei_access_key': '{{ paas_demo.huawei.access_key }}',
    'huawei_secret_key': '{{ paas_demo.huawei.secret_key }}',
    'rainbond_token': '{{ paas_demo.rainbond.token }}',
    'team_id': '{{ paas_demo.rainbond.team }}',
    'region_name': '{{ paas_demo.rainbond.region }}',
}


def engine(emulator, tmp_path, args=(), **task_args):
    """One paas.ops.rollout task with ``task_args`` in a real ansible-playbook run; the run and the task's result."""
    play = dict(name='Rollout', hosts='localhost', connection='local', gather_facts=False,
                module_defaults={'group/paas.ops.paas': CONNECTION},
                tasks=[{'name': 'Roll', 'paas.ops.rollout': task_args, 'register': 'rolled', 'ignore_errors': True},
                       {'name': 'Print the result for the test to read', 'ansible.builtin.debug': {'msg': 'ENGINE_RESULT={{ rolled | to_json }}'}}])
    playbook = tmp_path / 'rollout.yml'
    playbook.write_text(yaml.safe_dump([play]))
    run = run_playbook(str(playbook), dict(paas_endpoint=emulator.url), args=args)
    match = re.search(r'ENGINE_RESULT=(\{.*\})"', run.stdout)
    assert match, run.output
    return run, json.loads(match.group(1).replace('\\"', '"'))


def actions_of(emulator, targets):
    """The emulator's action log entries that name any of ``targets``."""
    return [entry for entry in emulator.metrics()['actions'] if set(entry['targets']) & set(targets)]


def test_two_applications_roll_side_by_side_each_with_its_own_plan_and_lines(fleet, tmp_path):
    run, rolled = engine(fleet, tmp_path, applications=[dict(SHOP_APP, batch_size=4, max_unavailable=4), dict(MALL_APP, batch_size=3)],
                         parallel_applications=2, pause_seconds=1)
    assert run.rc == 0 and not rolled.get('failed'), run.output
    assert fleet.metrics()['restarts'] == dict((target, 1) for target in COMPONENTS + MALL_RUNNING)
    # Side by side: each application's first action comes before the other's last one.
    shop, mall = [[entry['epoch'] for entry in actions_of(fleet, targets)] for targets in (COMPONENTS, MALL)]
    assert min(mall) < max(shop) and min(shop) < max(mall)
    # Each line names its application; each application has its own plan.
    assert re.search(r'^\[shop\] plan: 12 of 12 components in 3 batches \(4, 4, 4\), max_unavailable 4$', run.stdout, re.M), run.stdout
    assert re.search(r'^\[mall\] plan: 11 of 12 components in 4 batches \(3, 3, 3, 2\)$', run.stdout, re.M), run.stdout
    assert len(re.findall(r'^\[shop\] batch \d/3: done in ', run.stdout, re.M)) == 3
    assert len(re.findall(r'^\[mall\] batch \d/4: done in ', run.stdout, re.M)) == 4
    result = rolled['rolling_restart_result']
    rolled_apps = [(entry['name'], entry['platform'], len(entry['restarted'])) for entry in result['applications']]
    assert rolled_apps == [('shop', 'servicestage', 12), ('mall', 'rainbond', 11)]
    assert sorted(result['restarted']) == sorted(COMPONENTS + MALL_RUNNING) and result['stopped_early'] is False
    assert rolled['summary'].startswith('[shop] rolling restart done: 12 restarted') and '; [mall] rolling restart done: 11 restarted' in rolled['summary']
    assert rolled['ansible_stats']['data']['rolling_restart_restarted_after'] == result['marker']


def test_one_at_a_time_by_default(fleet, tmp_path):
    run, rolled = engine(fleet, tmp_path, applications=[dict(SHOP_APP, batch_size=6), dict(MALL_APP, batch_size=6)])
    assert run.rc == 0 and not rolled.get('failed'), run.output
    shop, mall = [[entry['epoch'] for entry in actions_of(fleet, targets)] for targets in (COMPONENTS, MALL)]
    assert max(shop) < min(mall)
    assert run.stdout.index('[shop] batch 2/2: done') < run.stdout.index('[mall] plan:')


def test_a_failing_application_stops_the_others_after_the_batch_they_are_in(fleet, tmp_path):
    fleet.add_fault(kind='job_fail', platform='rainbond', target=MALL[0], message='readiness probe failed: HTTP 503')
    # shop pauses between its batches: mall's first batch fails while shop is in its first batch or its pause.
    run, rolled = engine(fleet, tmp_path, applications=[dict(SHOP_APP, batch_size=4, pause_seconds=3), dict(MALL_APP, batch_size=3)],
                         parallel_applications=2)
    assert rolled['failed'] is True
    shop, mall = rolled['rolling_restart_result']['applications']
    assert [batch['index'] for batch in mall['batches']] == [1] and [entry['id'] for entry in mall['failed']] == [MALL[0]]
    # shop finished the batch it was in, then stopped: its later targets are untouched, and it says why.
    assert [batch['index'] for batch in shop['batches']] == [1] and shop['stopped_early'] is True
    assert sorted(shop['untouched']) == sorted(COMPONENTS[4:]) and sorted(shop['restarted']) == sorted(COMPONENTS[:4])
    assert '[shop] rolling restart stopped after batch 1 of 3 (mall stopped (1 failed))' in rolled['msg']
    assert '[mall] rolling restart stopped after batch 1 of 4: failed %s (' % MALL[0] in rolled['msg']
    assert 'rolling_restart' not in rolled['msg'] and 'run again with restarted_after=%s' % rolled['rolling_restart_result']['marker'] in rolled['msg']
    assert not actions_of(fleet, COMPONENTS[4:])


def _two_failing(fleet, tmp_path, scope):
    fleet.add_fault(kind='job_fail', platform='servicestage', target=COMPONENTS[0], message='readiness probe failed')
    fleet.add_fault(kind='job_fail', platform='rainbond', target=MALL[0], message='readiness probe failed')
    return engine(fleet, tmp_path, applications=[dict(SHOP_APP, batch_size=6), dict(MALL_APP, batch_size=3)], max_failed_targets=1,
                  failure_scope=scope)


def test_the_failure_policy_counts_per_application(fleet, tmp_path):
    run, rolled = _two_failing(fleet, tmp_path, 'application')
    # One failure each is within max_failed_targets 1 for each application: both roll to the end (and the task fails
    # with what failed).
    shop, mall = rolled['rolling_restart_result']['applications']
    assert (len(shop['batches']), len(mall['batches'])) == (2, 4) and not shop['stopped_early'] and not mall['stopped_early'], run.output
    assert rolled['failed'] is True and len(rolled['rolling_restart_result']['failed']) == 2


def test_the_failure_policy_counts_over_the_run(fleet, tmp_path):
    run, rolled = _two_failing(fleet, tmp_path, 'run')
    # shop's one failure is within the run's max_failed_targets 1; mall's makes two over the run: mall stops after that batch.
    shop, mall = rolled['rolling_restart_result']['applications']
    assert len(shop['batches']) == 2 and not shop['stopped_early'], run.output
    assert [batch['index'] for batch in mall['batches']] == [1] and mall['stopped_early'] is True
    assert '[mall] rolling restart stopped after batch 1 of 4' in rolled['msg']
    assert not actions_of(fleet, MALL[3:])


def test_check_mode_prints_every_plan_changes_nothing_and_diffs_per_application(fleet, tmp_path):
    run, rolled = engine(fleet, tmp_path, args=['--check', '--diff'], applications=[dict(SHOP_APP, batch_size=6), dict(MALL_APP, batch_size=4)],
                         parallel_applications=2)
    assert run.rc == 0 and not rolled.get('failed'), run.output
    assert fleet.metrics()['actions'] == [] and fleet.metrics()['restarts'] == {}
    assert re.search(r'^\[shop\] plan: 12 of 12 components in 2 batches \(6, 6\)$', run.stdout, re.M)
    assert re.search(r'^\[mall\] plan: 11 of 12 components in 3 batches \(4, 4, 3\)$', run.stdout, re.M)
    assert re.search(r'^\[shop\] batch 1/2: would restart ', run.stdout, re.M) and re.search(r'^\[mall\] batch 3/3: would restart ', run.stdout, re.M)
    assert '[shop] rolling restart planned: would restart 12, 0 skipped, in 2 batches' in rolled['summary']
    assert '[mall] rolling restart planned: would restart 11, 1 skipped, in 3 batches' in rolled['summary']
    assert rolled['changed'] is True
    # The diff: before and after per target, headed by its application.
    assert '--- before: shop\n+++ after: shop\n' in run.stdout and '--- before: mall\n+++ after: mall\n' in run.stdout
    assert len(rolled['diff']) == 2


def test_run_on_host_runs_the_listing_and_each_batch_as_modules_there(fleet, tmp_path):
    run, rolled = engine(fleet, tmp_path, args=['-vvv'], batch_size=4, run_on='host', **SHOP_APP)
    assert run.rc == 0 and not rolled.get('failed'), run.output
    assert fleet.metrics()['restarts'] == dict((target, 1) for target in COMPONENTS)
    # One module run for the listing and one per batch, shipped to the host as Ansible ships any module.
    assert len(re.findall(r'PUT .*AnsiballZ_instance_info\.py', run.stdout)) == 1
    assert len(re.findall(r'PUT .*AnsiballZ_batch_restart\.py', run.stdout)) == 3
    assert len(re.findall(r'^\[shop\] batch \d/3: done in ', run.stdout, re.M)) == 3
    assert sorted(rolled['rolling_restart_result']['restarted']) == sorted(COMPONENTS)


def test_in_process_by_default_on_the_controller(fleet, tmp_path):
    run, rolled = engine(fleet, tmp_path, args=['-vvv'], batch_size=4, **SHOP_APP)
    assert run.rc == 0 and not rolled.get('failed'), run.output
    assert 'AnsiballZ_' not in run.stdout and fleet.metrics()['restarts'] == dict((target, 1) for target in COMPONENTS)


NAMESPACES = 5
PER_NAMESPACE = 4


def sae_namespaces_world(path):
    """The fleet world (SAE's 60 calls a minute) with its applications spread over ``NAMESPACES`` namespaces of ``PER_NAMESPACE``."""
    with open(os.path.join(EMULATOR_DIR, 'worlds', 'fleet.yml')) as handle:
        world = yaml.safe_load(handle)
    apps = world['alibaba']['sae']['namespaces'][0]['applications'][:NAMESPACES * PER_NAMESPACE]
    world['alibaba']['sae']['namespaces'] = [dict(id='cn-hangzhou:ns%d' % number, name='ns%d' % number,
                                                  applications=apps[number * PER_NAMESPACE:(number + 1) * PER_NAMESPACE])
                                             for number in range(NAMESPACES)]
    path.write_text(yaml.safe_dump(world))
    return str(path), [app['id'] for app in apps]


def test_sae_namespaces_side_by_side_share_one_call_budget(emulator_factory, tmp_path):
    world, apps = sae_namespaces_world(tmp_path / 'namespaces.yml')
    emulator = emulator_factory(world=world, time_factor=0.05)
    run, rolled = engine(emulator, tmp_path, applications=[dict(platform='sae', namespace_id='cn-hangzhou:ns%d' % number) for number in range(NAMESPACES)],
                         batch_size=2, parallel_applications=10)
    metrics = emulator.metrics()
    assert run.rc == 0 and not rolled.get('failed'), run.output
    # More calls than SAE's 60 a minute, five namespaces at once, and not one refused: one budget for the account.
    assert metrics['requests_total'] > 60 and metrics['throttled_total'] == 0, metrics['requests']
    assert sorted(rolled['rolling_restart_result']['restarted']) == sorted(apps)
    assert [entry['name'] for entry in rolled['rolling_restart_result']['applications']] == ['cn-hangzhou:ns%d' % n for n in range(NAMESPACES)]


def test_bad_applications_are_refused_before_anything_is_sent(fleet, tmp_path):
    run, rolled = engine(fleet, tmp_path, applications=[dict(SHOP_APP), dict(SHOP_APP, batch_size=2)])
    assert rolled['failed'] is True and 'applications: shop named more than once; give each a distinct name' in rolled['msg']
    run, rolled = engine(fleet, tmp_path, applications=[dict(application_name='mall')])
    assert rolled['failed'] is True and rolled['msg'] == 'applications[1]: set platform (here or for the task)'
    run, rolled = engine(fleet, tmp_path, applications=[dict(SHOP_APP)], parallel_applications=0)
    assert rolled['failed'] is True and 'parallel_applications must be at least 1, got 0' in rolled['msg']
    assert fleet.metrics()['requests_total'] == 0


def test_the_role_rolls_many_applications_too(fleet):
    run, result = rollout(fleet, rolling_restart_applications=[dict(SHOP_APP, batch_size=6), dict(MALL_APP, batch_size=6)],
                          rolling_restart_parallel_applications=2, rolling_restart_failure_scope='run', rolling_restart_run_on='controller')
    assert run.rc == 0, run.output
    assert fleet.metrics()['restarts'] == dict((target, 1) for target in COMPONENTS + MALL_RUNNING)
    assert [entry['name'] for entry in result['applications']] == ['shop', 'mall']
    # The role's summary: one line per application.
    assert re.search(r'"msg": "\[shop\] rolling restart done: 12 restarted, 0 failed.*; \[mall\] rolling restart done: 11 restarted, 0 failed', run.stdout)


def test_the_role_labels_its_lines_with_rolling_restart_name(fleet):
    run, result = rollout(fleet, check=True, rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size=6,
                          rolling_restart_name='storefront')
    assert run.rc == 0, run.output
    assert re.search(r'^\[storefront\] plan: 12 of 12 instances in 2 batches \(6, 6\)$', run.stdout, re.M), run.stdout
    assert re.search(r'^\[storefront\] batch 1/2: would restart storefront-01, ', run.stdout, re.M)
    assert fleet.metrics()['actions'] == []
