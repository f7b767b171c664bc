# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every command and playbook of README.md and docs/getting-started.md runs, as written, against the emulator.

A newcomer follows the docs literally, so the test does too: each file's fenced ``sh``/``bash``/``console`` blocks and
``yaml`` plays run in document order in one real ``bash`` (one shell per file, as a reader keeps one terminal open),
from a copy of the clone whose ``.venv`` is the test's Python environment, with an empty home directory and no
``ANSIBLE_COLLECTIONS_PATH`` or ``PYTHONPATH`` from the test run. Only the address and the secrets are put in, by the
rules the README states under "Tests" (``SUBSTITUTIONS`` below is the whole list); anything else a block needs must be
in the docs. Markers in HTML comments just before a block (``<!-- snippet: KIND REASON -->``) say what cannot be run
as is, and ``EXPECTED_SKIPS`` is the short list of blocks allowed not to run at all.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest
import yaml

from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT, demo_world

CHECKOUT = os.path.realpath(COLLECTION_ROOT)
DOCUMENTS = ('README.md', 'docs/getting-started.md')
SHELL_LANGUAGES = ('sh', 'bash', 'shell', 'console')
YAML_LANGUAGES = ('yaml', 'yml')
MARKER = re.compile(r'^\s*<!--\s*snippet:\s*([a-z-]+)\s*(.*?)\s*-->\s*$')
FENCE = re.compile(r'^(\s*)(```+|~~~+)\s*([^\s`]*)')
MARKER_KINDS = ('skip', 'file', 'server', 'fresh-start')

# The blocks that may stay unrun, by file and first command line, and why. A new skip needs a line here (and a reviewer);
# a skip marker on any other block fails the test, and so does an entry here whose block is no longer marked.
EXPECTED_SKIPS = {
    ('README.md', './scripts/demo'):
        'meta-commands: ./scripts/test runs this test itself, so running it from here would recurse; ./scripts/demo '
        'builds its own venv and runs the demo playbook, which test_rolling_restart.py runs against the rolling world',
    ('README.md', 'ansible-galaxy collection install git+https://github.com/paas-ops/paas.ops.git,main'):
        'installs from github.com: the test run is offline (the tarball install beside it is run)',
    ('docs/getting-started.md', 'ansible-galaxy collection install git+https://github.com/paas-ops/paas.ops.git,main'):
        'installs from github.com: the test run is offline (the tarball install beside it is run)',
}
MAX_SKIPS = 3

# What a reader types that the test cannot run as written; each must be marked, or changed so that it runs.
UNRUNNABLE = (
    (re.compile(r'(^|[\s;&|(])(\./)?scripts/(test|demo|docs)\b'), 'runs one of scripts/ (the test command itself, or a '
     'venv build): mark it skip with the reason'),
    (re.compile(r'git\+https?://'), 'installs from a git server over the network: mark it skip'),
    (re.compile(r'collection install\s+(?:-\S+\s+)*[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*(?=\s|$)'),
     'installs a collection from Galaxy over the network: mark it skip'),
    (re.compile(r'https?://(?!127\.0\.0\.1|localhost)[\w.-]+'), 'calls a host other than the emulator'),
    (re.compile(r'=\.\.\.(?=\s|$|["\'])'), 'a "..." placeholder that is not a credential the test fills in'),
    (re.compile(r'(?<![<\w])<[A-Za-z][\w .-]*>'), 'a <placeholder> left in'),
)

RAINBOND_EXAMPLE_URL = 'https://rainbond.example.com:7070'
SUBSTITUTIONS = """\
- `NAME=...` with NAME a credential variable: the emulator's credential for NAME;
- https://rainbond.example.com:7070 (in commands and plays): the emulator's URL;
- an ad-hoc `ansible ... -m paas.ops.X -a '...'` for SAE, EDAS or ServiceStage without endpoint=: endpoint=<URL> added;
- plays: -e @<vars file> with the vault_* credentials and paas_endpoint; a missing vars_files entry: that file, encrypted;
- the vault password: typed at the prompt (each block's standard input);
- paas-ops-<version>.tar.gz: built from the clone into the current directory.
"""
VAULT_PASSWORD = 'docs-snippets-vault-password'


def credentials():
    """The emulator's demo credential for each credential variable the docs may leave as ``...``."""
    world = demo_world()
    alibaba, huawei, rainbond = world['alibaba'], world['huawei'], world['rainbond']
    values = {
        ('ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALICLOUD_ACCESS_KEY'): alibaba['access_key_id'],
        ('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALICLOUD_SECRET_KEY'): alibaba['access_key_secret'],
        ('HUAWEICLOUD_SDK_AK', 'HW_ACCESS_KEY'): huawei['access_key'],
        ('HUAWEICLOUD_SDK_SK', 'HW_SECRET_KEY'): huawei['secret_key'],
        ('HUAWEICLOUD_SDK_DOMAIN_NAME', 'HW_DOMAIN_NAME'): huawei['domain_name'],
        ('HUAWEICLOUD_SDK_USER_NAME', 'HW_USER_NAME'): huawei['user_name'],
        ('HUAWEICLOUD_SDK_PASSWORD', 'HW_PASSWORD'): huawei['password'],
        ('RAINBOND_TOKEN',): rainbond['token'],
    }
    return {name: value for names, value in values.items() for name in names}


def vault_variables(endpoint):
    """The variables the plays of the docs read their secrets (vault_*) and their address (paas_endpoint) from."""
    world = demo_world()
    return {
        'paas_endpoint': endpoint,
        'vault_alibaba_ak': world['alibaba']['access_key_id'],
        'vault_alibaba_secret': world['alibaba']['access_key_secret'],
        'vault_alibaba_access_key_id': world['alibaba']['access_key_id'],
        'vault_alibaba_access_key_secret': world['alibaba']['access_key_secret'],
        'vault_huawei_ak': world['huawei']['access_key'],
        'vault_huawei_sk': world['huawei']['secret_key'],
        'vault_huawei_password': world['huawei']['password'],
        'vault_rainbond_token': world['rainbond']['token'],
    }


# ---- reading the Markdown ------------------------------------------------------------------------------------------


class Block:
    def __init__(self, document, line, language, text, marker):
        self.document = document
        self.line = line
        self.language = language
        self.text = text
        self.kind, self.reason = marker if marker else (None, '')

    @property
    def where(self):
        return '%s:%d' % (self.document, self.line)

    def commands(self):
        """The shell text of the block: console blocks keep only their ``$ `` lines, without the prompt."""
        if self.language == 'console':
            return '\n'.join(line[2:] for line in self.text.splitlines() if line.startswith('$ '))
        return self.text

    def first_command(self):
        for line in self.commands().splitlines():
            line = line.split('#', 1)[0].strip()
            if line:
                return line
        return ''


def blocks(document):
    """Every fenced block of a Markdown file, with the snippet marker on the line before it, if any."""
    with open(os.path.join(CHECKOUT, document), encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    found = []
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        indent, ticks, language = fence.groups()
        start = index
        body = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(ticks):
            body.append(lines[index][len(indent):] if lines[index].startswith(indent) else lines[index])
            index += 1
        index += 1
        previous = start - 1
        while previous >= 0 and not lines[previous].strip():
            previous -= 1
        marker = MARKER.match(lines[previous]) if previous >= 0 else None
        found.append(Block(document, start + 1, language.lower(), '\n'.join(body) + '\n',
                           marker.groups() if marker else None))
    return found


def is_play_list(text):
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(data, list) and bool(data) and all(isinstance(play, dict) and 'hosts' in play for play in data)


def problems(block):
    """Why the block cannot run as the test runs it (empty when it can)."""
    if block.kind is not None and block.kind not in MARKER_KINDS:
        return ['unknown marker %r (one of %s)' % (block.kind, ', '.join(MARKER_KINDS))]
    if block.kind == 'skip':
        return [] if len(block.reason) >= 20 else ['a skip marker needs its reason']
    if block.language in YAML_LANGUAGES:
        if block.kind == 'file':
            return [] if block.reason else ['a file marker needs the file name']
        return [] if is_play_list(block.text) else ['a yaml block that is not a list of plays: mark it (file NAME or skip)']
    if block.language not in SHELL_LANGUAGES:
        return ['a %s block the test does not know how to run: give it a language and make it run, or mark it skip'
                % (block.language or 'plain')]
    found = []
    for line in substitute(block.commands(), 'http://127.0.0.1:1').splitlines():
        code = line.split(' #', 1)[0] if not line.lstrip().startswith('#') else ''
        for pattern, why in UNRUNNABLE:
            if pattern.search(code):
                found.append('%s: %s' % (why, line.strip()))
    return found


# ---- what the test puts in -----------------------------------------------------------------------------------------


CREDENTIAL_PLACEHOLDER = re.compile(r'\b([A-Z][A-Z0-9_]*)=\.\.\.(?=\s|$)')
ADHOC_ARGS = re.compile(r"""(\bansible\s+\S+\s+(?:.*\s)?-m\s+paas\.ops\.\w+\s+(?:.*\s)?-a\s+)(['"])(.*?)\2""")


def substitute(text, url):
    """The block as the test runs it: the SUBSTITUTIONS above, and nothing else."""
    secrets = credentials()
    text = CREDENTIAL_PLACEHOLDER.sub(lambda m: '%s=%s' % (m.group(1), secrets[m.group(1)]) if m.group(1) in secrets
                                      else m.group(0), text)
    text = text.replace(RAINBOND_EXAMPLE_URL, url)

    def add_endpoint(match):
        prefix, quote, args = match.groups()
        if re.search(r'(^|\s)(endpoint|url)=', args) or re.search(r'(^|\s)platform=rainbond\b', args):
            return match.group(0)
        return '%s%s%s endpoint=%s%s' % (prefix, quote, args, url, quote)

    return ADHOC_ARGS.sub(add_endpoint, text)


# ---- running a document --------------------------------------------------------------------------------------------


def _bin_dir():
    # PAAS_ANSIBLE_BIN runs the suite with another ansible-core (ansible_cli.py): the docs run on that one too.
    return os.path.realpath(os.environ.get('PAAS_ANSIBLE_BIN') or os.path.dirname(sys.executable))


def _copy_clone(destination):
    """A copy of the checkout as a fresh clone has it, with ``.venv`` being the test's Python environment."""
    ignore = shutil.ignore_patterns('.git', '.venv', '.venv-*', '.collections', 'dist', 'build', '__pycache__', '*.pyc',
                                    '.*_cache', '.work', '.ansible', 'output', '*.tar.gz', 'emulator.log')
    shutil.copytree(CHECKOUT, destination, ignore=ignore, symlinks=True)
    os.symlink(os.path.dirname(_bin_dir()), os.path.join(destination, '.venv'))
    return destination


def _environment(home, fresh):
    """A new login's environment: nothing of the test run's Ansible set-up, credentials or venv."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(('ANSIBLE_', 'ALIBABA_CLOUD_', 'ALICLOUD_', 'HUAWEICLOUD_SDK_', 'HW_', 'RAINBOND_',
                                   'PAAS_', 'PIP_'))
           and name not in ('PYTHONPATH', 'VIRTUAL_ENV', 'PYTHONHOME', 'URL')}
    bin_dir = _bin_dir()
    path = [entry for entry in os.environ.get('PATH', '').split(os.pathsep)
            if entry and os.path.realpath(entry) != bin_dir]
    if fresh:
        # Nothing installed: no ansible-core anywhere on PATH until the docs put .venv/bin there.
        path = [entry for entry in path if not os.path.exists(os.path.join(entry, 'ansible'))]
    else:
        # The docs' requirement: ansible-core (and requests) installed, their programs on PATH.
        path = [bin_dir] + path
    env.update(HOME=home, PATH=os.pathsep.join(path), NO_PROXY='127.0.0.1,localhost', no_proxy='127.0.0.1,localhost',
               PIP_DISABLE_PIP_VERSION_CHECK='1', PIP_NO_INPUT='1', ANSIBLE_NOCOLOR='1')
    return env


class Session:
    """One shell of a document: a clone copy, a home directory, and the bash script its blocks become."""

    def __init__(self, root, number, fresh, tarball):
        self.cwd = _copy_clone(os.path.join(root, 'clone-%d' % number))
        self.home = os.path.join(root, 'home-%d' % number)
        os.makedirs(self.home)
        self.fresh = fresh
        if tarball and not fresh:
            shutil.copy(tarball, self.cwd)
        self.env = _environment(self.home, fresh)
        self.work = os.path.join(root, 'session-%d' % number)
        os.makedirs(self.work)
        self.password_file = os.path.join(self.work, 'typed-at-the-prompt')
        with open(self.password_file, 'w', encoding='utf-8') as handle:
            handle.write(VAULT_PASSWORD + '\n')
        self.steps = []
        self.plays = []

    def add(self, block, url, vars_file):
        self.steps.append("printf '\\n==> %s (%%s s)\\n' \"$SECONDS\" >&2" % block.where)
        if block.language in YAML_LANGUAGES:
            data = yaml.safe_load(block.text)
            self.plays.extend(data if isinstance(data, list) else [])
            if block.kind == 'file':
                with open(os.path.join(self.cwd, block.reason), 'w', encoding='utf-8') as handle:
                    handle.write(block.text.replace(RAINBOND_EXAMPLE_URL, url))
                return
            playbook = os.path.join(self.work, 'play-%d.yml' % block.line)
            with open(playbook, 'w', encoding='utf-8') as handle:
                handle.write(block.text.replace(RAINBOND_EXAMPLE_URL, url))
            self.steps.append('ansible-playbook %s -e @%s' % (playbook, vars_file))
            return
        commands = substitute(block.commands(), url)
        if block.kind == 'server':
            log = os.path.join(self.work, 'server-%d.log' % block.line)
            self.steps.append(textwrap.dedent('''\
                {
                %s
                } >%s 2>&1 </dev/null &
                server=$!
                for _ in $(seq 300); do grep -q '^PAAS_EMULATOR_URL=' %s && break; kill -0 "$server" || break; sleep 0.1; done
                cat %s >&2
                grep -q '^PAAS_EMULATOR_URL=' %s || { echo 'the server printed no URL' >&2; exit 1; }
                stop_tree "$server"''') % (commands.rstrip('\n'), log, log, log, log))
            return
        self.steps.append('{\n%s\n} <%s' % (commands.rstrip('\n'), self.password_file))

    def vaults(self, vault_vars):
        """A vars_files entry of a play that the docs tell the reader to create: the emulator's secrets, encrypted."""
        for play in self.plays:
            for name in play.get('vars_files') or []:
                path = os.path.join(self.cwd, name)
                if os.path.exists(path):
                    continue
                with open(path, 'w', encoding='utf-8') as handle:
                    yaml.safe_dump(vault_vars, handle)
                subprocess.run([os.path.join(_bin_dir(), 'ansible-vault'), 'encrypt', '--vault-password-file',
                                self.password_file, path], check=True, capture_output=True, env=self.env, cwd=self.cwd)

    def script(self):
        header = textwrap.dedent('''\
            set -euo pipefail
            stop_tree() { local child; for child in $(pgrep -P "$1" || true); do stop_tree "$child"; done; kill "$1" 2>/dev/null || true; }
            set -x
            ''')
        return header + '\n'.join(self.steps + ["printf '\\n==> end (%s s)\\n' \"$SECONDS\" >&2"]) + '\n'

    def run(self, timeout):
        script = os.path.join(self.work, 'session.sh')
        with open(script, 'w', encoding='utf-8') as handle:
            handle.write(self.script())
        # Its own session, so that whatever the blocks leave running (an emulator started with &) is stopped after.
        # pylint: disable-next=consider-using-with
        process = subprocess.Popen(['bash', script], cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            output = process.communicate(timeout=timeout)[0]
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output = process.communicate()[0]
            output += '\n[timed out after %d s]' % timeout
        finally:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        return process.returncode, output


def sessions_of(document, url, root, tarball, vars_file):
    sessions = []
    for block in blocks(document):
        if block.kind == 'skip' or (block.language not in SHELL_LANGUAGES + YAML_LANGUAGES):
            continue
        if not sessions or block.kind == 'fresh-start':
            sessions.append(Session(root, len(sessions), block.kind == 'fresh-start', tarball))
        sessions[-1].add(block, url, vars_file)
    return sessions


# ---- the tests -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize('document', DOCUMENTS)
def test_every_block_can_run_as_written(document):
    """No block is silently left out: each runs as the test runs it, or is marked, with its reason."""
    found = ['%s: %s' % (block.where, problem) for block in blocks(document) for problem in problems(block)]
    assert not found, 'blocks the test cannot run as written:\n' + '\n'.join(found)


def test_the_skipped_blocks_are_few_and_justified():
    skipped = {(block.document, block.first_command()): block for document in DOCUMENTS for block in blocks(document)
               if block.kind == 'skip'}
    assert len(skipped) <= MAX_SKIPS, 'more blocks skipped than the %d allowed: %s' % (MAX_SKIPS, sorted(skipped))
    unexpected = sorted('%s (%s)' % (block.where, key[1]) for key, block in skipped.items() if key not in EXPECTED_SKIPS)
    assert not unexpected, 'skipped without a line in EXPECTED_SKIPS: %s' % unexpected
    gone = sorted('%s: %s' % key for key in EXPECTED_SKIPS if key not in skipped)
    assert not gone, 'in EXPECTED_SKIPS but no longer marked skip (drop the entry): %s' % gone


@pytest.fixture(scope='module')
def release_tarball(tmp_path_factory):
    """paas-ops-<version>.tar.gz, as a reader downloads it: built from a copy of the clone."""
    root = tmp_path_factory.mktemp('docs-release')
    clone = _copy_clone(str(root / 'clone'))
    subprocess.run([os.path.join(_bin_dir(), 'ansible-galaxy'), 'collection', 'build', '--output-path', str(root), clone],
                   check=True, capture_output=True, env=_environment(str(root), fresh=False), cwd=str(root))
    with open(os.path.join(CHECKOUT, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    return str(root / ('%s-%s-%s.tar.gz' % (galaxy['namespace'], galaxy['name'], galaxy['version'])))


@pytest.mark.parametrize('document', DOCUMENTS)
def test_the_blocks_run_against_the_emulator(document, emulator_clean, release_tarball, tmp_path):
    # Never run what the test cannot run as written (./scripts/test would recurse): the check above fails first.
    unrunnable = [block.where for block in blocks(document) if problems(block)]
    assert not unrunnable, 'blocks that cannot run as written (see test_every_block_can_run_as_written): %s' % unrunnable
    vars_file = str(tmp_path / 'emulator-vault-vars.yml')
    with open(vars_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(vault_variables(emulator_clean.url), handle)
    sessions = sessions_of(document, emulator_clean.url, str(tmp_path), release_tarball, vars_file)
    assert sessions, 'no runnable block in %s' % document
    for number, session in enumerate(sessions):
        session.vaults(vault_variables(emulator_clean.url))
        returncode, output = session.run(timeout=420)
        with open(os.path.join(session.work, 'output.log'), 'w', encoding='utf-8') as handle:
            handle.write(output)
        where = re.findall(r'^==> (\S+)', output, re.M)
        assert returncode == 0, '%s, shell %d: failed at %s (exit %s):\n%s' % (
            document, number, where[-1] if where else 'the start', returncode, output[-8000:])
        assert 'DEPRECATION WARNING' not in output, '%s, shell %d: a deprecation warning:\n%s' % (document, number, output[-8000:])


def test_awx_doc_says_where_ansible_runner_writes_the_credentials(tmp_path):
    """docs/awx.md warns about the file in which ansible-runner stores the job's environment, secrets included.

    The file is the one this ansible-runner really writes: a job run with a secret in its environment leaves the secret
    in clear text in ``artifacts/<ident>/command`` (mode 0600), and ``--rotate-artifacts`` is the option the doc names
    for cleaning up.
    """
    secret = 'docs-snippets-secret-value'
    private = tmp_path / 'private'
    (private / 'project').mkdir(parents=True)
    (private / 'env').mkdir()
    (private / 'project' / 'noop.yml').write_text('- hosts: localhost\n  gather_facts: false\n  tasks: []\n')
    (private / 'env' / 'envvars').write_text('{"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "%s"}' % secret)
    completed = subprocess.run([sys.executable, '-m', 'ansible_runner', 'run', str(private), '-p', 'noop.yml',
                                '--ident', 'job1', '--rotate-artifacts', '3'],
                               capture_output=True, text=True, env=_environment(str(tmp_path), fresh=False), timeout=180,
                               check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    command = private / 'artifacts' / 'job1' / 'command'
    assert secret in command.read_text(encoding='utf-8')
    assert oct(command.stat().st_mode & 0o777) == oct(0o600)

    with open(os.path.join(CHECKOUT, 'docs', 'awx.md'), encoding='utf-8') as handle:
        doc = handle.read()
    for needed in ('artifacts/<ident>/command', '--rotate-artifacts', 'chmod 700'):
        assert needed in doc, 'docs/awx.md does not say %r' % needed
