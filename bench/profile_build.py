"""Where a first build's time goes: the build run in one process under cProfile.

    python bench/profile_build.py CONTENT_DIR [--top 40] [--sort tottime] [--stats FILE]

Builds the releases of CONTENT_DIR (e.g. a corpus from ``bench/corpus.py 10000 DIR``)
as a first build does — empty cache, into a scratch folder — with ``--jobs 1`` so that
every phase runs in this process and shows in one profile (related lists are still
ranked in their own forked process, as in every build: profile them with
``bench/related_time.py``). Prints each phase's time, then the profile's top entries.
``--search`` adds the search index (off by default: its work is Pagefind's, outside
Python). ``--stats FILE`` keeps the raw profile for ``python -m pstats FILE`` or snakeviz.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsroom.config import load_config
from newsroom.dates import parse_date
from newsroom.pipeline import build_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path, help="folder of releases to build")
    parser.add_argument("--top", type=int, default=40, help="entries of the profile to print")
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative", "ncalls"))
    parser.add_argument("--search", action="store_true", help="build the search index too")
    parser.add_argument("--stats", type=Path, help="keep the raw profile in this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        config = dataclasses.replace(
            load_config(REPO / "config.yaml"),
            content_dir=args.content.resolve(),
            output_dir=Path(scratch) / "out",
            cache_dir=Path(scratch) / "cache",
        )
        now = parse_date("1405-01-01", config.timezone)
        profile = cProfile.Profile()
        report = profile.runcall(build_site, config, now, use_cache=False, jobs=1, search=args.search)
    print(f"{report.articles} releases, {report.files} files")
    print("  ".join(f"{phase} {seconds * 1000:.0f} ms" for phase, seconds in report.timings.items()))
    if args.stats:
        profile.dump_stats(args.stats)
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
