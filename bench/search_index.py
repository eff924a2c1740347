"""Search index: indexing time and index size per article, at several site sizes.

Generates each corpus with bench/corpus.py (300–900 words per release), reads and
assembles it once, then times the search phase alone (folding every release and
Pagefind's indexing of every shard, render_search_index, in --jobs processes) --runs
times and prints the median. Sizes are the bytes written under pagefind/: the index proper (what grows with the site) and
Pagefind's runtime (script, worker, WebAssembly: the same for every site).

    python bench/search_index.py --sizes 1000 10000 --runs 3
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from corpus import write_corpus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsroom.config import load_config
from newsroom.content import load_articles
from newsroom.pipeline import open_cache
from newsroom.search import render_search_index
from newsroom.site import assemble_site

RUNTIME = ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind")  # in the oldest shard


def measure(content: Path, runs: int, jobs: int) -> None:
    config = dataclasses.replace(load_config(REPO / "config.yaml"), content_dir=content)
    articles, _ = load_articles(config, open_cache(config, enabled=False))
    site = assemble_site(articles, config, datetime(2030, 1, 1, tzinfo=ZoneInfo("Asia/Tehran")))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        files = render_search_index(site.articles, config, jobs=jobs)
        times.append(time.perf_counter() - started)
    count = len(site.articles)
    runtime = sum(len(f.data) for f in files if f.dest_path.rpartition("/")[2] in RUNTIME)
    index = sum(len(f.data) for f in files) - runtime
    shards = sum(1 for f in files if f.dest_path.endswith("/pagefind-entry.json"))
    fragments = sum(len(f.data) for f in files if "/fragment/" in f.dest_path)
    print(
        f"{count:6d} articles: indexing {statistics.median(times):6.2f} s (median of {runs}, "
        f"{statistics.median(times) / count * 1000:.2f} ms per article); index {index / 2**20:6.1f} MiB = "
        f"{index / count / 1024:.1f} KiB per article (fragments {fragments / count / 1024:.1f} KiB, "
        f"word index and filters {(index - fragments) / count / 1024:.1f} KiB); runtime {runtime / 1024:.0f} KiB; "
        f"{len(files)} files in {shards} shards",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes indexing shards (default: all cores)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        measure(REPO / "content", args.runs, args.jobs)
        for size in args.sizes:
            content = scratch / f"corpus-{size}"
            write_corpus(size, content)
            measure(content, args.runs, args.jobs)


if __name__ == "__main__":
    main()
