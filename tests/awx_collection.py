# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The awx.awx collection, for extensions/awx/register_credential_types.yml: ansible-lint's syntax-check must resolve its
module, and a test runs the playbook against a fake controller.

No Galaxy server is reachable here, only the package registries: awx.awx comes from the ``ansible`` community package on
PyPI, downloaded (``pip download --no-deps``) and only ``ansible_collections/awx/awx`` unpacked, nothing installed.

    python tests/awx_collection.py DIR     # DIR/ansible_collections/awx/awx, reused when already there
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import tempfile
import zipfile

ANSIBLE_PACKAGE = 'ansible==12.3.0'
AWX_COLLECTION_VERSION = '24.6.1'


def awx_collection(directory):
    """``directory`` holding ansible_collections/awx/awx at AWX_COLLECTION_VERSION; downloads it when missing."""
    manifest = os.path.join(directory, 'ansible_collections', 'awx', 'awx', 'MANIFEST.json')
    if not os.path.isfile(manifest):
        with tempfile.TemporaryDirectory(prefix='paas-ops-ansible-wheel-') as download:
            command = [sys.executable, '-m', 'pip', 'download', '--no-deps', '--disable-pip-version-check', '--quiet', '-d', download,
                       ANSIBLE_PACKAGE]
            completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
            if completed.returncode != 0:
                raise RuntimeError('pip download %s failed: %s' % (ANSIBLE_PACKAGE, completed.stderr[-2000:]))
            [wheel] = glob.glob(os.path.join(download, 'ansible-*.whl'))
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(directory, [name for name in archive.namelist() if name.startswith('ansible_collections/awx/awx/')])
    with open(manifest, encoding='utf-8') as handle:
        version = json.load(handle)['collection_info']['version']
    if version != AWX_COLLECTION_VERSION:
        raise RuntimeError('%s holds awx.awx %s, not %s' % (directory, version, AWX_COLLECTION_VERSION))
    return directory


if __name__ == '__main__':
    print(awx_collection(sys.argv[1]))
