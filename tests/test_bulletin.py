"""The printed bulletin: a month's releases typeset as one PDF, read back with pypdf and
PDFium (libraries that did not write it) and looked at as pictures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from conftest import NOW_ARG, REPO, TEHRAN, missing, photo, read, release, write_site

from newsroom.bulletin import load_typesetter
from newsroom.cli import main
from newsroom.dates import format_jalali, parse_date
from newsroom.errors import BuildError
from newsroom.text import ZWNJ

# Releases of Aban 1403 (the month before the tests' «now», 1403-09-01), and around it.
ABAN = {
    "1403/saffron.md": release(
        "برداشت زعفران از مزارع تازه‌احداث روستاهای بسطام آغاز شد",
        "1403-08-12 09:30",
        "برداشت گل زعفران از ۲۵ هکتار مزرعه‌ای که پارسال کشت شد، از این هفته آغاز شد.\n\n"
        "![گل‌چینی در مزرعه](field.jpg)\n\nبه گفتهٔ کارشناسان، برداشت تا پایان آبان ادامه دارد.",
        category="کشاورزی",
        county="شاهرود",
        image="saffron.jpg",
        image_alt="مزرعهٔ زعفران بسطام",
        image_caption="مزرعهٔ زعفران روستاهای بسطام",
        summary="برداشت زعفران از ۲۵ هکتار مزرعهٔ تازه در بسطام آغاز شد.",
    ),
    "1403/greenhouse.md": release(
        "بهره‌برداری از گلخانهٔ صیفی‌جات در روستای فرویز",
        "1403-08-03",
        "گلخانهٔ دو هزار متری روستای فرویز با حضور مسئولان شهرستان به بهره‌برداری رسید.",
        category="کشاورزی",
        county="سرخه",
        image="greenhouse.jpg",
        image_alt="نمای گلخانه",
    ),
    "1403/clinic.md": release(
        "اردوی جهادی پزشکی در روستاهای دامغان برگزار شد",
        "1403-08-20 16:00",
        "پزشکان جهادی در سه روز به ۱۲۰۰ نفر از اهالی روستاها خدمات رایگان دادند.\n\n"
        "| خدمت | شمار |\n|---|---|\n| ویزیت | ۸۰۰ |\n| دندان‌پزشکی | ۴۰۰ |",
        category="سلامت",
        county="دامغان",
        source="روابط عمومی بسیج سازندگی دامغان",
    ),
    "1403/loans.md": release(
        "پرداخت تسهیلات اشتغال خانگی به ۴۰ خانوار گرمساری",
        "1403-08-27",
        "تسهیلات قرض‌الحسنه برای راه‌اندازی کارگاه‌های خانگی پرداخت شد.",
        category="اشتغال و کارآفرینی",
        county="گرمسار",
    ),
    "1403/draft.md": release("پیش‌نویس گزارش آبان", "1403-08-15", "هنوز آماده نیست.", draft="true"),
    "1403/mehr.md": release("افتتاح کتابخانهٔ روستایی در میامی", "1403-07-10", "کتابخانه گشایش یافت.", county="میامی"),
    "1403/azar.md": release("نشست هماهنگی بسیج سازندگی استان", "1403-09-01 08:00", "نشست برگزار شد."),
}
CONFIG = """\
logo: images/logo.png
taxonomies:
  category:
    terms: [اشتغال و کارآفرینی, سلامت, کشاورزی]
  county:
    terms: [سمنان, شاهرود, دامغان, گرمسار, سرخه, میامی]
"""
MONTH = ("saffron", "greenhouse", "clinic", "loans")


@pytest.fixture
def site(tmp_path, monkeypatch):
    """The Aban site in ``tmp_path``, with photos (one larger than print needs)."""
    try:
        load_typesetter()
    except BuildError:
        missing("Pango, which WeasyPrint needs, is not installed (.ci/run installs it)")
    monkeypatch.chdir(tmp_path)
    write_site(tmp_path, ABAN, CONFIG)
    for name, size in (("greenhouse.jpg", (1200, 900)), ("field.jpg", (1600, 1200))):
        photo(tmp_path / "content" / "1403" / name, size)
    # The bulletin's own sample photo, for the pictures of the issue kept for the eye.
    shutil.copy(REPO / "content/1403/saffron-field-shahroud.jpg", tmp_path / "content/1403/saffron.jpg")
    return tmp_path


def bulletin(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["bulletin", "--now", NOW_ARG, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def plain(text: str) -> str:
    """``text`` as text extraction gives shaped Persian back: without ZWNJ (dropped), its
    combining marks (the ezafe «ٔ» of «خانهٔ», shaped into its letter's glyph, comes
    out before that letter), lam-alef «لا» (one ligature glyph) as «ال», lines joined."""
    text = re.sub("[\u064b-\u065f\u0670]", "", text.replace(ZWNJ, "")).replace("لا", "ال")
    return re.sub(r"\s+", " ", text)


def words(text: str) -> set[str]:
    """The words of ``text`` (``plain``), without punctuation."""
    return set(re.findall(r"[^\W_]+", plain(text)))


def page_texts(path: Path) -> list[str]:
    """Each page's text in logical (reading) order, as PDFium extracts it."""
    document = pdfium.PdfDocument(path)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def title_of(name: str) -> str:
    return re.search(r"^title: (.*)$", ABAN[f"1403/{name}.md"], re.M)[1]


def test_a_month_becomes_an_issue_with_its_releases_in_persian(site, capsys):
    code, out, _ = bulletin(capsys, "1403-08")
    assert code == 0, out
    path = site / "bulletin" / "1403-08.pdf"
    assert "۴ خبر" in out and "bulletin/1403-08.pdf" in out
    pages = page_texts(path)
    # pypdf reads the same words (its order within mixed lines differs): both libraries
    # map the shaped glyphs back to letters.
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == len(pages) >= 4
    pypdf_words = words(" ".join(p.extract_text() for p in reader.pages))
    for name in MONTH:
        title = title_of(name)
        # (pypdf gives a run of Persian digits reversed: «۴۰» as «۰۴»; its words are compared)
        assert {w for w in words(title) if not w.isdigit()} <= pypdf_words, title
        on = [i for i, text in enumerate(pages) if i > 1 and words(title) <= words(text)]
        assert on, f"«{title}» is on no page"
        # Its date in full, in Persian digits, on its page: the month and year as one would read them.
        date = re.search(r"^date: (.*)$", ABAN[f"1403/{name}.md"], re.M)[1]
        assert plain(format_jalali(parse_date(date, TEHRAN), "long")) in plain(pages[on[0]])
    everything = "\n".join(pages)
    for absent in ("پیش‌نویس گزارش آبان", "افتتاح کتابخانهٔ روستایی در میامی", "نشست هماهنگی بسیج سازندگی استان"):
        assert not words(absent) <= words(everything), f"«{absent}» is not of this issue"
    # Letters, not the presentation forms of shaped glyphs; digits Persian, none Latin in dates.
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", everything)
    assert "1403" not in re.sub(r"https://\S+", "", everything) and "۱۴۰۳" in everything  # addresses aside
    cover = plain(pages[0])
    assert plain("ادارهٔ آزمایشی") in cover and "آبان ۱۴۰۳" in cover and plain("خبرنامهٔ ماهانه") in cover
    # Issue 1 is the month of the earliest release (Mehr 1403): Aban is number 2.
    assert plain("شمارهٔ ۲") in cover and "۴ خبر در ۳ بخش" in cover
    # Running headers: the organisation and the section; page numbers in Persian digits.
    saffron = next(i for i, text in enumerate(pages) if i > 1 and words(title_of("saffron")) <= words(text))
    assert plain("ادارهٔ آزمایشی") in plain(pages[saffron]) and "کشاورزی" in pages[saffron]
    assert pages[saffron].rstrip().endswith("۰۱۲۳۴۵۶۷۸۹"[saffron + 1])
    # Source line, county, the address of each release's page (with its QR code beside it).
    clinic = next(text for i, text in enumerate(pages) if i > 1 and words(title_of("clinic")) <= words(text))
    assert "منبع: روابط عمومی بسیج سازندگی دامغان" in plain(clinic) and "شهرستان دامغان" in clinic
    assert "https://news.example.ir/news/1403/clinic/" in re.sub(r"\s", "", clinic)
    loans = next(text for i, text in enumerate(pages) if i > 1 and words(title_of("loans")) <= words(text))
    assert plain("منبع: روابط عمومی ادارهٔ آزمایشی") in plain(loans)


def test_contents_link_to_the_pages_their_numbers_name(site, capsys):
    assert bulletin(capsys, "1403-08")[0] == 0
    path = site / "bulletin" / "1403-08.pdf"
    reader = pypdf.PdfReader(path)
    pages = page_texts(path)
    destinations = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    contents = reader.pages[1]
    links = [a.get_object() for a in contents.get("/Annots", [])]
    links = [a for a in links if a.get("/Subtype") == "/Link" and "/Dest" in a]
    document = pdfium.PdfDocument(path)
    toc = document[1].get_textpage()
    checked = set()
    for link in links:
        target = destinations[str(link["/Dest"])]
        # The line of the link, from margin to margin: the title, its date and, after the
        # leader, its page number (in logical order, last).
        _, bottom, _, top = (float(v) for v in link["/Rect"])
        shown = toc.get_text_bounded(0, bottom, float(contents.mediabox.width), top).replace("\r\n", " ")
        number = re.findall("[۰-۹]+", shown)[-1]
        # The number printed at the end of the line is the page the link opens…
        assert int(number.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))) == target + 1, shown
        # …and that page holds the release whose title the line shows.
        name = next(n for n in MONTH if words(title_of(n)) <= words(shown))
        assert words(title_of(name)) <= words(pages[target])
        checked.add(name)
    assert checked == set(MONTH)


def test_the_font_is_embedded(site, capsys):
    assert bulletin(capsys, "1403-08")[0] == 0
    reader = pypdf.PdfReader(site / "bulletin" / "1403-08.pdf")
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fonts[str(font["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    assert fonts and all("Vazirmatn" in name for name in fonts), fonts
    assert all("/FontFile2" in d or "/FontFile3" in d for d in fonts.values())


def test_grouped_by_county_in_the_configured_order(site, capsys):
    write_site(site, {}, CONFIG + "bulletin:\n  group_by: county\n")
    assert bulletin(capsys, "1403-08")[0] == 0
    contents = page_texts(site / "bulletin" / "1403-08.pdf")[1]
    order = [contents.find(county) for county in ("شاهرود", "دامغان", "گرمسار", "سرخه")]
    assert -1 not in order and order == sorted(order), contents


def test_the_same_month_gives_the_same_bytes_and_is_typeset_once(site, capsys):
    assert bulletin(capsys, "1403-08")[0] == 0
    path = site / "bulletin" / "1403-08.pdf"
    first, stamp = path.read_bytes(), path.stat().st_mtime_ns
    # Another process, another file: the same bytes.
    other = site / "again.pdf"
    subprocess.run(
        [sys.executable, str(REPO / "build.py"), "bulletin", "1403-08", "--now", NOW_ARG, "--output", str(other)],
        cwd=site,
        check=True,
        capture_output=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1"},  # a caller's own setting does not change the issue
    )
    assert other.read_bytes() == first
    # Nothing changed: not typeset again.
    code, out, _ = bulletin(capsys, "1403-08")
    assert code == 0 and "دوباره حروف‌چینی نشد" in out and path.stat().st_mtime_ns == stamp
    # A release of another month changed: this issue is the same.
    (site / "content/1403/azar.md").write_text(release("نشست هماهنگی استان", "1403-09-01 08:00"), encoding="utf-8")
    assert "دوباره حروف‌چینی نشد" in bulletin(capsys, "1403-08")[1]
    # A release of this month changed: typeset again, and the change is in it.
    clinic = site / "content/1403/clinic.md"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("۱۲۰۰ نفر", "۱۵۰۰ نفر"), encoding="utf-8")
    code, out, _ = bulletin(capsys, "1403-08")
    assert code == 0 and "دوباره حروف‌چینی نشد" not in out
    assert path.read_bytes() != first and "۱۵۰۰ نفر" in plain("\n".join(page_texts(path)))


def test_a_year_and_a_range_of_months(site, capsys):
    code, out, _ = bulletin(capsys, "۱۴۰۳")
    assert code == 0 and "۶ خبر" in out  # Mehr, Aban and Azar; not the draft
    assert plain("خبرنامهٔ سالانه") in plain(page_texts(site / "bulletin" / "1403.pdf")[0])
    code, out, _ = bulletin(capsys, "1403-07..1403-08", "--output", "autumn.pdf")
    cover = plain(page_texts(site / "autumn.pdf")[0])
    assert code == 0 and "۵ خبر" in out and "مهر تا آبان ۱۴۰۳" in cover and plain("شمارهٔ") not in cover


@pytest.mark.parametrize(
    ("months", "said"),
    [
        ("1403-13", "ماه ۱۳ در «1403-13» وجود ندارد"),
        ("1403-06", "در شهریور ۱۴۰۳ خبری منتشر نشده است"),
        ("1403-09..1403-07", "ماه پایان پیش از ماه آغاز است"),
        ("1403-08-01", "ماه یا سال شمسی نیست"),
    ],
)
def test_a_period_that_cannot_be_printed_is_refused(site, capsys, months, said):
    code, _, err = bulletin(capsys, months)
    assert code == 1 and said in err and "Traceback" not in err
    assert not (site / "bulletin").exists()


def test_an_unreadable_photo_names_the_release_and_writes_nothing(site, capsys):
    # An issue typeset first in this process (WeasyPrint loaded) changes nothing of what follows.
    assert bulletin(capsys, "1403-07")[0] == 0
    saffron = site / "content/1403/saffron.jpg"
    saffron.write_bytes(saffron.read_bytes()[:2000])  # its size is readable, its picture is not
    code, _, err = bulletin(capsys, "1403-08")
    assert code == 1
    line = next(n for n, text in enumerate(ABAN["1403/saffron.md"].splitlines(), 1) if text.startswith("image:"))
    assert f"content/1403/saffron.md:{line}: «content/1403/saffron.jpg»: عکس سالم نیست" in err
    assert not (site / "bulletin" / "1403-08.pdf").exists()
    # The site's own photo sizes refuse it too.
    assert main(["build", "--now", NOW_ARG, "--quiet"]) == 1
    assert "content/1403/saffron.md" in capsys.readouterr().err


def test_an_error_in_a_release_stops_the_issue(site, capsys):
    (site / "content/1403/broken.md").write_text("---\ntitle: بی‌تاریخ\n---\nمتن\n", encoding="utf-8")
    code, _, err = bulletin(capsys, "1403-08")
    assert code == 1 and "content/1403/broken.md" in err
    assert not (site / "bulletin").exists()


def test_the_site_publishes_each_finished_month(site, capsys):
    write_site(site, {}, CONFIG + "bulletin:\n  publish: true\n")
    assert main(["build", "--now", NOW_ARG, "--quiet"]) == 0
    output = site / "output"
    # Mehr and Aban are over; Azar has only begun.
    assert sorted(p.name for p in (output / "bulletin").glob("*.pdf")) == ["1403-07.pdf", "1403-08.pdf"]
    listing = read(site, "/bulletin/")
    assert 'href="1403-08.pdf"' in listing and "آبان ۱۴۰۳، شمارهٔ ۲" in listing and "۴ خبر" in listing
    assert listing.index("آبان ۱۴۰۳") < listing.index("مهر ۱۴۰۳")  # newest first
    # The published issue is the one the command makes.
    assert bulletin(capsys, "1403-08")[0] == 0
    assert (output / "bulletin/1403-08.pdf").read_bytes() == (site / "bulletin/1403-08.pdf").read_bytes()
    # A later build with another month's release changed takes the issues from the cache.
    cached = sorted((site / ".cache/files").glob("bulletin-*.pdf"))
    stamps = [p.stat().st_mtime_ns for p in cached]
    (site / "content/1403/azar.md").write_text(release("نشست هماهنگی استان", "1403-09-01 08:00"), encoding="utf-8")
    assert main(["build", "--now", NOW_ARG, "--quiet"]) == 0
    assert sorted((site / ".cache/files").glob("bulletin-*.pdf")) == cached
    assert [p.stat().st_mtime_ns for p in cached] == stamps
    assert (output / "bulletin/1403-08.pdf").is_file()


def test_the_cover_and_a_page_as_pictures(site, capsys):
    """The cover and the saffron release's page at 1:1, kept for the eye: in
    NEWSROOM_SCREENSHOTS when set (docs/images for the guide), else beside the test."""
    assert bulletin(capsys, "1403-08")[0] == 0
    path = site / "bulletin" / "1403-08.pdf"
    shots = REPO / os.environ["NEWSROOM_SCREENSHOTS"] if os.environ.get("NEWSROOM_SCREENSHOTS") else site / "pictures"
    shots.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(path)
    saffron = next(i for i, text in enumerate(page_texts(path)) if i > 1 and words(title_of("saffron")) <= words(text))
    cover = document[0].render(scale=1).to_pil().convert("RGB")
    page = document[saffron].render(scale=1).to_pil().convert("RGB")
    cover.save(shots / "bulletin-cover.png")
    page.save(shots / "bulletin-page.png")
    assert cover.size == page.size == (596, 842)  # A4 (595.3 × 841.9 points), one pixel a point
    # The cover is its colour edge to edge; the page is white with a text block set right
    # to left: every line's end is at the right margin, its start anywhere.
    assert cover.getpixel((5, 5)) == cover.getpixel((590, 837)) != (255, 255, 255)
    gray = page.convert("L")
    # The title's line, under the running header (20 mm) and above the photo.
    title_row = max(([x for x in range(gray.width) if gray.getpixel((x, y)) < 128] for y in range(57, 85)), key=len)
    assert gray.width - 60 < max(title_row) < gray.width - 45  # the title ends at the right margin (18 mm)
    assert min(title_row) > 60  # …and starts well inside the left one
