"""Check one recommendation or action against a screening: allow, review or block."""

from __future__ import annotations

import logging
from datetime import datetime

from c360guard.engine.conditions import FieldView, evaluate, json_in
from c360guard.engine.screen import screen
from c360guard.model import (
    ANY_ACTION,
    Authority,
    Contract,
    FieldValue,
    Finding,
    Outcome,
    PauseState,
    Recommendation,
    Screening,
    Verdict,
)
from c360guard.model.condition import condition_fields
from c360guard.model.contract import ActionSelector

logger = logging.getLogger(__name__)


def check(
    recommendation: Recommendation,
    screening: Screening,
    contract: Contract,
    *,
    now: datetime,
    pause: PauseState | None = None,
) -> Verdict:
    """Check a recommendation against what the model was shown, collecting every finding.

    The outcome is the most severe finding's: block beats review beats allow.
    """
    action = recommendation.action
    findings: list[Finding] = []
    if pause is not None:
        findings.append(_paused(pause))
    level, catalog_findings = _catalog(action, contract)
    findings += catalog_findings

    at_action = screen(
        screening.profile,
        contract,
        now=now,
        authority=level,
        only=_relied_on(recommendation, contract),
    )
    findings += _identity(at_action, contract, action, level)
    findings += _consent(action, contract, at_action)
    findings += _suppression(action, contract, at_action)
    findings += [f for f in at_action.findings if f.code in _CARRIED]
    findings += _reasons(recommendation, contract, screening, at_action)
    findings += _destination(recommendation, contract)
    findings += _review(recommendation, contract, level)

    outcome = max((f.outcome for f in findings), default=Outcome.ALLOW)
    logger.info(
        "checked %s on %s for %s: %s %s",
        action or "suggestion",
        screening.profile.entity.id,
        contract.workflow,
        outcome.value,
        ",".join(dict.fromkeys(f.code for f in findings)) or "-",
    )
    return Verdict.model_construct(
        outcome=outcome,
        findings=findings,
        ticket=None,
        workflow=contract.workflow,
        action=action,
        authority=level,
        entity_id=screening.profile.entity.id,
        reason_codes=recommendation.reason_codes,
        cited_fields=recommendation.cited_fields,
        decided_at=now,
    )


# Profile-level findings of the action-level screening that a check takes over as they are.
_CARRIED = frozenset({"field.critical_withheld", "field.missing", "lifecycle.conflict"})


def _paused(pause: PauseState) -> Finding:
    return Finding.of(
        "workflow.paused",
        f"workflow {pause.workflow} is paused by {pause.by}: {pause.reason}",
        outcome=Outcome.BLOCK,
        paused_by=pause.by,
        automatic=pause.automatic,
    )


def _catalog(action: str | None, contract: Contract) -> tuple[Authority, list[Finding]]:
    """The authority to judge the action at, and findings when it is unknown or too high."""
    needed = contract.action_authority(action)
    if needed is None:
        unknown = Finding.of(
            "action.unknown",
            f"action {action} is not in the contract's action catalog",
            outcome=Outcome.BLOCK,
            action=action,
        )
        return contract.authority, [unknown]
    if needed > contract.authority:
        exceeded = Finding.of(
            "authority.exceeded",
            f"action {action} needs authority {needed.value}; workflow {contract.workflow} "
            f"may go no further than {contract.authority.value}",
            outcome=Outcome.BLOCK,
            action=action,
            needed=needed.value,
            ceiling=contract.authority.value,
        )
        return contract.authority, [exceeded]
    return needed, []


def _relied_on(recommendation: Recommendation, contract: Contract) -> set[str]:
    """The fields an action relies on: cited, read by its rules, or written by it."""
    action = recommendation.action
    names = set(recommendation.cited_fields)
    for code in recommendation.reason_codes:
        known = contract.reasons.get(code)
        names.update(known.evidence if known else ())
    for consent in contract.consent:
        if _selects(consent.actions, action):
            names.add(consent.field)
            names.update(condition_fields(consent.when) if consent.when else ())
    for rule in contract.suppress:
        if _selects(rule.actions, action):
            names.update(condition_fields(rule.when))
    names.update(name for name in recommendation.arguments if name in contract.fields)
    return names


def _selects(selector: ActionSelector, action: str | None) -> bool:
    return selector == ANY_ACTION or (action is not None and action in selector)


def _view(at_action: Screening) -> FieldView:
    values = {}
    for name, held in at_action.admitted.fields.items():
        assert isinstance(held, FieldValue)  # screening admits one value per field
        values[name] = held.value
    return FieldView(values, frozenset(at_action.profile.fields))


def _identity(
    at_action: Screening, contract: Contract, action: str | None, level: Authority
) -> list[Finding]:
    findings = [
        f
        for f in at_action.findings
        if f.code == "identity.grain_mismatch"
        or (f.code == "identity.low_match_confidence" and level >= Authority.ROUTE)
    ]
    wanted = contract.actions[action].grain if action in contract.actions else None
    entity = at_action.profile.entity
    if wanted is not None and wanted != entity.grain and wanted != contract.grain:
        findings.append(
            Finding.of(
                "identity.grain_mismatch",
                f"action {action} is taken at {wanted.value} grain; {entity.id} is a "
                f"{entity.grain.value}",
                outcome=Outcome.BLOCK,
                entity_grain=entity.grain.value,
                expected=wanted.value,
            )
        )
    return findings


def _consent(action: str | None, contract: Contract, at_action: Screening) -> list[Finding]:
    view = _view(at_action)
    findings: list[Finding] = []
    for rule in contract.consent:
        if not _selects(rule.actions, action):
            continue
        if rule.when is not None and evaluate(rule.when, view) is False:
            continue
        if view.known(rule.field) and json_in(view.value(rule.field), rule.allow):
            continue
        if view.known(rule.field):
            state = "does not grant it"
        elif view.present(rule.field):
            state = "is withheld"
        else:
            state = "is missing"
        findings.append(
            Finding.of(
                "consent.missing",
                f"{action or 'this suggestion'} needs consent from {rule.field}, which {state}",
                field=rule.field,
                outcome=Outcome.BLOCK,
            )
        )
    return findings


def _suppression(action: str | None, contract: Contract, at_action: Screening) -> list[Finding]:
    view = _view(at_action)
    findings: list[Finding] = []
    for rule in contract.suppress:
        if not _selects(rule.actions, action):
            continue
        truth = evaluate(rule.when, view)
        if truth is False:
            continue
        fields = ", ".join(dict.fromkeys(condition_fields(rule.when)))
        if truth is True:
            finding = Finding.of(
                "suppression.active",
                f"suppression {rule.code} is active ({fields})",
                outcome=Outcome.BLOCK,
                suppression=rule.code,
            )
        else:
            finding = Finding.of(
                "suppression.unknown",
                f"suppression {rule.code} cannot be ruled out: {fields} withheld or absent",
                outcome=Outcome.BLOCK,
                suppression=rule.code,
            )
        findings.append(finding)
    return findings


def _reasons(
    recommendation: Recommendation,
    contract: Contract,
    screening: Screening,
    at_action: Screening,
) -> list[Finding]:
    if not recommendation.reasons:
        return [
            Finding.of(
                "reason.missing",
                "the recommendation carries no reason code; give at least one from the catalog",
                outcome=Outcome.BLOCK,
            )
        ]
    shown = set(screening.shown)
    findings: list[Finding] = []
    for reason in recommendation.reasons:
        known = contract.reasons.get(reason.code)
        if known is None:
            findings.append(
                Finding.of(
                    "reason.unknown_code",
                    f"reason code {reason.code} is not in the contract's catalog",
                    outcome=Outcome.BLOCK,
                    reason_code=reason.code,
                )
            )
        for name in dict.fromkeys(reason.fields):
            if name not in shown:
                why = "was not shown to the model"
            elif name not in at_action.admitted.fields:
                why = f"is not cleared at authority {at_action.authority.value}"
            else:
                continue
            findings.append(
                Finding.of(
                    "reason.cites_withheld_field",
                    f"reason {reason.code} cites {name}, which {why}",
                    field=name,
                    outcome=Outcome.BLOCK,
                    reason_code=reason.code,
                )
            )
        for name in known.evidence if known else ():
            if name not in reason.fields:
                findings.append(
                    Finding.of(
                        "reason.evidence_missing",
                        f"reason {reason.code} must cite {name} as its evidence",
                        field=name,
                        outcome=Outcome.BLOCK,
                        reason_code=reason.code,
                    )
                )
    return findings


def _destination(recommendation: Recommendation, contract: Contract) -> list[Finding]:
    action = recommendation.action
    if action is None or action not in contract.actions:
        return []
    allowed = set(contract.actions[action].writes)
    return [
        Finding.of(
            "destination.field_not_allowed",
            f"action {action} may not write {name} to "
            f"{contract.actions[action].destination or 'its destination'}",
            field=name,
            outcome=Outcome.BLOCK,
            action=action,
        )
        for name in recommendation.arguments
        if name in contract.fields and name not in allowed
    ]


def _review(recommendation: Recommendation, contract: Contract, level: Authority) -> list[Finding]:
    rule = contract.review
    findings: list[Finding] = []
    confidence = recommendation.confidence
    if confidence is None or confidence < rule.min_confidence:
        findings.append(
            Finding.of(
                "confidence.low",
                f"confidence {'is not given' if confidence is None else confidence} is below "
                f"the review threshold {rule.min_confidence}",
                outcome=Outcome.REVIEW,
                confidence=confidence,
                min_confidence=rule.min_confidence,
            )
        )
    action = recommendation.action
    if action is not None and action in rule.always:
        findings.append(
            Finding.of(
                "review.required",
                f"action {action} is always reviewed by a person",
                outcome=Outcome.REVIEW,
                action=action,
            )
        )
    elif level > rule.autonomous_up_to:
        findings.append(
            Finding.of(
                "review.required",
                f"authority {level.value} is above {rule.autonomous_up_to.value}, the most "
                "this workflow does without a person",
                outcome=Outcome.REVIEW,
                authority=level.value,
            )
        )
    return findings
