"""Related-news quality on real Persian news that no one here wrote, with editors' tags.

Takes the Fars News JSON files of the public repository
language-ml/course-nlp-ir-1-text-exploring (folder exploring-datasets/news; Apache-2.0,
not committed here) and turns each article into a release — title, abstract as summary,
paragraphs as body, the agency's category, the date its address carries — then, for
each split (a seed), hides a random half of every article's tags from the build and asks
how well the related lists find what the editors tagged alike:

- **P@5 hidden**: of the five items listed (fewer count as misses), the share that carry
  one of the article's hidden tags — what the text says beyond the visible tags;
- **P@5 all**: the share that carry any of the article's tags;
- **coverage**: the share of articles with at least three items.

Compared in the same run, on the same releases: ours (the whole read path — Markdown,
normalisation, tokens — and ``rank_related`` with the default settings), Hugo's default
related content on tags (bench/quality.py's ``hugo_tags``), and plain sublinear TF-IDF
cosine over the same tokens, no tags.

    python bench/related_real.py PATH/exploring-datasets/news --seeds 1 2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from quality import hugo_tags

from newsroom.config import load_config
from newsroom.content import Article, load_articles
from newsroom.related import rank_related
from newsroom.site import site_order
from newsroom.text import slugify_term, tokenize

K = 5
_ID = re.compile(r"/news/(\d{10,14})")


def fars_date(link: str) -> str | None:
    """The Jalali date a Fars address carries: 8707060255 → 1387-07-06, 13911222000865 → 1391-12-22."""
    found = _ID.search(link)
    if found is None:
        return None
    digits = found[1]
    year, month, day = (
        (1300 + int(digits[:2]), digits[2:4], digits[4:6])
        if len(digits) == 10
        else (int(digits[:4]), digits[4:6], digits[6:8])
    )
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= (31 if int(month) <= 6 else 30)):
        return None
    return f"{year}-{month}-{day}"


def load_fars(folder: Path) -> list[dict]:
    """Every article with a title, a body and a date, once per address."""
    seen, articles = set(), []
    for path in sorted(folder.glob("fars-news-*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            date = fars_date(item.get("link", ""))
            body = "\n\n".join(p.strip() for p in item.get("paragraphs", []) if p.strip())
            if not item.get("title", "").strip() or not body or date is None or item["link"] in seen:
                continue
            seen.add(item["link"])
            # Tags the build would refuse (no letter, or a whole headline) are not tags.
            tags = [t.strip() for t in item.get("tags", []) if slugify_term(t.strip()) and len(t.strip()) <= 60]
            articles.append(
                {
                    "title": item["title"].strip(),
                    "summary": (item.get("abstract") or "").strip(),
                    "body": body,
                    "category": item.get("cat") or None,
                    "date": date,
                    "tags": list(dict.fromkeys(tags)),
                    "slug": f"fars-{_ID.search(item['link'])[1]}",
                }
            )
    return articles


def hide_half(articles: list[dict], seed: int) -> dict[str, set[str]]:
    """A random half of each article's tags (rounded at random for an odd count), by slug."""
    rng = random.Random(seed)
    hidden = {}
    for article in articles:
        tags = list(article["tags"])
        rng.shuffle(tags)
        count = len(tags) // 2 + (rng.random() < 0.5 if len(tags) % 2 else 0)
        hidden[article["slug"]] = set(tags[:count])
    return hidden


def write_site(root: Path, articles: list[dict], hidden: dict[str, set[str]]) -> Path:
    """The articles as a site's releases, hidden tags left out; returns its config path."""
    (root / "content").mkdir(parents=True)
    (root / "config.yaml").write_text(
        f"title: خبرگزاری\nstatic_dir: {REPO / 'static'}\ntemplates_dir: {REPO / 'templates'}\n", encoding="utf-8"
    )
    for article in articles:
        front = {
            "title": article["title"],
            "date": article["date"],
            "summary": article["summary"] or None,
            "category": article["category"],
            "tags": [t for t in article["tags"] if t not in hidden[article["slug"]]],
        }
        front = {key: value for key, value in front.items() if value}
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + article["body"] + "\n"
        (root / "content" / f"{article['slug']}.md").write_text(text, encoding="utf-8")
    return root / "config.yaml"


def tfidf_lists(articles: tuple[Article, ...], texts: dict[str, str]) -> dict[str, list[Article]]:
    """Plain sublinear TF-IDF cosine over every token of title, summary and body; no tags."""
    import numpy as np
    from scipy import sparse

    vocabulary: dict[str, int] = {}
    rows, cols, counts = [], [], []
    for row, article in enumerate(articles):
        found: dict[int, int] = {}
        for token in tokenize(texts[article.slug]):
            column = vocabulary.setdefault(token, len(vocabulary))
            found[column] = found.get(column, 0) + 1
        rows += [row] * len(found)
        cols += list(found)
        counts += list(found.values())
    n = len(articles)
    cols_array = np.array(cols)
    df = np.bincount(cols_array, minlength=len(vocabulary))
    weights = (1 + np.log(np.array(counts, dtype=float))) * np.log(n / df[cols_array])
    matrix = sparse.csr_matrix((weights, (rows, cols)), shape=(n, len(vocabulary)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    matrix = sparse.csr_matrix(sparse.diags(1 / norms) @ matrix)
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, -1)
    lists = {}
    for row, article in enumerate(articles):
        best = np.argsort(-similarity[row], kind="stable")[:K]
        lists[article.url] = [articles[i] for i in best if similarity[row, i] > 0]
    return lists


def score(
    lists: dict[str, list[Article]],
    articles: tuple[Article, ...],
    tags: dict[str, set[str]],
    hidden: dict[str, set[str]],
) -> tuple[float, float, float]:
    """P@5 on the hidden tags, P@5 on all tags, coverage (share with ≥ 3 items)."""
    on_hidden, on_all = [], []
    for article in articles:
        items = lists.get(article.url, [])[:K]
        if hidden[article.slug]:
            on_hidden.append(sum(bool(tags[i.slug] & hidden[article.slug]) for i in items) / K)
        if tags[article.slug]:
            on_all.append(sum(bool(tags[i.slug] & tags[article.slug]) for i in items) / K)
    covered = sum(len(lists.get(a.url, ())) >= 3 for a in articles) / len(articles)
    return sum(on_hidden) / len(on_hidden), sum(on_all) / len(on_all), covered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("news", type=Path, help="the exploring-datasets/news folder of a local copy")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2], help="one split per seed")
    args = parser.parse_args()
    raw = load_fars(args.news)
    print(
        f"{len(raw)} articles, {sum(bool(a['tags']) for a in raw)} with tags, "
        f"{len({t for a in raw for t in a['tags']})} distinct tags"
    )
    print("| split | method | P@5 hidden | P@5 all | coverage |")
    print("|---|---|---|---|---|")
    for seed in args.seeds:
        hidden = hide_half(raw, seed)
        with tempfile.TemporaryDirectory() as folder:
            config = load_config(write_site(Path(folder), raw, hidden))
            articles, problems = load_articles(config)
            errors = [p for p in problems if p.severity == "error"]
            assert not errors, errors[:5]
            articles = tuple(sorted(articles, key=site_order))
            ours, _ = rank_related(articles, frozenset(a.slug for a in articles), config.related).result()
        by_slug = {a["slug"]: a for a in raw}
        # Tags compared by the build's own spelling rule (slug), hidden or not.
        tags = {a.slug: {slugify_term(t) for t in by_slug[a.slug]["tags"]} for a in articles}
        hidden_slugs = {slug: {slugify_term(t) for t in found} for slug, found in hidden.items()}
        texts = {
            a.slug: " ".join((by_slug[a.slug]["title"], by_slug[a.slug]["summary"], by_slug[a.slug]["body"]))
            for a in articles
        }
        shown = {a.url: list(items) for a, items in ((a, ours.get(a.url, ())) for a in articles)}
        visible = tuple(dataclasses.replace(a, tags=tuple(slugify_term(t) for t in a.tags)) for a in articles)
        hugo = {a.url: hugo_tags(visible, a, False) for a in visible}
        rows = [
            ("ours", shown),
            ("Hugo 0.168 defaults (tags)", hugo),
            ("plain TF-IDF cosine, no tags", tfidf_lists(articles, texts)),
        ]
        for name, lists in rows:
            p_hidden, p_all, covered = score(lists, articles, tags, hidden_slugs)
            print(f"| {seed} | {name} | {p_hidden:.3f} | {p_all:.3f} | {covered:.3f} |")


if __name__ == "__main__":
    main()
