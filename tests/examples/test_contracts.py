"""The example contracts load, and together they show every key of the contract schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from c360guard import Contract, load_contract
from c360guard.model import (
    ActionDef,
    AllOf,
    AnyOf,
    Compare,
    ConsentRule,
    Defaults,
    Equals,
    Exists,
    FieldRule,
    IdentityRule,
    In,
    Not,
    NotIn,
    ReasonDef,
    ReviewRule,
    RollbackRule,
    SuppressRule,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CONTRACTS = sorted((EXAMPLES / "contracts").glob("*.yaml"))
WORKFLOWS = {
    "lifecycle_personalization",
    "churn_risk_next_action",
    "expansion_routing",
    "support_escalation",
    "assistant_recommendation",
}


def _keys(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def _raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _conditions(node: Any) -> Iterator[dict[str, Any]]:
    """Every condition mapping inside a `when`, nested ones included."""
    if isinstance(node, dict):
        yield node
        for key in ("all", "any"):
            for inner in node.get(key, []):
                yield from _conditions(inner)
        if "not" in node:
            yield from _conditions(node["not"])


def _used(section: str, raw: dict[str, Any]) -> set[str]:
    """The keys a raw contract uses in one section of the schema."""
    value = raw.get(section)
    if section == "":
        return set(raw)
    if section in {"fields", "reasons", "actions"}:
        return {key for item in (value or {}).values() for key in item}
    if section in {"consent", "suppress"}:
        return {key for item in value or [] for key in item}
    if section == "when":
        rules = [*raw.get("consent", []), *raw.get("suppress", [])]
        return {key for rule in rules for cond in _conditions(rule.get("when")) for key in cond}
    return set(value or {})


SCHEMA: dict[str, set[str]] = {
    "": _keys(Contract),
    "defaults": _keys(Defaults),
    "fields": _keys(FieldRule),
    "consent": _keys(ConsentRule),
    "suppress": _keys(SuppressRule),
    "identity": _keys(IdentityRule),
    "reasons": _keys(ReasonDef),
    "actions": _keys(ActionDef),
    "review": _keys(ReviewRule),
    "rollback": _keys(RollbackRule),
    "when": set().union(
        *(_keys(m) for m in (Equals, In, NotIn, Exists, Compare, AllOf, AnyOf, Not))
    ),
}


@pytest.mark.parametrize("path", CONTRACTS, ids=[path.stem for path in CONTRACTS])
def test_example_contract_loads(path: Path) -> None:
    contract = load_contract(path)

    assert contract.workflow in WORKFLOWS
    assert contract.digest.startswith("sha256:")


def test_there_is_one_example_contract_per_workflow() -> None:
    workflows = [load_contract(path).workflow for path in CONTRACTS]

    assert sorted(workflows) == sorted(WORKFLOWS)


@pytest.mark.parametrize("section", sorted(SCHEMA), ids=lambda s: s or "(top level)")
def test_examples_use_every_key_of_the_schema(section: str) -> None:
    used = set().union(*(_used(section, _raw(path)) for path in CONTRACTS))

    assert SCHEMA[section] <= used, f"no example uses {sorted(SCHEMA[section] - used)}"


def test_examples_declare_freshness_both_as_one_duration_and_per_authority() -> None:
    forms = {
        type(rule["fresh_within"]).__name__
        for path in CONTRACTS
        for rule in _raw(path)["fields"].values()
    }

    assert forms == {"str", "dict"}
