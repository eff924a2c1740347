"""The search index: every article page, folded for matching, indexed by Pagefind.

Pagefind (pip ``pagefind[bin]``, its binary inside the wheel) indexes Persian but folds
none of the ways readers type it differently: Arabic ي/ك, ASCII or Persian digits, a
space where a half-space belongs. So the indexed text is folded here with the same
fold the related-news matcher uses (``text.fold``), and the search page
(``static/js/search.js``) folds the query the same way before asking Pagefind.

Each word is folded on its own, so the folded text has exactly the words of the
readable text: Pagefind reports matches as word positions, and the search page marks
them in the readable text it finds in the record's ``text`` meta. A half-space inside
a word becomes a hyphen, which Pagefind indexes as the parts and the joined word:
«می‌شود» is found as «می شود», «می‌شود» and «میشود».
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from dataclasses import dataclass, field
from typing import Any

from pagefind.service import get_executable

from .dates import format_jalali
from .errors import BuildError, Problem
from .markup import plain_text
from .output import OutputFile
from .site import Site
from .text import ZWNJ, fold

SEARCH_DIR = "pagefind"  # under the output folder; the search page loads it from here
LANGUAGE = "fa"
# Pagefind's stock interfaces and highlighter: the site has a search page of its own.
_UNUSED = re.compile(r"^pagefind-(?:ui|modular-ui|component-ui|highlight)\.")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SearchRecord:
    """What Pagefind is given for one article.

    ``content`` is the title and body folded word by word; ``meta`` holds what the
    search page shows as it is (``title``, ``date``, ``county``, and ``text``, the
    readable title and body whose words ``content`` folds one to one).
    """

    url: str  # relative to the site's root, without a leading slash
    content: str
    meta: dict[str, str] = field(hash=False)
    filters: dict[str, list[str]] = field(hash=False)


def fold_words(text: str) -> str:
    """``text`` folded for the index, one folded word for each space-separated word.

    Half-spaces inside a word become hyphens (Pagefind indexes the parts and the whole);
    a word that folds into several (a ligature such as ﷲ) is joined the same way.
    """
    return " ".join(_SPACE.sub("-", fold(word)).replace(ZWNJ, "-") for word in text.split(" "))


def search_records(site: Site) -> tuple[SearchRecord, ...]:
    """One record per published article, in site order. Pure."""
    names = {t.config.name: t for t in site.taxonomies}
    records = []
    for article in site.articles:
        text = " ".join(part for part in (article.title, plain_text(article.body_html)) if part)
        meta = {"title": article.title, "date": format_jalali(article.date, "medium"), "text": text}
        filters = {"year": [str(article.jalali[0])]}
        for taxonomy, value in (("category", article.category), ("county", article.county)):
            if value and taxonomy in names:
                filters[taxonomy] = [names[taxonomy].find(value).name]
        if "county" in filters:
            meta["county"] = filters["county"][0]
        records.append(SearchRecord(article.url.lstrip("/"), fold_words(text), meta, filters))
    return tuple(records)


def render_search_index(site: Site) -> list[OutputFile]:
    """The Pagefind index of the site's articles and the runtime the search page loads,
    as files under ``pagefind/``. Raises ``BuildError`` when Pagefind cannot run."""
    records = search_records(site)
    with _Pagefind() as pagefind:
        index = pagefind.send({"type": "NewIndex", "config": {"force_language": LANGUAGE}})["index_id"]
        for record in records:
            pagefind.send({"type": "AddRecord", "index_id": index, "url": record.url, "content": record.content,
                           "language": LANGUAGE, "meta": record.meta, "filters": record.filters, "sort": None})
        files = pagefind.send({"type": "GetFiles", "index_id": index})["files"]
    return sorted((OutputFile(f"{SEARCH_DIR}/{f['path']}", base64.b64decode(f["content"]))
                   for f in files if not _UNUSED.match(f["path"])), key=lambda f: f.dest_path)


class _Pagefind:
    """Pagefind's indexing service (``pagefind --service``), spoken to directly.

    The wire format is the one the ``pagefind`` package's own client speaks (base64 JSON
    messages, each ended by a comma). That client waits 0.1 s before reading each
    answer, which makes 10,000 articles take 17 minutes; this one reads as soon as the
    answer arrives.
    """

    def __enter__(self) -> _Pagefind:
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
