"""First load of the web editor: time from opening ``/admin/`` in a fresh Chromium
context (nothing cached) until Decap shows its login button, and the size ``/admin/``
adds to the built site.

    python build.py serve --editor --port 8766 &
    python bench/editor_first_load.py http://127.0.0.1:8766 --output output
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("origin", help="where serve --editor answers, e.g. http://127.0.0.1:8766")
    parser.add_argument("--output", type=Path, default=Path("output"), help="the built site")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    files = [path for path in (args.output / "admin").rglob("*") if path.is_file()]
    print(f"/admin/: {len(files)} files, {sum(path.stat().st_size for path in files):,} bytes")
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium)
        for _ in range(args.runs):
            context = browser.new_context()
            tab = context.new_page()
            start = time.perf_counter()
            tab.goto(args.origin.rstrip("/") + "/admin/")
            tab.get_by_role("button", name="وارد شدن").wait_for()
            times.append(time.perf_counter() - start)
            context.close()
        browser.close()
    print("first load (s):", ", ".join(f"{t:.2f}" for t in times), f"→ median {statistics.median(times):.2f}")


if __name__ == "__main__":
    main()
