"""The web editor at /admin/ (Decap CMS, configured from config.yaml), driven in Chromium
against ``build.py serve --editor``: a release written, edited and unpublished through the
form lands in content/ as the build reads it, and the site shows it."""

import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import REPO, photo, release
from playwright.sync_api import expect
from test_serve import free_port, wait_for

from newsroom.cli import main
from newsroom.config import load_config
from newsroom.content import FIELDS
from newsroom.dates import format_jalali, parse_date
from newsroom.editor import DECAP
from newsroom.repository import LocalRepository, RequestError
from newsroom.text import is_ascii_slug

AXE = REPO / "tests" / "fixtures" / "axe" / "axe.min.js"
NOW = "1403-09-01 12:00"
TITLE = "آغاز کارگاه قالی‌بافی بانوان در روستای ابرسج"
EDITED = "سقف مدرسهٔ روستای دروار پیش از باران‌های پاییزی بازسازی شد"
SLUG = "abarsej-carpet-workshop"
FILE = f"content/1403/1403-08-20-{SLUG}.md"
SAFFRON = "برداشت زعفران در مزارع شاهرود آغاز شد"
SCHOOL = """---
title: بازسازی سقف مدرسهٔ روستای دروار
date: 1403-07-03
tags: [مدرسه‌سازی, دروار]
category: محرومیت‌زدایی
county: دامغان
---
سقف مدرسهٔ روستای دروار پیش از بارش‌های پاییزی بازسازی شد.
"""
PAGE = f"output/news/1403/{SLUG}/index.html"
SCHOOL_FILE = "content/1403/1403-07-03-school-roof.md"
SCHOOL_PAGE = "output/news/1403/school-roof/index.html"
# The front matter the form must write: our keys, in the form's order, nothing left empty.
EXPECTED = f"""---
title: {TITLE}
slug: {SLUG}
date: 1403-08-20 10:30
summary: کارگاه آموزش قالی‌بافی برای ۲۰ نفر از بانوان روستا آغاز شد.
tags: قالی‌بافی، اشتغال بانوان
category: اشتغال و کارآفرینی
county: شاهرود
image: loom.jpg
image_alt: بانوان روستا پشت دار قالی
image_caption: کارگاه قالی‌بافی روستای ابرسج
source: روابط عمومی سازمان بسیج سازندگی استان سمنان
related:
  - saffron-harvest
---
به گزارش روابط عمومی؛ کارگاه آموزش قالی‌بافی در روستای ابرسج آغاز شد.
"""


def _site(folder: Path, editor: str = "") -> Path:
    """The bulletin's own configuration (its categories and counties) over ``folder``."""
    config = folder / "config.yaml"
    config.write_text(
        (REPO / "config.yaml").read_text(encoding="utf-8")
        + f"templates_dir: {REPO / 'templates'}\nstatic_dir: {REPO / 'static'}\n"
        + editor,
        encoding="utf-8",
    )
    content = folder / "content" / "1403"
    content.mkdir(parents=True)
    saffron = release(SAFFRON, "1403-08-12 09:00", "برداشت گل زعفران.", slug="saffron-harvest", category="کشاورزی")
    (content / "1403-08-12-saffron-harvest.md").write_text(saffron, encoding="utf-8")
    # Written by hand, as releases were before the form: no slug, tags as a YAML list, no time.
    (content / "1403-07-03-school-roof.md").write_text(SCHOOL, encoding="utf-8")
    return config


def test_the_vendored_editor_is_the_npm_package_unchanged():
    listed = dict(line.split()[::-1] for line in (DECAP / "SHA256SUMS").read_text().splitlines())
    on_disk = {p.name for p in DECAP.iterdir()} - {"SHA256SUMS", "README.md", "LICENSE"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((DECAP / name).read_bytes()).hexdigest() == digest, f"{name} was changed by hand"
    assert "MIT License" in (DECAP / "LICENSE").read_text()


def test_the_editors_form_follows_the_configuration(tmp_path, capsys):
    config = _site(tmp_path, "editor:\n  repo: office/news\n  editorial_workflow: true\n")
    assert main(["build", "--quiet", "--no-search", "--config", str(config), "--now", NOW]) == 0
    decap = yaml.safe_load((tmp_path / "output/admin/config.yml").read_text(encoding="utf-8"))
    site = load_config(config)
    fields = {f["name"]: f for f in decap["collections"][0]["fields"]}
    # Categories and counties are the configured terms: a typo cannot be saved.
    assert fields["category"]["options"] == list(site.taxonomy("category").known_terms)
    assert fields["county"]["options"] == list(site.taxonomy("county").known_terms)
    assert fields["date"]["widget"] == "jalali-date"
    assert set(fields) - {"body"} <= set(FIELDS)
    assert decap["backend"] == {**decap["backend"], "name": "github", "repo": "office/news", "branch": "main"}
    assert decap["publish_mode"] == "editorial_workflow"
    assert "local_backend" not in decap  # the hosted site's editor talks to the repository only
    # The slug rule is the build's.
    for slug in ("abarsej-carpet-workshop", "a1", "news-2024", "Abarsej", "a--b", "-a", "قالی", "a_b"):
        assert bool(re.fullmatch(fields["slug"]["pattern"][0], slug)) == is_ascii_slug(slug), slug
    # The admin page's policy: in the page, and in nginx's configuration for /admin/ only.
    page = (tmp_path / "output/admin/index.html").read_text(encoding="utf-8")
    assert 'lang="fa" dir="rtl"' in page and "https://api.github.com" in page
    nginx = (tmp_path / "output/.nginx.conf").read_text(encoding="utf-8")
    assert 'if ($uri ~ "^/admin/")' in nginx and "'unsafe-eval'" in nginx.split("if ($uri")[1]
    assert "'unsafe-eval'" not in nginx.split("if ($uri")[0]
    capsys.readouterr()

    # Switched off, or never given a repository: no /admin/ at all.
    config.write_text(config.read_text(encoding="utf-8").replace("  editorial_workflow: true\n", "  enabled: false\n"))
    assert main(["build", "--quiet", "--no-search", "--config", str(config), "--now", NOW]) == 0
    assert not (tmp_path / "output/admin").exists()
    assert "admin" not in (tmp_path / "output/.nginx.conf").read_text(encoding="utf-8")


def test_the_editor_switched_on_without_a_repository_is_told_what_to_give(tmp_path, capsys):
    config = _site(tmp_path, "editor:\n  enabled: true\n")
    assert main(["build", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "config.yaml:" in err and "editor.repo" in err and "serve --editor" in err


def test_the_local_backend_writes_only_inside_the_content_folder(tmp_path):
    config = _site(tmp_path)
    repository = LocalRepository(tmp_path, tmp_path / "content")
    for path in ("config.yaml", "../outside.md", "content/../config.yaml", "/etc/passwd", "templates/base.html"):
        with pytest.raises(RequestError):
            repository.answer("persistEntry", {"entry": {"path": path, "raw": "x"}, "assets": []})
    assert config.read_text(encoding="utf-8").startswith("# Site configuration")
    assert not (tmp_path.parent / "outside.md").exists()
    # A refused request writes nothing, not even the files of it that were allowed.
    with pytest.raises(RequestError):
        repository.answer(
            "persistEntry",
            {
                "entry": {"path": "content/1403/new.md", "raw": "---\ntitle: x\n---\n"},
                "assets": [{"path": "static/evil.js", "content": "", "encoding": "base64"}],
            },
        )
    assert not (tmp_path / "content/1403/new.md").exists()
    listed = repository.answer("entriesByFolder", {"folder": "content", "extension": "md", "depth": 2})
    assert sorted(e["file"]["path"] for e in listed) == [
        "content/1403/1403-07-03-school-roof.md",
        "content/1403/1403-08-12-saffron-harvest.md",
    ]


@pytest.fixture
def editor(tmp_path):
    """``build.py serve --editor`` on the bulletin's configuration: its address."""
    config = _site(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--editor", "--no-search"]
        + ["--port", str(port), "--config", str(config), "--now", NOW],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _answers(origin), 30), "the server did not start"
        yield origin
    finally:
        server.terminate()
        server.wait(timeout=10)


def _answers(origin: str) -> bool:
    try:
        return urllib.request.urlopen(origin + "/admin/", timeout=2).status == 200
    except OSError:
        return False


def _post(origin: str, body: dict, headers: dict) -> int:
    request = urllib.request.Request(origin + "/api/v1", json.dumps(body).encode(), headers, method="POST")
    try:
        return urllib.request.urlopen(request, timeout=5).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_another_site_cannot_write_through_the_local_backend(tmp_path, editor):
    entry = {"action": "persistEntry", "params": {"entry": {"path": "content/x.md", "raw": "x"}, "assets": []}}
    # A form or fetch of another site: a simple request (no JSON type), or one from elsewhere.
    assert _post(editor, entry, {"Content-Type": "text/plain"}) == 403
    assert _post(editor, entry, {"Content-Type": "application/json", "Origin": "http://evil.example"}) == 403
    assert not (tmp_path / "content/x.md").exists()
    assert _post(editor, {"action": "info"}, {"Content-Type": "application/json", "Origin": editor}) == 200


def test_a_release_is_written_edited_and_unpublished_through_the_form(tmp_path, editor, browser):
    shots = Path(os.environ.get("NEWSROOM_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    outside, refused, failures = [], [], []
    tab.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((editor, "data:", "blob:"))
            else (outside.append(route.request.url), route.abort())
        ),
    )
    tab.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    tab.on("pageerror", lambda error: failures.append(str(error)))
    loom = photo(tmp_path / "loom.jpg", (1200, 800))

    tab.goto(editor + "/admin/")
    tab.get_by_role("button", name="وارد شدن").click()
    tab.get_by_role("link", name=SAFFRON).wait_for()
    tab.screenshot(path=shots / "editor-list.png")
    tab.locator('a[href="#/collections/releases/new"]').click()

    tab.get_by_label("عنوان").fill(TITLE)
    tab.get_by_label("نشانی (لاتین)").fill(SLUG)
    date = tab.get_by_label("تاریخ و ساعت")
    date.fill("۱۴۰۲/۱۲/۳۰ ۱۰:۳۰")  # 1402 is not a leap year
    tab.get_by_label("خلاصه").fill("کارگاه آموزش قالی‌بافی برای ۲۰ نفر از بانوان روستا آغاز شد.")
    tab.get_by_label("برچسب‌ها").fill("قالی‌بافی، اشتغال بانوان")
    tab.locator("#category-field-6").click()
    tab.get_by_role("option", name="اشتغال و کارآفرینی").click()
    tab.locator("#county-field-7").click()
    tab.get_by_role("option", name="شاهرود").click()
    tab.get_by_role("button", name="یک تصویر را انتخاب کنید").click()
    tab.locator("input[type=file]").set_input_files(
        files=[{"name": "loom.jpg", "mimeType": "image/jpeg", "buffer": loom}]
    )
    tab.get_by_role("button", name="انتخاب شده را انتخاب کنید").click()
    tab.get_by_label("زیرنویس عکس").fill("کارگاه قالی‌بافی روستای ابرسج")
    tab.locator("#related-field-12").fill("زعفران")
    tab.get_by_role("option", name=SAFFRON).click()
    tab.locator("[data-slate-editor]").click()
    tab.keyboard.type("به گزارش روابط عمومی؛ کارگاه آموزش قالی‌بافی در روستای ابرسج آغاز شد.")

    # An impossible date is refused in the form, with the build's reason.
    _publish(tab)
    tab.get_by_text("اسفند ۱۴۰۲ فقط ۲۹ روز دارد؛ سال ۱۴۰۲ کبیسه نیست").wait_for()
    # Picked from the calendar instead: Aban 1403, the 20th; the time typed stays.
    date.fill("۱۴۰۳/۰۸/۰۱ ۱۰:۳۰")
    tab.get_by_role("button", name="تقویم").click()
    tab.get_by_role("button", name="یک‌شنبه ۲۰ آبان ۱۴۰۳").click()
    assert date.input_value() == "۱۴۰۳/۰۸/۲۰ ۱۰:۳۰"
    shown = format_jalali(parse_date("1403-08-20 10:30", load_config(tmp_path / "config.yaml").timezone), "datetime")
    tab.get_by_text(shown).first.wait_for()  # the date read back, as the page will show it

    # A photo without its alt text is refused before anything is written.
    _publish(tab)
    tab.get_by_text("متن جایگزین عکس را بنویسید").first.wait_for()
    assert not (tmp_path / FILE).exists()
    tab.get_by_label("متن جایگزین عکس").fill("بانوان روستا پشت دار قالی")
    failures.clear()  # the editor reports both refusals above as uncaught errors too

    # The preview: the site's stylesheet and font, right to left, the Jalali date.
    preview = tab.frame_locator("iframe").first
    preview.get_by_role("heading", name=TITLE).wait_for()
    assert preview.locator("main").get_attribute("dir") == "rtl"
    assert preview.get_by_text(shown).count() == 1
    font = preview.locator("h1").evaluate("e => getComputedStyle(e).fontFamily")
    assert "Vazirmatn" in font
    tab.screenshot(path=shots / "editor-form.png")

    assert _axe(tab, ".jalali-date") == []  # our widget, calendar open
    page_rules = _axe(tab, "html", ["html-has-lang", "html-lang-valid", "document-title", "meta-viewport"])
    assert page_rules == []  # what the admin page itself sets

    _saved(tab)
    assert (tmp_path / FILE).read_text(encoding="utf-8") == EXPECTED
    assert (tmp_path / "content/1403/loom.jpg").read_bytes() == loom  # beside the release, as the build reads it
    assert main(["check", "--strict", "--config", str(tmp_path / "config.yaml"), "--now", NOW]) == 0
    assert wait_for(lambda: _shows(tmp_path / PAGE, f"<h1>{TITLE}</h1>"), 30), "the site was not rebuilt"
    built = (tmp_path / PAGE).read_text(encoding="utf-8")
    assert shown in built and 'alt="بانوان روستا پشت دار قالی"' in built

    # Edited: a release written by hand opens in the form and keeps what the form did not
    # touch (no slug is added, so its address stays; its tags stay a list).
    tab.goto(editor + "/admin/#/collections/releases")
    tab.reload()  # the address alone changes only the fragment
    tab.get_by_role("link", name="بازسازی سقف مدرسهٔ روستای دروار").click()
    expect(tab.get_by_label("برچسب‌ها")).to_have_value("مدرسه‌سازی، دروار")
    tab.get_by_label("عنوان").fill(EDITED)
    _saved(tab)
    school = yaml.safe_load((tmp_path / SCHOOL_FILE).read_text(encoding="utf-8").split("---")[1])
    assert school == {**yaml.safe_load(SCHOOL.split("---")[1]), "title": EDITED}
    assert main(["check", "--strict", "--config", str(tmp_path / "config.yaml"), "--now", NOW]) == 0
    assert wait_for(lambda: _shows(tmp_path / SCHOOL_PAGE, f"<h1>{EDITED}</h1>"), 30)

    # Unpublished: marked as a draft, and its page leaves the site.
    tab.goto(editor + f"/admin/#/collections/releases/entries/1403/1403-08-20-{SLUG}")
    tab.reload()
    expect(tab.get_by_label("عنوان")).to_have_value(TITLE)
    tab.get_by_label("پیش‌نویس (منتشر نشود)").click()
    _saved(tab)
    assert _shows(tmp_path / FILE, "\ndraft: true\n")
    assert wait_for(lambda: not (tmp_path / PAGE).exists(), 30), "the draft is still on the site"

    assert outside == [], "the editor asked another site for something"
    assert refused == [], "the admin page's policy refused something the editor needs"
    assert failures == []
    context.close()


def _publish(tab) -> None:
    tab.get_by_role("button", name="انتشار").first.click()
    tab.get_by_role("menuitem", name="اکنون منتشر کنید").click()


def _saved(tab) -> None:
    """Publish, and wait for the local backend to answer the save. (The route that watches
    requests runs only while the test is inside Playwright, so the test waits here.)"""
    with tab.expect_response(lambda r: '"persistEntry"' in (r.request.post_data or ""), timeout=30_000) as answer:
        _publish(tab)
    assert answer.value.ok, answer.value.text()


def _shows(path: Path, text: str) -> bool:
    return path.exists() and text in path.read_text(encoding="utf-8")


def _axe(tab, include: str, rules: list[str] | None = None) -> list[str]:
    """axe-core's violations within ``include`` (only ``rules``, when given). Injected
    through the debugging protocol, which the page's policy does not govern."""
    tab.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    options = {"resultTypes": ["violations"], **({"runOnly": {"type": "rule", "values": rules}} if rules else {})}
    result = tab.evaluate("([include, options]) => axe.run({include: [include]}, options)", [include, options])
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result["violations"]]
