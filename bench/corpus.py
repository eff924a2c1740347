"""Generate a synthetic folder of Persian press releases for benchmarks.

Deterministic for a given seed: 300–900 words each from a Zipf-distributed vocabulary
of 20,000 Persian-looking words plus the office's boilerplate, story threads of about
eight releases sharing their own words and months, mixed date spellings, Arabic and
Persian letters, list and string tags, some untagged releases.

    python bench/corpus.py 10000 /tmp/corpus
"""

from __future__ import annotations

import argparse
import itertools
import random
from pathlib import Path

COUNTIES = ["سمنان", "شاهرود", "دامغان", "گرمسار", "مهدی‌شهر", "میامی", "سرخه", "آرادان"]
CATEGORIES = ["اشتغال و کارآفرینی", "محرومیت‌زدایی", "سلامت", "کشاورزی", "آموزش", "پیام‌ها"]
TAGS = [
    "کمک مؤمنانه",
    "كمك مؤمنانه",
    "بسته‌های معیشتی",
    "بسته های معیشتی",
    "طبیب روستا",
    "گلخانه",
    "زعفران",
    "مدرسه‌سازی",
    "اشتغال بانوان",
    "صندوق خرد محلی",
    "قرض‌الحسنه",
    "واکسیناسیون",
    "واكسيناسيون",
    "اردوی جهادی",
    "مشاغل خانگی",
    "آب شرب",
    "مسکن روستایی",
    "پسته",
    "آموزش مهارتی",
]
WORDS = [
    "سازمان",
    "بسیج",
    "سازندگی",
    "استان",
    "با",
    "همکاری",
    "دهیاری",
    "و",
    "بخشداری",
    "در",
    "روستای",
    "گل\u200cدشت",
    "طرح",
    "تازه\u200cای",
    "را",
    "آغاز",
    "کرد",
    "که",
    "به",
    "گفتهٔ",
    "مسئولان",
    "برای",
    "ایجاد",
    "اشتغال",
    "پایدار",
    "و",
    "محرومیت\u200cزدایی",
    "از",
    "خانواده\u200cهای",
    "کم\u200cبرخوردار",
    "اجرا",
    "می\u200cشود",
    "رئیس",
    "سازمان",
    "در",
    "این",
    "مراسم",
    "گفت",
    "جهادگران",
    "با",
    "تمام",
    "توان",
    "در",
    "کنار",
    "مردم",
    "هستند",
    "و",
    "پروژه\u200cهای",
    "نیمه\u200cتمام",
    "تا",
    "پایان",
    "سال",
    "به",
    "بهره\u200cبرداری",
    "می\u200cرسد",
    "همچنین",
    "بسته\u200cهای",
    "معیشتی",
    "و",
    "تسهیلات",
    "قرض\u200cالحسنه",
    "میان",
    "متقاضیان",
    "توزیع",
    "شد",
    "و",
    "گروه\u200cهای",
    "پزشکی",
    "در",
    "اردوی",
    "جهادی",
    "به",
    "معاینهٔ",
    "رایگان",
    "بیماران",
    "پرداختند",
]
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def date_spelling(rng: random.Random, year: int, month: int, day: int) -> str:
    style = rng.randrange(5)
    if style == 0:
        return f"{year}-{month:02d}-{day:02d}"
    if style == 1:
        return f"{year}/{month}/{day}"
    if style == 2:
        return '"' + f"{year}/{month:02d}/{day:02d}".translate(PERSIAN) + '"'
    if style == 3:
        return f"{year}-{month:02d}-{day:02d} {rng.randrange(7, 20)}:{rng.choice(['00', '15', '30', '45'])}"
    return f"{year}/{month:02d}/{day:02d}"


SYLLABLES = (
    "با",
    "را",
    "مه",
    "دان",
    "گل",
    "سر",
    "شه",
    "نو",
    "کا",
    "ری",
    "زا",
    "پس",
    "تا",
    "بر",
    "خو",
    "دی",
    "لا",
    "من",
    "فر",
    "کو",
    "سا",
    "هم",
    "ور",
    "نی",
    "جو",
    "ده",
    "رس",
    "مو",
    "پا",
    "شی",
    "گا",
    "زی",
)


def vocabulary(rng: random.Random, size: int = 20000) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choices(SYLLABLES, k=rng.randrange(2, 4)))] = None
    return list(words)


class Writer:
    """Releases of one corpus: shared vocabulary, threads of about eight releases."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(self.words))))

    def sample(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def release(self, index: int) -> str:
        rng = self.rng
        thread = random.Random(index // 8)
        topic = thread.sample(self.words[200:], 12)
        start = thread.randrange(0, 9 * 365)
        year, month, day = jalali(1395, start + rng.randrange(0, 120))
        title = " ".join(rng.sample(topic, 3) + self.sample(5))
        lines = ["---", f"title: {title} {index}", f"date: {date_spelling(rng, year, month, day)}"]
        if rng.random() < 0.85:
            tags = rng.sample(TAGS, rng.randrange(1, 5))
            lines.append(f"tags: [{', '.join(tags)}]" if rng.random() < 0.5 else f"tags: {'، '.join(tags)}")
        lines.append(f"category: {thread.choice(CATEGORIES)}")
        if rng.random() < 0.9:
            lines.append(f"county: {thread.choice(COUNTIES)}")
        if rng.random() < 0.5:
            lines.append(f"summary: {' '.join(rng.sample(topic, 4) + self.sample(12))}.")
        lines.append("---")
        paragraphs = []
        for _ in range(rng.randrange(4, 9)):
            words = self.sample(rng.randrange(40, 90)) + rng.sample(WORDS, 12) + rng.sample(topic, 3)
            rng.shuffle(words)
            paragraphs.append(" ".join(words) + ".")
        return "\n".join(lines) + "\n" + "\n\n".join(paragraphs) + "\n"


def jalali(first_year: int, days: int) -> tuple[int, int, int]:
    """The Jalali date ``days`` after 1 Farvardin of ``first_year`` (30-day months are fine here)."""
    year, rest = first_year + days // 365, days % 365
    month = min(12, rest // 31 + 1) if rest < 186 else min(12, 7 + (rest - 186) // 30)
    day = rest - (31 * (month - 1) if month <= 6 else 186 + 30 * (month - 7)) + 1
    return year, month, max(1, min(day, 29 if month == 12 else 30 if month > 6 else 31))


def write_corpus(count: int, folder: Path, seed: int = 1403) -> None:
    """Write ``count`` releases into ``folder/<jalali year>/n<index>.md``."""
    writer = Writer(seed)
    for index in range(count):
        text = writer.release(index)
        year = to_ascii(text.split("date: ", 1)[1].strip('"'))[:4]
        path = folder / year / f"n{index:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def to_ascii(text: str) -> str:
    return text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1403)
    args = parser.parse_args()
    write_corpus(args.count, args.folder, args.seed)
