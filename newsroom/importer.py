"""``build.py import``: an existing archive's posts become releases, old addresses kept.

Reads a WordPress export (WXR 1.1/1.2), an RSS 2.0 / Atom feed file, or a Hugo or
Jekyll site, and plans one Markdown release per post: the front matter this generator
reads (title, Jalali date with its time, summary, category, tags, source, draft,
aliases, photo), and the body — HTML turned into Markdown by markdownify, Markdown kept.
Each post's old address becomes an ``aliases`` entry, so the redirect pages and nginx
rules the build makes carry readers over.

Planning reads only the source (and looks for photos in an uploads folder);
``write_import`` writes the planned files and photos, never over an existing one. A
source that cannot be read as a whole (broken XML, a published post without a date, a
photo that cannot be downloaded) is refused with located problems, and nothing is written.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import urllib.request
import xml.etree.ElementTree as ET
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from html import unescape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from markdownify import markdownify

from .dates import jalali_date
from .errors import WARNING, BuildError, Problem, display_path
from .text import ascii_slugify, normalize_line

_WP = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/$")
_ATOM = "http://www.w3.org/2005/Atom"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
# [caption …]…[/caption], [gallery …], [embed]…[/embed]: WordPress expands them when it
# shows a post; here they would be printed as they are.
_SHORTCODE = re.compile(r"\[(/?)([a-z_][\w-]*)(?:\s[^\]]*)?\]")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
_DROPPED = ("script", "style", "iframe", "object", "embed", "form")
_BLOCK = re.compile(r"<(p|div|h[1-6]|ul|ol|table|blockquote|pre|figure)\b", re.I)


@dataclass(frozen=True, slots=True)
class Post:
    """One post of the source, as read."""

    line: int
    title: str
    html: str
    date: datetime | None
    link: str
    name: str  # the source's own slug (WordPress post_name), percent-decoded; may be Persian
    status: str  # "publish", "draft" (drafts and pending posts), "future" (scheduled) or what was skipped
    kind: str  # "post", or "page" / "attachment" / … (not imported)
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    excerpt: str = ""
    author: str = ""
    markdown: str | None = None  # the body when the source is Markdown already (Hugo, Jekyll)
    origin: str = ""  # the file the post came from, when the source is a folder
    updated: datetime | None = None
    expires: datetime | None = None
    aliases: tuple[str, ...] = ()
    image: str = ""  # the featured image's address (WordPress _thumbnail_id), and its alt text
    image_alt: str = ""
    # Where a Markdown body's photos are: beside the file, and the site's own root for /paths.
    photo_folders: tuple[str, str] = ("", "")


@dataclass(frozen=True, slots=True)
class Planned:
    """A release to write: its path under the content folder and its text."""

    path: str
    text: str
    title: str
    draft: bool
    scheduled: bool  # dated ahead: the build holds it until its date, as WordPress did
    photos: tuple[tuple[str, str], ...] = ()  # (file name beside the release, a local path or a URL)


@dataclass(slots=True)
class Plan:
    """What an import would do: the files, and what it left out and why."""

    files: list[Planned] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason → count
    dropped: list[str] = field(default_factory=list)  # "path: what" for HTML and shortcodes left out
    warnings: list[Problem] = field(default_factory=list)


def read_posts(source: Path) -> tuple[str, list[Post]]:
    """The kind of ``source`` ("wordpress", "rss" or "atom") and its posts. Raises
    ``BuildError`` located at the line where the XML breaks, or naming the file when
    it is no export or feed this command reads."""
    shown = display_path(source)
    if source.is_dir():
        return read_folder(source)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise BuildError([Problem(shown, 0, f"فایل خوانده نشد: {exc.strerror}")]) from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0]
        raise BuildError(
            [
                Problem(
                    shown,
                    line,
                    f"فایل XML درست نیست ({exc.msg})؛ اگر نیمه‌کاره یا با کدگذاری دیگری (نه UTF-8) ذخیره شده، "
                    "دوباره از سایت قبلی خروجی بگیرید",
                )
            ]
        ) from None
    lines = _item_lines(data)
    if root.tag == f"{{{_ATOM}}}feed":
        return "atom", [
            _atom_post(entry, line) for entry, line in zip(root.iter(f"{{{_ATOM}}}entry"), lines, strict=False)
        ]
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise BuildError([Problem(shown, 1, _WHAT_IT_READS)])
    items = channel.findall("item")
    # The export's own namespace, as the parsed tags carry it ("{uri}wxr_version"); on the
    # items too, for an export whose channel lost its WordPress fields.
    namespaces = (element.tag[1:].partition("}")[0] for element in channel.iter() if element.tag.startswith("{"))
    wordpress = next((ns for ns in namespaces if _WP.match(ns)), None)
    if wordpress is not None:
        featured = _attachments(items, wordpress)
        return "wordpress", [
            _wordpress_post(item, line, wordpress, featured) for item, line in zip(items, lines, strict=False)
        ]
    return "rss", [_rss_post(item, line) for item, line in zip(items, lines, strict=False)]


_WHAT_IT_READS = "import یک خروجی وردپرس (WXR، از «ابزارها ← برون‌بری») یا یک فایل خوراک RSS یا Atom را می‌خواند؛ این فایل هیچ‌کدام نیست"


def read_folder(source: Path) -> tuple[str, list[Post]]:
    """The posts of a Hugo site (its ``content`` folder, or that folder itself) or of a
    Jekyll site (its ``_posts`` and ``_drafts``), each with the address the site gave it."""
    if (source / "_posts").is_dir():
        files = [p for folder in ("_posts", "_drafts") for p in sorted((source / folder).rglob("*")) if _is_markdown(p)]
        return "jekyll", [_jekyll_post(path) for path in files]
    content = source / "content" if (source / "content").is_dir() else source
    files = sorted(p for p in content.rglob("*") if _is_markdown(p) and not p.name.startswith("_index"))
    if not files:
        raise BuildError([Problem(display_path(source), 0, _WHAT_IT_READS)])
    return "hugo", [_hugo_post(path, content) for path in files]


def _is_markdown(path: Path) -> bool:
    return path.suffix.lower() in (".md", ".markdown") and path.is_file()


_HIGHLIGHT = re.compile(r"\{%\s*highlight\s+(\w*)[^%]*%\}(.*?)\{%\s*endhighlight\s*%\}", re.S)
_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
# {{< shortcode >}}, {{% shortcode %}} (Hugo) and {% tag %}, {{ variable }} (Liquid): the old
# site expanded them when it built; here they would be printed as they are.
_TEMPLATE_CODE = re.compile(r"\{\{[<%].*?[%>]\}\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


def _front_matter(path: Path) -> tuple[dict[str, object], str]:
    """The front matter (YAML between ---, TOML between +++) and the body of a Markdown file."""
    text = path.read_text(encoding="utf-8-sig")
    for fence, load in (("---", _yaml_mapping), ("+++", _toml_mapping)):
        if text.startswith(fence + "\n"):
            head, found, body = text[len(fence) + 1 :].partition(f"\n{fence}\n")
            if found:
                return load(head, path), body
    return {}, text


def _yaml_mapping(text: str, path: Path) -> dict[str, object]:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BuildError(
            [Problem(display_path(path), (mark.line + 2) if mark else 1, f"سرآیند YAML خوانده نشد: {exc}")]
        ) from None
    return loaded if isinstance(loaded, dict) else {}


def _toml_mapping(text: str, path: Path) -> dict[str, object]:
    import tomllib  # Python 3.11 and newer: Hugo's TOML front matter

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError([Problem(display_path(path), 1, f"سرآیند TOML خوانده نشد: {exc}")]) from None


def _moment(value: object) -> datetime | None:
    """A front-matter date as YAML or TOML gives it (a datetime, a date or text)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" +", "+"))
        except ValueError:
            return None
    return None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return ()


def _hugo_post(path: Path, content: Path) -> Post:
    front, body = _front_matter(path)
    relative = path.relative_to(content)
    bundle = path.stem == "index"
    name = str(front.get("slug") or (relative.parent.name if bundle else path.stem))
    section = relative.parts[0] if len(relative.parts) > (2 if bundle else 1) else ""
    old = str(front.get("url") or ("/" + "/".join(p for p in (section, name) if p) + "/"))
    categories = _strings(front.get("categories"))
    return _markdown_post(
        path,
        front,
        body,
        date=_moment(front.get("date") or front.get("publishDate")),
        link=old,
        name=name,
        draft=front.get("draft") is True,
        categories=categories,
        excerpt=str(front.get("summary") or front.get("description") or ""),
        updated=_moment(front.get("lastmod")),
        expires=_moment(front.get("expiryDate")),
        aliases=tuple(a if a.startswith("/") else "/" + a for a in _strings(front.get("aliases"))),
        photo_folders=(str(path.parent), str(content.parent / "static")),
    )


def _jekyll_post(path: Path) -> Post:
    front, body = _front_matter(path)
    named = _JEKYLL_NAME.match(path.stem)
    title_slug = named[4] if named else path.stem
    moment = _moment(front.get("date")) or (datetime(int(named[1]), int(named[2]), int(named[3])) if named else None)
    listed = front.get("categories") or front.get("category")
    categories = tuple(listed.split()) if isinstance(listed, str) else _strings(listed)  # Jekyll splits on spaces
    if moment is not None:  # Jekyll's default permalink: /:categories/:year/:month/:day/:title.html
        parts = [*(c.lower().replace(" ", "-") for c in categories), f"{moment:%Y}", f"{moment:%m}", f"{moment:%d}"]
        old = str(front.get("permalink") or "/" + "/".join(parts) + f"/{title_slug}.html")
    else:
        old = str(front.get("permalink") or "")
    draft = path.parent.name == "_drafts" or front.get("published") is False
    return _markdown_post(
        path,
        front,
        body,
        date=moment,
        link=old,
        name=str(front.get("slug") or title_slug),
        draft=draft,
        categories=categories,
        excerpt=str(front.get("excerpt") or front.get("description") or ""),
        photo_folders=(str(path.parent), str(path.parent.parent)),
    )


def _markdown_post(path: Path, front: dict[str, object], body: str, *, draft: bool, **fields: Any) -> Post:
    """A post of a Hugo or Jekyll site: what both read alike (title, tags, author, the
    featured photo, the body as it is, the file it came from), and ``fields`` as each reads them."""
    image, alt = _featured(front)
    return Post(
        image=image,
        image_alt=normalize_line(alt),
        line=1,
        title=str(front.get("title") or ""),
        html="",
        status="draft" if draft else "publish",
        kind="post",
        tags=_strings(front.get("tags")),
        author=str(front.get("author") or ""),
        markdown=body,
        origin=display_path(path),
        **fields,
    )


def _featured(front: dict[str, object]) -> tuple[str, str]:
    """The featured photo of a Hugo or Jekyll post and its alt text, under the names their
    themes use: ``images`` (the first), ``image``, ``featured_image``, ``cover.image``."""
    cover = front.get("cover")
    cover = cover if isinstance(cover, dict) else {}
    candidates: tuple[tuple[object, object], ...] = (
        (front.get("images"), front.get("image_alt")),
        (front.get("image"), front.get("image_alt")),
        (front.get("featured_image"), front.get("featured_image_alt") or front.get("image_alt")),
        (cover.get("image"), cover.get("alt")),
    )
    for listed, alt in candidates:
        value = (listed or [None])[0] if isinstance(listed, list) else listed
        if isinstance(value, dict):  # Jekyll themes: image: {path: ..., alt: ...}
            alt = value.get("alt", alt)
            value = value.get("path")
        if isinstance(value, str) and value.strip():
            return value.strip(), str(alt or "")
    return "", ""


def _kept_markdown(text: str) -> tuple[str, list[str]]:
    """A Markdown body as it is, but for the old generator's template code (reported)."""
    text = _HIGHLIGHT.sub(lambda m: f"```{m[1] or ''}\n{m[2].strip(chr(10))}\n```", text)  # Liquid's code blocks
    dropped = sorted({" ".join(m[0].split())[:40] for m in _TEMPLATE_CODE.finditer(text)})
    text = _TEMPLATE_CODE.sub("", text)
    text = _without_active_tags(text, dropped)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", dropped


def _item_lines(data: bytes) -> list[int]:
    """The line of each post (``item`` or Atom ``entry``) in the file, in order."""
    found: list[int] = []
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")

    def start(name: str, _attributes: object) -> None:
        if name in ("item", f"{_ATOM} entry"):
            found.append(parser.CurrentLineNumber)

    parser.StartElementHandler = start
    parser.Parse(data, True)
    return found


def _text(element: ET.Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _meta(item: ET.Element, wp: str) -> dict[str, str]:
    """A WordPress item's post meta, by key."""
    return {
        _text(meta, f"{{{wp}}}meta_key"): _text(meta, f"{{{wp}}}meta_value")
        for meta in item.findall(f"{{{wp}}}postmeta")
    }


def _attachments(items: list[ET.Element], wp: str) -> dict[str, tuple[str, str]]:
    """The address and alt text of each attachment, by its post id."""
    return {
        _text(item, f"{{{wp}}}post_id"): (
            _text(item, f"{{{wp}}}attachment_url"),
            _meta(item, wp).get("_wp_attachment_image_alt", ""),
        )
        for item in items
        if _text(item, f"{{{wp}}}post_type") == "attachment"
    }


def _wordpress_post(item: ET.Element, line: int, wp: str, attachments: dict[str, tuple[str, str]]) -> Post:
    def field_(name: str) -> str:
        return _text(item, f"{{{wp}}}{name}")

    date = None
    for value, zone in ((field_("post_date_gmt"), timezone.utc), (field_("post_date"), None)):
        if value and not value.startswith("0000"):
            try:
                moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
            except ValueError:
                continue
            date = moment.replace(tzinfo=zone) if zone is not None else moment  # naive: the site's own time
            break
    status = field_("status") or "publish"
    status = "draft" if status in ("draft", "pending") else status
    categories = tuple(_text_of(c) for c in item.findall("category") if c.get("domain") == "category")
    tags = tuple(_text_of(c) for c in item.findall("category") if c.get("domain") == "post_tag")
    excerpt = next((c.text or "" for c in item if c.tag.endswith("}encoded") and "excerpt" in c.tag), "")
    image, alt = attachments.get(_meta(item, wp).get("_thumbnail_id", ""), ("", ""))
    return Post(
        line=line,
        title=_text(item, "title"),
        html=item.findtext(f"{{{_CONTENT}}}encoded") or "",
        date=date,
        link=_text(item, "link"),
        name=unquote(field_("post_name")),
        status=status,
        kind=field_("post_type") or "post",
        categories=tuple(
            c for c in categories if c and c.lower() not in ("uncategorized", "بدون دسته", "دسته‌بندی نشده")
        ),
        tags=tags,
        excerpt=excerpt.strip(),
        author=_text(item, "{http://purl.org/dc/elements/1.1/}creator"),
        image=image,
        image_alt=normalize_line(alt),
    )


def _text_of(element: ET.Element) -> str:
    return normalize_line("".join(element.itertext()))


def _rss_post(item: ET.Element, line: int) -> Post:
    published = _text(item, "pubDate")
    try:
        date = email.utils.parsedate_to_datetime(published) if published else None
    except (TypeError, ValueError):
        date = None
    return Post(
        line=line,
        title=_text(item, "title"),
        html=item.findtext(f"{{{_CONTENT}}}encoded") or item.findtext("description") or "",
        date=date,
        link=_text(item, "link"),
        name="",
        status="publish",
        kind="post",
        tags=tuple(_text_of(c) for c in item.findall("category")),
        excerpt=_text(item, "description") if item.find(f"{{{_CONTENT}}}encoded") is not None else "",
        author=_text(item, "author") or _text(item, "{http://purl.org/dc/elements/1.1/}creator"),
    )


def _atom_post(entry: ET.Element, line: int) -> Post:
    a = f"{{{_ATOM}}}"
    published = _text(entry, f"{a}published") or _text(entry, f"{a}updated")
    try:
        date = datetime.fromisoformat(published.replace("Z", "+00:00")) if published else None
    except ValueError:
        date = None
    links = entry.findall(f"{a}link")
    link = next((x.get("href", "") for x in links if x.get("rel", "alternate") == "alternate"), "")
    content, title = entry.find(f"{a}content"), entry.find(f"{a}title")
    return Post(
        line=line,
        title=_text_of(title) if title is not None else "",
        html=(content.text or "") if content is not None else _text(entry, f"{a}summary"),
        date=date,
        link=link,
        name="",
        status="publish",
        kind="post",
        tags=tuple(c.get("label") or c.get("term") or "" for c in entry.findall(f"{a}category")),
        excerpt=_text(entry, f"{a}summary") if content is not None else "",
        author=_text(entry, f"{a}author/{a}name"),
    )


def plan_import(
    source: Path,
    posts: list[Post],
    zone: tzinfo,
    author_as_source: bool = False,
    uploads: Path | None = None,
    download: bool = False,
) -> Plan:
    """The releases ``posts`` become, under Jalali year folders. Raises ``BuildError``
    with every post that cannot become one (no title, no date), located in ``source``.
    Photos of the posts' HTML are brought beside their release from ``uploads`` (a
    WordPress wp-content/uploads folder), or downloaded with ``download``."""
    plan = Plan()
    problems = []
    taken: set[str] = set()
    addresses: dict[str, tuple[str, int, str]] = {}  # old address → the first post that had it
    for post in posts:
        if post.kind != "post":
            _count(plan, f"{post.kind} (برگه یا پیوست، نه خبر)")
            continue
        if post.status not in ("publish", "draft", "future"):
            _count(plan, f"{post.status} (خصوصی یا زباله‌دان)")
            continue
        shown = post.origin or display_path(source)  # a folder's posts are told at their own file
        title = normalize_line(post.title)
        if not title:  # a page needs a title: the text's first words stand in, and it is told
            text = post.markdown if post.markdown is not None else _SHORTCODE.sub("", post.html)
            words = normalize_line(re.sub(r"<[^>]+>|[#*_>\[\]()`]", " ", text)).split()
            if not words:
                problems.append(Problem(shown, post.line, _NOTHING))
                continue
            title = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
            plan.warnings.append(
                Problem(shown, post.line, f"این نوشته عنوان ندارد؛ عنوانش از آغاز متن شد: «{title}»", WARNING)
            )
        if post.date is None and post.status != "draft":
            problems.append(
                Problem(shown, post.line, f"نوشتهٔ «{title}» تاریخ ندارد؛ در سایت قبلی تاریخ آن را درست کنید")
            )
            continue
        moment = post.date if post.date is not None else datetime.now(zone)  # an undated draft: dated today
        local = (moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)).astimezone(zone)
        year = jalali_date(local)[0]
        slug = _slug(post, taken, year)
        html, photos, missing = _bring_photos(post.html, slug, uploads, download)
        lead = _lead_photo(post, slug, uploads, download, missing)
        if lead is not None:
            photos.append(lead)
        if post.markdown is None:
            body, dropped = _markdown(html)
        else:
            body, dropped = _kept_markdown(_bring_markdown_photos(post, slug, download, photos, missing))
        dropped += missing
        plan.dropped += [f"{year}/{slug}.md: {what}" for what in dict.fromkeys(dropped)]
        front: dict[str, object] = {"title": title, "date": _jalali_text(local, zone)}
        summary = normalize_line(re.sub(r"<[^>]+>", " ", post.excerpt))
        if summary:
            front["summary"] = summary
        if post.categories:
            front["category"] = post.categories[0]
        tags = list(dict.fromkeys(t for t in (*post.categories[1:], *post.tags) if t))
        if tags:
            front["tags"] = tags
        if lead is not None:
            front["image"], front["image_alt"] = lead[0], post.image_alt
        if author_as_source and post.author:
            front["source"] = post.author
        if post.status == "draft":
            front["draft"] = True
        if post.status == "future":
            front["scheduled"] = True
        if post.updated is not None and post.date is not None and post.updated > post.date:
            front["updated"] = _jalali_text(post.updated, zone)
        if post.expires is not None:
            front["expires"] = _jalali_text(post.expires, zone)
        aliases = list(dict.fromkeys([*post.aliases, *_aliases(post.link)]))
        for alias in aliases:
            first = addresses.setdefault(alias, (shown, post.line, title))
            if first[:2] != (shown, post.line):
                problems.append(
                    Problem(
                        shown,
                        post.line,
                        f"نوشتهٔ «{title}» همان نشانی قدیمی «{alias}» را دارد که «{first[2]}» ({first[0]}:{first[1]})؛"
                        " یک نشانی فقط به یک خبر می‌رسد: در سایت قبلی یکی را درست کنید یا از خروجی بردارید",
                    )
                )
        if aliases:
            front["aliases"] = aliases
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000) + "---\n" + body
        plan.files.append(
            Planned(
                f"{year}/{slug}.md",
                text,
                title,
                draft=post.status == "draft",
                scheduled=post.status == "future",
                photos=tuple(dict.fromkeys(photos)),
            )
        )
    if problems:
        raise BuildError(problems)
    return plan


def _jalali_text(moment: datetime, zone: tzinfo) -> str:
    """``moment`` as our front matter spells it: Jalali date and time in ``zone`` (a naive one is taken to be there)."""
    local = (moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)).astimezone(zone)
    year, month, day = jalali_date(local)
    return f"{year}-{month:02d}-{day:02d} {local:%H:%M}"


_NOTHING = "این نوشته نه عنوان دارد نه متن؛ در سایت قبلی درستش کنید یا آن را از خروجی بردارید"


def _count(plan: Plan, reason: str) -> None:
    plan.skipped[reason] = plan.skipped.get(reason, 0) + 1


def _slug(post: Post, taken: set[str], year: int) -> str:
    """An ASCII address for the release: the source's own slug or address where it is
    ASCII, otherwise a stable id from the old address; a second post of the same
    address in the same year gets -2, -3…"""
    path = urlsplit(post.link).path.rstrip("/")
    candidates = (post.name, unquote(path.rsplit("/", 1)[-1]) if path else "")
    base = next((s for s in map(ascii_slugify, candidates) if s and not s.isdigit()), "")
    if not base:
        base = "post-" + hashlib.sha1((post.link or post.title).encode()).hexdigest()[:10]
    slug, number = base, 1
    while f"{year}/{slug}" in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(f"{year}/{slug}")
    return slug


def _aliases(link: str) -> list[str]:
    """The old address's path, as the site's redirects take it (Persian kept readable)."""
    parts = urlsplit(link)
    path = unquote(parts.path) + (f"?{parts.query}" if parts.query else "")
    if not path or path == "/" or "?" in path:
        return []  # «?p=123» addresses cannot be a static page
    return [path if path.endswith(("/", ".html")) else path + "/"]


_IMG = re.compile(r"(<img\b[^>]*?\bsrc=[\"'])([^\"']+)([\"'])", re.I)


def _bring_photos(
    html: str, slug: str, uploads: Path | None, download: bool
) -> tuple[str, list[tuple[str, str]], list[str]]:
    """``html`` with each photo that can be brought over pointing at its file beside the
    release; the photos to bring, (file name, local path or URL); and those that cannot."""
    photos: list[tuple[str, str]] = []
    missing: list[str] = []

    def bring(match: re.Match[str]) -> str:
        src = unescape(match[2])
        if _suffix(src) not in PHOTO_SUFFIXES:
            missing.append(f"عکس آورده نشد (پسوندش عکس نیست): {src}")
            return match[0]
        found = _old_site_photo(src, uploads, download)
        if found is None:
            missing.append(f"عکس آورده نشد (پوشهٔ uploads را با --uploads بدهید یا --download بزنید): {src}")
            return match[0]
        photos.append((_photo_name(slug, src), found))
        return match[1] + photos[-1][0] + match[3]

    return _IMG.sub(bring, html), list(dict.fromkeys(photos)), missing


def _suffix(src: str) -> str:
    return PurePosixPath(urlsplit(src).path).suffix.lower()


def _photo_name(slug: str, src: str) -> str:
    """The file name of a brought photo beside its release: the release's slug, then the photo's."""
    stem = PurePosixPath(unquote(urlsplit(src).path)).stem
    return f"{slug}-{ascii_slugify(stem) or hashlib.sha1(src.encode()).hexdigest()[:8]}{_suffix(src)}"


def _old_site_photo(src: str, uploads: Path | None, download: bool) -> str | None:
    """Where a photo of the old site's HTML comes from: its file in ``uploads``, or its
    address when it may be downloaded; None when neither."""
    local = _in_uploads(src, uploads)
    if local is not None:
        return str(local)
    return src if download and src.startswith(("http://", "https://")) else None


def _lead_photo(
    post: Post, slug: str, uploads: Path | None, download: bool, missing: list[str]
) -> tuple[str, str] | None:
    """The featured image to bring as the release's ``image``: (file name, path or URL);
    None, with the reason in ``missing``, when it cannot come or has no alt text."""
    if not post.image:
        return None
    if not post.image_alt:  # a photo here is described for readers who cannot see it
        missing.append(
            f"عکس شاخص بدون متن جایگزین (alt) آورده نشد؛ پس از آوردن، image و image_alt را بنویسید: {post.image}"
        )
        return None
    if post.markdown is not None:
        found = _markdown_photo(post, post.image, download)
        hint = "برای دریافت --download بزنید" if post.image.startswith(("http://", "https://")) else "پیدا نشد"
    else:
        found = _old_site_photo(post.image, uploads, download)
        hint = "--uploads یا --download"
    if found is None or _suffix(post.image) not in PHOTO_SUFFIXES:
        missing.append(f"عکس شاخص آورده نشد ({hint}): {post.image}")
        return None
    return _photo_name(slug, post.image), found


_MARKDOWN_IMAGE = re.compile(r"(!\[[^\]]*\]\()(<?)([^)\s>]+)(>?)((?:\s+\"[^\"]*\")?\))")


def _bring_markdown_photos(
    post: Post, slug: str, download: bool, photos: list[tuple[str, str]], missing: list[str]
) -> str:
    """The Markdown body of ``post`` with each photo found beside its file (or under the
    old site's root for a /path) pointing at its copy beside the release; photos to bring
    go to ``photos``, those that cannot come to ``missing``."""
    assert post.markdown is not None  # only Markdown posts come here

    def bring(match: re.Match[str]) -> str:
        src = unquote(match[3])
        found = _markdown_photo(post, src, download) if _suffix(src) in PHOTO_SUFFIXES else None
        if found is None:
            if src.startswith(("http://", "https://")):  # still on the old site: linked there until brought
                missing.append(f"عکس آورده نشد (برای دریافت --download بزنید): {src}")
                return match[0]
            missing.append(f"عکس پیدا نشد: {src}")
            return ""  # a photo that is nowhere would stop the build
        photos.append((_photo_name(slug, src), found))
        return f"{match[1]}{photos[-1][0]}{match[5]}"

    return _MARKDOWN_IMAGE.sub(bring, post.markdown)


def _markdown_photo(post: Post, src: str, download: bool) -> str | None:
    """Where a photo of a Markdown post comes from: beside its file, under the old site's
    root for a /path, or its address when it may be downloaded; None when none of these."""
    if src.startswith(("http://", "https://")):
        return src if download else None
    beside, root = (Path(folder) for folder in post.photo_folders)
    path = (root / src.lstrip("/")) if src.startswith("/") else (beside / src)
    return str(path.resolve()) if path.is_file() else None


def _in_uploads(src: str, uploads: Path | None) -> Path | None:
    """The file of a WordPress upload's address in the ``uploads`` folder: itself, or the
    original a resized copy (``-300x200``) was made from."""
    if uploads is None or "/wp-content/uploads/" not in src:
        return None
    relative = unquote(urlsplit(src).path.split("/wp-content/uploads/", 1)[1])
    for candidate in (relative, re.sub(r"-\d+x\d+(\.\w+)$", r"\1", relative)):
        path = (uploads / candidate).resolve()
        if path.is_file() and uploads.resolve() in path.parents:
            return path
    return None


def _without_active_tags(text: str, dropped: list[str]) -> str:
    """``text`` without scripts, styles, frames, objects and forms; each kind removed is
    added to ``dropped``. The site's pages allow none of them (CSP)."""
    for tag in _DROPPED:
        if re.search(rf"<{tag}\b", text, re.I):
            dropped.append(f"<{tag}>")
            text = re.sub(rf"<{tag}\b.*?(</{tag}>|/>)", "", text, flags=re.I | re.S)
    return text


def _markdown(html: str) -> tuple[str, list[str]]:
    """Markdown for a post's HTML, and what was left out (shortcodes, scripts, frames)."""
    dropped = sorted({f"[{m[2]}]" for m in _SHORTCODE.finditer(html) if not m[1]})
    html = _SHORTCODE.sub("", html)
    html = _without_active_tags(html, dropped)
    if not _BLOCK.search(html):  # WordPress keeps paragraphs as blank lines (wpautop adds <p>)
        html = "".join(f"<p>{part.strip()}</p>" for part in re.split(r"\n\s*\n", html) if part.strip())
    text = markdownify(html, heading_style="ATX", bullets="-", strip=["span", "font"])
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text + "\n", dropped


def already_there(plan: Plan, into: Path) -> set[str]:
    """The planned releases whose file exists under ``into``: an import keeps them as they are."""
    return {planned.path for planned in plan.files if (into / planned.path).exists()}


def write_import(plan: Plan, into: Path) -> None:
    """Write the planned files and their photos under ``into``, never over an existing
    file (``already_there``): a second import of the same source changes nothing.
    Photos to download are fetched first: one that cannot be raises ``BuildError``
    before anything is written."""
    kept = already_there(plan, into)
    fresh = [planned for planned in plan.files if planned.path not in kept]
    photos = {
        (into / planned.path).parent / name: source
        for planned in fresh
        for name, source in planned.photos
        if not ((into / planned.path).parent / name).exists()
    }
    fetched = _fetch({path: source for path, source in photos.items() if "://" in source})
    for planned in fresh:
        path = into / planned.path
        path.parent.mkdir(parents=True, exist_ok=True)
        for name, source in planned.photos:
            target = path.parent / name
            if target in photos:
                data = fetched[target] if target in fetched else Path(source).read_bytes()
                with target.open("xb") as file:
                    file.write(data)
        with path.open("x", encoding="utf-8") as file:  # "x": fails rather than overwrite
            file.write(planned.text)


def _fetch(urls: dict[Path, str]) -> dict[Path, bytes]:
    """The bytes at each URL, by the file they are for; every failure at once."""
    fetched, problems = {}, []
    for target, url in urls.items():
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                fetched[target] = response.read()
        except (OSError, ValueError) as exc:
            problems.append(Problem(url, 0, f"عکس دریافت نشد ({exc})؛ بعداً دوباره بزنید یا بدون --download بیاورید"))
    if problems:
        raise BuildError(problems)
    return fetched
