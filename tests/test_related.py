"""Related news, first version: shared rare tags, same category and county, recency."""

from hypothesis import given, settings, strategies as st

from newsroom.config import load_config
from newsroom.content import load_article
from newsroom.site import assemble_site

from conftest import NOW, read, release, write_site


def site_of(tmp_path, files, config=""):
    config_path = write_site(tmp_path, files, config)
    site_config = load_config(config_path)
    articles = [load_article(tmp_path / "content" / name, site_config)[0] for name in sorted(files)]
    return assemble_site(articles, site_config, NOW)


def related_slugs(site, slug):
    article = next(a for a in site.articles if a.slug == slug)
    return [a.slug for a in site.related[article.url]]


def test_rare_shared_tags_beat_common_ones_and_old_releases_fade(tmp_path):
    files = {
        "vaccine.md": release("واکسن ۱", "1403-02-01", tags="[واکسیناسیون, سلامت]"),
        "vaccine-2.md": release("واکسن ۲", "1403-03-01", tags="[واکسیناسیون, سلامت]"),
        "vaccine-old.md": release("واکسن قدیمی", "1399-03-01", tags="[واکسیناسیون, سلامت]"),
    }
    files.update({f"h{i}.md": release(f"سلامت {i}", f"1403-02-0{i + 2}", tags="[سلامت]") for i in range(5)})
    site = site_of(tmp_path, files)
    # The four-year-old release shares both tags but has faded below the minimum score;
    # among equals, the nearer in time comes first.
    assert related_slugs(site, "vaccine") == ["vaccine-2", "h0", "h1", "h2", "h3"]
    assert related_slugs(site, "vaccine-old") == []


def test_untagged_release_finds_its_county_and_category(tmp_path):
    site = site_of(tmp_path, {
        "a.md": release("الف", "1403-02-01", category="کشاورزی", county="سرخه"),
        "b.md": release("ب", "1403-02-10", category="کشاورزی", county="سرخه"),
        "c.md": release("پ", "1403-02-10", category="سلامت", county="دامغان"),
    })
    assert related_slugs(site, "a") == ["b"]


def test_nothing_below_the_minimum_score(tmp_path):
    site = site_of(tmp_path, {
        "a.md": release("الف", "1403-02-01", category="کشاورزی"),
        "b.md": release("ب", "1403-02-10", category="کشاورزی"),
    })
    assert related_slugs(site, "a") == []  # one shared category alone is noise


def test_pinned_come_first_in_their_order(tmp_path):
    files = {
        "a.md": release("الف", "1403-02-01", tags="[گلخانه]", related="[old, b]"),
        "b.md": release("ب", "1403-02-02", tags="[زعفران]"),
        "c.md": release("پ", "1403-02-03", tags="[گلخانه]"),
        "old.md": release("قدیمی", "1399-02-03"),
    }
    site = site_of(tmp_path, files)
    assert related_slugs(site, "a") == ["old", "b", "c"]


def test_count_and_include_newer(tmp_path):
    files = {f"n{i}.md": release(f"خبر {i}", f"1403-02-1{i}", tags="[گلخانه]") for i in range(8)}
    site = site_of(tmp_path, files, "related:\n  count: 3\n  include_newer: false\n")
    assert related_slugs(site, "n5") == ["n4", "n3", "n2"]
    assert related_slugs(site, "n0") == []


def test_related_list_is_shown_under_the_release(build, tmp_path):
    build({
        "a.md": release("الف", "1403-02-01", tags="[گلخانه]"),
        "b.md": release("گلخانهٔ دوم", "1403-02-02", tags="[گلخانه]"),
    })
    page = read(tmp_path, "/news/1403/a/")
    assert '<h2 id="related-title">اخبار مرتبط</h2>' in page
    assert '<li><a href="../b/">گلخانهٔ دوم</a> <time datetime="2024-04-21T00:00:00+03:30">۲ اردیبهشت ۱۴۰۳</time></li>' in page


TAGS = ["گلخانه", "زعفران", "كمك", "کمک", "واکسن", "مدرسه"]
release_strategy = st.tuples(
    st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
    st.sampled_from([None, "سلامت", "کشاورزی"]),
    st.sampled_from([None, "سرخه", "دامغان"]),
    st.integers(1, 12),
    st.integers(1, 28),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(release_strategy, min_size=1, max_size=12), st.randoms())
def test_related_never_contains_self_is_bounded_and_ignores_file_order(tmp_path_factory, releases, random):
    files = {}
    for i, (tags, category, county, month, day) in enumerate(releases):
        fields = {"tags": "[" + ", ".join(tags) + "]"} if tags else {}
        if category:
            fields["category"] = category
        if county:
            fields["county"] = county
        files[f"r{i}.md"] = release(f"خبر {i}", f"1402-{month:02d}-{day:02d}", **fields)
    tmp_path = tmp_path_factory.mktemp("site")
    config_path = write_site(tmp_path, files)
    config = load_config(config_path)
    articles = [load_article(tmp_path / "content" / name, config)[0] for name in files]
    site = assemble_site(articles, config, NOW)
    shuffled = list(articles)
    random.shuffle(shuffled)
    again = assemble_site(shuffled, config, NOW)
    for article in site.articles:
        chosen = site.related[article.url]
        assert article not in chosen
        assert len(chosen) <= config.related.count
        assert len(set(chosen)) == len(chosen)
        assert chosen == again.related[article.url]
