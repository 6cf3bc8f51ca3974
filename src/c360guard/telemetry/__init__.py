"""The audit trail: OpenTelemetry spans for every decision the guard makes."""

from c360guard.telemetry import attributes
from c360guard.telemetry.spans import GuardTracer

__all__ = ["GuardTracer", "attributes"]
