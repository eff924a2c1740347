"""Generate a synthetic folder of Persian press releases for benchmarks.

Deterministic for a given seed: mixed date spellings, Arabic and Persian letters,
list and string tags, some untagged releases, story-like shared vocabulary.

    python bench/corpus.py 10000 /tmp/corpus
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

COUNTIES = ["سمنان", "شاهرود", "دامغان", "گرمسار", "مهدی‌شهر", "میامی", "سرخه", "آرادان"]
CATEGORIES = ["اشتغال و کارآفرینی", "محرومیت‌زدایی", "سلامت", "کشاورزی", "آموزش", "پیام‌ها"]
TAGS = ["کمک مؤمنانه", "كمك مؤمنانه", "بسته‌های معیشتی", "بسته های معیشتی", "طبیب روستا", "گلخانه",
        "زعفران", "مدرسه‌سازی", "اشتغال بانوان", "صندوق خرد محلی", "قرض‌الحسنه", "واکسیناسیون",
        "واكسيناسيون", "اردوی جهادی", "مشاغل خانگی", "آب شرب", "مسکن روستایی", "پسته", "آموزش مهارتی"]
WORDS = ("سازمان بسیج سازندگی استان با همکاری دهیاری و بخشداری در روستای گل‌دشت طرح تازه‌ای را آغاز کرد "
         "که به گفتهٔ مسئولان برای ایجاد اشتغال پایدار و محرومیت‌زدایی از خانواده‌های کم‌برخوردار اجرا می‌شود "
         "رئیس سازمان در این مراسم گفت جهادگران با تمام توان در کنار مردم هستند و پروژه‌های نیمه‌تمام "
         "تا پایان سال به بهره‌برداری می‌رسد همچنین بسته‌های معیشتی و تسهیلات قرض‌الحسنه میان متقاضیان "
         "توزیع شد و گروه‌های پزشکی در اردوی جهادی به معاینهٔ رایگان بیماران پرداختند").split()
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


def release(rng: random.Random, index: int) -> str:
    year = rng.choice(range(1395, 1404))
    month = rng.randrange(1, 13)
    day = rng.randrange(1, 30 if month == 12 else 31 if month > 6 else 32)
    lines = ["---", f"title: {' '.join(rng.sample(WORDS, 9))} {index}", f"date: {date_spelling(rng, year, month, day)}"]
    if rng.random() < 0.85:
        tags = rng.sample(TAGS, rng.randrange(1, 5))
        lines.append(f"tags: [{', '.join(tags)}]" if rng.random() < 0.5 else f"tags: {'، '.join(tags)}")
    lines.append(f"category: {rng.choice(CATEGORIES)}")
    if rng.random() < 0.9:
        lines.append(f"county: {rng.choice(COUNTIES)}")
    if rng.random() < 0.5:
        lines.append(f"summary: {' '.join(rng.sample(WORDS, 20))}.")
    lines.append("---")
    paragraphs = [" ".join(rng.choices(WORDS, k=rng.randrange(50, 120))) + "." for _ in range(rng.randrange(4, 8))]
    return "\n".join(lines) + "\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(count: int, folder: Path, seed: int = 1403) -> None:
    """Write ``count`` releases into ``folder/<jalali year>/n<index>.md``."""
    rng = random.Random(seed)
    for index in range(count):
        text = release(rng, index)
        year = text.split("date: ", 1)[1][:5].strip('"').translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))[:4]
        path = folder / year / f"n{index:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1403)
    args = parser.parse_args()
    write_corpus(args.count, args.folder, args.seed)
