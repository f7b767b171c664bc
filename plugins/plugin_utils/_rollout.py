# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The rollout engine behind ``paas.ops.rollout``: whole rolling restarts of one or many applications, in one task.

Per application: list the targets (one paged list), plan the batches with the same planner as the ``rolling_plan`` filter,
then restart batch after batch through ``Batches`` (the platform's fleet and the shared runner in this process, or
``paas.ops.batch_restart`` on the task's host), applying the failure policy, the pause and the deadline here, and saying
each batch's transitions as they happen. Applications run side by side up to ``parallel``; when one stops on a failure,
the others finish the batch they are in, then stop too. With ``promote_after``, an application pauses, successfully, once
its canary (the first batches) has been through, and the marker continues it.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.paas.ops.plugins.plugin_utils._gates import Gates
from ansible_collections.paas.ops.plugins.plugin_utils._plan import PlanError, rolling_plan
from ansible_collections.paas.ops.plugins.plugin_utils._progress import DEPLOY, RESTART, names, resume_option, seconds_text


class RolloutError(Exception):
    """A rollout that cannot start or go on (bad input, a listing or batch call that failed as a whole): the task fails with it."""


class Batches:
    """Where an application's listing and batches run: ``list(restart_times)`` -> ``{'application_id', 'instances'}`` and
    ``restart(ids, marker, max_unavailable, settings, timeout)`` -> the result of ``paas.ops.batch_restart`` (a failed batch's
    too: its targets say how each fared), and ``read(ids)`` -> ``{id: view}`` of those targets as listed now (one listing; a
    target no longer listed is left out), for the gates. A call that fails as a whole raises ``RolloutError``.

    ``deploys``: the batches deploy a version (``restart`` puts it on the targets, and a target on it is listed with
    ``on_version``); then ``roll_back(ids, timeout)`` restores what each ran before this run -> one outcome per target
    (``{id, ok, msg}``)."""

    deploys = False

    def roll_back(self, ids, timeout):
        raise NotImplementedError

    def list(self, restart_times):
        raise NotImplementedError

    def read(self, ids):
        raise NotImplementedError

    def restart(self, ids, marker, max_unavailable, settings, timeout):
        raise NotImplementedError


class RunState:
    """What every application of a run shares: the stop (a failure elsewhere, the deadline), the whole run's deadline, and
    the failures counted over the run when the failure policy counts them there."""

    def __init__(self, deadline_seconds=None, clock=time.time):
        self.clock = clock
        self.started = clock()
        self.deadline = None if not deadline_seconds else self.started + deadline_seconds
        self.deadline_seconds = deadline_seconds
        self._stop = threading.Event()
        self.reason = None
        # Whether the deadline stopped the run: the failure message says so even when a batch it cut short failed.
        self.deadline_reached = False
        self._lock = threading.Lock()
        self.failed = 0
        self.planned = 0

    def stop(self, reason):
        with self._lock:
            if self.reason is None:
                self.reason = reason
        self._stop.set()

    def stopping(self):
        if not self._stop.is_set() and self.deadline is not None and self.clock() >= self.deadline:
            self.deadline_reached = True
            self.stop('the deadline of %s s for the whole run was reached' % seconds_text(self.deadline_seconds))
        return self._stop.is_set()

    def remaining(self):
        return None if self.deadline is None else max(self.deadline - self.clock(), 0.0)

    def pause(self, seconds):
        """Sleep ``seconds`` unless the run is stopped meanwhile (or its deadline comes first)."""
        remaining = self.remaining()
        self._stop.wait(seconds if remaining is None else min(seconds, remaining))

    def count(self, failed, planned):
        with self._lock:
            self.failed += failed
            self.planned += planned
            return self.failed, self.planned


def _policy_exceeded(failed, planned, settings):
    if failed > settings['max_failed_targets']:
        return True
    percent = settings['max_failed_percent']
    return percent is not None and planned > 0 and failed * 100.0 / planned > percent


class ApplicationRollout:
    """One application's rollout: its listing, plan and batches, and its summary (``rolling_restart_result``'s shape)."""

    def __init__(self, label, platform, settings, batches, say, run, marker, check_mode, failure_scope='application', option_prefix=''):
        self.label = label
        self.platform = platform
        self.settings = settings
        self.batches = batches
        self._say = say
        self.run_state = run
        self.marker = marker
        self.check_mode = check_mode
        self.failure_scope = failure_scope
        # How messages name the options: the role's variables are its options with the prefix rolling_restart_.
        self.option_prefix = option_prefix
        self.names = {}
        self.plan = None
        self.kind = 'target'
        self.done = dict(restarted=[], failed=[], skipped=[], unreached=[], messages=[], batches=[], rolled_back=[], rollback_failed=[])
        self.words = DEPLOY if batches.deploys else RESTART
        self.stopped_because = None
        self.application_id = None
        # Set when the application paused for promotion after its canary: what to continue with.
        self.promotion = None
        # The targets of the batch being restarted now (a cancel reports them as in flight).
        self.in_flight = []

    def say(self, text):
        self._say('[%s] %s' % (self.label, text))

    def run(self):
        started = self.run_state.clock()
        settings = self.settings
        listing = self.batches.list(restart_times=settings['restarted_after'] is not None)
        views = listing['instances']
        self.application_id = listing.get('application_id')
        self.kind = views[0].get('kind') or 'target' if views else 'target'
        self.names = dict((view['id'], view.get('name')) for view in views)
        try:
            plan = self.plan = self._plan(views, settings['restarted_after'])
        except PlanError as error:
            raise RolloutError('%s: %s' % (self.label, error))
        if plan['matched'] == 0 and not settings['allow_empty']:
            raise RolloutError(self._nothing_matches(plan))
        self._say_plan(plan, views)
        self.gates = Gates.start(self, views, plan)
        states = dict((view['id'], view.get('state')) for view in views)
        total = len(plan['batches'])
        if self.failure_scope == 'run':
            self.run_state.count(0, plan['eligible'])
        canary = self._canary(plan, views)
        for index, batch in enumerate(plan['batches'], 1):
            if self.stopped_because or self.run_state.stopping():
                break
            if index > 1 and settings['pause_seconds'] > 0 and not self.check_mode:
                self.run_state.pause(settings['pause_seconds'])
                if self.run_state.stopping():
                    break
            ids = [entry['id'] for entry in batch]
            self._batch(index, total, ids, states, plan)
            if self.stopped_because and self.done['batches'][-1]['failed']:
                self._roll_back(index, ids)
            if canary:
                canary.difference_update(ids)
                if not canary and index < total and not self.stopped_because and self._promote(index, total, plan):
                    break
        if self.stopped_because is None and self.promotion is None and self.run_state.reason and len(self.done['batches']) < total:
            self.stopped_because = self.run_state.reason
        return self.summary(started)

    def _plan(self, views, restarted_after):
        settings = self.settings
        return rolling_plan(views, batch_size=settings['batch_size'], batches=settings['batches'] or None, max_unavailable=settings['max_unavailable'],
                            include_stopped=settings['include_stopped'], restarted_after=restarted_after, only=settings['targets'] or None,
                            name=settings['name_pattern'], states=settings['states'] or None)

    def _canary(self, plan, views):
        """The targets this run still has to put through before it pauses for promotion (a set), or None: no pause.

        The canary is the targets of the first ``promote_after`` batches of the plan a run without a marker makes. A resumed
        run (given ``restarted_after``) plans only what was not restarted after the marker, and its batch 1 is not the first
        run's: counting its own batches would pause again after the canary was promoted. So it pauses once the canary
        targets it still has have been through a batch, and not at all when every one was restarted after the marker. The
        same options with the marker added therefore continue a paused run to the end, and a canary that failed is put
        through again before the pause."""
        after = self.settings.get('promote_after')
        if not after:
            return None
        whole = plan
        if self.settings['restarted_after'] is not None or any(view.get('on_version') for view in views):
            # A rolling deploy's canary is the first batches of the whole fleet, those on the version already included.
            try:
                whole = self._plan([dict(view, on_version=False) for view in views], None)
            except PlanError:
                # It also plans the running targets the marker skips, so it may find no room where this plan does: then this one.
                whole = plan
        canary = [entry['id'] for batch in whole['batches'][:after] for entry in batch]
        planned = set(entry['id'] for batch in plan['batches'] for entry in batch)
        pending = set(canary) & planned
        if canary and not pending and plan['batches']:
            self.say('promotion: the canary (%s) was %s; not pausing again' % (
                names(canary, self.names), 'deployed already' if self.batches.deploys else 'restarted after the marker'))
        return pending

    def _promote(self, index, total, plan):
        """The canary has been through after batch ``index``: pause for promotion (say "would" in check mode, and go on)."""
        if self.check_mode:
            self.say('would pause for promotion after batch %d/%d' % (index, total))
            return False
        continue_with = resume_option(self.option_prefix, self.marker)
        remaining = [entry['id'] for batch in plan['batches'][index:] for entry in batch]
        self.promotion = dict(after_batch=index, batches=total, remaining_batches=total - index, remaining=remaining, marker=float(self.marker),
                              continue_with=continue_with)
        self.say('paused for promotion after batch %d/%d: continue with %s' % (index, total, continue_with))
        return True

    def _batch(self, index, total, ids, states, plan):
        settings = self.settings
        # A rolling deploy puts the version on a stopped target it was told to include too: one word for all.
        starting = [target_id for target_id in ids if states.get(target_id) == 'stopped' and not self.batches.deploys]
        restarting = [target_id for target_id in ids if target_id not in starting]
        parts = []
        if starting:
            parts.append('%s %s' % ('would start' if self.check_mode else 'starting', names(starting, self.names)))
        if restarting:
            parts.append('%s %s' % (self.words.would() if self.check_mode else self.words.doing, names(restarting, self.names)))
        room = ''
        if plan['max_unavailable'] is not None:
            room = '; %d down of max %d' % (len(plan['down']) + len(ids), plan['max_unavailable'])
        self.say('batch %d/%d: %s%s' % (index, total, ', '.join(parts), room))
        remaining = self.run_state.remaining()
        timeout = settings['batch_timeout'] if remaining is None else max(min(settings['batch_timeout'], int(remaining)), 1)
        began = self.run_state.clock()
        self.in_flight = ids
        try:
            outcome = self.gates.check(index, total, self.batches.restart(ids, self.marker, plan['max_unavailable'], settings, timeout))
        finally:
            self.in_flight = []
        self._count(index, ids, outcome)
        restarted = len(outcome.get('restarted') or [])
        failed = len(outcome.get('failed_targets') or [])
        skipped = len(outcome.get('skipped_targets') or [])
        verb = self.words.would() if self.check_mode else self.words.done
        tail = ', %d skipped' % skipped if skipped else ''
        if outcome.get('untouched_targets'):
            tail += ', %d not reached' % len(outcome['untouched_targets'])
        if self.check_mode and not (failed or tail):
            # The first line said what the batch would do; a second one would only repeat it.
            return
        took = seconds_text(self.run_state.clock() - began)
        self.say('batch %d/%d: %s in %s s (%d %s, %d failed%s)' % (index, total, 'failed' if failed else 'done', took, restarted, verb, failed, tail))

    def _count(self, index, ids, outcome):
        # A batch that ended at the deadline (its timeout was what was left of it) stopped for that reason, not for its failures.
        self.run_state.stopping()
        done = self.done
        entries = outcome.get('targets') or []
        failed_now = [_brief(entry) for entry in entries if entry.get('outcome') == 'failed']
        done['restarted'] += list(outcome.get('restarted') or [])
        # Targets the batch's change order never reached: untouched, so the next run restarts them.
        done['unreached'] += list(outcome.get('untouched_targets') or [])
        # A failed change order's own message, said once, not once per target.
        done['messages'] += list(outcome.get('order_messages') or [])
        done['failed'] += failed_now
        done['skipped'] += [_brief(entry) for entry in entries if entry.get('outcome') == 'skipped']
        done['batches'].append(dict(index=index, targets=ids, restarted=list(outcome.get('restarted') or []),
                                    failed=list(outcome.get('failed_targets') or []), seconds=outcome.get('seconds')))
        if self.failure_scope == 'run':
            failed, planned = self.run_state.count(len(failed_now), 0)
        else:
            failed, planned = len(done['failed']), self.plan['eligible']
        # The failure policy: stop before the next batch once too many have failed. An order that ended before reaching some
        # of its targets was stopped by something: stop too.
        if outcome.get('untouched_targets'):
            self.stopped_because = 'its change order ended before reaching %s' % names(outcome['untouched_targets'], self.names)
        elif _policy_exceeded(failed, planned, self.settings):
            self.stopped_because = '%d failed%s' % (failed, ' over the run' if self.failure_scope == 'run' else '')
        if self.stopped_because:
            # The others in flight finish the batch they are in, then stop.
            self.run_state.stop('%s stopped (%s)' % (self.label, self.stopped_because))

    def _roll_back(self, index, ids):
        """The batch ``index`` failed and stopped the rollout: with ``rollback_on_failure`` ``batch``, roll back what it moved;
        with ``all``, everything this run moved. Its own timeout is the batch's, whatever the run's deadline left: a fleet
        half on a failed version is worse than a late task."""
        policy = self.settings.get('rollback_on_failure') or 'none'
        if policy == 'none' or not self.batches.deploys or self.check_mode:
            return
        done = self.done
        moved = set(done['restarted']) | set(entry['id'] for entry in done['failed'])
        scope = ids if policy == 'batch' else [target_id for batch in done['batches'] for target_id in batch['targets']]
        chosen = [target_id for target_id in scope if target_id in moved and target_id not in done['rolled_back']]
        if not chosen:
            return
        self.say('rolling back %s: %s' % ('batch %d' % index if policy == 'batch' else 'every target this run deployed', names(chosen, self.names)))
        began = self.run_state.clock()
        outcomes = self.batches.roll_back(chosen, self.settings['batch_timeout'])
        back = [outcome['id'] for outcome in outcomes if outcome.get('ok')]
        failed = [dict(id=outcome['id'], name=self.names.get(outcome['id']), msg=outcome.get('msg')) for outcome in outcomes if not outcome.get('ok')]
        done['rolled_back'] += back
        done['rollback_failed'] += failed
        done['restarted'] = [target_id for target_id in done['restarted'] if target_id not in back]
        self.say('rolled back %d in %s s (%d failed%s)' % (len(back), seconds_text(self.run_state.clock() - began), len(failed),
                                                           ': ' + '; '.join('%s %s' % (entry['name'] or entry['id'], entry['msg']) for entry in failed)
                                                           if failed else ''))

    def summary(self, started):
        done = self.done
        plan = self.plan
        planned_ids = [entry['id'] for batch in plan['batches'] for entry in batch]
        settled = set(done['restarted']) | set(entry['id'] for entry in done['failed'] + done['skipped'])
        settled |= set(done['rolled_back'])
        found = dict(marker=float(self.marker), planned=plan['eligible'], restarted=done['restarted'], failed=done['failed'],
                     skipped=plan['skipped'] + done['skipped'], untouched=[target_id for target_id in planned_ids if target_id not in settled],
                     batches=done['batches'], stopped_early=len(done['batches']) < len(plan['batches']), seconds=round(self.run_state.clock() - started, 1),
                     promotion=self.promotion)
        if self.batches.deploys:
            # ``restarted`` keeps its meaning for every consumer (what this run rolled and left so); a deploy names it too.
            found.update(deployed=list(done['restarted']), rolled_back=list(done['rolled_back']), rollback_failed=list(done['rollback_failed']))
        return found

    def summary_line(self, summary):
        total = len(self.plan['batches'])
        words = self.words
        if self.check_mode:
            return '%s planned: %s %d, %d skipped, in %d batches; marker %s' % (
                words.what, words.would(), len(summary['restarted']), len(summary['skipped']), total, summary['marker'])
        promotion = summary.get('promotion')
        state = 'paused for promotion' if promotion else 'stopped' if summary['stopped_early'] else 'done'
        rolled = ', %d rolled back' % len(summary['rolled_back']) if summary.get('rolled_back') else ''
        return '%s %s: %d %s, %d failed%s, %d skipped, %d untouched, %d of %d batches in %s s; marker %s%s' % (
            words.what, state, len(summary['restarted']), words.done, len(summary['failed']), rolled, len(summary['skipped']), len(summary['untouched']),
            len(summary['batches']), total, summary['seconds'], summary['marker'], '; continue with %s' % promotion['continue_with'] if promotion else '')

    def failure(self, summary):
        """The message the task fails with, or None: any failed or unreached target fails it, as does a stop before the end."""
        if not (summary['failed'] or self.done['unreached'] or (self.stopped_because and summary['stopped_early'])):
            return None
        failed = ', '.join('%s (%s)' % (entry['id'], entry.get('msg')) for entry in summary['failed']) or 'none'
        if self.run_state.deadline_reached and summary['stopped_early']:
            # Said even when targets failed: those a batch cut short by the deadline fail with a timeout that does not say why.
            why = ' (%s)' % self.run_state.reason
        else:
            why = '' if summary['failed'] or self.done['unreached'] or not self.stopped_because else ' (%s)' % self.stopped_because
        rolled = ''
        if self.done['rolled_back'] or self.done['rollback_failed']:
            rolled = '; rolled back %s' % (', '.join(self.done['rolled_back']) or 'none')
            if self.done['rollback_failed']:
                rolled += '; rollback failed on %s' % ', '.join('%s (%s)' % (entry['id'], entry['msg']) for entry in self.done['rollback_failed'])
        # A deploy goes on from the deployed versions themselves (the targets on the version are skipped); the marker does too.
        again = resume_option(self.option_prefix, summary['marker']) + (' or the same options' if self.batches.deploys else '')
        return ('%s stopped after batch %d of %d%s: failed %s; %s %s%s; untouched %s%s. Fix the cause, then run again with %s '
                'to continue where it stopped' % (self.words.what, len(summary['batches']), len(self.plan['batches']), why, failed, self.words.done,
                                                  ', '.join(summary['restarted']) or 'none', rolled, ', '.join(summary['untouched']) or 'none',
                                                  ''.join('; ' + message for message in self.done['messages']), again))

    def _nothing_matches(self, plan):
        settings = self.settings
        prefix = self.option_prefix
        filters = [' %stargets %s' % (prefix, ', '.join(settings['targets'])) if settings['targets'] else None,
                   ' %sname_pattern %s' % (prefix, settings['name_pattern']) if settings['name_pattern'] else None,
                   ' %sstates %s' % (prefix, ', '.join(settings['states'])) if settings['states'] else None]
        return ('%s: no target of the %d %s listed matches%s: nothing to %s. Check the application and the filters, or set '
                '%sallow_empty=true if an empty fleet is fine' % (self.words.what, plan['listed'], self.kinds(), ','.join(f for f in filters if f),
                                                                  self.words.verb, prefix))

    def kinds(self):
        return _KINDS.get(self.kind, self.kind + 's')

    def _say_plan(self, plan, views):
        room = ', max_unavailable %s' % plan['max_unavailable'] if plan['max_unavailable'] is not None else ''
        self.say('plan: %d of %d %s in %d batches (%s)%s' % (plan['eligible'], plan['listed'], self.kinds(), len(plan['batches']),
                                                             ', '.join(str(size) for size in plan['sizes']), room))
        for entry in plan['skipped']:
            self.say('skipped %s: %s' % (entry.get('name') or entry['id'], entry['reason']))


# How a plan line names its targets where the kind is not a plain word.
_KINDS = dict(ecc='ECCs')


def _brief(entry):
    return dict((key, entry.get(key)) for key in ('id', 'name', 'msg'))


def run_applications(rollouts, run, parallel=1):
    """Run ``rollouts`` (``ApplicationRollout``) side by side up to ``parallel``; their summaries, or their errors, in order."""
    def one(rollout):
        try:
            return rollout.run(), None
        except RolloutError as error:
            run.stop('%s could not go on' % rollout.label)
            return None, str(error)
    if parallel <= 1 or len(rollouts) == 1:
        return [one(rollout) for rollout in rollouts]
    with ThreadPoolExecutor(max_workers=min(parallel, len(rollouts))) as pool:
        return list(pool.map(one, rollouts))
