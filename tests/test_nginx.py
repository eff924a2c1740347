"""deploy/nginx/newsroom.conf in Debian's nginx, serving a build of the repository's releases,
checked with real HTTP requests on loopback.

nginx runs as a foreground process with a throwaway prefix; the repository's file is used as
an adopter would, with only its documented paths and listen address replaced. Without nginx
the tests are skipped on a developer's machine, and fail in CI (CI=true), where .ci/run
installs it.
"""

from __future__ import annotations

import gzip
import html
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
from conftest import NOW_ARG, REPO
from PIL import Image

CONFIG = REPO / "deploy" / "nginx" / "newsroom.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")
DOCROOT = "/var/www/newsroom"

# One release of our own beside the repository's: a WebP photo and two old addresses.
CARPET = """\
---
title: افتتاح کارگاه فرش دستباف در سرخه
date: 1403-08-20 09:00
summary: کارگاه فرش دستباف بسیج سازندگی در سرخه با ۱۲ دار قالی به کار افتاد.
tags: [فرش دستباف, کارآفرینی]
category: اشتغال و کارآفرینی
county: سرخه
slug: sorkheh-carpet-workshop
image: loom.webp
image_alt: بافندگان کارگاه فرش سرخه پشت دار قالی
aliases: [/old/carpet-workshop/, /خبر/کارگاه-فرش/, /old/%22quoted%22-%24x/]
---
کارگاه فرش دستباف سرخه با حضور مسئولان شهرستان افتتاح شد و برای ۲۰ بافنده شغل ساخت.
"""


def find_nginx() -> str | None:
    return shutil.which("nginx", path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def adopt(config: str, site: Path, port: int) -> str:
    """The repository's nginx file with the documented paths and listen lines filled in."""
    for line in (f"root {DOCROOT};", f"include {DOCROOT}/.nginx.conf;", "listen 80;", "listen [::]:80;"):
        assert f"\n    {line}\n" in config, line
    return (
        config.replace(DOCROOT, str(site))
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("listen [::]:80;", "")
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(port, built site folder) of a running nginx; stopped after the module."""
    nginx = find_nginx()
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed; .ci/run installs it with apt-get")
        pytest.skip("nginx is not installed (apt-get install nginx); CI installs it and runs these tests")
    root = tmp_path_factory.mktemp("nginx")
    shutil.copytree(REPO / "content", root / "content")
    (root / "content" / "1403" / "sorkheh-carpet.md").write_text(CARPET, encoding="utf-8")
    Image.new("RGB", (80, 60), (140, 40, 30)).save(root / "content" / "1403" / "loom.webp", "WEBP")
    site = root / "site"
    built = subprocess.run(
        [
            sys.executable,
            str(REPO / "build.py"),
            "--config",
            str(REPO / "config.yaml"),
            "--content",
            str(root / "content"),
            "--output",
            str(site),
            "--now",
            NOW_ARG,
            "--quiet",
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    port = free_port()
    prefix = root / "nginx"
    prefix.mkdir()
    (prefix / "newsroom.conf").write_text(adopt(CONFIG.read_text(encoding="utf-8"), site, port), encoding="utf-8")
    temp_paths = "".join(
        f"    {kind}_temp_path {prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        # As root, workers would otherwise run as nobody, who may not enter pytest's folders.
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\ndaemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
        + "events { worker_connections 64; }\n"
        + f"http {{\n    include {MIME_TYPES};\n    default_type application/octet-stream;\n    access_log off;\n"
        + temp_paths
        + f"    include {prefix}/newsroom.conf;\n}}\n",
        encoding="utf-8",
    )
    command = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        yield port, site
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one GET, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def page_links(site: Path) -> dict[str, str]:
    """Site-relative addresses of the home page's stylesheet and font, fingerprint included."""
    page = (site / "index.html").read_text(encoding="utf-8")
    return {
        "css": urljoin("/", re.search(r'<link rel="stylesheet" href="([^"]+)"', page)[1]),
        "font": urljoin("/", re.search(r'<link rel="preload" href="([^"]+)"', page)[1]),
    }


def test_persian_term_pages_resolve_as_browsers_send_them(server):
    port, site = server
    terms = [
        p.parent.relative_to(site).as_posix()
        for folder in ("tags", "category", "county")
        for p in (site / folder).glob("*/index.html")
        if not p.parent.name.isascii()
    ]
    assert len(terms) > 20
    for term in terms:
        status, headers, body = get(port, quote(f"/{term}/"))
        assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8"), term
        assert body == (site / term / "index.html").read_bytes(), term
    status, headers, body = get(port, quote("/county/سرخه/"))
    assert status == 200 and "افتتاح کارگاه فرش دستباف در سرخه" in body.decode()


def test_feeds_json_fonts_and_photos_have_their_types(server):
    port, site = server
    photo = next(site.rglob("*.webp")).relative_to(site).as_posix()
    expected = {
        "/feed.xml": "application/rss+xml; charset=utf-8",
        "/atom.xml": "application/atom+xml; charset=utf-8",
        "/feed.json": "application/feed+json; charset=utf-8",
        quote("/county/سرخه/feed.xml"): "application/rss+xml; charset=utf-8",
        "/sitemap.xml": "text/xml; charset=utf-8",
        "/robots.txt": "text/plain; charset=utf-8",
        page_links(site)["css"]: "text/css; charset=utf-8",
        page_links(site)["font"]: "font/woff2",
        "/" + photo: "image/webp",
    }
    for path, content_type in expected.items():
        status, headers, _ = get(port, path)
        assert (status, headers["content-type"]) == (200, content_type), path


def test_security_headers_carry_the_pages_own_policy(server):
    port, site = server
    meta = re.search(
        r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">',
        (site / "index.html").read_text(encoding="utf-8"),
    )[1]
    assert "frame-src https://www.aparat.com" in meta  # from config.yaml's iframe_hosts
    for path in (
        "/",
        "/feed.xml",
        "/atom.xml",
        "/feed.json",
        page_links(site)["font"],
        "/no-such-page/",
        "/old/carpet-workshop/",
    ):
        _, headers, _ = get(port, path)
        assert headers["content-security-policy"] == html.unescape(meta), path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert "server" not in headers or headers["server"] == "nginx", path  # no version


def test_fingerprinted_assets_are_cached_for_a_year_and_pages_briefly(server):
    port, site = server
    for kind, path in page_links(site).items():
        assert "?v=" in path, kind
        assert get(port, path)[1]["cache-control"] == "public, max-age=31536000, immutable", kind
        # The same file without its fingerprint may change under that address.
        assert "immutable" not in get(port, path.partition("?")[0])[1]["cache-control"], kind
    for path in ("/", quote("/county/سرخه/"), "/news/1403/sorkheh-carpet-workshop/", "/feed.xml", "/sitemap.xml"):
        assert get(port, path)[1]["cache-control"] == "public, max-age=300", path


def test_text_is_gzipped_only_for_clients_that_accept_it(server):
    port, site = server
    for path, file in (
        ("/", "index.html"),
        ("/feed.xml", "feed.xml"),
        (page_links(site)["css"], "static/css/site.css"),
    ):
        status, headers, body = get(port, path, Accept_Encoding="gzip")
        assert (status, headers.get("content-encoding"), headers.get("vary")) == (200, "gzip", "Accept-Encoding"), path
        assert gzip.decompress(body) == (site / file).read_bytes(), path
        status, headers, body = get(port, path)
        assert "content-encoding" not in headers and body == (site / file).read_bytes(), path


def test_missing_pages_get_the_sites_404_page(server):
    port, site = server
    for path in (
        "/no-such-page/",
        quote("/tags/برچسب-ناموجود/"),
        "/news/1403/missing.html",
        "/.nginx.conf",
        "/.newsroom-output",
    ):
        status, headers, body = get(port, path)
        assert (status, headers["content-type"]) == (404, "text/html; charset=utf-8"), path
        assert body == (site / "404.html").read_bytes(), path


def test_aliases_redirect_permanently_to_the_release(server):
    port, _ = server
    # A quote or $ in an alias must not break or inject into nginx's configuration.
    for alias in ("/old/carpet-workshop/", quote("/خبر/کارگاه-فرش/"), "/old/%22quoted%22-%24x/"):
        status, headers, _ = get(port, alias)
        assert status == 301, alias
        assert headers["location"] == f"http://127.0.0.1:{port}/news/1403/sorkheh-carpet-workshop/", alias
    status, _, body = get(port, "/news/1403/sorkheh-carpet-workshop/")
    assert status == 200 and "<h1>افتتاح کارگاه فرش دستباف در سرخه</h1>" in body.decode()
