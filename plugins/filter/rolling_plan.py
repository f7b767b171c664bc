# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The batch plan of a rolling restart: which targets go in which batch, which are skipped and why.

Pure logic on the controller (no API call): it takes what ``paas.ops.instance_info`` listed. The planner lives in
plugin_utils/_plan.py, where the ``paas.ops.rollout`` engine plans with it too.
Documentation: rolling_plan.yml beside this file.
"""

from __future__ import annotations

from ansible_collections.paas.ops.plugins.plugin_utils._plan import rolling_plan


class FilterModule:

    def filters(self):
        return {'rolling_plan': rolling_plan}
