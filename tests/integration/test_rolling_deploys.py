# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rolling deploys of a new version through the rolling_restart role and paas.ops.rollout, as real ansible-playbook runs
against the emulator: a canary and its promotion, a failing batch rolled back with later batches untouched (the emulator's
action log), and the resume that finishes the rest from the deployed versions alone."""

from __future__ import annotations

import yaml

from ansible_collections.paas.ops.tests.integration.rolling_world import ROLLING_WORLD, rollout

NAMESPACE = 'cn-hangzhou:deploys'
OLD, NEW = 'registry.example.com/shop/app:1.0.0', 'registry.example.com/shop/app:2.0.0'
APPS = ['de000000-0000-4000-8000-0000000000%02d' % n for n in range(1, 21)]
NAMES = ['tenant-%02d' % n for n in range(1, 21)]
PLAYBOOK = 'rolling_deploy.yml'
DEPLOY = dict(rolling_restart_platform='sae', rolling_restart_namespace_id=NAMESPACE, rolling_restart_name='tenants', rolling_restart_image=NEW,
              rolling_restart_batches=[1, 4], rolling_restart_max_unavailable=4, rolling_restart_promote_after=1,
              rolling_restart_rollback_on_failure='batch')


def deploys_world(tmp_path):
    """The rolling world with one more SAE namespace: 20 applications of 2 instances, each running OLD."""
    with open(ROLLING_WORLD, encoding='utf-8') as handle:
        world = yaml.safe_load(handle)
    applications = []
    for number, (app_id, name) in enumerate(zip(APPS, NAMES), 1):
        version = 've000000-0000-4000-8000-0000000000%02d' % number
        applications.append(dict(id=app_id, name=name, replicas=2, version_id=version, versions=[dict(id=version, type='image', image_url=OLD)],
                                 instances=[dict(id='%s-%d' % (name, index), ip='10.9.%d.%d' % (number, index + 10)) for index in range(2)]))
    world['alibaba']['sae']['namespaces'].append(dict(id=NAMESPACE, name='deploys', applications=applications))
    path = str(tmp_path / 'deploys.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(world, handle)
    return path


def images(emulator):
    """Each application's configured image, as DescribeApplicationConfig reads it (by name)."""
    found = {}
    for namespace in emulator.state()['world']['alibaba']['sae']['namespaces']:
        for app in namespace['applications']:
            if app['id'] in APPS:
                current = [version for version in app['versions'] if version['id'] == app['version_id']]
                found[app['name']] = current[0].get('image_url') if current else None
    return found


def deployed(emulator, operation='DeployApplication'):
    """The application (by name) each logged action of ``operation`` went to, in order (the log names its instances,
    ``<name>-<n>``)."""
    found = []
    for action in emulator.metrics()['actions']:
        if action['operation'] == operation:
            found += sorted(set(target.rsplit('-', 1)[0] for target in action.get('targets') or []))
    return found


def test_a_canary_its_promotion_a_failed_batch_rolled_back_and_the_resume(emulator_factory, tmp_path):
    emulator = emulator_factory(world=deploys_world(tmp_path), time_factor=0.02)

    # The canary: one application, then a pause for promotion.
    run, result = rollout(emulator, playbook=PLAYBOOK, **DEPLOY)
    assert run.rc == 0, run.output
    assert '[tenants] plan: 20 of 20 applications in 6 batches (1, 4, 4, 4, 4, 3), max_unavailable 4' in run.stdout
    assert '[tenants] batch 1/6: deploying tenant-01; 1 down of max 4' in run.stdout
    assert '[tenants] paused for promotion after batch 1/6' in run.stdout
    assert deployed(emulator) == ['tenant-01'] and result['deployed'] == [APPS[0]]
    assert images(emulator)['tenant-01'] == NEW and images(emulator)['tenant-02'] == OLD

    # The promotion, with one instance of tenant-08 failing its deploy: the batch it is in (the third of this run:
    # tenant-07 to tenant-10) fails, is rolled back, and no later batch is sent.
    emulator.add_fault(kind='job_fail', platform='sae', target='tenant-08-0', count=1, message='readiness probe failed: GET /healthz 503')
    run, result = rollout(emulator, playbook=PLAYBOOK, **DEPLOY)
    assert run.rc != 0
    assert '[tenants] promotion: the canary (tenant-01) was deployed already; not pausing again' in run.stdout
    assert '[tenants] skipped tenant-01: already runs image %s' % NEW in run.stdout
    assert '[tenants] rolling back batch 3: tenant-07, tenant-08, tenant-09, tenant-10' in run.stdout
    assert deployed(emulator) == NAMES[:10]
    assert sorted(deployed(emulator, 'RollbackApplication')) == NAMES[6:10]
    on = images(emulator)
    assert [name for name in NAMES if on[name] == NEW] == NAMES[:6]
    assert result['rolled_back'] == APPS[6:10] and result['deployed'] == APPS[1:6]
    assert [entry['id'] for entry in result['failed']] == [APPS[7]] and 'readiness probe failed' in result['failed'][0]['msg']
    assert result['untouched'] == APPS[10:]
    assert 'rolling deploy stopped after batch 3 of 6' in run.stdout and 'rolled back %s' % ', '.join(APPS[6:10]) in run.stdout

    # The resume: the same variables; what runs the version is skipped, the rest is deployed, nothing twice.
    run, result = rollout(emulator, playbook=PLAYBOOK, **DEPLOY)
    assert run.rc == 0, run.output
    assert images(emulator) == dict((name, NEW) for name in NAMES)
    sent = deployed(emulator)
    assert sent == NAMES[:10] + NAMES[6:]
    assert sorted(result['deployed']) == sorted(APPS[6:]) and result['rolled_back'] == []
    assert 0 < emulator.metrics()['max_unavailable'].get(APPS[0], 1) <= 4

    # Everything is on the version: a last run deploys nothing.
    run, result = rollout(emulator, playbook=PLAYBOOK, **DEPLOY)
    assert run.rc == 0, run.output
    assert result['deployed'] == [] and deployed(emulator) == sent


def test_check_mode_plans_a_rolling_deploy_and_sends_nothing(emulator_factory, tmp_path):
    emulator = emulator_factory(world=deploys_world(tmp_path), time_factor=0.02)
    variables = dict(DEPLOY)
    variables.update(rolling_restart_promote_after=None)
    run, result = rollout(emulator, playbook=PLAYBOOK, check=True, **variables)
    assert run.rc == 0, run.output
    assert '[tenants] batch 2/6: would deploy tenant-02, tenant-03, tenant-04, tenant-05; 4 down of max 4' in run.stdout
    assert 'rolling deploy planned: would deploy 20, 0 skipped, in 6 batches' in run.stdout
    assert deployed(emulator) == [] and emulator.metrics()['actions'] == []


def test_rollback_on_failure_without_a_version_is_refused_before_anything_is_sent(emulator_factory, tmp_path):
    emulator = emulator_factory(world=deploys_world(tmp_path), time_factor=0.02)
    variables = dict(DEPLOY)
    variables.update(rolling_restart_image=None)
    run, result = rollout(emulator, playbook=PLAYBOOK, **variables)
    assert run.rc != 0
    assert 'rollback_on_failure is for rolling deploys: give the version to roll (image, package_url, package_version, version)' in run.stdout
    assert emulator.metrics()['actions'] == []


def test_a_rolling_deploy_is_refused_on_the_task_host(emulator_factory, tmp_path):
    emulator = emulator_factory(world=deploys_world(tmp_path), time_factor=0.02)
    run, result = rollout(emulator, playbook=PLAYBOOK, rolling_restart_run_on='host', **DEPLOY)
    assert run.rc != 0
    assert 'tenants: a rolling deploy runs on the controller; set run_on=controller' in run.stdout
    assert emulator.metrics()['actions'] == []


def test_a_version_that_flaps_after_coming_up_fails_its_soak_and_its_batch_is_rolled_back(emulator_factory, tmp_path):
    """The rolling world's ServiceStage cells, given a version that comes up healthy and leaves running a second later (the
    world's bad_versions, kind flap): the canary's soak catches it, the batch is rolled back, the rest is never sent."""
    with open(ROLLING_WORLD, encoding='utf-8') as handle:
        world = yaml.safe_load(handle)
    flaky = 'swr.cn-north-4.myhuaweicloud.com/rolling/checkout:3.3.0-rc1'
    world['bad_versions'] = [dict(version=flaky, kind='flap', after_seconds=1)]
    path = str(tmp_path / 'flaky.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(world, handle)
    emulator = emulator_factory(world=path, time_factor=0.05)
    run, result = rollout(emulator, playbook=PLAYBOOK, rolling_restart_platform='servicestage', rolling_restart_application_name='checkout',
                          rolling_restart_version='3.3.0', rolling_restart_image=flaky, rolling_restart_batches=[1, 2], rolling_restart_soak_seconds=4,
                          rolling_restart_rollback_on_failure='batch', rolling_restart_name='checkout')
    assert run.rc != 0
    assert '[checkout] batch 1/4: soak failed' in run.stdout and 'checkout-cell-1 flapped' in run.stdout, run.stdout
    assert '[checkout] rolling back batch 1: checkout-cell-1' in run.stdout
    cell = '55c0ce11-0000-4000-8000-000000000001'
    assert result['rolled_back'] == [cell] and result['deployed'] == [] and len(result['untouched']) == 5
    sent = [entry['operation'] for entry in emulator.metrics()['actions'] if entry['platform'] == 'servicestage']
    assert sent[0] == 'ModifyComponent' and sent.count('ModifyComponent') == 1
    component = [c for app in emulator.state()['world']['huawei']['servicestage']['applications'] for c in app['components'] if c['id'] == cell][0]
    assert component['version'] == '3.1.0'
