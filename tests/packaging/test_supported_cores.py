# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every statement of which ansible-core releases the collection supports says the same thing.

The tested releases are the pins of requirements-dev.txt (the main one, on which pytest runs everything) and of each
requirements-ansible-<core>.txt (run by scripts/test with its own Python). meta/runtime.yml's requires_ansible, the
role's min_ansible_version, the execution environment's ansible-core range and scripts/test's OTHER_CORES follow
from them, so that dropping or adding a release is one set of changes this test holds together.
"""

from __future__ import annotations

import glob
import os
import re

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding='utf-8') as handle:
        return handle.read()


def _pinned_core(text):
    match = re.search(r'^ansible-core==(\d+)\.(\d+)\.(\d+)$', text, re.M)
    assert match, 'no ansible-core==X.Y.Z pin'
    return int(match.group(1)), int(match.group(2))


def _tested_cores():
    cores = {_pinned_core(_read('requirements-dev.txt')): 'requirements-dev.txt'}
    for path in glob.glob(os.path.join(ROOT, 'requirements-ansible-*.txt')):
        name = os.path.basename(path)
        core = _pinned_core(_read(name))
        assert name == 'requirements-ansible-%d.%d.txt' % core, '%s pins ansible-core %d.%d' % ((name,) + core)
        cores[core] = name
    return cores


def test_every_supported_core_is_tested_and_2_17_is_gone():
    assert sorted(_tested_cores()) == [(2, 19), (2, 20), (2, 21)]
    assert not os.path.exists(os.path.join(ROOT, 'requirements-floor.txt'))


def test_requires_ansible_is_the_oldest_tested_core():
    runtime = yaml.safe_load(_read('meta', 'runtime.yml'))
    assert runtime['requires_ansible'] == '>=%d.%d.0' % min(_tested_cores())


def test_the_role_needs_the_same_oldest_core():
    meta = yaml.safe_load(_read('roles', 'rolling_restart', 'meta', 'main.yml'))
    assert meta['galaxy_info']['min_ansible_version'] == '%d.%d' % min(_tested_cores())


def test_the_execution_environment_installs_a_tested_core():
    ee = yaml.safe_load(_read('extensions', 'ee', 'execution-environment.yml'))
    newest = max(_tested_cores())
    expected = 'ansible-core>=%d.%d,<%d.%d' % (min(_tested_cores()) + (newest[0], newest[1] + 1))
    assert ee['dependencies']['ansible_core']['package_pip'] == expected


def test_scripts_test_runs_every_other_core_on_a_python_it_supports():
    match = re.search(r'^OTHER_CORES=\(([^)]*)\)$', _read('scripts', 'test'), re.M)
    assert match, 'scripts/test has no OTHER_CORES=(...) line'
    pairs = dict(pair.split(':') for pair in match.group(1).split())
    main = _pinned_core(_read('requirements-dev.txt'))
    assert sorted(pairs) == sorted('%d.%d' % core for core in _tested_cores() if core != main)
    # Controller Pythons of each release (ansible-core's support matrix): the one tested must be among them.
    controller_pythons = {'2.19': ('3.11', '3.12', '3.13'), '2.20': ('3.12', '3.13', '3.14'), '2.21': ('3.12', '3.13', '3.14')}
    for core, python in pairs.items():
        assert python in controller_pythons[core], 'ansible-core %s does not run on Python %s' % (core, python)
