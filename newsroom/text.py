"""Persian text: normalisation, digits, slugs, collation, and tokens for matching.

Display normalisation only changes what no reader would want to keep: Arabic ي/ك
become Persian ی/ک, Arabic-Indic digits become Persian, tatweel and invisible
direction marks go, and runs of half-spaces (ZWNJ) collapse to one. The search fold
goes further (hamza forms, diacritics, ASCII digits) for comparing text, never for
showing it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

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
        **{chr(c): None for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)},  # control codes
        **{chr(c): None for c in range(0x2066, 0x206A)},  # isolates
        **dict(zip(ARABIC_DIGITS, PERSIAN_DIGITS, strict=True)),
    }
)
_TO_ASCII_DIGITS = str.maketrans(
    {**{p: str(i) for i, p in enumerate(PERSIAN_DIGITS)}, **{a: str(i) for i, a in enumerate(ARABIC_DIGITS)}}
)
_TO_PERSIAN_DIGITS = str.maketrans(
    {**{str(i): p for i, p in enumerate(PERSIAN_DIGITS)}, **dict(zip(ARABIC_DIGITS, PERSIAN_DIGITS, strict=True))}
)
# A half-space typed next to spaces, or several in a row, is one half-space.
_ZWNJ_RUN = re.compile(f"[ \t]*{ZWNJ}[{ZWNJ} \t]*")
_SPACES = re.compile(r"\s+")
_ASCII_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NOT_SLUG_CHAR = re.compile(r"[^\w-]+")
_DASHES = re.compile(r"[-_\s]+")

_ALPHABET = "آاأإءئؤبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهۀةی"
_COLLATION = {ch: i for i, ch in enumerate(_ALPHABET)}


def _mapper(table: Mapping[int, str | None]) -> Callable[[str], str]:
    """A fast ``str.translate`` for tables that touch few characters of a text."""
    chars = {chr(code): (value or "") for code, value in table.items()}
    pattern = re.compile("[" + re.escape("".join(chars)) + "]")

    def translate(text: str) -> str:
        return pattern.sub(lambda m: chars[m[0]], text)

    return translate


_display_fix = _mapper(_DISPLAY_TABLE)
_ascii_digits = _mapper(_TO_ASCII_DIGITS)
_persian_digits = _mapper(_TO_PERSIAN_DIGITS)


def normalize_text(text: str) -> str:
    """Display-safe normalisation of running text; newlines and indentation are kept."""
    text = unicodedata.normalize("NFC", text)
    text = _display_fix(text)
    if ZWNJ in text:
        text = _ZWNJ_RUN.sub(ZWNJ, text)
    return text


def normalize_line(text: str) -> str:
    """Normalise a one-line value (title, term): also collapses spaces and trims edges."""
    return _ZWNJ_RUN.sub(ZWNJ, _SPACES.sub(" ", normalize_text(text))).strip(" " + ZWNJ)


def to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits → ASCII digits (for parsing and URLs)."""
    return _ascii_digits(text)


def to_persian_digits(value: object) -> str:
    """ASCII and Arabic-Indic digits → Persian digits (for everything a person reads)."""
    return _persian_digits(str(value))


@lru_cache(maxsize=1 << 16)  # terms repeat across thousands of releases
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


def persian_sort_key(text: str) -> tuple[int, ...]:
    """Sort key in Persian alphabetical order (پ چ ژ گ in their places, not after ی)."""
    # Spaces and half-spaces sort before every letter, as in a dictionary.
    return tuple(
        -1 if ch in (" ", ZWNJ) else _COLLATION.get(ch, len(_ALPHABET) + ord(ch)) for ch in normalize_line(text)
    )


# Search fold: what readers and staff type differently but mean the same.
_fold_letters = _mapper(
    # Hamza forms and madda to bare alef, waw and yeh; tāʾ marbūṭa and heh with yeh to heh;
    # Arabic kaf and yeh to Persian.
    {**_TO_ASCII_DIGITS, **{ord(a): b for a, b in zip("أإٱآؤئةۀكيى", "ااااویههکیی", strict=True)}}
)
_WORD = re.compile(r"[^\W_]+")
_DIACRITICS = re.compile("[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_COMPATIBILITY = re.compile("[\ufb50-\ufdff\ufe70-\ufeff\uff00-\uffef]")
# Pieces a half-space splits off words («کتاب‌ها», «می‌شود»): never topics on their own.
_AFFIXES = (
    "ها",
    "های",
    "هایی",
    "ای",
    "ی",
    "تر",
    "ترین",
    "تری",
    "می",
    "نمی",
    "ام",
    "ات",
    "اش",
    "اند",
    "ایم",
    "اید",
    "یم",
    "ید",
    "شان",
    "مان",
    "تان",
)


def fold(text: str) -> str:
    """Fold text for matching: display fixes, compatibility forms (NFKC), no diacritics,
    one form of alef, waw, yeh and heh, ASCII digits, lower case."""
    text = _display_fix(text)
    # NFKC is slow on Persian text and changes only presentation forms (from PDFs) and
    # full-width characters; diacritics and madda are dropped below in any case.
    if _COMPATIBILITY.search(text):
        text = unicodedata.normalize("NFKC", text)
    return _fold_letters(_DIACRITICS.sub("", text)).lower()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Persian stopwords (hazm's list, folded, split at half-spaces) and split-off affixes."""
    lines = (Path(__file__).parent / "data" / "stopwords-fa.txt").read_text(encoding="utf-8").splitlines()
    words = {part for line in lines if line and not line.startswith("#") for part in _WORD.findall(fold(line))}
    return frozenset(words | set(_AFFIXES))


def tokenize(text: str) -> list[str]:
    """Content words of ``text``, folded: no stopwords, no numbers, no single letters.

    Half-spaces split words, so «بسته‌های» and «بسته های» give the same tokens.
    """
    stop = stopwords()
    return [w for w in _WORD.findall(fold(text).replace(ZWNJ, " ")) if len(w) > 1 and not w.isdigit() and w not in stop]


_LATIN = {
    "ا": "a",
    "آ": "a",
    "أ": "a",
    "إ": "e",
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "s",
    "ج": "j",
    "چ": "ch",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "z",
    "ر": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "z",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "gh",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ء": "",
    "ئ": "y",
    "ؤ": "o",
    "ة": "e",
}


def transliterate(text: str) -> str:
    """A readable ASCII slug for Persian text: «توزیع بسته معیشتی» → «tozi-baste-maishati».

    Short vowels are not written in Persian, so this is a guide, not a pronunciation:
    و and ی between letters read as o and i, ه at a word's end as e.
    """
    words = []
    for word in re.findall(r"[^\W_]+", to_ascii_digits(normalize_line(text)).replace(ZWNJ, " ")):
        letters = []
        for index, ch in enumerate(word):
            first, last = index == 0, index == len(word) - 1
            if ch == "و":
                letters.append("v" if first else "o")
            elif ch == "ی":
                letters.append("y" if first else "i")
            elif ch == "ه":
                letters.append("e" if last and not first else "h")
            else:
                letters.append(_LATIN.get(ch, ch))
        words.append("".join(letters))
    slug = ascii_slugify(" ".join(words))
    return slug[:60].rsplit("-", 1)[0] if len(slug) > 60 else slug
