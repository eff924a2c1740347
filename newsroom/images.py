"""Photos for phones: each photo as a few widths in WebP with a JPEG (PNG) fallback.

EXIF orientation is applied, colours are converted to sRGB and every other piece of
metadata (camera, GPS position) is left out. A photo is never enlarged and never
published as it came, however large. Made files are kept in the build's file cache
under a key derived from the photo's bytes and these settings, so rebuilds skip them.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps
from PIL import __version__ as pillow_version

from .cache import FileCache
from .errors import Problem, display_path
from .output import OutputFile

WIDTHS = (480, 960, 1440)
WEBP_QUALITY = 78
JPEG_QUALITY = 80
# Bump when the way variants are made changes, so cached ones are made anew.
_RECIPE = f"photo-1 {WIDTHS} {WEBP_QUALITY} {JPEG_QUALITY} {pillow_version}"
_EXTENSIONS = {"image/webp": "webp", "image/jpeg": "jpg", "image/png": "png"}
UNREADABLE = "عکس سالم نیست یا خوانده نشد؛ آن را دوباره با JPEG یا PNG ذخیره کنید"
# On article pages photos take the text column (42rem) at most, the phone's width less margins.
SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"


@dataclass(frozen=True, slots=True)
class Variant:
    """One made file of a photo."""

    dest_path: str  # under the output folder: media/<key>-<width>.<ext>
    width: int
    height: int
    media_type: str

    @property
    def url(self) -> str:
        """Site-relative URL."""
        return "/" + self.dest_path


@dataclass(frozen=True, slots=True)
class Photo:
    """A published photo: its variants, widest last, in WebP and in the fallback type."""

    variants: tuple[Variant, ...]

    @property
    def fallback(self) -> tuple[Variant, ...]:
        """The JPEG (or PNG, for transparent photos) variants, for browsers without WebP."""
        return tuple(v for v in self.variants if v.media_type != "image/webp")

    @property
    def webp(self) -> tuple[Variant, ...]:
        """The WebP variants."""
        return tuple(v for v in self.variants if v.media_type == "image/webp")

    @property
    def largest(self) -> Variant:
        """The widest fallback variant: for share metadata and structured data."""
        return self.fallback[-1]

    @property
    def default(self) -> Variant:
        """The fallback variant an old browser loads: about the width of the text column on a laptop."""
        return next((v for v in self.fallback if v.width >= 960), self.largest)


def variant_widths(width: int) -> tuple[int, ...]:
    """The widths made of a photo ``width`` pixels wide: never wider than the photo itself."""
    widest = min(width, WIDTHS[-1])
    return tuple(w for w in WIDTHS if w < widest) + (widest,)


def make_variants(data: bytes) -> list[tuple[int, int, str, bytes]]:
    """(width, height, media type, bytes) of every variant of the photo in ``data``.

    Raises ``OSError`` or ``ValueError`` when the bytes are not a readable image.
    """
    picture, transparent = open_for_encoding(data)
    made = []
    for width in variant_widths(picture.width):
        sized = resized(picture, width)
        made.append((width, sized.height, "image/webp", encode(sized, "WEBP", quality=WEBP_QUALITY, method=5)))
        if transparent:
            made.append((width, sized.height, "image/png", encode(sized, "PNG", optimize=True)))
        else:
            made.append(
                (
                    width,
                    sized.height,
                    "image/jpeg",
                    encode(sized, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True),
                )
            )
    return made


def open_upright(data: bytes) -> Image.Image:
    """The image in ``data`` turned as its EXIF orientation says, in sRGB colours."""
    with Image.open(io.BytesIO(data)) as opened:
        return _upright_srgb(opened)


def open_for_encoding(data: bytes) -> tuple[Image.Image, bool]:
    """The photo in ``data`` upright and in sRGB (``open_upright``), as RGB, or as RGBA
    when it has transparency — which the second value tells."""
    picture = open_upright(data)
    transparent = picture.mode in ("RGBA", "LA") or "transparency" in picture.info
    return picture.convert("RGBA" if transparent else "RGB"), transparent


def resized(picture: Image.Image, width: int) -> Image.Image:
    """``picture`` scaled to ``width`` pixels across (itself when it is that wide)."""
    if width == picture.width:
        return picture
    height = max(1, round(picture.height * width / picture.width))
    return picture.resize((width, height), Image.Resampling.LANCZOS)


def _upright_srgb(opened: Image.Image) -> Image.Image:
    picture = ImageOps.exif_transpose(opened)  # a copy: the EXIF block is not carried over
    picture.load()
    profile = opened.info.get("icc_profile")
    if profile and picture.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            mode = "RGBA" if picture.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(picture, source, ImageCms.createProfile("sRGB"), outputMode=mode)
            picture = converted if converted is not None else picture  # None only when converted in place
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: the colours as stored are the best guess
    picture.info.pop("icc_profile", None)
    return picture


def encode(picture: Image.Image, kind: str, **options: Any) -> bytes:
    """``picture`` saved as ``kind`` (``JPEG``, ``PNG``, ``WEBP``) with Pillow's ``options``."""
    buffer = io.BytesIO()
    picture.save(buffer, kind, **options)
    return buffer.getvalue()


def _variant_files(key: str, source: str) -> dict[str, bytes] | None:
    """The files of one photo's variants and their list (``<key>.json``); None when unreadable.

    Takes the photo's path, not its bytes: a thousand photos are not held in memory at once."""
    try:
        made = make_variants(Path(source).read_bytes())
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    files = {f"{key}-{width}.{_EXTENSIONS[kind]}": blob for width, _, kind, blob in made}
    listed = [[f"{key}-{width}.{_EXTENSIONS[kind]}", width, height, kind] for width, height, kind, _ in made]
    files[f"{key}.json"] = json.dumps(listed).encode("utf-8")
    return files


class PhotoLibrary:
    """Photos made once per content (kept across builds in the file cache)."""

    def __init__(self, files: FileCache, jobs: int = 1):
        self.cache = files
        self.jobs = jobs
        self._photos: dict[Path, Photo] = {}
        self._outputs: dict[str, OutputFile] = {}

    def prepare(self, sources: list[Path]) -> list[Problem]:
        """Make the variants of every photo in ``sources`` not made before, in parallel;
        problems name the photos that could not be read."""
        problems: list[Problem] = []
        work: list[tuple[str, str]] = []  # (key, photo) of each photo to make, once per content
        waiting: dict[str, list[Path]] = {}  # the photos with that content, by key
        for source in dict.fromkeys(s.absolute() for s in sources):
            if source in self._photos:
                continue
            try:
                data = source.read_bytes()
            except OSError as exc:
                problems.append(Problem(display_path(source), 0, f"عکس خوانده نشد: {exc.strerror}"))
                continue
            key = hashlib.sha256(_RECIPE.encode() + b"\0" + data).hexdigest()[:20]
            if not self._from_cache(source, key):
                waiting.setdefault(key, []).append(source)
                if len(waiting[key]) == 1:
                    work.append((key, str(source)))
        for (key, _), made in zip(work, self.cache.fill(_variant_files, work, self.jobs), strict=True):
            for source in waiting[key]:
                if made is None:
                    problems.append(Problem(display_path(source), 0, UNREADABLE))
                else:
                    self._from_cache(source, key)
        return problems

    def _from_cache(self, source: Path, key: str) -> bool:
        manifest = self.cache.get(f"{key}.json")
        if manifest is None:
            return False
        listed = json.loads(manifest.read_text(encoding="utf-8"))
        files = [self.cache.get(name) for name, *_ in listed]
        if not all(files):
            return False
        variants = []
        for (name, width, height, media_type), path in zip(listed, files, strict=True):
            variant = Variant(f"media/{name}", width, height, media_type)
            self._outputs[variant.dest_path] = OutputFile(
                variant.dest_path, source=path, linkable=self.cache.disposable
            )
            variants.append(variant)
        self._photos[source] = Photo(tuple(variants))
        return True

    def photo(self, source: Path) -> Photo | None:
        """The variants of the photo file ``source``, once prepared (None if it could not be)."""
        return self._photos.get(source.absolute())

    def outputs(self) -> list[OutputFile]:
        """The files of every prepared photo, in a stable order."""
        return [self._outputs[name] for name in sorted(self._outputs)]


def picture_html(
    photo: Photo, alt: str, link: Callable[[str], str], *, lazy: bool, sizes: str = SIZES, extra: str = ""
) -> str:
    """``<picture>`` markup for ``photo``: WebP and fallback ``srcset``, width and height
    set (no layout shift), loaded lazily when ``lazy``. ``link`` turns a site-relative
    URL into the page's link; ``extra`` are more attributes of the ``img`` (escaped)."""

    def srcset(variants: tuple[Variant, ...]) -> str:
        return ", ".join(f"{escape(link(v.url))} {v.width}w" for v in variants)

    default = photo.default
    loading = ' loading="lazy"' if lazy else ' fetchpriority="high"'
    return (
        f'<picture><source type="image/webp" srcset="{srcset(photo.webp)}" sizes="{sizes}">'
        f'<img src="{escape(link(default.url))}" srcset="{srcset(photo.fallback)}" sizes="{sizes}" '
        f'alt="{escape(alt)}" width="{default.width}" height="{default.height}"{loading} decoding="async"{extra}>'
        f"</picture>"
    )


_BODY_IMAGE = re.compile(r"<img\b([^>]*?)\s*/?>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')


def rewrite_body_images(body: str, photos: dict[str, Photo], link: Callable[[str], str]) -> str:
    """The body HTML with each ``<img>`` whose ``src`` has a made photo in ``photos``
    replaced by responsive ``<picture>`` markup, loaded lazily (body photos sit below the fold)."""

    def replace(match: re.Match[str]) -> str:
        attributes = dict(_ATTRIBUTE.findall(" " + match[1]))
        photo = photos.get(unescape(attributes.get("src", "")))
        if photo is None:
            return str(match[0])
        kept = "".join(f' {name}="{value}"' for name, value in attributes.items() if name in ("class", "id", "title"))
        return picture_html(photo, unescape(attributes.get("alt", "")), link, lazy=True, extra=kept)

    return _BODY_IMAGE.sub(replace, body)
