# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""EdasDeployer over a faked network: the scope it reads (every page of ListApplication), what it says an application runs,
what it refuses before sending, and the exact co_deploy and co_rollback it sends."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.paas.ops.plugins.module_utils import _edas
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._version import VersionSpec
from ansible_collections.paas.ops.tests.unit.fakes import FakeResponse, RoutedSession, make_connection

SPEC = VersionSpec(package_url='https://oss.example.com/orders-1.8.0.jar', package_version='1.8.0')


def edas(**payload):
    return FakeResponse(200, dict({'Code': 200, 'Message': 'success', 'RequestId': 'r'}, **payload))


def by_app(answers):
    """A reply chosen by the AppId of the request."""
    def reply(method, url):
        return answers[parse_qs(urlsplit(url).query)['AppId'][0]]
    return reply


def status(app_id, *eccs, dockerize=False):
    """QueryApplicationStatus with ``eccs`` as (AppState, GroupId)."""
    return edas(AppInfo={'Application': {'ApplicationId': app_id, 'Name': 'app-' + app_id, 'Dockerize': dockerize},
                         'EccList': {'Ecc': [{'EccId': '%s-ecc-%d' % (app_id, n), 'AppState': state, 'TaskState': 2, 'GroupId': group}
                                             for n, (state, group) in enumerate(eccs, 1)]}})


def groups(*entries):
    """ListDeployGroup with ``entries`` as (GroupId, PackageVersion)."""
    return edas(DeployGroupList={'DeployGroup': [{'GroupId': group, 'GroupName': 'name-' + group, 'PackageVersion': version,
                                                  'PackageUrl': 'https://oss.example.com/orders-%s.jar' % version if version else ''}
                                                 for group, version in entries]})


NO_ORDERS = edas(ChangeOrderList={'ChangeOrder': []})


def deployer(routes, **options):
    session = RoutedSession(routes)
    params = dict(app_ids=None, group_id='all', batch=1, batch_wait_time=0, auto_confirm_batches=False)
    params.update(options)
    connection = make_connection('edas', session=session, endpoint='http://emu', alibaba_access_key_id='ak', alibaba_access_key_secret='secret',
                                 alibaba_region_id='cn-hangzhou')
    return _edas.deployer(connection, params), session


def calls(session, action):
    return [dict((key, values[0]) for key, values in parse_qs(urlsplit(call['url']).query).items())
            for call in session.calls if call['headers'].get('x-acs-action') == action]


def one_app(status_reply=None, groups_reply=None, **options):
    return deployer({('GET', 'app_status$'): [status_reply or status('a1', (7, 'g1'), (7, 'g1'))],
                     ('POST', 'deploy_group_list$'): [groups_reply or groups(('g1', '1.7.2'))],
                     ('POST', 'change_order_list$'): [NO_ORDERS],
                     ('POST', 'co_deploy$'): [edas(ChangeOrderId='co-1')], ('POST', 'co_rollback$'): [edas(ChangeOrderId='co-2')],
                     ('GET', 'deploy_history_version_list$'): [edas(PackageVersionList={'PackageVersion': [
                         {'Id': 'v2', 'PackageVersion': '1.8.0'}, {'Id': 'v1', 'PackageVersion': '1.7.2'}]})]},
                    app_ids=['a1'], **options)


def test_without_app_ids_every_application_of_the_region_is_read_page_by_page():
    apps = [{'AppId': 'a%02d' % n, 'ClusterType': 2} for n in range(25)]

    def page(method, url):
        query = parse_qs(urlsplit(url).query)
        number, size = int(query['CurrentPage'][0]), int(query['PageSize'][0])
        return edas(ApplicationList={'Application': apps[(number - 1) * size:number * size]})
    target, session = deployer({('POST', 'app_list$'): [page], ('GET', 'app_status$'): [lambda method, url: status('x', (7, 'g1'))],
                                ('POST', 'deploy_group_list$'): [groups(('g1', '1.7.2'))], ('POST', 'change_order_list$'): [NO_ORDERS]})
    views = target.targets()
    assert [view['id'] for view in views] == [app['AppId'] for app in apps]
    # No total: the short second page ends the list. Each list read is a read, not an action.
    assert [(query['CurrentPage'], query['PageSize']) for query in calls(session, 'ListApplication')] == [('1', '20'), ('2', '20')]
    assert target.requests == []


def test_an_application_runs_the_version_every_chosen_group_reports():
    target, dummy = one_app(groups_reply=groups(('g1', '1.8.0'), ('g2', '1.7.2')),
                            status_reply=status('a1', (7, 'g1'), (3, 'g2'), (1, 'g2')))
    (view,) = target.targets()
    # Groups on different versions run none of them as a whole; the state is every ECC's.
    assert view['deployed'] == dict(image=None, package_url=None, package_version=None, version=None)
    assert (view['state'], view['raw_state'], view['health'], view['busy']) == ('degraded', '2/3 running', 'unhealthy', None)
    assert not target.on_version(view, SPEC)

    canary, dummy = one_app(groups_reply=groups(('g1', '1.8.0'), ('g2', '1.7.2')), status_reply=status('a1', (7, 'g1'), (3, 'g2')), group_id='g1')
    (view,) = canary.targets()
    assert view['deployed']['package_version'] == '1.8.0' and canary.on_version(view, SPEC)
    # Only the chosen group's ECCs count: its one ECC runs healthy.
    assert (view['state'], view['raw_state'], view['health']) == ('running', '1/1 running', 'healthy') and canary.ready(view, SPEC) is None
    # The version says it, not the URL (a group may report EDAS's copy of the package).
    assert canary.on_version(view, VersionSpec(package_url='https://elsewhere/orders.jar', package_version='1.8.0'))


@pytest.mark.parametrize('spec, options, message', [
    (VersionSpec(image='registry.example.com/orders:1.8.0'), {}, 'EDAS deploys packages here'),
    (VersionSpec(package_version='1.8.0'), {}, 'give package_url and package_version'),
    (VersionSpec(package_url='https://oss.example.com/a.jar', package_version='v' * 65), {}, 'at most 64 characters long; package_version has 65'),
    (SPEC, dict(batch=0), 'batch is the number of batches per deploy group'),
    (SPEC, dict(batch_wait_time=6), 'batch_wait_time is in minutes, 0 to 5, not 6'),
])
def test_what_cannot_be_deployed_is_refused_from_the_options_alone(spec, options, message):
    target, session = one_app(**options)
    with pytest.raises(PaasInputError, match=message):
        target.check(spec)
    assert session.calls == []


def test_a_group_it_lacks_a_kubernetes_or_docker_application_are_refused_before_sending():
    unknown, dummy = one_app(group_id='g9')
    with pytest.raises(PaasInputError, match=r'application app-a1 has no deploy group g9 \(its groups: g1 \(name-g1\)\)'):
        unknown.refuse(unknown.targets()[0], SPEC)
    docker, dummy = one_app(status_reply=status('a1', (7, 'g1'), dockerize=True))
    with pytest.raises(PaasInputError, match='is a Docker application'):
        docker.refuse(docker.targets()[0], SPEC)
    target, session = deployer({('POST', 'app_list$'): [edas(ApplicationList={'Application': [{'AppId': 'k1', 'ClusterType': 5}]})],
                                ('GET', 'app_status$'): [status('k1', (7, 'g1'))], ('POST', 'deploy_group_list$'): [groups(('g1', '1.0'))],
                                ('POST', 'change_order_list$'): [NO_ORDERS]})
    with pytest.raises(PaasInputError, match=r'is in a Kubernetes cluster \(ClusterType 5\): EDAS deploys it with DeployK8sApplication'):
        target.refuse(target.targets()[0], SPEC)
    assert calls(session, 'DeployApplication') == []


@pytest.mark.parametrize('auto_confirm, release_type', [(False, '0'), (True, '1')])
def test_the_deploy_is_one_co_deploy_with_every_option_in_the_query(auto_confirm, release_type):
    target, session = one_app(group_id='g1', batch=3, batch_wait_time=2, auto_confirm_batches=auto_confirm)
    (view,) = target.targets()
    handles = target.send([view], SPEC)
    assert handles == {'a1': dict(kind='change_order', id='co-1', request_id='r')}
    (query,) = calls(session, 'DeployApplication')
    assert query == {'AppId': 'a1', 'GroupId': 'g1', 'DeployType': 'url', 'WarUrl': SPEC.package_url, 'PackageVersion': '1.8.0', 'Batch': '3',
                     'BatchWaitTime': '2', 'ReleaseType': release_type}
    assert [request['operation'] for request in target.requests] == ['DeployApplication']


def test_the_rollback_is_co_rollback_to_the_history_version_the_groups_ran():
    target, session = one_app(batch=8, batch_wait_time=1)
    before = target.targets()[0]
    handle = target.rollback(before, None, False)
    assert handle['id'] == 'co-2'
    (query,) = calls(session, 'RollbackApplication')
    # co_rollback takes at most 5 batches.
    assert query == {'AppId': 'a1', 'GroupId': 'all', 'HistoryVersion': '1.7.2', 'Batch': '5', 'BatchWaitTime': '1'}
    assert len(calls(session, 'ListHistoryDeployVersion')) == 1


def test_no_rollback_is_sent_without_one_version_in_the_history_to_go_back_to():
    mixed, session = one_app(groups_reply=groups(('g1', '1.8.0'), ('g2', '1.7.2')))
    with pytest.raises(PaasError, match=r'ran no single package version before \(group name-g1 on 1.8.0, group name-g2 on 1.7.2\)'):
        mixed.rollback_order(mixed.targets()[0])
    forgotten, session = one_app(groups_reply=groups(('g1', '1.6.0')))
    with pytest.raises(PaasError, match='has no package version 1.6.0 in its deploy history'):
        forgotten.rollback_order(forgotten.targets()[0])
    assert calls(session, 'RollbackApplication') == []
