# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Consistency of meta/runtime.yml with the modules.

Every module must be a member of the ``paas`` action group (so that
``module_defaults: {group/paas.ops.paas: ...}`` reaches it) and must say so in its
documentation through the ``paas.ops._attributes.actiongroup_paas`` fragment.
ansible-test does not check this, so this test does.

Files are parsed (YAML, Python AST); no module is imported.
"""

from __future__ import annotations

import ast
import os
import re

import pytest
import yaml

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
MODULES_DIR = os.path.join(COLLECTION_ROOT, 'plugins', 'modules')
RUNTIME_YML = os.path.join(COLLECTION_ROOT, 'meta', 'runtime.yml')
ATTRIBUTES_FRAGMENT = os.path.join(COLLECTION_ROOT, 'plugins', 'doc_fragments', '_attributes.py')

GROUP = 'paas'
GROUP_FRAGMENT = 'paas.ops._attributes.actiongroup_paas'


def _module_names():
    if not os.path.isdir(MODULES_DIR):
        return []
    return sorted(
        name[:-3]
        for name in os.listdir(MODULES_DIR)
        if name.endswith('.py') and name != '__init__.py' and not name.startswith('_')
    )


def _runtime():
    with open(RUNTIME_YML, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def _string_assignment(path, name):
    """Return the value of the top-level ``name = '...'`` assignment in a Python file, or None."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), filename=path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            if any(isinstance(target, ast.Name) and target.id == name for target in node.targets):
                return node.value.value
    return None


def _group_members():
    groups = _runtime().get('action_groups') or {}
    members = groups.get(GROUP)
    assert isinstance(members, list), 'meta/runtime.yml must define action_groups.%s as a list' % GROUP
    return members


def test_requires_ansible_is_a_full_version_floor():
    requires = _runtime().get('requires_ansible')
    assert isinstance(requires, str)
    assert re.fullmatch(r'>=\d+\.\d+\.\d+', requires), 'requires_ansible must look like ">=2.19.0", got %r' % requires


def test_collection_has_modules():
    assert _module_names(), 'no module found in plugins/modules/'


def test_action_group_entries_are_plain_short_names():
    for entry in _group_members():
        assert isinstance(entry, str), 'action group entries must be module short names, got %r' % (entry,)
        assert re.fullmatch(r'[a-z][a-z0-9_]*', entry), 'not a module short name: %r' % entry


def test_action_group_is_sorted_without_duplicates():
    members = _group_members()
    assert members == sorted(set(members)), 'action_groups.%s must be sorted and without duplicates: %r' % (GROUP, members)


def test_every_module_is_in_the_action_group():
    missing = sorted(set(_module_names()) - set(_group_members()))
    assert not missing, 'modules missing from action_groups.%s in meta/runtime.yml: %s' % (GROUP, ', '.join(missing))


def test_action_group_lists_only_existing_modules():
    unknown = sorted(set(_group_members()) - set(_module_names()))
    assert not unknown, 'action_groups.%s lists modules that do not exist in plugins/modules/: %s' % (GROUP, ', '.join(unknown))


def test_attributes_fragment_defines_the_group_membership():
    assert os.path.isfile(ATTRIBUTES_FRAGMENT), 'plugins/doc_fragments/_attributes.py is missing'
    with open(ATTRIBUTES_FRAGMENT, encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    fragments = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == 'ModuleDocFragment':
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant):
                    for target in item.targets:
                        if isinstance(target, ast.Name):
                            fragments[target.id] = item.value.value
    assert 'ACTIONGROUP_PAAS' in fragments, 'ModuleDocFragment.ACTIONGROUP_PAAS is missing from _attributes.py'
    doc = yaml.safe_load(fragments['ACTIONGROUP_PAAS'])
    action_group = doc['attributes']['action_group']
    assert action_group['membership'] == ['paas.ops.%s' % GROUP]
    assert action_group['support'] == 'full'


@pytest.mark.parametrize('module', _module_names())
def test_module_documents_action_group_membership(module):
    path = os.path.join(MODULES_DIR, module + '.py')
    documentation = _string_assignment(path, 'DOCUMENTATION')
    assert documentation is not None, '%s has no DOCUMENTATION string' % module
    doc = yaml.safe_load(documentation)
    assert doc.get('module') == module
    fragments = doc.get('extends_documentation_fragment') or []
    if isinstance(fragments, str):
        fragments = [fragments]
    assert GROUP_FRAGMENT in fragments, (
        '%s must list %s in extends_documentation_fragment (it is in action group %s)' % (module, GROUP_FRAGMENT, GROUP)
    )
