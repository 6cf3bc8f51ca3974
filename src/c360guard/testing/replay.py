"""Recorded sessions: replay a cassette offline, or record one against a live endpoint."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from c360guard.errors import CassetteError
from c360guard.testing.cassettes import apply_defaults, import_vcr

logger = logging.getLogger(__name__)

API_SUFFIXES: tuple[str, ...] = ("/chat/completions", "/completions", "/responses", "/embeddings")
"""Paths of OpenAI-compatible operations; what precedes them is the endpoint's base URL."""

RECORD_HOW = (
    "against a model endpoint (`make record` in this repository, or "
    "`pytest --record-mode=once` with your endpoint's variables set; see docs/testing.md)"
)
RECORD_HINT = f"record it first {RECORD_HOW}"


@dataclass(frozen=True)
class RecordedEndpoint:
    """The OpenAI-compatible endpoint a session was recorded against."""

    base_url: str
    """The base URL the client was given (`http://127.0.0.1:8080/v1`)."""
    model: str | None
    """The model named in the first request's body, when it names one."""


class RecordedSession:
    """A cassette opened for one test: where it lives, whether it records, what it holds."""

    def __init__(self, cassette: Any) -> None:
        self.cassette = cassette

    @property
    def path(self) -> Path:
        """The cassette file."""
        return Path(self.cassette._path)

    @property
    def record_mode(self) -> str:
        """vcrpy's record mode for this cassette (`none` while replaying)."""
        mode = self.cassette.record_mode
        return str(getattr(mode, "value", mode))

    @property
    def recording(self) -> bool:
        """True when requests may reach the network and be written to the cassette.

        False while replaying: in mode `none`, and in mode `once` once the cassette exists.
        """
        return not self.cassette.write_protected

    @property
    def interactions(self) -> int:
        """How many request and response pairs the cassette holds now."""
        return len(self.cassette)

    @property
    def endpoint(self) -> RecordedEndpoint | None:
        """The endpoint the recorded requests went to, or None for an empty cassette."""
        return endpoint_of(self.cassette.requests)

    @property
    def all_played(self) -> bool:
        """True when replay used every recorded interaction."""
        return bool(self.cassette.all_played)


def endpoint_of(requests: Sequence[Any]) -> RecordedEndpoint | None:
    """Read the base URL and model of an OpenAI-compatible session from its requests."""
    if not requests:
        return None
    first = requests[0]
    parts = urlsplit(first.uri)
    path = parts.path
    for suffix in API_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    base_url = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return RecordedEndpoint(base_url=base_url, model=_model_of(first.body))


def _model_of(body: Any) -> str | None:
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str):
        return None
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        return None
    model = payload.get("model") if isinstance(payload, dict) else None
    return model if isinstance(model, str) else None


def read_endpoint(path: str | Path) -> RecordedEndpoint:
    """Read the endpoint a cassette file was recorded against, without replaying it."""
    with replaying(path) as session:
        endpoint = session.endpoint
    if endpoint is None:
        raise CassetteError(f"the recorded session {path} holds no requests; {RECORD_HINT}")
    return endpoint


@contextmanager
def replaying(path: str | Path) -> Iterator[RecordedSession]:
    """Replay a recorded session: every request must be in the cassette, none reaches a network.

    Raises:
        CassetteError: the cassette does not exist.
        MissingExtraError: vcrpy (the `testing` extra) is not installed.
    """
    cassette_path = Path(path)
    if not cassette_path.is_file():
        raise CassetteError(f"no recorded session at {cassette_path}; {RECORD_HINT}")
    vcr = import_vcr("replaying a recorded session")
    try:
        with _cassette(cassette_path, "none") as session:
            yield session
    except vcr.errors.CannotOverwriteExistingCassetteException as exc:
        # The code asked for something the recording does not hold: say so in our terms.
        raise CassetteError(
            f"{cassette_path}: the code sent a request this recorded session does not hold "
            f"(it changed since the recording); record the session again {RECORD_HOW}"
        ) from exc


@contextmanager
def recording(path: str | Path) -> Iterator[RecordedSession]:
    """Record a fresh session to a cassette, scrubbed of credentials, replacing any old one."""
    cassette_path = Path(path)
    cassette_path.unlink(missing_ok=True)
    with _cassette(cassette_path, "all") as session:
        yield session
    logger.info("recorded %d interactions", session.interactions)


@contextmanager
def _cassette(path: Path, mode: str) -> Iterator[RecordedSession]:
    vcr = import_vcr("a recorded session")
    recorder = vcr.VCR(record_mode=mode)
    apply_defaults(recorder)
    with recorder.use_cassette(str(path)) as cassette:
        yield RecordedSession(cassette)
