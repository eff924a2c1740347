"""The printed bulletin on real Persian news no one here wrote: is every release there, readable?

Takes the Fars News JSON files of the public repository
language-ml/course-nlp-ir-1-text-exploring (folder exploring-datasets/news; Apache-2.0,
not committed here), turns the articles into releases as ``related_real.py`` does, and
typesets the ``--months`` with the most articles with ``python build.py bulletin``, as a
whole process (time and peak memory of its tree). Then it reads each PDF back with PDFium
and pypdf, as ``tests/test_bulletin.py`` does, and counts:

- releases whose title's words are all in the text of some page after the cover
  (PDFium, logical order), and in pypdf's text;
- releases whose long Jalali date, in Persian digits, is on the page holding their title;
- contents links, and those whose page is the number printed at the end of their line;
- releases whose page a contents link opens;
- Arabic presentation-form code points anywhere (glyphs not mapped back to letters).

    python bench/bulletin_real.py PATH/exploring-datasets/news --months 2
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import tempfile
from pathlib import Path

import pypdf
import pypdfium2 as pdfium

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE), str(REPO / "tests")]
from measure import measure
from related_real import load_fars, write_site
from test_bulletin import plain

from newsroom.config import load_config
from newsroom.content import Article, load_articles
from newsroom.dates import format_jalali


def letters(text: str) -> set[str]:
    """The words of ``text`` (after ``plain``), letters and digits apart, each as its sorted
    letters. Besides the extraction's changes ``plain`` undoes, PDFium gives the letters of
    a ligature glyph («لله» of «انصارالله») in reverse, and moves a neutral character
    across a run of digits («درکردستان/704» as «درکردستان704/»)."""
    return {"".join(sorted(word)) for word in re.findall(r"[^\W\d_]+|\d+", plain(text))}


def check(pdf: Path, articles: list[Article]) -> dict[str, int]:
    """The counts named in the module's docstring, for one issue of ``articles`` (as the
    build read them: titles with Arabic ي and ك become Persian, as on the site)."""
    document = pdfium.PdfDocument(pdf)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    reader = pypdf.PdfReader(pdf)
    pypdf_words = letters(" ".join(page.extract_text() for page in reader.pages))
    counts = collections.Counter(releases=len(articles), pages=len(pages))
    # The contents: per page, its links top to bottom (a wrapped line is a box per line,
    # one destination), and the page numbers printed at the left margin, top to bottom
    # (where the leader ends, right to left): the n-th number is the n-th link's.
    destinations = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    opened = set()
    for number, page in enumerate(reader.pages[1:], 1):
        boxes = collections.defaultdict(list)
        for link in (a.get_object() for a in page.get("/Annots", [])):
            if link.get("/Subtype") == "/Link" and "/Dest" in link:
                boxes[str(link["/Dest"])].append(float(link["/Rect"][3]))
        if not boxes:
            break  # past the contents
        targets = [destinations[d] + 1 for d, tops in sorted(boxes.items(), key=lambda item: -max(item[1]))]
        margin = document[number].get_textpage().get_text_bounded(40, 0, 72, document[number].get_height())
        # A line of the strip with a leader's dots; its number is at the end of the text or
        # at its start (PDFium orders the weak characters either way). A date or a title's
        # digit reaching the margin on a wrapped line has no dots beside it.
        found = [
            re.search("[۰-۹]+$", line.strip()) or re.match("[۰-۹]+", line.strip())
            for line in margin.splitlines()
            if "." in line
        ]
        printed = [int(m[0].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))) for m in found if m]
        counts["contents links"] += len(targets)
        counts["link opens the page its line prints"] += sum(a == b for a, b in zip(targets, printed, strict=False))
        opened.update(targets)
    for article in articles:
        title = letters(article.title)
        on = [i for i, text in enumerate(pages) if i > 0 and title <= letters(text)]
        counts["title found (PDFium)"] += bool(on)
        counts["title found (pypdf)"] += {w for w in title if not w.isdigit()} <= pypdf_words
        counts["date on its page"] += any(plain(format_jalali(article.date, "long")) in plain(pages[i]) for i in on)
        counts["a contents link opens its page"] += any(i + 1 in opened for i in on)
    counts["presentation forms"] = len(re.findall("[\ufb50-\ufdff\ufe70-\ufeff]", "".join(pages)))
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("news", type=Path, help="exploring-datasets/news of the fetched repository")
    parser.add_argument("--months", type=int, default=2, help="how many of the fullest months to typeset")
    args = parser.parse_args()
    articles = load_fars(args.news)
    by_month = collections.defaultdict(list)
    for article in articles:
        by_month[article["date"][:7]].append(article)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = load_config(write_site(root, articles, {a["slug"]: set() for a in articles}))
        read = {a.slug: a for a in load_articles(config)[0]}
        print(f"{len(articles)} real releases; typesetting the {args.months} fullest months\n")
        print("| month | releases | seconds | peak RSS | PDF | checks |")
        print("|---|---|---|---|---|---|")
        for month, chosen in sorted(by_month.items(), key=lambda item: -len(item[1]))[: args.months]:
            output = root / f"{month}.pdf"
            usage = measure(
                [
                    sys.executable,
                    str(REPO / "build.py"),
                    "bulletin",
                    month,
                    "--output",
                    str(output),
                    "--now",
                    "1410-01-01",
                ],
                cwd=root,
            )
            counts = check(output, [read[a["slug"]] for a in chosen])
            print(
                f"| {month} | {len(chosen)} | {usage.seconds:.1f} s | {usage.peak / 2**20:.0f} MiB | "
                f"{output.stat().st_size / 2**20:.1f} MiB, {counts.pop('pages')} pages | "
                + ", ".join(f"{key}: {value}" for key, value in counts.items())
                + " |"
            )


if __name__ == "__main__":
    main()
