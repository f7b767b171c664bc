# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The one lifecycle runner, and the request it runs.

A ``Request`` is built once, from the module options (``Request.from_options``) or by a rolling restart for one batch,
and then passed down unchanged: the action and its parameters, which targets, whether to wait, the one ``Deadline`` that
every wait of the task shares (the work already in flight, then our own), whether batches are confirmed, and check mode.

``run(operation, request)`` does what every platform does the same way: read, wait for work in flight, decide, predict,
send once, follow, re-read. An ``Operation`` (one per platform and kind of target, in the adapters) supplies only what
differs: how to read, send and follow, and what counts as done. What a rolling restart listed just before, an adapter
reuses from its own reads (``AlibabaApi``, ``Rainbond``, ``ServiceStageFleet``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.paas.ops.plugins.module_utils._action import Deadline, decide, predict, summary
from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError

# Options that are an action's parameters, as the module names them; the adapter reads those its platform sends.
PARAMETER_OPTIONS = ('replica', 'replicas', 'hosts', 'version', 'version_id', 'min_ready_instances', 'min_ready_instance_ratio')
# Options that say which targets: applications, components, instances of one platform or another.
TARGET_OPTIONS = ('app_ids', 'app_names', 'namespace_id', 'ecc_ids', 'service_ids', 'component_names', 'application_id',
                  'application_name', 'component_id', 'component_name', 'instance_ids')


class Request:
    """One lifecycle task: ``action`` with ``parameters`` (by option name) on ``targets`` (selection options by name)."""

    def __init__(self, action, parameters=None, targets=None, wait=True, deadline=None, auto_confirm=False, check_mode=False,
                 concurrency=None, chosen=None):
        self.action = action
        self.parameters = dict(parameters or {})
        self.targets = dict(targets or {})
        self.wait = wait
        self.deadline = deadline if deadline is not None else Deadline(600)
        self.auto_confirm = auto_confirm
        self.check_mode = check_mode
        self.concurrency = concurrency
        # The target ids a caller decided to act on already (a rolling restart's batch); None: the runner decides.
        self.chosen = None if chosen is None else list(chosen)

    @classmethod
    def from_options(cls, params, check_mode):
        """The request the module options describe (options a module does not have are absent, hence None)."""
        return cls(params['action'], parameters=dict((name, params[name]) for name in PARAMETER_OPTIONS if params.get(name) is not None),
                   targets=dict((name, params.get(name)) for name in TARGET_OPTIONS), wait=params.get('wait', True),
                   deadline=Deadline(params.get('wait_timeout') or 600), auto_confirm=bool(params.get('auto_confirm_batches')),
                   check_mode=check_mode, concurrency=params.get('concurrency'))

    @property
    def rereads(self):
        """Whether ``follow`` re-reads the targets for the result's ``after``: not for a caller that decided the batch
        (``chosen``), which lists the whole fleet itself once the batch is done (restart_batch)."""
        return self.chosen is None

    def target(self, name):
        return self.targets.get(name)

    def parameter(self, name):
        return self.parameters.get(name)


class Plan:
    """What the runner made of one request: one entry per target (``id``, the ``view`` it was decided from, ``changed``,
    ``reason``, ``before`` and ``after``), the work in flight it waited for (``waited``) and what ``send`` returned."""

    def __init__(self, waited):
        self.entries = []
        self.waited = list(waited or [])
        self.sent = None

    @property
    def acting(self):
        return [entry for entry in self.entries if entry['changed']]

    def entry(self, target_id):
        return next(entry for entry in self.entries if entry['id'] == target_id)


class Operation:
    """What one platform's lifecycle on one kind of target differs in; ``run`` calls these hooks, in this order.

    - ``read(request)``: the targets' views (``id``, ``state``, ``label``...), reusing what a rolling restart listed;
    - ``settle(request, views)``: wait for work already in flight on them (reads only, so check mode waits too) instead of
      colliding with it; return ``(views to decide from, what was waited for)``;
    - ``parameters(request)``: the action's parameters as the shared ``decide`` and ``predict`` name them;
    - ``decide(request, view)``: ``(needed, reason)``, or raise when the target's state does not allow the action;
    - ``predict(request, view)``: the summary a successful action leaves (check mode and diff);
    - ``planned(request, plan)``: the plan is made, in check mode too: refuse it as a whole before anything is sent (a rolling
      restart's room), or start the result from it;
    - ``send(request, plan)``: act once on every acting entry, settling an unknown outcome; what it returns is ``plan.sent``;
    - ``follow(request, plan)``: wait for what was sent (its jobs, change orders or events) within ``request.deadline``, then
      re-read (``request.rereads``);
    - ``report(request, plan)``: the task's result.
    """

    def read(self, request):
        raise NotImplementedError

    def settle(self, request, views):
        return views, []

    def parameters(self, request):
        return {}

    def decide(self, request, view):
        return decide(request.action, view, self.parameters(request), view.get('versions'))

    def predict(self, request, view):
        return predict(request.action, view, self.parameters(request), view.get('versions'))

    def summary(self, view):
        return summary(view)

    def planned(self, request, plan):
        return None

    def send(self, request, plan):
        raise NotImplementedError

    def follow(self, request, plan):
        return None

    def report(self, request, plan):
        raise NotImplementedError


def run(operation, request):
    """Read, wait for work in flight, decide (or take the caller's ``request.chosen``), predict, send once, follow: the one
    lifecycle every platform's actions and the rolling restart go through."""
    views, waited = operation.settle(request, operation.read(request))
    plan = Plan(waited)
    for view in views:
        if request.chosen is None:
            needed, reason = operation.decide(request, view)
        else:
            # A rolling restart decided this batch already (restart_batch): it is not decided again.
            needed, reason = view['id'] in request.chosen, 'chosen for this batch'
        before = operation.summary(view)
        plan.entries.append(dict(id=view['id'], view=view, changed=needed, reason=reason, before=before,
                                 after=operation.predict(request, view) if needed else before))
    operation.planned(request, plan)
    if plan.acting and not request.check_mode:
        plan.sent = operation.send(request, plan)
        if request.wait:
            operation.follow(request, plan)
    return operation.report(request, plan)


def run_each(operations, request, entry_of):
    """``run`` of many operations, each on its own target, at most ``request.concurrency`` at a time: a failure is that
    target's, not the task's. ``entry_of(operation, result, error)`` says what each one's outcome is."""
    def one(operation):
        try:
            return entry_of(operation, run(operation, request), None)
        except PaasError as error:
            return entry_of(operation, None, error)

    with ThreadPoolExecutor(max_workers=max(1, min(request.concurrency or 1, len(operations)))) as pool:
        return list(pool.map(one, operations))
