"""Render the site model into files: pure, given the templates and the assets.

Templates run with autoescape and StrictUndefined; a template mistake is reported as
``templates/name.html:LINE`` together with the page being rendered.
"""

from __future__ import annotations

import traceback
from urllib.parse import unquote
from pathlib import Path
from typing import Any

import jinja2

from .assets import Asset
from .config import SiteConfig
from .dates import format_jalali
from .errors import BuildError, Problem, display_path
from .output import OutputFile
from .site import Site, dest_path
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


def relative_path(target: str, page_url: str) -> str:
    """Path from the folder of ``page_url`` to ``target``, both site-relative."""
    here = page_url[1:page_url.rfind("/")].split("/") if page_url.count("/") > 1 else []
    there = target[1:].split("/")  # a trailing "" keeps a folder's closing slash
    common = 0
    for a, b in zip(here, there[:-1]):
        if a != b:
            break
        common += 1
    relative = "../" * (len(here) - common) + "/".join(there[common:])
    return relative or "./"


class _Renderer:
    def __init__(self, site: Site, env: jinja2.Environment, assets: tuple[Asset, ...]):
        self.site = site
        self.env = env
        self.config: SiteConfig = site.config
        self.asset_urls = {asset.path: asset.url for asset in assets}
        self.taxonomies = {taxonomy.config.name: taxonomy for taxonomy in site.taxonomies}
        self.problems: dict[tuple[str, int, str], Problem] = {}
        self.files: list[OutputFile] = []
        self.shared = dict(
            site=site,
            config=self.config,
            asset=self.asset,
            term=lambda taxonomy, name: self.taxonomies[taxonomy].find(name),
            permalink=lambda url: self.config.base_url + url.lstrip("/"),
        )

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


def render_site(site: Site, env: jinja2.Environment, assets: tuple[Asset, ...]) -> list[OutputFile]:
    """Every file of the site: pages, redirects, photos and static assets."""
    r = _Renderer(site, env, assets)
    for article in site.articles:
        r.page("article.html", article.url, dest_path(article.url), article.path,
               article=article, related=site.related[article.url], neighbours=site.neighbours[article.url])
        if article.image_source is not None and article.image is not None:
            r.files.append(OutputFile(dest_path(unquote(article.image)), source=article.image_source))
    for listing in site.listings:
        r.page("list.html", listing.url, dest_path(listing.url), f"صفحهٔ {listing.url}", listing=listing)
    for taxonomy in site.taxonomies:
        r.page("taxonomy.html", taxonomy.url, dest_path(taxonomy.url), f"صفحهٔ {taxonomy.url}", taxonomy=taxonomy)
    r.page("archive.html", "/archive/", "archive/index.html", "صفحهٔ /archive/", years=site.archive)
    for year in site.archive:
        r.page("archive_year.html", year.url, dest_path(year.url), f"صفحهٔ {year.url}", year=year)
    r.page("404.html", None, "404.html", "صفحهٔ ۴۰۴")
    for alias, article in site.redirects:
        r.page("redirect.html", alias, dest_path(alias), f"تغییر مسیر {alias}", article=article)
    if r.problems:
        raise BuildError(list(r.problems.values()))
    r.files.extend(OutputFile(f"static/{asset.path}", asset.data) for asset in assets)
    return r.files
