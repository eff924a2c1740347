"""Shared helpers: whole sites written inline, built through the real command line."""

from __future__ import annotations

import contextlib
import os
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from newsroom.cli import main

REPO = Path(__file__).resolve().parent.parent
TEHRAN = ZoneInfo("Asia/Tehran")
# Builds in tests happen at this moment unless a test says otherwise (1403-09-01 12:00).
NOW = datetime(2024, 11, 21, 12, 0, tzinfo=TEHRAN)
NOW_ARG = "1403-09-01 12:00"

BASE_CONFIG = """\
title: خبرنامهٔ آزمایشی
organization: ادارهٔ آزمایشی
base_url: https://news.example.ir/
templates_dir: {templates}
static_dir: {static}
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


def write_site(
    root: Path,
    files: dict[str, str],
    config: str = "",
    static: Path = REPO / "static",
    templates: Path = REPO / "templates",
) -> Path:
    """Write config.yaml and content files under ``root``; returns the config path."""
    config_path = root / "config.yaml"
    config_path.write_text(
        BASE_CONFIG.format(templates=templates, static=static) + textwrap.dedent(config), encoding="utf-8"
    )
    for name, text in files.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return config_path


def release(title: str = "خبر", date: str = "1403-02-15", body: str = "متن خبر.", **fields: str) -> str:
    """Text of one release file with the given front matter."""
    lines = [f"title: {title}", f"date: {date}"] + [f"{k}: {v}" for k, v in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


@pytest.fixture
def build(tmp_path, capsys, monkeypatch):
    """Build an inline site through the CLI: build(files, *args, config="", static=…) → Result."""
    monkeypatch.chdir(tmp_path)

    def run(
        files: dict[str, str],
        *args: str,
        config: str = "",
        static: Path = REPO / "static",
        templates: Path = REPO / "templates",
    ) -> Result:
        write_site(tmp_path, files, config, static, templates)
        code = main(["build", "--now", NOW_ARG, "--quiet", *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def photo(path: Path, size: tuple[int, int] = (64, 48)) -> bytes:
    """Write a small real JPEG at ``path``; returns its bytes."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (11, 94, 74)).save(path, "JPEG")
    return path.read_bytes()


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def read(tmp_path: Path, url: str) -> str:
    """HTML of the page at site-relative ``url`` in ``tmp_path/output``."""
    path = url.lstrip("/")
    return (tmp_path / "output" / (path + "index.html" if path.endswith("/") or not path else path)).read_text(
        encoding="utf-8"
    )


def missing(what: str) -> None:
    """Skip a test whose system package is missing here; in CI, where .ci/run installs it, fail."""
    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, through Playwright (no browser download)."""
    from browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is not installed (.ci/run installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh tab (own cookies and cache) on a phone-sized screen; ``page.requests``
    lists every URL it asked for, so tests can check nothing left the site."""
    context = browser.new_context(locale="fa-IR", viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.requests = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    yield tab
    context.close()


@pytest.fixture
def serve():
    """serve(folder) → the address (ending in /) of ``folder`` served over HTTP on a free port."""
    from browser import served

    with contextlib.ExitStack() as stack:
        yield lambda folder: stack.enter_context(served(folder))
