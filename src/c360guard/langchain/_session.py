"""What the model has been shown in one conversation, for checking what it later cites.

A guarded read tool or retriever records each screening it hands the model; a guarded
action tool, and the middleware's final-answer check, judge the model's reasons against
everything recorded for the same conversation. Conversations are told apart by a key: the
middleware's per-run key when one is active, else the LangGraph thread id, else `default`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from langchain_core.runnables import RunnableConfig, ensure_config

from c360guard.guard import Guard
from c360guard.model import FieldValue, Profile, Screening, Verdict

DEFAULT_KEY = "default"
"""The conversation key of calls made outside any thread or guarded agent run."""

_ACTIVE_KEY: ContextVar[str | None] = ContextVar("c360guard_session_key", default=None)


def session_key(config: RunnableConfig | None = None) -> str:
    """Name the conversation a call belongs to.

    The key the middleware bound for the current tool call wins; then the LangGraph
    `thread_id` of the run's config; then `default`.
    """
    active = _ACTIVE_KEY.get()
    if active is not None:
        return active
    configurable = (config if config is not None else ensure_config()).get("configurable") or {}
    thread = configurable.get("thread_id")
    return str(thread) if thread is not None else DEFAULT_KEY


@contextmanager
def bound_key(key: str) -> Iterator[None]:
    """Make `key` the conversation of every guarded call made inside the block."""
    token = _ACTIVE_KEY.set(key)
    try:
        yield
    finally:
        _ACTIVE_KEY.reset(token)


@dataclass(frozen=True, slots=True)
class _Seen:
    """Everything screened for one entity in one conversation, merged."""

    latest: Screening
    raw: Mapping[str, FieldValue | list[FieldValue]]
    admitted: Mapping[str, FieldValue | list[FieldValue]]
    sensitive: frozenset[str]
    screenings: int = 1

    @classmethod
    def first(cls, screening: Screening) -> _Seen:
        return cls(
            latest=screening,
            raw=dict(screening.profile.fields),
            admitted=dict(screening.admitted.fields),
            sensitive=screening.sensitive,
        )

    def add(self, screening: Screening) -> _Seen:
        # A field shown once stays shown: the model has seen it. The raw value is the
        # newest, so a check re-screens what the source says now, not what it said then.
        return _Seen(
            latest=screening,
            raw={**self.raw, **screening.profile.fields},
            admitted={**self.admitted, **screening.admitted.fields},
            sensitive=self.sensitive | screening.sensitive,
            screenings=self.screenings + 1,
        )

    def merged(self) -> Screening:
        """One screening holding every field shown so far, judged at the latest clock."""
        if self.screenings == 1:
            return self.latest  # keeps the link between the check and its screen span
        entity = self.latest.profile.entity
        return self.latest.model_copy(
            update={
                "profile": Profile.model_construct(entity=entity, fields=dict(self.raw)),
                "admitted": Profile.model_construct(entity=entity, fields=dict(self.admitted)),
                "withheld": {
                    name: found
                    for name, found in self.latest.withheld.items()
                    if name not in self.admitted
                },
                "sensitive": self.sensitive,
            }
        )


@dataclass(frozen=True, slots=True)
class SessionView:
    """An immutable snapshot of what one conversation has shown the model."""

    entities: Mapping[str, _Seen] = field(default_factory=dict)
    order: tuple[str, ...] = ()

    @property
    def latest_entity(self) -> str | None:
        """The entity screened most recently, or None when nothing was shown."""
        return self.order[-1] if self.order else None

    def screening(self, entity_id: str) -> Screening | None:
        """Everything shown about one entity as one screening, or None if nothing was."""
        seen = self.entities.get(entity_id)
        return seen.merged() if seen is not None else None

    def shown(self) -> dict[str, list[str]]:
        """Entity id to the names of the fields the model was shown about it."""
        return {
            entity_id: [name for name in seen.admitted if name not in seen.sensitive]
            for entity_id, seen in self.entities.items()
        }


@dataclass(slots=True)
class _Conversation:
    entities: dict[str, _Seen] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    pinned: SessionView | None = None
    pending: dict[str, Verdict] = field(default_factory=dict)

    def view(self) -> SessionView:
        return SessionView(dict(self.entities), tuple(self.order))


class GuardSession:
    """Thread-safe memory of what each conversation has shown the model, per contract.

    One session can serve many guards and agents: records are kept per contract digest and
    conversation key. The oldest conversations are forgotten past `max_conversations`; a
    forgotten conversation fails closed (its actions cite fields nobody remembers showing).

    Args:
        max_conversations: How many conversations to remember before forgetting the oldest.
    """

    def __init__(self, *, max_conversations: int = 4096) -> None:
        if max_conversations < 1:
            raise ValueError(
                f"max_conversations must be at least 1, got {max_conversations}; "
                "pass a positive number"
            )
        self.max_conversations = max_conversations
        self._conversations: OrderedDict[tuple[str, str], _Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, guard: Guard, key: str, screening: Screening) -> None:
        """Remember a screening whose context was handed to the model."""
        entity_id = screening.profile.entity.id
        with self._lock:
            held = self._conversation(guard, key)
            seen = held.entities.get(entity_id)
            held.entities[entity_id] = (
                _Seen.first(screening) if seen is None else seen.add(screening)
            )
            if entity_id in held.order:
                held.order.remove(entity_id)
            held.order.append(entity_id)

    def view(self, guard: Guard, key: str) -> SessionView:
        """What the conversation has shown the model so far."""
        with self._lock:
            return self._conversation(guard, key).view()

    def pin(self, guard: Guard, key: str) -> SessionView:
        """Freeze what the model has been shown as it is called.

        Actions the model asks for in that turn are judged against this snapshot, so a read
        running beside them in the same turn cannot vouch for fields the model had not seen
        when it decided.
        """
        with self._lock:
            held = self._conversation(guard, key)
            held.pinned = held.view()
            return held.pinned

    def judged(self, guard: Guard, key: str) -> SessionView:
        """The snapshot actions are judged against: the pinned one, else the live view."""
        with self._lock:
            held = self._conversation(guard, key)
            return held.pinned if held.pinned is not None else held.view()

    def hold(self, guard: Guard, key: str, call_id: str, verdict: Verdict) -> None:
        """Keep the verdict of a tool call waiting on a person, for when the run resumes."""
        with self._lock:
            self._conversation(guard, key).pending[call_id] = verdict

    def release(self, guard: Guard, key: str, call_id: str) -> Verdict | None:
        """Take back the verdict a waiting tool call was held with, if this process has it."""
        with self._lock:
            return self._conversation(guard, key).pending.pop(call_id, None)

    def held(self, guard: Guard, key: str, call_id: str) -> Verdict | None:
        """The verdict a waiting tool call was held with, leaving it held."""
        with self._lock:
            return self._conversation(guard, key).pending.get(call_id)

    def forget(self, key: str) -> None:
        """Drop everything remembered for a conversation, under every contract."""
        with self._lock:
            for scoped in [scoped for scoped in self._conversations if scoped[1] == key]:
                del self._conversations[scoped]

    def _conversation(self, guard: Guard, key: str) -> _Conversation:
        scoped = (guard.contract.digest, key)
        held = self._conversations.get(scoped)
        if held is None:
            held = self._conversations[scoped] = _Conversation()
            while len(self._conversations) > self.max_conversations:
                self._conversations.popitem(last=False)
        else:
            self._conversations.move_to_end(scoped)
        return held


DEFAULT_SESSION = GuardSession()
"""The session guarded tools, retrievers and the middleware share unless given another."""
