# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""What one lifecycle task asks for, as one object every platform's operation takes.

A ``Request`` is built once, from the module options (``Request.from_options``) or by a rolling restart for one batch,
and then passed down unchanged: the action and its parameters, which targets, whether to wait, the one ``Deadline`` that
every wait of the task shares (the work already in flight, then our own), whether batches are confirmed, and check mode.
What a rolling restart listed just before, an adapter reuses from its own reads (``AlibabaApi``, ``Rainbond``).
"""

from __future__ import annotations

from ansible_collections.paas.ops.plugins.module_utils._action import Deadline

# Options that are an action's parameters, as the module names them; the adapter reads those its platform sends.
PARAMETER_OPTIONS = ('replica', 'replicas', 'hosts', 'version', 'version_id', 'min_ready_instances', 'min_ready_instance_ratio')
# Options that say which targets: applications, components, instances of one platform or another.
TARGET_OPTIONS = ('app_ids', 'app_names', 'namespace_id', 'ecc_ids', 'service_ids', 'component_names', 'application_id',
                  'application_name', 'component_id', 'component_name', 'instance_ids')


class Request:
    """One lifecycle task: ``action`` with ``parameters`` on ``targets`` (selection options by name)."""

    def __init__(self, action, parameters=None, targets=None, wait=True, deadline=None, auto_confirm=False, check_mode=False,
                 concurrency=None):
        self.action = action
        self.parameters = dict(parameters or {})
        self.targets = dict(targets or {})
        self.wait = wait
        self.deadline = deadline if deadline is not None else Deadline(600)
        self.auto_confirm = auto_confirm
        self.check_mode = check_mode
        self.concurrency = concurrency

    @classmethod
    def from_options(cls, params, check_mode):
        """The request the module options describe (options a module does not have are absent, hence None)."""
        return cls(params['action'], parameters=dict((name, params[name]) for name in PARAMETER_OPTIONS if params.get(name) is not None),
                   targets=dict((name, params.get(name)) for name in TARGET_OPTIONS), wait=params.get('wait', True),
                   deadline=Deadline(params.get('wait_timeout') or 600), auto_confirm=bool(params.get('auto_confirm_batches')),
                   check_mode=check_mode, concurrency=params.get('concurrency'))

    def target(self, name):
        return self.targets.get(name)

    def parameter(self, name):
        return self.parameters.get(name)
