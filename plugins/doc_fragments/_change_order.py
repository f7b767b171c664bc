# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # Alibaba Cloud change orders that wait for a person between batches.
    DOCUMENTATION = r'''
options:
  auto_confirm_batches:
    description:
      - Confirm the next batch of a change order that waits for manual confirmation (SAE C(ConfirmPipelineBatch),
        EDAS C(ContinuePipeline)) and keep waiting.
      - With V(false), a change order that waits for confirmation, or for approval, ends the wait at once and fails the
        task with a message naming the change order, instead of hanging until O(wait_timeout).
    type: bool
    default: false
'''
