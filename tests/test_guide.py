"""docs/guide-fa.md, followed as a new member of the press staff would: its filled example
builds without a warning, its commands exist and do what it says, and every error message it
explains is one the build really prints."""

from __future__ import annotations

import re
import shlex

from conftest import NOW_ARG, REPO, photo

from newsroom.cli import _parser, main

GUIDE = (REPO / "docs" / "guide-fa.md").read_text(encoding="utf-8")


def test_the_guides_example_release_builds_and_checks_without_a_warning(tmp_path, capsys):
    block = re.search(r"```markdown\n(.*?)```", GUIDE, re.S)
    path = re.findall(r"`(content/[\w/-]+\.md)`", GUIDE[: block.start()])[-1]
    address = re.search(r"`(/news/[\w/-]+/)`", GUIDE[block.end() :])[1]
    release = block[1]
    fields = dict(re.findall(r"^(\w+): (.+)$", release.split("---")[1], re.M))
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text(release, encoding="utf-8")
    photo(tmp_path / path.rpartition("/")[0] / fields["image"])
    # The bulletin's own configuration (its categories and counties), with this folder's content.
    config = tmp_path / "config.yaml"
    config.write_text(
        (REPO / "config.yaml").read_text(encoding="utf-8")
        + f"templates_dir: {REPO / 'templates'}\nstatic_dir: {REPO / 'static'}\n",
        encoding="utf-8",
    )

    assert main(["check", "--strict", "--config", str(config), "--now", NOW_ARG]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "بررسی: 0 خطا، 0 هشدار"
    assert main(["build", "--strict", "--quiet", "--config", str(config), "--now", NOW_ARG]) == 0
    assert capsys.readouterr().err == ""
    page = (tmp_path / "output" / address.lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert f"<h1>{fields['title']}</h1>" in page
    assert re.search(rf'<img [^>]*alt="{fields["image_alt"]}"', page)
    assert "ظرفیت کارگاه</h2>" in page and "<li>آموزش رایگان بافندگی برای متقاضیان تازه</li>" in page


def test_the_guides_commands_are_real(tmp_path, capsys, monkeypatch):
    commands = re.findall(r"python build\.py[^`\n]*", GUIDE)
    assert {shlex.split(c)[2] for c in commands} == {"new", "serve", "check", "import", "bulletin"}
    parser, _ = _parser()
    for command in commands:
        parser.parse_args(shlex.split(command)[2:])  # an unknown option exits the test

    # `new` writes the file the guide shows, for the day the guide names (20 Aban 1403).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text("title: خبرنامه\nbase_url: https://news.example.ir/\n", encoding="utf-8")
    shown = re.findall(r"`(content/1403/1403-08-20-[\w-]+\.md)`", GUIDE)
    made = []
    for command in (c for c in commands if c.split()[2] == "new"):
        assert main([*shlex.split(command)[2:], "--now", "1403-08-20 10:00"]) == 0
        made.append(capsys.readouterr().out.strip())
    assert made == shown


def test_the_guides_screenshots_are_there():
    # Made by the tests: NEWSROOM_SCREENSHOTS=docs/images pytest tests/test_editor.py -k form
    # (the editor) and NEWSROOM_SCREENSHOTS=docs/images pytest tests/test_bulletin.py -k pictures
    shown = re.findall(r"!\[[^\]]+\]\((images/[^)]+)\)", GUIDE)
    assert shown and all((REPO / "docs" / path).stat().st_size > 10_000 for path in shown)


def test_every_error_message_in_the_guide_is_one_the_build_prints():
    printed = {
        line
        for expected in (REPO / "tests" / "fixtures" / "invalid").glob("*/expected.txt")
        for line in expected.read_text(encoding="utf-8").splitlines()
    }
    quoted = [line for block in re.findall(r"```text\n(.*?)```", GUIDE, re.S) for line in block.splitlines()]
    assert len(quoted) >= 10
    assert [line for line in quoted if line not in printed] == []
