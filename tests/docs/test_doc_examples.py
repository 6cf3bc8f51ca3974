"""The code in the manual runs, and prints what the manual says it prints.

Python blocks of a page run in order in one namespace, in a scratch folder holding the page's
files (a YAML block whose first line is `# <name>.yaml` is written there as that file) and the
repository's `examples/`. A line `print(...)  # -> text` must print exactly `text`.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from c360guard import Recommendation, load_contract, load_profile

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
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
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # pages may use the examples
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
        line
        for body in _blocks("index.md", "python")
        for line in body.splitlines()
        if EXPECTED.match(line)
    ]

    assert len(printed) >= 4


@pytest.mark.parametrize("page", _pages_with("yaml"))
def test_full_contracts_in_the_docs_load(page: str) -> None:
    contracts = [body for body in _blocks(page, "yaml") if re.search(r"^workflow:", body, re.M)]

    for body in contracts:
        assert load_contract(body).workflow


@pytest.mark.parametrize("page", _pages_with("json"))
def test_json_examples_are_valid_profiles_or_recommendations(page: str) -> None:
    for body in _blocks(page, "json"):
        data = json.loads(body)

        if "entity" in data:
            assert load_profile(data).entity.id
        else:
            assert Recommendation.model_validate(data).reasons


def test_readme_quickstart_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [body for lang, body in FENCE.findall(readme) if lang == "python"]
    monkeypatch.chdir(ROOT)

    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(compile(blocks[0], "README.md", "exec"), {"__name__": "readme"})

    assert printed.getvalue().split()[0] in {"allow", "review", "block"}
