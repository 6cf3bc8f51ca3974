"""Builders shared by the review tests and their worker processes: one contract, one profile,
one routing proposal, varied per test.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from c360guard.model import (
    Contract,
    FieldProvenance,
    Profile,
    Reason,
    Recommendation,
    ReviewTicket,
    contract_from_dict,
)
from c360guard.review import (
    PauseStore,
    ReviewQueue,
    idempotency_key,
    open_pause_store,
    open_queue,
)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "postgres.sh"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
WORKFLOW = "expansion_routing"

CONTRACT: dict[str, Any] = {
    "workflow": WORKFLOW,
    "version": 2,
    "owner": "revops@example.com",
    "authority": "route",
    "grain": "account",
    "fields": {
        "renewal_date": {"sources": ["salesforce"], "fresh_within": "7d", "critical": True},
        "usage_change_30d": {"sources": ["warehouse"], "fresh_within": "2d"},
        "arr": {"sources": ["stripe"], "fresh_within": "7d"},
        "open_escalation_severity": {"sources": ["zendesk"], "fresh_within": "1d"},
    },
    "suppress": [
        {
            "code": "OPEN_ESCALATION",
            "when": {"field": "open_escalation_severity", "in": ["sev1", "sev2"]},
            "actions": ["route_expansion"],
        }
    ],
    "reasons": {
        "USAGE_SPIKE": {"label": "Usage grew fast", "evidence": ["usage_change_30d"]},
        "RENEWAL_SOON": {"label": "Renewal within 90 days", "evidence": ["renewal_date"]},
    },
    "actions": {
        "create_cs_task": {"authority": "assist", "destination": "gainsight"},
        "route_expansion": {
            "authority": "route",
            "destination": "salesforce",
            "compensate": "unroute_expansion",
        },
        "unroute_expansion": {"authority": "route", "destination": "salesforce"},
    },
    "review": {"min_confidence": 0.7, "always": ["route_expansion"], "autonomous_up_to": "assist"},
    "rollback": {"pause_if_override_rate_above": 0.5, "window": "7d", "min_decisions": 4},
}
"""A routing workflow that always reviews `route_expansion` and pauses at 50% overrides."""

OWNERS = {
    "renewal_date": ("salesforce", "revops"),
    "usage_change_30d": ("warehouse", "data-eng"),
    "arr": ("stripe", "finance"),
    "open_escalation_severity": ("zendesk", "support-ops"),
}
VALUES = {
    "renewal_date": "2027-01-31",
    "usage_change_30d": 0.65,
    "arr": 120000,
    "open_escalation_severity": "none",
}


def make_contract(**overrides: Any) -> Contract:
    """The review contract with some top-level keys replaced."""
    data = copy.deepcopy(CONTRACT)
    data.update(copy.deepcopy(overrides))
    return contract_from_dict(data)


def make_profile(entity_id: str = "acct_42", *, at: datetime = NOW, **values: Any) -> Profile:
    """A profile fresh at `at`, every field owned; keyword values replace the defaults."""
    fields = {
        name: {
            "value": values.get(name, value),
            "source": OWNERS[name][0],
            "owner": OWNERS[name][1],
            "updated_at": (at - timedelta(hours=1)).isoformat(),
            "source_path": f"{OWNERS[name][0]}.{name}",
        }
        for name, value in VALUES.items()
    }
    entity = {"id": entity_id, "grain": "account", "match_confidence": 0.99}
    return Profile.model_validate({"entity": entity, "fields": fields})


def make_recommendation(action: str | None = "route_expansion", **arguments: Any) -> Recommendation:
    """A confident routing proposal citing the usage spike."""
    return Recommendation(
        action=action,
        arguments=arguments or {"owner": "ana@example.com", "queue": "expansion"},
        reasons=[Reason(code="USAGE_SPIKE", fields=["usage_change_30d"], explanation="grew")],
        confidence=0.9,
        summary="Route the expansion to the account owner.",
    )


def make_ticket(
    entity_id: str = "acct_42", *, ticket_id: str | None = None, **arguments: Any
) -> ReviewTicket:
    """A pending ticket as the Guard files it, without going through a Guard."""
    recommendation = make_recommendation(**arguments)
    return ReviewTicket(
        id=ticket_id or uuid.uuid4().hex,
        workflow=WORKFLOW,
        contract_version=2,
        contract_digest="sha256:test",
        entity_id=entity_id,
        recommendation=recommendation,
        provenance={
            name: FieldProvenance(source=source, owner=owner)
            for name, (source, owner) in OWNERS.items()
        },
        rollback_rule=make_contract().rollback,
        idempotency_key=idempotency_key(
            WORKFLOW, entity_id, recommendation.action, recommendation.arguments
        ),
        created_at=NOW,
    )


class Stores:
    """Opens queues and pause stores on one database, and closes them all afterwards."""

    def __init__(self, db: str) -> None:
        self.db = db
        self._opened: list[Any] = []

    def queue(self) -> ReviewQueue:
        """A new review queue on the test database (a second one is a second 'process')."""
        return self._keep(open_queue(self.db))

    def pause_store(self) -> PauseStore:
        """A new pause store on the test database."""
        return self._keep(open_pause_store(self.db))

    def close(self) -> None:
        for store in self._opened:
            store.close()

    def _keep(self, store: Any) -> Any:
        self._opened.append(store)
        return store
