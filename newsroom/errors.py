"""Located problems: every user mistake becomes one line naming the file and the line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one place in one file, printed as ``path:line: message``
    (``path:line:column: message`` when the column is known)."""

    path: str
    line: int
    message: str
    severity: str = ERROR
    column: int = 0

    def __lt__(self, other: Problem) -> bool:
        return (self.path, self.line, self.column, self.message) < (other.path, other.line, other.column, other.message)

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "") + (f":{self.column}" if self.column else "")
        prefix = "هشدار: " if self.severity == WARNING else ""
        return f"{where}: {prefix}{self.message}"


class LocatedError(Exception):
    """Raised by ``parse_*`` functions; the caller adds the file path.

    ``line`` is relative to the text that was parsed (1-based, 0 when unknown).
    """

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


class BuildError(Exception):
    """The build stops: one or more problems the user has to fix."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    # Not resolve(): a file reached through a link is shown by the name the user sees.
    cwd = os.getcwd()  # once: this runs for every release of every build
    absolute = os.path.normpath(os.path.join(cwd, path))
    if absolute == cwd:
        return "."
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return absolute[len(cwd.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
    return str(path)
