# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Any ansible run of the suite that prints a deprecation warning fails its test (tests/integration/ansible_cli.py).

A real ``ansible`` process runs a throwaway module that calls ``module.deprecate()``: the helpers the tests use must
raise, although the run itself succeeds. The same module without the call passes, so the guard is not just failing.
"""

from __future__ import annotations

import textwrap

import pytest

from ansible_collections.paas.ops.tests.integration.ansible_cli import run_module

MODULE = textwrap.dedent('''\
    #!/usr/bin/python
    from ansible.module_utils.basic import AnsibleModule


    def main():
        module = AnsibleModule(argument_spec=dict(deprecate=dict(type='bool', default=False)))
        if module.params['deprecate']:
            module.deprecate('the old way of doing it', version='9.0.0', collection_name='paas.ops')
        module.exit_json(changed=False)


    main()
    ''')


@pytest.fixture
def library(tmp_path):
    (tmp_path / 'library').mkdir()
    (tmp_path / 'library' / 'deprecating.py').write_text(MODULE)
    return {'ANSIBLE_LIBRARY': str(tmp_path / 'library')}


def test_a_run_that_prints_a_deprecation_warning_fails_the_test(library):
    with pytest.raises(AssertionError, match='printed a deprecation warning'):
        run_module('deprecating', {'deprecate': True}, env=library)


def test_a_run_without_one_passes(library):
    run = run_module('deprecating', {'deprecate': False}, env=library)
    assert run.rc == 0, run.output
    assert run.adhoc_result()['changed'] is False
