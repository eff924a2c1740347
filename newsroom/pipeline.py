"""The build, top to bottom: configure → read → assemble → render → write;
and the explanation of one release's related list, from the same stages."""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from jinja2 import Environment

from .assets import Asset, load_assets
from .bulletin import (
    Period,
    PrintedIssue,
    PrintPhotos,
    first_issue_month,
    issue_document,
    issue_number,
    issue_releases,
    pdf_identifier,
    publish_issues,
    typeset,
)
from .cache import Cache, FileCache, load_pickle, remove_files
from .cards import can_set_persian
from .config import SiteConfig
from .content import Article, content_hash, find_sources, load_article, load_articles, reading_stamp
from .dates import parse_jalali_months
from .editor import render_editor
from .errors import ERROR, WARNING, BuildError, LocatedError, Problem, display_path
from .feeds import render_feeds
from .lint import lint_release, lint_site
from .media import Media, prepare_media
from .output import (
    OutputFile,
    Previous,
    Record,
    Staging,
    Written,
    load_previous,
    output_state,
    patch_outputs,
    recover_output,
    save_manifest,
    still_written,
    write_document,
    write_folder,
)
from .related import Ranking, RelatedIndex, Score, choose, pinned_articles, rank_related
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

    def __init__(self) -> None:
        self.cache: Cache | None = None
        self.previous: Previous | None = None
        self.site: Site | None = None
        self.media: Media | None = None
        self.config: SiteConfig | None = None

    def keep(self, cache: Cache, previous: Previous, site: Site, media: Media, config: SiteConfig) -> None:
        """Hold what a build read and wrote, for the next rebuild."""
        self.cache, self.previous, self.site, self.media, self.config = cache, previous, site, media, config

    def save(self) -> None:
        """Write the cache and the manifest for the builds that come after the server."""
        if self.cache is not None:
            self.cache.save()
            self.cache.next_build()
        if self.previous is not None and self.config is not None:
            save_manifest(
                self.previous.records, self.config.output_dir, manifest_path(self.config), self.previous.store
            )


def build_site(
    config: SiteConfig,
    now: datetime,
    visibility: Visibility = Visibility(),
    strict: bool = False,
    use_cache: bool = True,
    jobs: int = os.cpu_count() or 1,
    progress: Callable[[int, int], None] | None = None,
    search: bool = True,
    carry: tuple[OutputFile, ...] = (),
    memory: Memory | None = None,
) -> BuildReport:
    """Build the whole site into ``config.output_dir`` (ARCHITECTURE.md walks through it).

    Raises ``BuildError`` with every problem found, before anything is written; ``strict``:
    warnings too. ``use_cache``: reuse what earlier builds made; ``jobs`` processes share the
    work; ``progress(done, total)`` hears of releases parsed; ``carry``: files published as
    they are; ``memory``: a preview server's caches, taken and left there, not on disk."""
    clock = _Clock()
    last = None if not use_cache or memory or carry else _LastBuild.compare(config, visibility, strict, search)
    if last is not None and (unchanged := last.unchanged(config, now)) is not None:
        return dataclasses.replace(unchanged, timings=clock.lap("check"))
    cache = _release_cache(config, use_cache, memory)
    articles, problems = load_articles(config, cache, jobs, progress, last.hashes if last is not None else {})
    reused, assets = cache.hits, load_assets(config.static_dir)
    clock.lap("read")
    _refuse_broken_releases(problems, strict, cache if memory is None else None)
    with _Held(cache, FileCache(config.cache_dir / "files" if use_cache else None), memory) as held:
        shown = visible_releases(articles, now, visibility)
        # Ranked in another process meanwhile: pictures and the record of the output folder need no lists.
        held.related = rank_related(
            shown, frozenset(a.slug for a in articles), config.related, cache, jobs, beside=True
        )
        with _reporting(problems):
            previous = _previous_output(config, use_cache, memory)
            if search:  # indexed in another process too: its shards need nothing the pages need
                held.index = index_search(shown, config, index_in_place(previous), jobs, beside=jobs > 1)
            media = prepare_media(shown, config, held.made, jobs)
            clock.lap("media")
            site = assemble_site(articles, config, now, visibility, related=held.related)
            clock.lap("assemble")
            _add_problems(problems, site.warnings, strict)
            env = create_environment(config.templates_dir, config.cache_dir / "templates" if use_cache else None)
            issues: tuple[tuple[PrintedIssue, ...], tuple[OutputFile, ...]] = ((), ())
            if config.bulletin.publish:
                issues = publish_issues(articles, config, now, env, held.made, jobs)
                clock.lap("bulletin")
            with _staging(config, previous) as staging:
                _render(staging, site, env, assets, media, issues, previous, jobs)
                clock.lap("render")
                _add_problems(problems, check_links(staging.files, site, ERROR if strict else WARNING), strict)
                clock.lap("links")
                if held.index is not None:
                    staging.write(held.index.files())
                    clock.lap("search")
                staging.write(carry)
        written = held.commit(staging, manifest_path(config) if use_cache and memory is None else None)
    clock.lap("write")
    report = _report(site, staging.files, problems, clock, reused, written, (cache, held.made, media))
    if memory is not None:
        memory.keep(cache, written.now, site, media, config)
    if last is not None:  # without the cache's one-time notice
        last.remember(config, now, articles, written.now.records, report, media.notice)
    return report


class _Clock:
    """Seconds spent in each phase of a build, as ``--timings`` shows them."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._start = time.perf_counter()

    def lap(self, phase: str) -> dict[str, float]:
        """End ``phase`` (added to it, if it ran before) and start the next; the timings so far."""
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._start
        self._start = now
        return self.timings


def _refuse_broken_releases(problems: list[Problem], strict: bool, cache: Cache | None) -> None:
    """Stop the build at an error in a release (at any problem, when ``strict``), keeping
    in ``cache`` the releases that were read: they need not be read again."""
    if any(p.severity == ERROR for p in problems) or (strict and problems):
        if cache is not None:
            cache.save()
        raise BuildError(problems)


def _release_cache(config: SiteConfig, use_cache: bool, memory: Memory | None) -> Cache:
    """The cache of read releases: a preview server's own while the settings that shape a
    release are unchanged, otherwise the one on disk (or none)."""
    if memory is not None and memory.cache is not None and memory.cache.stamp == reading_stamp(config):
        return memory.cache
    return open_cache(config, use_cache)


class _Held:
    """What a build holds while it runs — the caches of releases and of made files, and the
    related ranking and search index begun in other processes — let go of however the
    build ends: the work in other processes stopped, the caches kept."""

    def __init__(self, cache: Cache, made: FileCache, memory: Memory | None) -> None:
        self.cache, self.made, self.memory = cache, made, memory
        self.related: Ranking | None = None
        self.index: SearchIndex | None = None

    def __enter__(self) -> _Held:
        return self

    def commit(self, staging: Staging, manifest: Path | None) -> Written:
        """Put the staged site in place (its manifest saved to ``manifest``); only then are
        made files this build did not use removed from their cache."""
        written = staging.commit(manifest)
        self.made.prune()
        return written

    def __exit__(self, *exc_info: object) -> None:
        if self.related is not None:
            self.related.cancel()
        if self.index is not None:
            self.index.cancel()
        if self.memory is None:
            self.cache.save()  # releases read and related lists (put once ranked), whatever happened
        self.made.close()


@contextmanager
def _reporting(problems: list[Problem]) -> Iterator[None]:
    """A ``BuildError`` raised inside reports the problems (warnings) found so far too."""
    try:
        yield
    except BuildError as exc:
        raise BuildError(problems + [p for p in exc.problems if p not in problems]) from None


def _add_problems(problems: list[Problem], found: Sequence[Problem], strict: bool) -> None:
    """Add ``found`` to the build's problems; a strict build stops at any."""
    problems += found
    if strict and found:
        raise BuildError(problems)


def _previous_output(config: SiteConfig, use_cache: bool, memory: Memory | None) -> Previous | None:
    """The output folder as the last build left it (its manifest), once a patch that a
    killed build left half applied is undone; None without a cache."""
    recover_output(config.output_dir)
    if memory is not None and memory.previous is not None and memory.config == config:
        return still_written(memory.previous, config.output_dir)
    return load_previous(config.output_dir, manifest_path(config)) if use_cache else None


@contextmanager
def _staging(config: SiteConfig, previous: Previous | None) -> Iterator[Staging]:
    """Where pages are written as they are rendered, beside the current site, so the build
    holds their records rather than their bytes; the site changes only at ``commit``.
    Discarded when the build fails."""
    staging = Staging(
        config.output_dir,
        inputs=(config.content_dir, config.templates_dir, config.static_dir),
        project=config.config_path.parent,
        previous=previous,
    )
    try:
        yield staging
    except BaseException:
        staging.discard()
        raise


def _render(
    staging: Staging,
    site: Site,
    env: Environment,
    assets: tuple[Asset, ...],
    media: Media,
    issues: tuple[tuple[PrintedIssue, ...], tuple[OutputFile, ...]],
    previous: Previous | None,
    jobs: int,
) -> None:
    """Every page, feed and sitemap of ``site``, the printed bulletin's published
    ``issues`` (their list and files), and the files published as they are, into ``staging``."""
    records = previous.records if previous else None
    staging.write(render_site(site, env, assets, media, records, jobs, issues[0]))
    staging.write(render_feeds(site) + render_sitemaps(site, records) + render_editor(site, assets, records))
    staging.write(issues[1])


def _report(
    site: Site,
    files: list[OutputFile],
    problems: list[Problem],
    clock: _Clock,
    reused: int,
    written: Written,
    remarking: tuple[Cache | FileCache | Media, ...],
) -> BuildReport:
    """The report of a build that wrote ``files``; ``remarking``: the parts whose notices it passes on."""
    notices = tuple(part.notice for part in remarking)
    return BuildReport(
        len(site.articles),
        site.hidden,
        sum(1 for f in files if f.dest_path.endswith(".html")),
        len(files),
        tuple(sorted(problems)),
        clock.timings,
        reused=reused,
        notices=tuple(n for n in notices if n),
        rendered=sum(1 for f in files if not f.kept),
        written=written.how,
        changed=written.changed,
        site=site,
    )


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What a build read: the digest of it all, and the files' hashes with the
    ``os.stat`` identity that lets the next build trust them unread."""

    digest: str
    stats: dict[str, tuple[tuple[int, int, int, int], bytes]]


def _input_digest(
    config: SiteConfig,
    hashes: dict[str, bytes],
    known: dict[str, tuple[tuple[int, int, int, int], bytes]],
    *options: object,
) -> _Inputs:
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


@dataclass(frozen=True, slots=True)
class _LastBuild:
    """What the last build remembered beside what this one would read: whether the build
    would change nothing, and the content files' hashes, which reading need not redo."""

    record: dict[str, Any]
    inputs: _Inputs
    hashes: dict[str, bytes]  # path → content_hash of each file of the content folder

    @classmethod
    def compare(cls, config: SiteConfig, *options: object) -> _LastBuild:
        """Read the last build's record and digest this build's inputs and ``options``."""
        record, hashes = _last_build(config), dict[str, bytes]()
        inputs = _input_digest(config, hashes, record.get("stats", {}), *options, can_set_persian())
        return cls(record, inputs, hashes)

    def unchanged(self, config: SiteConfig, now: datetime) -> BuildReport | None:
        """The last build's report, when building at ``now`` would change nothing."""
        return _unchanged_build(config, self.record, self.inputs, now)

    def remember(
        self,
        config: SiteConfig,
        now: datetime,
        articles: list[Article],
        written: dict[str, Record],
        report: BuildReport,
        notice: str | None,
    ) -> None:
        """Keep this build's record for the next, with ``notice`` its only remark."""
        _remember_build(
            config,
            self.inputs,
            now,
            articles,
            written,
            dataclasses.replace(report, notices=(notice,) if notice else ()),
        )


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
        report: BuildReport = last["report"]
        return dataclasses.replace(report, rendered=0, written="unchanged", changed=())
    except Exception:  # noqa: BLE001 - damaged or foreign: build
        return None


def _remember_build(
    config: SiteConfig,
    inputs: _Inputs,
    now: datetime,
    articles: list[Article],
    written: dict[str, Record],
    report: BuildReport,
) -> None:
    """Keep what ``_unchanged_build`` and ``_input_digest`` need; a failure only costs
    the next build time."""
    files = sorted(written)
    state = {
        "format": _LAST_BUILD_FORMAT,
        "inputs": inputs.digest,
        "stats": inputs.stats,
        "now": now.timestamp(),
        "files": "\n".join(files),
        "turning_points": [moment.timestamp() for moment in turning_points(articles, config)],
        "output": output_state(config.output_dir, files, written),
        "report": dataclasses.replace(report, site=None, reused=report.articles, timings={}),
    }
    path = config.cache_dir / _LAST_BUILD
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with temporary.open("wb") as file:
            pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        remove_files(temporary, path)  # an outdated record must not be trusted


def _read_releases(config: SiteConfig, jobs: int = 1) -> tuple[list[Article], list[Problem]]:
    """Every release with the problems found, for the commands that build no site: read
    through the cache of releases, which keeps what they read for the next build."""
    cache = open_cache(config)
    read = load_articles(config, cache, jobs)
    cache.save()
    return read


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
        if (
            article is None
            or old is None
            or article.url != old.url
            or any(p.severity == ERROR for p in problems)
            or article.draft
            or article.date != old.date
            or article.aliases != old.aliases
            or article.image != old.image
            or article.body_images
        ):  # pictures are made by the whole rebuild
            return ()
        articles.append(article)
    files = render_articles(
        site,
        create_environment(config.templates_dir, config.cache_dir / "templates"),
        load_assets(config.static_dir),
        memory.media,
        articles,
    )
    patch_outputs(files, config.output_dir)
    return tuple(f.dest_path for f in files)


def search_index_in_place(config: SiteConfig) -> tuple[OutputFile, ...]:
    """The search index the output folder holds (by its manifest), as kept files: what
    ``serve`` carries into its first build, so that it indexes only the shards that changed."""
    previous = load_previous(config.output_dir, manifest_path(config))
    return tuple(
        OutputFile(dest, fingerprint=fingerprint, kept=True)
        for dest, fingerprint in sorted(index_in_place(previous).items())
    )


def write_search_index(
    site: Site, output_dir: Path, previous: Previous | None, jobs: int = os.cpu_count() or 1
) -> tuple[OutputFile, ...]:
    """Build the search index of ``site`` and put it in place in ``output_dir`` on its own
    (``serve`` refreshes it after the rest of the site); returns its files, as kept
    files for the next build to carry. ``previous`` is the manifest of ``output_dir``:
    shards it holds that were made from the same articles are kept as they are."""
    files = render_search_index(
        site.articles, site.config, index_in_place(previous and still_written(previous, output_dir)), jobs
    )
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
    filled: tuple[Article, ...] = ()  # chosen to fill a short list: same category and county, near in time


def explain_related(
    config: SiteConfig, source: Path, now: datetime, visibility: Visibility = Visibility(), rejected: int = 5
) -> RelatedExplanation:
    """Score every candidate for the release in ``source`` as the build would.

    Raises ``BuildError`` when the file is not a release of the content folder or has errors.
    """
    articles, problems = _read_releases(config)
    wanted = os.path.abspath(source)
    target = next((a for a in articles if os.path.abspath(config.content_dir / a.src_path) == wanted), None)
    if target is None:
        own = [p for p in problems if p.severity == ERROR and os.path.abspath(p.path) == wanted]
        raise BuildError(
            own or [Problem(display_path(source), 0, "این فایل خبری از پوشهٔ خبرها نیست؛ مسیر فایل .md را بدهید")]
        )
    shown = tuple(sorted((a for a in articles if is_visible(a, now, visibility) or a is target), key=site_order))
    index = RelatedIndex(shown, config.related)
    ranked = index.explain(target)
    pinned = pinned_articles(target, shown)
    strong = choose(pinned, ranked, config.related)
    chosen = choose(pinned, ranked, config.related, index.nearby(index.position[target.url]))
    urls = {a.url for a in chosen}
    return RelatedExplanation(
        article=target,
        pinned=tuple(pinned),
        chosen=tuple((a, index.score(target, a)) for a in chosen),
        rejected=tuple((a, s) for a, s in ranked if a.url not in urls)[:rejected],
        filled=chosen[len(strong) :],
    )


def check_site(
    config: SiteConfig, now: datetime, visibility: Visibility = Visibility(), paths: tuple[Path, ...] = ()
) -> list[Problem]:
    """Everything a build would report, plus typography and hygiene warnings (lint),
    for the releases under ``paths`` (all when empty). Writes nothing but the cache."""
    articles, problems = _read_releases(config)
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
        problems += lint_release(
            text,
            display_path(source),
            source,
            config.content_dir,
            config.static_dir,
            ignore | silenced.get(os.path.abspath(source), frozenset()),
        )
    problems += lint_site(articles, now, ignore)
    if paths:
        wanted = [os.path.abspath(p) for p in paths]
        problems = [p for p in problems if any(os.path.abspath(p.path).startswith(w) for w in wanted)]
    return sorted(set(problems))


@dataclass(frozen=True, slots=True)
class BulletinReport:
    """What ``make_bulletin`` did."""

    path: Path
    period: Period
    number: int | None
    releases: int
    size: int
    typeset: bool  # False: the file already held this issue
    finished: bool  # whether the period was over (a month still running may get more news)


def make_bulletin(
    config: SiteConfig,
    months: str,
    now: datetime,
    destination: Path | None = None,
    drafts: bool = False,
    jobs: int = os.cpu_count() or 1,
) -> BulletinReport:
    """The printed bulletin of ``months`` (``1403-08``, ``1403``, ``1403-07..1403-09``) as a
    PDF at ``destination`` (default ``bulletin/<months>.pdf`` beside the configuration).
    A file that already holds the same issue, made from the same releases, templates
    and files, is left as it is. Raises ``BuildError`` for a period that cannot be, one
    without releases, a release with errors or a photo that cannot be read."""
    try:
        period = Period(*parse_jalali_months(months))
    except LocatedError as exc:
        raise BuildError([Problem(months, 0, exc.message)]) from None
    articles, problems = _read_releases(config, jobs)
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise BuildError(errors)
    releases = issue_releases(articles, period, now, drafts)
    if not releases:
        raise BuildError(
            [
                Problem(
                    display_path(config.content_dir),
                    0,
                    f"در {period.title} خبری منتشر نشده است؛ ماه را بررسی کنید (خبرها بر پایهٔ تاریخ انتشارشان در ماه می‌آیند)",
                )
            ]
        )
    files = FileCache(config.cache_dir / "files")
    try:
        photos = PrintPhotos(files, jobs)
        photo_problems = photos.prepare(releases)
        if photo_problems:
            raise BuildError(photo_problems)
        env = create_environment(config.templates_dir, config.cache_dir / "templates")
        number = issue_number(period, first_issue_month(articles, config))
        by_source = {a.src_path: a for a in articles}
        document = issue_document(period, releases, number, by_source, config, env, photos)
        path = destination or config.config_path.parent / "bulletin" / f"{period.name}.pdf"
        made = pdf_identifier(path) != document.digest
        if made:
            write_document(path, typeset(document))
    finally:
        files.close()
    return BulletinReport(
        path, period, number, len(releases), path.stat().st_size, made, period.finished(now, config.timezone)
    )
