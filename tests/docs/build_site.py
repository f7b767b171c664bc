# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Build the paas.ops documentation site (HTML) from the collection's own docs.

    python tests/docs/build_site.py --dest DIR

Steps, each failing the build on any problem:

1. ``antsibull-docs collection --use-current --fail-on-error paas.ops``: one RST page per module, filter and
   role from their DOCUMENTATION / meta/argument_specs.yml, as ansible-doc sees the collection through
   ANSIBLE_COLLECTIONS_PATH. A markup error antsibull-docs renders inline ("ERROR while parsing") fails the
   build too.
2. The user guide, ``docs/*.md`` of this checkout, copied to ``guide/`` and rendered as Markdown (MyST).
   antsibull-docs' extra docs must be RST under docs/docsite/rst/; the guide stays Markdown in one place
   instead. Relative links to files outside docs/ (roles' READMEs, playbooks, AWX definitions) become links
   to the repository (galaxy.yml ``repository``); a relative link to a file that does not exist fails.
3. ``sphinx-build -W --keep-going`` with tests/docs/conf.py: every warning is an error. References into the
   Ansible docs resolve through a local intersphinx inventory (no network).

Prints where the site is. Needs antsibull-docs, Sphinx, sphinx-ansible-theme and myst-parser in the Python
running it (requirements-dev.txt); their commands are taken from that Python's bin directory.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib

import yaml

CONF_DIR = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(os.path.dirname(CONF_DIR))
COLLECTION = 'paas.ops'
GUIDE_DIR = 'guide'

# Labels of the Ansible documentation that antsibull-docs' pages refer to, with their pages there: written
# into a local intersphinx inventory so that the links resolve offline (conf.py, intersphinx_mapping).
ANSIBLE_DOCS_LABELS = {
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
    # The page of a module that documents an action plugin (paas.ops.rollout) says it has one.
    'action_plugins': ('plugins/action.html#action-plugins', 'Action plugins'),
}
INVENTORY_NAME = 'ansible_devel.inv'

# [text](target) in Markdown, the target up to the closing parenthesis or a space before a title.
MARKDOWN_LINK = re.compile(r'(\]\()([^)\s]+)(\))')


class BuildError(Exception):
    """The site cannot be built as it stands."""


def run(command, env):
    """Run a command, echo its output, and fail when it does."""
    print('+ ' + ' '.join(command), flush=True)
    process = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    output = process.stdout.decode('utf-8', 'replace')
    sys.stdout.write(output)
    sys.stdout.flush()
    if process.returncode:
        raise BuildError('%s exited with %d' % (os.path.basename(command[0]), process.returncode))
    return output


def repository_url():
    with open(os.path.join(COLLECTION_ROOT, 'galaxy.yml'), encoding='utf-8') as galaxy:
        return yaml.safe_load(galaxy)['repository'].rstrip('/')


def write_inventory(path):
    """Write a Sphinx (v2) intersphinx inventory of ANSIBLE_DOCS_LABELS."""
    lines = ''.join('%s std:label -1 %s %s\n' % (name, uri, title) for name, (uri, title) in sorted(ANSIBLE_DOCS_LABELS.items()))
    header = ('# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    with open(path, 'wb') as inventory:
        inventory.write(header.encode('utf-8') + zlib.compress(lines.encode('utf-8')))


def rewrite_links(text, source, repository):
    """Point the relative links of docs/<source> that leave docs/ at the repository; check that each exists."""
    missing = []

    def replace(match):
        target = match.group(2)
        if re.match(r'^[a-z][a-z0-9+.-]*:', target) or target.startswith('#'):
            return match.group(0)
        path, anchor = (target.split('#', 1) + [''])[:2]
        resolved = os.path.normpath(os.path.join(COLLECTION_ROOT, 'docs', path))
        if not os.path.exists(resolved):
            missing.append(target)
            return match.group(0)
        relative = os.path.relpath(resolved, COLLECTION_ROOT).replace(os.sep, '/')
        if relative.startswith('docs/') and '/' not in relative[len('docs/'):] and relative.endswith('.md'):
            return match.group(0)
        kind = 'tree' if os.path.isdir(resolved) else 'blob'
        url = '%s/%s/main/%s' % (repository, kind, relative)
        return match.group(1) + url + ('#' + anchor if anchor else '') + match.group(3)

    text = MARKDOWN_LINK.sub(replace, text)
    if missing:
        raise BuildError('docs/%s links to files that do not exist: %s' % (source, ', '.join(missing)))
    return text


def copy_guide(source_dir):
    """Copy docs/*.md into the Sphinx source as guide/*.md; return their names."""
    repository = repository_url()
    docs = os.path.join(COLLECTION_ROOT, 'docs')
    names = sorted(name for name in os.listdir(docs) if name.endswith('.md'))
    os.makedirs(os.path.join(source_dir, GUIDE_DIR))
    for name in names:
        with open(os.path.join(docs, name), encoding='utf-8') as page:
            text = page.read()
        with open(os.path.join(source_dir, GUIDE_DIR, name), 'w', encoding='utf-8') as page:
            page.write(rewrite_links(text, name, repository))
    return names


def check_inline_errors(source_dir):
    """antsibull-docs writes markup it cannot parse into the page as "ERROR while parsing": refuse those."""
    found = []
    for directory, _dirs, files in os.walk(os.path.join(source_dir, 'collections')):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, encoding='utf-8') as page:
                for number, line in enumerate(page, 1):
                    if 'ERROR while parsing' in line:
                        found.append('%s:%d: %s' % (os.path.relpath(path, source_dir), number, line.strip()[:300]))
    if found:
        raise BuildError('markup errors in the collection docs:\n' + '\n'.join(found))


def build(dest, work):
    """Build the site into ``dest`` (replaced) with ``work`` as scratch space; return the path of its index.html."""
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ)
    # antsibull-docs runs ansible-doc and ansible: those of this Python's environment.
    env['PATH'] = bin_dir + os.pathsep + env.get('PATH', '')
    env.setdefault('ANSIBLE_NOCOLOR', '1')
    if not env.get('ANSIBLE_COLLECTIONS_PATH'):
        raise BuildError('set ANSIBLE_COLLECTIONS_PATH to a directory holding ansible_collections/paas/ops')

    source_dir = os.path.join(work, 'source')
    # antsibull-docs insists on a destination that only its owner can write to.
    os.makedirs(source_dir, mode=0o700)
    run([os.path.join(bin_dir, 'antsibull-docs'), '--config-file', os.path.join(CONF_DIR, 'antsibull-docs.cfg'),
         'collection', '--use-current', '--fail-on-error', '--dest-dir', source_dir, COLLECTION], env)
    check_inline_errors(source_dir)
    copy_guide(source_dir)
    shutil.copy(os.path.join(CONF_DIR, 'index.rst'), os.path.join(source_dir, 'index.rst'))
    write_inventory(os.path.join(source_dir, INVENTORY_NAME))

    if os.path.isdir(dest):
        shutil.rmtree(dest)
    run([sys.executable, '-m', 'sphinx', '-b', 'html', '-W', '--keep-going', '-c', CONF_DIR,
         '-d', os.path.join(work, 'doctrees'), source_dir, dest], env)
    return os.path.join(dest, 'index.html')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--dest', required=True, help='directory for the HTML site (replaced)')
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix='paas-ops-docs-') as work:
            index = build(os.path.abspath(args.dest), work)
    except BuildError as error:
        print('docs: FAILED: %s' % error, file=sys.stderr)
        return 1
    print('docs: site built: %s' % index)
    return 0


if __name__ == '__main__':
    sys.exit(main())
