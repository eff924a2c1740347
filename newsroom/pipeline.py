"""The build, top to bottom: configure → read → assemble → render → write;
and the explanation of one release's related list, from the same stages."""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

from .assets import load_assets
from .cache import Cache, FileCache, load_pickle, remove_files
from .cards import can_set_persian
from .config import SiteConfig
from .content import Article, content_hash, find_sources, load_article, load_articles, reading_stamp
from .errors import ERROR, WARNING, BuildError, Problem, display_path
from .feeds import render_feeds
from .lint import lint_release, lint_site
from .media import Media, prepare_media
from .output import (OutputFile, Previous, Record, Staging, load_previous, output_state, patch_outputs, recover_output,
                     save_manifest, still_written, write_folder)
from .related import RelatedIndex, Score, choose, pinned_articles, rank_related
from .render import check_links, create_environment, render_articles, render_site
from .search import SEARCH_DIR, SearchIndex, index_in_place, index_search, render_search_index
from .site import Site, Visibility, assemble_site, is_visible, site_order, turning_points, visible_releases
from .sitemaps import render_sitemaps


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a successful build did."""

    articles: int
    hidden: int
    pages: int
    files: int
    warnings: tuple[Problem, ...]
    timings: dict[str, float] = field(default_factory=dict)
    reused: int = 0  # releases taken from the cache instead of parsed
    rendered: int = 0  # files rendered; the others were kept from the previous build
    written: str = "replaced"  # how the output folder changed: "unchanged", "patched" or "replaced"
    changed: tuple[str, ...] | None = None  # files written or removed (None: any may have changed)
    notices: tuple[str, ...] = ()  # one-line remarks, e.g. a cache that could not be read
    site: Site | None = field(default=None, compare=False, repr=False)  # what was built, for the search index


def open_cache(config: SiteConfig, enabled: bool = True) -> Cache:
    """The cache of read releases in ``config.cache_dir`` (a no-op one when disabled)."""
    return Cache(config.cache_dir / "releases.pickle" if enabled else None, reading_stamp(config))


_LAST_BUILD = "last-build.pickle"  # in the cache folder: what the last build read and wrote
_LAST_BUILD_FORMAT = 2


def manifest_path(config: SiteConfig) -> Path:
    """Where the record of the output folder's files is kept, beside the cache of releases."""
    return config.cache_dir / "outputs.pickle"


class Memory:
    """What a preview server keeps between rebuilds: the cache of releases, the manifest
    of the output folder and the last site, so that a rebuild reads and writes little.
    They reach the disk (``save``) after the browser has been told to reload."""

    def __init__(self):
        self.cache: Cache | None = None
        self.previous: Previous | None = None
        self.site: Site | None = None
        self.media: Media | None = None
        self.config: SiteConfig | None = None

    def save(self) -> None:
        """Write the cache and the manifest for the builds that come after the server."""
        if self.cache is not None:
            self.cache.save()
            self.cache.next_build()
        if self.previous is not None and self.config is not None:
            save_manifest(self.previous.records, self.config.output_dir, manifest_path(self.config), self.previous.store)


def build_site(config: SiteConfig, now: datetime, visibility: Visibility = Visibility(), strict: bool = False,
               use_cache: bool = True, jobs: int = os.cpu_count() or 1,
               progress: Callable[[int, int], None] | None = None, search: bool = True,
               carry: tuple[OutputFile, ...] = (), memory: Memory | None = None) -> BuildReport:
    """Build the whole site into ``config.output_dir``.

    Raises ``BuildError`` with every problem found, before anything is written; with
    ``strict``, warnings fail the build too. ``use_cache`` reuses releases read by
    earlier builds (``config.cache_dir``); ``jobs`` processes render Markdown, media and
    pages, and rank related lists (begun in another process while pictures are made and
    the manifest read); ``progress(done, total)`` hears of each release parsed. ``search`` builds the search
    index, in another process while pictures and pages are made, indexing again only the
    shards whose releases changed; ``carry`` are files
    published as they are (``serve`` carries the last index until a fresh one is
    written). With ``memory``, the cache and the manifest are taken from and left in it
    rather than the disk.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        timings[phase] = time.perf_counter() - clock
        clock = time.perf_counter()

    remember = use_cache and memory is None and not carry
    hashes: dict[str, bytes] = {}
    if remember:
        last = _last_build(config)
        inputs = _input_digest(config, hashes, last.get("stats", {}), visibility, strict, search, can_set_persian())
        unchanged = _unchanged_build(config, last, inputs, now)
        if unchanged is not None:
            lap("check")
            return dataclasses.replace(unchanged, timings=timings)
    stamp = reading_stamp(config)
    if memory is not None and memory.cache is not None and memory.cache.stamp == stamp:
        cache = memory.cache
    else:
        cache = open_cache(config, use_cache)
    articles, problems = load_articles(config, cache, jobs, progress, hashes)
    reused = cache.hits
    assets = load_assets(config.static_dir)
    lap("read")
    if any(p.severity == ERROR for p in problems) or (strict and problems):
        if memory is None:
            cache.save()  # the releases that were read need not be read again
        raise BuildError(problems)
    made = FileCache(config.cache_dir / "files" if use_cache else None)  # photo variants and share cards
    shown = visible_releases(articles, now, visibility)
    # Related lists are ranked in another process meanwhile, where the system can fork:
    # pictures and the record of the output folder need none of them.
    related = rank_related(shown, frozenset(a.slug for a in articles), config.related, cache, jobs, beside=True)
    index: SearchIndex | None = None
    try:
        try:
            recover_output(config.output_dir)  # a patch a killed build left half applied
            if memory is not None and memory.previous is not None and memory.config == config:
                previous = still_written(memory.previous, config.output_dir)
            else:
                previous = load_previous(config.output_dir, manifest_path(config)) if use_cache else None
            if search:  # made in another process too: its shards need nothing the pages need
                index = index_search(shown, config, index_in_place(previous), jobs, beside=jobs > 1)
            media = prepare_media(shown, config, made, jobs)
            lap("media")
            site = assemble_site(articles, config, now, visibility, related=related)
            lap("assemble")
            problems += site.warnings
            if strict and problems:
                raise BuildError(problems)
            # Pages are written beside the current site as they are rendered, so the build
            # holds their records rather than their bytes; the site changes only at commit.
            staging = Staging(config.output_dir, inputs=(config.content_dir, config.templates_dir, config.static_dir),
                              project=config.config_path.parent, previous=previous)
        except BuildError as exc:  # report the warnings found so far too
            raise BuildError(problems + [p for p in exc.problems if p not in problems]) from None
        try:
            compiled = config.cache_dir / "templates" if use_cache else None
            staging.write(render_site(site, create_environment(config.templates_dir, compiled), assets, media,
                                      previous.records if previous else None, jobs))
            staging.write(render_feeds(site) + render_sitemaps(site, previous.records if previous else None))
            lap("render")
            # A link to nowhere fails a strict build, and is worth a warning in any other.
            broken = check_links(staging.files, site, ERROR if strict else WARNING)
            lap("links")
            problems += broken
            if strict and broken:
                raise BuildError(problems)
            if index is not None:
                staging.write(index.files())
                lap("search")
            staging.write(carry)
        except BuildError as exc:  # report the warnings found so far too
            staging.discard()
            raise BuildError(problems + [p for p in exc.problems if p not in problems]) from None
        except BaseException:
            staging.discard()
            raise
        written = staging.commit(manifest_path(config) if use_cache and memory is None else None)
        made.prune()  # only after a good build: keep what this build used
    finally:
        related.cancel()
        if index is not None:
            index.cancel()
        if memory is None:
            cache.save()  # releases read and related lists (put once ranked), whatever happened
        made.close()
    lap("write")
    files = staging.files
    if memory is not None:
        memory.cache, memory.previous, memory.site, memory.media, memory.config = cache, written.now, site, media, config
    pages = sum(1 for f in files if f.dest_path.endswith(".html"))
    report = BuildReport(len(site.articles), site.hidden, pages, len(files), tuple(sorted(problems)), timings,
                         reused=reused, notices=tuple(n for n in (cache.notice, made.notice, media.notice) if n),
                         rendered=sum(1 for f in files if not f.kept), written=written.how, changed=written.changed,
                         site=site)
    if remember:  # without the cache's one-time notice
        _remember_build(config, inputs, now, articles, written.now.records,
                        dataclasses.replace(report, notices=(media.notice,) if media.notice else ()))
    return report


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What a build read: the digest of it all, and the files' hashes with the
    ``os.stat`` identity that lets the next build trust them unread."""

    digest: str
    stats: dict[str, tuple[tuple[int, int, int, int], bytes]]


def _input_digest(config: SiteConfig, hashes: dict[str, bytes], known: dict[str, tuple[tuple[int, int, int, int], bytes]],
                  *options: object) -> _Inputs:
    """Everything a build reads, by content: the engine and libraries, the settings and
    options, and every file of the content, template and static folders. The hashes of
    the content folder's files go into ``hashes`` (path → ``content_hash``), so that
    reading the releases need not read them again.

    A file whose size, times and inode are those ``known`` from the last build is not
    read again: any write changes its change time (ctime), which no tool can set back.
    A file changed less than a second before it was hashed is hashed again next time,
    so a write within the same clock tick cannot pass unseen."""
    digest = hashlib.sha256(reading_stamp(config).encode())
    digest.update(repr((config, options, [version(name) for name in ("jinja2", "pillow", "pagefind")])).encode())
    settled = time.time_ns() - 1_000_000_000
    stats = {}
    for folder in (config.content_dir, config.templates_dir, config.static_dir):
        for root, folders, names in os.walk(folder, followlinks=True):
            folders.sort()
            for name in sorted(names):
                path = os.path.join(root, name)
                digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
                try:
                    stat = os.stat(path)
                    identity = stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino
                    if path in known and known[path][0] == identity:
                        hashed = known[path][1]
                    else:
                        with open(path, "rb") as file:
                            hashed = content_hash(file.read())
                    if stat.st_ctime_ns < settled:
                        stats[path] = identity, hashed
                except OSError:
                    hashed = b"unreadable"
                if folder == config.content_dir:
                    hashes[path] = hashed
                digest.update(hashed)
    return _Inputs(digest.hexdigest(), stats)


def _last_build(config: SiteConfig) -> dict[str, Any]:
    """What the last build remembered (``_remember_build``), or nothing."""
    try:
        with (config.cache_dir / _LAST_BUILD).open("rb") as file:
            last = load_pickle(file)
        return last if isinstance(last, dict) and last.get("format") == _LAST_BUILD_FORMAT else {}
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: as if there was none
        return {}


def _unchanged_build(config: SiteConfig, last: dict[str, Any], inputs: _Inputs, now: datetime) -> BuildReport | None:
    """The report of the last build, when it read exactly ``inputs``, no release has
    come out, expired or moved in or out of a window since (or before, for an earlier
    ``now``), and the output folder is still what it wrote: then nothing would change."""
    try:
        if last.get("inputs") != inputs.digest:
            return None
        low, high = sorted((last["now"], now.timestamp()))
        moments = last["turning_points"]
        if bisect.bisect_left(moments, low) != bisect.bisect_right(moments, high):
            return None  # the clock alone changes the site in between
        if output_state(config.output_dir, last["files"].split("\n")) != last["output"]:
            return None
        return dataclasses.replace(last["report"], rendered=0, written="unchanged", changed=())
    except Exception:  # noqa: BLE001 - damaged or foreign: build
        return None


def _remember_build(config: SiteConfig, inputs: _Inputs, now: datetime, articles: list[Article],
                    written: dict[str, Record], report: BuildReport) -> None:
    """Keep what ``_unchanged_build`` and ``_input_digest`` need; a failure only costs
    the next build time."""
    files = sorted(written)
    state = {"format": _LAST_BUILD_FORMAT, "inputs": inputs.digest, "stats": inputs.stats,
             "now": now.timestamp(), "files": "\n".join(files),
             "turning_points": [moment.timestamp() for moment in turning_points(articles, config)],
             "output": output_state(config.output_dir, files, written),
             "report": dataclasses.replace(report, site=None, reused=report.articles, timings={})}
    path = config.cache_dir / _LAST_BUILD
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with temporary.open("wb") as file:
            pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        remove_files(temporary, path)  # an outdated record must not be trusted


def preview_releases(config: SiteConfig, memory: Memory, sources: list[Path]) -> tuple[str, ...]:
    """Rewrite at once the pages of the edited releases ``sources``, in the context of
    the last site built (its lists, neighbours and related news); the files written.

    Nothing is written, and () returned, when an edit needs the whole site rebuilt to be
    shown: a new, renamed, unpublished or broken release, or no site built yet.
    """
    site = memory.site
    if site is None or memory.media is None or memory.config != config or not sources:
        return ()
    articles = []
    for source in sources:
        try:
            src_path = source.resolve().relative_to(config.content_dir.resolve()).as_posix()
        except ValueError:
            return ()
        article, problems = load_article(config.content_dir / src_path, config)  # named as the build names it
        old = site.by_source.get(src_path)
        if article is None or old is None or article.url != old.url or any(p.severity == ERROR for p in problems) \
                or article.draft or article.date != old.date or article.aliases != old.aliases \
                or article.image != old.image or article.body_images:  # pictures are made by the whole rebuild
            return ()
        articles.append(article)
    files = render_articles(site, create_environment(config.templates_dir, config.cache_dir / "templates"),
                            load_assets(config.static_dir),
                            memory.media, articles)
    patch_outputs(files, config.output_dir)
    return tuple(f.dest_path for f in files)


def search_index_in_place(config: SiteConfig) -> tuple[OutputFile, ...]:
    """The search index the output folder holds (by its manifest), as kept files: what
    ``serve`` carries into its first build, so that it indexes only the shards that changed."""
    previous = load_previous(config.output_dir, manifest_path(config))
    return tuple(OutputFile(dest, fingerprint=fingerprint, kept=True)
                 for dest, fingerprint in sorted(index_in_place(previous).items()))


def write_search_index(site: Site, output_dir: Path, previous: Previous | None,
                       jobs: int = os.cpu_count() or 1) -> tuple[OutputFile, ...]:
    """Build the search index of ``site`` and put it in place in ``output_dir`` on its own
    (``serve`` refreshes it after the rest of the site); returns its files, as kept
    files for the next build to carry. ``previous`` is the manifest of ``output_dir``:
    shards it holds that were made from the same articles are kept as they are."""
    files = render_search_index(site.articles, site.config, index_in_place(previous and still_written(previous, output_dir)),
                                jobs)
    if any(not f.kept and _differs(output_dir / f.dest_path, f.data) for f in files):
        write_folder(files, output_dir, SEARCH_DIR)
    return tuple(OutputFile(f.dest_path, fingerprint=f.fingerprint, kept=True) for f in files)


def _differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except OSError:
        return True


@dataclass(frozen=True, slots=True)
class RelatedExplanation:
    """Why the related list of one release is what it is."""

    article: Article
    pinned: tuple[Article, ...]
    chosen: tuple[tuple[Article, Score], ...]
    rejected: tuple[tuple[Article, Score], ...]


def explain_related(config: SiteConfig, source: Path, now: datetime, visibility: Visibility = Visibility(),
                    rejected: int = 5) -> RelatedExplanation:
    """Score every candidate for the release in ``source`` as the build would.

    Raises ``BuildError`` when the file is not a release of the content folder or has errors.
    """
    cache = open_cache(config)
    articles, problems = load_articles(config, cache)
    cache.save()
    wanted = os.path.abspath(source)
    target = next((a for a in articles if os.path.abspath(config.content_dir / a.src_path) == wanted), None)
    if target is None:
        own = [p for p in problems if p.severity == ERROR and os.path.abspath(p.path) == wanted]
        raise BuildError(own or [Problem(display_path(source), 0, "این فایل خبری از پوشهٔ خبرها نیست؛ مسیر فایل .md را بدهید")])
    shown = [a for a in articles if is_visible(a, now, visibility) or a is target]
    shown = tuple(sorted(shown, key=site_order))
    ranked = RelatedIndex(shown, config.related).explain(target)
    pinned = pinned_articles(target, shown)
    chosen = choose(pinned, ranked, config.related)
    scores = {a.url: score for a, score in ranked}
    urls = {a.url for a in chosen}
    return RelatedExplanation(
        article=target,
        pinned=tuple(pinned),
        chosen=tuple((a, scores[a.url]) for a in chosen),
        rejected=tuple((a, s) for a, s in ranked if a.url not in urls)[:rejected],
    )


def check_site(config: SiteConfig, now: datetime, visibility: Visibility = Visibility(),
               paths: tuple[Path, ...] = ()) -> list[Problem]:
    """Everything a build would report, plus typography and hygiene warnings (lint),
    for the releases under ``paths`` (all when empty). Writes nothing but the cache."""
    cache = open_cache(config)
    articles, problems = load_articles(config, cache)
    cache.save()
    try:
        problems += assemble_site(articles, config, now, visibility).warnings
    except BuildError as exc:
        problems += exc.problems
    ignore = frozenset(config.lint_ignore)
    silenced = {os.path.abspath(config.content_dir / a.src_path): frozenset(a.lint_ignore) for a in articles}
    for source in find_sources(config.content_dir)[0]:
        try:
            text = source.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # load_articles has reported it
        problems += lint_release(text, display_path(source), source, config.content_dir, config.static_dir,
                                 ignore | silenced.get(os.path.abspath(source), frozenset()))
    problems += lint_site(articles, now, ignore)
    if paths:
        wanted = [os.path.abspath(p) for p in paths]
        problems = [p for p in problems if any(os.path.abspath(p.path).startswith(w) for w in wanted)]
    return sorted(set(problems))
