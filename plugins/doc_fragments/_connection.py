# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # Options shared by every platform: where the API is and how to talk to it.
    DOCUMENTATION = r'''
notes:
  - Every module accepts the connection and credential options of every platform family and uses only those of the
    platform it drives, so one C(module_defaults) group (C(group/paas.ops.paas)) can hold them all.
  - An option of the module itself that belongs to another platform than O(platform) (for example O(component_name), which
    only ServiceStage has) is refused before anything is sent, the same way by every module.
  - With O(validate_certs=false) the result carries a warning, as C(ansible.builtin.uri) does.
options:
  endpoint:
    description:
      - Base URL of the platform's API, overriding the one derived from the region.
      - For O(platform=rainbond) this is the console address (the OpenAPI lives under C(/openapi/)) and is required;
        it falls back to E(RAINBOND_URL).
      - For Alibaba Cloud the default is C(https://sae.<region>.aliyuncs.com) or C(https://edas.<region>.aliyuncs.com);
        for Huawei Cloud C(https://servicestage.<region>.myhuaweicloud.com).
      - A private gateway, a proxy or the collection's local emulator is reached this way.
      - Scheme, host and port only, as in C(https://gateway.example.com:8443) or C(http://127.0.0.1:8080); without a scheme,
        C(https://) is assumed. User info, a path, a query or a fragment is refused before anything is sent.
    type: str
    aliases: [url]
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only set V(false) against a test server you control; the module then warns.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificates that sign the server's certificate, instead of the system bundle.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response. More than 0; 0 or less is refused.
    type: float
    default: 30
  retries:
    description:
      - How many times a read is retried on throttling, HTTP 5xx or a connection error, with jittered exponential
        backoff that honours C(Retry-After) and C(x-acs-retry-after).
      - A state-changing request is re-sent only when it was certainly rejected before taking effect (throttling, or no
        connection could be made). When its outcome is unknown it is never re-sent; the module re-reads state instead.
      - 0 for none; a negative value is refused.
    type: int
    default: 4
'''
