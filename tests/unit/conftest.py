# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Set-up shared by the unit tests."""

from __future__ import annotations

import tempfile

import pytest

from ansible_collections.paas.ops.tests.unit.fakes import make_connection


@pytest.fixture(autouse=True)
def private_call_budgets(tmp_path, monkeypatch):
    """Each test gets its own temporary directory, so its own SAE call budget ledger (``_retry.CallBudget``).

    The ledger is shared by every process of the user with the same endpoint and AccessKey; without this,
    the fake SAE calls of all tests (and of every other run on the machine) would add up to the real
    60 calls a minute and the tests would sleep for the quota.
    """
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))


@pytest.fixture
def connection():
    """``connection(platform, session=None, warn=None, on_secret=None, **options)`` -> a ``_connection.Connection``.

    The options not given have their argspec defaults; ``session`` is the fake network (``fakes.FakeSession``).
    Helpers outside a test, which cannot ask for a fixture, call ``fakes.make_connection`` itself.
    """
    return make_connection
