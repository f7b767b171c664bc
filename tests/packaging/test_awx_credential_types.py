# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX custom credential types of extensions/awx/credential_types/ and the modules agree.

Each type's ``injectors.env`` is rendered the way AWX does it when it runs a job (Jinja2 over the credential's field
values, in a sandbox; a field left empty renders as ``''``), and a real ``ansible`` process runs a module with only
that environment, no credential option, against the emulator: right credentials read, a wrong secret fails with the
platform's authentication error. Static checks tie every injected variable to an option the modules read and every
secret option to a ``secret: true`` field. Last, extensions/awx/register_credential_types.yml registers the types
with the real awx.awx collection (taken from the ``ansible`` package on PyPI into a temporary collections path)
against a small fake of the controller's credential_types API that checks each payload as AWX validates it.
"""

from __future__ import annotations

import copy
import glob
import importlib
import json
import os
import re
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import yaml
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.paas.ops.plugins.module_utils._platform import CONNECTION_ARGSPEC, PLATFORMS
from ansible_collections.paas.ops.tests import awx_collection as tests_awx_collection
from ansible_collections.paas.ops.tests.integration.ansible_cli import COLLECTION_ROOT, demo_world, run_module, run_playbook

AWX_DIR = os.path.join(COLLECTION_ROOT, 'extensions', 'awx')
TYPE_FILES = sorted(glob.glob(os.path.join(AWX_DIR, 'credential_types', '*.yml')))
REGISTER_PLAYBOOK = os.path.join(AWX_DIR, 'register_credential_types.yml')

# The platform family each type is for, by file name, and the doc fragment that lists that family's options.
FAMILIES = {'alibaba_cloud': '_alibaba', 'huawei_cloud': '_huawei', 'rainbond': '_rainbond'}

WORLD = demo_world()
ALIBABA, HUAWEI, RAINBOND = WORLD['alibaba'], WORLD['huawei'], WORLD['rainbond']
SECRETS = [ALIBABA['access_key_secret'], ALIBABA['sts_access_key_secret'], ALIBABA['sts_security_token'], HUAWEI['secret_key'],
           HUAWEI['temporary_secret_key'], HUAWEI['temporary_security_token'], HUAWEI['password'], RAINBOND['token']]

AWX_COLLECTION_VERSION = tests_awx_collection.AWX_COLLECTION_VERSION


def load_type(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


TYPES = {os.path.splitext(os.path.basename(path))[0]: load_type(path) for path in TYPE_FILES}


# ---- AWX's rules (awx/main/fields.py, awx/main/models/credential/__init__.py, awx/main/constants.py) ------------------

# Variables AWX sets for its own use: a credential type cannot inject them (nor any ANSIBLE_* variable).
AWX_ENV_BLOCKLIST = frozenset(('VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID',
                               'INVENTORY_UPDATE_ID', 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES',
                               'CALLBACK_QUEUE', 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS',
                               'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH', 'SUPERVISOR_WEB_CONFIG_PATH'))
FIELD_KEYS = {'id', 'label', 'type', 'help_text', 'secret', 'choices', 'default', 'multiline', 'format', 'ask_at_runtime'}
NAME = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')


def awx_type_errors(credential_type):
    """What AWX's API would reject in a custom credential type (CredentialTypeInputField, CredentialTypeInjectorField)."""
    errors = []
    if credential_type.get('kind') not in ('cloud', 'net'):
        errors.append('kind must be cloud or net for a custom credential type, not %r' % credential_type.get('kind'))
    if not credential_type.get('name'):
        errors.append('name is required')
    inputs = credential_type.get('inputs') or {}
    if set(inputs) - {'fields', 'required'}:
        errors.append('inputs: unexpected keys %s' % sorted(set(inputs) - {'fields', 'required'}))
    ids = []
    for field in inputs.get('fields', []):
        if set(field) - FIELD_KEYS or not {'id', 'label'} <= set(field):
            errors.append('field %r: keys %s' % (field.get('id'), sorted(field)))
        field_id, field_type = field.get('id', ''), field.get('type', 'string')
        if not NAME.match(field_id) or field_id == 'tower' or field_id in ids:
            errors.append('field id %r is invalid, reserved or repeated' % field_id)
        ids.append(field_id)
        if field_type not in ('string', 'boolean'):
            errors.append('field %s: type %r' % (field_id, field_type))
        if 'default' in field and not isinstance(field['default'], {'string': str, 'boolean': bool}.get(field_type, ())):
            errors.append('field %s: default %r is not a %s' % (field_id, field['default'], field_type))
        for key in ('choices', 'multiline', 'format', 'secret'):
            if key in field and field_type != 'string':
                errors.append('field %s: %s not allowed for a %s' % (field_id, key, field_type))
        choices = field.get('choices', [''])
        if not choices or len(set(choices)) != len(choices) or not all(isinstance(choice, str) for choice in choices):
            errors.append('field %s: choices %r' % (field_id, choices))
    errors += ['required %r is not a field' % name for name in inputs.get('required', []) if name not in ids]
    injectors = credential_type.get('injectors') or {}
    if set(injectors) - {'env', 'extra_vars', 'file'}:
        errors.append('injectors: unexpected keys %s' % sorted(set(injectors) - {'env', 'extra_vars', 'file'}))
    defined = dict((field_id, 'EXAMPLE') for field_id in ids)
    for kind, templates in injectors.items():
        for name, template in templates.items():
            if kind == 'env' and (not NAME.match(name) or name.startswith('ANSIBLE_') or name in AWX_ENV_BLOCKLIST):
                errors.append('environment variable %s is not allowed in credentials' % name)
            if not isinstance(template, str) or not template.isascii():
                errors.append('%s %s: the template must be an ASCII string' % (kind, name))
                continue
            try:
                ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(template).render(defined)
            except UndefinedError as error:
                errors.append('%s %s uses an undefined field (%s)' % (kind, name, error))
    return errors


def awx_injected_env(credential_type, inputs):
    """The environment AWX gives a job for a credential with these inputs (CredentialType.inject_credential)."""
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    assert set(inputs) <= set(fields), 'not fields of %s: %s' % (credential_type['name'], sorted(set(inputs) - set(fields)))
    missing = [name for name in credential_type['inputs'].get('required', []) if inputs.get(name) in (None, '')]
    assert not missing, 'AWX would refuse this credential: %s required' % ', '.join(missing)
    # An empty value of a field with choices is saved as the first choice (CredentialInputField.validate).
    inputs = {name: (value or fields[name]['choices'][0]) if 'choices' in fields[name] else value for name, value in inputs.items()}
    namespace = {'tower': types.SimpleNamespace()}
    for name, value in inputs.items():
        if isinstance(value, bool) or len(value):
            namespace[name] = value
    for field in fields.values():
        if field.get('type') == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False
    # Default Undefined: a field that was left empty, or never set, renders as ''.
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace) for name, template in credential_type['injectors'].get('env', {}).items()}


# ---- what the modules read -------------------------------------------------------------------------------------------

def option_env_names():
    """{option: [environment variables]}: the env fallbacks of CONNECTION_ARGSPEC, and Rainbond's endpoint variable."""
    names = {}
    for option, spec in CONNECTION_ARGSPEC.items():
        if 'fallback' in spec:
            names[option] = list(spec['fallback'][1])
    for platform in PLATFORMS.values():
        if platform.endpoint_env:
            names.setdefault('endpoint', []).append(platform.endpoint_env)
    return names


def family_options(type_name):
    """The options of the type's platform family, as its doc fragment documents them."""
    fragment = importlib.import_module('ansible_collections.paas.ops.plugins.doc_fragments.' + FAMILIES[type_name])
    return set(yaml.safe_load(fragment.ModuleDocFragment.DOCUMENTATION)['options'])


def secret_looking(field):
    text = '%s %s' % (field['id'], field['label'])
    return re.search(r'secret|password|passwd|token|\bsk\b|private', text, re.IGNORECASE) is not None


def test_the_types_are_the_three_families():
    assert sorted(TYPES) == sorted(FAMILIES)
    assert len({credential_type['name'] for credential_type in TYPES.values()}) == len(TYPES)


@pytest.mark.parametrize('type_name', sorted(TYPES))
def test_each_type_is_a_valid_awx_cloud_credential_type(type_name):
    credential_type = TYPES[type_name]
    assert set(credential_type) == {'name', 'description', 'kind', 'inputs', 'injectors'}
    assert credential_type['kind'] == 'cloud' and credential_type['description']
    assert awx_type_errors(credential_type) == []
    for field in credential_type['inputs']['fields']:
        assert field.get('type') in ('string', 'boolean') and field.get('help_text'), field['id']
    # Only environment variables: nothing for extra_vars, where they would override a task's options, nor files.
    assert set(credential_type['injectors']) == {'env'}


@pytest.mark.parametrize('type_name', sorted(TYPES))
def test_every_injected_variable_is_one_the_modules_read(type_name):
    credential_type = TYPES[type_name]
    env_names = option_env_names()
    options = family_options(type_name) | ({'endpoint'} if type_name == 'rainbond' else set())
    field_ids = [field['id'] for field in credential_type['inputs']['fields']]
    assert set(field_ids) <= options, 'a field that feeds no option of the family'
    # Each field feeds the option of its name through that option's first (primary) variable, verbatim.
    expected = {env_names[field_id][0]: '{{ %s }}' % field_id for field_id in field_ids}
    assert credential_type['injectors']['env'] == expected
    # And no option of the family that reads the environment is left without a field.
    assert {option for option in options if option in env_names} == set(field_ids)


@pytest.mark.parametrize('type_name', sorted(TYPES))
def test_secrets_are_secret_fields(type_name):
    fields = {field['id']: field for field in TYPES[type_name]['inputs']['fields']}
    no_log = {option for option in family_options(type_name) if CONNECTION_ARGSPEC.get(option, {}).get('no_log')}
    assert no_log <= set(fields), 'a secret option without a field'
    secret = {field_id for field_id, field in fields.items() if field.get('secret') is True}
    # secret: true exactly where the module treats the option as a secret; key IDs (AK, AccessKey ID) are identifiers.
    assert secret == no_log
    assert {field_id for field_id, field in fields.items() if secret_looking(field)} <= secret


def test_an_unset_optional_field_renders_as_an_empty_string():
    env = awx_injected_env(TYPES['alibaba_cloud'], {'alibaba_access_key_id': 'LTAIx', 'alibaba_access_key_secret': 's',
                                                    'alibaba_region_id': 'cn-hangzhou', 'alibaba_security_token': ''})
    assert env == {'ALIBABA_CLOUD_ACCESS_KEY_ID': 'LTAIx', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': 's', 'ALIBABA_CLOUD_SECURITY_TOKEN': '',
                   'ALIBABA_CLOUD_REGION_ID': 'cn-hangzhou'}
    with pytest.raises(AssertionError, match='required'):
        awx_injected_env(TYPES['rainbond'], {'rainbond_token': 't'})


# ---- injected environment against the emulator ----------------------------------------------------------------------

def iam_token(emulator):
    """A token from the emulator's IAM, obtained the way any IAM client does (no collection code)."""
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'domain': {'name': HUAWEI['domain_name']}, 'name': HUAWEI['user_name'], 'password': HUAWEI['password']}}},
        'scope': {'project': {'id': HUAWEI['project_id']}}}}
    response = requests.post(emulator.url + '/v3/auth/tokens', json=body, timeout=10)
    assert response.status_code == 201
    return response.headers['X-Subject-Token']


ALIBABA_KEY = {'alibaba_access_key_id': ALIBABA['access_key_id'], 'alibaba_access_key_secret': ALIBABA['access_key_secret'],
               'alibaba_region_id': ALIBABA['region']}
ALIBABA_STS = {'alibaba_access_key_id': ALIBABA['sts_access_key_id'], 'alibaba_access_key_secret': ALIBABA['sts_access_key_secret'],
               'alibaba_security_token': ALIBABA['sts_security_token'], 'alibaba_region_id': ALIBABA['region']}
HUAWEI_AKSK = {'huawei_access_key': HUAWEI['access_key'], 'huawei_secret_key': HUAWEI['secret_key'], 'huawei_region': HUAWEI['region']}
HUAWEI_TEMPORARY = {'huawei_access_key': HUAWEI['temporary_access_key'], 'huawei_secret_key': HUAWEI['temporary_secret_key'],
                    'huawei_security_token': HUAWEI['temporary_security_token'], 'huawei_region': HUAWEI['region'],
                    'huawei_project_id': HUAWEI['project_id']}
HUAWEI_PASSWORD = {'huawei_domain_name': HUAWEI['domain_name'], 'huawei_user_name': HUAWEI['user_name'], 'huawei_password': HUAWEI['password'],
                   'huawei_region': HUAWEI['region']}
RAINBOND_CREDENTIAL = {'rainbond_token': RAINBOND['token'], 'team_id': RAINBOND['team'], 'region_name': RAINBOND['region']}

SAE_INSTANCES = {'platform': 'sae', 'application_id': ALIBABA['sae_app_id']}
EDAS_ECCS = {'platform': 'edas', 'application_id': ALIBABA['edas_app_id']}
MALL_COMPONENTS = {'platform': 'servicestage', 'application_name': 'mall'}
SHOP_COMPONENTS = {'platform': 'rainbond', 'application_name': 'shop'}

# name: (type, inputs, instance_info arguments); 'EMULATOR' and 'IAM_TOKEN' are filled in at run time.
READS = {
    'alibaba-accesskey-sae': ('alibaba_cloud', ALIBABA_KEY, SAE_INSTANCES),
    'alibaba-sts-edas': ('alibaba_cloud', ALIBABA_STS, EDAS_ECCS),
    # No project ID: the module looks it up in IAM by the region's name.
    'huawei-aksk': ('huawei_cloud', HUAWEI_AKSK, MALL_COMPONENTS),
    'huawei-temporary-aksk': ('huawei_cloud', HUAWEI_TEMPORARY, MALL_COMPONENTS),
    'huawei-iam-password': ('huawei_cloud', dict(HUAWEI_PASSWORD, huawei_iam_endpoint='EMULATOR'), MALL_COMPONENTS),
    'huawei-iam-token': ('huawei_cloud', {'huawei_auth_token': 'IAM_TOKEN', 'huawei_project_id': HUAWEI['project_id'],
                                          'huawei_region': HUAWEI['region']}, MALL_COMPONENTS),
    'rainbond': ('rainbond', dict(RAINBOND_CREDENTIAL, endpoint='EMULATOR'), SHOP_COMPONENTS),
}

# name: (type, inputs, instance_info arguments, (error platform, status, code)).
WRONG = {
    'alibaba-wrong-secret': ('alibaba_cloud', dict(ALIBABA_KEY, alibaba_access_key_secret='not-the-secret'), SAE_INSTANCES,
                             ('sae', 400, 'SignatureDoesNotMatch')),
    'alibaba-sts-forged-token': ('alibaba_cloud', dict(ALIBABA_STS, alibaba_security_token='forged-security-token'), EDAS_ECCS,
                                 ('edas', 400, 'InvalidSecurityToken.MismatchWithAccessKey')),
    'huawei-wrong-sk': ('huawei_cloud', dict(HUAWEI_AKSK, huawei_secret_key='not-the-secret-key', huawei_project_id=HUAWEI['project_id']),
                        MALL_COMPONENTS, ('servicestage', 401, 'APIGW.0301')),
    'huawei-wrong-password': ('huawei_cloud', dict(HUAWEI_PASSWORD, huawei_password='not-the-password'), MALL_COMPONENTS, ('iam', 401, '401')),
    'rainbond-wrong-token': ('rainbond', dict(RAINBOND_CREDENTIAL, endpoint='EMULATOR', rainbond_token='forged-rainbond-token'),
                             SHOP_COMPONENTS, ('rainbond', 401, '401')),
}


def fill_in(values, emulator):
    filled = {}
    for name, value in values.items():
        if value == 'EMULATOR':
            value = emulator.url
        elif value == 'IAM_TOKEN':
            value = iam_token(emulator)
        filled[name] = value
    return filled


def run_with_credential(emulator, type_name, inputs, module_args):
    """instance_info with only the environment AWX would inject (and the endpoint where no variable carries it)."""
    credential_type = TYPES[type_name]
    inputs = fill_in(inputs, emulator)
    env = awx_injected_env(credential_type, inputs)
    fields = {field['id'] for field in credential_type['inputs']['fields']}
    assert all(env[name] == '' for name, template in credential_type['injectors']['env'].items() if template.strip('{} ') not in inputs)
    assert not set(module_args) & set(CONNECTION_ARGSPEC), 'the credential must come from the environment only'
    args = dict(module_args, retries=0)
    if 'endpoint' not in fields:
        args['endpoint'] = emulator.url
    return run_module('paas.ops.instance_info', args, env=env), inputs


def assert_no_secret(run, inputs):
    for secret in SECRETS + [value for name, value in inputs.items() if re.search('secret|password|token', name) and value]:
        assert secret not in run.output, 'a secret leaked into the output'
    assert 'Traceback' not in run.output


@pytest.mark.parametrize('case', sorted(READS))
def test_the_injected_environment_authenticates(emulator, case):
    type_name, inputs, module_args = READS[case]
    run, inputs = run_with_credential(emulator, type_name, inputs, module_args)
    assert run.rc == 0, run.output
    result = run.adhoc_result()
    assert result['changed'] is False and result['instances'], result
    assert_no_secret(run, inputs)


@pytest.mark.parametrize('case', sorted(WRONG))
def test_a_wrong_secret_fails_with_the_platform_auth_error(emulator, case):
    type_name, inputs, module_args, (platform, status, code) = WRONG[case]
    run, inputs = run_with_credential(emulator, type_name, inputs, module_args)
    assert run.rc != 0
    result = run.adhoc_result()
    error = result['error']
    assert error['type'] == 'PaasAuthError', result
    assert (error['platform'], error['status'], error['code']) == (platform, status, code)
    assert_no_secret(run, inputs)


def test_the_iam_endpoint_field_is_where_the_password_login_goes(emulator):
    # The IAM endpoint is a closed port: the login fails to connect there, although endpoint is the working emulator.
    run, inputs = run_with_credential(emulator, 'huawei_cloud', dict(HUAWEI_PASSWORD, huawei_iam_endpoint='http://127.0.0.1:9'),
                                      MALL_COMPONENTS)
    result = run.adhoc_result()
    assert run.rc != 0 and result['error']['type'] == 'PaasTransportError', result
    assert result['msg'].startswith('iam: could not reach the API for KeystoneCreateUserTokenByPassword'), result['msg']
    assert_no_secret(run, inputs)


# ---- register_credential_types.yml with awx.awx against a fake controller ------------------------------------------

@pytest.fixture(scope='module')
def awx_collection(tmp_path_factory):
    """A collections path with awx.awx: the one ./scripts/test unpacked (PAAS_AWX_COLLECTIONS), else a fresh download."""
    return tests_awx_collection.awx_collection(os.environ.get('PAAS_AWX_COLLECTIONS') or str(tmp_path_factory.mktemp('awx-collections')))


class FakeController(ThreadingHTTPServer):
    """The part of AWX's API that awx.awx.credential_type uses: /api/v2/credential_types/, OAuth2 bearer tokens."""

    daemon_threads = True
    token = 'fake-controller-oauth-token-01'

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _ControllerHandler)
        self.credential_types = {}
        self.writes = []
        self.lock = threading.Lock()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.server_address[1]

    def by_name(self):
        return {item['name']: item for item in self.credential_types.values()}


class _ControllerHandler(BaseHTTPRequestHandler):

    PREFIX = '/api/v2/credential_types/'

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('X-API-Product-Name', 'AWX')
        self.send_header('X-API-Product-Version', AWX_COLLECTION_VERSION)
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self):
        if self.headers.get('Authorization') == 'Bearer ' + self.server.token:
            return True
        self._send(401, {'detail': 'Authentication credentials were not provided.'})
        return False

    def _body(self):
        return json.loads(self.rfile.read(int(self.headers.get('Content-Length') or 0)) or b'{}')

    def _item_id(self, path):
        match = re.match(r'^%s(\d+)/$' % re.escape(self.PREFIX), path)
        return int(match.group(1)) if match else None

    def do_GET(self):  # pylint: disable=invalid-name
        if not self._authorized():
            return
        url = urlsplit(self.path)
        with self.server.lock:
            items = list(self.server.credential_types.values())
        if url.path == self.PREFIX:
            query = parse_qs(url.query)
            results = [item for item in items if 'name' not in query or item['name'] == query['name'][0]]
            self._send(200, {'count': len(results), 'next': None, 'previous': None, 'results': results})
        elif self._item_id(url.path) in self.server.credential_types:
            self._send(200, self.server.credential_types[self._item_id(url.path)])
        else:
            self._send(404, {'detail': 'Not found.'})

    def do_POST(self):  # pylint: disable=invalid-name
        if not self._authorized():
            return
        if urlsplit(self.path).path != self.PREFIX:
            self._send(404, {'detail': 'Not found.'})
            return
        body = self._body()
        errors = awx_type_errors(body)
        if errors:
            self._send(400, {'__all__': errors})
            return
        with self.server.lock:
            item_id = len(self.server.credential_types) + 1
            item = dict(body, id=item_id, type='credential_type', url='%s%d/' % (self.PREFIX, item_id), namespace=None, managed=False,
                        related={}, summary_fields={})
            self.server.credential_types[item_id] = item
            self.server.writes.append(('POST', body['name']))
        self._send(201, item)

    def do_PATCH(self):  # pylint: disable=invalid-name
        if not self._authorized():
            return
        item_id = self._item_id(urlsplit(self.path).path)
        if item_id not in self.server.credential_types:
            self._send(404, {'detail': 'Not found.'})
            return
        with self.server.lock:
            item = dict(self.server.credential_types[item_id], **self._body())
            errors = awx_type_errors(item)
            if not errors:
                self.server.credential_types[item_id] = item
                self.server.writes.append(('PATCH', item['name']))
        if errors:
            self._send(400, {'__all__': errors})
        else:
            self._send(200, item)


@pytest.fixture
def controller():
    server = FakeController()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def register(awx_collection, extra_vars=None, env=None):
    collections = os.pathsep.join([awx_collection, os.environ['ANSIBLE_COLLECTIONS_PATH']])
    # Empty CONTROLLER_* variables count as set for awx.awx, so the developer's own (or TOWER_*) cannot leak in.
    base = {'ANSIBLE_COLLECTIONS_PATH': collections, 'CONTROLLER_HOST': '', 'CONTROLLER_OAUTH_TOKEN': '', 'CONTROLLER_USERNAME': '',
            'CONTROLLER_PASSWORD': '', 'CONTROLLER_OPTIONAL_API_URLPATTERN_PREFIX': '/api/'}
    return run_playbook(REGISTER_PLAYBOOK, extra_vars, env=dict(base, **(env or {})))


def test_the_playbook_registers_the_types_as_they_are_written(awx_collection, controller):
    run = register(awx_collection, {'controller_host': controller.url, 'controller_oauthtoken': controller.token})
    assert run.rc == 0, run.output
    assert sorted(controller.writes) == sorted(('POST', credential_type['name']) for credential_type in TYPES.values())
    registered = controller.by_name()
    for credential_type in TYPES.values():
        stored = registered[credential_type['name']]
        # The injectors reach the controller as written, {{ field }} templates and all, for AWX to render per job.
        assert {key: stored[key] for key in credential_type} == credential_type
    assert controller.token not in run.output

    # Again, with the controller from the CONTROLLER_* variables: everything matches, nothing is written.
    del controller.writes[:]
    again = register(awx_collection, env={'CONTROLLER_HOST': controller.url, 'CONTROLLER_OAUTH_TOKEN': controller.token})
    assert again.rc == 0, again.output
    assert 'changed=0' in again.stdout and controller.writes == []

    # A type changed on the controller is put back as its file says, the others are left alone.
    drifted = registered[TYPES['rainbond']['name']]
    original = copy.deepcopy(drifted)
    drifted['injectors']['env']['RAINBOND_URL'] = '{{ rainbond_token }}'
    third = register(awx_collection, env={'CONTROLLER_HOST': controller.url, 'CONTROLLER_OAUTH_TOKEN': controller.token})
    assert third.rc == 0, third.output
    assert controller.writes == [('PATCH', TYPES['rainbond']['name'])]
    assert controller.by_name()[TYPES['rainbond']['name']]['injectors'] == original['injectors']


def test_the_playbook_fails_on_a_wrong_controller_token(awx_collection, controller):
    run = register(awx_collection, env={'CONTROLLER_HOST': controller.url, 'CONTROLLER_OAUTH_TOKEN': 'not-the-token'})
    assert run.rc != 0
    assert 'Invalid authentication credentials' in run.output and controller.writes == []
