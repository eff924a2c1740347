"""Rendering: template mistakes are located; every internal link resolves from any page."""

import posixpath
import shutil

from conftest import REPO, read, release
from hypothesis import given
from hypothesis import strategies as st

from newsroom.site import relative_path


def broken_templates(tmp_path, name, old, new):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    text = (templates / name).read_text(encoding="utf-8")
    assert old in text
    (templates / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return templates


def test_undefined_variable_names_template_line_and_release(build, tmp_path):
    templates = broken_templates(
        tmp_path, "article.html", "<h1>{{ article.title }}</h1>", "<h1>{{ article.headline }}</h1>"
    )
    result = build({"a.md": release("الف")}, templates=templates)
    line = next(
        i for i, text in enumerate((templates / "article.html").read_text().splitlines(), 1) if "headline" in text
    )
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(f"templates/article.html:{line}: خطای قالب هنگام ساختن content/a.md: ")
    assert "headline" in result.err and "Traceback" not in result.err


def test_a_mistake_met_in_page_workers_is_reported_once_and_located(build, tmp_path, monkeypatch):
    from newsroom import render

    monkeypatch.setattr(render, "PARALLEL_MINIMUM", 2)
    templates = broken_templates(
        tmp_path, "article.html", "<h1>{{ article.title }}</h1>", "<h1>{{ article.headline }}</h1>"
    )
    result = build({f"n{i}.md": release(f"خبر {i}") for i in range(6)}, "--jobs", "2", templates=templates)
    line = next(
        i for i, text in enumerate((templates / "article.html").read_text().splitlines(), 1) if "headline" in text
    )
    assert result.code == 1
    assert result.err.count("خطای قالب") == 1
    assert result.err.startswith(f"templates/article.html:{line}: خطای قالب هنگام ساختن content/n")
    assert "Traceback" not in result.err and not (tmp_path / "output").exists()


def test_template_syntax_error_is_located(build, tmp_path):
    templates = broken_templates(tmp_path, "list.html", "{% endif %}", "{% endiff %}")
    result = build({"a.md": release("الف")}, templates=templates)
    assert result.code == 1
    assert result.err.splitlines()[0].startswith("templates/list.html:")
    assert not (tmp_path / "output").exists()


segment = st.sampled_from(["news", "1403", "tags", "کمک", "x", "a.html", "page", "2"])
folder_url = st.lists(segment, max_size=4).map(lambda parts: "/" + "".join(p + "/" for p in parts))
file_url = st.tuples(folder_url, st.sampled_from(["site.css", "photo.jpg", "x.html"])).map("".join)


@given(st.one_of(folder_url, file_url), st.one_of(folder_url, file_url))
def test_relative_links_resolve_to_their_target(target, page):
    link = relative_path(target, page)
    assert not link.startswith("/")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), link))
    assert resolved == posixpath.normpath(target)
    assert link.endswith("/") == target.endswith("/")


def test_links_to_release_files_point_at_their_pages(build, tmp_path):
    result = build(
        {
            "1403/a.md": release("الف", body="[خبر قبلی](../1402/b.md#بند) و [همین پوشه](c.md)"),
            "1402/b.md": release("ب", "1402-02-15"),
            "1403/c.md": release("پ"),
        }
    )
    assert (result.code, result.err) == (0, "")
    page = read(tmp_path, "/news/1403/a/")
    assert '<a href="../../1402/b/#بند">خبر قبلی</a>' in page and '<a href="../c/">همین پوشه</a>' in page


def test_a_link_to_nowhere_warns_and_fails_a_strict_build(build, tmp_path):
    files = {"a.md": release("الف", body="[گمشده](/news/1399/gone/) و [فایل](../nowhere.md) و [درست](/archive/)")}
    result = build(files)
    assert result.code == 0
    assert result.err.splitlines() == [
        "content/a.md: هشدار: link: «../../1399/gone/» به صفحه یا فایلی اشاره می‌کند که در سایت نیست؛ نشانی را درست کنید",
        "content/a.md: هشدار: link: «../nowhere.md» به صفحه یا فایلی اشاره می‌کند که در سایت نیست؛ نشانی را درست کنید",
    ]
    strict = build(files, "--strict")
    assert strict.code == 1 and strict.err.splitlines()[-1] == "ساخت سایت انجام نشد: 2 خطا، 0 هشدار"
