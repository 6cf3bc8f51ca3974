"""What may leave the process in telemetry: values only on request, sensitive ones hashed."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import warnings
from typing import Any, Final

logger = logging.getLogger(__name__)

HASH_KEY_ENV: Final = "C360GUARD_HASH_KEY"
"""The environment variable the keyed hash of sensitive values reads its key from."""

HASH_PREFIX: Final = "hmac-sha256:"


class ValueCapture:
    """Renders field values and free text for spans when value capture is on.

    With capture off (the default) nothing is rendered at all. With capture on, values go
    out as compact JSON text, except those of `sensitive` fields, which go out as a keyed
    hash (HMAC-SHA256 over the value's canonical JSON): equal values hash equal under one
    key, so traces can still be correlated, but the value cannot be read back or guessed
    from a list of candidates without the key.

    The key comes from `hash_key`, else from the `C360GUARD_HASH_KEY` environment variable,
    else a random key is drawn for this process (with a warning: hashes then differ between
    processes and restarts).
    """

    def __init__(self, enabled: bool = False, *, hash_key: str | bytes | None = None) -> None:
        self.enabled = enabled
        self._key: bytes | None = _key_bytes(hash_key) if hash_key is not None else None

    def render(self, value: Any, *, sensitive: bool) -> str:
        """Return a value as span text: its JSON, or its keyed hash when it is sensitive."""
        return self.hash(value) if sensitive else canonical_json(value)

    def value(self, value: Any, *, sensitive: bool) -> Any:
        """Return a value to embed in a JSON document: itself, or its keyed hash."""
        return self.hash(value) if sensitive else value

    def hash(self, value: Any) -> str:
        """Return `hmac-sha256:<hex>`, the keyed hash of a value's canonical JSON."""
        canonical = canonical_json(value).encode("utf-8")
        return HASH_PREFIX + hmac.new(self.key, canonical, hashlib.sha256).hexdigest()

    @property
    def key(self) -> bytes:
        """The HMAC key, read from the environment or drawn on first use."""
        if self._key is None:
            self._key = _key_from_environment()
        return self._key


def canonical_json(value: Any) -> str:
    """Serialize a value deterministically: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _key_bytes(key: str | bytes) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else key
    if len(raw) < 16:
        raise ValueError(
            "the hash key for sensitive values must be at least 16 bytes; "
            "generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return raw


def _key_from_environment() -> bytes:
    configured = os.environ.get(HASH_KEY_ENV)
    if configured:
        return _key_bytes(configured)
    warnings.warn(
        f"capture_values is on but no hash key is set; sensitive values are hashed with a "
        f"random per-process key, so their hashes differ across processes. Set "
        f"{HASH_KEY_ENV} (or pass hash_key) to correlate them.",
        stacklevel=3,
    )
    logger.warning("no %s set: hashing sensitive values with a per-process key", HASH_KEY_ENV)
    return secrets.token_bytes(32)
