from datetime import date, datetime, timezone

import pytest
from conftest import TEHRAN
from hypothesis import given
from hypothesis import strategies as st

from newsroom.dates import (
    days_in_jalali_month,
    format_jalali,
    jalali_date,
    month_start,
    parse_date,
    parse_jalali_months,
)
from newsroom.errors import LocatedError
from newsroom.text import to_ascii_digits


@pytest.mark.parametrize(
    "spelling",
    [
        "1400-01-25",
        "1400/01/25",
        "1400/1/25",
        "۱۴۰۰/۰۱/۲۵",
        "۱۴۰۰-۱-۲۵",
        "1400.01.25",
        "١٤٠٠/٠١/٢٥",
        " 1400-01-25 ",
        "2021-04-14",
    ],
)
def test_every_listed_spelling_is_the_same_day(spelling):
    moment = parse_date(spelling, TEHRAN)
    assert moment == datetime(2021, 4, 14, tzinfo=TEHRAN)
    assert format_jalali(moment) == "چهارشنبه ۲۵ فروردین ۱۴۰۰"


@pytest.mark.parametrize(
    "spelling",
    [
        "1400-01-25 10:30",
        "۱۴۰۰/۰۱/۲۵ ۱۰:۳۰",
        "1400-01-25T10:30:00",
        "2021-04-14T10:30:00+04:30",
        "2021-04-14T06:00:00Z",
    ],
)
def test_time_and_offset(spelling):
    moment = parse_date(spelling, TEHRAN)
    assert moment.isoformat() == "2021-04-14T10:30:00+04:30"


@pytest.mark.parametrize(
    "spelling, offset",
    [
        ("1401-05-01", "+04:30"),  # summer 1401 (2022): Iran still changed clocks
        ("1401-10-01", "+03:30"),
        ("1402-05-01", "+03:30"),  # no daylight saving from 2023
        ("1403-04-10 08:00", "+03:30"),
    ],
)
def test_tehran_offsets_follow_the_law_of_the_day(spelling, offset):
    assert parse_date(spelling, TEHRAN).isoformat().endswith(offset)


@pytest.mark.parametrize(
    "spelling, iso",
    [
        ("۲۵ فروردین ۱۴۰۰", "2021-04-14T00:00:00+04:30"),
        ("چهارشنبه ۲۵ فروردین ۱۴۰۰، ساعت ۱۰:۳۰", "2021-04-14T10:30:00+04:30"),
        ("سه شنبه 4 ارديبهشت 1403", "2024-04-23T00:00:00+03:30"),
        ("۱ اردی‌بهشت ۱۴۰۳ 08:15", "2024-04-20T08:15:00+03:30"),
    ],
)
def test_dates_written_out_with_month_names(spelling, iso):
    assert parse_date(spelling, TEHRAN).isoformat() == iso


def test_a_misspelt_month_name_is_named():
    with pytest.raises(LocatedError) as caught:
        parse_date("25 فروردن 1400", TEHRAN)
    assert caught.value.message == "ماه «فروردن» در تاریخ «25 فروردن 1400» شناخته نشد؛ منظورتان «فروردین» بود؟"


def test_leap_years():
    assert parse_date("1403-12-30", TEHRAN).date() == date(2025, 3, 20)
    assert parse_date("1399-12-30", TEHRAN).date() == date(2021, 3, 20)
    assert days_in_jalali_month(1408, 12) == 30
    assert days_in_jalali_month(1404, 12) == 29


@pytest.mark.parametrize(
    "spelling, message",
    [
        ("1400-12-30", "اسفند ۱۴۰۰ فقط ۲۹ روز دارد و روز ۳۰ در تاریخ «1400-12-30» وجود ندارد؛ سال ۱۴۰۰ کبیسه نیست"),
        ("1404-12-30", "اسفند ۱۴۰۴ فقط ۲۹ روز دارد و روز ۳۰ در تاریخ «1404-12-30» وجود ندارد؛ سال ۱۴۰۴ کبیسه نیست"),
        ("1400/13/01", "ماه ۱۳ در تاریخ «1400/13/01» وجود ندارد؛ ماه باید بین ۱ تا ۱۲ باشد"),
        ("1403-07-31", "مهر ۱۴۰۳ فقط ۳۰ روز دارد و روز ۳۱ در تاریخ «1403-07-31» وجود ندارد"),
        ("1403-02-15 24:00", "ساعت «24:00» در تاریخ «1403-02-15 24:00» وجود ندارد؛ ساعت ۰ تا ۲۳ و دقیقه ۰ تا ۵۹ است"),
        (
            "2021-02-29",
            "روز ۲۹ در تاریخ میلادی «2021-02-29» وجود ندارد؛ اگر تاریخ شمسی است سال را شمسی بنویسید (مثل ۱۴۰۳)",
        ),
        (
            "25 فروردین",
            "تاریخ «25 فروردین» خوانده نشد؛ نمونه‌های درست: 1403-02-15 یا ۱۴۰۳/۰۲/۱۵ یا 1403/2/15 10:30 یا ۱۵ اردیبهشت ۱۴۰۳",
        ),
        (
            "1403-02-15 10:30 +33:30",
            "اختلاف ساعت «+33:30» در تاریخ «1403-02-15 10:30 +33:30» وجود ندارد؛ برای ایران +03:30 بنویسید یا آن را حذف کنید",
        ),
        (
            "1403-02-15T10:30+03:99",
            "اختلاف ساعت «+03:99» در تاریخ «1403-02-15T10:30+03:99» وجود ندارد؛ برای ایران +03:30 بنویسید یا آن را حذف کنید",
        ),
        ("9999-12-31T23:00-12:00", "سال ۹۹۹۹ در تاریخ «9999-12-31T23:00-12:00» درست به نظر نمی‌رسد؛ سال را بررسی کنید"),
        (
            "403-01-01",
            "تاریخ «403-01-01» خوانده نشد؛ نمونه‌های درست: 1403-02-15 یا ۱۴۰۳/۰۲/۱۵ یا 1403/2/15 10:30 یا ۱۵ اردیبهشت ۱۴۰۳",
        ),
    ],
)
def test_invalid_dates_say_what_is_wrong(spelling, message):
    with pytest.raises(LocatedError) as caught:
        parse_date(spelling, TEHRAN)
    assert caught.value.message == message


def test_formats_for_readers():
    moment = parse_date("1403-02-15 09:05", TEHRAN)
    assert format_jalali(moment, "medium") == "۱۵ اردیبهشت ۱۴۰۳"
    assert format_jalali(moment, "short") == "۱۴۰۳/۰۲/۱۵"
    assert format_jalali(moment, "datetime") == "شنبه ۱۵ اردیبهشت ۱۴۰۳، ساعت ۰۹:۰۵"


@given(st.dates(min_value=date(1922, 3, 21), max_value=date(2199, 12, 31)), st.integers(0, 23), st.integers(0, 59))
def test_jalali_round_trip(day, hour, minute):
    # A wall time that exists in Tehran (one skipped by a clock change moves on).
    moment = (
        datetime(day.year, day.month, day.day, hour, minute, tzinfo=TEHRAN).astimezone(timezone.utc).astimezone(TEHRAN)
    )
    year, month, dom = jalali_date(moment)
    parsed = parse_date(f"{year}/{month}/{dom} {moment.hour}:{moment.minute:02d}", TEHRAN)
    assert parsed.replace(tzinfo=None) == moment.replace(tzinfo=None)
    if not moment.fold:  # the repeated hour at a clock change reads as its first occurrence
        assert parsed == moment


@given(st.dates(min_value=date(1922, 3, 21), max_value=date(2199, 12, 31)))
def test_persian_digit_spelling_round_trip(day):
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=TEHRAN)
    shown = format_jalali(moment, "short")  # Persian digits, as a reader sees it
    assert parse_date(shown + " 12:00", TEHRAN) == moment
    assert to_ascii_digits(shown).count("/") == 2


@pytest.mark.parametrize(
    ("spelling", "months"),
    [
        ("1403-08", ((1403, 8), (1403, 8))),
        ("۱۴۰۳/۸", ((1403, 8), (1403, 8))),
        ("آبان ۱۴۰۳", ((1403, 8), (1403, 8))),
        ("1403", ((1403, 1), (1403, 12))),
        ("1402-12..1403-02", ((1402, 12), (1403, 2))),
        ("1402..1403-06", ((1402, 1), (1403, 6))),
    ],
)
def test_spans_of_jalali_months(spelling, months):
    assert parse_jalali_months(spelling) == months


@pytest.mark.parametrize(
    ("spelling", "message"),
    [
        ("1403-13", "ماه ۱۳ در «1403-13» وجود ندارد"),
        ("1403-05..1403-02", "ماه پایان پیش از ماه آغاز است"),
        ("ابان ۱۴۰۳", "منظورتان «آبان» بود؟"),
        ("2024-10", "سال ۲۰۲۴ در «2024-10» سال شمسی نیست"),
        ("1403-08-12", "ماه یا سال شمسی نیست"),
    ],
)
def test_impossible_spans_say_what_is_wrong(spelling, message):
    with pytest.raises(LocatedError, match=message):
        parse_jalali_months(spelling)


def test_a_month_starts_at_midnight_tehran():
    assert month_start(1403, 8, TEHRAN) == datetime(2024, 10, 22, tzinfo=TEHRAN)
    assert month_start(1403, 13, TEHRAN) == datetime(2025, 3, 21, tzinfo=TEHRAN)  # the next year's Farvardin
