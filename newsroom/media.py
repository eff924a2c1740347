"""The photos and share cards of the published releases, made before rendering.

Making them is the slow, disk-touching part (kept in the file cache, made in parallel);
what rendering needs afterwards is only which files exist for which release.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cache import FileCache
from .cards import Card, CardMaker
from .config import SiteConfig
from .content import Article
from .errors import BuildError, Problem, display_path
from .images import Photo, PhotoLibrary
from .output import OutputFile


@dataclass(frozen=True, eq=False)
class Media:
    """Made pictures by release URL, and their files."""

    lead: dict[str, Photo]  # the release's own photo (front-matter ``image``)
    body: dict[str, dict[str, Photo]]  # photos in the release's body, by their ``src``
    cards: dict[str, Card]  # the share card
    files: tuple[OutputFile, ...]
    notice: str | None = None  # why there are no text cards, when there are none


NO_MEDIA = Media({}, {}, {}, ())


def _raster(path: Path | None) -> Path | None:
    return path if path is not None and path.suffix.lower() != ".svg" else None  # SVG is published as it is


def prepare_media(articles: tuple[Article, ...], config: SiteConfig, files: FileCache, jobs: int = 1) -> Media:
    """Variants of every photo of ``articles`` (the published releases) and the share
    card of each. Raises ``BuildError`` naming the releases whose photo cannot be read."""
    photos = PhotoLibrary(files, jobs)
    cards = CardMaker(files, config.static_dir, config.organization or config.title, jobs)
    body = {a.url: [(src, file) for src, file in a.body_images if _raster(file)] for a in articles}
    problems = photos.prepare(
        [p for a in articles for p in [_raster(a.image_source)] + [f for _, f in body[a.url]] if p is not None]
    )
    problems += cards.prepare([(a.url, a.title, a.date, _raster(a.image_source)) for a in articles])
    if problems:
        raise BuildError(sorted({located for problem in problems for located in _locate(problem, articles)}))
    # Every photo asked for is made by now (or the build has failed above).
    lead = {a.url: photos.photo(source) for a in articles if (source := _raster(a.image_source)) is not None}
    return Media(
        lead={url: photo for url, photo in lead.items() if photo is not None},
        body={
            url: {src: photo for src, file in found if (photo := photos.photo(file)) is not None}
            for url, found in body.items()
            if found
        },
        cards={a.url: card for a in articles if (card := cards.card(a.url)) is not None},
        files=tuple(photos.outputs() + cards.outputs()),
        notice=cards.notice if articles else None,
    )


def _locate(problem: Problem, articles: tuple[Article, ...]) -> list[Problem]:
    """A problem with a photo file, told at each release that uses the photo."""
    found = [
        Problem(a.path, a.line("image"), f"image: «{problem.path}»: {problem.message}")
        for a in articles
        if a.image_source is not None and display_path(a.image_source) == problem.path
    ]
    found += [
        Problem(a.path, 0, f"«{src}»: {problem.message}")
        for a in articles
        for src, file in a.body_images
        if display_path(file) == problem.path
    ]
    return found or [problem]
