"""Pause stores: where a workflow's pause lives, so every Guard sharing a store sees it."""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from c360guard.model import PauseState


@runtime_checkable
class PauseStore(Protocol):
    """Holds the pause state of workflows; every Guard reads it before each check."""

    def get(self, workflow: str) -> PauseState | None:
        """Return the workflow's pause, or None while it runs."""
        ...

    def pause(self, state: PauseState) -> PauseState:
        """Pause a workflow; an existing pause is kept and returned unchanged."""
        ...

    def resume(self, workflow: str, *, by: str) -> PauseState | None:
        """Lift the workflow's pause, returning the pause that was lifted (None if none)."""
        ...


class InMemoryPauseStore:
    """A pause store for one process: the default when a Guard is given none."""

    def __init__(self) -> None:
        self._states: dict[str, PauseState] = {}
        self._lock = threading.Lock()

    def get(self, workflow: str) -> PauseState | None:
        """Return the workflow's pause, or None while it runs."""
        return self._states.get(workflow)

    def pause(self, state: PauseState) -> PauseState:
        """Pause a workflow; an existing pause is kept and returned unchanged."""
        with self._lock:
            return self._states.setdefault(state.workflow, state)

    def resume(self, workflow: str, *, by: str) -> PauseState | None:
        """Lift the workflow's pause, returning the pause that was lifted (None if none)."""
        with self._lock:
            return self._states.pop(workflow, None)
