# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Top-level pytest set-up shared by every test folder (tests/unit, tests/emulator, tests/integration, tests/packaging).

Tests import the collection as ``ansible_collections.paas.ops`` and run ``ansible-playbook``
with ``ANSIBLE_COLLECTIONS_PATH``. ``./scripts/test`` runs them from a copy of the checkout at
``<tmp>/ansible_collections/paas/ops`` with both variables set. When pytest is run straight
from a checkout that is not inside an ``ansible_collections/paas/ops`` directory, this file
links the checkout into a temporary ``ansible_collections`` tree (Python and ansible-core
accept a symlink there; only ansible-test does not) and points both variables at it.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sys
import tempfile

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collections_dir():
    """Return the directory that contains ``ansible_collections/paas/ops`` for this checkout."""
    parts = COLLECTION_ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections'] and parts[-2:] == ['paas', 'ops']:
        return os.sep.join(parts[:-3])
    if importlib.util.find_spec('ansible_collections') is not None:
        # Already set up by the caller (PYTHONPATH); trust it if it resolves to this checkout.
        for entry in sys.path:
            candidate = os.path.join(entry or os.getcwd(), 'ansible_collections', 'paas', 'ops')
            if os.path.isdir(candidate) and os.path.samefile(candidate, COLLECTION_ROOT):
                return entry or os.getcwd()
    tree = tempfile.mkdtemp(prefix='paas-ops-pytest-')
    atexit.register(shutil.rmtree, tree, True)
    os.makedirs(os.path.join(tree, 'ansible_collections', 'paas'))
    os.symlink(COLLECTION_ROOT, os.path.join(tree, 'ansible_collections', 'paas', 'ops'))
    return tree


def _setup():
    collections_dir = _collections_dir()
    if collections_dir not in sys.path:
        sys.path.insert(0, collections_dir)
    # Child processes (ansible-playbook, the emulator) see the same tree, ahead of any other
    # installed copy of paas.ops.
    for variable in ('ANSIBLE_COLLECTIONS_PATH', 'PYTHONPATH'):
        entries = [entry for entry in os.environ.get(variable, '').split(os.pathsep) if entry]
        if collections_dir not in entries:
            os.environ[variable] = os.pathsep.join([collections_dir] + entries)


_setup()

# The emulator fixtures, in one module that every folder's tests see (a pytest_plugins list is only allowed here,
# in a conftest.py pytest loads before it starts collecting). Loaded after _setup(): the module is imported by its
# name in the ansible_collections tree, the one the tests import it by, so that there is a single copy of it.
pytest_plugins = ['ansible_collections.paas.ops.tests.emulator_fixtures', 'ansible_collections.paas.ops.tests.web_fixtures']
