"""Markdown → HTML with Python-Markdown, set up for Persian press releases."""

from __future__ import annotations

import html
import re

import markdown
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.toc import TocExtension

from .text import normalize_line, slugify_term, to_persian_digits

_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")
_FOOTNOTE_NUMBER = re.compile(r'(class="footnote-ref" href="#fn:[^"]+">)(\d+)(</a>)')
_SUMMARY_LIMIT = 280


def _heading_id(value: str, separator: str) -> str:
    # Persian headings keep their words in the id («#برنامه‌های-سال»), not «_1».
    return slugify_term(value) or "section"


def _new_converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "extra",  # tables, footnotes, attribute lists, fenced code, abbreviations, def lists
            "sane_lists",
            TocExtension(slugify=_heading_id, toc_depth="2-4"),
            FootnoteExtension(BACKLINK_TITLE="بازگشت به متن", SUPERSCRIPT_TEXT="{}"),
        ],
        output_format="html",
    )


_converter = _new_converter()


def render_markdown(text: str) -> str:
    """The HTML of one release body."""
    _converter.reset()
    body = _converter.convert(text)
    # Footnote marks are read by people: Persian digits (the ids stay ASCII).
    return _FOOTNOTE_NUMBER.sub(lambda m: m[1] + to_persian_digits(m[2]) + m[3], body)


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, tags removed and entities decoded, on one line."""
    return normalize_line(html.unescape(_TAG.sub(" ", fragment)))


def first_paragraph(body_html: str) -> str:
    """Plain text of the first paragraph, shortened at a word boundary for listings."""
    match = _FIRST_PARAGRAPH.search(body_html)
    if not match:
        return ""
    text = plain_text(match[1])
    if len(text) <= _SUMMARY_LIMIT:
        return text
    return text[:_SUMMARY_LIMIT].rsplit(" ", 1)[0] + "…"
