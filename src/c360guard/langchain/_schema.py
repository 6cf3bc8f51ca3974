"""The arguments a guarded action tool adds to its tool's own: `reasons` and `confidence`.

The model is shown both as required, so it must justify every action. Validation is lenient
about them (a call without reasons still reaches the guard), because a missing reason is a
policy outcome (`reason.missing`), reported as a verdict, not an argument error.
"""

from __future__ import annotations

from copy import copy
from typing import Any, TypeGuard

from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, create_model

from c360guard.errors import IntegrationError
from c360guard.model import Contract

REASONS = "reasons"
CONFIDENCE = "confidence"
ADDED = frozenset({REASONS, CONFIDENCE})
"""The argument names a guarded action tool adds."""

CONFIDENCE_HELP = (
    "Your confidence that this action is right, from 0 to 1. Below the workflow's "
    "threshold a person reviews the action before it runs."
)


class ActionReason(BaseModel):
    """One reason for an action: a catalog code and the shown fields that are its evidence."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="A reason code from the workflow's catalog.")
    """A reason code from the workflow's catalog."""
    fields: list[str] = Field(
        description="The profile fields shown to you that are this reason's evidence."
    )
    """The profile fields shown to the model that are this reason's evidence."""
    explanation: str = Field(description="One sentence for the person reading the action.")
    """One sentence for the person reading the action."""


def reasons_help(contract: Contract) -> str:
    """Describe the `reasons` argument, with the contract's catalog of reason codes."""
    codes = "; ".join(
        f"{code} ({reason.label}; evidence: {', '.join(reason.evidence) or 'any shown field'})"
        for code, reason in contract.reasons.items()
    )
    return (
        "Why you take this action: at least one reason, each a code from this catalog with, "
        "in `fields`, the profile fields shown to you that are its evidence. Cite only fields "
        f"a tool result showed you. Catalog: {codes}."
    )


def action_schemas(tool: BaseTool, contract: Contract) -> tuple[Any, Any]:
    """Build a tool's schemas with `reasons` and `confidence` added.

    Returns:
        The schema arguments are validated with (the two added optional) and the schema the
        model is shown (the two added required).

    Raises:
        IntegrationError: The tool already has an argument of one of those names, or its
            schema is a pydantic v1 model.
    """
    taken = ADDED & set(tool.args)
    if taken:
        raise IntegrationError(
            f"tool {tool.name} already has an argument named {', '.join(sorted(taken))}, "
            "which a guarded action adds; rename the tool's argument"
        )
    accepted, shown = tool.get_input_schema(), tool.tool_call_schema
    if isinstance(shown, dict):
        return _extend_dict(tool.args_schema, contract, required=False), _extend_dict(
            shown, contract, required=True
        )
    if not (_is_v2(accepted) and _is_v2(shown)):
        raise IntegrationError(
            f"tool {tool.name} declares its arguments with a pydantic v1 model; give it a "
            "pydantic v2 model (or a JSON schema) to guard it"
        )
    return _extend_model(accepted, contract, required=False), _extend_model(
        shown, contract, required=True
    )


def _is_v2(schema: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(schema, type) and issubclass(schema, BaseModel)


def _extend_model(base: type[BaseModel], contract: Contract, *, required: bool) -> type[Any]:
    if required:
        # The schema the model is shown is built from the fields, not by subclassing:
        # LangChain caches the JSON schema of its tool-call models on the class.
        fields: dict[str, Any] = {
            name: (info.annotation, copy(info)) for name, info in base.model_fields.items()
        }
        shown: type[Any] = create_model(
            base.__name__,
            __doc__=base.__doc__,
            **fields,
            reasons=(list[ActionReason], Field(description=reasons_help(contract), min_length=1)),
            confidence=(float, Field(description=CONFIDENCE_HELP, ge=0.0, le=1.0)),
        )
        return shown
    # Accepted as anything: the guard reads them leniently, so a malformed reason is a
    # finding (`reason.missing`), and every call pays for no deeper validation.
    accepted: type[Any] = create_model(
        base.__name__,
        __base__=base,
        __doc__=base.__doc__,
        reasons=(Any, Field(default=None, description=reasons_help(contract))),
        confidence=(Any, Field(default=None, description=CONFIDENCE_HELP)),
    )
    return accepted


def _extend_dict(schema: Any, contract: Contract, *, required: bool) -> dict[str, Any]:
    base: dict[str, Any] = dict(schema) if isinstance(schema, dict) else {"type": "object"}
    properties = dict(base.get("properties") or {})
    properties[REASONS] = {
        "type": "array",
        "description": reasons_help(contract),
        "items": ActionReason.model_json_schema(),
    }
    properties[CONFIDENCE] = {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "description": CONFIDENCE_HELP,
    }
    base["properties"] = properties
    if required:
        base["required"] = [*(base.get("required") or []), REASONS, CONFIDENCE]
    return base
