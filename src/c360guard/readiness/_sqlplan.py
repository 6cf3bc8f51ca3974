"""Compile a contract into the survival test's SQL: the same text for DuckDB and Spark.

Three set-based stages:

1. rows: each value of the long table gets its problem mask (one bit per finding code),
   its lifecycle state and a candidate key, by joining two small tables of rules;
2. entities (GROUP BY entity, one pass over the rows): per declared field the smallest
   candidate key, which is the candidate screening keeps (the admissible one of highest
   precedence, else the first candidate) with its problems in its low bits; then lifecycle
   conflicts, consent and suppression in three-valued logic, reason codes, destinations,
   and each check as a boolean column;
3. tally: counts per check and dimension status, a few examples, per-field coverage.

There is no (entity, field) grouping: a table of a million profiles holds forty million
values but only a million entities, and grouping by entity keeps the work and the memory
proportional to the profiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from c360guard.model import Condition, ConsentRule, Contract, Grain
from c360guard.model.condition import condition_fields
from c360guard.readiness._checks import AGE_BOUND_MASK, BITS, SENTINEL_IDS
from c360guard.readiness._dialect import Dialect
from c360guard.readiness._facts import Plan
from c360guard.readiness._sqlcond import FieldRef, compile_condition, lifecycle_key, one_of
from c360guard.readiness._sqltext import number

COLUMNS: tuple[str, ...] = (
    "entity_id",
    "grain",
    "parent_id",
    "match_confidence",
    "field",
    "value",
    "source",
    "owner",
    "updated_at",
    "confidence",
    "source_path",
    "field_grain",
)
"""The long layout's columns, in order (`field_grain` is optional)."""

REQUIRED: frozenset[str] = frozenset(
    {"entity_id", "grain", "field", "value", "source", "owner", "updated_at"}
)
"""Columns a table must have; the others read as empty when absent."""

_GRAINS = ", ".join(g.value for g in Grain)
ROW_PROBLEMS: dict[int, tuple[str, str]] = {
    1: ("entity_id", "have no entity id"),
    2: ("field", "have no field name"),
    4: ("grain", f"hold no grain or one other than {_GRAINS}"),
    8: ("field_grain", f"hold a grain other than {_GRAINS}"),
    16: ("updated_at", "hold a timestamp that does not parse as ISO 8601"),
    32: ("updated_at", "hold a timestamp without a UTC offset (write Z or +00:00)"),
    64: ("value", 'hold text that is not valid JSON (write strings quoted: "Customer")'),
    128: ("match_confidence", "hold something other than a number from 0 to 1"),
    256: ("confidence", "hold something other than a number from 0 to 1"),
}
"""Bit of the row problem mask to (column, what is wrong with those rows)."""

RAW = "c360_rows"
"""The view every engine registers over the table, with the layout's columns as text."""

_WORD = 62
"""Undeclared fields per BIGINT bitset."""
_MASK_SPAN = 1024
"""One more than the largest problem mask: the low bits of a candidate key."""
_OK_BIT = 1 << 58
"""The candidate key's top bit: set when the candidate has a problem."""
_SECONDS = (1 << 34) - 1
"""The latest second a candidate key can tell apart (the year 2514)."""


def candidate_key(rank: str = "qrank", micros: str = "ts_us", mask: str = "mask") -> str:
    """SQL for a candidate's place among its field's candidates, problems aside.

    Precedence first (sources the contract does not allow last), then the newest, then the
    smaller mask; the in-memory reader orders candidates by the same number.
    """
    seconds = f"CAST(floor(COALESCE({micros}, 0) / 1000000.0) AS BIGINT)"
    clamped = (
        f"(CASE WHEN {seconds} < 0 THEN 0 WHEN {seconds} > {_SECONDS} THEN {_SECONDS} "
        f"ELSE {seconds} END)"
    )
    return (
        f"(CAST(COALESCE({rank}, 9999) AS BIGINT) * {1 << 44} "
        f"+ ({_SECONDS} - {clamped}) * {_MASK_SPAN} + {mask})"
    )


@dataclass(frozen=True)
class Slot:
    """A field as the entity stage sees it: its id and what is kept about it."""

    name: str
    fid: int
    declared: bool
    valued: bool
    """Its value is read by a consent, suppression or lifecycle rule."""
    lifecycle: int | None
    """Its position in the lifecycle mapping, for state fields."""


class SqlPlan:
    """The survival test's queries for one contract, one instant and one SQL dialect."""

    def __init__(
        self,
        plan: Plan,
        *,
        now: datetime,
        dialect: Dialect,
        undeclared: list[str] | None = None,
    ) -> None:
        self.plan = plan
        self.contract: Contract = plan.contract
        self.dialect = dialect
        self.now_us = _whole_micros(now - _EPOCH)
        self.checks = [check.code for check in plan.checks]
        self.slots = _slots(plan, sorted(set(undeclared or ()) - set(self.contract.fields)))
        self.slot = {slot.name: slot for slot in self.slots}

    @property
    def declared(self) -> list[Slot]:
        """Slots of the contract's fields, in contract order."""
        return [slot for slot in self.slots if slot.declared]

    @property
    def undeclared(self) -> list[Slot]:
        """Slots of fields the table holds and the contract does not declare."""
        return [slot for slot in self.slots if not slot.declared]

    def field_names(self) -> str:
        """The query listing every field name the table holds."""
        return f"SELECT DISTINCT NULLIF(CAST(field AS STRING), '') FROM {RAW}"

    # -- stage 1: rows -----------------------------------------------------------------

    def staged(self) -> str:
        """Every row with typed columns, its row problems and its entity signature."""
        d = self.dialect
        text = ", ".join(f"NULLIF(CAST({column} AS STRING), '') AS {column}" for column in COLUMNS)
        grains = ", ".join(d.text(g.value) for g in Grain)
        # After the date, a sign can only start a UTC offset; this is far cheaper than a regex.
        offset = (
            "(right(updated_at, 1) IN ('Z', 'z') OR instr(substr(updated_at, 11), '+') > 0 "
            "OR instr(substr(updated_at, 11), '-') > 0)"
        )
        problems = " + ".join(
            f"(CASE WHEN {test} THEN {bit} ELSE 0 END)"
            for bit, test in (
                (1, "entity_id IS NULL"),
                (2, "field IS NULL"),
                (4, f"grain IS NULL OR grain NOT IN ({grains})"),
                (8, f"field_grain IS NOT NULL AND field_grain NOT IN ({grains})"),
                (16, "updated_at IS NOT NULL AND ts_us IS NULL"),
                (32, f"ts_us IS NOT NULL AND NOT {offset}"),
                (64, f"value IS NOT NULL AND NOT {d.json_valid('value')}"),
                (128, _bad_share("match_confidence")),
                (256, _bad_share("confidence")),
            )
        )
        signature = d.hash(
            "COALESCE(grain, '')", "COALESCE(parent_id, '')", "COALESCE(match_confidence, '')"
        )
        timed = (
            f"SELECT *, {d.epoch_micros('updated_at')} AS ts_us "
            f"FROM (SELECT {text} FROM {RAW}) AS t"
        )
        return (
            "SELECT entity_id AS e, grain AS g, parent_id AS p, "
            "TRY_CAST(match_confidence AS DOUBLE) AS mc, field AS f, value AS v, "
            "source AS src, owner AS own, ts_us, "
            "TRY_CAST(confidence AS DOUBLE) AS conf, source_path AS path, field_grain AS fg, "
            f"{problems} AS bad, {signature} AS sig FROM ({timed}) AS raw"
        )

    def rules_table(self) -> str:
        """Every field's rule at the ceiling (undeclared fields: none), as a VALUES table."""
        rows = [self._rule_row(slot) for slot in self.slots]
        return (
            f"(VALUES {', '.join(rows)}) AS r(name, fid, declared, lim, own_req, path_req, "
            "minc, rgrain, lc)"
        )

    def _rule_row(self, slot: Slot) -> str:
        d = self.dialect
        rule = self.contract.fields.get(slot.name)
        if rule is None:
            parts = [d.text(slot.name), str(slot.fid), "FALSE", "CAST(NULL AS BIGINT)",
                     "FALSE", "FALSE", "CAST(NULL AS DOUBLE)", "CAST(NULL AS STRING)",
                     "CAST(NULL AS INTEGER)"]  # fmt: skip
            return "(" + ", ".join(parts) + ")"
        defaults = self.contract.defaults
        limit = rule.freshness_limit(self.contract.authority)
        owner = defaults.owner_required if rule.owner_required is None else rule.owner_required
        path = (
            defaults.source_path_required
            if rule.source_path_required is None
            else rule.source_path_required
        )
        parts = [
            d.text(slot.name),
            str(slot.fid),
            "TRUE",
            f"CAST({'NULL' if limit is None else _whole_micros(limit)} AS BIGINT)",
            "TRUE" if owner else "FALSE",
            "TRUE" if path else "FALSE",
            "CAST(NULL AS DOUBLE)" if rule.min_confidence is None else number(rule.min_confidence),
            "CAST(NULL AS STRING)" if rule.grain is None else d.text(rule.grain.value),
            f"CAST({'NULL' if slot.lifecycle is None else slot.lifecycle} AS INTEGER)",
        ]
        return "(" + ", ".join(parts) + ")"

    def precedence_table(self) -> str:
        """Each field's allowed sources with their precedence, as a VALUES table."""
        d = self.dialect
        rows = [
            f"({d.text(name)}, {d.text(source)}, {rank})"
            for name, rule in self.contract.fields.items()
            for rank, source in enumerate(rule.sources)
        ]
        return f"(VALUES {', '.join(rows)}) AS q(qname, qsource, qrank)"

    def rows(self) -> str:
        """Every row with its problem mask, lifecycle state and candidate key.

        The key's top bit says whether the candidate has a problem, and its low ten bits are
        the mask: the smallest key of a field is the candidate screening keeps, and its
        problems can be read off it with no string comparison at all.
        """
        b = BITS
        with_state = (
            "SELECT s.*, r.fid, r.declared, r.lim, r.own_req, r.path_req, r.minc, r.rgrain, "
            f"r.lc, q.qrank, {self._state_sql()} AS state FROM ({self.staged()}) AS s "
            f"LEFT JOIN {self.rules_table()} ON s.f = r.name "
            f"LEFT JOIN {self.precedence_table()} ON s.f = q.qname AND s.src = q.qsource"
        )
        mask = (
            f"CASE WHEN NOT COALESCE(declared, FALSE) THEN {b['field.unknown']} ELSE "
            f"(CASE WHEN ts_us IS NULL THEN {b['field.no_timestamp']} "
            f"WHEN lim IS NULL THEN {b['field.not_cleared']} "
            f"WHEN {self.now_us} - ts_us > lim THEN {b['field.stale']} ELSE 0 END)"
            f" + (CASE WHEN qrank IS NULL THEN {b['field.untrusted_source']} ELSE 0 END)"
            f" + (CASE WHEN own_req AND own IS NULL THEN {b['field.unowned']} ELSE 0 END)"
            f" + (CASE WHEN path_req AND path IS NULL THEN {b['field.no_source_path']} ELSE 0 END)"
            f" + (CASE WHEN minc IS NOT NULL AND (conf IS NULL OR conf < minc) "
            f"THEN {b['field.low_confidence']} ELSE 0 END)"
            f" + (CASE WHEN rgrain IS NOT NULL AND COALESCE(fg, g) <> rgrain "
            f"THEN {b['field.grain_mismatch']} ELSE 0 END)"
            f" + (CASE WHEN lc IS NOT NULL AND state IS NULL "
            f"THEN {b['lifecycle.unmapped']} ELSE 0 END) END"
        )
        return (
            f"SELECT *, (CASE WHEN mask = 0 THEN 0 ELSE {_OK_BIT} END) + {candidate_key()} "
            f"AS pkey FROM (SELECT *, {mask} AS mask FROM ({with_state}) AS w) AS m"
        )

    def _state_sql(self) -> str:
        d = self.dialect
        if not self.contract.lifecycle:
            return "CAST(NULL AS STRING)"
        key = lifecycle_key("s.v", d)
        branches = []
        for index, mapping in enumerate(self.contract.lifecycle.values()):
            cases = " ".join(f"WHEN {d.text(k)} THEN {d.text(v)}" for k, v in mapping.items())
            branches.append(f"WHEN r.lc = {index} THEN (CASE {key} {cases} ELSE NULL END)")
        return f"(CASE {' '.join(branches)} ELSE NULL END)"

    # -- stage 2: entities -------------------------------------------------------------

    def entities(self) -> str:
        """One row per entity: its grain, its fields' kept keys and one column per check."""
        return self._statuses(self._checked(self._derived(self._grouped())))

    def _grouped(self) -> str:
        takes_part = f"lc IS NOT NULL AND (mask & {~AGE_BOUND_MASK & 0xFFFF}) = 0"
        items = [
            "e", "any_value(g) AS g", "any_value(p) AS p", "any_value(mc) AS mc",
            "min(sig) AS sig_lo", "max(sig) AS sig_hi", "bit_or(bad) AS bad",
            f"min(CASE WHEN {takes_part} THEN state END) AS st_lo",
            f"max(CASE WHEN {takes_part} THEN state END) AS st_hi",
        ]  # fmt: skip
        for slot in self.declared:
            items.append(f"min(CASE WHEN fid = {slot.fid} THEN pkey END) AS k_{slot.fid}")
            if slot.valued:
                items.append(
                    f"min_by(CASE WHEN fid = {slot.fid} THEN v END, "
                    f"CASE WHEN fid = {slot.fid} THEN pkey END) AS v_{slot.fid}"
                )
        for word in range(self._words()):
            cases = " ".join(
                f"WHEN {slot.fid} THEN CAST({self._bit(slot)} AS BIGINT)"
                for slot in self.undeclared
                if self._word(slot) == word
            )
            items.append(f"bit_or(CASE fid {cases} ELSE CAST(0 AS BIGINT) END) AS u_{word}")
        return f"SELECT {', '.join(items)} FROM ({self.rows()}) AS valued GROUP BY e"

    def _words(self) -> int:
        return (len(self.undeclared) + _WORD - 1) // _WORD

    def _word(self, slot: Slot) -> int:
        return (slot.fid - len(self.declared)) // _WORD

    def _bit(self, slot: Slot) -> int:
        return 1 << ((slot.fid - len(self.declared)) % _WORD)

    def _derived(self, grouped: str) -> str:
        conflict = "(st_lo IS NOT NULL AND st_lo <> st_hi)"
        masks = [f"COALESCE(k_{s.fid} % {_MASK_SPAN}, 0)" for s in self.declared]
        items = ["*", f"{conflict} AS conflict", f"({' | '.join(masks)}) AS any_mask"]
        for slot in self.declared:
            admitted = f"(k_{slot.fid} IS NOT NULL AND k_{slot.fid} % {_MASK_SPAN} = 0)"
            if slot.lifecycle is not None:
                admitted = f"({admitted} AND NOT {conflict})"
            items.append(f"{admitted} AS known_{slot.fid}")
        return f"SELECT {', '.join(items)} FROM ({grouped}) AS grouped"

    def _ref(self, name: str) -> FieldRef:
        slot = self.slot[name]
        value = f"v_{slot.fid}" if slot.valued else "CAST(NULL AS STRING)"
        return FieldRef(
            known=f"known_{slot.fid}", present=f"(k_{slot.fid} IS NOT NULL)", value=value
        )

    def _checked(self, derived: str) -> str:
        items = ["e", "g", "bad", "(sig_lo <> sig_hi) AS mixed", "conflict"]
        items += [f"k_{slot.fid}" for slot in self.declared]
        items += [f"u_{word}" for word in range(self._words())]
        items += [f"{self._check_sql(code)} AS c_{i}" for i, code in enumerate(self.checks)]
        return f"SELECT {', '.join(items)} FROM ({derived}) AS derived"

    def _check_sql(self, code: str) -> str:
        bit = BITS.get(code)
        if bit is not None:
            return f"((any_mask & {bit}) <> 0)"
        return _or(self._rule_check(code))

    def _rule_check(self, code: str) -> list[str]:
        d, plan = self.dialect, self.plan
        critical = [n for n, r in self.contract.fields.items() if r.critical]
        if code == "identity.sentinel_id":
            ids = ", ".join(d.text(value) for value in sorted(SENTINEL_IDS))
            return [f"lower(trim(e)) IN ({ids})", f"COALESCE(lower(trim(p)) IN ({ids}), FALSE)"]
        if code == "identity.low_match_confidence":
            minimum = self.contract.identity.min_match_confidence
            return [] if minimum is None else [f"(mc IS NULL OR mc < {number(minimum)})"]
        if code == "field.missing":
            return [f"NOT {self._ref(n).present}" for n in critical]
        if code == "field.critical_withheld":
            return [f"({self._ref(n).present} AND NOT {self._ref(n).known})" for n in critical]
        if code in ("lifecycle.conflict", "review.required"):
            return ["conflict"]
        if code in ("consent.missing", "consent.not_granted"):
            return [self._consent(rule, code) for rule in plan.consent]
        if code in ("suppression.active", "suppression.unknown"):
            return [self._suppression(rule.when, code) for rule in plan.suppress]
        if code in ("reason.missing", "reason.cites_withheld_field"):
            return _all_or_any(code == "reason.missing", self._unusable_reasons())
        if code in ("destination.blocked", "destination.write_withheld"):
            return _all_or_any(code == "destination.blocked", self._blocked_actions())
        raise ValueError(f"no SQL for check {code}")

    def _consent(self, rule: ConsentRule, code: str) -> str:
        applies = "TRUE"
        if rule.when is not None:
            applies = f"COALESCE({compile_condition(rule.when, _Refs(self), self.dialect)}, TRUE)"
        ref = self._ref(rule.field)
        if code == "consent.missing":
            return f"({applies} AND NOT {ref.known})"
        return f"({applies} AND {ref.known} AND NOT {one_of(ref, rule.allow, self.dialect)})"

    def _suppression(self, when: Condition, code: str) -> str:
        truth = compile_condition(when, _Refs(self), self.dialect)
        return f"COALESCE({truth}, FALSE)" if code == "suppression.active" else f"({truth} IS NULL)"

    def _unusable_reasons(self) -> list[str]:
        found = []
        for evidence in self.plan.evidence.values():
            if any(name in self.plan.sensitive for name in evidence):
                found.append("TRUE")  # the model never sees a sensitive field
            else:
                found.append(_or([f"NOT {self._ref(n).known}" for n in sorted(evidence)]))
        return found

    def _blocked_actions(self) -> list[str]:
        return [
            _or([f"NOT {self._ref(n).known}" for n in sorted(writes)])
            for writes in self.plan.writers.values()
        ]

    def _statuses(self, checked: str) -> str:
        items = ["*"]
        for dimension in self.status_dimensions():
            columns = {"fail": [], "warn": []}  # type: dict[str, list[str]]
            for index, check in enumerate(self.plan.checks):
                if check.dimension.value == dimension and check.severity != "note":
                    columns[check.severity].append(f"c_{index}")
            items.append(
                f"(CASE WHEN {_or(columns['fail'])} THEN 2 WHEN {_or(columns['warn'])} THEN 1 "
                f"ELSE 0 END) AS st_{dimension}"
            )
        return f"SELECT {', '.join(items)} FROM ({checked}) AS checked"

    # -- stage 3: tally ----------------------------------------------------------------

    def tally(self, entities: str) -> str:
        """Counts per grain: profiles, checks, dimension statuses and problems."""
        items = ["g", "count(*) AS n", "bit_or(bad) AS bad", _sum("mixed") + " AS mixed"]
        items += [_sum(f"c_{index}") for index in range(len(self.checks))]
        for dimension in self.status_dimensions():
            items += [_sum(f"st_{dimension} = 1"), _sum(f"st_{dimension} = 2")]
        return f"SELECT {', '.join(items)} FROM {entities} GROUP BY g"

    def example_keys(self) -> list[tuple[str, str]]:
        """(key, SQL test) for every check and every dimension status examples are kept for."""
        keys = [(code, f"c_{index}") for index, code in enumerate(self.checks)]
        for dimension in self.status_dimensions():
            keys += [(f"warn:{dimension}", f"st_{dimension} = 1")]
            keys += [(f"fail:{dimension}", f"st_{dimension} = 2")]
        return keys

    def examples(self, entities: str, after: dict[str, str | None]) -> str:
        """One pass: per key, the smallest entity id in scope above the last one found.

        Run it once per example wanted, feeding each pass's answers to the next; one scan
        per pass beats a sort per key on every engine.
        """
        items = []
        for key, test in self.example_keys():
            if key in after:
                last = after[key]
                test = "FALSE" if last is None else f"{test} AND e > {self.dialect.text(last)}"
            items.append(f"min(CASE WHEN {test} THEN e END)")
        scope = f"g = {self.dialect.text(self.contract.grain.value)}"
        return f"SELECT {', '.join(items)} FROM {entities} WHERE {scope}"

    def fields(self, entities: str) -> str:
        """One row of per-field counts over the profiles in scope (see `field_columns`)."""
        scope = f"g = {self.dialect.text(self.contract.grain.value)}"
        items = [_sum(test) for _, _, test in self.field_columns()]
        return f"SELECT {', '.join(items)} FROM {entities} WHERE {scope}"

    def field_columns(self) -> list[tuple[str, str, str]]:
        """(field, what is counted, SQL test) for each column of the `fields` query."""
        columns: list[tuple[str, str, str]] = []
        for slot in self.declared:
            key = f"k_{slot.fid}"
            mask = f"({key} % {_MASK_SPAN})"
            columns += [(slot.name, "present", f"{key} IS NOT NULL")]
            if slot.lifecycle is None:
                columns += [(slot.name, "admitted", f"{mask} = 0")]
            else:
                columns += [
                    (slot.name, "admitted", f"{mask} = 0 AND NOT conflict"),
                    (slot.name, "lifecycle.conflict", f"{mask} = 0 AND conflict"),
                ]
            columns += [(slot.name, code, f"({mask} & {bit}) <> 0") for code, bit in BITS.items()]
        for slot in self.undeclared:
            test = f"(u_{self._word(slot)} & {self._bit(slot)}) <> 0"
            columns += [(slot.name, "present", test), (slot.name, "field.unknown", test)]
        return columns

    def status_dimensions(self) -> list[str]:
        """The dimensions with checks that can mark a profile down, sorted."""
        return sorted({c.dimension.value for c in self.plan.checks if c.severity != "note"})


class _Refs(dict[str, FieldRef]):
    """Field references resolved on demand (every condition field is declared)."""

    def __init__(self, owner: SqlPlan) -> None:
        super().__init__()
        self._owner = owner

    def __missing__(self, name: str) -> FieldRef:
        return self._owner._ref(name)


def _slots(plan: Plan, undeclared: list[str]) -> list[Slot]:
    contract = plan.contract
    valued: set[str] = set(contract.lifecycle)
    for rule in plan.consent:
        valued.add(rule.field)
        valued.update(condition_fields(rule.when) if rule.when else ())
    for suppression in plan.suppress:
        valued.update(condition_fields(suppression.when))
    states = list(contract.lifecycle)
    slots = [
        Slot(name, fid, True, name in valued, states.index(name) if name in states else None)
        for fid, name in enumerate(contract.fields)
    ]
    offset = len(slots)
    slots += [Slot(name, offset + i, False, False, None) for i, name in enumerate(undeclared)]
    return slots


def _or(parts: list[str]) -> str:
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def _all_or_any(every: bool, parts: list[str]) -> list[str]:
    if not parts:
        return []
    return ["(" + " AND ".join(parts) + ")"] if every else parts


def _sum(test: str) -> str:
    return f"sum(CASE WHEN {test} THEN 1 ELSE 0 END)"


def _bad_share(column: str) -> str:
    value = f"TRY_CAST({column} AS DOUBLE)"
    return f"{column} IS NOT NULL AND ({value} IS NULL OR {value} < 0 OR {value} > 1)"


def _whole_micros(span: timedelta) -> int:
    # Integer microseconds, as Python's datetime arithmetic counts them: no float rounding.
    return (span.days * 86400 + span.seconds) * 1_000_000 + span.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
