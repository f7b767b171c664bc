# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The execution environment: extensions/ee/execution-environment.yml gives ansible-builder a complete build context
(there is no container engine here, so `ansible-builder create`, not `build`), the galaxy stage of that build installs
the collection from the context without any network, and the builder's introspection of what it installed finds the
collection's Python dependency (meta/execution-environment.yml) as `requests`, from collection paas.ops."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT

EE_DIR = os.path.join(COLLECTION_ROOT, 'extensions', 'ee')
EE_FILE = 'execution-environment.yml'
BIN_DIR = os.path.dirname(sys.executable)


def load_yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def run(command, cwd=None, env=None):
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert completed.returncode == 0, '%s\n%s%s' % (' '.join(command), completed.stdout, completed.stderr)
    return completed.stdout


def requirements(path):
    """Requirement lines of a pip requirements file, by project name."""
    with open(path, encoding='utf-8') as handle:
        lines = [line.split('#', 1)[0].strip() for line in handle]
    return dict((requirement.name, requirement) for requirement in map(Requirement, filter(None, lines)))


@pytest.fixture(scope='module')
def build_context(tmp_path_factory):
    """`ansible-builder create` of the EE definition, from a copy of the repository's layout in a temporary directory:
    extensions/ee/ as it is, and dist/ holding the collection tarball that `ansible-galaxy collection build` makes."""
    root = tmp_path_factory.mktemp('ee')
    shutil.copytree(EE_DIR, root / 'extensions' / 'ee')
    run([os.path.join(BIN_DIR, 'ansible-galaxy'), 'collection', 'build', '--force', '--output-path', str(root / 'dist'), COLLECTION_ROOT])
    context = root / 'context'
    run([os.path.join(BIN_DIR, 'ansible-builder'), 'create', '-f', str(root / 'extensions' / 'ee' / EE_FILE), '-c', str(context),
         '--output-filename', 'Containerfile'])
    return context


def test_the_containerfile_builds_on_the_base_image_with_ansible_core_and_ansible_runner(build_context):
    definition = load_yaml(os.path.join(EE_DIR, EE_FILE))
    with open(build_context / 'Containerfile', encoding='utf-8') as handle:
        containerfile = handle.read()
    assert 'ARG EE_BASE_IMAGE="%s"' % definition['images']['base_image']['name'] in containerfile
    assert 'FROM $EE_BASE_IMAGE AS base' in containerfile
    install_refs = [line for line in containerfile.splitlines() if line.startswith('ARG ANSIBLE_INSTALL_REFS=')]
    assert len(install_refs) == 1 and 'ansible-core' in install_refs[0] and 'ansible-runner' in install_refs[0]
    assert 'RUN /output/scripts/check_ansible $PYCMD' in containerfile


def test_the_context_holds_the_collection_tarball_its_galaxy_requirements_name(build_context):
    galaxy = load_yaml(build_context / '_build' / 'requirements.yml')
    [collection] = galaxy['collections']
    assert collection['type'] == 'file'
    # ansible-galaxy runs in /build, the context's _build/ copied into the image.
    tarball = build_context / '_build' / collection['name']
    version = load_yaml(os.path.join(COLLECTION_ROOT, 'galaxy.yml'))['version']
    assert tarball.name == 'paas-ops-%s.tar.gz' % version, 'the EE definition names another version than galaxy.yml'
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile('MANIFEST.json'))['collection_info']
        shipped = set(archive.getnames())
    assert (manifest['namespace'], manifest['name'], manifest['version']) == ('paas', 'ops', version)
    assert {'meta/execution-environment.yml', 'meta/ee-requirements.txt'} <= shipped


def test_the_galaxy_stage_installs_offline_and_introspection_finds_requests_from_paas_ops(build_context, tmp_path):
    collections = tmp_path / 'usr' / 'share' / 'ansible' / 'collections'
    # What the Containerfile's galaxy stage runs in /build (signatures are not checked for a local file), in an image
    # whose only collections are those it installs: the test session's own copy of paas.ops, on ANSIBLE_COLLECTIONS_PATH
    # and PYTHONPATH, would be "already installed".
    env = dict((name, value) for name, value in os.environ.items() if name != 'PYTHONPATH')
    env.update(ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1', ANSIBLE_COLLECTIONS_PATH=str(collections))
    run([os.path.join(BIN_DIR, 'ansible-galaxy'), 'collection', 'install', '-r', 'requirements.yml', '--collections-path', str(collections)],
        cwd=str(build_context / '_build'), env=env)
    assert (collections / 'ansible_collections' / 'paas' / 'ops' / 'meta' / 'execution-environment.yml').is_file()

    output = run([os.path.join(BIN_DIR, 'ansible-builder'), 'introspect', '--sanitize', str(collections)])
    # The report is YAML after a comment line: python: ['requests>=2.25  # from collection paas.ops'], system: [].
    report = yaml.safe_load(output)
    assert report['python'] == ['requests>=2.25  # from collection paas.ops'], output
    assert report['system'] == []


def test_the_ee_requirements_are_the_modules_runtime_requirements():
    ee = requirements(os.path.join(COLLECTION_ROOT, 'meta', 'ee-requirements.txt'))
    runtime = requirements(os.path.join(COLLECTION_ROOT, 'requirements.txt'))
    assert set(ee) == set(runtime) == {'requests'}

    def minimums(requirement):
        return [Version(spec.version) for spec in requirement.specifier if spec.operator == '>=']

    assert all(minimums(ee[name]) == minimums(runtime[name]) != [] for name in ee)
    assert load_yaml(os.path.join(COLLECTION_ROOT, 'meta', 'execution-environment.yml')) == {
        'version': 1, 'dependencies': {'python': 'meta/ee-requirements.txt'}}
