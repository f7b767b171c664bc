# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared paging loop against scripted pages: where it stops, what it sends, and where it refuses to go on."""

from __future__ import annotations

import pytest

from ansible_collections.paas.ops.plugins.module_utils._paging import OFFSET, PAGE, Paging, PaasPagingError, read_all

OFFSET_LIST = Paging('ShowComponentsInApplication', OFFSET, 'limit', 'offset', 100, items=('components',), total=('count',))
PAGE_LIST = Paging('DescribeApplicationInstances', PAGE, 'PageSize', 'CurrentPage', 1000, items=('Data', 'Instances'), total=('Data', 'TotalSize'))
NO_TOTAL = Paging('DescribeApplicationGroups', PAGE, 'PageSize', 'CurrentPage', 100, items=('Data',))


def by_id(item):
    return item['id']


class Platform:
    """A list of ``size`` items served as the platform would, recording every query it was asked."""

    def __init__(self, paging, size, total_shift=0, ignore_position=False, cap=None):
        self.paging = paging
        self.items = [{'id': 'item-%05d' % n} for n in range(size)]
        self.total_shift = total_shift
        self.ignore_position = ignore_position
        self.cap = cap
        self.queries = []

    def __call__(self, query):
        self.queries.append(dict(query))
        size = query[self.paging.size_param]
        if self.cap:
            size = min(size, self.cap)
        position = query[self.paging.position_param]
        start = 0 if self.ignore_position else position if self.paging.style == OFFSET else (position - 1) * size
        page = self.items[start:start + size]
        body = {}
        holder = body
        for key in self.paging.items[:-1]:
            holder = holder.setdefault(key, {})
        holder[self.paging.items[-1]] = page
        if self.paging.total:
            holder = body
            for key in self.paging.total[:-1]:
                holder = holder.setdefault(key, {})
            holder[self.paging.total[-1]] = len(self.items) + self.total_shift
        return body


@pytest.mark.parametrize('size, pages', [(0, 1), (1, 1), (99, 1), (100, 1), (101, 2), (1000, 10), (1001, 11), (2500, 25)])
def test_offset_list_is_read_to_its_total_once_per_page(size, pages):
    platform = Platform(OFFSET_LIST, size)
    found = read_all(platform, OFFSET_LIST, key=by_id)
    assert [item['id'] for item in found] == [item['id'] for item in platform.items]
    assert platform.queries == [{'limit': 100, 'offset': 100 * n} for n in range(pages)]


def test_page_list_counts_pages_from_one():
    platform = Platform(PAGE_LIST, 1200)
    found = read_all(platform, PAGE_LIST, page_size=500, key=by_id)
    assert len(found) == 1200 and len(set(item['id'] for item in found)) == 1200
    assert platform.queries == [{'PageSize': 500, 'CurrentPage': 1}, {'PageSize': 500, 'CurrentPage': 2}, {'PageSize': 500, 'CurrentPage': 3}]


@pytest.mark.parametrize('size, pages', [(0, 1), (7, 1), (100, 2), (250, 3)])
def test_list_without_total_ends_on_a_short_page(size, pages):
    platform = Platform(NO_TOTAL, size)
    found = read_all(platform, NO_TOTAL, key=by_id)
    assert len(found) == size
    assert len(platform.queries) == pages


def test_want_reads_only_the_pages_needed_with_pages_no_bigger_than_wanted():
    platform = Platform(PAGE_LIST, 50)
    assert [item['id'] for item in read_all(platform, PAGE_LIST, key=by_id, want=3)] == ['item-00000', 'item-00001', 'item-00002']
    assert platform.queries == [{'PageSize': 3, 'CurrentPage': 1}]
    platform = Platform(OFFSET_LIST, 1000)
    assert len(read_all(platform, OFFSET_LIST, key=by_id, want=250)) == 250
    assert platform.queries == [{'limit': 100, 'offset': 0}, {'limit': 100, 'offset': 100}, {'limit': 100, 'offset': 200}]


def test_items_a_later_page_repeats_are_kept_once():
    """An item created at the head of a newest-first list while it is read pushes the next page back by one."""
    pages = [{'count': 3, 'components': [{'id': 'a'}, {'id': 'b'}]}, {'count': 3, 'components': [{'id': 'b'}, {'id': 'c'}]}]
    found = read_all(lambda query: pages.pop(0), Paging('L', OFFSET, 'limit', 'offset', 2, items=('components',), total=('count',)),
                     key=by_id)
    assert [item['id'] for item in found] == ['a', 'b', 'c']


def test_a_platform_that_ignores_the_position_is_stopped():
    platform = Platform(NO_TOTAL, 500, ignore_position=True)
    with pytest.raises(PaasPagingError, match='repeated only items already read: the platform ignores CurrentPage'):
        read_all(platform, NO_TOTAL, key=by_id)
    assert len(platform.queries) == 2


def test_a_total_the_pages_never_reach_is_an_error_not_a_short_list():
    platform = Platform(OFFSET_LIST, 150, total_shift=+10)
    with pytest.raises(PaasPagingError, match='ended after 150 items although it counts 160'):
        read_all(platform, OFFSET_LIST, key=by_id)


def test_pages_cut_below_the_size_asked_are_an_error_when_the_total_says_more():
    """A platform that serves fewer items a page than asked: ending on its first page would silently drop the rest."""
    platform = Platform(PAGE_LIST, 2500, cap=500)
    with pytest.raises(PaasPagingError, match='ended after 500 items although it counts 2500'):
        read_all(platform, PAGE_LIST, page_size=1000, key=by_id)


def test_without_key_an_endless_list_stops_at_the_page_bound():
    """No ids to tell repeats and no short page: the hard bound on pages ends it."""
    calls = []

    def endless(query):
        calls.append(query)
        return {'Data': [{'n': len(calls)}]}
    with pytest.raises(PaasPagingError, match='still not at its end after 10000 pages'):
        read_all(endless, Paging('L', PAGE, 'PageSize', 'CurrentPage', 1, items=('Data',)))
    assert len(calls) == 10000


def test_missing_list_reads_as_empty_and_a_wrong_type_is_refused():
    assert read_all(lambda query: {}, OFFSET_LIST) == []
    with pytest.raises(PaasPagingError, match='answered dict where its list of items belongs'):
        read_all(lambda query: {'components': {'id': 'a'}}, OFFSET_LIST)


def test_page_sizes_past_the_platform_maximum_are_refused_before_any_call():
    with pytest.raises(ValueError, match='pages hold 1 to 100 items, not 101'):
        read_all(lambda query: pytest.fail('called'), OFFSET_LIST, page_size=101)


def test_unreadable_total_falls_back_to_the_short_page():
    pages = [{'count': 'many', 'components': [{'id': 'a'}, {'id': 'b'}]}, {'count': None, 'components': [{'id': 'c'}]}]
    found = read_all(lambda query: pages.pop(0), Paging('L', OFFSET, 'limit', 'offset', 2, items=('components',), total=('count',)), key=by_id)
    assert [item['id'] for item in found] == ['a', 'b', 'c']
