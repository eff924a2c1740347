"""A small site built with a fixed `now`, compared byte for byte with the committed tree.

Run with UPDATE_GOLDEN=1 to regenerate tests/fixtures/golden/expected after a deliberate
change; review the diff like code.
"""

import io
import json
import os
import shutil
from pathlib import Path

from conftest import NOW_ARG, REPO, tree
from PIL import Image

from newsroom.cli import main

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
INDEX_FILES = ("pagefind-entry.json", ".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter")


def describe(data: bytes) -> str:
    """An image's type and size in pixels, e.g. ``PNG 1200x630``."""
    with Image.open(io.BytesIO(data)) as picture:
        return f"{picture.format} {picture.width}x{picture.height}"


def test_golden_site(tmp_path, capsys):
    output = tmp_path / "site"
    code = main(
        [
            "build",
            "--config",
            str(GOLDEN / "site" / "config.yaml"),
            "--output",
            str(output),
            "--now",
            NOW_ARG,
            "--quiet",
            "--no-cache",
        ]
    )  # a cold build, and nothing written into the fixture
    assert (code, capsys.readouterr().err) == (0, "")
    built = tree(output)
    static = {path: data for path, data in built.items() if path.startswith("static/")}
    assert static == {f"static/{path}": data for path, data in tree(REPO / "static").items()}
    # Pagefind's script, worker and WebAssembly come as they are from the pinned wheel, in the
    # oldest shard only; its index (gzip'd, named by content) is part of the golden site,
    # compared as bytes, in several shards.
    shards = json.loads(built["pagefind/shards.json"])["shards"]
    assert len(shards) > 1
    runtime = {path for path in built if path.startswith("pagefind/") and not path.endswith(INDEX_FILES + (".json",))}
    assert runtime == {
        f"pagefind/{shards[0]}/{name}" for name in ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind")
    }
    pages = {
        path: data for path, data in built.items() if not path.startswith(("static/", "media/")) and path not in runtime
    }
    # Made pictures (share cards) are listed by name, type and size rather than kept as binaries.
    media = "".join(f"{path} {describe(data)}\n" for path, data in built.items() if path.startswith("media/"))
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN / "expected", ignore_errors=True)
        for path, data in pages.items():
            (GOLDEN / "expected" / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / "expected" / path).write_bytes(data)
        (GOLDEN / "media.txt").write_text(media, encoding="utf-8")
    assert media == (GOLDEN / "media.txt").read_text(encoding="utf-8")
    expected = tree(GOLDEN / "expected")
    assert sorted(pages) == sorted(expected)
    for path in expected:
        if path.endswith(INDEX_FILES[1:]):
            assert pages[path] == expected[path], path
        else:
            assert pages[path].decode() == expected[path].decode(), path
