"""docs/readiness.md runs, prints what it says, and documents every check, rule and default."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from readiness_tables import CONTRACT, ROOT

from c360guard.model import load_contract
from c360guard.readiness import DefectRates, Thresholds
from c360guard.readiness._checks import checks_for
from c360guard.readiness._requirements import requirements

PAGE = ROOT / "docs" / "readiness.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXPECTED = re.compile(r"^\s*print\(.*\)\s*# -> (.*)$")


def _text() -> str:
    return PAGE.read_text(encoding="utf-8")


def _python_blocks() -> list[str]:
    # The Spark block starts a JVM and wants a cluster's paths; tests/readiness/test_spark.py
    # makes the same calls on a local session.
    blocks = [body for lang, body in FENCE.findall(_text()) if lang == "python"]
    return [body for body in blocks if "pyspark" not in body]


def _table_cell(name: str) -> str:
    """The second cell of the page's table row whose first cell is `name`."""
    found = re.search(rf"^\| `{re.escape(name)}` \| `?([^|`]*)`? \|", _text(), re.MULTILINE)
    assert found, f"no table row for {name} in {PAGE.name}"
    return found.group(1).strip()


def test_python_blocks_run_and_print_what_the_page_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)  # the page writes its tables into the current folder
    namespace: dict[str, object] = {"__name__": "docs_readiness"}

    for number, body in enumerate(_python_blocks(), start=1):
        expected = [m.group(1) for line in body.splitlines() if (m := EXPECTED.match(line))]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(body, f"readiness.md block {number}", "exec"), namespace)

        assert printed.getvalue().splitlines() == expected, f"readiness.md block {number}"

    assert (tmp_path / "readiness.html").read_text(encoding="utf-8").count("<svg") == 8


def test_every_check_and_every_declaration_is_documented() -> None:
    contract = load_contract(CONTRACT)
    text = _text()

    codes = {check.code for check in checks_for(contract)}
    keys = {requirement.key for requirement in requirements(contract)}

    assert [code for code in sorted(codes) if f"`{code}`" not in text] == []
    assert [key for key in sorted(keys) if f"| `{key}` |" not in text] == []


def test_thresholds_and_defect_rates_are_documented_with_their_defaults() -> None:
    defaults = Thresholds()

    for name in Thresholds.model_fields:
        assert float(_table_cell(name)) == getattr(defaults, name), name
    for name, rate in DefectRates().as_dict().items():
        assert float(_table_cell(name)) == rate, name


def test_the_performance_section_keeps_its_place_for_figures() -> None:
    assert "## Performance" in _text()
    assert "benchmarks/bench_readiness.py" in _text()
