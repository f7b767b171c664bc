# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""app_version on Rainbond as users run it: real ansible processes over HTTP against the emulator, whose world, action log
and jobs show what was really sent (docker-image-change, then one deploy operation) and what the components run."""

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module

RAINBOND = demo_world()['rainbond']
WEB, API, WORKER = '3f6d1e2a9b8c4d7e8f0a1b2c3d4e5f60', '7c2e9a1b4d5f4e6a8b9c0d1e2f3a4b5c', '9e8d7c6b5a4f43e2a1b0c9d8e7f6a5b4'
OLD_WEB, OLD_API = 'goodrain.me/web:latest', 'goodrain.me/api:latest'
NEW = 'registry.example.com/shop/web:2.4.1'
BAD = 'registry.example.com/shop/web:9.9.9'


def app_version(emulator, args, cli_args=()):
    module_args = dict(platform='rainbond', url=emulator.url, token=RAINBOND['token'], team_id=RAINBOND['team'],
                       region_name=RAINBOND['region'], application_name='shop', wait_timeout=60)
    module_args.update(args)
    return run_module('paas.ops.app_version', module_args, args=cli_args)


def actions(emulator):
    return [(entry['operation'], entry['targets'], entry['detail']) for entry in emulator.metrics()['actions'] if entry.get('platform') == 'rainbond']


def rainbond_world(emulator):
    """The emulator's Rainbond objects and jobs: what a check-mode run must leave exactly as it was."""
    return emulator.state()['world']['rainbond'], [job for job in emulator.admin('GET', 'jobs')['jobs'] if job['platform'] == 'rainbond']


def component(emulator, service_id):
    shop = emulator.state()['world']['rainbond']['teams'][0]['apps'][0]
    return next(c for c in shop['components'] if c['service_id'] == service_id)


def with_bad_image(kind, **extra):
    def changes(world):
        world['bad_versions'] = [dict(version=BAD, kind=kind, **extra)]
    return changes


def deploys(emulator):
    """The deploy operations sent: (components, {component: image it was built from})."""
    return [(targets, detail['images']) for operation, targets, detail in actions(emulator) if operation == 'OperateApp' and detail['action'] == 'deploy']


def test_deploy_changes_the_images_then_a_second_run_changes_nothing(emu):
    run = app_version(emu, dict(component_names=['web', 'api'], image=NEW))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['changed'] is True and result['kind'] == 'component' and result['deployed'] == [WEB, API]
    assert [(t['name'], t['before']['image'], t['after']['image'], t['after']['raw_state'], t['job']['type'], t['job']['status'])
            for t in result['targets']] == [('web', OLD_WEB, NEW, 'running', 'build-service', 'succeeded'),
                                            ('api', OLD_API, NEW, 'running', 'build-service', 'succeeded')]
    # The operations call names no event: each target's job id is the event its deploy started, found while following it.
    assert all(t['job_id'] == t['job']['id'] and t['job_id'] for t in result['targets'])
    # Each image set, then ONE deploy of the application for both, built from the new image.
    assert actions(emu) == [('ChangeComponentImage', [WEB], {'image': NEW}), ('ChangeComponentImage', [API], {'image': NEW}),
                            ('OperateApp', [WEB, API], dict(action='deploy', dropped=[], drop_reasons={}, completed_at_once=[], ignored=[],
                                                            images={WEB: NEW, API: NEW}, job_ids=actions(emu)[2][2]['job_ids']))]
    assert [operation for operation, request_id in ((r['operation'], r['request_id']) for r in result['requests']) if request_id] == [
        'ChangeComponentImage', 'ChangeComponentImage', 'OperateApp']
    for service_id in (WEB, API):
        assert (component(emu, service_id)['image'], component(emu, service_id)['build_image'], component(emu, service_id)['state']) == (
            NEW, NEW, 'running')
    again = app_version(emu, dict(component_names=['web', 'api'], image=NEW))
    assert again.rc == 0, again.output
    second = again.adhoc_result()
    assert second['changed'] is False and second['unchanged'] == [WEB, API] and second['deployed'] == []
    assert [t['msg'] for t in second['targets']] == ['already runs image %s' % NEW] * 2
    assert len(actions(emu)) == 3  # nothing sent the second time


def test_check_mode_predicts_exactly_and_leaves_the_emulator_untouched(emu):
    before = rainbond_world(emu)
    check = app_version(emu, dict(component_names=['web', 'worker'], image=NEW), cli_args=['--check'])
    assert check.rc == 0, check.output
    predicted = check.adhoc_result()
    assert predicted['changed'] is True and predicted['requests'] == []
    assert rainbond_world(emu) == before and actions(emu) == []
    real = app_version(emu, dict(component_names=['web', 'worker'], image=NEW))
    assert real.rc == 0, real.output
    result = real.adhoc_result()
    assert [(t['id'], t['changed'], t['after']) for t in result['targets']] == [(t['id'], t['changed'], t['after']) for t in predicted['targets']]
    assert [(t['id'], t['after']['image']) for t in result['targets']] == [(WEB, NEW), (WORKER, NEW)]


def test_diff_shows_each_components_image_before_and_after(emu):
    run = app_version(emu, dict(component_names=['api'], image=NEW), cli_args=['--check', '--diff'])
    assert run.rc == 0, run.output
    assert '-        "image": "%s",' % OLD_API in run.stdout and '+        "image": "%s",' % NEW in run.stdout
    assert '"%s": {' % API in run.stdout and actions(emu) == []


def test_a_component_not_built_from_an_image_is_refused_before_anything_is_sent(emu):
    emu.load_default_world(lambda world: next(component for component in world['rainbond']['teams'][0]['apps'][0]['components']
                                              if component['service_id'] == WORKER).update(service_source='source_code'))
    run = app_version(emu, dict(image=NEW))
    assert run.rc != 0
    msg = run.adhoc_result()['msg']
    assert msg.startswith('component worker (gr7a8b9c) is not built from an image (service_source source_code): '
                          'the Rainbond OpenAPI has no image change for it'), msg
    assert actions(emu) == [] and component(emu, WEB)['image'] == OLD_WEB
    # Left out, the others deploy.
    run = app_version(emu, dict(component_names=['web'], image=NEW))
    assert run.rc == 0, run.output
    assert run.adhoc_result()['deployed'] == [WEB]


def test_a_failing_image_fails_the_task_with_its_messages(emu):
    emu.load_default_world(with_bad_image('fail_in_batch', batch=1))
    run = app_version(emu, dict(component_names=['web', 'api'], image=BAD))
    assert run.rc != 0
    result = run.adhoc_result()
    assert result['msg'].startswith('deploy of image %s failed on 2 targets: web: component web (gr1a2b3c) ended abnormal '
                                    '(event build-service failure)' % BAD), result['msg']
    assert 'readiness probe failed on version %s (batch 1)' % BAD in result['msg'] and 'rolled back' not in result['msg']
    assert result['failed_targets'] == [WEB, API] and result['rolled_back'] == []
    web = result['targets'][0]
    assert (web['outcome'], web['job']['status'], web['after']['raw_state']) == ('failed', 'failed', 'abnormal')
    assert component(emu, WEB)['build_image'] == OLD_WEB and 'Traceback' not in run.output


def test_a_never_healthy_image_fails_at_the_timeout(emu):
    emu.load_default_world(with_bad_image('never_healthy'))
    run = app_version(emu, dict(component_names=['web'], image=BAD, wait_timeout=6))
    assert run.rc != 0
    msg = run.adhoc_result()['msg']
    assert msg.startswith('deploy of image %s failed on 1 target: web: component web (gr1a2b3c) not running within wait_timeout '
                          '(status starting, event running)' % BAD), msg


def test_a_second_run_after_a_failed_deploy_deploys_again(emu):
    emu.load_default_world(with_bad_image('fail_in_batch', batch=1))
    assert app_version(emu, dict(component_names=['web'], image=BAD)).rc != 0
    # The console keeps the bad image configured; the component is abnormal, so it does not count as running it.
    again = app_version(emu, dict(component_names=['web'], image=BAD))
    assert again.rc != 0 and again.adhoc_result()['targets'][0]['changed'] is True
    assert [images for targets, images in deploys(emu)] == [{WEB: BAD}, {WEB: BAD}]
    assert [operation for operation, targets, detail in actions(emu)].count('ChangeComponentImage') == 1  # already configured


def test_rollback_sets_the_old_image_again_and_deploys_it_and_the_task_still_fails(emu):
    emu.load_default_world(with_bad_image('fail_in_batch', batch=1))
    run = app_version(emu, dict(component_names=['web', 'api'], image=BAD, rollback_on_failure=True))
    assert run.rc != 0
    result = run.adhoc_result()
    assert result['failed_targets'] == [WEB, API] and result['rolled_back'] == [WEB, API]
    assert result['msg'].endswith('rolled back: web, api'), result['msg']
    assert '(rolled back to image %s)' % OLD_WEB in result['msg'] and '(rolled back to image %s)' % OLD_API in result['msg']
    entries = dict((t['name'], t) for t in result['targets'])
    assert entries['web']['outcome'] == 'rolled_back' and entries['web']['rollback']['ok'] is True and entries['web']['rollback']['job_id']
    assert entries['web']['rollback']['version'] == {'image': OLD_WEB}
    assert entries['web']['after']['image'] == OLD_WEB and entries['web']['after']['raw_state'] == 'running'
    # The old image set again, and deployed with it: built from it, running.
    assert [(operation, targets, detail) for operation, targets, detail in actions(emu) if operation == 'ChangeComponentImage'] == [
        ('ChangeComponentImage', [WEB], {'image': BAD}), ('ChangeComponentImage', [API], {'image': BAD}),
        ('ChangeComponentImage', [WEB], {'image': OLD_WEB}), ('ChangeComponentImage', [API], {'image': OLD_API})]
    assert deploys(emu) == [([WEB, API], {WEB: BAD, API: BAD}), ([WEB], {WEB: OLD_WEB}), ([API], {API: OLD_API})]
    for service_id, image in ((WEB, OLD_WEB), (API, OLD_API)):
        assert (component(emu, service_id)['image'], component(emu, service_id)['build_image'], component(emu, service_id)['state']) == (
            image, image, 'running')


@pytest.mark.parametrize('deadline', [40, None], ids=['platform-gives-up', 'never-ends'])
def test_rollback_of_a_never_healthy_image(emu, deadline):
    def changes(world):
        with_bad_image('never_healthy')(world)
        # The region giving up on the component after 40 s (2 s here) ends its deploy event in failure; by default it never does.
        world['jobs']['unhealthy_deadline_seconds'] = {'rainbond': deadline}
    emu.load_default_world(changes)
    run = app_version(emu, dict(component_names=['web'], image=BAD, rollback_on_failure=True, wait_timeout=6))
    assert run.rc != 0
    result = run.adhoc_result()
    rollback = result['targets'][0]['rollback']
    if deadline:
        assert rollback['ok'] is True and result['rolled_back'] == [WEB], result['msg']
        assert deploys(emu)[-1] == ([WEB], {WEB: OLD_WEB}) and component(emu, WEB)['state'] == 'running'
    else:
        # Its deploy event still runs: a deploy now would be dropped, so the rollback waits for it and is not sent.
        assert rollback['ok'] is False and rollback['msg'].startswith('rollback not sent: '), rollback
        assert 'its build-service event is still running' in rollback['msg'] and len(deploys(emu)) == 1
    assert result['failed_targets'] == [WEB]


def test_an_unknown_outcome_of_the_image_change_is_settled_by_the_configured_image(emu):
    emu.add_fault(path='/docker-image-change$', kind='http', status=502, when='after', count=1)
    run = app_version(emu, dict(component_names=['web'], image=NEW))
    assert run.rc == 0, run.output
    # The image was set (the configured image says so): not sent again, and deployed.
    assert [operation for operation, targets, detail in actions(emu)] == ['ChangeComponentImage', 'OperateApp']
    assert component(emu, WEB)['build_image'] == NEW


def test_a_component_the_console_drops_fails_with_why(emu):
    emu.add_fault(kind='silent_drop', target=API, count=1)
    run = app_version(emu, dict(component_names=['web', 'api'], image=NEW))
    assert run.rc != 0
    result = run.adhoc_result()
    assert result['failed_targets'] == [API] and result['deployed'] == [WEB]
    assert 'api: component api (gr4d5e6f) Rainbond dropped it without starting an event' in result['msg'], result['msg']
