"""Command line: ``python build.py [build] [options]``."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import datetime
from pathlib import Path

from . import __version__
from .config import is_base_url, load_config
from .dates import parse_date
from .errors import ERROR, BuildError, LocatedError
from .pipeline import build_site
from .site import Visibility

COMMANDS = ("build",)
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The top-level parser and the ``build`` parser (the default command)."""
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the Persian news bulletin: Markdown press releases in content/ "
                    "become a right-to-left static site in output/.",
        epilog="Without a command, 'build' runs. Exit status: 0 built, 1 content or config "
               "errors (listed on stderr as file:line: message), 2 wrong usage.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser(
        "build", help="build the site (the default)",
        description="Build the site into the output folder. Nothing is written unless the "
                    "whole build succeeds; the previous site stays as it was otherwise.",
    )
    build.add_argument("--config", metavar="FILE", type=Path, default=Path("config.yaml"),
                       help="site configuration (default: config.yaml)")
    build.add_argument("--content", metavar="DIR", type=Path,
                       help="folder of press releases (overrides content_dir in the config)")
    build.add_argument("--output", metavar="DIR", type=Path,
                       help="folder to write the site into (overrides output_dir)")
    build.add_argument("--base-url", metavar="URL",
                       help="absolute address of the published site (overrides base_url)")
    build.add_argument("--drafts", action="store_true", help="also publish releases marked draft: true")
    build.add_argument("--future", action="store_true", help="also publish releases dated in the future")
    build.add_argument("--expired", action="store_true", help="also publish releases whose expires date has passed")
    build.add_argument("--now", metavar="DATE",
                       help="build as if it were DATE (Jalali or ISO, e.g. '1403-02-15 10:00'); default: now")
    build.add_argument("--strict", action="store_true", help="fail on warnings too (for CI)")
    build.add_argument("--quiet", action="store_true", help="print nothing but problems")
    build.add_argument("--timings", action="store_true", help="print the time each build phase took")
    return parser, build


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")
    parser, build_parser = _parser()
    if argv[0] in ("-h", "--help"):
        # 'build' is the default command: the top-level help shows its options too.
        print(parser.format_help() + "\n" + build_parser.format_help())
        return EXIT_OK
    args = parser.parse_args(argv)
    try:
        return _build(args, parser)
    except BuildError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(1 for p in exc.problems if p.severity == ERROR)
        warnings = len(exc.problems) - errors
        print(f"ساخت سایت انجام نشد: {errors} خطا، {warnings} هشدار", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("ساخت سایت متوقف شد", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    config = load_config(args.config)
    overrides = {}
    if args.content is not None:
        overrides["content_dir"] = args.content
    if args.output is not None:
        overrides["output_dir"] = args.output
    if args.base_url is not None:
        if not is_base_url(args.base_url):
            parser.error(f"--base-url: «{args.base_url}» نشانی کامل سایت نیست؛ مثل https://news.example.ir/ بنویسید")
        overrides["base_url"] = args.base_url.rstrip("/") + "/"
    config = dataclasses.replace(config, **overrides)
    now = datetime.now(config.timezone)
    if args.now:
        try:
            now = parse_date(args.now, config.timezone)
        except LocatedError as exc:
            parser.error(f"--now: {exc.message}")
    visibility = Visibility(drafts=args.drafts, future=args.future, expired=args.expired)
    report = build_site(config, now, visibility, strict=args.strict)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        seconds = sum(report.timings.values())
        hidden = f" ({report.hidden} خبر منتشرنشده: پیش‌نویس، زمان‌بندی‌شده یا منقضی)" if report.hidden else ""
        print(f"ساخته شد: {report.articles} خبر{hidden}، {report.pages} صفحه، {report.files} فایل در "
              f"{seconds:.2f} ثانیه → {config.output_dir}")
    if args.timings:
        print("  ".join(f"{phase} {seconds * 1000:.0f} ms" for phase, seconds in report.timings.items()))
    return EXIT_OK
