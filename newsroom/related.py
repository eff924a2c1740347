"""Related news under each release: pinned items first, then the best-scoring others.

Score of a candidate ``b`` for release ``a``::

    ( text_weight     × cosine of their TF-IDF text vectors
    + tag_weight      × cosine of their IDF-weighted tag vectors
    + category_weight × [same category]
    + county_weight   × [same county] ) × 0.5 ** (days between a and b / half_life_days)

Text vectors are built from folded Persian tokens (no stopwords), title and summary
counted ``title_boost`` and ``summary_boost`` times, with sublinear term frequency and
smoothed IDF, cut to each release's most telling terms and normalised. TF-IDF cosine
rather than BM25: both sides are whole releases, and cosine is symmetric and bounded,
so it adds up cleanly with the other components; BM25's length saturation matters for
short queries against long documents, which this is not.

Candidates come from sparse matrix products over those vectors — an inverted index in
effect — computed in row blocks, never as a dense all-pairs matrix: a release meets only
the releases sharing a telling term or a tag. Terms carried by a large share of the
site say little and are left out of the vectors. Candidates under ``min_score`` are
dropped: three good items beat five with noise. Ties go to the newer release, then to
the smaller URL, so the lists never depend on file order.
"""

from __future__ import annotations

import hashlib
import importlib
import marshal
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .cache import Cache
from .config import RelatedConfig
from .content import Article
from .errors import Problem
from .text import slugify_term, tokenize
from .workers import CAN_FORK, ForkedCall, forked_map


class _OnFirstUse:
    """A module imported when first used: a build in which no release changed takes its
    related lists from the cache and needs neither NumPy nor SciPy, which take a third
    of a second to import."""

    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from scipy import sparse
else:
    np = _OnFirstUse("numpy")
    sparse = _OnFirstUse("scipy.sparse")

# Telling terms kept per release, and how many releases a term (or tag) may carry and
# still count: one in more says little, and a fixed bound keeps each release's
# candidates bounded, so the work grows linearly with the site.
TERMS_PER_RELEASE = 48
MAX_TERM_RELEASES = 400
# A tag of the site found in a release's words counts for this much of a tag it carries.
IMPLIED_TAG_WEIGHT = 0.35
_BLOCK = 512  # rows per sparse product: bounds memory at any site size
_SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Score:
    """A candidate's score, by component (each already weighted)."""

    text: float
    tags: float
    category: float
    county: float
    decay: float

    @property
    def total(self) -> float:
        """The score the ranking uses."""
        return (self.text + self.tags + self.category + self.county) * self.decay


class RelatedIndex:
    """Vectors and facts of every visible release, for scoring pairs."""

    def __init__(self, articles: tuple[Article, ...], config: RelatedConfig):
        self.articles = articles
        self.config = config
        self.position = {a.url: i for i, a in enumerate(articles)}
        self.text, self.vocabulary, counted = _text_vectors(articles)
        self.tags = _tag_vectors(articles, self.vocabulary, counted)
        # Text as the real part, tags as the imaginary: one product gives both
        # similarities of every candidate of either kind (0 where absent). The text
        # columns come first, so each part sums its own products in the same order
        # as a product of its own would.
        self.both = sparse.hstack([self.text, 1j * self.tags], format="csr")
        self.both_t = sparse.hstack([self.text, self.tags], format="csr").T.tocsr()
        self.category = _ids([slugify_term(a.category) if a.category else None for a in articles])
        self.county = _ids([slugify_term(a.county) if a.county else None for a in articles])
        self.days = np.array([a.date.timestamp() / _SECONDS_PER_DAY for a in articles])
        self.place = _ids(
            [
                f"{self.category[i]} {self.county[i]}" if self.category[i] >= 0 and self.county[i] >= 0 else None
                for i in range(len(articles))
            ]
        )
        # Each group's releases by time (and position), for the fill of short lists (``nearby``).
        self._by_time = np.lexsort((np.arange(len(articles)), self.days))
        self._places = _by_group(self.place, self._by_time)
        self._categories = _by_group(self.category, self._by_time)
        # Rank of each URL in sorted order, for the final tie-break.
        self.url_rank = np.empty(len(articles), dtype=np.int64)
        self.url_rank[np.argsort(np.array([a.url for a in articles], dtype=object), kind="stable")] = np.arange(
            len(articles)
        )

    def scores(
        self, rows: NDArray[Any], cols: NDArray[Any], text: NDArray[Any], tags: NDArray[Any]
    ) -> tuple[NDArray[Any], ...]:
        """Pairwise scores of releases ``rows[i]`` and ``cols[i]``, given their text and tag
        cosines: the weighted components, the decay, the total, and whether the pair may
        be listed at all (never a release itself; newer ones only with include_newer)."""
        c = self.config
        same_category = (self.category[cols] == self.category[rows]) & (self.category[rows] >= 0)
        same_county = (self.county[cols] == self.county[rows]) & (self.county[rows] >= 0)
        decay = 0.5 ** (np.abs(self.days[cols] - self.days[rows]) / c.half_life_days)
        parts = (
            c.text_weight * text,
            c.tag_weight * tags,
            c.category_weight * same_category,
            c.county_weight * same_county,
        )
        allowed = cols != rows
        if not c.include_newer:
            allowed &= self.days[cols] <= self.days[rows]
        return (*parts, decay, (parts[0] + parts[1] + parts[2] + parts[3]) * decay, allowed)

    def may_reach(self, rows: NDArray[Any], cols: NDArray[Any], text: NDArray[Any], tags: NDArray[Any]) -> NDArray[Any]:
        """Indices of the pairs that could reach the minimum score even if they shared
        category and county: a cheap first cut, so the full score is computed for few."""
        c = self.config
        decay = 0.5 ** (np.abs(self.days[cols] - self.days[rows]) / c.half_life_days)
        upper = (c.text_weight * text + c.tag_weight * tags + c.category_weight + c.county_weight) * decay
        return np.flatnonzero(upper >= c.min_score)

    def order(self, entries: NDArray[Any], rows: NDArray[Any], cols: NDArray[Any], total: NDArray[Any]) -> NDArray[Any]:
        """``entries`` sorted by row, then score, then newer first, then URL."""
        ordered: NDArray[Any] = entries[
            np.lexsort((self.url_rank[cols[entries]], -self.days[cols[entries]], -total[entries], rows[entries]))
        ]
        return ordered

    def candidates(self, rows: NDArray[Any]) -> sparse.csr_matrix:
        """Text and tag similarities of ``rows`` (ascending) with every release (sparse: only overlaps)."""
        block = slice(rows[0], rows[-1] + 1) if rows[-1] - rows[0] + 1 == len(rows) else rows
        return self.both[block] @ self.both_t

    def vector_digests(self) -> list[bytes]:
        """A digest of each release's text and tag vectors, by their words, tags and
        weights: which vectors an edit moved, the edited releases' and those sharing a
        word or an implied tag whose rarity changed. Words rather than columns: a new word
        moves later columns (tags are fixed by the releases' front matter, in the frame)."""
        words = list(self.vocabulary)
        text, tags = self.text, self.tags
        return [
            hashlib.blake2b(
                "\0".join([words[c] for c in text.indices[start:stop]]).encode()
                + text.data[start:stop].tobytes()
                + tags.indices[tag_start:tag_stop].tobytes()
                + tags.data[tag_start:tag_stop].tobytes(),
                digest_size=16,
            ).digest()
            for start, stop, tag_start, tag_stop in zip(
                text.indptr[:-1].tolist(),
                text.indptr[1:].tolist(),
                tags.indptr[:-1].tolist(),
                tags.indptr[1:].tolist(),
                strict=True,
            )
        ]

    def nearby(self, row: int) -> Iterator[Article]:
        """Releases to fill a short list with when text and tags find too few: those of the
        same category and county, then of the same category, then any, each nearest in
        time first (older only, without include_newer). A press office's releases of one
        category and county in the same weeks are most often about one story."""
        groups = (self._places.get(int(self.place[row])), self._categories.get(int(self.category[row])), self._by_time)
        here = self.days[row]
        for members in groups:
            if members is None:
                continue
            days = self.days[members]
            newer = int(np.searchsorted(days, here, side="right"))
            older = newer - 1
            # Outwards from the release's own moment: the nearer side first, older on a tie.
            while older >= 0 or (newer < len(members) and self.config.include_newer):
                if older >= 0 and (
                    not self.config.include_newer or newer >= len(members) or here - days[older] <= days[newer] - here
                ):
                    other, older = int(members[older]), older - 1
                else:
                    other, newer = int(members[newer]), newer + 1
                if other != row:
                    yield self.articles[other]

    def score(self, article: Article, other: Article) -> Score:
        """The score of ``other`` as a candidate for ``article``, by component."""
        row, col = self.position[article.url], self.position[other.url]
        both = complex((self.both[row] @ self.both_t[:, col]).toarray()[0, 0])
        t, g, k, n, decay, *_ = self.scores(
            np.array([row]), np.array([col]), np.array([both.real]), np.array([both.imag])
        )
        return Score(float(t[0]), float(g[0]), float(k[0]), float(n[0]), float(decay[0]))

    def explain(self, article: Article) -> list[tuple[Article, Score]]:
        """Every release that may be listed for ``article`` (one sharing a telling term or
        a tag, as in the build), with its score, best first."""
        row = self.position[article.url]
        cols = np.arange(len(self.articles))
        rows = np.full(len(cols), row)
        both = self.candidates(np.array([row])).toarray().ravel()
        text, tags = both.real, both.imag
        t, g, k, n, decay, total, allowed = self.scores(rows, cols, text, tags)
        candidate = allowed & ((text != 0) | (tags != 0))
        return [
            (self.articles[i], Score(t[i], g[i], k[i], n[i], decay[i]))
            for i in self.order(np.flatnonzero(candidate), rows, cols, total)
        ]


class Ranking:
    """Related lists being ranked (``rank_related``) for ``articles``, pins resolved
    among ``every_slug``: ``result`` gives them, and problems, once they are ready;
    ``cancel`` stops the ranking if they are not wanted."""

    def __init__(
        self,
        articles: tuple[Article, ...],
        every_slug: frozenset[str],
        finish: Callable[[Any], tuple[dict[str, tuple[Article, ...]], list[Problem]]],
        computed: Any = None,
        job: ForkedCall | None = None,
    ):
        self.articles, self.every_slug = articles, every_slug
        self._finish, self._computed, self._job = finish, computed, job
        self._result: tuple[dict[str, tuple[Article, ...]], list[Problem]] | None = None

    def result(self) -> tuple[dict[str, tuple[Article, ...]], list[Problem]]:
        """The related list of every article (keyed by URL), and problems; waits for them."""
        if self._result is None:
            computed = self._job.result() if self._job is not None else self._computed
            self._job = None
            self._result = self._finish(computed)
        return self._result

    def cancel(self) -> None:
        """Stop the ranking, if it is still going on in another process."""
        if self._job is not None:
            self._job.cancel()
            self._job = None


class RelatedLists(Mapping[str, tuple[Article, ...]]):
    """Related lists by URL from a ``Ranking`` that may still be going on in another
    process: the first look at them waits for it."""

    def __init__(self, ranking: Ranking):
        self._ranking = ranking

    def __getitem__(self, url: str) -> tuple[Article, ...]:
        return self._ranking.result()[0][url]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ranking.result()[0])

    def __len__(self) -> int:
        return len(self._ranking.result()[0])


def pin_problems(articles: tuple[Article, ...], every_slug: frozenset[str]) -> list[Problem]:
    """The problems of the releases' pins (``related:``), found without ranking: the
    same ones ranking finds."""
    pinning = [article for article in articles if article.related]
    by_slug = _slug_index(articles) if pinning else {}
    problems: list[Problem] = []
    for article in pinning:
        _pinned(article, by_slug, every_slug, problems)
    return problems


def rank_related(
    articles: tuple[Article, ...],
    every_slug: frozenset[str],
    config: RelatedConfig,
    memo: Cache | None = None,
    jobs: int = 1,
    beside: bool = False,
) -> Ranking:
    """The related list of every article in ``articles`` (keyed by URL), and problems,
    as a ``Ranking`` whose ``result`` gives them.

    ``every_slug`` holds the slugs of all releases read, visible or not, so that a pinned
    slug of a draft is skipped quietly while an unknown one is reported. ``memo`` keeps
    the lists of the last build with what they were made from (updated when the result
    is taken). When only some releases' words changed since (an edited sentence, a
    fixed typo), only the lists that can differ are computed again (``_affected``):
    those of the releases whose text vectors changed (the edited ones, and those
    sharing a word whose rarity the edit moved), of the releases listing one of them,
    and of those where one of them now reaches the minimum score. Many lists are ranked
    in ``jobs`` processes.

    With ``beside`` (and ``jobs`` above 1, where the system can fork) the ranking goes
    on in another process while this one does other work: only the lists' URLs, the
    digests of the text vectors and problems come back.
    """
    key, earlier, words, edited = "", None, {}, list(range(len(articles)))
    if memo is not None and articles:
        # The frame: everything scoring reads except each release's counted words.
        frame = hashlib.sha256(repr((_STATE_FORMAT, config, sorted(every_slug))).encode())
        for a in articles:  # the moment, not its time zone: scores read only the moment
            frame.update(marshal.dumps((a.url, a.slug, a.date.timestamp(), a.tags, a.category, a.county, a.related), 2))
        key = "related:" + frame.hexdigest()
        earlier = memo.get(key)
        earlier_words = earlier[0] if earlier is not None else {}
        for a in articles:
            known = earlier_words.get(a.url)
            # A release whose file is as it was has the words it had: no need to hash them.
            words[a.url] = known[:2] if known is not None and known[0] == a.digest else (a.digest, _word_digest(a))
        edited = [
            row for row, a in enumerate(articles) if earlier is None or words[a.url][1] != earlier_words[a.url][1]
        ]
    lists = earlier[1] if earlier is not None else {}

    def finish(
        computed: tuple[dict[str, tuple[str, ...]], list[bytes], list[Problem]],
    ) -> tuple[dict[str, tuple[Article, ...]], list[Problem]]:
        ranked, vectors, problems = computed
        related = _lists_of({**lists, **ranked}, articles)
        if memo is not None and vectors and not problems:
            state = {a.url: (*words[a.url], vectors[row]) for row, a in enumerate(articles)}
            memo.put(key, (state, _urls_of(related)))
        return related, problems

    if not edited:
        return Ranking(articles, every_slug, finish, ({}, [], []))

    def compute() -> tuple[dict[str, tuple[str, ...]], list[bytes], list[Problem]]:
        return _rank_changes(
            articles,
            every_slug,
            config,
            earlier[0] if earlier is not None else None,
            lists,
            edited,
            memo is not None,
            jobs,
        )

    if beside and jobs > 1 and CAN_FORK:
        return Ranking(articles, every_slug, finish, job=ForkedCall(compute))
    return Ranking(articles, every_slug, finish, compute())


def _rank_changes(
    articles: tuple[Article, ...],
    every_slug: frozenset[str],
    config: RelatedConfig,
    earlier: dict[str, tuple[str, bytes, bytes]] | None,
    lists: dict[str, tuple[str, ...]],
    edited: list[int],
    digests: bool,
    jobs: int,
) -> tuple[dict[str, tuple[str, ...]], list[bytes], list[Problem]]:
    """The lists to change (as URLs, by URL), the digests of the text vectors (with
    ``digests``) and problems: the lists ``_affected`` by the ``edited`` rows when the
    last build's state is known (``earlier``: each release's digest, word digest and
    vector digest) and few lists are, every list otherwise."""
    index = RelatedIndex(articles, config)
    vectors = index.vector_digests() if digests else []
    problems: list[Problem] = []
    if earlier is not None:
        edited_rows = set(edited)
        moved = [row for row, a in enumerate(articles) if row in edited_rows or vectors[row] != earlier[a.url][2]]
        rows = _affected(index, np.array(moved, dtype=np.int64), lists)
        if len(rows) <= len(articles) // 2:
            related: dict[str, tuple[Article, ...]] = {}
            _rank(index, rows, every_slug, related, problems, jobs)
            return _urls_of(related), vectors, problems
    related, problems = _compute_related(articles, every_slug, config, index, jobs)
    return _urls_of(related), vectors, problems


_STATE_FORMAT = "related-state-3"  # what rank_related remembers, and how


def _affected(index: RelatedIndex, moved: NDArray[Any], lists: dict[str, tuple[str, ...]]) -> NDArray[Any]:
    """The releases (rows, ascending) whose lists may differ from ``lists`` once the text
    or tag vectors of ``moved`` changed: those, the releases listing one of them, and those of
    which one of them is now a candidate reaching the minimum score. Any other release
    keeps its list: the others keep their scores with it, and the moved ones were below
    its list (they were not in it) and are now below the minimum.

    A moved release's own row of similarities gives its score as a candidate of each
    other release: similarities are symmetric, and come out the same to the last bit
    (the same products, summed in the same order of terms)."""
    urls = {index.articles[row].url for row in moved.tolist()}
    listing = [index.position[url] for url, listed in lists.items() if not urls.isdisjoint(listed)]
    found = [moved, np.array(listing, dtype=np.int64)]
    for start in range(0, len(moved), _BLOCK):
        block = moved[start : start + _BLOCK]
        both = index.candidates(block)
        under = both.indices  # the release the moved one would be listed under…
        candidate = np.repeat(block, np.diff(both.indptr))  # …as its candidate
        *_, total, allowed = index.scores(under, candidate, both.data.real, both.data.imag)
        found.append(under[allowed & (total >= index.config.min_score)].astype(np.int64))
    affected: NDArray[Any] = np.unique(np.concatenate(found))
    return affected


def _urls_of(related: dict[str, tuple[Article, ...]]) -> dict[str, tuple[str, ...]]:
    """Lists of releases (by URL) as lists of their URLs: what is remembered, or sent
    back by a worker."""
    return {url: tuple(article.url for article in listed) for url, listed in related.items()}


def _lists_of(lists: dict[str, tuple[str, ...]], articles: tuple[Article, ...]) -> dict[str, tuple[Article, ...]]:
    """Remembered lists (release URLs, by URL) as lists of ``articles``."""
    by_url = {article.url: article for article in articles}
    return {url: tuple(by_url[other] for other in listed) for url, listed in lists.items()}


def _word_digest(article: Article) -> bytes:
    """Which words a release counts, and how often."""
    return hashlib.blake2b(repr((article.tokens, article.token_counts)).encode(), digest_size=16).digest()


def _compute_related(
    articles: tuple[Article, ...],
    every_slug: frozenset[str],
    config: RelatedConfig,
    index: RelatedIndex | None = None,
    jobs: int = 1,
) -> tuple[dict[str, tuple[Article, ...]], list[Problem]]:
    problems: list[Problem] = []
    related: dict[str, tuple[Article, ...]] = {}
    if articles:
        _rank(index or RelatedIndex(articles, config), np.arange(len(articles)), every_slug, related, problems, jobs)
    return related, problems


# Below this many lists to rank, starting processes costs more than it saves.
PARALLEL_MINIMUM = 2048
_forked: tuple[RelatedIndex, dict[str, list[Article]], frozenset[str]] | None = None  # what rank workers inherit


def _rank(
    index: RelatedIndex,
    rows: NDArray[Any],
    every_slug: frozenset[str],
    related: dict[str, tuple[Article, ...]],
    problems: list[Problem],
    jobs: int,
) -> None:
    """``_rank_rows``, by blocks of rows, in ``jobs`` forked processes when there are many
    rows. The workers inherit the index rather than receive it, and send back each list
    as URLs; problems come in the order of the rows either way."""
    global _forked
    # Only pins (``related:``) look releases up by slug: most rebuilds rank none.
    pins = any(index.articles[row].related for row in rows.tolist())
    by_slug = _slug_index(index.articles) if pins else {}
    if jobs <= 1 or len(rows) < PARALLEL_MINIMUM or not CAN_FORK:
        _rank_rows(index, rows, by_slug, every_slug, related, problems)
        return
    lists: dict[str, tuple[str, ...]] = {}
    _forked = index, by_slug, every_slug
    try:
        blocks = [rows[start : start + _BLOCK] for start in range(0, len(rows), _BLOCK)]
        for ranked, found in forked_map(_rank_in_worker, blocks, jobs):
            lists.update(ranked)
            problems += found
    finally:
        _forked = None
    related.update(_lists_of(lists, index.articles))


def _rank_in_worker(rows: NDArray[Any]) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    assert _forked is not None  # set before the workers were forked
    index, by_slug, every_slug = _forked
    related: dict[str, tuple[Article, ...]] = {}
    problems: list[Problem] = []
    _rank_rows(index, rows, by_slug, every_slug, related, problems)
    return _urls_of(related), problems


def _rank_rows(
    index: RelatedIndex,
    rows: NDArray[Any],
    by_slug: dict[str, list[Article]],
    every_slug: frozenset[str],
    related: dict[str, tuple[Article, ...]],
    problems: list[Problem],
) -> None:
    """Put into ``related`` the lists of the releases at ``rows`` (ascending positions)."""
    articles, config = index.articles, index.config
    for start in range(0, len(rows), _BLOCK):
        block = rows[start : start + _BLOCK]
        both = index.candidates(block)
        pair_rows = np.repeat(block, np.diff(both.indptr))
        cols, text, tags = both.indices, both.data.real, both.data.imag
        near = index.may_reach(pair_rows, cols, text, tags)
        pair_rows, cols = pair_rows[near], cols[near]
        t, g, k, n, decay, total, allowed = index.scores(pair_rows, cols, text[near], tags[near])
        # Each row's best candidates that reach the minimum score, in ranking order.
        best = index.order(np.flatnonzero(allowed & (total >= config.min_score)), pair_rows, cols, total)
        starts = np.searchsorted(pair_rows[best], block, side="left")
        stops = np.searchsorted(pair_rows[best], block, side="right")
        for row, first, last in zip(block.tolist(), starts, stops, strict=True):
            article = articles[row]
            entries = best[first:last][: config.count]
            ranked = [(articles[cols[e]], Score(t[e], g[e], k[e], n[e], decay[e])) for e in entries]
            pinned = _pinned(article, by_slug, every_slug, problems)
            related[article.url] = choose(pinned, ranked, config, index.nearby(row))


def choose(
    pinned: list[Article],
    ranked: Iterable[tuple[Article, Score]],
    config: RelatedConfig,
    fill: Iterable[Article] = (),
) -> tuple[Article, ...]:
    """The list shown: ``pinned`` in order, then ranked candidates above the minimum
    score, then, while the list is short of ``count`` items, the releases of ``fill``
    (``RelatedIndex.nearby``): a reader finds more of the story under a short list than
    under none."""
    chosen = list(pinned)
    taken = {a.url for a in chosen}
    for article, score in ranked:
        if len(chosen) >= config.count or score.total < config.min_score:
            break
        if article.url not in taken:
            chosen.append(article)
            taken.add(article.url)
    for article in fill:
        if len(chosen) >= config.count:
            break
        if article.url not in taken:
            chosen.append(article)
            taken.add(article.url)
    return tuple(chosen)


def pinned_articles(article: Article, articles: tuple[Article, ...]) -> list[Article]:
    """The releases ``article`` pins with ``related:`` that are among ``articles``."""
    return _pinned(article, _slug_index(articles), frozenset(a.slug for a in articles), [])


def _slug_index(articles: tuple[Article, ...]) -> dict[str, list[Article]]:
    """Releases by slug and by URL: the two ways ``related:`` may name one."""
    index: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        index[article.slug].append(article)
        index[article.url].append(article)
    return index


def _text_vectors(articles: tuple[Article, ...]) -> tuple[sparse.csr_matrix, dict[str, int], sparse.csr_matrix]:
    """Rows of L2-normalised TF-IDF weights over each release's telling terms, the
    column of each word, and which words each release counts (1s, telling or not)."""
    vocabulary: dict[str, int] = {}
    n = len(articles)
    cols = np.array([vocabulary.setdefault(t, len(vocabulary)) for a in articles for t in a.tokens], dtype=np.int64)
    rows = np.repeat(np.arange(n), [len(a.tokens) for a in articles])
    counts = np.fromiter(chain.from_iterable(a.token_counts for a in articles), dtype=np.float64, count=len(cols))
    counted = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, len(vocabulary)))
    df = np.bincount(cols, minlength=len(vocabulary))
    idf = np.log((1 + n) / (1 + df)) + 1
    weights = (1 + np.log(counts)) * idf[cols]
    # Too common to tell releases apart, and the cost of the products grows with df².
    telling = df[cols] <= MAX_TERM_RELEASES
    rows, cols, weights = rows[telling], cols[telling], weights[telling]
    # Each release's strongest terms only (ties by term id, i.e. first seen). A release
    # has few terms, so they are ranked row by row in a table, one row per release:
    # sorting short rows is several times quicker than sorting all terms by release.
    place = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    width = int(place.max()) + 1 if len(place) else 1
    by_weight = np.full((n, width), np.inf)
    by_weight[rows, place] = -weights
    by_term = np.full((n, width), np.iinfo(np.int64).max)
    by_term[rows, place] = cols
    rank = np.empty((n, width), dtype=np.int64)
    np.put_along_axis(
        rank, np.lexsort((by_term, by_weight), axis=1), np.arange(width)[None, :].repeat(n, axis=0), axis=1
    )
    keep = rank[rows, place] < TERMS_PER_RELEASE
    matrix = sparse.csr_matrix((weights[keep], (rows[keep], cols[keep])), shape=(n, len(vocabulary)))
    return _normalise(matrix), vocabulary, counted


def _tag_vectors(articles: tuple[Article, ...], words: dict[str, int], counted: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows of L2-normalised IDF weights of each release's tags: those it carries, and,
    at ``IMPLIED_TAG_WEIGHT``, the site's tags whose every word it counts among its own
    (``words``: the text vectors' columns; ``counted``: which words each release counts). Editors tag alike what they write alike, and
    most releases carry fewer tags than their text deserves."""
    vocabulary: dict[str, int] = {}
    spelling: dict[str, str] = {}  # a tag's slug → the first spelling seen, for its words
    rows, cols = [], []
    for row, article in enumerate(articles):
        for name in article.tags:
            tag = slugify_term(name)
            if tag not in vocabulary:
                vocabulary[tag], spelling[tag] = len(vocabulary), name
            rows.append(row)
            cols.append(vocabulary[tag])
    n = len(articles)
    carried = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocabulary)))
    carried.sum_duplicates()
    carried.data[:] = 1.0
    matrix = carried.maximum(IMPLIED_TAG_WEIGHT * _implied_tags(counted, words, vocabulary, spelling))
    # A tag on a large share of the site says little (and would make everything a candidate).
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    weights = np.log(1 + n / np.maximum(df, 1))
    weights[df > MAX_TERM_RELEASES] = 0.0
    matrix = sparse.csr_matrix(matrix @ sparse.diags(weights))
    matrix.eliminate_zeros()
    normalised = _normalise(matrix)
    normalised.sort_indices()  # digested row by row (vector_digests)
    return normalised


def _implied_tags(
    counted: sparse.csr_matrix, words: dict[str, int], vocabulary: dict[str, int], spelling: dict[str, str]
) -> sparse.csr_matrix:
    """1 where a release counts every word of a tag of the site (in its words' folded,
    stopword-free form), 0 elsewhere."""
    tag_rows, tag_cols, lengths = [], [], np.zeros(len(vocabulary))
    for tag, column in vocabulary.items():
        tag_words = set(tokenize(spelling[tag]))
        if tag_words and tag_words <= words.keys():
            tag_rows += [column] * len(tag_words)
            tag_cols += [words[w] for w in tag_words]
            lengths[column] = len(tag_words)
    tag_words = sparse.csr_matrix((np.ones(len(tag_rows)), (tag_rows, tag_cols)), shape=(len(vocabulary), len(words)))
    found = sparse.csr_matrix(counted @ tag_words.T)
    found.data = (found.data >= lengths[found.indices]).astype(np.float64)
    found.eliminate_zeros()
    return found


def _normalise(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sparse.csr_matrix(sparse.diags(1 / norms) @ matrix)


def _by_group(ids: NDArray[Any], order: NDArray[Any]) -> dict[int, NDArray[Any]]:
    """The rows of each id (not -1), in ``order``."""
    ordered = order[np.argsort(ids[order], kind="stable")]
    values, starts = np.unique(ids[ordered], return_index=True)
    stops = np.append(starts[1:], len(ordered))
    return {int(v): ordered[a:b] for v, a, b in zip(values, starts, stops, strict=True) if v >= 0}


def _ids(values: list[str | None]) -> NDArray[Any]:
    """Small integer ids for values; -1 for none."""
    table: dict[str, int] = {}
    return np.array([-1 if v is None else table.setdefault(v, len(table)) for v in values], dtype=np.int64)


def _pinned(
    article: Article, by_slug: Mapping[str, list[Article]], every_slug: frozenset[str], problems: list[Problem]
) -> list[Article]:
    chosen: list[Article] = []
    for slug in article.related:
        matches = by_slug.get(slug, [])
        line = article.line("related")
        if len(matches) > 1:
            urls = "، ".join(sorted(m.url for m in matches))
            problems.append(
                Problem(article.path, line, f"related: «{slug}» به چند خبر می‌خورد ({urls})؛ نشانی کامل خبر را بنویسید")
            )
        elif matches and matches[0].url == article.url:
            problems.append(Problem(article.path, line, f"related: «{slug}» خود همین خبر است؛ آن را از فهرست بردارید"))
        elif matches:
            if matches[0] not in chosen:
                chosen.append(matches[0])
        elif slug not in every_slug:
            problems.append(
                Problem(
                    article.path,
                    line,
                    f"related: خبری با نشانی «{slug}» پیدا نشد؛ slug یا نام فایل خبر مرتبط را درست بنویسید",
                )
            )
    return chosen
