# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Lists past one page, as users meet them: instance_info and a rolling restart over a 2,500-component ServiceStage
application and a 1,200-instance SAE application, real ansible against the emulator, which pages as the platforms do
(ServiceStage answers at most 1,000 records to a list call without ``limit``, and at most 100 a page with it)."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.paas.ops.tests.emulator.test_emulator_alibaba import sae, sae_data
from ansible_collections.paas.ops.tests.emulator.test_emulator_servicestage import call, ok
from ansible_collections.paas.ops.tests.emulator_fixtures import EmulatorProcess
from ansible_collections.paas.ops.tests.integration.ansible_cli import demo_world, run_module
from ansible_collections.paas.ops.tests.integration.rolling_world import ROLLING_WORLD, rollout

BIG_APPLICATION = '55b16000-0000-4000-8000-000000000001'
BIG_COMPONENTS = ['55b1c000-0000-4000-8000-%012d' % n for n in range(1, 2501)]
BIG_SAE_APP = '5aeb1600-0000-4000-8000-000000000001'
BIG_SAE_INSTANCES = ['big-%04d' % n for n in range(1, 1201)]
ENVIRONMENT = '3c9a5e7b-1d2f-4a6b-8c0d-0000000000e1'
PROJECT = '0123456789abcdef0123456789abcdef'
DEMO = demo_world()
HUAWEI = dict(huawei_region=DEMO['huawei']['region'], huawei_access_key=DEMO['huawei']['access_key'],
              huawei_secret_key=DEMO['huawei']['secret_key'], huawei_project_id=PROJECT)
ALIBABA = dict(alibaba_region_id=DEMO['alibaba']['region'], alibaba_access_key_id=DEMO['alibaba']['access_key_id'],
               alibaba_access_key_secret=DEMO['alibaba']['access_key_secret'])


def big_world(path):
    """The rolling world with one more ServiceStage application of 2,500 components and one more SAE application of 1,200 instances."""
    with open(ROLLING_WORLD, encoding='utf-8') as handle:
        world = yaml.safe_load(handle)
    world['huawei']['servicestage']['applications'].append(dict(
        id=BIG_APPLICATION, name='big', project_id=PROJECT,
        components=[dict(id=component_id, name='big-%04d' % n, environment_id=ENVIRONMENT) for n, component_id in enumerate(BIG_COMPONENTS, 1)]))
    world['alibaba']['sae']['namespaces'][0]['applications'].append(dict(
        id=BIG_SAE_APP, name='big', replicas=len(BIG_SAE_INSTANCES), version_id='5aebf000-0000-4000-8000-000000000001',
        versions=[dict(id='5aebf000-0000-4000-8000-000000000001', type='image', image_url='registry.cn-hangzhou.aliyuncs.com/rolling/big:1.0.0')],
        instances=[dict(id=instance_id, ip='10.30.%d.%d' % (n // 250, n % 250 + 1)) for n, instance_id in enumerate(BIG_SAE_INSTANCES)]))
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(world, handle, sort_keys=False)
    return path


@pytest.fixture(scope='module')
def big(tmp_path_factory):
    """One emulator of the big world for this module (time factor 0.05); metrics cleared before each test by ``paged``."""
    world = big_world(str(tmp_path_factory.mktemp('big-world') / 'big.yml'))
    with EmulatorProcess(world=world, time_factor=0.05) as process:
        yield process


@pytest.fixture
def paged(big):  # pylint: disable=redefined-outer-name
    big.reset()
    yield big
    big.reset()


def requests_of(emulator, operation):
    return emulator.metrics()['requests'].get(operation, 0)


def test_the_emulator_pages_servicestage_as_the_platform_does(paged):  # pylint: disable=redefined-outer-name
    """Without a limit at most 1,000 records; a limit of 0 to 100 and an offset page; count is the total on every page."""
    path = '/applications/%s/components' % BIG_APPLICATION
    unpaged = ok(call(paged, 'GET', path))
    assert unpaged['count'] == 2500 and [c['id'] for c in unpaged['components']] == BIG_COMPONENTS[:1000]
    page = ok(call(paged, 'GET', path, query={'limit': '100', 'offset': '2450'}))
    assert page['count'] == 2500 and [c['id'] for c in page['components']] == BIG_COMPONENTS[2450:]
    for bad in ({'limit': '101'}, {'limit': '-1'}, {'limit': 'ten'}, {'offset': '-1'}):
        refused = call(paged, 'GET', path, query=bad)
        assert refused.status_code == 400 and refused.json()['error_code'] == 'SVCSTG.00100400', (bad, refused.text)


def test_the_emulator_pages_sae_as_the_platform_does(paged):  # pylint: disable=redefined-outer-name
    """DescribeApplicationInstances: default page size 10, TotalSize the total; ListApplications at most 10,000 a page and its
    paging fields at the top level too; DescribeApplicationGroups paged, with no total."""
    first = sae_data(sae(paged, 'GET', 'app/describeApplicationInstances', 'DescribeApplicationInstances', AppId=BIG_SAE_APP,
                         GroupId=BIG_SAE_APP + '-group'))
    assert (first['CurrentPage'], first['PageSize'], first['TotalSize'], len(first['Instances'])) == (1, 10, 1200, 10)
    last = sae_data(sae(paged, 'GET', 'app/describeApplicationInstances', 'DescribeApplicationInstances', AppId=BIG_SAE_APP,
                        GroupId=BIG_SAE_APP + '-group', CurrentPage='3', PageSize='500'))
    assert [i['InstanceId'] for i in last['Instances']] == BIG_SAE_INSTANCES[1000:]
    listed = sae(paged, 'GET', 'app/listApplications', 'ListApplications', NamespaceId='cn-hangzhou:rolling', PageSize='3')
    body = listed.json()
    assert (body['CurrentPage'], body['PageSize'], body['TotalSize']) == (1, 3, 8) and len(body['Data']['Applications']) == 3
    too_big = sae(paged, 'GET', 'app/listApplications', 'ListApplications', NamespaceId='cn-hangzhou:rolling', PageSize='10001')
    assert (too_big.status_code, too_big.json()['Code'], too_big.json()['ErrorCode']) == (400, '400', 'InvalidParameter.WithMessage'), \
        too_big.text
    groups = sae_data(sae(paged, 'GET', 'app/describeApplicationGroups', 'DescribeApplicationGroups', AppId=BIG_SAE_APP, PageSize='1'))
    assert isinstance(groups, list) and len(groups) == 1
    assert sae_data(sae(paged, 'GET', 'app/describeApplicationGroups', 'DescribeApplicationGroups', AppId=BIG_SAE_APP,
                        CurrentPage='2', PageSize='1')) == []


def test_instance_info_lists_every_one_of_2500_servicestage_components_once(paged):  # pylint: disable=redefined-outer-name
    run = run_module('paas.ops.instance_info', dict(platform='servicestage', application_id=BIG_APPLICATION, endpoint=paged.url, **HUAWEI))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    ids = [target['id'] for target in result['instances']]
    assert result['count'] == 2500 and len(ids) == 2500 and set(ids) == set(BIG_COMPONENTS)
    # 25 pages of 100, each read once.
    assert requests_of(paged, 'servicestage:ShowComponentsInApplication') == 25


def test_instance_info_finds_an_application_by_name_past_the_first_page_of_components(paged):  # pylint: disable=redefined-outer-name
    """component_name resolves over every page: the last component is on the 25th."""
    run = run_module('paas.ops.instance_info', dict(platform='servicestage', application_name='big', component_name='big-2500',
                                                    endpoint=paged.url, **HUAWEI))
    assert run.rc == 0, run.output
    assert [target['component_id'] for target in run.adhoc_result()['instances']] == [BIG_COMPONENTS[-1]]


def test_instance_info_lists_every_one_of_1200_sae_instances_once(paged):  # pylint: disable=redefined-outer-name
    run = run_module('paas.ops.instance_info', dict(platform='sae', application_id=BIG_SAE_APP, endpoint=paged.url, **ALIBABA))
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    ids = [target['id'] for target in result['instances']]
    assert result['count'] == 1200 and len(ids) == 1200 and set(ids) == set(BIG_SAE_INSTANCES)
    # One group (a short first page ends DescribeApplicationGroups, which has no total), then pages of 1,000 instances.
    assert requests_of(paged, 'sae:DescribeApplicationGroups') == 1
    assert requests_of(paged, 'sae:DescribeApplicationInstances') == 2


def test_a_rolling_restart_in_check_mode_plans_all_2500_servicestage_components(paged):  # pylint: disable=redefined-outer-name
    run, result = rollout(paged, check=True, rolling_restart_platform='servicestage', rolling_restart_application_id=BIG_APPLICATION,
                          rolling_restart_batch_size=500, rolling_restart_max_unavailable=500)
    assert run.rc == 0, run.output
    assert 'plan: 2500 of 2500 components in 5 batches (500, 500, 500, 500, 500)' in run.stdout
    planned = [target for batch in result['batches'] for target in batch['targets']]
    assert int(result['planned']) == 2500 and len(planned) == 2500 and set(planned) == set(BIG_COMPONENTS)
    assert paged.metrics()['actions'] == []
