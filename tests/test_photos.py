"""Photos become responsive variants; every release gets a share card."""

import json
import re
import shutil
from html import unescape

import numpy as np
import pytest
from conftest import REPO, missing, photo, read, release
from PIL import Image, ImageDraw, ImageFont

from newsroom import cards

FONT = REPO / "static" / "fonts" / "Vazirmatn-wght.woff2"


def picture(page: str) -> dict:
    """The first <picture> of a page: its WebP srcset, and the img's attributes."""
    match = re.search(r'<picture><source type="image/webp" srcset="([^"]*)"[^>]*><img ([^>]*)></picture>', page)
    assert match, "no <picture> on the page"
    img = dict(re.findall(r'([a-z]+)="([^"]*)"', match[2]))
    return {"webp": [item.split() for item in match[1].split(", ")], **img}


def built(tmp_path, page_url: str, relative: str) -> Image.Image:
    """The image a page at ``page_url`` links to as ``relative``, opened from the output."""
    folder = (tmp_path / "output" / page_url.lstrip("/")).resolve()
    return Image.open(folder / unescape(relative))


def test_a_large_phone_photo_becomes_upright_variants_without_metadata(build, tmp_path):
    # Stored on its side (2000×1200) with EXIF orientation 6, as phones save portraits.
    exif = Image.Exif()
    exif[0x0112], exif[0x010F] = 6, "Camera maker"
    path = tmp_path / "content" / "visit.jpg"
    path.parent.mkdir(parents=True)
    Image.new("RGB", (2000, 1200), (11, 94, 74)).save(path, "JPEG", exif=exif)
    result = build({"a.md": release("بازدید", image="visit.jpg", image_alt="بازدید از کارگاه")})
    assert (result.code, result.err) == (0, "")
    page = read(tmp_path, "/news/1403/a/")
    shown = picture(page)
    assert [w for _, w in shown["webp"]] == ["480w", "960w", "1200w"]  # upright it is 1200 wide: never enlarged
    assert (shown["width"], shown["height"], shown["alt"]) == ("960", "1600", "بازدید از کارگاه")
    assert "loading" not in shown and shown["fetchpriority"] == "high"  # the lead photo is above the fold
    for relative, width in shown["webp"] + [item.split() for item in shown["srcset"].split(", ")]:
        variant = built(tmp_path, "/news/1403/a/", relative)
        assert variant.format in ("WEBP", "JPEG") and variant.size == (int(width[:-1]), int(width[:-1]) * 5 // 3)
        assert not variant.getexif() and "icc_profile" not in variant.info
    assert built(tmp_path, "/news/1403/a/", shown["src"]).size == (960, 1600)
    assert not list((tmp_path / "output").rglob("visit.jpg"))  # the original is never published


def test_a_small_photo_is_not_enlarged(build, tmp_path):
    photo(tmp_path / "content" / "small.jpg", (300, 200))
    build({"a.md": release("الف", image="small.jpg", image_alt="عکس کوچک")})
    shown = picture(read(tmp_path, "/news/1403/a/"))
    assert shown["webp"] == [[shown["webp"][0][0], "300w"]] and (shown["width"], shown["height"]) == ("300", "200")


def test_body_photos_are_responsive_and_lazy_and_keep_transparency(build, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(REPO / "static", static)
    (tmp_path / "content" / "1403").mkdir(parents=True)
    Image.new("RGBA", (800, 400), (200, 30, 30, 128)).save(tmp_path / "content" / "1403" / "chart.png")
    photo(static / "images" / "hall.jpg", (1000, 500))
    body = "مقدمه.\n\n![نمودار بودجه](chart.png)\n\nو سالن:\n\n![سالن همایش](/static/images/hall.jpg)\n"
    result = build({"1403/a.md": release("الف", body=body)}, static=static)
    assert (result.code, result.err) == (0, "")
    page = read(tmp_path, "/news/1403/a/")
    pictures = re.findall(r"<picture>.*?</picture>", page)
    assert len(pictures) == 2 and all('loading="lazy"' in p for p in pictures)
    chart, hall = (picture(p) for p in pictures)
    assert chart["alt"] == "نمودار بودجه" and hall["alt"] == "سالن همایش"
    fallback = built(tmp_path, "/news/1403/a/", chart["src"])
    assert fallback.format == "PNG" and fallback.mode == "RGBA"  # no JPEG for a transparent picture
    assert built(tmp_path, "/news/1403/a/", hall["src"]).size == (960, 480)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("missing.jpg", None, "عکس «missing.jpg» پیدا نشد"),
        ("broken.jpg", b"\xff\xd8 not really a JPEG", "فایل «broken.jpg» عکسِ سالمی نیست"),
    ],
)
def test_a_missing_or_broken_body_photo_is_a_located_error(build, tmp_path, name, data, message):
    if data is not None:
        (tmp_path / "content").mkdir()
        (tmp_path / "content" / name).write_bytes(data)
    result = build({"a.md": release("الف", body=f"سطر یک.\n\nسطر دو با ![عکس]({name}) در میان.")})
    assert result.code == 1
    assert result.err.startswith(f"content/a.md:7: {message}")
    assert not (tmp_path / "output").exists()


def test_a_photo_that_cannot_be_decoded_is_an_error_at_its_release(build, tmp_path):
    path = tmp_path / "content" / "cut.jpg"
    path.parent.mkdir()
    Image.effect_noise((800, 600), 60).convert("RGB").save(path, "JPEG")
    path.write_bytes(path.read_bytes()[:2000])  # the header is fine, the picture is cut off
    result = build({"a.md": release("الف", image="cut.jpg", image_alt="عکس")})
    assert result.code == 1
    assert result.err.startswith("content/a.md:4: image: «content/cut.jpg»: عکس سالم نیست یا خوانده نشد")
    assert not (tmp_path / "output").exists()


def test_rebuilds_reuse_made_photos_and_cards_and_drop_stale_ones(build, tmp_path):
    photo(tmp_path / "content" / "p.jpg", (1200, 800))
    files = {"a.md": release("الف", image="p.jpg", image_alt="عکس"), "b.md": release("ب")}
    build(files)
    cache = tmp_path / ".cache" / "files"
    first = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(first) == 3 * 2 + 1 + 2  # 3 widths × 2 types, their list, and two share cards
    build(files)
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == first  # nothing made again
    photo(tmp_path / "content" / "p.jpg", (640, 480))
    build(files)
    again = {p.name for p in cache.iterdir()}
    assert len(again) == 2 * 2 + 1 + 2 and len(again & set(first)) == 1  # only b's card is the same


def test_every_release_gets_a_share_card(build, tmp_path):
    photo(tmp_path / "content" / "p.jpg", (1600, 1200))
    build({"a.md": release("جلسهٔ شورا", image="p.jpg", image_alt="اعضای شورا"), "b.md": release("اطلاعیهٔ ثبت‌نام")})
    for slug, kind in (("a", "JPEG"), ("b", "PNG")):
        page = read(tmp_path, f"/news/1403/{slug}/")
        url = re.search(r'<meta property="og:image" content="https://news.example.ir/([^"]+)">', page)[1]
        card = Image.open(tmp_path / "output" / url)
        assert (card.format, card.size) == (kind, (1200, 630))
        assert '<meta property="og:image:width" content="1200">' in page
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        ld = json.loads(
            re.search(
                r'<script type="application/ld\+json">(\{"@context": "https://schema.org", "@type": "NewsArticle".*?)</script>',
                page,
            )[1]
        )
        assert f"https://news.example.ir/{url}" in ld["image"]


def ink(image: Image.Image) -> np.ndarray:
    """Where the light title ink is, cropped to it."""
    mask = np.asarray(image.convert("L")) > 160
    rows, cols = np.nonzero(mask)
    return mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two ink masks laid on one another at their top right."""
    height, width = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    x, y = np.zeros((height, width), bool), np.zeros((height, width), bool)
    x[: a.shape[0], width - a.shape[1] :] = a
    y[: b.shape[0], width - b.shape[1] :] = b
    return (x & y).sum() / (x | y).sum()


def line_drawn(text: str, size: int) -> np.ndarray:
    """``text`` set without any shaping or reordering (letters as given, left to right)."""
    font = ImageFont.truetype(str(FONT), size, layout_engine=ImageFont.Layout.BASIC)
    font.set_variation_by_axes([800])
    canvas = Image.new("L", (size * len(text), size * 2), 0)
    ImageDraw.Draw(canvas).text((size, size // 2), text, font=font, fill=255)
    return ink(canvas)


def test_the_share_card_title_is_shaped_and_right_to_left(build, tmp_path):
    if not cards.can_set_persian():
        missing("Pillow's libraqm cannot load FriBiDi (.ci/run installs libfribidi0)")
    title = "مسیر سبز"
    build({"a.md": release(title)})
    url = re.search(r'og:image" content="https://news.example.ir/([^"]+)"', read(tmp_path, "/news/1403/a/"))[1]
    card = Image.open(tmp_path / "output" / url).convert("RGB")
    drawn = ink(card.crop((0, 0, 1200, 400)))  # the title; the organisation and date sit lower
    # The reference: each letter's joined form (Arabic Presentation Forms-B) in visual order,
    # i.e. what correct shaping and right-to-left ordering must look like.
    joined = "\ufee3\ufeb4\ufef4\ufeae \ufeb3\ufe92\ufeb0"[::-1]
    size = min(range(40, 90), key=lambda s: abs(line_drawn(joined, s).shape[1] - drawn.shape[1]))
    right = overlap(drawn, line_drawn(joined, size))
    unshaped = overlap(drawn, line_drawn(title, size))  # letters apart, left to right
    reversed_ = overlap(drawn, line_drawn(title[::-1], size))  # letters apart, right to left
    assert right > 0.6 and right > 2 * max(unshaped, reversed_)


def test_the_share_card_footer_set_once_matches_drawing_it_on_each_card():
    if not cards.can_set_persian():
        missing("Pillow's libraqm cannot load FriBiDi (.ci/run installs libfribidi0)")
    data = FONT.read_bytes()
    organization = "سازمان بسیج سازندگی و همکاری‌های مردمی استان سمنان و شهرستان‌های تابعه"  # long: meets the date
    date = "چهارشنبه ۲۵ فروردین ۱۴۰۳"
    # The reference: ink drawn on each card as the palette's 11 steps from paper to ink, the
    # accent drawn in full and turned into its 5 steps after them.
    ink, accent = Image.new("L", (1200, 630)), Image.new("L", (1200, 630))
    font = ImageFont.truetype(str(FONT), 32, layout_engine=ImageFont.Layout.RAQM)
    font.set_variation_by_axes([500])
    ImageDraw.Draw(accent).line([(80, 486), (1120, 486)], fill=255, width=3)
    ImageDraw.Draw(ink).text((1120, 550), organization, font=font, fill=10, anchor="rd", direction="rtl", language="fa")
    ImageDraw.Draw(accent).text((80, 550), date, font=font, fill=255, anchor="ld", direction="rtl", language="fa")
    ink, accent = np.asarray(ink), np.asarray(accent)
    accent = 10 + np.round(accent.astype(int) * 5 / 255)
    expected = np.where(accent > 10, accent, ink)
    for _ in range(2):  # set afresh, then from what was kept
        card = cards.text_card("", organization, date, data)
        assert card.mode == "P" and (np.asarray(card) == expected).all()


def test_without_persian_shaping_the_build_says_so_and_previews_the_logo(build, tmp_path, monkeypatch):
    monkeypatch.setattr(cards, "can_set_persian", lambda: False)
    result = build({"a.md": release("الف")}, config="logo: images/logo.png\n")
    assert result.code == 0 and cards.RAQM_MISSING in result.err
    assert '<meta property="og:image" content="https://news.example.ir/static/images/logo.png">' in read(
        tmp_path, "/news/1403/a/"
    )


def near(mask: np.ndarray) -> np.ndarray:
    """``mask`` grown by a pixel each way."""
    grown = mask.copy()
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)):
        grown |= np.roll(mask, (dy, dx), axis=(0, 1))
    return grown


def title_set_whole(title: str) -> np.ndarray:
    """Where a card's title ink is (at least half cover), each line shaped and laid out
    by libraqm at once: the reference for cards set word by word."""
    font = ImageFont.truetype(str(FONT), cards.TITLE_SIZES[0], layout_engine=ImageFont.Layout.RAQM)
    font.set_variation_by_axes([800])
    lines = cards.wrap_title(title, font, 1200 - 2 * cards.MARGIN)
    whole = Image.new("L", (1200, 450), 0)
    leading = round(font.size * 1.6)
    top = cards.MARGIN + (630 - 2 * cards.MARGIN - 90 - leading * len(lines)) // 2
    for number, line in enumerate(lines):
        ImageDraw.Draw(whole).text(
            (1120, top + number * leading), line, font=font, fill=10, anchor="ra", direction="rtl", language="fa"
        )
    return np.asarray(whole) > 5


def test_a_title_set_word_by_word_matches_the_line_set_whole():
    if not cards.can_set_persian():
        missing("Pillow's libraqm cannot load FriBiDi (.ci/run installs libfribidi0)")
    data = FONT.read_bytes()
    title = "افتتاح ۱۲ طرح (آب‌رسانی) در «گرمسار»، با ۳۵ میلیارد ریال"  # two lines
    card = np.asarray(cards.text_card(title, "", "", data).crop((0, 0, 1200, 450))) > 5
    whole = title_set_whole(title)
    # Words land where the whole line puts them, give or take the pixel a word's start is rounded to.
    assert (card & near(whole)).sum() / card.sum() > 0.99 and (whole & near(card)).sum() / whole.sum() > 0.99
    # A left-to-right run of words would read backwards set word by word: such a title is set whole.
    title = "نشست Open Data Day در سمنان"
    card = np.asarray(cards.text_card(title, "", "", data).crop((0, 0, 1200, 450))) > 5
    assert (card == title_set_whole(title)).all()


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])
def test_rewriting_published_files_in_place_leaves_the_originals_alone(build, tmp_path, cache):
    # Tools that optimise a built site rewrite its pictures in place. A photo published as
    # it is (an SVG) must be a copy: the staff member's file is not touched.
    drawing = tmp_path / "content" / "map.svg"
    drawing.parent.mkdir(parents=True)
    drawing.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', encoding="utf-8")
    photo(tmp_path / "content" / "visit.jpg", (900, 600))
    files = {
        "a.md": release("نقشه", image="map.svg", image_alt="نقشهٔ استان"),
        "b.md": release("بازدید", image="visit.jpg", image_alt="بازدید از کارگاه"),
    }
    assert build(files, *cache).code == 0
    original = drawing.read_bytes()
    published = [p for p in (tmp_path / "output").rglob("*") if p.suffix in (".svg", ".jpg", ".webp", ".png")]
    assert any(p.name == "map.svg" for p in published) and any(p.suffix == ".webp" for p in published)
    for path in published:
        with path.open("r+b") as file:  # in place, as an optimiser does
            file.write(b"rewritten")
    assert drawing.read_bytes() == original
    # The next build finds the published files changed and puts them right again.
    assert build(files, *cache).code == 0
    for path in published:
        assert not path.read_bytes().startswith(b"rewritten"), path
