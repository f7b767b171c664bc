# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Local, stateful emulator of the Rainbond, Alibaba Cloud SAE/EDAS and Huawei Cloud ServiceStage APIs.

It plays the cloud for the collection's tests and demo: it verifies credentials with its own
server-side code (never the collection's signers), keeps a world of applications whose states
change through an asynchronous job engine, and offers an admin API under ``/_emulator/``.
"""

from __future__ import annotations

__version__ = "1.0.0"
