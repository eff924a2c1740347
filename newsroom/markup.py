"""Markdown → HTML with Python-Markdown, set up for Persian press releases, and made safe.

Raw HTML pasted into a release passes an allow-list sanitizer (nh3): no scripts, no
event handlers, no ``javascript:`` links, iframes only from configured hosts. What it
takes out is reported with the line, so staff know why something is missing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import markdown
import nh3
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import InlineProcessor

from .text import normalize_line, slugify_term, to_persian_digits

_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")
_FOOTNOTE_NUMBER = re.compile(r'(class="footnote-ref" href="#fn:[^"]+">)(\d+)(</a>)')
_SUMMARY_LIMIT = 280


def _heading_id(value: str, separator: str) -> str:
    # Persian headings keep their words in the id («#برنامه‌های-سال»), not «_1».
    return slugify_term(value) or "section"


class _QuickInline(InlineProcessor):
    """Python-Markdown's inline pass, which leaves at once a text that no inline pattern
    can match: most sentences of a release have no `, \\, [, <, &, * or _ and no line
    break, yet each would be searched by every pattern in turn (a third of the parse)."""

    # What each of the patterns below needs in a text to match (a ``!`` only before a ``[``).
    PATTERNS = frozenset(
        {
            "backtick",
            "escape",
            "footnote",
            "reference",
            "link",
            "image_link",
            "image_reference",
            "short_reference",
            "short_image_ref",
            "autolink",
            "automail",
            "linebreak",
            "html",
            "entity",
            "em_strong",
        }
    )
    _NEEDED = re.compile(r"[`\\\[<&*_]|  \n")

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803 - overrides the private method
        if self._NEEDED.search(data) is None:
            return data
        # The stubs know nothing of the private method this class overrides.
        handled: str = super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]
        return handled


_INLINE_PRIORITY = 20  # the inline pass's place among the tree processors (markdown/treeprocessors.py)


def _new_converter() -> markdown.Markdown:
    converter = markdown.Markdown(
        extensions=[
            "abbr",
            "attr_list",
            "def_list",
            "fenced_code",
            "md_in_html",
            "sane_lists",
            # align="…" rather than style="…", so the pages need no inline styles (CSP).
            TableExtension(use_align_attribute=True),
            TocExtension(slugify=_heading_id, toc_depth="2-4"),
            FootnoteExtension(BACKLINK_TITLE="بازگشت به متن", SUPERSCRIPT_TEXT="{}"),
        ],
        output_format="html",
    )
    # Only while the patterns are those the quick pass knows (Markdown is pinned).
    patterns = converter.inlinePatterns
    if len(patterns) == len(_QuickInline.PATTERNS) and all(name in patterns for name in _QuickInline.PATTERNS):
        converter.treeprocessors.register(_QuickInline(converter), "inline", _INLINE_PRIORITY)
    return converter


_converter = _new_converter()


_TAGS = (nh3.ALLOWED_TAGS - {"center", "strike", "tt", "acronym"}) | {"iframe"}
_ATTRIBUTES = {
    "*": {"id", "class", "dir", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "iframe": {"src", "width", "height", "allowfullscreen", "loading"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "time": {"datetime"},
}
_SCHEMES = {"http", "https", "mailto", "tel"}
# What the sanitizer removes, looked for in the Markdown source to tell staff where.
_HAZARDS = (
    (re.compile(r"<script\b", re.I), "<script> حذف شد؛ در متن خبر اسکریپت اجرا نمی‌شود"),
    (
        re.compile(r"<(style|object|embed|form|input|button|textarea|select|link|meta|base|svg|math)\b", re.I),
        "<{0}> حذف شد؛ این برچسب HTML در متن خبر پذیرفته نیست",
    ),
    (
        re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.I),
        "ویژگی {0} حذف شد؛ رویدادهای جاوااسکریپت در متن خبر اجرا نمی‌شوند",
    ),
    (re.compile(r"javascript\s*:", re.I), "پیوند javascript: حذف شد؛ فقط نشانی‌های http، https و mailto پذیرفته‌اند"),
)
_IFRAME = re.compile(
    r"<iframe\b[^>]*?\ssrc\s*=\s*[\"']?(?:https?:)?//([^/\"'\s>]+)[^>]*>(?:.*?</iframe\s*>)?", re.I | re.S
)


def render_markdown(text: str, iframe_hosts: tuple[str, ...] = ()) -> tuple[str, list[tuple[int, str]]]:
    """The safe HTML of one release body, and what was removed: (line in ``text``, message)."""
    removed = _hazards(text, iframe_hosts)
    text = _IFRAME.sub(lambda m: m[0] if m[1].lower() in iframe_hosts else "", text)
    _converter.reset()
    body = _converter.convert(text)
    body = nh3.clean(
        body,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel=None,
        attribute_filter=_only_allowed_frames(iframe_hosts),
    )
    # Footnote marks are read by people: Persian digits (the ids stay ASCII).
    return _FOOTNOTE_NUMBER.sub(lambda m: m[1] + to_persian_digits(m[2]) + m[3], body), removed


def _hazards(text: str, iframe_hosts: tuple[str, ...]) -> list[tuple[int, str]]:
    found = []
    for pattern, message in _HAZARDS:
        for match in pattern.finditer(text):
            found.append((text.count("\n", 0, match.start()) + 1, message.format(*match.groups())))
    for match in _IFRAME.finditer(text):
        if match[1].lower() not in iframe_hosts:
            found.append(
                (
                    text.count("\n", 0, match.start()) + 1,
                    f"iframe از «{match[1]}» حذف شد؛ اگر این میزبان مطمئن است آن را در iframe_hosts پیکربندی بیاورید",
                )
            )
    return sorted(set(found))


def _only_allowed_frames(iframe_hosts: tuple[str, ...]) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "iframe" and attribute == "src":
            host = re.match(r"^(?:https?:)?//([^/]+)", value)
            return value if host and host[1].lower() in iframe_hosts else None
        return value

    return keep


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, tags removed and entities decoded, on one line."""
    return normalize_line(text_of(fragment))


def text_of(fragment: str) -> str:
    """Text of an HTML fragment, tags removed and entities decoded, for counting and
    matching words: not normalised for display (as a release's body already is)."""
    return html.unescape(_TAG.sub(" ", fragment))


def first_paragraph(body_html: str) -> str:
    """Plain text of the first paragraph, shortened at a word boundary for listings."""
    match = _FIRST_PARAGRAPH.search(body_html)
    if not match:
        return ""
    text = plain_text(match[1])
    if len(text) <= _SUMMARY_LIMIT:
        return text
    return text[:_SUMMARY_LIMIT].rsplit(" ", 1)[0] + "…"
