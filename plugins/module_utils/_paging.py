# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE to the paas.ops collection: not a public API, may change without notice.

"""Reading a paged list to its end: the one loop every platform's list calls go through.

The platforms page differently (ServiceStage ``limit``/``offset`` with at most 100 a page, SAE
``CurrentPage``/``PageSize``, Rainbond ``page``/``page_size``), name their totals differently
(``count``, ``Data.TotalSize``, ``total``) or give none (SAE DescribeApplicationGroups), and a
list call that sends no paging at all may be cut short without a word (ServiceStage answers at
most 1,000 records).  A ``Paging`` says how one API pages; ``read_all`` asks for one page after
the other, each page once, until the list has ended, and refuses to go on where it would never
end: a page that adds nothing new, or a total that pages stop reaching.
"""

from __future__ import annotations

from ansible_collections.paas.ops.plugins.module_utils._errors import PaasError

OFFSET = 'offset'
PAGE = 'page'
# Pages read at most without a total to bound them: 10,000 pages of 100 is far past any real fleet, and ends a loop on a
# platform that ignores the position parameter and gives no ids to tell (a list without key) instead of running forever.
_MAX_PAGES = 10000


class PaasPagingError(PaasError):
    """A paged list that cannot be read to its end: stopping is the only honest answer, since a shorter list would be taken for the whole."""


def _path(data, path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class Paging:
    """How one list API pages.

    ``style``: ``OFFSET`` (``position_param`` counts items, from 0) or ``PAGE`` (it counts pages, from ``first_page``).
    ``size_param`` / ``max_size``: the page-size parameter and the largest value the platform takes (the default page
    size used when the call does not choose one). ``items`` / ``total``: key paths of the page's list and of the
    platform's total count in the answer; ``total=None`` where the platform gives none (the list ends on a short page).
    """

    def __init__(self, name, style, size_param, position_param, max_size, items, total=None, first_page=1):
        if style not in (OFFSET, PAGE):
            raise ValueError('paging style %r' % style)
        self.name = name
        self.style = style
        self.size_param = size_param
        self.position_param = position_param
        self.max_size = max_size
        self.items = tuple(items)
        self.total = tuple(total) if total else None
        self.first_page = first_page

    def query(self, page_number, offset, size):
        """The paging parameters of one page: the ``page_number``-th (from 0), which starts at item ``offset``."""
        position = offset if self.style == OFFSET else self.first_page + page_number
        return {self.size_param: size, self.position_param: position}


def read_all(fetch, paging, page_size=None, key=None, want=None):
    """Every item of a paged list, in the platform's order, each once; with ``want``, only the first ``want`` of them.

    ``fetch(query)`` makes one call with the paging parameters in ``query`` added to the call's own and returns the decoded
    answer. ``key(item)`` is an item's identity (its id), used to drop an item a later page repeats (the list moved under
    the reading) and to recognise a page that adds nothing. Stops on the total (when the API gives one), on a short page,
    or once ``want`` items are read; raises ``PaasPagingError`` instead of looping where none of that would happen.
    """
    size = page_size or paging.max_size
    if want is not None:
        # No page bigger than the items wanted: the newest few of a long list cost one small call.
        size = min(size, max(int(want), 1))
    if not 1 <= size <= paging.max_size:
        raise ValueError('%s pages hold 1 to %d items, not %d' % (paging.name, paging.max_size, size))
    found, seen, offset, total = [], set(), 0, None
    page_number = 0
    while True:
        data = fetch(paging.query(page_number, offset, size))
        page = _path(data, paging.items) or []
        if not isinstance(page, list):
            raise PaasPagingError('%s answered %s where its list of items belongs' % (paging.name, type(page).__name__))
        total = _count(_path(data, paging.total)) if paging.total else None
        added = 0
        for item in page:
            identity = key(item) if key else None
            if identity is not None:
                if identity in seen:
                    continue
                seen.add(identity)
            found.append(item)
            added += 1
        page_number += 1
        offset += len(page)
        if want is not None and len(found) >= want:
            return found[:want]
        if total is not None and len(found) >= total:
            return found
        if len(page) < size:
            if total is not None:
                # The platform counts more than its pages hold: items were deleted while being read, or the pages are cut.
                raise PaasPagingError('%s ended after %d items although it counts %d: the list changed while it was read, or the '
                                      'platform cut its pages; nothing is done on a list that may be incomplete' % (paging.name, len(found), total))
            return found
        if not added:
            raise PaasPagingError('%s page %d (%s) repeated only items already read: the platform ignores %s; stopped instead of reading '
                                  'it forever' % (paging.name, page_number, paging.query(page_number - 1, offset - len(page), size), paging.position_param))
        if page_number >= _MAX_PAGES or (total is not None and page_number > total // size + 1):
            raise PaasPagingError('%s still not at its end after %d pages of %d (total %s): stopped' % (paging.name, page_number, size, total))


def _count(value):
    """The platform's total as an int, or None when it gives none readable (then the pages alone tell the end)."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
