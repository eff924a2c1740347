"""Read press releases: split front matter, validate it, render the Markdown body.

A bad file becomes located problems and the loop goes on, so one build reports every
mistake in every file at once.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import math
import os
import re
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from importlib.metadata import version
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote

from PIL import Image

from .cache import Cache, engine_stamp
from .config import SiteConfig, TaxonomyConfig, suggest
from .dates import jalali_date, parse_date
from .errors import ERROR, WARNING, LocatedError, Problem, display_path
from .markup import first_paragraph, render_markdown, text_of
from .text import (
    ascii_slugify,
    is_ascii_slug,
    normalize_line,
    normalize_text,
    slugify_term,
    tokenize,
)
from .workers import context, die_with
from .yamldoc import YamlMapping, parse_yaml_mapping

MARKDOWN_SUFFIXES = (".md", ".markdown")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".svg")
FIELDS = (
    "title",
    "date",
    "updated",
    "summary",
    "tags",
    "category",
    "county",
    "slug",
    "image",
    "image_alt",
    "image_caption",
    "source",
    "related",
    "draft",
    "scheduled",
    "expires",
    "aliases",
    "lint_ignore",
)
# Keys staff type in Persian, or as other generators spell them.
_KEY_HINTS = {
    "عنوان": "title",
    "تیتر": "title",
    "تاریخ": "date",
    "خلاصه": "summary",
    "لید": "summary",
    "برچسب": "tags",
    "برچسب‌ها": "tags",
    "کلیدواژه": "tags",
    "دسته": "category",
    "دسته‌بندی": "category",
    "شهرستان": "county",
    "منبع": "source",
    "تصویر": "image",
    "categories": "category",
    "tag": "tags",
    "keywords": "tags",
    "description": "summary",
    "lead": "summary",
    "publishdate": "date",
    "expirydate": "expires",
    "alias": "aliases",
    "url": "slug",
    "photo": "image",
    "alt": "image_alt",
}
_DATE_PREFIX = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}-(?=.)")
# Staff separate tags with Persian or Latin commas, and sometimes semicolons.
_TERM_SPLIT = re.compile(r"[،,؛;]")
# Longer than this (as a slug) is several terms run together or a headline: a county or
# category so long is an error, a tag gets a shortened address (taxonomy.term_segment).
MAX_TERM_LENGTH = 60
# A press release is a few kilobytes; a file this large is a mistake (a pasted image, a
# whole document), and reading it would slow every build.
MAX_RELEASE_BYTES = 1024 * 1024
# A common estimate of silent reading speed in Persian; it only needs to be about right.
READING_WORDS_PER_MINUTE = 200
# Content words kept per release for related news (the scorer keeps fewer still).
TOKENS_PER_RELEASE = 64


@dataclass(frozen=True, slots=True)
class Article:
    """One press release, validated and rendered; immutable from here on."""

    src_path: str  # relative to content/, POSIX separators
    path: str  # as shown in messages, e.g. content/1403/saffron.md
    title: str
    date: datetime  # aware, in the site's time zone
    updated: datetime  # last change worth telling readers about; the date when not given
    jalali: tuple[int, int, int]
    summary: str
    # The body's HTML, compressed: a rebuild shows few of the releases it holds in memory.
    body: bytes
    body_links: bool  # whether the body has a link or an image (which pages may need to rewrite)
    tags: tuple[str, ...]
    category: str | None
    county: str | None
    slug: str
    url: str
    source: str | None
    related: tuple[str, ...]
    draft: bool
    scheduled: bool  # dated in the future on purpose
    lint_ignore: tuple[str, ...]  # check rules silenced for this release
    expires: datetime | None
    aliases: tuple[str, ...]
    image: str | None  # site-relative URL of the photo
    image_source: Path | None  # the photo file (beside the release, or under static/)
    image_alt: str | None
    image_size: tuple[int, int] | None  # width, height in pixels (None for SVG)
    image_caption: str | None  # shown under the photo
    body_images: tuple[tuple[str, Path], ...]  # (src in the body HTML, photo file) of local raster images
    lines: tuple[tuple[str, int], ...]  # front-matter key → line in the file
    # The release's most frequent content words (folded), title and summary counted
    # extra, with their weighted counts: what related news compares.
    tokens: tuple[str, ...]
    token_counts: tuple[int, ...]
    reading_minutes: int  # what a reader needs for the body (at least one)
    # Hash of the file's path and text and of the photo's size: everything above is made
    # from these (and the settings), so pages showing the release are fingerprinted by it.
    digest: str

    def __reduce__(self) -> tuple[type[Article], tuple[Any, ...]]:
        # Loaded through __init__: several times quicker than the field-by-field state of
        # a frozen class with slots, and a rebuild loads every release from the cache.
        return Article, tuple(getattr(self, name) for name in self.__slots__)

    @property
    def body_html(self) -> str:
        """The body as HTML (safe: sanitised when the release was read)."""
        return zlib.decompress(self.body).decode("utf-8")

    def line(self, key: str) -> int:
        """Line of front-matter ``key`` in the source file (1 when absent)."""
        return dict(self.lines).get(key, 1)

    def terms(self, taxonomy: str) -> tuple[str, ...]:
        """The article's terms in ``taxonomy`` (tags, category or county)."""
        if taxonomy == "tags":
            return self.tags
        value = self.category if taxonomy == "category" else self.county
        return (value,) if value else ()


def find_sources(content_dir: Path) -> tuple[list[Path], list[Problem]]:
    """Markdown files under ``content_dir`` in a stable order, and problems with the rest.

    Names starting with ``.`` or ``_`` are ignored (editor and system files, notes).
    Links are followed while they stay inside ``content_dir``; one leading outside it,
    or nowhere, is an error, so nothing is published from elsewhere or silently missed.
    """
    if not content_dir.is_dir():
        return [], [
            Problem(display_path(content_dir), 0, "پوشهٔ خبرها پیدا نشد؛ مسیر را با --content یا content_dir بدهید")
        ]
    home = os.path.realpath(content_dir)
    visited = {home}
    sources, problems = [], []

    def inside(path: str) -> bool:
        real = os.path.realpath(path)
        return real == home or real.startswith(home + os.sep)

    def unreadable(error: OSError) -> None:
        problems.append(
            Problem(
                display_path(Path(error.filename)), 0, f"پوشه خوانده نشد ({error.strerror})؛ دسترسی آن را بررسی کنید"
            )
        )

    def walk(folder: str) -> None:
        # scandir tells files, folders and links apart without a stat per file.
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda entry: entry.name)
        except OSError as error:
            unreadable(error)
            return
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir():  # a link to a folder too
                if entry.is_symlink() and not inside(entry.path):
                    problems.append(Problem(display_path(Path(entry.path)), 0, _OUTSIDE))
                elif os.path.realpath(entry.path) not in visited:
                    visited.add(os.path.realpath(entry.path))
                    walk(entry.path)
                continue
            path = Path(entry.path)
            if entry.is_symlink() and not path.exists():
                problems.append(
                    Problem(
                        display_path(path),
                        0,
                        "این پیوند به فایلی اشاره می‌کند که وجود ندارد؛ پیوند را پاک کنید یا فایل را برگردانید",
                    )
                )
            elif entry.is_symlink() and not inside(entry.path):
                problems.append(Problem(display_path(path), 0, _OUTSIDE))
            elif path.suffix.lower() in MARKDOWN_SUFFIXES:
                sources.append(path)
            elif path.suffix.lower() not in IMAGE_SUFFIXES:
                problems.append(
                    Problem(
                        display_path(path),
                        0,
                        "این فایل منتشر نمی‌شود: فقط فایل‌های ‎.md‎ خبر هستند؛ متن خبر را در فایل ‎.md‎ بنویسید",
                        WARNING,
                    )
                )

    walk(str(content_dir))
    # Each folder's entries are walked sorted by name, a folder's files where its name
    # sorts: the files come out in path order already.
    return sources, problems


_OUTSIDE = "این پیوند به بیرون از پوشهٔ خبرها اشاره می‌کند و منتشر نمی‌شود؛ خود فایل‌ها را در پوشهٔ خبرها بگذارید"


def content_hash(raw: bytes) -> bytes:
    """The hash of a file's bytes by which the cache knows a release."""
    return hashlib.sha256(raw).digest()


def load_articles(
    config: SiteConfig,
    cache: Cache | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    hashes: dict[str, bytes] | None = None,
) -> tuple[list[Article], list[Problem]]:
    """Read every release under the content folder: the valid articles, and all problems.

    With a ``cache``, a release whose bytes (and path) were read before by the same
    engine with the same settings is not parsed again. ``hashes`` (path → ``content_hash``
    of the file, as the caller has just read it) spare reading such releases at all.
    With ``jobs`` above 1 and enough releases to parse, Markdown is rendered in that
    many processes. ``progress(done, total)`` hears of each release parsed.
    """
    sources, problems = find_sources(config.content_dir)
    results: list[tuple[Article | None, list[Problem]] | None] = []
    # (position, file) of the releases to parse: the parser reads them itself, so that
    # the bytes of every release are never held at once.
    fresh: list[tuple[int, Path]] = []
    for source in sources:
        known = hashes.get(str(source)) if hashes and cache is not None else None
        if known is not None or cache is None or cache.empty:
            hit = (
                cache.get(_cache_key(display_path(source), known)) if known is not None and cache is not None else None
            )
            if hit is None:
                fresh.append((len(results), source))
            results.append(hit)
            continue
        shown, raw, unreadable = _read(source)
        if raw is None:
            results.append((None, unreadable))
            continue
        hit = cache.get(_cache_key(shown, content_hash(raw)))
        if hit is None:  # read again by the parser: the cache is keyed by the bytes it parses
            fresh.append((len(results), source))
        results.append(hit)
    parsed = _parse_all([source for _, source in fresh], config, jobs)
    for done, ((position, source), (digest, result)) in enumerate(zip(fresh, parsed, strict=True), 1):
        if progress is not None:
            progress(done, len(fresh))
        if result[0] is not None:  # words come back from a worker process as copies of their own
            result = (replace(result[0], tokens=tuple(map(sys.intern, result[0].tokens))), result[1])
        results[position] = result
        # A release with a photo is read anew: the photo may come, go or change meanwhile.
        if (
            cache is not None
            and digest is not None
            and result[0] is not None
            and result[0].image is None
            and not result[0].body_images
        ):
            cache.put(_cache_key(display_path(source), digest), result)
    articles = []
    for entry in results:
        assert entry is not None  # every place is filled, from the cache or by the parser
        article, found = entry
        problems.extend(found)
        if article is not None:
            articles.append(article)
    return articles, problems


def _cache_key(shown: str, digest: bytes) -> str:
    return hashlib.sha256(shown.encode() + b"\0" + digest).hexdigest()


# Below this many releases to parse, starting processes costs more than it saves.
PARALLEL_MINIMUM = 200
_worker_config: SiteConfig | None = None
# A release parsed: the digest of the bytes read (None when unreadable), the release or
# None, and its problems.
_Parsed = tuple[bytes | None, tuple[Article | None, list[Problem]]]


def _parse_all(sources: list[Path], config: SiteConfig, jobs: int) -> Iterator[_Parsed]:
    """``_read_and_parse`` results in the order of ``sources``, as they become ready."""
    if jobs <= 1 or len(sources) < PARALLEL_MINIMUM:
        yield from (_read_and_parse(source, config) for source in sources)
        return
    with ProcessPoolExecutor(
        jobs, mp_context=context(), initializer=_start_worker, initargs=(config, os.getpid())
    ) as pool:
        yield from pool.map(_parse_in_worker, sources, chunksize=max(1, min(64, len(sources) // (jobs * 8))))


def _start_worker(config: SiteConfig, parent: int) -> None:
    global _worker_config
    die_with(parent)
    _worker_config = config


def _parse_in_worker(source: Path) -> _Parsed:
    assert _worker_config is not None  # set by _start_worker
    return _read_and_parse(source, _worker_config)


def _read_and_parse(source: Path, config: SiteConfig) -> _Parsed:
    """The ``content_hash`` of the bytes read and parsed (None when unreadable), and the
    result: the article or None, and its problems."""
    shown, raw, unreadable = _read(source)
    if raw is None:
        return None, (None, unreadable)
    return content_hash(raw), _parse_bytes(raw, source, shown, config)


def reading_stamp(config: SiteConfig) -> str:
    """What a cached release depends on besides its bytes: the engine and these settings."""
    # The folders as given, not resolved: a release keeps the paths of its photos, which
    # hold in another checkout when the folders are relative (as when CI builds in one).
    return engine_stamp(
        *(version(name) for name in ("markdown", "jdatetime", "pyyaml")),
        repr(
            (
                config.timezone.key,
                config.permalink,
                config.taxonomies,
                str(config.content_dir),
                str(config.static_dir),
                config.related.title_boost,
                config.related.summary_boost,
                config.iframe_hosts,
            )
        ),
    )


def load_article(source: Path, config: SiteConfig) -> tuple[Article | None, list[Problem]]:
    """Read one release; ``None`` with its problems when it cannot be published."""
    shown, raw, unreadable = _read(source)
    return (None, unreadable) if raw is None else _parse_bytes(raw, source, shown, config)


def _read(source: Path) -> tuple[str, bytes | None, list[Problem]]:
    """(path as shown, bytes, problems): the bytes are None when the file cannot be a release."""
    shown = display_path(source)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        return shown, None, [Problem(shown, 0, f"فایل خوانده نشد: {exc.strerror}")]
    if not raw.strip():
        return (
            shown,
            None,
            [Problem(shown, 1, "فایل خالی است؛ سرآیند (title و date) و متن خبر را در آن بنویسید یا فایل را پاک کنید")],
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (
            shown,
            None,
            [
                Problem(
                    shown,
                    0,
                    "فایل با کدگذاری UTF-16 (Unicode در Notepad) ذخیره شده است؛ آن را با کدگذاری UTF-8 دوباره ذخیره کنید",
                )
            ],
        )
    if b"\0" in raw:
        return (
            shown,
            None,
            [
                Problem(
                    shown,
                    0,
                    "این فایل متن نیست (شاید عکس یا سند Word با پسوند ‎.md‎)؛ متن خبر را در یک فایل متنی ‎.md‎ بنویسید",
                )
            ],
        )
    if len(raw) > MAX_RELEASE_BYTES:
        return (
            shown,
            None,
            [
                Problem(
                    shown,
                    0,
                    f"فایل {len(raw) // 1024} کیلوبایت است و برای یک خبر بیش از اندازه بزرگ است "
                    f"(بیشینه {MAX_RELEASE_BYTES // 1024} کیلوبایت)؛ عکس‌ها را جدا کنار فایل بگذارید",
                )
            ],
        )
    return shown, raw, []


def _parse_bytes(raw: bytes, source: Path, shown: str, config: SiteConfig) -> tuple[Article | None, list[Problem]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                shown,
                line,
                "فایل با کدگذاری UTF-8 ذخیره نشده است (شاید Windows-1256)؛ "
                "آن را در ویرایشگر با «Save as» و کدگذاری UTF-8 دوباره ذخیره کنید",
            )
        ]
    try:
        return parse_article(text, source, config)
    except LocatedError as exc:
        return None, [Problem(shown, exc.line, exc.message)]


def split_front_matter(text: str) -> tuple[str, int, str, int]:
    """(front matter, its first line, body, the body's first line). Raises ``LocatedError``.

    The front matter sits between two ``---`` lines at the top (blank lines before it
    are allowed).
    """
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    if lines[start].strip() != "---":
        raise LocatedError(
            "سرآیند (front matter) پیدا نشد: خط اول فایل باید --- باشد و پس از آن title و date بیاید", start + 1
        )
    for index in range(start + 1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[start + 1 : index]), start + 2, "\n".join(lines[index + 1 :]), index + 2
    raise LocatedError("سرآیند (front matter) بسته نشده است: پس از کلیدها یک خط --- بگذارید", start + 1)


def _lowercase_keys(doc: YamlMapping) -> YamlMapping:
    """``Title:`` means ``title:`` (other generators read keys case-insensitively)."""
    renames = {
        key: key.lower()
        for key in doc.values
        if key != key.lower() and key.lower() in FIELDS and key.lower() not in doc.values
    }
    if not renames:
        return doc
    return YamlMapping(
        {renames.get(k, k): v for k, v in doc.values.items()},
        {renames.get(k, k): line for k, line in doc.lines.items()},
    )


class _Fields:
    """Typed reads of front-matter values, collecting located problems."""

    def __init__(self, doc: YamlMapping, path: str):
        self.doc = doc
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(self.path, self.doc.line(key) or 1, f"{key}: {message}", severity))

    def text(self, key: str, *, required: bool = False, example: str = "") -> str | None:
        value = self.doc.values.get(key)
        if value is None:
            if required and key in self.doc.values:
                self.problem(key, f"خالی است؛ پس از «{key}:» مقداری بنویسید، مثل «{key}: {example}»")
            elif required:
                self.problems.append(
                    Problem(
                        self.path,
                        1,
                        f"{key}: این کلید لازم است و نوشته نشده؛ خطی مثل «{key}: {example}» به سرآیند اضافه کنید",
                    )
                )
            return None
        if not isinstance(value, str):
            self.problem(key, f"باید یک متن ساده باشد، نه {_kind(value)}")
            return None
        text = normalize_line(value)
        if not text and required:
            self.problem(key, f"خالی است؛ پس از «{key}:» مقداری بنویسید، مثل «{key}: {example}»")
        return text or None

    def text_list(self, key: str, *, split: bool) -> tuple[str, ...]:
        value = self.doc.values.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, "باید فهرستی از متن‌ها باشد، مثل [یک, دو] یا «یک، دو»")
            return ()
        items = [part for v in value for part in (_TERM_SPLIT.split(v) if split else [v])]
        return tuple(filter(None, (normalize_line(item) for item in items)))

    def flag(self, key: str) -> bool:
        value = self.doc.values.get(key, False)
        if not isinstance(value, bool):
            self.problem(key, f"باید true یا false باشد، نه «{value}»")
            return False
        return value

    def date(self, key: str, config: SiteConfig, *, required: bool) -> datetime | None:
        value = self.doc.values.get(key)
        if value is None:
            if required and key in self.doc.values:
                self.problem(key, f"خالی است؛ تاریخ را بنویسید، مثل «{key}: 1403-02-15»")
            elif required:
                self.problems.append(
                    Problem(
                        self.path,
                        1,
                        f"{key}: تاریخ خبر نوشته نشده؛ خطی مثل «{key}: 1403-02-15» یا «{key}: 1403-02-15 10:30» اضافه کنید",
                    )
                )
            return None
        if not isinstance(value, str):
            self.problem(key, f"باید یک تاریخ باشد، نه {_kind(value)}؛ تاریخ را مثل 1403-02-15 یا ۱۴۰۳/۰۲/۱۵ بنویسید")
            return None
        try:
            return parse_date(value, config.timezone)
        except LocatedError as exc:
            self.problem(key, exc.message)
            return None


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "فهرست"
    if isinstance(value, dict):
        return "مجموعهٔ کلید و مقدار"
    return f"«{value}»"


def parse_article(text: str, source: Path, config: SiteConfig) -> tuple[Article | None, list[Problem]]:
    """Validate one release's text; ``None`` and the problems when it cannot be published."""
    shown = display_path(source)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, front_line, body, body_line = split_front_matter(text)
    doc = _lowercase_keys(parse_yaml_mapping(front, "سرآیند", first_line=front_line))
    fields = _Fields(doc, shown)
    for key in sorted(doc.comments):
        fields.problem(
            key,
            "متن پس از # خوانده نمی‌شود (در YAML آغاز یادداشت است)؛ "
            f'اگر # جزء متن است کل مقدار را در گیومه بگذارید، مثل {key}: "... #هشتگ"',
        )
    for key in doc.values:
        if key not in FIELDS:
            hint = _KEY_HINTS.get(key.lower().strip())
            # Read by nothing, so nothing on the page is wrong: published, and the typo told.
            fields.problem(
                key,
                f"کلید ناشناخته است و خوانده نشد؛ منظورتان «{hint}» بود؟"
                if hint
                else f"کلید ناشناخته است و خوانده نشد{suggest(key, FIELDS)}",
                WARNING,
            )

    title = fields.text("title", required=True, example="عنوان خبر")
    date = fields.date("date", config, required=True)
    updated = fields.date("updated", config, required=False)
    if date is not None and updated is not None and updated < date:
        fields.problem("updated", "تاریخ به‌روزرسانی پیش از تاریخ خبر است؛ تاریخ را درست کنید")
    expires = fields.date("expires", config, required=False)
    if date is not None and expires is not None and expires <= date:
        fields.problem("expires", "تاریخ انقضا پیش از تاریخ خبر است، پس خبر هرگز دیده نمی‌شد؛ تاریخ را درست کنید")
    tags = _terms(fields, "tags", config.taxonomy("tags"), split=True)
    category = _single_term(fields, "category", config.taxonomy("category"))
    county = _single_term(fields, "county", config.taxonomy("county"))
    relative = source.relative_to(config.content_dir)
    slug = _slug(fields, relative)
    aliases = _aliases(fields)
    image, image_source, image_alt, image_size = _image(fields, source, config)
    image_caption = fields.text("image_caption")
    related = fields.text_list("related", split=False)
    draft = fields.flag("draft")
    scheduled = fields.flag("scheduled")
    lint_ignore = fields.text_list("lint_ignore", split=True)
    summary = fields.text("summary")
    source_line = fields.text("source")

    body_text = normalize_text(body)
    if not body_text.strip():
        fields.problems.append(Problem(shown, body_line, "متن خبر خالی است؛ زیر خط --- متن خبر را بنویسید", WARNING))
    if any(p.severity == ERROR for p in fields.problems):
        return None, fields.problems
    assert title is not None and date is not None and slug is not None
    body_html, removed = render_markdown(body_text, config.iframe_hosts)
    fields.problems.extend(
        Problem(shown, body_line + line - 1, f"html: {message}", WARNING) for line, message in removed
    )
    body_images = _body_images(body_html, body_text, body_line, source, shown, config, fields.problems)
    if any(p.severity == ERROR for p in fields.problems):
        return None, fields.problems
    if summary is None:
        summary = first_paragraph(body_html) or title
    body_words = text_of(body_html)
    jalali = jalali_date(date)
    url = _permalink(config.permalink, slug, date, jalali)
    if image is not None and image_source is not None and not image.startswith("/"):
        image = url + image
    article = Article(
        src_path=relative.as_posix(),
        path=shown,
        title=title,
        date=date,
        updated=updated or date,
        jalali=jalali,
        summary=summary,
        body=zlib.compress(body_html.encode("utf-8"), 1),
        body_links="href=" in body_html or "src=" in body_html,
        tags=tags,
        category=category,
        county=county,
        slug=slug,
        url=url,
        source=source_line,
        related=related,
        draft=draft,
        scheduled=scheduled,
        lint_ignore=lint_ignore,
        expires=expires,
        aliases=aliases,
        image=image,
        image_source=image_source,
        image_alt=image_alt,
        image_size=image_size,
        image_caption=image_caption,
        body_images=body_images,
        lines=tuple((k, v) for k, v in sorted(doc.lines.items()) if "." not in k),
        **_token_counts(title, summary, body_words, config),
        reading_minutes=max(1, math.ceil(len(body_words.split()) / READING_WORDS_PER_MINUTE)),
        digest=hashlib.sha256(f"{relative.as_posix()}\0{text}\0{image_source}\0{image_size}".encode()).hexdigest(),
    )
    return article, fields.problems


def _token_counts(title: str, summary: str, body_words: str, config: SiteConfig) -> dict[str, tuple[Any, ...]]:
    counts: Counter[str] = Counter(tokenize(body_words))
    for token in tokenize(title):
        counts[token] += config.related.title_boost
    for token in tokenize(summary):
        counts[token] += config.related.summary_boost
    # By count, most first, and by the word among equal counts: two sorts in C, the
    # second stable, rather than one with a key made for each word.
    top = sorted(counts.items())
    top.sort(key=itemgetter(1), reverse=True)
    del top[TOKENS_PER_RELEASE:]
    return {"tokens": tuple(sys.intern(t) for t, _ in top), "token_counts": tuple(c for _, c in top)}


def _terms(fields: _Fields, key: str, taxonomy: TaxonomyConfig, *, split: bool) -> tuple[str, ...]:
    terms: dict[str, str] = {}
    for term in fields.text_list(key, split=split):
        slug = slugify_term(term)
        if not slug:  # nothing to name a page by: the release is published without it
            fields.problem(
                key, f"«{term}» هیچ حرف یا رقمی ندارد و کنار گذاشته شد؛ آن را پاک کنید یا درست بنویسید", WARNING
            )
            continue
        # Over-long as its address would be (taxonomy.term_segment shortens such a slug).
        if len(slug) > MAX_TERM_LENGTH and not split:
            # One county or category made of several: the page it would get names none of them.
            advice = f"هر خبر یک {taxonomy.singular} دارد؛ بقیه را در tags بنویسید"
            fields.problem(key, f"«{term[:40]}…» برای یک {taxonomy.singular} بیش از اندازه بلند است؛ {advice}")
            continue
        if len(slug) > MAX_TERM_LENGTH:  # a headline as a tag: odd, but nothing on the page is wrong
            fields.problem(
                key,
                f"«{term[:40]}…» برای یک {taxonomy.singular} بلند است ({len(term)} نویسه) و صفحه‌اش نشانی کوتاه‌شده‌ای"
                " گرفت؛ اگر چند مورد است آن‌ها را با ، یا , از هم جدا کنید",
                WARNING,
            )
        terms.setdefault(slug, term)
        if taxonomy.known_terms and slug not in _slugs(taxonomy.known_terms):
            close = difflib.get_close_matches(term, taxonomy.known_terms, n=1, cutoff=0.6)
            hint = f"؛ منظورتان «{close[0]}» بود؟" if close else ""
            fields.problem(key, f"«{term}» در فهرست {taxonomy.label} پیکربندی نیست{hint}", WARNING)
    return tuple(terms.values())


@lru_cache(maxsize=16)
def _slugs(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(slugify_term(t) for t in terms)


def _single_term(fields: _Fields, key: str, taxonomy: TaxonomyConfig) -> str | None:
    if isinstance(fields.doc.values.get(key), list):
        fields.problem(key, f"هر خبر فقط یک {taxonomy.singular} دارد؛ یکی را نگه دارید و بقیه را در tags بنویسید")
        return None
    terms = _terms(fields, key, taxonomy, split=False)
    return terms[0] if terms else None


def _slug(fields: _Fields, relative: PurePosixPath | Path) -> str | None:
    given = fields.doc.values.get("slug")
    if given is not None:
        if isinstance(given, str) and is_ascii_slug(given):
            return given
        if not isinstance(given, str):
            fields.problem(
                "slug", f"باید یک متن باشد، نه {_kind(given)}؛ فقط حروف کوچک لاتین، رقم و خط تیره (-) بنویسید"
            )
            return None
        proposal = ascii_slugify(given)
        hint = f"، مثلاً «{proposal}»" if proposal else ""
        fields.problem("slug", f"«{given}» نشانی مجاز نیست؛ فقط حروف کوچک لاتین، رقم و خط تیره (-) بنویسید{hint}")
        return None
    stem = relative.parent.name if relative.stem == "index" and relative.parent.name else relative.stem
    name = _DATE_PREFIX.sub("", stem)
    if name.isascii() and ascii_slugify(name):
        return ascii_slugify(name)
    # A Persian file name: a stable id from the whole name (date prefix included, so
    # «1403-02-15-اطلاعیه» and «1403-03-01-اطلاعیه» differ), never from the title, so
    # that editing a headline does not break links.
    return hashlib.sha1(normalize_line(stem).encode("utf-8")).hexdigest()[:10]


def _aliases(fields: _Fields) -> tuple[str, ...]:
    aliases = []
    for alias in fields.text_list("aliases", split=False):
        path = PurePosixPath(alias)
        if (
            not alias.startswith("/")
            or ".." in path.parts
            or not all(c.isalnum() or c in "-_.~/%\u200c" for c in alias)
        ):
            fields.problem(
                "aliases",
                f"«{alias}» نشانی قدیمی درستی نیست و از آن به خبر راهی ساخته نشد؛ مسیری مثل /news/old-name/ بنویسید",
                WARNING,  # the release is right without it; only that redirect is missing
            )
            continue
        if path.parts[1:2] == ("static",):
            fields.problem(
                "aliases",
                f"«{alias}» زیر /static/ است که جای فایل‌های ثابت سایت است و از آن راهی ساخته نشد؛ نشانی دیگری بنویسید",
                WARNING,
            )
            continue
        alias = alias if alias.endswith(("/", ".html")) else alias + "/"
        if alias not in aliases:
            aliases.append(alias)
    return tuple(aliases)


def _image(
    fields: _Fields, source: Path, config: SiteConfig
) -> tuple[str | None, Path | None, str | None, tuple[int, int] | None]:
    """(URL or file name, file beside the release to publish, alt text, pixel size)."""
    none = (None, None, fields.text("image_alt"), None)
    image, alt = fields.text("image"), none[2]
    if image is None:
        return none
    if alt is None:
        fields.problem(
            "image", "عکس توضیح ندارد؛ «image_alt: ...» را بنویسید تا نابینایان هم بدانند در عکس چه دیده می‌شود"
        )
    if image.startswith(("http://", "https://")):
        fields.problem("image", "عکس باید در خود سایت باشد، نه نشانی اینترنتی؛ فایل را کنار خبر بگذارید")
        return none
    if image.startswith("/"):  # a file under static/, published at /static/…
        target = config.static_dir / image.lstrip("/")
        url, local = "/static/" + quote(image.lstrip("/")), target
    else:
        target = source.parent / image
        url, local = quote(target.name), target
    if ".." in PurePosixPath(image).parts or not target.is_file():
        fields.problem(
            "image", f"فایل عکس «{image}» پیدا نشد؛ آن را کنار فایل خبر بگذارید (یا زیر پوشهٔ static و با / شروع کنید)"
        )
        return none
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        fields.problem("image", f"«{image}» عکس نیست؛ پسوندهای مجاز: {' '.join(IMAGE_SUFFIXES)}")
        return none
    size = None
    if target.suffix.lower() != ".svg":
        try:
            with Image.open(target) as picture:
                size = picture.size
        except (OSError, ValueError, Image.DecompressionBombError):
            fields.problem(
                "image", f"فایل «{image}» عکسِ سالمی نیست یا خوانده نشد؛ آن را دوباره با JPEG یا PNG ذخیره کنید"
            )
            return none
    return url, local, alt, size


_BODY_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')


def _local_image(src: str, release: Path, static_dir: Path) -> Path | None:
    """The file a body image's ``src`` names: beside the release, or ``/static/…``;
    None for images elsewhere (another site, a page of this one)."""
    if not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("//"):
        return None
    path = unquote(src.split("#", 1)[0].split("?", 1)[0])
    if path.startswith("/static/"):
        return static_dir / path.removeprefix("/static/")
    if path.startswith("/"):
        return None
    return release.parent / path


def _body_images(
    body_html: str,
    body_text: str,
    body_line: int,
    source: Path,
    shown: str,
    config: SiteConfig,
    problems: list[Problem],
) -> tuple[tuple[str, Path], ...]:
    """Local images of the body that get responsive variants; a missing or unreadable one
    is an error on the line that names it."""
    found: dict[str, Path] = {}
    for src in dict.fromkeys(html.unescape(m) for m in _BODY_IMG_SRC.findall(body_html)):
        target = _local_image(src, source, config.static_dir)
        if target is None:
            continue
        at = body_text.find(src)
        line = body_line + (body_text.count("\n", 0, at) if at >= 0 else 0)
        inside = config.static_dir if src.startswith("/") else config.content_dir
        if not target.is_file() or not _within(target, inside):
            problems.append(
                Problem(shown, line, f"عکس «{src}» پیدا نشد؛ فایل عکس را کنار فایل خبر بگذارید یا نشانی را درست کنید")
            )
        elif target.suffix.lower() not in IMAGE_SUFFIXES:
            problems.append(Problem(shown, line, f"«{src}» عکس نیست؛ پسوندهای مجاز: {' '.join(IMAGE_SUFFIXES)}"))
        elif target.suffix.lower() != ".svg":
            try:
                with Image.open(target) as picture:
                    picture.verify()
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
                problems.append(
                    Problem(
                        shown,
                        line,
                        f"فایل «{src}» عکسِ سالمی نیست یا خوانده نشد؛ آن را دوباره با JPEG یا PNG ذخیره کنید",
                    )
                )
            else:
                found[src] = target
    return tuple(found.items())


def _within(path: Path, folder: Path) -> bool:
    real, home = os.path.realpath(path), os.path.realpath(folder)
    return real.startswith(home + os.sep)


def _permalink(pattern: str, slug: str, date: datetime, jalali: tuple[int, int, int]) -> str:
    jy, jm, jd = jalali
    return pattern.format(
        slug=slug,
        jyear=jy,
        jmonth=f"{jm:02d}",
        jday=f"{jd:02d}",
        year=date.year,
        month=f"{date.month:02d}",
        day=f"{date.day:02d}",
    )
