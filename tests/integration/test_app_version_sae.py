# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""paas.ops.app_version on SAE as users run it: real ansible processes over HTTP against the emulator, whose action log and
world show what was sent and what the applications run afterwards (read back with DescribeApplicationConfig)."""

from __future__ import annotations

from ansible_collections.paas.ops.tests.integration.ansible_cli import run_module
from ansible_collections.paas.ops.tests.integration.test_alibaba_modules import API, KEY, NAMESPACE, WEB, WORKER, alibaba_actions, world_of

REGISTRY = 'registry.cn-hangzhou.aliyuncs.com/demo/'
API_IMAGE, WORKER_IMAGE, WEB_IMAGE = REGISTRY + 'api:2.0.0', REGISTRY + 'worker:3.1.0', REGISTRY + 'web:1.4.2'
NEVER_HEALTHY, FAILS_IN_BATCH_2 = REGISTRY + 'api:2.1.0-broken', REGISTRY + 'worker:3.2.0-rc1'
PROBE = 'readiness probe failed: HTTP 503 on /healthz'


def app_version(emulator, args, cli_args=()):
    module_args = dict(platform='sae', namespace_id=NAMESPACE, endpoint=emulator.url, wait_timeout=60, **KEY)
    module_args.update(args)
    return run_module('paas.ops.app_version', module_args, args=cli_args)


def config_of(emulator, app_id):
    """DescribeApplicationConfig of ``app_id``, signed and sent by the collection's own api_request."""
    run = run_module('paas.ops.api_request', dict(platform='sae', endpoint=emulator.url, method='GET', path='/pop/v1/sam/app/describeApplicationConfig',
                                                  api_action='DescribeApplicationConfig', query={'AppId': app_id}, **KEY))
    assert run.rc == 0, run.output
    return run.adhoc_result()['json']['Data']


def deploys(emulator):
    """The operations of the actions the emulator logged, in order."""
    return [entry['operation'] for entry in alibaba_actions(emulator)]


def with_bad_versions(emulator):
    """The default world, with an api image that never gets healthy and a worker image whose second batch fails."""
    def bad_versions(world):
        world['bad_versions'] = [{'version': NEVER_HEALTHY, 'kind': 'never_healthy'},
                                 {'version': FAILS_IN_BATCH_2, 'kind': 'fail_in_batch', 'batch': 2, 'message': PROBE}]
    emulator.load_default_world(bad_versions)


def test_a_deploy_changes_what_runs_and_a_second_run_changes_nothing(emu):
    new_api, new_worker = REGISTRY + 'api:2.1.0', REGISTRY + 'worker:3.2.0'
    args = dict(app_names=['api', 'worker'], image=new_api, update_strategy=dict(batch=2), min_ready_instances=1)
    run = app_version(emu, args)
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['changed'] is True and result['deployed'] == [API, WORKER] and result['failed_targets'] == [] and result['unchanged'] == []
    assert [(target['outcome'], target['before']['image'], target['after']['image'], target['after']['state']) for target in result['targets']] == [
        ('deployed', API_IMAGE, new_api, 'running'), ('deployed', WORKER_IMAGE, new_api, 'running')]
    assert [target['job']['status'] for target in result['targets']] == ['succeeded', 'succeeded']
    assert [target['job']['batch_count'] for target in result['targets']] == [2, 2]
    assert [request['operation'] for request in result['requests']] == ['DeployApplication', 'DeployApplication']
    assert all(request['request_id'] for request in result['requests'])
    assert [target['job_id'] for target in result['targets']] == [entry['job_id'] for entry in alibaba_actions(emu)]
    config = config_of(emu, WORKER)
    assert (config['ImageUrl'], config['MinReadyInstances']) == (new_api, 1)

    again = app_version(emu, args)
    assert again.rc == 0, again.output
    second = again.adhoc_result()
    assert second['changed'] is False and second['unchanged'] == [API, WORKER] and second['deployed'] == []
    assert [target['msg'] for target in second['targets']] == ['already runs image %s' % new_api] * 2
    assert deploys(emu) == ['DeployApplication', 'DeployApplication']

    # The worker alone, by id, to an image of its own: only it is sent a deploy (its form body signed with classic ROA too).
    by_id = app_version(emu, dict(app_ids=[WORKER], image=new_worker, namespace_id=None, alibaba_signature_version='v1'))
    assert by_id.rc == 0, by_id.output
    assert by_id.adhoc_result()['deployed'] == [WORKER] and config_of(emu, WORKER)['ImageUrl'] == new_worker
    assert deploys(emu) == ['DeployApplication'] * 3


def test_a_package_is_known_by_its_version_not_its_url(emu):
    def api_from_a_package(world):
        api = next(app for app in world['alibaba']['sae']['namespaces'][0]['applications'] if app['id'] == API)
        api.update(package_type='FatJar', version_id='7a1b2c3d-0002-4e5f-8a9b-0c1d2e3f4a01')
        api['versions'] = [{'id': '7a1b2c3d-0002-4e5f-8a9b-0c1d2e3f4a01', 'type': 'url', 'package_url': 'https://oss.example.com/api-2.0.0.jar',
                            'package_version': '2.0.0'}]
    emu.load_default_world(api_from_a_package)
    args = dict(app_ids=[API], package_url='https://oss.example.com/api-2.1.0.jar', package_version='2.1.0')
    run = app_version(emu, args, cli_args=['--diff'])
    assert run.rc == 0, run.output
    target = run.adhoc_result()['targets'][0]
    assert (target['before']['package_version'], target['after']['package_version'], target['after']['package_url']) == (
        '2.0.0', '2.1.0', 'https://oss.example.com/api-2.1.0.jar')
    config = config_of(emu, API)
    assert (config['PackageType'], config['PackageVersion']) == ('FatJar', '2.1.0')
    # The same version from another URL (SAE's own copy of a package is not the URL it was given): nothing to do.
    again = app_version(emu, dict(args, package_url='https://mirror.example.com/api-2.1.0.jar'))
    assert again.rc == 0 and again.adhoc_result()['changed'] is False, again.output
    assert deploys(emu) == ['DeployApplication']


def test_check_mode_predicts_exactly_and_leaves_the_emulator_untouched(emu):
    before = world_of(emu)
    run = app_version(emu, dict(app_names=['web', 'api'], image=API_IMAGE), cli_args=['--check', '--diff'])
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    # api runs that image already; web would be deployed.
    assert result['changed'] is True and result['deployed'] == [WEB] and result['unchanged'] == [API]
    assert [(target['id'], target['changed'], target['job_id']) for target in result['targets']] == [(WEB, True, None), (API, False, None)]
    assert (result['targets'][0]['before']['image'], result['targets'][0]['after']['image']) == (WEB_IMAGE, API_IMAGE)
    assert result['requests'] == []
    assert '-        "image": "%s"' % WEB_IMAGE in run.stdout and '+        "image": "%s"' % API_IMAGE in run.stdout
    assert alibaba_actions(emu) == [] and world_of(emu) == before
    assert 'sae:DeployApplication' not in emu.metrics()['requests']


def test_a_version_that_never_gets_healthy_fails_the_task_with_the_platforms_messages(emu):
    with_bad_versions(emu)
    run = app_version(emu, dict(app_ids=[API], image=NEVER_HEALTHY))
    assert run.rc != 0
    result = run.adhoc_result()
    assert result['failed_targets'] == [API] and result['rolled_back'] == []
    assert 'deploy of image %s failed on 1 target: api: change order' % NEVER_HEALTHY in result['msg']
    assert 'ended failed (Status 1, SubStatus 1)' in result['msg'] and 'never became healthy' in result['msg']
    assert result['targets'][0]['outcome'] == 'failed' and 'Traceback' not in run.output
    # The configuration still names the old image: the next run would deploy again rather than take it as done.
    assert config_of(emu, API)['ImageUrl'] == API_IMAGE


def test_a_batch_that_fails_is_rolled_back_and_the_task_still_fails(emu):
    with_bad_versions(emu)
    run = app_version(emu, dict(app_ids=[WORKER], image=FAILS_IN_BATCH_2, update_strategy=dict(batch=2), rollback_on_failure=True))
    assert run.rc != 0
    result = run.adhoc_result()
    assert result['failed_targets'] == [WORKER] and result['rolled_back'] == [WORKER]
    target = result['targets'][0]
    assert target['outcome'] == 'rolled_back' and target['rollback']['ok'] is True
    assert target['rollback']['version'] == {'image': WORKER_IMAGE}
    assert 'ended failed (Status 3)' in result['msg'] and PROBE in result['msg']
    assert 'rolled back to image %s' % WORKER_IMAGE in result['msg'] and result['msg'].endswith('rolled back: worker')
    assert deploys(emu) == ['DeployApplication', 'RollbackApplication']
    assert config_of(emu, WORKER)['ImageUrl'] == WORKER_IMAGE
    assert target['after']['image'] == WORKER_IMAGE and target['after']['state'] == 'running'


def test_a_never_healthy_deploy_is_aborted_then_rolled_back(emu):
    with_bad_versions(emu)
    run = app_version(emu, dict(app_ids=[API], image=NEVER_HEALTHY, rollback_on_failure=True))
    assert run.rc != 0
    result = run.adhoc_result()
    assert result['rolled_back'] == [API] and result['targets'][0]['rollback']['ok'] is True
    # The deploy's order held the application (SubStatus 1): aborted, then the rollback order.
    assert deploys(emu) == ['DeployApplication', 'AbortChangeOrder', 'RollbackApplication']
    assert config_of(emu, API)['ImageUrl'] == API_IMAGE
    assert emu.unit('api-5c8d7e6f4-a1b2c')['state'] == 'running'


def test_a_refused_deploy_fails_with_the_code_the_message_and_the_request_id(emu):
    emu.add_fault(kind='http', path='deployApplication', status=400, platform_code='InvalidImageUrl.NotFound',
                  message='The image does not exist in the registry.')
    run = app_version(emu, dict(app_ids=[API], image=REGISTRY + 'api:9.9.9'))
    assert run.rc != 0
    result = run.adhoc_result()
    error = result['error']
    assert (error['code'], error['status'], error['message']) == ('InvalidImageUrl.NotFound', 400, 'The image does not exist in the registry.')
    assert error['request_id'] and error['request_id'] in result['msg'] and 'InvalidImageUrl.NotFound' in result['msg']
    assert alibaba_actions(emu) == []


def test_refusals_before_anything_is_sent(emu):
    both = app_version(emu, dict(app_ids=[API], image=API_IMAGE, package_url='https://oss.example.com/api.jar', package_version='1'))
    assert both.rc != 0 and 'mutually exclusive' in both.adhoc_result()['msg']
    half = app_version(emu, dict(app_ids=[API], package_url='https://oss.example.com/api.jar'))
    assert half.rc != 0 and 'needs both package_url and package_version' in half.adhoc_result()['msg']
    image_app = app_version(emu, dict(app_ids=[API], package_url='https://oss.example.com/api.jar', package_version='2.1.0'))
    assert image_app.rc != 0 and 'application api runs an image' in image_app.adhoc_result()['msg']
    gray = app_version(emu, dict(app_ids=[API], image=API_IMAGE, update_strategy=dict(type='GrayBatchUpdate')))
    assert gray.rc != 0 and 'GrayBatchUpdate needs gray' in gray.adhoc_result()['msg']
    version = app_version(emu, dict(app_ids=[API], version='1.0.0'))
    assert version.rc != 0 and 'version' in version.adhoc_result()['msg']
    assert alibaba_actions(emu) == []


def test_a_rolling_deploy_through_the_namespace_puts_the_version_on_each_batch_and_resumes_with_nothing_to_do(emu):
    image = REGISTRY + 'api:2.1.0'
    args = dict(platform='sae', namespace_id=NAMESPACE, endpoint=emu.url, targets=[API, WORKER], image=image, batch_size=1, **KEY)
    run = run_module('paas.ops.rollout', args)
    assert run.rc == 0, run.output
    result = run.adhoc_result()['rolling_restart_result']
    assert result['deployed'] == [API, WORKER] and [batch['targets'] for batch in result['batches']] == [[API], [WORKER]]
    assert deploys(emu) == ['DeployApplication', 'DeployApplication'] and config_of(emu, WORKER)['ImageUrl'] == image
    again = run_module('paas.ops.rollout', args)
    assert again.rc == 0, again.output
    resumed = again.adhoc_result()['rolling_restart_result']
    reason = 'already runs image %s' % image
    assert [(entry['id'], entry['reason']) for entry in resumed['skipped']] == [(API, reason), (WORKER, reason)]
    assert len(deploys(emu)) == 2, resumed
    # Nothing to do costs one listing and a status per application of the namespace, read once: no wait for SAE's quota.
    assert resumed['seconds'] < 10
