"""Ordered vocabularies: authority, readiness, dimension, outcome and grain."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Ranked(StrEnum):
    """A string enum whose members compare by declaration order."""

    # Set on each member below; an attribute read keeps comparisons cheap on the engine's
    # hot path (a property and a dict lookup per side cost several times more).
    _position: int

    @property
    def rank(self) -> int:
        """Position in declaration order, 0 for the lowest member."""
        return self._position

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._position < other._position

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._position <= other._position

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._position > other._position

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._position >= other._position

    # Hash like the plain string, in C: members are dictionary keys on the engine's hot path.
    __hash__ = str.__hash__

    @classmethod
    def ordered(cls) -> list[Self]:
        """All members, lowest first."""
        return list(cls)


class Authority(_Ranked):
    """What a workflow may do with a profile, lowest first."""

    SUGGEST = "suggest"
    """Show a person a recommendation."""
    ASSIST = "assist"
    """Draft work a person sends (a task, an email draft)."""
    ROUTE = "route"
    """Assign work to an owner or a queue."""
    ACT = "act"
    """Change something customer facing without a person."""


class Readiness(_Ranked):
    """The maturity ladder of a profile for one workflow, lowest first."""

    PROFILE_EXISTS = "profile_exists"
    PROFILE_TRUSTED = "profile_trusted"
    WORKFLOW_READY = "workflow_ready"
    AI_READY = "ai_ready"


class Outcome(_Ranked):
    """The verdict on one recommendation or action, least severe first."""

    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


class Dimension(StrEnum):
    """The eight things readiness is judged on."""

    IDENTITY = "identity"
    FRESHNESS_OWNERSHIP = "freshness_ownership"
    LIFECYCLE = "lifecycle"
    CONSENT_SUPPRESSION = "consent_suppression"
    REASON_CODES = "reason_codes"
    DESTINATION = "destination"
    REVIEW = "review"
    ROLLBACK = "rollback"


class Grain(StrEnum):
    """The level of the customer hierarchy a value or an entity is measured at."""

    CONTACT = "contact"
    WORKSPACE = "workspace"
    ACCOUNT = "account"
    PARENT = "parent"
    SUBSCRIPTION = "subscription"


def _number_members(*enums: type[_Ranked]) -> None:
    for enum in enums:
        for position, member in enumerate(enum):
            member._position = position


_number_members(Authority, Readiness, Outcome)
