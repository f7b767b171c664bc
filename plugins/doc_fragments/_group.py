# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # The options of the action group that a module accepts only so that one module_defaults group
    # (group/paas.ops.paas) can set them for the modules that use them; _module.GROUP_ARGSPEC lists them.
    # One fragment per option, because each module lacks a different few.
    DOCUMENTATION = r'''
options: {}
notes:
  - Every option that more than one module of the C(group/paas.ops.paas) action group takes is accepted by every module
    of the group, so that C(module_defaults) for the group never fails with "Unsupported parameters". Those this module
    has no use for are listed among its options as ignored.
'''

    ACTION = r'''
options:
  action:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation), M(paas.ops.component_action) and M(paas.ops.instance_action)).
    type: str
'''

    APP_IDS = r'''
options:
  app_ids:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation) and M(paas.ops.app_version)).
    type: list
    elements: str
'''

    APP_NAMES = r'''
options:
  app_names:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation) and M(paas.ops.app_version)).
    type: list
    elements: str
'''

    APPLICATION_ID = r'''
options:
  application_id:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_version), M(paas.ops.batch_restart), M(paas.ops.change_order_info),
        M(paas.ops.component_action), M(paas.ops.instance_action), M(paas.ops.instance_info) and M(paas.ops.rollout)).
    type: str
'''

    APPLICATION_NAME = r'''
options:
  application_name:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_version), M(paas.ops.batch_restart), M(paas.ops.component_action),
        M(paas.ops.instance_action), M(paas.ops.instance_info) and M(paas.ops.rollout)).
    type: str
'''

    AUTO_CONFIRM_BATCHES = r'''
options:
  auto_confirm_batches:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation), M(paas.ops.app_version), M(paas.ops.batch_restart),
        M(paas.ops.instance_action) and M(paas.ops.rollout)).
    type: bool
'''

    COMPONENT_ID = r'''
options:
  component_id:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.batch_restart), M(paas.ops.component_action), M(paas.ops.instance_action),
        M(paas.ops.instance_info) and M(paas.ops.rollout)).
    type: str
'''

    COMPONENT_NAME = r'''
options:
  component_name:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.batch_restart), M(paas.ops.component_action), M(paas.ops.instance_action),
        M(paas.ops.instance_info) and M(paas.ops.rollout)).
    type: str
'''

    COMPONENT_NAMES = r'''
options:
  component_names:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation) and M(paas.ops.app_version)).
    type: list
    elements: str
'''

    HOSTS = r'''
options:
  hosts:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.component_action) and M(paas.ops.instance_action)).
    type: list
    elements: str
'''

    MIN_READY_INSTANCE_RATIO = r'''
options:
  min_ready_instance_ratio:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation), M(paas.ops.app_version) and M(paas.ops.rollout)).
    type: int
'''

    MIN_READY_INSTANCES = r'''
options:
  min_ready_instances:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation), M(paas.ops.app_version) and M(paas.ops.rollout)).
    type: int
'''

    NAMESPACE_ID = r'''
options:
  namespace_id:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation), M(paas.ops.app_version), M(paas.ops.batch_restart),
        M(paas.ops.instance_info) and M(paas.ops.rollout)).
    type: str
'''

    REPLICA = r'''
options:
  replica:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.component_action) and M(paas.ops.instance_action)).
    type: int
'''

    SERVICE_IDS = r'''
options:
  service_ids:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation) and M(paas.ops.app_version)).
    type: list
    elements: str
'''

    VERSION = r'''
options:
  version:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_version), M(paas.ops.component_action), M(paas.ops.instance_action) and
        M(paas.ops.rollout)).
    type: str
'''

    WAIT = r'''
options:
  wait:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation), M(paas.ops.app_version), M(paas.ops.component_action) and
        M(paas.ops.instance_action)).
    type: bool
'''

    WAIT_TIMEOUT = r'''
options:
  wait_timeout:
    description:
      - Ignored by this module. Accepted so that C(module_defaults) for C(group/paas.ops.paas) can set it for the
        modules that use it (M(paas.ops.app_operation), M(paas.ops.app_version), M(paas.ops.change_order_info),
        M(paas.ops.component_action) and M(paas.ops.instance_action)).
    type: int
'''
