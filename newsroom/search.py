"""The search index: every article page, folded for matching, indexed by Pagefind.

Pagefind (pip ``pagefind[bin]``, its binary inside the wheel) indexes Persian but folds
none of the ways readers type it differently: Arabic ي/ك, ASCII or Persian digits, a
space where a half-space belongs. So the indexed text is folded here with the same
fold the related-news matcher uses (``text.fold``), and the search page
(``static/js/search.js``) folds the query the same way before asking Pagefind.

Each word folds into one word, so the folded text has exactly the words of the
readable text: Pagefind reports matches as word positions, and the search page marks
them in the readable text it finds in the record's ``text`` meta. A half-space inside
a word becomes a hyphen, which Pagefind indexes as the parts and the joined word:
«می‌شود» is found as «می شود», «می‌شود» and «میشود».
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import subprocess
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

from .cache import engine_stamp
from .dates import format_jalali
from .errors import BuildError, Problem
from .fingerprint import Fingerprints
from .markup import plain_text
from .output import OutputFile, Previous
from .site import Site
from .text import ZWNJ, fold

SEARCH_DIR = "pagefind"  # under the output folder; the search page loads it from here
LANGUAGE = "fa"
# Pagefind's stock interfaces and highlighter: the site has a search page of its own.
_UNUSED = re.compile(r"^pagefind-(?:ui|modular-ui|component-ui|highlight)\.")
_SPACE = re.compile(r"\s+")
_OTHER_SPACE = re.compile(r"[^\S ]|  ")  # whitespace that is not one plain space


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """What Pagefind is given for one article.

    ``content`` is the title, summary and body folded word by word; ``meta`` holds what
    the search page shows as it is (``title``, ``date``, ``county``, and ``text``, the
    readable title, summary and body whose words ``content`` folds one to one).
    """

    url: str  # relative to the site's root, without a leading slash
    content: str
    meta: dict[str, str] = field(hash=False)
    filters: dict[str, list[str]] = field(hash=False)


def fold_words(text: str) -> str:
    """``text`` (words separated by single spaces) folded for the index, one folded word
    for each word: half-spaces inside a word become hyphens (Pagefind indexes the parts
    and the whole), and so do spaces in what a ligature such as ﷺ folds into."""
    folded = fold(text).replace(ZWNJ, "-")
    if folded.count(" ") == text.count(" ") and not _OTHER_SPACE.search(folded):
        return folded
    return " ".join(_SPACE.sub("-", fold(word)).replace(ZWNJ, "-") for word in text.split(" "))


def search_records(site: Site) -> tuple[SearchRecord, ...]:
    """One record per published article, in site order. Pure."""
    names = {t.config.name: t for t in site.taxonomies}
    records = []
    for article in site.articles:
        body = plain_text(article.body_html)
        # A summary written apart from the body is text readers see in listings too.
        summary = "" if article.summary.rstrip("…") in body else article.summary
        text = " ".join(part for part in (article.title, summary, body) if part)
        meta = {"title": article.title, "date": format_jalali(article.date, "medium"), "text": text}
        filters = {"year": [str(article.jalali[0])]}
        for taxonomy, value in (("category", article.category), ("county", article.county)):
            if value and taxonomy in names:
                filters[taxonomy] = [names[taxonomy].find(value).name]
        if "county" in filters:
            meta["county"] = filters["county"][0]
        records.append(SearchRecord(article.url.lstrip("/"), fold_words(text), meta, filters))
    return tuple(records)


def search_fingerprint(site: Site) -> str:
    """What the index is made from: the articles, their terms' spellings and Pagefind."""
    return Fingerprints().of(engine_stamp(version("pagefind")), site.articles, site.taxonomies)


def render_search_index(site: Site, previous: Previous | None = None) -> list[OutputFile]:
    """The Pagefind index of the site's articles and the runtime the search page loads,
    as files under ``pagefind/``. Raises ``BuildError`` when Pagefind cannot run.

    The index is a function of the articles and their terms' spellings: when the
    current one (in ``previous``, the output folder's manifest) was made from the same,
    all its files are kept as they are and Pagefind is not run.
    """
    fingerprint = search_fingerprint(site)
    if previous is not None:
        written = {dest for dest in previous.written if dest.startswith(f"{SEARCH_DIR}/")}
        same = {dest for dest, record in previous.records.items()
                if dest.startswith(f"{SEARCH_DIR}/") and record.fingerprint == fingerprint}
        if written and same == written:
            return [OutputFile(dest, fingerprint=fingerprint, kept=True) for dest in sorted(same)]
    records = search_records(site)
    if not records:
        return []  # Pagefind makes no index of nothing; the search page says search is unavailable
    with _Pagefind() as pagefind:
        index = pagefind.send({"type": "NewIndex", "config": {"force_language": LANGUAGE}})["index_id"]
        for record in records:
            pagefind.send({"type": "AddRecord", "index_id": index, "url": record.url, "content": record.content,
                           "language": LANGUAGE, "meta": record.meta, "filters": record.filters, "sort": None})
        files = pagefind.send({"type": "GetFiles", "index_id": index})["files"]
    index_files = {f["path"]: base64.b64decode(f["content"]) for f in files if not _UNUSED.match(f["path"])}
    try:
        index_files = _in_stable_order(index_files)
    except (ValueError, IndexError, KeyError, OSError) as exc:
        raise _failure(f"ساختار نمایهٔ Pagefind آن چیزی نیست که این نسخه می‌شناسد ({exc})") from None
    return [OutputFile(f"{SEARCH_DIR}/{path}", data, fingerprint=fingerprint) for path, data in sorted(index_files.items())]


# Pagefind writes the values of each filter in hash-map order, which changes from run to
# run, and names files by their content: the filter files, the metadata file listing
# them and the entry file naming that one would differ between two builds of the same
# site. Sorting those lists (and renaming the files after their new content) makes the
# index as reproducible as the rest of the site. Files are gzip'd CBOR after a signature.
_SIGNATURE = b"pagefind_dcd"


def _in_stable_order(files: dict[str, bytes]) -> dict[str, bytes]:
    """The index with its filter values and filter list sorted, and renamed to match."""
    renamed: dict[str, str] = {}
    for path in [p for p in files if p.startswith("filter/")]:
        data = _unpack(files.pop(path))
        _, (_, values), _ = _array(data, len(_SIGNATURE))  # [name, [[value, [pages]], ...]]
        start, entries, end = _array(data, values[0])
        data = data[:start] + b"".join(data[a:b] for a, b in sorted(entries, key=lambda e: data[e[0]:e[1]])) + data[end:]
        old = path.removeprefix("filter/").removesuffix(".pf_filter")
        renamed[old] = _renamed(old, data)
        files[f"filter/{renamed[old]}.pf_filter"] = _pack(data)
    [meta_path] = [p for p in files if p.endswith(".pf_meta")]
    data = _unpack(files.pop(meta_path))
    for old, new in renamed.items():
        data = data.replace(old.encode(), new.encode())  # same length: the CBOR stays valid
    _, parts, _ = _array(data, len(_SIGNATURE))  # [version, fragments, chunks, filters, sorts, meta keys]
    start, entries, end = _array(data, parts[3][0])
    data = data[:start] + b"".join(data[a:b] for a, b in sorted(entries, key=lambda e: data[e[0]:e[1]])) + data[end:]
    old = meta_path.removeprefix("pagefind.").removesuffix(".pf_meta")
    new = _renamed(old, data)
    files[f"pagefind.{new}.pf_meta"] = _pack(data)
    files["pagefind-entry.json"] = files["pagefind-entry.json"].replace(f'"{old}"'.encode(), f'"{new}"'.encode())
    return files


def _renamed(name: str, data: bytes) -> str:
    """``name`` (``fa_`` and a hash) with a hash of ``data`` of the same length."""
    language, _, old_hash = name.rpartition("_")
    return f"{language}_{hashlib.sha256(data).hexdigest()[:len(old_hash)]}"


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
    return int.from_bytes(data[at + 1:at + 1 + size], "big"), at + 1 + size


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
            self.process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise _failure(f"برنامهٔ Pagefind اجرا نشد ({exc})؛ بسته‌ها را با pip install -r requirements.txt نصب کنید "
                           "یا سایت را با --no-search بسازید") from None
        self.sent = 0
        self.buffer = bytearray()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.process.stdin.close()
        self.process.stdout.close()
        self.process.wait()

    def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return the answer's payload."""
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}, ensure_ascii=False)
        try:
            self.process.stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
            self.process.stdin.flush()
            answer = json.loads(base64.b64decode(self._read()))
        except (OSError, ValueError) as exc:
            raise _failure(f"Pagefind پاسخ نداد ({exc})") from None
        result = answer["payload"]
        if result.get("type") == "Error":
            raise _failure(f"Pagefind: {result.get('message')}")
        return result

    def _read(self) -> bytes:
        end = self.buffer.find(b",")
        while end < 0:
            searched = len(self.buffer)
            chunk = self.process.stdout.read1(1 << 20)
            if not chunk:
                raise OSError(f"the service stopped (exit status {self.process.poll()})")
            self.buffer += chunk
            end = self.buffer.find(b",", searched)
        message = bytes(self.buffer[:end])
        del self.buffer[:end + 1]
        return message


def _failure(message: str) -> BuildError:
    return BuildError([Problem(SEARCH_DIR, 0, f"نمایهٔ جست‌وجو ساخته نشد: {message}")])
