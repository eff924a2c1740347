"""Time and size of text share cards, the largest part of a clean build's work.

Sets the titles of the benchmark corpus (bench/corpus.py) as cards in this process, one
after another as a build's worker does, and prints the median and mean time to draw a
card and to save it as PNG, and the mean file size.

    python bench/cards.py --count 5000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from corpus import Writer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsroom.cards import FONT, _png, can_set_persian, text_card


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="cards to make (default 5000)")
    args = parser.parse_args()
    if not can_set_persian():
        sys.exit("Pillow cannot shape Persian here (libraqm with FriBiDi is missing)")
    writer = Writer(1403)
    titles = [writer.release(index).split("\ntitle: ", 1)[1].split("\n", 1)[0] for index in range(args.count)]
    font = (REPO / "static" / FONT).read_bytes()
    draw, save, sizes = [], [], []
    for title in titles:
        start = time.perf_counter()
        card = text_card(title, "سازمان بسیج سازندگی استان سمنان", "چهارشنبه ۱۲ آبان ۱۴۰۳", font)
        drawn = time.perf_counter()
        data = _png(card)
        draw.append(drawn - start)
        save.append(time.perf_counter() - drawn)
        sizes.append(len(data))
    print(
        f"{args.count} cards: draw median {statistics.median(draw) * 1000:.2f} ms, mean {statistics.mean(draw) * 1000:.2f} ms; "
        f"PNG median {statistics.median(save) * 1000:.2f} ms, mean {statistics.mean(save) * 1000:.2f} ms; "
        f"mean size {statistics.mean(sizes) / 1024:.1f} KiB"
    )


if __name__ == "__main__":
    main()
