"""Feeds for aggregators, feed readers and channel bots: RSS 2.0, Atom 1.0, JSON Feed 1.1.

One set for the whole site (``/feed.xml``, ``/atom.xml``, ``/feed.json``) and one for
each term of the taxonomies named in ``feeds.taxonomies`` (``/county/سرخه/feed.xml``…).
Dates keep their Tehran offset: RFC 822 in RSS, RFC 3339 in Atom and JSON Feed. Links
inside the content are made absolute, since a feed is read away from the site.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import quote, urljoin

from .content import Article
from .output import OutputFile, xml_bytes
from .site import Site, dest_path, link_releases

ATOM = "http://www.w3.org/2005/Atom"
FEEDS = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # "updated" of a feed with no items
_LINK = re.compile(r'(\s(?:href|src)=")([^"]*)(")')

ET.register_namespace("atom", ATOM)


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed's subject: a title, the page it mirrors, and its newest articles."""

    title: str
    page_url: str  # site-relative URL of the page the feed mirrors
    articles: tuple[Article, ...]

    def url(self, kind: str) -> str:
        """Site-relative URL of this feed in format ``kind`` (rss, atom or json)."""
        return self.page_url + FEEDS[kind]


def site_feeds(site: Site) -> list[Feed]:
    """The site-wide feed and one per term of the configured taxonomies."""
    count = site.config.feeds.items
    feeds = [Feed(site.config.title, "/", site.articles[:count])]
    for taxonomy in site.taxonomies:
        if taxonomy.config.name in site.config.feeds.taxonomies:
            feeds += [
                Feed(f"{term.name} — {site.config.title}", term.url, term.articles[:count]) for term in taxonomy.terms
            ]
    return feeds


def render_feeds(site: Site) -> list[OutputFile]:
    """Every feed file of the site."""
    files = []
    for feed in site_feeds(site):
        files.append(OutputFile(dest_path(feed.url("rss")), _rss(site, feed)))
        files.append(OutputFile(dest_path(feed.url("atom")), _atom(site, feed)))
        files.append(OutputFile(dest_path(feed.url("json")), _json_feed(site, feed)))
    return files


def absolute_links(html: str, page_url: str, base_url: str) -> str:
    """``html`` with every href and src made absolute, as seen from ``page_url``."""
    page = base_url + page_url.lstrip("/")
    return _LINK.sub(lambda m: m[1] + urljoin(page, m[2]) + m[3], html)


def _permalink(site: Site, url: str) -> str:
    return address(site.config.base_url, url)


def address(base_url: str, url: str) -> str:
    """The absolute, percent-encoded address of a site-relative URL, for machines."""
    return quote(base_url + url.lstrip("/"), safe=":/?#[]@!$&'()*+,;=%")


def _content(site: Site, article: Article) -> tuple[str, bool]:
    """(text, is_html) of an item: the whole release or its summary, as configured."""
    if site.config.feeds.full_content:
        body = link_releases(article, site)
        return absolute_links(body, article.url, site.config.base_url), True
    return article.summary, False


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _terms(article: Article) -> list[str]:
    """Category, county and tags, each once."""
    return list(dict.fromkeys(t for t in (article.category, article.county, *article.tags) if t))


def _newest(feed: Feed) -> datetime | None:
    """The feed's last change, from its articles (never the build time: builds repeat)."""
    return max((a.updated for a in feed.articles), default=None)


def _rss(site: Site, feed: Feed) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", _permalink(site, feed.page_url))
    _text(channel, "description", site.config.description or site.config.title)
    _text(channel, "language", site.config.language)
    ET.SubElement(
        channel,
        f"{{{ATOM}}}link",
        {"href": _permalink(site, feed.url("rss")), "rel": "self", "type": MEDIA_TYPES["rss"]},
    )
    newest = _newest(feed)
    if newest is not None:
        _text(channel, "lastBuildDate", format_datetime(newest))
    for article in feed.articles:
        item = ET.SubElement(channel, "item")
        _text(item, "title", article.title)
        _text(item, "link", _permalink(site, article.url))
        _text(item, "guid", _permalink(site, article.url), isPermaLink="true")
        _text(item, "pubDate", format_datetime(article.date))
        _text(item, "description", _content(site, article)[0])
        for term in _terms(article):
            _text(item, "category", term)
    return xml_bytes(rss)


def _atom(site: Site, feed: Feed) -> bytes:
    a = f"{{{ATOM}}}"
    root = ET.Element(f"{a}feed", {"xml:lang": site.config.language})
    _text(root, f"{a}id", _permalink(site, feed.page_url))
    _text(root, f"{a}title", feed.title)
    newest = _newest(feed)
    _text(root, f"{a}updated", (newest or EPOCH).isoformat())
    ET.SubElement(root, f"{a}link", {"href": _permalink(site, feed.page_url), "rel": "alternate", "type": "text/html"})
    ET.SubElement(
        root, f"{a}link", {"href": _permalink(site, feed.url("atom")), "rel": "self", "type": MEDIA_TYPES["atom"]}
    )
    author = ET.SubElement(root, f"{a}author")
    _text(author, f"{a}name", site.config.organization or site.config.title)
    for article in feed.articles:
        entry = ET.SubElement(root, f"{a}entry")
        _text(entry, f"{a}id", _permalink(site, article.url))
        _text(entry, f"{a}title", article.title)
        ET.SubElement(entry, f"{a}link", {"href": _permalink(site, article.url), "rel": "alternate"})
        _text(entry, f"{a}published", article.date.isoformat())
        _text(entry, f"{a}updated", article.updated.isoformat())
        text, is_html = _content(site, article)
        if is_html:
            _text(entry, f"{a}content", text, type="html")
        else:
            _text(entry, f"{a}summary", text)
        for term in _terms(article):
            ET.SubElement(entry, f"{a}category", {"term": term})
    return xml_bytes(root)


def _json_feed(site: Site, feed: Feed) -> bytes:
    items = []
    for article in feed.articles:
        text, is_html = _content(site, article)
        item = {
            "id": _permalink(site, article.url),
            "url": _permalink(site, article.url),
            "title": article.title,
            "summary": article.summary,
            ("content_html" if is_html else "content_text"): text,
            "date_published": article.date.isoformat(),
            "date_modified": article.updated.isoformat(),
            "tags": _terms(article),
        }
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": _permalink(site, feed.page_url),
        "feed_url": _permalink(site, feed.url("json")),
        "description": site.config.description or site.config.title,
        "language": site.config.language,
        "authors": [{"name": site.config.organization or site.config.title}],
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
