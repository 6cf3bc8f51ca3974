"""The pure engine: screen a profile, check a recommendation. No I/O, no clocks of its own."""

from c360guard.engine.check import check
from c360guard.engine.conditions import FieldView, Truth, evaluate
from c360guard.engine.screen import screen

__all__ = ["FieldView", "Truth", "check", "evaluate", "screen"]
