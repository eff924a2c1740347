"""The search index: what the build hands Pagefind, and what it writes."""

import gzip
import json
import re
import shutil
import subprocess
import sys

from conftest import NOW, REPO, release, tree, write_site
from hypothesis import given
from hypothesis import strategies as st
from test_serve import _up, free_port, wait_for

from newsroom.cache import Cache
from newsroom.config import load_config
from newsroom.content import load_articles
from newsroom.search import SearchRecord, fold_words, joined_words, search_records, unfolded_words
from newsroom.site import assemble_site
from newsroom.text import fold, normalize_line

ZWNJ = "\u200c"


def readable(content, unfolded="[]", count=None):
    """The words the search page shows for a record (``readableWords`` in search.js)."""
    words = [word.replace("\u0640", "").replace("-", ZWNJ) for word in content.split(" ")[:count]]
    for at, word in json.loads(unfolded):
        words[at] = word
    return " ".join(words)


def records(tmp_path, files, config=""):
    site_config = load_config(write_site(tmp_path, files, config))
    articles, problems = load_articles(site_config, Cache(None, ""))
    assert problems == []
    return search_records(assemble_site(articles, site_config, NOW).articles, site_config)


def test_records_fold_the_text_and_keep_what_readers_see(tmp_path):
    [record] = records(
        tmp_path,
        {
            "a.md": release(
                "كمك به ۸۰۰ خانواده",
                "1403-02-15",
                f"این کار انجام می{ZWNJ}شود.",
                county="كرمان",
                category="محرومیت‌زدایی",
            )
        },
    )
    assert record.url == "news/1403/a/"
    # Each part ends in a tatweel; the half-spaced word follows the text joined.
    assert record.content == "کمکـ بهـ 800ـ خانوادهـ اینـ کارـ انجامـ میـ-شود.ـ میشود.ـ"
    assert record.meta == {
        "title": "کمک به ۸۰۰ خانواده",
        "date": "۱۵ اردیبهشت ۱۴۰۳",
        "county": "کرمان",
        "unfolded": '[[2,"۸۰۰"]]',  # only what the page cannot make from the folded word
        "words": "8",
        "joined": "[[7,1]]",
    }
    assert readable(record.content, record.meta["unfolded"], 8) == f"کمک به ۸۰۰ خانواده این کار انجام می{ZWNJ}شود."
    assert record.filters == {"year": ["1403"], "category": ["محرومیت‌زدایی"], "county": ["کرمان"]}


def test_words_set_apart_are_indexed_joined_after_the_text():
    folded = fold_words(f"کتاب ها و دفتر{ZWNJ}ها را نمی خواند و میان ما هست.")
    assert joined_words(folded) == ("کتابهاـ دفترهاـ نمیخواندـ", [[0, 2], [3, 1], [5, 2]])  # not «میان»


def test_a_summary_written_apart_from_the_body_is_searched_too(tmp_path):
    own, first = records(
        tmp_path,
        {
            "a.md": release("یک", "1403-02-15", "متن خبر.", summary="چکیده‌ای جدا از متن"),
            "b.md": release("دو", "1403-02-14", "بند نخست خبر.\n\nبند دوم."),
        },
    )
    assert readable(own.content, count=int(own.meta["words"])) == "یک چکیده‌ای جدا از متن متن خبر."
    assert readable(first.content) == "دو بند نخست خبر. بند دوم."  # its summary is its first paragraph
    assert "unfolded" not in own.meta


def test_only_published_articles_are_indexed_and_terms_use_their_page_names(tmp_path):
    found = records(
        tmp_path,
        {
            "a.md": release("یک", "1403-02-15", county="بسته های معیشتی"),
            "b.md": release("دو", "1402-02-15", county=f"بسته{ZWNJ}های معیشتی"),
            "c.md": release("سه", "1402-03-15", county=f"بسته{ZWNJ}های معیشتی"),
            "draft.md": release("پیش‌نویس", draft="true"),
        },
    )
    assert [r.url for r in found] == ["news/1403/a/", "news/1402/c/", "news/1402/b/"]
    assert {r.filters["county"][0] for r in found} == {f"بسته{ZWNJ}های معیشتی"}  # the county page's name


@given(st.text(alphabet=list("كيکی ۱۲3٤ءأإآؤئةۀًٌٍَُِّـ\u200c\u200f\ufeffﻛﷲﷺＡa-،."), max_size=60))
def test_folded_words_line_up_with_the_words_shown(text):
    # The search page marks word N of the text shown where Pagefind matched word N.
    shown = normalize_line(text).split(" ")
    folded = fold_words(" ".join(shown)).split(" ")
    assert len(folded) == len(shown)
    assert [word.replace("\u0640", "") for word in folded] == [
        fold(word).replace(ZWNJ, "-").replace(" ", "-") for word in shown
    ]
    # ... and shows word N as it was written, from the folded words and the few listed apart.
    unfolded = json.dumps(unfolded_words(" ".join(shown), " ".join(folded)))
    assert readable(" ".join(folded), unfolded) == " ".join(shown)


SITE = {
    f"{county}-{year}.md": release(
        f"خبر {county}",
        f"{year}-0{1 + n % 9}-1{n % 9}",
        "متن خبر درباره‌ی بسته‌ها.",
        county=county,
        category=("سلامت", "آموزش", "اشتغال")[n % 3],
    )
    for n, (county, year) in enumerate(
        (c, y)
        for c in ("سمنان", "شاهرود", "دامغان", "گرمسار", "میامی", "سرخه", "آرادان", "مهدی‌شهر")
        for y in (1401, 1402, 1403)
    )
}


def test_two_builds_of_a_site_write_the_same_index(tmp_path):
    write_site(tmp_path, SITE)
    build = [sys.executable, str(REPO / "build.py"), "--now", "1404-01-01", "--quiet", "--no-cache"]
    subprocess.run(build + ["--output", "one"], cwd=tmp_path, check=True)
    subprocess.run(build + ["--output", "two"], cwd=tmp_path, check=True)
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert len([p for p in one if p.startswith("pagefind/") and "/filter/" in p]) == 3
    assert one == two


def test_no_search_leaves_the_index_out(build, tmp_path):
    assert build({"a.md": release()}, "--no-search").code == 0
    assert not (tmp_path / "output" / "pagefind").exists()
    assert (tmp_path / "output" / "search" / "index.html").exists()


def test_without_pagefind_the_build_says_what_to_do_and_writes_nothing(build, tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    result = build({"a.md": release()})
    assert result.code == 1
    assert "pagefind: نمایهٔ جست‌وجو ساخته نشد: برنامهٔ Pagefind اجرا نشد" in result.err
    assert "--no-search" in result.err
    assert not (tmp_path / "output").exists()


def test_a_site_with_nothing_published_builds_without_an_index(build, tmp_path):
    assert build({"a.md": release(draft="true")}).code == 0
    assert not (tmp_path / "output" / "pagefind").exists()


def test_serve_refreshes_the_index_after_a_rebuild(tmp_path, page):
    # Each release in a shard of its own: the edit re-indexes one shard, the other is kept.
    write_site(
        tmp_path,
        {
            "a.md": release("خبر نخست", body="متن اول."),
            "b.md": release("خبر دوم", "1402-01-01", body="متن دیگر زعفران."),
        },
        "search:\n  shard_size: 2\n",
    )
    # An earlier build's index: serve carries it, and indexes again only what changes.
    subprocess.run([sys.executable, str(REPO / "build.py"), "--now", "1404-01-01", "--quiet"], cwd=tmp_path, check=True)
    older = json.loads((tmp_path / "output/pagefind/shards.json").read_bytes())["shards"][0]
    kept = {p: p.stat().st_mtime_ns for p in (tmp_path / "output/pagefind" / older).rglob("*") if p.is_file()}
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--port", str(port), "--now", "1404-01-01"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: _up(port)), "the server did not start"
        page.route("**/__events", lambda route: route.abort())  # the test reloads by itself

        def finds(word):
            page.goto(f"http://127.0.0.1:{port}/search/?q={word}")
            page.locator("#search-results[aria-busy='false']").wait_for(state="attached")
            return page.locator("#search-results h2").all_inner_texts()

        assert finds("اول") == ["خبر نخست"]
        (tmp_path / "content/a.md").write_text(release("خبر نخست", body="متن زعفران."), encoding="utf-8")
        assert wait_for(lambda: sorted(finds("زعفران")) == ["خبر دوم", "خبر نخست"]), "the index was not refreshed"
        assert finds("اول") == []
        assert json.loads((tmp_path / "output/pagefind/shards.json").read_bytes())["shards"][0] == older
        assert {
            p: p.stat().st_mtime_ns for p in (tmp_path / "output/pagefind" / older).rglob("*") if p.is_file()
        } == kept
    finally:
        server.terminate()
        server.wait(timeout=10)


def shard_files(output):
    """The index's files by shard folder: {shard: {path: bytes}}, and the shards' order."""
    shards = json.loads((output / "pagefind" / "shards.json").read_bytes())["shards"]
    found = {}
    for path, data in tree(output / "pagefind").items():
        if "/" in path:
            shard, _, rest = path.partition("/")
            found.setdefault(shard, {})[rest] = data
    assert sorted(found) == sorted(shards)
    return found, shards


SHARDED = "search:\n  shard_size: 8\n"
MANY = {
    f"n{i:02d}.md": release(f"خبر شمارهٔ {i}", f"1402-{1 + i // 4:02d}-{1 + i % 28:02d}", f"متن خبر {i} دربارهٔ زعفران.")
    for i in range(40)
}


def test_an_edit_indexes_again_only_the_shard_of_the_release(build, tmp_path):
    assert build(MANY, config=SHARDED).code == 0
    before, order = shard_files(tmp_path / "output")
    assert len(order) >= 4
    # The search page tells releases apart by their page names, across shards: 16 hex digits each.
    pages = [path for files in before.values() for path in files if path.startswith("fragment/")]
    assert len(pages) == len(MANY) and all(re.fullmatch(r"fragment/fa_[0-9a-f]{16}\.pf_fragment", p) for p in pages)
    assert build({**MANY, "n10.md": MANY["n10.md"].replace("زعفران", "پسته")}, config=SHARDED).code == 0
    after, _ = shard_files(tmp_path / "output")
    assert sorted(after) == sorted(before)  # the same shards, each in its folder
    [edited] = [shard for shard in before if after[shard] != before[shard]]  # the rest byte for byte
    pages = lambda files: {path for path in files if path.startswith("fragment/")}  # noqa: E731
    assert len(pages(after[edited]) - pages(before[edited])) == 1  # the other pages' files as they were
    # A template change alters no indexed text: every shard is kept.
    templates = tmp_path / "own-templates"
    shutil.copytree(REPO / "templates", templates)
    base = (templates / "base.html").read_text(encoding="utf-8")
    (templates / "base.html").write_text(base.replace("</main>", "<!-- تازه --></main>", 1), encoding="utf-8")
    assert build({}, config=SHARDED, templates=templates).code == 0
    assert "<!-- تازه -->" in (tmp_path / "output" / "news" / "1402" / "n10" / "index.html").read_text(encoding="utf-8")
    assert shard_files(tmp_path / "output")[0] == after


def test_unpublishing_and_a_schedule_reaching_its_time_update_the_release_shard(build, tmp_path):
    scheduled = release("خبر زمان‌بندی‌شده", "1403-06-01", "متن خبر زعفران.", scheduled="true")
    assert build({**MANY, "later.md": scheduled}, "--now", "1403-01-01", config=SHARDED).code == 0
    before, order = shard_files(tmp_path / "output")
    urls = lambda files: {r.url for r in records_in(files)}  # noqa: E731
    assert "news/1403/later/" not in urls(before)
    assert build({}, "--now", "1403-07-01", config=SHARDED).code == 0  # its time came: the newest shard changes
    now, newer = shard_files(tmp_path / "output")
    assert "news/1403/later/" in urls(now)
    assert newer[: len(order) - 1] == order[:-1] and now[newer[0]] == before[order[0]]  # only the newest moved
    assert (
        build(
            {"n00.md": MANY["n00.md"].replace("---\n", "---\ndraft: true\n", 1)}, "--now", "1403-07-01", config=SHARDED
        ).code
        == 0
    )  # a draft leaves the oldest shard, which carries the runtime
    drafted, shards = shard_files(tmp_path / "output")
    assert "news/1402/n00/" not in urls(drafted)
    assert len(set(shards) - set(newer)) <= 2 and shards[-2:] == newer[-2:]  # its shard, or the next if a cut moved
    assert "pagefind.js" in drafted[shards[0]]


def records_in(shards):
    """What each shard's fragments say: their URL, as records."""
    found = []
    for files in shards.values():
        for path, data in files.items():
            if path.startswith("fragment/"):
                fragment = json.loads(gzip.decompress(data)[len(b"pagefind_dcd") :])
                found.append(
                    SearchRecord(
                        fragment["url"].lstrip("/"), fragment["content"], fragment["meta"], fragment["filters"]
                    )
                )
    return found
