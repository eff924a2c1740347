"""build.py check: Persian typography and release hygiene, one located line per finding."""

import subprocess
import sys

from conftest import NOW_ARG, REPO, photo, release, write_site

CLEAN = (
    "به گزارش روابط عمومی سازمان؛ بسته‌های معیشتی میان ۲۰۰ خانوادهٔ نیازمند توزیع شد. "
    "رئیس سازمان گفت: «این کار ادامه می‌یابد؟ بله، ادامه می‌یابد.» کتاب‌ها و دفترها هم رسید."
)


def check(tmp_path, *args):
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--now", NOW_ARG, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_clean_persian_text_has_no_findings(tmp_path):
    write_site(
        tmp_path,
        {
            "a.md": release(
                "توزیع بسته‌های معیشتی در دامغان", body=CLEAN, tags="[کمک, سلامت]", summary="خلاصهٔ کوتاه، درست و بی‌نقص."
            )
        },
    )
    result = check(tmp_path, "--strict")
    assert (result.returncode, result.stdout) == (0, "بررسی: 0 خطا، 0 هشدار\n")
    assert not (tmp_path / "output").exists()


def test_each_typography_rule_is_located_by_line_and_column(tmp_path):
    body = "\n".join(
        [
            "متن يك خبر با رقم ٢٠ و کشیدهٔ بـــلند.",
            "این کار انجام می شود و کتاب ها رسید, درست?",
            "دو  فاصله و نویسهٔ\u200fنامرئی.",
            "```",
            "کد يك می شود",
            "```",
            "[پیوند](https://example.ir/a,b?c) و ![](present.jpg) و [خبر](../nowhere.md)",
        ]
    )
    write_site(tmp_path, {"a.md": release("عنوان با ي عربی", body=body)})
    photo(tmp_path / "content" / "present.jpg")
    result = check(tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "content/a.md:2:17: هشدار: arabic-letter: حرف عربی «ي»؛ به جای آن «ی» یا «ک» فارسی بنویسید",
        "content/a.md:5:5: هشدار: arabic-letter: حرف عربی «ي»؛ به جای آن «ی» یا «ک» فارسی بنویسید",
        "content/a.md:5:6: هشدار: arabic-letter: حرف عربی «ك»؛ به جای آن «ی» یا «ک» فارسی بنویسید",
        "content/a.md:5:19: هشدار: arabic-digit: رقم عربی «٢٠»؛ رقم فارسی (۰ تا ۹) بنویسید",
        "content/a.md:5:32: هشدار: tatweel: کشیده (ـ) در متن خبر جایی ندارد؛ آن را بردارید",
        "content/a.md:6:15: هشدار: zwnj-mi: «می» جدا نوشته شده؛ «می» با نیم‌فاصله به فعل می‌چسبد: «می‌شود»",
        "content/a.md:6:28: هشدار: zwnj-ha: «ها» جدا نوشته شده؛ «ها» با نیم‌فاصله به واژه می‌چسبد: «کتاب‌ها»",
        "content/a.md:6:36: هشدار: latin-punctuation: نشانهٔ لاتین «,» پس از حرف فارسی؛ «،» «؛» «؟» بنویسید",
        "content/a.md:6:42: هشدار: latin-punctuation: نشانهٔ لاتین «?» پس از حرف فارسی؛ «،» «؛» «؟» بنویسید",
        "content/a.md:7:3: هشدار: double-space: چند فاصله پشت سر هم؛ یک فاصله بس است",
        "content/a.md:7:19: هشدار: invisible-char: نویسهٔ نامرئی (از Word یا پیام‌رسان) در این‌جا هست؛ آن را بردارید",
        "content/a.md:11:37: هشدار: image-alt: عکس توضیح ندارد؛ میان [ و ] بنویسید در عکس چه دیده می‌شود",
        "content/a.md:11:62: هشدار: broken-link: «../nowhere.md» به فایلی اشاره می‌کند که وجود ندارد؛ نشانی را درست کنید",
        "بررسی: 0 خطا، 13 هشدار",
    ]
    assert check(tmp_path, "--strict").returncode == 1


def test_site_wide_findings(tmp_path):
    long_title = "عنوان " * 30
    write_site(
        tmp_path,
        {
            "a.md": release("همان عنوان"),
            "b.md": release("همان  عنوان".replace("  ", " ")),
            "later.md": release("خبر آینده", "1403-10-01"),
            "planned.md": release("خبر زمان‌بندی‌شده", "1403-10-01", scheduled="true"),
            "long.md": release(long_title.strip()),
        },
    )
    lines = check(tmp_path).stdout.splitlines()
    assert "content/a.md:2: هشدار: duplicate-title: همین عنوان در content/b.md هم آمده است" in lines
    assert any(text.startswith("content/later.md:3: هشدار: future-date:") for text in lines)
    assert not any(text.startswith("content/planned.md") for text in lines)
    assert any(text.startswith("content/long.md:2: هشدار: title-length: عنوان 179 نویسه است") for text in lines)


def test_rules_are_silenced_per_release_and_per_site(tmp_path):
    write_site(
        tmp_path,
        {"a.md": release("عنوان", body="دو  فاصله و يك", lint_ignore="[double-space]")},
        config="lint_ignore: [arabic-letter]\n",
    )
    assert check(tmp_path).stdout == "بررسی: 0 خطا، 0 هشدار\n"


def test_errors_fail_the_check_and_paths_narrow_it(tmp_path):
    write_site(tmp_path, {"bad/a.md": release("الف", "1400-12-30"), "good/b.md": release("ب", body="دو  فاصله")})
    everything = check(tmp_path)
    assert everything.returncode == 1 and everything.stdout.splitlines()[-1] == "بررسی: 1 خطا، 1 هشدار"
    only_good = check(tmp_path, "content/good")
    assert only_good.returncode == 0 and only_good.stdout.splitlines()[-1] == "بررسی: 0 خطا، 1 هشدار"
