"""The span tree of a decision: names, parentage, attributes and events."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from opentelemetry.trace import NoOpTracerProvider, format_span_id, format_trace_id
from telemetry_support import NOW, Spans, example_recommendation

from c360guard import Guard, Profile, Reason, Recommendation
from c360guard.review import ReviewDecision, SQLiteReviewQueue
from c360guard.telemetry import attributes as attr
from c360guard.telemetry import screen_span_of


def test_screen_span_names_what_was_admitted_and_withheld(
    make_guard: Callable[..., Guard], spans: Spans, escalated: Profile
) -> None:
    guard = make_guard()

    screening = guard.screen(escalated)

    found = spans.one(attr.SPAN_SCREEN).attributes or {}
    assert found[attr.WORKFLOW] == "churn_risk_next_action"
    assert found[attr.CONTRACT_VERSION] == "3"
    assert found[attr.CONTRACT_DIGEST] == guard.contract.digest
    assert found[attr.AUTHORITY] == "assist"
    assert found[attr.ENTITY_ID] == "acct_2077"
    assert found[attr.ENTITY_GRAIN] == "account"
    assert list(found[attr.FIELDS_ADMITTED]) == list(screening.admitted.fields)
    assert list(found[attr.FIELDS_WITHHELD]) == list(screening.withheld)
    assert list(found[attr.FINDINGS_CODES]) == screening.codes
    assert found[attr.DECIDED_AT] == "2026-12-03T12:00:00Z"


def test_screen_span_carries_the_provenance_of_every_admitted_field(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile
) -> None:
    guard = make_guard()

    screening = guard.screen(healthy)

    found = spans.one(attr.SPAN_SCREEN).attributes or {}
    provenance = json.loads(str(found[attr.FIELDS_PROVENANCE]))
    held = screening.admitted.fields["renewal_date"]
    assert not isinstance(held, list)
    assert held.updated_at is not None
    assert list(provenance) == list(found[attr.FIELDS_ADMITTED])
    assert provenance["renewal_date"] == [
        held.source,
        held.owner,
        int(held.updated_at.timestamp()),
        held.source_path,
    ]
    assert list(found[attr.FIELDS_SENSITIVE]) == ["email"]


def test_one_event_per_withheld_field(
    make_guard: Callable[..., Guard], spans: Spans, escalated: Profile
) -> None:
    guard = make_guard()

    screening = guard.screen(escalated)

    events = [e for e in spans.one(attr.SPAN_SCREEN).events if e.name == attr.EVENT_WITHHELD]
    assert [e.attributes[attr.FIELD] for e in events if e.attributes] == list(screening.withheld)
    first = events[0].attributes or {}
    assert list(first[attr.CODES]) == ["field.unknown"]
    assert first[attr.FINDING_DIMENSION] == "freshness_ownership"


def test_check_span_is_a_child_of_its_screen_span_when_nothing_else_is_open(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile, renewal_task: Recommendation
) -> None:
    guard = make_guard()

    guard.check(renewal_task, guard.screen(healthy))

    screen, check = spans.one(attr.SPAN_SCREEN), spans.one(attr.SPAN_CHECK)
    assert screen.parent is None
    assert check.parent is not None
    assert check.parent.span_id == screen.context.span_id
    assert check.context.trace_id == screen.context.trace_id
    assert (check.attributes or {})[attr.SCREEN_SPAN_ID] == format_span_id(screen.context.span_id)


def test_check_inside_another_span_stays_there_and_links_to_its_screen_span(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile, renewal_task: Recommendation
) -> None:
    guard = make_guard()
    tracer = spans.provider.get_tracer("agent")

    with tracer.start_as_current_span("agent step") as step:
        screening = guard.screen(healthy)
        guard.check(renewal_task, screening)

    screen, check = spans.one(attr.SPAN_SCREEN), spans.one(attr.SPAN_CHECK)
    assert screen.parent is not None
    assert screen.parent.span_id == step.get_span_context().span_id
    assert check.parent is not None
    assert check.parent.span_id == step.get_span_context().span_id
    assert [link.context.span_id for link in check.links] == [screen.context.span_id]


def test_check_span_records_the_verdict_and_its_guardrail_mirror(
    make_guard: Callable[..., Guard], spans: Spans, escalated: Profile, save_play: Recommendation
) -> None:
    guard = make_guard()

    verdict = guard.check(save_play, guard.screen(escalated))

    found = spans.one(attr.SPAN_CHECK).attributes or {}
    assert found[attr.VERDICT] == "block"
    assert list(found[attr.FINDINGS_CODES]) == verdict.codes == ["suppression.active"]
    assert found[attr.ACTION] == "create_cs_task"
    assert list(found[attr.REASON_CODES]) == ["USAGE_DROP", "LOW_HEALTH"]
    assert list(found[attr.CITED_FIELDS]) == ["usage_change_30d", "health_score"]
    assert found[attr.CONFIDENCE] == 0.87
    assert found[attr.GEN_AI_OPERATION_NAME] == "run_guardrail"
    assert found[attr.GEN_AI_GUARDRAIL_VERDICT_TYPE] == "deny"
    assert found[attr.GEN_AI_GUARDRAIL_ACTION_TYPE] == "block"
    assert found[attr.GEN_AI_GUARDRAIL_VERDICT_CODE] == "suppression.active"
    assert found[attr.GEN_AI_GUARDRAIL_TARGET_TYPE] == "output"
    assert found[attr.GEN_AI_GUARDRAIL_POLICY_ID] == "churn_risk_next_action"


def test_one_event_per_finding_with_code_field_dimension_and_outcome(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile
) -> None:
    guard = make_guard()
    unknown_reason = Recommendation(
        action="create_cs_task",
        reasons=[Reason(code="GUT_FEELING", fields=["nps_comment"])],
        confidence=0.9,
    )

    verdict = guard.check(unknown_reason, guard.screen(healthy))

    events = [e.attributes or {} for e in spans.one(attr.SPAN_CHECK).events]
    findings = [e for e in events if attr.FINDING_CODE in e]
    assert [e[attr.FINDING_CODE] for e in findings] == [f.code for f in verdict.findings]
    cited = next(e for e in findings if e[attr.FINDING_CODE] == "reason.cites_withheld_field")
    assert cited[attr.FIELD] == "nps_comment"
    assert cited[attr.FINDING_DIMENSION] == "reason_codes"
    assert cited[attr.FINDING_OUTCOME] == "block"
    assert cited[attr.FINDING_DETAIL_PREFIX + "reason_code"] == "GUT_FEELING"


def test_lineage_names_source_owner_path_and_age_at_decision_time(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile, renewal_task: Recommendation
) -> None:
    guard = make_guard()

    guard.check(renewal_task, guard.screen(healthy))

    check = spans.one(attr.SPAN_CHECK)
    lineage = [e.attributes or {} for e in check.events if e.name == attr.EVENT_LINEAGE]
    held = healthy.fields["renewal_date"]
    assert not isinstance(held, list)
    assert held.updated_at is not None
    assert lineage == [
        {
            attr.FIELD: "renewal_date",
            attr.LINEAGE_SHOWN: True,
            attr.LINEAGE_SOURCE: held.source,
            attr.LINEAGE_OWNER: held.owner,
            attr.LINEAGE_SOURCE_PATH: held.source_path,
            attr.LINEAGE_UPDATED_AT: "2026-12-01T03:00:00Z",
            attr.LINEAGE_AGE_SECONDS: int((NOW - held.updated_at).total_seconds()),
        }
    ]


def test_lineage_marks_a_cited_field_the_model_was_not_shown(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile
) -> None:
    guard = make_guard()
    cites_hidden = Recommendation(
        action="create_cs_task",
        reasons=[Reason(code="RENEWAL_SOON", fields=["renewal_date", "email"])],
        confidence=0.9,
    )

    guard.check(cites_hidden, guard.screen(healthy))

    check = spans.one(attr.SPAN_CHECK)
    lineage = {
        e.attributes[attr.FIELD]: e.attributes
        for e in check.events
        if e.name == attr.EVENT_LINEAGE and e.attributes
    }
    assert lineage["renewal_date"][attr.LINEAGE_SHOWN] is True
    assert lineage["email"][attr.LINEAGE_SHOWN] is False
    assert lineage["email"][attr.LINEAGE_SOURCE] == "salesforce"


def test_review_verdict_names_its_ticket_on_the_check_span(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile, tmp_path: Path
) -> None:
    guard = make_guard(review_queue=SQLiteReviewQueue(tmp_path / "reviews.db"))
    unsure = example_recommendation("healthy_renewal_cs_task_low_confidence")

    verdict = guard.check(unsure, guard.screen(healthy))

    assert verdict.ticket is not None
    found = spans.one(attr.SPAN_CHECK).attributes or {}
    assert found[attr.VERDICT] == "review"
    assert found[attr.GEN_AI_GUARDRAIL_VERDICT_TYPE] == "escalate"
    assert found[attr.REVIEW_TICKET_ID] == verdict.ticket.id
    assert verdict.ticket.trace_id == format_trace_id(spans.one(attr.SPAN_CHECK).context.trace_id)


def test_review_decision_is_its_own_span_naming_ticket_and_reviewer(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile, tmp_path: Path
) -> None:
    guard = make_guard(review_queue=SQLiteReviewQueue(tmp_path / "reviews.db"))
    verdict = guard.check(
        example_recommendation("healthy_renewal_cs_task_low_confidence"), guard.screen(healthy)
    )
    assert verdict.ticket is not None

    guard.decide(verdict.ticket, ReviewDecision.approve("ana@example.com", note="fine by me"))

    found = spans.one(attr.SPAN_REVIEW).attributes or {}
    assert found[attr.REVIEW_TICKET_ID] == verdict.ticket.id
    assert found[attr.REVIEW_DECISION] == "approve"
    assert found[attr.REVIEWER] == "ana@example.com"
    assert found[attr.ENTITY_ID] == "acct_1042"
    assert attr.REVIEW_NOTE not in found


def test_tool_call_span_uses_the_gen_ai_tool_names(
    make_guard: Callable[..., Guard], spans: Spans
) -> None:
    guard = make_guard()

    with guard.tracer.tool_call("create_cs_task", "call_7"):
        pass

    span = spans.one("c360guard.tool create_cs_task")
    found = span.attributes or {}
    assert found[attr.GEN_AI_OPERATION_NAME] == "execute_tool"
    assert found[attr.GEN_AI_TOOL_NAME] == "create_cs_task"
    assert found[attr.GEN_AI_TOOL_CALL_ID] == "call_7"
    assert found[attr.WORKFLOW] == "churn_risk_next_action"


def test_retrieval_span_keeps_the_query_out_unless_values_are_captured(
    make_guard: Callable[..., Guard], spans: Spans
) -> None:
    quiet, talkative = make_guard(), make_guard(capture_values=True, hash_key="k" * 32)

    with quiet.tracer.retrieval("accounts like Northwind") as span:
        quiet.tracer.record_retrieval(span, ["acct_1042"])
    with talkative.tracer.retrieval("accounts like Northwind"):
        pass

    first, second = spans.named(attr.SPAN_RETRIEVE)
    assert attr.RETRIEVE_QUERY not in (first.attributes or {})
    assert list((first.attributes or {})[attr.RETRIEVE_ENTITIES]) == ["acct_1042"]
    assert (second.attributes or {})[attr.RETRIEVE_QUERY] == "accounts like Northwind"


def test_pause_and_resume_are_traced_with_who_and_why(
    make_guard: Callable[..., Guard], spans: Spans
) -> None:
    guard = make_guard()

    guard.pause(by="ops@example.com", reason="override rate spiked")
    guard.resume(by="lead@example.com")

    paused, resumed = (span.attributes or {} for span in spans.named(attr.SPAN_PAUSE))
    assert paused[attr.PAUSE_STATE] == "paused"
    assert paused[attr.PAUSED_BY] == "ops@example.com"
    assert paused[attr.PAUSE_REASON] == "override rate spiked"
    assert resumed[attr.PAUSE_STATE] == "resumed"
    assert resumed[attr.PAUSE_RESUMED_BY] == "lead@example.com"


def test_without_an_sdk_tracing_is_a_no_op_and_decisions_still_work(
    make_guard: Callable[..., Guard], healthy: Profile, renewal_task: Recommendation
) -> None:
    guard = make_guard(tracer_provider=NoOpTracerProvider())

    screening = guard.screen(healthy)
    verdict = guard.check(renewal_task, screening)

    assert verdict.allowed
    assert screen_span_of(screening) is None


def test_a_copied_screening_is_checked_without_a_link(
    make_guard: Callable[..., Guard], spans: Spans, healthy: Profile, renewal_task: Recommendation
) -> None:
    guard = make_guard()
    screening = guard.screen(healthy)

    guard.check(renewal_task, screening.model_copy())

    check = spans.one(attr.SPAN_CHECK)
    assert check.parent is None
    assert not check.links
    assert attr.SCREEN_SPAN_ID not in (check.attributes or {})
