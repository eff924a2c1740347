"""Feeds, sitemaps and page metadata, read back by independent parsers and validators."""

import json
import re
from datetime import datetime
from pathlib import Path

import extruct
import feedparser
import pytest
import xmlschema
from conftest import photo, read, release

from newsroom import sitemaps

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
URLSET = xmlschema.XMLSchema([str(SCHEMAS / "sitemap.xsd"), str(SCHEMAS / "sitemap-news.xsd")])
INDEX = xmlschema.XMLSchema(str(SCHEMAS / "siteindex.xsd"))

SITE = {
    # Summer 1401: Tehran was still on +04:30.
    "1401/water.md": release(
        "آب‌رسانی سیار به روستاهای دامغان",
        "1401-05-10 09:30",
        "به گزارش روابط عمومی؛ تانکرها آب رساندند.",
        category="محرومیت‌زدایی",
        county="دامغان",
        tags="[آب شرب, خشکسالی]",
    ),
    "1403/saffron.md": release(
        "برداشت زعفران در بسطام",
        "1403-08-12 10:00",
        "برداشت از [مزرعه](../../1401/water/) و ![عکس](/static/images/logo.png) آغاز شد.",
        category="کشاورزی",
        county="شاهرود",
        updated="1403-08-20 16:45",
        aliases="[/old/saffron/]",
    ),
    "1403/today.md": release("اطلاعیهٔ امروز دربارهٔ «ثبت‌نام» & مهلت", "1403-08-30 18:00", "متن.", county="شاهرود"),
}
NOW = "1403-09-01 12:00"


@pytest.fixture
def site(build, tmp_path):
    result = build(SITE, "--now", NOW)
    assert result.code == 0, result.err
    return tmp_path / "output"


def test_rss_atom_and_json_feeds_read_back_with_tehran_dates(site):
    rss = feedparser.parse(site / "feed.xml")
    atom = feedparser.parse(site / "atom.xml")
    assert (rss.bozo, rss.version, atom.bozo, atom.version) == (False, "rss20", False, "atom10")
    assert [e.title for e in rss.entries] == [
        "اطلاعیهٔ امروز دربارهٔ «ثبت‌نام» & مهلت",
        "برداشت زعفران در بسطام",
        "آب‌رسانی سیار به روستاهای دامغان",
    ]
    assert [e.title for e in atom.entries] == [e.title for e in rss.entries]
    assert [e.published for e in rss.entries] == [
        "Wed, 20 Nov 2024 18:00:00 +0330",
        "Sat, 02 Nov 2024 10:00:00 +0330",
        "Mon, 01 Aug 2022 09:30:00 +0430",
    ]
    assert [e.published for e in atom.entries] == [
        "2024-11-20T18:00:00+03:30",
        "2024-11-02T10:00:00+03:30",
        "2022-08-01T09:30:00+04:30",
    ]
    assert atom.entries[1].updated == "2024-11-10T16:45:00+03:30"
    assert rss.entries[1].link == "https://news.example.ir/news/1403/saffron/"
    assert {t.term for t in rss.entries[2].tags} == {"محرومیت‌زدایی", "دامغان", "آب شرب", "خشکسالی"}
    assert rss.feed.title == atom.feed.title == "خبرنامهٔ آزمایشی"


def test_json_feed_follows_version_1_1(site):
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://news.example.ir/feed.json" and feed["language"] == "fa"
    for item in feed["items"]:
        assert item["id"] and item["url"].startswith("https://") and ("content_html" in item or "content_text" in item)
        datetime.fromisoformat(item["date_published"])
    assert feed["items"][2]["date_published"] == "2022-08-01T09:30:00+04:30"
    assert feed["items"][0]["title"] == "اطلاعیهٔ امروز دربارهٔ «ثبت‌نام» & مهلت"
    assert feed["items"][1]["date_modified"] == "2024-11-10T16:45:00+03:30"


def test_term_feeds_and_discovery_links(site):
    county = feedparser.parse(site / "county" / "شاهرود" / "feed.xml")
    assert not county.bozo and [e.title for e in county.entries] == [
        "اطلاعیهٔ امروز دربارهٔ «ثبت‌نام» & مهلت",
        "برداشت زعفران در بسطام",
    ]
    assert county.feed.title == "شاهرود — خبرنامهٔ آزمایشی"
    assert not (site / "tags" / "خشکسالی" / "feed.xml").exists()  # tags have no feeds by default
    term_page = (site / "county" / "شاهرود" / "index.html").read_text(encoding="utf-8")
    assert (
        '<link rel="alternate" type="application/rss+xml" title="شاهرود — خبرنامهٔ آزمایشی" href="feed.xml">'
        in term_page
    )
    assert (
        '<link rel="alternate" type="application/atom+xml" title="خبرنامهٔ آزمایشی" href="../../atom.xml">' in term_page
    )


def test_full_content_feeds_have_absolute_links(build, tmp_path):
    build(SITE, "--now", NOW, config="feeds:\n  full_content: true\n")
    rss = feedparser.parse(tmp_path / "output" / "feed.xml")
    content = rss.entries[1].summary
    assert 'href="https://news.example.ir/news/1401/water/"' in content
    assert 'src="https://news.example.ir/static/images/logo.png"' in content


def test_sitemaps_validate_and_list_every_page(site):
    URLSET.validate(str(site / "sitemap.xml"))
    urls = URLSET.to_dict(str(site / "sitemap.xml"))["url"]
    locs = {u["loc"]: u.get("lastmod") for u in urls}
    # Redirects and the search page ask search engines not to index them.
    pages = {
        p.relative_to(site).as_posix()
        for p in site.rglob("index.html")
        if '<meta name="robots" content="noindex">' not in p.read_text(encoding="utf-8")
    }
    assert len(locs) == len(pages)
    assert locs["https://news.example.ir/news/1403/saffron/"] == "2024-11-10T16:45:00+03:30"
    assert "https://news.example.ir/county/%D8%B4%D8%A7%D9%87%D8%B1%D9%88%D8%AF/" in locs


def test_news_sitemap_lists_the_last_two_days_only(site):
    URLSET.validate(str(site / "news-sitemap.xml"))
    urls = URLSET.to_dict(str(site / "news-sitemap.xml"))["url"]
    assert [u["loc"] for u in urls] == ["https://news.example.ir/news/1403/today/"]
    [news] = urls[0]["news:news"]
    assert news["news:title"] == "اطلاعیهٔ امروز دربارهٔ «ثبت‌نام» & مهلت"
    assert news["news:publication_date"] == "2024-11-20T18:00:00+03:30"
    assert news["news:publication"] == {"news:name": "ادارهٔ آزمایشی", "news:language": "fa"}
    robots = (site / "robots.txt").read_text()
    assert robots.splitlines()[-2:] == [
        "Sitemap: https://news.example.ir/sitemap.xml",
        "Sitemap: https://news.example.ir/news-sitemap.xml",
    ]


def test_no_news_no_news_sitemap(build, tmp_path):
    build(SITE, "--now", "1404-01-01")
    assert not (tmp_path / "output" / "news-sitemap.xml").exists()
    assert "news-sitemap" not in (tmp_path / "output" / "robots.txt").read_text()


def test_a_sitemap_index_past_the_limit(build, tmp_path, monkeypatch):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 5)
    build(SITE, "--now", NOW)
    site = tmp_path / "output"
    INDEX.validate(str(site / "sitemap.xml"))
    parts = INDEX.to_dict(str(site / "sitemap.xml"))["sitemap"]
    total = 0
    for number, part in enumerate(parts, 1):
        assert part["loc"] == f"https://news.example.ir/sitemap-{number}.xml"
        URLSET.validate(str(site / f"sitemap-{number}.xml"))
        total += len(URLSET.to_dict(str(site / f"sitemap-{number}.xml"))["url"])
    unlisted = ["old/saffron/index.html", "search/index.html"]  # an alias, and the search page (noindex)
    assert len(parts) > 1 and total == len(list(site.rglob("index.html"))) - len(unlisted)


def test_news_article_and_breadcrumbs_in_json_ld(site):
    data = extruct.extract(
        (site / "news/1403/saffron/index.html").read_text(encoding="utf-8"),
        base_url="https://news.example.ir/news/1403/saffron/",
        syntaxes=["json-ld", "opengraph"],
    )
    article = next(d for d in data["json-ld"] if d["@type"] == "NewsArticle")
    assert article["headline"] == "برداشت زعفران در بسطام"
    assert article["datePublished"] == "2024-11-02T10:00:00+03:30"
    assert article["dateModified"] == "2024-11-10T16:45:00+03:30"
    assert article["inLanguage"] == "fa" and article["articleSection"] == "کشاورزی"
    assert article["publisher"]["name"] == "ادارهٔ آزمایشی"
    crumbs = next(d for d in data["json-ld"] if d["@type"] == "BreadcrumbList")
    assert [c["name"] for c in crumbs["itemListElement"]] == ["خانه", "کشاورزی", "برداشت زعفران در بسطام"]
    og = dict(data["opengraph"][0]["properties"])
    assert og["og:type"] == "article" and og["og:locale"] == "fa_IR"
    assert og["article:published_time"] == "2024-11-02T10:00:00+03:30"
    assert og["article:modified_time"] == "2024-11-10T16:45:00+03:30"


def test_photo_gives_og_image_with_its_size(build, tmp_path):
    photo(tmp_path / "content" / "meeting.jpg", (1200, 800))
    build({"a.md": release("جلسه", image="meeting.jpg", image_alt="اعضای شورا")}, "--now", NOW)
    page = read(tmp_path, "/news/1403/a/")
    assert re.search(r'<meta property="og:image" content="https://news.example.ir/media/[0-9a-f]+\.jpg">', page)
    assert (
        '<meta property="og:image:width" content="1200">' in page
        and '<meta property="og:image:height" content="630">' in page
    )
    assert '<meta property="og:image:alt" content="اعضای شورا">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert 'width="960" height="640"' in page


def test_aliases_give_redirect_pages_and_a_redirects_file(site):
    assert (site / "_redirects").read_text() == "/old/saffron/ /news/1403/saffron/ 301\n"
    page = (site / "old" / "saffron" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://news.example.ir/news/1403/saffron/">' in page


def test_updated_before_date_is_a_located_error(build, tmp_path):
    result = build({"a.md": release("الف", "1403-02-15", updated="1403-02-01")})
    assert result.code == 1
    assert (
        result.err.splitlines()[0]
        == "content/a.md:4: updated: تاریخ به‌روزرسانی پیش از تاریخ خبر است؛ تاریخ را درست کنید"
    )
