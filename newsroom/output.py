"""The only writer: put a finished site in place in one step, or not at all.

Files are written as the render stage makes them, into a side folder beside the output
folder, so a build holds records of its pages rather than their bytes. Nothing in the
output folder changes until the whole site is made (``Staging.commit``):

A site that changed a lot is assembled in a staging folder (new files moved from the
side folder, the others hard-linked from the current site, keeping their modification
times) and swapped in, so a failed or interrupted build leaves the previous site
exactly as it was.

A site that changed a little is patched: a journal of what goes where is written into
the side folder, then the files are moved in and stale files removed. A build killed
while moving is completed from the journal by the next one (``recover_output``), so no
mixture of two sites survives.

The writer remembers what it wrote (``Record``: the fingerprint of each file's inputs,
what its template looked up, its links, its size, time and a digest of its bytes) in a
manifest, which the next build uses to skip pages whose inputs did not change. The
manifest also notes where the folder was and which marker file it had: that cheap check
lets the next build on the same machine trust it at once. A folder that was copied or
restored (CI restores the output folder and the cache into a fresh checkout) fails
that check and is trusted by content instead: it may hold no file the manifest does not
list, and a file whose time differs from its record must still have the recorded digest.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import SplitPickle
from .errors import BuildError, Problem, display_path

# Written into every output folder we make; a folder without it is not ours to replace.
# Empty (a build's output is the same bytes whatever it reused), and made anew whenever
# the build changes the folder.
MARKER = ".newsroom-output"
_RENAME_EXCHANGE = 2
_MANIFEST_FORMAT = "newsroom-outputs-3"
_PLACE = "\0place"  # the manifest's entry for the folder's ``_place``: no file of a site has this name
JOURNAL = "journal.json"


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the built site: its path under the output folder and its content.

    ``source`` names a file to copy (a photo) instead of ``data``. ``fingerprint``
    digests everything the file was made from; ``reads`` are the site-wide lookups its
    template made (what, with which arguments, and the digest of the answer); ``links``
    are a page's links with the files they point at (``render.page_links``). A ``kept`` file was not rendered:
    the current file of the output folder is still right. A ``linkable`` source is a file
    the build made and nothing reads again (``FileCache.disposable``): the output may take
    it as a hard link rather than a copy — creating a file costs many times what linking
    one does. A staff member's own file is always copied: a tool that rewrites the
    published copy in place must not change the original.
    """

    dest_path: str
    data: bytes = b""
    source: Path | None = None
    fingerprint: str = ""
    reads: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    links: tuple[str, ...] = ()
    kept: bool = False
    linkable: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    """What the writer remembers of a file it put in the output folder: what it was made
    from, and its size, modification time and ``digest`` (of its bytes, ``content_digest``)."""

    fingerprint: str
    reads: tuple[tuple[str, tuple[str, ...], str], ...]
    links: tuple[str, ...]
    size: int
    mtime_ns: int
    digest: bytes

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        # Loaded through __init__: quicker than the field-by-field state of a frozen class
        # with slots, and the manifest holds one record per file of the site.
        return Record, (self.fingerprint, self.reads, self.links, self.size, self.mtime_ns, self.digest)


def content_digest(data: bytes) -> bytes:
    """The digest of a file's bytes by which a restored output folder is trusted."""
    return hashlib.blake2b(data, digest_size=16).digest()


def xml_bytes(root: ET.Element) -> bytes:
    """An XML document, indented, with its declaration, as the bytes of an output file."""
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + document + b"\n"


@dataclass(frozen=True, slots=True)
class Previous:
    """The manifest of the current output folder: records of files still as written,
    and every path the previous build wrote (whether or not still as written).
    ``outdated``: the manifest on disk needs saving even if the records do not change
    (the folder was moved, or records took a file's new time in ``still_written``)."""

    records: dict[str, Record]
    written: frozenset[str]
    store: SplitPickle | None = field(default=None, compare=False)  # the file it was loaded from
    outdated: bool = field(default=False, compare=False)


def load_previous(output_dir: Path, manifest: Path) -> Previous | None:
    """The manifest ``manifest`` of ``output_dir``, when it describes that folder.

    It does at once when the folder is where the manifest saw it, with the same marker
    file. A folder copied or restored from elsewhere (or another one) is trusted by
    content: not at all when it holds a file the manifest does not list, and then file
    by file (``still_written``). A file changed since it was written loses its record,
    so it is made again; a missing, damaged or outdated manifest only means a full build.
    """
    place = _place(output_dir)
    if place is None:
        return None  # no marker: not a folder the build made
    store = SplitPickle(manifest)
    try:
        records = store.load(_MANIFEST_FORMAT)
        if records is None:
            return None
        moved = records.pop(_PLACE, None) != place
        if moved and _holds_unlisted(output_dir, records):
            return None  # files no build recorded: the manifest is not this folder's
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: build everything
        return None
    return still_written(Previous(records, frozenset(records), store, moved), output_dir)


def still_written(previous: Previous, output_dir: Path) -> Previous:
    """``previous`` without the records of files changed since they were written.

    A file of the recorded size and time is taken as written. One of the recorded size
    but another time (copied, restored from a cache, touched) is read: when its bytes
    have the recorded digest its record takes the new time, otherwise it is dropped.
    """
    valid = {}
    outdated = previous.outdated
    folder = str(output_dir)
    for dest, record in previous.records.items():
        path = os.path.join(folder, dest)
        try:
            stat = os.stat(path)
            if stat.st_size != record.size:
                continue
            if stat.st_mtime_ns != record.mtime_ns:
                if _file_digest(path) != record.digest:
                    continue
                record = dataclasses.replace(record, mtime_ns=stat.st_mtime_ns)
                outdated = True
        except OSError:
            continue
        valid[dest] = record
    return Previous(valid, previous.written, previous.store, outdated)


def _place(output_dir: Path) -> tuple[str, int, int, int] | None:
    """Where the output folder is and which marker file it has; None without a marker."""
    try:
        return (str(output_dir.absolute()), *_identity(output_dir / MARKER))
    except OSError:
        return None


def _holds_unlisted(output_dir: Path, listed: dict[str, Record]) -> bool:
    """Whether ``output_dir`` holds a file (besides its marker) that is not in ``listed``."""
    folders = [("", str(output_dir))]
    while folders:
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                elif prefix + entry.name not in listed and prefix + entry.name != MARKER:
                    return True
    return False


def _file_digest(path: str | Path) -> bytes:
    with open(path, "rb") as file:
        return content_digest(file.read())


@dataclass(frozen=True, slots=True)
class Written:
    """What ``Staging.commit`` did: "unchanged", "patched" or "replaced"; the files it
    wrote or removed (None when it cannot tell: every file may have changed); and the
    manifest of the folder as it is now."""

    how: str
    changed: tuple[str, ...] | None
    now: Previous


class Staging:
    """The new version of the output folder, written file by file as the pages come.

    Changed files go to a side folder beside the output folder (``.output.patch-PID``),
    so what is kept in memory is each file's record, not its bytes. ``commit`` then puts
    the site in place: patched through a journal when little changed, otherwise swapped
    in whole; ``discard`` drops the side folder and leaves the current site as it was.
    """

    def __init__(
        self,
        output_dir: Path,
        inputs: tuple[Path, ...] = (),
        project: Path | None = None,
        previous: Previous | None = None,
    ):
        """``inputs`` are the folders the build reads (content, templates, static): the output
        may not be one, sit inside one or contain one. ``project`` (the configuration's
        folder) may hold the output but not be it. ``previous`` is the manifest of the
        current output (``load_previous``); ``kept`` files need it. Raises ``BuildError``
        for an unsafe folder."""
        self.output_dir = output_dir.absolute()
        _check_output_dir(self.output_dir, inputs, project)
        self.output_dir.parent.mkdir(parents=True, exist_ok=True)
        recover_output(self.output_dir)
        self.previous = previous
        self.files: list[OutputFile] = []  # every file of the new site, without its bytes
        self.folder = self.output_dir.with_name(f".{self.output_dir.name}.patch-{os.getpid()}")
        self._staged: dict[str, str] = {}  # destination → its name in the side folder
        self._stats: dict[str, tuple[int, int]] = {}  # destination → size and time of what was written
        self._digests: dict[str, bytes] = {}  # destination → digest of the bytes of a file not kept
        self._problems: list[Problem] = []
        self._seen: set[str] = set()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()

    def write(self, files: Iterable[OutputFile]) -> None:
        """Add ``files`` to the new site: those not kept and not already in place (same
        bytes) are written to the side folder now. Raises ``BuildError`` for a destination
        outside the site or taken twice, and for a file that cannot be written."""
        try:
            for file in files:
                self._add(file)
        except OSError as exc:
            raise BuildError([Problem(display_path(self.output_dir), 0, f"سایت نوشته نشد: {exc}")]) from None
        if self._problems:
            raise BuildError(self._problems)

    def _add(self, file: OutputFile) -> None:
        problem = _destination_problem(file.dest_path, self._seen)
        if problem is not None:
            self._problems.append(problem)
            return
        self._seen.add(file.dest_path)
        if not file.kept:
            data = file.data if file.source is None else file.source.read_bytes()
            digest = self._digests[file.dest_path] = content_digest(data)
            if not self._same_as_current(file.dest_path, data, digest):
                staged = self.folder / str(len(self._staged))
                if file.linkable and file.source is not None:
                    _link_or_copy(file.source, staged)
                else:
                    staged.write_bytes(data)
                self._staged[file.dest_path] = staged.name
                self._stats[file.dest_path] = _size_and_time(staged)
        self.files.append(
            dataclasses.replace(file, data=b"", source=None, linkable=False) if file.data or file.source else file
        )
        if len(self.files) % 1000 == 0:
            _return_free_memory()

    def _same_as_current(self, dest: str, data: bytes, digest: bytes) -> bool:
        """Whether the output folder's file at ``dest`` already holds ``data`` (of ``digest``):
        told by its record when it has one (checked against the file by ``still_written``),
        otherwise by reading it."""
        before = self.previous.records.get(dest) if self.previous is not None else None
        if before is not None:
            return before.size == len(data) and before.digest == digest
        current = self.output_dir / dest
        try:
            return current.stat().st_size == len(data) and current.read_bytes() == data
        except OSError:
            return False

    def commit(self, manifest: Path | None = None) -> Written:
        """Put the new site in place in one step; saves its manifest to ``manifest``."""
        previous = self.previous
        removed = sorted(previous.written - self._seen) if previous is not None else []
        changed = tuple(self._staged) + tuple(removed)
        try:
            if previous is not None and not changed:
                how = "unchanged"
                shutil.rmtree(self.folder)
            elif previous is not None and len(changed) * 2 <= len(self.files):
                how = "patched"
                self.patch(removed)
            else:
                how = "replaced"
                self._replace()
        except OSError as exc:
            self.discard()
            raise BuildError([Problem(display_path(self.output_dir), 0, f"سایت نوشته نشد: {exc}")]) from None
        records = _records(
            self.files, self.output_dir, self._stats, self._digests, previous.records if previous else {}
        )
        store = previous.store if previous is not None else None
        if manifest is not None and (
            previous is None  # then the folder was replaced
            or how != "unchanged"
            or previous.outdated
            or records != previous.records
            or previous.written != set(records)
        ):
            store = save_manifest(records, self.output_dir, manifest, store)
        return Written(how, changed if previous is not None else None, Previous(records, frozenset(records), store))

    def patch(self, removed: list[str]) -> None:
        """Move the written files into the output folder and remove ``removed``, by a
        journal: a build killed meanwhile is completed by the next one. The folder's
        marker is made anew first: a manifest of the folder as it was no longer passes
        for one of the folder as it is (``load_previous``)."""
        journal = self.folder / f".{JOURNAL}"
        (self.folder / "marker").write_bytes(b"")
        moves = [("marker", MARKER)] + [(name, dest) for dest, name in self._staged.items()]
        journal.write_text(json.dumps({"moves": moves, "removals": removed}), encoding="utf-8")
        journal.rename(self.folder / JOURNAL)  # from here on the patch is applied, now or by the next build
        _apply_patch(self.folder, self.output_dir)

    def _replace(self) -> None:
        """Assemble the whole site in a staging folder — changed files moved from the side
        folder, the others linked from the current site — and swap it in."""
        staging = self.output_dir.with_name(f".{self.output_dir.name}.staging-{os.getpid()}")
        try:
            staging.mkdir()
            (staging / MARKER).write_bytes(b"")
            made: set[Path] = set()
            for file in self.files:
                target = staging / file.dest_path
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                name = self._staged.get(file.dest_path)
                if name is not None:
                    os.replace(self.folder / name, target)
                else:  # kept, or the same bytes: unchanged files keep their modification time
                    _link_or_copy(self.output_dir / file.dest_path, target)
                    self._stats[file.dest_path] = _size_and_time(target)
            _swap_in(staging, self.output_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(self.folder, ignore_errors=True)

    def discard(self) -> None:
        """Drop what was written: the current site stays as it was."""
        shutil.rmtree(self.folder, ignore_errors=True)


def patch_outputs(files: list[OutputFile], output_dir: Path) -> None:
    """Put ``files`` into the built site in ``output_dir`` at once, leaving the rest as it
    is: a preview of a few pages before the whole site is rebuilt."""
    staging = Staging(output_dir)
    try:
        staging.write(files)
        staging.patch([])
    except OSError as exc:
        staging.discard()
        raise BuildError([Problem(display_path(output_dir), 0, f"سایت نوشته نشد: {exc}")]) from None


def _apply_patch(patch: Path, output_dir: Path) -> None:
    """Move a journalled patch's files into place and remove its stale ones; idempotent."""
    journal = json.loads((patch / JOURNAL).read_text(encoding="utf-8"))
    for staged, dest in journal["moves"]:
        if (patch / staged).exists():
            (output_dir / dest).parent.mkdir(parents=True, exist_ok=True)
            os.replace(patch / staged, output_dir / dest)
    for dest in journal["removals"]:
        (output_dir / dest).unlink(missing_ok=True)
        _prune_empty(output_dir / dest, output_dir)
    shutil.rmtree(patch)


def _prune_empty(removed: Path, output_dir: Path) -> None:
    """Remove the folders a removed file leaves empty, up to the output folder."""
    for folder in removed.parents:
        if folder == output_dir or output_dir not in folder.parents:
            return
        try:
            folder.rmdir()
        except OSError:
            return  # not empty


def _link_or_copy(current: Path, target: Path) -> None:
    try:
        os.link(current, target)
    except OSError:
        shutil.copy2(current, target)


def _records(
    files: list[OutputFile],
    output_dir: Path,
    stats: dict[str, tuple[int, int]],
    digests: dict[str, bytes],
    records: dict[str, Record],
) -> dict[str, Record]:
    """What each file of the output folder was made from, with its size, time and digest
    (``digests`` of the files not kept, else the record's)."""
    new = {}
    for file in files:
        dest = file.dest_path
        written = stats.get(dest)
        before = records.get(dest)
        if written is None and before is not None:
            if (before.fingerprint, before.reads, before.links) == (file.fingerprint, file.reads, file.links):
                new[dest] = before  # the file as it was: its record as it was
                continue
            written = before.size, before.mtime_ns
        elif written is None:
            written = _size_and_time(output_dir / dest)
        digest = digests.get(dest) or (before.digest if before is not None else _file_digest(output_dir / dest))
        new[dest] = Record(file.fingerprint, file.reads, file.links, *written, digest)
    return new


def _size_and_time(path: Path) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def _return_free_memory() -> None:
    """Give memory freed by rendering back to the system (glibc keeps it otherwise), so
    that a large build's peak stays near what it holds rather than what it went through."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def save_manifest(
    records: dict[str, Record], output_dir: Path, manifest: Path, store: SplitPickle | None = None
) -> SplitPickle:
    """Remember what each file of ``output_dir`` was made from, for the next build (in
    ``store``, the manifest loaded, when it is the same file), with the folder's place
    and marker; a failure only costs that build time. Returns the store, for the next
    save."""
    store = store if store is not None and store.path == manifest else SplitPickle(manifest)
    place = _place(output_dir)
    try:
        if place is None:
            raise FileNotFoundError(output_dir / MARKER)
        store.save(_MANIFEST_FORMAT, {**records, _PLACE: place})
    except OSError:
        store.remove()  # an outdated manifest must not be trusted
    return store


def output_state(output_dir: Path, dests: list[str], records: dict[str, Record] | None = None) -> str:
    """A digest of which output folder ``output_dir`` is and of the size and time of each
    file ``dests`` in it: it changes when any of them is replaced, touched or removed.
    ``records`` (a manifest just written) give the sizes and times without asking the disk."""
    digest = hashlib.sha256()
    folder = str(output_dir)
    try:
        digest.update(repr(_identity(output_dir / MARKER)).encode())
        for dest in dests:
            record = records.get(dest) if records is not None else None
            if record is not None:
                size, mtime_ns = record.size, record.mtime_ns
            else:
                stat = os.stat(os.path.join(folder, dest))
                size, mtime_ns = stat.st_size, stat.st_mtime_ns
            digest.update(b"%s\0%d\0%d\n" % (dest.encode("utf-8", "surrogateescape"), size, mtime_ns))
    except OSError:
        return ""
    return digest.hexdigest()


def _identity(marker: Path) -> tuple[int, int, int]:
    """Tells one output folder from another at the same place: each has its own marker
    file. Cheap but local: a copied or restored folder has another, so it only serves
    to trust a folder at once (``output_state``, ``load_previous``), never to distrust it."""
    stat = marker.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns


def recover_output(output_dir: Path) -> None:
    """Finish or drop what builds that were killed left beside ``output_dir``.

    A staging folder is dropped (the previous site is intact); a patch whose journal was
    written is applied (the site was being patched); one without a journal is dropped.
    """
    output_dir = output_dir.absolute()
    for folder in sorted(output_dir.parent.glob(f".{output_dir.name}.*-*")):
        kind, _, pid = folder.name.rpartition("-")
        if not pid.isdigit() or (int(pid) != os.getpid() and _alive(int(pid))):
            continue
        if kind.endswith(".patch") and (folder / JOURNAL).exists() and output_dir.is_dir():
            _apply_patch(folder, output_dir)
        elif kind.endswith((".patch", ".staging", ".old")):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _destination_problem(dest: str, seen: set[str]) -> Problem | None:
    """What is wrong with writing a file at ``dest`` after the files ``seen``, if anything."""
    if not dest or dest.startswith("/") or ".." in dest.split("/"):
        return Problem(dest, 0, "مسیر خروجی بیرون از پوشهٔ سایت است")
    if dest in seen:
        return Problem(dest, 0, "دو صفحه در یک فایل خروجی نوشته می‌شوند")
    return None


def _check_output_dir(output_dir: Path, inputs: tuple[Path, ...], project: Path | None) -> None:
    out = output_dir.resolve()
    clashes = [f for f in (i.resolve() for i in inputs) if out == f or f in out.parents or out in f.parents]
    if project is not None and (out == project.resolve() or out in project.resolve().parents):
        clashes.append(project.resolve())
    if clashes:
        raise BuildError(
            [
                Problem(
                    display_path(output_dir),
                    0,
                    f"پوشهٔ خروجی با پوشهٔ «{display_path(clashes[0])}» یکی است یا درون آن است یا آن را در بر دارد "
                    "و هر بار از نو ساخته می‌شود؛ پوشهٔ دیگری با --output بدهید",
                )
            ]
        )
    if output_dir.exists() and (
        not output_dir.is_dir() or (any(output_dir.iterdir()) and not (output_dir / MARKER).exists())
    ):
        raise BuildError(
            [
                Problem(
                    display_path(output_dir),
                    0,
                    "این پوشه خالی نیست و خروجی این برنامه هم نیست، پس جایگزین نمی‌شود؛ پوشهٔ دیگری با --output بدهید یا آن را خالی کنید",
                )
            ]
        )


def _swap_in(staging: Path, output_dir: Path) -> None:
    """Make ``staging`` the output folder; the old one goes away only after."""
    if not output_dir.exists():
        staging.rename(output_dir)
        return
    if _exchange(staging, output_dir):
        shutil.rmtree(staging)  # now holds the previous site
        return
    old = output_dir.with_name(f".{output_dir.name}.old-{os.getpid()}")
    output_dir.rename(old)
    staging.rename(output_dir)
    shutil.rmtree(old)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, for what Python does not offer; None where there is none to load."""
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def write_folder(files: list[OutputFile], output_dir: Path, folder: str) -> None:
    """Replace ``folder`` of the site in ``output_dir`` with ``files`` (all under it), in one
    step; ``kept`` files are taken from the current folder.

    For what is finished after the rest of the site, like the search index while serving.
    """
    target = output_dir.absolute() / folder
    outside = [f.dest_path for f in files if not f.dest_path.startswith(folder + "/") or ".." in f.dest_path.split("/")]
    if outside:
        raise BuildError([Problem(path, 0, f"مسیر خروجی بیرون از پوشهٔ {folder} است") for path in outside])
    staging = target.with_name(f".{folder}.staging-{os.getpid()}")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for file in files:
            relative = file.dest_path.removeprefix(folder + "/")
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if file.kept:  # as it is in the current folder
                _link_or_copy(target / relative, path)
            else:
                path.write_bytes(file.data)
        _swap_in(staging, target)
    except OSError as exc:
        raise BuildError([Problem(display_path(target), 0, f"پوشه نوشته نشد: {exc}")]) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_document(path: Path, data: bytes) -> None:
    """Write one document outside the site (a printed bulletin) whole or not at all: a
    reader of ``path`` finds the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BuildError(
            [Problem(display_path(path), 0, f"فایل نوشته نشد ({exc.strerror})؛ مسیر را بررسی کنید")]
        ) from None
