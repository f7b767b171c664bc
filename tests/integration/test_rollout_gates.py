# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The gates of the rollout engine through real ansible-playbook runs of the rolling_restart role against the emulator:
a soak that passes on a steady fleet and fails the batch of a target that flaps (the emulator's ``flap`` fault), on both
paths (in the controller's process, and as modules on the task's host), and an HTTP check against a small HTTP server
this test starts on 127.0.0.1 (status, body, consecutive successes, TLS verified by default)."""

from __future__ import annotations

import re

import pytest
import yaml

from ansible_collections.paas.ops.tests.integration.rolling_world import COMPONENTS, MALL, ROLLING_WORLD, SHOP, STOREFRONT, STOREFRONT_INSTANCES, rollout

# Four or six storefront instances in batches of two: small, so that each run is a few seconds of soak at most.
SAE = dict(rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size=2,
           rolling_restart_batch_timeout=30)
RAINBOND = dict(rolling_restart_platform='rainbond', rolling_restart_application_name='mall', rolling_restart_batch_size=2,
                rolling_restart_batch_timeout=30)
# The role names an application by its id or name as given.
SF = re.escape('[%s]' % STOREFRONT)
# mall's components by id, and the names the URL template sees ({name}: Rainbond's cname).
MALL_NAMES = ['web', 'api', 'cart', 'checkout', 'search', 'catalog']


def restarts(emulator):
    return emulator.metrics()['restarts']


@pytest.mark.parametrize('run_on', ['controller', 'host'])
def test_a_soak_passes_on_a_steady_fleet(fleet, run_on):
    run, result = rollout(fleet, rolling_restart_targets=STOREFRONT_INSTANCES[:4], rolling_restart_soak_seconds=2, rollout_run_on=run_on, **SAE)
    assert run.rc == 0, run.output
    assert restarts(fleet) == dict((target, 1) for target in STOREFRONT_INSTANCES[:4])
    assert '[%s] gates: soak 2 s' % STOREFRONT in run.stdout
    for index in (1, 2):
        # Said once when it starts and once when it passes: nothing per poll.
        assert len(re.findall(r'^%s batch %d/2: soak 2 s$' % (SF, index), run.stdout, re.M)) == 1
        assert len(re.findall(r'^%s batch %d/2: soak passed$' % (SF, index), run.stdout, re.M)) == 1
    assert run.stdout.index('batch 1/2: soak passed') < run.stdout.index('batch 1/2: done in ') < run.stdout.index('batch 2/2: restarting')
    assert result['failed'] == [] and sorted(result['restarted']) == STOREFRONT_INSTANCES[:4]


def test_a_target_that_flaps_fails_its_batch_and_stops_the_rollout(fleet):
    # storefront-03 is in batch 2 of 3; 1.5 s after its restart it fails (and stays so), within the 3 s soak.
    fleet.add_fault(kind='flap', target='storefront-03', after_seconds=1.5, state='failed')
    run, result = rollout(fleet, rolling_restart_targets=STOREFRONT_INSTANCES[:6], rolling_restart_soak_seconds=3, **SAE)
    assert run.rc != 0
    assert re.search(r'^%s batch 1/3: soak passed$' % SF, run.stdout, re.M)
    assert re.search(r'^%s batch 2/3: soak failed after [0-9.]+ s: storefront-03 flapped \(state Error\)$' % SF, run.stdout, re.M), run.stdout
    assert re.search(r'^%s batch 2/3: failed in [0-9.]+ s \(1 restarted, 1 failed\)$' % SF, run.stdout, re.M)
    assert 'batch 3/3' not in run.stdout and result is None
    # Counted by the failure policy like any failed target: the rollout stopped before batch 3, which nobody touched.
    assert ('rolling restart stopped after batch 2 of 3: failed storefront-03 (flapped during the 3 s soak: state Error); restarted storefront-01, '
            'storefront-02, storefront-04; untouched storefront-05, storefront-06') in run.stdout
    assert restarts(fleet) == dict((target, 1) for target in STOREFRONT_INSTANCES[:4])


def test_a_target_restarted_again_during_the_soak_flapped_on_the_host_path_too(fleet):
    # A crash 1.5 s after the restart, back 0.3 s later: even a poll that misses it down sees its restart time moved.
    fleet.add_fault(kind='flap', target='storefront-02', after_seconds=1.5, state='restarting', down_seconds=0.3, restarts=True)
    run, result = rollout(fleet, rolling_restart_targets=STOREFRONT_INSTANCES[:4], rolling_restart_soak_seconds=3, rollout_run_on='host', **SAE)
    assert run.rc != 0
    assert re.search(r'^%s batch 1/2: soak failed after [0-9.]+ s: storefront-02 flapped \((state PodInitializing|restarted again at \d+ '
                     r'\(was \d+\))\)$' % SF, run.stdout, re.M), run.stdout
    assert 'failed storefront-02 (flapped during the 3 s soak: ' in run.stdout and 'untouched storefront-03, storefront-04' in run.stdout


def test_an_http_check_passes_when_every_target_answers_200(fleet, web):
    check = dict(url=web.url + '/{application}/{name}/health', body_regex='^ok$')
    run, result = rollout(fleet, rolling_restart_targets=MALL[:4], rolling_restart_http_check=check, **RAINBOND)
    assert run.rc == 0, run.output
    assert re.search(r'^\[mall\] batch 1/2: http check 2/2 ok$', run.stdout, re.M) and re.search(r'^\[mall\] batch 2/2: http check 2/2 ok$', run.stdout, re.M)
    # One request per target (successes 1), each after its batch's restart.
    assert web.hits == dict(('/mall/%s/health' % name, 1) for name in MALL_NAMES[:4])
    assert sorted(result['restarted']) == sorted(MALL[:4])


def test_an_http_check_fails_a_target_answering_500_or_a_wrong_body_against_the_failure_policy(fleet, web):
    web.scripts['/api'] = [(500, 'ok')]
    web.scripts['/checkout'] = [(200, 'maintenance')]
    check = dict(url=web.url + '/{name}', body_regex='^ok$', retries=1, interval=0.2)
    # One failure is allowed: batch 1 (api answers 500) goes on, batch 2 (checkout's body is wrong) stops the rollout.
    run, result = rollout(fleet, rolling_restart_targets=MALL[:6], rolling_restart_http_check=check, rolling_restart_max_failed_targets=1, **RAINBOND)
    assert run.rc != 0
    assert re.search(r'^\[mall\] batch 1/3: http check failed: 1/2 ok; api: HTTP 500 from http://127\.0\.0\.1:\d+/api \(wanted 200\)$',
                     run.stdout, re.M), run.stdout
    assert re.search(r'^\[mall\] batch 2/3: http check failed: 1/2 ok; checkout: HTTP 200 from \S+/checkout, but its body does not match \^ok\$$',
                     run.stdout, re.M), run.stdout
    assert 'batch 3/3' not in run.stdout
    # A failing target is asked 1 + retries times; a passing one once.
    assert web.hits == {'/web': 1, '/api': 2, '/cart': 1, '/checkout': 2}
    assert re.search(r'rolling restart stopped after batch 2 of 3: failed %s \(http check failed: HTTP 500 from \S+ \(wanted 200\)\), %s \(http check failed: '
                     r'HTTP 200 from \S+, but its body does not match \^ok\$\); restarted %s, %s; untouched %s, %s'
                     % (MALL[1], MALL[3], MALL[0], MALL[2], MALL[4], MALL[5]), run.stdout), run.stdout


def test_an_http_check_wants_consecutive_successes(fleet, web):
    # web recovers: a miss, then three in a row. api misses twice between successes: more misses than retries allow.
    web.scripts['/web'] = [(200, 'ok'), (503, 'warming up'), (200, 'ok')]
    web.scripts['/api'] = [(200, 'ok'), (200, 'ok'), (500, 'ok'), (200, 'ok'), (200, 'ok'), (500, 'ok'), (200, 'ok')]
    check = dict(url=web.url + '/{name}', successes=3, retries=1, interval=0.1)
    run, result = rollout(fleet, rolling_restart_targets=MALL[:2], rolling_restart_http_check=check, **RAINBOND)
    assert run.rc != 0
    assert web.hits == {'/web': 5, '/api': 6}
    assert re.search(r'^\[mall\] batch 1/1: http check failed: 1/2 ok; api: HTTP 500 from \S+/api \(wanted 200\)$', run.stdout, re.M), run.stdout
    assert 'rolling restart stopped after batch 1 of 1: failed %s (http check failed: HTTP 500 from ' % MALL[1] in run.stdout
    assert 'restarted %s; untouched none' % MALL[0] in run.stdout


def test_an_http_check_reaches_servicestage_components_at_their_external_access_address(fleet, web):
    # The rolling world with an external access on shop's web and api, at the test's server (the {address} ServiceStage lists).
    with open(ROLLING_WORLD, encoding='utf-8') as handle:
        world = yaml.safe_load(handle)
    world.setdefault('settings', {})['time_factor'] = 0.05
    for component in world['huawei']['servicestage']['applications'][0]['components'][:2]:
        component['external_accesses'] = [dict(protocol='HTTP', address=web.url[len('http://'):], forward_port=8080)]
    fleet.admin('PUT', 'world', json=world)
    check = dict(url='http://{address}/{application}/{name}')
    run, result = rollout(fleet, rolling_restart_platform='servicestage', rolling_restart_application_id=SHOP,
                          rolling_restart_targets=COMPONENTS[:2], rolling_restart_batch_size=2, rolling_restart_http_check=check)
    assert run.rc == 0, run.output
    assert re.search(r'^\[%s\] batch 1/1: http check 2/2 ok$' % SHOP, run.stdout, re.M), run.stdout
    assert web.hits == {'/%s/web' % SHOP: 1, '/%s/api' % SHOP: 1}
    assert sorted(result['restarted']) == COMPONENTS[:2]


def test_an_http_check_verifies_tls_by_default(fleet, tls_web):
    check = dict(url=tls_web.url + '/{name}', retries=0)
    run, result = rollout(fleet, rolling_restart_targets=MALL[:1], rolling_restart_http_check=check, **RAINBOND)
    assert run.rc != 0
    assert re.search(r'web: TLS certificate of https://127\.0\.0\.1:\d+/web not verified \(.*certificate verify failed.*\); give '
                     r'rolling_restart_http_check\.ca_path the CA that signed it, or set validate_certs false', run.stdout), run.stdout
    # The CA that signed it, or no verification, passes.
    for given in (dict(ca_path=tls_web.ca_path), dict(validate_certs=False)):
        fleet.reset()
        run, result = rollout(fleet, rolling_restart_targets=MALL[:1], rolling_restart_http_check=dict(check, **given), **RAINBOND)
        assert run.rc == 0, run.output
        assert '[mall] batch 1/1: http check 1/1 ok' in run.stdout


def test_a_url_with_a_placeholder_the_platform_has_no_value_for_fails_before_anything_is_restarted(fleet, web):
    # Rainbond's listing has no address: {ip} cannot be filled.
    run, result = rollout(fleet, rolling_restart_targets=MALL[:2], rolling_restart_http_check=dict(url='http://{ip}:8080/health'), **RAINBOND)
    assert run.rc != 0 and result is None
    assert 'mall: rolling_restart_http_check.url uses {ip}, but 2 of 2 planned components have none (web, api); use another placeholder' in run.stdout
    assert restarts(fleet) == {} and web.hits == {}


def test_check_mode_says_the_gates_and_waits_for_none(fleet, web):
    run, result = rollout(fleet, check=True, rolling_restart_targets=MALL[:2], rolling_restart_soak_seconds=30,
                          rolling_restart_http_check=dict(url=web.url + '/{name}'), **RAINBOND)
    assert run.rc == 0, run.output
    assert '[mall] gates: soak 30 s, then http check %s/{name} (200, 1 in a row) (not waited in check mode)' % web.url in run.stdout
    assert 'soak passed' not in run.stdout and web.hits == {} and restarts(fleet) == {}
