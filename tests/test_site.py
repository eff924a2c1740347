"""Assembly: what is published when, in which order, and where."""

from datetime import timedelta

import pytest
from conftest import NOW, read, release, tree, write_site

from newsroom.config import load_config
from newsroom.content import load_article
from newsroom.errors import BuildError
from newsroom.site import Visibility, assemble_site


def articles_of(tmp_path, files: dict[str, str], config: str = ""):
    config_path = write_site(tmp_path, files, config)
    site_config = load_config(config_path)
    loaded = [load_article(tmp_path / "content" / name, site_config)[0] for name in files]
    return loaded, site_config


def test_draft_future_and_expired_are_hidden_unless_asked(tmp_path):
    files = {
        "now.md": release("امروز", "1403-09-01 11:59"),
        "draft.md": release("پیش‌نویس", "1403-08-01", draft="true"),
        "soon.md": release("فردا", "1403-09-01 12:01"),
        "gone.md": release("منقضی", "1403-08-01", expires="1403-09-01 12:00"),
    }
    articles, config = articles_of(tmp_path, files)

    def titles(site):
        return [a.title for a in site.articles]

    assert titles(assemble_site(articles, config, NOW)) == ["امروز"]
    assert assemble_site(articles, config, NOW).hidden == 3
    assert titles(assemble_site(articles, config, NOW, Visibility(drafts=True))) == ["امروز", "پیش‌نویس"]
    assert titles(assemble_site(articles, config, NOW, Visibility(future=True))) == ["فردا", "امروز"]
    assert titles(assemble_site(articles, config, NOW, Visibility(expired=True))) == ["امروز", "منقضی"]
    # A scheduled release appears by itself once its time has come.
    assert titles(assemble_site(articles, config, NOW + timedelta(minutes=2))) == ["فردا", "امروز"]


def test_order_is_newest_first_then_by_url_whatever_the_file_order(tmp_path):
    files = {f"{name}.md": release(name, "1403-02-15 10:00") for name in ("c", "a", "b")}
    files["new.md"] = release("new", "1403-02-16")
    articles, config = articles_of(tmp_path, files)
    for order in (articles, articles[::-1]):
        assert [a.slug for a in assemble_site(order, config, NOW).articles] == ["new", "a", "b", "c"]


def test_jalali_archive_and_pagination(tmp_path):
    files = {f"a{i}.md": release(f"خبر {i}", f"1403-0{1 + i % 2}-1{i}") for i in range(5)}
    files["old.md"] = release("قدیمی", "1401-12-29")
    articles, config = articles_of(tmp_path, files, "page_size: 2\n")
    site = assemble_site(articles, config, NOW)
    assert [(y.year, [(m.month, m.name, len(m.articles)) for m in y.months]) for y in site.archive] == [
        (1403, [(2, "اردیبهشت", 2), (1, "فروردین", 3)]),
        (1401, [(12, "اسفند", 1)]),
    ]
    home = [listing for listing in site.listings if listing.kind == "home"]
    assert [(listing.url, listing.previous_url, listing.next_url, len(listing.articles)) for listing in home] == [
        ("/", None, "/page/2/", 2),
        ("/page/2/", "/", "/page/3/", 2),
        ("/page/3/", "/page/2/", None, 2),
    ]


def test_two_releases_claiming_one_url_name_both_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    articles, config = articles_of(
        tmp_path,
        {
            "1403/a.md": release("الف", slug="same"),
            "other/same.md": release("ب"),
        },
    )
    with pytest.raises(BuildError) as caught:
        assemble_site(articles, config, NOW)
    assert [str(p) for p in caught.value.problems] == [
        "content/1403/a.md:4: slug: نشانی «/news/1403/same/» با content/other/same.md یکی است؛ برای یکی از آن‌ها slug دیگری بنویسید",
        "content/other/same.md:1: slug: نشانی «/news/1403/same/» با content/1403/a.md یکی است؛ برای یکی از آن‌ها slug دیگری بنویسید",
    ]


def test_an_alias_cannot_take_a_generated_page(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    articles, config = articles_of(tmp_path, {"a.md": release("الف", aliases="[/archive/]")})
    with pytest.raises(BuildError) as caught:
        assemble_site(articles, config, NOW)
    assert [str(p) for p in caught.value.problems] == [
        "content/a.md:4: aliases: نشانی «/archive/» با یک صفحهٔ ساختهٔ سایت یکی است؛ نشانی قدیمی را از aliases بردارید"
    ]


def test_permalink_pattern(build, tmp_path):
    build({"x.md": release("الف", "1403-02-05")}, config="permalink: /{year}/{month}/{jyear}-{jmonth}-{jday}/{slug}/\n")
    assert "<h1>الف</h1>" in read(tmp_path, "/2024/04/1403-02-05/x/")


def test_the_same_alias_in_two_releases_names_both(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    articles, config = articles_of(
        tmp_path,
        {
            "a.md": release("الف", aliases="[/news/old/]"),
            "b.md": release("ب", aliases="[/news/old, /index.html]"),
        },
    )
    with pytest.raises(BuildError) as caught:
        assemble_site(articles, config, NOW)
    assert [str(p) for p in caught.value.problems] == [
        "content/a.md:4: aliases: نشانی «/news/old/» با content/b.md یکی است؛ نشانی قدیمی را از aliases بردارید",
        "content/b.md:4: aliases: نشانی «/news/old/» با content/a.md یکی است؛ نشانی قدیمی را از aliases بردارید",
        "content/b.md:4: aliases: نشانی «/» با یک صفحهٔ ساختهٔ سایت یکی است؛ نشانی قدیمی را از aliases بردارید",
    ]


def test_a_release_dated_years_ahead_gets_a_warning(build, tmp_path):
    result = build({"typo.md": release("اشتباه", "1430-02-15"), "ok.md": release("درست", "1403-09-15")})
    assert result.code == 0
    assert result.err == (
        "content/typo.md:3: هشدار: date: این تاریخ بیش از یک سال بعد است و خبر تا آن روز منتشر نمی‌شود؛ "
        "اگر اشتباه تایپی است درستش کنید\n"
    )
    assert build({"typo.md": release("اشتباه", "1430-02-15")}, "--strict").code == 1


def test_two_processes_build_the_same_site(build, tmp_path, monkeypatch):
    from newsroom import cache, content, related, render

    # Markdown, share cards, related lists and pages all go to workers, even for this
    # small site; related lists by blocks of two, which come back in order.
    for stage in (cache, content, related, render):
        monkeypatch.setattr(stage, "PARALLEL_MINIMUM", 2)
    monkeypatch.setattr(related, "_BLOCK", 2)
    files = {
        f"n{i}.md": release(f"خبر {i}", f"1403-02-1{i}", f"## بخش {i}\n\nمتن [^1]\n\n[^1]: پانویس", tags="[یک]")
        for i in range(8)
    }
    assert build(files, "--jobs", "1", "--no-cache", "--output", "serial").code == 0
    assert build(files, "--jobs", "2", "--no-cache", "--output", "parallel").code == 0
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
    # The manifest written from the workers' pages serves the next build as well.
    files["n3.md"] = files["n3.md"].replace("متن", "متنی دیگر")
    assert build(files, "--jobs", "2", "--output", "parallel").code == 0
    assert build(files, "--jobs", "1", "--no-cache", "--output", "serial").code == 0
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
