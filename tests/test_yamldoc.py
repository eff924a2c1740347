import pytest

from newsroom.errors import LocatedError
from newsroom.yamldoc import parse_yaml_mapping


def test_unquoted_dates_stay_strings():
    # Plain PyYAML would make date(1400, 1, 15) of the first and crash on the second.
    doc = parse_yaml_mapping("date: 1400-01-15\nexpires: 1403-02-30\nwhen: 2021-04-14T10:30:00+04:30\n", "سرآیند")
    assert doc.values == {"date": "1400-01-15", "expires": "1403-02-30", "when": "2021-04-14T10:30:00+04:30"}


def test_lines_of_keys_and_nested_keys():
    doc = parse_yaml_mapping("title: x\n\ntaxonomies:\n  tags:\n    label: y\nmenu:\n  - title: a\n", "پیکربندی")
    assert doc.line("title") == 1
    assert doc.line("taxonomies.tags.label") == 5
    assert doc.line("menu.0.title") == 7
    assert doc.line("taxonomies.tags.missing") == 4


def test_duplicate_key_is_an_error_at_its_second_line():
    with pytest.raises(LocatedError) as caught:
        parse_yaml_mapping("title: a\ndate: 1403-01-01\ntitle: b\n", "سرآیند")
    assert caught.value.line == 3
    assert caught.value.message == "کلید «title» دو بار آمده است (خط 1 و خط 3)؛ یکی را پاک کنید"


def test_unclosed_bracket_points_where_it_opened():
    with pytest.raises(LocatedError) as caught:
        parse_yaml_mapping("title: a\ntags: [x, y\ndate: 1403-01-01\n", "سرآیند")
    assert caught.value.line == 2


def test_unclosed_quote_points_where_it_opened():
    with pytest.raises(LocatedError) as caught:
        parse_yaml_mapping('title: "a\ndate: 1403-01-01\nsummary: b\n', "سرآیند")
    assert caught.value.line == 1


def test_bad_indentation_points_at_the_bad_line():
    with pytest.raises(LocatedError) as caught:
        parse_yaml_mapping("title: a\n  date: 1403-01-01\n", "سرآیند")
    assert caught.value.line == 2


def test_front_matter_values_are_text_as_typed():
    doc = parse_yaml_mapping("title: 12:30\ntags: [010, 1_000, yes]\nslug: 1400\ndraft: true\nsummary:\n", "سرآیند")
    assert doc.values == {
        "title": "12:30",
        "tags": ["010", "1_000", "yes"],
        "slug": "1400",
        "draft": True,
        "summary": None,
    }


def test_configuration_numbers_are_numbers():
    doc = parse_yaml_mapping("page_size: 12\nmin_score: 0.5\ntime: 12:30\n", "پیکربندی", numbers=True)
    assert doc.values == {"page_size": 12, "min_score": 0.5, "time": "12:30"}


def test_text_lost_to_a_hash_comment_is_noticed():
    doc = parse_yaml_mapping('title: همایش #هفته_بسیج\ntags: #بسیج\nsummary: "با #هشتگ"\n', "سرآیند")
    assert doc.values["title"] == "همایش" and doc.values["tags"] is None
    assert doc.comments == {"title", "tags"}
