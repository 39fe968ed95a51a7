"""The raw data contract: table names, column order and Arrow types."""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
STR = pa.string()
DATE = pa.date32()
I64 = pa.int64()
F64 = pa.float64()
BOOL = pa.bool_()

SCHEMAS: dict[str, pa.Schema] = {
    "accounts": pa.schema(
        [
            ("account_id", STR),
            ("account_name", STR),
            ("created_at", TS),
            ("segment", STR),
            ("industry", STR),
            ("region", STR),
            ("employee_count", I64),
            ("icp_tier", I64),
            ("acquisition_channel", STR),
            ("use_case", STR),
            ("csm_owner", STR),
        ]
    ),
    "subscription_line_items": pa.schema(
        [
            ("line_item_id", STR),
            ("account_id", STR),
            ("product", STR),
            ("plan", STR),
            ("line_type", STR),
            ("interval_months", I64),
            ("start_date", DATE),
            ("end_date", DATE),
            ("quantity", F64),
            ("unit_price", F64),
            ("discount_pct", F64),
            ("currency", STR),
        ]
    ),
    "fx_rates": pa.schema([("currency", STR), ("rate_to_usd", F64)]),
    "users": pa.schema(
        [
            ("user_id", STR),
            ("account_id", STR),
            ("role", STR),
            ("is_licensed", BOOL),
            ("created_at", TS),
            ("deactivated_at", TS),
        ]
    ),
    "usage_events": pa.schema(
        [
            ("event_id", STR),
            ("account_id", STR),
            ("user_id", STR),
            ("occurred_at", TS),
            ("feature", STR),
            ("session_id", STR),
        ]
    ),
    "integrations": pa.schema(
        [
            ("account_id", STR),
            ("integration_name", STR),
            ("connected_at", TS),
            ("disconnected_at", TS),
        ]
    ),
    "support_tickets": pa.schema(
        [
            ("ticket_id", STR),
            ("account_id", STR),
            ("user_id", STR),
            ("created_at", TS),
            ("resolved_at", TS),
            ("priority", STR),
            ("subject", STR),
            ("body", STR),
            ("csat_score", I64),
        ]
    ),
    "nps_responses": pa.schema(
        [
            ("response_id", STR),
            ("account_id", STR),
            ("user_id", STR),
            ("responded_at", TS),
            ("score", I64),
            ("comment", STR),
        ]
    ),
    "feedback_items": pa.schema(
        [
            ("feedback_id", STR),
            ("account_id", STR),
            ("source", STR),
            ("created_at", TS),
            ("body", STR),
            ("rating", I64),
        ]
    ),
    "invoices": pa.schema(
        [
            ("invoice_id", STR),
            ("account_id", STR),
            ("issued_at", DATE),
            ("due_date", DATE),
            ("amount", F64),
            ("currency", STR),
            ("status", STR),
            ("paid_at", TS),
            ("attempt_count", I64),
            ("voided_at", TS),
        ]
    ),
    "crm_events": pa.schema(
        [
            ("crm_event_id", STR),
            ("account_id", STR),
            ("occurred_at", TS),
            ("event_type", STR),
            ("contact_role", STR),
            ("details", STR),
        ]
    ),
    "community_activity": pa.schema(
        [
            ("activity_id", STR),
            ("account_id", STR),
            ("user_id", STR),
            ("occurred_at", TS),
            ("activity_type", STR),
        ]
    ),
    "churn_surveys": pa.schema(
        [
            ("survey_id", STR),
            ("account_id", STR),
            ("submitted_at", TS),
            ("reason_category", STR),
            ("competitor_name", STR),
            ("comment", STR),
        ]
    ),
    "cs_activities": pa.schema(
        [
            ("activity_id", STR),
            ("account_id", STR),
            ("occurred_at", TS),
            ("activity_type", STR),
            ("owner", STR),
            ("notes", STR),
        ]
    ),
}

#: the 14 raw tables, in write order
TABLES: list[str] = list(SCHEMAS)


def ground_truth_schema(drivers: list[str]) -> pa.Schema:
    fields = [
        ("account_id", STR),
        ("churn_date", DATE),
        ("churn_reason", STR),
        ("is_reactivated", BOOL),
        ("reactivated_at", DATE),
        ("first_churn_date", DATE),
        ("first_churn_reason", STR),
    ]
    for d in drivers:
        fields += [(f"has_{d}", BOOL), (f"{d}_at", DATE)]
    fields += [
        ("is_cs_holdout", BOOL),
        ("cs_save_attempt_level", STR),
        ("cs_save_attempt_touch", STR),
        ("cs_saved_level", STR),
        ("cs_averted_churn_date", DATE),
    ]
    fields.append(("latent_health_at_end", F64))
    return pa.schema(fields)
