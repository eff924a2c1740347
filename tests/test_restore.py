"""CI restores the cache folder and the output folder into a fresh checkout: new files
(inodes, change times), maybe another absolute path, modification times kept exactly,
cut to whole seconds or set to the moment of the restore. The output folder is then
trusted by its content: an unchanged site is not made again, an edit makes only what it
touches, and whatever does not match what the build recorded is made again."""

import os
import shutil
from pathlib import Path

import pytest
from conftest import NOW, REPO, release, tree, write_site

from newsroom.config import load_config
from newsroom.pipeline import BuildReport, build_site

TIMES = ["exact", "seconds", "now"]  # tar --posix; zip (GitLab's cache); extracted without times


def restore(project: Path, to: Path, times: str = "exact") -> Path:
    """``project`` (content, templates, static, configuration, ``.cache`` and output) as a
    CI cache brings it back into a fresh checkout at ``to`` (which may be ``project``
    itself): every file new, its modification time kept to the nanosecond, cut to whole
    seconds or set to now (``times``). Returns ``to``."""
    source = project
    if to == project:  # the same place, but every file made anew
        source = project.with_name(project.name + ".aside")
        shutil.copytree(project, source, symlinks=True)
        shutil.rmtree(project)
    shutil.copytree(source, to, symlinks=True)  # as copy2: times kept to the nanosecond
    if source != project:
        shutil.rmtree(source)
    for path in to.rglob("*"):
        if path.is_file() and not path.is_symlink():
            if times == "seconds":
                stat = path.stat()
                os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns // 10**9 * 10**9))
            elif times == "now":
                os.utime(path)
    return to


def releases(count: int = 24) -> dict[str, str]:
    return {
        f"n{i:02d}.md": release(
            f"خبر شمارهٔ {i}", f"1403-0{i % 6 + 1}-{i % 28 + 1:02d}", tags=f"[برچسب {i % 3}]", county="سمنان"
        )
        for i in range(count)
    }


def project(root: Path, files: dict[str, str]) -> Path:
    """A site whose folders are named relative to its configuration, as in a checkout."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    write_site(root, files, static=Path("static"), templates=Path("templates"))
    return root


def build(root: Path, monkeypatch, *, search: bool = False, no_cache: bool = False) -> BuildReport:
    """Build ``root`` as CI does: from its folder, with its configuration."""
    monkeypatch.chdir(root)
    return build_site(load_config(Path("config.yaml")), NOW, jobs=1, search=search, use_cache=not no_cache)


def clean(root: Path, monkeypatch) -> dict[str, bytes]:
    """The site a build without any cache makes of ``root``'s sources."""
    fresh = root.with_name(root.name + ".clean")
    shutil.rmtree(fresh, ignore_errors=True)
    for name in ("content", "templates", "static", "config.yaml"):
        (shutil.copytree if (root / name).is_dir() else shutil.copy2)(root / name, fresh / name)
    build(fresh, monkeypatch, no_cache=True)
    return tree(fresh / "output")


@pytest.mark.parametrize("times", TIMES)
@pytest.mark.parametrize("moved", [False, True], ids=["same-place", "moved"])
def test_a_restored_unchanged_site_is_not_made_again(tmp_path, monkeypatch, times, moved):
    root = project(tmp_path / "checkout", releases())
    build(root, monkeypatch, search=True)
    (root / ".cache/last-build.pickle").unlink()
    local = build(root, monkeypatch, search=True)  # what a rebuild with nothing to do makes: feeds and the like
    assert local.written == "unchanged"
    site = tree(root / "output")

    root = restore(root, tmp_path / "elsewhere" if moved else root, times)
    report = build(root, monkeypatch, search=True)
    assert "render" in report.timings  # a real build: the last one's record does not apply to new files
    assert report.reused == report.articles  # no release read again, wherever the checkout lies
    assert (report.rendered, report.written, report.changed) == (local.rendered, "unchanged", ())
    assert tree(root / "output") == site


@pytest.mark.parametrize("times", TIMES)
def test_after_a_restore_an_edit_makes_only_what_it_makes_without_one(tmp_path, monkeypatch, times):
    local = project(tmp_path / "checkout", releases())
    build(local, monkeypatch)
    restored = restore(local, tmp_path / "elsewhere", times)
    edit = {"n00.md": release("خبر شمارهٔ ۰ با عنوانی درست‌شده", "1403-01-01", tags="[برچسب 0]", county="سمنان")}
    reports = []
    for root in (local, restored):
        write_site(root, edit, static=Path("static"), templates=Path("templates"))
        reports.append(build(root, monkeypatch))
    here, there = reports
    assert (there.rendered, there.written, there.changed) == (here.rendered, "patched", here.changed)
    # The release's page, its neighbours and related pages, the lists that show its title.
    assert "news/1403/n00/index.html" in there.changed and "news/1403/n05/index.html" not in there.changed
    assert len(there.changed) < there.files / 3
    assert tree(restored / "output") == tree(local / "output") == clean(restored, monkeypatch)


@pytest.mark.parametrize("times", TIMES)
def test_a_restored_file_damaged_to_the_same_size_is_made_again(tmp_path, monkeypatch, times):
    root = project(tmp_path / "checkout", releases())
    build(root, monkeypatch)
    root = restore(root, tmp_path / "elsewhere", times)
    page = root / "output/news/1403/n03/index.html"
    made = page.read_bytes()
    stat = page.stat()
    page.write_bytes(made.replace("خبر شمارهٔ 3".encode(), "خبر شمارهٔ 8".encode()))  # same length, another text
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert page.stat().st_size == len(made) and page.read_bytes() != made
    report = build(root, monkeypatch)
    assert page.read_bytes() == made
    assert report.changed == ("news/1403/n03/index.html",)


def test_a_manifest_restored_without_its_output_folder_trusts_nothing(tmp_path, monkeypatch):
    root = project(tmp_path / "checkout", releases())
    build(root, monkeypatch)
    shutil.rmtree(root / "output")
    root = restore(root, tmp_path / "elsewhere")
    report = build(root, monkeypatch)
    assert (report.rendered, report.written) == (report.files, "replaced")
    assert tree(root / "output") == clean(root, monkeypatch)


def test_a_manifest_restored_with_an_output_folder_of_another_build_trusts_nothing(tmp_path, monkeypatch):
    # The output folder of an earlier build (a release since deleted, another since
    # edited) beside the manifest of a later one: their pages must not mix.
    root = project(tmp_path / "checkout", {**releases(), "gone.md": release("خبری که پاک می‌شود", "1403-03-03")})
    build(root, monkeypatch)
    earlier = tmp_path / "earlier-output"
    shutil.copytree(root / "output", earlier)  # with its marker
    (root / "content/gone.md").unlink()
    write_site(
        root,
        {"n01.md": release("خبر شمارهٔ ۱، ویراسته", "1403-02-02")},
        static=Path("static"),
        templates=Path("templates"),
    )
    build(root, monkeypatch)
    shutil.rmtree(root / "output")
    shutil.copytree(earlier, root / "output")
    root = restore(root, tmp_path / "elsewhere", "seconds")

    report = build(root, monkeypatch)
    assert (report.rendered, report.written) == (report.files, "replaced")
    assert not (root / "output/news/1403/gone/index.html").exists()
    assert tree(root / "output") == clean(root, monkeypatch)


def test_an_output_folder_copied_from_another_site_is_not_trusted(tmp_path, monkeypatch):
    root = project(tmp_path / "checkout", releases())
    build(root, monkeypatch)
    other = project(tmp_path / "other", {f"x{i}.md": release(f"خبر دیگر {i}", "1403-04-04") for i in range(3)})
    build(other, monkeypatch)
    shutil.rmtree(root / "output")
    shutil.copytree(other / "output", root / "output")  # marker and all
    report = build(root, monkeypatch)
    assert (report.rendered, report.written) == (report.files, "replaced")
    assert tree(root / "output") == clean(root, monkeypatch)


def test_a_manifest_of_the_previous_format_is_ignored(tmp_path, monkeypatch):
    from newsroom.cache import SplitPickle

    root = project(tmp_path / "checkout", releases())
    build(root, monkeypatch)
    stamp = ("newsroom-outputs-2", str((root / "output").absolute()), (0, 0, 0))
    SplitPickle(root / ".cache/outputs.pickle").save(stamp, {"index.html": ("five", "fields", "of", "old", "layout")})
    (root / ".cache/last-build.pickle").unlink()
    report = build(root, monkeypatch)
    assert (report.rendered, report.written) == (report.files, "replaced")
    assert tree(root / "output") == clean(root, monkeypatch)
