"""Load a contract from YAML, translating every problem into one ContractError."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from c360guard.errors import ContractError
from c360guard.model.contract import Contract

logger = logging.getLogger(__name__)

# Pydantic names the members of tagged unions in error locations; users only know their keys.
_UNION_NOISE = frozenset(
    {
        "equals",
        "in",
        "not_in",
        "exists",
        "compare",
        "all",
        "any",
        "not",
        "timedelta",
        "dict[Authority,timedelta]",
        "function-before[parse_duration(), timedelta]",
        "list[str]",
        "literal['*']",
        "str",
        "int",
        "float",
        "bool",
        "none",
    }
)


# Whole-contract checks (dangling references) report lines that already start with their key
# path; they are listed as they are rather than under "(root)".
_KEYED = re.compile(r"^[A-Za-z_][\w.\[\]-]*: ")


def load_contract(source: str | Path) -> Contract:
    """Load and validate a contract from a YAML file path or YAML text.

    Raises ContractError (also a ValueError) naming the file, the key path and what was
    expected; nothing is half-applied.
    """
    text, origin = _read(source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContractError([f"{where}not valid YAML ({problem})"], source=origin) from exc
    if not isinstance(data, dict):
        raise ContractError(
            [f"(root): expected a mapping of contract keys, got {type(data).__name__}"],
            source=origin,
        )
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
        raise ContractError(_problems(exc), source=source) from exc


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


def _problems(exc: ValidationError) -> list[str]:
    problems: list[str] = []
    for error in exc.errors(include_url=False):
        path = _key_path(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if not path and all(_KEYED.match(line) for line in message.splitlines()):
            problems.extend(message.splitlines())
            continue
        problems.append(f"{path or '(root)'}: {_expectation(error, message)}")
    return list(dict.fromkeys(problems))


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _UNION_NOISE or part.startswith(("function-", "tagged-union")):
            continue
        else:
            key = {"in_": "in", "not_": "not"}.get(part, part)
            path += f".{key}" if path else key
    return path


def _expectation(error: Any, message: str) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see docs/contract.md for the keys)"
    if kind == "missing":
        return "required key is missing"
    got = error.get("input")
    if kind in {"enum", "literal_error"} or "Input should be" in message:
        return f"{message} (got {got!r})"
    return message
