"""Related-news quality on a labelled set: precision@5 against story threads.

Each release of bench/quality/content belongs to one story thread
(bench/quality/labels.yaml). A related item is right when it is from the same
thread. Compared, on the same releases:

- ours: the engine's related lists (config.yaml's related settings);
- tags (Hugo-style): Hugo's default related configuration on tags, i.e. 100 per
  shared tag (exact spelling) + 10 for the same year, threshold 80, newest first
  on ties, older releases only (includeNewer: false) — and the same with newer;
- recent (Jekyll's default): the most recent other releases.

    python bench/quality.py [--hide-tags 0.5]

--hide-tags drops that share of every release's tags (seeded) before building, as a
busy press office would have.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from newsroom.config import load_config
from newsroom.content import load_articles
from newsroom.related import rank_related
from newsroom.site import site_order

K = 5


def hugo_tags(articles, article, include_newer: bool) -> list:
    """Hugo's default related: keywords (tags) weight 100, date (year) weight 10, threshold 80."""
    ranked = []
    for other in articles:
        if other is article or (not include_newer and other.date > article.date):
            continue
        weight = 100 * len(set(article.tags) & set(other.tags)) + 10 * (other.date.year == article.date.year)
        if weight >= 80:
            ranked.append((-weight, -other.date.timestamp(), other.url, other))
    return [entry[-1] for entry in sorted(ranked, key=lambda e: e[:3])][:K]


def most_recent(articles, article) -> list:
    return [other for other in articles if other is not article][:K]


def evaluate(name: str, lists: dict, thread: dict) -> tuple[str, float, float, float]:
    precision, shown, hits_shown = [], [], []
    for url, items in lists.items():
        hits = sum(thread[i.url] == thread[url] for i in items[:K])
        precision.append(hits / K)
        shown.append(len(items[:K]))
        if items:
            hits_shown.append(hits / len(items[:K]))

    def mean(xs):
        return sum(xs) / len(xs) if xs else 0.0

    return name, mean(precision), mean(shown), mean(hits_shown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hide-tags", type=float, default=0.0, help="share of tags to hide (0–1)")
    parser.add_argument("--seed", type=int, default=1403)
    args = parser.parse_args()

    config = dataclasses.replace(load_config(REPO / "config.yaml"), content_dir=HERE / "quality" / "content")
    articles, problems = load_articles(config)
    assert not [p for p in problems if p.severity == "error"], problems
    if args.hide_tags:
        rng = random.Random(args.seed)
        articles = [
            dataclasses.replace(a, tags=tuple(t for t in a.tags if rng.random() >= args.hide_tags)) for a in articles
        ]
    articles = tuple(sorted(articles, key=site_order))
    labels = yaml.safe_load((HERE / "quality" / "labels.yaml").read_text(encoding="utf-8"))
    thread = {a.url: labels[a.src_path] for a in articles}

    ours, _ = rank_related(articles, frozenset(), config.related).result()
    rows = [
        evaluate("ours", ours, thread),
        evaluate("tags, Hugo defaults", {a.url: hugo_tags(articles, a, False) for a in articles}, thread),
        evaluate("tags, Hugo + includeNewer", {a.url: hugo_tags(articles, a, True) for a in articles}, thread),
        evaluate("most recent (Jekyll)", {a.url: most_recent(articles, a) for a in articles}, thread),
    ]
    print(f"{len(articles)} releases, {len(set(thread.values()))} threads, tags hidden: {args.hide_tags:.0%}")
    print(f"| method | precision@{K} | items shown | precision of shown |")
    print("|---|---|---|---|")
    for name, p_at_k, shown, p_shown in rows:
        print(f"| {name} | {p_at_k:.3f} | {shown:.2f} | {p_shown:.3f} |")


if __name__ == "__main__":
    main()
