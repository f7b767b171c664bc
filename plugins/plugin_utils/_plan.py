# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""The batch plan of a rolling restart: which targets go in which batch, which are skipped and why.

Pure logic on the controller (no API call), shared by the ``paas.ops.rolling_plan`` filter and the
``paas.ops.rollout`` engine, so that a plan printed by one is the plan the other walks through.
"""

from __future__ import annotations

import fnmatch
import math

from ansible.errors import AnsibleFilterError


class PlanError(AnsibleFilterError):
    """A plan that cannot be made from these targets and settings (the filter's error, and the engine's input error)."""


# States a restart must not touch unless asked: what was stopped on purpose stays stopped.
_STOPPED = frozenset(['stopped'])


def _count(value, total, name):
    """A count from an int or a percentage of ``total`` (rounded up, at least 1)."""
    text = str(value).strip()
    try:
        if text.endswith('%'):
            percent = float(text[:-1])
            if not 0 < percent <= 100:
                raise ValueError
            return max(int(math.ceil(total * percent / 100.0)), 1)
        count = int(text)
        if count < 1:
            raise ValueError
        return count
    except ValueError:
        raise PlanError('%s must be a count of 1 or more or a percentage such as "25%%", got %r' % (name, value))


def rolling_plan(targets, batch_size=1, batches=None, max_unavailable=None, include_stopped=False, restarted_after=None, only=None,
                 name=None, states=None):
    if not isinstance(targets, list):
        raise PlanError('rolling_plan takes the list of targets paas.ops.instance_info returns (its "instances")')
    skipped, eligible = [], []
    # Targets that pass the filters (only, name, states), planned or skipped for another reason: none is a selection gone wrong.
    matched = 0
    wanted = set(str(target_id) for target_id in only) if only else None
    if wanted:
        missing = sorted(wanted - set(str(target['id']) for target in targets))
        if missing:
            raise PlanError('no target %s among the %d listed' % (', '.join(missing), len(targets)))
    for target in targets:
        entry = dict(id=target['id'], name=target.get('name'))
        if wanted is not None and str(target['id']) not in wanted:
            continue
        if name and not fnmatch.fnmatchcase(target.get('name') or '', name):
            continue
        if states and target.get('state') not in states:
            skipped.append(dict(entry, reason='%s: not among the states asked for (%s)' % (target.get('state'), ', '.join(states))))
            continue
        matched += 1
        if target.get('state') == 'not_deployed':
            skipped.append(dict(entry, reason='not_deployed: nothing to restart'))
        elif target.get('state') in _STOPPED and not include_stopped:
            skipped.append(dict(entry, reason='%s: left as it is (include_stopped is false)' % target.get('state')))
        elif target.get('on_version'):
            # A rolling deploy's target that runs the version already (a resumed deploy): the deployed version is the truth.
            skipped.append(dict(entry, reason='already runs %s' % target.get('version')))
        elif restarted_after is not None and target.get('restarted_at') and float(target['restarted_at']) > float(restarted_after):
            skipped.append(dict(entry, reason='restarted already, after the marker'))
        else:
            eligible.append(entry)

    # Included stopped targets go first: starting them takes nothing down, and until then they count as down.
    state = dict((target['id'], target.get('state')) for target in targets)
    eligible.sort(key=lambda entry: state[entry['id']] not in _STOPPED)
    to_start = len([entry for entry in eligible if state[entry['id']] in _STOPPED])
    # Targets down and not in the plan count against max_unavailable for every batch: a batch gets what is left.
    planned = set(entry['id'] for entry in eligible)
    down = [target['id'] for target in targets if target.get('state') != 'running' and target['id'] not in planned]
    limit = _count(max_unavailable, len(targets), 'max_unavailable') if max_unavailable not in (None, '') else None
    room = None if limit is None else limit - len(down)
    if room is not None and room < 1 and len(eligible) > to_start:
        raise PlanError('max_unavailable=%s allows %d down at once, and %d are down already (%s): no room for any batch'
                        % (max_unavailable, limit, len(down), ', '.join(str(i) for i in down)))
    sizes = [_count(size, len(eligible), 'batches[]') for size in batches] if batches else [_count(batch_size, len(eligible), 'batch_size')]
    plan, position, index = [], 0, 0
    while position < len(eligible):
        size = sizes[min(index, len(sizes) - 1)]
        stopped_left = max(to_start - position, 0)
        # A batch of stopped targets alone needs no room; one that also restarts running targets needs room for all of
        # them, the stopped ones still down included.
        if room is not None and size > stopped_left:
            size = min(size, max(room, stopped_left))
        plan.append(eligible[position:position + size])
        position += size
        index += 1
    return dict(batches=plan, skipped=skipped, eligible=len(eligible), listed=len(targets), matched=matched, down=down, max_unavailable=limit,
                sizes=[len(batch) for batch in plan])
