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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps, features

from .cache import FileCache
from .dates import format_jalali
from .errors import BuildError, Problem, display_path
from .images import open_upright
from .output import OutputFile

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TITLE_SIZES = (68, 60, 54, 48, 44)  # the largest at which the title fits in MAX_LINES
MAX_LINES = 4
INK, PAPER, ACCENT = (255, 255, 255), (11, 94, 74), (159, 225, 203)
FONT = "fonts/Vazirmatn-wght.woff2"  # under the site's static folder
_RECIPE = f"card-2 {WIDTH}x{HEIGHT} {TITLE_SIZES} {MAX_LINES} {INK} {PAPER} {ACCENT} {Image.__version__}"
RAQM_MISSING = ("کارت‌های اشتراک بدون عکس ساخته نشد: Pillow برای چیدن حروف فارسی به libraqm و کتابخانهٔ FriBiDi "
                "نیاز دارد که روی این دستگاه نیست (در Debian/Ubuntu: apt-get install libfribidi0)؛ "
                "تا آن زمان پیش‌نمایش این خبرها نشان سازمان است")


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


def can_set_persian() -> bool:
    """Whether Pillow can shape Persian text here (libraqm with FriBiDi)."""
    return bool(features.check("raqm"))


def wrap_title(title: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``title`` broken at spaces into lines no wider than ``width`` (as shaped, right to left)."""
    lines: list[str] = []
    for word in title.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and _length(font, candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _length(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text, direction="rtl", language="fa")


def _font(data: bytes, size: int, weight: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(io.BytesIO(data), size, layout_engine=ImageFont.Layout.RAQM)
    font.set_variation_by_axes([weight])
    return font


def text_card(title: str, organization: str, date_text: str, font_data: bytes) -> Image.Image:
    """The card of a release without a photo: title, organisation and date, right-aligned."""
    card = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(card)
    column = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        font = _font(font_data, size, 800)
        lines = wrap_title(title, font, column)
        if len(lines) <= MAX_LINES:
            break
    else:
        lines = lines[:MAX_LINES]
        while lines[-1] and _length(font, lines[-1] + " …") > column:
            lines[-1] = lines[-1].rpartition(" ")[0]
        lines[-1] += " …"
    leading = round(font.size * 1.6)
    top = MARGIN + max(0, (HEIGHT - 2 * MARGIN - 90 - leading * len(lines)) // 2)
    for number, line in enumerate(lines):
        draw.text((WIDTH - MARGIN, top + number * leading), line, font=font, fill=INK, anchor="ra",
                  direction="rtl", language="fa")
    small = _font(font_data, 32, 500)
    draw.line([(MARGIN, HEIGHT - MARGIN - 64), (WIDTH - MARGIN, HEIGHT - MARGIN - 64)], fill=ACCENT, width=3)
    draw.text((WIDTH - MARGIN, HEIGHT - MARGIN), organization, font=small, fill=INK, anchor="rd",
              direction="rtl", language="fa")
    draw.text((MARGIN, HEIGHT - MARGIN), date_text, font=small, fill=ACCENT, anchor="ld",
              direction="rtl", language="fa")
    return card


def photo_card(photo: bytes) -> Image.Image:
    """The card of a release with a photo: the photo cropped to the card's shape."""
    picture = open_upright(photo).convert("RGB")
    return ImageOps.fit(picture, (WIDTH, HEIGHT), Image.Resampling.LANCZOS)


class CardMaker:
    """Share cards made once per content (and kept across builds in the file cache)."""

    def __init__(self, files: FileCache, static_dir: Path, organization: str):
        self.cache = files
        self.organization = organization
        font = static_dir / FONT
        self.font_data = font.read_bytes() if font.is_file() else None
        self.notice: str | None = None
        if not can_set_persian():
            self.notice = RAQM_MISSING
        elif self.font_data is None:
            self.notice = f"کارت‌های اشتراک بدون عکس ساخته نشد: قلم {display_path(font)} پیدا نشد"
        self._outputs: list[OutputFile] = []

    def card(self, title: str, date: datetime, photo: Path | None) -> Card | None:
        """The card of a release titled ``title``; None when text cards cannot be made here.

        Raises ``BuildError`` when the photo cannot be read."""
        if photo is not None:
            try:
                data = photo.read_bytes()
            except OSError as exc:
                raise BuildError([Problem(display_path(photo), 0, f"عکس خوانده نشد: {exc.strerror}")]) from None
            key = self._key(data)
            name, make = f"{key}.jpg", lambda: _jpeg(photo_card(data))
        elif self.notice is None:
            date_text = format_jalali(date, "long")
            key = self._key(f"{title}\0{self.organization}\0{date_text}".encode(), self.font_data)
            name, make = f"{key}.png", lambda: _png(text_card(title, self.organization, date_text, self.font_data))
        else:
            return None
        stored = self.cache.get(name)
        if stored is None:
            try:
                stored = self.cache.put(name, make())
            except (OSError, ValueError, Image.DecompressionBombError):
                raise BuildError([Problem(display_path(photo or Path(FONT)), 0,
                                          "کارت اشتراک ساخته نشد: فایل خوانده نشد")]) from None
        card = Card(f"media/{name}", WIDTH, HEIGHT)
        self._outputs.append(OutputFile(card.dest_path, source=stored))
        return card

    def _key(self, *parts: bytes | None) -> str:
        digest = hashlib.sha256(_RECIPE.encode())
        for part in parts:
            digest.update(b"\0" + (part or b""))
        return digest.hexdigest()[:20]

    def outputs(self) -> list[OutputFile]:
        """The files of every card made so far (one per distinct card)."""
        return sorted({f.dest_path: f for f in self._outputs}.values(), key=lambda f: f.dest_path)


def _png(card: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # A flat background and anti-aliased text need few colours: a palette keeps the file small.
    card.quantize(16, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(card: Image.Image) -> bytes:
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()
