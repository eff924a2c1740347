"""Imports only go downward through the pipeline's layers."""

import ast

from conftest import REPO

# Each module may import only modules of a lower layer (or of none).
LAYERS = [
    {"workers", "repository"},
    {"errors", "cache", "fingerprint"},
    {"text", "yamldoc"},
    {"dates"},
    {"config"},
    {"markup"},
    {"content", "assets", "scaffold", "importer"},
    {"taxonomy", "related", "lint"},
    {"site"},
    {"output"},
    {"feeds", "images", "search", "editor"},
    {"sitemaps", "cards", "bulletin"},
    {"media"},
    {"render"},
    {"pipeline"},
    {"serve", "annotations"},
    {"cli"},
]


def layer_of(module: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if module in names)


def test_every_module_has_a_layer():
    modules = {p.stem for p in (REPO / "newsroom").glob("*.py")} - {"__init__"}
    assert modules == set().union(*LAYERS)


def test_imports_only_go_downward():
    for path in sorted((REPO / "newsroom").glob("*.py")):
        if path.stem == "__init__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                assert layer_of(node.module) < layer_of(path.stem), f"{path.stem} imports {node.module}"
