"""The only writer: put a finished site in place in one step, or not at all.

The site is written into a staging folder beside the output folder and swapped in
only when every file is written, so a failed or interrupted build leaves the
previous site exactly as it was. Files whose bytes did not change are hard-linked
from the current site rather than written again, keeping their modification times.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import BuildError, Problem, display_path

# Written into every output folder we make; a folder without it is not ours to replace.
MARKER = ".newsroom-output"
_RENAME_EXCHANGE = 2


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the built site: its path under the output folder and its content.

    ``source`` names a file to copy (a photo) instead of ``data``.
    """

    dest_path: str
    data: bytes = b""
    source: Path | None = None


def xml_bytes(root: ET.Element) -> bytes:
    """An XML document, indented, with its declaration, as the bytes of an output file."""
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def write_outputs(files: list[OutputFile], output_dir: Path, inputs: tuple[Path, ...] = (),
                  project: Path | None = None) -> None:
    """Write ``files`` as the complete new content of ``output_dir``.

    ``inputs`` are the folders the build reads (content, templates, static): the output
    may not be one, sit inside one or contain one. ``project`` (the configuration's
    folder) may hold the output but not be it. Raises ``BuildError`` for a duplicate
    destination or an unsafe folder.
    """
    output_dir = output_dir.absolute()
    _check_destinations(files)
    _check_output_dir(output_dir, inputs, project)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(output_dir)
    staging = output_dir.with_name(f".{output_dir.name}.staging-{os.getpid()}")
    try:
        staging.mkdir()
        (staging / MARKER).write_bytes(b"")
        made: set[Path] = set()
        for file in files:
            target = staging / file.dest_path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if not _keep_unchanged(output_dir / file.dest_path, target, file):
                if file.source is not None:
                    shutil.copyfile(file.source, target)
                else:
                    target.write_bytes(file.data)
        _swap_in(staging, output_dir)
    except OSError as exc:
        raise BuildError([Problem(display_path(output_dir), 0, f"سایت نوشته نشد: {exc}")]) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _keep_unchanged(current: Path, target: Path, file: OutputFile) -> bool:
    """Link the file of the current site into the new one when its bytes are the same.

    Unchanged files keep their modification time, so deploying with rsync sends only
    what changed; the current site itself is never touched.
    """
    try:
        if file.source is not None:
            same = current.stat().st_size == file.source.stat().st_size and current.read_bytes() == file.source.read_bytes()
        else:
            same = current.stat().st_size == len(file.data) and current.read_bytes() == file.data
        if same:
            os.link(current, target)
        return same
    except OSError:
        return False  # no current file, or links not possible here: write it


def _remove_abandoned_staging(output_dir: Path) -> None:
    """Remove staging folders left by builds that were killed (their process is gone)."""
    for folder in output_dir.parent.glob(f".{output_dir.name}.staging-*"):
        pid = folder.name.rpartition("-")[2]
        if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_destinations(files: list[OutputFile]) -> None:
    seen: set[str] = set()
    problems = []
    for file in files:
        parts = PurePosixPath(file.dest_path).parts
        if not parts or file.dest_path.startswith("/") or ".." in parts:
            problems.append(Problem(file.dest_path, 0, "مسیر خروجی بیرون از پوشهٔ سایت است"))
        if file.dest_path in seen:
            problems.append(Problem(file.dest_path, 0, "دو صفحه در یک فایل خروجی نوشته می‌شوند"))
        seen.add(file.dest_path)
    if problems:
        raise BuildError(problems)


def _check_output_dir(output_dir: Path, inputs: tuple[Path, ...], project: Path | None) -> None:
    out = output_dir.resolve()
    clashes = [f for f in (i.resolve() for i in inputs) if out == f or f in out.parents or out in f.parents]
    if project is not None and (out == project.resolve() or out in project.resolve().parents):
        clashes.append(project.resolve())
    if clashes:
        raise BuildError([Problem(display_path(output_dir), 0,
                                  f"پوشهٔ خروجی با پوشهٔ «{display_path(clashes[0])}» یکی است یا درون آن است یا آن را در بر دارد "
                                  "و هر بار از نو ساخته می‌شود؛ پوشهٔ دیگری با --output بدهید")])
    if output_dir.exists() and (not output_dir.is_dir() or (any(output_dir.iterdir()) and not (output_dir / MARKER).exists())):
        raise BuildError([Problem(display_path(output_dir), 0,
                                  "این پوشه خالی نیست و خروجی این برنامه هم نیست، پس جایگزین نمی‌شود؛ پوشهٔ دیگری با --output بدهید یا آن را خالی کنید")])


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


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def write_folder(files: list[OutputFile], output_dir: Path, folder: str) -> None:
    """Replace ``folder`` of the site in ``output_dir`` with ``files`` (all under it), in one step.

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
            path = staging / file.dest_path.removeprefix(folder + "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file.data)
        _swap_in(staging, target)
    except OSError as exc:
        raise BuildError([Problem(display_path(target), 0, f"پوشه نوشته نشد: {exc}")]) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
