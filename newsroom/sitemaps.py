"""Sitemaps, the Google News sitemap, robots.txt, and what web servers read: _redirects, .nginx.conf.

``sitemap.xml`` lists every page with its ``lastmod``; past 50,000 addresses it becomes
a sitemap index over ``sitemap-1.xml``, ``sitemap-2.xml``…. ``news-sitemap.xml`` lists
the releases of the last ``feeds.news_days`` days (Google News reads only those); it is
left out while there are none, since an empty sitemap is not valid. ``.nginx.conf`` holds
what nginx can only learn from the build (deploy/nginx/newsroom.conf includes it).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from .cache import engine_stamp
from .editor import editor_policy
from .feeds import address
from .output import OutputFile, Record, xml_bytes
from .site import Site

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
URLS_PER_SITEMAP = 50_000

ET.register_namespace("", SITEMAP)
ET.register_namespace("news", NEWS)


def page_dates(site: Site) -> list[tuple[str, datetime | None]]:
    """Every HTML page of the site (site-relative URL) with the last change it shows."""
    newest = max((a.updated for a in site.articles), default=None)
    pages: list[tuple[str, datetime | None]] = [(a.url, a.updated) for a in site.articles]
    pages += [(listing.url, max((a.updated for a in listing.articles), default=newest)) for listing in site.listings]
    pages += [
        (t.url, max((a.updated for term in t.terms for a in term.articles), default=newest)) for t in site.taxonomies
    ]
    pages += [("/archive/", newest)]
    pages += [(y.url, max(a.updated for m in y.months for a in m.articles)) for y in site.archive]
    return sorted(pages)


def render_sitemaps(site: Site, previous: dict[str, Record] | None = None) -> list[OutputFile]:
    """sitemap.xml (or an index and its parts), news-sitemap.xml, robots.txt, _redirects, .nginx.conf.

    A list of addresses whose pages and dates are those recorded for it in ``previous``
    (the manifest of the current output folder) comes back ``kept``, unwritten.
    """
    base = site.config.base_url
    pages = page_dates(site)
    parts = [pages[i : i + URLS_PER_SITEMAP] for i in range(0, len(pages), URLS_PER_SITEMAP)] or [[]]
    files = []
    if len(parts) == 1:
        files.append(_urlset_file("sitemap.xml", base, parts[0], previous or {}))
    else:
        index = ET.Element(f"{{{SITEMAP}}}sitemapindex")
        for number, part in enumerate(parts, 1):
            name = f"sitemap-{number}.xml"
            files.append(_urlset_file(name, base, part, previous or {}))
            entry = ET.SubElement(index, f"{{{SITEMAP}}}sitemap")
            _text(entry, f"{{{SITEMAP}}}loc", base + name)
            lastmod = max((d for _, d in part if d), default=None)
            if lastmod:
                _text(entry, f"{{{SITEMAP}}}lastmod", lastmod.isoformat())
        files.append(OutputFile("sitemap.xml", xml_bytes(index)))
    robots = ["User-agent: *", "Allow: /", f"Sitemap: {base}sitemap.xml"]
    if site.news:
        files.append(OutputFile("news-sitemap.xml", _news(site)))
        robots.append(f"Sitemap: {base}news-sitemap.xml")
    files.append(OutputFile("robots.txt", ("\n".join(robots) + "\n").encode()))
    redirects = "".join(
        f"{site.config.base_path}{alias.lstrip('/')} {site.config.base_path}{a.url.lstrip('/')} 301\n"
        for alias, a in site.redirects
    )
    files.append(OutputFile("_redirects", redirects.encode("utf-8")))
    files.append(OutputFile(".nginx.conf", _nginx(site)))
    return files


def _nginx(site: Site) -> bytes:
    """Server-block lines for nginx: the pages' Content-Security-Policy as a header (the
    editor's under /admin/), the 404 page, and a real 301 for every alias (the redirect
    pages stay for other hosts)."""
    base = site.config.base_path
    lines = ["# Written by build.py with the site; included by deploy/nginx/newsroom.conf. Do not edit."]
    if site.config.editor.enabled:
        # The editor's page needs a wider policy (editor.editor_policy); a header of its
        # own in a location would drop the server's other headers, so a variable differs.
        lines += [
            f'set $newsroom_csp "{site.config.content_security_policy}";',
            f'if ($uri ~ "^{base}admin/") {{',
            f'    set $newsroom_csp "{editor_policy(site)}";',
            "}",
            "add_header Content-Security-Policy $newsroom_csp always;",
        ]
    else:
        lines.append(f'add_header Content-Security-Policy "{site.config.content_security_policy}" always;')
    lines.append(f"error_page 404 {base}404.html;")
    for alias, article in site.redirects:
        # nginx matches the decoded path, so a Persian or %-encoded alias is written decoded.
        old = unquote(base + alias.lstrip("/")).replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'location = "{old}" {{ return 301 {quote(base + article.url.lstrip("/"), safe="/%")}; }}')
    return ("\n".join(lines) + "\n").encode("utf-8")


def _urlset_file(
    name: str, base: str, pages: list[tuple[str, datetime | None]], previous: dict[str, Record]
) -> OutputFile:
    """One list of addresses; kept when made from the same pages, dates and engine as before."""
    fingerprint = hashlib.sha256(repr((engine_stamp(), base, pages)).encode()).hexdigest()
    before = previous.get(name)
    if before is not None and before.fingerprint == fingerprint:
        return OutputFile(name, fingerprint=fingerprint, kept=True)
    return OutputFile(name, _urlset(base, pages), fingerprint=fingerprint)


def _urlset(base: str, pages: list[tuple[str, datetime | None]]) -> bytes:
    """The list of addresses, written out directly: an element tree of 50,000 addresses
    would be the largest thing a build holds. Laid out as ``xml_bytes`` lays out the others."""
    declaration = '<?xml version="1.0" encoding="utf-8"?>'
    if not pages:  # as ElementTree writes an empty element
        return f'{declaration}\n<urlset xmlns="{SITEMAP}" />\n'.encode()
    lines = [declaration, f'<urlset xmlns="{SITEMAP}">']
    for url, lastmod in pages:
        lines.append(f"  <url>\n    <loc>{escape(address(base, url))}</loc>")
        if lastmod:
            lines.append(f"    <lastmod>{lastmod.isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _news(site: Site) -> bytes:
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for article in site.news:
        entry = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        _text(entry, f"{{{SITEMAP}}}loc", address(site.config.base_url, article.url))
        news = ET.SubElement(entry, f"{{{NEWS}}}news")
        publication = ET.SubElement(news, f"{{{NEWS}}}publication")
        _text(publication, f"{{{NEWS}}}name", site.config.organization or site.config.title)
        _text(publication, f"{{{NEWS}}}language", site.config.language)
        _text(news, f"{{{NEWS}}}publication_date", article.date.isoformat())
        _text(news, f"{{{NEWS}}}title", article.title)
    return xml_bytes(urlset)


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text
