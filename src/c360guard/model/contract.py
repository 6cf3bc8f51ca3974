"""The workflow's operating contract, as its YAML declares it."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import timedelta
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from c360guard.model._base import FrozenModel
from c360guard.model._enums import Authority, Grain
from c360guard.model.condition import Condition, JSONScalar, condition_fields
from c360guard.model.duration import Duration, format_duration

ANY_ACTION = "*"
"""The wildcard that stands for every action (and for pure suggestions) in a rule."""

REASON_CODES_WRITE = "reason_codes"
"""The pseudo-field an action lists in `writes` to send the reason codes to its destination."""

ActionSelector = Literal["*"] | list[str]


class Defaults(FrozenModel):
    """Rules every field follows unless its own rule says otherwise."""

    owner_required: bool = True
    """A field value with no owner is withheld."""
    source_path_required: bool = False
    """A field value with no source path (lineage) is withheld."""


class FieldRule(FrozenModel):
    """What a profile field must satisfy before the model may see it."""

    sources: list[str] = Field(min_length=1)
    """Allowed source systems, in precedence order (the first admissible one wins)."""
    fresh_within: Duration | dict[Authority, Duration]
    """Maximum age: one duration for every authority, or one per authority level."""
    critical: bool = False
    """Withheld or missing means no action on this profile."""
    sensitive: bool = False
    """Usable by actions that list it in `writes`, never shown to the model."""
    grain: Grain | None = None
    """The grain the value must be measured at."""
    min_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    """Minimum producer confidence; a value with no confidence is withheld when set."""
    owner_required: bool | None = None
    """Overrides `defaults.owner_required` for this field."""
    source_path_required: bool | None = None
    """Overrides `defaults.source_path_required` for this field."""
    description: str | None = None
    """What the field means, for people reading the contract."""

    @field_validator("fresh_within")
    @classmethod
    def _freshness_declared(
        cls, value: timedelta | dict[Authority, timedelta]
    ) -> timedelta | dict[Authority, timedelta]:
        if isinstance(value, dict) and not value:
            raise ValueError("give one duration, or at least one authority level")
        if isinstance(value, dict):
            _check_strictness_grows(value)
        return value

    def freshness_limit(self, authority: Authority) -> timedelta | None:
        """Return the maximum age at an authority, or None when the field is not cleared there.

        A level not listed takes the limit of the nearest listed level above it; above the
        highest listed level the field is not cleared.
        """
        if not isinstance(self.fresh_within, dict):
            return self.fresh_within
        for level in Authority.ordered()[authority.rank :]:
            if level in self.fresh_within:
                return self.fresh_within[level]
        return None


def _check_strictness_grows(limits: dict[Authority, timedelta]) -> None:
    """Refuse a limit that is looser at a higher authority than at a lower one.

    Rule 3 of the design: strictness grows with authority, so raising a ceiling can only
    withhold more, never show more.
    """
    listed = sorted(limits.items(), key=lambda item: item[0].rank)
    for (lower, lower_limit), (higher, limit) in itertools.pairwise(listed):
        if limit > lower_limit:
            raise ValueError(
                f"the limit at {higher.value} ({format_duration(limit)}) is longer than at "
                f"{lower.value} ({format_duration(lower_limit)}); a higher authority needs the "
                "same limit or a shorter one"
            )


class ConsentRule(FrozenModel):
    """An action needs the customer's consent, read from one field."""

    actions: ActionSelector
    """The actions the rule governs, or `*` for all."""
    field: str
    """The field holding the consent state."""
    allow: list[JSONScalar] = Field(min_length=1)
    """Values that count as consent; anything else, missing or withheld is no consent."""
    when: Condition | None = None
    """Apply the rule only when this holds; unknown counts as holding."""


class SuppressRule(FrozenModel):
    """Actions that must not happen while a condition holds."""

    code: str = Field(min_length=1)
    """A short name for the suppression (`OPEN_ESCALATION`), shown in findings."""
    when: Condition
    """The condition that suppresses; unknown suppresses too."""
    actions: ActionSelector = "*"
    """The actions suppressed, or `*` for all actions and suggestions."""


class IdentityRule(FrozenModel):
    """How sure identity resolution must be before the workflow routes or acts."""

    min_match_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    """Below this (or with no match confidence) no route or act action is allowed."""


class ReasonDef(FrozenModel):
    """One reason code of the catalog."""

    label: str
    """What the code means, in a sentence a CSM understands."""
    evidence: list[str] = Field(default_factory=list)
    """Fields a recommendation must cite (and have been shown) to use this code."""


class ActionDef(FrozenModel):
    """One action of the catalog and where it lands."""

    authority: Authority
    """The authority the action needs."""
    destination: str | None = None
    """The system the action writes to (`gainsight`, `braze`, `salesforce`)."""
    writes: list[str] = Field(default_factory=list)
    """Profile fields (and `reason_codes`) the action may send to its destination."""
    grain: Grain | None = None
    """The grain the action must be taken at, when it differs from the workflow's."""
    compensate: str | None = None
    """The catalog action rollback runs to undo this one."""
    description: str | None = None
    """What the action does, for people reading the contract."""


class ReviewRule(FrozenModel):
    """When a person must look first."""

    min_confidence: float = Field(default=0.7, ge=0.0, le=1.0)
    """Recommendations below this confidence (or with none) go to review."""
    always: list[str] = Field(default_factory=list)
    """Actions that are always reviewed."""
    autonomous_up_to: Authority = Authority.SUGGEST
    """Actions above this authority are approved by a person first."""


class RollbackRule(FrozenModel):
    """When the workflow pauses itself, judged on review decisions."""

    pause_if_override_rate_above: float | None = Field(default=None, ge=0.0, le=1.0)
    """Pause when the share of rejected or edited reviews passes this rate."""
    window: Duration = timedelta(days=7)
    """The period the override rate is measured over."""
    min_decisions: int = Field(default=20, ge=1)
    """Fewer decisions than this in the window never pause the workflow."""


class Contract(FrozenModel):
    """A workflow's operating contract."""

    workflow: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    """The workflow's stable name (letters, digits, `_`, `-`, `.`)."""
    version: int | str = 1
    """The contract's version, recorded in every decision."""
    description: str | None = None
    """What the workflow does."""
    owner: str = Field(min_length=1)
    """Who owns exceptions, pauses and rollback for the workflow."""
    authority: Authority
    """The ceiling: no action above it ever runs."""
    grain: Grain
    """The grain the workflow acts at."""
    defaults: Defaults = Field(default_factory=Defaults)
    """Rules every field follows unless its own rule says otherwise."""
    fields: dict[str, FieldRule] = Field(min_length=1)
    """The profile fields the workflow may use; any other field is withheld."""
    lifecycle: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Per state field, each system's vocabulary mapped to canonical states."""
    consent: list[ConsentRule] = Field(default_factory=list)
    """Consent rules, all of which apply."""
    suppress: list[SuppressRule] = Field(default_factory=list)
    """Suppressions, all of which apply."""
    identity: IdentityRule = Field(default_factory=IdentityRule)
    """Identity resolution requirements."""
    reasons: dict[str, ReasonDef] = Field(min_length=1)
    """The reason-code catalog."""
    actions: dict[str, ActionDef] = Field(default_factory=dict)
    """The action catalog; any other action is blocked."""
    review: ReviewRule = Field(default_factory=ReviewRule)
    """Review thresholds."""
    rollback: RollbackRule = Field(default_factory=RollbackRule)
    """Automatic pause rules."""

    @model_validator(mode="after")
    def _references_resolve(self) -> Contract:
        problems = list(_dangling_references(self))
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @cached_property
    def digest(self) -> str:
        """A stable hash of the normalised contract, recorded in the audit trail."""
        canonical = json.dumps(
            self.model_dump(mode="json", by_alias=True, exclude_none=True),
            sort_keys=True,
            separators=(",", ":"),
        )
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def action_authority(self, action: str | None) -> Authority | None:
        """Return the authority an action needs (`suggest` for None), None if not in catalog."""
        if action is None:
            return Authority.SUGGEST
        known = self.actions.get(action)
        return known.authority if known else None

    def sensitive_fields(self) -> frozenset[str]:
        """Return the names of the fields never shown to the model."""
        return frozenset(name for name, rule in self.fields.items() if rule.sensitive)


def _dangling_references(contract: Contract) -> list[str]:
    """List every reference in a contract that names an undeclared field or action."""
    fields, actions = set(contract.fields), set(contract.actions)
    problems: list[str] = []

    def need_field(path: str, name: str) -> None:
        if name not in fields:
            problems.append(f"{path}: field {name!r} is not declared under fields")

    def need_actions(path: str, selector: Any) -> None:
        if selector == ANY_ACTION:
            return
        for name in selector:
            if name not in actions:
                problems.append(f"{path}: action {name!r} is not declared under actions")

    for code, reason in contract.reasons.items():
        for name in reason.evidence:
            need_field(f"reasons.{code}.evidence", name)
    for name in contract.lifecycle:
        need_field(f"lifecycle.{name}", name)
    for index, consent in enumerate(contract.consent):
        need_actions(f"consent[{index}].actions", consent.actions)
        need_field(f"consent[{index}].field", consent.field)
        for name in condition_fields(consent.when) if consent.when else []:
            need_field(f"consent[{index}].when", name)
    for index, rule in enumerate(contract.suppress):
        need_actions(f"suppress[{index}].actions", rule.actions)
        for name in condition_fields(rule.when):
            need_field(f"suppress[{index}].when", name)
    need_actions("review.always", contract.review.always)
    for name, action in contract.actions.items():
        for written in action.writes:
            if written != REASON_CODES_WRITE:
                need_field(f"actions.{name}.writes", written)
        if action.compensate is not None and action.compensate not in actions:
            problems.append(
                f"actions.{name}.compensate: action {action.compensate!r} is not declared "
                "under actions"
            )
    return problems
