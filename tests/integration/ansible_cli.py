# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run real ``ansible-playbook`` and ad-hoc ``ansible`` processes against the collection under test.

The collection is found through ``ANSIBLE_COLLECTIONS_PATH`` (set by tests/conftest.py or
./scripts/test); the executables are the ones installed beside the Python running pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'playbooks')
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_VARS = os.path.join(COLLECTION_ROOT, 'playbooks', 'vars', 'emulator.yml')

# Environment variables that would make a run depend on the machine it happens to run on.
_HOST_CREDENTIALS = ('ALIBABA_CLOUD_', 'ALICLOUD_', 'HUAWEICLOUD_SDK_', 'HW_', 'RAINBOND_')


class AnsibleRun:

    def __init__(self, completed):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    @property
    def output(self):
        return self.stdout + self.stderr

    def adhoc_result(self):
        """The JSON result an ad-hoc run printed after ``localhost | STATUS =>``."""
        marker = self.stdout.find('=> {')
        if marker < 0:
            raise AssertionError('no ad-hoc result in output:\n' + self.output)
        return json.loads(self.stdout[marker + 3:])


def _environment(extra_env):
    env = {name: value for name, value in os.environ.items() if not name.startswith(_HOST_CREDENTIALS)}
    env.update(ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='false',
               # Deprecation warnings are shown, and any run that prints one fails its test (checked_run).
               ANSIBLE_DEPRECATION_WARNINGS='true', PYTHONWARNINGS='ignore', NO_PROXY='127.0.0.1,localhost', no_proxy='127.0.0.1,localhost')
    env.update(extra_env or {})
    return env


DEPRECATION_WARNING = 'DEPRECATION WARNING'


def checked_run(command, **kwargs):
    """``subprocess.run`` of an Ansible command; a deprecation warning in its output fails the calling test, whatever
    the exit status: the collection builds and runs with none on every supported ansible-core."""
    completed = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    output = completed.stdout + completed.stderr
    if DEPRECATION_WARNING in output:
        raise AssertionError('%s printed a deprecation warning:\n%s' % (' '.join(command), output))
    return completed


def _executable(name):
    # PAAS_ANSIBLE_BIN runs the playbooks with another ansible-core (./scripts/test runs CORE_TESTS on each supported one).
    return os.path.join(os.environ.get('PAAS_ANSIBLE_BIN') or os.path.dirname(sys.executable), name)


def run_playbook(playbook, extra_vars=None, env=None, args=(), timeout=240):
    """Run a playbook from tests/integration/playbooks with ``extra_vars`` passed as JSON."""
    command = [_executable('ansible-playbook'), os.path.join(PLAYBOOKS, playbook), '-e', '@' + DEMO_VARS]
    if extra_vars:
        command += ['-e', json.dumps(extra_vars)]
    command += list(args)
    return AnsibleRun(checked_run(command, env=_environment(env), timeout=timeout))


def run_module(module, module_args, env=None, args=(), timeout=120):
    """Run one module ad hoc on localhost, as ``ansible localhost -m MODULE -a JSON``."""
    command = [_executable('ansible'), 'localhost', '-m', module, '-a', json.dumps(module_args)] + list(args)
    return AnsibleRun(checked_run(command, env=_environment(env), timeout=timeout))


def demo_world():
    """The emulator's default world ids and credentials, as the demo playbook uses them."""
    import yaml  # test dependency; imported here so the module stays importable without it

    with open(DEMO_VARS) as handle:
        return yaml.safe_load(handle)['paas_demo']
