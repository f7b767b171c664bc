# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The documentation site builds from the collection's own docs without a single warning, and has a page for every
module, filter, role and user-guide page; the credentials guide names exactly the environment variables the modules
read.

The site is what ``./scripts/docs`` builds (tests/docs/build_site.py): antsibull-docs renders the collection found
through ``ANSIBLE_COLLECTIONS_PATH`` (set by tests/conftest.py) as ansible-doc sees it, MyST the Markdown guide in
docs/, and sphinx-build runs with warnings as errors. The output is checked for "WARNING" and "ERROR" as well, so that
a problem reported without failing the build still fails here.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

import pytest

from ansible_collections.paas.ops.plugins.module_utils._platform import CONNECTION_ARGSPEC, PLATFORMS
from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT

BUILD_SITE = os.path.join(COLLECTION_ROOT, 'tests', 'docs', 'build_site.py')
PAGES = os.path.join('collections', 'paas', 'ops')


def _names(pattern):
    return sorted(os.path.splitext(os.path.basename(path))[0] for path in glob.glob(os.path.join(COLLECTION_ROOT, pattern)))


MODULES = [name for name in _names('plugins/modules/*.py') if not name.startswith('_')]
FILTERS = _names('plugins/filter/*.yml')
ROLES = sorted(os.path.basename(path) for path in glob.glob(os.path.join(COLLECTION_ROOT, 'roles', '*')) if os.path.isdir(path))
GUIDE = _names('docs/*.md')


@pytest.fixture(name='site', scope='module')
def _site(tmp_path_factory):
    """Build the site once for this file; return (output directory, exit status, combined output)."""
    dest = str(tmp_path_factory.mktemp('docs-site') / 'html')
    process = subprocess.run([sys.executable, BUILD_SITE, '--dest', dest], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             check=False, timeout=280)
    return dest, process.returncode, process.stdout.decode('utf-8', 'replace')


def test_inventory_of_pages_is_not_empty():
    # Guards the page checks below against a glob that silently finds nothing.
    assert len(MODULES) >= 7 and FILTERS == ['rolling_plan'] and ROLES == ['rolling_restart']
    assert {'getting-started', 'credentials', 'module-defaults', 'semantics', 'rolling-restarts', 'rolling-deploys', 'awx'} <= set(GUIDE)


def test_site_builds_without_warnings(site):
    status, output = site[1:]
    assert status == 0, output
    problems = [line for line in output.splitlines() if 'WARNING' in line or 'ERROR' in line]
    assert not problems, '\n'.join(problems)
    assert 'build succeeded' in output


@pytest.mark.parametrize('page, title', [(os.path.join(PAGES, '%s_module.html' % name), 'paas.ops.%s' % name) for name in MODULES]
                         + [(os.path.join(PAGES, '%s_filter.html' % name), 'paas.ops.%s' % name) for name in FILTERS]
                         + [(os.path.join(PAGES, '%s_role.html' % name), 'paas.ops.%s' % name) for name in ROLES])
def test_every_plugin_and_role_has_its_page(site, page, title):
    dest, status, output = site
    assert status == 0, output
    path = os.path.join(dest, page)
    assert os.path.isfile(path), '%s missing; pages: %s' % (page, sorted(os.listdir(os.path.join(dest, PAGES))))
    with open(path, encoding='utf-8') as handle:
        html = handle.read()
    assert title in html
    assert 'ERROR while parsing' not in html


@pytest.mark.parametrize('name', GUIDE)
def test_every_guide_page_is_in_the_site(site, name):
    dest, status, output = site
    assert status == 0, output
    path = os.path.join(dest, 'guide', '%s.html' % name)
    assert os.path.isfile(path)
    with open(os.path.join(COLLECTION_ROOT, 'docs', '%s.md' % name), encoding='utf-8') as handle:
        heading = re.search(r'^# (.+)$', handle.read(), re.M).group(1)
    with open(path, encoding='utf-8') as handle:
        assert heading in handle.read()
    with open(os.path.join(dest, 'index.html'), encoding='utf-8') as handle:
        assert 'guide/%s.html' % name in handle.read()


def test_credentials_guide_names_exactly_the_environment_variables_the_modules_read():
    expected = set(platform.endpoint_env for platform in PLATFORMS.values() if platform.endpoint_env)
    for spec in CONNECTION_ARGSPEC.values():
        if 'fallback' in spec:
            expected.update(spec['fallback'][1])
    with open(os.path.join(COLLECTION_ROOT, 'docs', 'credentials.md'), encoding='utf-8') as handle:
        text = handle.read()
    named = set(re.findall(r'`((?:ALIBABA_CLOUD|ALICLOUD|HUAWEICLOUD_SDK|HW|RAINBOND)_[A-Z0-9_]+)`', text))
    assert named == expected, 'missing from docs/credentials.md: %s; not read by the modules: %s' % (
        sorted(expected - named), sorted(named - expected))
