"""A readable diff of two lists of decision records: which decision, field, finding, verdict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

Record = Mapping[str, Any]

FIRST_KEYS = ("outcome", "verdict", "findings")
"""Keys reported before all others: what changed in the verdict, then why."""

IDENTITY_KEYS = ("code", "name", "field")
"""Keys that name the entries of a list of records: findings by code, fields by name."""


def diff_decisions(expected: Sequence[Record], actual: Sequence[Record]) -> list[str]:
    """Return the differences between two decision lists as indented lines (none if equal)."""
    matcher = SequenceMatcher(None, _keys(expected), _keys(actual), autojunk=False)
    lines: list[str] = []
    for op, e_start, e_end, a_start, a_end in matcher.get_opcodes():
        old, new = expected[e_start:e_end], actual[a_start:a_end]
        if op in ("equal", "replace"):
            for offset, (before, after) in enumerate(zip(old, new, strict=False)):
                lines.extend(_record_diff(a_start + offset, before, after))
        for offset, extra in enumerate(new[len(old) :] if op != "delete" else []):
            index = a_start + len(old) + offset
            lines.append(f"{_label(index, extra)} is new: {_summary(extra)}")
        for offset, gone in enumerate(old[len(new) :] if op != "insert" else []):
            index = e_start + len(new) + offset
            lines.append(f"{_label(index, gone, 'golden ')} is gone: {_summary(gone)}")
    return lines


def _record_diff(index: int, before: Record, after: Record) -> list[str]:
    changes: list[str] = []
    _compare("", before, after, changes)
    if not changes:
        return []
    return [f"{_label(index, after)}:", *(f"  {change}" for change in changes)]


def _compare(path: str, before: Any, after: Any, out: list[str]) -> None:
    if before == after:
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after), key=_reading_order):
            where = f"{path}.{key}" if path else str(key)
            if key not in before:
                out.append(f"{where}: added {_show(after[key])}")
            elif key not in after:
                out.append(f"{where}: removed (was {_show(before[key])})")
            else:
                _compare(where, before[key], after[key], out)
    elif (by := _shared_identity(before, after)) is not None:
        out.extend(_keyed_diff(path, before, after, by))
    elif _is_scalars(before) and _is_scalars(after):
        out.extend(_list_diff(path, before, after))
    else:
        out.append(f"{path}: {_show(before)} -> {_show(after)}")


def _reading_order(key: Any) -> tuple[int, str]:
    # The verdict first, then the findings behind it, then everything else alphabetically.
    text = str(key)
    return (FIRST_KEYS.index(text) if text in FIRST_KEYS else len(FIRST_KEYS), text)


def _keyed_diff(path: str, before: list[Record], after: list[Record], by: str) -> list[str]:
    old = {_item_key(item, by): item for item in before}
    new = {_item_key(item, by): item for item in after}
    lines = [f"{path}: added {_item(new[key], by)}" for key in new if key not in old]
    lines += [f"{path}: removed {_item(old[key], by)}" for key in old if key not in new]
    for key in (key for key in new if key in old and new[key] != old[key]):
        nested: list[str] = []
        _compare("", dict(old[key]), dict(new[key]), nested)
        lines += [f"{path} {_item(new[key], by)}: {change}" for change in nested]
    return lines


def _list_diff(path: str, before: list[Any], after: list[Any]) -> list[str]:
    added = [item for item in after if item not in before]
    removed = [item for item in before if item not in after]
    lines = []
    if added:
        lines.append(f"{path}: added {', '.join(map(_show, added))}")
    if removed:
        lines.append(f"{path}: removed {', '.join(map(_show, removed))}")
    if not lines:
        lines.append(f"{path}: order {_show(before)} -> {_show(after)}")
    return lines


def _shared_identity(before: Any, after: Any) -> str | None:
    """The naming key both lists of records share; an empty list takes the other's."""
    if not (isinstance(before, list) and isinstance(after, list)):
        return None
    mine, theirs = _identity(before), _identity(after)
    if mine is None or theirs is None:
        return (mine or theirs) if not before or not after else None
    return mine if mine == theirs else None


def _identity(value: Any) -> str | None:
    """The key naming each entry of a list of records (findings, fields), if it has one."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, Mapping) for item in value):
        return None
    for key in IDENTITY_KEYS:
        if all(key in item for item in value):
            return key
    return None


def _is_scalars(value: Any) -> bool:
    return isinstance(value, list) and not any(isinstance(v, Mapping | list) for v in value)


def _item_key(item: Record, by: str) -> tuple[str, str]:
    # Findings are told apart by code and field; other records by their naming key.
    return (str(item.get(by)), str(item.get("field")) if by == "code" else "")


def _item(item: Record, by: str) -> str:
    text = str(item.get(by))
    if by == "code" and item.get("field"):
        text += f" on field {item['field']}"
    if item.get("codes"):
        text += f" [{', '.join(map(str, item['codes']))}]"
    if item.get("outcome"):
        text += f" ({item['outcome']})"
    return text


def _keys(records: Sequence[Record]) -> list[tuple[str, str, str]]:
    return [(_kind(r), _entity(r), str(r.get("action") or "")) for r in records]


def _kind(record: Record) -> str:
    for key in ("kind", "decision", "operation", "span", "name"):
        if isinstance(record.get(key), str):
            return str(record[key])
    return "decision"


def _entity(record: Record) -> str:
    entity = record.get("entity_id", record.get("entity"))
    if isinstance(entity, Mapping):
        entity = entity.get("id")
    return str(entity or "")


def _outcome(record: Record) -> str:
    for key in ("outcome", "verdict"):
        value = record.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, Mapping) and isinstance(value.get("outcome"), str):
            return str(value["outcome"])
    return ""


def _label(index: int, record: Record, prefix: str = "") -> str:
    parts = [] if _kind(record) == "decision" else [_kind(record)]
    if record.get("action"):
        parts.append(str(record["action"]))
    if _entity(record):
        parts.append(f"on {_entity(record)}")
    return f"{prefix}decision {index + 1} ({' '.join(parts)})"


def _summary(record: Record) -> str:
    outcome = _outcome(record)
    return f"verdict {outcome}" if outcome else "no verdict"


def _show(value: Any) -> str:
    if isinstance(value, str) and value.startswith("sha256:") and len(value) > 19:
        value = value[:19] + "..."  # a digest: enough to tell two apart
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
