"""Persian text: normalisation, digits, slugs and collation.

Display normalisation only changes what no reader would want to keep: Arabic ي/ك
become Persian ی/ک, Arabic-Indic digits become Persian, tatweel and invisible
direction marks go, and runs of half-spaces (ZWNJ) collapse to one.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"

_DISPLAY_TABLE = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf
        "ـ": None,  # tatweel
        "\u200b": None,  # zero-width space
        "\u200e": None,  # LRM
        "\u200f": None,  # RLM
        "\u061c": None,  # Arabic letter mark
        "\ufeff": None,  # BOM / zero-width no-break space
        "\u00ad": ZWNJ,  # soft hyphen pasted from Word where a half-space was meant
        **{chr(c): None for c in range(0x202A, 0x202F)},  # embeddings and overrides
        **{chr(c): None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)},  # control codes
        **{chr(c): None for c in range(0x2066, 0x206A)},  # isolates
        **{a: p for a, p in zip(ARABIC_DIGITS, PERSIAN_DIGITS)},
    }
)
_NEEDS_DISPLAY_FIX = re.compile("[" + re.escape("".join(chr(c) for c in _DISPLAY_TABLE)) + "]")
_TO_ASCII_DIGITS = str.maketrans(
    {**{p: str(i) for i, p in enumerate(PERSIAN_DIGITS)}, **{a: str(i) for i, a in enumerate(ARABIC_DIGITS)}}
)
_TO_PERSIAN_DIGITS = str.maketrans(
    {**{str(i): p for i, p in enumerate(PERSIAN_DIGITS)}, **{a: p for a, p in zip(ARABIC_DIGITS, PERSIAN_DIGITS)}}
)
# A half-space typed next to spaces, or several in a row, is one half-space.
_ZWNJ_RUN = re.compile(f"[ \t]*{ZWNJ}[{ZWNJ} \t]*")
_SPACES = re.compile(r"\s+")
_ASCII_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NOT_SLUG_CHAR = re.compile(r"[^\w-]+")
_DASHES = re.compile(r"[-_\s]+")

_ALPHABET = "آاأإءئؤبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهۀةی"
_COLLATION = {ch: i for i, ch in enumerate(_ALPHABET)}


def normalize_text(text: str) -> str:
    """Display-safe normalisation of running text; newlines and indentation are kept."""
    # The checks are cheap and most text needs nothing: translate() is slow on long text.
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _NEEDS_DISPLAY_FIX.search(text):
        text = text.translate(_DISPLAY_TABLE)
    if ZWNJ in text:
        text = _ZWNJ_RUN.sub(ZWNJ, text)
    return text


def normalize_line(text: str) -> str:
    """Normalise a one-line value (title, term): also collapses spaces and trims edges."""
    return _ZWNJ_RUN.sub(ZWNJ, _SPACES.sub(" ", normalize_text(text))).strip(" " + ZWNJ)


def to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits → ASCII digits (for parsing and URLs)."""
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(value: object) -> str:
    """ASCII and Arabic-Indic digits → Persian digits (for everything a person reads)."""
    return str(value).translate(_TO_PERSIAN_DIGITS)


def slugify_term(text: str) -> str:
    """A readable, stable URL segment for a Persian term or heading.

    Letters are kept (Persian stays Persian); spaces and half-spaces become hyphens so
    «بسته های معیشتی» and «بسته‌های معیشتی» share one slug; digits become ASCII;
    diacritics and punctuation go. Idempotent; may return "" for text with no letters.
    """
    text = to_ascii_digits(normalize_line(text)).lower().replace(ZWNJ, "-")
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    text = _NOT_SLUG_CHAR.sub("-", text)
    return _DASHES.sub("-", text).strip("-")


def ascii_slugify(text: str) -> str:
    """An ASCII slug (a-z, 0-9, hyphen) from a file name, or "" when nothing ASCII is left."""
    text = unicodedata.normalize("NFKD", to_ascii_digits(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def is_ascii_slug(text: str) -> bool:
    """True for a slug made of lower-case ASCII letters and digits joined by single hyphens."""
    return bool(_ASCII_SLUG.match(text))


def persian_sort_key(text: str) -> tuple:
    """Sort key in Persian alphabetical order (پ چ ژ گ in their places, not after ی)."""
    # Spaces and half-spaces sort before every letter, as in a dictionary.
    return tuple(
        -1 if ch in (" ", ZWNJ) else _COLLATION.get(ch, len(_ALPHABET) + ord(ch))
        for ch in normalize_line(text)
    )
