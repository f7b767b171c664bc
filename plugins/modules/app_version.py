#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: app_version
short_description: Make SAE and EDAS applications or ServiceStage and Rainbond components run a given version, with rollback
version_added: 1.1.0
description:
  - Declarative deploys, saying that these applications (or components) run this version. Each target's deployed version is read
    first, and only the targets not already on it are sent a deploy. When every target runs it, the module reports
    RV(ignore:changed=false) and sends nothing, so a second identical run changes nothing.
  - For O(platform=sae), an image (O(image)) or a package (O(package_url) with O(package_version)) is deployed with
    C(DeployApplication) to the applications given by O(app_ids), or by O(app_names) in O(namespace_id), or to every
    application of O(namespace_id) when neither is given. What runs is read from C(ListApplications) (C(ImageUrl)) and, for
    an application deployed from a package, C(DescribeApplicationConfig) (C(PackageVersion), which says whether it runs the
    package, since SAE keeps no usable URL of it). A package goes only to an application deployed from a package, with its own
    package type. SAE's own batches are passed through, namely
    O(update_strategy), O(min_ready_instances), O(min_ready_instance_ratio). Each application's change order is followed
    as M(paas.ops.app_operation) follows it (manual confirmation with O(auto_confirm_batches), approval, failed tasks).
  - For O(platform=edas), a package (O(package_url) with O(package_version)) is deployed with C(co_deploy) to the deploy
    group O(group_id) (default all groups) of each application in O(app_ids), in O(batch) batches O(batch_wait_time)
    minutes apart. What runs is the package version of the deploy groups (C(ListDeployGroup)), so an application runs
    O(package_version) when every chosen group reports it (the version says it, not the URL). EDAS releases the batches
    itself; with O(auto_confirm_batches) they are sent as manual batches (C(ReleaseType=1)) that the task confirms as it
    follows them, so that the deploy goes on only while the task watches it. Only applications of ECS clusters take
    C(co_deploy); images are refused (its image deploy is deprecated and served Swarm clusters only). The rollback is
    C(co_rollback) of the same groups to the package version they ran before, from C(ListHistoryDeployVersion).
  - For O(platform=servicestage), the components of O(application_id) or O(application_name) (all, or O(component_ids) /
    O(component_names)) get the component O(version) and its source, an image (O(image)) or a package URL (O(package_url)),
    through C(ModifyComponent), a full-body C(PUT) of the component; the component is read, its source and version
    changed and the rest sent back as it was. O(deploy_strategy) is passed through. The job it returns is followed, then
    the component's version read again. Refused before anything is sent are a component built from source code, a
    source of the other kind (an image for a package component, or the reverse), a new source under the version the
    component runs already (ServiceStage names each deploy, and what a rollback goes back to, by its version), and a
    component whose deployment is paused between batches.
  - For O(platform=rainbond), the image-based components of one application (all, or O(service_ids) / O(component_names))
    get O(image). The console OpenAPI records it (C(docker-image-change)), then the C(deploy) operation builds and rolls
    the components with it (C(upgrade) would not pick it up), and the event of each component is followed. A component
    that is not built from an image has no image change in the OpenAPI, so it is refused before anything is sent.
  - With O(wait), the module waits until every deployed target runs the version, running and healthy, within
    O(wait_timeout). With O(rollback_on_failure), a target whose deploy failed, or that is not up on the version in time,
    is rolled back to the version it ran before with the platform's own rollback (SAE C(RollbackApplication) to the
    previous version, EDAS C(co_rollback), ServiceStage C(rollback) to the previous record; Rainbond has none in its
    OpenAPI, so the previous image is set again and deployed), and waited for. The task fails either way, saying what
    failed and what was rolled back; a rollback is never reported as a success.
author: paas.ops contributors (@paas-ops)
requirements:
  - requests
options:
  platform:
    description:
      - The platform.
    type: str
    required: true
    choices: [servicestage, sae, edas, rainbond]
  image:
    description:
      - The image reference to run, for example C(registry.example.com/shop/web:2.4.1).
      - SAE (an application deployed from an image), ServiceStage (source kind C(image)) and Rainbond (the only source it
        changes). EDAS deploys packages only here.
    type: str
  package_url:
    description:
      - The URL of the package to run (SAE C(PackageUrl), EDAS C(WarUrl), ServiceStage source C(url) of kind C(package)).
      - SAE and EDAS need O(package_version) with it.
    type: str
  package_version:
    description:
      - The package's version (SAE and EDAS C(PackageVersion), at most 64 characters on EDAS). It is what says whether a
        target runs the package already, since SAE keeps no readable URL of the packages it was given.
    type: str
  version:
    description:
      - For O(platform=servicestage), the component version to deploy, V(n.n.n) or V(n.n.n.n); required there. A component
        on this version with the same source is left alone.
    type: str
  app_ids:
    description:
      - For O(platform=sae) and O(platform=edas), the IDs of the applications. One of O(app_ids) and O(app_names) is
        required there.
    type: list
    elements: str
    aliases: [app_id]
  app_names:
    description:
      - For O(platform=sae), the names of applications in O(namespace_id).
    type: list
    elements: str
    aliases: [app_name]
  namespace_id:
    description:
      - SAE namespace, for example C(cn-hangzhou:demo); required with O(app_names).
    type: str
  group_id:
    description:
      - For O(platform=edas), the deploy group to deploy to (C(ListDeployGroup)), or V(all) for every group.
    type: str
    default: all
  batch:
    description:
      - For O(platform=edas), the batches per group (C(Batch)), 1 up to the group's instances.
    type: int
    default: 1
  batch_wait_time:
    description:
      - For O(platform=edas), minutes between batches (C(BatchWaitTime)), 0 to 5.
    type: int
    default: 0
  update_strategy:
    description:
      - For O(platform=sae), SAE's own release of each application (C(UpdateStrategy)), passed through.
    type: dict
    suboptions:
      type:
        description: V(BatchUpdate), or V(GrayBatchUpdate) for a canary first (O(update_strategy.gray)).
        type: str
        choices: [BatchUpdate, GrayBatchUpdate]
        default: BatchUpdate
      batch:
        description: Batches after the canary.
        type: int
        default: 1
      release_type:
        description: V(auto) releases the next batch by itself; V(manual) waits for its confirmation (see O(auto_confirm_batches)).
        type: str
        choices: [auto, manual]
        default: auto
      batch_wait_time:
        description: Seconds between automatic batches.
        type: int
        default: 0
      gray:
        description: Instances of the canary batch (V(GrayBatchUpdate)).
        type: int
  min_ready_instances:
    description:
      - For O(platform=sae), the instances kept ready during the deploy (C(MinReadyInstances)); V(-1) is SAE's recommended 25 %.
    type: int
  min_ready_instance_ratio:
    description:
      - For O(platform=sae), the percentage of instances kept ready (C(MinReadyInstanceRatio)); it takes precedence over
        O(min_ready_instances).
    type: int
  application_id:
    description:
      - For O(platform=servicestage), the application whose components are deployed; for O(platform=rainbond), the
        application's integer ID. One of O(application_id) and O(application_name) is required there.
    type: str
  application_name:
    description:
      - The name of that application, resolved to its ID.
    type: str
  component_ids:
    description:
      - For O(platform=servicestage), only these components of the application. Without it and O(component_names), all
        of them.
    type: list
    elements: str
  component_names:
    description:
      - For O(platform=servicestage) and O(platform=rainbond), only the components with these names.
    type: list
    elements: str
  service_ids:
    description:
      - For O(platform=rainbond), only these components, by service ID or alias.
    type: list
    elements: str
  deploy_strategy:
    description:
      - For O(platform=servicestage), the component's C(deploy_strategy), passed through as given (C(type) V(OneBatchRelease),
        V(RollingRelease) with C(rolling_release.batches), or V(GrayRelease) with C(gray_release)). Without it the
        component's own is sent back.
    type: dict
  rollback_on_failure:
    description:
      - Roll each target whose deploy failed, or that does not run the version healthy within O(wait_timeout), back to
        the version it ran before, and wait for that (with a timeout of O(wait_timeout) of its own). The task still fails.
      - Needs O(wait=true).
    type: bool
    default: false
extends_documentation_fragment:
  - paas.ops._wait
  - paas.ops._change_order
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.action
  - paas.ops._group.component_id
  - paas.ops._group.component_name
  - paas.ops._group.hosts
  - paas.ops._group.replica
  - paas.ops._attributes
  - paas.ops._attributes.actiongroup_paas
attributes:
  check_mode:
    support: full
    details:
      - Reads every target (and waits for work already in flight on it), then reports exactly which targets would be
        deployed and RV(ignore:changed) as a real run would, without sending anything.
  diff_mode:
    support: full
    details:
      - Before and after of each target's image, package, version and state.
seealso:
  - module: paas.ops.rollout
    description: Rolls a version through many applications or components batch by batch, with canary, gates and rollback.
  - module: paas.ops.app_operation
  - name: SAE DeployApplication
    description: The SAE API that deploys an image or package to an application.
    link: https://help.aliyun.com/zh/sae/serverless-app-engine-classic/developer-reference/api-sae-2019-05-06-deployapplication
  - name: ServiceStage ModifyComponent
    description: The ServiceStage v3 API that updates a component, its source and version included.
    link: https://support.huaweicloud.com/api-servicestage/ModifyComponent.html
'''

EXAMPLES = r'''
- name: Put a new image on SAE applications, rolled back if it does not come up
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/paas.ops.paas:
      alibaba_region_id: cn-hangzhou
      alibaba_access_key_id: "{{ vault_alibaba_ak }}"
      alibaba_access_key_secret: "{{ vault_alibaba_secret }}"
  tasks:
    - name: Deploy web 2.4.1 in two batches, half the instances kept ready
      paas.ops.app_version:
        platform: sae
        namespace_id: "cn-hangzhou:demo"
        app_names: [web, api]
        image: registry.example.com/shop/web:2.4.1
        update_strategy:
          type: BatchUpdate
          batch: 2
        min_ready_instance_ratio: 50
        rollback_on_failure: true
        wait_timeout: 900
      register: deployed

    - name: Show which applications were deployed and their change orders
      ansible.builtin.debug:
        msg: "{{ deployed.targets | map(attribute='id') | zip(deployed.targets | map(attribute='job_id')) | list }}"

    - name: Deploy a package version to every deploy group of an EDAS application
      paas.ops.app_version:
        platform: edas
        app_ids: [3616cdca-4f92-4413-8c58-0000000000a1]
        package_url: https://oss.example.com/orders-1.8.0.jar
        package_version: 1.8.0
        batch: 2

- name: Deploy a component version on ServiceStage
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Every component of the shop application on 2.4.1, in rolling batches
      paas.ops.app_version:
        platform: servicestage
        huawei_region: cn-north-4
        application_name: shop
        version: 2.4.1
        image: swr.cn-north-4.myhuaweicloud.com/shop/web:2.4.1
        deploy_strategy:
          type: RollingRelease
          rolling_release:
            batches: 2

- name: Change a Rainbond component's image and deploy it
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: The web component runs nginx 1.27
      paas.ops.app_version:
        platform: rainbond
        url: https://rainbond.example.com:7070
        token: "{{ vault_rainbond_token }}"
        team_id: demo-team
        region_name: demo-region
        application_name: shop
        component_names: [web]
        image: nginx:1.27
'''

RETURN = r'''
changed:
  description: Whether any target was (or in check mode would be) deployed.
  returned: always
  type: bool
  sample: true
kind:
  description: What the targets are, V(application) or V(component).
  returned: always
  type: str
  sample: application
version:
  description: The version asked for, as given (C(image), C(package_url), C(package_version), C(version)).
  returned: always
  type: dict
  sample: {image: registry.example.com/shop/web:2.4.1}
targets:
  description: One entry per target, in the order read.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The application or component ID.
      type: str
    name:
      description: Its name.
      type: str
    changed:
      description: Whether a deploy was (or would be) sent to it.
      type: bool
    outcome:
      description: V(deployed), V(unchanged) (it ran the version already), V(failed), or V(rolled_back) (failed, then restored).
      type: str
    msg:
      description: Why it was deployed or not, or how it failed.
      type: str
    before:
      description: What it ran before (C(image), C(package_url), C(package_version), C(version)) and its C(state) and C(raw_state).
      type: dict
    after:
      description: The same after, as read again (predicted in check mode or with O(wait=false)).
      type: dict
    job_id:
      description: The change order (SAE, EDAS), job (ServiceStage) or event (Rainbond) ID of its deploy; None if none was sent.
      type: str
    job:
      description: That change order, job or event as last read, once followed.
      type: dict
    rollback:
      description:
        - With O(rollback_on_failure), how its rollback went; None when it was not rolled back.
        - C(version) (what it was restored to), C(job_id), C(ok) (whether it runs that version healthy again) and C(msg).
      type: dict
  sample:
    - {id: 6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01, name: web, changed: true, outcome: deployed,
       msg: "image registry.example.com/shop/web:2.4.0 -> image registry.example.com/shop/web:2.4.1",
       before: {image: registry.example.com/shop/web:2.4.0, package_url: null, package_version: null, version: null, state: running,
                raw_state: 2/2 running},
       after: {image: registry.example.com/shop/web:2.4.1, package_url: null, package_version: null, version: null, state: running,
               raw_state: 2/2 running},
       job_id: 0c7b3f2e-6c39-4a0e-9c1f-3f5d2b8a9e10, job: {id: 0c7b3f2e-6c39-4a0e-9c1f-3f5d2b8a9e10, status: succeeded}, rollback: null}
deployed:
  description: IDs of the targets deployed (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a01]
unchanged:
  description: IDs of the targets that ran the version already.
  returned: always
  type: list
  elements: str
  sample: []
failed_targets:
  description: IDs of the targets whose deploy failed (rolled back or not).
  returned: always
  type: list
  elements: str
  sample: []
rolled_back:
  description: IDs of the targets a rollback was sent to.
  returned: always
  type: list
  elements: str
  sample: []
waited:
  description: The targets with work in flight (a change order, job or event) that were waited for first.
  returned: always
  type: list
  elements: str
  sample: []
requests:
  description: Every deploy and rollback sent, with its C(operation) and the platform's C(request_id).
  returned: always
  type: list
  elements: dict
  sample: [{operation: DeployApplication, request_id: 5F3C1B7E-9A0D-4C2E-8B6F-1D2E3F4A5B6C}]
'''

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._action import WAIT_ARGSPEC, Deadline, diff_of
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError, PaasInputError
from ansible_collections.paas.ops.plugins.module_utils._lifecycle import Request
from ansible_collections.paas.ops.plugins.module_utils._module import PaasModule
from ansible_collections.paas.ops.plugins.module_utils._version import PLATFORM_DEPLOY_ARGSPEC, VersionSpec, deploy


def app_version(paas):
    params = paas.params
    if params['rollback_on_failure'] and not params['wait']:
        raise PaasInputError('rollback_on_failure needs wait=true: a deploy not waited for cannot be seen failing')
    deployer = paas.platform.deployer(paas.connection(), params)
    request = Request('deploy', wait=params['wait'], deadline=Deadline(params['wait_timeout']), auto_confirm=params['auto_confirm_batches'],
                      check_mode=paas.check_mode)
    try:
        result = deploy(deployer, request, VersionSpec.from_params(params), rollback_on_failure=params['rollback_on_failure'])
    except PaasError as error:
        if paas.diff_mode and getattr(error, 'result', None):
            error.result['diff'] = diff_of(error.result['targets'])
        raise
    if paas.diff_mode:
        result['diff'] = diff_of(result['targets'])
    return result


def main():
    argument_spec = dict(
        platform=dict(type='str', required=True, choices=registry.names(deploys=True)),
        image=dict(type='str'),
        package_url=dict(type='str'),
        package_version=dict(type='str'),
        version=dict(type='str'),
        app_ids=dict(type='list', elements='str', aliases=['app_id']),
        app_names=dict(type='list', elements='str', aliases=['app_name']),
        namespace_id=dict(type='str'),
        application_id=dict(type='str'),
        application_name=dict(type='str'),
        component_ids=dict(type='list', elements='str'),
        component_names=dict(type='list', elements='str'),
        service_ids=dict(type='list', elements='str'),
        rollback_on_failure=dict(type='bool', default=False),
        auto_confirm_batches=dict(type='bool', default=False),
        **dict(WAIT_ARGSPEC, **PLATFORM_DEPLOY_ARGSPEC)
    )
    paas = PaasModule(argument_spec, mutually_exclusive=[('app_ids', 'app_names'), ('application_id', 'application_name'), ('image', 'package_url')],
                      required_one_of=[('image', 'package_url', 'version')], supports_check_mode=True)
    paas.run(app_version)


if __name__ == '__main__':
    main()
