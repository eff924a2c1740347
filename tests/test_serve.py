"""build.py serve: preview that rebuilds on every change and reloads open tabs."""

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from conftest import REPO, release, write_site


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8")


def wait_for(condition, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_serve_rebuilds_reloads_and_keeps_the_last_good_site(tmp_path):
    write_site(
        tmp_path,
        {
            "a.md": release("خبر نخست"),
            "b.md": release("خبر دیگر", "1403-01-10", "گزارش دیگری."),
            "c.md": release("خبر کهنه", "1402-01-10", "گزارشی کهنه‌تر از همه."),
        },
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--port", str(port), "--now", "1404-01-01"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(lambda: _up(port)), "the server did not start"
        status, page = get(port, "/news/1403/a/")
        assert status == 200 and "<h1>خبر نخست</h1>" in page
        assert '<script src="/__reload.js" data-files="news/1403/a/index.html" defer></script>' in page
        assert "__reload" not in (tmp_path / "output/news/1403/a/index.html").read_text(encoding="utf-8")
        assert "EventSource" in get(port, "/__reload.js")[1]

        events: list[str] = []
        stream = urllib.request.urlopen(f"http://127.0.0.1:{port}/__events", timeout=20)
        threading.Thread(target=lambda: events.extend(line.decode() for line in stream), daemon=True).start()
        time.sleep(0.5)
        (tmp_path / "content/a.md").write_text(release("خبر ویرایش‌شده"), encoding="utf-8")
        assert wait_for(lambda: any("news/1403/a/index.html" in line for line in events)), (
            "no reload event after an edit"
        )
        assert "<h1>خبر ویرایش‌شده</h1>" in get(port, "/news/1403/a/")[1]
        # The edited page comes first, alone; tabs reload only when a file they show
        # changed, and c's page shows nothing of a (a is neither its neighbour nor related).
        changed = [json.loads(line.removeprefix("data: ")) for line in events if line.startswith("data: ")]
        assert changed[0] == ["news/1403/a/index.html"], changed
        assert all(isinstance(files, list) and "news/1402/c/index.html" not in files for files in changed), changed

        (tmp_path / "content/a.md").write_text(release("شکسته", "1400-12-30"), encoding="utf-8")
        assert wait_for(lambda: "newsroom-serve-errors" in get(port, "/news/1403/a/")[1])
        page = get(port, "/news/1403/a/")[1]
        assert "content/a.md:3: date: اسفند ۱۴۰۰ فقط ۲۹ روز دارد" in page
        assert "<h1>خبر ویرایش‌شده</h1>" in page  # the last good site is still served

        assert get(port, "/../config.yaml")[0] == 404
        assert get(port, "/%2e%2e/%2e%2e/etc/passwd")[0] == 404
        status, missing = get(port, "/no/such/page/")
        assert status == 404 and "صفحه‌ای که می‌خواستید پیدا نشد" in missing
    finally:
        server.terminate()
        server.wait(timeout=10)


def _up(port: int) -> bool:
    try:
        return get(port, "/")[0] == 200
    except OSError:
        return False


def test_an_open_tab_reloads_when_its_release_is_edited_and_others_stay(tmp_path, browser):
    write_site(
        tmp_path,
        {
            "a.md": release("خبر نخست"),
            "b.md": release("رویداد دیگر", "1403-01-10", "گزارش دیگری."),
            "c.md": release("یادداشت کهنه", "1402-01-10", "گزارشی کهنه‌تر از همه."),
        },
        "related:\n  count: 1\n",  # c shares no word with a or b: it lists b, nearest in time
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--port", str(port), "--now", "1404-01-01"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    context = browser.new_context()
    try:
        assert wait_for(lambda: _up(port)), "the server did not start"
        edited, other = context.new_page(), context.new_page()
        edited.goto(f"http://127.0.0.1:{port}/news/1403/a/")
        other.goto(f"http://127.0.0.1:{port}/news/1402/c/")
        for tab in (edited, other):
            tab.evaluate("() => { window.untouched = true; }")
        time.sleep(1)  # both tabs' event streams are open
        (tmp_path / "content/a.md").write_text(release("خبر نخست، ویرایش‌شده"), encoding="utf-8")
        edited.wait_for_function(
            "() => document.querySelector('h1').textContent === 'خبر نخست، ویرایش‌شده'", timeout=15000
        )
        time.sleep(2)  # the whole rebuild has followed by now
        assert other.evaluate("() => window.untouched === true"), "a tab showing nothing of the edit reloaded"
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=10)
