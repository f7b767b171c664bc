# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""How the rollout's progress lines and messages say things, once for the engine, its gates and its cancel: seconds,
targets by name, and the option that continues a run from its marker."""

from __future__ import annotations


def seconds_text(value):
    """``41.2``, ``4``: one decimal at most, none when it is zero."""
    return ('%.1f' % value).rstrip('0').rstrip('.')


def names(ids, known, limit=8):
    """Targets by name where the platform has one (``known``: id -> name); a long batch is cut short (the result lists every one)."""
    shown = [known.get(target_id) or target_id for target_id in ids[:limit]]
    return ', '.join(shown) + (' … (%d more)' % (len(ids) - limit) if len(ids) > limit else '')


def resume_option(prefix, marker):
    """What continues a run where it stopped or paused: ``restarted_after=<marker>`` (the role's ``rolling_restart_`` variable
    with ``prefix``)."""
    return '%srestarted_after=%s' % (prefix, float(marker))


class Words:
    """How the lines name what a rollout does to each target: a rolling restart restarts, a rolling deploy deploys."""

    def __init__(self, what, verb, doing, done):
        self.what = what
        self.verb = verb
        self.doing = doing
        self.done = done

    def would(self):
        return 'would ' + self.verb


RESTART = Words('rolling restart', 'restart', 'restarting', 'restarted')
DEPLOY = Words('rolling deploy', 'deploy', 'deploying', 'deployed')
