"""docs/langchain.md runs, and prints what it says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "langchain.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXPECTED = re.compile(r"^\s*print\(.*\)\s*# -> (.*)$")


def test_the_langchain_page_runs_and_prints_what_it_says(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [body for lang, body in FENCE.findall(PAGE.read_text("utf-8")) if lang == "python"]
    monkeypatch.chdir(ROOT)  # the page reads examples/ from the repository root
    namespace: dict[str, object] = {"__name__": "docs_langchain"}

    for number, body in enumerate(blocks, start=1):
        expected = [m.group(1) for line in body.splitlines() if (m := EXPECTED.match(line))]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(body, f"langchain.md block {number}", "exec"), namespace)

        assert printed.getvalue().splitlines() == expected, f"langchain.md block {number}"

    assert len(blocks) >= 5
