"""A credential scanner for cassettes: no recorded session may carry a secret."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# A header's value, inline (`name: value`, JSON `"name": ["value"]`) or as a YAML list item.
_HEADER_VALUE = r"\s*:\s*(?:\[\s*|\n\s*-\s*)?[\"']?[^\s\"'\],]{4,}"

PATTERNS: dict[str, re.Pattern[str]] = {
    "authorization header": re.compile(
        rf"(?i)[\"']?\b(?:proxy-)?authorization[\"']?{_HEADER_VALUE}"
    ),
    "api key header": re.compile(rf"(?i)[\"']?\b(?:x-goog-|x-)?api-key[\"']?{_HEADER_VALUE}"),
    "api key parameter": re.compile(r"(?i)\bapi_?key[\"']?\s*[=:]\s*[\"']?[A-Za-z0-9._-]{12,}"),
    "bearer token": re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}"),
    "basic credentials": re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/]{12,}={0,2}"),
    "sk- key": re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}
"""What a credential looks like, by kind. Deliberately broad: a false alarm costs a glance."""


@dataclass(frozen=True)
class SecretHit:
    """One credential-like string found in a file."""

    source: str
    """The file (or label) it was found in."""
    line: int
    """The 1-based line it starts on."""
    kind: str
    """Which pattern matched (`bearer token`, `sk- key`...)."""
    excerpt: str
    """The match with all but its first four characters masked."""

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.kind}: {self.excerpt}"


def scan_text(text: str, *, source: str = "<text>") -> list[SecretHit]:
    """Return every credential-like string in a text, in the order they appear."""
    hits = [
        SecretHit(source, text.count("\n", 0, match.start()) + 1, kind, _mask(match.group(0)))
        for kind, pattern in PATTERNS.items()
        for match in pattern.finditer(text)
    ]
    return sorted(hits, key=lambda hit: (hit.line, hit.kind))


def scan_paths(paths: Iterable[str | Path]) -> list[SecretHit]:
    """Scan files, and every file under directories, for credentials."""
    hits: list[SecretHit] = []
    for path in _files(paths):
        text = path.read_text(encoding="utf-8", errors="replace")
        hits.extend(scan_text(text, source=str(path)))
    return hits


def assert_no_secrets(*paths: str | Path) -> None:
    """Fail with the list of findings (masked) when any file holds a credential."""
    hits = scan_paths(paths)
    if hits:
        listing = "\n".join(f"  {hit}" for hit in hits)
        raise AssertionError(
            f"{len(hits)} credential-like string(s) found:\n{listing}\n"
            "Remove the credential from the file, rotate it, and re-record with the "
            "c360guard vcr defaults (they scrub authorization and API-key headers)."
        )


def _files(paths: Iterable[str | Path]) -> Iterable[Path]:
    for entry in map(Path, paths):
        if entry.is_dir():
            yield from sorted(p for p in entry.rglob("*") if p.is_file())
        elif entry.is_file():
            yield entry


def _mask(found: str) -> str:
    # Enough to find it again, never enough to use it.
    head = found[:4]
    return head + "*" * min(len(found) - len(head), 12)
