"""Command line: ``python build.py [build] [options]`` and ``python build.py related FILE``."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from . import __version__
from .annotations import CODE_QUALITY_REPORT, GITHUB, GITLAB, NONE, detect_platform, write_annotations
from .config import SiteConfig, is_base_url, load_config
from .content import Article
from .dates import format_jalali, parse_date
from .editor import LOOPBACK_HOSTS
from .errors import ERROR, BuildError, LocatedError, Problem, display_path
from .importer import already_there, plan_import, read_posts, write_import
from .output import OutputFile
from .pipeline import (
    Memory,
    RelatedExplanation,
    build_site,
    check_site,
    explain_related,
    make_bulletin,
    preview_releases,
    search_index_in_place,
    write_search_index,
)
from .related import Score
from .scaffold import new_release
from .site import Visibility
from .text import to_persian_digits

COMMANDS = ("build", "check", "new", "related", "serve", "import", "bulletin")
EXIT_OK, EXIT_PROBLEMS = 0, 1  # usage mistakes exit 2, from argparse


def _parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The top-level parser and the ``build`` parser (the default command)."""
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the Persian news bulletin: Markdown press releases in content/ "
        "become a right-to-left static site in output/.",
        epilog="Without a command, 'build' runs. Exit status: 0 done, 1 content or config "
        "errors (listed on stderr as file:line: message), 2 wrong usage.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        default=Path("config.yaml"),
        help="site configuration (default: config.yaml)",
    )
    where.add_argument(
        "--content", metavar="DIR", type=Path, help="folder of press releases (overrides content_dir in the config)"
    )
    where.add_argument(
        "--now", metavar="DATE", help="act as if it were DATE (Jalali or ISO, e.g. '1403-02-15 10:00'); default: now"
    )
    site = argparse.ArgumentParser(add_help=False, parents=[where])
    site.add_argument("--drafts", action="store_true", help="also publish releases marked draft: true")
    site.add_argument("--future", action="store_true", help="also publish releases dated in the future")
    site.add_argument("--expired", action="store_true", help="also publish releases whose expires date has passed")
    ci = argparse.ArgumentParser(add_help=False)
    ci.add_argument(
        "--annotations",
        choices=("auto", GITHUB, GITLAB, NONE),
        default="auto",
        help="also show the problems where CI shows them: 'github' prints one workflow command "
        "(annotation) per problem and adds a table to the job summary ($GITHUB_STEP_SUMMARY); "
        "'gitlab' writes a Code Quality report for the merge request; 'none' neither. "
        "Default 'auto': github when GITHUB_ACTIONS=true, gitlab when GITLAB_CI=true, else none",
    )
    ci.add_argument(
        "--code-quality",
        metavar="FILE",
        type=Path,
        default=CODE_QUALITY_REPORT,
        help=f"where the GitLab Code Quality report goes (default: {CODE_QUALITY_REPORT})",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser(
        "build",
        parents=[site, ci],
        help="build the site (the default)",
        description="Build the site into the output folder. Nothing is written unless the "
        "whole build succeeds; the previous site stays as it was otherwise.",
    )
    build.add_argument(
        "--output", metavar="DIR", type=Path, help="folder to write the site into (overrides output_dir)"
    )
    build.add_argument("--base-url", metavar="URL", help="absolute address of the published site (overrides base_url)")
    _jobs(
        build,
        "render Markdown, photos, share cards and pages, and rank related lists, when there is enough to do",
    )
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="read every release afresh, ignoring the cache of earlier builds (cache_dir)",
    )
    build.add_argument(
        "--no-search",
        action="store_true",
        help="skip the search index (pagefind/); the search page then says search is unavailable",
    )
    build.add_argument(
        "--strict", action="store_true", help="fail on warnings too, as strict: true in the configuration does"
    )
    build.add_argument("--quiet", action="store_true", help="print nothing but problems")
    build.add_argument("--timings", action="store_true", help="print the time each build phase took")
    check = commands.add_parser(
        "check",
        parents=[site, ci],
        help="check releases without building: errors, Persian typography, links",
        description="Report everything a build would, plus warnings: Persian typography (Arabic ي/ك and "
        "digits, «می شود», «کتاب ها», Latin punctuation, double spaces, invisible characters), "
        "images without descriptions, links to missing files, duplicate titles, future dates "
        "not marked scheduled, over-long titles and summaries. One line per finding: "
        "path:line:column: rule-id: message. Silence a rule with lint_ignore in front matter "
        "or config.yaml.",
    )
    check.add_argument("paths", metavar="PATH", type=Path, nargs="*", help="only these files or folders")
    check.add_argument(
        "--strict", action="store_true", help="exit 1 on warnings too, as strict: true in the configuration does"
    )
    serve = commands.add_parser(
        "serve",
        parents=[site],
        help="preview: build, serve locally, rebuild and reload on every change",
        description="Build the site, serve it on HOST:PORT, and rebuild whenever a release, template, "
        "static file or the configuration changes; open tabs reload by themselves. A failed "
        "rebuild keeps the last good site and shows the problems on every page.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--output", metavar="DIR", type=Path, help="folder to build into (overrides output_dir)")
    serve.add_argument("--no-search", action="store_true", help="skip the search index")
    serve.add_argument(
        "--editor",
        action="store_true",
        help="publish the web editor at /admin/ and answer its local backend: releases saved in the "
        "browser are written into the content folder (no account needed; this machine only)",
    )
    new = commands.add_parser(
        "new",
        parents=[where],
        help="start a new press release",
        description="Write content/<Jalali year>/<date>-<slug>.md with today's Jalali date and time "
        "(Tehran) and a front-matter skeleton with short hints, as a draft. Never overwrites.",
    )
    new.add_argument("title", metavar="TITLE", help='the headline, e.g. "توزیع بسته‌های معیشتی در شاهرود"')
    new.add_argument("--slug", metavar="SLUG", help="ASCII address of the release (default: derived from the title)")
    related = commands.add_parser(
        "related",
        parents=[site],
        help="explain the related-news list of one release",
        description="Print the related-news list of FILE as the build chooses it, and the "
        "best candidates left out, each with its score by component.",
    )
    related.add_argument("file", metavar="FILE", type=Path, help="the release, e.g. content/1403/saffron.md")
    related.add_argument(
        "--rejected",
        metavar="N",
        type=int,
        default=5,
        help="how many of the best candidates left out to show (default 5)",
    )
    imports = commands.add_parser(
        "import",
        parents=[where],
        help="bring an existing archive over: a WordPress export or an RSS/Atom feed",
        description="Turn the posts of a WordPress export (WXR, from Tools → Export) or of an RSS 2.0 / Atom "
        "feed file into releases under the content folder, by Jalali year: title, date and time (Tehran), "
        "excerpt as summary, first category as category, the other categories and tags as tags, drafts "
        "as draft: true, and each post's old address as an alias, so old links redirect. Bodies become "
        "Markdown; shortcodes, scripts and frames are reported and left out. Private, trashed posts, "
        "pages and attachments are counted and skipped. Never overwrites a file: a second import of the "
        "same source changes nothing. Nothing is written when a post cannot be read (no title, no date).",
    )
    imports.add_argument("source", metavar="SOURCE", type=Path, help="the export or feed file")
    imports.add_argument("--into", metavar="DIR", type=Path, help="folder to write into (default: the content folder)")
    imports.add_argument("--dry-run", action="store_true", help="print what would be written, and write nothing")
    imports.add_argument("--author-as-source", action="store_true", help="write each post's author as its source line")
    imports.add_argument(
        "--uploads",
        metavar="DIR",
        type=Path,
        help="the old site's wp-content/uploads folder: photos found there are copied beside their release",
    )
    imports.add_argument(
        "--download", action="store_true", help="download the photos not found locally from the old site"
    )
    bulletin = commands.add_parser(
        "bulletin",
        parents=[where],
        help="typeset the printed bulletin of a month (PDF)",
        description="Typeset the releases published in a Jalali month (or a year, or a range of months) as "
        "one PDF issue for print and messengers: A4, right to left, a cover with the issue's number, "
        "contents with page numbers, releases grouped by category or county (bulletin.group_by), "
        "each with its date, county, photo, source and a QR code of its page. Templates: "
        "templates/bulletin.html and bulletin.css. An issue whose releases, templates and "
        "files did not change is not typeset again.",
    )
    bulletin.add_argument(
        "months",
        metavar="MONTHS",
        help="1403-08 (a month), 1403 (a year) or 1403-07..1403-09 (a range); Persian digits and «آبان ۱۴۰۳» too",
    )
    bulletin.add_argument(
        "--output",
        metavar="FILE",
        type=Path,
        help="where the PDF goes (default: bulletin/MONTHS.pdf beside the config)",
    )
    bulletin.add_argument("--drafts", action="store_true", help="also print releases marked draft: true (a proof)")
    _jobs(bulletin, "read releases and make print-sized photos")
    return parser, build


def _jobs(command: argparse.ArgumentParser, what: str) -> None:
    """The ``--jobs`` option of ``command``, whose processes do ``what``."""
    command.add_argument(
        "--jobs", metavar="N", type=int, default=os.cpu_count() or 1, help=f"processes that {what} (default: all cores)"
    )


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
        return {
            "build": _build,
            "check": _check,
            "new": _new,
            "related": _related,
            "serve": _serve,
            "import": _import,
            "bulletin": _bulletin,
        }[args.command](args, parser)
    except BuildError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(1 for p in exc.problems if p.severity == ERROR)
        warnings = len(exc.problems) - errors
        what = {
            "build": "ساخت سایت",
            "check": "بررسی",
            "new": "ساختن خبر تازه",
            "related": "بررسی اخبار مرتبط",
            "serve": "پیش‌نمایش",
            "import": "آوردن خبرها",
            "bulletin": "ساختن خبرنامه",
        }[args.command]
        print(f"{what} انجام نشد: {errors} خطا، {warnings} هشدار", file=sys.stderr)
        if args.command in ("build", "check"):
            _annotate(args, f"{what} انجام نشد", exc.problems)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("متوقف شد", file=sys.stderr)
        return 130


def _site(
    args: argparse.Namespace, parser: argparse.ArgumentParser, **overrides: Any
) -> tuple[SiteConfig, datetime, Visibility]:
    """The configuration with command-line overrides, the moment to act at, and visibility."""
    config = load_config(args.config)
    if args.content is not None:
        overrides["content_dir"] = args.content
    config = dataclasses.replace(config, **overrides)
    return config, _moment(args, parser, config), _visibility(args)


def _moment(args: argparse.Namespace, parser: argparse.ArgumentParser, config: SiteConfig) -> datetime:
    """The moment to act at: --now, or now in the site's time zone."""
    if not args.now:
        return datetime.now(config.timezone)
    try:
        return parse_date(args.now, config.timezone)
    except LocatedError as exc:
        parser.error(f"--now: {exc.message}")


def _visibility(args: argparse.Namespace) -> Visibility:
    return Visibility(
        drafts=getattr(args, "drafts", False),
        future=getattr(args, "future", False),
        expired=getattr(args, "expired", False),
    )


def _build(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    overrides = {}
    if args.output is not None:
        overrides["output_dir"] = args.output
    if args.base_url is not None:
        if not is_base_url(args.base_url):
            parser.error(f"--base-url: «{args.base_url}» نشانی کامل سایت نیست؛ مثل https://news.example.ir/ بنویسید")
        overrides["base_url"] = args.base_url.rstrip("/") + "/"
    config, now, visibility = _site(args, parser, **overrides)
    if args.jobs < 1:
        parser.error("--jobs: دست‌کم ۱")
    show_progress = sys.stderr.isatty() and not args.quiet and not os.environ.get("CI")
    report = build_site(
        config,
        now,
        visibility,
        strict=args.strict or config.strict,
        use_cache=not args.no_cache,
        jobs=args.jobs,
        search=not args.no_search,
        progress=_progress_bar() if show_progress else None,
    )
    for line in (*report.notices, *map(str, report.warnings)):
        print(line, file=sys.stderr)
    _annotate(args, "ساخت سایت", report.warnings)
    if not args.quiet:
        seconds = sum(report.timings.values())
        hidden = f" ({report.hidden} خبر منتشرنشده: پیش‌نویس، زمان‌بندی‌شده یا منقضی)" if report.hidden else ""
        reused = f" ({report.reused} خبر از حافظهٔ میانی)" if report.reused else ""
        kept = f"، {report.files - report.rendered} فایل بی‌تغییر و ساخته‌نشده" if report.rendered < report.files else ""
        print(
            f"ساخته شد: {report.articles} خبر{hidden}، {report.pages} صفحه، {report.files} فایل{kept} در "
            f"{seconds:.2f} ثانیه{reused} → {config.output_dir}"
        )
    if args.timings:
        print("  ".join(f"{phase} {seconds * 1000:.0f} ms" for phase, seconds in report.timings.items()))
    return EXIT_OK


def _progress_bar() -> Callable[[int, int], None]:
    """A one-line bar on the terminal while releases are parsed (long builds only)."""
    state = {"shown": -1}

    def show(done: int, total: int) -> None:
        if total < 100:
            return
        percent = done * 100 // total
        if percent == state["shown"]:
            return
        state["shown"] = percent
        bar = "█" * (percent // 5) + "·" * (20 - percent // 5)
        end = "\n" if done == total else ""
        print(f"\r{bar} {to_persian_digits(done)}/{to_persian_digits(total)} خبر", end=end, file=sys.stderr, flush=True)

    return show


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    config, now, visibility = _site(args, parser)
    problems = check_site(config, now, visibility, tuple(args.paths))
    for problem in problems:
        print(problem)
    errors = sum(1 for p in problems if p.severity == ERROR)
    warnings = len(problems) - errors
    print(f"بررسی: {errors} خطا، {warnings} هشدار")
    _annotate(args, "بررسی", problems)
    return EXIT_PROBLEMS if errors or ((args.strict or config.strict) and warnings) else EXIT_OK


def _annotate(args: argparse.Namespace, label: str, problems: tuple[Problem, ...] | list[Problem]) -> None:
    """The problems once more where CI shows them (--annotations), after the usual lines."""
    platform = detect_platform(os.environ) if args.annotations == "auto" else args.annotations
    notice = write_annotations(label, problems, platform, os.environ, args.code_quality)
    if notice:
        print(notice, file=sys.stderr)


def _serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    overrides = {"base_url": f"http://{args.host}:{args.port}/"}
    if args.output is not None:
        overrides["output_dir"] = args.output

    if args.editor and args.host not in LOOPBACK_HOSTS:
        parser.error(
            "--editor: ویرایشگر بی‌ورود در پوشهٔ content می‌نویسد، پس فقط روی همین رایانه باز می‌شود؛ "
            "--host را ندهید (یا 127.0.0.1 بدهید)"
        )

    def load() -> SiteConfig:
        config = _site(args, parser, **overrides)[0]
        if args.editor:
            return dataclasses.replace(config, editor=dataclasses.replace(config.editor, enabled=True))
        return config

    memory = Memory()
    search_index: list[OutputFile] = []  # the last one written, kept in each rebuild until refreshed

    def build(config: SiteConfig) -> tuple[tuple[str, ...] | None, Callable[[], None] | None]:
        if memory.previous is None and not args.no_search:  # the first build: the index an earlier one left
            search_index[:] = search_index_in_place(config)
        # The index is carried only whole: a shard with a file gone is made again.
        whole = all((config.output_dir / f.dest_path).is_file() for f in search_index)
        report = build_site(
            config,
            _moment(args, parser, config),
            _visibility(args),
            search=False,
            carry=tuple(search_index) if whole else (),
            memory=memory,
        )
        for line in (*report.notices, *map(str, report.warnings)):
            print(line, file=sys.stderr)
        if args.no_search:
            return report.changed, None

        def refresh_search() -> None:  # after the reload: open tabs need not wait for it
            if report.site is not None:  # a site was built, not found unchanged
                search_index[:] = write_search_index(report.site, config.output_dir, memory.previous)

        return report.changed, refresh_search

    def preview(config: SiteConfig, sources: list[Path]) -> tuple[str, ...]:
        return preview_releases(config, memory, sources)

    from .serve import serve  # its server and watcher are of no use to the other commands

    serve(load, build, preview, memory.save, args.host, args.port, editor=args.editor)
    return EXIT_OK


def _new(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    config, now, _ = _site(args, parser)
    path = new_release(config, args.title, now, args.slug)
    print(path)
    print("پیش‌نویس ساخته شد؛ متن را بنویسید و برای انتشار خط «draft: true» را پاک کنید.", file=sys.stderr)
    return EXIT_OK


def _import(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    config, _, _ = _site(args, parser)
    kind, posts = read_posts(args.source)
    plan = plan_import(args.source, posts, config.timezone, args.author_as_source, args.uploads, args.download)
    for warning in plan.warnings:
        print(warning, file=sys.stderr)
    into = args.into or config.content_dir
    kept = already_there(plan, into)
    if args.dry_run:
        for planned in plan.files:
            state = "هست، دست نمی‌خورد" if planned.path in kept else "نوشته می‌شود"
            photos = f"، {to_persian_digits(len(planned.photos))} عکس" if planned.photos else ""
            print(f"{display_path(into / planned.path)}  {planned.title}  ({state}{photos})")
    else:
        write_import(plan, into)
    held = [
        f"{to_persian_digits(count)} {what}"
        for what, count in (
            ("پیش‌نویس", sum(p.draft for p in plan.files)),
            ("زمان‌بندی‌شده", sum(p.scheduled for p in plan.files)),
        )
        if count
    ]
    report = [
        f"{NAMES[kind]}: {to_persian_digits(len(plan.files))} خبر" + (f" ({'، '.join(held)})" if held else ""),
        f"{'نوشته می‌شد' if args.dry_run else 'نوشته شد'}: {to_persian_digits(len(plan.files) - len(kept))}؛"
        f" از پیش بود و دست نخورد: {to_persian_digits(len(kept))}",
    ]
    report += [f"کنار گذاشته: {to_persian_digits(count)} {reason}" for reason, count in sorted(plan.skipped.items())]
    report += [f"حذف از متن: {what}" for what in plan.dropped]
    print("\n".join(report), file=sys.stderr)
    return EXIT_OK


NAMES = {
    "wordpress": "خروجی وردپرس",
    "rss": "خوراک RSS",
    "atom": "خوراک Atom",
    "hugo": "محتوای Hugo",
    "jekyll": "نوشته‌های Jekyll",
}


def _bulletin(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    config, now, _ = _site(args, parser)
    if args.jobs < 1:
        parser.error("--jobs: دست‌کم ۱")
    report = make_bulletin(config, args.months, now, args.output, args.drafts, args.jobs)
    number = f"، شمارهٔ {to_persian_digits(report.number)}" if report.number else ""
    what = f"خبرنامهٔ {report.period.title}{number}: {to_persian_digits(report.releases)} خبر"
    size = to_persian_digits(f"{report.size / 1_048_576:.1f}").replace(".", "٫")
    if report.typeset:
        print(f"{what} ← {display_path(report.path)} ({size} مگابایت)")
    else:
        print(f"{what}؛ بی‌تغییر از ساخت پیش، دوباره حروف‌چینی نشد ← {display_path(report.path)}")
    if not report.finished:
        print("هشدار: این ماه هنوز تمام نشده است؛ خبرهای بعدی در این شماره نیستند", file=sys.stderr)
    return EXIT_OK


def _related(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    config, now, visibility = _site(args, parser)
    explanation = explain_related(config, args.file, now, visibility, rejected=max(0, args.rejected))
    print(format_explanation(explanation, config))
    return EXIT_OK


def format_explanation(explanation: RelatedExplanation, config: SiteConfig) -> str:
    """The related list and the best left-out candidates, one line each, with scores."""
    c = config.related
    article = explanation.article
    lines = [
        f"اخبار مرتبط با «{article.title}» ({article.path})",
        f"امتیاز = (متن×{c.text_weight:g} + برچسب×{c.tag_weight:g} + دسته {c.category_weight:g} + شهرستان {c.county_weight:g})"
        f" × کاهش زمانی (نیمه‌عمر {c.half_life_days:g} روز)؛ کمینهٔ امتیاز {c.min_score:g}، حداکثر {c.count} مورد",
        "",
        "انتخاب‌شده:" if explanation.chosen else "انتخاب‌شده: هیچ",
    ]
    pinned = {a.url for a in explanation.pinned}
    filled = {a.url for a in explanation.filled}
    for number, (other, score) in enumerate(explanation.chosen, 1):
        why = "چسبانده با related:" if other.url in pinned else ""
        why = "پرکردن فهرست کوتاه: هم‌دسته یا هم‌شهرستان یا نزدیک در زمان" if other.url in filled else why
        lines.append(_line(number, other, score, why))
    lines.append("")
    lines.append("بهترین‌های کنار گذاشته:" if explanation.rejected else "بهترین‌های کنار گذاشته: هیچ")
    full = len(explanation.chosen) >= c.count
    for number, (other, score) in enumerate(explanation.rejected, 1):
        why = "بیش از تعداد" if full and score.total >= c.min_score else "کمتر از کمینهٔ امتیاز"
        lines.append(_line(number, other, score, why))
    return "\n".join(lines)


def _line(number: int, article: Article, score: Score, why: str) -> str:
    parts = (
        f"{number:2d}. {score.total:.3f} = (متن {score.text:.3f} + برچسب {score.tags:.3f} + دسته {score.category:.3f}"
        f" + شهرستان {score.county:.3f}) × {score.decay:.3f}"
    )
    note = f" [{why}]" if why else ""
    return f"{parts}  {article.title} — {format_jalali(article.date, 'medium')} — {article.path}{note}"
