"""The search page in Chromium, typed into the ways readers type Persian."""

import json

import pytest
from conftest import NOW_ARG, release, write_site

from newsroom.cli import main
from newsroom.text import fold

ZWNJ = "\u200c"

SITE = {
    "kerman.md": release(
        "کمک‌های یکپارچه به روستاهای کرمان",
        "1403-02-10",
        f"بسته‌ها این هفته توزیع می{ZWNJ}شود و کار ادامه دارد.",
        category="محرومیت‌زدایی",
        county="کرمان",
    ),
    "packages.md": release(
        "توزیع بسته در سمنان",
        "1402-05-01",
        "در این مرحله ۸۰۰ بسته میان خانواده‌ها توزیع شد.",
        category="محرومیت‌زدایی",
        county="سمنان",
    ),
    "clinic.md": release(
        "درمانگاه سیار در سمنان",
        "1403-03-01",
        "پزشکان در روستا بیماران را معاینه کردند و بسته دارو دادند.",
        category="سلامت",
        county="سمنان",
    ),
    "joined.md": release(
        "کتابخانهٔ روستای دامغان",
        "1401-07-01",
        "کتاب ها اهدا شد و کار آن ادامه میشود.",
        category="آموزش",
        county="دامغان",
    ),
}
# A shard of about one release each: every query that finds two releases finds them in two shards.
CONFIG = "search:\n  shard_size: 2\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built once for every test here, in a folder beneath the served one so it
    is reached under a sub-path, as on a host like https://org.ir/news/."""
    root = tmp_path_factory.mktemp("search")
    config = write_site(root, SITE, CONFIG)
    assert (
        main(["build", "--config", str(config), "--output", str(root / "www" / "news"), "--now", NOW_ARG, "--quiet"])
        == 0
    )
    assert len(json.loads((root / "www" / "news" / "pagefind" / "shards.json").read_bytes())["shards"]) == len(SITE)
    return root / "www"


@pytest.fixture
def address(site, serve):
    return serve(site) + "news/"


def search(page, address, query, **filters):
    """Open the search page, type ``query`` as a reader would, pick ``filters``, and wait
    for the answer; returns the titles found."""
    page.goto(address + "search/")
    for name, value in filters.items():
        page.select_option(f"#search-{name}", value)
    page.locator("#search-query").press_sequentially(query)
    answered(page)
    return page.locator("#search-results h2").all_inner_texts()


def answered(page):
    """Wait until the answer to the last keystroke or choice is on the page."""
    page.locator("#search-results[aria-busy='false']").wait_for(state="attached")


def test_arabic_letters_find_the_persian_article(page, address):
    assert search(page, address, "كمك يكپارچه") == ["کمک‌های یکپارچه به روستاهای کرمان"]
    assert page.locator("#search-results h2 mark").all_inner_texts() == ["کمک‌های", "یکپارچه"]


def test_ascii_digits_find_persian_digits_and_mark_them(page, address):
    assert search(page, address, "۸۰۰") == search(page, address, "٨٠٠") == ["توزیع بسته در سمنان"]
    assert search(page, address, "800 بسته") == ["توزیع بسته در سمنان"]
    marks = page.locator("#search-results mark").all_inner_texts()
    assert "۸۰۰" in marks and "بسته" in marks  # the text as written, not as folded
    assert page.locator("#search-results .meta").inner_text() == "۱ مرداد ۱۴۰۲ · سمنان"


def test_a_space_where_a_half_space_belongs_still_finds(page, address):
    assert search(page, address, "توزیع می شود") == ["کمک‌های یکپارچه به روستاهای کرمان"]
    assert page.locator("#search-results mark").all_inner_texts() == ["توزیع", f"می{ZWNJ}شود"]
    assert search(page, address, "توزیع میشود") == ["کمک‌های یکپارچه به روستاهای کرمان"]
    # Found by the word joined after the text: the word as the release wrote it is marked.
    assert page.locator("#search-results mark").all_inner_texts() == ["توزیع", f"می{ZWNJ}شود"]


def test_filters_narrow_the_results(page, address):
    assert len(search(page, address, "بسته")) == 3
    assert sorted(search(page, address, "بسته", county="سمنان")) == ["توزیع بسته در سمنان", "درمانگاه سیار در سمنان"]
    assert search(page, address, "بسته", county="سمنان", year="1403") == ["درمانگاه سیار در سمنان"]
    assert search(page, address, "بسته", category="سلامت") == ["درمانگاه سیار در سمنان"]
    assert "category=" in page.url  # a search can be shared or bookmarked


def test_nothing_is_requested_from_outside_the_site(page, address):
    search(page, address, "کرمان")
    page.locator("#search-results a").first.click()
    page.wait_for_url("**/news/1403/kerman/")
    assert page.requests and all(url.startswith(address) for url in page.requests), page.requests


def test_the_header_box_searches_from_any_page_by_keyboard(page, address):
    page.goto(address + "news/1402/packages/")
    page.keyboard.press("Tab")  # the skip link
    while page.evaluate("document.activeElement.id") != "site-search-query":
        page.keyboard.press("Tab")
    page.keyboard.type("درمانگاه")
    page.keyboard.press("Enter")
    answered(page)
    assert page.locator("#search-results h2").all_inner_texts() == ["درمانگاه سیار در سمنان"]
    assert page.input_value("#search-query") == "درمانگاه"


def test_a_word_of_one_letter_waits_for_its_second(page, address):
    page.goto(address + "search/")
    page.locator("#search-query").press_sequentially("س")
    answered(page)
    assert page.inner_text("#search-status") == "دست‌کم دو حرف از واژه را بنویسید."
    assert page.locator("#search-results li").count() == 0
    page.locator("#search-query").press_sequentially("من")
    answered(page)
    assert sorted(page.locator("#search-results h2").all_inner_texts()) == [
        "توزیع بسته در سمنان",
        "درمانگاه سیار در سمنان",
    ]


def test_unknown_words_say_so(page, address):
    assert search(page, address, "هواپیما") == []
    assert "پیدا نشد" in page.inner_text("#search-status")


def test_without_javascript_the_page_says_where_else_to_look(browser, address):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(address)
    page.fill("#site-search-query", "کرمان")
    page.press("#site-search-query", "Enter")
    page.wait_for_url("**/search/?q=*")
    assert "جاوااسکریپت" in page.inner_text("main")
    page.get_by_role("link", name="آرشیو").last.click()
    assert page.url.endswith("/news/archive/")
    context.close()


def test_the_query_fold_in_the_browser_is_the_build_fold(page, address):
    page.goto(address + "search/")
    samples = [chr(c) for r in ((0, 0x7FF), (0x2000, 0x206F), (0xFB50, 0xFDFF), (0xFE70, 0xFFEF)) for c in range(*r)]
    samples += [
        "كتاب‌هاي ٤٥ و ۴۵ و 45",
        "مسئول مؤسسهٔ إسلامي آموزش",
        "ﻛﺘﺎﺏ ﷲ",
        "Ｆｕｌｌ ＷＩＤＴＨ",
        "قُرآن‌ـــکريم\u200f",
    ]
    folded = page.evaluate(
        """async (samples) => {
        const { fold } = await import(document.querySelector("script[src*='search.js']").src);
        return samples.map(fold);
    }""",
        samples,
    )
    mismatches = [(s, f, fold(s)) for s, f in zip(samples, folded, strict=True) if f != fold(s)]
    assert mismatches == []


def test_releases_found_in_different_shards_come_as_one_ranked_list(page, address):
    assert sorted(search(page, address, "سمنان")) == ["توزیع بسته در سمنان", "درمانگاه سیار در سمنان"]
    assert page.inner_text("#search-status") == "۲ خبر پیدا شد"  # the filters below hold across shards too


def test_a_word_written_joined_or_apart_is_found_either_way(page, address):
    # «میشود» in one release, «می‌شود» in another: the spaced query finds both, the joined one too.
    both = ["کتابخانهٔ روستای دامغان", "کمک‌های یکپارچه به روستاهای کرمان"]
    assert sorted(search(page, address, "ادامه می شود")) == sorted(search(page, address, "ادامه میشود")) == both
    # «کتاب ها» written apart is found by «کتابها», and the reverse.
    assert search(page, address, "کتابها") == search(page, address, "کتاب ها") == ["کتابخانهٔ روستای دامغان"]
    assert page.locator("#search-results mark").all_inner_texts() == ["کتابخانهٔ", "کتاب", "ها"]
    # A word that begins with «می» is not two words: «میان» is not «می» and «ان» («آن»).
    assert search(page, address, "میان") == ["توزیع بسته در سمنان"]


def test_a_site_built_without_search_says_search_is_unavailable(tmp_path, page, serve):
    config = write_site(tmp_path, {"a.md": release("خبر")})
    assert main(["build", "--config", str(config), "--now", NOW_ARG, "--quiet", "--no-search"]) == 0
    assert not (tmp_path / "output" / "pagefind").exists()
    page.goto(serve(tmp_path / "output") + "search/?q=خبر")
    answered(page)
    assert "در دسترس نیست" in page.inner_text("#search-status")


def test_ten_results_at_a_time(tmp_path, page, serve):
    files = {f"n{i:02d}.md": release(f"خبر زعفران شمارهٔ {i}", f"1403-02-{i + 1:02d}") for i in range(12)}
    config = write_site(tmp_path, files)
    assert main(["build", "--config", str(config), "--now", NOW_ARG, "--quiet"]) == 0
    assert len(search(page, serve(tmp_path / "output"), "زعفران")) == 10
    assert page.inner_text("#search-status") == "۱۲ خبر پیدا شد"
    page.click("#search-more")
    page.locator("#search-results li:nth-child(12)").wait_for()
    assert page.locator("#search-more").is_hidden()


def test_opened_from_disk_the_search_page_says_it_needs_a_web_address(page, site):
    page.goto((site / "news" / "index.html").as_uri())
    page.fill("#site-search-query", "کرمان")
    page.press("#site-search-query", "Enter")
    page.wait_for_url("**/search/index.html?q=*")
    assert "از یک نشانی وب باز شود" in page.inner_text("#search-status")
