"""The in-memory engine: screen every profile with the guard itself and count the facts."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from c360guard.model import Profile
from c360guard.readiness._facts import EntityFacts, Plan, facts_of
from c360guard.readiness._scoring import EXAMPLES, FieldTally, Tally

logger = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
"""Called with (units done, units in total or None) while an engine runs."""

_REPORT_EVERY = 5000


class Accumulator:
    """Counts entity facts into a tally, keeping the smallest example ids."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._severity = {check.code: check for check in plan.checks}
        self._tally = Tally()

    def add(self, facts: EntityFacts) -> None:
        """Count one profile in scope."""
        tally = self._tally
        tally.profiles += 1
        for code in facts.checks:
            if code in self._severity:
                tally.checks[code] = tally.checks.get(code, 0) + 1
                self._example(code, facts.entity_id)
        self._statuses(facts)
        admitted = facts.admitted
        for name in facts.present:
            counts = tally.fields.setdefault(name, FieldTally())
            counts.present += 1
            counts.admitted += name in admitted
            for code in facts.withheld.get(name, ()):
                counts.codes[code] = counts.codes.get(code, 0) + 1

    def skip(self, grain: str) -> None:
        """Count one entity out of scope."""
        scope = self._tally.out_of_scope
        scope[grain] = scope.get(grain, 0) + 1

    def result(self) -> Tally:
        """The tally so far."""
        return self._tally

    def _statuses(self, facts: EntityFacts) -> None:
        worst: dict[str, str] = {}
        for code in facts.checks:
            check = self._severity.get(code)
            if check is None or check.severity == "note":
                continue
            dimension = check.dimension.value
            if worst.get(dimension) != "fail":
                worst[dimension] = check.severity
        for dimension, status in worst.items():
            warned, failed = self._tally.statuses.get(dimension, (0, 0))
            if status == "fail":
                failed += 1
            else:
                warned += 1
            self._tally.statuses[dimension] = (warned, failed)
            self._example(f"{status}:{dimension}", facts.entity_id)

    def _example(self, key: str, entity_id: str) -> None:
        kept = self._tally.examples.setdefault(key, [])
        if len(kept) < EXAMPLES or entity_id < kept[-1]:
            bisect.insort(kept, entity_id)
            del kept[EXAMPLES:]


def run_memory(
    profiles: Iterable[Profile],
    plan: Plan,
    *,
    now: datetime,
    progress: Progress | None = None,
    total: int | None = None,
) -> Tally:
    """Screen every profile in scope and count what the screenings say."""
    accumulator = Accumulator(plan)
    grain = plan.contract.grain
    seen = 0
    for profile in profiles:
        if profile.entity.grain is grain:
            accumulator.add(facts_of(profile, plan, now=now))
        else:
            accumulator.skip(profile.entity.grain.value)
        seen += 1
        if progress is not None and seen % _REPORT_EVERY == 0:
            progress(seen, total)
    if progress is not None:
        progress(seen, total if total is not None else seen)
    logger.info("screened %d profiles in memory for %s", seen, plan.contract.workflow)
    return accumulator.result()
