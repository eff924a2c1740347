from hypothesis import given
from hypothesis import strategies as st

from newsroom.text import (
    ZWNJ,
    ascii_slugify,
    fold,
    is_ascii_slug,
    normalize_line,
    normalize_text,
    persian_sort_key,
    slugify_term,
    stopwords,
    to_ascii_digits,
    to_persian_digits,
    tokenize,
)

persian_text = st.text(alphabet="ابپتکگیيكى ‌‍ـ‎‏۰۱٢3abc-_.،,\n\t\u200b\u202b\u00ad", max_size=40)


def test_arabic_letters_and_digits_become_persian():
    assert normalize_line("كمك مؤمنانه به ٢٠ خانوادهي") == "کمک مؤمنانه به ۲۰ خانوادهی"


def test_invisible_marks_and_tatweel_go():
    assert normalize_line("\u200fبـــسیج\u200e\u202b سازندگی\u202c\ufeff") == "بسیج سازندگی"


def test_half_space_runs_collapse_and_spaces_around_them_go():
    assert normalize_line(f"می {ZWNJ}{ZWNJ} شود") == f"می{ZWNJ}شود"
    assert normalize_line("کتاب\u00adها") == f"کتاب{ZWNJ}ها"


def test_running_text_keeps_its_lines():
    assert normalize_text("خط اول\n\n    کد") == "خط اول\n\n    کد"


def test_digits():
    assert to_ascii_digits("۱۴۰۳/٠٢/15") == "1403/02/15"
    assert to_persian_digits(1403) == "۱۴۰۳"


def test_term_slugs_join_spelling_variants():
    variants = ["بسته های معیشتی", f"بسته{ZWNJ}های معیشتی", "بسته‌های  معيشتي", " بسته - های معیشتی "]
    assert {slugify_term(v) for v in variants} == {"بسته-های-معیشتی"}
    assert slugify_term("كرمان") == slugify_term("کرمان") == "کرمان"
    assert slugify_term("COVID-19 واکسن ۲") == "covid-19-واکسن-2"
    assert slugify_term("«؟!»") == ""


def test_ascii_slugs():
    assert ascii_slugify("Saffron Harvest_1403") == "saffron-harvest-1403"
    assert ascii_slugify("افتتاح مدرسه") == ""
    assert is_ascii_slug("saffron-harvest") and not is_ascii_slug("../x") and not is_ascii_slug("a--b")


def test_persian_alphabetical_order():
    words = ["گرمسار", "آرادان", "پردیس", "چناران", "یزد", "بم", "ژاله"]
    assert sorted(words, key=persian_sort_key) == ["آرادان", "بم", "پردیس", "چناران", "ژاله", "گرمسار", "یزد"]


@given(persian_text)
def test_normalisation_is_idempotent(text):
    once = normalize_line(text)
    assert normalize_line(once) == once
    assert normalize_text(normalize_text(text)) == normalize_text(text)


@given(persian_text)
def test_slugs_are_idempotent_and_safe_in_paths(text):
    slug = slugify_term(text)
    assert slugify_term(slug) == slug
    assert "/" not in slug and "." not in slug and " " not in slug and ZWNJ not in slug


def test_fold_joins_what_people_type_differently():
    assert fold("مُؤَسَّسه رئيس ۱۲ ٣ أحمد ة") == fold("موسسه رییس 12 3 احمد ه")


def test_tokens_skip_stopwords_numbers_and_split_off_affixes():
    assert tokenize("بسته‌های معیشتی در ۱۴۰۳ میان خانواده‌هاي نیازمند توزیع می شود") == [
        "بسته",
        "معیشتی",
        "خانواده",
        "نیازمند",
        "توزیع",
    ]
    assert tokenize("بسته های معیشتی") == tokenize("بسته‌های معیشتي")
    assert "و" in stopwords() and "از" in stopwords() and "گلخانه" not in stopwords()


@given(persian_text)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
