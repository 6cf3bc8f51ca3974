"""The example stories reach the verdicts examples/stories.yaml promises."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from c360guard import (
    Guard,
    Outcome,
    Recommendation,
    Screening,
    Verdict,
    load_contract,
    load_profile,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STORY_FILE = yaml.safe_load((EXAMPLES / "stories.yaml").read_text(encoding="utf-8"))
STORIES: list[dict[str, Any]] = STORY_FILE["stories"]


def _run(story: dict[str, Any], now: datetime) -> tuple[Screening, Verdict]:
    guard = Guard(load_contract(EXAMPLES / story["contract"]), clock=lambda: now)
    screening = guard.screen(load_profile(EXAMPLES / story["profile"]))
    text = (EXAMPLES / story["recommendation"]).read_text(encoding="utf-8")
    verdict = guard.check(Recommendation.model_validate_json(text), screening)
    return screening, verdict


def test_stories_are_judged_at_the_fixed_test_instant(now: datetime) -> None:
    judged_at = datetime.fromisoformat(STORY_FILE["judged_at"])

    assert judged_at == now


def test_story_names_are_unique() -> None:
    names = [story["name"] for story in STORIES]

    assert len(names) == len(set(names))


@pytest.mark.parametrize("story", STORIES, ids=[story["name"] for story in STORIES])
def test_story_reaches_its_expected_outcome(story: dict[str, Any], now: datetime) -> None:
    _, verdict = _run(story, now)

    assert verdict.outcome is Outcome(story["expect"]["outcome"]), verdict.codes


@pytest.mark.parametrize("story", STORIES, ids=[story["name"] for story in STORIES])
def test_story_verdict_includes_its_expected_codes(story: dict[str, Any], now: datetime) -> None:
    _, verdict = _run(story, now)

    missing = set(story["expect"]["codes"]) - set(verdict.codes)
    assert not missing, f"verdict codes {verdict.codes} lack {sorted(missing)}"


@pytest.mark.parametrize("story", STORIES, ids=[story["name"] for story in STORIES])
def test_story_screening_withholds_what_it_promises(story: dict[str, Any], now: datetime) -> None:
    expect = story["expect"]
    screening, _ = _run(story, now)

    assert set(expect.get("withheld", [])) <= set(screening.withheld)
    assert set(expect.get("screening_codes", [])) <= set(screening.codes)


@pytest.mark.parametrize("story", STORIES, ids=[story["name"] for story in STORIES])
def test_allowed_story_carries_no_review_or_block_finding(
    story: dict[str, Any], now: datetime
) -> None:
    _, verdict = _run(story, now)

    if verdict.outcome is Outcome.ALLOW:
        assert all(f.outcome is Outcome.ALLOW for f in verdict.findings)


def test_trial_nudge_after_an_upgrade_is_never_allowed(now: datetime) -> None:
    story = next(s for s in STORIES if s["name"] == "upgraded_yesterday")

    screening, verdict = _run(story, now)

    assert verdict.outcome is not Outcome.ALLOW
    assert "crm_stage" not in screening.context()["fields"]


def test_every_example_profile_and_recommendation_is_told_by_a_story() -> None:
    used = {story[key] for story in STORIES for key in ("profile", "recommendation")}

    on_disk = {
        path.relative_to(EXAMPLES).as_posix()
        for folder in ("profiles", "recommendations")
        for path in (EXAMPLES / folder).glob("*.json")
    }

    assert on_disk <= used, f"examples no story uses: {sorted(on_disk - used)}"
