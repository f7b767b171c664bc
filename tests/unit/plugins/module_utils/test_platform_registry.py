# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The registry is the one place that knows which platforms there are: nothing else branches on a platform or family
name, and what the modules document as their choices is what the registry gives them."""

from __future__ import annotations

import importlib
import io
import os
import shutil
import subprocess
import sys
import tokenize

import pytest
import yaml

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
# The registry itself, and the files of each platform and family: they alone may name one.
ALLOWED = frozenset('plugins/module_utils/%s.py' % name for name in ('_platform', '_sae', '_edas', '_alibaba', '_huawei', '_servicestage', '_rainbond'))
NAMES = frozenset(list(registry.PLATFORMS) + list(registry.FAMILIES))
# Writes the modules' documented platform and action choices from the registry (--check: says what drifted).
GENERATOR = os.path.join(ROOT, 'scripts', 'docs-choices')
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules')) if name.endswith('.py') and name != '__init__.py')


def code_files():
    for folder in ('plugins', 'roles'):
        for directory, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                path = os.path.relpath(os.path.join(directory, name), ROOT)
                if path.endswith(('.py', '.yml', '.yaml')) and path not in ALLOWED:
                    yield path


def platform_branches(path, root=ROOT):
    """Where ``path`` names a platform or family as a value of its own: ``platform == 'sae'``, ``('sae', 'edas')``,
    ``{'rainbond': ...}``, ``family == 'huawei'``, or a YAML ``when: platform == "sae"``. Documentation strings
    (DOCUMENTATION, EXAMPLES, RETURN, docstrings) mention platforms in prose and are not values of their own."""
    with open(os.path.join(root, path), encoding='utf-8') as handle:
        text = handle.read()
    found = []
    if path.endswith('.py'):
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING:
                value = token.string.strip('rbuRBU').strip('\'"')
                if value in NAMES:
                    found.append('%s:%d: %s' % (path, token.start[0], token.line.strip()))
    else:
        for number, line in enumerate(text.splitlines(), 1):
            code = line.split('#', 1)[0]
            if any('"%s"' % name in code or "'%s'" % name in code or '== %s' % name in code for name in NAMES):
                found.append('%s:%d: %s' % (path, number, line.strip()))
    return found


def test_no_platform_or_family_is_branched_on_outside_the_registry_and_the_adapters():
    found = [hit for path in code_files() for hit in platform_branches(path)]
    assert found == []


def test_the_grep_finds_a_branch_where_there_is_one(tmp_path):
    # The check above must be able to fail: an if-ladder in a module is caught, its documentation is not.
    (tmp_path / 'ladder.py').write_text("DOCUMENTATION = '''\nplatform: sae\n'''\n\n\ndef run(params):\n    if params['platform'] == 'sae':\n"
                                        "        return 1\n    return dict(edas=2)\n")
    (tmp_path / 'tasks.yml').write_text("- name: Only SAE\n  when: platform == 'sae'\n")
    assert platform_branches('ladder.py', str(tmp_path)) == ["ladder.py:7: if params['platform'] == 'sae':"]
    assert platform_branches('tasks.yml', str(tmp_path)) == ["tasks.yml:2: when: platform == 'sae'"]


class _Captured(Exception):
    pass


def argument_spec(name, monkeypatch):
    """The argument spec module ``name`` builds (its main() stopped at PaasModule)."""
    module = importlib.import_module('ansible_collections.paas.ops.plugins.modules.%s' % name)
    if not hasattr(module, 'main'):
        # Documentation of an action plugin (paas.ops.rollout): its spec is the action's own.
        return module, importlib.import_module('ansible_collections.paas.ops.plugins.action.%s' % name).ARGSPEC
    captured = {}

    def capture(argument_spec, **kwargs):
        captured.update(argument_spec)
        raise _Captured()
    monkeypatch.setattr(module, 'PaasModule', capture)
    with pytest.raises(_Captured):
        module.main()
    return module, captured


@pytest.mark.parametrize('name', MODULES)
def test_documented_choices_are_the_registry_s(name, monkeypatch):
    module, spec = argument_spec(name, monkeypatch)
    options = yaml.safe_load(module.DOCUMENTATION)['options']
    assert 'platform' in spec
    for option in ('platform', 'action'):
        if option in spec and spec[option].get('choices') is not None:
            documented = options[option].get('choices') or []
            assert len(documented) == len(set(documented)) and set(documented) == set(spec[option]['choices']), \
                '%s: %s choices drifted from the registry' % (name, option)
    assert set(spec['platform']['choices']) <= set(registry.PLATFORMS)


def generate(*args):
    return subprocess.run([sys.executable, GENERATOR] + list(args), capture_output=True, text=True, check=False)


def test_the_generated_docs_choices_are_up_to_date():
    checked = generate('--check')
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, '', '')


def test_the_generator_finds_a_drift_and_writes_the_registry_s_choices(tmp_path):
    shutil.copytree(os.path.join(ROOT, 'plugins', 'modules'), str(tmp_path / 'plugins' / 'modules'))
    for folder in ('roles/rolling_restart/meta', 'extensions/awx/job_templates'):
        shutil.copytree(os.path.join(ROOT, folder), str(tmp_path / folder))
    role = tmp_path / 'roles' / 'rolling_restart' / 'meta' / 'argument_specs.yml'
    role_original = role.read_text()
    role.write_text(role_original.replace('choices: [servicestage, sae, edas, rainbond]', 'choices: [servicestage, sae]'))
    path = tmp_path / 'plugins' / 'modules' / 'app_operation.py'
    original = path.read_text()
    # A platform choice, an action of the per-platform list and a family's connection fragment gone missing.
    drifted = original.replace('    choices: [sae, edas, rainbond]\n', '    choices: [sae, edas]\n').replace('EDAS offers V(start),', 'EDAS offers').replace(
        '  - paas.ops._huawei\n', '')
    assert drifted.count('choices: [sae, edas]') == 1 and 'EDAS offers V(start)' not in drifted and 'paas.ops._huawei' not in drifted
    path.write_text(drifted)
    checked = generate('--check', '--root', str(tmp_path))
    assert (checked.returncode, checked.stdout) == (1, 'drifted from the registry: plugins/modules/app_operation.py\n'
                                                       'drifted from the registry: roles/rolling_restart/meta/argument_specs.yml\n')
    assert path.read_text() == drifted
    written = generate('--root', str(tmp_path))
    assert (written.returncode, written.stdout) == (0, 'rewritten: plugins/modules/app_operation.py\n'
                                                       'rewritten: roles/rolling_restart/meta/argument_specs.yml\n')
    assert path.read_text() == original and role.read_text() == role_original


def test_each_kind_s_actions_are_known_to_the_shared_rules():
    from ansible_collections.paas.ops.plugins.module_utils._action import ACTIONS
    for entry in registry.PLATFORMS.values():
        for kind in entry.kinds.values():
            assert set(kind.actions) <= set(ACTIONS), (entry.name, kind.name)
            assert set(kind.hints).isdisjoint(kind.actions), 'a hint explains an action the kind lacks'


def test_every_family_option_is_accepted_by_every_module():
    for family in registry.FAMILIES.values():
        for option in family.argspec:
            assert option in registry.CONNECTION_ARGSPEC
    assert set(registry.CONNECTION_ARGSPEC) >= {'endpoint', 'validate_certs', 'ca_path', 'timeout', 'retries'}
