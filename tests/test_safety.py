"""Nothing executable gets published: pasted HTML is cleaned, values are escaped, and
arbitrary input never breaks the build or smuggles a script into a page."""

import json
from html.parser import HTMLParser

from conftest import NOW, REPO, read, release, write_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsroom.config import load_config
from newsroom.content import parse_article
from newsroom.errors import BuildError, LocatedError
from newsroom.render import create_environment, render_site
from newsroom.site import assemble_site

ATTACKS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    "{{ config }}",
    "{% raw %}",
    "</title><script>x</script>",
]


class _Executable(HTMLParser):
    """Collects anything a browser would run: scripts, handlers, javascript: URLs, frames."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        own_file = attributes.get("src") and not attributes["src"].startswith(("http:", "https:", "//", "data:"))
        if tag == "script" and attributes.get("type") != "application/ld+json" and not own_file:
            self.found.append(f"<script {attributes}>")
        if tag in ("iframe", "object", "embed") and "aparat.com" not in (attributes.get("src") or ""):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or "javascript:" in (value or "").replace(" ", "").lower():
                self.found.append(f"{tag} {name}={value}")


def executable(html: str) -> list[str]:
    parser = _Executable()
    parser.feed(html)
    return parser.found


def test_pasted_html_is_cleaned_and_each_removal_is_reported(build, tmp_path):
    body = "\n".join(
        [
            "متن خبر با <b>تأکید</b>.",
            "",
            "<script>alert('x')</script>",
            "",
            '<p onclick="steal()">بند</p>',
            "",
            "[پیوند](javascript:alert(1))",
            "",
            '<iframe src="https://www.aparat.com/video/video/embed/videohash/abc"></iframe>',
            "",
            '<iframe src="https://evil.example/x"></iframe>',
            "",
            "<style>body{display:none}</style>",
        ]
    )
    result = build({"a.md": release("الف", body=body)}, config="iframe_hosts: [www.aparat.com]\n")
    assert result.code == 0
    assert result.err.splitlines() == [
        "content/a.md:7: هشدار: html: <script> حذف شد؛ در متن خبر اسکریپت اجرا نمی‌شود",
        "content/a.md:9: هشدار: html: ویژگی onclick حذف شد؛ رویدادهای جاوااسکریپت در متن خبر اجرا نمی‌شوند",
        "content/a.md:11: هشدار: html: پیوند javascript: حذف شد؛ فقط نشانی‌های http، https و mailto پذیرفته‌اند",
        "content/a.md:15: هشدار: html: iframe از «evil.example» حذف شد؛ اگر این میزبان مطمئن است آن را در iframe_hosts پیکربندی بیاورید",
        "content/a.md:17: هشدار: html: <style> حذف شد؛ این برچسب HTML در متن خبر پذیرفته نیست",
    ]
    page = read(tmp_path, "/news/1403/a/")
    assert executable(page) == []
    assert "<b>تأکید</b>" in page and "<p>بند</p>" in page and "evil.example" not in page
    assert '<iframe src="https://www.aparat.com/video/video/embed/videohash/abc"></iframe>' in page
    assert "frame-src https://www.aparat.com;" in page
    assert build({"a.md": release("الف", body=body)}, "--strict").code == 1


def test_front_matter_values_are_escaped_everywhere(build, tmp_path):
    attack = ATTACKS[1]
    files = {
        "a.md": release(
            f"'{attack}'",
            summary=f"'{attack}'",
            source=f"'{attack}'",
            tags=f"['{attack}']",
            county="'<b>سمنان</b>'",
            category="'<i>x</i>'",
        )
    }
    result = build(files)
    assert result.code == 0, result.err
    for page in (tmp_path / "output").rglob("*.html"):
        assert executable(page.read_text(encoding="utf-8")) == [], page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in read(tmp_path, "/news/1403/a/")


def test_every_page_carries_a_policy_without_inline_script(build, tmp_path):
    build({"a.md": release("الف")})
    for page in (tmp_path / "output").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text:
            continue  # redirect pages
        assert "script-src 'self' 'wasm-unsafe-eval'; style-src 'self';" in text
        assert " style=" not in text


hostile = st.one_of(st.text(alphabet=list("<>\"'&/=:;{}%#\\ \nabcjsvrpt؛،ي"), max_size=40), st.sampled_from(ATTACKS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=hostile,
    summary=hostile,
    tags=hostile,
    body=st.lists(st.one_of(hostile, st.sampled_from(ATTACKS)), max_size=6),
)
def test_arbitrary_input_never_breaks_the_build_or_runs_a_script(tmp_path, title, summary, tags, body):
    config = load_config(write_site(tmp_path, {}))
    # JSON strings are valid YAML: the values reach the engine exactly as generated.
    text = (
        f"---\ntitle: {json.dumps(title or 'x')}\nsummary: {json.dumps(summary)}\ntags: {json.dumps(tags)}\n"
        "date: 1403-02-15\n---\n" + "\n\n".join(body)
    )
    try:
        article, problems = parse_article(text, tmp_path / "content" / "x.md", config)
    except LocatedError:
        return  # a located error is the right outcome for broken front matter
    if article is None:
        assert all(str(p) for p in problems) and problems
        return
    try:
        files = list(render_site(assemble_site([article], config, NOW), create_environment(REPO / "templates"), ()))
    except BuildError as exc:
        assert exc.problems
        return
    for file in files:
        if file.dest_path.endswith(".html"):
            assert executable(file.data.decode("utf-8")) == [], file.dest_path
