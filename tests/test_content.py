"""Front matter as staff write it, and what readers then see."""

import re
import shutil

from conftest import REPO, photo, read, release

from newsroom.content import find_sources


def test_release_page_shows_the_jalali_date_and_links(build, tmp_path):
    result = build(
        {
            "1400/vaccination.md": release(
                "واکسیناسیون در دامغان",
                "1400-01-25 10:30",
                "به گزارش روابط عمومی؛ متن.",
                tags="واکسیناسیون، سلامت",
                category="سلامت",
                county="دامغان",
                source="روابط عمومی",
            )
        }
    )
    assert (result.code, result.err) == (0, "")
    page = read(tmp_path, "/news/1400/vaccination/")
    assert '<time datetime="2021-04-14T10:30:00+04:30">چهارشنبه ۲۵ فروردین ۱۴۰۰، ساعت ۱۰:۳۰</time>' in page
    assert '<a href="../../../county/دامغان/">شهرستان دامغان</a>' in page
    assert '<a href="../../../tags/سلامت/">سلامت</a>' in page
    assert "منبع: روابط عمومی" in page
    assert '<html lang="fa" dir="rtl">' in page


def test_tags_as_list_or_separated_string(build, tmp_path):
    build(
        {
            "a.md": release("الف", tags="[کمک, سلامت]"),
            "b.md": release("ب", tags="کمک، سلامت, آموزش"),
        }
    )
    tags = read(tmp_path, "/tags/")
    for name in ("کمک", "سلامت", "آموزش"):
        assert f'<a href="{name}/">{name}</a>' in tags
    assert "۲ خبر" in read(tmp_path, "/tags/کمک/")


def test_arabic_letters_and_half_space_variants_are_one_term(build, tmp_path):
    build(
        {
            "a.md": release("الف", tags="كمك مؤمنانه، بسته های معیشتی", county="كرمان"),
            "b.md": release("ب", tags="کمک مؤمنانه، بسته‌های معیشتی", county="کرمان"),
            "c.md": release("پ", tags="[کمک مؤمنانه]"),
        }
    )
    term = read(tmp_path, "/tags/کمک-مؤمنانه/")
    assert "۳ خبر" in term and "الف" in term and "ب" in term
    # The spelling most releases use names the page.
    assert '<h1 class="page-title">برچسب: کمک مؤمنانه</h1>' in term
    assert "۲ خبر" in read(tmp_path, "/tags/بسته-های-معیشتی/")
    assert "۲ خبر" in read(tmp_path, "/county/کرمان/")


def test_summary_defaults_to_the_first_paragraph(build, tmp_path):
    build({"a.md": release("الف", body="پاراگراف **اول** خبر.\n\nپاراگراف دوم.")})
    assert '<meta name="description" content="پاراگراف اول خبر.">' in read(tmp_path, "/news/1403/a/")
    assert '<p class="summary">پاراگراف اول خبر.</p>' in read(tmp_path, "/")


def test_given_summary_wins(build, tmp_path):
    build({"a.md": release("الف", summary="خلاصهٔ نوشته‌شده", body="متن.")})
    assert '<p class="summary">خلاصهٔ نوشته‌شده</p>' in read(tmp_path, "/")


def test_urls_come_from_slug_then_ascii_file_name_then_a_stable_id(build, tmp_path):
    build(
        {
            "1403/1403-02-15-saffron-harvest.md": release("زعفران"),
            "1403/old-name.md": release("با نشانی", slug="kept-url"),
            "1403/افتتاح-مدرسه.md": release("مدرسه"),
            "bundle/index.md": release("پوشه"),
        }
    )
    names = sorted(p.name for p in (tmp_path / "output/news/1403").iterdir())
    assert [n for n in names if not re.fullmatch("[0-9a-f]{10}", n)] == ["bundle", "kept-url", "saffron-harvest"]
    assert len(names) == 4


def test_editing_the_title_keeps_the_url(build, tmp_path):
    build({"1403/افتتاح-مدرسه.md": release("عنوان اول")})
    first = sorted((tmp_path / "output/news/1403").iterdir())
    build({"1403/افتتاح-مدرسه.md": release("عنوان ویرایش‌شده")})
    assert sorted((tmp_path / "output/news/1403").iterdir()) == first


def test_markdown_features_for_press_releases(build, tmp_path):
    body = """## برنامه‌های سال

> ما در کنار مردم هستیم.

| شهرستان | بسته |
|---|---|
| دامغان | ۸۰۰ |

- یک
- دو

متن با پانویس[^1].

[^1]: توضیح.

پاراگراف با کلاس
{: .lead}
"""
    build({"a.md": release("الف", body=body)})
    page = read(tmp_path, "/news/1403/a/")
    assert '<h2 id="برنامه-های-سال">برنامه‌های سال</h2>' in page
    assert "<blockquote>\n<p>ما در کنار مردم هستیم.</p>\n</blockquote>" in page
    assert "<td>دامغان</td>" in page
    assert "<li>دو</li>" in page
    assert '<a class="footnote-ref" href="#fn:1">۱</a>' in page
    assert '<p class="lead">پاراگراف با کلاس</p>' in page


def test_arabic_letters_in_title_and_body_are_shown_in_persian(build, tmp_path):
    build({"a.md": release("كمك به خانواده‌هاي نيازمند", body="متن يك خبر.")})
    page = read(tmp_path, "/news/1403/a/")
    assert "<h1>کمک به خانواده‌های نیازمند</h1>" in page and "<p>متن یک خبر.</p>" in page


def test_crlf_and_bom_are_accepted(build, tmp_path):
    text = "\ufeff" + release("ویندوز").replace("\n", "\r\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "win.md").write_bytes(text.encode("utf-8"))
    assert build({}).code == 0
    assert "<h1>ویندوز</h1>" in read(tmp_path, "/news/1403/win/")


def test_files_that_are_not_releases(build, tmp_path):
    result = build({"a.md": release("الف"), "notes.txt": "یادداشت", ".hidden.md": "x", "_drafts/b.md": "x"})
    assert result.code == 0
    assert (
        result.err
        == "content/notes.txt: هشدار: این فایل منتشر نمی‌شود: فقط فایل‌های ‎.md‎ خبر هستند؛ متن خبر را در فایل ‎.md‎ بنویسید\n"
    )


def test_strict_turns_warnings_into_failure(build, tmp_path):
    result = build({"a.md": release("الف"), "notes.txt": "یادداشت"}, "--strict")
    assert result.code == 1 and not (tmp_path / "output").exists()


def test_a_headline_as_a_tag_or_a_tag_of_marks_only_warns_and_the_release_is_published(build, tmp_path):
    headline = "برگزاری نشست مشترک مدیران استانی برای بررسی وضعیت آب شرب روستاهای شهرستان سرخه در تابستان"
    result = build({"a.md": release("الف", tags=f"[{headline}, ٰٰٰٰ, آب شرب]")})
    assert result.code == 0
    assert result.err.splitlines() == [
        f"content/a.md:4: هشدار: tags: «{headline[:40]}…» برای یک برچسب بلند است ({len(headline)} نویسه) و صفحه‌اش"
        " نشانی کوتاه‌شده‌ای گرفت؛ اگر چند مورد است آن‌ها را با ، یا , از هم جدا کنید",
        "content/a.md:4: هشدار: tags: «ٰٰٰٰ» هیچ حرف یا رقمی ندارد و کنار گذاشته شد؛ آن را پاک کنید یا درست بنویسید",
    ]
    page = read(tmp_path, "/news/1403/a/")
    assert "آب شرب" in page and "ٰٰٰٰ" not in page
    # The headline's page: a short address, the same in every build, linked from the release.
    [segment] = [p.name for p in (tmp_path / "output/tags").iterdir() if p.name.startswith("برگزاری")]
    assert len(segment) <= 60 and re.fullmatch(r"برگزاری-نشست-مشترک-مدیران-[-\w]*-[0-9a-f]{8}", segment)
    assert f'href="../../../tags/{segment}/"' in page
    assert headline in read(tmp_path, f"/tags/{segment}/")
    assert build({"a.md": release("الف", tags=f"[{headline}]")}, "--output", "again").code == 0
    assert (tmp_path / "again/tags" / segment / "index.html").is_file()


def test_a_bad_old_address_or_an_unknown_key_only_warns_and_the_release_is_published(build, tmp_path):
    text = release(
        "الف", aliases='["/x/<script>/", "javascript:alert(1)", old/path, /news/../x/, /static/a/, /1398/old/]'
    )
    result = build({"a.md": text.replace("---\n", "---\nsumary: خلاصه\n", 1)})
    assert result.code == 0
    advice = "نشانی قدیمی درستی نیست و از آن به خبر راهی ساخته نشد؛ مسیری مثل /news/old-name/ بنویسید"
    assert sorted(result.err.splitlines()) == sorted(
        [
            "content/a.md:2: هشدار: sumary: کلید ناشناخته است و خوانده نشد؛ منظورتان «summary» بود؟",
            f"content/a.md:5: هشدار: aliases: «/x/<script>/» {advice}",
            f"content/a.md:5: هشدار: aliases: «javascript:alert(1)» {advice}",
            f"content/a.md:5: هشدار: aliases: «old/path» {advice}",
            f"content/a.md:5: هشدار: aliases: «/news/../x/» {advice}",
            "content/a.md:5: هشدار: aliases: «/static/a/» زیر /static/ است که جای فایل‌های ثابت سایت است"
            " و از آن راهی ساخته نشد؛ نشانی دیگری بنویسید",
        ]
    )
    assert "خلاصه" not in read(tmp_path, "/news/1403/a/")
    made = {p.relative_to(tmp_path / "output").as_posix() for p in (tmp_path / "output").rglob("*")}
    assert "1398/old/index.html" in made  # the good old address still leads to the release
    assert not [p for p in made if "script" in p or "javascript" in p or p.startswith(("old", "x/", "static/a"))]
    assert build({"a.md": text}, "--strict").code == 1


def test_known_terms_warn_about_typos(build, tmp_path):
    result = build(
        {"a.md": release("الف", county="شاهرورد")},
        config="""
taxonomies:
  county:
    terms: [شاهرود, دامغان]
""",
    )
    assert result.code == 0
    assert (
        result.err
        == "content/a.md:4: هشدار: county: «شاهرورد» در فهرست شهرستان‌ها پیکربندی نیست؛ منظورتان «شاهرود» بود؟\n"
    )


def test_image_beside_the_release_is_published(build, tmp_path):
    photo(tmp_path / "content/1403/photo.jpg")
    build({"1403/a.md": release("الف", image="photo.jpg", image_alt="جلسهٔ شورا")})
    img = re.search(r'<img src="([^"]+)"[^>]* alt="جلسهٔ شورا" width="64" height="48"', read(tmp_path, "/news/1403/a/"))
    assert (tmp_path / "output/news/1403/a" / img[1]).resolve().is_file()


def test_aliases_redirect_to_the_release(build, tmp_path):
    build({"a.md": release("الف", aliases="[/old/path/, /news/1402/a.html]")})
    redirect = read(tmp_path, "/old/path/")
    assert '<meta http-equiv="refresh" content="0; url=../../news/1403/a/">' in redirect
    assert '<link rel="canonical" href="https://news.example.ir/news/1403/a/">' in redirect
    assert (tmp_path / "output/news/1402/a.html").exists()


def test_blank_lines_before_the_front_matter_and_capitalised_keys(build, tmp_path):
    result = build({"a.md": "\n\n---\nTitle: از ویرایشگر دیگر\nDate: 1403-02-15\nTags: [کمک]\n---\nمتن.\n"})
    assert (result.code, result.err) == (0, "")
    page = read(tmp_path, "/news/1403/a/")
    assert "<h1>از ویرایشگر دیگر</h1>" in page and "۱۵ اردیبهشت ۱۴۰۳" in page


def test_image_under_static_is_linked_where_it_is_published(build, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(REPO / "static", static)
    photo(static / "images" / "meeting.jpg")
    result = build({"a.md": release("الف", image="/images/meeting.jpg", image_alt="جلسه")}, static=static)
    assert (result.code, result.err) == (0, "")
    img = re.search(r'<img src="([^"]+)"[^>]* alt="جلسه" width="64" height="48"', read(tmp_path, "/news/1403/a/"))
    assert img[1].startswith("../../../media/") and (tmp_path / "output/news/1403/a" / img[1]).resolve().is_file()


def test_links_inside_content_are_followed_and_links_outside_are_errors(build, tmp_path):
    (tmp_path / "content/real").mkdir(parents=True)
    (tmp_path / "content/real/a.md").write_text(release("الف"), encoding="utf-8")
    (tmp_path / "content/alias").symlink_to(tmp_path / "content/real")  # same files again: read once
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/b.md").write_text(release("ب"), encoding="utf-8")
    (tmp_path / "content/outside").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "content/gone.md").symlink_to(tmp_path / "missing.md")
    result = build({})
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "content/gone.md: این پیوند به فایلی اشاره می‌کند که وجود ندارد؛ پیوند را پاک کنید یا فایل را برگردانید",
        "content/outside: این پیوند به بیرون از پوشهٔ خبرها اشاره می‌کند و منتشر نمی‌شود؛ خود فایل‌ها را در پوشهٔ خبرها بگذارید",
    ]


def test_persian_semicolons_and_commas_inside_lists_separate_tags(build, tmp_path):
    build({"a.md": release("الف", tags="کمک؛ سلامت"), "b.md": release("ب", tags="[کمک، سلامت]")})
    assert "۲ خبر" in read(tmp_path, "/tags/کمک/") and "۲ خبر" in read(tmp_path, "/tags/سلامت/")


def test_quoted_hashtags_and_colons_are_kept(build, tmp_path):
    build({"a.md": release('"همایش #هفته_بسیج: ساعت 12:30"')})
    assert "<h1>همایش #هفته_بسیج: ساعت 12:30</h1>" in read(tmp_path, "/news/1403/a/")


def test_known_terms_match_whatever_the_half_space(build, tmp_path):
    result = build({"a.md": release("الف", county="مهدی شهر")}, config="taxonomies:\n  county:\n    terms: [مهدی‌شهر]\n")
    assert (result.code, result.err) == (0, "")


def test_photo_file_names_with_spaces_and_hashes_work(build, tmp_path):
    photo(tmp_path / "content/عکس خبر #1.jpg")
    photo(tmp_path / "content/عکس دوم.jpg", (96, 48))
    result = build({"a.md": release("الف", image='"عکس خبر #1.jpg"', image_alt="جلسه", body="![سالن](عکس%20دوم.jpg)")})
    assert (result.code, result.err) == (0, "")
    page = read(tmp_path, "/news/1403/a/")
    for alt, size in (("جلسه", 'width="64" height="48"'), ("سالن", 'width="96" height="48"')):
        img = re.search(rf'<img src="([^"]+)"[^>]* alt="{alt}" {size}', page)
        assert (tmp_path / "output/news/1403/a" / img[1]).resolve().is_file()


def test_persian_file_names_with_a_date_prefix_get_distinct_addresses(build, tmp_path):
    result = build({"1403-02-15-اطلاعیه.md": release("یک"), "1403-03-01-اطلاعیه.md": release("دو")})
    assert result.code == 0
    assert len(list((tmp_path / "output/news/1403").iterdir())) == 2


def test_release_files_are_found_in_path_order(tmp_path):
    names = ["b.md", "a/z.md", "a-b.md", "a/b/c.md", "A.md", "c/a.md", "a/b.md"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(release(), encoding="utf-8")
    sources, problems = find_sources(tmp_path)
    assert sources == sorted(tmp_path / name for name in names) and problems == []
