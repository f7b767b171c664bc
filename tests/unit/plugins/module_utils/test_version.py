# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The deploy runner (_version.py) that every platform's deploys go through: idempotency, check mode, following, the wait
for the version to come up healthy, and rollback.

Only the platform is replaced: ``PlatformInMemory`` is a Deployer over targets in memory whose deploys take effect (or fail)
at once, as the platform's API would answer. The runner, VersionSpec and VersionFleet with restart_batch are the real ones.
The adapters' own deployers are tested against the emulator (tests/integration/test_app_version_*).
"""

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError, PaasJobError, PaasWaitTimeout
from ansible_collections.paas.ops.plugins.module_utils._fleet import restart_batch
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Request
from ansible_collections.paas.ops.plugins.module_utils._version import Deployer, VersionFleet, VersionSpec, deploy, deployed

OLD, NEW, BAD, SICK = 'shop/web:1.0', 'shop/web:2.0', 'shop/web:2.1-broken', 'shop/web:2.2-sick'


class PlatformInMemory(Deployer):
    """Applications that run an image; a deploy of ``BAD`` fails its job, one of ``SICK`` comes up but never healthy."""

    kind = 'application'

    def __init__(self, images):
        super().__init__(connection=None, params={})
        self.images = dict(images)
        self.health = dict((target_id, 'healthy') for target_id in images)
        self.calls = []

    def targets(self, ids=None):
        for target_id in ids or []:
            if target_id not in self.images:
                raise PaasInputError('no application %s' % target_id)
        return [dict(id=target_id, name='app-' + target_id, label='application ' + target_id, kind='application', state='running',
                     raw_state='RUNNING', health=self.health[target_id], deployed=deployed(image=self.images[target_id]), busy=None)
                for target_id in (ids or sorted(self.images))]

    def send(self, views, spec):
        handles = {}
        for view in views:
            self.calls.append(('deploy', view['id'], spec.image))
            handles[view['id']] = dict(kind='change_order', id='co-%d' % len(self.calls), request_id='req-%d' % len(self.calls), image=spec.image)
        return handles

    def follow(self, view, handle, deadline, auto_confirm):
        if handle['image'] == BAD:
            raise PaasJobError('change order %s ended failed: readiness probe failed on %s' % (handle['id'], BAD), job=dict(id=handle['id']))
        self.images[view['id']] = handle['image']
        self.health[view['id']] = 'unhealthy' if handle['image'] == SICK else 'healthy'
        return dict(id=handle['id'], status='succeeded')

    def rollback(self, view, deadline, auto_confirm):
        self.calls.append(('rollback', view['id'], view['deployed']['image']))
        return dict(kind='change_order', id='rb-%d' % len(self.calls), image=view['deployed']['image'])


def request(check_mode=False, timeout=3, chosen=None):
    return Request('deploy', deadline=Deadline(timeout), check_mode=check_mode, chosen=chosen)


def test_only_targets_not_on_the_version_are_deployed_and_a_second_run_changes_nothing():
    platform = PlatformInMemory(dict(a=OLD, b=NEW))
    first = deploy(platform, request(), VersionSpec(image=NEW))
    assert platform.calls == [('deploy', 'a', NEW)]
    assert first['changed'] and first['deployed'] == ['a'] and first['unchanged'] == ['b']
    entry = first['targets'][0]
    assert entry['before']['image'] == OLD and entry['after']['image'] == NEW and entry['job_id'] == 'co-1'
    second = deploy(platform, request(), VersionSpec(image=NEW))
    assert not second['changed'] and second['deployed'] == [] and platform.calls == [('deploy', 'a', NEW)]


def test_check_mode_predicts_exactly_and_sends_nothing():
    platform = PlatformInMemory(dict(a=OLD, b=NEW, c=OLD))
    result = deploy(platform, request(check_mode=True), VersionSpec(image=NEW))
    assert platform.calls == []
    assert result['deployed'] == ['a', 'c'] and result['unchanged'] == ['b']
    assert [entry['after']['image'] for entry in result['targets']] == [NEW, NEW, NEW]


def test_a_failed_deploy_fails_with_the_platform_message_and_without_rollback_stays_failed():
    platform = PlatformInMemory(dict(a=OLD))
    with pytest.raises(PaasJobError) as caught:
        deploy(platform, request(), VersionSpec(image=BAD))
    assert 'readiness probe failed' in caught.value.msg and 'rolled back' not in caught.value.msg
    assert caught.value.result['failed_targets'] == ['a'] and caught.value.result['rolled_back'] == []
    assert platform.images['a'] == OLD  # the job failed: nothing took the version


def test_with_rollback_a_target_never_healthy_is_restored_and_the_task_still_fails():
    platform = PlatformInMemory(dict(a=OLD, b=OLD))
    with pytest.raises(PaasJobError) as caught:
        deploy(platform, request(timeout=2), VersionSpec(image=SICK), rollback_on_failure=True)
    assert platform.images == dict(a=OLD, b=OLD)
    assert [call[0] for call in platform.calls] == ['deploy', 'deploy', 'rollback', 'rollback']
    message = caught.value.msg
    assert message.startswith('deploy of image %s failed on 2 targets: app-a: not up on image %s within the timeout: health unhealthy' % (SICK, SICK))
    assert message.endswith('; rolled back: app-a, app-b')
    result = caught.value.result
    assert [entry['outcome'] for entry in result['targets']] == ['rolled_back', 'rolled_back']
    assert result['targets'][0]['rollback']['ok'] and result['targets'][0]['rollback']['version'] == dict(image=OLD)


def test_with_rollback_a_deploy_whose_work_does_not_end_in_time_is_rolled_back_too():
    class SlowPlatform(PlatformInMemory):
        def follow(self, view, handle, deadline, auto_confirm):
            if handle['image'] == NEW:
                raise PaasWaitTimeout('change order %s of %s did not end within the timeout' % (handle['id'], view['label']))
            return super().follow(view, handle, deadline, auto_confirm)
    platform = SlowPlatform(dict(a=OLD))
    with pytest.raises(PaasJobError) as caught:
        deploy(platform, request(timeout=2), VersionSpec(image=NEW), rollback_on_failure=True)
    assert [call[0] for call in platform.calls] == ['deploy', 'rollback']
    assert 'app-a: not up on image %s within the timeout: change order co-1 of application a did not end' % NEW in caught.value.msg
    assert caught.value.result['rolled_back'] == ['a'] and caught.value.result['targets'][0]['outcome'] == 'rolled_back'


def test_an_unknown_target_is_refused_before_anything_is_sent():
    platform = PlatformInMemory(dict(a=OLD))
    with pytest.raises(PaasInputError, match='no application z'):
        deploy(platform, request(chosen=['z']), VersionSpec(image=NEW))
    assert platform.calls == []


def test_a_rolling_deploy_batch_skips_targets_on_the_version_and_a_rollback_restores_what_was_first_listed():
    platform = PlatformInMemory(dict(a=OLD, b=NEW, c=OLD))
    fleet = VersionFleet(platform, VersionSpec(image=NEW))
    listed = fleet.targets()
    assert [view['on_version'] for view in listed] == [False, True, False]
    result = restart_batch(fleet, ['a', 'b'], timeout=5)
    assert result['restarted'] == ['a'] and result['skipped_targets'] == ['b']
    assert result['targets'][1]['msg'] == 'already runs image %s' % NEW
    assert platform.images['a'] == NEW
    outcomes = fleet.roll_back(['a'], Deadline(5), auto_confirm=True)
    assert outcomes == [dict(id='a', version=dict(image=OLD), job_id='rb-2', ok=True, msg='rolled back to image %s' % OLD)]
    assert platform.images['a'] == OLD


def test_a_failed_batch_of_a_rolling_deploy_blames_each_target_for_its_own_outcome():
    platform = PlatformInMemory(dict(a=OLD))
    fleet = VersionFleet(platform, VersionSpec(image=BAD))
    fleet.targets()
    result = restart_batch(fleet, ['a'], timeout=5)
    assert result['failed_targets'] == ['a'] and 'readiness probe failed' in result['targets'][0]['msg']


def test_a_spec_says_what_it_is():
    assert VersionSpec(version='2.0.0', image=NEW).describe() == 'version 2.0.0, image %s' % NEW
    assert VersionSpec(package_url='https://x/app.jar', package_version='7').describe() == 'package 7'
    assert not VersionSpec()
    assert VersionSpec.of(deployed(image=OLD)).given() == dict(image=OLD)
