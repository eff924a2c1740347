"""The repository's own sample releases: every valid one gets exactly one page, with the
Jalali date its file states (checked against jdatetime directly, not through our code)."""

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jdatetime
from conftest import REPO

from newsroom.cli import main
from newsroom.text import to_ascii_digits, to_persian_digits

NOW = "1405-01-01 00:00"
MONTHS = jdatetime.date.j_months_fa


def front_matter(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8").split("---")[1]
    return {
        k.strip(): v.strip().strip('"')
        for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line and not line.startswith(" "))
    }


def expected_jalali(date: str) -> str:
    """«۲۵ فروردین ۱۴۰۰» for the date as typed in the file."""
    date = to_ascii_digits(date)
    y, m, d = (int(x) for x in re.match(r"(\d+)[-/](\d+)[-/](\d+)", date).groups())
    if y > 1700:  # Gregorian ISO with an offset: the day in Tehran
        moment = datetime.fromisoformat(date).astimezone(timezone(timedelta(hours=3, minutes=30)))
        j = jdatetime.date.fromgregorian(date=moment.date())
        y, m, d = j.year, j.month, j.day
    return to_persian_digits(f"{d} {MONTHS[m - 1]} {y}")


def test_every_sample_release_has_one_page_with_its_date(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    output = tmp_path / "site"
    assert main(["build", "--output", str(output), "--now", NOW, "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    sources = sorted((REPO / "content").rglob("*.md"))
    assert len(sources) >= 24
    pages = {p: p.read_text(encoding="utf-8") for p in (output / "news").glob("*/*/index.html")}
    published = [
        s
        for s in sources
        if front_matter(s).get("draft") != "true" and not to_ascii_digits(front_matter(s)["date"]).startswith("1405-12")
    ]
    assert len(pages) == len(published)
    for source in published:
        fields = front_matter(source)
        title = fields["title"].replace("ي", "ی").replace("ك", "ک")
        matches = [html for html in pages.values() if f"<h1>{title}</h1>" in html]
        assert len(matches) == 1, source
        assert expected_jalali(fields["date"]) in matches[0], source


def test_sample_content_is_varied_like_the_real_thing():
    fields = [front_matter(p) for p in (REPO / "content").rglob("*.md")]
    assert len({f.get("county") for f in fields} - {None}) >= 6
    assert len({f.get("category") for f in fields} - {None}) >= 5
    assert len({to_ascii_digits(f["date"])[:4] for f in fields}) >= 2
    assert sum("tags" not in f for f in fields) >= 3
