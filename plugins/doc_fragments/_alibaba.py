# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # Alibaba Cloud (SAE, EDAS) credentials. Used only when the module drives an Alibaba Cloud platform.
    DOCUMENTATION = r'''
options:
  alibaba_access_key_id:
    description:
      - Alibaba Cloud AccessKey ID (or the STS AccessKey ID when O(alibaba_security_token) is set).
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_ID), then E(ALICLOUD_ACCESS_KEY).
    type: str
  alibaba_access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret.
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_SECRET), then E(ALICLOUD_SECRET_KEY).
    type: str
  alibaba_security_token:
    description:
      - STS security token, for temporary credentials.
      - Falls back to E(ALIBABA_CLOUD_SECURITY_TOKEN), then E(ALICLOUD_SECURITY_TOKEN).
    type: str
  alibaba_region_id:
    description:
      - Region of the application, for example C(cn-hangzhou). Selects the API endpoint unless O(endpoint) is set.
      - Where it becomes part of the host name, a value that is not a region name (lower-case letters, digits and hyphens,
        as C(cn-hangzhou) or C(cn-shanghai-finance-1)) is refused before anything is sent.
      - Falls back to E(ALIBABA_CLOUD_REGION_ID), then E(ALICLOUD_REGION).
    type: str
  alibaba_signature_version:
    description:
      - V(v3) signs with ACS3-HMAC-SHA256, what Alibaba Cloud's current SDKs use.
      - V(v1) signs with the classic ROA HMAC-SHA1 scheme, for gateways that still require it.
    type: str
    choices: [v3, v1]
    default: v3
'''
