"""A persistent cache of work that depends only on a file's bytes and the engine.

One file holds every entry; it is used only when its stamp (engine code, library
versions and the settings that shape the cached work) matches, and a corrupt,
truncated or foreign file is ignored with a one-line notice — never wrong output.
Each build keeps only the entries it used, so the file does not grow without end.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from .workers import context, die_with

_FORMAT = b"newsroom-cache-3\n"
# Below this many files to make, starting processes costs more than it saves.
PARALLEL_MINIMUM = 16


def engine_stamp(*parts: str) -> str:
    """A fingerprint of the engine's own code and data, plus ``parts`` (settings, versions)."""
    digest = hashlib.sha256(_code_digest())
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


@functools.cache
def _code_digest() -> bytes:
    """The package's own files, read once per process (several stamps of a build use them)."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".txt"):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.digest()


class SplitPickle:
    """A mapping kept in a file, written whole only now and then: a save that changed
    little writes a small delta beside it (the keys kept, the entries changed) instead.
    The whole file is written again once the delta would change or drop more than a
    tenth of it. A damaged or mismatched delta is ignored: the whole file alone is an
    older, still consistent state."""

    def __init__(self, path: Path):
        self.path = path
        self.delta = path.with_name(path.name + ".delta")
        self._stamp: Any = None
        self._base: dict[str, Any] = {}  # what the whole file holds
        self._base_id: str | None = None

    def load(self, stamp: Any) -> dict[str, Any] | None:
        """The mapping last saved, or None when it was saved under another ``stamp``.
        Raises when the whole file is missing or damaged."""
        saved = _read_pickle(self.path, stamp)
        if saved is None:
            return None
        base_id, entries = saved
        self._stamp, self._base, self._base_id = stamp, entries, base_id
        try:
            delta_base, (kept, changed) = _read_pickle(self.delta, stamp)
        except Exception:  # noqa: BLE001 - no delta, or a damaged or outdated one
            return dict(entries)
        if delta_base != base_id:
            return dict(entries)
        return {
            key: changed[key] if key in changed else entries[key] for key in kept if key in changed or key in entries
        }

    def save(self, stamp: Any, entries: dict[str, Any]) -> None:
        """Save ``entries`` under ``stamp``, atomically. Raises ``OSError``."""
        missing = object()
        changed = {
            key: value
            for key, value in entries.items()
            if (old := self._base.get(key, missing)) is not value and old != value
        }
        dropped = sum(1 for key in self._base if key not in entries)
        if (
            self._base_id is not None
            and stamp == self._stamp
            and max(len(changed), dropped) <= max(16, len(self._base) // 10)
        ):
            _write_pickle(self.delta, stamp, (self._base_id, (list(entries), changed)))
            return
        base_id = os.urandom(8).hex()
        _write_pickle(self.path, stamp, (base_id, entries))
        self._stamp, self._base, self._base_id = stamp, entries, base_id
        self.delta.unlink(missing_ok=True)

    def remove(self) -> None:
        """Forget what was saved (when it may no longer be true)."""
        remove_files(self.path, self.delta)


class Cache:
    """Entries by key, loaded from and saved to one file (or nowhere, when disabled).

    Keys name their content (a hash of what the entry is made from), so a build that
    changed little saves only a small delta (``SplitPickle``).
    """

    def __init__(self, path: Path | None, stamp: str):
        self.path = path
        self.stamp = stamp
        self.notice: str | None = None
        self._old: dict[str, Any] = {}
        self._new: dict[str, Any] = {}
        self._put = False
        self._file = SplitPickle(path) if path is not None else None
        if path is not None and self._file is not None and path.exists():
            try:
                self._old = self._file.load(stamp) or {}
            except Exception as exc:  # noqa: BLE001 - any damage at all means: start afresh
                self.notice = f"حافظهٔ میانی {path} خوانده نشد ({type(exc).__name__})؛ از نو ساخته می‌شود"

    def get(self, key: str) -> Any:
        """The entry for ``key``, or None; a hit is kept for the next build."""
        if key in self._old:
            self._new[key] = self._old[key]
        return self._new.get(key)

    def put(self, key: str, value: Any) -> None:
        """Remember ``value`` under ``key``."""
        self._new[key] = value
        self._put = True

    @property
    def empty(self) -> bool:
        """Whether there is nothing to find in it (a first or clean build)."""
        return not self._old and not self._new

    @property
    def hits(self) -> int:
        """How many entries of the previous build were reused so far."""
        return sum(1 for key in self._new if key in self._old)

    def next_build(self) -> None:
        """Start another build with this cache in memory: what this one used is its past."""
        self._old, self._new, self._put = {**self._old, **self._new}, {}, False

    def save(self) -> None:
        """Write the entries used in this build, atomically; a failure only costs speed."""
        if self._file is None or (self._new.keys() == self._old.keys() and not self._put):
            return  # the files on disk hold just these entries
        try:
            self._file.save(self.stamp, self._new)
        except OSError as exc:
            self.notice = f"حافظهٔ میانی {self.path} نوشته نشد ({exc.strerror})؛ ساخت بعدی کندتر است"


def _read_pickle(path: Path, stamp: Any) -> Any:
    """What ``_write_pickle`` wrote under ``stamp``; None from a file of another version
    of this program or saved under another stamp (outdated, not damaged). Its contents
    are then not loaded at all: they may be objects of a layout this version no longer
    makes. Raises for a damaged or foreign file."""
    with path.open("rb") as file:
        header = file.readline()
        if header != _FORMAT:
            if header.startswith(_FORMAT.rpartition(b"-")[0] + b"-"):
                return None
            raise ValueError("not a cache file of this program")
        if pickle.load(file) != stamp:
            return None
        return load_pickle(file)


def remove_files(*paths: Path) -> None:
    """Remove the files at ``paths``. One that is missing, or whose folder cannot be
    reached, is as good as removed: a cache that cannot be written only costs time."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


def load_pickle(file: BinaryIO) -> Any:
    """The object pickled in ``file``. It is loaded with the cycle collector paused, then
    set aside from its scans (``gc.freeze``): loading makes millions of objects and no
    cycles, and the collector would walk them again and again (half the load's time).
    They are still freed as usual once no longer used."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(file)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _write_pickle(path: Path, stamp: Any, value: Any) -> None:
    """``value`` into ``path`` under ``stamp``, atomically: a killed build leaves the old
    file or the new. The stamp goes first, so that it can be checked on its own."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as file:
            file.write(_FORMAT)
            pickle.dump(stamp, file, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    finally:
        remove_files(temporary)  # never made, or not moved in place


class FileCache:
    """Made files (photo variants, share cards) kept in a folder by content-derived key.

    Photos are too large to sit in the pickled cache that every build loads whole, so
    each made file is its own file here, handed to the writer by path. Without a
    folder (``--no-cache``), or when it cannot be made, a temporary one serves the
    build and is removed by ``close``.
    """

    def __init__(self, folder: Path | None):
        self._temporary = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-files-")) if folder is None else folder
        self.notice: str | None = None  # why made files are not kept this time, when they are not
        self._used: set[str] = set()

    @property
    def disposable(self) -> bool:
        """Whether the folder is removed after this build (``close``): nothing reads its files
        again, so the output may share them as hard links (``OutputFile.linkable``). A kept
        folder's files are copied: a tool that rewrote a published copy in place would
        otherwise change what later builds publish."""
        return self._temporary

    def get(self, key: str) -> Path | None:
        """The stored file named ``key`` (a hash and an extension), or None."""
        path = self.folder / key
        if path.is_file():
            self._used.add(key)
            return path
        return None

    def get_many(self, keys: Iterable[str]) -> dict[str, Path]:
        """The stored files among ``keys``, by name: ``get`` for each of them, but with one
        listing of the folder instead of a look for every file (builds ask for thousands)."""
        try:
            with os.scandir(self.folder) as entries:
                stored = {entry.name for entry in entries if entry.is_file()}
        except (FileNotFoundError, NotADirectoryError):
            return {}
        found = {key: self.folder / key for key in keys if key in stored}
        self._used.update(found)
        return found

    def fill(
        self, make: Callable[..., dict[str, bytes] | None], work: list[tuple[Any, ...]], jobs: int = 1
    ) -> list[dict[str, Path] | None]:
        """Run ``make(*args)`` for each ``args`` in ``work`` — in ``jobs`` processes when there
        is enough of it — and store the files it returns (name → bytes). Returns their
        paths by name for each item, or None where ``make`` returned None (a failure)."""
        if not work:
            return []  # nothing to make: the folder need not even exist
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # an unusable cache costs time, never the build
            self.notice = (
                f"پوشهٔ {self.folder} ساخته نشد ({exc.strerror})؛ عکس‌ها و کارت‌ها نگه داشته نمی‌شوند و ساخت بعدی کندتر است"
            )
            self.folder, self._temporary = Path(tempfile.mkdtemp(prefix="newsroom-files-")), True
        make_and_store = functools.partial(_make_and_store, self.folder, not self._temporary, make)
        if jobs > 1 and len(work) >= PARALLEL_MINIMUM:
            with ProcessPoolExecutor(jobs, mp_context=context(), initializer=die_with, initargs=(os.getpid(),)) as pool:
                chunk = max(1, min(64, len(work) // (jobs * 8)))
                stored = list(pool.map(make_and_store, *zip(*work, strict=True), chunksize=chunk))
        else:
            stored = [make_and_store(*args) for args in work]
        for files in stored:
            self._used.update(files or ())
        return stored

    def prune(self) -> None:
        """Remove the files this build did not use (like ``Cache.save``); errors only cost space."""
        if self._temporary or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in self._used and not path.name.startswith("."):
                path.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the temporary folder of a build without a cache."""
        if self._temporary:
            shutil.rmtree(self.folder, ignore_errors=True)


def _make_and_store(
    folder: Path, atomic: bool, make: Callable[..., dict[str, bytes] | None], *args: Any
) -> dict[str, Path] | None:
    """The files of ``make(*args)`` stored in ``folder``, by name; None when it failed.
    They are stored by the process that made them: the build's own process, which takes
    the results of all, would otherwise write every file in turn."""
    made = make(*args)
    return None if made is None else {name: _store(folder, name, data, atomic) for name, data in made.items()}


def _store(folder: Path, key: str, data: bytes, atomic: bool = True) -> Path:
    """``data`` stored as ``key`` in ``folder``; ``atomic``ally where a later build reads
    the folder, so that a killed build leaves no half file there."""
    path = folder / key
    if not atomic:  # a build's own temporary folder: nothing else will read it
        path.write_bytes(data)
        return path
    temporary = folder / f".{key}.{os.getpid()}"
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path
