"""The engine builds its result models without re-validating them; they must still be whole."""

from __future__ import annotations

from c360guard.engine import check, screen
from c360guard.engine._construct import trusted_model
from c360guard.model import Profile, Screening, Verdict


def test_trusted_model_equals_model_construct(make_profile):
    profile = make_profile()
    values = {"entity": profile.entity, "fields": dict(profile.fields)}

    built = trusted_model(Profile, dict(values))

    assert built == Profile.model_construct(**values)
    assert built.model_fields_set == set(Profile.model_fields)


def test_screening_sets_every_field_and_validates_as_it_is(make_contract, make_profile, now):
    screening = screen(make_profile(), make_contract(), now=now)

    assert screening.model_fields_set == set(Screening.model_fields)
    assert Screening.model_validate(screening.model_dump()) == screening


def test_verdict_sets_every_field_and_validates_as_it_is(
    make_contract, make_profile, make_recommendation, now
):
    contract = make_contract()
    screening = screen(make_profile(), contract, now=now)

    verdict = check(make_recommendation(confidence=0.1), screening, contract, now=now)

    assert verdict.model_fields_set == set(Verdict.model_fields)
    assert Verdict.model_validate(verdict.model_dump()) == verdict
    assert verdict.model_dump(mode="json")["outcome"] == "review"
