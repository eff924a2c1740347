"""A rebuild that reuses the previous build (cache, kept pages, patched output) makes
exactly the site a clean build makes, whatever was edited in between, and wherever CI
restored the project, its cache and its output folder meanwhile."""

import os
import shutil
import tempfile
import time
from pathlib import Path

from conftest import NOW_ARG, REPO, photo, read, release, tree, write_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_restore import TIMES, restore

from newsroom import render
from newsroom.cli import main

TAGS = ["کمک مؤمنانه", "كمك مؤمنانه", "زعفران", "گلخانه", "آب شرب"]
COUNTIES = ["شاهرود", "دامغان", "سمنان"]
WORDS = ["بسته", "معیشتی", "زعفران", "گلخانه", "روستا", "جهادگران", "اشتغال", "مدرسه", "آب", "طرح"]
# Search shards of a few releases each, so that edits move releases between shards.
CONFIGS = [
    config + "search:\n  shard_size: 4\n"
    for config in (
        "page_size: 5\n",
        "page_size: 3\n",
        "page_size: 5\nrelated:\n  count: 2\n",
        "page_size: 5\ndescription: نسخهٔ دیگری از توضیح سایت\n",
    )
] + ["page_size: 5\nsearch:\n  shard_size: 6\n"]

release_text = st.builds(
    lambda words, day, tags, county, draft, pictured: release(
        " ".join(words),
        f"1403-0{day % 8 + 1}-{day % 28 + 1:02d}",
        " ".join(reversed(words)) + ".",
        tags=f"[{', '.join(tags)}]",
        county=county,
        **({"draft": "true"} if draft else {}),
        **({"image": "p.jpg", "image_alt": "عکس بازدید"} if pictured else {}),
    ),
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=5),
    st.integers(0, 200),
    st.lists(st.sampled_from(TAGS), max_size=3),
    st.sampled_from(COUNTIES),
    st.booleans(),
    st.booleans(),
)
names = st.sampled_from(["a.md", "b.md", "c.md", "1402/d.md", "1402/e.md", "f.md"])
edits = st.one_of(
    st.tuples(st.just("write"), names, release_text),  # add a release, or rewrite one
    st.tuples(st.just("delete"), names, st.none()),
    st.tuples(st.just("rename"), names, names),
    st.tuples(
        st.just("template"),
        st.sampled_from(["article.html", "list.html", "base.html", "_macros.html"]),
        st.sampled_from(["<!-- ۱ -->", "<p>نسخهٔ تازه</p>", ""]),
    ),
    st.tuples(st.just("config"), st.sampled_from(CONFIGS), st.none()),
    st.tuples(st.just("style"), st.sampled_from(["a { color: red; }", "p { margin: 0; }"]), st.none()),
    st.tuples(st.just("photo"), st.sampled_from([(64, 48), (80, 60), (48, 64)]), st.none()),  # same name, new picture
    st.tuples(st.just("nothing"), st.none(), st.none()),
    # The project, its .cache and output restored by CI: elsewhere or at the same place.
    st.tuples(st.just("restore"), st.sampled_from(TIMES), st.booleans()),
    # The clock moves: releases come out (a schedule reaching its time) or are not out yet.
    st.tuples(st.just("clock"), st.sampled_from(["1403-05-15 12:00", NOW_ARG, "1404-01-01 12:00"]), st.none()),
)


def apply(root: Path, edit: tuple) -> None:
    kind, first, second = edit
    content = root / "content"
    if kind == "write":
        (content / first).parent.mkdir(parents=True, exist_ok=True)
        (content / first).write_text(second, encoding="utf-8")
    elif kind == "delete" and (content / first).exists():
        (content / first).unlink()
    elif kind == "rename" and (content / first).exists() and first != second:
        (content / second).parent.mkdir(parents=True, exist_ok=True)
        (content / first).rename(content / second)
    elif kind == "template":
        path = root / "templates" / first
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("</main>", second + "</main>", 1) if "</main>" in text else text + second, encoding="utf-8"
        )
    elif kind == "config":
        (root / "config.yaml").write_text(
            (root / "config.yaml").read_text(encoding="utf-8").split("page_size")[0] + first, encoding="utf-8"
        )
    elif kind == "photo":
        photo(content / "p.jpg", first)
    elif kind == "style":
        with (root / "static" / "css" / "site.css").open("a", encoding="utf-8") as css:
            css.write(first + "\n")


def build(root: Path, *args: str) -> int:
    here = os.getcwd()
    os.chdir(root)
    try:
        return main(["build", "--now", NOW_ARG, "--quiet", *args])
    finally:
        os.chdir(here)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edits, min_size=1, max_size=5))
def test_an_incremental_rebuild_makes_the_site_a_clean_build_makes(steps):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "checkout"
        shutil.copytree(REPO / "templates", root / "templates")
        shutil.copytree(REPO / "static", root / "static")
        # Enough releases that one edit touches a small part of the site and is patched in.
        others = {
            f"k{i:02d}.md": release(
                f"{WORDS[i % 10]} {WORDS[(i * 3) % 10]} {i}",
                f"1401-{i % 12 + 1:02d}-10",
                tags=f"[موضوع {i}]",
                county="گرمسار",
            )
            for i in range(24)
        }
        write_site(
            root,
            {
                "a.md": release("گلخانهٔ روستا", "1403-02-01", tags="[گلخانه, آب شرب]", county="سمنان"),
                "b.md": release("بستهٔ معیشتی", "1403-03-01", tags="[کمک مؤمنانه]", county="دامغان"),
                "1402/d.md": release("زعفران شاهرود", "1402-08-01", tags="[زعفران]", county="شاهرود"),
                **others,
            },
            CONFIGS[0],
            static=Path("static"),
            templates=Path("templates"),
        )  # beside config.yaml
        photo(root / "content" / "p.jpg")
        assert build(root) == 0
        now = NOW_ARG
        for number, step in enumerate(steps):
            if step[0] == "restore":
                before, root = root, restore(root, root if step[2] else Path(scratch) / f"restored-{number}", step[1])
                if root != before:
                    shutil.rmtree(before)  # a fresh runner: nothing left where the project was built
            elif step[0] == "clock":
                now = step[1]
            else:
                apply(root, step)
            code = build(root, "--now", now)
            clean_code = build(root, "--now", now, "--no-cache", "--output", "clean")
            assert code == clean_code, step
            if code == 0:
                assert tree(root / "output") == tree(root / "clean"), f"after {step}"
            shutil.rmtree(root / "clean", ignore_errors=True)


def test_an_unchanged_site_renders_and_writes_nothing(tmp_path, build):
    files = {f"n{i}.md": release(f"خبر شمارهٔ {i}", f"1403-02-{i + 1:02d}", tags="[زعفران]") for i in range(12)}
    build(files)
    folder = os.stat(tmp_path / "output").st_ino
    before = {path: os.stat(tmp_path / "output" / path).st_mtime_ns for path in tree(tmp_path / "output")}
    build({})
    after = {path: os.stat(tmp_path / "output" / path).st_mtime_ns for path in tree(tmp_path / "output")}
    assert after == before
    assert os.stat(tmp_path / "output").st_ino == folder  # not even swapped for an identical copy


def test_editing_one_release_rewrites_only_the_pages_that_show_it(tmp_path, build):
    files = {
        f"n{i:02d}.md": release(
            f"خبر شمارهٔ {i}", f"1403-0{i % 6 + 1}-{i + 1:02d}", tags=f"[برچسب {i % 3}]", county="سمنان"
        )
        for i in range(30)
    }
    build(files)
    before = {path: os.stat(tmp_path / "output" / path).st_mtime_ns for path in tree(tmp_path / "output")}
    build({"n00.md": release("خبر شمارهٔ ۰ با عنوانی درست‌شده", "1403-01-01", tags="[برچسب 0]", county="سمنان")})
    after = {path: os.stat(tmp_path / "output" / path).st_mtime_ns for path in tree(tmp_path / "output")}
    rewritten = sorted(path for path in after if after[path] != before.get(path))
    assert "news/1403/n00/index.html" in rewritten
    assert "news/1403/n05/index.html" not in rewritten  # shows neither the title nor a list with it
    # The release's own page, its related and neighbouring pages, the lists that show its
    # title, feeds and sitemaps: a small part of the site.
    assert len(rewritten) < len(after) / 3, rewritten


def test_an_edit_makes_only_the_page_of_a_long_list_that_shows_the_release(tmp_path, build, monkeypatch):
    # One month of 25 releases: three pages of its archive list, the newest on the first.
    build({f"n{i:02d}.md": release(f"خبر {i}", f"1403-02-{i + 1:02d}") for i in range(25)})
    made = []
    make = render._Renderer.make
    monkeypatch.setattr(
        render._Renderer,
        "make",
        lambda self, page, fingerprint: made.append(page.dest) or make(self, page, fingerprint),
    )
    assert build({"n24.md": release("خبر 24", "1403-02-25", "متنی ویرایش‌شده.")}, "--jobs", "1").code == 0
    assert "news/1403/n24/index.html" in made
    assert [dest for dest in made if dest.startswith(("archive/1403/02/", "page/"))] == ["archive/1403/02/index.html"]


def test_with_nothing_changed_the_clock_still_publishes_and_withdraws(tmp_path, build):
    files = {
        "old.md": release("خبر پیشین", "1403-08-20"),
        "later.md": release("خبر زمان‌بندی‌شده", "1403-09-05 10:00", scheduled="true"),
    }
    build(files, "--now", "1403-09-01 12:00")
    assert not (tmp_path / "output/news/1403/later/index.html").exists()
    build({}, "--now", "1403-09-06 12:00")  # no file changed; the release's time has come
    assert (tmp_path / "output/news/1403/later/index.html").exists()
    build({}, "--now", "1403-09-01 12:00")
    assert not (tmp_path / "output/news/1403/later/index.html").exists()


def test_a_page_changed_by_hand_in_the_output_is_made_again(tmp_path, build):
    build({"a.md": release("خبر نخست")})
    page = tmp_path / "output/news/1403/a/index.html"
    made = page.read_bytes()
    page.write_bytes(b"<p>changed by hand</p>")
    build({})
    assert page.read_bytes() == made


def test_a_small_change_is_recorded_as_a_delta_of_the_manifest_which_the_next_build_trusts(tmp_path, build, capsys):
    # Large enough that one edit changes less than a tenth of the records.
    files = {
        f"n{i:03d}.md": release(f"خبر شمارهٔ {i}", f"1403-0{i % 6 + 1}-{i % 28 + 1:02d}", tags=f"[برچسب {i}]")
        for i in range(150)
    }
    build(files, "--no-search")  # the search index is made anew on any edit
    manifest = tmp_path / ".cache/outputs.pickle"
    whole = manifest.read_bytes()
    build({"n000.md": release("خبر شمارهٔ ۰ با عنوانی درست‌شده", "1403-01-01", tags="[برچسب 0]")}, "--no-search")
    assert manifest.read_bytes() == whole and manifest.with_name("outputs.pickle.delta").exists()

    def kept_files() -> str:
        (tmp_path / ".cache/last-build.pickle").unlink()  # check every page rather than stop at once
        assert main(["build", "--now", NOW_ARG, "--no-search"]) == 0
        return capsys.readouterr().out.split("، ")[3].split(" فایل")[0]  # of «N فایل بی‌تغییر و ساخته‌نشده …»

    # The pages the edit rewrote are known from the whole file and the delta together: a
    # build that checks every page keeps as many as one after it (only feeds and the
    # like are always made).
    assert kept_files() == kept_files()


def test_a_release_rewritten_to_its_old_size_and_time_is_still_read_again(tmp_path, build):
    build({"a.md": release("خبر نخست"), "b.md": release("خبر دوم")})
    time.sleep(1.1)  # older than a clock tick now: the next build records a.md as settled
    build({"b.md": release("خبر دوم، ویراسته")})
    source = tmp_path / "content" / "a.md"
    before = os.stat(source)
    # Same length, and the old modification time put back, as `rsync -t` or a restore may.
    source.write_text(source.read_text(encoding="utf-8").replace("نخست", "تازه"), encoding="utf-8")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (os.stat(source).st_size, os.stat(source).st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert build({}).code == 0
    assert "خبر تازه" in read(tmp_path, "/news/1403/a/")
