# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

from __future__ import annotations


class ModuleDocFragment:

    # Huawei Cloud (ServiceStage) credentials. Used only when the module drives ServiceStage.
    DOCUMENTATION = r'''
options:
  huawei_access_key:
    description:
      - Huawei Cloud access key (AK). With O(huawei_secret_key), requests are signed with SDK-HMAC-SHA256.
      - Falls back to E(HUAWEICLOUD_SDK_AK), then E(HW_ACCESS_KEY).
      - AK/SK signing takes precedence over O(huawei_auth_token) and password login.
    type: str
  huawei_secret_key:
    description:
      - Huawei Cloud secret key (SK).
      - Falls back to E(HUAWEICLOUD_SDK_SK), then E(HW_SECRET_KEY).
    type: str
  huawei_security_token:
    description:
      - Security token of temporary AK/SK credentials.
      - Falls back to E(HUAWEICLOUD_SDK_SECURITY_TOKEN), then E(HW_SECURITY_TOKEN).
    type: str
  huawei_project_id:
    description:
      - ID of the IAM project (region-scoped) that owns the applications.
      - When omitted, it is taken from the token of a password login, or looked up in IAM by the name O(huawei_region)
        when signing with AK/SK.
      - Falls back to E(HUAWEICLOUD_SDK_PROJECT_ID), then E(HW_PROJECT_ID).
    type: str
  huawei_region:
    description:
      - Region, for example C(cn-north-4). Selects the endpoints unless O(endpoint) is set, and names the project to use.
      - Where it becomes part of a host name, a value that is not a region name (lower-case letters, digits and hyphens,
        as C(cn-north-4) or C(ap-southeast-1)) is refused before anything is sent.
      - Falls back to E(HUAWEICLOUD_SDK_REGION), then E(HW_REGION_NAME).
    type: str
  huawei_domain_name:
    description:
      - Account (domain) name, for IAM password login.
      - Falls back to E(HUAWEICLOUD_SDK_DOMAIN_NAME), then E(HW_DOMAIN_NAME).
    type: str
  huawei_user_name:
    description:
      - IAM user name, for password login. The token is obtained once per task and reused.
      - Falls back to E(HUAWEICLOUD_SDK_USER_NAME), then E(HW_USER_NAME).
    type: str
  huawei_password:
    description:
      - IAM user password, for password login.
      - Falls back to E(HUAWEICLOUD_SDK_PASSWORD), then E(HW_PASSWORD).
    type: str
  huawei_auth_token:
    description:
      - A ready IAM token (sent as C(X-Auth-Token)); requires O(huawei_project_id).
      - Falls back to E(HUAWEICLOUD_SDK_AUTH_TOKEN), then E(HW_AUTH_TOKEN).
    type: str
  huawei_iam_endpoint:
    description:
      - IAM endpoint for password login and project look-up.
      - Defaults to O(endpoint) when that is set, else C(https://iam.<region>.myhuaweicloud.com).
      - Scheme, host and port only, like O(endpoint).
      - Falls back to E(HUAWEICLOUD_SDK_IAM_ENDPOINT).
    type: str
'''
