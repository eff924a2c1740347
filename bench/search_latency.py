"""Search as a reader meets it: from a keystroke to the results on the page, in Chromium.

Builds a site (the bulletin in content/, or a generated corpus of --size releases),
serves it on a free port, opens /search/ in Debian's Chromium and types each query one
key at a time, once the page has loaded, timing every keystroke from the input event to
the moment the results list is complete (aria-busy back to false). The first keystroke
of each page load also fetches the index's first pieces; it is reported apart. Medians
of --runs loads.

    python bench/search_latency.py --runs 5
    python bench/search_latency.py --size 10000 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from corpus import write_corpus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, served  # noqa: E402

from newsroom.cli import main as build  # noqa: E402

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


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, help="releases in a generated corpus (default: the bulletin in content/)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        options = ["--output", str(scratch / "site"), "--quiet", "--now", "1405-01-01"]
        if args.size:
            write_corpus(args.size, scratch / "content")
            options += ["--content", str(scratch / "content")]
        if build(["build", "--config", str(REPO / "config.yaml"), *options]) != 0:
            raise SystemExit("the build failed")
        first, later = [], []
        with served(scratch / "site") as address, sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for _ in range(args.runs):
                page = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
                page.goto(address + "search/")
                page.wait_for_load_state("networkidle")  # a reader takes a moment before typing
                for number, query in enumerate(QUERIES):
                    page.fill("#search-query", "")
                    times = [page.evaluate(TIME_KEY, key) for key in query]
                    (first if number == 0 else later).append(times[0])
                    later.extend(times[1:])
                page.context.close()
            chromium.close()
    print(f"{'bulletin' if not args.size else f'{args.size} releases'}: first keystroke after loading the page "
          f"{statistics.median(first):.0f} ms (median of {len(first)}, max {max(first):.0f}); every later keystroke "
          f"{statistics.median(later):.0f} ms (median of {len(later)}, 95th percentile "
          f"{statistics.quantiles(later, n=20)[-1]:.0f}, max {max(later):.0f})")


if __name__ == "__main__":
    main()
