"""Field values and free text stay out of telemetry unless capture is asked for."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from telemetry_support import EXAMPLES, Spans, example_profile, example_recommendation

from c360guard import Guard, Profile, Reason, Recommendation
from c360guard.review import ReviewDecision, SQLiteReviewQueue
from c360guard.telemetry import AuditLogExporter, ValueCapture
from c360guard.telemetry import attributes as attr
from c360guard.telemetry.privacy import HASH_KEY_ENV, canonical_json

EMAIL = "marisol.trevanion@quillfeather.example"
SECRETS = [
    "Quillfeather Orbital",
    "Marisol Trevanion",
    EMAIL,
    "48213.77",
    "2027-02-14",
    "Printer on fire again",
    "Dr. Oyelaran",
    "ticket #88123",
    "she cried in the QBR",
    "needs a gentle touch",
]
"""Every value, name and piece of free text the test puts in; none may leak."""

KEY = "0123456789abcdef-telemetry-test-key"


def _field(value: Any, source: str = "salesforce", **extra: Any) -> dict[str, Any]:
    return {
        "value": value,
        "source": source,
        "owner": "revops",
        "updated_at": "2026-12-03T06:00:00Z",
        "source_path": "Account.Field__c",
        **extra,
    }


@pytest.fixture
def private_profile() -> Profile:
    """A profile whose every value is distinctive, with free text in unknown fields."""
    return Profile.model_validate(
        {
            "entity": {"id": "acct_9001", "grain": "account", "match_confidence": 0.98},
            "fields": {
                "account_name": _field("Quillfeather Orbital Ltd"),
                "csm_owner": _field("Marisol Trevanion"),
                "email": _field(EMAIL),
                "renewal_date": _field("2027-02-14"),
                "arr": _field(48213.77, "stripe"),
                "health_score": _field(41, "gainsight", confidence=0.9),
                "usage_change_30d": _field(-0.4242, "warehouse"),
                "crm_stage": _field("Customer"),
                "billing_status": _field("paid", "stripe"),
                "open_escalation_severity": _field("none", "zendesk"),
                "nps_comment": _field("Printer on fire again, ask Dr. Oyelaran", "delighted"),
                "last_ticket_text": _field("Refund for ticket #88123, she cried in the QBR"),
            },
        }
    )


def _recommendation(confidence: float) -> Recommendation:
    return Recommendation(
        action="create_cs_task",
        arguments={"title": "Save Quillfeather Orbital", "to": EMAIL},
        reasons=[
            Reason(
                code="RENEWAL_SOON",
                fields=["renewal_date"],
                explanation="Renewal on 2027-02-14, ARR 48213.77",
            )
        ],
        confidence=confidence,
        summary="Call Marisol Trevanion: she needs a gentle touch",
    )


@pytest.fixture
def traced_everything(
    make_guard: Callable[..., Guard],
    spans: Spans,
    private_profile: Profile,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> tuple[str, str, str]:
    """Run every traced path on the private profile; yield spans, audit log and log text."""
    log = tmp_path / "audit.jsonl"
    spans.provider.add_span_processor(SimpleSpanProcessor(AuditLogExporter(log)))
    guard = make_guard(review_queue=SQLiteReviewQueue(tmp_path / "reviews.db"))
    caplog.set_level(logging.DEBUG)

    with guard.tracer.retrieval("accounts like Quillfeather Orbital") as span:
        screening = guard.screen(private_profile)
        guard.tracer.record_retrieval(span, [private_profile.entity.id])
    with guard.tracer.tool_call("create_cs_task", "call_1"):
        guard.check(_recommendation(0.95), screening)
    pending = guard.check(_recommendation(0.4), screening)
    assert pending.ticket is not None
    guard.decide(pending.ticket, ReviewDecision.approve("ana@example.com", note=SECRETS[-1]))

    return spans.exported_text(), log.read_text(encoding="utf-8"), caplog.text


@pytest.mark.parametrize("secret", SECRETS)
def test_profile_values_and_free_text_never_reach_exported_spans(
    traced_everything: tuple[str, str, str], secret: str
) -> None:
    exported, _, _ = traced_everything

    assert secret not in exported


@pytest.mark.parametrize("secret", SECRETS)
def test_profile_values_and_free_text_never_reach_the_audit_log(
    traced_everything: tuple[str, str, str], secret: str
) -> None:
    _, audit_log, _ = traced_everything

    assert secret not in audit_log


@pytest.mark.parametrize("secret", SECRETS)
def test_profile_values_and_free_text_never_reach_the_logs(
    traced_everything: tuple[str, str, str], secret: str
) -> None:
    _, _, logged = traced_everything

    assert secret not in logged


def test_no_example_profile_value_reaches_the_spans_by_default(
    make_guard: Callable[..., Guard], spans: Spans
) -> None:
    guard = make_guard()
    values: set[str] = set()
    for path in sorted((EXAMPLES / "recommendations").glob("*.json")):
        recommendation = example_recommendation(path.stem)
        stem = next(
            p.stem for p in (EXAMPLES / "profiles").glob("*.json") if path.stem.startswith(p.stem)
        )
        profile = example_profile(stem)
        guard.check(recommendation, guard.screen(profile))
        values |= _free_text(profile, recommendation)

    exported = spans.exported_text()

    assert values, "the examples should hold some free text to look for"
    assert sorted(v for v in values if v in exported) == []


def test_captured_values_show_plain_fields_and_hash_sensitive_ones(
    make_guard: Callable[..., Guard], spans: Spans, private_profile: Profile
) -> None:
    guard = make_guard(capture_values=True, hash_key=KEY)

    guard.check(_recommendation(0.95), guard.screen(private_profile))

    exported = spans.exported_text()
    expected_hash = "hmac-sha256:" + _hmac(KEY, EMAIL)
    assert "Quillfeather Orbital Ltd" in exported
    assert "Marisol Trevanion" in exported
    assert EMAIL not in exported
    assert expected_hash in exported
    screen = spans.one(attr.SPAN_SCREEN).attributes or {}
    values = json.loads(str(screen[attr.FIELDS_VALUES]))
    assert values["email"] == expected_hash
    assert values["account_name"] == "Quillfeather Orbital Ltd"
    check = spans.one(attr.SPAN_CHECK).attributes or {}
    assert json.loads(str(check[attr.ARGUMENTS]))["to"] == expected_hash


def test_the_keyed_hash_is_stable_under_one_key_and_differs_under_another() -> None:
    first, again = ValueCapture(True, hash_key=KEY), ValueCapture(True, hash_key=KEY)
    other = ValueCapture(True, hash_key=KEY + "-rotated")

    hashed = first.render(EMAIL, sensitive=True)

    assert hashed == again.render(EMAIL, sensitive=True)
    assert hashed != other.render(EMAIL, sensitive=True)
    assert first.render(EMAIL, sensitive=False) == json.dumps(EMAIL)


def test_the_hash_key_comes_from_the_environment_when_not_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(HASH_KEY_ENV, KEY)

    hashed = ValueCapture(True).render(EMAIL, sensitive=True)

    assert hashed == "hmac-sha256:" + _hmac(KEY, EMAIL)


def test_without_any_key_a_random_one_is_drawn_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(HASH_KEY_ENV, raising=False)

    with pytest.warns(UserWarning, match=HASH_KEY_ENV):
        hashed = ValueCapture(True).render(EMAIL, sensitive=True)

    assert hashed.startswith("hmac-sha256:")
    assert EMAIL not in hashed


def test_a_short_hash_key_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        ValueCapture(True, hash_key="short")


def _hmac(key: str, value: Any) -> str:
    message = canonical_json(value).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _free_text(profile: Profile, recommendation: Recommendation) -> set[str]:
    """String values long enough to be recognisable, and the recommendation's free text."""
    found = {recommendation.summary, *(r.explanation for r in recommendation.reasons)}
    for name in profile.fields:
        for held in profile.candidates(name):
            if isinstance(held.value, str):
                found.add(held.value)
    return {text for text in found if len(text) >= 8}
