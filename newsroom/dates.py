"""Dates: parse the spellings press staff type, and show Jalali dates to readers.

Inside the engine every date is an aware stdlib ``datetime`` in the site's time zone.
The Jalali calendar is used only at the edges: when parsing what staff typed, and when
formatting for a reader. This is the only module that uses jdatetime.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, timedelta, timezone, tzinfo

import jdatetime

from .errors import LocatedError
from .text import ZWNJ, normalize_line, to_ascii_digits, to_persian_digits

MONTH_NAMES = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
WEEKDAY_NAMES = ("شنبه", "یک‌شنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه")
# Years below this are Jalali (1300s–1400s); from here on they are Gregorian.
FIRST_GREGORIAN_YEAR = 1700
LAST_GREGORIAN_YEAR = 2300

_DATE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})"
    r"(?:(?:\s+|T)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
EXAMPLES = "1403-02-15 یا ۱۴۰۳/۰۲/۱۵ یا 1403/2/15 10:30 یا ۱۵ اردیبهشت ۱۴۰۳"
# «چهارشنبه ۲۵ فروردین ۱۴۰۰، ساعت ۱۰:۳۰», as a date is written in the text of a release.
_WRITTEN = re.compile(
    r"^(?:[^\d\s]+\s+){0,2}(?P<d>\d{1,2})\s+(?P<month>[^\d\s]+)\s+(?P<y>\d{4})"
    r"(?:\s*[،,]?\s*(?:ساعت\s*)?(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?$"
)
_MONTH_NUMBERS = {name.replace(ZWNJ, ""): number for number, name in enumerate(MONTH_NAMES, 1)}
_MONTH_NUMBERS.update({"اردیبهشت": 2, "امرداد": 5})


def parse_date(value: str, tz: tzinfo) -> datetime:
    """Parse a Jalali or Gregorian date as typed by staff into an aware datetime in ``tz``.

    Accepts ``1400-01-25``, ``1400/1/25``, ``۱۴۰۰/۰۱/۲۵``, an optional `` 10:30`` or
    ``T10:30:00``, an optional ``+04:30``/``Z`` offset, Gregorian ISO dates (years from
    1700), and dates written out: «چهارشنبه ۲۵ فروردین ۱۴۰۰، ساعت ۱۰:۳۰». Raises
    ``LocatedError`` with a Persian message saying what is wrong.
    """
    text = _numeric(to_ascii_digits(normalize_line(value)))
    match = _DATE.match(text)
    if not match:
        raise LocatedError(f"تاریخ «{value}» خوانده نشد؛ نمونه‌های درست: {EXAMPLES}")
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    hour, minute, second = int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise LocatedError(
            f"ساعت «{match['H']}:{match['M']}» در تاریخ «{value}» وجود ندارد؛ ساعت ۰ تا ۲۳ و دقیقه ۰ تا ۵۹ است"
        )
    if not 1 <= month <= 12:
        raise LocatedError(f"ماه {to_persian_digits(month)} در تاریخ «{value}» وجود ندارد؛ ماه باید بین ۱ تا ۱۲ باشد")
    if year < FIRST_GREGORIAN_YEAR:
        gregorian = _jalali_to_gregorian(year, month, day, value)
    elif year > LAST_GREGORIAN_YEAR:
        raise LocatedError(f"سال {to_persian_digits(year)} در تاریخ «{value}» درست به نظر نمی‌رسد؛ سال را بررسی کنید")
    else:
        try:
            gregorian = date(year, month, day)
        except ValueError:
            raise LocatedError(
                f"روز {to_persian_digits(day)} در تاریخ میلادی «{value}» وجود ندارد؛ اگر تاریخ شمسی است سال را شمسی بنویسید (مثل ۱۴۰۳)"
            ) from None
    naive = datetime(gregorian.year, gregorian.month, gregorian.day, hour, minute, second)
    if match["tz"]:
        return naive.replace(tzinfo=_fixed_offset(match["tz"], value)).astimezone(tz)
    return _wall_time(naive, tz)


def _wall_time(naive: datetime, tz: tzinfo) -> datetime:
    """``naive`` as read on a clock in ``tz``. Round-tripped through UTC so that a wall time
    skipped by a DST change gets one canonical offset."""
    return naive.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)


def _numeric(text: str) -> str:
    """«۲۵ فروردین ۱۴۰۰ ساعت ۱۰:۳۰» → «1400-1-25 10:30»; other text unchanged."""
    match = _WRITTEN.match(text)
    if not match:
        return text
    numeric = f"{match['y']}-{_month_number(match['month'], f'تاریخ «{text}»')}-{match['d']}"
    return f"{numeric} {match['time']}" if match["time"] else numeric


def _month_number(name: str, where: str) -> int:
    """The number of the Jalali month ``name`` (with or without its ZWNJ); an unknown name,
    met in ``where``, raises ``LocatedError`` naming the closest month."""
    number = _MONTH_NUMBERS.get(name.replace(ZWNJ, ""))
    if number is None:
        close = difflib.get_close_matches(name, MONTH_NAMES, n=1, cutoff=0.6)
        hint = f"؛ منظورتان «{close[0]}» بود؟" if close else "؛ نام ماه‌ها: " + "، ".join(MONTH_NAMES)
        raise LocatedError(f"ماه «{name}» در {where} شناخته نشد{hint}")
    return number


def _jalali_to_gregorian(year: int, month: int, day: int, value: str) -> date:
    if year < 1200:
        raise LocatedError(
            f"سال {to_persian_digits(year)} در تاریخ «{value}» درست به نظر نمی‌رسد؛ سال شمسی را چهاررقمی بنویسید (مثل ۱۴۰۳)"
        )
    try:
        gregorian: date = jdatetime.date(year, month, day).togregorian()
        return gregorian
    except ValueError:
        pass
    days = days_in_jalali_month(year, month)
    hint = ""
    if month == 12 and day == 30:
        hint = f"؛ سال {to_persian_digits(year)} کبیسه نیست"
    raise LocatedError(
        f"{MONTH_NAMES[month - 1]} {to_persian_digits(year)} فقط {to_persian_digits(days)} روز دارد و روز "
        f"{to_persian_digits(day)} در تاریخ «{value}» وجود ندارد{hint}"
    )


def days_in_jalali_month(year: int, month: int) -> int:
    """Length of a Jalali month: 31 days for months 1–6, 30 for 7–11, 29 or 30 for Esfand."""
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


def _fixed_offset(text: str, value: str) -> tzinfo:
    if text == "Z":
        return timezone.utc
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise LocatedError(
            f"اختلاف ساعت «{text}» در تاریخ «{value}» وجود ندارد؛ برای ایران +03:30 بنویسید یا آن را حذف کنید"
        )
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def jalali_date(moment: datetime) -> tuple[int, int, int]:
    """(year, month, day) of ``moment`` in the Jalali calendar, in ``moment``'s own zone."""
    # jdatetime's bare converter: its date objects read the locale on creation, five
    # times the conversion's cost, and builds convert thousands of dates.
    year, month, day = jdatetime.GregorianToJalali(moment.year, moment.month, moment.day).getJalaliList()
    return year, month, day


def format_jalali(moment: datetime, style: str = "long") -> str:
    """A Jalali date for readers, in Persian digits.

    ``long``: «چهارشنبه ۲۵ فروردین ۱۴۰۰»; ``medium``: «۲۵ فروردین ۱۴۰۰»;
    ``short``: «۱۴۰۰/۰۱/۲۵»; ``datetime``: the long form with «ساعت ۱۰:۳۰».
    """
    year, month, day = jalali_date(moment)
    if style == "short":
        return to_persian_digits(f"{year}/{month:02d}/{day:02d}")
    medium = to_persian_digits(f"{day} {MONTH_NAMES[month - 1]} {year}")
    if style == "medium":
        return medium
    weekday = WEEKDAY_NAMES[(moment.weekday() + 2) % 7]  # Monday=0 → شنبه=0
    long = f"{weekday} {medium}"
    if style == "long":
        return long
    if style == "datetime":
        return f"{long}، ساعت {to_persian_digits(moment.strftime('%H:%M'))}"
    raise ValueError(f"unknown Jalali date style: {style!r}")


def month_name(month: int) -> str:
    """Persian name of Jalali month 1–12."""
    return MONTH_NAMES[month - 1]


_MONTH = re.compile(r"^(?P<y>\d{4})(?:\s*[-/.]\s*(?P<m>\d{1,2}))?$")
MONTH_EXAMPLES = "1403-08 یا ۱۴۰۳/۸ یا آبان ۱۴۰۳ (ماه)، 1403 (سال)، 1403-07..1403-09 (چند ماه)"


def parse_jalali_months(value: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The first and last (year, month) of a span of Jalali months as staff type it:
    ``1403-08`` or «آبان ۱۴۰۳» (a month), ``1403`` (its twelve months), or two of these
    joined by ``..`` (a range). Raises ``LocatedError`` saying what is wrong."""
    first, dots, last = to_ascii_digits(normalize_line(value)).partition("..")
    start, end = _month_span(first.strip(), value), _month_span(last.strip(), value) if dots else None
    if end is None:
        return start
    if end[1] < start[0]:
        raise LocatedError(f"در «{value}» ماه پایان پیش از ماه آغاز است؛ اول ماه زودتر را بنویسید")
    return start[0], end[1]


def _month_span(text: str, value: str) -> tuple[tuple[int, int], tuple[int, int]]:
    words = text.split()
    if len(words) == 2 and not words[0].isdigit():  # «آبان ۱۴۰۳»
        text = f"{words[1]}-{_month_number(words[0], f'«{value}»')}"
    match = _MONTH.match(text)
    if not match:
        raise LocatedError(f"«{value}» ماه یا سال شمسی نیست؛ نمونه‌های درست: {MONTH_EXAMPLES}")
    year = int(match["y"])
    if not 1200 <= year < FIRST_GREGORIAN_YEAR:
        raise LocatedError(f"سال {to_persian_digits(year)} در «{value}» سال شمسی نیست؛ مثل ۱۴۰۳ بنویسید")
    if match["m"] is None:
        return (year, 1), (year, 12)
    month = int(match["m"])
    if not 1 <= month <= 12:
        raise LocatedError(f"ماه {to_persian_digits(month)} در «{value}» وجود ندارد؛ ماه باید بین ۱ تا ۱۲ باشد")
    return (year, month), (year, month)


def month_start(year: int, month: int, tz: tzinfo) -> datetime:
    """The first moment of Jalali month ``month`` of ``year`` in ``tz`` (month 13: the next year's first)."""
    year, month = (year + 1, 1) if month == 13 else (year, month)
    first: date = jdatetime.date(year, month, 1).togregorian()
    return _wall_time(datetime(first.year, first.month, first.day), tz)
