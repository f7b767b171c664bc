# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""paas.ops.rollout: whole rolling restarts, and rolling deploys of a version, in one task on the controller (documentation:
plugins/modules/rollout.py).

Where the task's host is the controller itself (a local connection), the listing and every batch run in this process,
through the registry's fleet and the shared runner: no module start per batch. Elsewhere they run where the modules
would, as paas.ops.instance_info and paas.ops.batch_restart on the task's host; progress and policy stay here. A rolling
deploy (a version given) runs on the controller: its batches are the platform's Deployer seen as a fleet (_version.VersionFleet).
"""

from __future__ import annotations

import copy
import math

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.paas.ops.plugins.module_utils import _platform as registry
from ansible_collections.paas.ops.plugins.module_utils._action import Deadline
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasBatchError, PaasError, redact
from ansible_collections.paas.ops.plugins.module_utils._fleet import batch_diff, restart_batch
from ansible_collections.paas.ops.plugins.module_utils._module import GROUP_ARGSPEC, check_bounds
from ansible_collections.paas.ops.plugins.module_utils._platform import CONNECTION_ARGSPEC
from ansible_collections.paas.ops.plugins.module_utils._version import PLATFORM_DEPLOY_ARGSPEC, VERSION_FIELDS, VersionFleet, VersionSpec
from ansible_collections.paas.ops.plugins.plugin_utils._cancel import Cancel
from ansible_collections.paas.ops.plugins.plugin_utils._gates import HTTP_CHECK_OPTIONS, GateError, check_settings
from ansible_collections.paas.ops.plugins.plugin_utils._rollout import ApplicationRollout, Batches, RolloutError, RunState, run_applications

display = Display()

# What names one application: its platform and where its targets are.
APPLICATION_OPTIONS = dict(
    platform=dict(type='str', choices=list(registry.PLATFORMS)),
    application_id=dict(type='str'),
    application_name=dict(type='str'),
    component_id=dict(type='str'),
    component_name=dict(type='str'),
    namespace_id=dict(type='str'),
    name=dict(type='str'),
)
# How one application is rolled: set for all at the top, and overridden per entry of ``applications``.
SETTINGS = dict(
    targets=dict(type='list', elements='str', default=[]),
    name_pattern=dict(type='str'),
    states=dict(type='list', elements='str', default=[]),
    batch_size=dict(type='raw', default=1),
    batches=dict(type='list', elements='raw', default=[]),
    max_unavailable=dict(type='raw'),
    pause_seconds=dict(type='int', default=0),
    health_gate=dict(type='bool', default=True),
    batch_timeout=dict(type='int', default=600),
    max_failed_targets=dict(type='int', default=0),
    max_failed_percent=dict(type='float'),
    abort_on_failure=dict(type='bool', default=False),
    abort_on_cancel=dict(type='bool', default=True),
    include_stopped=dict(type='bool', default=False),
    auto_confirm_batches=dict(type='bool', default=True),
    allow_empty=dict(type='bool', default=False),
    promote_after=dict(type='int'),
    # The gates after each batch (plugin_utils/_gates.py).
    soak_seconds=dict(type='float', default=0),
    http_check=dict(type='dict', options=HTTP_CHECK_OPTIONS),
    # A version to roll makes it a rolling deploy (_version.py); what to do when a batch of it fails.
    image=dict(type='str'),
    package_url=dict(type='str'),
    package_version=dict(type='str'),
    version=dict(type='str'),
    rollback_on_failure=dict(type='str', default='none', choices=['none', 'batch', 'all']),
)
OWN_OPTIONS = dict(
    APPLICATION_OPTIONS,
    applications=dict(type='list', elements='dict', options=dict(
        APPLICATION_OPTIONS, **dict((name, dict((key, value) for key, value in spec.items() if key != 'default')) for name, spec in SETTINGS.items()))),
    restarted_after=dict(type='float'),
    parallel_applications=dict(type='int', default=1),
    failure_scope=dict(type='str', default='application', choices=['application', 'run']),
    deadline_seconds=dict(type='int'),
    run_on=dict(type='str', default='auto', choices=['auto', 'controller', 'host']),
    option_prefix=dict(type='str', default=''),
    **dict(SETTINGS, **PLATFORM_DEPLOY_ARGSPEC)
)
# Every option of the paas.ops.paas group is accepted (module_defaults for the group reach this action too) and those it
# has no use for are ignored, as by the modules.
ARGSPEC = dict(CONNECTION_ARGSPEC)
ARGSPEC.update((name, spec) for name, spec in GROUP_ARGSPEC.items() if name not in OWN_OPTIONS)
ARGSPEC.update(OWN_OPTIONS)

# Options a batch on the task's host is given as they were given to this task (the modules resolve the rest, environment
# fallbacks included, where they run).
_SELECTORS = ('platform', 'application_id', 'application_name', 'component_id', 'component_name', 'namespace_id')


class ControllerBatches(Batches):
    """An application's batches in this process: the registry's fleet, listed and restarted with the shared runner."""

    def __init__(self, params, check_mode, secrets, spec=None):
        self.params = params
        self.check_mode = check_mode
        self.secrets = secrets
        self.connection = registry.connection_for(params, params['platform'], warn=display.warning, on_secret=secrets.append)
        self.fleet = None
        self.entries = {}
        # A version to deploy: the batches put it on the targets instead of restarting them.
        self.spec = spec
        self.deploys = bool(spec)

    def _fail(self, error):
        error.redacted(self.secrets)
        return RolloutError(error.msg)

    def list(self, restart_times):
        try:
            if self.fleet is None:
                self.fleet = self._fleet()
            views = self.fleet.targets(times_for=True if restart_times else None)
        except PaasError as error:
            raise self._fail(error)
        return dict(application_id=self.fleet.application_id, instances=views)

    def _fleet(self):
        platform = registry.platform(self.params['platform'])
        if not self.deploys:
            return platform.fleet(self.connection, self.params)
        deployer = platform.deployer(self.connection, self.params)
        deployer.check(self.spec)
        return VersionFleet(deployer, self.spec)

    def read(self, ids):
        try:
            views = self.fleet.targets()
        except PaasError as error:
            raise self._fail(error)
        wanted = set(ids)
        return dict((view['id'], view) for view in views if view['id'] in wanted)

    def restart(self, ids, marker, max_unavailable, settings, timeout):
        try:
            result = restart_batch(self.fleet, ids, timeout=timeout, max_unavailable=max_unavailable, restarted_after=None if self.deploys else marker,
                                   health_gate=settings['health_gate'], auto_confirm=settings['auto_confirm_batches'], check_mode=self.check_mode,
                                   abort_on_failure=settings['abort_on_failure'], include_stopped=settings['include_stopped'])
        except PaasBatchError as error:
            # A batch refused as a whole (no room under max_unavailable) still says how each target fared.
            result = dict(error.result or {}, msg=redact(error.msg, self.secrets))
            if 'targets' not in result:
                raise self._fail(error)
        except PaasError as error:
            raise self._fail(error)
        for entry in result['targets']:
            self.entries[entry['id']] = entry
        return result

    def roll_back(self, ids, timeout):
        try:
            return self.fleet.roll_back(ids, Deadline(timeout), self.params['auto_confirm_batches'])
        except PaasError as error:
            raise self._fail(error)

    # For a cancel (plugin_utils/_cancel.py), from the main thread while a batch runs in another.
    def in_flight(self):
        return self.fleet.in_flight() if self.fleet else []

    def abort(self, order_ids=None):
        return self.fleet.abort(order_ids) if self.fleet else []


class HostBatches(Batches):
    """An application's batches as modules on the task's host (``paas.ops.instance_info``, then ``paas.ops.batch_restart``)."""

    def __init__(self, execute, given):
        self.execute = execute
        self.given = given
        self.application_id = None
        self.entries = {}

    def _module(self, name, args):
        # An option set to None here is left out, not sent as null: a module counts a null option as given (mutually exclusive ones).
        result = self.execute(name, dict((key, value) for key, value in dict(self.given, **args).items() if value is not None))
        if result.get('failed') and 'targets' not in result:
            raise RolloutError(result.get('msg') or '%s failed' % name)
        return result

    def list(self, restart_times):
        result = self._module('paas.ops.instance_info', dict(restart_times=restart_times))
        self.application_id = result.get('application_id')
        return result

    def _as_listed(self, args):
        if self.application_id:
            # As listed: a name is resolved once, and an SAE namespace is named only when no application is.
            args.update(application_id=self.application_id, application_name=None, namespace_id=None)
        return args

    def read(self, ids):
        wanted = set(ids)
        result = self._module('paas.ops.instance_info', self._as_listed(dict(restart_times=False)))
        return dict((view['id'], view) for view in result.get('instances') or [] if view['id'] in wanted)

    def restart(self, ids, marker, max_unavailable, settings, timeout):
        args = dict(targets=ids, restarted_after=marker, batch_timeout=timeout, health_gate=settings['health_gate'],
                    auto_confirm_batches=settings['auto_confirm_batches'], abort_on_failure=settings['abort_on_failure'],
                    include_stopped=settings['include_stopped'])
        if max_unavailable is not None:
            args['max_unavailable'] = max_unavailable
        result = self._module('paas.ops.batch_restart', self._as_listed(args))
        for entry in result['targets']:
            self.entries[entry['id']] = entry
        return result


def _label(entry):
    return entry.get('name') or entry.get('application_name') or entry.get('component_name') or entry.get('application_id') or entry.get('namespace_id') \
        or entry['platform']


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGSPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validation, params = self.validate_argument_spec(argument_spec=ARGSPEC)
        secrets = [value for value in validation._no_log_values if isinstance(value, str)]
        check_mode = bool(self._task.check_mode)
        try:
            entries = self._applications(params)
        except PaasError as error:
            error.redacted(secrets)
            raise AnsibleActionFail(error.msg)
        on_host = params['run_on'] == 'host' or (params['run_on'] == 'auto' and self._connection.transport != 'local')
        run = RunState(params['deadline_seconds'])
        # Platforms stamp restarts to the second (Rainbond's events): a marker of this run's start rounded down, less one second,
        # so that what this run restarts in its first second still counts as restarted after it.
        marker = params['restarted_after'] if params['restarted_after'] is not None else float(math.floor(run.started) - 1)
        rollouts = []
        for entry in entries:
            spec = VersionSpec.from_params(entry['settings'])
            if on_host and spec:
                raise AnsibleActionFail('%s: a rolling deploy runs on the controller; set run_on=controller (or run the task with a local '
                                        'connection)' % _label(entry))
            if on_host:
                given = dict((name, self._task.args[name]) for name in ARGSPEC if name in self._task.args and name not in OWN_OPTIONS)
                given.update((name, entry[name]) for name in _SELECTORS if entry.get(name))
                batches = HostBatches(self._run_module(task_vars), given)
            else:
                batches = ControllerBatches(dict(params, **dict((name, entry.get(name)) for name in _SELECTORS), **spec.given()), check_mode, secrets,
                                            spec=spec)
            rollouts.append(ApplicationRollout(_label(entry), entry['platform'], entry['settings'], batches, display.display, run, marker, check_mode,
                                               failure_scope=params['failure_scope'], option_prefix=params['option_prefix']))
        # A module on the task's host runs through its one connection: one batch at a time there.
        cancel = Cancel(run, rollouts, marker, display.display, option_prefix=params['option_prefix'], check_mode=check_mode)
        outcomes = cancel.supervise(lambda: run_applications(rollouts, run, parallel=1 if on_host else params['parallel_applications']))
        return self._result(result, rollouts, outcomes, marker, params, secrets, cancel)

    def _run_module(self, task_vars):
        def execute(name, args):
            return self._execute_module(module_name=name, module_args=args, task_vars=task_vars)
        return execute

    def _applications(self, params):
        """Each application to roll with its own settings: the entries of ``applications``, or the one the options name."""
        check_bounds(params, ['batch_timeout'])
        for name in ('parallel_applications', 'deadline_seconds'):
            if params[name] is not None and params[name] < 1:
                raise AnsibleActionFail('%s must be at least 1, got %s' % (name, params[name]))
        listed = params['applications'] or [dict((name, params[name]) for name in APPLICATION_OPTIONS)]
        entries = []
        for number, given in enumerate(listed, 1):
            entry = dict((name, given.get(name) if given.get(name) is not None else params.get(name)) for name in APPLICATION_OPTIONS)
            if not entry['platform']:
                raise AnsibleActionFail('applications[%d]: set platform (here or for the task)' % number if params['applications'] else 'set platform')
            settings = dict((name, copy.deepcopy(given[name] if given.get(name) is not None else params[name])) for name in SETTINGS)
            check_bounds(settings, ['batch_timeout'])
            if settings['promote_after'] is not None and settings['promote_after'] < 1:
                where = 'applications[%d].' % number if params['applications'] and given.get('promote_after') is not None else ''
                raise AnsibleActionFail('%spromote_after must be at least 1 (the batches of the canary), got %s' % (where, settings['promote_after']))
            try:
                check_settings(settings, 'applications[%d]: ' % number if params['applications'] else '', params['option_prefix'])
            except GateError as error:
                raise AnsibleActionFail(str(error))
            if settings['rollback_on_failure'] != 'none' and not VersionSpec.from_params(settings):
                raise AnsibleActionFail('%srollback_on_failure is for rolling deploys: give the version to roll (%s)'
                                        % ('applications[%d]: ' % number if params['applications'] else '', ', '.join(VERSION_FIELDS)))
            # A resumed run's marker is in every application's plan: what was restarted after it is skipped.
            settings['restarted_after'] = params['restarted_after']
            entry['settings'] = settings
            entries.append(entry)
        labels = [_label(entry) for entry in entries]
        twice = sorted(set(label for label in labels if labels.count(label) > 1))
        if twice:
            raise AnsibleActionFail('applications: %s named more than once; give each a distinct name' % ', '.join(twice))
        return entries

    def _result(self, result, rollouts, outcomes, marker, params, secrets, cancel):
        summaries, lines, failures = [], [], [cancel.message()] if cancel.reason else []
        for rollout, (summary, error) in zip(rollouts, outcomes):
            if error is not None:
                failures.append(redact(error, secrets))
                continue
            line = rollout.summary_line(summary)
            lines.append(line if len(rollouts) == 1 else '[%s] %s' % (rollout.label, line))
            failure = rollout.failure(summary)
            if failure:
                failures.append(failure if len(rollouts) == 1 else '[%s] %s' % (rollout.label, failure))
            summaries.append(dict(summary, name=rollout.label, platform=rollout.platform, application_id=rollout.application_id))
        if len(rollouts) == 1 and summaries:
            total = dict(summaries[0])
            for key in ('name', 'platform', 'application_id'):
                total.pop(key)
        else:
            total = dict(marker=float(marker), planned=sum(s['planned'] for s in summaries), stopped_early=any(s['stopped_early'] for s in summaries),
                         seconds=max([s['seconds'] for s in summaries] or [0.0]))
            for key in ('restarted', 'failed', 'skipped', 'untouched', 'batches', 'deployed', 'rolled_back', 'rollback_failed'):
                if any(key in s for s in summaries):
                    total[key] = [item for s in summaries for item in s.get(key, [])]
            paused = [s for s in summaries if s['promotion']]
            # One marker continues every paused application; each one's own promotion is in its summary.
            total['promotion'] = dict(marker=float(marker), continue_with=paused[0]['promotion']['continue_with'], applications=[s['name'] for s in paused],
                                      remaining=[target for s in paused for target in s['promotion']['remaining']]) if paused else None
        total['applications'] = summaries
        result.update(changed=bool(total.get('restarted')), rolling_restart_result=total, summary='; '.join(lines) or None,
                      failure='; '.join(failures) or None,
                      # For an AWX workflow. Ansible records a result's ansible_stats for any action whose task did not fail (as
                      # for set_stats); AWX keeps them as the job's artifacts and gives them to the next jobs as extra vars, above
                      # their own variables: the next job resumes from the marker as rolling_restart_restarted_after. The summary
                      # goes under a name that nothing reads or sets: as rolling_restart_result it would shadow the next job's fact.
                      ansible_stats=dict(data=dict(rolling_restart_restarted_after=float(marker), rolling_restart_last_result=total),
                                         per_host=False, aggregate=False))
        if self._task.diff:
            diffs = [self._diff(rollout, len(rollouts) > 1) for rollout in rollouts]
            result['diff'] = diffs[0] if len(diffs) == 1 else diffs
        if failures:
            result.update(failed=True, msg='; '.join(failures))
        return result

    @staticmethod
    def _diff(rollout, headed):
        spec = getattr(rollout.batches, 'spec', None)
        diff = batch_diff(list(rollout.batches.entries.values()), predicted=dict(version=spec.describe()) if spec else None)
        if headed:
            diff.update(before_header=rollout.label, after_header=rollout.label)
        return diff
