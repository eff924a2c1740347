"""Rendering: template mistakes are located; every internal link resolves from any page."""

import posixpath
import shutil

from hypothesis import given, strategies as st

from newsroom.render import relative_path

from conftest import REPO, release


def broken_templates(tmp_path, name, old, new):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    text = (templates / name).read_text(encoding="utf-8")
    assert old in text
    (templates / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return templates


def test_undefined_variable_names_template_line_and_release(build, tmp_path):
    templates = broken_templates(tmp_path, "article.html", "<h1>{{ article.title }}</h1>", "<h1>{{ article.headline }}</h1>")
    result = build({"a.md": release("الف")}, templates=templates)
    line = next(i for i, l in enumerate((templates / "article.html").read_text().splitlines(), 1) if "headline" in l)
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(f"templates/article.html:{line}: خطای قالب هنگام ساختن content/a.md: ")
    assert "headline" in result.err and "Traceback" not in result.err


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
