"""Check one recommendation or action against a screening: allow, review or block."""

from __future__ import annotations

import logging
from datetime import datetime

from c360guard.engine._compiled import compiled, read_by_rules, selects
from c360guard.engine._construct import trusted_model
from c360guard.engine.conditions import FieldView, evaluate, json_in
from c360guard.engine.screen import ScreenedFields, screen_fields
from c360guard.model import (
    Authority,
    Contract,
    Finding,
    Outcome,
    PauseState,
    Profile,
    Recommendation,
    Screening,
    Verdict,
)
from c360guard.model.condition import condition_fields

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
    profile = screening.profile
    findings: list[Finding] = []
    if pause is not None:
        findings.append(_paused(pause))
    level, catalog_findings = _catalog(action, contract)
    findings += catalog_findings

    cited = recommendation.cited_fields
    relied_on = _relied_on(recommendation, cited, contract, level)
    at_action = screen_fields(profile, contract, level, now=now, only=relied_on)
    view = _view(at_action, profile)
    findings += _identity(at_action, profile, contract, action, level)
    findings += _consent(action, contract, view)
    findings += _suppression(action, contract, view)
    findings += [f for f in at_action.findings if f.code in _CARRIED]
    findings += _reasons(recommendation, contract, screening, at_action, level)
    findings += _destination(recommendation, contract)
    findings += _review(recommendation, contract, level)

    outcome = max((f.outcome for f in findings), default=Outcome.ALLOW)
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "checked %s on %s for %s: %s %s",
            action or "suggestion",
            profile.entity.id,
            contract.workflow,
            outcome.value,
            ",".join(dict.fromkeys(f.code for f in findings)) or "-",
        )
    return trusted_model(
        Verdict,
        {
            "outcome": outcome,
            "findings": findings,
            "ticket": None,
            "workflow": contract.workflow,
            "action": action,
            "authority": level,
            "entity_id": profile.entity.id,
            "reason_codes": recommendation.reason_codes,
            "cited_fields": cited,
            "decided_at": now,
        },
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


def _relied_on(
    recommendation: Recommendation, cited: list[str], contract: Contract, level: Authority
) -> set[str]:
    """The fields an action relies on: cited, read by its rules, or written by it."""
    action = recommendation.action
    names = set(cited)
    for reason in recommendation.reasons:
        known = contract.reasons.get(reason.code)
        names.update(known.evidence if known else ())
    by_rules = compiled(contract, level).rule_fields.get(action)
    names.update(read_by_rules(contract, action) if by_rules is None else by_rules)
    names.update(name for name in recommendation.arguments if name in contract.fields)
    return names


def _view(at_action: ScreenedFields, profile: Profile) -> FieldView:
    values = {name: held.value for name, held in at_action.admitted.items()}
    return FieldView(values, profile.fields)


def _identity(
    at_action: ScreenedFields,
    profile: Profile,
    contract: Contract,
    action: str | None,
    level: Authority,
) -> list[Finding]:
    findings = [
        f
        for f in at_action.findings
        if f.code == "identity.grain_mismatch"
        or (f.code == "identity.low_match_confidence" and level >= Authority.ROUTE)
    ]
    wanted = contract.actions[action].grain if action in contract.actions else None
    entity = profile.entity
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


def _consent(action: str | None, contract: Contract, view: FieldView) -> list[Finding]:
    findings: list[Finding] = []
    for rule in contract.consent:
        if not selects(rule.actions, action):
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


def _suppression(action: str | None, contract: Contract, view: FieldView) -> list[Finding]:
    findings: list[Finding] = []
    for rule in contract.suppress:
        if not selects(rule.actions, action):
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
    at_action: ScreenedFields,
    level: Authority,
) -> list[Finding]:
    if not recommendation.reasons:
        return [
            Finding.of(
                "reason.missing",
                "the recommendation carries no reason code; give at least one from the catalog",
                outcome=Outcome.BLOCK,
            )
        ]
    seen, sensitive = screening.admitted.fields, screening.sensitive
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
            if name not in seen or name in sensitive:
                why = "was not shown to the model"
            elif name not in at_action.admitted:
                why = f"is not cleared at authority {level.value}"
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
