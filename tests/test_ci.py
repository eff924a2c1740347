"""The CI files an adopter gets: the GitHub workflow passes actionlint and .gitlab-ci.yml
GitLab's schema, and both do what the README says: install with its command, check before
building, let warnings through (they are shown where staff look; errors block), keep the
build cache and the site it describes, publish from main (on push and every morning) and
only build, never publish, for pull and merge requests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from newsroom.config import load_config

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
GITLAB = REPO / ".gitlab-ci.yml"
BIN = Path(sys.executable).parent  # actionlint, shellcheck and check-jsonschema come from requirements-dev.txt
TEHRAN_OFFSET_MINUTES = 3 * 60 + 30  # all year since 2023


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is missing: pip install -r requirements-dev.txt"
    return found


def readme_install() -> str:
    """The README's install command (its quick start installs, then builds)."""
    quick_start = re.search(r"```sh\n(python3 -m venv .*)\n```", (REPO / "README.md").read_text(encoding="utf-8"))[1]
    install, _, build = quick_start.rpartition(" && ")
    assert build == ".venv/bin/python build.py"
    return install


def cache_dir() -> str:
    return load_config(REPO / "config.yaml").cache_dir.relative_to(REPO).as_posix()


def output_dir() -> str:
    return load_config(REPO / "config.yaml").output_dir.relative_to(REPO).as_posix()


CHECK = ".venv/bin/python build.py check"


def is_build(command: str) -> bool:
    return command.startswith(".venv/bin/python build.py") and " check" not in command


def test_there_is_a_github_workflow_and_a_gitlab_pipeline():
    assert [p.name for p in WORKFLOWS] == ["site.yml"] and GITLAB.is_file()


def test_github_workflows_pass_actionlint():
    # With shellcheck on PATH, actionlint checks the shell in every `run:` too.
    env = dict(os.environ, PATH=str(BIN) + os.pathsep + os.environ.get("PATH", ""))
    result = subprocess.run(
        [tool("actionlint"), "-no-color", *map(str, WORKFLOWS)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actions_are_pinned_to_commits_with_their_version():
    for workflow in WORKFLOWS:
        uses = re.findall(r"uses: (\S+.*)", workflow.read_text(encoding="utf-8"))
        assert uses
        for use in uses:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", use), use


def runs_on(condition: str | None, event: str) -> bool:
    """Whether a step or job with this `if:` runs for ``event`` (the forms the workflow uses)."""
    if condition is None:
        return True
    match = re.fullmatch(r"github\.event_name (==|!=) '(\w+)'", condition)
    assert match, f"a condition this test does not understand: {condition}"
    return (event == match[2]) == (match[1] == "==")


def test_github_workflow_publishes_main_every_morning_and_only_builds_pull_requests():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    minute, hour, *every_day = triggers["schedule"][0]["cron"].split()
    assert every_day == ["*", "*", "*"]
    tehran = (int(hour) * 60 + int(minute) + TEHRAN_OFFSET_MINUTES) % (24 * 60)
    assert 5 * 60 <= tehran <= 9 * 60, "the daily build runs in the Tehran morning"

    steps = workflow["jobs"]["build"]["steps"]
    commands = [line.strip() for step in steps for line in step.get("run", "").splitlines()]
    assert readme_install() in commands
    first_build = next(i for i, c in enumerate(commands) if is_build(c))
    assert commands.index(CHECK) < first_build
    # Warnings do not stop publication (config.yaml's strict decides that), and nothing
    # hides the problems from the annotations the commands print under GitHub Actions.
    assert not [c for c in commands if "build.py" in c and ("--strict" in c or "--annotations" in c)]
    assert not load_config(REPO / "config.yaml").strict

    # The cache carries the site with what made it, so a fresh runner reuses unchanged pages.
    cache_step = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache@"))
    cache = steps[cache_step]["with"]
    assert cache["path"].splitlines() == [cache_dir(), output_dir()]
    assert cache_step < next(i for i, s in enumerate(steps) if "build.py" in s.get("run", ""))
    # An entry is never overwritten: each run saves its own, and restores the newest of its
    # branch, else of the default branch.
    branch, default = cache["restore-keys"].splitlines()
    assert cache["key"].startswith(branch) and "${{ github.run_id }}" in cache["key"]
    assert default == branch.replace("${{ github.ref }}", "refs/heads/${{ github.event.repository.default_branch }}")
    uploaded = {
        s["with"]["path"]
        for s in steps
        if s.get("uses", "").startswith(("actions/upload-artifact@", "actions/upload-pages-artifact@"))
    }
    assert uploaded == {f"{output_dir()}/"}

    def used(event: str) -> set[str]:
        """Actions that run for ``event``, by name."""
        found = set()
        for job in workflow["jobs"].values():
            if runs_on(job.get("if"), event):
                found |= {
                    s["uses"].partition("@")[0] for s in job["steps"] if "uses" in s and runs_on(s.get("if"), event)
                }
        return found

    for event in ("push", "schedule", "workflow_dispatch"):
        assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= used(event), event
        assert "actions/upload-artifact" not in used(event), event
    assert "actions/upload-artifact" in used("pull_request")
    assert not {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} & used(
        "pull_request"
    )
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}  # everything else reads only


def test_gitlab_ci_passes_gitlabs_schema():
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(GITLAB)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def gitlab_true(expression: str, variables: dict[str, str]) -> bool:
    """A GitLab `rules: if:` expression of the forms used here: $VAR, "text", ==, &&."""

    def value(token: str) -> str:
        token = token.strip()
        if token.startswith("$"):
            return variables.get(token[1:], "")
        assert token.startswith('"') and token.endswith('"'), (
            f"an expression this test does not understand: {expression}"
        )
        return token[1:-1]

    if "&&" in expression:
        return all(gitlab_true(part, variables) for part in expression.split("&&"))
    if "==" in expression:
        left, right = expression.split("==")
        return value(left) == value(right)
    return value(expression) != ""


def gitlab_runs(rules: list[dict] | None, variables: dict[str, str]) -> bool:
    """Whether the first matching rule lets the job (or pipeline) run."""
    for rule in rules or [{}]:
        if "if" not in rule or gitlab_true(rule["if"], variables):
            return rule.get("when", "always") != "never"
    return False


@pytest.mark.parametrize(
    "variables, publishes",
    [
        ({"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}, True),
        ({"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main"}, True),
        ({"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "7"}, False),
        ({"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "new-release"}, False),
    ],
)
def test_gitlab_ci_publishes_the_default_branch_and_only_builds_the_rest(variables, publishes):
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    variables = {"CI_DEFAULT_BRANCH": "main", **variables}
    assert gitlab_runs(pipeline["workflow"]["rules"], variables)
    jobs = {name: job for name, job in pipeline.items() if isinstance(job, dict) and "script" in job}
    running = {name for name, job in jobs.items() if gitlab_runs(job.get("rules"), variables)}
    assert running == ({"pages"} if publishes else {"site"})
    job = jobs[running.pop()]
    commands = pipeline[job["extends"]]["before_script"] + job["script"]
    assert commands[:2] == [readme_install(), CHECK]
    builds = [c for c in commands if is_build(c)]
    assert len(builds) == 1 and not [c for c in commands if "--strict" in c or "--annotations" in c]
    if publishes:  # GitLab Pages publishes the folder `public`
        assert "--output public" in builds[0] and job["artifacts"]["paths"] == ["public"]
        built = "public/"
    else:
        assert job["artifacts"]["paths"] == ["output/"]
        built = f"{output_dir()}/"
    # The cache carries the site the job builds, with what made it, per branch.
    assert {f"{cache_dir()}/", built} <= set(job["cache"]["paths"])
    assert job["cache"]["key"].endswith("-$CI_COMMIT_REF_SLUG")
    # The merge request shows both commands' problems: check's report, and build's beside it.
    reports = job["artifacts"]["reports"]["codequality"]
    assert reports == ["gl-code-quality-report.json", "gl-code-quality-build.json"]
    assert builds[0].endswith(f" --code-quality {reports[1]}")


def test_gitlab_caches_of_the_two_jobs_stay_apart():
    # Each job's entry describes its own output folder; a new branch starts from the default
    # branch's, whose folder it does not use but whose releases read it does.
    pipeline = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    assert "cache" not in pipeline and "cache" not in pipeline[".install-and-check"]
    site, pages = pipeline["site"]["cache"], pipeline["pages"]["cache"]
    assert site["key"] != pages["key"]
    assert site["fallback_keys"] == [pages["key"].replace("$CI_COMMIT_REF_SLUG", "$CI_DEFAULT_BRANCH")]
