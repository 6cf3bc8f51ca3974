"""What the generated Customer 360 holds: the fields of each grain, as DuckDB SQL expressions.

Every expression reads the latent columns of one generated account (`acc`), so the fields of
a profile agree with each other: a Trial in the CRM is `trialing` in billing, a large seat
count comes with large usage, a falling usage trend drags the health score down.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFECTS: tuple[str, ...] = (
    "stale",
    "unowned",
    "untrusted_source",
    "lifecycle_conflict",
    "missing_consent",
    "suppression",
    "grain_mismatch",
    "fuzzy_merge",
    "sentinel_id",
)
"""The defects the generator can plant, in the order their rates are laid out."""

CHECK_OF_DEFECT: dict[str, str] = {
    "stale": "field.stale",
    "unowned": "field.unowned",
    "untrusted_source": "field.untrusted_source",
    "lifecycle_conflict": "lifecycle.conflict",
    "missing_consent": "consent.missing",
    "suppression": "suppression.active",
    "grain_mismatch": "field.grain_mismatch",
    "fuzzy_merge": "identity.low_match_confidence",
    "sentinel_id": "identity.sentinel_id",
}
"""The survival-test check that finds each planted defect (against the companion contract)."""

FIELD_DEFECT_TARGETS: tuple[str, ...] = (
    "renewal_date",
    "account_name",
    "csm_owner",
    "plan",
    "seats_used",
    "product_usage_30d",
    "usage_change_30d",
    "health_score",
)
"""Fields a stale, unowned or untrusted-source defect may hit: declared by the companion
contract, fed by one source, and read by no consent, suppression or lifecycle rule."""

SENTINEL_PARENTS: tuple[str, ...] = ("-1", "null", "0", "N/A")
"""Placeholder parent ids that broken hierarchy joins leave behind."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of one grain: where it comes from and how its value is drawn."""

    name: str
    source: str
    owner: str
    path: str
    value: str
    """SQL for the value, before it is written as JSON text."""
    present: str = "TRUE"
    """SQL that decides whether the profile holds the field at all."""
    confidence: str = "NULL"
    """SQL for the producer's confidence (derived scores only)."""
    kind: str = "str"
    """How the value is written as JSON: `str`, `num` or `bool`."""


_CRM = ("salesforce", "revops")
_BILLING = ("stripe", "finance-systems")
_PRODUCT = ("warehouse", "data-platform")
_SUPPORT = ("zendesk", "support-ops")
_CS = ("gainsight", "cs-ops")
_MARKETING = ("hubspot", "marketing-ops")


def _spec(origin: tuple[str, str], name: str, path: str, value: str, **extra: str) -> FieldSpec:
    return FieldSpec(name=name, source=origin[0], owner=origin[1], path=path, value=value, **extra)


ACCOUNT_FIELDS: tuple[FieldSpec, ...] = (
    # CRM
    _spec(_CRM, "account_name", "Account.Name", "name"),
    _spec(_CRM, "crm_stage", "Account.Stage__c", "stage"),
    _spec(_CRM, "csm_owner", "Account.CSM__c", "printf('csm_%03d', csm)"),
    _spec(_CRM, "account_owner", "Account.OwnerId", "printf('ae_%03d', ae)"),
    _spec(_CRM, "renewal_date", "Account.Renewal_Date__c", "strftime(renewal, '%Y-%m-%d')"),
    _spec(_CRM, "arr", "Account.ARR__c", "round(arr, -2)", present="u_arr_crm < 0.3", kind="num"),
    _spec(_CRM, "industry", "Account.Industry", "industry"),
    _spec(_CRM, "employee_count", "Account.NumberOfEmployees", "employees", kind="num"),
    _spec(_CRM, "region", "Account.Region__c", "region"),
    _spec(_CRM, "account_tier", "Account.Tier__c", "tier"),
    _spec(_CRM, "opportunity_stage", "Opportunity.StageName", "opportunity"),
    _spec(_CRM, "open_opportunity", "Opportunity.IsClosed", "opportunity <> 'None'", kind="bool"),
    _spec(_CRM, "email", "Contact.Email", "'billing@' || domain"),
    # Billing
    _spec(_BILLING, "arr", "subscription.arr", "arr", kind="num"),
    _spec(_BILLING, "billing_status", "subscription.status", "billing_status"),
    _spec(_BILLING, "mrr", "subscription.mrr", "round(arr / 12, 2)", kind="num"),
    _spec(_BILLING, "plan", "subscription.plan", "plan"),
    _spec(_BILLING, "seats_purchased", "subscription.quantity", "seats", kind="num"),
    _spec(_BILLING, "payment_failures_90d", "charges.failed_90d", "payment_failures", kind="num"),
    _spec(_BILLING, "invoice_overdue_days", "invoices.days_overdue", "overdue_days", kind="num"),
    # Product
    _spec(_PRODUCT, "product_usage_30d", "marts.usage_30d.events", "usage_events", kind="num"),
    _spec(_PRODUCT, "usage_change_30d", "marts.usage_30d.change", "round(usage_change, 3)",
          kind="num"),
    _spec(_PRODUCT, "active_users_30d", "marts.usage_30d.active_users", "active_users", kind="num"),
    _spec(_PRODUCT, "seats_used", "marts.seats.used", "seats_used", kind="num"),
    _spec(_PRODUCT, "product_status", "marts.accounts.status", "product_status"),
    _spec(_PRODUCT, "feature_adoption_score", "marts.adoption.score", "round(adoption, 2)",
          kind="num"),
    _spec(_PRODUCT, "last_login_at", "marts.logins.last_at",
          "strftime(last_login, '%Y-%m-%dT%H:%M:%SZ')"),
    # Support
    _spec(_SUPPORT, "open_escalation_severity", "escalations.open.severity", "escalation"),
    _spec(_SUPPORT, "open_tickets", "tickets.open.count", "open_tickets", kind="num"),
    _spec(_SUPPORT, "csat_90d", "satisfaction.csat_90d", "round(csat, 2)", kind="num"),
    # Customer success
    _spec(_CS, "health_score", "scorecard.health", "health", confidence="health_confidence",
          kind="num"),
    _spec(_CS, "churn_risk_score", "scorecard.churn_risk", "round(1 - health / 100.0, 2)",
          confidence="health_confidence", kind="num"),
    _spec(_CS, "nps", "surveys.nps.last", "nps", kind="num"),
    _spec(_CS, "last_csm_touch", "timeline.last_touch", "strftime(last_touch, '%Y-%m-%d')"),
    # Marketing
    _spec(_MARKETING, "email_consent", "contact.hs_email_optin", "'granted'"),
    _spec(("onetrust", "privacy-office"), "gdpr_marketing_consent", "consents.marketing",
          "'granted'", present="region IN ('EU', 'UK')"),
    _spec(_MARKETING, "lead_score", "contact.hubspotscore", "lead_score", kind="num"),
    _spec(_MARKETING, "last_email_open_at", "contact.hs_email_last_open_date",
          "strftime(last_open, '%Y-%m-%dT%H:%M:%SZ')"),
    _spec(("braze", "lifecycle-marketing"), "holdout_group", "users.custom.holdout", "holdout",
          kind="bool"),
    _spec(_MARKETING, "preferred_language", "contact.hs_language", "language"),
)  # fmt: skip
"""The fields of an account profile (about 40, `arr` from two sources on some accounts)."""

PARENT_FIELDS: tuple[FieldSpec, ...] = (
    _spec(_CRM, "parent_name", "Account.Name", "parent_name"),
    _spec(_CRM, "parent_account_owner", "Account.OwnerId", "printf('ae_%03d', parent_ae)"),
    _spec(_CRM, "region", "Account.Region__c", "parent_region"),
    _spec(_BILLING, "arr", "rollup.arr", "parent_arr", kind="num"),
)
"""The fields of a parent (the corporate family an account belongs to)."""

WORKSPACE_FIELDS: tuple[FieldSpec, ...] = (
    _spec(_PRODUCT, "workspace_name", "workspaces.name", "'ws-' || domain"),
    _spec(_PRODUCT, "product_usage_30d", "marts.usage_30d.events", "usage_events // 2", kind="num"),
    _spec(
        _PRODUCT,
        "active_users_30d",
        "marts.usage_30d.active_users",
        "active_users // 2",
        kind="num",
    ),
    _spec(_PRODUCT, "seats_used", "marts.seats.used", "seats_used // 2", kind="num"),
    _spec(_BILLING, "plan", "subscription.plan", "plan"),
)
"""The fields of a workspace (one product tenant of an account)."""

CONTACT_FIELDS: tuple[FieldSpec, ...] = (
    _spec(_CRM, "email", "Contact.Email", "'admin@' || domain"),
    _spec(_CRM, "first_name", "Contact.FirstName", "first_name"),
    _spec(_CRM, "title", "Contact.Title", "title"),
    _spec(_MARKETING, "email_consent", "contact.hs_email_optin", "'granted'"),
    _spec(_MARKETING, "last_email_open_at", "contact.hs_email_last_open_date",
          "strftime(last_open, '%Y-%m-%dT%H:%M:%SZ')"),
)  # fmt: skip
"""The fields of a contact (the account's admin)."""


LATENT_STAGES: tuple[tuple[str, ...], ...] = (
    (
        "CASE WHEN {u1} < 0.6 THEN 'SMB' WHEN {u1} < 0.9 THEN 'Mid-Market' ELSE 'Enterprise' END"
        " AS tier",
        "CASE WHEN {u2} < 0.82 THEN 'Customer' WHEN {u2} < 0.95 THEN 'Trial' ELSE 'Churned' END"
        " AS stage",
        "CASE WHEN {u3} < 0.42 THEN 'NA' WHEN {u3} < 0.70 THEN 'EU' WHEN {u3} < 0.78 THEN 'UK'"
        " WHEN {u3} < 0.93 THEN 'APAC' ELSE 'LATAM' END AS region",
        "(['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Tyrell', 'Hooli'])"
        "[1 + CAST(floor({u4} * 8) AS INTEGER)] || ' ' || (['Labs', 'Systems', 'Group', 'Corp',"
        " 'Analytics', 'Logistics', 'Health', 'Retail'])[1 + CAST(floor({u5} * 8) AS INTEGER)]"
        " || ' ' || CAST(i AS VARCHAR) AS name",
        "(['Software', 'Retail', 'Healthcare', 'Financial Services', 'Manufacturing',"
        " 'Education', 'Media', 'Logistics'])[1 + CAST(floor({u6} * 8) AS INTEGER)] AS industry",
        "(['None', 'Prospecting', 'Proposal', 'Negotiation'])"
        "[1 + CAST(floor(pow({u7}, 3) * 4) AS INTEGER)] AS opportunity",
        "{z8} AS z_size",
        "{z10} AS z_usage",
        "{z12} AS z_health",
        "{u14} AS u_seat_price",
        "{u15} AS u_seat_use",
        "{u16} AS u_arr_crm",
        "CAST(floor({u17} * 120) AS INTEGER) AS csm",
        "CAST(floor({u18} * 300) AS INTEGER) AS ae",
        "CAST(floor(pow({u19}, 6) * 4) AS INTEGER) AS payment_failures",
        "CASE WHEN {u20} < 0.9 THEN 0 ELSE CAST(floor({u21} * 60) AS INTEGER) END AS overdue_days",
        "CAST(floor(-ln(1 - {u22}) * 2) AS INTEGER) AS open_tickets",
        "least(5.0, greatest(1.0, 4.2 + 0.6 * {z23})) AS csat",
        "CAST(round(least(100, greatest(-100, 30 + 35 * {z25}))) AS INTEGER) AS nps",
        "CAST(round(100 * {u27}) AS INTEGER) AS lead_score",
        "(['en', 'en', 'en', 'de', 'fr', 'es', 'ja', 'pt'])"
        "[1 + CAST(floor({u28} * 8) AS INTEGER)] AS language",
        "(['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Margaret', 'Linus'])"
        "[1 + CAST(floor({u29} * 8) AS INTEGER)] AS first_name",
        "(['Head of Ops', 'IT Admin', 'VP Finance', 'CTO', 'Office Manager'])"
        "[1 + CAST(floor({u30} * 5) AS INTEGER)] AS title",
        "0.62 + 0.37 * {u31} AS health_confidence",
        "CASE WHEN {u32} < 0.5 THEN 1.0 ELSE round(0.92 + 0.08 * {u33}, 3) END AS mc_clean",
        "round(0.55 + 0.33 * {u34}, 3) AS mc_fuzzy",
        "at_ts + to_days(CAST(floor({u35} * 365) AS INTEGER) + 1) AS renewal",
        "at_ts - to_days(CAST(floor({u36} * 45) AS INTEGER)) AS last_touch",
        "at_ts - to_seconds(CAST(floor(pow({u37}, 3) * 14 * 86400) AS BIGINT)) AS last_login",
        "at_ts - to_seconds(CAST(floor(pow({u38}, 2) * 30 * 86400) AS BIGINT)) AS last_open",
    ),
    (
        "CASE tier WHEN 'SMB' THEN 9.3 WHEN 'Mid-Market' THEN 10.9 ELSE 12.4 END + 0.55 * z_size"
        " AS log_arr",
        "least(2.0, greatest(-0.95, -0.02 + 0.18 * z_usage)) AS usage_change",
        "CASE stage WHEN 'Customer' THEN 'paid' WHEN 'Trial' THEN 'trialing' ELSE 'canceled' END"
        " AS billing_status",
        "CASE tier WHEN 'Enterprise' THEN 'enterprise' WHEN 'Mid-Market' THEN 'growth'"
        " ELSE 'starter' END AS plan",
        "CAST(round(exp(5.5 + 1.1 * z_size)) AS BIGINT) AS employees",
        "lower(replace(name, ' ', '-')) || '.example' AS domain",
    ),
    (
        "round(exp(log_arr)) AS arr",
        "greatest(1, CAST(round(exp(log_arr) / (700 + 500 * u_seat_price)) AS BIGINT)) AS seats",
        "CAST(round(100 / (1 + exp(-(0.9 + 5 * usage_change + 0.7 * z_health)))) AS INTEGER)"
        " AS health",
        "CASE WHEN usage_change < -0.5 THEN 'dormant' ELSE 'active' END AS product_status",
        "1 / (1 + exp(-(0.3 + 3 * usage_change + 0.5 * z_health))) AS adoption",
    ),
    ("greatest(1, CAST(round(seats * (0.3 + 0.65 * u_seat_use)) AS BIGINT)) AS seats_used",),
    (
        "CAST(round(seats_used * exp(3.4 + 0.5 * z_usage)) AS BIGINT) AS usage_events",
        "CAST(round(seats_used * 0.8) AS BIGINT) AS active_users",
        "'Group ' || name AS parent_name",
        "ae AS parent_ae",
        "region AS parent_region",
        "round(arr * 3.5) AS parent_arr",
    ),
)
"""The hidden traits of an account, drawn stage by stage: each stage may read the ones before.

`{uN}` is the account's N-th uniform draw in [0, 1), `{zN}` a standard normal built from
draws N and N+1, and `at_ts` the instant the data is generated for."""
