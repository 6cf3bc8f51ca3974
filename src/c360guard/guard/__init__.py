"""The Guard facade and its clocks."""

from c360guard.guard._guard import Guard
from c360guard.guard.clock import Clock, FrozenClock, system_clock

__all__ = ["Clock", "FrozenClock", "Guard", "system_clock"]
