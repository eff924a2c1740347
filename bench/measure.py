"""Time and peak memory of a command with everything it starts, as the benchmarks report them.

A build forks worker processes and runs Pagefind as a child; ``ru_maxrss`` (from
``wait4``) is the peak of the single largest of them, not of the build. So while the
command runs, its process tree is sampled from /proc every 20 ms — each process's
parent from /proc/<pid>/stat, and the resident set size in the same line (the figure
/proc/<pid>/statm and VmRSS give) — and the peak is the largest SUM over the tree seen
at one instant. A sampler can miss a spike shorter than its interval and ``ru_maxrss``
cannot see a sum, so the larger of the two is reported.

A forked worker's pages shared with its parent count once per process, as in any sum of
per-process RSS (what ``top`` or ``ps`` add up to): an upper bound of what the tree
holds. So the sampler also sums each process's proportional set size (PSS, from
/proc/<pid>/smaps_rollup: a page shared by n processes counts 1/n in each), which adds
up to the memory the tree really holds at that instant. A process whose parent ends before it (a double fork) stays counted if a sample
saw it in the tree first: every process once seen is followed until it ends. A sample
reads every /proc/<pid>/stat (about 1 ms for a hundred processes), 5% of one core.

    python bench/measure.py -- python build.py --quiet --no-cache
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

INTERVAL = 0.02  # seconds between samples
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclasses.dataclass(frozen=True)
class Usage:
    """One whole run of a command."""

    seconds: float
    tree_peak: int  # bytes: largest sum of RSS over the process and its descendants, sampled
    tree_pss: int  # bytes: largest sum of PSS over the same (shared pages counted once), sampled
    maxrss: int  # bytes: ru_maxrss of wait4, the largest single process
    samples: int

    @property
    def peak(self) -> int:
        return max(self.tree_peak, self.maxrss)


def _processes() -> dict[int, tuple[int, int, int]]:
    """Every process now: pid → (parent pid, start time, resident bytes)."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as file:
                line = file.read()
        except OSError:  # it ended meanwhile
            continue
        fields = line[line.rindex(b")") + 2 :].split()  # the name in parentheses may hold spaces
        # after the name: state ppid … (field 22) starttime … (field 24) rss in pages
        found[int(name)] = (int(fields[1]), int(fields[19]), int(fields[21]) * PAGE)
    return found


def _pss(pid: int) -> int:
    """The proportional set size of process ``pid`` in bytes (0 if it has ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as file:
            for line in file:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class _Sampler(threading.Thread):
    """Sums the RSS of ``root`` and its descendants every ``INTERVAL`` until stopped."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self.pss = 0
        self.samples = 0
        self.stopped = threading.Event()
        self.seen: dict[int, int] = {}  # pid → start time of every process seen in the tree

    def run(self) -> None:
        while not self.stopped.is_set():
            self.sample()
            self.stopped.wait(INTERVAL)

    def sample(self) -> None:
        processes = _processes()
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in processes.items():
            children.setdefault(parent, []).append(pid)
        # the root, and the processes seen before that still run (orphans are re-parented)
        stack = [pid for pid, start in self.seen.items() if pid in processes and processes[pid][1] == start]
        if self.root in processes:
            stack.append(self.root)
        tree: set[int] = set()
        while stack:
            pid = stack.pop()
            if pid not in tree:
                tree.add(pid)
                stack.extend(children.get(pid, ()))
        for pid in tree:
            self.seen.setdefault(pid, processes[pid][1])
        self.peak = max(self.peak, sum(processes[pid][2] for pid in tree))
        self.pss = max(self.pss, sum(map(_pss, tree)))
        self.samples += 1


def measure(args: list[str], cwd: Path | str | None = None, stdout: IO[str] | None = None) -> Usage:
    """Run ``args`` to the end (its output discarded, or written to ``stdout``) and
    measure it; exits with the command's error output if its exit status is not 0."""
    with tempfile.TemporaryFile() as errors:
        clock = time.perf_counter()
        process = subprocess.Popen(args, stdout=stdout or subprocess.DEVNULL, stderr=errors, cwd=cwd)
        sampler = _Sampler(process.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            sampler.stopped.set()
            sampler.join()
        seconds = time.perf_counter() - clock
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            sys.exit(
                f"failed (exit status {process.returncode}): {' '.join(map(str, args))}\n"
                f"{errors.read().decode(errors='replace')}"
            )
    return Usage(seconds, sampler.peak, sampler.pss, usage.ru_maxrss * 1024, sampler.samples)


def run(args: list[str], cwd: Path | str | None = None) -> tuple[float, int]:
    """Seconds and peak resident memory (bytes) of one whole run of ``args`` with all it starts."""
    usage = measure(args, cwd)
    return usage.seconds, usage.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    usage = measure(command)
    print(
        "| seconds | peak RSS of the tree (sampled) | peak PSS of the tree (sampled) | ru_maxrss (largest process) | samples |"
    )
    print("|---|---|---|---|---|")
    print(
        f"| {usage.seconds:.2f} s | {usage.tree_peak / 2**20:.0f} MiB | {usage.tree_pss / 2**20:.0f} MiB | "
        f"{usage.maxrss / 2**20:.0f} MiB | {usage.samples} |"
    )


if __name__ == "__main__":
    main()
