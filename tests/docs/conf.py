# Copyright: (c) 2026, paas.ops contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Sphinx configuration of the paas.ops docs site; tests/docs/build_site.py builds with it.

It follows what ``antsibull-docs sphinx-init`` generates (antsibull-docs 2.28), with three changes: the user
guide's Markdown pages are read with MyST, intersphinx reads a local inventory instead of the network, and the
project and titles are this collection's.
"""

from __future__ import annotations

project = 'paas.ops'
project_copyright = '2026, paas.ops contributors'

title = 'paas.ops collection documentation'
html_short_title = 'paas.ops docs'

extensions = ['sphinx.ext.intersphinx', 'sphinx_antsibull_ext', 'myst_parser']

source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# antsibull-docs' pages link a few pages of the Ansible docs by label: build_site.py writes those labels into
# ansible_devel.inv in the source directory, so they resolve without fetching docs.ansible.com's inventory.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', 'ansible_devel.inv'),
}

# Links to "page.md#a-heading" in the guide resolve to headings down to level 3.
myst_heading_anchors = 3

default_role = 'any'
nitpicky = True
