"""Related news that reads the article: text, tags, category, county and recency."""

import subprocess
import sys

import numpy as np
from conftest import NOW, NOW_ARG, REPO, read, release, write_site
from hypothesis import given, settings
from hypothesis import strategies as st

from newsroom.config import RelatedConfig, load_config
from newsroom.content import load_article
from newsroom.related import RelatedIndex, Score
from newsroom.site import assemble_site

GREENHOUSE = "گلخانهٔ هیدروپونیک روستای گل‌دشت با کشت خیار برای جوانان تعاونی ساخته می‌شود و برداشت محصول گلخانه آغاز شد."
SCHOOL = "دبستان سه‌کلاسهٔ روستای کلاته‌سرخ با کمک خیران ساخته شد و دانش‌آموزان روستا در کلاس‌های تازه درس می‌خوانند."
VACCINE = "تیم‌های سیار واکسیناسیون سرخک و سرخجه در مدارس و عشایر شاهرود هزار دانش‌آموز را واکسن زدند."
FLOOD = "سیل حبله‌رود خانه‌های روستاییان گرمسار را گرفت و جهادگران لایروبی رودخانه و اسکان سیل‌زدگان را آغاز کردند."


def site_of(tmp_path, files, config=""):
    config_path = write_site(tmp_path, files, config)
    site_config = load_config(config_path)
    articles = [load_article(tmp_path / "content" / name, site_config)[0] for name in sorted(files)]
    return assemble_site(articles, site_config, NOW)


def related_slugs(site, slug):
    article = next(a for a in site.articles if a.slug == slug)
    return [a.slug for a in site.related[article.url]]


def test_an_untagged_release_finds_its_story_from_the_text(tmp_path):
    site = site_of(
        tmp_path,
        {
            "g1.md": release("آغاز ساخت گلخانه در گل‌دشت", "1403-01-10", GREENHOUSE),
            "g2.md": release("نخستین برداشت خیار گلخانهٔ گل‌دشت", "1403-04-10", GREENHOUSE, tags="[کشاورزی]"),
            "s1.md": release("افتتاح دبستان کلاته‌سرخ", "1403-02-10", SCHOOL, tags="[کشاورزی]"),
            "v1.md": release("واکسیناسیون دانش‌آموزان شاهرود", "1403-03-10", VACCINE),
            "f1.md": release("امدادرسانی به سیل‌زدگان گرمسار", "1403-01-15", FLOOD),
        },
    )
    assert related_slugs(site, "g1")[0] == "g2"
    index = RelatedIndex(site.articles, site.config.related)
    flood = next(a for a in site.articles if a.slug == "f1")
    # Nothing shares its story: no candidate reaches the minimum score…
    assert all(score.total < site.config.related.min_score for _, score in index.explain(flood))
    # …so the list is filled with the releases nearest in time rather than left empty.
    assert related_slugs(site, "f1") == ["g1", "s1", "v1", "g2"]


def test_a_short_list_is_filled_from_the_same_category_and_county_then_the_category_then_by_time(tmp_path):
    words = iter(["انار", "سیب", "گلابی", "هلو", "زردآلو", "انجیر"])

    def story(date, **fields):  # one word of its own: no text or tag to share
        word = next(words)
        return release(word, date, f"{word} {word}", **fields)

    files = {
        "x.md": story("1403-05-01", category="سلامت", county="سرخه"),
        "same-far.md": story("1402-01-01", category="سلامت", county="سرخه"),
        "same-near.md": story("1403-06-01", category="سلامت", county="سرخه"),
        "category.md": story("1403-05-02", category="سلامت", county="شاهرود"),
        "other.md": story("1403-05-01", category="آموزش", county="سرخه"),
        "none.md": story("1403-04-30"),
    }
    site = site_of(tmp_path, files, "related:\n  count: 4\n")
    assert related_slugs(site, "x") == ["same-near", "same-far", "category", "other"]
    # Without include_newer, only releases not newer fill it, the nearest first.
    site = site_of(tmp_path, files, "related:\n  count: 4\n  include_newer: false\n")
    assert related_slugs(site, "x") == ["same-far", "other", "none"]


def test_a_tag_of_the_site_found_in_the_text_counts_as_a_lighter_tag(tmp_path):
    site = site_of(
        tmp_path,
        {
            "tagged.md": release("خبر الف", "1403-02-01", "گزارش جداگانه", tags="[زعفران]"),
            "says-it.md": release("خبر ب", "1403-02-02", "برداشت زعفران در روستا آغاز شد"),
            "silent.md": release("خبر پ", "1403-02-03", "برداشت پسته در روستا آغاز شد"),
        },
    )
    index = RelatedIndex(site.articles, site.config.related)
    tagged = next(a for a in site.articles if a.slug == "tagged")
    scores = {a.slug: s for a, s in index.explain(tagged)}
    # The tag's word is in one text, not in the other.
    assert scores["says-it"].tags > 0 and ("silent" not in scores or scores["silent"].tags == 0)
    assert related_slugs(site, "tagged")[0] == "says-it"


def test_title_words_count_more_than_body_words(tmp_path):
    body = f"{SCHOOL} {GREENHOUSE}"  # both stories in the body; the title says which one it is
    site = site_of(
        tmp_path,
        {
            "a.md": release("برداشت خیار گلخانهٔ هیدروپونیک گل‌دشت", "1403-02-01", body),
            "b.md": release("گلخانهٔ خیار گل‌دشت", "1403-02-02", GREENHOUSE),
            "c.md": release("دبستان کلاته‌سرخ", "1403-02-02", SCHOOL),
        },
    )
    assert related_slugs(site, "a") == ["b", "c"]


def test_a_shared_rare_tag_counts_more_than_a_tag_on_half_the_site(tmp_path):
    files = {
        f"n{i}.md": release(f"خبر {i}", f"1403-02-1{i}", f"متن شمارهٔ {i} دربارهٔ موضوع {i}", tags="[بسیج]")
        for i in range(6)
    }
    files["rare-a.md"] = release("الف", "1403-03-01", "گزارش نخست", tags="[بسیج, پسته‌کاران]")
    files["rare-b.md"] = release("ب", "1403-03-02", "گزارش دوم", tags="[بسیج, پسته‌کاران]")
    site = site_of(tmp_path, files)
    index = RelatedIndex(site.articles, site.config.related)
    scores = {a.slug: s for a, s in index.explain(next(a for a in site.articles if a.slug == "rare-a"))}
    assert scores["rare-b"].tags > 2 * scores["n0"].tags > 0
    assert related_slugs(site, "rare-a")[0] == "rare-b"


def test_old_releases_fade_and_ties_go_to_the_newer_then_the_smaller_url(tmp_path):
    site = site_of(
        tmp_path,
        {
            "now.md": release("گلخانه", "1403-06-01", GREENHOUSE),
            "b-week.md": release("گلخانه", "1403-05-25", GREENHOUSE),
            "a-week.md": release("گلخانه", "1403-05-25", GREENHOUSE),
            "year.md": release("گلخانه", "1402-06-01", GREENHOUSE),
            "old.md": release("گلخانه", "1396-06-01", GREENHOUSE),
        },
    )
    # Seven years apart: under the minimum, so listed only to fill the list, last.
    assert related_slugs(site, "now") == ["a-week", "b-week", "year", "old"]


def test_pinned_come_first_in_their_order_then_the_best(tmp_path):
    site = site_of(
        tmp_path,
        {
            "a.md": release("گلخانه", "1403-02-01", GREENHOUSE, related="[old, s]"),
            "b.md": release("گلخانه", "1403-02-02", GREENHOUSE),
            "s.md": release("مدرسه", "1403-02-03", SCHOOL),
            "old.md": release("سیل", "1399-02-03", FLOOD),
        },
    )
    assert related_slugs(site, "a") == ["old", "s", "b"]


def test_pin_mistakes_are_told_alike_whether_lists_are_ranked_here_or_in_another_process(build):
    files = {
        "a.md": release("الف", "1403-02-01", GREENHOUSE, related="[no-such-release, x]"),
        "b.md": release("ب", "1403-02-02", SCHOOL, related="[b]"),
        "1402/x.md": release("ایکس", "1402-02-03", FLOOD),
        "1403/x.md": release("ایکس", "1403-02-03", FLOOD),
    }
    here = build(files, "--jobs", "1")
    beside = build(files, "--jobs", "2", "--output", "beside")
    assert here.code == beside.code == 1 and here.err == beside.err
    assert "«no-such-release» پیدا نشد" in here.err and "«x» به چند خبر می‌خورد" in here.err
    assert "content/b.md:4: related: «b» خود همین خبر است" in here.err


def test_count_and_include_newer(tmp_path):
    files = {f"n{i}.md": release(f"گلخانه {i}", f"1403-02-1{i}", GREENHOUSE) for i in range(8)}
    site = site_of(tmp_path, files, "related:\n  count: 3\n  include_newer: false\n")
    assert related_slugs(site, "n5") == ["n4", "n3", "n2"]
    assert related_slugs(site, "n0") == []


def test_score_adds_weighted_components_then_decays():
    score = Score(text=0.5, tags=0.2, category=0.05, county=0.0, decay=0.5)
    assert score.total == 0.375
    defaults = RelatedConfig()
    assert defaults.count == 5 and defaults.include_newer and defaults.min_score > 0


def test_text_vectors_are_unit_length_so_the_same_text_scores_one(tmp_path):
    site = site_of(
        tmp_path,
        {"a.md": release("گلخانه", "1403-02-01", GREENHOUSE), "b.md": release("گلخانه", "1403-02-01", GREENHOUSE)},
    )
    index = RelatedIndex(site.articles, site.config.related)
    norms = np.sqrt(np.asarray(index.text.multiply(index.text).sum(axis=1)).ravel())
    assert np.allclose(norms, 1)
    [(_, score)] = index.explain(site.articles[0])
    assert abs(score.text - 1) < 1e-9


def test_the_related_list_is_shown_under_the_release(build, tmp_path):
    build(
        {
            "a.md": release("آغاز ساخت گلخانه", "1403-02-01", GREENHOUSE),
            "b.md": release("گلخانهٔ دوم", "1403-02-02", GREENHOUSE),
        }
    )
    page = read(tmp_path, "/news/1403/a/")
    assert '<h2 id="related-title">اخبار مرتبط</h2>' in page
    assert (
        '<li><a href="../b/">گلخانهٔ دوم</a> <time datetime="2024-04-21T00:00:00+03:30">۲ اردیبهشت ۱۴۰۳</time></li>'
        in page
    )


def test_related_command_explains_each_item(tmp_path):
    write_site(
        tmp_path,
        {
            "a.md": release("آغاز ساخت گلخانه", "1403-02-01", GREENHOUSE, related="[s]", county="سرخه"),
            "b.md": release("گلخانهٔ دوم", "1403-02-02", GREENHOUSE, county="سرخه"),
            "s.md": release("افتتاح مدرسه", "1403-02-03", SCHOOL),
            "f.md": release("سیل", "1403-02-03", FLOOD),
        },
    )
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "related", "content/a.md", "--now", NOW_ARG],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "اخبار مرتبط با «آغاز ساخت گلخانه» (content/a.md)"
    start = lines.index("انتخاب‌شده:") + 1
    chosen = lines[start : lines.index("", start)]
    assert [text.split("  ", 1)[1].split(" — ")[0] for text in chosen[:2]] == ["افتتاح مدرسه", "گلخانهٔ دوم"]
    assert chosen[0].endswith("[چسبانده با related:]")
    assert "+ شهرستان 0.050) × " in chosen[1]
    # Nothing else shares its story: the flood fills the short list, and says so.
    assert chosen[-1].endswith("[پرکردن فهرست کوتاه: هم‌دسته یا هم‌شهرستان یا نزدیک در زمان]") and "سیل" in chosen[-1]
    assert "بهترین‌های کنار گذاشته: هیچ" in lines


def test_related_command_on_a_broken_or_foreign_file(tmp_path):
    write_site(tmp_path, {"a.md": release("الف", "1400-12-30")})
    (tmp_path / "elsewhere.md").write_text(release("ب"), encoding="utf-8")

    def run(path):
        return subprocess.run(
            [sys.executable, str(REPO / "build.py"), "related", path, "--now", NOW_ARG],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )

    broken = run("content/a.md")
    assert broken.returncode == 1 and broken.stderr.startswith("content/a.md:3: date: اسفند ۱۴۰۰ فقط ۲۹ روز دارد")
    foreign = run("elsewhere.md")
    assert foreign.returncode == 1 and foreign.stderr.startswith("elsewhere.md: این فایل خبری از پوشهٔ خبرها نیست")


TOPICS = [GREENHOUSE, SCHOOL, VACCINE, FLOOD]
release_strategy = st.tuples(
    st.sampled_from(range(len(TOPICS))),
    st.lists(st.sampled_from(["گلخانه", "زعفران", "كمك", "کمک", "واکسن", "مدرسه"]), max_size=3, unique=True),
    st.sampled_from([None, "سلامت", "کشاورزی"]),
    st.sampled_from([None, "سرخه", "دامغان"]),
    st.integers(1, 12),
    st.integers(1, 28),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(release_strategy, min_size=1, max_size=12), st.lists(st.integers(0, 11), max_size=2), st.randoms())
def test_lists_never_hold_self_are_bounded_pinned_first_and_ignore_file_order(tmp_path_factory, releases, pins, random):
    files = {}
    for i, (topic, tags, category, county, month, day) in enumerate(releases):
        fields = {"tags": "[" + ", ".join(tags) + "]"} if tags else {}
        if category:
            fields["category"] = category
        if county:
            fields["county"] = county
        if i == 0 and pins:
            fields["related"] = "[" + ", ".join(f"r{p}" for p in sorted(set(pins)) if 0 < p < len(releases)) + "]"
        files[f"r{i}.md"] = release(f"خبر {i}", f"1402-{month:02d}-{day:02d}", TOPICS[topic], **fields)
    tmp_path = tmp_path_factory.mktemp("site")
    config = load_config(write_site(tmp_path, files))
    articles = [load_article(tmp_path / "content" / name, config)[0] for name in files]
    site = assemble_site(articles, config, NOW)
    shuffled = list(articles)
    random.shuffle(shuffled)
    again = assemble_site(shuffled, config, NOW)
    for article in site.articles:
        chosen = site.related[article.url]
        assert article not in chosen
        assert len(chosen) == len(set(chosen))
        pinned = [a.slug for a in chosen[: len(article.related)]]
        assert pinned == list(article.related)
        assert len(chosen) <= max(config.related.count, len(article.related))
        assert chosen == again.related[article.url]


WORDS = [
    "گلخانه",
    "خیار",
    "برداشت",
    "روستا",
    "جوانان",
    "تعاونی",
    "دبستان",
    "کلاس",
    "خیران",
    "واکسن",
    "سرخک",
    "عشایر",
    "سیل",
    "لایروبی",
    "رودخانه",
    "اسکان",
    "پسته",
    "زعفران",
    "قنات",
    "چاه",
    "آبرسانی",
    "مدرسه",
    "کتابخانه",
    "درمانگاه",
    "پزشک",
    "دارو",
    "بسته",
    "معیشتی",
    "وام",
    "اشتغال",
    "بانوان",
    "فرش",
    "قالی",
    "دامداری",
    "مرغداری",
    "زنبورداری",
    "عسل",
    "باغ",
    "انار",
    "انگور",
]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 3), st.sampled_from(["counts", "typo", "swap"]))
def test_lists_updated_after_edits_are_the_lists_computed_afresh(tmp_path_factory, seed, edited, kind):
    """After edits — the same words used more often, a word of its own (a typo, or its
    fix), one common word put for another — only the lists that can differ are computed
    again: the result must be exactly the lists computed from nothing."""
    from random import Random

    from newsroom import related
    from newsroom.cache import Cache

    random = Random(seed)

    def story(words):
        return " ".join(random.choice(words) for _ in range(30)) + "."

    # Twelve topics with words of their own, and a few words any release may use.
    vocabulary = random.sample([a + b for a in WORDS for b in WORDS if a != b], 12 * 10 + 30)
    topics, shared = [vocabulary[t * 10 : t * 10 + 10] for t in range(12)], vocabulary[120:]
    files = {}
    for i in range(90):
        words = random.sample(topics[i % 12], 8) + random.sample(shared, 3)
        files[f"r{i:02d}.md"] = release(
            " ".join(random.sample(words, 3)),
            f"14{random.randint(1, 3):02d}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}",
            story(words),
            tags=f"[برچسب {random.randint(1, 6)}]",
        )
    tmp_path = tmp_path_factory.mktemp("site")
    config = load_config(write_site(tmp_path, files))

    def read_all():
        articles = [load_article(tmp_path / "content" / name, config)[0] for name in sorted(files)]
        return tuple(sorted(articles, key=lambda a: (a.date, a.url)))

    ranked = []  # how many lists each ranking made
    rank, compute = related._rank_rows, related._compute_related
    # Small bounds, so that edits move words across them and ties at the cut matter.
    saved = related.TERMS_PER_RELEASE, related.MAX_TERM_RELEASES
    related.TERMS_PER_RELEASE, related.MAX_TERM_RELEASES = 6, 12
    related._rank_rows = lambda index, rows, *rest: ranked.append(len(rows)) or rank(index, rows, *rest)
    try:
        memo = Cache(None, "")
        before = read_all()
        slugs = frozenset(a.slug for a in before)
        related.rank_related(before, slugs, config.related, memo).result()
        for name in random.sample(sorted(files), edited):
            path = tmp_path / "content" / name
            text = path.read_text(encoding="utf-8")
            head, body = text.rsplit("---\n", 1)
            used = body.split()
            if kind == "counts":
                body += " ".join(random.sample(used, 5)) + "\n"
            elif kind == "typo":
                own = "".join(random.choice("ابپتجچخدرزسشغفقکگلمنوهی") for _ in range(7))
                body = body.replace(random.choice(used), own, 1)
            else:
                body = body.replace(random.choice(used).strip("."), random.choice(shared))
            path.write_text(head + "---\n" + body, encoding="utf-8")
        after = read_all()
        afresh, _ = compute(after, slugs, config.related)
        ranked.clear()
        updated, problems = related.rank_related(after, slugs, config.related, memo).result()
    finally:
        related._rank_rows, related._compute_related = rank, compute
        related.TERMS_PER_RELEASE, related.MAX_TERM_RELEASES = saved
    assert problems == [] and updated == afresh
    if kind in ("counts", "typo") and edited == 1:
        assert ranked[0] < len(after)  # not every list
