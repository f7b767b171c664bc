# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The platform registry: one capability object per platform, and the only place that says what each one has.

An entry (``Platform``) holds its family (auth, error dialect, connection options with their environment fallbacks,
the region option), where its API lives, the kinds of target it acts on with the actions each offers and the
operation that runs them, the options that are its own and hints for those of other platforms, whether it has
change orders, and the factories of its API and its fleet. Modules, their ``platform`` choices, the connection, the
fleets and the docs ask the registry; what only a platform knows (paths, reads, state tables, jobs) stays in its
adapter file. Nothing outside this file and the adapters tests a platform's name or family:
tests/unit/plugins/module_utils/test_platform_registry.py greps for it, and checks the modules' documented choices
against the registry.
"""

from __future__ import annotations

from ansible_collections.paas.ops.plugins.module_utils import _alibaba, _edas, _huawei, _rainbond, _sae, _servicestage
from ansible_collections.paas.ops.plugins.module_utils._action import REPLICA_BOUNDS
from ansible_collections.paas.ops.plugins.module_utils._connection import COMMON_ARGSPEC, Connection
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError


class Family:
    """What the platforms of one vendor share: connection options (``argspec``, env fallbacks included), the option naming
    the region (None: the endpoint is always given), ``client(connection)`` building the authenticated client, and
    ``raw_request(connection, headers, path_params, params)`` filling what a raw ``api_request`` needs (signing headers,
    path values)."""

    def __init__(self, name, argspec, client, region_option=None, raw_request=None, options=()):
        self.name = name
        self.argspec = argspec
        self.client = client
        self.region_option = region_option
        self.raw_request = raw_request or (lambda connection, headers, path_params, params: None)
        # Module options only this family's platforms have (api_request's api_version).
        self.options = tuple(options)


class TargetKind:
    """One kind of target a platform acts on (``application``, ``component``, ``instance``): the actions it offers, the
    operation that runs them (``operate(connection, request)`` -> the module's result, its targets in ``entries``),
    hints for actions it lacks,
    and options it refuses with a reason (``refuses``)."""

    def __init__(self, name, actions, operate, entries=None, hints=None, refuses=None):
        self.name = name
        # The result's list of per-target entries (what diff mode shows by id); None: the result is one target's.
        self.entries = entries
        self.actions = tuple(actions)
        self.operate = operate
        self.hints = dict(hints or {})
        self.refuses = dict(refuses or {})


class Platform:
    """One platform's capabilities (see the module docstring)."""

    def __init__(self, name, title, family, kinds, fleet, api, options=(), endpoint_template=None, endpoint_env=None,
                 endpoint_overrides=None, api_version=None, calls_per_minute=None, change_orders=False, replica_bounds=REPLICA_BOUNDS,
                 job_kind=None, requires=None, deployer=None):
        self.name = name
        self.title = title
        self.family = family
        self.kinds = dict((kind.name, kind) for kind in kinds)
        # fleet(connection, params): the targets a rolling restart or instance_info walks through; api(connection, params).
        self.fleet = fleet
        self.api = api
        # Module options that mean something for this platform (and maybe others) only.
        self.options = tuple(options) + family.options
        self.endpoint_template = endpoint_template
        self.endpoint_env = endpoint_env
        self.endpoint_overrides = dict(endpoint_overrides or {})
        self.api_version = api_version
        # The per-user quota of API calls the client keeps under (SAE: Throttling.User beyond 60 a minute).
        self.calls_per_minute = calls_per_minute
        self.change_orders = change_orders
        # Instance counts a scale may ask for: a count out of them is refused before anything is sent.
        self.replica_bounds = replica_bounds
        # What change_order_info reads: 'job' (ServiceStage jobs), 'change_order' (SAE, EDAS), None (no such reads).
        self.job_kind = job_kind
        # {kind: [option groups]}: options of which one of each group must be given for targets of that kind.
        self.requires = dict(requires or {})
        # deployer(connection, params): the adapter's Deployer (_version.py) of paas.ops.app_version and rolling deploys.
        self.deployer = deployer

    def kind(self, name):
        if name not in self.kinds:
            raise PaasInputError('%s has no %ss' % (self.title, name))
        return self.kinds[name]

    def check_action(self, kind_name, action, params):
        """Refuse, before anything is sent, an action this platform's ``kind_name`` lacks or an option it refuses."""
        kind = self.kind(kind_name)
        if action not in kind.actions:
            hint = kind.hints.get(action, 'its actions are %s' % ', '.join(kind.actions))
            raise PaasInputError('%s %ss cannot be given action=%s: %s' % (self.title, kind_name, action, hint))
        for option, why in sorted(kind.refuses.items()):
            if params.get(option):
                raise PaasInputError(why)


ALIBABA = Family('alibaba', _alibaba.ARGSPEC, _alibaba.client, region_option='alibaba_region_id', raw_request=_alibaba.raw_request,
                 options=('api_version',))
HUAWEI = Family('huawei', _huawei.ARGSPEC, _huawei.client, region_option='huawei_region', raw_request=_huawei.raw_request)
RAINBOND = Family('rainbond', _rainbond.ARGSPEC, _rainbond.client)

# In this order: the modules' platform choices and the "is for ..." lists of refused options follow it.
PLATFORMS = dict((platform.name, platform) for platform in (
    Platform('servicestage', 'ServiceStage', HUAWEI, endpoint_template='https://servicestage.{region}.myhuaweicloud.com',
             kinds=[TargetKind('component', _servicestage.COMPONENT_ACTIONS, _servicestage.operate_component),
                    TargetKind('instance', _servicestage.INSTANCE_ACTIONS, _servicestage.operate_instances, entries='instances')],
             fleet=_servicestage.fleet, api=_servicestage.api, job_kind='job', deployer=_servicestage.deployer,
             # An instance belongs to a component of an application.
             requires={'instance': [('component_id', 'component_name'), ('application_id', 'application_name')]},
             options=('application_name', 'component_id', 'component_name', 'component_ids', 'component_names', 'hosts', 'replica', 'version',
                      'servicestage_api', 'deploy_strategy', 'package_url')),
    Platform('sae', 'SAE', ALIBABA, endpoint_template='https://sae.{region}.aliyuncs.com', api_version='2019-05-06', calls_per_minute=60,
             kinds=[TargetKind('application', _sae.ACTIONS, _sae.operate_applications, entries='applications',
                               hints={'upgrade': 'for a rolling restart of an SAE application use action=restart'}),
                    TargetKind('instance', _sae.INSTANCE_ACTIONS, _sae.operate_instances, entries='instances')],
             fleet=_sae.fleet, api=_sae.api, change_orders=True, job_kind='change_order', deployer=_sae.deployer,
             options=('min_ready_instance_ratio', 'min_ready_instances', 'namespace_id', 'version_id', 'update_strategy', 'package_url',
                      'package_version')),
    Platform('edas', 'EDAS', ALIBABA, endpoint_template='https://edas.{region}.aliyuncs.com', api_version='2017-08-01',
             endpoint_overrides=_edas.ENDPOINT_OVERRIDES,
             kinds=[TargetKind('application', _edas.ACTIONS, _edas.operate_applications, entries='instances',
                               hints={'scale': 'EDAS applications are scaled in the EDAS console or with paas.ops.api_request'},
                               refuses={'app_names': 'EDAS applications are given by id (app_ids)'}),
                    TargetKind('instance', _edas.ACTIONS, _edas.operate_instances, entries='instances')],
             fleet=_edas.fleet, api=_edas.api, change_orders=True, job_kind='change_order', deployer=_edas.deployer,
             options=('ecc_ids', 'group_id', 'batch', 'batch_wait_time', 'package_url', 'package_version')),
    Platform('rainbond', 'Rainbond', RAINBOND, endpoint_env='RAINBOND_URL', replica_bounds=_rainbond.REPLICA_BOUNDS,
             kinds=[TargetKind('application', _rainbond.ACTIONS, _rainbond.operate_applications, entries='components',
                               hints={'restart': 'Rainbond has no restart: action=upgrade rolls the components with their current build'})],
             fleet=_rainbond.fleet, api=_rainbond.api, deployer=_rainbond.deployer, options=('application_name', 'component_names', 'service_ids')),
))

# The platform of the modules that default to one (component_action, instance_action, instance_info, change_order_info):
# ServiceStage, the first they served.
DEFAULT_PLATFORM = 'servicestage'

FAMILIES = dict((platform.family.name, platform.family) for platform in PLATFORMS.values())

# Every module accepts the connection options of every family, so that one module_defaults group holds them all.
CONNECTION_ARGSPEC = dict(COMMON_ARGSPEC)
for _family in FAMILIES.values():
    CONNECTION_ARGSPEC.update(_family.argspec)


def platform(name):
    if name not in PLATFORMS:
        raise PaasInputError('unsupported platform %r; choose one of %s' % (name, ', '.join(sorted(PLATFORMS))))
    return PLATFORMS[name]


def names(kind=None, action=None, change_orders=None, jobs=False, deploys=False):
    """The platforms (in registry order) that have targets of ``kind``, offer ``action`` on them, have change orders, or
    have jobs that change_order_info reads, or deploy versions: what a module's ``platform`` choices and option owners are built from."""
    found = []
    for entry in PLATFORMS.values():
        if kind and kind not in entry.kinds:
            continue
        if action and not (kind and action in entry.kinds[kind].actions):
            continue
        if change_orders is not None and entry.change_orders != change_orders:
            continue
        if jobs and not entry.job_kind:
            continue
        if deploys and not entry.deployer:
            continue
        found.append(entry.name)
    return found


def actions(kind):
    """Every action some platform offers on ``kind`` targets, in a stable order (the module's ``action`` choices)."""
    found = []
    for entry in PLATFORMS.values():
        for action in entry.kinds[kind].actions if kind in entry.kinds else ():
            if action not in found:
                found.append(action)
    return found


def required_if(kind):
    """AnsibleModule ``required_if`` rules for the options each platform requires with targets of ``kind``."""
    return [('platform', entry.name, group, True) for entry in PLATFORMS.values() for group in entry.requires.get(kind, ())]


def platform_options():
    """{option: platforms it is an option of}: an option given with another platform is refused (_module.check_platform_options)."""
    owners = {}
    for entry in PLATFORMS.values():
        for option in entry.options:
            owners.setdefault(option, []).append(entry.name)
    return dict((option, tuple(platforms)) for option, platforms in owners.items())


def connection_for(params, name, warn=None, on_secret=None, session=None):
    """The connection of platform ``name`` with the options ``params``."""
    return Connection(params, platform(name), warn=warn, on_secret=on_secret, session=session)
