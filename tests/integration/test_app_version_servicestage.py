# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""paas.ops.app_version on ServiceStage as users run it: real ansible processes over HTTP against the emulator, whose
admin API and action log show what really happened (ModifyComponent, its jobs, the rollback action)."""

from __future__ import annotations

import requests

from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module

HUAWEI = demo_world()['huawei']
APP = HUAWEI['application_id']
WEB = HUAWEI['component_id']
API = 'c0a80001-0000-4000-8000-000000000002'
RELEASES = 'a3f1e2d3-c4b5-4a69-8f7e-6d5c4b3a2a03'
CHECKOUT = 'c0a80003-0000-4000-8000-000000000002'  # a rolling deployment of 1.5.0 paused between batches
AKSK = dict(huawei_access_key=HUAWEI['access_key'], huawei_secret_key=HUAWEI['secret_key'], huawei_project_id=HUAWEI['project_id'])
OLD_IMAGE = 'swr.cn-north-4.myhuaweicloud.com/demo/web:1.2.0'
NEW_IMAGE = 'swr.cn-north-4.myhuaweicloud.com/demo/web:1.3.0'
# What ShowComponentInfo shows that a deploy changes.
DEPLOYED_FIELDS = ('version', 'source', 'status')


def app_version(emulator, args=None, cli_args=()):
    module_args = dict(platform='servicestage', application_id=APP, component_ids=[WEB], version='1.3.0', image=NEW_IMAGE,
                       endpoint=emulator.url, wait_timeout=60, **AKSK)
    module_args.update(args or {})
    # An option given as None is left out (ansible counts a null as given for its mutually exclusive options).
    return run_module('paas.ops.app_version', dict((k, v) for k, v in module_args.items() if v is not None), args=cli_args)


def actions_logged(emulator):
    return [(entry['operation'], entry['targets'], entry.get('detail')) for entry in emulator.metrics()['actions'] if entry.get('platform') == 'servicestage']


def component_info(emulator, component_id=WEB, app=APP):
    """ShowComponentInfo, read with an IAM token (independent of the collection's signing)."""
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'domain': {'name': HUAWEI['domain_name']}, 'name': HUAWEI['user_name'], 'password': HUAWEI['password']}}},
        'scope': {'project': {'id': HUAWEI['project_id']}}}}
    session = requests.Session()
    session.trust_env = False
    token = session.post(emulator.url + '/v3/auth/tokens', json=body, timeout=10).headers['X-Subject-Token']
    path = '/v3/%s/cas/applications/%s/components/%s' % (HUAWEI['project_id'], app, component_id)
    return session.get(emulator.url + path, headers={'X-Auth-Token': token}, timeout=10).json()


def with_bad_versions(emulator, bad_versions, unhealthy_deadline=None):
    """The default world with ``bad_versions`` (and ServiceStage's deadline for a never-healthy deployment, unscaled seconds)."""
    world = dict(emulator.state()['world'], bad_versions=bad_versions)
    if unhealthy_deadline is not None:
        world['jobs'] = dict(world['jobs'], unhealthy_deadline_seconds={'servicestage': unhealthy_deadline})
    emulator.admin('PUT', 'world', json=world)
    emulator.settings(time_factor=0.05)


def test_a_deploy_changes_the_components_then_a_second_run_is_unchanged(emulator_clean):
    before = component_info(emulator_clean)
    sources = dict((component_id, component_info(emulator_clean, component_id)['source']) for component_id in (WEB, API))
    run = app_version(emulator_clean, dict(component_ids=None, component_names=['web', 'api']))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['changed'] is True and result['kind'] == 'component' and result['deployed'] == [WEB, API]
    assert result['failed_targets'] == result['rolled_back'] == result['unchanged'] == []
    web = result['targets'][0]
    assert (web['outcome'], web['job']['status'], web['job_id'], web['rollback']) == ('deployed', 'succeeded', web['job']['id'], None)
    assert web['before'] == dict(image=OLD_IMAGE, package_url=None, package_version=None, version='1.2.0', state='running', raw_state='RUNNING')
    assert web['after'] == dict(web['before'], image=NEW_IMAGE, version='1.3.0')
    assert [entry['operation'] for entry in result['requests']] == ['ModifyComponent'] * 2 and all(entry['request_id'] for entry in result['requests'])
    # One ModifyComponent per component, with the new version and the source as read, its url changed (the components'
    # calls go out side by side: in either order).
    sent = sorted(actions_logged(emulator_clean), key=lambda action: action[1])
    assert sent == [('ModifyComponent', [component_id], {'version': '1.3.0', 'source': dict(sources[component_id], url=NEW_IMAGE)})
                    for component_id in sorted((WEB, API))]
    after = component_info(emulator_clean)
    assert (after['version'], after['source']['url'], after['status']['component_status']) == ('1.3.0', NEW_IMAGE, 'RUNNING')
    # A full-body PUT: everything else is sent back as it was read.
    assert dict((k, v) for k, v in after.items() if k not in DEPLOYED_FIELDS) == dict((k, v) for k, v in before.items() if k not in DEPLOYED_FIELDS)

    again = app_version(emulator_clean, dict(component_ids=None, component_names=['web', 'api']))
    assert again.rc == 0, again.output
    result = again.adhoc_result()
    assert result['changed'] is False and result['unchanged'] == [WEB, API] and result['deployed'] == [] and result['requests'] == []
    assert result['targets'][0]['msg'] == 'already runs version 1.3.0, image %s' % NEW_IMAGE
    assert len(actions_logged(emulator_clean)) == 2


def test_every_component_of_the_application_by_name_with_a_deploy_strategy(emulator_clean):
    strategy = {'type': 'RollingRelease', 'rolling_release': {'batches': 2}}
    run = app_version(emulator_clean, dict(application_id=None, application_name='mall', component_ids=None, deploy_strategy=strategy,
                                           image='swr.cn-north-4.myhuaweicloud.com/demo/mall:2.0.0', version='2.0.0'))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert len(result['deployed']) == 6 and [entry['name'] for entry in result['targets']] == ['web', 'api', 'worker', 'cart', 'search', 'notify']
    assert component_info(emulator_clean)['deploy_strategy'] == strategy


def test_check_mode_predicts_exactly_and_sends_nothing(emulator_clean):
    before = emulator_clean.unit(WEB)
    predicted = app_version(emulator_clean, cli_args=['--check', '--diff'])
    assert predicted.rc == 0, predicted.output
    result = predicted.adhoc_result()
    assert result['changed'] is True and result['deployed'] == [WEB] and result['targets'][0]['job_id'] is None
    assert result['requests'] == [] and actions_logged(emulator_clean) == [] and emulator_clean.unit(WEB) == before
    assert 'servicestage:ModifyComponent' not in emulator_clean.metrics()['requests']
    real = app_version(emulator_clean).adhoc_result()
    # The same, but for the raw state, which only the platform names.
    assert real['changed'] is True and real['targets'][0]['after'] == dict(result['targets'][0]['after'], raw_state='RUNNING')
    unchanged = app_version(emulator_clean, cli_args=['--check']).adhoc_result()
    assert unchanged['changed'] is False and unchanged['unchanged'] == [WEB]


def test_diff_shows_the_version_and_image_before_and_after(emulator_clean):
    run = app_version(emulator_clean, cli_args=['--diff'])
    assert run.rc == 0, run.output
    assert '--- before\n+++ after\n' in run.stdout
    assert '-        "version": "1.2.0"' in run.stdout and '+        "version": "1.3.0"' in run.stdout, run.stdout
    assert '-        "image": "%s",' % OLD_IMAGE in run.stdout and '+        "image": "%s",' % NEW_IMAGE in run.stdout


def test_a_version_that_fails_its_batch_fails_the_task_with_its_message(emu):
    with_bad_versions(emu, [{'version': '1.3.0', 'kind': 'fail_in_batch', 'message': 'readiness probe failed: GET /healthz 503'}])
    run = app_version(emu)
    result = run.adhoc_result()
    assert run.rc != 0 and result['error']['type'] == 'PaasJobError'
    assert result['msg'].startswith('deploy of version 1.3.0, image %s failed on 1 target: web: job ' % NEW_IMAGE)
    assert 'readiness probe failed: GET /healthz 503' in result['msg']
    assert result['failed_targets'] == [WEB] and result['rolled_back'] == [] and result['targets'][0]['outcome'] == 'failed'
    assert result['targets'][0]['job']['status'] == 'failed' and result['targets'][0]['after']['state'] == 'failed'
    info = component_info(emu)
    assert (info['version'], info['source']['url'], info['status']['component_status']) == ('1.2.0', OLD_IMAGE, 'FAILED')


def test_a_never_healthy_image_fails_the_task_when_servicestage_gives_up(emu):
    with_bad_versions(emu, [{'version': NEW_IMAGE, 'kind': 'never_healthy'}], unhealthy_deadline=40)
    run = app_version(emu)
    result = run.adhoc_result()
    assert run.rc != 0 and 'did not become healthy before the deadline' in result['msg'], result['msg']
    assert result['failed_targets'] == [WEB] and component_info(emu)['version'] == '1.2.0'


def test_rollback_on_failure_puts_the_old_version_back_and_still_fails(emu):
    with_bad_versions(emu, [{'version': '1.3.0', 'kind': 'fail_in_batch', 'message': 'readiness probe failed: GET /healthz 503'}])
    run = app_version(emu, dict(rollback_on_failure=True))
    result = run.adhoc_result()
    assert run.rc != 0 and 'readiness probe failed: GET /healthz 503' in result['msg']
    assert result['msg'].endswith('(rolled back to version 1.2.0, image %s); rolled back: web' % OLD_IMAGE), result['msg']
    target = result['targets'][0]
    assert result['failed_targets'] == result['rolled_back'] == [WEB] and target['outcome'] == 'rolled_back'
    assert target['rollback']['ok'] is True and target['rollback']['version'] == {'version': '1.2.0', 'image': OLD_IMAGE}
    assert target['after'] == dict(target['before'])
    assert [entry['operation'] for entry in result['requests']] == ['ModifyComponent', 'UpdateComponentAction']
    assert actions_logged(emu)[-1] == ('UpdateComponentAction', [WEB], {'action': 'rollback', 'parameters': {'version': '1.2.0'}})
    info = component_info(emu)
    assert (info['version'], info['source']['url'], info['status']['component_status']) == ('1.2.0', OLD_IMAGE, 'RUNNING')


def test_rollback_of_a_deploy_still_running_when_the_wait_ends(emu):
    # ServiceStage gives up on the never-healthy version after 10 s, the task's wait after 6 s: the rollback waits for the
    # deploy's job to end (within a timeout of its own, 6 s again), then puts the old version back.
    with_bad_versions(emu, [{'version': '1.3.0', 'kind': 'never_healthy'}], unhealthy_deadline=200)
    run = app_version(emu, dict(rollback_on_failure=True, wait_timeout=6))
    result = run.adhoc_result()
    assert run.rc != 0 and result['rolled_back'] == [WEB] and result['targets'][0]['rollback']['ok'] is True, result['msg']
    assert 'web: not up on version 1.3.0, image %s within the timeout: timed out after' % NEW_IMAGE in result['msg']
    info = component_info(emu)
    assert (info['version'], info['source']['url'], info['status']['component_status']) == ('1.2.0', OLD_IMAGE, 'RUNNING')


def test_what_servicestage_cannot_deploy_is_refused_before_sending(emulator_clean):
    refusals = [
        (dict(version=None), 'ServiceStage names every deploy by its component version'),
        (dict(version='1.3'), "version must be n.n.n or n.n.n.n (a ServiceStage component version), got '1.3'"),
        (dict(image=None, version='1.3.0'), 'give the source of version 1.3.0: image or package_url'),
        (dict(image=None, package_url='https://obs.example.com/web-1.3.0.jar'), 'component web runs a source of kind image: give image'),
        (dict(version='1.2.0'), 'component web runs version 1.2.0 from another image already'),
        (dict(deploy_strategy={'type': 'BlueGreen'}), 'deploy_strategy.type must be one of OneBatchRelease, RollingRelease, GrayRelease'),
        (dict(component_ids=['nope']), 'no component nope in application %s' % APP),
        (dict(component_ids=None, component_names=['nope']), "no component in application %s named 'nope'" % APP),
        (dict(application_id=RELEASES, component_ids=[CHECKOUT]), 'component checkout has a rolling deployment of version 1.5.0 paused between batches'),
    ]
    for args, message in refusals:
        run = app_version(emulator_clean, args)
        assert run.rc != 0 and message in run.adhoc_result()['msg'], (args, run.output)
    assert actions_logged(emulator_clean) == [] and 'servicestage:ModifyComponent' not in emulator_clean.metrics()['requests']
