"""vcrpy defaults for recorded LLM sessions: scrubbed credentials, strict matching, YAML."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from c360guard.errors import MissingExtraError

logger = logging.getLogger(__name__)

SCRUBBED_REQUEST_HEADERS: frozenset[str] = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "cookie",
        "openai-organization",
        "openai-project",
    }
)
"""Request headers never written to a cassette (compared case-insensitively)."""

SCRUBBED_RESPONSE_HEADERS: frozenset[str] = frozenset(
    {"set-cookie", "openai-organization", "openai-project", "x-request-id", "cf-ray"}
)
"""Response headers never written to a cassette: cookies and account identifiers."""

SCRUBBED_QUERY_PARAMETERS: tuple[str, ...] = ("api_key", "api-key", "key", "access_token")
"""Query parameters dropped from recorded URIs, for providers that take the key there."""

MATCH_ON: tuple[str, ...] = ("method", "uri", "body")
"""A replayed request must repeat the recorded method, URI and (JSON-aware) body."""


def vcr_defaults() -> dict[str, Any]:
    """Return the vcrpy options c360guard records and replays LLM sessions with.

    The pytest plugin applies them to every cassette pytest-recording opens; a `vcr_config`
    fixture of your own overrides them key by key. Use this function to start from them:

    Example:
        ```python
        @pytest.fixture
        def vcr_config():
            return {**vcr_defaults(), "record_mode": "once"}
        ```
    """
    return {
        "filter_headers": sorted(SCRUBBED_REQUEST_HEADERS),
        "filter_query_parameters": list(SCRUBBED_QUERY_PARAMETERS),
        "before_record_response": scrub_response,
        "match_on": list(MATCH_ON),
        "serializer": "yaml",
        "decode_compressed_response": True,
    }


def apply_defaults(vcr: Any) -> None:
    """Set c360guard's defaults on a `vcr.VCR` and make its persister scrub what it saves.

    Options given to `use_cassette` (a `vcr_config` fixture, a `vcr` mark) still win; the
    scrubbing persister holds whatever they say, so no configuration can write a credential.
    """
    defaults = vcr_defaults()
    vcr.filter_headers = defaults["filter_headers"]
    vcr.filter_query_parameters = defaults["filter_query_parameters"]
    vcr.before_record_response = defaults["before_record_response"]
    vcr.match_on = tuple(defaults["match_on"])
    vcr.decode_compressed_response = defaults["decode_compressed_response"]
    vcr.register_persister(ScrubbingPersister(vcr.persister))


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies and account identifiers from a recorded response (a vcrpy hook)."""
    headers = response.get("headers")
    if isinstance(headers, Mapping):
        response["headers"] = {
            name: value
            for name, value in headers.items()
            if name.lower() not in SCRUBBED_RESPONSE_HEADERS
        }
    return response


class ScrubbingPersister:
    """Wraps a vcrpy persister so every cassette it saves is stripped of credentials."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def load_cassette(self, cassette_path: Any, serializer: ModuleType) -> Any:
        """Load a cassette through the wrapped persister."""
        return self.inner.load_cassette(cassette_path, serializer)

    def save_cassette(
        self, cassette_path: Any, cassette_dict: dict[str, Any], serializer: ModuleType
    ) -> None:
        """Save a cassette through the wrapped persister, credentials removed first."""
        requests = [_scrubbed_request(request) for request in cassette_dict["requests"]]
        responses = [scrub_response(copy.deepcopy(r)) for r in cassette_dict["responses"]]
        logger.debug("saving %d scrubbed interactions", len(requests))
        self.inner.save_cassette(
            cassette_path, {"requests": requests, "responses": responses}, serializer
        )


def _scrubbed_request(request: Any) -> Any:
    # The cassette keeps its own request objects for matching: scrub a copy.
    clean = copy.copy(request)
    clean.headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in SCRUBBED_REQUEST_HEADERS
    }
    return clean


def import_vcr(feature: str) -> ModuleType:
    """Import vcrpy, or raise MissingExtraError naming the `testing` extra."""
    try:
        # vcrpy is optional (the `testing` extra): imported only when a cassette is used.
        import vcr
    except ImportError as exc:
        raise MissingExtraError(feature, "testing", "vcrpy") from exc
    module: ModuleType = vcr
    return module
