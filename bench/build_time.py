"""Full-build time, by phase, for the sample site and generated corpora.

Runs each build several times in fresh processes and prints the median per phase:
cold (--no-cache) and warm (nothing changed since the previous build, cache reused).

    python bench/build_time.py --sizes 1000 10000 --runs 3
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import write_corpus

REPO = Path(__file__).resolve().parent.parent
PHASE = re.compile(r"(\w+) (\d+) ms")


def build_once(content: Path | None, output: Path, cold: bool) -> dict[str, float]:
    args = [
        sys.executable,
        str(REPO / "build.py"),
        "--quiet",
        "--timings",
        "--output",
        str(output),
        "--now",
        "1405-01-01",
    ]
    if cold:
        args.append("--no-cache")
    if content is not None:
        args += ["--content", str(content)]
    result = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=True)
    phases = {name: float(ms) for name, ms in PHASE.findall(result.stdout)}
    phases["total"] = sum(phases.values())
    return phases


def report(label: str, content: Path | None, runs: int, scratch: Path) -> None:
    for kind, cold in (("cold", True), ("warm", False)):
        build_once(content, scratch / "out", cold=False)  # fills the cache for the warm runs
        samples = [build_once(content, scratch / "out", cold) for _ in range(runs)]
        pages = sum(1 for _ in (scratch / "out").rglob("*.html"))
        medians = {phase: statistics.median(s[phase] for s in samples) for phase in samples[0]}
        print(f"{label:>14} {kind}: {pages:6d} pages  " + "  ".join(f"{k} {v:7.0f} ms" for k, v in medians.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        report("sample site", None, args.runs, scratch)
        for size in args.sizes:
            content = scratch / f"corpus-{size}"
            write_corpus(size, content)
            report(f"{size} releases", content, args.runs, scratch)


if __name__ == "__main__":
    main()
