"""Render the site model into files: pure, given the templates and the assets.

Templates run with autoescape and StrictUndefined; a template mistake is reported as
``templates/name.html:LINE`` together with the page being rendered.
"""

from __future__ import annotations

import posixpath
import re
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jinja2
from markupsafe import Markup

from .assets import Asset
from .config import SiteConfig
from .content import Article
from .dates import format_jalali
from .errors import BuildError, Problem, display_path
from .feeds import FEEDS, MEDIA_TYPES
from .output import OutputFile
from .site import Site, dest_path, link_releases, relative_path
from .text import to_persian_digits


def create_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment for the site's templates, with the project's filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
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
        return context["config"].base_path + url.lstrip("/")
    path, hash_mark, fragment = url.partition("#")
    path, question, query = path.partition("?")
    return relative_path(path, page_url) + question + query + hash_mark + fragment


def content_security_policy(config: SiteConfig) -> str:
    """The pages' policy: everything from the site itself, no inline script or style,
    frames only from the configured hosts; WebAssembly for the search (Pagefind)."""
    frames = " ".join(f"https://{host}" for host in config.iframe_hosts) or "'none'"
    return ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"frame-src {frames}; object-src 'none'; base-uri 'self'; form-action 'self'")


class _Renderer:
    def __init__(self, site: Site, env: jinja2.Environment, assets: tuple[Asset, ...]):
        self.site = site
        self.env = env
        self.config: SiteConfig = site.config
        self.assets = {asset.path: asset for asset in assets}
        self.asset_urls = {asset.path: asset.url for asset in assets}
        self.logo = self._logo()  # read once: its size comes from the image itself
        self.term_feeds = {term.url: term.name for taxonomy in site.taxonomies
                           if taxonomy.config.name in site.config.feeds.taxonomies for term in taxonomy.terms}
        self.taxonomies = {taxonomy.config.name: taxonomy for taxonomy in site.taxonomies}
        self.problems: dict[tuple[str, int, str], Problem] = {}
        self.files: list[OutputFile] = []
        self.shared = dict(
            site=site,
            config=self.config,
            asset=self.asset,
            term=lambda taxonomy, name: self.taxonomies[taxonomy].find(name),
            permalink=self.permalink,
            feeds=self.feeds,
            logo=self.logo,
            news_article=self.news_article,
            breadcrumbs=self.breadcrumbs,
            content_security_policy=Markup(content_security_policy(self.config)),  # our own constant text
        )

    def permalink(self, url: str) -> str:
        return self.config.base_url + url.lstrip("/")

    def feeds(self, page_url: str) -> list[dict[str, str]]:
        """Feed links for the page at ``page_url``: the site's, and its term's if it has feeds."""
        found = [(self.config.title, "/")]
        found += [(f"{title} — {self.config.title}", url) for url, title in self.term_feeds.items() if url == page_url]
        return [{"title": title, "type": MEDIA_TYPES[kind], "href": url + name}
                for title, url in found for kind, name in FEEDS.items()]

    def _logo(self) -> dict[str, Any] | None:
        """The organisation's logo as schema.org wants it, when one is configured."""
        if not self.config.logo or self.config.logo not in self.assets:
            return None
        asset = self.assets[self.config.logo]
        width, height = asset.size or (None, None)
        return {"@type": "ImageObject", "url": self.permalink(f"/static/{asset.path}"), "width": width, "height": height}

    def news_article(self, article: Article) -> dict[str, Any]:
        """schema.org NewsArticle data for ``article``."""
        publisher = {"@type": "Organization", "name": self.config.organization or self.config.title,
                     "url": self.config.base_url}
        if self.logo:
            publisher["logo"] = self.logo
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle",
            "headline": article.title, "description": article.summary,
            "datePublished": article.date.isoformat(), "dateModified": article.updated.isoformat(),
            "inLanguage": self.config.language, "url": self.permalink(article.url),
            "mainEntityOfPage": self.permalink(article.url), "author": publisher, "publisher": publisher,
        }
        if article.image:
            data["image"] = [self.permalink(article.image)]
        if article.category:
            data["articleSection"] = article.category
        if article.tags:
            data["keywords"] = list(article.tags)
        return data

    def breadcrumbs(self, *trail: tuple[str, str]) -> dict[str, Any]:
        """schema.org BreadcrumbList for a trail of (name, site-relative URL)."""
        return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": number, "name": name, "item": self.permalink(url)}
            for number, (name, url) in enumerate(trail, 1)]}

    def asset(self, path: str) -> str:
        if path not in self.asset_urls:
            raise jinja2.TemplateError(f"static/{path} وجود ندارد")
        return self.asset_urls[path]

    def page(self, template: str, url: str | None, dest: str, about: str, **context: Any) -> None:
        try:
            html = self.env.get_template(template).render(page_url=url, **self.shared, **context)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            problem = self._locate(exc, template, about)
            self.problems.setdefault((problem.path, problem.line, str(exc)), problem)
            return
        self.files.append(OutputFile(dest, html.encode("utf-8")))

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


def check_links(files: list[OutputFile], site: Site, severity: str) -> list[Problem]:
    """Internal links and images in the built pages that point at no file of the site."""
    present = {file.dest_path for file in files}
    owners = {dest_path(a.url): a for a in site.articles}
    problems = set()
    for file in files:
        if file.source is not None or not file.dest_path.endswith(".html"):
            continue
        page_dir = posixpath.dirname("/" + file.dest_path)
        for target in set(_PAGE_LINK.findall(file.data.decode("utf-8"))):
            path = unquote(target.split("#", 1)[0].split("?", 1)[0])
            if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path) or path.startswith("//"):
                continue
            if path.startswith("/"):  # root-relative, as on the 404 page: under the base path
                path = "/" + path.removeprefix(site.config.base_path).lstrip("/")
            resolved = posixpath.normpath(posixpath.join(page_dir, path))
            if path.endswith("/") or resolved == "/":
                resolved = posixpath.join(resolved, "index.html")
            if resolved.lstrip("/") in present:
                continue
            owner = owners.get(file.dest_path)
            where = (owner.path, 0) if owner else (file.dest_path, 0)
            problems.add(Problem(*where, f"link: «{target}» به صفحه یا فایلی اشاره می‌کند که در سایت نیست؛ نشانی را درست کنید",
                                 severity))
    return sorted(problems)


def render_site(site: Site, env: jinja2.Environment, assets: tuple[Asset, ...]) -> list[OutputFile]:
    """Every file of the site: pages, redirects, photos and static assets."""
    r = _Renderer(site, env, assets)
    for article in site.articles:
        r.page("article.html", article.url, dest_path(article.url), article.path,
               article=article, body=Markup(link_releases(article, site)),
               related=site.related[article.url], neighbours=site.neighbours[article.url])
        if article.image_source is not None and article.image is not None:
            r.files.append(OutputFile(dest_path(unquote(article.image)), source=article.image_source))
    for listing in site.listings:
        r.page("list.html", listing.url, dest_path(listing.url), f"صفحهٔ {listing.url}", listing=listing)
    for taxonomy in site.taxonomies:
        r.page("taxonomy.html", taxonomy.url, dest_path(taxonomy.url), f"صفحهٔ {taxonomy.url}", taxonomy=taxonomy)
    r.page("archive.html", "/archive/", "archive/index.html", "صفحهٔ /archive/", years=site.archive)
    for year in site.archive:
        r.page("archive_year.html", year.url, dest_path(year.url), f"صفحهٔ {year.url}", year=year)
    r.page("search.html", "/search/", "search/index.html", "صفحهٔ /search/")
    r.page("404.html", None, "404.html", "صفحهٔ ۴۰۴")
    for alias, article in site.redirects:
        r.page("redirect.html", alias, dest_path(alias), f"تغییر مسیر {alias}", article=article)
    if r.problems:
        raise BuildError(list(r.problems.values()))
    r.files.extend(OutputFile(f"static/{asset.path}", asset.data) for asset in assets)
    return r.files
