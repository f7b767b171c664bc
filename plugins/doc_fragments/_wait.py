# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # Waiting for the platform's asynchronous jobs.
    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Wait until the job the action started has ended, then read the target again and return its final state.
      - A job that ends without success fails the task with the messages of its failed tasks.
      - With V(false) the module returns as soon as the platform has accepted the action, with its job ID.
      - A job already running on the target is waited for before acting, whatever this option says, when it is V(true);
        with V(false) the module fails instead of colliding with it.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait in all, for a job already running on the target and for the job of this action.
      - On timeout the task fails and the result carries the last state observed.
      - At least 1, whatever O(wait) says, since 0 would send the action and report a timeout at once. To not wait, set
        O(wait=false). A smaller value is refused before anything is sent.
    type: int
    default: 600
'''
