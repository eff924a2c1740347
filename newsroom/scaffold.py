"""``build.py new``: a new release file with today's Jalali date and a filled skeleton."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .config import SiteConfig
from .dates import jalali_date
from .errors import BuildError, Problem, display_path
from .text import is_ascii_slug, transliterate


def new_release(config: SiteConfig, title: str, now: datetime, slug: str | None = None) -> Path:
    """Write a new draft release for ``title`` under ``content/<Jalali year>/`` and return
    its path. Never overwrites: an existing file is a ``BuildError``."""
    problems = []
    if not title.strip():
        problems.append(Problem("build.py new", 0, 'عنوان خبر را بدهید: python build.py new "عنوان خبر"'))
    slug = slug if slug is not None else transliterate(title)
    if not is_ascii_slug(slug):
        problems.append(
            Problem(
                "build.py new", 0, f"--slug: «{slug}» نشانی مجاز نیست؛ فقط حروف کوچک لاتین، رقم و خط تیره (-) بنویسید"
            )
        )
    if problems:
        raise BuildError(problems)
    year, month, day = jalali_date(now)
    path = config.content_dir / str(year) / f"{year}-{month:02d}-{day:02d}-{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(release_skeleton(title.strip(), now, config))
    except FileExistsError:
        raise BuildError(
            [Problem(display_path(path), 0, "این فایل از پیش هست و بازنویسی نمی‌شود؛ با --slug نشانی دیگری بدهید")]
        ) from None
    return path


def release_skeleton(title: str, now: datetime, config: SiteConfig) -> str:
    """The text of a new release: front matter with short Persian hints, and a first line."""
    year, month, day = jalali_date(now)
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    source = config.organization or config.title
    return f"""---
title: "{quoted}"
date: {year}-{month:02d}-{day:02d} {now:%H:%M}
# یک یا دو جمله برای فهرست‌ها و پیش‌نمایش‌ها (اگر ننویسید، بند نخست متن می‌آید):
summary:
# برچسب‌ها را با ، جدا کنید:
tags:
category:
county:
source: روابط عمومی {source}
# پس از نوشتن متن، برای انتشار این خط را پاک کنید:
draft: true
---
به گزارش روابط عمومی {source}؛ 
"""  # noqa: W291 - the officer writes on after the space
