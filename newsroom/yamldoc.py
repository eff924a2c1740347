"""YAML mappings with the line of every key, read the way a press officer means them.

PyYAML follows YAML 1.1, which surprises people who type Persian news: an unquoted
``date: 1400-01-15`` becomes the Gregorian date 1400-01-15 (and ``1403-02-30``
crashes), ``title: 12:30`` becomes the number 750, ``tags: [010]`` becomes 8 and
``title: yes`` becomes True. Our loaders resolve plain values as YAML 1.2's core schema
does, without dates: front matter knows only text, ``true``/``false`` and empty;
configuration also knows decimal numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import LocatedError

# libyaml's parser is about ten times faster than the pure-Python one; both give the
# same values and marks.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), list("~nN") + [""])
_BOOL = ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_INT = ("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_FLOAT = (
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+.0123456789"),
)


def _loader(name: str, resolvers: tuple[tuple[str, re.Pattern[str], list[str]], ...]) -> type:
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, firsts in resolvers:
        for first in firsts:
            table.setdefault(first, []).append((tag, pattern))
    return type(name, (_Base,), {"yaml_implicit_resolvers": table})


_TextLoader = _loader("_TextLoader", (_NULL, _BOOL))
_ConfigLoader = _loader("_ConfigLoader", (_NULL, _BOOL, _INT, _FLOAT))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class YamlMapping:
    """A parsed mapping: ``values`` by key, and the 1-based line of each key by dotted path.

    ``comments`` holds the top-level keys whose line goes on with a ``#`` comment after
    the value: YAML drops that text, which is rarely what the writer meant.
    """

    values: dict[str, Any]
    lines: dict[str, int]
    comments: frozenset[str] = field(default=frozenset())

    def line(self, key: str) -> int:
        """Line of ``key`` (a dotted path such as ``taxonomies.tags.label``), else of its
        nearest present parent, else 0."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 0


def parse_yaml_mapping(text: str, what: str, first_line: int = 1, numbers: bool = False) -> YamlMapping:
    """Parse ``text`` as one YAML mapping (an empty text is an empty mapping).

    ``what`` names the document in Persian for messages («سرآیند», «پیکربندی»);
    ``first_line`` is the line of the file where ``text`` starts, so that every line
    reported is a line of the file; ``numbers`` lets plain decimal numbers be numbers.
    Raises ``LocatedError`` with the line of the mistake and what to do about it.
    """
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + first_line
        raise LocatedError(
            f"نویسهٔ نامرئی U+{ord(control[0]):04X} (از Word یا پیام‌رسان) در {what} هست؛ این خط را دوباره تایپ کنید",
            line,
        )
    loader = (_ConfigLoader if numbers else _TextLoader)(text)
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
        line, advice = _locate(exc, text.split("\n"))
        raise LocatedError(f"خطای نگارش در {what}: {advice}", line + first_line) from None
    except yaml.YAMLError as exc:
        raise LocatedError(f"خطای نگارش در {what}: {str(exc).splitlines()[0]}", first_line) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _record_lines(node, "", lines, first_line)
    return YamlMapping({str(k): v for k, v in values.items()}, lines, _comments(node, text.split("\n")))


# What PyYAML says, and what a press officer should do about it.
_QUOTE_IT = 'کل مقدار را در گیومه بگذارید، مثل title: "جلسه: برنامه‌ها"'
_EXPLANATIONS = (
    (
        "mapping values are not allowed",
        "دونقطهٔ (:) این خط جای درستی ندارد: اگر جزء متن است "
        + _QUOTE_IT
        + "؛ وگرنه فاصلهٔ آغاز این خط و دونقطهٔ پس از کلید خط قبل را بررسی کنید",
    ),
    ("cannot start any token", "نویسهٔ آغاز مقدار در YAML معنای ویژه دارد (مثل @ یا `)؛ " + _QUOTE_IT),
    ("tab character", "در سرآیند Tab به کار نبرید؛ به جای آن فاصله بزنید"),
    ("expected ',' or ']'", "کروشهٔ [ باز شده و بسته نشده است؛ فهرست را مثل [یک, دو] با ] ببندید"),
    ("expected ',' or '}'", "آکولاد { باز شده و بسته نشده است؛ آن را با } ببندید یا " + _QUOTE_IT),
    ("quoted scalar", "گیومهٔ باز شده در این خط بسته نشده است؛ گیومهٔ پایانی را بگذارید"),
    ("alphabetic or numeric character", "مقداری که با * یا & یا ! شروع می‌شود در YAML معنای ویژه دارد؛ " + _QUOTE_IT),
    ("undefined alias", "مقداری که با * شروع می‌شود در YAML معنای ویژه دارد؛ " + _QUOTE_IT),
    ("could not determine a constructor", "برچسب‌های YAML مثل !!python پذیرفته نیستند؛ مقدار را ساده بنویسید"),
    ("block sequence entries are not allowed", "مقداری که با - شروع می‌شود در YAML فهرست است؛ " + _QUOTE_IT),
    ("expected <block end>", "تورفتگی این خط با خط‌های دیگر نمی‌خواند؛ کلیدها را بدون فاصله در آغاز خط بنویسید"),
    ("expected key", "تورفتگی این خط با خط‌های دیگر نمی‌خواند؛ کلیدها را بدون فاصله در آغاز خط بنویسید"),
    ("could not find expected ':'", "پس از نام کلید دونقطه (:) و یک فاصله بگذارید، مثل title: عنوان"),
)
# A value that opens with a bracket or a quote must end there: «title: [ویدئو] افتتاح».
_OPENED_VALUE = re.compile(r"""^[^\s:#][^:]*:\s+(?:\[[^\]]*\]|\{[^}]*\}|"[^"]*"|'[^']*')\s*[^\s#]""")


def _locate(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """(0-based line, Persian advice) for a YAML syntax error."""
    # A quote left open swallows the following lines, and YAML notices only later;
    # the first line with an odd number of quotes is the one to fix.
    mark = exc.problem_mark or exc.context_mark
    end = mark.line if mark else len(lines) - 1
    for index, text in enumerate(lines[: end + 1]):
        if text.count('"') % 2 == 1:
            return index, "گیومهٔ باز شده در این خط بسته نشده است؛ گیومهٔ پایانی را بگذارید"
    # An unclosed bracket is noticed lines later too; the line where it opened is the one.
    opened = exc.context_mark is not None and any(w in (exc.context or "") for w in ("flow", "quoted"))
    mark = exc.context_mark if opened else mark
    line = mark.line if mark else 0
    if line < len(lines) and "\t" in lines[line][: len(lines[line]) - len(lines[line].lstrip())]:
        # PyYAML calls a tab in the indentation a character that cannot start a token.
        return line, "در سرآیند Tab به کار نبرید؛ تورفتگی را با فاصله بزنید"
    if line < len(lines) and _OPENED_VALUE.match(lines[line]):
        return line, "مقداری که با [ یا { یا گیومه شروع می‌شود باید همان‌جا تمام شود؛ " + _QUOTE_IT
    text = f"{exc.context or ''} {exc.problem or ''}"
    for needle, advice in _EXPLANATIONS:
        if needle in text:
            return line, advice
    return line, f"{(exc.problem or exc.context or '').strip()}؛ دونقطه، تورفتگی و گیومه‌های این خط را بررسی کنید"


def _comments(node: yaml.MappingNode, lines: list[str]) -> frozenset[str]:
    """Top-level keys whose value, on the key's own line, is followed by ``# …``."""
    found = set()
    for key_node, value_node in node.value:
        end = value_node.end_mark
        if end.line == key_node.start_mark.line and lines[end.line][end.column :].lstrip().startswith("#"):
            found.add(str(key_node.value))
    return frozenset(found)


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
