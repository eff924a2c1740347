"""Time and peak memory of the related-news phase alone, at several site sizes.

Releases are generated straight into the engine's Article records (no Markdown, no
files): a Zipf-distributed vocabulary of 30,000 words, story threads of about eight
releases sharing their own words, 0–4 tags from 600, 6 categories, 8 counties, ten
years of dates. Each size runs in a fresh process; medians of --runs.

    python bench/related_time.py --sizes 10000 100000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def make_articles(n: int, seed: int = 1403):
    import numpy as np

    from newsroom.config import RelatedConfig
    from newsroom.content import TOKENS_PER_RELEASE, Article

    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i}" for i in range(30000)]
    zipf = 1 / np.arange(1, len(vocabulary) + 1) ** 1.07
    zipf /= zipf.sum()
    tags = [f"tag{i}" for i in range(600)]
    tag_p = 1 / np.arange(1, len(tags) + 1)
    tag_p /= tag_p.sum()
    start = datetime(2016, 1, 1, tzinfo=ZoneInfo("Asia/Tehran"))
    boost = RelatedConfig().title_boost
    articles = []
    for i in range(n):
        thread = i // 8
        thread_rng = np.random.default_rng(thread)
        topic = [f"t{thread}_{k}" for k in range(15)]
        words = list(rng.choice(len(vocabulary), size=int(rng.integers(250, 700)), p=zipf))
        counts = Counter(vocabulary[w] for w in words)
        for word in thread_rng.choice(topic, size=6, replace=False):
            counts[word] += int(rng.integers(1, 5)) + boost
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOKENS_PER_RELEASE]
        chosen_tags = tuple(sorted(set(rng.choice(tags, size=int(rng.integers(0, 5)), p=tag_p))))
        date = start + timedelta(days=float(thread * 3650 * 8 / n + rng.uniform(0, 60)))
        articles.append(
            Article(
                src_path=f"n{i}.md",
                path=f"content/n{i}.md",
                title=f"خبر {i}",
                date=date,
                updated=date,
                jalali=(1400, 1, 1),
                summary="",
                body=b"",
                body_links=False,
                tags=chosen_tags,
                category=f"c{int(rng.integers(6))}",
                county=f"k{int(rng.integers(8))}",
                slug=f"n{i}",
                url=f"/news/n{i}/",
                source=None,
                related=(),
                draft=False,
                scheduled=False,
                lint_ignore=(),
                expires=None,
                aliases=(),
                image=None,
                image_source=None,
                image_alt=None,
                image_size=None,
                image_caption=None,
                body_images=(),
                lines=(),
                tokens=tuple(t for t, _ in top),
                token_counts=tuple(c for _, c in top),
                reading_minutes=1,
                digest=f"n{i}",
            )
        )
    return articles


def child(n: int) -> None:
    """Generate, then time the ranking alone (one process); print JSON."""
    from newsroom.config import RelatedConfig
    from newsroom.related import rank_related
    from newsroom.site import site_order

    articles = tuple(sorted(make_articles(n), key=site_order))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    clock = time.perf_counter()
    related, _ = rank_related(articles, frozenset(), RelatedConfig()).result()
    seconds = time.perf_counter() - clock
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    lengths = [len(v) for v in related.values()]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak / 1024,
                "before_mib": before / 1024,
                "mean_items": sum(lengths) / len(lengths),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000, 100000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print("| releases | related phase (median) | peak RSS of the process | RSS before the phase | items per list |")
    print("|---|---|---|---|---|")
    for n in args.sizes:
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True
                ).stdout
            )
            for _ in range(args.runs)
        ]
        median = statistics.median(r["seconds"] for r in runs)
        print(
            f"| {n:,} | {median:.2f} s | {max(r['peak_mib'] for r in runs):.0f} MiB | "
            f"{max(r['before_mib'] for r in runs):.0f} MiB | {runs[0]['mean_items']:.2f} |"
        )


if __name__ == "__main__":
    main()
