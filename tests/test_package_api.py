"""The names `c360guard` exports are part of the product: pinned here, and sorted."""

from __future__ import annotations

import c360guard

DESIGN_IMPORTS = [
    "Authority",
    "Readiness",
    "Dimension",
    "Outcome",
    "FieldValue",
    "Entity",
    "Profile",
    "Contract",
    "Recommendation",
    "Reason",
    "Finding",
    "Verdict",
    "Screening",
    "Guard",
    "load_contract",
]
"""The public API import block of the design, name for name."""

EXPECTED = {
    *DESIGN_IMPORTS,
    "AuthorityError",
    "C360GuardError",
    "Clock",
    "ContractError",
    "FrozenClock",
    "Grain",
    "PauseState",
    "PausedError",
    "ProfileError",
    "ReviewError",
    "ReviewTicket",
    "__version__",
    "load_profile",
}


def test_all_is_sorted():
    assert c360guard.__all__ == sorted(c360guard.__all__)


def test_all_is_the_expected_set():
    assert set(c360guard.__all__) == EXPECTED
    assert len(c360guard.__all__) == len(EXPECTED)


def test_every_exported_name_exists():
    missing = [name for name in c360guard.__all__ if not hasattr(c360guard, name)]

    assert missing == []


def test_design_import_block_works():
    from c360guard import (  # the design's import block
        Authority,
        Contract,
        Dimension,
        Entity,
        FieldValue,
        Finding,
        Guard,
        Outcome,
        Profile,
        Readiness,
        Reason,
        Recommendation,
        Screening,
        Verdict,
        load_contract,
    )

    imported = [
        Authority,
        Contract,
        Dimension,
        Entity,
        FieldValue,
        Finding,
        Guard,
        Outcome,
        Profile,
        Readiness,
        Reason,
        Recommendation,
        Screening,
        Verdict,
        load_contract,
    ]
    assert {obj.__name__ for obj in imported} == set(DESIGN_IMPORTS)


def test_version_is_a_string():
    assert isinstance(c360guard.__version__, str)
    assert c360guard.__version__.count(".") >= 2
