# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX workflow of a canary, an approval and the rest of the fleet (extensions/awx/workflow_job_templates/), run the
way AWX runs it: two jobs under ansible-runner, the second one given the first one's artifacts.

The workflow file is checked against the options of the real awx.awx.workflow_job_template module (its documented
options, suboptions included, as an argument spec) and against AWX's rules for what reaches each job. Then job 1 (the
canary node) runs with the extra vars AWX would give it; the set_stats data in its playbook_on_stats event (what AWX
keeps as the job's artifacts) carry the marker; job 2 (the node after the approval) gets those artifacts as extra vars,
as AWX passes them on, and finishes the rollout. The emulator's action log shows every target restarted exactly once.
"""

from __future__ import annotations

import ast
import os
import re

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.paas.ops.tests import awx_collection as tests_awx_collection
from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT
from ansible_collections.paas.ops.tests.integration.rolling_world import STOREFRONT, STOREFRONT_INSTANCES
from ansible_collections.paas.ops.tests.packaging.test_awx_job_run import (
    RUNNER_IDENT, credential_env, demo_credential_inputs, job_events, job_template, load_yaml, private_data_dir, role_options, run_job,
    survey_extra_vars)

WORKFLOW = os.path.join(COLLECTION_ROOT, 'extensions', 'awx', 'workflow_job_templates', 'rolling_restart_promotion.yml')
PAUSED = re.compile(r'^\[[^\]]+\] paused for promotion after batch (\d+)/(\d+): continue with rolling_restart_restarted_after=([0-9.]+)$')


def workflow():
    return load_yaml(WORKFLOW)


@pytest.fixture(scope='module')
def awx_collection(tmp_path_factory):
    """A collections path with awx.awx: the one ./scripts/test unpacked (PAAS_AWX_COLLECTIONS), else a fresh download."""
    return tests_awx_collection.awx_collection(os.environ.get('PAAS_AWX_COLLECTIONS') or str(tmp_path_factory.mktemp('awx-collections')))


def module_argument_spec(collections, module):
    """An awx.awx module's documented options as an argument spec: the module's own spec leaves workflow_nodes' suboptions
    unchecked (a list of dicts), its documentation states them."""
    path = os.path.join(collections, 'ansible_collections', 'awx', 'awx', 'plugins', 'modules', module + '.py')
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    [documentation] = [node.value.value for node in tree.body if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'DOCUMENTATION']

    def spec(options):
        converted = {}
        for name, option in options.items():
            entry = dict((key, option[key]) for key in ('type', 'elements', 'choices', 'default', 'aliases', 'required') if key in option)
            if 'suboptions' in option:
                entry['options'] = spec(option['suboptions'])
            converted[name] = entry
        return converted
    return spec(yaml.safe_load(documentation)['options'])


def nodes_by_id(template):
    return dict((node['identifier'], node) for node in template['workflow_nodes'])


def successors(node, relation='success_nodes'):
    return [entry['identifier'] for entry in (node.get('related') or {}).get(relation) or []]


def test_the_workflow_is_what_awx_awx_workflow_job_template_accepts(awx_collection):
    template = workflow()
    result = ArgumentSpecValidator(module_argument_spec(awx_collection, 'workflow_job_template')).validate(template)
    assert not result.error_messages, result.error_messages
    # The survey is AWX's own format, the one of the job template (the module passes it to the API as it is).
    assert template['survey_enabled'] and set(template['survey_spec']) == set(job_template()['survey_spec'])


def test_the_canary_is_approved_before_the_rest_of_the_fleet_runs():
    template = workflow()
    nodes = nodes_by_id(template)
    job = job_template()['name']
    assert sorted(nodes) == ['approve', 'canary', 'rest']
    assert [nodes[name]['unified_job_template']['type'] for name in ('canary', 'approve', 'rest')] == ['job_template', 'workflow_approval', 'job_template']
    assert nodes['canary']['unified_job_template']['name'] == nodes['rest']['unified_job_template']['name'] == job
    # Only a success of the canary leads to the approval, and only an approval to the rest; no other path reaches it.
    assert successors(nodes['canary']) == ['approve'] and successors(nodes['approve']) == ['rest'] and successors(nodes['rest']) == []
    assert all(not successors(node, relation) for node in nodes.values() for relation in ('failure_nodes', 'always_nodes'))
    assert nodes['approve']['unified_job_template']['timeout'] > 0


def test_the_workflow_asks_role_variables_and_leaves_the_marker_to_the_artifacts():
    template = workflow()
    options = role_options()
    questions = template['survey_spec']['spec']
    asked = [question['variable'] for question in questions]
    assert len(set(asked)) == len(asked) and set(asked) <= set(options) and set(template['extra_vars']) <= set(options)
    survey_types = {'int': 'integer', 'float': 'float', 'raw': 'text', 'str': 'text'}
    for question in questions:
        option = options[question['variable']]
        assert question['type'] == ('multiplechoice' if 'choices' in option else survey_types[option['type']]), question['variable']
    # A workflow's extra vars (its survey's answers) win over the artifacts in every job it starts: setting the marker
    # here would hide the canary's.
    assert 'rolling_restart_restarted_after' not in set(asked) | set(template['extra_vars'])
    assert 'rolling_restart_promote_after' in asked
    # AWX gives a job template node's extra_data to its job only for variables the job template's survey asks for.
    job_asks = set(question['variable'] for question in job_template()['survey_spec']['spec'])
    assert all(set(node.get('extra_data') or {}) <= job_asks for node in template['workflow_nodes'])
    assert {'rolling_restart_promote_after', 'rolling_restart_restarted_after'} <= job_asks


def awx_node_extra_vars(job, flow, node, answers, artifacts):
    """The extra vars AWX gives the job of a workflow's job template ``node`` (WorkflowJobNode.get_job_kwargs, then the job
    template's own): its extra_vars and survey defaults, under the node's extra_data, under the artifacts of the jobs
    before it, under the workflow job's extra vars (its extra_vars and survey answers)."""
    workflow_vars = survey_extra_vars(flow, answers)
    given = dict(node.get('extra_data') or {})
    given.update(artifacts)
    given.update(workflow_vars)
    extra_vars = dict(job['extra_vars'])
    for question in job['survey_spec']['spec']:
        if question['variable'] not in given and 'default' in question:
            extra_vars[question['variable']] = question['default']
    extra_vars.update(given)
    return extra_vars


def run_node(fleet, root, extra_vars):
    """One job of the workflow under ansible-runner, as AWX runs a job template's job: its job events."""
    job = job_template()
    credentials, _secrets = credential_env(job, demo_credential_inputs(fleet))
    envvars = dict(credentials, ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH'])
    data_dir = private_data_dir(root, envvars, extra_vars)
    run = run_job(data_dir, job['playbook'])
    artifacts = os.path.join(data_dir, 'artifacts', RUNNER_IDENT)
    with open(os.path.join(artifacts, 'status'), encoding='utf-8') as status:
        assert (run.returncode, status.read()) == (0, 'successful'), run.stdout + run.stderr
    return job_events(artifacts)


def awx_artifacts(events):
    """What AWX keeps as a job's artifacts: the set_stats data of no host, in the playbook_on_stats event."""
    [stats] = [event for event in events if event['event'] == 'playbook_on_stats']
    return stats['event_data']['artifact_data']


def test_the_canary_job_s_artifacts_carry_the_marker_to_the_job_after_the_approval(fleet, tmp_path):
    job, flow = job_template(), workflow()
    nodes = nodes_by_id(flow)
    # The operator's answers to the workflow's survey; the canary is its default, one batch.
    answers = dict(rolling_restart_platform='sae', rolling_restart_application_id=STOREFRONT, rolling_restart_batch_size='3',
                   rolling_restart_max_unavailable='3')
    settings = {'paas_endpoint': fleet.url}

    canary_vars = dict(awx_node_extra_vars(job, flow, nodes['canary'], answers, {}), **settings)
    assert canary_vars['rolling_restart_promote_after'] == 1
    events = run_node(fleet, str(tmp_path / 'canary'), canary_vars)
    paused = [PAUSED.match(event['stdout']) for event in events if event['event'] == 'verbose' and PAUSED.match(event['stdout'])]
    assert len(paused) == 1 and paused[0].group(1, 2) == ('1', '4')
    marker = float(paused[0].group(3))
    assert fleet.metrics()['restarts'] == dict((instance, 1) for instance in STOREFRONT_INSTANCES[:3])
    artifacts = awx_artifacts(events)
    assert artifacts['rolling_restart_restarted_after'] == marker
    assert artifacts['rolling_restart_last_result']['promotion']['remaining'] == STOREFRONT_INSTANCES[3:]

    # Approved: the job after the approval node gets the artifacts (AWX hands them on through the approval node).
    rest_vars = dict(awx_node_extra_vars(job, flow, nodes['rest'], answers, artifacts), **settings)
    assert rest_vars['rolling_restart_restarted_after'] == marker and rest_vars['rolling_restart_promote_after'] == 1
    events = run_node(fleet, str(tmp_path / 'rest'), rest_vars)
    lines = [event['stdout'] for event in events if event['event'] == 'verbose']
    assert not any(PAUSED.match(line) for line in lines)
    assert any(line.endswith('promotion: the canary (storefront-01, storefront-02, storefront-03) was restarted after the marker; not pausing again')
               for line in lines), lines
    [result] = [event['event_data']['res']['rolling_restart_result'] for event in events
                if event['event'] == 'runner_on_ok' and 'rolling_restart_result' in event['event_data']['res']]
    assert sorted(result['restarted']) == STOREFRONT_INSTANCES[3:] and result['promotion'] is None and result['marker'] == marker

    # Each instance restarted exactly once over the two jobs, by one action each.
    metrics = fleet.metrics()
    assert metrics['restarts'] == dict((instance, 1) for instance in STOREFRONT_INSTANCES)
    acted = [target for entry in metrics['actions'] for target in entry['targets']]
    assert sorted(acted) == sorted(STOREFRONT_INSTANCES)
    assert 0 < metrics['max_unavailable'][STOREFRONT] <= 3
