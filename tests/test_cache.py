"""The caches of read releases and made files: reused when nothing changed, never the cause of wrong output."""

import shutil
import subprocess
import sys

from conftest import NOW_ARG, REPO, release, tree, write_site

from newsroom import cards
from newsroom.cache import Cache, FileCache


def build(tmp_path, *args):
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--now", NOW_ARG, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_rebuild_reuses_releases_and_builds_the_same_site(tmp_path):
    write_site(tmp_path, {f"n{i}.md": release(f"خبر {i}", f"1403-02-1{i}", tags="[یک]") for i in range(6)})
    first = build(tmp_path)
    assert first.returncode == 0 and "از حافظهٔ میانی" not in first.stdout
    second = build(tmp_path, "--output", "again")
    assert "(6 خبر از حافظهٔ میانی)" in second.stdout
    clean = build(tmp_path, "--no-cache", "--output", "clean")
    assert "از حافظهٔ میانی" not in clean.stdout
    assert tree(tmp_path / "again") == tree(tmp_path / "output") == tree(tmp_path / "clean")


def test_an_edited_release_is_read_again(tmp_path):
    write_site(tmp_path, {"a.md": release("عنوان نخست"), "b.md": release("ب")})
    build(tmp_path)
    (tmp_path / "content/a.md").write_text(release("عنوان ویرایش‌شده"), encoding="utf-8")
    result = build(tmp_path)
    assert "(1 خبر از حافظهٔ میانی)" in result.stdout
    assert "<h1>عنوان ویرایش‌شده</h1>" in (tmp_path / "output/news/1403/a/index.html").read_text(encoding="utf-8")


def test_a_setting_that_shapes_releases_invalidates_the_cache(tmp_path):
    write_site(tmp_path, {"a.md": release("الف")})
    build(tmp_path)
    write_site(tmp_path, {}, config="permalink: /khabar/{slug}/\n")
    result = build(tmp_path)
    assert result.returncode == 0 and "از حافظهٔ میانی" not in result.stdout
    assert (tmp_path / "output/khabar/a/index.html").exists()


def test_a_damaged_or_foreign_cache_is_ignored_with_a_notice(tmp_path):
    write_site(tmp_path, {"a.md": release("الف")})
    build(tmp_path)
    expected = tree(tmp_path / "output")
    cache = tmp_path / ".cache/releases.pickle"
    for damage in (cache.read_bytes()[:100], b"\x00" * 50, b"newsroom-cache-3\nnot a pickle"):
        cache.write_bytes(damage)
        # Nothing else changed: without this the build would stop before reading the cache.
        (tmp_path / ".cache/last-build.pickle").unlink(missing_ok=True)
        result = build(tmp_path)
        assert result.returncode == 0
        assert result.stderr.startswith("حافظهٔ میانی .cache/releases.pickle خوانده نشد")
        assert len(result.stderr.splitlines()) == 1
        assert tree(tmp_path / "output") == expected


def test_a_small_change_saves_a_delta_which_the_next_build_reads(tmp_path):
    releases = {f"n{i:02d}.md": release(f"خبر {i}", f"1403-02-1{i % 9}", tags="[یک]") for i in range(20)}
    write_site(tmp_path, releases)
    build(tmp_path)
    cache = tmp_path / ".cache/releases.pickle"
    delta = tmp_path / ".cache/releases.pickle.delta"
    whole = cache.read_bytes()
    (tmp_path / "content/n03.md").write_text(
        release("خبر سه با عنوان تازه", "1403-02-13", tags="[یک]"), encoding="utf-8"
    )
    assert "(19 خبر از حافظهٔ میانی)" in build(tmp_path).stdout
    assert cache.read_bytes() == whole and delta.exists()  # the whole file was not written again

    (tmp_path / ".cache/last-build.pickle").unlink()  # make the next build read every release
    again = build(tmp_path, "--output", "again")
    assert "(20 خبر از حافظهٔ میانی)" in again.stdout  # the edited release came from the delta
    assert tree(tmp_path / "again") == tree(tmp_path / "output")

    delta.write_bytes(b"newsroom-cache-3\nnot a pickle")  # a damaged delta costs only time
    (tmp_path / ".cache/last-build.pickle").unlink()
    damaged = build(tmp_path, "--output", "damaged")
    assert damaged.returncode == 0 and "(19 خبر از حافظهٔ میانی)" in damaged.stdout and damaged.stderr == ""
    assert tree(tmp_path / "damaged") == tree(tmp_path / "output")


def test_the_whole_cache_is_written_again_when_much_changed(tmp_path):
    write_site(tmp_path, {f"n{i:02d}.md": release(f"خبر {i}", f"1403-02-1{i % 9}") for i in range(20)})
    build(tmp_path)
    write_site(tmp_path, {f"n{i:02d}.md": release(f"خبر دیگر {i}", f"1403-02-1{i % 9}") for i in range(20)})
    assert "از حافظهٔ میانی" not in build(tmp_path).stdout
    assert not (tmp_path / ".cache/releases.pickle.delta").exists()
    (tmp_path / ".cache/last-build.pickle").unlink()
    assert "(20 خبر از حافظهٔ میانی)" in build(tmp_path, "--output", "again").stdout


def named_bytes(name):
    return {f"{name}.png": name.encode()}


def test_made_files_looked_up_together_are_found_and_kept_as_one_by_one(tmp_path):
    folder = tmp_path / "files"
    assert FileCache(folder).get_many(["a.png"]) == {}  # no folder yet
    made = FileCache(folder)
    assert made.fill(named_bytes, [("a",), ("b",), ("c",)]) == [{f"{key}.png": folder / f"{key}.png"} for key in "abc"]
    keys = ["a.png", "b.png", "e.png"]
    assert {key: FileCache(folder).get(key) for key in keys} == {
        "a.png": folder / "a.png",
        "b.png": folder / "b.png",
        "e.png": None,
    }
    again = FileCache(folder)
    assert again.get_many(keys) == {"a.png": folder / "a.png", "b.png": folder / "b.png"}
    again.prune()  # what was found counts as used
    assert sorted(path.name for path in folder.iterdir()) == ["a.png", "b.png"]


def test_files_made_in_other_processes_are_stored_by_them_and_counted_as_used(tmp_path):
    folder = tmp_path / "files"
    names = [f"n{number}" for number in range(40)]  # enough to start processes
    made = FileCache(folder)
    assert made.fill(named_bytes, [(name,) for name in names], jobs=2) == [
        {f"{n}.png": folder / f"{n}.png"} for n in names
    ]
    assert all((folder / f"{name}.png").read_bytes() == name.encode() for name in names)
    (folder / "old.png").write_bytes(b"")
    made.prune()
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"{name}.png" for name in names)


def test_a_cache_of_an_earlier_version_is_set_aside_without_a_notice(tmp_path):
    write_site(tmp_path, {"a.md": release("الف")})
    build(tmp_path)
    expected = tree(tmp_path / "output")
    (tmp_path / ".cache/releases.pickle").write_bytes(b"newsroom-cache-1\n" + b"\x80\x05older layout")
    (tmp_path / ".cache/last-build.pickle").unlink()
    result = build(tmp_path)
    assert result.returncode == 0 and result.stderr == "" and "از حافظهٔ میانی" not in result.stdout
    assert tree(tmp_path / "output") == expected


def test_compiled_templates_are_kept_and_neither_stale_nor_fatal(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    write_site(tmp_path, {"a.md": release("الف")}, templates=templates)
    build(tmp_path)
    compiled = sorted((tmp_path / ".cache/templates").iterdir())
    assert compiled  # the next build loads them rather than compiling again
    expected = tree(tmp_path / "output")
    for number, damage in enumerate((b"", b"j2 not compiled code", compiled[0].read_bytes()[:60])):
        for path in compiled:
            path.write_bytes(damage)
        result = build(tmp_path, "--output", f"damaged-{number}")
        assert result.returncode == 0 and result.stderr == ""
        assert tree(tmp_path / f"damaged-{number}") == expected

    article = templates / "article.html"
    article.write_text(
        article.read_text(encoding="utf-8").replace("</article>", "<p>نسخهٔ تازهٔ قالب</p></article>", 1),
        encoding="utf-8",
    )
    assert build(tmp_path).returncode == 0
    assert "نسخهٔ تازهٔ قالب" in (tmp_path / "output/news/1403/a/index.html").read_text(encoding="utf-8")


def _refuse():
    raise TypeError("made by another version")


class Unmakeable:
    """Pickles as a call that fails, as a release cached by an earlier version whose
    layout has changed does in a later one."""

    def __reduce__(self):
        return _refuse, ()


def test_releases_cached_by_another_version_of_the_engine_are_not_even_loaded(tmp_path):
    path = tmp_path / "releases.pickle"
    older = Cache(path, "engine-1")
    older.put("a", Unmakeable())
    older.save()
    newer = Cache(path, "engine-2")
    assert (newer.notice, newer.empty) == (None, True)  # outdated: set aside without a word
    same = Cache(path, "engine-1")
    assert same.notice is not None and same.empty  # the same engine cannot load it: damage, said


def test_a_cache_folder_that_cannot_be_made_costs_time_not_the_build(tmp_path):
    write_site(tmp_path, {"a.md": release("الف"), "b.md": release("ب")}, config="cache_dir: blocker/cache\n")
    (tmp_path / "blocker").write_text("a file where the cache folder would go", encoding="utf-8")
    result = build(tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    notices = result.stderr.splitlines()
    assert any(line.startswith("حافظهٔ میانی blocker/cache/releases.pickle نوشته نشد") for line in notices)
    if cards.can_set_persian():  # share cards are made, and cannot be kept
        assert any(line.startswith("پوشهٔ blocker/cache/files ساخته نشد") for line in notices)
    assert build(tmp_path, "--no-cache", "--output", "clean").returncode == 0
    assert tree(tmp_path / "output") == tree(tmp_path / "clean")
