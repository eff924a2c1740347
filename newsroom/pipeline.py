"""The build, top to bottom: configure → read → assemble → render → write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from .assets import load_assets
from .config import SiteConfig
from .content import load_articles
from .errors import ERROR, BuildError, Problem
from .output import write_outputs
from .render import create_environment, render_site
from .site import Visibility, assemble_site


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a successful build did."""

    articles: int
    hidden: int
    pages: int
    files: int
    warnings: tuple[Problem, ...]
    timings: dict[str, float] = field(default_factory=dict)


def build_site(config: SiteConfig, now: datetime, visibility: Visibility = Visibility(), strict: bool = False) -> BuildReport:
    """Build the whole site into ``config.output_dir``.

    Raises ``BuildError`` with every problem found, before anything is written; with
    ``strict``, warnings fail the build too.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        timings[phase] = time.perf_counter() - clock
        clock = time.perf_counter()

    articles, problems = load_articles(config)
    assets = load_assets(config.static_dir)
    lap("read")
    if any(p.severity == ERROR for p in problems) or (strict and problems):
        raise BuildError(problems)
    try:
        site = assemble_site(articles, config, now, visibility)
        lap("assemble")
        problems += site.warnings
        if strict and problems:
            raise BuildError(problems)
        files = render_site(site, create_environment(config.templates_dir), assets)
        lap("render")
    except BuildError as exc:  # report the warnings found so far too
        raise BuildError(problems + [p for p in exc.problems if p not in problems]) from None
    write_outputs(files, config.output_dir, inputs=(config.content_dir, config.templates_dir, config.static_dir),
                  project=config.config_path.parent)
    lap("write")
    pages = sum(1 for f in files if f.dest_path.endswith(".html"))
    return BuildReport(len(site.articles), site.hidden, pages, len(files), tuple(sorted(problems)), timings)
