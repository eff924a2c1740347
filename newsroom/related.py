"""Related news under each release: pinned items first, then the best-scoring others.

Score of a candidate ``b`` for article ``a``::

    (tag_weight × Σ idf(shared tag) + category_weight × [same category]
     + county_weight × [same county]) × 0.5 ** (days between a and b / half_life_days)

``idf(t) = ln(1 + N / df(t))``: a tag on half the site says little, a rare one a lot.
Candidates come from an inverted index over tags, category and county, in which each
term's articles are kept in time order: an article looks only at its nearest
neighbours in time under each of its terms, so the work grows with the site, not with
its square (recency would sink the far ones anyway). Candidates under ``min_score`` are dropped: three good items beat
five with noise. Ties go to the newer article, then to the smaller URL.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from .config import RelatedConfig
from .content import Article
from .errors import Problem
from .text import slugify_term

# How many neighbours in time, on each side, to consider under each shared term.
_NEIGHBOURS = 24
_SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class _Indexed:
    article: Article
    tags: frozenset[str]
    category: str | None
    county: str | None
    time: float


def build_related(articles: tuple[Article, ...], every_slug: frozenset[str], config: RelatedConfig) -> tuple[dict[str, tuple[Article, ...]], list[Problem]]:
    """The related list of every article in ``articles`` (keyed by URL), and problems.

    ``every_slug`` holds the slugs of all releases read, visible or not, so that a pinned
    slug of a draft is skipped quietly while an unknown one is reported.
    """
    items = [_index(article) for article in articles]
    by_slug: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_slug[article.slug].append(article)
        by_slug[article.url].append(article)
    timelines = _timelines(items)
    idf = {tag: math.log(1 + len(items) / len(times)) for (kind, tag), (times, _) in timelines.items() if kind == "tags"}

    related: dict[str, tuple[Article, ...]] = {}
    problems: list[Problem] = []
    for position, item in enumerate(items):
        pinned = _pinned(item.article, by_slug, every_slug, problems)
        chosen = list(pinned)
        if len(chosen) < config.count:
            taken = {a.url for a in chosen} | {item.article.url}
            for score, _, candidate in _ranked(position, items, idf, timelines, config):
                if len(chosen) >= config.count:
                    break
                if candidate.url not in taken:
                    chosen.append(candidate)
        related[item.article.url] = tuple(chosen)
    return related, problems


def _index(article: Article) -> _Indexed:
    return _Indexed(
        article=article,
        tags=frozenset(slugify_term(t) for t in article.tags),
        category=slugify_term(article.category) if article.category else None,
        county=slugify_term(article.county) if article.county else None,
        time=article.date.timestamp(),
    )


def _keys(item: _Indexed) -> list[tuple[str, str]]:
    keys = [("tags", tag) for tag in sorted(item.tags)]
    if item.category:
        keys.append(("category", item.category))
    if item.county:
        keys.append(("county", item.county))
    return keys


def _timelines(items: list[_Indexed]) -> dict[tuple[str, str], tuple[list[float], list[int]]]:
    """The inverted index: for each term, its articles' times (sorted) and positions."""
    groups: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for position, item in enumerate(items):
        for key in _keys(item):
            groups[key].append((item.time, position))
    return {key: ([t for t, _ in sorted(members)], [p for _, p in sorted(members)]) for key, members in groups.items()}


def _candidates(position: int, items: list[_Indexed], timelines) -> set[int]:
    item = items[position]
    found: set[int] = set()
    for key in _keys(item):
        times, positions = timelines[key]
        centre = bisect_left(times, item.time)
        found.update(positions[max(0, centre - _NEIGHBOURS): centre + _NEIGHBOURS + 1])
    found.discard(position)
    return found


def score(a: _Indexed, b: _Indexed, idf: dict[str, float], config: RelatedConfig) -> float:
    """Relatedness of ``b`` to ``a`` (see the module docstring)."""
    structural = config.tag_weight * sum(idf[t] for t in a.tags & b.tags)
    if a.category and a.category == b.category:
        structural += config.category_weight
    if a.county and a.county == b.county:
        structural += config.county_weight
    days = abs(a.time - b.time) / _SECONDS_PER_DAY
    return structural * 0.5 ** (days / config.half_life_days)


def _ranked(position, items, idf, timelines, config: RelatedConfig):
    item = items[position]
    ranked = []
    for other in _candidates(position, items, timelines):
        candidate = items[other]
        if not config.include_newer and candidate.time > item.time:
            continue
        value = score(item, candidate, idf, config)
        if value >= config.min_score:
            ranked.append((-value, -candidate.time, candidate.article.url, candidate.article))
    ranked.sort(key=lambda entry: entry[:3])
    return [(-value, url, article) for value, _, url, article in ranked]


def _pinned(article: Article, by_slug, every_slug: frozenset[str], problems: list[Problem]) -> list[Article]:
    chosen: list[Article] = []
    for slug in article.related:
        matches = by_slug.get(slug, [])
        line = article.line("related")
        if len(matches) > 1:
            urls = "، ".join(sorted(m.url for m in matches))
            problems.append(Problem(article.path, line, f"related: «{slug}» به چند خبر می‌خورد ({urls})؛ نشانی کامل خبر را بنویسید"))
        elif matches and matches[0].url == article.url:
            problems.append(Problem(article.path, line, f"related: «{slug}» خود همین خبر است؛ آن را از فهرست بردارید"))
        elif matches:
            if matches[0] not in chosen:
                chosen.append(matches[0])
        elif slug not in every_slug:
            problems.append(Problem(article.path, line, f"related: خبری با نشانی «{slug}» پیدا نشد؛ slug یا نام فایل خبر مرتبط را درست بنویسید"))
    return chosen

