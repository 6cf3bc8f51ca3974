"""The policy of a guarded call, as plain functions shared by sync, async and the middleware.

Reads: a tool result is parsed into profiles, screened, and only the screening's context
(plus the names and codes of what was withheld) is handed to the model. Actions: the tool
call is split into the tool's own arguments and the model's justification, checked as a
Recommendation against what the conversation has shown the model, and rendered as a
message the model can act on when it does not run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from c360guard.guard import Guard
from c360guard.langchain._schema import ADDED, CONFIDENCE, REASONS
from c360guard.langchain._session import SessionView
from c360guard.model import Entity, Outcome, Profile, Reason, Recommendation, Screening, Verdict

logger = logging.getLogger(__name__)

UNKNOWN_ENTITY = "unknown"
"""The entity id an action is checked against when neither it nor the conversation names one."""

ENTITY_ARGUMENTS = ("entity_id", "account_id", "customer_id", "workspace_id", "contact_id")
"""Argument names taken, in this order, as naming the entity an action is about."""

WITHHELD_NOTE = (
    "Fields under `withheld` were not shown to you: do not guess their values and do not "
    "cite them as reasons."
)
BLOCKED_NOTE = (
    "The action did not run. Do not repeat the call unchanged: fix what the codes name "
    "(use catalog reason codes, cite only fields a tool result showed you), or tell the "
    "user why it cannot be done."
)
PENDING_NOTE = (
    "The action did not run: a person must approve it first. Do not call it again; tell "
    "the user it is waiting for review."
)
UNREADABLE_NOTE = (
    "The tool's result is not a profile the guard can screen, so none of it is shown. "
    "Do not guess its content."
)


# Reads.


def profiles_of(result: Any) -> list[Profile] | None:
    """Parse a read tool's result into profiles, or None when it holds none.

    Accepts a Profile, its JSON form (dict or text), or a list of those.
    """
    if isinstance(result, str):
        try:
            result = json.loads(result)
        except json.JSONDecodeError:
            return None
    items = result if isinstance(result, list | tuple) else [result]
    profiles: list[Profile] = []
    for item in items:
        if isinstance(item, Profile):
            profiles.append(item)
            continue
        try:
            profiles.append(Profile.model_validate(item))
        except ValidationError:
            return None
    return profiles or None


def read_content(screenings: Sequence[Screening]) -> str:
    """What the model receives for a read: each screening's context and what was withheld."""
    items = [_read_item(screening) for screening in screenings]
    return _dump(items[0] if len(items) == 1 else items)


def unreadable_content(tool: str) -> str:
    """What the model receives when a read tool returned something other than profiles."""
    return _dump({"status": "withheld", "tool": tool, "note": UNREADABLE_NOTE})


def _read_item(screening: Screening) -> dict[str, Any]:
    item = screening.context()
    withheld = screening.withheld_summary()
    if withheld:
        item["withheld"] = withheld
        item["note"] = WITHHELD_NOTE
    codes = list(dict.fromkeys(finding.code for finding in screening.findings))
    if codes:
        item["profile_findings"] = codes
    return item


def read_summary(screenings: Sequence[Screening]) -> dict[str, Any]:
    """Names, not values: what a read showed and withheld, for artifacts and metadata."""
    return {
        "kind": "read",
        "entities": [s.profile.entity.id for s in screenings],
        "shown": {s.profile.entity.id: s.shown for s in screenings},
        "withheld": {s.profile.entity.id: s.withheld_summary() for s in screenings},
    }


# Actions.


@dataclass(frozen=True, slots=True)
class ActionCall:
    """A model's call of an action tool, split into the tool's arguments and its reasons."""

    action: str
    """The catalog action the call asks for."""
    arguments: dict[str, Any]
    """The tool's own arguments: everything but `reasons` and `confidence`."""
    recommendation: Recommendation
    """The call as the guard checks it."""
    entity_id: str | None
    """The entity the call names, when the tool has an entity argument."""


def entity_argument(arguments: Iterable[str], explicit: str | None = None) -> str | None:
    """The argument that names an action's entity: the explicit one, else a usual name."""
    if explicit is not None:
        return explicit
    names = set(arguments)
    return next((name for name in ENTITY_ARGUMENTS if name in names), None)


def action_call(action: str, arguments: Mapping[str, Any], entity_arg: str | None) -> ActionCall:
    """Split a tool call's arguments and read the model's reasons and confidence leniently.

    Malformed reasons are dropped and a malformed confidence counts as none, so the check
    reports them (`reason.missing`, `confidence.low`) instead of failing.
    """
    own = {name: value for name, value in arguments.items() if name not in ADDED}
    recommendation = Recommendation.model_construct(
        action=action,
        arguments=own,
        reasons=_reasons(arguments.get(REASONS)),
        confidence=_confidence(arguments.get(CONFIDENCE)),
        summary="",
    )
    entity = own.get(entity_arg) if entity_arg is not None else None
    return ActionCall(
        action=action,
        arguments=own,
        recommendation=recommendation,
        entity_id=str(entity) if entity not in (None, "") else None,
    )


def judge(
    guard: Guard, recommendation: Recommendation, view: SessionView, entity_id: str | None
) -> Verdict:
    """Check a recommendation against what the conversation showed the model.

    The entity is the one named, else the one screened last. When nothing was shown about
    it, the check runs against an empty profile, so every citation fails (fail closed).
    """
    return guard.check(recommendation, shown_screening(guard, view, entity_id))


def shown_screening(guard: Guard, view: SessionView, entity_id: str | None) -> Screening:
    """Everything shown about the entity (the one named, else the latest), never None.

    When nothing was shown about it, the screening of an empty profile stands in, so every
    citation fails (fail closed).
    """
    entity = entity_id or view.latest_entity
    screening = view.screening(entity) if entity is not None else None
    if screening is None:
        empty = Entity(id=entity or UNKNOWN_ENTITY, grain=guard.contract.grain)
        screening = guard.screen(Profile(entity=empty))
    return screening


def verdict_content(verdict: Verdict, *, tool: str) -> str:
    """What the model receives when an action did not run: the status and the codes."""
    pending = verdict.outcome is Outcome.REVIEW
    body: dict[str, Any] = {
        "status": "pending_review" if pending else "blocked",
        "tool": tool,
        "ran": False,
        "codes": verdict.codes,
        "findings": [_finding(f) for f in verdict.findings if f.outcome is not Outcome.ALLOW],
    }
    if verdict.ticket is not None:
        body["ticket_id"] = verdict.ticket.id
    body["note"] = PENDING_NOTE if pending else BLOCKED_NOTE
    return _dump(body)


def decision_content(
    status: str,
    *,
    tool: str,
    note: str,
    ticket_id: str | None = None,
    codes: Sequence[str] = (),
) -> str:
    """What the model receives after a person answered a review, when the action did not run."""
    body: dict[str, Any] = {"status": status, "tool": tool, "ran": False}
    if codes:
        body["codes"] = list(codes)
    if ticket_id is not None:
        body["ticket_id"] = ticket_id
    body["note"] = note
    return _dump(body)


def verdict_summary(verdict: Verdict) -> dict[str, Any]:
    """Codes and ids of a verdict, for artifacts and message metadata (no values)."""
    return {
        "kind": "action",
        "action": verdict.action,
        "entity_id": verdict.entity_id,
        "outcome": verdict.outcome.value,
        "codes": verdict.codes,
        "ticket_id": verdict.ticket.id if verdict.ticket is not None else None,
    }


def _finding(finding: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"code": finding.code, "message": finding.message}
    if finding.field is not None:
        out["field"] = finding.field
    return out


def _reasons(raw: Any) -> list[Reason]:
    if not isinstance(raw, list | tuple):
        return []
    reasons: list[Reason] = []
    for item in raw:
        data = item.model_dump() if isinstance(item, BaseModel) else item
        if not isinstance(data, Mapping):
            continue
        fields = data.get("fields")
        reasons.append(
            Reason.model_construct(
                code=str(data.get("code") or ""),
                fields=[str(name) for name in fields] if isinstance(fields, list) else [],
                explanation=str(data.get("explanation") or ""),
            )
        )
    return reasons


def _confidence(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if 0.0 <= value <= 1.0 else None


def _dump(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, default=str)
