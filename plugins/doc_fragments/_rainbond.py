# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # Rainbond credentials. Used only when the module drives Rainbond.
    DOCUMENTATION = r'''
options:
  rainbond_token:
    description:
      - Rainbond access token, created in the console under personal settings, access tokens.
      - Sent as is in the C(Authorization) header.
      - Falls back to E(RAINBOND_TOKEN). The console address is O(endpoint) (or E(RAINBOND_URL)).
    type: str
    aliases: [token]
  team_id:
    description:
      - The Rainbond team of the application, by its ID (32 hex characters) or its name.
      - Required for O(platform=rainbond). Falls back to E(RAINBOND_TEAM).
    type: str
  region_name:
    description:
      - The Rainbond cluster (region) the application runs in. Required for O(platform=rainbond).
      - Falls back to E(RAINBOND_REGION).
    type: str
'''
