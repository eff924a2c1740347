"""Persian typography and release hygiene: warnings for ``build.py check``, never rewrites.

Each finding names its rule (an ASCII id), so a rule can be silenced for one release
(``lint_ignore: [rule-id]`` in its front matter) or for the site (``lint_ignore`` in
config.yaml).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from .content import Article, split_front_matter
from .errors import WARNING, LocatedError, Problem
from .text import normalize_line

_PERSIAN = "\u0600-\u06ff"
# rule id → (pattern, message); {0} is the matched text.
TYPOGRAPHY = {
    "arabic-letter": (re.compile("[يك]"), "حرف عربی «{0}»؛ به جای آن «ی» یا «ک» فارسی بنویسید"),
    "arabic-digit": (re.compile("[٠-٩]+"), "رقم عربی «{0}»؛ رقم فارسی (۰ تا ۹) بنویسید"),
    "tatweel": (re.compile("ـ+"), "کشیده (ـ) در متن خبر جایی ندارد؛ آن را بردارید"),
    "invisible-char": (
        re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]"),
        "نویسهٔ نامرئی (از Word یا پیام‌رسان) در این‌جا هست؛ آن را بردارید",
    ),
    "zwnj-mi": (
        re.compile(f"(?<![{_PERSIAN}\u200c])ن?می (?=[{_PERSIAN}])"),
        "«{0}» جدا نوشته شده؛ «می» با نیم‌فاصله به فعل می‌چسبد: «می‌شود»",
    ),
    "zwnj-ha": (
        re.compile(f"(?<=[{_PERSIAN}]) (?:ها|های|هایی|هایش|هایم|هایت|هایمان|هایتان|هایشان)(?![{_PERSIAN}\u200c])"),
        "«{0}» جدا نوشته شده؛ «ها» با نیم‌فاصله به واژه می‌چسبد: «کتاب‌ها»",
    ),
    "latin-punctuation": (
        re.compile(f"(?<=[{_PERSIAN}]) ?[,;?]"),
        "نشانهٔ لاتین «{0}» پس از حرف فارسی؛ «،» «؛» «؟» بنویسید",
    ),
    "double-space": (re.compile(r"(?<=\S) {2,}(?=\S)"), "چند فاصله پشت سر هم؛ یک فاصله بس است"),
}
_TEXT_KEYS = ("title", "summary", "source", "tags", "category", "county", "image_alt", "image_caption")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target>[^)\s]+)")
TITLE_LIMIT = 110  # characters a share card or a search result shows
SUMMARY_LIMIT = 220


def lint_release(
    text: str, path: str, source: Path, content_dir: Path, static_dir: Path, ignore: frozenset[str]
) -> list[Problem]:
    """Typography, image descriptions and links to files of one release's source text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        _, front_line, body, body_line = split_front_matter(text)
    except LocatedError:
        return []  # the build reports the broken front matter itself
    lines = text.split("\n")
    findings = []
    for number, line in enumerate(lines[front_line - 1 : body_line - 2], front_line):
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() in _TEXT_KEYS:
            found = _typography(value, number, len(key) + 1)
            if key.strip().lower() == "tags":  # commas separate tags there: they are not prose
                found = [f for f in found if f[2] != "latin-punctuation"]
            findings += found
    inside_code = False
    for number, line in enumerate(body.split("\n"), body_line):
        if _FENCE.match(line):
            inside_code = not inside_code
            continue
        if inside_code or line.startswith(("    ", "\t")):
            continue
        # Link targets are addresses, not prose: blank them out, keeping the columns.
        prose = _LINK_TARGET.sub(lambda m: "](" + "_" * (len(m[0]) - 3) + ")", line)
        findings += _typography(prose, number, 0)
        findings += _images_and_links(line, number, source, content_dir, static_dir)
    return [
        Problem(path, line, f"{rule}: {message}", WARNING, column)
        for line, column, rule, message in findings
        if rule not in ignore
    ]


def _typography(text: str, line: int, offset: int) -> list[tuple[int, int, str, str]]:
    return [
        (line, offset + match.start() + 1, rule, message.format(match[0].strip()))
        for rule, (pattern, message) in TYPOGRAPHY.items()
        for match in pattern.finditer(text)
    ]


def _images_and_links(
    line: str, number: int, source: Path, content_dir: Path, static_dir: Path
) -> list[tuple[int, int, str, str]]:
    """Images without alt text and links to missing files on one line: (line, column, rule, message)."""
    found = []
    for match in _IMAGE.finditer(line):
        if not match["alt"].strip():
            found.append(
                (number, match.start() + 1, "image-alt", "عکس توضیح ندارد؛ میان [ و ] بنویسید در عکس چه دیده می‌شود")
            )
    images = {match.end("alt") for match in _IMAGE.finditer(line)}  # a missing image is a build error
    for match in _LINK_TARGET.finditer(line):
        target = match[1].split("#")[0].split("?")[0]
        if match.start() in images or not target or re.match(r"^[a-z]+:", target) or target.startswith("//"):
            continue
        if target.startswith("/"):
            # Site pages are checked after the build; files under /static/ can be checked now.
            exists = not target.startswith("/static/") or (static_dir / target.removeprefix("/static/")).exists()
        else:
            resolved = (source.parent / target).resolve()
            exists = resolved.exists() and content_dir.resolve() in resolved.parents
        if not exists:
            found.append(
                (
                    number,
                    match.start() + 3,
                    "broken-link",
                    f"«{match[1]}» به فایلی اشاره می‌کند که وجود ندارد؛ نشانی را درست کنید",
                )
            )
    return found


def lint_site(articles: list[Article], now: datetime, ignore: frozenset[str]) -> list[Problem]:
    """Findings across releases: duplicate titles, future releases not marked scheduled,
    titles and summaries too long for share cards and search results."""
    problems = []
    titles: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        titles[normalize_line(article.title)].append(article)
    for group in titles.values():
        for article in group if len(group) > 1 else ():
            others = "، ".join(a.path for a in group if a is not article)
            problems.append(
                Problem(
                    article.path, article.line("title"), f"duplicate-title: همین عنوان در {others} هم آمده است", WARNING
                )
            )
    for article in articles:
        if article.date > now and not article.draft and not article.scheduled:
            problems.append(
                Problem(
                    article.path,
                    article.line("date"),
                    "future-date: تاریخ خبر در آینده است؛ اگر عمداً زمان‌بندی شده «scheduled: true» بنویسید، "
                    "وگرنه تاریخ را درست کنید",
                    WARNING,
                )
            )
        if len(article.title) > TITLE_LIMIT:
            problems.append(
                Problem(
                    article.path,
                    article.line("title"),
                    f"title-length: عنوان {len(article.title)} نویسه است و در پیش‌نمایش‌ها بریده می‌شود؛ "
                    f"کمتر از {TITLE_LIMIT} نویسه بنویسید",
                    WARNING,
                )
            )
        if len(article.summary) > SUMMARY_LIMIT and "summary" in dict(article.lines):
            problems.append(
                Problem(
                    article.path,
                    article.line("summary"),
                    f"summary-length: خلاصه {len(article.summary)} نویسه است؛ برای پیش‌نمایش‌ها کمتر از "
                    f"{SUMMARY_LIMIT} نویسه بنویسید",
                    WARNING,
                )
            )
    silenced = {a.path: ignore | set(a.lint_ignore) for a in articles}
    return [p for p in problems if p.message.split(":", 1)[0] not in silenced[p.path]]
