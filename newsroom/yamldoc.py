"""YAML mappings with the line of every top-level key, and without YAML's date trap.

PyYAML's SafeLoader turns an unquoted ``date: 1400-01-15`` into the Gregorian date
1400-01-15 and crashes on ``1403-02-30``. Our loader drops the timestamp resolver,
so dates stay strings and ``dates.parse_date`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .errors import LocatedError


# libyaml's parser is about ten times faster than the pure-Python one; both give the
# same values and marks.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader without implicit timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class YamlMapping:
    """A parsed mapping: ``values`` by key, and the 1-based line of each key by dotted path."""

    values: dict[str, Any]
    lines: dict[str, int]

    def line(self, key: str) -> int:
        """Line of ``key`` (a dotted path such as ``taxonomies.tags.label``), else of its
        nearest present parent, else 0."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 0


def parse_yaml_mapping(text: str, what: str, first_line: int = 1) -> YamlMapping:
    """Parse ``text`` as one YAML mapping (an empty text is an empty mapping).

    ``what`` names the document in Persian for messages («سرآیند», «پیکربندی»);
    ``first_line`` is the line of the file where ``text`` starts, so that every line
    reported is a line of the file. Raises ``LocatedError`` with the line of a syntax
    error or of a non-mapping document.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({}, {})
        if not isinstance(node, yaml.MappingNode):
            raise LocatedError(
                f"{what} باید فهرستی از «کلید: مقدار» باشد، نه یک مقدار تنها", node.start_mark.line + first_line
            )
        values = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is noticed lines later; the line where it was
        # opened is the one to fix.
        opened = exc.context_mark is not None and any(w in (exc.context or "") for w in ("flow", "quoted"))
        mark = exc.context_mark if opened else (exc.problem_mark or exc.context_mark)
        raise LocatedError(f"خطای نگارش در {what}: {_explain(exc)}", mark.line + first_line if mark else 0) from None
    except yaml.YAMLError as exc:
        raise LocatedError(f"خطای YAML در {what}: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _record_lines(node, "", lines, first_line)
    return YamlMapping({str(k): v for k, v in values.items()}, lines)


# What PyYAML says, and what a press officer should do about it.
_EXPLANATIONS = (
    ("mapping values are not allowed", "دونقطهٔ (:) این خط جای درستی ندارد: اگر جزء متن است کل مقدار را در "
                                        "گیومه بگذارید، مثل title: \"جلسه: برنامه‌ها\"؛ وگرنه فاصلهٔ آغاز این خط "
                                        "و دونقطهٔ پس از کلید خط قبل را بررسی کنید"),
    ("cannot start any token", "نویسهٔ آغاز مقدار در YAML معنای ویژه دارد (مثل @ یا ` یا Tab)؛ "
                               "مقدار را در گیومه \"...\" بگذارید و به جای Tab فاصله بزنید"),
    ("expected ',' or ']'", "کروشهٔ [ باز شده و بسته نشده است؛ فهرست را مثل [یک, دو] با ] ببندید"),
    ("expected ',' or '}'", "آکولاد { باز شده و بسته نشده است؛ آن را با } ببندید یا مقدار را در گیومه بگذارید"),
    ("quoted scalar", "گیومهٔ باز شده در این خط بسته نشده است؛ گیومهٔ پایانی را بگذارید"),
    ("tab character", "در سرآیند Tab به کار نبرید؛ به جای آن فاصله بزنید"),
    ("expected <block end>", "تورفتگی این خط با خط‌های دیگر نمی‌خواند؛ کلیدها را بدون فاصله در آغاز خط بنویسید"),
    ("expected key", "تورفتگی این خط با خط‌های دیگر نمی‌خواند؛ کلیدها را بدون فاصله در آغاز خط بنویسید"),
    ("could not find expected ':'", "پس از نام کلید دونقطه (:) و یک فاصله بگذارید، مثل title: عنوان"),
)


def _explain(exc: yaml.MarkedYAMLError) -> str:
    text = f"{exc.context or ''} {exc.problem or ''}"
    for needle, advice in _EXPLANATIONS:
        if needle in text:
            return advice
    return f"{(exc.problem or exc.context or '').strip()}؛ دونقطه، تورفتگی و گیومه‌های این خط را بررسی کنید"


def _record_lines(node: yaml.Node, prefix: str, lines: dict[str, int], first_line: int) -> None:
    """Record the line of every key and list item under dotted paths (``menu.0.title``)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key, line = str(key_node.value), key_node.start_mark.line + first_line
            if key in seen:
                raise LocatedError(f"کلید «{key}» دو بار آمده است (خط {seen[key]} و خط {line})؛ یکی را پاک کنید", line)
            seen[key] = lines[prefix + key] = line
            _record_lines(value_node, f"{prefix}{key}.", lines, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[f"{prefix}{index}"] = item.start_mark.line + first_line
            _record_lines(item, f"{prefix}{index}.", lines, first_line)
