"""The web editor under ``/admin/``: Decap CMS, served by the site itself, its
configuration made from ``config.yaml`` so it cannot drift from what the build accepts.

Staff log in with the repository's host (GitHub, GitLab, Gitea) and every save is a
commit of a Markdown release like one made with git; ``build.py serve --editor`` answers
the editor's local backend on the working copy instead (``repository``).
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .assets import Asset
from .output import OutputFile, Record
from .site import Site

DATA = Path(__file__).parent / "data"
DECAP = DATA / "decap-cms"
DECAP_VERSION = "3.16.3"
EDITOR_SCRIPT = DATA / "editor.js"
EDITOR_STYLE = DATA / "editor.css"
LOCAL_BACKEND = "/api/v1"  # answered by build.py serve --editor
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")  # where Decap looks for a local backend
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"  # text.is_ascii_slug, as a JavaScript pattern


def editor_policy(site: Site) -> str:
    """The admin page's Content-Security-Policy. Wider than the site's, for what Decap
    needs: its stylesheet is written at run time (inline styles), it evaluates code
    (``unsafe-eval``: its YAML and template libraries), it reads photos being uploaded as
    blob: and data: addresses, and it talks to the repository host's API. Nothing else:
    no other script origin, no frames but its own preview, no plug-ins."""
    editor = site.config.editor
    api = f" {editor.api_origin}" if editor.api_origin else ""
    images = " https://avatars.githubusercontent.com" if editor.backend == "github" and not editor.api_root else api
    return (
        "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{images}; font-src 'self' data:; connect-src 'self' blob:{api}; "
        "frame-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def decap_config(site: Site) -> dict[str, Any]:
    """Decap's ``config.yml``: the releases collection with our front-matter fields and
    their rules — categories and counties from the configured terms, an ASCII slug,
    the Jalali date widget, the photo's alt text — and the repository backend."""
    config, editor = site.config, site.config.editor
    backend: dict[str, Any] = {
        "name": editor.backend,
        "repo": editor.repo or "local/working-copy",
        "branch": editor.branch,
    }
    if editor.auth_url:
        backend["base_url"] = editor.auth_url
    if editor.api_root:
        backend["api_root"] = editor.api_root
    if editor.backend == "gitlab" and editor.app_id:
        backend.update(auth_type="pkce", app_id=editor.app_id)
    backend["commit_messages"] = {
        "create": "خبر تازه: {{slug}}",
        "update": "ویرایش خبر: {{slug}}",
        "delete": "حذف خبر: {{slug}}",
        "uploadMedia": "عکس: {{path}}",
        "deleteMedia": "حذف عکس: {{path}}",
    }
    content = config.content_dir.relative_to(config.config_path.parent).as_posix()
    decap: dict[str, Any] = {
        "backend": backend,
        "locale": "fa",
        "site_url": config.base_url,
        "display_url": config.base_url,
        "media_folder": content,
        "public_folder": "",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": [_releases(site, content)],
    }
    if urlsplit(config.base_url).hostname in LOOPBACK_HOSTS:
        # Built by serve --editor, which answers there; Decap wants the whole address.
        decap["local_backend"] = {"url": config.base_url + LOCAL_BACKEND.lstrip("/")}
    if config.logo:
        decap["logo_url"] = f"{config.base_url}static/{config.logo}"
    if editor.editorial_workflow:
        decap["publish_mode"] = "editorial_workflow"
    return decap


def _releases(site: Site, content: str) -> dict[str, Any]:
    config = site.config
    source = config.organization or config.title

    def term(name: str) -> dict[str, Any]:
        taxonomy = config.taxonomy(name)
        field: dict[str, Any] = {"name": name, "label": taxonomy.singular, "required": False}
        if taxonomy.known_terms:
            return {**field, "widget": "select", "options": list(taxonomy.known_terms)}
        return {**field, "widget": "string"}

    return {
        "name": "releases",
        "label": "خبرها",
        "label_singular": "خبر",
        "description": "هر خبر یک فایل در مخزن سایت",
        "folder": content,
        # content/1403/1403-08-20-slug.md, as build.py new names a release: each part cut
        # from the stored date «1403-08-20 10:30» (Decap drops the trailing space). A path
        # template takes neither "fields." (its dots become dashes) nor single quotes.
        "path": '{{date | truncate(4, " ")}}/{{date | truncate(10, " ")}}-{{slug}}',
        "slug": "{{fields.slug}}",
        "extension": "md",
        "format": "frontmatter",
        "create": True,
        "media_folder": "",  # photos beside their release, where the build looks for them
        "public_folder": "",
        "summary": "{{title}}",
        "sortable_fields": ["date", "title"],
        "view_filters": [{"label": "پیش‌نویس‌ها", "field": "draft", "pattern": True}],
        "fields": [
            {"name": "title", "label": "عنوان", "widget": "string"},
            {
                "name": "slug",
                "label": "نشانی (لاتین)",
                "widget": "string",
                # Required of new releases by editor.js: older ones may be named by their file.
                "required": False,
                "pattern": [SLUG_PATTERN, "فقط حروف کوچک لاتین، رقم و خط تیره، مثل shahroud-workshop"],
                "hint": "بخش پایانی نشانی خبر در سایت؛ پس از انتشار آن را تغییر ندهید"
                " (خبرهای قدیمی بی‌نشانی را خالی بگذارید).",
            },
            {
                "name": "date",
                "label": "تاریخ و ساعت",
                "widget": "jalali-date",
                "hint": "مثل ۱۴۰۳/۰۲/۱۵ ۱۰:۳۰ (به وقت تهران)؛ یا از تقویم برگزینید.",
            },
            {
                "name": "summary",
                "label": "خلاصه",
                "widget": "text",
                "required": False,
                "hint": "یک یا دو جمله برای فهرست‌ها؛ اگر ننویسید، بند نخست متن می‌آید.",
            },
            {
                "name": "tags",
                "label": config.taxonomy("tags").label,
                "widget": "terms",
                "required": False,
                "hint": "برچسب‌ها را با ، جدا کنید.",
            },
            term("category"),
            term("county"),
            {"name": "image", "label": "عکس", "widget": "image", "required": False, "choose_url": False},
            {
                "name": "image_alt",
                "label": "متن جایگزین عکس",
                "widget": "string",
                "required": False,
                "hint": "آنچه در عکس دیده می‌شود، برای کسی که آن را نمی‌بیند؛ با عکس الزامی است.",
            },
            {"name": "image_caption", "label": "زیرنویس عکس", "widget": "string", "required": False},
            {
                "name": "source",
                "label": "منبع",
                "widget": "string",
                "required": False,
                "default": f"روابط عمومی {source}",
            },
            {
                "name": "related",
                "label": "خبرهای مرتبط (اول فهرست)",
                "widget": "relation",
                "collection": "releases",
                "search_fields": ["title"],
                "display_fields": ["title"],
                "value_field": "slug",
                "multiple": True,
                "required": False,
            },
            {
                "name": "draft",
                "label": "پیش‌نویس (منتشر نشود)",
                "widget": "boolean",
                "default": False,
                "required": False,
            },
            {
                "name": "scheduled",
                "label": "زمان‌بندی‌شده (در تاریخ آینده خودش منتشر شود)",
                "widget": "boolean",
                "default": False,
                "required": False,
            },
            {"name": "body", "label": "متن خبر", "widget": "markdown"},
        ],
    }


def render_editor(site: Site, assets: tuple[Asset, ...], previous: dict[str, Record] | None) -> list[OutputFile]:
    """The files of ``/admin/``: its page, Decap's ``config.yml``, Decap itself and our
    widget and preview script. None when the editor is off."""
    if not site.config.editor.enabled:
        return []
    stylesheet = next((a.url for a in assets if a.path == "css/site.css"), "")
    script, style = EDITOR_SCRIPT.read_bytes(), EDITOR_STYLE.read_bytes()
    files = [
        OutputFile("admin/index.html", _page(site, stylesheet, script, style)),
        OutputFile(
            "admin/config.yml", yaml.safe_dump(decap_config(site), allow_unicode=True, sort_keys=False).encode()
        ),
        OutputFile("admin/editor.js", script),
        OutputFile("admin/editor.css", style),
    ]
    # Decap's 98 files: kept by the digests they are published under, without reading them.
    digests = dict(line.split()[::-1] for line in (DECAP / "SHA256SUMS").read_text().splitlines())
    for name, digest in digests.items():
        dest = f"admin/{name}"
        before = (previous or {}).get(dest)
        if before is not None and before.fingerprint == digest:
            files.append(OutputFile(dest, fingerprint=digest, kept=True))
        else:
            files.append(OutputFile(dest, source=DECAP / name, fingerprint=digest))
    return files


def _page(site: Site, stylesheet: str, script: bytes, style: bytes) -> bytes:
    config = site.config
    preview = f"..{stylesheet}" if stylesheet else ""
    script_version, style_version = (hashlib.sha256(data).hexdigest()[:10] for data in (script, style))
    return f"""<!doctype html>
<html lang="{html.escape(config.language)}" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta http-equiv="Content-Security-Policy" content="{editor_policy(site)}">
<title>ویرایشگر خبرها — {html.escape(config.title)}</title>
<link href="config.yml" type="text/yaml" rel="cms-config-url">
<link href="editor.css?v={style_version}" rel="stylesheet">
</head>
<body>
<script src="decap-cms.js?v={DECAP_VERSION}"></script>
<script src="editor.js?v={script_version}" data-preview-style="{html.escape(preview)}"
  data-timezone="{html.escape(config.timezone.key)}"></script>
</body>
</html>
""".encode()
