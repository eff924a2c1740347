"""Site configuration: ``config.yaml`` validated into frozen dataclasses.

Every problem in the file is collected and reported at once, each with its line;
an unknown or misspelt key names the key it probably meant.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .dates import parse_jalali_months
from .errors import BuildError, LocatedError, Problem, display_path
from .text import is_ascii_slug
from .yamldoc import YamlMapping, parse_yaml_mapping

TAXONOMY_FIELDS = ("tags", "category", "county")
PERMALINK_FIELDS = ("slug", "jyear", "jmonth", "jday", "year", "month", "day")


@dataclass(frozen=True, slots=True)
class TaxonomyConfig:
    """One taxonomy: the front-matter field, its Persian labels and its URL segment."""

    name: str
    label: str
    singular: str
    path: str
    known_terms: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        """Site-relative URL of the taxonomy's index page."""
        return f"/{self.path}/"


@dataclass(frozen=True, slots=True)
class RelatedConfig:
    """How the related-news list under each release is chosen."""

    count: int = 5
    min_score: float = 0.06
    text_weight: float = 1.0
    tag_weight: float = 0.4
    category_weight: float = 0.05
    county_weight: float = 0.05
    half_life_days: float = 365.0
    include_newer: bool = True
    title_boost: int = 3
    summary_boost: int = 2


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """Feeds (RSS, Atom, JSON Feed) and the news sitemap."""

    items: int = 20
    full_content: bool = False
    taxonomies: tuple[str, ...] = ("category", "county")
    news_days: int = 2


@dataclass(frozen=True, slots=True)
class MenuItem:
    """A link in the site's main navigation."""

    title: str
    url: str


EDITOR_BACKENDS = ("github", "gitlab", "gitea")


@dataclass(frozen=True, slots=True)
class EditorConfig:
    """The web editor under ``/admin/``: the repository it commits to, and how staff log in."""

    enabled: bool = False
    backend: str = "github"
    repo: str = ""  # owner/name
    branch: str = "main"
    auth_url: str = ""  # OAuth server of a GitHub or Gitea login (Decap's backend base_url)
    app_id: str = ""  # GitLab: the OAuth application's id (PKCE login, no server of ours)
    api_root: str = ""  # a self-hosted GitLab or Gitea: its API address
    editorial_workflow: bool = False  # draft → in review → ready, as pull/merge requests

    @property
    def api_origin(self) -> str:
        """The scheme and host the editor's page talks to, for its security policy."""
        if self.api_root:
            return "/".join(self.api_root.split("/")[:3])
        return {"github": "https://api.github.com", "gitlab": "https://gitlab.com"}.get(self.backend, "")


BULLETIN_GROUPS = ("category", "county", "none")


@dataclass(frozen=True, slots=True)
class BulletinConfig:
    """The printed monthly bulletin (``python build.py bulletin``): how an issue is laid out,
    and whether the site publishes each finished month's issue under ``/bulletin/``."""

    publish: bool = False  # typesetting every month costs a cold build minutes: asked for, not assumed
    group_by: str = "category"  # category, county or none
    first_issue: tuple[int, int] | None = None  # Jalali (year, month) of issue number 1
    qr: bool = True  # a QR code of each release's address beside its printed link


# Releases in a search shard by default: an edit at 10,000 releases re-indexes about this
# many, and the search page asks about 40 shards (README, Search).
SEARCH_SHARD_SIZE = 250


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything the build needs to know about the site, validated."""

    title: str
    description: str
    organization: str
    base_url: str
    language: str
    timezone: ZoneInfo
    page_size: int
    permalink: str
    taxonomies: tuple[TaxonomyConfig, ...]
    related: RelatedConfig
    feeds: FeedConfig
    menu: tuple[MenuItem, ...]
    logo: str | None
    iframe_hosts: tuple[str, ...]
    lint_ignore: tuple[str, ...]
    content_dir: Path
    output_dir: Path
    templates_dir: Path
    static_dir: Path
    cache_dir: Path
    config_path: Path = field(compare=False)
    # Warnings fail build and check as errors do (as --strict does). Not compared: it
    # changes no page, so turning it on or off renders nothing again.
    strict: bool = field(default=False, compare=False)
    # Releases in a search-index shard, on average: a shard is what an edit re-indexes.
    # Not compared: the index is planned from it directly, and no page shows it.
    search_shard_size: int = field(default=SEARCH_SHARD_SIZE, compare=False)
    # Not compared: only /admin/ shows it, and its files are kept by their bytes.
    editor: EditorConfig = field(default=EditorConfig(), compare=False)
    bulletin: BulletinConfig = BulletinConfig()

    def portable(self) -> SiteConfig:
        """These settings with their folders relative to the configuration file's: what a
        page or a cached release is made from does not depend on where the project lies
        (a CI runner restores the cache into a checkout at another path)."""
        root = self.config_path.parent
        folders: dict[str, Any] = {name: Path(os.path.relpath(getattr(self, name), root)) for name in _FOLDERS}
        return dataclasses.replace(self, **folders)

    def taxonomy(self, name: str) -> TaxonomyConfig:
        """The taxonomy configured for front-matter field ``name``."""
        return next(t for t in self.taxonomies if t.name == name)

    @property
    def base_path(self) -> str:
        """The path part of ``base_url`` (``/`` or e.g. ``/news-site/``)."""
        return "/" + self.base_url.split("://", 1)[1].partition("/")[2]

    @property
    def content_security_policy(self) -> str:
        """The pages' policy: everything from the site itself, no inline script or style,
        frames only from ``iframe_hosts``, WebAssembly for the search (Pagefind). Pages
        carry it in a meta tag, nginx as a header."""
        frames = " ".join(f"https://{host}" for host in self.iframe_hosts) or "'none'"
        return (
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"frame-src {frames}; object-src 'none'; base-uri 'self'; form-action 'self'"
        )


_DEFAULT_TAXONOMIES = {
    "tags": ("برچسب‌ها", "برچسب", "tags"),
    "category": ("دسته‌ها", "دسته", "category"),
    "county": ("شهرستان‌ها", "شهرستان", "county"),
}
_TOP_KEYS = (
    "title",
    "description",
    "organization",
    "base_url",
    "language",
    "timezone",
    "page_size",
    "permalink",
    "taxonomies",
    "related",
    "feeds",
    "menu",
    "logo",
    "iframe_hosts",
    "lint_ignore",
    "strict",
    "search",
    "editor",
    "bulletin",
    "content_dir",
    "output_dir",
    "templates_dir",
    "static_dir",
    "cache_dir",
)
_TAXONOMY_KEYS = ("label", "singular", "path", "terms")
_FOLDERS = ("content_dir", "output_dir", "templates_dir", "static_dir", "cache_dir")
_RELATED_KEYS = tuple(RelatedConfig.__dataclass_fields__)
_FEED_KEYS = tuple(FeedConfig.__dataclass_fields__)
_MENU_KEYS = ("title", "url")
_EDITOR_KEYS = tuple(EditorConfig.__dataclass_fields__)
_BULLETIN_KEYS = tuple(BulletinConfig.__dataclass_fields__)


def suggest(key: str, known: tuple[str, ...] | list[str]) -> str:
    """«؛ منظورتان «x» بود؟» for the closest known key, or a list of the allowed keys."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"؛ منظورتان «{close[0]}» بود؟"
    return "؛ کلیدهای مجاز: " + "، ".join(known)


class _Reader:
    """Reads typed values out of a parsed YAML mapping, collecting located problems."""

    def __init__(self, doc: YamlMapping, path: str):
        self.doc = doc
        self.path = path
        self.problems: list[Problem] = []

    def error(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.doc.line(key), message))

    def check_keys(self, mapping: dict[str, Any], prefix: str, known: tuple[str, ...]) -> None:
        for key in mapping:
            if key not in known:
                self.error(prefix + str(key), f"کلید ناشناخته «{prefix}{key}»{suggest(str(key), known)}")

    def section(self, mapping: dict[str, Any], key: str) -> dict[str, Any]:
        value = mapping.get(key.rpartition(".")[2])
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(key, f"«{key}» باید فهرستی از «کلید: مقدار» باشد")
            return {}
        return value

    def string(self, mapping: dict[str, Any], key: str, default: str) -> str:
        name = key.rpartition(".")[2]
        if name not in mapping:
            return default
        value = mapping[name]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"«{key}» باید متنی ناخالی باشد")
            return default
        return value.strip()

    def number(self, mapping: dict[str, Any], key: str, default: float, kind: type, minimum: float) -> Any:
        value = mapping.get(key.rpartition(".")[2], default)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (kind is int and not isinstance(value, int))
        ):
            self.error(key, f"«{key}» باید عدد{' صحیح' if kind is int else ''} باشد، نه «{value}»")
            return default
        if value < minimum:
            self.error(key, f"«{key}» باید دست‌کم {minimum} باشد، نه {value}")
            return default
        return kind(value)

    def boolean(self, mapping: dict[str, Any], key: str, default: bool) -> bool:
        value = mapping.get(key.rpartition(".")[2], default)
        if not isinstance(value, bool):
            self.error(key, f"«{key}» باید true یا false باشد، نه «{value}»")
            return default
        return value


def is_base_url(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) address, as ``base_url`` must be."""
    return bool(re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", value))


def load_config(path: Path) -> SiteConfig:
    """Read and validate ``config.yaml``; raises ``BuildError`` listing every problem."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BuildError([Problem(shown, 0, "فایل پیکربندی پیدا نشد؛ مسیر را با --config بدهید")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(
            [Problem(shown, 0, f"فایل پیکربندی خوانده نشد ({exc}); آن را با کدگذاری UTF-8 ذخیره کنید")]
        ) from None
    try:
        doc = parse_yaml_mapping(text, "پیکربندی", numbers=True)
    except LocatedError as exc:
        raise BuildError([Problem(shown, exc.line, exc.message)]) from None
    return parse_config(doc, path)


def parse_config(doc: YamlMapping, path: Path) -> SiteConfig:
    """Validate a parsed configuration; paths inside it are relative to its folder."""
    reader = _Reader(doc, display_path(path))
    raw = doc.values
    reader.check_keys(raw, "", _TOP_KEYS)

    base_url = reader.string(raw, "base_url", "http://localhost:8000/")
    if not is_base_url(base_url):
        reader.error(
            "base_url", f"«base_url» باید نشانی کامل سایت باشد، مثل https://news.example.ir/ ، نه «{base_url}»"
        )
    base_url = base_url.rstrip("/") + "/"

    tz_name = reader.string(raw, "timezone", "Asia/Tehran")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.error("timezone", f"منطقهٔ زمانی «{tz_name}» شناخته نشد؛ مثلاً Asia/Tehran بنویسید")
        timezone = ZoneInfo("Asia/Tehran")

    permalink = reader.string(raw, "permalink", "/news/{jyear}/{slug}/")
    _check_permalink(reader, permalink)

    root = path.parent
    config = SiteConfig(
        title=reader.string(raw, "title", "خبرنامه"),
        description=reader.string(raw, "description", ""),
        organization=reader.string(raw, "organization", ""),
        base_url=base_url,
        language=reader.string(raw, "language", "fa"),
        timezone=timezone,
        page_size=reader.number(raw, "page_size", 10, int, 1),
        permalink=permalink,
        taxonomies=_taxonomies(reader, raw),
        related=_related(reader, raw),
        feeds=_feeds(reader, raw),
        menu=_menu(reader, raw),
        logo=_logo(reader, raw, root),
        iframe_hosts=_hosts(reader, raw),
        lint_ignore=_lint_ignore(reader, raw),
        content_dir=root / reader.string(raw, "content_dir", "content"),
        output_dir=root / reader.string(raw, "output_dir", "output"),
        templates_dir=root / reader.string(raw, "templates_dir", "templates"),
        static_dir=root / reader.string(raw, "static_dir", "static"),
        cache_dir=root / reader.string(raw, "cache_dir", ".cache"),
        config_path=path,
        strict=reader.boolean(raw, "strict", False),
        search_shard_size=_search_shard_size(reader, raw),
        editor=_editor(reader, raw),
        bulletin=_bulletin(reader, raw),
    )
    if reader.problems:
        raise BuildError(reader.problems)
    return config


def _search_shard_size(reader: _Reader, raw: dict[str, Any]) -> int:
    section = reader.section(raw, "search")
    reader.check_keys(section, "search.", ("shard_size",))
    return int(reader.number(section, "search.shard_size", SEARCH_SHARD_SIZE, int, 2))


def _editor(reader: _Reader, raw: dict[str, Any]) -> EditorConfig:
    """The web editor: published when it has a repository to commit to, unless switched off."""
    section = reader.section(raw, "editor")
    reader.check_keys(section, "editor.", _EDITOR_KEYS)
    repo = reader.string(section, "editor.repo", "")
    backend = reader.string(section, "editor.backend", "github")
    if backend not in EDITOR_BACKENDS:
        reader.error("editor.backend", f"«editor.backend» یکی از {'، '.join(EDITOR_BACKENDS)} است، نه «{backend}»")
    if repo and not re.match(r"^[\w.-]+(/[\w.-]+)+$", repo):
        reader.error("editor.repo", f"«editor.repo» نام مخزن است، مثل office/news ، نه «{repo}»")
    enabled = reader.boolean(section, "editor.enabled", bool(repo))
    if enabled and not repo:
        reader.error(
            "editor.enabled",
            "ویرایشگر وب مخزنی برای ثبت خبرها می‌خواهد: «editor.repo» را بدهید (مثل office/news)؛ "
            "برای آزمودن روی همین رایانه python build.py serve --editor کافی است",
        )
    addresses = {}
    for key in ("auth_url", "api_root"):
        addresses[key] = reader.string(section, f"editor.{key}", "")
        if addresses[key] and not is_base_url(addresses[key]):
            reader.error(
                f"editor.{key}",
                f"«editor.{key}» باید نشانی کامل باشد، مثل https://auth.example.ir ، نه «{addresses[key]}»",
            )
    return EditorConfig(
        enabled=enabled,
        backend=backend,
        repo=repo,
        branch=reader.string(section, "editor.branch", "main"),
        auth_url=addresses["auth_url"],
        app_id=reader.string(section, "editor.app_id", ""),
        api_root=addresses["api_root"],
        editorial_workflow=reader.boolean(section, "editor.editorial_workflow", False),
    )


def _bulletin(reader: _Reader, raw: dict[str, Any]) -> BulletinConfig:
    """The printed bulletin's layout, and whether the site publishes it."""
    section = reader.section(raw, "bulletin")
    reader.check_keys(section, "bulletin.", _BULLETIN_KEYS)
    group_by = reader.string(section, "bulletin.group_by", "category")
    if group_by not in BULLETIN_GROUPS:
        reader.error(
            "bulletin.group_by",
            f"«bulletin.group_by» یکی از {'، '.join(BULLETIN_GROUPS)} است (دسته، شهرستان یا بی‌گروه)، نه «{group_by}»",
        )
        group_by = "category"
    first_issue = None
    if "first_issue" in section:
        try:
            first, last = parse_jalali_months(str(section["first_issue"]))
        except LocatedError as exc:
            reader.error("bulletin.first_issue", f"«bulletin.first_issue»: {exc.message}")
        else:
            if first != last:
                reader.error("bulletin.first_issue", "«bulletin.first_issue» یک ماه است، مثل 1403-01: ماه شمارهٔ ۱")
            first_issue = first
    return BulletinConfig(
        publish=reader.boolean(section, "bulletin.publish", False),
        group_by=group_by,
        first_issue=first_issue,
        qr=reader.boolean(section, "bulletin.qr", True),
    )


def _check_permalink(reader: _Reader, permalink: str) -> None:
    fields = re.findall(r"{([^}]*)}", permalink)
    unknown = [f for f in fields if f not in PERMALINK_FIELDS]
    if unknown:
        reader.error(
            "permalink",
            f"در «permalink» جای‌نگهدار «{{{unknown[0]}}}» شناخته نشد{suggest(unknown[0], PERMALINK_FIELDS)}",
        )
    if "slug" not in fields:
        reader.error("permalink", "«permalink» باید {slug} داشته باشد تا نشانی هر خبر یکتا باشد")
    if not (permalink.startswith("/") and permalink.endswith("/")):
        reader.error(
            "permalink", f"«permalink» باید با / شروع و تمام شود، مثل /news/{{jyear}}/{{slug}}/ ، نه «{permalink}»"
        )


def _taxonomies(reader: _Reader, raw: dict[str, Any]) -> tuple[TaxonomyConfig, ...]:
    section = reader.section(raw, "taxonomies")
    reader.check_keys(section, "taxonomies.", TAXONOMY_FIELDS)
    result = []
    paths: dict[str, str] = {}
    for name in TAXONOMY_FIELDS:
        label, singular, path = _DEFAULT_TAXONOMIES[name]
        key = f"taxonomies.{name}"
        item = reader.section(section, key)
        reader.check_keys(item, key + ".", _TAXONOMY_KEYS)
        path = reader.string(item, f"{key}.path", path)
        if not is_ascii_slug(path):
            reader.error(f"{key}.path", f"«{key}.path» باید حروف کوچک لاتین، رقم و خط تیره باشد، نه «{path}»")
        elif path in paths or path in ("news", "archive", "page", "static"):
            reader.error(f"{key}.path", f"مسیر «{path}» برای {name} تکراری یا رزروشده است")
        paths[path] = name
        terms = item.get("terms") or []
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            reader.error(f"{key}.terms", f"«{key}.terms» باید فهرستی از نام‌ها باشد")
            terms = []
        result.append(
            TaxonomyConfig(
                name=name,
                label=reader.string(item, f"{key}.label", label),
                singular=reader.string(item, f"{key}.singular", singular),
                path=path,
                known_terms=tuple(terms),
            )
        )
    return tuple(result)


def _related(reader: _Reader, raw: dict[str, Any]) -> RelatedConfig:
    section = reader.section(raw, "related")
    reader.check_keys(section, "related.", _RELATED_KEYS)
    d = RelatedConfig()
    return RelatedConfig(
        count=reader.number(section, "related.count", d.count, int, 0),
        min_score=reader.number(section, "related.min_score", d.min_score, float, 0),
        text_weight=reader.number(section, "related.text_weight", d.text_weight, float, 0),
        tag_weight=reader.number(section, "related.tag_weight", d.tag_weight, float, 0),
        category_weight=reader.number(section, "related.category_weight", d.category_weight, float, 0),
        county_weight=reader.number(section, "related.county_weight", d.county_weight, float, 0),
        half_life_days=reader.number(section, "related.half_life_days", d.half_life_days, float, 1),
        include_newer=reader.boolean(section, "related.include_newer", d.include_newer),
        title_boost=reader.number(section, "related.title_boost", d.title_boost, int, 1),
        summary_boost=reader.number(section, "related.summary_boost", d.summary_boost, int, 1),
    )


def _feeds(reader: _Reader, raw: dict[str, Any]) -> FeedConfig:
    section = reader.section(raw, "feeds")
    reader.check_keys(section, "feeds.", _FEED_KEYS)
    d = FeedConfig()
    taxonomies = section.get("taxonomies", list(d.taxonomies))
    if not isinstance(taxonomies, list) or any(t not in TAXONOMY_FIELDS for t in taxonomies):
        reader.error("feeds.taxonomies", f"«feeds.taxonomies» باید فهرستی از {'، '.join(TAXONOMY_FIELDS)} باشد")
        taxonomies = list(d.taxonomies)
    return FeedConfig(
        items=reader.number(section, "feeds.items", d.items, int, 1),
        full_content=reader.boolean(section, "feeds.full_content", d.full_content),
        taxonomies=tuple(taxonomies),
        news_days=reader.number(section, "feeds.news_days", d.news_days, int, 1),
    )


def _hosts(reader: _Reader, raw: dict[str, Any]) -> tuple[str, ...]:
    """Hosts whose iframes (e.g. a video player) may appear in releases."""
    hosts = raw.get("iframe_hosts") or []
    if not isinstance(hosts, list) or not all(
        isinstance(h, str) and re.match(r"^[a-z0-9.-]+$", h.lower()) for h in hosts
    ):
        reader.error("iframe_hosts", "«iframe_hosts» باید فهرستی از نام میزبان‌ها باشد، مثل [www.aparat.com]")
        return ()
    return tuple(h.lower() for h in hosts)


def _lint_ignore(reader: _Reader, raw: dict[str, Any]) -> tuple[str, ...]:
    """Check rules silenced for the whole site."""
    rules = raw.get("lint_ignore") or []
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        reader.error("lint_ignore", "«lint_ignore» باید فهرستی از شناسهٔ قاعده‌ها باشد، مثل [double-space]")
        return ()
    return tuple(rules)


def _logo(reader: _Reader, raw: dict[str, Any], root: Path) -> str | None:
    """Path under static/ of the organisation's logo (for search engines' news data)."""
    logo = reader.string(raw, "logo", "")
    if not logo:
        return None
    static = root / reader.string(raw, "static_dir", "static")
    if not (static / logo.lstrip("/")).is_file():
        reader.error("logo", f"فایل «{logo}» در پوشهٔ static پیدا نشد")
    return logo.lstrip("/")


def _menu(reader: _Reader, raw: dict[str, Any]) -> tuple[MenuItem, ...]:
    items = raw.get("menu")
    if items is None:
        return (MenuItem("خانه", "/"), MenuItem("آرشیو", "/archive/"))
    if not isinstance(items, list):
        reader.error("menu", "«menu» باید فهرستی از پیوندها باشد (هر کدام با title و url)")
        return ()
    menu = []
    for index, item in enumerate(items):
        key = f"menu.{index}"
        if not isinstance(item, dict):
            reader.error(key, "هر پیوند «menu» باید title و url داشته باشد")
            continue
        reader.check_keys(item, key + ".", _MENU_KEYS)
        url = reader.string(item, f"{key}.url", "/")
        if not (url.startswith("/") or re.match(r"^https?://", url)):
            reader.error(f"{key}.url", f"نشانی پیوند منو باید با / یا http شروع شود، نه «{url}»")
        menu.append(MenuItem(reader.string(item, f"{key}.title", "?"), url))
    return tuple(menu)
