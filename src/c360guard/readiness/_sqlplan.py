"""Compile a contract into the survival test's SQL: the same text for DuckDB and Spark.

Four aggregate stages, each a set-based query over the previous one:

1. rows: each value of the long table gets its problem mask (one bit per finding code),
   its lifecycle state and its precedence key, by joining two small tables of rules;
2. pairs (GROUP BY entity, field): the value screening keeps, by the engine's own rule:
   the admissible candidate of highest precedence, else the first candidate's problems;
3. entities (GROUP BY entity): lifecycle conflicts, consent and suppression conditions in
   three-valued logic, reason codes and destinations, and each check as a boolean column;
4. tally: counts per check and dimension status, examples, and per-field coverage.
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
"""The long layout's columns, in order."""

REQUIRED: frozenset[str] = frozenset(
    {"entity_id", "grain", "field", "value", "source", "owner", "updated_at"}
)
"""Columns a table must have; the others read as empty when absent."""

ROW_PROBLEMS: dict[int, tuple[str, str]] = {
    1: ("entity_id", "have no entity id"),
    2: ("field", "have no field name"),
    4: ("grain", "hold a grain other than " + ", ".join(g.value for g in Grain)),
    8: ("field_grain", "hold a grain other than " + ", ".join(g.value for g in Grain)),
    16: ("updated_at", "hold a timestamp that does not parse as ISO 8601"),
    32: ("updated_at", "hold a timestamp without a UTC offset (write Z or +00:00)"),
    64: ("value", 'hold text that is not valid JSON (write strings quoted: "Customer")'),
    128: ("match_confidence", "hold something other than a number from 0 to 1"),
    256: ("confidence", "hold something other than a number from 0 to 1"),
}
"""Bit of the row problem mask to (column, what is wrong with the rows)."""

RAW = "c360_rows"
"""The view every engine registers over the table, with the columns above as text."""

_WORD = 62
"""Special fields per BIGINT bitset."""
_MASK_SPAN = 1024
"""One more than the largest problem mask: the low bits of a candidate key."""
_OK_BIT = 1 << 58
"""The candidate key's top bit: set when the candidate has a problem."""


def candidate_key(rank: str = "qrank", micros: str = "ts_us", mask: str = "mask") -> str:
    """SQL for a candidate's order among its field's candidates (problems aside).

    Precedence first (unknown sources last), then the newest second, then the smaller
    mask; the in-memory reader sorts by the same number.
    """
    seconds = f"CAST(floor(COALESCE({micros}, 0) / 1000000.0) AS BIGINT)"
    clamped = f"(CASE WHEN {seconds} < 0 THEN 0 WHEN {seconds} > {_SECONDS} THEN {_SECONDS} ELSE {seconds} END)"
    return (
        f"(CAST(COALESCE({rank}, 9999) AS BIGINT) * {1 << 44} "
        f"+ ({_SECONDS} - {clamped}) * {_MASK_SPAN} + {mask})"
    )


_SECONDS = (1 << 34) - 1
"""The latest second a candidate key can tell apart (the year 2514)."""


@dataclass(frozen=True)
class Special:
    """A field the entity stage reads one by one (critical, lifecycle, rules, evidence)."""

    name: str
    index: int
    needs_value: bool
    lifecycle: bool


class SqlPlan:
    """The survival test's queries for one contract, one instant and one SQL dialect."""

    def __init__(self, plan: Plan, *, now: datetime, dialect: Dialect) -> None:
        self.plan = plan
        self.contract: Contract = plan.contract
        self.dialect = dialect
        self.now_us = _micros(now)
        self.checks = [check.code for check in plan.checks]
        self.specials = _specials(plan)
        self.special = {s.name: s for s in self.specials}

    # -- stage 1: rows -----------------------------------------------------------------

    def staged(self) -> str:
        """Every row with typed columns, its row problems and its entity signature."""
        d = self.dialect
        text = ", ".join(
            f"NULLIF(CAST({column} AS STRING), '') AS {column}" for column in COLUMNS
        )
        grains = ", ".join(d.text(g.value) for g in Grain)
        # The offset test reads the text after the date, where a sign can only be an offset.
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
                (32, f"updated_at IS NOT NULL AND ts_us IS NOT NULL AND NOT {offset}"),
                (64, f"value IS NOT NULL AND NOT {d.json_valid('value')}"),
                (128, _bad_share("match_confidence")),
                (256, _bad_share("confidence")),
            )
        )
        signature = d.hash("COALESCE(grain, '')", "COALESCE(parent_id, '')",
                           "COALESCE(match_confidence, '')")  # fmt: skip
        timed = f"SELECT *, {d.epoch_micros('updated_at')} AS ts_us FROM (SELECT {text} FROM {RAW}) AS t"
        return (
            "SELECT entity_id AS e, grain AS g, parent_id AS p, "
            "TRY_CAST(match_confidence AS DOUBLE) AS mc, field AS f, value AS v, "
            "source AS src, owner AS own, ts_us, "
            "TRY_CAST(confidence AS DOUBLE) AS conf, source_path AS path, field_grain AS fg, "
            f"{problems} AS bad, {signature} AS sig FROM ({timed}) AS raw"
        )

    def rules_table(self) -> str:
        """The contract's field rules at the ceiling, as a VALUES table."""
        d, ceiling = self.dialect, self.contract.authority
        defaults = self.contract.defaults
        rows = []
        for index, (name, rule) in enumerate(self.contract.fields.items()):
            limit = rule.freshness_limit(ceiling)
            owner = defaults.owner_required if rule.owner_required is None else rule.owner_required
            path = (
                defaults.source_path_required
                if rule.source_path_required is None
                else rule.source_path_required
            )
            special = self.special.get(name)
            lifecycle = (
                list(self.contract.lifecycle).index(name)
                if name in self.contract.lifecycle
                else None
            )
            rows.append(
                "("
                + ", ".join(
                    [
                        d.text(name),
                        str(index),
                        f"CAST({_micros_of(limit)} AS BIGINT)",
                        "TRUE" if owner else "FALSE",
                        "TRUE" if path else "FALSE",
                        f"CAST({rule.min_confidence!r} AS DOUBLE)"
                        if rule.min_confidence is not None
                        else "CAST(NULL AS DOUBLE)",
                        f"CAST({d.text(rule.grain.value)} AS STRING)"
                        if rule.grain is not None
                        else "CAST(NULL AS STRING)",
                        "TRUE" if special and special.needs_value else "FALSE",
                        f"CAST({lifecycle} AS INTEGER)"
                        if lifecycle is not None
                        else "CAST(NULL AS INTEGER)",
                    ]
                )
                + ")"
            )
        return (
            f"(VALUES {', '.join(rows)}) AS r(name, fid, lim, own_req, path_req, minc, rgrain, "
            "keep_value, lc)"
        )

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

        The key orders a field's candidates the way screening does: admissible first, then
        by source precedence; equal precedence goes to the newest value, then the smaller
        mask. The low ten bits of the key are the mask itself, so the pair stage reads the
        kept candidate's problems off the smallest key with no string comparison at all.
        """
        b = BITS
        states = self._state_sql()
        with_state = (
            f"SELECT s.*, r.fid, r.lim, r.own_req, r.path_req, r.minc, r.rgrain, r.keep_value, "
            f"r.lc, q.qrank, {states} AS state FROM ({self.staged()}) AS s "
            f"LEFT JOIN {self.rules_table()} ON s.f = r.name "
            f"LEFT JOIN {self.precedence_table()} ON s.f = q.qname AND s.src = q.qsource"
        )
        mask = (
            f"CASE WHEN fid IS NULL THEN {b['field.unknown']} ELSE "
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
            f"SELECT *, (CASE WHEN mask = 0 THEN 0 ELSE {_OK_BIT} END) + {candidate_key()} AS pkey "
            f"FROM (SELECT *, {mask} AS mask FROM ({with_state}) AS w) AS m"
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

    # -- stage 2: pairs ----------------------------------------------------------------

    def pairs(self) -> str:
        """One row per entity and field: the candidate screening keeps and its problems."""
        takes_part = f"lc IS NOT NULL AND (mask & {~AGE_BOUND_MASK & 0xFFFF}) = 0"
        return (
            "SELECT e, f, any_value(fid) AS fid, any_value(g) AS g, any_value(p) AS p, "
            "any_value(mc) AS mc, min(sig) AS sig_lo, max(sig) AS sig_hi, bit_or(bad) AS bad, "
            f"min(pkey) % {_MASK_SPAN} AS mask, "
            "min_by(CASE WHEN keep_value THEN v END, pkey) AS v, "
            f"min(CASE WHEN {takes_part} THEN state END) AS st_lo, "
            f"max(CASE WHEN {takes_part} THEN state END) AS st_hi "
            f"FROM ({self.rows()}) AS valued GROUP BY e, f"
        )

    # -- stage 3: entities -------------------------------------------------------------

    def entities(self, pairs: str) -> str:
        """One row per entity: its grain, row problems and one boolean column per check."""
        grouped = self._entity_groups(pairs)
        derived = self._entity_derived(grouped)
        checks = self._entity_checks(derived)
        return self._entity_statuses(checks)

    def _entity_groups(self, pairs: str) -> str:
        items = [
            "e", "any_value(g) AS g", "any_value(p) AS p", "any_value(mc) AS mc",
            "min(sig_lo) AS sig_lo", "max(sig_hi) AS sig_hi", "bit_or(bad) AS bad",
            "bit_or(CASE WHEN fid IS NOT NULL THEN mask ELSE 0 END) AS any_mask",
            "min(st_lo) AS st_lo", "max(st_hi) AS st_hi",
        ]  # fmt: skip
        # Presence and admission of the special fields travel as bitsets: two aggregates per
        # 62 fields instead of two per field.
        for word in range(self._words()):
            bits = self._bits_case(word)
            items += [
                f"bit_or({bits}) AS pres_{word}",
                f"bit_or(CASE WHEN mask = 0 THEN {bits} ELSE 0 END) AS adm_{word}",
            ]
        for s in self.specials:
            if s.needs_value:
                fid = list(self.contract.fields).index(s.name)
                items.append(f"max(CASE WHEN fid = {fid} THEN v END) AS val_{s.index}")
        return f"SELECT {', '.join(items)} FROM {pairs} GROUP BY e"

    def _words(self) -> int:
        return (len(self.specials) + _WORD - 1) // _WORD

    def _bits_case(self, word: int) -> str:
        fields = list(self.contract.fields)
        cases = " ".join(
            f"WHEN {fields.index(s.name)} THEN CAST({1 << (s.index % _WORD)} AS BIGINT)"
            for s in self.specials
            if s.index // _WORD == word
        )
        return f"(CASE fid {cases} ELSE CAST(0 AS BIGINT) END)"

    def _bit(self, kind: str, s: Special) -> str:
        return f"(({kind}_{s.index // _WORD} & {1 << (s.index % _WORD)}) <> 0)"

    def _entity_derived(self, grouped: str) -> str:
        conflict = "(st_lo IS NOT NULL AND st_lo <> st_hi)"
        items = ["*", f"{conflict} AS conflict"]
        for s in self.specials:
            admitted = self._bit("adm", s)
            if s.lifecycle:
                admitted = f"({admitted} AND NOT {conflict})"
            items += [f"{admitted} AS known_{s.index}", f"{self._bit('pres', s)} AS has_{s.index}"]
        return f"SELECT {', '.join(items)} FROM ({grouped}) AS grouped"

    def _ref(self, name: str) -> FieldRef:
        s = self.special[name]
        value = f"val_{s.index}" if s.needs_value else "CAST(NULL AS STRING)"
        return FieldRef(known=f"known_{s.index}", present=f"has_{s.index}", value=value)

    def _entity_checks(self, derived: str) -> str:
        column = {code: self._check_sql(code) for code in self.checks}
        items = ["e", "g", "bad", "(sig_lo <> sig_hi) AS mixed", "conflict"]
        items += [f"{sql} AS c_{index}" for index, sql in enumerate(column.values())]
        for s in self.specials:
            if s.lifecycle:
                items.append(f"({self._bit('adm', s)} AND conflict) AS lcw_{s.index}")
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
            return self._all_or_any(code == "reason.missing", self._unusable_reasons())
        if code in ("destination.blocked", "destination.write_withheld"):
            return self._all_or_any(code == "destination.blocked", self._blocked_actions())
        raise ValueError(f"no SQL for check {code}")

    def _consent(self, rule: ConsentRule, code: str) -> str:
        applies = "TRUE"
        if rule.when is not None:
            truth = compile_condition(rule.when, _Refs(self), self.dialect)
            applies = f"COALESCE({truth}, TRUE)"
        ref = self._ref(rule.field)
        if code == "consent.missing":
            return f"({applies} AND NOT {ref.known})"
        granted = one_of(ref, rule.allow, self.dialect)
        return f"({applies} AND {ref.known} AND NOT {granted})"

    def _suppression(self, when: Condition, code: str) -> str:
        truth = compile_condition(when, _Refs(self), self.dialect)
        if code == "suppression.active":
            return f"COALESCE({truth}, FALSE)"
        return f"({truth} IS NULL)"

    def _unusable_reasons(self) -> list[str]:
        found = []
        for evidence in self.plan.evidence.values():
            hidden = [n for n in evidence if n in self.plan.sensitive]
            if hidden:
                found.append("TRUE")
            elif evidence:
                found.append(_or([f"NOT {self._ref(n).known}" for n in sorted(evidence)]))
            else:
                found.append("FALSE")
        return found

    def _blocked_actions(self) -> list[str]:
        return [
            _or([f"NOT {self._ref(n).known}" for n in sorted(writes)])
            for writes in self.plan.writers.values()
        ]

    @staticmethod
    def _all_or_any(every: bool, parts: list[str]) -> list[str]:
        if not parts:
            return []
        return ["(" + " AND ".join(parts) + ")"] if every else parts

    def _entity_statuses(self, checks: str) -> str:
        items = ["*"]
        by_dimension: dict[str, dict[str, list[str]]] = {}
        for index, check in enumerate(self.plan.checks):
            if check.severity != "note":
                slot = by_dimension.setdefault(check.dimension.value, {"fail": [], "warn": []})
                slot[check.severity].append(f"c_{index}")
        for dimension, slots in by_dimension.items():
            failing, warning = _or(slots["fail"]), _or(slots["warn"])
            items.append(
                f"(CASE WHEN {failing} THEN 2 WHEN {warning} THEN 1 ELSE 0 END) AS st_{dimension}"
            )
        return f"SELECT {', '.join(items)} FROM ({checks}) AS checks"

    # -- stage 4: tally ----------------------------------------------------------------

    def tally(self, entities: str) -> str:
        """Counts per grain: checks, dimension statuses, lifecycle withholds, problems."""
        items = ["g", "count(*) AS n", "bit_or(bad) AS bad", _sum("mixed") + " AS mixed"]
        items += [_sum(f"c_{index}") + f" AS c_{index}" for index in range(len(self.checks))]
        for dimension in self.status_dimensions():
            items += [
                _sum(f"st_{dimension} = 1") + f" AS w_{dimension}",
                _sum(f"st_{dimension} = 2") + f" AS f_{dimension}",
            ]
        items += [_sum(f"lcw_{s.index}") + f" AS lcw_{s.index}" for s in self.lifecycle_fields()]
        return f"SELECT {', '.join(items)} FROM {entities} GROUP BY g"

    def examples(self, entities: str, limit: int) -> str:
        """The smallest entity ids per check and per dimension status, in scope."""
        scope = f"g = {self.dialect.text(self.contract.grain.value)}"
        keys = [(code, f"c_{index}") for index, code in enumerate(self.checks)]
        for dimension in self.status_dimensions():
            keys += [(f"warn:{dimension}", f"st_{dimension} = 1")]
            keys += [(f"fail:{dimension}", f"st_{dimension} = 2")]
        parts = [
            f"(SELECT {self.dialect.text(key)} AS k, e FROM {entities} "
            f"WHERE {scope} AND {test} ORDER BY e LIMIT {limit})"
            for key, test in keys
        ]
        return " UNION ALL ".join(parts)

    def fields(self, pairs: str) -> str:
        """Per field, over pairs in scope: present, admitted and profiles per problem bit."""
        scope = f"g = {self.dialect.text(self.contract.grain.value)}"
        items = ["f", "count(*) AS present", _sum("mask = 0") + " AS admitted"]
        items += [_sum(f"(mask & {bit}) <> 0") + f" AS b_{bit}" for bit in BITS.values()]
        return f"SELECT {', '.join(items)} FROM {pairs} WHERE {scope} GROUP BY f"

    def status_dimensions(self) -> list[str]:
        return sorted({c.dimension.value for c in self.plan.checks if c.severity != "note"})

    def lifecycle_fields(self) -> list[Special]:
        return [s for s in self.specials if s.lifecycle]


class _Refs(dict[str, FieldRef]):
    """Field references resolved on demand (every condition field is a special field)."""

    def __init__(self, owner: SqlPlan) -> None:
        super().__init__()
        self._owner = owner

    def __missing__(self, name: str) -> FieldRef:
        return self._owner._ref(name)


def _specials(plan: Plan) -> list[Special]:
    contract = plan.contract
    valued: set[str] = set(contract.lifecycle)
    for rule in plan.consent:
        valued.add(rule.field)
        valued.update(condition_fields(rule.when) if rule.when else ())
    for suppression in plan.suppress:
        valued.update(condition_fields(suppression.when))
    named = set(valued)
    named.update(n for n, r in contract.fields.items() if r.critical)
    named.update(n for evidence in plan.evidence.values() for n in evidence)
    named.update(n for writes in plan.writers.values() for n in writes)
    ordered = [name for name in contract.fields if name in named]
    return [
        Special(name, index, name in valued, name in contract.lifecycle)
        for index, name in enumerate(ordered)
    ]


def _or(parts: list[str]) -> str:
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def _sum(test: str) -> str:
    return f"sum(CASE WHEN {test} THEN 1 ELSE 0 END)"


def _bad_share(column: str) -> str:
    value = f"TRY_CAST({column} AS DOUBLE)"
    return f"{column} IS NOT NULL AND ({value} IS NULL OR {value} < 0 OR {value} > 1)"


def _micros(at: datetime) -> int:
    return _whole_micros(at - _EPOCH)


def _micros_of(limit: timedelta | None) -> str:
    return "NULL" if limit is None else str(_whole_micros(limit))


def _whole_micros(span: timedelta) -> int:
    # Integer microseconds, as Python's datetime arithmetic counts them: no float rounding.
    return (span.days * 86400 + span.seconds) * 1_000_000 + span.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
