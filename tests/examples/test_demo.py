"""`make demo` runs: every story is told and keeps its promise."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _demo_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("c360guard_demo", EXAMPLES / "demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the file executes.
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_demo_tells_every_story_and_exits_zero(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stories = yaml.safe_load((EXAMPLES / "stories.yaml").read_text(encoding="utf-8"))["stories"]

    code = _demo_module(monkeypatch).main()

    printed = capsys.readouterr().out
    assert code == 0
    for story in stories:
        assert story["title"] in printed
    assert "Stories off script" not in printed
    # The survival test closes the tour: a level, a next move and all eight dimensions.
    assert "level: workflow_ready" in printed
    assert "next move: move_into_governed_activation" in printed
    for dimension in ("identity", "freshness_ownership", "lifecycle", "rollback"):
        assert f"  {dimension} " in printed
