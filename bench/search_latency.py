"""Search as a reader meets it: from a keystroke to the results on the page, in Chromium.

Builds a site (the bulletin in content/, or a generated corpus of --size releases),
serves it on a free port, opens /search/ in Debian's Chromium and types each query one
key at a time, once the page has loaded, timing every keystroke from the input event to
the moment the results list is complete (aria-busy back to false). The first keystroke
that searches, in each page load, also fetches the index's first pieces; it is reported
apart. A keystroke that leaves only a one-letter word searches nothing (the page asks
for a second letter) and is counted apart too. Medians of --runs loads.

The index is in shards of --shard-size releases (default: the configuration's). With
--compare-unsharded the same releases are also built as one shard, and each query's
answer (the count found and the first page of titles) is compared between the two.

    python bench/search_latency.py --runs 5
    python bench/search_latency.py --size 10000 --runs 5 --compare-unsharded
    python bench/search_latency.py --size 100000 --runs 5
    python bench/search_latency.py --site /path/to/output --runs 5   # a site built already
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from corpus import write_corpus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, served

from newsroom.cli import main as build

QUERIES = ["شاهرود", "كمك مومنانه", "۱۲۰۰ بسته", "زعفران", "می شود"]
# One keystroke: the time from the input event until the list of results is complete.
TIME_KEY = """async (key) => {
    const input = document.getElementById("search-query");
    const list = document.getElementById("search-results");
    const started = performance.now();
    const done = new Promise((resolve) => {
        const watch = new MutationObserver(() => {
            if (list.getAttribute("aria-busy") === "false") { watch.disconnect(); resolve(performance.now() - started); }
        });
        watch.observe(list, { attributes: true, attributeFilter: ["aria-busy"] });
    });
    input.value += key;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return await done;
}"""


def build_site(scratch: Path, name: str, content: Path | None, shard_size: int | None) -> Path:
    """The site built into ``scratch/name`` with shards of ``shard_size`` releases."""
    config = scratch / f"{name}.yaml"
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    text += f"\ntemplates_dir: {REPO / 'templates'}\nstatic_dir: {REPO / 'static'}\ncache_dir: {scratch / name}-cache\n"
    text += f"content_dir: {content or REPO / 'content'}\n"
    if shard_size:
        text += f"search:\n  shard_size: {shard_size}\n"
    config.write_text(text, encoding="utf-8")
    if (
        build(["build", "--config", str(config), "--output", str(scratch / name), "--quiet", "--now", "1405-01-01"])
        != 0
    ):
        raise SystemExit("the build failed")
    return scratch / name


def answers(page, address: str) -> dict[str, tuple[str, list[str]]]:
    """Each query's status line (the count found) and first page of titles."""
    found = {}
    for query in QUERIES:
        page.goto(address + "search/?q=" + query)
        page.locator("#search-results[aria-busy='false']").wait_for(state="attached")
        found[query] = (page.inner_text("#search-status"), page.locator("#search-results h2").all_inner_texts())
    return found


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, help="releases in a generated corpus (default: the bulletin in content/)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shard-size", type=int, help="releases in a search shard (default: the configuration's)")
    parser.add_argument(
        "--compare-unsharded",
        action="store_true",
        help="also build one unsharded index and compare each query's answer with it",
    )
    parser.add_argument("--site", type=Path, help="a site built already (its output folder): time searching it")
    args = parser.parse_args()
    if args.site and (args.size or args.compare_unsharded):
        parser.error("--site takes a site built already: no --size or --compare-unsharded")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        content = None
        if args.size:
            content = scratch / "content"
            write_corpus(args.size, content)
        if args.site:
            (scratch / "site").symlink_to(args.site.resolve())
            site = scratch / "site"
        else:
            site = build_site(scratch, "site", content, args.shard_size)
        shards = len(json.loads((site / "pagefind" / "shards.json").read_bytes())["shards"])
        first, later, waiting = [], [], []
        with served(scratch) as address, sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for _ in range(args.runs):
                page = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
                page.goto(address + "site/search/")
                page.wait_for_load_state("networkidle")  # a reader takes a moment before typing
                searched = False
                for query in QUERIES:
                    page.fill("#search-query", "")
                    for typed, key in enumerate(query, 1):
                        took = page.evaluate(TIME_KEY, key)
                        if all(len(word) < 2 for word in query[:typed].split()):
                            waiting.append(took)
                        else:
                            (later if searched else first).append(took)
                            searched = True
                page.context.close()
            if args.compare_unsharded:
                build_site(scratch, "whole", content, 10 * (args.size or 1000))
                page = chromium.new_context().new_page()
                sharded, whole = answers(page, address + "site/"), answers(page, address + "whole/")
                page.context.close()
            chromium.close()
    print(
        f"{args.site or ('bulletin' if not args.size else f'{args.size} releases')} in {shards} shards: first keystroke that searches "
        f"after loading the page {statistics.median(first):.0f} ms (median of {len(first)}, max {max(first):.0f}); every "
        f"later keystroke {statistics.median(later):.0f} ms (median of {len(later)}, 95th percentile "
        f"{statistics.quantiles(later, n=20)[-1]:.0f}, max {max(later):.0f}); a one-letter word "
        f"{statistics.median(waiting):.0f} ms (median of {len(waiting)}, nothing searched)"
    )
    if args.compare_unsharded:
        print("\n| query | shards: found | one index: found | first page, same titles | same order |")
        print("|---|---|---|---|---|")
        for query in QUERIES:
            (count, titles), (whole_count, whole_titles) = sharded[query], whole[query]
            print(
                f"| {query} | {count} | {whole_count} | {len(set(titles) & set(whole_titles))}/{len(whole_titles)} | "
                f"{'yes' if titles == whole_titles else 'no'} |"
            )


if __name__ == "__main__":
    main()
