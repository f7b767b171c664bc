# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # Where a Rainbond application lives: every Rainbond API path starts with its team and region.
    DOCUMENTATION = r'''
options:
  team_id:
    description:
      - For O(platform=rainbond), the team of the application, by its ID (32 hex characters) or its name. Required there.
    type: str
  region_name:
    description:
      - For O(platform=rainbond), the cluster (region) the application runs in, for example C(rainbond). Required there.
    type: str
'''
