#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: api_request
short_description: Send one authenticated request to a Rainbond, Alibaba Cloud SAE/EDAS or Huawei ServiceStage API
version_added: 1.0.0
description:
  - Sends one HTTP request to a platform's API with the collection's authentication (Alibaba Cloud ACS3-HMAC-SHA256 or
    ROA HMAC-SHA1 signatures with optional STS, Huawei Cloud SDK-HMAC-SHA256 AK/SK signatures or IAM tokens, Rainbond
    access tokens), timeouts, TLS verification and retries, and returns the decoded response.
  - It is the escape hatch for APIs the collection does not model with a dedicated module, and a quick way to check
    that credentials work. Prefer the dedicated modules for lifecycle actions, since they are idempotent and wait for
    the platform's jobs.
  - Path parameters are given separately in O(path_params) and each value is percent-encoded as exactly one path
    segment, so an id can never change which API is called.
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform whose API is called. V(servicestage) is Huawei Cloud ServiceStage (and its IAM).
    type: str
    required: true
    choices: [edas, rainbond, sae, servicestage]
  method:
    description:
      - HTTP method.
    type: str
    default: GET
    choices: [GET, HEAD, POST, PUT, PATCH, DELETE]
  path:
    description:
      - API path starting with C(/), with C({name}) placeholders for values from O(path_params), for example
        C(/v3/{project_id}/cas/applications/{application_id}).
      - For O(platform=servicestage) the placeholder C({project_id}) is filled with the resolved Huawei project ID.
      - Must not contain a query string, a fragment, or C(.) / C(..) segments, also not percent-encoded (C(%2e%2e)).
      - Other characters are sent percent-encoded as UTF-8 and signed the same way.
    type: str
    required: true
  path_params:
    description:
      - Values for the placeholders in O(path). Each is encoded as one path segment.
    type: dict
    default: {}
  query:
    description:
      - Query parameters. Values are sent percent-encoded (RFC 3986) exactly as they are signed.
      - A list value sends the parameter once per item. Alibaba Cloud APIs take one value per parameter, so for
        O(platform=sae) and O(platform=edas) a list is refused before anything is sent.
    type: dict
    default: {}
  body:
    description:
      - Request body. A dict or list is sent as JSON; a string is sent as is.
    type: raw
  headers:
    description:
      - Extra request headers. Authentication headers are set by the module and cannot be overridden.
    type: dict
    default: {}
  api_action:
    description:
      - The Alibaba Cloud API name sent as C(x-acs-action), for example C(DescribeApplicationStatus).
      - Required for O(platform=sae) and O(platform=edas), ignored otherwise.
    type: str
  api_version:
    description:
      - The Alibaba Cloud API version sent as C(x-acs-version).
      - Defaults to C(2019-05-06) for SAE and C(2017-08-01) for EDAS.
    type: str
  read_only:
    description:
      - Whether the request only reads. Read-only requests run in check mode, are retried on transient failures and
        report RV(ignore:changed=false).
      - Defaults to V(true) for C(GET) and C(HEAD) and V(false) otherwise. Set it to V(true) for APIs that read with
        C(POST), such as EDAS C(GetChangeOrderInfo).
      - A request that is not read-only always reports RV(ignore:changed=true); it is not sent in check mode and is never
        re-sent when its outcome is unknown.
    type: bool
extends_documentation_fragment:
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.action
  - paas.ops._group.app_ids
  - paas.ops._group.app_names
  - paas.ops._group.application_id
  - paas.ops._group.application_name
  - paas.ops._group.auto_confirm_batches
  - paas.ops._group.component_id
  - paas.ops._group.component_name
  - paas.ops._group.component_names
  - paas.ops._group.hosts
  - paas.ops._group.min_ready_instance_ratio
  - paas.ops._group.min_ready_instances
  - paas.ops._group.namespace_id
  - paas.ops._group.replica
  - paas.ops._group.service_ids
  - paas.ops._group.version
  - paas.ops._group.wait
  - paas.ops._group.wait_timeout
  - paas.ops._attributes
  - paas.ops._attributes.actiongroup_paas
attributes:
  check_mode:
    support: full
    details:
      - Read-only requests are sent; other requests are not sent and the module reports that it would change something.
  diff_mode:
    support: none
    details:
      - An arbitrary request has no before and after state the module could know.
seealso:
  - name: Alibaba Cloud V3 request signature
    description: The ACS3-HMAC-SHA256 signing scheme.
    link: https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature
  - name: Huawei Cloud API request signing guide
    description: The SDK-HMAC-SHA256 signing scheme.
    link: https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-provide.html
'''

EXAMPLES = r'''
- name: Read the status of an SAE application
  paas.ops.api_request:
    platform: sae
    alibaba_region_id: cn-hangzhou
    path: /pop/v1/sam/app/describeApplicationStatus
    api_action: DescribeApplicationStatus
    query:
      AppId: 7171a6ca-d1cd-4928-8642-7d5cfe69a001
  register: sae_status

- name: Show it
  ansible.builtin.debug:
    msg: "{{ sae_status.json.Data.CurrentStatus }}"

- name: Read a ServiceStage component with an IAM password login, credentials from module_defaults
  module_defaults:
    group/paas.ops.paas:
      huawei_region: cn-north-4
      huawei_domain_name: my-account
      huawei_user_name: ops
      huawei_password: "{{ vault_huawei_password }}"
  paas.ops.api_request:
    platform: servicestage
    path: /v3/{project_id}/cas/applications/{application_id}/components/{component_id}
    path_params:
      application_id: 3d3b1c3e-0000-4000-8000-000000000001
      component_id: 5a1f0000-0000-4000-8000-000000000002

- name: List the components of a Rainbond application (token from RAINBOND_TOKEN)
  paas.ops.api_request:
    platform: rainbond
    endpoint: https://rainbond.example.com:7070
    path: /openapi/v1/teams/{team}/regions/{region}/apps/{app_id}/services
    path_params:
      team: my-team
      region: my-region
      app_id: 1

- name: Read an EDAS change order (a read sent with POST)
  paas.ops.api_request:
    platform: edas
    alibaba_region_id: cn-hangzhou
    method: POST
    read_only: true
    path: /pop/v5/changeorder/change_order_info
    api_action: GetChangeOrderInfo
    query:
      ChangeOrderId: 2f1c0000-0000-4000-8000-000000000003
'''

RETURN = r'''
status:
  description: HTTP status code of the response. Absent when the request was not sent in check mode.
  returned: when the request was sent
  type: int
  sample: 200
json:
  description: The decoded JSON response body.
  returned: when the request was sent and the body is JSON
  type: raw
  sample: {"Code": "200", "Success": true, "Data": {"CurrentStatus": "RUNNING"}}
content:
  description:
    - The response body as text, when the answer has no JSON body (C(HEAD), HTTP 204, or an API that documents an empty
      answer, such as a Rainbond scale).
    - Any other success answer that is not the platform's JSON is an error, never an empty result.
  returned: when the request was sent and the answer has no JSON body
  type: str
  sample: ""
request_id:
  description: The platform's request id (C(x-acs-request-id), C(X-Request-Id) or the body's C(RequestId)), for support cases.
  returned: when the platform sent one
  type: str
  sample: 0C6E3E9A-8F7B-5C1D-9E2A-3B4C5D6E7F80
url:
  description: Method and URL path with query of the request, as sent (the host is left out).
  returned: always
  type: str
  sample: GET /pop/v1/sam/app/describeApplicationStatus?AppId=7171a6ca-d1cd-4928-8642-7d5cfe69a001
sent:
  description: Whether the request was sent (false only in check mode for a request that is not read-only).
  returned: always
  type: bool
  sample: true
error:
  description: On failure, what the platform said.
  returned: failure
  type: dict
  contains:
    type:
      description: Kind of failure, for example C(PaasAuthError), C(PaasAPIError), C(PaasTransportError), C(PaasOutcomeUnknownError).
      type: str
    platform:
      description: The platform that answered.
      type: str
    status:
      description: HTTP status.
      type: int
    code:
      description: The platform's error code, for example C(SignatureDoesNotMatch) or C(APIGW.0301).
      type: str
    message:
      description: The platform's error message.
      type: str
    request_id:
      description: The platform's request id.
      type: str
'''

import re
from urllib.parse import unquote

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._http import ApiRequest, build_path
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule

_BAD_PATH = re.compile(r'[?#\s]|(^|/)\.{1,2}(/|$)')
# Set by the auth schemes: a user value would be overwritten or, worse, sent beside the real one.
_RESERVED_HEADER = re.compile(r'^(authorization|host|x-auth-token|x-project-id|x-security-token|x-sdk-.*|x-acs-.*|date|content-md5)$', re.I)


def _dot_segment(path):
    """Whether a segment is "." or ".." once decoded: servers and proxies decode %2e (even twice) before normalising."""
    for segment in path.split('/'):
        for dummy in range(4):
            decoded = unquote(segment)
            if decoded == segment:
                break
            segment = decoded
        # A decoded segment may hold a "/" (%2f): each of its parts counts.
        if any(part in ('.', '..') for part in segment.split('/')):
            return True
    return False


def send(paas):
    params = paas.params
    method = params['method']
    read_only = params['read_only'] if params['read_only'] is not None else method in ('GET', 'HEAD')
    path_template = params['path']
    if not path_template.startswith('/') or _BAD_PATH.search(path_template) or _dot_segment(path_template):
        raise PaasInputError('path must start with "/" and contain no query, fragment, white space or "." / ".." segments '
                             '(encoded or not): %r' % path_template)

    reserved = sorted(name for name in params['headers'] if _RESERVED_HEADER.match(name))
    if reserved:
        raise PaasInputError('headers may not set authentication or signing headers: %s' % ', '.join(reserved))
    headers = dict(params['headers'])
    path_params = dict(params['path_params'])
    connection = paas.connection()
    # What the family's raw requests need: Alibaba's x-acs-action and x-acs-version, Huawei's project id in the path.
    paas.platform.family.raw_request(connection, headers, path_params, params)
    unused = sorted(set(path_params) - set(re.findall(r'\{([A-Za-z_][A-Za-z0-9_]*)\}', path_template)))
    if unused:
        raise PaasInputError('path_params not used by path: %s' % ', '.join(unused))
    path = build_path(path_template, path_params)

    # A list value is the key repeated, once per value (how the Huawei SDK sends lists; Alibaba refuses it before sending).
    query = [(key, item) for key, value in params['query'].items() if value is not None
             for item in (value if isinstance(value, list) else [value])]
    shown_url = '%s %s' % (method, ApiRequest(method, 'http://host', path, query).url[len('http://host'):])
    result = dict(changed=not read_only, url=shown_url, sent=False)
    if paas.check_mode and not read_only:
        result['msg'] = 'check mode: the request was not sent'
        return result

    body = params['body']
    if body is not None and not isinstance(body, (dict, list, str)):
        raise PaasInputError('body must be a dict, a list or a string, got %s' % type(body).__name__)
    response = connection.client().request(method, path, query=query, headers=headers, read=read_only,
                                           json_body=body if isinstance(body, (dict, list)) else None,
                                           body=body if isinstance(body, str) else None,
                                           operation=params['api_action'] or '%s %s' % (method, path_template))
    result.update(sent=True, status=response.status, request_id=response.request_id)
    if response.data is not None:
        result['json'] = response.data
    else:
        result['content'] = response.body
    return result


def main():
    paas = PaasModule(
        argument_spec=dict(
            platform=dict(type='str', required=True, choices=sorted(registry.PLATFORMS)),
            method=dict(type='str', default='GET', choices=['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
            path=dict(type='str', required=True),
            path_params=dict(type='dict', default={}),
            query=dict(type='dict', default={}),
            body=dict(type='raw'),
            headers=dict(type='dict', default={}),
            api_action=dict(type='str'),
            api_version=dict(type='str'),
            read_only=dict(type='bool'),
        ),
        supports_check_mode=True,
    )
    paas.run(send)


if __name__ == '__main__':
    main()
