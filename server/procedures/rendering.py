"""A procedure's Markdown rendered to safe HTML by markdown-it-py: raw HTML is not parsed (it
shows as text), links and images go only to http(s), mailto or the app itself, and task-list
items (`- [ ] …`) become checkboxes an intervention can tick (server/procedures, README
"Procedures": the checklist markup shared with the offline side).

A version's text never changes, so its HTML is kept per (procedure, version, text): a page
renders the Markdown once per process, not once per view."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# Relative links ("/alerts/3", "#step-2", "other") stay in the app; any scheme but these is
# refused (javascript:, data:, vbscript:, file: …), whatever its case or the spaces around it.
_SAFE_SCHEME = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
_TASK = re.compile(r"^\[([ xX])\][ \t]+")


def safe_link(url: str) -> bool:
    """http(s), mailto and relative addresses only."""
    text = url.strip()
    if _SAFE_SCHEME.match(text):
        return True
    # "//host/x" leaves the app for another host without saying a scheme.
    return not _ANY_SCHEME.match(text) and not text.startswith("//") and "\\" not in text


def _task_lists(state: StateCore) -> None:
    """`- [ ] step` / `- [x] step`: the item starts with a checkbox numbered in the order of the
    document (data-item), and its list becomes `ul.checklist` naming the procedure and version
    (from the render's env), so a ticked box is known by (procedure, version, item)."""
    tokens = state.tokens
    index = 0
    lists: list[Token] = []
    for position, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(token)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif (
            token.type == "inline"
            and position >= 2
            and tokens[position - 1].type == "paragraph_open"
            and tokens[position - 2].type == "list_item_open"
            and lists
            and token.children
            and token.children[0].type == "text"
        ):
            found = _TASK.match(token.children[0].content)
            if found is None:
                continue
            token.children[0].content = token.children[0].content[found.end() :]
            checked = " checked" if found.group(1) in "xX" else ""
            box = Token("html_inline", "", 0)
            box.content = f'<input type="checkbox" data-item="{index}"{checked} disabled> '
            token.children.insert(0, box)
            tokens[position - 2].attrSet("class", "task")
            owner = lists[-1]
            owner.attrSet("class", "checklist")
            owner.attrSet("data-procedure", str(state.env.get("procedure", "")))
            owner.attrSet("data-version", str(state.env.get("version", "")))
            index += 1


def _parser() -> MarkdownIt:
    # CommonMark with tables and strikethrough; html off: <script> and friends are text.
    # linkify off: only links written as links are links.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.validateLink = safe_link
    parser.core.ruler.push("task_lists", _task_lists)
    return parser


_PARSER = _parser()
# Links open in a new tab never: the app is a PWA, and rel=noopener costs nothing.
_LINK_OPEN = re.compile(r'<a href="')


@lru_cache(maxsize=1024)
def render_markdown(body: str, procedure_id: int = 0, version: int = 0) -> str:
    """Safe HTML of a procedure's text; the same text of the same version renders once."""
    html = _PARSER.render(body, {"procedure": procedure_id, "version": version})
    return _LINK_OPEN.sub('<a rel="noopener nofollow" href="', html)
