"""Profiles load from their JSON form; a malformed one says where it went wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from c360guard.errors import ProfileError
from c360guard.model import FieldValue, Grain, load_profile

PROFILE = {
    "entity": {
        "id": "acct_42",
        "grain": "account",
        "parent_id": "parent_7",
        "match_confidence": 0.97,
    },
    "fields": {
        "renewal_date": {
            "value": "2027-01-31",
            "source": "salesforce",
            "owner": "revops",
            "updated_at": "2026-12-01T10:00:00Z",
            "source_path": "Account.Renewal_Date__c",
            "confidence": None,
            "grain": "account",
        },
        "arr": [
            {
                "value": 1,
                "source": "stripe",
                "owner": "finance",
                "updated_at": "2026-12-01T10:00:00Z",
            },
            {
                "value": 2,
                "source": "salesforce",
                "owner": "revops",
                "updated_at": "2026-12-02T10:00:00Z",
            },
        ],
    },
}


def test_profile_loads_from_a_dict():
    profile = load_profile(PROFILE)

    assert profile.entity.grain is Grain.ACCOUNT
    assert profile.value("renewal_date") == "2027-01-31"
    held = profile.fields["renewal_date"]
    assert isinstance(held, FieldValue)
    assert held.updated_at == datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_profile_loads_from_json_text_and_from_a_file(tmp_path: Path):
    path = tmp_path / "acct.json"
    path.write_text(json.dumps(PROFILE))

    assert load_profile(json.dumps(PROFILE)) == load_profile(path) == load_profile(str(path))


def test_candidates_lists_every_value_of_a_field():
    profile = load_profile(PROFILE)

    assert [v.source for v in profile.candidates("arr")] == ["stripe", "salesforce"]
    assert len(profile.candidates("renewal_date")) == 1
    assert profile.candidates("absent") == []
    assert profile.value("arr", "n/a") == "n/a"


def test_timestamp_without_offset_is_refused():
    data = json.loads(json.dumps(PROFILE))
    data["fields"]["renewal_date"]["updated_at"] = "2026-12-01T10:00:00"

    with pytest.raises(ProfileError) as raised:
        load_profile(data)

    assert raised.value.args[0].splitlines()[1] == (
        "  - fields.renewal_date.updated_at: expected a timestamp with a UTC offset "
        "(ending in Z or +02:00) (got '2026-12-01T10:00:00')"
    )


def test_unknown_key_in_a_profile_is_refused():
    data = json.loads(json.dumps(PROFILE))
    data["entity"]["grian"] = "account"

    with pytest.raises(ProfileError, match=r"entity\.grian: unknown key \(did you mean 'grain'\?"):
        load_profile(data)


def test_value_out_of_range_in_a_candidate_list_names_its_index():
    data = json.loads(json.dumps(PROFILE))
    data["fields"]["arr"][1]["confidence"] = 3

    with pytest.raises(ProfileError, match=r"fields\.arr\[1\]\.confidence: expected a value less"):
        load_profile(data)


def test_unknown_grain_is_refused():
    data = json.loads(json.dumps(PROFILE))
    data["entity"]["grain"] = "team"

    with pytest.raises(ProfileError, match=r"entity\.grain: expected 'contact'"):
        load_profile(data)


def test_bad_json_is_a_profile_error(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")

    with pytest.raises(ProfileError, match="is not valid JSON"):
        load_profile(path)


def test_missing_profile_file_is_a_profile_error(tmp_path: Path):
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(tmp_path / "absent.json")


def test_profile_error_is_a_value_error():
    assert issubclass(ProfileError, ValueError)
