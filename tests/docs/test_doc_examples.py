"""The code in the manual runs, and prints what the manual says it prints.

Python blocks of a page run in order in one namespace, in a scratch folder holding the page's
files: a YAML block whose first line is `# <name>.yaml` is written there as that file. A line
`print(...)  # -> text` must print exactly `text`.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from c360guard import load_contract

DOCS = Path(__file__).resolve().parents[2] / "docs"
RUNNABLE_PAGES = ["index.md", "concepts.md", "contract.md", "cli.md"]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
FILE_HEADER = re.compile(r"^# ([\w.-]+\.ya?ml)\n")
EXPECTED = re.compile(r"^\s*print\(.*\)\s*# -> (.*)$")


def _blocks(page: str, language: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def _pages_with(language: str) -> list[str]:
    return [page for page in RUNNABLE_PAGES if (DOCS / page).exists() and _blocks(page, language)]


@pytest.mark.parametrize("page", _pages_with("python"))
def test_python_blocks_run_and_print_what_the_page_says(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for body in _blocks(page, "yaml"):
        named = FILE_HEADER.match(body)
        if named:
            (tmp_path / named.group(1)).write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}

    for number, body in enumerate(_blocks(page, "python"), start=1):
        expected = [m.group(1) for line in body.splitlines() if (m := EXPECTED.match(line))]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(body, f"{page} block {number}", "exec"), namespace)

        assert printed.getvalue().splitlines() == expected, f"{page} block {number}"


def test_the_quickstart_prints_something_to_check() -> None:
    printed = [
        line for body in _blocks("index.md", "python") for line in body.splitlines()
        if EXPECTED.match(line)
    ]

    assert len(printed) >= 4


@pytest.mark.parametrize("page", _pages_with("yaml"))
def test_full_contracts_in_the_docs_load(page: str) -> None:
    contracts = [body for body in _blocks(page, "yaml") if re.search(r"^workflow:", body, re.M)]

    for body in contracts:
        assert load_contract(body).workflow
