# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The base every paas.ops module is built on.

``PaasModule`` merges the module's own options with the shared connection options, checks that
``requests`` is importable, builds the platform's client, and maps every ``PaasError`` to one
``fail_json`` with the platform's status, code, message and request id.  Modules stay a thin,
declarative mapping from options to a call.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.paas.ops.plugins.module_utils._connection import CONNECTION_ARGSPEC, Connection
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, redact
from ansible_collections.paas.ops.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR


class PaasModule:

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self._connections = {}

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def diff_mode(self):
        return self.module._diff

    def connection(self, platform=None):
        platform = platform or self.params['platform']
        if platform not in self._connections:
            self._connections[platform] = Connection(self.params, platform, warn=self.module.warn, on_secret=self._register_secret)
        return self._connections[platform]

    def _register_secret(self, value):
        # Secrets obtained at run time (IAM tokens) are masked in every output like no_log options.
        if value:
            self.module.no_log_values.add(value)

    def _secrets(self):
        return [value for value in self.module.no_log_values if isinstance(value, str)]

    def run(self, operation):
        """Call ``operation(self)`` and exit with its result dict, or fail cleanly."""
        try:
            result = operation(self)
        except PaasError as error:
            error.redacted(self._secrets())
            self.module.fail_json(**error.to_fail_kwargs())
        except Exception as error:  # pylint: disable=broad-except
            # A bug, not a platform answer: still a clear message; the traceback only with -vvv.
            self.module.fail_json(msg=redact('unexpected %s in paas.ops: %s' % (type(error).__name__, error), self._secrets()),
                                  exception=redact(traceback.format_exc(), self._secrets()))
        self.module.exit_json(**result)
