"""A build killed at any moment (kill -9) leaves the previous site complete and unchanged,
or the new one complete: never a mixture, never a half-written folder, and no worker
process waiting for ever. A small change is patched in by a journal: cut short while
moving files in, it is completed from it."""

import os
import signal
import subprocess
import sys
import time

from conftest import NOW_ARG, REPO, release, tree, write_site

from newsroom.output import recover_output

BUILD = [sys.executable, str(REPO / "build.py"), "--now", NOW_ARG, "--quiet", "--no-cache"]


def test_kill_9_at_any_moment_leaves_a_complete_site(tmp_path):
    files = {
        f"1403/n{i:03d}.md": release(
            f"خبر شمارهٔ {i}", f"1403-0{1 + i % 8}-1{i % 9}", "متن خبر. " * 80, tags=f"[برچسب {i % 7}]", county="سمنان"
        )
        for i in range(300)
    }
    write_site(tmp_path, files)
    subprocess.run(BUILD, cwd=tmp_path, check=True)
    old = tree(tmp_path / "output")
    (tmp_path / "content/1403/new.md").write_text(release("خبر تازه", "1403-08-01"), encoding="utf-8")
    clock = time.perf_counter()
    subprocess.run(BUILD + ["--output", "expected-new"], cwd=tmp_path, check=True)
    duration = time.perf_counter() - clock
    new = tree(tmp_path / "expected-new")
    assert new != old

    outcomes = set()
    for fraction in (0.05, 0.2, 0.4, 0.6, 0.75, 0.85, 0.9, 0.95, 1.0, 1.1):
        # In a group of its own, so that the processes it started can be found afterwards.
        process = subprocess.Popen(
            BUILD, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(duration * fraction)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert not outlived(process.pid), f"worker processes outlived a build killed at {fraction:.0%}"
        now = tree(tmp_path / "output")
        assert now in (old, new), f"a mixture after a kill at {fraction:.0%} of a build"
        outcomes.add("old" if now == old else "new")
        if now == new:  # put the old site back for the next round
            (tmp_path / "content/1403/new.md").rename(tmp_path / "new.md.away")
            subprocess.run(BUILD, cwd=tmp_path, check=True)
            (tmp_path / "new.md.away").rename(tmp_path / "content/1403/new.md")
            assert tree(tmp_path / "output") == old
    # The next build cleans up what the killed ones left and succeeds.
    subprocess.run(BUILD, cwd=tmp_path, check=True)
    assert tree(tmp_path / "output") == new
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".output.")] == []
    assert "old" in outcomes


def outlived(group: int) -> bool:
    """Whether a process of the group ``group`` is still there a few seconds on."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    os.killpg(group, signal.SIGKILL)  # not to leave them behind for the next tests
    return True


def test_a_patch_cut_short_while_moving_files_in_is_completed_from_its_journal(tmp_path, build, monkeypatch):
    files = {
        f"n{i:02d}.md": release(f"خبر شمارهٔ {i}", f"1403-0{1 + i % 6}-1{i % 9}", tags=f"[برچسب {i % 4}]")
        for i in range(30)
    }
    build(files)
    edited = {"n07.md": release("خبر شمارهٔ ۷ با عنوان تازه", "1403-02-17", tags="[برچسب 3]")}
    build(edited, "--no-cache", "--output", "expected")
    expected = tree(tmp_path / "expected")

    moved = []
    real_replace = os.replace

    def replace_then_die(source, target):
        if ".output.patch-" in str(source):
            if moved:
                raise KeyboardInterrupt  # as if killed after the first file was moved in
            moved.append(target)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_die)
    assert build(edited).code == 130  # interrupted
    monkeypatch.setattr(os, "replace", real_replace)
    assert tree(tmp_path / "output") not in (expected,)  # a mixture, for now
    assert list(tmp_path.glob(".output.patch-*/journal.json"))

    recover_output(tmp_path / "output")
    assert tree(tmp_path / "output") == expected
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".output.")] == []
