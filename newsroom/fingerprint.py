"""Fingerprints: a short digest of everything a file of the site is made from.

A page whose fingerprint matches the one recorded when the current file was written
comes out the same, so it is neither rendered nor written again. Values are digested by
their content, recursively: text, numbers, dates, paths, sequences, mappings and the
model's frozen dataclasses (fields marked ``compare=False`` are derived and skipped).
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from itertools import repeat
from pathlib import PurePath
from typing import Any

_PLAIN = frozenset({str, int, float, bool, bytes, type(None)})
_TEXTUAL = (datetime, date, timedelta, tzinfo, PurePath)


class Fingerprints:
    """Digests values, remembering the digest of each container it has seen.

    One instance serves one build: the model is immutable while it is rendered, so a
    tuple of 10,000 releases is digested once however many pages show it. An object
    with a ``digest`` text (a release: the hash of its file and path; a share card: its
    file's name) is keyed by that text and its type, unhashed.

    Each value becomes a key of plain values, which serialise unambiguously (typed and
    length-prefixed), and a container's key is the digest of its items' keys: one
    serialisation and one hash per container rather than one hash update per item.
    """

    def __init__(self) -> None:
        self._seen: dict[int, tuple[Any, tuple[str, str]]] = {}  # id → (the value, kept alive; its key)
        self._fields: dict[type, tuple[str, ...]] = {}
        self._has_digest: dict[type, bool] = {}

    def of(self, *values: Any) -> str:
        """The fingerprint of ``values``, as hexadecimal text."""
        # Not remembered: the tuple is new at every call, and would keep alive what it holds.
        return self._container(values, remember=False)[1]

    def digest(self, value: Any) -> str:
        """The fingerprint of one value, as hexadecimal text: the digest already made of
        a container (one hash less than ``of``, which digests its arguments as a tuple)."""
        key = self._key(value)
        if isinstance(key, tuple) and key[0] == "*":
            return str(key[1])
        return hashlib.blake2b(_serialise((type(value).__qualname__, key)), digest_size=16).hexdigest()

    def _key(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        if self._digested(kind) and type(value.digest) is str:  # a release: its digest is its key
            return kind.__qualname__, value.digest
        seen = self._seen.get(id(value))
        if seen is not None:
            return seen[1]
        if isinstance(value, (str, bytes, int, float)):  # a subclass, such as Markup
            return kind.__qualname__, str(value) if isinstance(value, str) else value
        if isinstance(value, _TEXTUAL):
            return kind.__qualname__, str(value)
        return self._container(value)

    def _container(self, value: Any, remember: bool = True) -> tuple[str, str]:
        kind = type(value)
        # Plain items are their own keys: taken as they are, without a call (most are).
        if isinstance(value, (list, tuple)):
            items: Any = self._releases(value) or [item if type(item) in _PLAIN else self._key(item) for item in value]
        elif isinstance(value, Mapping):
            items = [
                (key if type(key) in _PLAIN else self._key(key), item if type(item) in _PLAIN else self._key(item))
                for key, item in value.items()
            ]
        elif isinstance(value, (set, frozenset)):
            items = sorted(_serialise(self._key(item)) for item in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            items = [
                item if type(item) in _PLAIN else self._key(item)
                for item in map(getattr, repeat(value), self._compared_fields(kind))
            ]
        else:
            raise TypeError(f"no fingerprint for {kind.__qualname__}")
        key = ("*", hashlib.blake2b(_serialise((kind.__qualname__, items)), digest_size=16).hexdigest())
        if remember:
            self._seen[id(value)] = (value, key)
        return key

    def _digested(self, kind: type) -> bool:
        """Whether values of ``kind`` may carry a ``digest`` text."""
        has_digest = self._has_digest.get(kind)
        if has_digest is None:
            has_digest = self._has_digest[kind] = hasattr(kind, "digest")
        return has_digest

    def _releases(self, value: list[Any] | tuple[Any, ...]) -> tuple[str, list[str]] | None:
        """A sequence of releases (all of one type with a ``digest`` text), as that type
        and their digests: the site's, a term's or a month's thousands of releases at a
        third of the cost of a key each. A tuple, where other items are a list."""
        kind = type(value[0]) if value else None
        if kind is None or not self._digested(kind) or any(type(item) is not kind for item in value):
            return None
        digests = [item.digest for item in value]
        return (kind.__qualname__, digests) if all(type(digest) is str for digest in digests) else None

    def _compared_fields(self, kind: type) -> tuple[str, ...]:
        names = self._fields.get(kind)
        if names is None:
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.compare)
        return names


def _serialise(key: Any) -> bytes:
    """``key`` (plain values, in tuples and lists) as bytes that tell it from any other.
    marshal's version 2 writes no back-references, so equal keys give equal bytes
    whichever objects they are made of; it is several times quicker than ``repr``."""
    return marshal.dumps(key, 2)
