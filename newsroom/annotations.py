"""Problems where CI shows them: GitHub Actions annotations and job summary, GitLab's
Code Quality report.

``build`` and ``check`` print every problem for people as ``path:line: message``; these
are the same problems in the forms the CI services read, so that a warning appears beside
its line in the pull or merge request and on the run's page, where staff look.

GitHub shows only the first ten annotations of each kind a step prints, so errors come
first, and within each kind the files in reverse order of their paths: ``new`` names
releases by their Jalali date, so today's release comes before the archive's.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from .errors import ERROR, Problem

GITHUB, GITLAB, NONE = "github", "gitlab", "none"
CODE_QUALITY_REPORT = Path("gl-code-quality-report.json")
SUMMARY_ROWS = 100  # a job summary may take 1 MiB; a whole archive's warnings need not
CELL_CHARS = 300  # a message quoting a long line of a release is cut there in the summary

# "arabic-letter: …" (a check rule) or "date: …" (a front-matter or configuration key).
_NAMED = re.compile(r"([A-Za-z_][\w.-]*): (.+)", re.S)
_MARKUP = re.compile(r"([\\`*_\[\]|])")  # backslash-escaped in the summary, to stay text


def detect_platform(environ: Mapping[str, str]) -> str:
    """The CI service running us, from the variables each sets in every job."""
    if environ.get("GITHUB_ACTIONS") == "true":
        return GITHUB
    if environ.get("GITLAB_CI") == "true":
        return GITLAB
    return NONE


def split_rule(message: str) -> tuple[str, str]:
    """The rule id or key a message starts with, and the rest; ``("", message)`` when none."""
    match = _NAMED.fullmatch(message)
    return (match[1], match[2]) if match else ("", message)


def count_line(label: str, problems: Iterable[Problem]) -> str:
    """``label: N خطا، M هشدار``, as the command line ends its report."""
    problems = list(problems)
    errors = sum(1 for p in problems if p.severity == ERROR)
    return f"{label}: {errors} خطا، {len(problems) - errors} هشدار"


def in_shown_order(problems: Iterable[Problem]) -> list[Problem]:
    """Errors first; then by path, last first (the newest releases); then by line."""
    ordered = sorted(problems, key=lambda p: (p.line, p.column, p.message))
    ordered.sort(key=lambda p: p.path, reverse=True)
    ordered.sort(key=lambda p: p.severity != ERROR)
    return ordered


def render_github_commands(problems: Iterable[Problem]) -> list[str]:
    """One workflow command per problem: ``::warning file=…,line=…,title=…::message``."""
    lines = []
    for problem in in_shown_order(problems):
        rule, message = split_rule(problem.message)
        properties = [f"file={_property(problem.path)}"]
        if problem.line:
            properties.append(f"line={problem.line}")
        if problem.column:
            properties.append(f"col={problem.column}")
        if rule:
            properties.append(f"title={_property(rule)}")
        kind = "error" if problem.severity == ERROR else "warning"
        lines.append(f"::{kind} {','.join(properties)}::{_data(message)}")
    return lines


def _data(text: str) -> str:
    """Workflow-command data escaped as GitHub's toolkit does (``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A workflow-command property escaped as GitHub's toolkit does (``escapeProperty``)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github_summary(label: str, problems: Iterable[Problem], rows: int = SUMMARY_ROWS) -> str:
    """A Markdown job summary: the count line, then a table of at most ``rows`` problems
    and how many were left out of it."""
    problems = in_shown_order(problems)
    lines = [f"### {count_line(label, problems)}", "", "| جا | نوع | پیام |", "| --- | --- | --- |"]
    for problem in problems[:rows]:
        where = (
            problem.path
            + (f":{problem.line}" if problem.line else "")
            + (f":{problem.column}" if problem.column else "")
        )
        where = " ".join(where.replace("`", "").split()).replace("|", "\\|")  # in a code span: no entities
        kind = "خطا" if problem.severity == ERROR else "هشدار"
        lines.append(f"| `{where}` | {kind} | {_cell(problem.message)} |")
    if len(problems) > rows:
        lines += ["", f"{len(problems) - rows} مورد دیگر در این جدول نیامده است؛ همه در گزارش همین مرحله (log) هست."]
    return "\n".join(lines) + "\n\n"


def _cell(text: str) -> str:
    """Text that stays inside one cell of a Markdown table, as text, not markup."""
    if len(text) > CELL_CHARS:
        text = text[: CELL_CHARS - 1] + "…"
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKUP.sub(r"\\\1", text)


def render_code_quality(problems: Iterable[Problem]) -> str:
    """A GitLab Code Quality report (a JSON array of Code Climate issues), every problem
    in it: GitLab compares the merge request's with its target's by fingerprint."""
    issues = []
    for problem in sorted(problems):
        rule, _ = split_rule(problem.message)
        fingerprint = hashlib.sha256("\0".join((problem.path, str(problem.line), problem.message)).encode()).hexdigest()
        issues.append(
            {
                "description": problem.message,
                "check_name": rule or "newsroom",
                "fingerprint": fingerprint,
                "severity": "major" if problem.severity == ERROR else "minor",
                "location": {"path": problem.path, "lines": {"begin": max(problem.line, 1)}},
            }
        )
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


def write_annotations(
    label: str,
    problems: Iterable[Problem],
    platform: str,
    environ: Mapping[str, str],
    code_quality: Path = CODE_QUALITY_REPORT,
    stdout: TextIO | None = None,
) -> str | None:
    """Show ``problems`` where ``platform`` (``github``, ``gitlab`` or ``none``) shows
    them; ``label`` names the command in the job summary. GitLab gets a report even
    without problems, so that it sees them fixed. Returns a notice when a file could not
    be written: the problems were printed anyway, so that fails nothing."""
    problems = list(problems)
    if platform == GITHUB:
        out = stdout or sys.stdout
        for line in render_github_commands(problems):
            print(line, file=out)
        out.flush()
        summary = environ.get("GITHUB_STEP_SUMMARY")
        if summary and problems:
            try:
                with open(summary, "a", encoding="utf-8") as file:
                    file.write(render_github_summary(label, problems))
            except OSError as exc:
                return f"{summary}: خلاصهٔ اجرا نوشته نشد ({exc.strerror or exc})"
    elif platform == GITLAB:
        try:
            code_quality.write_text(render_code_quality(problems), encoding="utf-8")
        except OSError as exc:
            return f"{code_quality}: گزارش Code Quality نوشته نشد ({exc.strerror or exc})"
    return None
