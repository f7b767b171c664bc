# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``module_defaults: {group/paas.ops.paas: ...}`` hands every option in it to every module of the group.

A module without one of them fails with "Unsupported parameters" (``wait_timeout`` broke instance_info, batch_restart and
api_request, ``wait`` broke change_order_info). So every option that more than one module of the group takes must be
accepted by every module of the group, and documented there (as ignored where it means nothing). The argument specs are
the ones the modules really build (``main()`` is run up to ``AnsibleModule``); the documentation is what ansible-doc
renders, fragments included.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from ansible_collections.paas.ops.plugins.module_utils import _module

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
GROUP = yaml.safe_load(open(os.path.join(COLLECTION_ROOT, 'meta', 'runtime.yml')))['action_groups']['paas']


class _Captured(Exception):
    pass


def argument_spec(module_name, monkeypatch):
    """The argument spec ``module_name`` hands to AnsibleModule."""
    captured = {}

    def capture(argument_spec, **kwargs):
        captured.update(argument_spec)
        raise _Captured()

    monkeypatch.setattr(_module, 'AnsibleModule', capture)
    module = importlib.import_module('ansible_collections.paas.ops.plugins.modules.%s' % module_name)
    if not hasattr(module, 'main'):
        # Documentation of an action plugin (paas.ops.rollout): the action validates its arguments with its own ARGSPEC.
        return importlib.import_module('ansible_collections.paas.ops.plugins.action.%s' % module_name).ARGSPEC
    with pytest.raises(_Captured):
        module.main()
    return captured


@pytest.fixture(scope='module')
def specs():
    with pytest.MonkeyPatch.context() as monkeypatch:
        return dict((name, argument_spec(name, monkeypatch)) for name in GROUP)


# paas.ops.rollout drives batch_restart, and takes the batch settings it hands on (targets, batch_timeout, max_unavailable,
# ...) by design, as the settings of one rollout task: those do not become options every module must accept. The rollout
# itself accepts every option the modules share (checked below like every module).
ACTIONS = ('rollout',)


def shared_options(specs):
    counts = {}
    for name, spec in specs.items():
        if name in ACTIONS:
            continue
        for option in spec:
            counts[option] = counts.get(option, 0) + 1
    return sorted(option for option, count in counts.items() if count > 1)


def test_every_option_two_modules_take_is_accepted_by_every_module_of_the_group(specs):
    shared = shared_options(specs)
    assert 'wait_timeout' in shared and 'wait' in shared  # the two the issue saw fail
    missing = dict((module, [name for name in shared if name not in spec]) for module, spec in specs.items())
    assert missing == dict((module, []) for module in specs)


def test_a_shared_option_has_one_type_everywhere(specs):
    """A group default must pass every module's type check, so a shared option is of one type (and element type)."""
    for name in shared_options(specs):
        kinds = set((spec[name].get('type', 'str'), spec[name].get('elements')) for spec in specs.values())
        assert len(kinds) == 1, (name, kinds)


def test_the_ignored_options_are_exactly_the_group_options_a_module_does_not_declare(specs):
    assert sorted(_module.GROUP_ARGSPEC) == sorted(set(shared_options(specs)) - {'platform'} - set(_module.CONNECTION_ARGSPEC))


@pytest.fixture(scope='module')
def docs():
    """What ansible-doc renders for every module of the group, fragments included."""
    env = dict(os.environ, ANSIBLE_NOCOLOR='1')
    output = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '--json', '-t', 'module']
                            + ['paas.ops.%s' % name for name in GROUP], capture_output=True, text=True, env=env, check=True).stdout
    return dict((name.split('.')[-1], value['doc']) for name, value in json.loads(output).items())


def test_the_documentation_lists_exactly_the_options_of_the_argument_spec(specs, docs):
    for module, spec in specs.items():
        documented = docs[module]['options']
        assert sorted(documented) == sorted(spec), module
        for name, option in documented.items():
            assert option.get('type', 'str') == spec[name].get('type', 'str'), (module, name)
            assert option.get('default') == spec[name].get('default'), (module, name)


def test_an_ignored_option_says_so_in_the_documentation(specs, docs):
    for module, spec in specs.items():
        ignored = sorted(set(_module.GROUP_ARGSPEC) - set(argument_spec_own(module, spec)))
        for name in ignored:
            description = ' '.join(docs[module]['options'][name]['description'])
            assert 'Ignored by this module' in description, (module, name)
            # ... and names the modules that do use it, all of them.
            users = sorted(other for other, other_spec in specs.items() if name in argument_spec_own(other, other_spec))
            assert sorted(re.findall(r'M\(paas\.ops\.(\w+)\)', description)) == users, (module, name)


def argument_spec_own(module, spec):
    """The options the module uses: every one of its spec whose definition is not the group's ignored one."""
    return [name for name, definition in spec.items() if definition is not _module.GROUP_ARGSPEC.get(name)]
