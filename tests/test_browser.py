"""The bulletin in a real browser: accessible (axe-core), right to left, fits a 360 px
phone, loads nothing from elsewhere, prints cleanly."""

import json
import shutil
from urllib.parse import quote

import pytest
from browser import served
from conftest import REPO

from newsroom.cli import main

AXE = REPO / "tests" / "fixtures" / "axe" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0 (LICENSE beside it)
BULLETIN_NOW = "1404-06-01 12:00"  # after every release of the sample bulletin but the scheduled ones
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
PAGES = {
    "home": "/",
    "article": "/news/1403/condolence-kermani/",  # with a photo and its caption
    "article with a body photo": "/news/1403/home-products-exhibition/",
    "term": "/county/" + quote("گرمسار") + "/",
    "archive": "/archive/1403/",
    "404": "/404.html",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The repository's own bulletin, built once and served on a free port."""
    output = tmp_path_factory.mktemp("bulletin") / "output"
    assert (
        main(
            [
                "build",
                "--config",
                str(REPO / "config.yaml"),
                "--output",
                str(output),
                "--now",
                BULLETIN_NOW,
                "--quiet",
                "--no-cache",
            ]
        )
        == 0
    )
    # Served from the site's own origin, axe runs under the pages' CSP (script-src 'self').
    shutil.copyfile(AXE, output / "axe-for-tests.js")
    with served(output) as origin:
        yield origin.rstrip("/")


def visit(page, site: str, url: str, viewport: dict, scheme: str = "light") -> list[str]:
    """Open ``url`` at ``viewport`` size; returns every URL the page requested.

    Whatever the page's Content-Security-Policy refuses fails the test."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: _refused(message.text))
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    page.goto(site + url, wait_until="load")
    page.evaluate("document.fonts.ready")
    return requested


def _refused(text: str) -> None:
    assert "Content Security Policy" not in text, text


def axe_violations(page) -> list[str]:
    page.add_script_tag(url="/axe-for-tests.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} — " + json.dumps([n["target"] for n in v["nodes"]][:5], ensure_ascii=False)
        for v in result["violations"]
    ]


@pytest.mark.parametrize(
    "viewport, scheme", [(PHONE, "light"), (DESKTOP, "light"), (PHONE, "dark")], ids=["phone", "desktop", "phone-dark"]
)
@pytest.mark.parametrize("name", PAGES)
def test_pages_are_accessible_rtl_self_contained_and_fit_a_phone(page, site, name, viewport, scheme):
    requested = visit(page, site, PAGES[name], viewport, scheme)
    assert axe_violations(page) == []
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # no sideways scrolling
    assert [url for url in requested if not url.startswith(site + "/")] == []  # no CDN, no tracker, no web font host


def test_photos_load_as_webp_at_a_width_the_screen_needs(page, site):
    visit(page, site, PAGES["article"], PHONE)
    lead = page.locator(".photo img")
    assert lead.evaluate("img => img.complete && img.naturalWidth > 0")
    assert lead.evaluate("img => img.currentSrc").endswith("-480.webp")  # 328 css px wide on the phone
    assert lead.get_attribute("width") and lead.get_attribute("height")  # room kept before it loads
    visit(page, site, PAGES["article"], DESKTOP)
    assert page.locator(".photo img").evaluate("img => img.currentSrc").endswith("-960.webp")  # 672 css px
    visit(page, site, PAGES["article with a body photo"], DESKTOP)
    body_photo = page.locator(".body picture img")
    assert body_photo.get_attribute("loading") == "lazy"
    body_photo.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.body picture img').complete")
    assert body_photo.evaluate("img => img.naturalWidth") > 0 and body_photo.evaluate("img => img.currentSrc").endswith(
        ".webp"
    )


def test_the_skip_link_is_the_first_stop_and_visible_when_focused(page, site):
    visit(page, site, PAGES["article"], PHONE)
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
        return {cls: el.className, top: box.top, outline: style.outlineStyle};
    }""")
    assert focused["cls"] == "skip-link" and focused["top"] >= 0 and focused["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_print_leaves_out_navigation_and_shows_where_links_go(page, site):
    visit(page, site, PAGES["article"], DESKTOP)
    page.emulate_media(media="print")
    hidden = page.evaluate("""['.site-header', '.site-footer', '.share', '.breadcrumbs', '.neighbours']
        .map(s => document.querySelector(s)).filter(Boolean).map(el => getComputedStyle(el).display)""")
    assert hidden and set(hidden) == {"none"}
    visit(page, site, "/news/1403/ramadan-drive-report/", DESKTOP)
    page.emulate_media(media="print")
    after = page.evaluate("""() => [...document.querySelectorAll('.body a[href]')]
        .filter(a => !a.getAttribute('href').startsWith('#'))
        .map(a => [a.getAttribute('href'), getComputedStyle(a, '::after').content])""")
    assert after and all(content == f'" ({href})"' for href, content in after)
