# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The base every paas.ops module is built on.

``PaasModule`` merges the module's own options with the shared connection options, checks that
``requests`` is importable, refuses before anything is sent what cannot be right (bounds, options of another
platform), builds the platform's client, and maps every ``PaasError`` to one ``fail_json`` with the platform's
status, code, message and request id.  Modules stay a thin, declarative mapping from options to a call.

Options shared by the action group: ``module_defaults: {group/paas.ops.paas: ...}`` hands every option in it to every
module of the group, and a module without that option fails with "Unsupported parameters". So every option that more
than one module takes (``GROUP_ARGSPEC``) is accepted by every module; a module that has no use for one accepts it and
ignores it (documented by the ``paas.ops._group`` fragment). tests/unit/plugins/modules/test_module_defaults.py fails
when a new shared option is missing somewhere.
"""

from __future__ import annotations

import math
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._action import diff_of
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasBatchError, PaasError, PaasInputError, redact
from ansible_collections.paas.ops.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Request
from ansible_collections.paas.ops.plugins.module_utils._platform import CONNECTION_ARGSPEC


# Every option more than one module of the group takes, as a module that ignores it accepts it (no default: it is unused).
# A module that uses one declares it itself, with its own default and choices, and that declaration wins.
GROUP_ARGSPEC = dict(
    action=dict(type='str'),
    app_ids=dict(type='list', elements='str'),
    app_names=dict(type='list', elements='str'),
    application_id=dict(type='str'),
    application_name=dict(type='str'),
    auto_confirm_batches=dict(type='bool'),
    component_id=dict(type='str'),
    component_name=dict(type='str'),
    component_names=dict(type='list', elements='str'),
    hosts=dict(type='list', elements='str'),
    min_ready_instance_ratio=dict(type='int'),
    min_ready_instances=dict(type='int'),
    namespace_id=dict(type='str'),
    replica=dict(type='int'),
    service_ids=dict(type='list', elements='str'),
    version=dict(type='str'),
    wait=dict(type='bool'),
    wait_timeout=dict(type='int'),
)

# Module options that mean something for some platforms only (each platform's entry in the registry names its own).
# Given (not at its default) with another platform, such an option is refused, the same way by every module, rather than
# ignored: a task that names a component of an SAE application, say, was meant for another platform. A module adds its
# own entries (``platform_options``) where one of its options has a narrower meaning than elsewhere. Behaviour settings
# (wait, auto_confirm_batches) are not here: a module_defaults group sets them for tasks of every platform.
PLATFORM_OPTIONS = registry.platform_options()

REPLICA_OPTIONS = ('replica', 'replicas')

# Lower bounds of numeric options: (minimum, whether the minimum itself is allowed, why). A wait_timeout of 0 would send
# the action and then report a timeout at once; with wait=false nothing is waited for, so 0 has no use there either.
_MINIMUMS = {
    'timeout': (0, False, 'seconds to wait for each HTTP response'),
    'retries': (0, True, 'how many times a read is retried; 0 for none'),
    'wait_timeout': (1, True, 'seconds to wait for the job; to not wait at all, set wait=false'),
    'batch_timeout': (1, True, 'seconds to wait for each batch'),
}


def check_bounds(params, names):
    """Refuse numeric options out of range (among ``names``, the options the module uses) before anything is sent."""
    for name in sorted(set(names) & set(_MINIMUMS)):
        value = params.get(name)
        if value is None:
            continue
        minimum, inclusive, meaning = _MINIMUMS[name]
        if (isinstance(value, float) and not math.isfinite(value)) or value < minimum or (value == minimum and not inclusive):
            raise PaasInputError('%s must be %s %s (%s), got %s' % (name, 'at least' if inclusive else 'more than', minimum, meaning, value))
    platform = params.get('platform')
    if platform in registry.PLATFORMS and params.get('action') == 'scale':
        low, high = registry.PLATFORMS[platform].replica_bounds
        for name in REPLICA_OPTIONS:
            if name in names and params.get(name) is not None and not low <= params[name] <= high:
                raise PaasInputError('%s: platform=%s scales to %d to %d instances, got %s%s' % (
                    name, platform, low, high, params[name], ' (use action=stop to run none)' if low > 0 and params[name] == 0 else ''))


def check_platform_options(params, spec, platform_options=None):
    """Refuse the options of ``spec`` that are set although they belong to other platforms than ``params['platform']``."""
    table = dict(PLATFORM_OPTIONS, **(platform_options or {}))
    platform = params.get('platform')
    misplaced = sorted(name for name, platforms in table.items()
                       if name in spec and platform not in platforms and params.get(name) not in (None, spec[name].get('default')))
    if misplaced:
        raise PaasInputError('%s: not options of platform=%s (%s)' % (', '.join(misplaced), platform, '; '.join(
            '%s is for %s' % (name, ', '.join(table[name])) for name in misplaced)))


class PaasModule:

    def __init__(self, argument_spec, platform_options=None, **kwargs):
        spec = dict(CONNECTION_ARGSPEC)
        # The group's shared options this module has no use for: accepted, so that module_defaults can hold them, and ignored.
        self.ignored = sorted(set(GROUP_ARGSPEC) - set(argument_spec))
        spec.update((name, GROUP_ARGSPEC[name]) for name in self.ignored)
        spec.update(argument_spec)
        self._own_options = set(argument_spec)
        self._platform_options = platform_options
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self._connection = None

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff

    @property
    def platform(self):
        """The registry entry of the platform the task drives."""
        return registry.platform(self.params['platform'])

    def connection(self):
        if self._connection is None:
            self._connection = registry.connection_for(self.params, self.params['platform'], warn=self.module.warn, on_secret=self._register_secret)
        return self._connection

    def lifecycle(self, kind, **extra):
        """Run the task's action on the targets of ``kind`` with the platform's operation; the module's result (with the diff
        of every target in diff mode, a failed batch's too)."""
        operate = self.platform.kind(kind).operate
        request = Request.from_options(self.params, self.check_mode)
        try:
            result = operate(self.connection(), request)
        except PaasBatchError as error:
            self._add_diff(error.result, kind)
            raise
        result.update(extra)
        self._add_diff(result, kind)
        return result

    def _add_diff(self, result, kind):
        if not self.diff_mode or not result:
            return
        entries = self.platform.kind(kind).entries
        result['diff'] = diff_of(result[entries]) if entries else dict(before=result['before'], after=result['after'])

    def _register_secret(self, value):
        # Secrets obtained at run time (IAM tokens) are masked in every output like no_log options.
        if value:
            self.module.no_log_values.add(value)

    def _secrets(self):
        return [value for value in self.module.no_log_values if isinstance(value, str)]

    def check_inputs(self):
        """Everything that can be refused from the options alone, before any request is built."""
        params = self.params
        own = {name: spec for name, spec in self.module.argument_spec.items() if name in self._own_options}
        check_bounds(params, set(own) | set(CONNECTION_ARGSPEC))
        if 'platform' in own:
            check_platform_options(params, own, self._platform_options)

    def run(self, operation):
        """Call ``operation(self)`` and exit with its result dict, or fail cleanly."""
        if not self.params.get('validate_certs', True):
            # As ansible.builtin.uri does: the result says that TLS was not verified, whatever else happens.
            self.module.warn('validate_certs=false: the TLS certificate of the server is not verified, so anyone on the network path '
                             'can read or alter the requests, credentials included; use it only against a test server you control, '
                             'or give the server\'s CA with ca_path instead')
        try:
            self.check_inputs()
            result = operation(self)
        except PaasError as error:
            error.redacted(self._secrets())
            self.module.fail_json(**error.to_fail_kwargs())
        except Exception as error:  # pylint: disable=broad-except
            # A bug, not a platform answer: still a clear message; the traceback only with -vvv.
            self.module.fail_json(msg=redact('unexpected %s in paas.ops: %s' % (type(error).__name__, error), self._secrets()),
                                  exception=redact(traceback.format_exc(), self._secrets()))
        self.module.exit_json(**result)
