"""Problems where CI shows them: GitHub annotations and job summary, GitLab's Code Quality
report; and `strict` in config.yaml, which makes warnings block as --strict does."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from conftest import NOW_ARG, release, write_site

from newsroom.annotations import SUMMARY_ROWS, render_github_commands
from newsroom.cli import main
from newsroom.errors import WARNING, Problem

# A release with three typography warnings, and one whose date cannot be read (an error):
# its name carries the characters a workflow command's properties must escape.
SITE = {
    "1403/1403-08-20-today.md": release("خبر يك", body="این کار انجام می شود."),
    "x,y:z.md": release("خبر", "50%"),
}
GITHUB_LINES = [
    "::error file=content/x%2Cy%3Az.md,line=3,title=date::تاریخ «50%25» خوانده نشد؛ نمونه‌های درست: "
    "1403-02-15 یا ۱۴۰۳/۰۲/۱۵ یا 1403/2/15 10:30 یا ۱۵ اردیبهشت ۱۴۰۳",
    "::warning file=content/1403/1403-08-20-today.md,line=2,col=12,title=arabic-letter::"
    "حرف عربی «ي»؛ به جای آن «ی» یا «ک» فارسی بنویسید",
    "::warning file=content/1403/1403-08-20-today.md,line=2,col=13,title=arabic-letter::"
    "حرف عربی «ك»؛ به جای آن «ی» یا «ک» فارسی بنویسید",
    "::warning file=content/1403/1403-08-20-today.md,line=5,col=15,title=zwnj-mi::"
    "«می» جدا نوشته شده؛ «می» با نیم‌فاصله به فعل می‌چسبد: «می‌شود»",
]


@pytest.fixture(autouse=True)
def outside_ci(monkeypatch, tmp_path):
    """Each test starts as on a laptop, in its own folder, whatever runs the tests."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--now", NOW_ARG])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def commands(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("::")]


def test_github_annotations_name_file_line_and_rule(tmp_path, capsys, monkeypatch):
    write_site(tmp_path, SITE)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run(capsys, "check")
    assert code == 1  # the error blocks; the warnings alone would not
    # The usual lines come first, unchanged; then one command per problem, errors first.
    assert out.splitlines()[:5] == [
        "content/1403/1403-08-20-today.md:2:12: هشدار: arabic-letter: حرف عربی «ي»؛ به جای آن «ی» یا «ک» فارسی بنویسید",
        "content/1403/1403-08-20-today.md:2:13: هشدار: arabic-letter: حرف عربی «ك»؛ به جای آن «ی» یا «ک» فارسی بنویسید",
        "content/1403/1403-08-20-today.md:5:15: هشدار: zwnj-mi: «می» جدا نوشته شده؛ «می» با نیم‌فاصله به فعل می‌چسبد: «می‌شود»",
        "content/x,y:z.md:3: date: تاریخ «50%» خوانده نشد؛ نمونه‌های درست: 1403-02-15 یا ۱۴۰۳/۰۲/۱۵ یا 1403/2/15 10:30 یا "
        "۱۵ اردیبهشت ۱۴۰۳",
        "بررسی: 1 خطا، 3 هشدار",
    ]
    assert commands(out) == GITHUB_LINES


def test_a_build_annotates_its_warnings_and_the_errors_that_stop_it(tmp_path, capsys, monkeypatch):
    write_site(tmp_path, {"a.md": release("الف"), "notes.txt": "یادداشت"})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, err = run(capsys, "build", "--quiet")
    assert code == 0 and "content/notes.txt: هشدار: این فایل منتشر نمی‌شود" in err
    assert commands(out) == [
        "::warning file=content/notes.txt::این فایل منتشر نمی‌شود: فقط فایل‌های ‎.md‎ خبر هستند؛ "
        "متن خبر را در فایل ‎.md‎ بنویسید"
    ]
    (tmp_path / "content" / "b.md").write_text(release("ب", "1400-12-30"), encoding="utf-8")
    code, out, _ = run(capsys, "build", "--quiet")
    assert code == 1
    assert [line.partition("::")[2].partition("::")[0] for line in commands(out)] == [
        "error file=content/b.md,line=3,title=date",
        "warning file=content/notes.txt",
    ]


def test_commands_escape_what_would_end_them():
    problem = Problem("content/a,b:c.md", 4, "title: 100% درست\r\nخط تازه", WARNING, 2)
    assert render_github_commands([problem]) == [
        "::warning file=content/a%2Cb%3Ac.md,line=4,col=2,title=title::100%25 درست%0D%0Aخط تازه"
    ]


def test_the_newest_release_is_annotated_first(tmp_path, capsys, monkeypatch):
    # GitHub shows ten annotations of a kind per step: today's release must be among them.
    write_site(
        tmp_path,
        {
            f"1403/1403-{month:02d}-01-n{month}.md": release(f"خبر {month}", f"1403-{month:02d}-01", body="يك")
            for month in range(1, 9)
        },
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out, _ = run(capsys, "check")
    files = [re.search(r"file=([^,]+)", line)[1] for line in commands(out)]
    assert files[:2] == ["content/1403/1403-08-01-n8.md"] * 2 and files[-1] == "content/1403/1403-01-01-n1.md"


def test_the_job_summary_tables_the_problems_and_is_capped(tmp_path, capsys, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("an earlier step's summary\n", encoding="utf-8")
    body = "\n\n".join(f"بند {i} يك." for i in range(SUMMARY_ROWS + 20))  # two warnings a paragraph
    write_site(tmp_path, {"long.md": release("خبر", body=body), "x,y:z.md": release("خبر", "50%")})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(capsys, "check")
    assert code == 1 and len(commands(out)) == 1 + 2 * (SUMMARY_ROWS + 20)  # every problem is annotated
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("an earlier step's summary\n### بررسی: 1 خطا، 240 هشدار\n")  # appended, never replaced
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == SUMMARY_ROWS
    assert rows[0] == (
        "| `content/x,y:z.md:3` | خطا | date: تاریخ «50%» خوانده نشد؛ نمونه‌های درست: 1403-02-15 یا "
        "۱۴۰۳/۰۲/۱۵ یا 1403/2/15 10:30 یا ۱۵ اردیبهشت ۱۴۰۳ |"
    )
    assert (
        rows[1] == "| `content/long.md:5:7` | هشدار | arabic-letter: حرف عربی «ي»؛ به جای آن «ی» یا «ک» فارسی بنویسید |"
    )
    assert f"\n{241 - SUMMARY_ROWS} مورد دیگر در این جدول نیامده است" in text
    assert len(text.encode()) < 64_000


def test_a_clean_run_adds_nothing_to_the_summary(tmp_path, capsys, monkeypatch):
    summary = tmp_path / "summary.md"
    write_site(tmp_path, {"a.md": release("الف")})
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(capsys, "check")
    assert (code, commands(out), summary.exists()) == (0, [], False)


def gitlab_report(path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_gitlab_gets_a_code_quality_report(tmp_path, capsys, monkeypatch):
    write_site(tmp_path, SITE)
    monkeypatch.setenv("GITLAB_CI", "true")
    code, out, _ = run(capsys, "check")
    assert code == 1 and commands(out) == []
    report = gitlab_report(tmp_path / "gl-code-quality-report.json")
    assert len(report) == 4
    error = next(issue for issue in report if issue["severity"] == "major")
    message = (
        "date: تاریخ «50%» خوانده نشد؛ نمونه‌های درست: 1403-02-15 یا ۱۴۰۳/۰۲/۱۵ یا 1403/2/15 10:30 یا ۱۵ اردیبهشت ۱۴۰۳"
    )
    assert error == {
        "description": message,
        "check_name": "date",
        "severity": "major",
        "fingerprint": hashlib.sha256(f"content/x,y:z.md\0{3}\0{message}".encode()).hexdigest(),
        "location": {"path": "content/x,y:z.md", "lines": {"begin": 3}},
    }
    warning = next(issue for issue in report if "«ي»" in issue["description"])
    assert (warning["check_name"], warning["severity"]) == ("arabic-letter", "minor")
    assert warning["location"] == {"path": "content/1403/1403-08-20-today.md", "lines": {"begin": 2}}
    assert len({issue["fingerprint"] for issue in report}) == 4  # the two on line 2 too

    # The same problems give the same fingerprints (GitLab compares runs by them); a fixed one is gone.
    (tmp_path / "content" / "x,y:z.md").unlink()
    run(capsys, "check")
    again = gitlab_report(tmp_path / "gl-code-quality-report.json")
    assert again == [issue for issue in report if issue is not error]


def test_a_problem_without_a_line_is_placed_on_the_first(tmp_path, capsys, monkeypatch):
    write_site(tmp_path, {"a.md": release("الف"), "notes.txt": "یادداشت"})
    monkeypatch.setenv("GITLAB_CI", "true")
    code, _, err = run(capsys, "build", "--quiet", "--code-quality", "reports/build.json")
    # A report that cannot be written fails nothing: the problems were printed all the same.
    assert code == 0 and err.endswith("reports/build.json: گزارش Code Quality نوشته نشد (No such file or directory)\n")
    (tmp_path / "reports").mkdir()
    code, _, err = run(capsys, "build", "--quiet", "--code-quality", "reports/build.json")
    assert code == 0 and "notes.txt" in err
    [issue] = gitlab_report(tmp_path / "reports" / "build.json")
    assert (issue["check_name"], issue["location"]) == (
        "newsroom",
        {"path": "content/notes.txt", "lines": {"begin": 1}},
    )
    assert not (tmp_path / "gl-code-quality-report.json").exists()


def test_a_clean_run_leaves_gitlab_an_empty_report(tmp_path, capsys, monkeypatch):
    (tmp_path / "gl-code-quality-report.json").write_text('[{"stale": true}]', encoding="utf-8")
    write_site(tmp_path, {"a.md": release("الف")})
    monkeypatch.setenv("GITLAB_CI", "true")
    assert run(capsys, "check")[0] == 0
    assert gitlab_report(tmp_path / "gl-code-quality-report.json") == []


def test_the_option_overrides_what_the_environment_says(tmp_path, capsys, monkeypatch):
    summary = tmp_path / "summary.md"
    write_site(tmp_path, SITE)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITLAB_CI", "true")
    code, out, _ = run(capsys, "check", "--annotations", "none")
    assert code == 1 and "::" not in out
    assert not summary.exists() and not (tmp_path / "gl-code-quality-report.json").exists()
    _, out, _ = run(capsys, "check", "--annotations", "gitlab")
    assert commands(out) == [] and len(gitlab_report(tmp_path / "gl-code-quality-report.json")) == 4
    monkeypatch.delenv("GITHUB_ACTIONS")
    monkeypatch.delenv("GITLAB_CI")
    _, out, _ = run(capsys, "check", "--annotations", "github")
    assert commands(out) == GITHUB_LINES


def test_nothing_extra_outside_ci(tmp_path, capsys):
    write_site(tmp_path, SITE)
    _, out, _ = run(capsys, "check")
    assert commands(out) == [] and sorted(p.name for p in tmp_path.iterdir()) == [".cache", "config.yaml", "content"]


def test_strict_in_the_config_makes_warnings_block(tmp_path, capsys):
    files = {"a.md": release("الف"), "notes.txt": "یادداشت"}
    write_site(tmp_path, files, config="strict: true\n")
    code, _, err = run(capsys, "build", "--quiet")
    assert code == 1 and not (tmp_path / "output").exists()
    assert err.splitlines() == [
        "content/notes.txt: هشدار: این فایل منتشر نمی‌شود: فقط فایل‌های ‎.md‎ خبر هستند؛ متن خبر را در فایل ‎.md‎ بنویسید",
        "ساخت سایت انجام نشد: 0 خطا، 1 هشدار",
    ]
    assert run(capsys, "check")[0] == 1

    write_site(tmp_path, files)  # the same site without it: warnings inform, the site is built
    code, _, err = run(capsys, "build", "--quiet")
    assert code == 0 and (tmp_path / "output" / "index.html").is_file()
    assert err.startswith("content/notes.txt: هشدار: این فایل منتشر نمی‌شود")
    assert run(capsys, "check")[0] == 0
    assert run(capsys, "check", "--strict")[0] == 1  # and the flag still works alone
