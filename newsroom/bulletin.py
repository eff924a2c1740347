"""The printed bulletin: the releases of a month (or of several) as one PDF issue.

An issue is an HTML document made from the ``bulletin.html`` template, whose print CSS
(``bulletin.css``) sets the pages: A4, right to left, running headers, page numbers
and the contents' page references in Persian digits. WeasyPrint typesets it: Pango
and HarfBuzz shape Persian and order mixed text as a browser does, and the site's font
is embedded. It reads only the files the issue names (the font, the logo, print-sized
photos): nothing from the network.

An issue's bytes depend only on what it is made from. The digest of that is its PDF
identifier, so a file that already holds it is not typeset again, and a site that
publishes its issues keeps each in the file cache under it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from xml.etree import ElementTree

import jinja2
import segno
from markupsafe import Markup
from PIL import Image, ImageFile
from PIL import __version__ as pillow_version

from .cache import FileCache
from .config import SiteConfig
from .content import Article
from .dates import MONTH_NAMES, month_start
from .errors import BuildError, Problem, display_path
from .images import UNREADABLE, encode, open_for_encoding, resized
from .output import OutputFile
from .site import place_links
from .text import persian_sort_key, to_persian_digits

BULLETIN_DIR = "bulletin"  # where the site publishes its issues
TEMPLATE = "bulletin.html"
# Print-sized photos: the text column (170 mm) at about 185 dpi, sharp on paper and a
# fraction of a camera's file, which an issue of 150 photos would carry otherwise.
PRINT_WIDTH = 1240
PRINT_QUALITY = 82
_RECIPE = f"print-1 {PRINT_WIDTH} {PRINT_QUALITY} {pillow_version}"
_FORMAT = "bulletin-1"  # bump when the way an issue is made changes, so issues are typeset anew
# The issue's document names its files by these stable addresses, not by where the
# project lies: the same month gives the same bytes in any checkout.
_STATIC = "file:///newsroom/static/"
_PRINTS = "file:///newsroom/print/"
# A QR code is drawn when the issue is typeset, from its address: the document names only
# the link, so an issue found unchanged draws none.
_QR = "file:///newsroom/qr/"
_IMAGE = re.compile(r"<img\b[^>]*>")
_IFRAME = re.compile(r"<iframe\b.*?(?:</iframe\s*>|$)", re.I | re.S)


@dataclass(frozen=True, slots=True)
class Period:
    """The Jalali months an issue covers, first and last as (year, month)."""

    first: tuple[int, int]
    last: tuple[int, int]

    @property
    def months(self) -> int:
        """How many months the period spans."""
        return (self.last[0] - self.first[0]) * 12 + self.last[1] - self.first[1] + 1

    @property
    def name(self) -> str:
        """The issue's file name (without ``.pdf``): ``1403-08``, ``1403``, ``1403-07_1403-09``."""
        first, last = (f"{y}-{m:02d}" for y, m in (self.first, self.last))
        if self.first == self.last:
            return first
        if self.first == (self.first[0], 1) and self.last == (self.first[0], 12):
            return str(self.first[0])
        return f"{first}_{last}"

    @property
    def title(self) -> str:
        """For readers: «آبان ۱۴۰۳», «سال ۱۴۰۳», «مهر تا آذر ۱۴۰۳», «اسفند ۱۴۰۲ تا فروردین ۱۴۰۳»."""
        (y1, m1), (y2, m2) = self.first, self.last
        if self.name == str(y1):
            return f"سال {to_persian_digits(y1)}"
        last = f"{MONTH_NAMES[m2 - 1]} {to_persian_digits(y2)}"
        if self.first == self.last:
            return last
        first = MONTH_NAMES[m1 - 1] + ("" if y1 == y2 else f" {to_persian_digits(y1)}")
        return f"{first} تا {last}"

    def holds(self, article: Article) -> bool:
        """Whether ``article`` was published within the period."""
        return self.first <= article.jalali[:2] <= self.last

    def finished(self, now: datetime, tz: tzinfo) -> bool:
        """Whether the period's last month is over at ``now`` (in the site's time zone ``tz``)."""
        year, month = self.last
        return now >= month_start(year, month + 1, tz)


def issue_releases(articles: list[Article], period: Period, now: datetime, drafts: bool = False) -> list[Article]:
    """The releases an issue of ``period`` prints, oldest first: those published in it by
    ``now``. A release that has expired since is printed: it was news that month."""
    chosen = [a for a in articles if period.holds(a) and a.date <= now and (drafts or not a.draft)]
    return sorted(chosen, key=lambda a: (a.date, a.title))


def first_issue_month(articles: list[Article], config: SiteConfig) -> tuple[int, int] | None:
    """The month of issue number 1: ``bulletin.first_issue``, or the month of the earliest release."""
    if config.bulletin.first_issue is not None:
        return config.bulletin.first_issue
    published = [a.jalali[:2] for a in articles if not a.draft]
    return min(published) if published else None


def issue_number(period: Period, first: tuple[int, int] | None) -> int | None:
    """The number of a one-month issue, counting from ``first`` (None for several months)."""
    if period.months != 1 or first is None:
        return None
    number = Period(first, period.first).months
    return number if number >= 1 else None


@dataclass(frozen=True, slots=True)
class Entry:
    """One release as the issue prints it."""

    anchor: str  # its id in the document: the contents link to it
    article: Article
    link: str  # the absolute address of its page
    body: Markup  # its body, with links absolute and photos print-sized
    photo: str | None  # the print-sized photo's address in the document
    qr: str | None  # the document's address of a QR code of ``link``


@dataclass(frozen=True, slots=True)
class Section:
    """The releases of one category or county (``title`` None: the issue is not grouped)."""

    title: str | None
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Issue:
    """What the ``bulletin.html`` template prints."""

    period: Period
    number: int | None
    sections: tuple[Section, ...]
    count: int  # releases
    made: datetime  # the latest release's date: the PDF's creation date


@dataclass(frozen=True, slots=True)
class Document:
    """An issue ready to typeset: its HTML, the files it names, and the digest of both."""

    html: str
    files: tuple[tuple[str, str], ...]  # (address in the document, path on disk)
    digest: str
    epoch: int  # the moment fontTools stamps into the embedded font


@dataclass(frozen=True, slots=True)
class PrintedIssue:
    """A published issue, as the site's list of issues shows it."""

    period: Period
    number: int | None
    count: int
    url: str
    size: int  # bytes


class PrintPhotos:
    """Print-sized copies of the releases' photos, made once per photo content and kept
    in the build's file cache."""

    def __init__(self, files: FileCache, jobs: int = 1):
        self.cache = files
        self.jobs = jobs
        self._made: dict[Path, str] = {}  # photo file → name of its print copy in the cache

    def prepare(self, articles: list[Article]) -> list[Problem]:
        """Make the print copies of the photos of ``articles``; problems name the release
        and front-matter line of each photo that cannot be read."""
        wanted: dict[Path, list[tuple[Article, int]]] = {}
        for article in articles:
            if article.image_source is not None and article.image_source.suffix.lower() != ".svg":
                wanted.setdefault(article.image_source.absolute(), []).append((article, article.line("image")))
            for _, source in article.body_images:
                wanted.setdefault(source.absolute(), []).append((article, 0))
        problems: list[Problem] = []
        sources: dict[str, list[Path]] = {}  # print copy's name (of the photo's content) → photo files
        for source, users in wanted.items():
            try:
                data = source.read_bytes()
            except OSError as exc:
                problems += _photo_problems(users, source, f"عکس خوانده نشد ({exc.strerror})")
                continue
            key = hashlib.sha256(_RECIPE.encode() + b"\0" + data).hexdigest()[:20]
            sources.setdefault(f"print-{key}", []).append(source)
        # One listing of the cache folder for every copy: most were made by an earlier run.
        stored = self.cache.get_many(f"{name}.{kind}" for name in sources for kind in ("jpg", "png"))
        made = {name.rpartition(".")[0]: name for name in stored}
        work = [(name, str(files[0])) for name, files in sources.items() if name not in made]
        for (name, _), files in zip(work, self.cache.fill(_print_copy, work, self.jobs), strict=True):
            if files is None:
                problems += [p for source in sources[name] for p in _photo_problems(wanted[source], source, UNREADABLE)]
            else:
                made[name] = next(iter(files))
        self._made.update({source: made[name] for name, files in sources.items() if name in made for source in files})
        return problems

    def address(self, source: Path) -> str | None:
        """The print copy of the photo file ``source`` as the document names it."""
        name = self._made.get(source.absolute())
        return _PRINTS + name if name else None

    def files(self) -> dict[str, str]:
        """Each print copy's address in the document → its file."""
        return {_PRINTS + name: str(self.cache.folder / name) for name in self._made.values()}


def _photo_problems(users: list[tuple[Article, int]], source: Path, message: str) -> list[Problem]:
    return [Problem(a.path, line, f"«{display_path(source)}»: {message}") for a, line in users]


def _print_copy(name: str, source: str) -> dict[str, bytes] | None:
    """The print copy of the photo file ``source``: upright, sRGB, at most ``PRINT_WIDTH``
    wide; JPEG, or PNG when it has transparency. None when the photo cannot be read."""
    try:
        picture, transparent = open_for_encoding(Path(source).read_bytes())
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    picture = resized(picture, min(picture.width, PRINT_WIDTH))
    if transparent:
        return {f"{name}.png": encode(picture, "PNG", optimize=True)}
    return {f"{name}.jpg": encode(picture, "JPEG", quality=PRINT_QUALITY, optimize=True, dpi=(185, 185))}


def plan_issue(
    releases: list[Article],
    period: Period,
    number: int | None,
    config: SiteConfig,
    photos: PrintPhotos,
    by_source: Mapping[str, Article],
) -> Issue:
    """The issue of ``releases`` (published in ``period``, oldest first), grouped as
    ``bulletin.group_by`` says: in the order of the configured terms, then the others
    alphabetically, and releases without one last."""
    entries = [_entry(number, article, config, photos, by_source) for number, article in enumerate(releases, 1)]
    group_by = config.bulletin.group_by
    if group_by == "none":
        sections: tuple[Section, ...] = (Section(None, tuple(entries)),)
    else:
        groups: dict[str | None, list[Entry]] = {}
        for entry in entries:
            terms = entry.article.terms(group_by)
            groups.setdefault(terms[0] if terms else None, []).append(entry)
        configured = config.taxonomy(group_by).known_terms

        def place(term: str | None) -> tuple[int, int, tuple[int, ...]]:
            if term is None:
                return 2, 0, ()
            if term in configured:
                return 0, configured.index(term), ()
            return 1, 0, persian_sort_key(term)

        sections = tuple(
            Section(term if term is not None else "سایر خبرها", tuple(groups[term]))
            for term in sorted(groups, key=place)
        )
    return Issue(period, number, sections, len(releases), max(a.date for a in releases))


def _entry(
    number: int, article: Article, config: SiteConfig, photos: PrintPhotos, by_source: Mapping[str, Article]
) -> Entry:
    link = config.base_url + article.url.lstrip("/")
    photo = photos.address(article.image_source) if article.image_source is not None else None
    return Entry(
        anchor=f"r{number}",
        article=article,
        link=link,
        body=Markup(_print_body(article, config.base_url, photos, by_source)),  # sanitised when read
        photo=photo,
        qr=_QR + quote(link, safe="") if config.bulletin.qr else None,
    )


def _print_body(article: Article, base_url: str, photos: PrintPhotos, by_source: Mapping[str, Article]) -> str:
    """The body for paper: photos print-sized, links absolute (they work in the PDF),
    a video frame replaced by a line pointing at the release's page."""
    body = article.body_html
    for src, source in article.body_images:
        address = photos.address(source)
        if address is not None:
            body = body.replace(f'src="{escape(src)}"', f'src="{address}"')
    body = place_links(article, body, by_source, lambda url: base_url + url.lstrip("/"))
    body = _IFRAME.sub('<p class="embedded">ویدئوی این خبر در نشانی آن دیده می‌شود.</p>', body)
    # A photo the issue has no print copy of (an address on another site) is left out:
    # the issue is made from the project's files alone.
    return _IMAGE.sub(lambda m: m[0] if f'src="{_PRINTS}' in m[0] else "", body)


def render_issue(issue: Issue, env: jinja2.Environment, config: SiteConfig, photos: PrintPhotos) -> Document:
    """The issue's document from the ``bulletin.html`` template. Raises ``BuildError``
    naming the template (or the static file it asks for) when it cannot be made."""
    named: dict[str, str] = photos.files()

    def static(path: str) -> str:
        source = config.static_dir / path
        if not source.is_file():
            raise jinja2.TemplateError(f"static/{path} وجود ندارد")
        named[_STATIC + path] = str(source)
        return _STATIC + path

    try:
        html = env.get_template(TEMPLATE).render(issue=issue, config=config, static=static)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or str(config.templates_dir / TEMPLATE)
        line = getattr(exc, "lineno", None) or 0
        raise BuildError([Problem(display_path(Path(where)), line, f"قالب خبرنامه ساخته نشد: {exc}")]) from None
    used = tuple(sorted((address, path) for address, path in named.items() if address in html))
    digest = hashlib.sha256(_FORMAT.encode())
    for name in ("weasyprint", "pydyf", "fonttools", "pillow", "segno"):
        digest.update(version(name).encode() + b"\0")
    digest.update(html.encode("utf-8"))
    for address, path in used:  # a print copy's name is already the digest of its photo
        digest.update(address.encode() + b"\0" + (b"" if address.startswith(_PRINTS) else Path(path).read_bytes()))
    return Document(html, used, digest.hexdigest()[:32], int(issue.made.timestamp()))


def pdf_identifier(path: Path) -> str | None:
    """The identifier of the PDF at ``path`` (the digest of what it was made from), if it
    has one: in the trailer that the last ``startxref`` points at."""
    try:
        with path.open("rb") as file:
            file.seek(max(0, path.stat().st_size - 1024))
            start = re.findall(rb"startxref\s+(\d+)", file.read())
            if not start:
                return None
            file.seek(int(start[-1]))
            trailer = file.read(2048)
    except (OSError, ValueError):
        return None
    found = re.search(rb"/ID \[\(([0-9a-f]{32})\)", trailer)
    return found[1].decode() if found else None


def typeset(document: Document) -> bytes:
    """The PDF of ``document``."""
    return _typeset_pdf(document.html, document.files, document.digest, document.epoch)


def typeset_files(document: Document) -> tuple[str, str, tuple[tuple[str, str], ...], str, int]:
    """``document`` as the arguments of ``typeset_into_cache``, for ``FileCache.fill``."""
    return f"bulletin-{document.digest}.pdf", document.html, document.files, document.digest, document.epoch


def typeset_into_cache(
    name: str, html: str, files: tuple[tuple[str, str], ...], digest: str, epoch: int
) -> dict[str, bytes]:
    """The PDF of a document (``typeset_files``) as the file cache's file ``name``."""
    return {name: _typeset_pdf(html, files, digest, epoch)}


def _typeset_pdf(html: str, files: tuple[tuple[str, str], ...], digest: str, epoch: int) -> bytes:
    with _source_date(epoch):
        return bytes(
            load_typesetter()(string=html, url_fetcher=_fetcher(dict(files))).write_pdf(pdf_identifier=digest.encode())
        )


def load_typesetter() -> Any:
    """WeasyPrint's ``HTML``, imported on first use (a second's work, paid only by what
    prints). Raises ``BuildError`` saying what to install when its system libraries
    (Pango) are missing.

    Its import changes two settings of the whole process, put back here: Pillow's
    acceptance of truncated images (a broken photo must stay an error for the build's
    photos too), and ElementTree's namespace prefixes (an empty one among them), which
    WeasyPrint uses only for PDF/A metadata and which would change how this process
    writes and reads XML."""
    prefixes: dict[str, str] = getattr(ElementTree, "_namespace_map")  # noqa: B009 - private, not in the stubs
    namespaces = dict(prefixes)
    try:
        from weasyprint import HTML
    except OSError as exc:  # cffi could not open a library
        raise BuildError(
            [
                Problem(
                    "weasyprint",
                    0,
                    f"برای ساختن خبرنامه کتابخانهٔ Pango لازم است ({exc})؛ روی Debian و Ubuntu: "
                    "sudo apt install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0",
                )
            ]
        ) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        prefixes.clear()
        prefixes.update(namespaces)
    return HTML


@contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """fontTools stamps the font it instantiates with the time unless SOURCE_DATE_EPOCH fixes it."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _fetcher(files: dict[str, str]) -> Any:
    """WeasyPrint's fetcher for this document: the files it names, its QR codes (drawn
    here) and data: addresses, nothing else, and never the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class IssueFiles(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(_QR):
                drawn = io.BytesIO()
                segno.make(unquote(url.removeprefix(_QR)), error="m").save(drawn, kind="svg", scale=4, border=0)
                return URLFetcherResponse(url, drawn.getvalue(), {"Content-Type": "image/svg+xml"})
            if url not in files:
                raise ValueError(f"not a file of this issue: {url}")
            return URLFetcherResponse(url, Path(files[url]).read_bytes())

    return IssueFiles(allowed_protocols=("data", "file"))


def issue_document(
    period: Period,
    releases: list[Article],
    number: int | None,
    by_source: Mapping[str, Article],
    config: SiteConfig,
    env: jinja2.Environment,
    photos: PrintPhotos,
) -> Document:
    """The document of issue ``number`` of ``period``, printing ``releases``
    (``issue_releases``), its links to other releases found in ``by_source``; its photos'
    print copies made before."""
    return render_issue(plan_issue(releases, period, number, config, photos, by_source), env, config, photos)


def publish_issues(
    articles: list[Article],
    config: SiteConfig,
    now: datetime,
    env: jinja2.Environment,
    made: FileCache,
    jobs: int = 1,
) -> tuple[tuple[PrintedIssue, ...], tuple[OutputFile, ...]]:
    """Every finished month's issue under ``/bulletin/``, newest first, and their files.
    An issue made before from the same releases, templates and files is taken from the
    file cache, not typeset again; the others are typeset in ``jobs`` processes."""
    if not articles:
        return (), ()
    months: dict[tuple[int, int], list[Article]] = {}
    archive = Period(min(a.jalali[:2] for a in articles), max(a.jalali[:2] for a in articles))
    for article in issue_releases(articles, archive, now):  # oldest first, so each month's are too
        months.setdefault(article.jalali[:2], []).append(article)
    plans = [(Period(month, month), releases) for month, releases in sorted(months.items())]
    plans = [(period, releases) for period, releases in plans if period.finished(now, config.timezone)]
    photos = PrintPhotos(made, jobs)
    problems = photos.prepare([a for _, releases in plans for a in releases])
    if problems:
        raise BuildError(problems)
    first, by_source = first_issue_month(articles, config), {a.src_path: a for a in articles}
    issues = [(period, releases, issue_number(period, first)) for period, releases in plans]
    documents = [issue_document(*issue, by_source, config, env, photos) for issue in issues]
    found = made.get_many(f"bulletin-{document.digest}.pdf" for document in documents)
    wanted = [typeset_files(d) for d in documents if f"bulletin-{d.digest}.pdf" not in found]
    if wanted:
        load_typesetter()  # here, so that missing libraries are told once; workers inherit it
    for stored in made.fill(typeset_into_cache, wanted, jobs):
        found.update(stored or {})
    printed, files = [], []
    for (period, releases, number), document in zip(issues, documents, strict=True):
        pdf = found[f"bulletin-{document.digest}.pdf"]
        dest = f"{BULLETIN_DIR}/{period.name}.pdf"
        printed.append(PrintedIssue(period, number, len(releases), "/" + dest, pdf.stat().st_size))
        files.append(OutputFile(dest, source=pdf, fingerprint=document.digest, linkable=made.disposable))
    return tuple(reversed(printed)), tuple(files)
