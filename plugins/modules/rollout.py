#!/usr/bin/python
# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The documentation of the paas.ops.rollout action plugin (plugins/action/rollout.py), which does the work on the
# controller, as ansible.builtin.template's module file documents its action.

from __future__ import annotations

DOCUMENTATION = r'''
module: rollout
short_description: Roll a restart or a new version through one or many applications batch by batch, with live progress
version_added: 1.1.0
description:
  - Runs a whole rolling restart in one task on the controller. For each application it lists the targets (one paged
    list), plans the batches with the same planner as the P(paas.ops.rolling_plan#filter) filter, then restarts batch
    after batch as M(paas.ops.batch_restart) does. It applies the failure policy, the pauses and the deadline between
    batches.
  - "Progress is one line per batch transition, printed as it happens at default verbosity, for example
    C([storefront] batch 2/4: restarting storefront-04, storefront-05; 3 down of max 4) and
    C([storefront] batch 2/4: done in 41 s (2 restarted, 0 failed)). Targets are named by their names where the
    platform has them. Under ansible-runner and AWX the lines arrive as job events while the task runs."
  - "Targets per platform: ServiceStage v3 components of an application, or the v2 instances of one component; SAE
    instances of an application, or SAE applications of a namespace; EDAS ECCs of an application; Rainbond components
    of an application (rolled with C(upgrade): Rainbond has no restart)."
  - Where the task's host is the controller (a C(local) connection, the usual play on C(localhost)), the listing
    and the batches run inside the controller's process, and no module is started per batch. Otherwise each listing and
    batch runs as M(paas.ops.instance_info) and M(paas.ops.batch_restart) on the task's host, from where the modules
    would act; progress, plan and policy stay on the controller. O(run_on) chooses explicitly.
  - O(applications) rolls many applications in one run, each with its own plan, O(max_unavailable) and overrides, side
    by side up to O(parallel_applications). When one application stops on a failure, the others finish the batch they
    are in, then stop.
  - The task fails when any target failed or was not reached, or when the run stopped before its last batch. The result
    still holds the summary, and its C(marker) given as O(restarted_after) continues where the run stopped without
    restarting anything twice.
  - "Given a version (O(image), or O(package_url) with O(package_version), or O(version)), it is a rolling deploy: each
    batch puts the version on its targets with the platform's deploy, as M(paas.ops.app_version) does, and waits until they
    run it healthy. Targets are then the applications of an SAE namespace (O(namespace_id)) or of the EDAS region, or the
    components of a ServiceStage or Rainbond application; O(targets) and O(name_pattern) choose among them. The same
    batches, O(max_unavailable), gates, failure policy, promotion, deadline, cancel and progress apply."
  - A rolling deploy skips the targets that run the version already, so a run that stopped continues with the same
    options; the deployed version is the truth, no marker is needed. With O(rollback_on_failure), the batch that stopped
    the run (or everything this run deployed) is rolled back to what it ran before; the summary lists it.
  - The role P(paas.ops.rolling_restart#role) is the documented front door; it validates its variables and runs this
    action.
author: paas.ops contributors (@paas-ops)
requirements:
  - requests (on the controller, or on the task's host when batches run there)
options:
  platform:
    description:
      - The platform of the application (and the default for each entry of O(applications)).
    type: str
    choices: [servicestage, sae, edas, rainbond]
  application_id:
    description:
      - The application whose targets are rolled (ServiceStage, SAE instances, EDAS, Rainbond).
    type: str
  application_name:
    description:
      - The application by name (ServiceStage, Rainbond).
    type: str
  component_id:
    description:
      - For ServiceStage, roll the v2 instances of this component instead of the application's v3 components.
    type: str
  component_name:
    description:
      - Like O(component_id), by name.
    type: str
  namespace_id:
    description:
      - For SAE without an application, roll the applications of this namespace.
    type: str
  name:
    description:
      - What the progress lines and the summary call the application. Default, its name or ID as given, or the
        namespace.
    type: str
  applications:
    description:
      - Many applications in one run. Each entry names one application with the options above and may override any
        setting below (batches, O(max_unavailable), filters, failure policy). What an entry does not set comes from the
        task's own options.
      - Each entry must have a distinct name (O(applications[].name), or the name or ID it gives).
    type: list
    elements: dict
    suboptions:
      platform:
        description: The platform.
        type: str
        choices: [servicestage, sae, edas, rainbond]
      application_id:
        description: As O(application_id).
        type: str
      application_name:
        description: As O(application_name).
        type: str
      component_id:
        description: As O(component_id).
        type: str
      component_name:
        description: As O(component_name).
        type: str
      namespace_id:
        description: As O(namespace_id).
        type: str
      name:
        description: As O(name).
        type: str
      targets:
        description: As O(targets).
        type: list
        elements: str
      name_pattern:
        description: As O(name_pattern).
        type: str
      states:
        description: As O(states).
        type: list
        elements: str
      batch_size:
        description: As O(batch_size).
        type: raw
      batches:
        description: As O(batches).
        type: list
        elements: raw
      max_unavailable:
        description: As O(max_unavailable).
        type: raw
      pause_seconds:
        description: As O(pause_seconds).
        type: int
      health_gate:
        description: As O(health_gate).
        type: bool
      batch_timeout:
        description: As O(batch_timeout).
        type: int
      max_failed_targets:
        description: As O(max_failed_targets).
        type: int
      max_failed_percent:
        description: As O(max_failed_percent).
        type: float
      abort_on_failure:
        description: As O(abort_on_failure).
        type: bool
      abort_on_cancel:
        description: As O(abort_on_cancel).
        type: bool
      include_stopped:
        description: As O(include_stopped).
        type: bool
      auto_confirm_batches:
        description: As O(auto_confirm_batches).
        type: bool
      allow_empty:
        description: As O(allow_empty).
        type: bool
      promote_after:
        description: As O(promote_after), for this application alone.
        type: int
      soak_seconds:
        description: As O(soak_seconds).
        type: float
      image:
        description: As O(image), for this application.
        type: str
      package_url:
        description: As O(package_url), for this application.
        type: str
      package_version:
        description: As O(package_version), for this application.
        type: str
      version:
        description: As O(version), for this application.
        type: str
      rollback_on_failure:
        description: As O(rollback_on_failure).
        type: str
        choices: [none, batch, all]
      http_check:
        description: As O(http_check). An entry's check replaces the task's as a whole.
        type: dict
        suboptions:
          url:
            description: As O(http_check.url).
            type: str
            required: true
          status_codes:
            description: As O(http_check.status_codes).
            type: list
            elements: int
            default: [200]
          body_regex:
            description: As O(http_check.body_regex).
            type: str
          timeout:
            description: As O(http_check.timeout).
            type: float
            default: 5.0
          successes:
            description: As O(http_check.successes).
            type: int
            default: 1
          retries:
            description: As O(http_check.retries).
            type: int
            default: 2
          interval:
            description: As O(http_check.interval).
            type: float
            default: 1.0
          validate_certs:
            description: As O(http_check.validate_certs).
            type: bool
            default: true
          ca_path:
            description: As O(http_check.ca_path).
            type: path
          headers:
            description: As O(http_check.headers).
            type: dict
            default: {}
  parallel_applications:
    description:
      - How many of O(applications) are rolled at the same time, each with its own batches. SAE's per-account budget of
        API calls is shared by all of them (and by other processes on the machine).
      - Batches that run on the task's host (see O(run_on)) go one application at a time.
    type: int
    default: 1
  failure_scope:
    description:
      - Where O(max_failed_targets) and O(max_failed_percent) count the failures. V(application) counts each
        application's own; V(run) counts them over the whole run, the percentage over every application's planned
        targets.
    type: str
    choices: [application, run]
    default: application
  deadline_seconds:
    description:
      - Seconds the whole run may take. When it is reached, the run stops before the next batch the way a failure stops
        it, and the task fails saying the deadline and the marker to continue from. The batch in flight has what is left
        of the deadline as its timeout.
    type: int
  promote_after:
    description:
      - "A canary with manual promotion. After this many batches (the canary) an application stops, successfully, saying
        C([shop] paused for promotion after batch 1/4: continue with restarted_after=<marker>); the summary's
        C(promotion) says the same. With many applications it applies per application."
      - To promote, run again with the same options and the marker as O(restarted_after), with this option or without
        it. The run that continues does not pause again. The canary is the targets of the first O(promote_after) batches
        of the plan a run without a marker makes; a run pauses once every canary target it still has went through a
        batch, and not at all when every one was restarted after the marker. A canary target that failed is restarted
        again, and the run pauses after it.
      - In check mode, the plan says where the run would pause and goes on.
      - Not set, no pause.
    type: int
  run_on:
    description:
      - Where the listing and the batches run. V(controller) runs them in the controller's process.
        V(host) runs them as M(paas.ops.instance_info) and M(paas.ops.batch_restart) on the task's host (the modules'
        options, environment fallbacks included, are then resolved there).
      - V(auto) chooses V(controller) when the task's connection is C(local) and V(host) otherwise.
    type: str
    choices: [auto, controller, host]
    default: auto
  option_prefix:
    description:
      - The prefix of the option names that messages use. The P(paas.ops.rolling_restart#role) role sets
        C(rolling_restart_), so that a failure says C(run again with rolling_restart_restarted_after=...).
    type: str
    default: ''
  targets:
    description: Only these target IDs. Default, every target listed.
    type: list
    elements: str
    default: []
  name_pattern:
    description: Only targets whose name matches this shell-style pattern, for example C(web-*).
    type: str
  states:
    description:
      - Only targets in one of these states, as M(paas.ops.instance_info) reports them. The others are skipped, with the
        reason. Default, every state.
    type: list
    elements: str
    default: []
  batch_size:
    description: Targets per batch, a count or a percentage of the targets such as C(25%).
    type: raw
    default: 1
  batches:
    description:
      - A ramp of batch sizes, for example C([1, "25%", "100%"]) (a canary first); the last repeats. Overrides
        O(batch_size).
    type: list
    elements: raw
    default: []
  max_unavailable:
    description:
      - Never more targets down at once than this (a count or a percentage of all targets), counting those already down,
        stopped ones included. Batches are cut to fit. Not set, a batch is the only limit.
    type: raw
  pause_seconds:
    description: Seconds to pause between batches (not in check mode).
    type: int
    default: 0
  health_gate:
    description: After each batch, wait until its targets are running and healthy (where the platform reports health).
    type: bool
    default: true
  batch_timeout:
    description: Seconds one batch may take, restart and health gate included.
    type: int
    default: 600
  max_failed_targets:
    description: Stop before the next batch once more targets than this have failed (0, the default, stops at the first).
    type: int
    default: 0
  max_failed_percent:
    description: Stop before the next batch once more than this percentage of the planned targets has failed.
    type: float
  abort_on_failure:
    description: When a batch fails on SAE or EDAS, abort its change order if it still runs (SAE rolls it back).
    type: bool
    default: false
  abort_on_cancel:
    description:
      - On a cancel (Ctrl-C, SIGTERM, an C(ansible-runner) cancel), abort the SAE and EDAS change orders this run
        started that are still running (SAE rolls back what they changed). The other platforms' jobs cannot be aborted;
        they are waited for a few seconds.
      - Either way the run sends nothing more and says what it restarted, what was in flight and the marker to go on with.
        See the C(Cancel) section of docs/rolling-restarts.md for what each way of cancelling gives.
    type: bool
    default: true
  image:
    description:
      - The image to roll onto the targets (SAE, ServiceStage, Rainbond), making this a rolling deploy; see
        M(paas.ops.app_version) for what each platform takes.
    type: str
  package_url:
    description: The package URL to roll onto the targets (SAE, EDAS, ServiceStage), with O(package_version) on SAE and EDAS.
    type: str
  package_version:
    description: The package version to roll (SAE, EDAS); what says whether a target runs it already.
    type: str
  version:
    description: The ServiceStage component version to roll, with O(image) or O(package_url).
    type: str
  rollback_on_failure:
    description:
      - For a rolling deploy, what to roll back to the version it ran before when a batch fails and stops the run.
        V(batch) rolls back the targets of that batch; V(all) every target this run deployed; V(none) nothing.
      - Each rollback is the platform's own (see M(paas.ops.app_version)) and is waited for within O(batch_timeout),
        whatever O(deadline_seconds) left. The task still fails; the summary's C(rolled_back) lists what was rolled back.
    type: str
    choices: [none, batch, all]
    default: none
  update_strategy:
    description: For a rolling deploy on SAE, each application's own release, as M(paas.ops.app_version)'s O(paas.ops.app_version#module:update_strategy).
    type: dict
    suboptions:
      type:
        description: V(BatchUpdate) or V(GrayBatchUpdate).
        type: str
        choices: [BatchUpdate, GrayBatchUpdate]
        default: BatchUpdate
      batch:
        description: Batches after the canary.
        type: int
        default: 1
      release_type:
        description: V(auto) or V(manual).
        type: str
        choices: [auto, manual]
        default: auto
      batch_wait_time:
        description: Seconds between automatic batches.
        type: int
        default: 0
      gray:
        description: Instances of the canary batch.
        type: int
  min_ready_instances:
    description: For a rolling deploy on SAE, the instances each application keeps ready during its deploy.
    type: int
  min_ready_instance_ratio:
    description: For a rolling deploy on SAE, the percentage of instances each application keeps ready.
    type: int
  group_id:
    description: For a rolling deploy on EDAS, the deploy group of each application, or V(all).
    type: str
    default: all
  batch:
    description: For a rolling deploy on EDAS, the batches of each application's own deploy.
    type: int
    default: 1
  batch_wait_time:
    description: For a rolling deploy on EDAS, minutes between those batches.
    type: int
    default: 0
  deploy_strategy:
    description: For a rolling deploy on ServiceStage, each component's C(deploy_strategy), passed through.
    type: dict
  restarted_after:
    description:
      - Epoch seconds, for example the C(marker) a previous run reported. Targets restarted after it are skipped, so a
        run that stopped continues where it stopped and restarts nothing twice. Given, it is also the marker this run
        reports. Not set, this run's start is the marker.
    type: float
  include_stopped:
    description:
      - Start stopped targets too, in the first batches, before running ones are restarted (not SAE instances, which
        cannot be started one by one). By default they are left stopped.
    type: bool
    default: false
  auto_confirm_batches:
    description: Confirm the platform's own batches inside an SAE or EDAS change order that wait for manual confirmation.
    type: bool
    default: true
  allow_empty:
    description:
      - When the listing and the filters select no target at all, the task fails before restarting anything, naming the
        filters. Set this to true when an empty fleet is fine.
    type: bool
    default: false
  soak_seconds:
    description:
      - After a batch is healthy, every target it restarted must stay running and healthy this many seconds, as
        Kubernetes' C(minReadySeconds). Each poll is one listing of the fleet (one M(paas.ops.instance_info) on the task's
        host), every O(soak_seconds)/6 seconds, between 0.5 and 5.
      - A target flaps when it leaves running or healthy, is no longer listed, or its restart time moves again (restarted
        by someone else, or crashed and brought back; where the listing carries restart times, on SAE and ServiceStage). A target
        that flaps fails its batch, and is counted by O(max_failed_targets) and O(max_failed_percent) like any failed target.
      - "The batch says C([shop] batch 2/4: soak 30 s) when the soak starts, then C(soak passed) or
        C(soak failed after 12 s: web-3 flapped (state Error)); nothing per poll."
      - The soak is not part of O(batch_timeout). O(deadline_seconds), or a stop of the run, cuts it short (its targets are
        then not failed, and the run stops). V(0), the default, soaks nothing. Not waited in check mode.
    type: float
    default: 0
  http_check:
    description:
      - After a batch is healthy (and has soaked, with O(soak_seconds)), every target it restarted must answer an HTTP GET
        as expected, as the webhooks and analyses of Flagger and Argo Rollouts. A target that does not fails its batch, and
        is counted by the failure policy like any failed target.
      - Requests go from the controller (also when the batches run on the task's host), with the Python library
        C(requests); TLS certificates are verified by default. Redirects are not followed, so a login page behind a C(302)
        does not pass for a healthy service.
      - "The batch says one line when the check ends: C([shop] batch 1/3: http check 3/3 ok), or
        C(http check failed: 2/3 ok; web-2: HTTP 500 from http://10.0.0.12:8080/healthz (wanted 200))."
      - Not sent in check mode.
    type: dict
    suboptions:
      url:
        description:
          - "The URL template. Each target's own values fill its placeholders: C({id}), C({name}) (its name, else its ID),
            C({ip}) (SAE instances and EDAS ECCs: the address the platform lists for it, read after its restart),
            C({address}) (ServiceStage: the address of its first external access, as listed, for example C(10.0.0.5:30080)),
            C({application}) (the application's name in progress lines) and C({application_id})."
          - A value is percent-encoded (but for C(:)), so that it cannot change the URL's structure.
          - When a planned target has no value for a placeholder (C({ip}) on a platform whose listing has no address), the
            task fails before anything is restarted.
        type: str
        required: true
      status_codes:
        description: The status codes that pass.
        type: list
        elements: int
        default: [200]
      body_regex:
        description: A regular expression (Python syntax) that must match somewhere in the body (its first MiB).
        type: str
      timeout:
        description: Seconds one request may take.
        type: float
        default: 5.0
      successes:
        description: Answers as expected needed in a row from each target.
        type: int
        default: 1
      retries:
        description:
          - Answers not as expected (or none) tolerated per target; each one restarts the count of O(http_check.successes).
            One more fails the target. Together with O(http_check.interval) this bounds the check's wait.
        type: int
        default: 2
      interval:
        description: Seconds between two requests to the same target.
        type: float
        default: 1.0
      validate_certs:
        description: Verify the TLS certificate of an C(https) URL. Set V(false) only for a test system.
        type: bool
        default: true
      ca_path:
        description: A CA bundle (PEM) to verify the certificates with, instead of the system's.
        type: path
      headers:
        description: Headers to send with each request, for example an C(Authorization) header. Kept out of the logs.
        type: dict
        default: {}
extends_documentation_fragment:
  - paas.ops._connection
  - paas.ops._alibaba
  - paas.ops._huawei
  - paas.ops._rainbond
  - paas.ops._group
  - paas.ops._group.action
  - paas.ops._group.app_ids
  - paas.ops._group.app_names
  - paas.ops._group.component_names
  - paas.ops._group.hosts
  - paas.ops._group.replica
  - paas.ops._group.service_ids
  - paas.ops._group.wait
  - paas.ops._group.wait_timeout
  - paas.ops._attributes
  - paas.ops._attributes.actiongroup_paas
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  async:
    description: Supports being used with the C(async) keyword.
    support: none
  bypass_host_loop:
    description: Forces a 'global' task that does not execute per host.
    support: none
  check_mode:
    support: full
    details:
      - Lists each application, prints its plan and what each batch would do, and changes nothing.
  diff_mode:
    support: full
    details:
      - Per target, its C(state), C(raw_state), C(health) and C(restarted_at) before and after (in check mode, a target that
        would be restarted is shown running, restarted now). With many applications, one diff per application.
notes:
  - Ctrl-C stops the task the way Ansible stops any task.
seealso:
  - module: paas.ops.batch_restart
  - module: paas.ops.instance_info
  - plugin: paas.ops.rolling_plan
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Restart the storefront's SAE instances, three at a time, never more than three down
  paas.ops.rollout:
    platform: sae
    application_id: 5ae00000-0000-4000-8000-000000000001
    name: storefront
    batch_size: 3
    max_unavailable: 3
  register: storefront_rollout

- name: Two applications side by side, a canary batch first in each
  paas.ops.rollout:
    applications:
      - {platform: servicestage, application_name: shop, batches: [1, "50%"]}
      - {platform: rainbond, application_name: mall, batches: [1, 4], max_unavailable: 4}
    parallel_applications: 2
    deadline_seconds: 1800

- name: A canary first, then stop for a manual promotion
  paas.ops.rollout:
    platform: servicestage
    application_name: shop
    batches: [1, "50%"]
    promote_after: 1
  register: shop_canary

- name: Promote the canary (the same options and the marker; it does not pause again)
  paas.ops.rollout:
    platform: servicestage
    application_name: shop
    batches: [1, "50%"]
    promote_after: 1
    restarted_after: "{{ shop_canary.rolling_restart_result.marker }}"
- name: Restart the storefront two at a time; each batch soaks 30 s, then every instance must answer its health URL
  paas.ops.rollout:
    platform: sae
    application_id: 5ae00000-0000-4000-8000-000000000001
    name: storefront
    batch_size: 2
    soak_seconds: 30
    http_check:
      url: "http://{ip}:8080/healthz"
      body_regex: '"status":\s*"UP"'
      successes: 3
      interval: 2

- name: Roll web 2.4.1 through every SAE application of a namespace, a canary first, failed batches rolled back
  paas.ops.rollout:
    platform: sae
    namespace_id: "cn-hangzhou:shop"
    image: registry.example.com/shop/web:2.4.1
    batches: [1, "25%"]
    max_unavailable: "25%"
    soak_seconds: 30
    rollback_on_failure: batch

- name: Continue a rollout that stopped, restarting nothing twice
  paas.ops.rollout:
    platform: edas
    application_id: eda50000-0000-4000-8000-000000000001
    restarted_after: "{{ storefront_rollout.rolling_restart_result.marker }}"
'''

RETURN = r'''
rolling_restart_result:
  description:
    - The summary, the same as the P(paas.ops.rolling_restart#role) role's fact C(rolling_restart_result). With many
      applications the lists hold every application's targets, and C(applications) each one's own summary.
  returned: always
  type: dict
  contains:
    marker:
      description: The marker to resume from (give it as O(restarted_after)).
      type: float
    planned:
      description: How many targets were planned.
      type: int
    restarted:
      description: IDs of the targets restarted (in check mode, that would be); of a rolling deploy, those deployed and not rolled back.
      type: list
      elements: str
    deployed:
      description: Of a rolling deploy, the same as C(restarted).
      type: list
      elements: str
      returned: for a rolling deploy
    rolled_back:
      description: Of a rolling deploy, IDs of the targets rolled back to what they ran before (O(rollback_on_failure)).
      type: list
      elements: str
      returned: for a rolling deploy
    rollback_failed:
      description: Of a rolling deploy, the targets whose rollback failed, each with C(id), C(name) and C(msg).
      type: list
      elements: dict
      returned: for a rolling deploy
    failed:
      description: The targets that failed, each with C(id), C(name) and C(msg).
      type: list
      elements: dict
    skipped:
      description: The targets skipped, each with C(id), C(name) and the reason (C(reason) or C(msg)).
      type: list
      elements: dict
    untouched:
      description: IDs of planned targets no batch settled (the run stopped first, or an order never reached them).
      type: list
      elements: str
    batches:
      description: Each batch run, with C(index), C(targets), C(restarted), C(failed) and C(seconds).
      type: list
      elements: dict
    stopped_early:
      description: Whether the run stopped before its last batch (the failure policy, the deadline, or a pause for promotion).
      type: bool
    promotion:
      description:
        - Set when the run paused for promotion after its canary (O(promote_after)), else null. For one application, its
          C(after_batch), C(batches), C(remaining_batches), C(remaining) (the IDs not restarted yet), C(marker) and
          C(continue_with) (C(restarted_after=<marker>), with O(option_prefix)). With many, C(marker), C(continue_with),
          C(applications) (the names of those that paused) and C(remaining); each application's own is in its summary.
      type: dict
    seconds:
      description: How long the run took.
      type: float
    applications:
      description: Each application's own summary, with its C(name), C(platform) and C(application_id).
      type: list
      elements: dict
  sample:
    marker: 1767225600.0
    planned: 12
    restarted: [storefront-01, storefront-02]
    failed: []
    skipped: []
    untouched: []
    batches: [{index: 1, targets: [storefront-01, storefront-02], restarted: [storefront-01, storefront-02], failed: [], seconds: 8.1}]
    stopped_early: false
    seconds: 8.4
    promotion: null
    applications: []
summary:
  description: The summary line of each application, as the role prints it.
  returned: always
  type: str
  sample: "rolling restart done: 12 restarted, 0 failed, 0 skipped, 0 untouched, 4 of 4 batches in 31.2 s; marker 1767225600.0"
failure:
  description: Why the task failed (what failed, what was restarted and left untouched, and how to continue), or null.
  returned: always
  type: str
ansible_stats:
  description:
    - "C(set_stats) data: Ansible records them for the task when it does not fail (AWX keeps them as the job's artifacts
      and passes them to the next jobs of a workflow as extra variables). C(data) holds C(rolling_restart_restarted_after),
      the marker, and C(rolling_restart_last_result), the summary."
  returned: always
  type: dict
  sample:
    data: {rolling_restart_restarted_after: 1767225600.0, rolling_restart_last_result: {}}
    per_host: false
    aggregate: false
'''
