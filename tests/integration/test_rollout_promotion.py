# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A canary with manual promotion, and the whole run's deadline, through real ansible-playbook runs against the emulator.

promote_after stops the rollout, successfully, after the canary with the marker to continue from; the same variables with
the marker finish it without pausing again and restart nothing twice. The deadline stops a run the way a failure does,
with the marker. Both hand the marker to set_stats data, which Ansible records for the task (the default callback's
custom stats show them): the ansible-runner test of the AWX workflow (tests/packaging/test_awx_workflow.py) reads them
as AWX does."""

from __future__ import annotations

import json
import re

from ansible_collections.paas.ops.tests.integration.rolling_world import MALL, MALL_RUNNING, SHOP, COMPONENTS, STOREFRONT, STOREFRONT_INSTANCES, rollout
from ansible_collections.paas.ops.tests.integration.test_rolling_restart import acted_on, restarts

CANARY = dict(rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batches=[1, 4],
              rolling_restart_max_unavailable=4, rolling_restart_promote_after=1)
# The role names the application by the ID it was given.
PAUSED = re.compile(r'^\[%s\] paused for promotion after batch 1/4: continue with rolling_restart_restarted_after=([0-9.]+)$' % STOREFRONT, re.M)
# The default callback prints a play's set_stats data (those of no host) on one line, when asked to.
SHOW_STATS = {'ANSIBLE_SHOW_CUSTOM_STATS': 'true'}


def run_stats(run):
    """The set_stats data the run recorded, as the default callback prints them."""
    match = re.search(r'^\tRUN: (\{.*\})$', run.stdout, re.M)
    assert match, run.output
    return json.loads(match.group(1))


def test_the_canary_pauses_successfully_and_the_same_variables_with_the_marker_finish_the_rollout(fleet):
    run, result = rollout(fleet, env=SHOW_STATS, **CANARY)
    assert run.rc == 0, run.output
    marker = float(PAUSED.search(run.stdout).group(1))
    assert restarts(fleet) == {'storefront-01': 1}
    assert result['promotion'] == dict(after_batch=1, batches=4, remaining_batches=3, remaining=STOREFRONT_INSTANCES[1:], marker=marker,
                                       continue_with='rolling_restart_restarted_after=%s' % marker)
    assert 'rolling restart paused for promotion: 1 restarted, 0 failed, 0 skipped, 11 untouched, 1 of 4 batches in ' in run.stdout
    # The marker is the task's set_stats data: the next job of an AWX workflow gets it as rolling_restart_restarted_after.
    stats = run_stats(run)
    assert stats['rolling_restart_restarted_after'] == marker and stats['rolling_restart_last_result']['promotion'] == result['promotion']

    # The promotion: the same variables, promote_after included, and the marker.
    again, summary = rollout(fleet, rolling_restart_restarted_after=marker, **CANARY)
    assert again.rc == 0, again.output
    assert '[%s] promotion: the canary (storefront-01) was restarted after the marker; not pausing again' % STOREFRONT in again.stdout
    assert not PAUSED.search(again.stdout) and summary['promotion'] is None
    assert restarts(fleet) == dict((instance, 1) for instance in STOREFRONT_INSTANCES)
    assert sorted(summary['restarted']) == STOREFRONT_INSTANCES[1:] and summary['marker'] == marker
    assert 0 < fleet.metrics()['max_unavailable'][STOREFRONT] <= 4


def test_the_deadline_stops_the_run_like_a_failure_and_its_marker_resumes_it(fleet):
    variables = dict(rolling_restart_platform='rainbond', rolling_restart_application_name='mall', rolling_restart_batch_size=4)
    # The pause after batch 1 outlasts the deadline: the run stops there, before batch 2.
    run, result = rollout(fleet, env=SHOW_STATS, rolling_restart_deadline_seconds=5, rolling_restart_pause_seconds=600, **variables)
    assert run.rc != 0 and result is None
    assert ('rolling restart stopped after batch 1 of 3 (the deadline of 5 s for the whole run was reached): failed none; restarted %s'
            % ', '.join(MALL[:4])) in run.stdout
    marker = float(re.search(r'run again with rolling_restart_restarted_after=([0-9.]+) to continue where it stopped', run.stdout).group(1))
    assert sorted(set(acted_on(fleet))) == sorted(MALL[:4])
    # The role fails in its last task, after the rollout task recorded the marker: a stopped run hands it on too.
    assert run_stats(run)['rolling_restart_restarted_after'] == marker

    again, summary = rollout(fleet, rolling_restart_restarted_after=marker, **variables)
    assert again.rc == 0, again.output
    assert restarts(fleet) == dict((component, 1) for component in MALL_RUNNING)
    assert sorted(summary['restarted']) == sorted(MALL_RUNNING[4:])


def test_with_many_applications_only_the_one_with_promote_after_pauses_and_the_marker_continues_it(fleet):
    applications = [dict(name='shop', platform='servicestage', application_id=SHOP, batches=[1, '50%'], promote_after=1),
                    dict(name='mall', platform='rainbond', application_name='mall', batch_size=6)]
    run, result = rollout(fleet, playbook='rollout_promotion.yml', rollout_applications=applications, rollout_parallel_applications=2)
    assert run.rc == 0, run.output
    # The action's own options: no role prefix.
    marker = float(re.search(r'^\[shop\] paused for promotion after batch 1/3: continue with restarted_after=([0-9.]+)$', run.stdout, re.M).group(1))
    assert restarts(fleet) == dict([(COMPONENTS[0], 1)] + [(component, 1) for component in MALL_RUNNING])
    assert result['promotion'] == dict(marker=marker, continue_with='restarted_after=%s' % marker, applications=['shop'], remaining=COMPONENTS[1:])
    shop, mall = result['applications']
    assert shop['promotion']['after_batch'] == 1 and mall['promotion'] is None and not mall['stopped_early']

    again, summary = rollout(fleet, playbook='rollout_promotion.yml', rollout_applications=applications, rollout_parallel_applications=2,
                             rollout_restarted_after=marker)
    assert again.rc == 0, again.output
    # mall was done: everything of it was restarted after the marker. shop goes on from its canary to the end.
    assert restarts(fleet) == dict([(component, 1) for component in COMPONENTS] + [(component, 1) for component in MALL_RUNNING])
    assert sorted(summary['restarted']) == sorted(COMPONENTS[1:]) and summary['promotion'] is None
