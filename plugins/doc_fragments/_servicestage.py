# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # How a ServiceStage application is named in a task (ids or names).
    DOCUMENTATION = r'''
options:
  application_id:
    description:
      - ID of the application. For ServiceStage one of O(application_id) and O(application_name) is required; SAE and EDAS
        applications are given by ID; a Rainbond application (in M(paas.ops.instance_info)) by its integer ID or its name.
    type: str
  application_name:
    description:
      - Name of the ServiceStage (or Rainbond) application, resolved to its ID through the application list.
      - Refused with the other platforms, whose applications are given by ID.
    type: str
'''

    # ... and the component an action acts on.
    COMPONENT = r'''
options:
  component_id:
    description:
      - ID of the ServiceStage component. One of O(component_id) and O(component_name) is required for ServiceStage.
    type: str
  component_name:
    description:
      - Name of the component in the application, resolved to its ID through the component list.
      - O(component_id) and O(component_name) are ServiceStage options; given with another platform, they are refused.
    type: str
'''
