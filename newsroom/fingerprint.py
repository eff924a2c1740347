"""Fingerprints: a short digest of everything a file of the site is made from.

A page whose fingerprint matches the one recorded when the current file was written
comes out the same, so it is neither rendered nor written again. Values are digested by
their content, recursively: text, numbers, dates, paths, sequences, mappings and the
model's frozen dataclasses (fields marked ``compare=False`` are derived and skipped).
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime, timedelta, tzinfo
from pathlib import PurePath
from typing import Any


class Fingerprints:
    """Digests values, remembering the digest of each container it has seen.

    One instance serves one build: the model is immutable while it is rendered, so a
    tuple of 10,000 releases is digested once however many pages show it. An object
    with a ``digest`` text (a release: the hash of its file and path) is digested by it.
    """

    def __init__(self):
        self._seen: dict[int, tuple[Any, bytes]] = {}  # id → (the value, kept alive; its digest)
        self._fields: dict[type, tuple[str, ...]] = {}

    def of(self, *values: Any) -> str:
        """The fingerprint of ``values``, as hexadecimal text."""
        # Not remembered: the tuple is new at every call, and would keep alive what it holds.
        return self._digest(values, remember=False).hex()

    def _digest(self, value: Any, remember: bool = True) -> bytes:
        seen = self._seen.get(id(value))
        if seen is not None:
            return seen[1]
        digest = hashlib.blake2b(type(value).__qualname__.encode(), digest_size=16)
        if isinstance(value, (list, tuple)):
            for item in value:
                self._feed(digest, item)
        elif isinstance(value, dict):
            for key, item in value.items():
                self._feed(digest, key)
                self._feed(digest, item)
        elif isinstance(value, (set, frozenset)):
            for item in sorted(self._digest((item,)) for item in value):
                digest.update(item)
        elif isinstance(value, (datetime, date, timedelta, tzinfo, PurePath)):
            digest.update(str(value).encode())
        elif isinstance(getattr(value, "digest", None), str):
            digest.update(value.digest.encode())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for name in self._compared_fields(type(value)):
                self._feed(digest, getattr(value, name))
        else:
            raise TypeError(f"no fingerprint for {type(value).__qualname__}")
        if remember:
            self._seen[id(value)] = (value, digest.digest())
        return digest.digest()

    def _feed(self, digest, value: Any) -> None:
        """Add ``value`` to ``digest``: plain values directly, typed and length-prefixed."""
        if value is None or isinstance(value, (bool, int, float, str, bytes)):
            data = value if isinstance(value, bytes) else (value if isinstance(value, str) else repr(value)).encode(
                "utf-8", "surrogatepass")
            digest.update(b"%s:%d:" % (type(value).__name__.encode(), len(data)) + data)
        else:
            digest.update(b"*" + self._digest(value))

    def _compared_fields(self, kind: type) -> tuple[str, ...]:
        names = self._fields.get(kind)
        if names is None:
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.compare)
        return names
