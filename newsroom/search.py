"""The search index: every article, folded for matching, indexed by Pagefind in shards.

Pagefind (pip ``pagefind[bin]``, its binary inside the wheel) indexes Persian but folds
none of the ways readers type it differently: Arabic ي/ك, ASCII or Persian digits, a
space where a half-space belongs. So the indexed text is folded here with the same
fold the related-news matcher uses (``text.fold``), and the search page
(``static/js/search.js``) folds the query the same way before asking Pagefind.

Each word folds into one word, so the folded text has exactly the words of the
readable text: Pagefind reports matches as word positions, and the search page marks
them in the readable words, which it makes from the folded ones (``shown_word``) and
the few listed in the record's ``unfolded`` meta. A half-space inside a word becomes a
hyphen, which Pagefind indexes as the parts, and the words joined (``joined_words``)
follow the text: «می‌شود» and «می شود» are found as «می شود», «می‌شود» and «میشود»;
«میشود» as «میشود», and as «می شود» by the search page, which also searches a query
with «می» or «ها» (and a few more) set apart with them joined.

The index is made in shards, each a Pagefind index of its own under
``pagefind/<shard>/``, which the search page merges into one (Pagefind's
``mergeIndex``). Releases are taken oldest first and cut into shards where a release's
address hashes to a boundary (content-defined chunking, as rsync and backup tools cut
files): adding, removing, re-dating or editing a release changes its own shard only
(or joins two), a new release joins the newest, and the cut never depends on the
site's history. A shard is indexed again only when its fingerprint (its releases,
addresses, moments and term names) changed, and kept byte for byte otherwise; its
folder is named after its oldest release, so that what it indexes again keeps its
place and the files of its unchanged pages their bytes. The oldest shard also carries
Pagefind's runtime (script, worker, WebAssembly), which the merged indexes share;
``shards.json`` lists the shards, oldest first.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import io
import json
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, BinaryIO, cast

from .cache import engine_stamp
from .config import SiteConfig
from .content import Article
from .dates import format_jalali
from .errors import BuildError, Problem
from .markup import plain_text
from .output import OutputFile, Previous
from .taxonomy import build_taxonomies
from .text import ZWNJ, fold
from .workers import CAN_FORK, ForkedCall, forked_map

SEARCH_DIR = "pagefind"  # under the output folder; the search page loads it from here
SHARD_LIST = f"{SEARCH_DIR}/shards.json"
LANGUAGE = "fa"
# Pagefind's stock interfaces and highlighter: the site has a search page of its own.
_UNUSED = re.compile(r"^pagefind-(?:ui|modular-ui|component-ui|highlight)\.")
# What the search page runs: kept in the oldest shard only, which the others share.
_RUNTIME = re.compile(r"^(?:pagefind\.js|pagefind-worker\.js|wasm\.[\w-]+\.pagefind)$")
_SPACE = re.compile(r"\s+")
# Every indexed word part ends in END, a letter to Pagefind that the fold takes out of
# every query (tatweel). A query word still finds the words it begins; but when a shard
# has no such word, Pagefind falls back to the longest indexed word the query word
# begins with («در» for «درمانگاه»), and no indexed word, ending in END, begins a query
# word. (``_``, which Pagefind also keeps in words, doubles its time per release.)
END = "\u0640"
_OTHER_SPACE = re.compile(r"[^\S ]|  ")  # whitespace that is not one plain space


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """What Pagefind is given for one article.

    ``content`` is the title, summary and body folded word by word, then the words
    ``joined_words`` adds; ``meta`` holds what the search page shows as it is (``title``,
    ``date``, ``county``), ``unfolded``, the readable words that are not their folded word
    as ``shown_word`` makes it, as JSON ``[[position, word], …]``, and with joined words,
    ``words`` (how many come before them) and ``joined`` (what each joins, as JSON
    ``[[position, count], …]``).
    """

    url: str  # relative to the site's root, without a leading slash
    content: str
    meta: dict[str, str] = field(hash=False)
    filters: dict[str, list[str]] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Shard:
    """Releases indexed together: ``name`` is their folder under ``pagefind/``, and
    ``fingerprint`` digests all the index is made from."""

    name: str
    fingerprint: str
    articles: tuple[Article, ...]  # oldest first
    terms: tuple[tuple[tuple[str, str], ...], ...]  # each article's filter terms, by their page names
    primary: bool  # the oldest shard: it carries the runtime the search page loads


def fold_words(text: str) -> str:
    """``text`` (words separated by single spaces) folded for the index, one folded word
    for each word: half-spaces inside a word become hyphens (Pagefind indexes the parts),
    and so do spaces in what a ligature such as ﷺ folds into; each part ends in ``END``."""
    folded = fold(text).replace(ZWNJ, "-")
    if folded.count(" ") != text.count(" ") or _OTHER_SPACE.search(folded):
        folded = " ".join(_SPACE.sub("-", fold(word)).replace(ZWNJ, "-") for word in text.split(" "))
    # END after each part: before every hyphen and space, and at the end (str.replace is
    # a tenth of the time of a pattern that looks around every character).
    return folded.replace("-", END + "-").replace(" ", END + " ") + END if folded else folded


def shown_word(folded: str) -> str:
    """What the search page shows for a folded word it has not been told otherwise:
    without its ends, hyphens back as half-spaces (``readableWords`` in search.js)."""
    return folded.replace(END, "").replace("-", ZWNJ)


def unfolded_words(text: str, folded: str) -> list[tuple[int, str]]:
    """The words of ``text`` that the search page cannot make from their folded word
    in ``folded`` by turning hyphens back into half-spaces, with their positions."""
    shown = shown_word(folded)  # no space comes or goes: word N is still word N
    if text == shown:
        return []
    return [
        (at, word)
        for at, (word, made) in enumerate(zip(text.split(" "), shown.split(" "), strict=False))
        if word != made
    ]


# Parts that writers join to a word, set apart with a half-space, or with a space: «میشود»,
# «می‌شود», «می شود»; «کتابها», «کتاب‌ها», «کتاب ها». (The search page searches a query
# with them apart also joined, for releases that wrote them joined.)
_PREFIXES = frozenset({"می", "نمی"})
_SUFFIXES = frozenset({"ها", "های", "هایی", "تر", "ترین"})


def joined_words(folded: str) -> tuple[str, list[list[int]]]:
    """Words to index after the text of ``folded`` (``fold_words``), so that a query word
    written joined finds what the release wrote with a half-space or a space: each word of
    parts joined («میشود» for «می‌شود»), and each pair of words whose first is a prefix
    above or whose second a suffix («کتابها» for «کتاب ها»). Returns them, and for each
    the position of the words it joins and how many there are (the search page marks those)."""
    words = folded.split(" ")
    bare = [word.replace(END, "") for word in words]
    joined, sources = [], []
    for at, word in enumerate(bare):
        if "-" in word and word.strip("-"):
            joined.append(word.replace("-", "") + END)
            sources.append([at, 1])
        if at + 1 < len(bare) and (word in _PREFIXES or bare[at + 1] in _SUFFIXES):
            joined.append(word + bare[at + 1] + END)
            sources.append([at, 2])
    return " ".join(joined), sources


def search_records(articles: tuple[Article, ...], config: SiteConfig) -> tuple[SearchRecord, ...]:
    """One record per article of ``articles`` (published ones), in their order. Pure."""
    return records_of(articles, tuple(map(_term_finder(articles, config), articles)))


def records_of(
    articles: tuple[Article, ...], terms: tuple[tuple[tuple[str, str], ...], ...]
) -> tuple[SearchRecord, ...]:
    """One record per article of ``articles``, ``terms`` being each one's filter terms
    by their page names (``Shard.terms``). Pure."""
    records = []
    for article, filter_terms in zip(articles, terms, strict=True):
        body = plain_text(article.body_html)
        # A summary written apart from the body is text readers see in listings too.
        summary = "" if article.summary.rstrip("…") in body else article.summary
        text = " ".join(part for part in (article.title, summary, body) if part)
        content = fold_words(text)
        meta = {"title": article.title, "date": format_jalali(article.date, "medium")}
        unfolded = unfolded_words(text, content)
        if unfolded:
            meta["unfolded"] = json.dumps(unfolded, ensure_ascii=False, separators=(",", ":"))
        joined, sources = joined_words(content)
        if joined:
            meta["words"] = str(content.count(" ") + 1)
            meta["joined"] = json.dumps(sources, separators=(",", ":"))
            content = f"{content} {joined}"
        filters = {"year": [str(article.jalali[0])]}
        for taxonomy, name in filter_terms:
            filters[taxonomy] = [name]
            if taxonomy == "county":
                meta["county"] = name
        records.append(SearchRecord(article.url.lstrip("/"), content, meta, filters))
    return tuple(records)


def _term_finder(articles: tuple[Article, ...], config: SiteConfig) -> Callable[[Article], tuple[tuple[str, str], ...]]:
    """An article's category and county as (taxonomy, page name) pairs, as filters: a term
    goes by the name of its page, the spelling most of the published articles use."""
    names = {t.config.name: t for t in build_taxonomies(articles, config) if t.config.name in ("category", "county")}

    def terms(article: Article) -> tuple[tuple[str, str], ...]:
        found = []
        for taxonomy, value in (("category", article.category), ("county", article.county)):
            if value and taxonomy in names:
                found.append((taxonomy, names[taxonomy].find(value).name))
        return tuple(found)

    return terms


def plan_shards(articles: tuple[Article, ...], config: SiteConfig) -> tuple[Shard, ...]:
    """The published ``articles`` cut into shards, oldest first. Pure.

    A shard ends, once it holds three quarters of ``search_shard_size`` articles, at an
    article whose address hashes to a boundary (one in a quarter of the size), or at
    one and a half times the size: shards hold about ``search_shard_size`` articles, and
    a cut is a property of an article, not of its position, so an edit changes its own
    shard only, and an article added or removed its own shard and at most the next.
    """
    size = max(2, config.search_shard_size)
    minimum, spacing, maximum = max(1, size * 3 // 4), max(1, size // 4), size * 3 // 2
    terms_of = _term_finder(articles, config)
    groups: list[list[Article]] = [[]]
    for article in sorted(articles, key=lambda a: (a.date, a.url)):
        groups[-1].append(article)
        length = len(groups[-1])
        if length >= maximum or (length >= minimum and _boundary(article.url, spacing)):
            groups.append([])
    shards: list[Shard] = []
    for group in filter(None, groups):
        terms = tuple(map(terms_of, group))
        primary = not shards
        # What a record is made from: the release's file (its digest), its address, its
        # moment (the configured time zone moves it) and its terms' page names.
        made_of = hashlib.blake2b(repr((_stamp(), primary)).encode(), digest_size=16)
        for article, article_terms in zip(group, terms, strict=True):
            made_of.update(repr((article.digest, article.url, article.date.isoformat(), article_terms)).encode())
        # Named after its oldest release, which new releases leave in place: a shard indexed
        # again keeps its folder, and Pagefind's files of unchanged pages keep their bytes.
        name = hashlib.blake2b(group[0].url.encode(), digest_size=8).hexdigest()
        shards.append(Shard(name, made_of.hexdigest(), tuple(group), terms, primary))
    return tuple(shards)


@functools.cache
def _stamp() -> str:
    """This engine and Pagefind: what every shard is made by."""
    return engine_stamp(version("pagefind"))


def _boundary(url: str, spacing: int) -> bool:
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "big") % spacing == 0


def index_in_place(previous: Previous | None) -> dict[str, str]:
    """The search index files of the output folder still as written, with their
    fingerprints; a shard with any file changed since is left out whole."""
    if previous is None:
        return {}
    spoiled = {
        _shard_of(dest) for dest in previous.written - previous.records.keys() if dest.startswith(f"{SEARCH_DIR}/")
    }
    return {
        dest: record.fingerprint
        for dest, record in previous.records.items()
        if dest.startswith(f"{SEARCH_DIR}/") and _shard_of(dest) not in spoiled
    }


def _shard_of(dest: str) -> str:
    return dest.split("/", 2)[1]


class SearchIndex:
    """The search index being made (``index_search``): ``files`` gives its files once
    they are ready, or raises what stopped it; ``cancel`` stops it if they are not wanted."""

    def __init__(self, files: list[OutputFile] | None = None, job: ForkedCall | None = None):
        self._files, self._job = files, job

    def files(self) -> list[OutputFile]:
        """The index's files (``render_search_index``); waits for them."""
        if self._files is None and self._job is not None:
            self._files = self._job.result()
        return self._files or []

    def cancel(self) -> None:
        """Stop making the index, if it is still being made."""
        if self._job is not None:
            self._job.cancel()


def index_search(
    articles: tuple[Article, ...],
    config: SiteConfig,
    in_place: Mapping[str, str] | None = None,
    jobs: int = 1,
    beside: bool = False,
) -> SearchIndex:
    """``render_search_index`` as a ``SearchIndex``: with ``beside`` (where the system can
    fork) made in another process while this one goes on with the rest of the site, in
    ``jobs - 1`` processes: the pictures and pages have the others."""
    # Planned here, where every release is read anyway: a forked process that read them all
    # would hold a copy of each page it touched (reference counts write to them).
    shards = plan_shards(articles, config)
    if beside and CAN_FORK:
        shards_at_once = max(1, jobs - 1)  # on two cores one Pagefind at a time: ~110 MB at most
        return SearchIndex(job=ForkedCall(lambda: _index_shards(shards, in_place, shards_at_once)))
    return SearchIndex(files=_index_shards(shards, in_place, jobs))


def render_search_index(
    articles: tuple[Article, ...], config: SiteConfig, in_place: Mapping[str, str] | None = None, jobs: int = 1
) -> list[OutputFile]:
    """The search index of the published ``articles``: its shards, and ``shards.json``
    listing them, as files under ``pagefind/``. Raises ``BuildError`` when Pagefind
    cannot run.

    ``in_place`` are the index files now in the output folder and their fingerprints
    (``index_in_place``): a shard whose files there were made from the same articles is
    kept as it is; the others are indexed, in ``jobs`` processes when there are several.
    """
    return _index_shards(plan_shards(articles, config), in_place, jobs)


def _index_shards(shards: tuple[Shard, ...], in_place: Mapping[str, str] | None, jobs: int) -> list[OutputFile]:
    """``render_search_index`` of the shards planned already."""
    if not shards:
        return []  # Pagefind makes no index of nothing; the search page says search is unavailable
    in_place = in_place or {}
    present: dict[str, list[str]] = {}
    for dest in in_place:
        if dest != SHARD_LIST:
            present.setdefault(_shard_of(dest), []).append(dest)
    files = []
    fresh = []
    for shard in shards:
        kept = present.get(shard.name, [])
        if kept and all(in_place[dest] == shard.fingerprint for dest in kept):
            files += [OutputFile(dest, fingerprint=shard.fingerprint, kept=True) for dest in sorted(kept)]
        else:
            fresh.append(shard)
    indexed = (
        forked_map(_index_shard, fresh, min(jobs, len(fresh)))
        if jobs > 1 and len(fresh) > 1 and CAN_FORK
        else map(_index_shard, fresh)
    )
    for shard, made in zip(fresh, indexed, strict=True):
        files += [
            OutputFile(f"{SEARCH_DIR}/{shard.name}/{path}", data, fingerprint=shard.fingerprint)
            for path, data in sorted(made.items())
        ]
    listing = json.dumps({"shards": [shard.name for shard in shards]}, separators=(",", ":")).encode()
    files.append(OutputFile(SHARD_LIST, listing, fingerprint=hashlib.sha256(listing).hexdigest()))
    return files


def _index_shard(shard: Shard) -> dict[str, bytes]:
    """One shard's Pagefind index (with the runtime, for the primary shard): path → bytes."""
    records = records_of(shard.articles, shard.terms)
    with _Pagefind() as pagefind:
        index = pagefind.send({"type": "NewIndex", "config": {"force_language": LANGUAGE}})["index_id"]
        for record in records:
            pagefind.send(
                {
                    "type": "AddRecord",
                    "index_id": index,
                    "url": record.url,
                    "content": record.content,
                    "language": LANGUAGE,
                    "meta": record.meta,
                    "filters": record.filters,
                    "sort": None,
                }
            )
        files = pagefind.send({"type": "GetFiles", "index_id": index})["files"]
    index_files = {
        f["path"]: base64.b64decode(f["content"])
        for f in files
        if not _UNUSED.match(f["path"]) and (shard.primary or not _RUNTIME.match(f["path"]))
    }
    try:
        return _in_stable_order(index_files)
    except (ValueError, IndexError, KeyError, OSError) as exc:
        raise _failure(f"ساختار نمایهٔ Pagefind آن چیزی نیست که این نسخه می‌شناسد ({exc})") from None


# Pagefind writes the values of each filter in hash-map order, which changes from run to
# run, and names files by their content: the filter files, the metadata file listing
# them and the entry file naming that one would differ between two builds of the same
# site. Sorting those lists (and renaming the files after their new content) makes the
# index as reproducible as the rest of the site. Files are gzip'd CBOR after a signature.
_SIGNATURE = b"pagefind_dcd"


def _in_stable_order(files: dict[str, bytes]) -> dict[str, bytes]:
    """The index with its filter values and filter list sorted, and renamed to match, and
    its pages named apart from every other shard's (``_fragment_names``)."""
    renamed: dict[str, str] = {}
    for path in [p for p in files if p.startswith("filter/")]:
        data = _unpack(files.pop(path))
        _, (_, values), _ = _array(data, len(_SIGNATURE))  # [name, [[value, [pages]], ...]]
        start, entries, end = _array(data, values[0])
        data = (
            data[:start] + b"".join(data[a:b] for a, b in sorted(entries, key=lambda e: data[e[0] : e[1]])) + data[end:]
        )
        old = path.removeprefix("filter/").removesuffix(".pf_filter")
        renamed[old] = _renamed(old, data)
        files[f"filter/{renamed[old]}.pf_filter"] = _pack(data)
    [meta_path] = [p for p in files if p.endswith(".pf_meta")]
    data = _unpack(files.pop(meta_path))
    for old, new in renamed.items():
        data = data.replace(old.encode(), new.encode())  # same length: the CBOR stays valid
    _, parts, _ = _array(data, len(_SIGNATURE))  # [version, fragments, chunks, filters, sorts, meta keys]
    start, entries, end = _array(data, parts[3][0])
    data = data[:start] + b"".join(data[a:b] for a, b in sorted(entries, key=lambda e: data[e[0] : e[1]])) + data[end:]
    data = _fragment_names(files, data, parts[1])
    old = meta_path.removeprefix("pagefind.").removesuffix(".pf_meta")
    new = _renamed(old, data)
    files[f"pagefind.{new}.pf_meta"] = _pack(data)
    files["pagefind-entry.json"] = files["pagefind-entry.json"].replace(f'"{old}"'.encode(), f'"{new}"'.encode())
    return files


def _fragment_names(files: dict[str, bytes], meta: bytes, pages: tuple[int, int]) -> bytes:
    """``meta`` (the index's metadata, whose array at ``pages`` lists its pages as
    [name, word count]) with each page named by 16 hexadecimal digits rather than 7, and
    its fragment file in ``files`` renamed to match.

    The search page tells releases apart by these names across shards, and 7 digits
    repeat somewhere among 100,000 pages; 16 do not. A name of 19 characters still has
    a one-byte CBOR head, so only the names' bytes change."""
    start, end = pages
    listed = meta[start:end]
    for path in [p for p in files if p.startswith("fragment/")]:
        old = path.removeprefix("fragment/").removesuffix(".pf_fragment")
        data = files.pop(path)
        new = f"{old}{hashlib.sha256(data).hexdigest()[: 16 - len(old.rpartition('_')[2])]}"
        before, after = bytes([0x60 + len(old)]) + old.encode(), bytes([0x60 + len(new)]) + new.encode()
        if len(new) > 23 or listed.count(before) != 1:
            raise ValueError(f"page {old} is not listed once")
        listed = listed.replace(before, after)
        files[f"fragment/{new}.pf_fragment"] = data
    return meta[:start] + listed + meta[end:]


def _renamed(name: str, data: bytes) -> str:
    """``name`` (``fa_`` and a hash) with a hash of ``data`` of the same length."""
    language, _, old_hash = name.rpartition("_")
    return f"{language}_{hashlib.sha256(data).hexdigest()[: len(old_hash)]}"


def _unpack(packed: bytes) -> bytes:
    data = gzip.decompress(packed)
    if not data.startswith(_SIGNATURE):
        raise ValueError("no signature")
    return data


def _pack(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _array(data: bytes, at: int) -> tuple[int, list[tuple[int, int]], int]:
    """The CBOR array at ``at``: where its items start, each item's span, where it ends."""
    if data[at] >> 5 != 4:
        raise ValueError(f"no array at byte {at}")
    length, at = _head(data, at)
    items = []
    start = at
    for _ in range(length):
        items.append((at, _end(data, at)))
        at = items[-1][1]
    return start, items, at


def _head(data: bytes, at: int) -> tuple[int, int]:
    """The argument of the CBOR item at ``at`` and where its content starts."""
    info = data[at] & 31
    if info < 24:
        return info, at + 1
    if info > 27:
        raise ValueError(f"indefinite length at byte {at}")
    size = 1 << (info - 24)
    return int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def _end(data: bytes, at: int) -> int:
    """Where the CBOR item at ``at`` ends (numbers, strings, arrays, maps, tags)."""
    major = data[at] >> 5
    argument, at = _head(data, at)
    if major in (2, 3):
        return at + argument
    if major in (4, 5):
        for _ in range(argument * (2 if major == 5 else 1)):
            at = _end(data, at)
        return at
    if major == 6:
        return _end(data, at)
    return at  # integers and simple values


class _Pagefind:
    """Pagefind's indexing service (``pagefind --service``), spoken to directly.

    The wire format is the one the ``pagefind`` package's own client speaks (base64 JSON
    messages, each ended by a comma). That client waits 0.1 s before reading each
    answer, which makes 10,000 articles take 17 minutes; this one reads as soon as the
    answer arrives.
    """

    def __enter__(self) -> _Pagefind:
        from pagefind.service import get_executable  # with asyncio: a cost to builds that index nothing

        try:
            executable = get_executable()
            if executable is None:
                raise OSError("pagefind[bin] is not installed")
            self.process = subprocess.Popen(
                [str(executable), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
            )
            # Both pipes were asked for, so both exist (Popen's types cannot say so).
            self.requests = cast(BinaryIO, self.process.stdin)
            self.answers = cast(io.BufferedReader, self.process.stdout)
        except OSError as exc:
            raise _failure(
                f"برنامهٔ Pagefind اجرا نشد ({exc})؛ بسته‌ها را با pip install -r requirements.txt نصب کنید "
                "یا سایت را با --no-search بسازید"
            ) from None
        self.sent = 0
        self.buffer = bytearray()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.requests.close()
        self.answers.close()
        self.process.wait()

    def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return the answer's payload."""
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}, ensure_ascii=False)
        try:
            self.requests.write(base64.b64encode(message.encode("utf-8")) + b",")
            self.requests.flush()
            answer = json.loads(base64.b64decode(self._read()))
        except (OSError, ValueError) as exc:
            raise _failure(f"Pagefind پاسخ نداد ({exc})") from None
        result: dict[str, Any] = answer["payload"]
        if result.get("type") == "Error":
            raise _failure(f"Pagefind: {result.get('message')}")
        return result

    def _read(self) -> bytes:
        end = self.buffer.find(b",")
        while end < 0:
            searched = len(self.buffer)
            chunk = self.answers.read1(1 << 20)
            if not chunk:
                raise OSError(f"the service stopped (exit status {self.process.poll()})")
            self.buffer += chunk
            end = self.buffer.find(b",", searched)
        message = bytes(self.buffer[:end])
        del self.buffer[: end + 1]
        return message


def _failure(message: str) -> BuildError:
    return BuildError([Problem(SEARCH_DIR, 0, f"نمایهٔ جست‌وجو ساخته نشد: {message}")])
