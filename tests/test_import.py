"""``build.py import``: a WordPress export or a feed becomes releases that build, old addresses kept."""

import html
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from browser import served
from conftest import NOW_ARG, REPO, photo, write_site

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True)


def imported(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root / "content").as_posix(): p.read_text(encoding="utf-8")
        for p in (root / "content").rglob("*.md")
    }


def test_a_wordpress_export_becomes_releases_that_build_with_their_old_addresses(tmp_path):
    write_site(tmp_path, {})
    result = run("import", str(FIXTURES / "wordpress-fa.xml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    files = imported(tmp_path)
    assert sorted(files) == ["1402/food-packages.md", "1402/post-c001b4e5bb.md", "1403/post-d69457ae10.md"]
    # Tehran time, Jalali; the excerpt as summary; the first category, then the rest and the tags;
    # the Persian slug kept readable as the old address.
    assert files["1402/post-c001b4e5bb.md"].startswith(
        "---\ntitle: افتتاح گلخانهٔ روستای گل‌دشت\ndate: 1402-03-14 10:30\n"
        "summary: گلخانهٔ گل‌دشت برای بیست جوان کار ساخت.\ncategory: کشاورزی\ntags:\n- اشتغال\n- گلخانه\n"
        "aliases:\n- /1402/03/افتتاح-گلخانه/\n---\n"
    )
    body = files["1402/post-c001b4e5bb.md"].split("---\n", 2)[2]
    assert "**بیست جوان**" in body and "[caption" not in body and "track()" not in body
    # "Uncategorized" is no category; lists and tables survive as Markdown.
    packages = files["1402/food-packages.md"]
    assert "category:" not in packages and "- برنج\n- روغن" in packages and "| شاهرود | ۸۰۰ |" in packages
    assert "draft: true" in files["1403/post-d69457ae10.md"] and "aliases" not in files["1403/post-d69457ae10.md"]
    report = result.stderr.splitlines()
    assert report[:2] == ["خروجی وردپرس: ۳ خبر (۱ پیش‌نویس)", "نوشته شد: ۳؛ از پیش بود و دست نخورد: ۰"]
    assert (
        "کنار گذاشته: ۱ private (خصوصی یا زباله‌دان)" in report
        and "کنار گذاشته: ۱ page (برگه یا پیوست، نه خبر)" in report
    )
    assert "حذف از متن: 1402/post-c001b4e5bb.md: [caption]" in report
    assert "حذف از متن: 1402/post-c001b4e5bb.md: <script>" in report
    assert (
        "حذف از متن: 1402/post-c001b4e5bb.md: عکس شاخص آورده نشد (--uploads یا --download):"
        " https://old.example.ir/wp-content/uploads/2023/06/bakhshdar.jpg" in report
    )

    built = run("--now", NOW_ARG, "--no-search", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    output = tmp_path / "output"
    assert "افتتاح گلخانهٔ روستای گل‌دشت" in (output / "news/1402/post-c001b4e5bb/index.html").read_text(encoding="utf-8")
    assert (output / "news/1402/food-packages/index.html").is_file()
    for old in ("1402/03/افتتاح-گلخانه", "1402/12/food-packages"):
        redirect = (output / old / "index.html").read_text(encoding="utf-8")
        assert 'rel="canonical"' in redirect


def test_wordpress_theme_unit_test_data_imports_and_every_published_post_has_its_page_and_old_address(tmp_path):
    # The theme unit test export, as the WordPress importer's own tests keep it: English
    # posts of every shape WordPress makes (blocks, shortcodes, no title, no body, scheduled).
    export = FIXTURES / "wordpress-importer/theme-unit-test-data.xml"
    write_site(tmp_path, {})
    result = run("import", str(export), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "خروجی وردپرس: ۵۸ خبر (۱ پیش‌نویس، ۱ زمان‌بندی‌شده)" in result.stderr.splitlines()
    built = run("--now", NOW_ARG, "--no-search", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    output = tmp_path / "output"

    wp = "{https://wordpress.org/export/1.2/}"
    published = [
        item
        for item in ET.parse(export).getroot().iter("item")
        if item.findtext(f"{wp}post_type") == "post" and item.findtext(f"{wp}status") == "publish"
    ]
    assert len(published) == 56
    for item in published:
        old = unquote(urlsplit(item.findtext("link") or "").path)
        redirect = (output / old.strip("/") / "index.html").read_text(encoding="utf-8")
        page_url = re.search(r'rel="canonical" href="https://news\.example\.ir/([^"]+)"', redirect)
        assert page_url, old
        page = html.unescape((output / page_url[1] / "index.html").read_text(encoding="utf-8"))
        title = " ".join((item.findtext("title") or "").split())
        assert f"<h1>{title}" in page or not title, old  # the untitled post is named from its first words

    scheduled = imported(tmp_path)["1408/scheduled.md"]
    assert "date: 1408-10-12 22:30" in scheduled and "scheduled: true" in scheduled and "draft" not in scheduled
    assert not (output / "news/1408/scheduled").exists()


def test_unicode_a_wordpress_export_can_hold_survives_into_the_release_and_its_page(tmp_path):
    # The WordPress importer's own test of emoji, combining marks, RTL text and bidi controls.
    write_site(tmp_path, {})
    result = run("import", str(FIXTURES / "wordpress-importer/wxr-utf-8-challenges.xml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (name, text), *others = imported(tmp_path).items()
    assert not others and name == "1403/hello-world-utf8-test.md"
    assert "title: '\"The Road Not Taken\" by Robert Frost 🌲'" in text and "السلام عليكم" in text
    built = run("--now", NOW_ARG, "--no-search", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "output/news/1403/hello-world-utf8-test/index.html").read_text(encoding="utf-8")
    assert "Robert Frost 🌲" in page and "𝓣𝓮𝓼𝓽 𝓜𝓾𝓵𝓽𝓲-𝓑𝔂𝓽𝓮" in page


def test_a_second_import_changes_nothing_and_a_dry_run_writes_nothing(tmp_path):
    write_site(tmp_path, {})
    assert run("import", str(FIXTURES / "wordpress-fa.xml"), "--dry-run", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "content").exists() or not imported(tmp_path)
    assert run("import", str(FIXTURES / "wordpress-fa.xml"), cwd=tmp_path).returncode == 0
    (tmp_path / "content/1402/food-packages.md").write_text("edited by staff", encoding="utf-8")
    before = imported(tmp_path)
    again = run("import", str(FIXTURES / "wordpress-fa.xml"), cwd=tmp_path)
    assert again.returncode == 0 and "نوشته شد: ۰؛ از پیش بود و دست نخورد: ۳" in again.stderr
    assert imported(tmp_path) == before  # never over a file, even one staff changed


def test_an_export_whose_channel_lost_its_wordpress_fields_is_still_read_as_one(tmp_path):
    write_site(tmp_path, {})
    whole = (FIXTURES / "wordpress-fa.xml").read_text(encoding="utf-8")
    (tmp_path / "bare.xml").write_text(whole.replace("<wp:wxr_version>1.2</wp:wxr_version>", ""), encoding="utf-8")
    result = run("import", str(tmp_path / "bare.xml"), "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "خروجی وردپرس: ۳ خبر (۱ پیش‌نویس)" in result.stderr.splitlines()


def test_rss_and_atom_feeds_are_imported(tmp_path):
    write_site(tmp_path, {})
    assert run("import", str(FIXTURES / "feed.rss"), cwd=tmp_path).returncode == 0
    assert run("import", str(FIXTURES / "feed.atom"), cwd=tmp_path).returncode == 0
    files = imported(tmp_path)
    assert files["1403/water-tanks.md"].startswith(
        "---\ntitle: نصب منبع آب در روستاهای دامغان\ndate: 1403-04-13 09:30\ntags:\n- آب شرب\naliases:\n- /news/water-tanks/\n---\n"
    )
    assert files["1403/clinic.md"].startswith(
        "---\ntitle: درمانگاه سیار در شاهرود\ndate: 1403-05-01 08:00\nsummary: پزشکان به روستاها رفتند.\n"
    )
    assert run("--now", NOW_ARG, "--no-search", cwd=tmp_path).returncode == 0


def test_a_broken_export_is_refused_with_its_line_and_nothing_is_written(tmp_path):
    write_site(tmp_path, {})
    whole = (FIXTURES / "wordpress-fa.xml").read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(whole[: len(whole) // 2], encoding="utf-8")
    result = run("import", str(cut), cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("cut.xml:")
    assert "فایل XML درست نیست" in result.stderr and "دوباره از سایت قبلی خروجی بگیرید" in result.stderr

    undated = tmp_path / "undated.xml"
    undated.write_text(
        whole.replace("<wp:post_date>2024-03-10 09:00:00</wp:post_date>", "").replace(
            "<wp:post_date_gmt>2024-03-10 05:30:00</wp:post_date_gmt>", ""
        ),
        encoding="utf-8",
    )
    result = run("import", str(undated), cwd=tmp_path)
    line = whole[: whole.index("<title>توزیع بسته‌های")].count("\n")  # the <item> line above it
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"undated.xml:{line}: نوشتهٔ «توزیع بسته‌های معیشتی در شاهرود» تاریخ ندارد؛ در سایت قبلی تاریخ آن را درست کنید"
    )

    (tmp_path / "not-a-feed.xml").write_text("<html><body>page</body></html>", encoding="utf-8")
    result = run("import", str(tmp_path / "not-a-feed.xml"), cwd=tmp_path)
    assert result.returncode == 1 and "خروجی وردپرس (WXR" in result.stderr

    # Two posts under one old address: neither may silently lose it.
    first = re.search(r"<item>.*?</item>", whole, re.S)
    assert first
    twin = first[0].replace("<title>افتتاح گلخانهٔ روستای گل‌دشت</title>", "<title>خبر دیگر</title>")
    (tmp_path / "twins.xml").write_text(whole.replace(first[0], first[0] + "\n" + twin), encoding="utf-8")
    result = run("import", str(tmp_path / "twins.xml"), cwd=tmp_path)
    first_line = whole[: first.start()].count("\n") + 1
    twin_line = first_line + first[0].count("\n") + 1
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"twins.xml:{twin_line}: نوشتهٔ «خبر دیگر» همان نشانی قدیمی «/1402/03/افتتاح-گلخانه/» را دارد که"
        f" «افتتاح گلخانهٔ روستای گل‌دشت» (twins.xml:{first_line})؛ یک نشانی فقط به یک خبر می‌رسد:"
        " در سایت قبلی یکی را درست کنید یا از خروجی بردارید"
    )

    # The WordPress importer's own truncated export, and a 50 MB one cut off near its end.
    result = run("import", str(FIXTURES / "wordpress-importer/malformed-simple.xml"), cwd=tmp_path)
    assert result.returncode == 1 and "malformed-simple.xml:14: فایل XML درست نیست" in result.stderr
    items = whole[whole.index("<item>") : whole.rindex("</item>") + len("</item>")]
    copies = 50_000_000 // len(items.encode()) + 1
    big = whole.replace(items, "\n".join([items] * copies))
    (tmp_path / "big.xml").write_text(big[: len(big) - 2000], encoding="utf-8")
    assert (tmp_path / "big.xml").stat().st_size > 50_000_000
    result = run("import", str(tmp_path / "big.xml"), cwd=tmp_path)
    assert result.returncode == 1
    assert re.match(rf"big\.xml:{big[: len(big) - 2000].count(chr(10)) + 1}: فایل XML درست نیست", result.stderr)
    assert not (tmp_path / "content").exists() or not imported(tmp_path)


def test_a_hugo_and_a_jekyll_sample_site_import_and_build_with_their_old_addresses(tmp_path):
    write_site(tmp_path, {})
    reports = {}
    for site in ("hugo-ananke", "jekyll-new"):
        result = run("import", str(FIXTURES / site), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        reports[site] = result.stderr.splitlines()
    files = imported(tmp_path)
    assert sorted(files) == ["1398/sing-together-2019.md", "1400/climate-sound-change.md", "1403/welcome-to-jekyll.md"]
    # Hugo: the date in Tehran time, tags, the section's address kept.
    assert files["1400/climate-sound-change.md"].startswith(
        "---\ntitle: 2021 grant awarded by British Music Collection for Climate.Sound.Change project\n"
        "date: 1400-03-23 19:28\ntags:\n- climate\n- ClimateSoundChange\n- GreatestMistake\n"
        "aliases:\n- /post/climate-sound-change/\n---\n"
    )
    # Jekyll: space-separated categories, its default permalink, Liquid's code block as a fenced one.
    jekyll = files["1403/welcome-to-jekyll.md"]
    assert jekyll.startswith(
        "---\ntitle: Welcome to Jekyll!\ndate: 1403-02-15 10:00\ncategory: jekyll\ntags:\n- update\n"
        "aliases:\n- /jekyll/update/2024/05/04/welcome-to-jekyll.html\n---\n"
    )
    assert "```ruby\ndef print_hi(name)" in jekyll and "{%" not in jekyll
    assert (
        "حذف از متن: 1400/climate-sound-change.md: عکس شاخص بدون متن جایگزین (alt) آورده نشد؛"
        " پس از آوردن، image و image_alt را بنویسید: /images/climate-sound-change.png"
    ) in reports["hugo-ananke"]
    built = run("--now", NOW_ARG, "--no-search", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    output = tmp_path / "output"
    for old in (
        "post/climate-sound-change/index.html",
        "post/sing-together-2019/index.html",
        "jekyll/update/2024/05/04/welcome-to-jekyll.html",
    ):
        assert 'rel="canonical"' in (output / old).read_text(encoding="utf-8")


def test_photos_come_from_the_uploads_folder_beside_their_release_with_their_alt_text(tmp_path):
    write_site(tmp_path, {})
    data = photo(tmp_path / "uploads/golkhane.jpg", (800, 600))
    lead = photo(tmp_path / "uploads/2023/06/bakhshdar.jpg", (1200, 800))
    result = run("import", str(FIXTURES / "wordpress-fa.xml"), "--uploads", str(tmp_path / "uploads"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "content/1402/post-c001b4e5bb-golkhane.jpg").read_bytes() == data
    assert (tmp_path / "content/1402/post-c001b4e5bb-bakhshdar.jpg").read_bytes() == lead
    release = imported(tmp_path)["1402/post-c001b4e5bb.md"]
    assert "![گلخانه](post-c001b4e5bb-golkhane.jpg)" in release
    # The featured image (_thumbnail_id) is the release's photo, its alt text from the attachment.
    assert "image: post-c001b4e5bb-bakhshdar.jpg\nimage_alt: بخشدار در گلخانهٔ گل‌دشت\n" in release
    assert "عکس آورده نشد" not in result.stderr
    built = run("--now", NOW_ARG, "--no-search", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "output/news/1402/post-c001b4e5bb/index.html").read_text(encoding="utf-8")
    assert "<picture>" in page and 'alt="گلخانه"' in page


def test_without_the_photo_at_hand_it_is_reported_and_download_fetches_it(tmp_path):
    write_site(tmp_path, {})
    data = photo(tmp_path / "old-site/wp-content/uploads/2024/03/tanks-300x200.jpg")
    photo(tmp_path / "old-site/wp-content/uploads/2023/06/bakhshdar.jpg")
    with served(tmp_path / "old-site") as address:
        export = tmp_path / "export.xml"
        src = f"{address}wp-content/uploads/2024/03/tanks-300x200.jpg"
        export.write_text(
            (FIXTURES / "wordpress-fa.xml")
            .read_text(encoding="utf-8")
            .replace("https://old.example.ir/wp-content/uploads/golkhane.jpg", src)
            .replace("https://old.example.ir/wp-content/", f"{address}wp-content/"),
            encoding="utf-8",
        )
        plain = run("import", str(export), "--dry-run", cwd=tmp_path)
        assert (
            plain.returncode == 0
            and f"عکس آورده نشد (پوشهٔ uploads را با --uploads بدهید یا --download بزنید): {src}" in plain.stderr
        )
        fetched = run("import", str(export), "--download", cwd=tmp_path)
    assert fetched.returncode == 0, fetched.stderr
    assert (tmp_path / "content/1402/post-c001b4e5bb-tanks-300x200.jpg").read_bytes() == data


def test_a_photo_that_cannot_be_downloaded_stops_the_import_before_anything_is_written(tmp_path):
    write_site(tmp_path, {})
    export = tmp_path / "export.xml"
    export.write_text(
        (FIXTURES / "wordpress-fa.xml")
        .read_text(encoding="utf-8")
        .replace("https://old.example.ir/wp-content/uploads/golkhane.jpg", "http://127.0.0.1:9/gone.jpg"),
        encoding="utf-8",
    )
    result = run("import", str(export), "--download", cwd=tmp_path)
    assert result.returncode == 1 and "عکس دریافت نشد" in result.stderr
    assert not (tmp_path / "content").exists() or not imported(tmp_path)


def test_an_export_saved_in_another_encoding_is_refused_with_the_line_it_breaks_at(tmp_path):
    write_site(tmp_path, {})
    text = (FIXTURES / "wordpress-fa.xml").read_text(encoding="utf-8")
    saved = tmp_path / "windows.xml"
    saved.write_bytes(text.encode("cp1256", errors="ignore"))  # still declared UTF-8
    result = run("import", str(saved), cwd=tmp_path)
    first_persian = next(number for number, line in enumerate(text.splitlines(), 1) if not line.isascii())
    assert result.returncode == 1
    assert result.stderr.startswith(f"windows.xml:{first_persian}: فایل XML درست نیست")
    assert "نه UTF-8" in result.stderr
    assert not (tmp_path / "content").exists() or not imported(tmp_path)


def bundle(folder: Path, text: str) -> None:
    """A Hugo page bundle: ``folder`` with its ``index.md``."""
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(text, encoding="utf-8")


def test_photos_of_markdown_bodies_come_from_the_bundle_or_the_old_sites_root(tmp_path):
    write_site(tmp_path, {})
    hugo = tmp_path / "hugo"
    bundle(
        hugo / "content/news/well",
        "---\ntitle: حفر چاه تازه\ndate: 2024-05-04T10:00:00+03:30\n---\n![چاه روستا](well.jpg)\n\n"
        "![نقشهٔ منطقه](/maps/area.png)\n\n![گمشده](lost.jpg)\n",
    )
    well = photo(hugo / "content/news/well/well.jpg")
    area = photo(hugo / "static/maps/area.png")
    result = run("import", str(hugo), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    release = imported(tmp_path)["1403/well.md"]
    assert "![چاه روستا](well-well.jpg)" in release and "![نقشهٔ منطقه](well-area.png)" in release
    assert "lost.jpg" not in release
    assert (tmp_path / "content/1403/well-well.jpg").read_bytes() == well
    assert (tmp_path / "content/1403/well-area.png").read_bytes() == area
    assert "حذف از متن: 1403/well.md: عکس پیدا نشد: lost.jpg" in result.stderr.splitlines()

    # The featured photo of the front matter, as Hugo's `images` and a Jekyll theme's `image` name it.
    bundle(
        hugo / "content/news/pump",
        "---\ntitle: پمپ تازهٔ آب\ndate: 2024-05-05T10:00:00+03:30\nimages: [pump.jpg]\n"
        "image_alt: پمپ آب کنار مخزن روستا\n---\nمتن\n",
    )
    pump = photo(hugo / "content/news/pump/pump.jpg")
    jekyll = tmp_path / "jekyll"
    (jekyll / "_posts").mkdir(parents=True)
    (jekyll / "_posts/2024-05-06-road.md").write_text(
        "---\ntitle: جادهٔ تازه\nimage:\n  path: /assets/road.jpg\n---\nمتن\n", encoding="utf-8"
    )
    result = run("import", str(hugo), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert run("import", str(jekyll), cwd=tmp_path).returncode == 0
    release = imported(tmp_path)["1403/pump.md"]
    assert "image: pump-pump.jpg\nimage_alt: پمپ آب کنار مخزن روستا\n" in release
    assert (tmp_path / "content/1403/pump-pump.jpg").read_bytes() == pump
    road = imported(tmp_path)["1403/road.md"]
    assert "image" not in road  # no alt text, so the photo is reported, not written without one
    built = run("--now", NOW_ARG, "--no-search", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert 'alt="پمپ آب کنار مخزن روستا"' in (tmp_path / "output/news/1403/pump/index.html").read_text(encoding="utf-8")
