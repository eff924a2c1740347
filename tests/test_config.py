from pathlib import Path

import pytest
from conftest import REPO

from newsroom.config import load_config
from newsroom.errors import BuildError


def load(tmp_path: Path, text: str):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def messages(tmp_path, text) -> list[str]:
    with pytest.raises(BuildError) as caught:
        load(tmp_path, text)
    return [str(p) for p in caught.value.problems]


def test_the_repository_config_is_valid():
    config = load_config(REPO / "config.yaml")
    assert config.language == "fa"
    assert str(config.timezone) == "Asia/Tehran"
    assert [t.name for t in config.taxonomies] == ["tags", "category", "county"]
    assert config.content_dir == REPO / "content"


def test_defaults(tmp_path):
    config = load(tmp_path, "title: سایت\nbase_url: https://x.ir/sub\n")
    assert config.base_url == "https://x.ir/sub/" and config.base_path == "/sub/"
    assert config.page_size == 10 and config.related.count == 5
    assert config.permalink == "/news/{jyear}/{slug}/"
    assert config.taxonomy("county").path == "county"
    assert config.strict is False  # warnings inform; they block only when asked to


def test_misspelt_keys_name_the_intended_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    found = messages(
        tmp_path, "titel: سایت\nbase_url: https://x.ir/\nrelated:\n  cuont: 3\ntaxonomies:\n  tag:\n    label: x\n"
    )
    assert found == [
        "config.yaml:1: کلید ناشناخته «titel»؛ منظورتان «title» بود؟",
        "config.yaml:4: کلید ناشناخته «related.cuont»؛ منظورتان «count» بود؟",
        "config.yaml:6: کلید ناشناخته «taxonomies.tag»؛ منظورتان «tags» بود؟",
    ]


def test_every_problem_is_reported_at_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    found = messages(
        tmp_path, "title: x\nbase_url: news.ir\ntimezone: Tehran\npage_size: ده\npermalink: /news/{title}/\n"
    )
    assert found == [
        "config.yaml:2: «base_url» باید نشانی کامل سایت باشد، مثل https://news.example.ir/ ، نه «news.ir»",
        "config.yaml:3: منطقهٔ زمانی «Tehran» شناخته نشد؛ مثلاً Asia/Tehran بنویسید",
        "config.yaml:4: «page_size» باید عدد صحیح باشد، نه «ده»",
        "config.yaml:5: «permalink» باید {slug} داشته باشد تا نشانی هر خبر یکتا باشد",
        "config.yaml:5: در «permalink» جای‌نگهدار «{title}» شناخته نشد؛ کلیدهای مجاز: slug، jyear، jmonth، jday، year، month، day",
    ]


def test_strict_is_true_or_false(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load(tmp_path, "title: x\nbase_url: https://x.ir/\nstrict: true\n").strict is True
    assert messages(tmp_path, "title: x\nbase_url: https://x.ir/\nstrict: yes\nstirct: false\n") == [
        "config.yaml:3: «strict» باید true یا false باشد، نه «yes»",
        "config.yaml:4: کلید ناشناخته «stirct»؛ منظورتان «strict» بود؟",
    ]


def test_missing_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BuildError) as caught:
        load_config(tmp_path / "nope.yaml")
    assert str(caught.value.problems[0]) == "nope.yaml: فایل پیکربندی پیدا نشد؛ مسیر را با --config بدهید"


def test_bulletin_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    head = "title: x\nbase_url: https://x.ir/\n"
    settings = load(tmp_path, head + "bulletin:\n  group_by: county\n  first_issue: ۱۴۰۲/۱\n  qr: false\n").bulletin
    assert (settings.publish, settings.group_by, settings.first_issue, settings.qr) == (
        False,
        "county",
        (1402, 1),
        False,
    )
    assert messages(tmp_path, head + "bulletin:\n  group_by: month\n  first_issue: 1402\n  publsh: true\n") == [
        "config.yaml:4: «bulletin.group_by» یکی از category، county، none است (دسته، شهرستان یا بی‌گروه)، نه «month»",
        "config.yaml:5: «bulletin.first_issue» یک ماه است، مثل 1403-01: ماه شمارهٔ ۱",
        "config.yaml:6: کلید ناشناخته «bulletin.publsh»؛ منظورتان «publish» بود؟",
    ]
