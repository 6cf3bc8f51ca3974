"""What a contract must declare for each rung of the readiness ladder."""

from __future__ import annotations

from collections.abc import Callable

from c360guard.model import ANY_ACTION, Authority, Contract, Dimension, Readiness
from c360guard.model.contract import REASON_CODES_WRITE, ActionSelector
from c360guard.readiness.report import Requirement

_TRUSTED, _WORKFLOW, _AI = (
    Readiness.PROFILE_TRUSTED,
    Readiness.WORKFLOW_READY,
    Readiness.AI_READY,
)


def requirements(contract: Contract) -> list[Requirement]:
    """Every declaration the ladder asks of the contract, met or not, in ladder order."""
    found: list[Requirement] = []
    for build in _BUILDERS:
        found.extend(build(contract))
    return found


def _need(
    key: str,
    dimension: Dimension,
    level: Readiness,
    met: bool,
    detail: str,
    *,
    severity: str = "fail",
) -> Requirement:
    return Requirement(
        key=key,
        dimension=dimension,
        level=level,
        severity="fail" if severity == "fail" else "warn",
        met=met,
        detail=detail,
    )


def _names(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def _identity(contract: Contract) -> list[Requirement]:
    declared = contract.identity.min_match_confidence is not None
    routes = contract.authority >= Authority.ROUTE
    detail = (
        f"identity.min_match_confidence is {contract.identity.min_match_confidence}"
        if declared
        else "declare identity.min_match_confidence so fuzzy merges never route or act"
    )
    return [
        _need(
            "identity.match_threshold",
            Dimension.IDENTITY,
            _TRUSTED,
            declared,
            detail,
            severity="fail" if routes else "warn",
        )
    ]


def _fields(contract: Contract) -> list[Requirement]:
    critical = [name for name, rule in contract.fields.items() if rule.critical]
    default_owner = contract.defaults.owner_required
    unowned = [
        name
        for name in critical
        if not (
            default_owner
            if contract.fields[name].owner_required is None
            else contract.fields[name].owner_required
        )
    ]
    uncleared = [
        name
        for name, rule in contract.fields.items()
        if rule.freshness_limit(contract.authority) is None
    ]
    dim = Dimension.FRESHNESS_OWNERSHIP
    return [
        _need(
            "fields.critical_declared",
            dim,
            _TRUSTED,
            bool(critical),
            f"critical fields: {_names(critical)}"
            if critical
            else "mark the fields no action may do without as critical: true",
        ),
        _need(
            "fields.critical_owned",
            dim,
            _TRUSTED,
            not unowned,
            "every critical field requires an owner"
            if not unowned
            else f"require an owner for critical fields {_names(unowned)}",
        ),
        _need(
            "fields.cleared_at_ceiling",
            dim,
            _TRUSTED,
            not uncleared,
            f"every field has a freshness limit at {contract.authority.value}"
            if not uncleared
            else f"declare fresh_within at {contract.authority.value} for {_names(uncleared)}; "
            "until then they are always withheld",
            severity="warn",
        ),
    ]


def _lifecycle(contract: Contract) -> list[Requirement]:
    mapped = sorted(contract.lifecycle)
    return [
        _need(
            "lifecycle.mapping",
            Dimension.LIFECYCLE,
            _TRUSTED,
            len(mapped) >= 2,
            f"lifecycle states are mapped for {_names(mapped)}"
            if len(mapped) >= 2
            else "map the lifecycle vocabulary of at least two systems so conflicts show",
            severity="warn",
        )
    ]


def _customer_actions(contract: Contract) -> list[str]:
    return sorted(
        name
        for name, action in contract.actions.items()
        if action.authority is Authority.ACT and action.authority <= contract.authority
    )


def _covers(selectors: list[ActionSelector], action: str) -> bool:
    return any(selector == ANY_ACTION or action in selector for selector in selectors)


def _consent(contract: Contract) -> list[Requirement]:
    acting = _customer_actions(contract)
    no_consent = [a for a in acting if not _covers([r.actions for r in contract.consent], a)]
    unguarded = [a for a in acting if not _covers([r.actions for r in contract.suppress], a)]
    dim = Dimension.CONSENT_SUPPRESSION
    none_act = "no action contacts customers without a person"
    return [
        _need(
            "consent.customer_actions",
            dim,
            _WORKFLOW,
            not no_consent,
            (f"consent rules cover {_names(acting)}" if acting else none_act)
            if not no_consent
            else f"declare a consent rule for {_names(no_consent)}",
        ),
        _need(
            "suppress.customer_actions",
            dim,
            _WORKFLOW,
            not unguarded,
            (f"suppressions cover {_names(acting)}" if acting else none_act)
            if not unguarded
            else f"declare a suppression (escalation, holdout) for {_names(unguarded)}",
        ),
    ]


def _reasons(contract: Contract) -> list[Requirement]:
    bare = sorted(code for code, reason in contract.reasons.items() if not reason.evidence)
    sensitive = contract.sensitive_fields()
    hidden = sorted(
        code
        for code, reason in contract.reasons.items()
        if any(name in sensitive for name in reason.evidence)
    )
    dim = Dimension.REASON_CODES
    return [
        _need(
            "reasons.evidence",
            dim,
            _WORKFLOW,
            not bare,
            f"all {len(contract.reasons)} reason codes name their evidence"
            if not bare
            else f"name the evidence fields of reason codes {_names(bare)}",
        ),
        _need(
            "reasons.shown",
            dim,
            _WORKFLOW,
            not hidden,
            "no reason code rests on a sensitive field"
            if not hidden
            else f"reason codes {_names(hidden)} rest on sensitive fields the model never "
            "sees; give them evidence it may see",
        ),
    ]


def _destination(contract: Contract) -> list[Requirement]:
    nowhere = sorted(name for name, action in contract.actions.items() if not action.destination)
    return [
        _need(
            "actions.destination",
            Dimension.DESTINATION,
            _WORKFLOW,
            not nowhere,
            "every action names its destination"
            if not nowhere
            else f"name the destination of actions {_names(nowhere)}",
        ),
        _need(
            "workflow.owner",
            Dimension.DESTINATION,
            _WORKFLOW,
            bool(contract.owner.strip()),
            f"{contract.owner} owns exceptions, pauses and rollback",
        ),
    ]


def _review(contract: Contract) -> list[Requirement]:
    declared = "review" in contract.model_fields_set and (
        "min_confidence" in contract.review.model_fields_set
    )
    rule = contract.review
    governed = (
        contract.authority < Authority.ROUTE
        or rule.autonomous_up_to < contract.authority
        or bool(rule.always)
    )
    dim = Dimension.REVIEW
    return [
        _need(
            "review.thresholds",
            dim,
            _AI,
            declared,
            f"review.min_confidence is {rule.min_confidence}"
            if declared
            else "declare review.min_confidence: below it a person approves first",
        ),
        _need(
            "review.autonomy",
            dim,
            _AI,
            governed,
            f"actions above {rule.autonomous_up_to.value} go to a person first"
            if governed
            else "the workflow routes or acts with no person ever asked: lower "
            "review.autonomous_up_to or list actions under review.always",
            severity="warn",
        ),
    ]


def _rollback(contract: Contract) -> list[Requirement]:
    rule = contract.rollback
    above = sorted(n for n, a in contract.actions.items() if a.authority > contract.authority)
    compensations = {a.compensate for a in contract.actions.values() if a.compensate}
    irreversible = sorted(
        name
        for name, action in contract.actions.items()
        if action.authority is Authority.ROUTE
        and not action.compensate
        and name not in compensations
    )
    untraced = sorted(
        name
        for name, action in contract.actions.items()
        if action.authority >= Authority.ROUTE and REASON_CODES_WRITE not in action.writes
    )
    dim = Dimension.ROLLBACK
    return [
        _need(
            "rollback.pause_rule",
            dim,
            _AI,
            rule.pause_if_override_rate_above is not None,
            f"pauses itself above a {rule.pause_if_override_rate_above} override rate"
            if rule.pause_if_override_rate_above is not None
            else "declare rollback.pause_if_override_rate_above",
        ),
        _need(
            "rollback.compensation",
            dim,
            _AI,
            not irreversible,
            "every route action names the action that undoes it"
            if not irreversible
            else f"name a compensate action for {_names(irreversible)}",
            severity="warn",
        ),
        _need(
            "authority.ceiling",
            dim,
            _AI,
            not above,
            f"every action fits under the {contract.authority.value} ceiling"
            if not above
            else f"actions {_names(above)} need more than the ceiling and are always blocked",
            severity="warn",
        ),
        _need(
            "audit.reason_codes",
            dim,
            _AI,
            not untraced,
            "every route and act action writes its reason codes to its destination"
            if not untraced
            else f"add reason_codes to the writes of {_names(untraced)} so each change "
            "carries its reasons",
        ),
        _need(
            "audit.version",
            dim,
            _AI,
            "version" in contract.model_fields_set,
            f"contract version {contract.version} is recorded in every decision"
            if "version" in contract.model_fields_set
            else "declare the contract's version so decisions name the rules they followed",
            severity="warn",
        ),
    ]


_BUILDERS: tuple[Callable[[Contract], list[Requirement]], ...] = (
    _identity,
    _fields,
    _lifecycle,
    _consent,
    _reasons,
    _destination,
    _review,
    _rollback,
)
