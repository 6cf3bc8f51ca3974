"""The pause state of a workflow: who paused it, when and why."""

from __future__ import annotations

from pydantic import AwareDatetime

from c360guard.model._base import FrozenModel


class PauseState(FrozenModel):
    """A workflow's pause: every action is blocked while it stands."""

    workflow: str
    """The paused workflow."""
    by: str
    """Who paused it (a person, or `c360guard.rollback` for an automatic pause)."""
    reason: str
    """Why it was paused."""
    since: AwareDatetime
    """When the pause started."""
    automatic: bool = False
    """True when the override-rate rule paused the workflow."""
