"""The command line as CI and staff run it: real processes, real exit codes."""

import subprocess
import sys
from pathlib import Path

from conftest import NOW_ARG, REPO, release, tree, write_site


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_help_documents_every_option(tmp_path):
    top = run("--help", cwd=tmp_path)
    assert top.returncode == 0 and "build" in top.stdout
    build = run("build", "--help", cwd=tmp_path)
    assert build.returncode == 0
    for option in (
        "--config",
        "--content",
        "--output",
        "--base-url",
        "--drafts",
        "--future",
        "--expired",
        "--now",
        "--strict",
        "--quiet",
        "--timings",
        "--annotations",
        "--code-quality",
    ):
        assert option in build.stdout
    check = run("check", "--help", cwd=tmp_path)
    for option in ("--strict", "--annotations", "--code-quality", "GITHUB_ACTIONS=true", "GITLAB_CI=true"):
        assert option in check.stdout


def test_usage_errors_exit_2(tmp_path):
    assert run("--no-such-flag", cwd=tmp_path).returncode == 2
    assert run("publish", cwd=tmp_path).returncode == 2
    write_site(tmp_path, {})
    bad_now = run("--now", "1400-12-30", cwd=tmp_path)
    assert bad_now.returncode == 2 and "--now: اسفند ۱۴۰۰ فقط ۲۹ روز دارد" in bad_now.stderr
    bad_url = run("--base-url", "not a url", cwd=tmp_path)
    assert bad_url.returncode == 2 and "--base-url: «not a url» نشانی کامل سایت نیست" in bad_url.stderr


def test_content_output_and_base_url_override_the_config(tmp_path):
    write_site(tmp_path, {})
    news = tmp_path / "elsewhere"
    news.mkdir()
    (news / "x.md").write_text(release("از جای دیگر"), encoding="utf-8")
    result = run(
        "--content",
        str(news),
        "--output",
        str(tmp_path / "public"),
        "--base-url",
        "https://a.ir/b",
        "--now",
        NOW_ARG,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "public/news/1403/x/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://a.ir/b/news/1403/x/">' in page
    assert "ساخته شد: 1 خبر" in result.stdout
    assert not (tmp_path / "output").exists()


def test_two_builds_are_byte_identical(tmp_path):
    write_site(
        tmp_path, {f"n{i}.md": release(f"خبر {i}", f"1403-0{1 + i % 9}-1{i % 9}", tags="[یک, دو]") for i in range(12)}
    )
    assert run("--now", NOW_ARG, "--output", "one", cwd=tmp_path).returncode == 0
    assert run("--now", NOW_ARG, "--output", "two", cwd=tmp_path).returncode == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_a_failed_build_leaves_the_previous_site_as_it_was(tmp_path):
    write_site(tmp_path, {"a.md": release("سالم")})
    assert run("--now", NOW_ARG, cwd=tmp_path).returncode == 0
    before = tree(tmp_path / "output")
    (tmp_path / "content" / "b.md").write_text("---\ntitle: شکسته\ndate: 1400-12-30\n---\nمتن\n", encoding="utf-8")
    result = run("--now", NOW_ARG, cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith("ساخت سایت انجام نشد: 1 خطا، 0 هشدار\n")
    assert tree(tmp_path / "output") == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".output")] == []


def test_a_rebuild_replaces_the_site_and_drops_removed_pages(tmp_path):
    write_site(tmp_path, {"a.md": release("الف"), "b.md": release("ب")})
    assert run("--now", NOW_ARG, cwd=tmp_path).returncode == 0
    (tmp_path / "content" / "b.md").unlink()
    assert run("--now", NOW_ARG, cwd=tmp_path).returncode == 0
    assert not (tmp_path / "output/news/1403/b").exists()
    assert (tmp_path / "output/news/1403/a/index.html").exists()


def test_the_output_folder_is_never_someone_elses(tmp_path):
    write_site(tmp_path, {"a.md": release("الف")})
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.txt").write_text("important", encoding="utf-8")
    foreign = run("--now", NOW_ARG, "--output", "docs", cwd=tmp_path)
    assert foreign.returncode == 1 and "خروجی این برنامه هم نیست" in foreign.stderr
    assert (tmp_path / "docs" / "thesis.txt").read_text(encoding="utf-8") == "important"
    project = run("--now", NOW_ARG, "--output", ".", cwd=tmp_path)
    assert project.returncode == 1 and (tmp_path / "content" / "a.md").exists()
    inside = run("--now", NOW_ARG, "--output", "content/site", cwd=tmp_path)
    assert inside.returncode == 1 and "پوشهٔ خروجی با پوشهٔ «content»" in inside.stderr


def test_missing_config_and_missing_content_are_located_errors(tmp_path):
    result = run("--config", "nope.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr.splitlines()[0]) == (
        1,
        "nope.yaml: فایل پیکربندی پیدا نشد؛ مسیر را با --config بدهید",
    )
    write_site(tmp_path, {})
    result = run("--content", "missing", cwd=tmp_path)
    assert (result.returncode, result.stderr.splitlines()[0]) == (
        1,
        "missing: پوشهٔ خبرها پیدا نشد؛ مسیر را با --content یا content_dir بدهید",
    )


def test_drafts_and_future_flags(tmp_path):
    write_site(tmp_path, {"d.md": release("پیش‌نویس", draft="true"), "f.md": release("آینده", "1405-01-01")})
    assert run("--now", NOW_ARG, "--drafts", "--future", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "output/news").iterdir()) == ["1403", "1405"]
    assert run("--now", NOW_ARG, cwd=tmp_path).returncode == 0
    assert not (tmp_path / "output/news").exists()


def test_a_killed_builds_staging_folder_is_cleaned_up(tmp_path):
    write_site(tmp_path, {"a.md": release("الف")})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = tmp_path / f".output.staging-{dead.stdout.strip()}"
    (abandoned / "news").mkdir(parents=True)
    assert run("--now", NOW_ARG, cwd=tmp_path).returncode == 0
    assert not abandoned.exists()


def test_warnings_are_reported_with_the_errors_that_stop_the_build(tmp_path):
    write_site(tmp_path, {"a.md": release("الف", slug="same"), "same.md": release("ب"), "notes.txt": "x"})
    result = run("--now", NOW_ARG, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "ساخت سایت انجام نشد: 2 خطا، 1 هشدار"


def test_a_long_build_shows_progress_on_a_terminal_only(tmp_path):
    import os
    import pty

    write_site(tmp_path, {f"n{i:03d}.md": release(f"خبر {i}") for i in range(120)})
    pid, fd = pty.fork()
    if pid == 0:  # the child: a build on a terminal, as staff run it
        os.chdir(tmp_path)
        os.environ.pop("CI", None)
        os.execv(sys.executable, [sys.executable, str(REPO / "build.py"), "--now", NOW_ARG, "--no-cache"])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.waitpid(pid, 0)
    text = output.decode("utf-8")
    assert "████████████████████ ۱۲۰/۱۲۰ خبر" in text
    assert "ساخته شد: 120 خبر" in text
    piped = run("--now", NOW_ARG, "--no-cache", cwd=tmp_path)
    assert "█" not in piped.stderr + piped.stdout


def test_a_rebuild_leaves_unchanged_files_untouched(tmp_path):
    write_site(
        tmp_path,
        {
            "a.md": release("الف", body="گلخانه"),
            "b.md": release("ب", "1402-02-15", body="مدرسه"),
            "c.md": release("پ", "1401-02-15", body="سیل"),
        },
        "related:\n  count: 1\n",  # c's one related release is b, nearest in time
    )
    assert run("--now", NOW_ARG, cwd=tmp_path).returncode == 0
    # c's page shows neither a nor anything that changes with it (b is its only neighbour).
    untouched = [tmp_path / "output/news/1401/c/index.html", tmp_path / "output/static/css/site.css"]
    before = [(p.stat().st_ino, p.stat().st_mtime_ns) for p in untouched]
    (tmp_path / "content/a.md").write_text(release("الف ویرایش‌شده", body="گلخانه"), encoding="utf-8")
    assert run("--now", NOW_ARG, cwd=tmp_path).returncode == 0
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in untouched] == before  # rsync sends nothing for them
    assert "<h1>الف ویرایش‌شده</h1>" in (tmp_path / "output/news/1403/a/index.html").read_text(encoding="utf-8")
