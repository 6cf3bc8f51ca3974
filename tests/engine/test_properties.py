"""Invariants of the engine, checked over generated contracts, profiles and recommendations."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from c360guard.engine import FieldView, check, evaluate, screen
from c360guard.engine._compiled import compiled, cutoffs
from c360guard.engine._values import admissible, problems, trusted
from c360guard.model import (
    Authority,
    Condition,
    Contract,
    FieldValue,
    Outcome,
    PauseState,
    Profile,
    Reason,
    Recommendation,
    contract_from_dict,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
LEVELS = list(Authority)
SOURCES = ["crm", "billing", "warehouse"]
PLAIN_FIELDS = [f"f{i}" for i in range(6)]
STATE_FIELDS = ["crm_stage", "billing_status"]
STATES = {"Customer": "active", "Trial": "trial", "Gone": "churned"}
ACTIONS = {"draft": "assist", "assign": "route", "send": "act"}

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Strategies.


@st.composite
def fresh_within(draw: st.DrawFn) -> Any:
    """One duration, or a per-authority mapping whose limits shrink as authority grows."""
    if draw(st.booleans()):
        return f"{draw(st.integers(1, 120))}h"
    levels = draw(st.lists(st.sampled_from(LEVELS), min_size=1, max_size=4, unique=True))
    levels.sort(key=lambda level: level.rank)
    hours = sorted(draw(st.lists(st.integers(1, 120), min_size=len(levels), max_size=len(levels))))
    return {level.value: f"{h}h" for level, h in zip(levels, reversed(hours), strict=True)}


@st.composite
def field_rule(draw: st.DrawFn) -> dict[str, Any]:
    """A field rule with every optional key either set or left to its default."""
    rule: dict[str, Any] = {
        "sources": draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=3, unique=True)),
        "fresh_within": draw(fresh_within()),
        "sensitive": draw(st.booleans()),
        "critical": draw(st.booleans()),
    }
    optional = {
        "owner_required": st.booleans(),
        "min_confidence": st.floats(0.0, 1.0),
        "grain": st.sampled_from(["account", "workspace"]),
    }
    for key, values in optional.items():
        # Mostly left out, so that most generated values can pass and interactions show.
        if draw(st.integers(0, 3)) == 0:
            rule[key] = draw(values)
    return rule


@st.composite
def contracts(draw: st.DrawFn) -> dict[str, Any]:
    """A contract over the plain and state fields, with a random ceiling and review rule."""
    names = PLAIN_FIELDS + STATE_FIELDS
    fields = {name: draw(field_rule()) for name in names}
    evidence = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    suppressed = draw(st.sampled_from(names))
    return {
        "workflow": "generated",
        "owner": "ops@example.com",
        "authority": draw(st.sampled_from(LEVELS)).value,
        "grain": "account",
        "fields": fields,
        "lifecycle": dict.fromkeys(STATE_FIELDS, STATES),
        "suppress": [
            {"code": "HOLD", "when": {"field": suppressed, "equals": 1}, "actions": ["send"]}
        ],
        "identity": {"min_match_confidence": 0.9},
        "reasons": {"SIGNAL": {"label": "A signal", "evidence": evidence}},
        "actions": {name: {"authority": level} for name, level in ACTIONS.items()},
        "review": {
            "min_confidence": draw(st.floats(0.0, 1.0)),
            "autonomous_up_to": draw(st.sampled_from(LEVELS)).value,
        },
    }


@st.composite
def field_values(draw: st.DrawFn, name: str, rule: dict[str, Any] | None) -> dict[str, Any]:
    """One candidate value of a field; each piece of provenance passes its rule more often than not.

    Values that pass most rules are what make rules interact (precedence, lifecycle conflicts,
    freshness at different authorities), so a failing piece is drawn one time in five.
    """
    allowed = rule["sources"] if rule else SOURCES
    good = st.sampled_from([True, True, True, True, False])
    raw = draw(st.sampled_from(list(STATES))) if name in STATE_FIELDS else draw(st.integers(0, 2))
    age = draw(st.sampled_from([None, 1, 12, 30, 60, 100, 150]) | st.integers(0, 150))
    minimum = (rule or {}).get("min_confidence", 0.0)
    confidence = st.floats(minimum, 1.0) if draw(good) else st.none() | st.floats(0.0, 1.0)
    return {
        "value": raw,
        "source": draw(st.sampled_from(allowed) if draw(good) else st.none() | st.just("csv")),
        "owner": "ops" if draw(good) else None,
        "updated_at": None if age is None else (NOW - timedelta(hours=age)).isoformat(),
        "confidence": draw(confidence),
        "grain": None if draw(good) else draw(st.sampled_from(["account", "workspace"])),
    }


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Contract, Profile]:
    """A contract, and a profile holding some of its fields, an unruled one, candidate lists."""
    data = draw(contracts())
    held: dict[str, Any] = {}
    for name in [*PLAIN_FIELDS, *STATE_FIELDS, "unruled"]:
        rule = data["fields"].get(name)
        shape = draw(st.sampled_from(["absent", "one", "one", "many"]))
        if shape == "one":
            held[name] = draw(field_values(name, rule))
        elif shape == "many":
            held[name] = draw(st.lists(field_values(name, rule), min_size=1, max_size=3))
    entity = {
        "id": "acct_1",
        "grain": draw(st.sampled_from(["account", "account", "workspace"])),
        "match_confidence": draw(st.none() | st.floats(0.0, 1.0)),
    }
    profile = Profile.model_validate({"entity": entity, "fields": held})
    return contract_from_dict(data), profile


@st.composite
def recommendations(draw: st.DrawFn) -> Recommendation:
    """A recommendation naming any action (or none), with any reasons and confidence."""
    names = [*PLAIN_FIELDS, *STATE_FIELDS]
    reasons = [
        Reason(
            code=draw(st.sampled_from(["SIGNAL", "MADE_UP"])),
            fields=draw(st.lists(st.sampled_from(names), max_size=3)),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    arguments = dict.fromkeys(draw(st.lists(st.sampled_from(names), max_size=2)), 1)
    return Recommendation(
        action=draw(st.sampled_from([None, *ACTIONS, "unknown_action"])),
        arguments=arguments,
        reasons=reasons,
        confidence=draw(st.none() | st.floats(0.0, 1.0)),
    )


# Screening invariants.


def _stale_crm_at_act() -> tuple[Contract, Profile]:
    """A CRM stage fresh enough to contest billing at suggest, too old to be shown at act."""
    rules = {
        "crm_stage": {"sources": ["crm"], "fresh_within": {"suggest": "30d", "act": "1d"}},
        "billing_status": {"sources": ["billing"], "fresh_within": "2d"},
    }
    contract = contract_from_dict(
        {
            "workflow": "generated",
            "owner": "ops@example.com",
            "authority": "act",
            "grain": "account",
            "fields": rules,
            "lifecycle": dict.fromkeys(STATE_FIELDS, STATES),
            "reasons": {"SIGNAL": {"label": "A signal"}},
        }
    )

    def held(raw: str, source: str, age: timedelta) -> dict[str, Any]:
        return {"value": raw, "source": source, "owner": "ops", "updated_at": NOW - age}

    profile = Profile.model_validate(
        {
            "entity": {"id": "acct_1", "grain": "account"},
            "fields": {
                "crm_stage": held("Trial", "crm", timedelta(days=3)),
                "billing_status": held("Customer", "billing", timedelta(hours=1)),
            },
        }
    )
    return contract, profile


@PROPERTY
@given(scenario=scenarios())
@example(scenario=_stale_crm_at_act())
def test_admitted_fields_never_grow_as_authority_grows(scenario):
    contract, profile = scenario
    levels = [level for level in LEVELS if level <= contract.authority]

    admitted = [
        set(screen(profile, contract, now=NOW, authority=a).admitted.fields) for a in levels
    ]

    for lower, higher in itertools.pairwise(admitted):
        assert higher <= lower


@PROPERTY
@given(scenario=scenarios())
def test_field_older_than_its_limit_is_never_admitted(scenario):
    contract, profile = scenario

    for level in [a for a in LEVELS if a <= contract.authority]:
        screening = screen(profile, contract, now=NOW, authority=level)
        for name, held in screening.admitted.fields.items():
            assert isinstance(held, FieldValue)
            limit = contract.fields[name].freshness_limit(level)
            assert limit is not None
            assert held.updated_at is not None
            assert NOW - held.updated_at <= limit


@PROPERTY
@given(scenario=scenarios())
def test_screening_is_deterministic_for_a_fixed_clock(scenario):
    contract, profile = scenario

    first = screen(profile, contract, now=NOW)
    second = screen(profile, contract.model_copy(), now=NOW)

    assert first.model_dump() == second.model_dump()
    assert first.context() == second.context()


@PROPERTY
@given(scenario=scenarios())
def test_withheld_and_sensitive_fields_are_never_in_context(scenario):
    contract, profile = scenario

    screening = screen(profile, contract, now=NOW)
    shown = set(screening.context()["fields"])

    assert not shown & set(screening.withheld)
    assert not shown & contract.sensitive_fields()
    assert shown <= set(contract.fields)


@PROPERTY
@given(scenario=scenarios())
def test_every_profile_field_is_admitted_or_withheld(scenario):
    contract, profile = scenario

    screening = screen(profile, contract, now=NOW)

    assert set(screening.admitted.fields) | set(screening.withheld) == set(profile.fields)
    assert not set(screening.admitted.fields) & set(screening.withheld)


# Verdict invariants.


@PROPERTY
@given(scenario=scenarios(), recommendation=recommendations(), paused=st.booleans())
def test_verdict_outcome_is_the_most_severe_finding(scenario, recommendation, paused):
    contract, profile = scenario
    pause = PauseState(workflow="generated", by="ops", reason="test", since=NOW) if paused else None
    screening = screen(profile, contract, now=NOW)

    verdict = check(recommendation, screening, contract, now=NOW, pause=pause)

    assert verdict.outcome == max((f.outcome for f in verdict.findings), default=Outcome.ALLOW)
    if any(f.outcome is Outcome.BLOCK for f in verdict.findings):
        assert verdict.outcome is Outcome.BLOCK
    if paused:
        assert verdict.outcome is Outcome.BLOCK


@PROPERTY
@given(scenario=scenarios(), recommendation=recommendations())
def test_no_action_above_the_ceiling_is_ever_allowed(scenario, recommendation):
    contract, profile = scenario
    screening = screen(profile, contract, now=NOW)

    verdict = check(recommendation, screening, contract, now=NOW)

    needed = contract.action_authority(recommendation.action)
    if needed is None or needed > contract.authority:
        assert verdict.outcome is Outcome.BLOCK


@PROPERTY
@given(scenario=scenarios(), recommendation=recommendations())
def test_allowed_recommendation_cites_only_fields_the_model_was_shown(scenario, recommendation):
    contract, profile = scenario
    screening = screen(profile, contract, now=NOW)

    verdict = check(recommendation, screening, contract, now=NOW)

    if verdict.outcome is not Outcome.BLOCK:
        assert set(recommendation.cited_fields) <= set(screening.context()["fields"])
        assert recommendation.reasons


# Conditions: unknown never turns a suppression off.

_CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
CONDITION_FIELDS = ["a", "b", "c"]
SCALARS = st.sampled_from([0, 1, 2, "x", "y", None, True])


def _leaves() -> st.SearchStrategy[dict[str, Any]]:
    field = st.sampled_from(CONDITION_FIELDS)
    return st.one_of(
        st.builds(lambda f, v: {"field": f, "equals": v}, field, SCALARS),
        st.builds(lambda f, v: {"field": f, "in": v}, field, st.lists(SCALARS, min_size=1)),
        st.builds(lambda f, v: {"field": f, "not_in": v}, field, st.lists(SCALARS, min_size=1)),
        st.builds(lambda f, v: {"field": f, "exists": v}, field, st.booleans()),
        st.builds(lambda f, v: {"field": f, "gte": v}, field, st.integers(0, 2)),
        st.builds(lambda f, v: {"field": f, "lt": v}, field, st.integers(0, 2)),
    )


CONDITIONS = st.recursive(
    _leaves(),
    lambda inner: st.one_of(
        st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda part: {"not": part}, inner),
    ),
    max_leaves=6,
)


@PROPERTY
@given(
    condition=CONDITIONS,
    values=st.dictionaries(st.sampled_from(CONDITION_FIELDS), SCALARS),
    hidden=st.sets(st.sampled_from(CONDITION_FIELDS)),
)
def test_withholding_a_field_never_changes_a_known_truth(condition, values, hidden):
    parsed = _CONDITION.validate_python(condition)
    full = FieldView(values, set(values))
    partial = FieldView({k: v for k, v in values.items() if k not in hidden}, set(values))

    known, seen = evaluate(parsed, full), evaluate(parsed, partial)

    assert seen is None or seen == known


@PROPERTY
@given(condition=CONDITIONS, values=st.dictionaries(st.sampled_from(CONDITION_FIELDS), SCALARS))
def test_unknown_never_turns_a_suppression_off(condition, values):
    rule = {"code": "HOLD", "when": condition, "actions": "*"}
    fields = {name: {"sources": ["crm"], "fresh_within": "1d"} for name in CONDITION_FIELDS}
    contract = contract_from_dict(
        {
            "workflow": "generated",
            "owner": "ops@example.com",
            "authority": "act",
            "grain": "account",
            "fields": fields,
            "suppress": [rule],
            "reasons": {"SIGNAL": {"label": "A signal"}},
            "review": {"min_confidence": 0.0, "autonomous_up_to": "act"},
        }
    )
    stale = (NOW - timedelta(days=2)).isoformat()
    held = {
        name: {"value": raw, "source": "crm", "owner": "ops", "updated_at": stale}
        for name, raw in values.items()
    }
    profile = Profile.model_validate(
        {"entity": {"id": "e", "grain": "account", "match_confidence": 1.0}, "fields": held}
    )
    recommendation = Recommendation(reasons=[Reason(code="SIGNAL")], confidence=1.0)

    verdict = check(recommendation, screen(profile, contract, now=NOW), contract, now=NOW)

    truth = evaluate(_CONDITION.validate_python(condition), FieldView({}, set(values)))
    if truth is not False:
        assert verdict.outcome is Outcome.BLOCK
        assert set(verdict.codes) == {
            "suppression.unknown" if truth is None else "suppression.active"
        }
    else:
        assert verdict.outcome is Outcome.ALLOW


# The fast path and the findings encode the same rules.


@PROPERTY
@given(scenario=scenarios())
def test_fast_path_agrees_with_the_findings(scenario):
    contract, profile = scenario
    level = contract.authority
    rules = compiled(contract, level)
    oldest = cutoffs(rules, NOW)
    grain = profile.entity.grain

    for name, rule in rules.rules.items():
        for held in profile.candidates(name):
            found = {f.code for f in problems(name, held, rule, level, NOW, grain)}
            assert admissible(held, rule, oldest, grain) == (not found)
            assert trusted(held, rule, grain) == (found <= {"field.stale", "field.not_cleared"})


@PROPERTY
@given(scenario=scenarios())
def test_screening_admits_exactly_the_admissible_values(scenario):
    contract, profile = scenario
    rules = compiled(contract, contract.authority)
    oldest = cutoffs(rules, NOW)
    grain = profile.entity.grain

    screening = screen(profile, contract, now=NOW)

    for name, held in screening.admitted.fields.items():
        assert admissible(held, rules.rules[name], oldest, grain)
    for name, found in screening.withheld.items():
        if name in rules.rules and "lifecycle.conflict" not in {f.code for f in found}:
            rule = rules.rules[name]
            assert not any(admissible(v, rule, oldest, grain) for v in profile.candidates(name))
