"""One tiny broken site per class of mistake: the exact located message, exit 1, and
the previous site left exactly as it was.

A new case is a folder with its content (and config.yaml lines to add, if any); run with
UPDATE_GOLDEN=1 to write its expected.txt, then review it like code.
"""

import os
import shutil
from pathlib import Path

import pytest
from conftest import BASE_CONFIG, NOW_ARG, REPO, tree

from newsroom.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
CASES = sorted(p.name for p in FIXTURES.iterdir())


@pytest.mark.parametrize("case", CASES)
def test_broken_site_reports_every_problem_and_writes_nothing(case, tmp_path, monkeypatch, capsys):
    shutil.copytree(FIXTURES / case, tmp_path, dirs_exist_ok=True)
    extra = (tmp_path / "config.yaml").read_text(encoding="utf-8") if (tmp_path / "config.yaml").exists() else ""
    (tmp_path / "config.yaml").write_text(
        BASE_CONFIG.format(templates=REPO / "templates", static=REPO / "static") + extra, encoding="utf-8"
    )
    previous = tmp_path / "output"
    previous.mkdir()
    (previous / ".newsroom-output").write_bytes(b"")
    (previous / "index.html").write_text("previous site", encoding="utf-8")
    before = tree(previous)
    monkeypatch.chdir(tmp_path)

    code = main(["build", "--now", NOW_ARG])

    captured = capsys.readouterr()
    if os.environ.get("UPDATE_GOLDEN"):
        (FIXTURES / case / "expected.txt").write_text(captured.err, encoding="utf-8")
    expected = (FIXTURES / case / "expected.txt").read_text(encoding="utf-8")
    assert (code, captured.err, captured.out) == (1, expected, "")
    assert tree(previous) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".output")) == []
