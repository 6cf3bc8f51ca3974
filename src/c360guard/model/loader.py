"""Load a contract from YAML, translating every problem into one ContractError."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from c360guard.errors import ContractError
from c360guard.model._problems import describe
from c360guard.model.condition import AllOf, AnyOf, Compare, Equals, Exists, In, Not, NotIn
from c360guard.model.contract import Contract

logger = logging.getLogger(__name__)

_CONDITION_FORMS = (Equals, In, NotIn, Exists, Compare, AllOf, AnyOf, Not)

_KINDS = {str: "a string", int: "a number", float: "a number", list: "a list", bool: "a boolean"}


def load_contract(source: str | Path) -> Contract:
    """Load and validate a contract from a YAML file path or YAML text.

    Raises ContractError (also a ValueError) naming the file, the key path and what was
    expected; nothing is half-applied.
    """
    text, origin = _read(source)
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContractError([f"{where}not valid YAML ({problem})"], source=origin) from exc
    if not isinstance(data, dict):
        raise ContractError([_not_a_mapping(data, source)], source=origin)
    contract = contract_from_dict(data, source=origin)
    logger.info(
        "loaded contract %s v%s (%s) from %s",
        contract.workflow,
        contract.version,
        contract.digest[:19],
        origin,
    )
    return contract


def contract_from_dict(data: dict[str, Any], *, source: str | None = None) -> Contract:
    """Validate an already parsed contract mapping, raising ContractError on any problem."""
    try:
        return Contract.model_validate(data)
    except ValidationError as exc:
        raise ContractError(describe(exc, data, keys=_schema_keys()), source=source) from exc


@functools.cache
def _schema_keys() -> frozenset[str]:
    """Every key a contract may write, at any depth: the candidates for a typo's suggestion."""
    keys: set[str] = set()
    pending: list[type[BaseModel]] = [Contract, *_CONDITION_FORMS]
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            keys.add(info.alias or name)
            pending.extend(_models_in(info.annotation))
    return frozenset(keys)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _read(source: str | Path) -> tuple[str, str]:
    if isinstance(source, Path) or ("\n" not in source and source.endswith((".yaml", ".yml"))):
        path = Path(source)
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise ContractError(
                [f"cannot read the file ({exc.strerror}); check the path"], source=str(path)
            ) from exc
    return source, "<yaml text>"


def _not_a_mapping(data: Any, source: str | Path) -> str:
    got = "an empty document" if data is None else _KINDS.get(type(data), type(data).__name__)
    problem = f"(root): expected a mapping of contract keys (workflow, authority, ...), got {got}"
    if isinstance(source, str) and isinstance(data, str) and "\n" not in source:
        problem += "; to load a file, give a path ending in .yaml or .yml"
    return problem


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key written twice in one mapping.

    The plain loader keeps the last one silently, which would let a pasted block override a
    rule without anyone noticing.
    """


def _mapping_without_repeats(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            repeated = key in seen
        except TypeError:
            continue  # an unhashable key is reported by the mapping constructor itself
        if repeated:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} appears twice in one mapping; the first is on line {seen[key] + 1}",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _mapping_without_repeats,
)
