"""Time, memory and size of the printed bulletin: a month of releases with photos, and a year.

Writes a project of ``--per-month`` releases in each month of 1403 (text from the bench
corpus, one distinct camera-sized photo each), then runs ``python build.py bulletin``
as a whole process (peak memory of its process tree, as ``measure.py`` samples it):

- cold: an empty cache — print-sized photo copies made, the issue typeset;
- unchanged: the same again — nothing to typeset (the file already holds the issue);
- one edit: a release of the period changed — typeset again, the photo copies kept.

With ``--site``, a cold site build (empty cache and output) of the same project instead,
with default settings and with ``bulletin.publish: true``: what publishing the issues
costs a first build.

    python bench/bulletin.py --per-month 150 --runs 3
    python bench/bulletin.py --per-month 150 --runs 1 --site

With ``--publish``, the time ``publish_issues`` takes in one process, ``--runs`` times after
reading the releases: the first typesets what the file cache lacks, the others are what a
rebuild that publishes issues pays when none changed (a function's time, not a process's).

    python bench/bulletin.py --runs 3 --publish --keep /tmp/bb
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import Writer
from measure import measure

REPO = Path(__file__).resolve().parent.parent
CONFIG = """\
title: خبرنامهٔ آزمایشی
organization: سازمان بسیج سازندگی استان سمنان
base_url: https://news.example.ir/
logo: images/logo.png
templates_dir: {repo}/templates
static_dir: {repo}/static
"""
MONTH_DAYS = (31,) * 6 + (30,) * 5 + (29,)


def camera_photo(path: Path, seed: int) -> None:
    """A 1600×1067 JPEG with the detail of a photo (gradients, shapes, grain), about 250 KB."""
    rng = random.Random(seed)
    picture = Image.linear_gradient("L").resize((1600, 1067)).convert("RGB")
    draw = ImageDraw.Draw(picture)
    for _ in range(60):
        x, y = rng.randrange(1600), rng.randrange(1067)
        size = rng.randrange(20, 260)
        draw.ellipse((x, y, x + size, y + size), fill=tuple(rng.randrange(256) for _ in range(3)))
    picture = picture.filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise((1600, 1067), 28).convert("RGB")
    Image.blend(picture, grain, 0.18).save(path, "JPEG", quality=85)


def write_project(root: Path, per_month: int) -> None:
    """A project with ``per_month`` releases in each month of 1403, each with its own photo."""
    (root / "config.yaml").write_text(CONFIG.format(repo=REPO), encoding="utf-8")
    writer = Writer(1403)
    index = 0
    for month in range(1, 13):
        folder = root / "content" / f"{month:02d}"
        folder.mkdir(parents=True)
        for number in range(per_month):
            text = writer.release(index)
            head, body = text.split("\n---\n", 1)
            lines = [line for line in head.splitlines() if not line.startswith("date:")]
            day = number * MONTH_DAYS[month - 1] // per_month + 1
            lines += [
                f"date: 1403-{month:02d}-{day:02d} {9 + number % 8}:00",
                f"image: p{index}.jpg",
                "image_alt: عکس خبر",
            ]
            (folder / f"r{index}.md").write_text("\n".join(lines) + "\n---\n" + body, encoding="utf-8")
            camera_photo(folder / f"p{index}.jpg", index)
            index += 1


def pages(pdf: Path) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(pdf))


def site_builds(root: Path, runs: int) -> None:
    """Cold builds of the project's site (search on), without and with the issues published."""
    config = (root / "config.yaml").read_text(encoding="utf-8").split("bulletin:")[0]
    print("| site build | seconds (median) | runs | peak RSS of the tree | issues published |")
    print("|---|---|---|---|---|")
    for label, extra in (("default", ""), ("bulletin.publish: true", "bulletin:\n  publish: true\n")):
        (root / "config.yaml").write_text(config + extra, encoding="utf-8")
        usages = []
        for _ in range(runs):
            shutil.rmtree(root / ".cache", ignore_errors=True)
            shutil.rmtree(root / "output", ignore_errors=True)
            usages.append(measure([sys.executable, str(REPO / "build.py"), "--now", "1404-01-01 12:00"], cwd=root))
        issues = len(list((root / "output" / "bulletin").glob("*.pdf")))
        print(
            f"| {label} | {statistics.median(u.seconds for u in usages):.2f} s | "
            f"{', '.join(f'{u.seconds:.1f}' for u in usages)} | {max(u.peak for u in usages) / 2**20:.0f} MiB | {issues} |"
        )
    (root / "config.yaml").write_text(config, encoding="utf-8")


def publish_times(root: Path, runs: int) -> None:
    """``publish_issues`` on the project's releases, ``runs`` times in this process."""
    import time

    sys.path.insert(0, str(REPO))
    from newsroom.bulletin import publish_issues
    from newsroom.cache import FileCache
    from newsroom.config import load_config
    from newsroom.content import load_articles
    from newsroom.dates import parse_date
    from newsroom.pipeline import open_cache
    from newsroom.render import create_environment

    config = load_config(root / "config.yaml")
    now = parse_date("1404-01-01 12:00", config.timezone)
    articles = load_articles(config, open_cache(config), 2)[0]
    env, files = create_environment(config.templates_dir), FileCache(config.cache_dir / "files")
    for run in range(runs):
        start = time.perf_counter()
        issues = publish_issues(articles, config, now, env, files, 2)[0]
        print(f"publish_issues run {run + 1}: {time.perf_counter() - start:.2f} s, {len(issues)} issues")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-month", type=int, default=150, help="releases in each month (default 150)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each case; medians reported")
    parser.add_argument("--periods", nargs="+", default=["1403-08", "1403"], help="what to typeset")
    parser.add_argument("--keep", type=Path, help="write the project here and keep it")
    parser.add_argument("--site", action="store_true", help="time cold site builds, without and with publishing")
    parser.add_argument("--publish", action="store_true", help="time publish_issues in one process, --runs times")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bulletin-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "config.yaml").exists():
        write_project(root, args.per_month)
    if args.site or args.publish:
        try:
            (site_builds if args.site else publish_times)(root, args.runs)
        finally:
            if args.keep is None:
                shutil.rmtree(root, ignore_errors=True)
        return
    command = [sys.executable, str(REPO / "build.py"), "bulletin", "--now", "1404-01-01 12:00"]
    print("| period | case | seconds (median) | runs | peak RSS of the tree | PDF | pages |")
    print("|---|---|---|---|---|---|---|")
    try:
        for period in args.periods:
            pdf = root / "bulletin" / f"{period}.pdf"
            edited = next((root / "content" / f"{int(period[5:] or 1):02d}").glob("*.md"))
            results: dict[str, list] = {"cold": [], "unchanged": [], "one edit": []}
            for _ in range(args.runs):
                shutil.rmtree(root / ".cache", ignore_errors=True)
                pdf.unlink(missing_ok=True)
                results["cold"].append(measure([*command, period], cwd=root))
                results["unchanged"].append(measure([*command, period], cwd=root))
                edited.write_text(edited.read_text(encoding="utf-8") + "\nیک جملهٔ تازه.\n", encoding="utf-8")
                results["one edit"].append(measure([*command, period], cwd=root))
            for case, usages in results.items():
                seconds = statistics.median(u.seconds for u in usages)
                peak = max(u.peak for u in usages)
                runs = ", ".join(f"{u.seconds:.1f}" for u in usages)
                print(
                    f"| {period} | {case} | {seconds:.2f} s | {runs} | {peak / 2**20:.0f} MiB | "
                    f"{pdf.stat().st_size / 2**20:.1f} MiB | {pages(pdf)} |"
                )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
