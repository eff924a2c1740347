"""Static files (stylesheet, fonts, scripts, images) published as they are under ``/static/``."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .errors import BuildError, Problem, display_path


@dataclass(frozen=True, slots=True)
class Asset:
    """One static file: its path under ``static/`` and its bytes."""

    path: str
    data: bytes

    @property
    def size(self) -> tuple[int, int] | None:
        """Width and height in pixels, for raster images; None otherwise."""
        try:
            with Image.open(io.BytesIO(self.data)) as picture:
                width, height = picture.size
                return width, height
        except (OSError, ValueError):
            return None

    @property
    def url(self) -> str:
        """Site-relative URL with a content fingerprint, so browsers may cache it for long."""
        return f"/static/{self.path}?v={hashlib.sha256(self.data).hexdigest()[:10]}"


def load_assets(static_dir: Path) -> tuple[Asset, ...]:
    """Every file under ``static_dir`` (hidden files skipped), in path order."""
    if not static_dir.is_dir():
        return ()
    assets = []
    for path in sorted(static_dir.rglob("*")):
        relative = path.relative_to(static_dir)
        if path.is_dir() or any(part.startswith(".") for part in relative.parts):
            continue
        try:
            assets.append(Asset(relative.as_posix(), path.read_bytes()))
        except OSError as exc:
            raise BuildError([Problem(display_path(path), 0, f"فایل خوانده نشد: {exc.strerror}")]) from None
    return tuple(assets)
