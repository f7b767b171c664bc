# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rolling-restart job run the way AWX runs it: ansible-runner (AWX's engine inside the execution environment) over
a private data dir laid out as AWX lays it out, with the job template's survey answers as extra vars and the credentials
injected as environment variables exactly as the paas.ops credential types render them. The job events carry a progress
line per batch and the summary, and no secret reaches the job's output.

Also: the example job template's survey asks only for variables the role accepts, in the role's own terms."""

from __future__ import annotations

import glob
import json
import os
import re
import stat
import subprocess
import sys

import jinja2.sandbox
import pytest
import yaml

from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT, _environment, checked_run, demo_world
from ansible_collections.paas.ops.tests.integration.rolling_world import COMPONENTS, MALL_RUNNING, SHOP, STOREFRONT, STOREFRONT_INSTANCES

JOB_TEMPLATE = os.path.join(COLLECTION_ROOT, 'extensions', 'awx', 'job_templates', 'rolling_restart.yml')
CREDENTIAL_TYPES = os.path.join(COLLECTION_ROOT, 'extensions', 'awx', 'credential_types')
ROLE_SPEC = os.path.join(COLLECTION_ROOT, 'roles', 'rolling_restart', 'meta', 'argument_specs.yml')
RUNNER_IDENT = '1'  # AWX names a job's artifacts after the job's id
# The engine's progress line as a batch starts: application, batch, the targets by name, the room under max_unavailable.
BATCH_LINE = re.compile(r'^\[[^\]]+\] batch (\d+)/(\d+): restarting (.+?)(?:; \d+ down of max \d+)?$')


def load_yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def job_template():
    return load_yaml(JOB_TEMPLATE)


def role_options():
    return load_yaml(ROLE_SPEC)['argument_specs']['main']['options']


def credential_types():
    """The paas.ops credential types, by name."""
    types = [load_yaml(path) for path in sorted(glob.glob(os.path.join(CREDENTIAL_TYPES, '*.yml')))]
    return dict((credential_type['name'], credential_type) for credential_type in types)


def survey_extra_vars(template, answers, settings=None):
    """The extra vars AWX passes to a launch of ``template`` with these survey answers.

    The template's extra_vars (with ``settings``, the values an operator set in them), then each survey question's
    answer, or its default when it was not answered; a question with neither is left out. Answers are checked as AWX
    checks them: a required question must be answered, and each answer must fit the question's type, range and choices.
    """
    extra_vars = dict(template['extra_vars'])
    unknown = set(settings or {}) - set(extra_vars)
    assert not unknown, 'not among the job template extra_vars: %s' % sorted(unknown)
    extra_vars.update(settings or {})
    questions = template['survey_spec']['spec']
    unasked = set(answers) - set(question['variable'] for question in questions)
    assert not unasked, 'the survey asks no question for %s' % sorted(unasked)
    for question in questions:
        variable = question['variable']
        if variable in answers:
            value = answers[variable]
        elif 'default' in question:
            value = question['default']
        else:
            assert not question['required'], 'required survey question %r is not answered' % question['question_name']
            continue
        kind = question['type']
        if kind == 'multiplechoice':
            assert value in question['choices'], (variable, value)
        else:
            python_types = {'text': str, 'integer': int, 'float': (int, float)}[kind]
            assert isinstance(value, python_types) and not isinstance(value, bool), (variable, value)
            measure = len(value) if kind == 'text' else value
            assert question.get('min', measure) <= measure <= question.get('max', measure), (variable, value)
        extra_vars[variable] = value
    return extra_vars


def credential_env(template, inputs):
    """The environment the job template's credentials inject, rendered as AWX renders each type's env injectors.

    ``inputs`` maps field ids to values; every credential type takes the fields it defines. A field left empty renders
    as an empty string (AWX still sets the variable). Returns the environment and the secret values in it.
    """
    types = credential_types()
    renderer = jinja2.sandbox.ImmutableSandboxedEnvironment()
    env, secrets = {}, []
    for credential in template['credentials']:
        credential_type = types[credential['credential_type']]
        fields = credential_type['inputs']['fields']
        values = dict((field['id'], inputs[field['id']]) for field in fields if field['id'] in inputs)
        secrets += [values[field['id']] for field in fields if field.get('secret') and field['id'] in values]
        for name, template_text in credential_type['injectors']['env'].items():
            env[name] = renderer.from_string(template_text).render(**values)
    return env, secrets


def demo_credential_inputs(emulator):
    """The emulator's demo accounts as an operator would enter them in the paas.ops credentials (field ids are the
    module options they feed)."""
    demo = demo_world()
    return dict(
        alibaba_access_key_id=demo['alibaba']['access_key_id'], alibaba_access_key_secret=demo['alibaba']['access_key_secret'],
        alibaba_region_id=demo['alibaba']['region'],
        huawei_access_key=demo['huawei']['access_key'], huawei_secret_key=demo['huawei']['secret_key'],
        huawei_region=demo['huawei']['region'],
        endpoint=emulator.url, rainbond_token=demo['rainbond']['token'], team_id=demo['rainbond']['team'],
        region_name=demo['rainbond']['region'])


def private_data_dir(root, envvars, extravars):
    """An ansible-runner private data dir as AWX lays it out: the project checkout, the inventory, env/envvars (the
    credentials' environment) and env/extravars (template extra_vars and survey answers)."""
    os.makedirs(os.path.join(root, 'project'))
    # The project is this repository: the job template's playbook path is relative to it.
    subprocess.run(['cp', '-a', os.path.join(COLLECTION_ROOT, 'playbooks'), os.path.join(root, 'project', 'playbooks')], check=True)
    os.makedirs(os.path.join(root, 'inventory'))
    # An inventory's own localhost, without ansible_python_interpreter: the playbook has to choose the interpreter.
    with open(os.path.join(root, 'inventory', 'hosts'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump({'all': {'hosts': {'localhost': {'ansible_connection': 'local'}}}}, handle)
    os.makedirs(os.path.join(root, 'env'))
    for name, content in (('envvars', envvars), ('extravars', extravars)):
        with open(os.path.join(root, 'env', name), 'w', encoding='utf-8') as handle:
            json.dump(content, handle)
    return root


def runner_command(data_dir, playbook):
    """``ansible-runner run <private data dir> -p <playbook>`` and its environment, with the runner's ansible-playbook first on PATH."""
    bin_dir = os.path.dirname(sys.executable)
    command = [os.path.join(bin_dir, 'ansible-runner'), 'run', data_dir, '-p', playbook, '--ident', RUNNER_IDENT]
    return command, _environment({'PATH': os.pathsep.join([bin_dir, os.environ.get('PATH', '')])})


def run_job(data_dir, playbook):
    command, env = runner_command(data_dir, playbook)
    return checked_run(command, env=env, timeout=240)


def job_events(artifacts):
    events = [load_yaml(path) for path in glob.glob(os.path.join(artifacts, 'job_events', '*.json'))]
    return sorted(events, key=lambda event: event['counter'])


def files_holding(directory, values):
    """The files under ``directory`` (relative paths) whose text contains any of ``values``."""
    found = set()
    for folder, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, encoding='utf-8', errors='replace') as handle:
                text = handle.read()
            if any(value in text for value in values):
                found.add(os.path.relpath(path, directory))
    return found


# One job per credential type: the survey's answers, the extra_vars an operator set in the template, what is restarted.
JOBS = {
    'rainbond': (dict(rolling_restart_platform='rainbond', rolling_restart_application_name='mall', rolling_restart_batch_size='6',
                      rolling_restart_max_unavailable='7', rolling_restart_pause_seconds=1),
                 # The console's address comes with the Rainbond credential.
                 lambda emulator: {}, MALL_RUNNING),
    'servicestage': (dict(rolling_restart_platform='servicestage', rolling_restart_application_id=SHOP, rolling_restart_batch_size='50%',
                          rolling_restart_max_unavailable='6'),
                     # The cloud platforms' endpoints derive from the region: the emulator is a private endpoint.
                     lambda emulator: {'paas_endpoint': emulator.url}, COMPONENTS),
    'sae': (dict(rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size='6',
                 rolling_restart_max_failed_targets=1),
            lambda emulator: {'paas_endpoint': emulator.url}, STOREFRONT_INSTANCES),
}


@pytest.mark.parametrize('platform', sorted(JOBS))
def test_ansible_runner_runs_the_job_with_injected_credentials_and_reports_each_batch_without_secrets(fleet, tmp_path, platform):
    answers, settings, expected = JOBS[platform]
    template = job_template()
    extravars = survey_extra_vars(template, answers, settings(fleet))
    credentials, secrets = credential_env(template, demo_credential_inputs(fleet))
    envvars = dict(credentials, ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH'])
    data_dir = private_data_dir(str(tmp_path / 'job'), envvars, extravars)

    run = run_job(data_dir, template['playbook'])

    artifacts = os.path.join(data_dir, 'artifacts', RUNNER_IDENT)
    assert run.returncode == 0, run.stdout + run.stderr
    with open(os.path.join(artifacts, 'status'), encoding='utf-8') as status, open(os.path.join(artifacts, 'rc'), encoding='utf-8') as rc:
        assert (status.read(), rc.read()) == ('successful', '0')
    assert fleet.metrics()['restarts'] == dict((target, 1) for target in expected)

    events = job_events(artifacts)
    # Each batch's progress line is a job event of its own, printed while the rollout task runs: before its result.
    rollout_ok = [event for event in events if event['event'] == 'runner_on_ok' and 'rolling_restart_result' in event['event_data']['res']]
    assert len(rollout_ok) == 1
    batch_starts = [event for event in events if event['event'] == 'verbose' and BATCH_LINE.match(event['stdout'])]
    assert batch_starts and all(event['counter'] < rollout_ok[0]['counter'] for event in batch_starts)
    lines = [BATCH_LINE.match(event['stdout']).groups() for event in batch_starts]
    assert [int(index) for index, _total, _targets in lines] == list(range(1, len(lines) + 1)) and len(lines) > 1
    assert set(int(total) for _index, total, _targets in lines) == {len(lines)}
    # The lines name the targets (by name where the platform has one): as many as each batch restarted, in batch order.
    batches = rollout_ok[0]['event_data']['res']['rolling_restart_result']['batches']
    assert [len(targets.split(', ')) for _index, _total, targets in lines] == [len(batch['targets']) for batch in batches]
    assert sorted(target for batch in batches for target in batch['targets']) == sorted(expected)
    assert rollout_ok[0]['event_data']['res']['changed']
    summaries = [event['event_data']['res']['msg'] for event in events
                 if event['event'] == 'runner_on_ok' and str(event['event_data']['res'].get('msg', '')).startswith('rolling restart ')]
    assert len(summaries) == 1 and summaries[0].startswith(
        'rolling restart done: %d restarted, 0 failed, ' % len(expected)), summaries

    # The credentials reached the modules (the emulator checked them), and their secrets are in no output of the job:
    # not stdout, stderr, job events or facts. ansible-runner records the environment it started ansible-playbook
    # with, secrets included, in artifacts/<ident>/command, readable by its owner only, like env/envvars itself.
    assert secrets and all(secrets)
    assert files_holding(artifacts, secrets) == {'command'}
    assert stat.S_IMODE(os.stat(os.path.join(artifacts, 'command')).st_mode) & 0o077 == 0
    assert not any(secret in run.stdout + run.stderr for secret in secrets)


def test_the_survey_asks_for_role_variables_in_the_role_s_own_terms():
    options = role_options()
    questions = job_template()['survey_spec']['spec']
    # AWX's survey types for the role's option types: a count or a percentage (raw) is text.
    survey_types = {'int': 'integer', 'float': 'float', 'raw': 'text', 'str': 'text'}
    assert len(set(question['variable'] for question in questions)) == len(questions)
    for question in questions:
        option = options[question['variable']]
        if 'choices' in option:
            assert (question['type'], question['choices']) == ('multiplechoice', option['choices'])
        else:
            assert question['type'] == survey_types[option['type']], question['variable']
        # A default the survey fills in is the role's own (as AWX would pass it): the survey changes no behaviour.
        if 'default' in question:
            assert str(question['default']) == str(option['default']), question['variable']
    asked = set(question['variable'] for question in questions)
    assert {'rolling_restart_platform', 'rolling_restart_application_id', 'rolling_restart_application_name',
            'rolling_restart_batch_size', 'rolling_restart_max_unavailable', 'rolling_restart_pause_seconds',
            'rolling_restart_max_failed_targets', 'rolling_restart_restarted_after'} <= asked


def test_the_job_template_runs_the_job_playbook_with_one_credential_per_paas_ops_credential_type():
    template = job_template()
    playbook = load_yaml(os.path.join(COLLECTION_ROOT, template['playbook']))
    assert template['job_type'] == 'run' and template['survey_enabled']
    # A job template takes one credential per type; these are every type paas.ops ships.
    assert sorted(credential['credential_type'] for credential in template['credentials']) == sorted(credential_types())
    # Every extra var is one the playbook or its role reads.
    accepted = set(role_options()) | set(playbook[0]['vars'])
    assert set(template['extra_vars']) <= accepted
    assert [role['role'] for role in playbook[0]['roles']] == ['paas.ops.rolling_restart']
