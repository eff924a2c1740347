"""build.py new: a press officer starts a release with one command."""

import subprocess
import sys

from conftest import REPO, write_site

from newsroom.config import load_config
from newsroom.content import load_article
from newsroom.text import transliterate


def new(tmp_path, *args):
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "new", *args], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def test_new_writes_a_dated_draft_that_builds(tmp_path):
    config_path = write_site(tmp_path, {})
    result = new(tmp_path, "توزیع ۸۰۰ بستهٔ معیشتی در «شاهرود»", "--now", "1405-09-04 17:20")
    assert result.returncode == 0
    path = tmp_path / result.stdout.strip()
    assert result.stdout.strip() == "content/1405/1405-09-04-tozi-800-bste-mishti-dr-shahrod.md"
    article, problems = load_article(path, load_config(config_path))
    assert problems == [] or all(p.severity == "warning" for p in problems)
    assert article.title == "توزیع ۸۰۰ بستهٔ معیشتی در «شاهرود»"
    assert article.date.isoformat() == "2026-11-25T17:20:00+03:30"
    assert article.draft and article.slug == "tozi-800-bste-mishti-dr-shahrod"
    assert "# برچسب‌ها را با ، جدا کنید:" in path.read_text(encoding="utf-8")


def test_new_never_overwrites_and_checks_the_slug(tmp_path):
    write_site(tmp_path, {})
    assert new(tmp_path, "خبر", "--slug", "saffron", "--now", "1405-09-04 10:00").returncode == 0
    path = tmp_path / "content/1405/1405-09-04-saffron.md"
    path.write_text("ویرایش‌شده", encoding="utf-8")
    again = new(tmp_path, "خبر دیگر", "--slug", "saffron", "--now", "1405-09-04 11:00")
    assert again.returncode == 1 and again.stderr.startswith(
        "content/1405/1405-09-04-saffron.md: این فایل از پیش هست و بازنویسی نمی‌شود"
    )
    assert path.read_text(encoding="utf-8") == "ویرایش‌شده"
    bad = new(tmp_path, "خبر", "--slug", "Bad Slug")
    assert bad.returncode == 1 and "«Bad Slug» نشانی مجاز نیست" in bad.stderr


def test_transliteration_gives_readable_ascii():
    assert transliterate("افتتاح دبستان کلاته‌سرخ") == "afttah-dbstan-klate-srkh"
    assert transliterate("واکسیناسیون ۲۰۰ نفر") == "vaksinasion-200-nfr"
    assert len(transliterate("خبر " * 40)) <= 60
