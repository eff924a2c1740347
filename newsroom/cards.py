"""Share cards: the 1200×630 picture a messenger shows under a shared link.

A release with a photo gets the photo cropped to the card's shape. One without gets a
card with its Persian title, the organisation's name and the Jalali date, set in the
site's own Vazirmatn. Persian needs shaping (letters join) and right-to-left order:
Pillow does both only through libraqm, which loads the system's FriBiDi library
(Debian: ``libfribidi0``). Without it the letters would come out disjoined and
backwards, so no text cards are made then and the build says why.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps, features
from PIL import __version__ as pillow_version

from .cache import FileCache
from .dates import format_jalali
from .errors import Problem, display_path
from .images import open_upright
from .output import OutputFile

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TITLE_SIZES = (68, 60, 54, 48, 44)  # the largest at which the title fits in MAX_LINES
MAX_LINES = 4
INK, PAPER, ACCENT = (255, 255, 255), (11, 94, 74), (159, 225, 203)
FONT = "fonts/Vazirmatn-wght.woff2"  # under the site's static folder
_RECIPE = f"card-5 {WIDTH}x{HEIGHT} {TITLE_SIZES} {MAX_LINES} {INK} {PAPER} {ACCENT} {pillow_version}"
RAQM_MISSING = (
    "کارت‌های اشتراک بدون عکس ساخته نشد: Pillow برای چیدن حروف فارسی به libraqm و کتابخانهٔ FriBiDi "
    "نیاز دارد که روی این دستگاه نیست (در Debian/Ubuntu: apt-get install libfribidi0)؛ "
    "تا آن زمان پیش‌نمایش این خبرها نشان سازمان است"
)


@dataclass(frozen=True, slots=True)
class Card:
    """A made share card."""

    dest_path: str  # media/<key>.png or .jpg
    width: int
    height: int

    @property
    def url(self) -> str:
        """Site-relative URL."""
        return "/" + self.dest_path

    @property
    def digest(self) -> str:
        """What fingerprints take it by: its file's name digests all it is made from."""
        return self.dest_path


def can_set_persian() -> bool:
    """Whether Pillow can shape Persian text here (libraqm with FriBiDi)."""
    return bool(features.check("raqm"))


def wrap_title(title: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``title`` broken at spaces into lines no wider than ``width`` (as shaped, right to left)."""
    return [" ".join(line) for line in _wrap(title.split(), lambda words: _length(font, " ".join(words)), width)]


def _wrap(words: list[str], measure: Callable[[list[str]], float], width: float) -> list[list[str]]:
    """``words`` in lines whose ``measure`` is no more than ``width`` (a word too wide
    for any line gets one of its own)."""
    lines: list[list[str]] = []
    for word in words:
        if lines and measure(lines[-1] + [word]) <= width:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def _length(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text, direction="rtl", language="fa")


# Bidi classes after which a line is no longer its words laid right to left.
_LEFT_TO_RIGHT = frozenset({"L", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def _by_words(title: str) -> bool:
    """Whether ``title`` may be set word by word: right-to-left words, numbers and marks
    only. Spaces break every join, so each word shapes as it would in the line; a run of
    left-to-right words would read backwards, so such a title is set line by line."""
    return not any(unicodedata.bidirectional(character) in _LEFT_TO_RIGHT for character in title)


@lru_cache(maxsize=4096)
def _word(word: str, font_data: bytes, size: int) -> tuple[Image.Image, tuple[int, int]]:
    """One word of a title at ``size``: its coverage mask, and the mask's corner relative
    to the word's right end on the ascender line. Titles share many of their words, and
    shaping and rasterising dominate a card's cost."""
    return _mask(_font(font_data, size, 800), word, "ra")


def _mask(font: ImageFont.FreeTypeFont, text: str, anchor: str) -> tuple[Image.Image, tuple[int, int]]:
    """The coverage mask of ``text`` set right to left, and its corner relative to the
    anchor point: shaped and rasterised once (measuring it first would shape it twice)."""
    mask, corner = font.getmask2(text, "L", direction="rtl", language="fa", anchor=anchor)
    return Image.Image()._new(mask), corner


@lru_cache(maxsize=65536)
def _advance(word: str, font_data: bytes, size: int) -> float:
    """How far one word of a title at ``size`` moves the pen. A title is measured at
    several sizes to find the one it fits at, and drawn at only one: measuring alone
    needs no mask."""
    return _length(_font(font_data, size, 800), word)


def _line_width(words: list[str], font: ImageFont.FreeTypeFont, font_data: bytes, by_words: bool) -> float:
    """The width of ``words`` set as one line: word by word, or shaped whole."""
    if not by_words:
        return _length(font, " ".join(words))
    return sum(_advance(word, font_data, font.size) for word in words) + _advance(" ", font_data, font.size) * (
        len(words) - 1
    )


def _title_lines(title: str, font_data: bytes, column: int) -> tuple[ImageFont.FreeTypeFont, list[list[str]], bool]:
    """The title's type, its lines (as words) and whether they are set word by word
    (``_by_words``): the largest size at which it fits in ``MAX_LINES``, or the smallest
    with the last line cut short by an ellipsis."""
    by_words = _by_words(title)
    for size in TITLE_SIZES:
        font = _font(font_data, size, 800)
        lines = _wrap(title.split(), partial(_line_width, font=font, font_data=font_data, by_words=by_words), column)
        if len(lines) <= MAX_LINES:
            return font, lines, by_words
    last = lines[MAX_LINES - 1] + ["…"]
    while len(last) > 1 and _line_width(last, font, font_data, by_words) > column:
        last = last[:-2] + ["…"]
    return font, lines[: MAX_LINES - 1] + [last], by_words


@lru_cache(maxsize=16)
def _font(data: bytes, size: int, weight: int) -> ImageFont.FreeTypeFont:
    # Opening the WOFF2 costs more than setting a whole card: keep the few sizes used.
    font = ImageFont.truetype(io.BytesIO(data), size, layout_engine=ImageFont.Layout.RAQM)
    font.set_variation_by_axes([weight])
    return font


# Sixteen colours, so that a card is a 4-bit PNG: half the bytes to compress of an 8-bit
# one. Indices 0–10 go from paper to ink by the ink's coverage, and 11–15 from paper to
# the accent where the accent is (the date: fewer steps suffice for one short line).
_FULL_INK = 10  # laid through a coverage mask, it blends into the 0–10 ramp
_ACCENT_STEPS = 5
_ACCENT_INDEX = [_FULL_INK + round(v * _ACCENT_STEPS / 255) for v in range(256)]  # coverage → index
_ACCENT_SHOWN = [255 if index > _FULL_INK else 0 for index in _ACCENT_INDEX]  # where the accent replaces the ink
_PALETTE = [
    round(p + (c - p) * step / _FULL_INK) for step in range(_FULL_INK + 1) for p, c in zip(PAPER, INK, strict=True)
] + [
    round(p + (c - p) * step / _ACCENT_STEPS)
    for step in range(1, _ACCENT_STEPS + 1)
    for p, c in zip(PAPER, ACCENT, strict=True)
]


@lru_cache(maxsize=64)
def _footer_line(text: str, font_data: bytes, anchor: str) -> tuple[Image.Image, tuple[int, int]]:
    """The coverage mask of ``text`` in the footer's type, and its corner relative to the anchor."""
    return _mask(_font(font_data, 32, 500), text, anchor)


@lru_cache(maxsize=64)
def _footer_accent(text: str, font_data: bytes) -> tuple[Image.Image, Image.Image, tuple[int, int]]:
    """``text`` set at the footer's left in the accent: its palette indices, where they
    show (a paste mask), and its corner relative to the anchor."""
    mask, corner = _footer_line(text, font_data, "ld")
    return mask.point(_ACCENT_INDEX), mask.point(_ACCENT_SHOWN), corner


def text_card(title: str, organization: str, date_text: str, font_data: bytes) -> Image.Image:
    """The card of a release without a photo: title, organisation and date, right-aligned.

    Text is drawn as coverage masks straight into the indices of a 16-colour palette
    (paper to ink, paper to accent): small PNGs without a quantizer or a pass to map them.
    """
    card = Image.new("L", (WIDTH, HEIGHT), 0)
    font, lines, by_words = _title_lines(title, font_data, WIDTH - 2 * MARGIN)
    leading = round(font.size * 1.6)
    top = MARGIN + max(0, (HEIGHT - 2 * MARGIN - 90 - leading * len(lines)) // 2)
    space = _advance(" ", font_data, font.size) if by_words else 0.0
    for number, line in enumerate(lines):
        y = top + number * leading
        if not by_words:
            ImageDraw.Draw(card).text(
                (WIDTH - MARGIN, y),
                " ".join(line),
                font=font,
                fill=_FULL_INK,
                anchor="ra",
                direction="rtl",
                language="fa",
            )
            continue
        right = float(WIDTH - MARGIN)  # words go right to left, a space apart
        for word in line:
            mask, (left, up) = _word(word, font_data, font.size)
            card.paste(_FULL_INK, (round(right) + left, y + up), mask)
            right -= _advance(word, font_data, font.size) + space
    # The organisation (the same on every card) and the date (shared by a day's releases)
    # are set once and pasted: blending ink through a coverage mask is what drawing does.
    mask, (left, up) = _footer_line(organization, font_data, "rd")
    card.paste(_FULL_INK, (WIDTH - MARGIN + left, HEIGHT - MARGIN + up), mask)
    indices, where, (left, up) = _footer_accent(date_text, font_data)
    card.paste(indices, (MARGIN + left, HEIGHT - MARGIN + up), where)
    # The rule last: it stays full accent where the date's edge would touch it.
    ImageDraw.Draw(card).line(
        [(MARGIN, HEIGHT - MARGIN - 64), (WIDTH - MARGIN, HEIGHT - MARGIN - 64)], fill=_ACCENT_INDEX[255], width=3
    )
    card.putpalette(_PALETTE)  # the indices become a P image, without a copy
    return card


def photo_card(photo: bytes) -> Image.Image:
    """The card of a release with a photo: the photo cropped to the card's shape."""
    picture = open_upright(photo).convert("RGB")
    return ImageOps.fit(picture, (WIDTH, HEIGHT), Image.Resampling.LANCZOS)


@lru_cache(maxsize=2)
def _font_file(path: str) -> bytes:
    return Path(path).read_bytes()


def _card_file(
    name: str, title: str | None, organization: str, date_text: str, font: str | None, photo: str | None
) -> dict[str, bytes] | None:
    """The file of one card, by its name; None when its photo (a path) cannot be read."""
    if photo is None:
        return {name: _png(text_card(title or "", organization, date_text, _font_file(font or "")))}
    try:
        return {name: _jpeg(photo_card(Path(photo).read_bytes()))}
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


# _card_file's arguments: name, title, organisation, date line, font file, photo file.
_CardWork = tuple[str, str | None, str, str, str | None, str | None]


class CardMaker:
    """Share cards made once per content (kept across builds in the file cache)."""

    def __init__(self, files: FileCache, static_dir: Path, organization: str, jobs: int = 1):
        self.cache = files
        self.organization = organization
        self.jobs = jobs
        font = static_dir / FONT
        self.font = str(font.absolute())  # workers read it themselves: less to send them
        self.font_data = font.read_bytes() if font.is_file() else None
        # Part of every text card's key: hashed once, not once per release.
        self.font_digest = hashlib.sha256(self.font_data).digest() if self.font_data is not None else None
        self.notice: str | None = None
        if not can_set_persian():
            self.notice = RAQM_MISSING
        elif self.font_data is None:
            self.notice = f"کارت‌های اشتراک بدون عکس ساخته نشد: قلم {display_path(font)} پیدا نشد"
        self._cards: dict[str, Card] = {}
        self._outputs: dict[str, OutputFile] = {}

    def prepare(self, releases: list[tuple[str, str, datetime, Path | None]]) -> list[Problem]:
        """Make the cards of ``releases`` — (URL, title, date, photo or None) — not made
        before, in parallel. Problems name photos that could not be read; a photo that reads
        but does not decode is left to the photo library to report, and gets no card."""
        problems: list[Problem] = []
        items: dict[str, _CardWork] = {}  # the work of making each card, by its file's name
        wanted: dict[str, str] = {}  # the card's file name, by release URL
        date_texts: dict[date, str] = {}  # a day's releases share their date line
        for url, title, moment, photo in releases:
            if photo is not None:
                try:
                    data = photo.read_bytes()
                except OSError as exc:
                    problems.append(Problem(display_path(photo), 0, f"عکس خوانده نشد: {exc.strerror}"))
                    continue
                name = self._key(data) + ".jpg"
                item: _CardWork = (name, None, "", "", None, str(photo))
            elif self.notice is None:
                day = moment.date()  # the long form names the day only: its weekday and date
                if day not in date_texts:
                    date_texts[day] = format_jalali(moment, "long")
                date_text = date_texts[day]
                name = self._key(f"{title}\0{self.organization}\0{date_text}".encode(), self.font_digest) + ".png"
                item = (name, title, self.organization, date_text, self.font, None)
            else:
                continue  # no text cards here: the page previews the logo
            wanted[url] = name
            items.setdefault(name, item)
        files = self.cache.get_many(items)
        work = [item for name, item in items.items() if name not in files]
        for made in self.cache.fill(_card_file, work, self.jobs):
            files.update(made or {})  # a card that failed has no file, and no release shows it
        for url, name in wanted.items():
            if name in files:
                self._cards[url] = Card(f"media/{name}", WIDTH, HEIGHT)
                # The name digests everything the card is made from: it is the fingerprint.
                self._outputs[name] = OutputFile(
                    f"media/{name}", source=files[name], fingerprint=name, linkable=self.cache.disposable
                )
        return problems

    def card(self, url: str) -> Card | None:
        """The card prepared for the release at ``url``, if any."""
        return self._cards.get(url)

    def _key(self, *parts: bytes | None) -> str:
        digest = hashlib.sha256(_RECIPE.encode())
        for part in parts:
            digest.update(b"\0" + (part or b""))
        return digest.hexdigest()[:20]

    def outputs(self) -> list[OutputFile]:
        """The files of every prepared card (one per distinct card)."""
        return [self._outputs[name] for name in sorted(self._outputs)]


def _png(card: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # zlib's run-length strategy suits flat paper and text: well under half the default's
    # time, for a file about a sixth larger. Four bits a pixel halve what it compresses.
    card.save(buffer, "PNG", compress_type=zlib.Z_RLE, bits=4)
    return buffer.getvalue()


def _jpeg(card: Image.Image) -> bytes:
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()
