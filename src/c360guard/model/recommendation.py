"""What the model proposes: a recommendation or an action, with its reasons."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from c360guard.model._base import FrozenModel


class Reason(FrozenModel):
    """One reason code and the profile fields that are its evidence."""

    code: str
    """A code from the contract's reason catalog (`USAGE_DROP`)."""
    fields: list[str] = Field(default_factory=list)
    """The profile fields the reason rests on; each must have been shown to the model."""
    explanation: str = ""
    """A sentence for the person reading the recommendation."""


class Recommendation(FrozenModel):
    """A proposed action (or pure suggestion) with reasons and confidence."""

    action: str | None = None
    """The catalog action to take, or None for a pure suggestion (authority `suggest`)."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """The action's own arguments."""
    reasons: list[Reason] = Field(default_factory=list)
    """Why: at least one reason code, each backed by fields the model was shown."""
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    """The model's confidence, 0 to 1; none counts as low."""
    summary: str = ""
    """The recommendation in a sentence."""

    @property
    def cited_fields(self) -> list[str]:
        """Every field the reasons cite, in order, without repeats."""
        return list(dict.fromkeys(name for reason in self.reasons for name in reason.fields))

    @property
    def reason_codes(self) -> list[str]:
        """The reason codes, in order."""
        return [reason.code for reason in self.reasons]
