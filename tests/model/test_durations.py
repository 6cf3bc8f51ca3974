"""Contract durations: short forms and ISO 8601, and clear errors for anything else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from c360guard.model import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("36h", timedelta(hours=36)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("90s", timedelta(seconds=90)),
        ("1.5d", timedelta(hours=36)),
        (" 7d ", timedelta(days=7)),
        ("P7D", timedelta(days=7)),
        ("PT36H", timedelta(hours=36)),
        ("P1W", timedelta(weeks=1)),
        ("P1DT12H", timedelta(hours=36)),
        ("PT30M", timedelta(minutes=30)),
        ("pt45s", timedelta(seconds=45)),
    ],
)
def test_duration_is_parsed(text, expected):
    assert parse_duration(text) == expected


def test_timedelta_passes_through():
    assert parse_duration(timedelta(hours=2)) == timedelta(hours=2)


@pytest.mark.parametrize("bad", ["7", "7 days", "7x", "d7", "-1d", "P", "PT", "P7", "", "7dd"])
def test_bad_duration_text_says_what_is_accepted(bad):
    with pytest.raises(ValueError, match="expected a duration such as '30m'") as raised:
        parse_duration(bad)

    assert repr(bad) in str(raised.value)


@pytest.mark.parametrize("bad", [7, 7.5, None, ["7d"], {"d": 7}])
def test_duration_of_the_wrong_type_is_refused(bad):
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(weeks=2), "2w"),
        (timedelta(days=3), "3d"),
        (timedelta(hours=36), "36h"),
        (timedelta(minutes=90), "90m"),
        (timedelta(seconds=45), "45s"),
    ],
)
def test_duration_is_written_in_its_shortest_form(value, text):
    assert format_duration(value) == text


@pytest.mark.parametrize("text", ["30m", "36h", "7d", "2w", "45s", "P1DT12H"])
def test_written_duration_reads_back_as_the_same_length(text):
    assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)
