"""Turn pydantic's validation errors into one line per problem: the key path, then what to write.

Pydantic locates an error by the path through the data plus the names of the union members it
tried (`int`, `dict[...]`, `function-before[...]`). Users only know their keys, so member names
are dropped from the path, and when every member of a union failed on the value itself the
failures are merged into one line: `version: expected an integer or a string (got [1])`.
When one member got further into the value (a mapping whose entry is wrong), only its
deeper errors are kept, since that is the form the author meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

# How to name what a union member accepts, by the start of its name.
_MEMBER_PHRASES: tuple[tuple[str, str], ...] = (
    ("int", "an integer"),
    ("str-enum", "one of the listed names"),
    ("str", "a string"),
    ("float", "a number"),
    ("bool", "true or false"),
    ("none", "null"),
    ("literal['*']", "'*' (every action)"),
    ("list[str]", "a list of names"),
    (
        "function-before[parse_duration()",
        "a duration such as '30m', '36h', '7d', '2w' or ISO 8601 'P7D'",
    ),
    ("timedelta", "a duration such as '30m', '36h', '7d', '2w' or ISO 8601 'P7D'"),
    ("dict[str-enum[Authority]", "a mapping of authority level to duration ({suggest: 30d})"),
)

# Pydantic's wording for a wrong type, and ours.
_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("Input should be a valid dictionary", "expected a mapping"),
    ("Input should be a valid list", "expected a list"),
    ("Input should be a valid integer", "expected an integer"),
    ("Input should be a valid number", "expected a number"),
    ("Input should be a valid string", "expected a string"),
    ("Input should be a valid boolean", "expected true or false"),
    (
        "Input should have timezone info",
        "expected a timestamp with a UTC offset (ending in Z or +02:00)",
    ),
    ("Input should be less", "expected a value less"),
    ("Input should be greater", "expected a value greater"),
    ("Input should be", "expected"),
)

# Whole-contract checks (dangling references) report lines that already start with their key
# path; they are listed as they are rather than under "(root)".
_KEYED = re.compile(r"^[A-Za-z_][\w.\[\]-]*: ")

_KEY_NAMES = {"in_": "in", "not_": "not"}


@dataclass(frozen=True)
class _Located:
    """One pydantic error with the key path the user wrote and the union it failed in."""

    path: str
    union: str | None
    """The key path of the innermost union the error passed through, if any."""
    member: str | None
    """That union's member which failed."""
    error: ErrorDetails


@dataclass(frozen=True)
class _Hints:
    """What an unknown key's message may suggest instead."""

    keys: Collection[str]
    manual: str


def describe(
    exc: ValidationError,
    data: Any,
    *,
    keys: Collection[str] = (),
    manual: str = "docs/contract.md",
) -> list[str]:
    """Return one `key.path: what was expected (got ...)` line per problem, in order.

    `data` is the input that was validated: a location part that is a key of it is always a
    key, even when a field happens to be called `int` or `none`. `keys` are the keys the
    schema knows, offered as suggestions for an unknown one; `manual` is the page listing them.
    """
    located = [_locate(error, data) for error in exc.errors(include_url=False)]
    hints = _Hints(keys, manual)
    problems: list[str] = []
    for group in _by_union(located):
        problems.extend(_describe_group(group, hints))
    return list(dict.fromkeys(problems))


def _locate(error: ErrorDetails, data: Any) -> _Located:
    path, union, member = "", None, None
    node: Any = data
    last = len(error["loc"]) - 1
    for position, part in enumerate(error["loc"]):
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        key = _KEY_NAMES.get(part, part)
        held = isinstance(node, dict) and key in node
        if part == "[key]":
            continue
        # Not a key of the data: the name of the union member pydantic tried. A missing key is
        # the one exception, being absent by definition.
        if not held and not (position == last and error["type"] == "missing"):
            union, member = path, part
            continue
        path += f".{key}" if path else key
        node = node[key] if held else None
    return _Located(path, union, member, error)


def _by_union(located: list[_Located]) -> list[list[_Located]]:
    """Group the errors that failed in the same union; every other error stands alone."""
    groups: dict[object, list[_Located]] = {}
    for index, item in enumerate(located):
        key: object = ("union", item.union) if item.union is not None else index
        groups.setdefault(key, []).append(item)
    return list(groups.values())


def _describe_group(group: list[_Located], hints: _Hints) -> list[str]:
    members = {item.member for item in group}
    if len(members) <= 1:
        return [line for item in group for line in _describe_one(item, hints)]
    deeper = [item for item in group if item.path != item.union]
    if deeper:
        return [line for item in deeper for line in _describe_one(item, hints)]
    first = group[0]
    accepted = ", or ".join(dict.fromkeys(_phrase(item) for item in group))
    return [f"{first.path or '(root)'}: expected {accepted} (got {_shown(first.error)})"]


def _describe_one(item: _Located, hints: _Hints) -> list[str]:
    error = item.error
    message = str(error["msg"]).removeprefix("Value error, ")
    lines = message.splitlines()
    if not item.path and lines and all(_KEYED.match(line) for line in lines):
        return lines
    if error["type"] == "extra_forbidden":
        return [f"{item.path}: {_unknown_key(item.path, hints)}"]
    return [f"{item.path or '(root)'}: {_expectation(error, message)}"]


def _unknown_key(path: str, hints: _Hints) -> str:
    written = re.split(r"[.\]]", path)[-1]
    close = difflib.get_close_matches(written, list(hints.keys), n=1, cutoff=0.75)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key ({hint}see {hints.manual} for the keys)"


def _expectation(error: ErrorDetails, message: str) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "condition_shape":
        return f"{message} (got {_shown(error)})"
    if "[key]" in error["loc"]:
        return f"unknown key {error['input']!r}: {_reworded(message)}"
    if message.startswith("Input should"):
        return f"{_reworded(message)} (got {_shown(error)})"
    return message


def _phrase(item: _Located) -> str:
    member = item.member or ""
    for start, phrase in _MEMBER_PHRASES:
        if member.startswith(start):
            return phrase
    return _reworded(str(item.error["msg"])).removeprefix("expected ")


def _reworded(message: str) -> str:
    for theirs, ours in _TYPE_WORDS:
        if message.startswith(theirs):
            return ours + message[len(theirs) :]
    return message


def _shown(error: ErrorDetails) -> str:
    """The offending input, briefly: a mapping by its keys, anything else by its repr."""
    given: Any = error.get("input")
    if isinstance(given, dict):
        return "a mapping with keys " + ", ".join(str(key) for key in given) if given else "{}"
    text = repr(given)
    return text if len(text) <= 60 else text[:57] + "..."
