"""Page weight of an article page of the sample bulletin: what a reader downloads.

Builds the site, then adds up the article page's HTML, stylesheets and scripts as a
server sends them gzip-compressed (level 6, the usual server default), the fonts it
preloads or declares (WOFF2 is compressed already) and the photo variant a browser
picks at a phone's and at a laptop's width. The target: HTML + CSS + JS ≤ 30 KB gzip.

    python bench/page_weight.py [--url /news/1403/condolence-kermani/]
"""

from __future__ import annotations

import argparse
import gzip
import posixpath
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_KB = 30
# Widths the photo takes (CSS pixels × device pixel ratio), as the pages' `sizes` say.
SCREENS = {"phone 360 px, 2×": 328 * 2, "laptop 1280 px, 1×": 672}


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def local(site: Path, page: str, link: str) -> Path:
    """The file of ``link`` (relative to the page at ``page``, query dropped)."""
    path = link.split("?", 1)[0].split("#", 1)[0]
    if path.startswith("/"):
        return site / path.lstrip("/")
    return site / posixpath.normpath(posixpath.join(posixpath.dirname(page.lstrip("/") + "index.html"), path))


def pick(srcset: str, width: int) -> str:
    """The candidate of a ``srcset`` a browser takes for a slot ``width`` device pixels wide."""
    candidates = sorted((int(w[:-1]), url) for url, w in (item.split() for item in srcset.split(", ")))
    return next((url for w, url in candidates if w >= width), candidates[-1][1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="/news/1403/condolence-kermani/", help="article page to weigh")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        subprocess.run(
            [
                sys.executable,
                str(REPO / "build.py"),
                "--quiet",
                "--no-cache",
                "--now",
                "1404-06-01 12:00",
                "--output",
                str(site),
            ],
            cwd=REPO,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        html = (site / args.url.lstrip("/") / "index.html").read_bytes()
        text = html.decode("utf-8")
        styles = [local(site, args.url, h) for h in re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)]
        scripts = [local(site, args.url, s) for s in re.findall(r'<script src="([^"]+)"', text)]
        fonts = {local(site, args.url, h) for h in re.findall(r'<link rel="preload" href="([^"]+)" as="font"', text)}
        for style in styles:
            css = style.read_text(encoding="utf-8")
            fonts |= {
                local(site, "/" + style.relative_to(site).as_posix(), u)
                for u in re.findall(r'url\("?([^")]+\.woff2)"?\)', css)
            }
        rows = [("HTML", gzip_size(html))]
        rows += [(f"CSS {p.name}", gzip_size(p.read_bytes())) for p in styles]
        rows += [(f"JS {p.name}", gzip_size(p.read_bytes())) for p in scripts]
        core = sum(size for _, size in rows)
        font_bytes = sum(p.stat().st_size for p in fonts)
        webp = re.search(r'<figure class="photo">\s*<picture><source type="image/webp" srcset="([^"]+)"', text)
        print(f"page weight of {args.url} (gzip level 6)")
        for name, size in rows:
            print(f"  {name:<28}{size / 1024:7.1f} KB")
        verdict = "within" if core <= TARGET_KB * 1024 else "OVER"
        print(f"  {'= without fonts and photos':<28}{core / 1024:7.1f} KB  ({verdict} the {TARGET_KB} KB target)")
        print(f"  {'fonts (woff2)':<28}{font_bytes / 1024:7.1f} KB  {', '.join(sorted(p.name for p in fonts))}")
        if webp:
            for screen, width in SCREENS.items():
                chosen = local(site, args.url, pick(webp[1], width))
                print(f"  {'photo, ' + screen:<28}{chosen.stat().st_size / 1024:7.1f} KB  {chosen.name}")
        else:
            print("  (no lead photo on this page)")


if __name__ == "__main__":
    main()
