# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How a failed change order is blamed on its targets: from the per-instance units of its batches, and only where they say."""

from __future__ import annotations

from ansible_collections.paas.ops.plugins.module_utils._alibaba import order_unit as _unit, target_outcomes, without


def order(units, ended=True):
    return dict(ended=ended, pipelines=[dict(units=units)])


def test_each_named_target_gets_its_own_part():
    units = [_unit(['Restart', 'i-1'], '2', None), _unit(['Restart', 'i-2'], '3', 'probe failed'), _unit(['Restart', 'i-3'], '6', None)]
    found = target_outcomes(order(units), [dict(id='i-1'), dict(id='i-2'), dict(id='i-3')])
    assert found == {'i-1': ('succeeded', None), 'i-2': ('failed', 'probe failed'), 'i-3': ('not_reached', None)}


def test_an_ecc_is_found_by_its_ip_too():
    units = [_unit(['edas-host-1', '10.0.0.1'], '10', 'port never opened')]
    assert target_outcomes(order(units), [dict(id='ecc-1', ip='10.0.0.1')]) == {'ecc-1': ('failed', 'port never opened')}


def test_what_the_details_do_not_settle_is_left_to_the_order():
    # Not named; named twice; still running; pending in an order that has not ended (it may still reach it).
    units = [_unit(['i-2'], '2', None), _unit(['i-2'], '3', 'x'), _unit(['i-3'], '1', None), _unit(['i-4'], '0', None)]
    assert target_outcomes(order(units, ended=False), [dict(id=i) for i in ('i-1', 'i-2', 'i-3', 'i-4')]) == {}


def test_the_order_s_messages_lose_what_a_target_already_says():
    messages = ['probe failed', 'Restart i-2: probe failed', 'quota exceeded']
    assert without(messages, ['probe failed']) == ['quota exceeded']
