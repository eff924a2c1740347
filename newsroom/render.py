"""Render the site model into files: pure, given the templates and the assets.

Templates run with autoescape and StrictUndefined; a template mistake is reported as
``templates/name.html:LINE`` together with the page being rendered.

Each page is fingerprinted before it is rendered: the engine, every template, the
configuration, the static files, the page's own data, and the answers to the site-wide
lookups its template made last time (``site.*``, ``term()``, ``feeds()``). A page whose
fingerprint and lookups match the previous build's is kept as it is, unrendered.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jinja2
from markupsafe import Markup

from .assets import Asset
from .bulletin import BULLETIN_DIR, PrintedIssue
from .cache import engine_stamp
from .config import SiteConfig
from .content import Article
from .dates import format_jalali
from .errors import BuildError, Problem, display_path
from .feeds import FEEDS, MEDIA_TYPES
from .fingerprint import Fingerprints
from .images import SIZES, Photo, picture_html, rewrite_body_images
from .media import NO_MEDIA, Media
from .output import OutputFile, Record
from .site import Site, dest_path, link_releases, relative_path
from .text import to_persian_digits
from .workers import CAN_FORK, forked_map


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled by earlier builds, kept in the cache folder: compiling them
    costs more than making a page. Jinja2 compiles a template again when its source
    changed; a damaged file, or one that cannot be written, only costs that time."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - damaged: compile afresh
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def create_environment(templates_dir: Path, compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment for the site's templates, with the project's filters;
    templates compiled once are kept in the folder ``compiled``, when given."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        bytecode_cache=_CompiledTemplates(str(compiled)) if compiled is not None else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # JSON-LD: keys in a stable order, Persian as it is (tojson still escapes <, > and &).
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters.update(
        jdate=format_jalali,
        fa=to_persian_digits,
        iso=lambda moment: moment.isoformat(),
        rel=relative_url,
    )
    return env


@jinja2.pass_context
def relative_url(context: jinja2.runtime.Context, url: str) -> str:
    """``url`` (site-relative, leading ``/``) as seen from the page being rendered.

    Relative links keep the site working under a sub-path (``https://x.org/news/``) and
    when ``output/index.html`` is opened straight from disk. Pages served at any address,
    such as 404.html, pass ``page_url=None`` and get root-relative links under the base path.
    """
    if not url.startswith("/"):
        return url
    page_url = context.get("page_url")
    if page_url is None:
        config: SiteConfig = context["config"]
        return config.base_path + url.lstrip("/")
    if "#" not in url and "?" not in url:  # most links: a page or a file
        return relative_path(url, page_url)
    path, hash_mark, fragment = url.partition("#")
    path, question, query = path.partition("?")
    return relative_path(path, page_url) + question + query + hash_mark + fragment


class _SiteLookups:
    """The site as templates see it: each attribute read is recorded for the page."""

    __slots__ = ("_record", "_site")

    def __init__(self, site: Site, record: Callable[[str, tuple[str, ...], Any], None]):
        self._site = site
        self._record = record

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._site, name)
        self._record("site", (name,), value)
        return value


class _Body:
    """A release's own body, as markup for the template, read when the page is made."""

    __slots__ = ("article",)

    def __init__(self, article: Article):
        self.article = article

    def __html__(self) -> str:
        return self.article.body_html


@jinja2.pass_context
def picture(context: jinja2.runtime.Context, photo: Photo, alt: str, lazy: bool = True, sizes: str = SIZES) -> Markup:
    """Responsive ``<picture>`` markup of ``photo`` for the page being rendered."""
    return Markup(picture_html(photo, alt, lambda url: relative_url(context, url), lazy=lazy, sizes=sizes))


@dataclass(frozen=True, slots=True)
class _Page:
    """A page to make: its template, address, file, how errors name it, and its context."""

    template: str
    url: str | None
    dest: str
    about: str
    context: dict[str, Any]
    derived: tuple[str, ...] = ()  # context values made from the others alone
    # Digests that fix the whole context, when they are at hand: the page is
    # fingerprinted by them, a few strings, rather than by digesting its context.
    digests: tuple[str | None, ...] = ()


@dataclass(frozen=True, slots=True)
class _Failure:
    """A template mistake met while making a page; ``key`` tells repeats of it apart."""

    key: tuple[str, int, str]
    problem: Problem


class _TemplateHelpers:
    """What templates call besides the model: addresses of assets and pages, feed links,
    terms' links, and the schema.org data of the site's organisation and releases."""

    def __init__(self, site: Site, assets: tuple[Asset, ...], media: Media):
        self.config = site.config
        self.media = media
        self.assets = {asset.path: asset for asset in assets}
        self.asset_urls = {asset.path: asset.url for asset in assets}
        self.logo = self._logo()  # read once: its size comes from the image itself
        self.term_feeds = {
            term.url: term.name
            for taxonomy in site.taxonomies
            if taxonomy.config.name in site.config.feeds.taxonomies
            for term in taxonomy.terms
        }
        self.taxonomies = {taxonomy.config.name: taxonomy for taxonomy in site.taxonomies}
        self.site_feeds: list[dict[str, str]] = []

    def term(self, taxonomy: str, name: str) -> Any:
        """The link of the term ``name`` of ``taxonomy`` (its page's URL and name)."""
        return self.taxonomies[taxonomy].find(name).link

    def permalink(self, url: str) -> str:
        """The absolute address of the site-relative ``url``."""
        return self.config.base_url + url.lstrip("/")

    def feeds(self, page_url: str) -> list[dict[str, str]]:
        """Feed links for the page at ``page_url``: the site's, and its term's if it has feeds."""
        found = [(self.config.title, "/")]
        if page_url in self.term_feeds:
            found.append((f"{self.term_feeds[page_url]} — {self.config.title}", page_url))
        elif self.site_feeds:
            return self.site_feeds  # the same list for most pages: fingerprinted once
        links = [
            {"title": title, "type": MEDIA_TYPES[kind], "href": url + name}
            for title, url in found
            for kind, name in FEEDS.items()
        ]
        if page_url not in self.term_feeds:
            self.site_feeds = links
        return links

    def _logo(self) -> dict[str, Any] | None:
        """The organisation's logo as schema.org wants it, when one is configured."""
        if not self.config.logo or self.config.logo not in self.assets:
            return None
        asset = self.assets[self.config.logo]
        width, height = asset.size or (None, None)
        return {
            "@type": "ImageObject",
            "url": self.permalink(f"/static/{asset.path}"),
            "width": width,
            "height": height,
        }

    def news_article(self, article: Article) -> dict[str, Any]:
        """schema.org NewsArticle data for ``article``."""
        publisher: dict[str, Any] = {
            "@type": "Organization",
            "name": self.config.organization or self.config.title,
            "url": self.config.base_url,
        }
        if self.logo:
            publisher["logo"] = self.logo
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.summary,
            "datePublished": article.date.isoformat(),
            "dateModified": article.updated.isoformat(),
            "inLanguage": self.config.language,
            "url": self.permalink(article.url),
            "mainEntityOfPage": self.permalink(article.url),
            "author": publisher,
            "publisher": publisher,
        }
        images = [self.permalink(self.media.lead[article.url].largest.url)] if article.url in self.media.lead else []
        if article.url in self.media.cards:
            images.append(self.permalink(self.media.cards[article.url].url))
        if images:
            data["image"] = images
        if article.category:
            data["articleSection"] = article.category
        if article.tags:
            data["keywords"] = list(article.tags)
        return data

    def breadcrumbs(self, *trail: tuple[str, str]) -> dict[str, Any]:
        """schema.org BreadcrumbList for a trail of (name, site-relative URL)."""
        return {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": number, "name": name, "item": self.permalink(url)}
                for number, (name, url) in enumerate(trail, 1)
            ],
        }

    def asset(self, path: str) -> str:
        """The fingerprinted URL of ``static/path``; a template error when there is no such file."""
        if path not in self.asset_urls:
            raise jinja2.TemplateError(f"static/{path} وجود ندارد")
        return self.asset_urls[path]


class _Renderer:
    """The pages of a site: which there are, what each shows (``describe``), which are
    unchanged since the last build (by the lookups and digests recorded for each), and
    the making of the others, in this process or in forked ones."""

    def __init__(
        self,
        site: Site,
        env: jinja2.Environment,
        assets: tuple[Asset, ...],
        media: Media,
        previous: dict[str, Record],
        issues: tuple[PrintedIssue, ...] = (),
    ):
        self.site = site
        self.issues = issues
        self.media = media
        self.env = env
        self.config: SiteConfig = site.config
        helpers = _TemplateHelpers(site, assets, media)
        self.problems: dict[tuple[str, int, str], Problem] = {}
        self.files: list[OutputFile] = []
        self.previous = previous
        self.prints = Fingerprints()
        self.reads: dict[tuple[str, tuple[str, ...]], str] = {}  # the page's site-wide lookups
        self.answers: dict[tuple[str, tuple[str, ...]], str | None] = {}
        self.distinct: dict[tuple[str, tuple[str, ...], str], tuple[str, tuple[str, ...], str]] = {}
        self.changed: set[int] | None = None  # ids of the lookups in ``previous`` answered otherwise now
        self.lookups: dict[str, Callable[..., Any]] = {
            "site": lambda name: getattr(site, name),
            "term": helpers.term,
            "feeds": helpers.feeds,
            "photo": media.lead.get,
            "card": media.cards.get,
        }
        loader = env.loader
        assert loader is not None  # create_environment's
        self.stamp = self.prints.of(
            engine_stamp(jinja2.__version__),
            [(name, loader.get_source(env, name)[0]) for name in env.list_templates()],
            self.config.portable(),
            [(asset.path, asset.data) for asset in assets],
        )
        photo, card = self.recorded("photo"), self.recorded("card")
        self.shared = {
            "site": _SiteLookups(site, self.record),
            "config": self.config,
            "asset": helpers.asset,
            "term": self.recorded("term"),
            "permalink": helpers.permalink,
            "feeds": self.recorded("feeds"),
            "logo": helpers.logo,
            "news_article": helpers.news_article,
            "breadcrumbs": helpers.breadcrumbs,
            "photo_of": lambda article: photo(article.url),
            "card_of": lambda article: card(article.url),
            "picture": picture,
            "content_security_policy": Markup(self.config.content_security_policy),  # our own constant text
        }

    def record(self, kind: str, arguments: tuple[str, ...], answer: Any) -> None:
        # The model does not change while pages are made: a lookup's answer is digested once.
        key = (kind, arguments)
        known = self.answers.get(key)
        if known is None:
            known = self.answers[key] = self.prints.digest(answer)
        self.reads[key] = known

    def recorded(self, kind: str) -> Callable[..., Any]:
        """The lookup ``kind`` for templates: its answers are recorded for the page."""

        def lookup(*arguments: str) -> Any:
            answer = self.lookups[kind](*arguments)
            self.record(kind, arguments, answer)
            return answer

        return lookup

    def unchanged(self, reads: tuple[tuple[str, tuple[str, ...], str], ...]) -> bool:
        """Whether every lookup recorded for a page still has the same answer."""
        if self.changed is None:
            # Pages share their lookups (one object each, from the manifest): each is
            # checked once, and most builds find none changed, so most pages need no look.
            distinct = {id(read): read for record in self.previous.values() for read in record.reads}
            self.changed = {
                key for key, (kind, arguments, answer) in distinct.items() if self.answer(kind, arguments) != answer
            }
        return not self.changed or self.changed.isdisjoint(map(id, reads))

    def answer(self, kind: str, arguments: tuple[str, ...]) -> str | None:
        """The digest of a lookup's answer in this build (None when there is none), once per lookup."""
        key = (kind, arguments)
        if key not in self.answers:
            try:
                self.answers[key] = self.prints.digest(self.lookups[kind](*arguments))
            except (KeyError, AttributeError, TypeError):
                self.answers[key] = None  # a term or attribute that is gone
        return self.answers[key]

    def pages(self) -> list[tuple[str, int]]:
        """Every page of the site, in order, as (kind, index) for ``describe``: a page
        can be described again from these alone, in another process too."""
        site = self.site
        return (
            [("article", i) for i in range(len(site.articles))]
            + [("listing", i) for i in range(len(site.listings))]
            + [("taxonomy", i) for i in range(len(site.taxonomies))]
            + [("archive", 0)]
            + [("year", i) for i in range(len(site.archive))]
            + [("search", 0), ("404", 0)]
            + [("redirect", i) for i in range(len(site.redirects))]
            + ([("bulletins", 0)] if self.issues else [])
        )

    def describe(self, page: tuple[str, int]) -> _Page:
        """What the page ``page`` (from ``pages``) is made from."""
        kind, index = page
        site = self.site
        if kind == "article":
            return self.article_page(site.articles[index])
        if kind == "listing":
            listing = site.listings[index]
            return _Page("list.html", listing.url, dest_path(listing.url), f"صفحهٔ {listing.url}", {"listing": listing})
        if kind == "taxonomy":
            taxonomy = site.taxonomies[index]
            return _Page(
                "taxonomy.html", taxonomy.url, dest_path(taxonomy.url), f"صفحهٔ {taxonomy.url}", {"taxonomy": taxonomy}
            )
        if kind == "archive":
            return _Page("archive.html", "/archive/", "archive/index.html", "صفحهٔ /archive/", {"years": site.archive})
        if kind == "year":
            year = site.archive[index]
            return _Page("archive_year.html", year.url, dest_path(year.url), f"صفحهٔ {year.url}", {"year": year})
        if kind == "search":
            return _Page("search.html", "/search/", "search/index.html", "صفحهٔ /search/", {})
        if kind == "404":
            return _Page("404.html", None, "404.html", "صفحهٔ ۴۰۴", {})
        if kind == "bulletins":
            url = f"/{BULLETIN_DIR}/"
            return _Page("bulletins.html", url, dest_path(url), f"صفحهٔ {url}", {"issues": self.issues})
        alias, article = site.redirects[index]
        return _Page("redirect.html", alias, dest_path(alias), f"تغییر مسیر {alias}", {"article": article})

    def article_page(self, article: Article) -> _Page:
        """The page of one release."""
        related, neighbours = self.site.related[article.url], self.site.neighbours[article.url]
        if not article.body_links and article.url not in self.media.body:
            # The body is the release's own, which its digest covers: decompressed only
            # if the page is made. The releases shown are fixed by their digests.
            newer, older = neighbours.newer, neighbours.older
            return _Page(
                "article.html",
                article.url,
                dest_path(article.url),
                article.path,
                {"article": article, "body": _Body(article), "related": related, "neighbours": neighbours},
                derived=("body",),
                digests=(
                    article.digest,
                    newer.digest if newer else None,
                    older.digest if older else None,
                    *(other.digest for other in related),
                ),
            )
        body = link_releases(article, self.site)
        if article.url in self.media.body:  # keyed by src as written; link_releases made /static/… relative
            photos = {
                relative_path(src, article.url) if src.startswith("/") else src: photo
                for src, photo in self.media.body[article.url].items()
            }
            body = rewrite_body_images(body, photos, lambda url: relative_path(url, article.url))
        return _Page(
            "article.html",
            article.url,
            dest_path(article.url),
            article.path,
            {"article": article, "body": Markup(body), "related": related, "neighbours": neighbours},
        )

    def fingerprint(self, page: _Page) -> str:
        """The digest of everything ``page`` is made from but its site-wide lookups.
        Context values named in ``derived`` are made from the others alone, so left out."""
        if page.digests:
            return self.prints.of(self.stamp, page.template, page.url, page.dest, "digests", *page.digests)
        return self.prints.of(
            self.stamp,
            page.template,
            page.url,
            page.dest,
            *(part for item in sorted(page.context.items()) if item[0] not in page.derived for part in item),
        )

    def kept(self, page: _Page, fingerprint: str) -> OutputFile | None:
        """The current file of ``page``, when its fingerprint and lookups are those recorded for it."""
        before = self.previous.get(page.dest)
        if before is not None and before.fingerprint == fingerprint and self.unchanged(before.reads):
            return self.restore(page.dest)
        return None

    def restore(self, dest: str) -> OutputFile:
        """The file at ``dest`` kept as the previous build recorded it."""
        before = self.previous[dest]
        return OutputFile(dest, fingerprint=before.fingerprint, reads=before.reads, links=before.links, kept=True)

    def check(self, page: tuple[str, int]) -> OutputFile | None:
        """The current file of ``page`` (from ``pages``), kept when what it is made from
        is as it was; None when it must be made."""
        described = self.describe(page)
        return self.kept(described, self.fingerprint(described))

    def produce(self, page: tuple[str, int]) -> OutputFile | _Failure:
        """``page`` (from ``pages``) made, or the template mistake that stopped it."""
        described = self.describe(page)
        return self.make(described, self.fingerprint(described))

    def make(self, page: _Page, fingerprint: str) -> OutputFile | _Failure:
        """``page`` rendered, or the located template mistake that stopped it."""
        self.reads = {}
        try:
            html = self.env.get_template(page.template).render(page_url=page.url, **self.shared, **page.context)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            problem = self._locate(exc, page.template, page.about)
            return _Failure((problem.path, problem.line, str(exc)), problem)
        # One object per distinct lookup: thousands of pages make the same ones.
        reads = tuple(
            self.distinct.setdefault(read, read)
            for read in ((kind, arguments, answer) for (kind, arguments), answer in self.reads.items())
        )
        return OutputFile(
            page.dest,
            html.encode("utf-8"),
            fingerprint=fingerprint,
            reads=reads,
            links=page_links(html, page.dest, self.config.base_path),
        )

    def shared_copy(self, file: OutputFile) -> OutputFile:
        """``file``, made by another process, holding this one's object of each lookup
        and link it shares with other pages."""
        return dataclasses.replace(
            file,
            reads=tuple(self.distinct.setdefault(read, read) for read in file.reads),
            links=tuple(sys.intern(link) for link in file.links),
        )

    def beside(self, article: Article) -> None:
        """The release's photo, published as it is when it has no variants."""
        image, source = article.image, article.image_source
        if (
            image is not None
            and source is not None
            and not image.startswith("/static/")
            and article.url not in self.media.lead
        ):
            self.copy(dest_path(unquote(image)), source=source)

    def take(self) -> list[OutputFile]:
        """The files made since the last call."""
        files, self.files = self.files, []
        return files

    def copy(
        self, dest: str, data: bytes = b"", source: Path | None = None, fingerprint: str = "", linkable: bool = False
    ) -> None:
        """A file published as it is: kept when its bytes (or the source's size and time,
        or the ``fingerprint`` its maker gave it) are. ``linkable`` as in ``OutputFile``."""
        if not fingerprint and source is not None:
            stat = source.stat()
            fingerprint = self.prints.of(str(source), stat.st_size, stat.st_mtime_ns)
        elif not fingerprint:
            fingerprint = self.prints.of(data)
        before = self.previous.get(dest)
        kept = before is not None and before.fingerprint == fingerprint
        self.files.append(
            OutputFile(
                dest,
                b"" if kept else data,
                None if kept else source,
                fingerprint,
                kept=kept,
                linkable=linkable and not kept,
            )
        )

    def _locate(self, exc: Exception, template: str, about: str) -> Problem:
        path, line = template, 0
        if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
            path, line = exc.filename, exc.lineno
        else:
            for frame in traceback.extract_tb(exc.__traceback__):
                if frame.filename.endswith(".html") and "site-packages" not in frame.filename:
                    path, line = frame.filename, frame.lineno or 0
        if not Path(path).is_absolute():
            path = str(self.config.templates_dir / path)
        message = getattr(exc, "message", None) or str(exc)
        return Problem(display_path(Path(path)), line, f"خطای قالب هنگام ساختن {about}: {message}")


_PAGE_LINK = re.compile(r'\s(?:href|src)="([^"]*)"')
_PAIR = "\x01"  # a character no attribute value holds


def page_links(html: str, dest: str, base_path: str) -> tuple[str, ...]:
    """The internal links and images of a page, each as written and the output file it
    points at, packed in one text. The texts are interned: pages share most of their
    links (the menu, the terms), and the manifest holds hundreds of thousands of them."""
    # Pages link to the same files by the same steps up: «../../tags/x/» from any page
    # two folders deep. Each link is resolved once for the folder its steps reach.
    folders = [posixpath.dirname("/" + dest)]  # the page's folder, its parent, …
    while folders[-1] != "/":
        folders.append(posixpath.dirname(folders[-1]))
    links = []
    for target in sorted(set(_PAGE_LINK.findall(html))):
        up = 0
        while target.startswith("../", 3 * up) and len(target) > 3 * up + 3:
            up += 1
        resolved = _resolve(folders[min(up, len(folders) - 1)], target[3 * up :], base_path)
        if resolved is not None:
            links.append(sys.intern(f"{target}{_PAIR}{resolved}"))
    return tuple(links)


_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:")


@lru_cache(maxsize=8192)
def _resolve(folder: str, target: str, base_path: str) -> str | None:
    """The output file a link ``target`` on a page in ``folder`` points at; None for a
    link outside the site."""
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path or _EXTERNAL.match(path) or path.startswith("//"):
        return None
    if path.startswith("/"):  # root-relative, as on the 404 page: under the base path
        path = "/" + path.removeprefix(base_path).lstrip("/")
    resolved = posixpath.normpath(posixpath.join(folder, path))
    if path.endswith("/") or resolved == "/":
        resolved = posixpath.join(resolved, "index.html")
    return resolved.lstrip("/")


def check_links(files: list[OutputFile], site: Site, severity: str) -> list[Problem]:
    """Internal links and images in the built pages that point at no file of the site."""
    present = {file.dest_path for file in files}
    broken = {}  # each distinct link is resolved once, however many pages carry it
    owners = {dest_path(a.url): a for a in site.articles}
    problems = set()
    for file in files:
        for link in file.links:
            if link not in broken:
                broken[link] = link.partition(_PAIR)[2] not in present
            if not broken[link]:
                continue
            owner = owners.get(file.dest_path)
            where = (owner.path, 0) if owner else (file.dest_path, 0)
            target = link.partition(_PAIR)[0]
            problems.add(
                Problem(
                    *where,
                    f"link: «{target}» به صفحه یا فایلی اشاره می‌کند که در سایت نیست؛ نشانی را درست کنید",
                    severity,
                )
            )
    return sorted(problems)


def render_articles(
    site: Site, env: jinja2.Environment, assets: tuple[Asset, ...], media: Media, articles: list[Article]
) -> list[OutputFile]:
    """The pages of ``articles`` (new versions of releases of ``site``) alone, in the
    context of ``site``: its related lists, neighbours, terms and pictures."""
    r = _Renderer(site, env, assets, media, {})
    files: list[OutputFile] = []
    problems: dict[tuple[str, int, str], Problem] = {}
    for article in articles:
        page = r.article_page(article)
        made = r.make(page, r.fingerprint(page))
        if isinstance(made, _Failure):
            problems.setdefault(made.key, made.problem)
        else:
            files.append(made)
    if problems:
        raise BuildError(list(problems.values()))
    return files


# Below this many pages to make, starting processes costs more than it saves.
PARALLEL_MINIMUM = 64
_forked: _Renderer | None = None  # what render workers inherit


def render_site(
    site: Site,
    env: jinja2.Environment,
    assets: tuple[Asset, ...],
    media: Media = NO_MEDIA,
    previous: dict[str, Record] | None = None,
    jobs: int = 1,
    issues: tuple[PrintedIssue, ...] = (),
) -> Iterator[OutputFile]:
    """Every file of the site, one by one as each is made: pages, redirects, photos,
    share cards and static assets. Raises ``BuildError`` with every template mistake
    after the last file.

    Photos with variants in ``media`` get responsive markup; others are published as
    they are. Files whose fingerprint matches their record in ``previous`` (the manifest
    of the current output folder) come back ``kept``, without being rendered. The pages
    to make are made in ``jobs`` processes when there are enough of them. With
    ``issues`` (the printed bulletin's, published), their list is a page too.
    """
    r = _Renderer(site, env, assets, media, previous or {}, issues)
    pages = r.pages()
    # Telling which pages changed is quick work on every page, done here; only the
    # pages to make go to other processes, when there are enough of them.
    kept: list[OutputFile | None] = [None] * len(pages)
    if r.previous:
        # Release pages last: they show the related lists, which may still be ranked
        # in another process meanwhile.
        for number in sorted(range(len(pages)), key=lambda number: pages[number][0] == "article"):
            kept[number] = r.check(pages[number])
    wanted = [page for page, file in zip(pages, kept, strict=True) if file is None]
    if jobs > 1 and len(wanted) >= PARALLEL_MINIMUM and CAN_FORK:
        len(site.related)  # workers inherit the model: the lists must be in it before they fork
        made = _produce_in_processes(r, wanted, jobs)
    else:
        made = map(r.produce, wanted)
    for (kind, index), unchanged in zip(pages, kept, strict=True):
        file = unchanged if unchanged is not None else next(made)
        if isinstance(file, _Failure):
            r.problems.setdefault(file.key, file.problem)
        else:
            yield file
        if kind == "article":
            r.beside(site.articles[index])
            yield from r.take()
    for asset in assets:
        r.copy(f"static/{asset.path}", asset.data)
    for file in media.files:
        r.copy(file.dest_path, file.data, file.source, file.fingerprint, file.linkable)
    yield from r.take()
    if r.problems:
        raise BuildError(list(r.problems.values()))


def _produce_in_processes(r: _Renderer, pages: list[tuple[str, int]], jobs: int) -> Iterator[OutputFile | _Failure]:
    """``r.produce`` of each of ``pages`` in ``jobs`` forked processes, in order; the
    workers inherit the model. Made pages come back holding this process's object of
    each lookup they share with others."""
    global _forked
    _forked = r
    try:
        chunk = max(1, min(256, len(pages) // (jobs * 8)))
        for file in forked_map(_produce_in_worker, pages, jobs, chunk):
            yield r.shared_copy(file) if isinstance(file, OutputFile) else file
    finally:
        _forked = None


def _produce_in_worker(page: tuple[str, int]) -> OutputFile | _Failure:
    assert _forked is not None  # set before the workers were forked
    return _forked.produce(page)
