"""Assemble the site: a pure function from articles, config and ``now`` to every page.

Decides what is visible (drafts, scheduled and expired releases against the injected
``now``), the order of everything (newest first, then by URL), taxonomies, Jalali
archives, related lists, paginated listings and redirects, and rejects two pages
claiming one URL.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import unquote

from .cache import Cache
from .config import SiteConfig, TaxonomyConfig
from .content import Article
from .dates import month_name
from .errors import WARNING, BuildError, Problem
from .related import Ranking, RelatedLists, pin_problems, rank_related
from .taxonomy import Taxonomy, TermLink, build_taxonomies
from .text import to_persian_digits

FAR_FUTURE_DAYS = 365


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which releases a build publishes besides the current ones."""

    drafts: bool = False
    future: bool = False
    expired: bool = False


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a paginated list of articles (home, a term, an archive month)."""

    kind: str  # "home", "term" or "month"
    title: str
    url: str
    articles: tuple[Article, ...]
    number: int
    count: int
    previous_url: str | None
    next_url: str | None
    # The term's or month's name and address, not its releases: a page of the list does
    # not change when a release on another page of it does.
    term: TermLink | None = None
    taxonomy: TaxonomyConfig | None = None
    month: MonthLink | None = None
    total: int = 0  # releases in the whole list, all pages


@dataclass(frozen=True, slots=True)
class MonthLink:
    """An archive month as a page of its list shows it: its name and address."""

    year: int
    month: int
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class ArchiveMonth:
    """A Jalali month with its articles, newest first."""

    year: int
    month: int
    name: str
    url: str
    articles: tuple[Article, ...]

    @property
    def link(self) -> MonthLink:
        """What a page of the month's list shows of it."""
        return MonthLink(self.year, self.month, self.name, self.url)


@dataclass(frozen=True, slots=True)
class ArchiveYear:
    """A Jalali year with its months, newest first."""

    year: int
    url: str
    months: tuple[ArchiveMonth, ...]

    @property
    def count(self) -> int:
        """Number of articles in the year."""
        return sum(len(m.articles) for m in self.months)


@dataclass(frozen=True, slots=True)
class Neighbours:
    """The next newer and next older article, for «خبر بعدی / قبلی» links."""

    newer: Article | None
    older: Article | None


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per build
class Site:
    """Everything the render stage turns into pages."""

    config: SiteConfig
    articles: tuple[Article, ...]
    related: Mapping[str, tuple[Article, ...]]  # may still be ranked elsewhere: see RelatedLists
    neighbours: dict[str, Neighbours]
    taxonomies: tuple[Taxonomy, ...]
    archive: tuple[ArchiveYear, ...]
    listings: tuple[Listing, ...]
    redirects: tuple[tuple[str, Article], ...]  # (old URL, article it moved to)
    hidden: int  # releases read but not published (draft, scheduled, expired)
    news: tuple[Article, ...]  # published within feeds.news_days before now, for the news sitemap
    warnings: tuple[Problem, ...]  # things worth a look that do not stop the build

    @cached_property
    def by_source(self) -> dict[str, Article]:
        """Published releases by their path under content/, for links between release files."""
        return {article.src_path: article for article in self.articles}


def is_visible(article: Article, now: datetime, visibility: Visibility) -> bool:
    """Whether ``article`` is published at ``now``."""
    if article.draft and not visibility.drafts:
        return False
    if article.date > now and not visibility.future:
        return False
    return not (article.expires is not None and article.expires <= now and not visibility.expired)


def turning_points(articles: list[Article], config: SiteConfig) -> list[datetime]:
    """The moments at which the site changes by the clock alone, sorted: a release comes
    out, expires, leaves the news sitemap's window, or comes within a year (the far-future
    warning). Between two of them, the same releases give the same site."""
    moments = []
    for article in articles:
        moments += [
            article.date,
            article.date + timedelta(days=config.feeds.news_days),
            article.date - timedelta(days=FAR_FUTURE_DAYS),
        ]
        if article.expires is not None:
            moments.append(article.expires)
    return sorted(moments)


def site_order(article: Article) -> tuple[float, str]:
    """Newest first; equal times by URL so the order never depends on file order."""
    return (-article.date.timestamp(), article.url)


def visible_releases(
    articles: list[Article], now: datetime, visibility: Visibility = Visibility()
) -> tuple[Article, ...]:
    """The releases the site shows, in its order (``site_order``)."""
    return tuple(sorted((a for a in articles if is_visible(a, now, visibility)), key=site_order))


def assemble_site(
    articles: list[Article],
    config: SiteConfig,
    now: datetime,
    visibility: Visibility = Visibility(),
    memo: Cache | None = None,
    jobs: int = 1,
    related: Ranking | None = None,
) -> Site:
    """Build the whole site model. Raises ``BuildError`` for URL collisions and bad pins.
    ``memo`` remembers related lists between builds (see ``rank_related``), which are
    ranked in ``jobs`` processes when there are many; ``related`` are lists already begun
    (``rank_related`` of ``visible_releases`` of ``articles`` at ``now``), whose releases
    the site shows."""
    if related is None:
        shown = visible_releases(articles, now, visibility)
        lists: Mapping[str, tuple[Article, ...]]
        lists, problems = rank_related(shown, frozenset(a.slug for a in articles), config.related, memo, jobs).result()
    else:  # still being ranked, maybe: the site holds them as they come
        shown = related.articles
        lists, problems = RelatedLists(related), pin_problems(shown, related.every_slug)
    taxonomies = build_taxonomies(shown, config)
    archive = _archive(shown)
    listings = _listings(shown, taxonomies, archive, config)
    redirects = tuple(sorted(((alias, a) for a in shown for alias in a.aliases), key=lambda r: (r[0], r[1].url)))
    problems += _collisions(shown, listings, taxonomies, archive, redirects)
    if problems:
        raise BuildError(problems)
    neighbours = {
        a.url: Neighbours(shown[i - 1] if i > 0 else None, shown[i + 1] if i + 1 < len(shown) else None)
        for i, a in enumerate(shown)
    }
    news_since = now - timedelta(days=config.feeds.news_days)
    return Site(
        config,
        shown,
        lists,
        neighbours,
        taxonomies,
        archive,
        listings,
        redirects,
        hidden=len(articles) - len(shown),
        news=tuple(a for a in shown if news_since <= a.date <= now),
        warnings=_far_future(articles, now),
    )


def _far_future(articles: list[Article], now: datetime) -> tuple[Problem, ...]:
    """Releases dated over a year ahead: usually a typo (1430 for 1403) hiding a release."""
    limit = now + timedelta(days=FAR_FUTURE_DAYS)
    return tuple(
        sorted(
            Problem(
                a.path,
                a.line("date"),
                "date: این تاریخ بیش از یک سال بعد است و خبر تا آن روز منتشر نمی‌شود؛ اگر اشتباه تایپی است درستش کنید",
                WARNING,
            )
            for a in articles
            if a.date > limit
        )
    )


def _archive(articles: tuple[Article, ...]) -> tuple[ArchiveYear, ...]:
    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in articles:
        year, month, _ = article.jalali
        months[year, month].append(article)
    years: dict[int, list[ArchiveMonth]] = defaultdict(list)
    for (year, month), members in sorted(months.items(), reverse=True):
        years[year].append(
            ArchiveMonth(year, month, month_name(month), f"/archive/{year}/{month:02d}/", tuple(members))
        )
    return tuple(ArchiveYear(year, f"/archive/{year}/", tuple(ms)) for year, ms in sorted(years.items(), reverse=True))


def _paginate(kind: str, title: str, url: str, articles: tuple[Article, ...], size: int, **extra: Any) -> list[Listing]:
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)] or [()]
    urls = [url] + [f"{url}page/{n}/" for n in range(2, len(chunks) + 1)]
    return [
        Listing(
            kind,
            title,
            urls[i],
            chunk,
            i + 1,
            len(chunks),
            urls[i - 1] if i > 0 else None,
            urls[i + 1] if i + 1 < len(urls) else None,
            total=len(articles),
            **extra,
        )
        for i, chunk in enumerate(chunks)
    ]


def _listings(
    articles: tuple[Article, ...],
    taxonomies: tuple[Taxonomy, ...],
    archive: tuple[ArchiveYear, ...],
    config: SiteConfig,
) -> tuple[Listing, ...]:
    listings = _paginate("home", config.title, "/", articles, config.page_size)
    for taxonomy in taxonomies:
        for term in taxonomy.terms:
            listings += _paginate(
                "term", term.name, term.url, term.articles, config.page_size, term=term.link, taxonomy=taxonomy.config
            )
    for year in archive:
        for month in year.months:
            listings += _paginate(
                "month",
                f"{month.name} {to_persian_digits(year.year)}",
                month.url,
                month.articles,
                config.page_size,
                month=month.link,
            )
    return tuple(listings)


def dest_path(url: str) -> str:
    """The output file of a site-relative URL: ``/a/b/`` → ``a/b/index.html``."""
    path = url.lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path


def _collisions(
    articles: tuple[Article, ...],
    listings: tuple[Listing, ...],
    taxonomies: tuple[Taxonomy, ...],
    archive: tuple[ArchiveYear, ...],
    redirects: tuple[tuple[str, Article], ...],
) -> list[Problem]:
    """Two pages claiming one output file: the problem names both files and what to change."""
    claims: dict[str, list[tuple[Article | None, str]]] = defaultdict(list)  # by the release and its key
    for article in articles:
        claims[dest_path(article.url)].append((article, "slug"))
    for alias, article in redirects:
        claims[dest_path(alias)].append((article, "aliases"))
    generated = (
        [listing.url for listing in listings]
        + [t.url for t in taxonomies]
        + [y.url for y in archive]
        + ["/archive/", "/404.html"]
    )
    for url in generated:
        claims[dest_path(url)].append((None, ""))
    problems = []
    for dest, claimed in claims.items():
        if len(claimed) < 2:
            continue
        # Located only now: finding a key's line is work, and most addresses have one owner.
        owners = [(article.path, article.line(key), key) if article else ("", 0, "") for article, key in claimed]
        for path, line, key in owners:
            if not path:
                continue
            others = "، ".join(sorted({p or "یک صفحهٔ ساختهٔ سایت" for p, _, _ in owners if p != path} or {path}))
            advice = "نشانی قدیمی را از aliases بردارید" if key == "aliases" else "برای یکی از آن‌ها slug دیگری بنویسید"
            problems.append(
                Problem(path, line, f"{key}: نشانی «/{dest.removesuffix('index.html')}» با {others} یکی است؛ {advice}")
            )
    return problems


_MD_LINK = re.compile(r'(\shref=")([^":#?]+\.(?:md|markdown))((?:#[^"]*)?")')
_ROOT_LINK = re.compile(r'(\s(?:href|src)=")(/(?!/)[^"#?]*)([^"]*")')


def relative_path(target: str, page_url: str) -> str:
    """Path from the folder of ``page_url`` to ``target``, both site-relative."""
    here = page_url[1 : page_url.rfind("/")].split("/") if page_url.count("/") > 1 else []
    there = target[1:].split("/")  # a trailing "" keeps a folder's closing slash
    common = 0
    for a, b in zip(here, there[:-1], strict=False):
        if a != b:
            break
        common += 1
    relative = "../" * (len(here) - common) + "/".join(there[common:])
    return relative or "./"


def link_releases(article: Article, site: Site) -> str:
    """The body of ``article`` with links to other releases' files (``../1402/x.md``)
    pointing at their pages, as a writer linking file to file means them, and with
    site-root links (``/archive/``) made relative, so they hold under a sub-path too."""
    return place_links(article, article.body_html, site.by_source, lambda url: relative_path(url, article.url))


def place_links(article: Article, body: str, by_source: Mapping[str, Article], place: Callable[[str], str]) -> str:
    """``body`` (of ``article``) with links to other releases' files turned into their
    pages' site-relative URLs, and every site-relative URL (``/archive/``) passed through
    ``place`` (made relative for a page, absolute for print)."""

    def page(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(article.src_path), unquote(match[2])))
        other = by_source.get(target)
        return f"{match[1]}{place(other.url)}{match[3]}" if other else match[0]

    if "href=" not in body and "src=" not in body:
        return body  # most releases link nowhere: spare them the scans
    body = _MD_LINK.sub(page, body)
    return _ROOT_LINK.sub(lambda m: m[1] + place(m[2]) + m[3], body)
