"""Time and peak memory of ``build.py import`` on a large WordPress export.

The export is made from the bench corpus (bench/corpus.py): each release becomes a
published post of a WXR 1.2 file, its Markdown body as paragraphs of HTML, its tags and
category as WordPress terms, a Persian percent-encoded slug for every third post. Then
the import runs once into an empty content folder (whole process, bench/measure.py).

    python bench/import_time.py --posts 10000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus
from measure import measure


def write_export(content: Path, path: Path) -> int:
    """A WXR file with one post per release of ``content``; returns the number of posts."""
    rng = random.Random(1403)
    start = datetime(2015, 1, 1, tzinfo=timezone.utc)
    items = []
    for number, source in enumerate(sorted(content.rglob("*.md"))):
        text = source.read_text(encoding="utf-8")
        head, _, body = text.partition("\n---\n")
        title = next((line[6:].strip().strip('"') for line in head.splitlines() if line.startswith("title:")), "خبر")
        html = "".join(f"<p>{escape(part.strip())}</p>" for part in body.split("\n\n") if part.strip())
        moment = start + timedelta(hours=number * 7 + rng.randrange(6))
        name = quote(f"خبر-{number}") if number % 3 == 0 else f"post-{number}"
        items.append(
            f"<item><title>{escape(title)}</title><link>https://old.example.ir/{moment:%Y/%m}/{name}/</link>"
            f"<content:encoded><![CDATA[{html}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>"
            f"<wp:post_id>{number}</wp:post_id><wp:post_date_gmt>{moment:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
            f"<wp:post_name>{name}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f'<category domain="category" nicename="c"><![CDATA[سلامت]]></category>'
            f'<category domain="post_tag" nicename="t{number % 50}"><![CDATA[برچسب {number % 50}]]></category></item>'
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">'
        "<channel><title>سایت قبلی</title>\n" + "\n".join(items) + "\n</channel></rss>\n",
        encoding="utf-8",
    )
    return len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_corpus(args.posts, root / "corpus")
        export = root / "export.xml"
        posts = write_export(root / "corpus", export)
        (root / "site").mkdir()
        (root / "site/config.yaml").write_text("title: آزمایش\n", encoding="utf-8")
        usage = measure([sys.executable, str(REPO / "build.py"), "import", str(export)], cwd=root / "site")
        written = sum(1 for _ in (root / "site/content").rglob("*.md"))
        size = export.stat().st_size / 2**20
        print("| posts | export | import (whole process) | peak RSS | releases written |")
        print("|---|---|---|---|---|")
        print(f"| {posts:,} | {size:.1f} MiB | {usage.seconds:.2f} s | {usage.peak / 2**20:.0f} MiB | {written:,} |")


if __name__ == "__main__":
    main()
