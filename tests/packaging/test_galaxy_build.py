# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Galaxy artifact as users get it: ``ansible-galaxy collection build`` of this checkout holds the collection and
nothing stray, installs with ``ansible-galaxy collection install``, runs from the installed copy alone against the
emulator, and passes galaxy-importer (ansible-doc and ansible-lint) without a warning.

The build runs on the real checkout, with whatever venvs, caches and tool output it holds at that moment, because that
is what ``build_ignore`` in galaxy.yml has to keep out; a second build of a scratch tree full of decoys checks
``build_ignore`` even when the checkout happens to be clean (``./scripts/test`` runs on a copy without venvs).
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile

import pytest
import yaml

from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT, checked_run, run_playbook

# The checkout itself, not the ansible_collections tree of symbolic links that tests/conftest.py may have made to it.
CHECKOUT = os.path.realpath(COLLECTION_ROOT)

with open(os.path.join(CHECKOUT, 'galaxy.yml'), encoding='utf-8') as _handle:
    GALAXY = yaml.safe_load(_handle)
with open(os.path.join(CHECKOUT, 'meta', 'runtime.yml'), encoding='utf-8') as _handle:
    REQUIRES_ANSIBLE = yaml.safe_load(_handle)['requires_ansible']

FQCN = '%s.%s' % (GALAXY['namespace'], GALAXY['name'])
TARBALL_NAME = '%s-%s-%s.tar.gz' % (GALAXY['namespace'], GALAXY['name'], GALAXY['version'])
BIN_DIR = os.path.dirname(sys.executable)

# What must never be in the artifact, as (what it is, regular expression on a member's path).
STRAY_RULES = (
    # Every dotfile but the lint configuration, which galaxy-importer's ansible-lint run reads (see galaxy.yml).
    ('a dotfile or dot-directory (.git*, .venv*, .ansible/, tool caches, .ci/, .collections/, .work/)',
     r'^(?!\.ansible-lint$)(.*/)?\.'),
    ('a Python cache', r'(^|/)__pycache__(/|$)|\.py[co]$'),
    ('ansible-test output', r'^tests/output(/|$)'),
    ('a virtual environment', r'(^|/)venv(/|$)'),
    ('a built tarball, dist/ or build/', r'\.tar\.gz$|^(dist|build)(/|$)'),
    ("galaxy-importer's result", r'(^|/)importer_result\.json$'),
    ("ansible-builder's build context", r'^(extensions/[^/]+/)?context(/|$)'),
    ("a development-only file (scripts/, the other cores' requirements, the benchmark)",
     r'^(scripts(/|$)|requirements-ansible-[0-9.]+\.txt$|tests/benchmark(/|$))'),
    ('real-platform integration settings', r'^tests/integration/integration_config\.yml$'),
    ('an editor backup', r'~$'),
)

# Files and directories of a scratch tree that the build must leave out, one or more per rule above.
DECOYS = (
    '.venv/bin/python', '.venv-2.20/lib/site.py', '.ansible/collections/ansible_collections/paas/ops/galaxy.yml',
    '.gitignore', 'tests/emulator/.gitignore', '.github/workflows/ci.yml', '.ci/run', '.pytest_cache/v/cache/nodeids',
    'tests/unit/.pytest_cache/README.md', '.mypy_cache/3.11/x.json', '.ruff_cache/CACHEDIR.TAG',
    '.collections/ansible_collections/paas/ops/MANIFEST.json', '.work/bench/results.json', 'changelogs/.plugin-cache.yaml',
    'plugins/modules/__pycache__/kept.cpython-311.pyc', 'plugins/modules/kept.pyc', 'tests/output/junit/python3.11.xml',
    'venv/bin/python', 'dist/paas-ops-0.9.0.tar.gz', 'roles/old.tar.gz', 'build/docs/index.html', 'importer_result.json',
    'tests/importer_result.json', 'context/Containerfile', 'extensions/ee/context/_build/requirements.txt',
    'scripts/test', 'requirements-ansible-2.21.txt', 'tests/benchmark/results.json', 'tests/integration/integration_config.yml',
    'plugins/modules/kept.py~', 'plugins/modules/.kept.py.swp', '.coverage', '.idea/workspace.xml', '.vscode/settings.json',
)
# Files of the same scratch tree that the build must keep.
KEPT = (
    'README.md', 'LICENSE', '.ansible-lint', 'meta/runtime.yml', 'plugins/modules/kept.py', 'extensions/awx/credential_types/kept.yml',
    'tests/unit/test_kept.py', 'tests/emulator/paas_emulator/kept.py', 'requirements.txt',
)


def stray_reasons(path):
    return [what for what, pattern in STRAY_RULES if re.search(pattern, path)]


def tool_env(collections_path=None):
    """The environment of a tool run: the venv's executables first, and no ANSIBLE_* setting or PYTHONPATH from pytest
    (tests/conftest.py puts this checkout on both), so that only ``collections_path`` is a source of collections."""
    env = {name: value for name, value in os.environ.items() if not name.startswith('ANSIBLE_') and name != 'PYTHONPATH'}
    env['PATH'] = os.pathsep.join([BIN_DIR, env.get('PATH', '')])
    env.update(ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='true', PYTHONDONTWRITEBYTECODE='1')
    if collections_path:
        env['ANSIBLE_COLLECTIONS_PATH'] = collections_path
    return env


def run_tool(command, cwd, env=None, timeout=120):
    completed = checked_run(command, cwd=cwd, env=env or tool_env(), timeout=timeout)
    assert completed.returncode == 0, '%s exited with %s:\n%s%s' % (
        ' '.join(command), completed.returncode, completed.stdout, completed.stderr)
    return completed


def build(source, output_dir):
    """``ansible-galaxy collection build`` of ``source``; returns the tarball's path."""
    run_tool([os.path.join(BIN_DIR, 'ansible-galaxy'), 'collection', 'build', '--output-path', output_dir, source],
             cwd=output_dir)
    return os.path.join(output_dir, TARBALL_NAME)


def members(tarball):
    """Member paths of a tarball, files and directories, without a trailing slash."""
    with tarfile.open(tarball) as archive:
        return {member.name.rstrip('/') for member in archive.getmembers()}


def checkout_files(*patterns):
    """Files of the checkout matching the glob patterns (relative to the collection root), not stray ones."""
    found = set()
    for pattern in patterns:
        for path in glob.glob(os.path.join(CHECKOUT, pattern), recursive=True):
            relative = os.path.relpath(path, CHECKOUT)
            if os.path.isfile(path) and not stray_reasons(relative):
                found.add(relative)
    return found


class Artifact:
    """A built tarball: its path, member paths, MANIFEST.json and FILES.json."""

    def __init__(self, path, expected_extensions):
        self.path = path
        self.members = members(path)
        self.expected_extensions = expected_extensions
        with tarfile.open(path) as archive:
            self.manifest = json.load(archive.extractfile('MANIFEST.json'))
            self.files = json.load(archive.extractfile('FILES.json'))


@pytest.fixture(scope='module')
def artifact(tmp_path_factory):
    """The tarball built once from the real checkout."""
    # Read before the build: the build must hold at least what the checkout had when it started.
    expected_extensions = checkout_files('extensions/**')
    return Artifact(build(CHECKOUT, str(tmp_path_factory.mktemp('dist'))), expected_extensions)


@pytest.fixture(scope='module')
def installed(artifact, tmp_path_factory):
    """The collections path (initially empty) the artifact was installed into."""
    collections_path = str(tmp_path_factory.mktemp('collections'))
    run_tool([os.path.join(BIN_DIR, 'ansible-galaxy'), 'collection', 'install', '--offline', '-p', collections_path,
              artifact.path], cwd=collections_path, env=tool_env(collections_path))
    return collections_path


def test_the_artifact_holds_the_collection_and_nothing_stray(artifact):
    strays = {path: stray_reasons(path) for path in sorted(artifact.members) if stray_reasons(path)}
    assert not strays, 'stray files in %s: %s' % (TARBALL_NAME, json.dumps(strays, indent=1))

    modules = checkout_files('plugins/modules/*.py')
    assert len(modules) >= 7  # the README's seven modules: a glob that finds nothing must not pass
    expected = modules | artifact.expected_extensions | {
        'MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'meta/runtime.yml', 'changelogs/changelog.yaml',
        'roles/rolling_restart/README.md', 'roles/rolling_restart/meta/argument_specs.yml', 'requirements.txt',
        'tests/emulator/paas_emulator/__main__.py', 'playbooks/vars/emulator.yml'}
    assert not expected - artifact.members, 'missing from the artifact: %s' % sorted(expected - artifact.members)

    info = artifact.manifest['collection_info']
    assert (info['namespace'], info['name'], info['version']) == (GALAXY['namespace'], GALAXY['name'], GALAXY['version'])
    assert info['version'] == '1.0.0'
    assert info['tags'] == GALAXY['tags'] and info['license'] == GALAXY['license'] and info['dependencies'] == {}
    # FILES.json lists exactly what the tarball holds (apart from the two manifests themselves).
    assert {entry['name'] for entry in artifact.files['files'] if entry['name'] != '.'} == artifact.members - {'MANIFEST.json', 'FILES.json'}


def test_build_ignore_leaves_out_every_kind_of_stray_file(tmp_path):
    for decoy in DECOYS:
        # The decoys are this test's own check of STRAY_RULES: each one must be caught by a rule.
        assert stray_reasons(decoy), 'no stray rule covers the decoy %s' % decoy
    source = tmp_path / 'source'
    for path in DECOYS + KEPT:
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_text('# %s\n' % path, encoding='utf-8')
    shutil.copy(os.path.join(CHECKOUT, 'galaxy.yml'), str(source / 'galaxy.yml'))
    output = tmp_path / 'dist'
    output.mkdir()

    built = members(build(str(source), str(output)))

    kept_files = {path for path in built if (source / path).is_file()}
    assert kept_files == set(KEPT), 'left in: %s, dropped: %s' % (sorted(kept_files - set(KEPT)), sorted(set(KEPT) - kept_files))
    assert not [path for path in built if stray_reasons(path)]


def test_the_artifact_installs_and_is_listed_at_its_version(artifact, installed):
    collection_dir = os.path.join(installed, 'ansible_collections', GALAXY['namespace'], GALAXY['name'])
    assert os.path.isfile(os.path.join(collection_dir, 'plugins', 'modules', 'batch_restart.py'))
    with open(os.path.join(collection_dir, 'MANIFEST.json'), encoding='utf-8') as handle:
        assert json.load(handle)['collection_info']['version'] == GALAXY['version']

    listed = run_tool([os.path.join(BIN_DIR, 'ansible-galaxy'), 'collection', 'list', FQCN, '-p', installed, '--format', 'json'],
                      cwd=installed, env=tool_env(installed))
    # Only the installed copy: the checkout is on no collections path of this process.
    assert json.loads(listed.stdout) == {os.path.join(installed, 'ansible_collections'): {FQCN: {'version': GALAXY['version']}}}


INSTALLED_PLAYBOOK = '''\
- name: Read and predict with the installed paas.ops
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      url: "{{ paas_endpoint }}"
      token: "{{ paas_demo.rainbond.token }}"
      team_id: "{{ paas_demo.rainbond.team }}"
      region_name: "{{ paas_demo.rainbond.region }}"
  tasks:
    - name: List the components of shop
      paas.ops.instance_info:
        platform: rainbond
        application_name: shop
      register: shop
    - name: Predict stopping reports
      paas.ops.app_operation:
        platform: rainbond
        app_name: reports
        action: stop
      check_mode: true
      register: stop_reports
    - name: Check what they returned
      ansible.builtin.assert:
        that:
          - shop.instances | map(attribute='name') | list == ['web', 'api', 'worker', 'gateway']
          - stop_reports is changed

- name: Run a playbook shipped in the artifact
  ansible.builtin.import_playbook: paas.ops.check_credentials
'''


def test_a_playbook_runs_from_the_installed_copy_alone(installed, emu, tmp_path):
    collection_dir = os.path.join(installed, 'ansible_collections', GALAXY['namespace'], GALAXY['name'])
    playbook = tmp_path / 'installed.yml'
    playbook.write_text(INSTALLED_PLAYBOOK, encoding='utf-8')
    # run_playbook runs an absolute path as it is. Both variables that tests/conftest.py points at the checkout are
    # replaced, so only the installed copy can be found.
    run = run_playbook(str(playbook), {'paas_endpoint': emu.url}, args=['-vvv'],
                       env={'ANSIBLE_COLLECTIONS_PATH': installed, 'PYTHONPATH': ''})
    assert run.rc == 0, run.output
    assert 'failed=0' in run.stdout

    # -vvv shows where the collections, every module and every task of the shipped playbook came from.
    assert 'ansible collection location = %s\n' % installed in run.stdout
    used = re.findall(r'Using module file (\S+)', run.stdout)
    expected = {os.path.join(collection_dir, 'plugins', 'modules', name + '.py')
                for name in ('instance_info', 'app_operation', 'api_request')}
    assert expected <= set(used), used
    assert [path for path in used if not path.startswith(collection_dir + os.sep) and '/ansible/modules/' not in path] == []
    shipped_playbook = os.path.join(collection_dir, 'playbooks', 'check_credentials.yml')
    assert len(re.findall(r'task path: %s:\d+' % re.escape(shipped_playbook), run.stdout)) >= 6

    metrics = emu.metrics()
    # The modules really talked to the emulator, and check mode sent no action.
    assert metrics['requests_total'] > 0 and metrics['actions'] == []


IMPORTER_CONFIG = '''\
[galaxy-importer]
# Offline and without a container engine: ansible-test is not run (it would need a container image);
# ansible-doc and ansible-lint (offline) are, as on Galaxy, and the stricter Automation Hub checks too.
run_ansible_test = false
ansible_test_local_image = false
local_image_docker = false
run_ansible_doc = true
run_ansible_lint = true
offline_ansible_lint = true
check_changelog = true
check_required_tags = true
require_v1_or_greater = true
log_level_main = INFO
tmp_root_dir = {work_dir}
ansible_local_tmp = {work_dir}/ansible-local-tmp
'''


class ImporterRun:
    """``python -m galaxy_importer.main`` on the artifact, started in the background: at about 30 s it is the longest
    step by far, and the other tests of this file run meanwhile."""

    def __init__(self, tarball, work_dir):
        self.work_dir = work_dir
        config = os.path.join(work_dir, 'galaxy-importer.cfg')
        with open(config, 'w', encoding='utf-8') as handle:
            handle.write(IMPORTER_CONFIG.format(work_dir=work_dir))
        # No collections path of ours: galaxy-importer runs ansible-lint with ANSIBLE_COLLECTIONS_PATH set to its own
        # unpacked tree (galaxy_importer/loaders/collection.py), so the AWX extension's awx.awx modules resolve only
        # through .ansible-lint's mock_modules, as on Galaxy itself.
        env = tool_env()
        env['GALAXY_IMPORTER_CONFIG'] = config
        self.log_path = os.path.join(work_dir, 'importer.log')
        with open(self.log_path, 'wb') as log:
            # Its own session, so that stop() also ends the ansible-doc and ansible-lint processes it started. It writes
            # importer_result.json into its working directory.
            # pylint: disable-next=consider-using-with
            self.process = subprocess.Popen([sys.executable, '-m', 'galaxy_importer.main', tarball], cwd=work_dir,
                                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout=240):
        """Its exit status and log; a run longer than ``timeout`` (below pytest-timeout's 300 s) fails with the log."""
        try:
            returncode = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError('galaxy-importer still running after %d s:\n%s' % (timeout, self.log()))
        return returncode, self.log()

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def result(self):
        with open(os.path.join(self.work_dir, 'importer_result.json'), encoding='utf-8') as handle:
            return json.load(handle)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


@pytest.fixture(scope='module', autouse=True)
def importer(artifact, tmp_path_factory):
    """galaxy-importer on the artifact, started before this file's first test and stopped after its last one."""
    run = ImporterRun(artifact.path, str(tmp_path_factory.mktemp('importer')))
    yield run
    run.stop()


def test_galaxy_importer_accepts_the_artifact_without_a_warning(importer):
    returncode, log = importer.wait()

    assert returncode == 0, log
    assert 'Importer processing completed successfully' in log, log
    # The importer prefixes every message above INFO with its level; ansible-lint findings come out as warnings.
    complaints = [line for line in log.splitlines() if re.match(r'(WARNING|ERROR|CRITICAL):', line)]
    assert complaints == [], '\n'.join(complaints)

    result = importer.result()
    assert result['metadata']['version'] == GALAXY['version'] and result['requires_ansible'] == REQUIRES_ANSIBLE
    assert result['docs_blob']['collection_readme']['name'] == 'README.md'
    modules = {os.path.basename(path)[:-3] for path in checkout_files('plugins/modules/*.py')}
    documented = {content['content_name'] for content in result['docs_blob']['contents']
                  if content['content_type'] == 'module' and content['doc_strings'].get('doc')}
    assert documented == modules
    assert ('rolling_restart', 'role') in {(content['name'], content['content_type']) for content in result['contents']}
