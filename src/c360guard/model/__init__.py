"""The vocabulary of c360guard as pydantic models: pure data, no I/O beyond loading."""

from c360guard.model._enums import Authority, Dimension, Grain, Outcome, Readiness
from c360guard.model.condition import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Equals,
    Exists,
    In,
    Not,
    NotIn,
)
from c360guard.model.contract import (
    ANY_ACTION,
    ActionDef,
    ConsentRule,
    Contract,
    Defaults,
    FieldRule,
    IdentityRule,
    ReasonDef,
    ReviewRule,
    RollbackRule,
    SuppressRule,
)
from c360guard.model.decision import Feedback, ReviewDecision
from c360guard.model.duration import Duration, format_duration, parse_duration
from c360guard.model.finding import DIMENSION_OF, Finding, FindingCode
from c360guard.model.loader import contract_from_dict, load_contract
from c360guard.model.pause import PauseState
from c360guard.model.profile import Entity, FieldValue, Profile, load_profile
from c360guard.model.recommendation import Reason, Recommendation
from c360guard.model.ticket import (
    DecisionKind,
    ExecutionRecord,
    FieldProvenance,
    ReviewTicket,
    TicketStatus,
)
from c360guard.model.verdict import Screening, Verdict, provenance

__all__ = [
    "ANY_ACTION",
    "DIMENSION_OF",
    "ActionDef",
    "AllOf",
    "AnyOf",
    "Authority",
    "Compare",
    "Condition",
    "ConsentRule",
    "Contract",
    "DecisionKind",
    "Defaults",
    "Dimension",
    "Duration",
    "Entity",
    "Equals",
    "ExecutionRecord",
    "Exists",
    "Feedback",
    "FieldProvenance",
    "FieldRule",
    "FieldValue",
    "Finding",
    "FindingCode",
    "Grain",
    "IdentityRule",
    "In",
    "Not",
    "NotIn",
    "Outcome",
    "PauseState",
    "Profile",
    "Readiness",
    "Reason",
    "ReasonDef",
    "Recommendation",
    "ReviewDecision",
    "ReviewRule",
    "ReviewTicket",
    "RollbackRule",
    "Screening",
    "SuppressRule",
    "TicketStatus",
    "Verdict",
    "contract_from_dict",
    "format_duration",
    "load_contract",
    "load_profile",
    "parse_duration",
    "provenance",
]
