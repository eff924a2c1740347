"""Taxonomies: tags, categories and counties, each term with its articles.

Terms are grouped by their slug, so «كرمان» and «کرمان», or «بسته های معیشتی» and
«بسته‌های معیشتی», are one page.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .config import SiteConfig, TaxonomyConfig
from .content import MAX_TERM_LENGTH, Article
from .text import ZWNJ, persian_sort_key, slugify_term


@dataclass(frozen=True, slots=True)
class Term:
    """One tag, category or county and the visible articles that carry it, newest first."""

    taxonomy: str
    slug: str
    name: str
    url: str
    articles: tuple[Article, ...]

    @property
    def link(self) -> TermLink:
        """What a page mentioning the term shows of it."""
        return TermLink(self.taxonomy, self.slug, self.name, self.url)


@dataclass(frozen=True, slots=True)
class TermLink:
    """A term as a page that mentions it shows it: its name and address, not its articles,
    so that such a page does not change whenever another release joins the term."""

    taxonomy: str
    slug: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A taxonomy with its index URL and its terms in Persian alphabetical order."""

    config: TaxonomyConfig
    url: str
    terms: tuple[Term, ...]
    by_slug: dict[str, Term] = field(compare=False, repr=False)

    def find(self, name: str) -> Term:
        """The term that ``name`` (in any spelling variant) belongs to."""
        return self.by_slug[slugify_term(name)]


def term_segment(slug: str) -> str:
    """The address segment of a term's page: its slug, or for an over-long one (a headline
    used as a tag), its first words and a digest of the whole, stable from build to build."""
    if len(slug) <= MAX_TERM_LENGTH:
        return slug
    head = slug[: MAX_TERM_LENGTH - 9]
    if "-" in head[MAX_TERM_LENGTH // 2 :]:  # end at a word
        head = head[: head.rindex("-")]
    return f"{head.rstrip('-')}-{hashlib.blake2b(slug.encode(), digest_size=4).hexdigest()}"


def build_taxonomies(articles: tuple[Article, ...], config: SiteConfig) -> tuple[Taxonomy, ...]:
    """Every configured taxonomy over ``articles`` (already in site order)."""
    return tuple(_build_taxonomy(articles, taxonomy) for taxonomy in config.taxonomies)


def _build_taxonomy(articles: tuple[Article, ...], taxonomy: TaxonomyConfig) -> Taxonomy:
    members: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for name in article.terms(taxonomy.name):
            slug = slugify_term(name)
            members[slug].append(article)
            spellings[slug][name] += 1
    terms = []
    for slug, term_articles in members.items():
        # The spelling most articles use names the term; on a tie, the one with proper
        # half-spaces, then the first in alphabetical order.
        name = min(
            spellings[slug].items(),
            key=lambda item: (-item[1], -item[0].count(ZWNJ), persian_sort_key(item[0]), item[0]),
        )[0]
        terms.append(Term(taxonomy.name, slug, name, f"/{taxonomy.path}/{term_segment(slug)}/", tuple(term_articles)))
    terms.sort(key=lambda term: (persian_sort_key(term.name), term.slug))
    return Taxonomy(taxonomy, taxonomy.url, tuple(terms), {term.slug: term for term in terms})
