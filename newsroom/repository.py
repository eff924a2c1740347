"""The web editor's local backend: Decap CMS's proxy protocol answered on the working copy.

``build.py serve --editor`` answers ``POST /api/v1`` with this, as Decap's own
``decap-server`` does, so an office can try the editor on one machine without an account:
releases the form saves are written into ``content/`` and the preview server rebuilds.
Only files under the content folder are listed, read, written or deleted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any


class RequestError(Exception):
    """A request the local backend refuses: its status and the reason."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class LocalRepository:
    """The working copy at ``root`` (the configuration's folder), writable under ``content``."""

    def __init__(self, root: Path, content: Path):
        self.root = root.resolve()
        self.content = content.resolve()

    def answer(self, action: str, params: dict[str, Any]) -> Any:
        """The JSON answer to one request of Decap's proxy backend (simple publishing)."""
        if action == "info":
            return {"repo": self.root.name, "publish_modes": ["simple"], "type": "local_fs"}
        if action == "entriesByFolder":
            folder = self._path(params.get("folder"))
            files = self._listed(folder, str(params.get("extension") or ""), int(params.get("depth") or 1))
            return [self._entry(path) for path in files]
        if action == "entriesByFiles":
            return [self._entry(self._path(file.get("path")), file.get("label")) for file in params.get("files", [])]
        if action == "getEntry":
            return self._entry(self._path(params.get("path")))
        if action == "persistEntry":
            return self._persist(params)
        if action == "getMedia":
            folder = self._path(params.get("mediaFolder"))
            return [self._media(path) for path in self._listed(folder, "", 1) if not path.name.endswith(".md")]
        if action == "getMediaFile":
            return self._media(self._path(params.get("path")))
        if action == "persistMedia":
            asset = params.get("asset") or {}
            path = self._path(asset.get("path"))
            _write(path, _decoded(asset))
            return self._media(path)
        if action == "deleteFile":
            self._path(params.get("path")).unlink(missing_ok=True)
            return {"message": "deleted"}
        if action == "deleteFiles":
            for path in [self._path(p) for p in params.get("paths", [])]:
                path.unlink(missing_ok=True)
            return {"message": "deleted"}
        if action == "getDeployPreview":
            return None
        raise RequestError(422, f"unknown action {action!r} (the local backend publishes directly, no review)")

    def _path(self, relative: object) -> Path:
        """``relative`` (as the editor names files: from the repository's root) inside the
        content folder; anything else is refused."""
        if not isinstance(relative, str) or not relative or "\0" in relative:
            raise RequestError(400, "a path is needed")
        path = (self.root / relative).resolve()
        if path != self.content and self.content not in path.parents:
            raise RequestError(403, f"{relative} is outside the content folder")
        return path

    def _name(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _listed(self, folder: Path, extension: str, depth: int) -> list[Path]:
        """Files under ``folder`` down to ``depth`` levels ending in ``extension``; hidden
        files and folders and those the build ignores (``_``) left out."""
        if depth <= 0 or not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.iterdir()):
            if path.name.startswith((".", "_")):
                continue
            if path.is_dir():
                found += self._listed(path, extension, depth - 1)
            elif path.name.endswith(extension):
                found.append(path)
        return found

    def _entry(self, path: Path, label: object = None) -> dict[str, Any]:
        try:
            data = path.read_bytes()
        except OSError:
            return {"data": None, "file": {"path": self._name(path), "label": label, "id": None}}
        return {
            "data": data.decode("utf-8", "replace"),
            "file": {"path": self._name(path), "label": label, "id": hashlib.sha256(data).hexdigest()},
        }

    def _media(self, path: Path) -> dict[str, Any]:
        try:
            data = path.read_bytes()
        except OSError:
            raise RequestError(404, f"{self._name(path)} was not found") from None
        return {
            "id": hashlib.sha256(data).hexdigest(),
            "content": base64.b64encode(data).decode(),
            "encoding": "base64",
            "path": self._name(path),
            "name": path.name,
        }

    def _persist(self, params: dict[str, Any]) -> dict[str, str]:
        files = params.get("dataFiles") or [params.get("entry") or {}]
        # Every path checked before anything is written: a refused request writes nothing.
        writes = [(self._path(f.get("path")), str(f.get("raw", "")).encode("utf-8")) for f in files]
        moves = [(self._path(f.get("path")), self._path(f["newPath"])) for f in files if f.get("newPath")]
        assets = [(self._path(a.get("path")), _decoded(a)) for a in params.get("assets", [])]
        for path, data in assets + writes:
            _write(path, data)
        for old, new in moves:
            new.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, new)
        return {"message": "entry persisted"}


def _decoded(asset: dict[str, Any]) -> bytes:
    content = asset.get("content", "")
    if asset.get("encoding") != "base64":
        return str(content).encode("utf-8")
    try:
        return base64.b64decode(str(content), validate=True)
    except binascii.Error:
        raise RequestError(400, "the file's content is not valid base64") from None


def _write(path: Path, data: bytes) -> None:
    """Written whole or not at all: the preview server's watcher never sees half a release."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".saving")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # as a release saved by an editor, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
