"""Catalogues, phrase banks and planted effect sizes of the demo-data generator.

Everything here is data: the simulation (``simulate.py``) and the table builders
(``tables.py``) read it, the manifest copies the effect sizes, and dbt seeds may mirror the
catalogues (e.g. ``FEATURE_CATALOGUE``).
"""

from __future__ import annotations

DEFAULT_ACCOUNTS = 1000
DEFAULT_MONTHS = 36
DEFAULT_SEED = 42
DEFAULT_END_DATE = "2026-10-31"
DEFAULT_FORMAT = "parquet"

#: months simulated before the window so that cohorts predate the history
PRE_WINDOW_MONTHS = 24
#: share of accounts that already exist when the window opens
PRE_WINDOW_SHARE = 0.35

SEGMENTS = ["smb", "mid_market", "enterprise"]
SEGMENT_MIX = [0.60, 0.30, 0.10]
REGIONS = ["na", "emea", "apac", "latam"]
REGION_MIX = [0.50, 0.25, 0.15, 0.10]
INDUSTRIES = [
    "software",
    "fintech",
    "healthcare",
    "retail",
    "manufacturing",
    "education",
    "media",
    "logistics",
]
CHANNELS = ["inbound", "outbound", "partner", "product_led", "event"]
#: channel mix per segment (rows: smb, mid_market, enterprise)
CHANNEL_MIX = [
    [0.35, 0.10, 0.10, 0.40, 0.05],
    [0.30, 0.30, 0.20, 0.10, 0.10],
    [0.15, 0.50, 0.20, 0.00, 0.15],
]
USE_CASES = [
    "revenue_analytics",
    "customer_reporting",
    "ops_automation",
    "product_analytics",
    "finance_planning",
]
CSM_NAMES = [
    "Dana Whitfield",
    "Marcus Oyelaran",
    "Priya Raman",
    "Tomasz Nowak",
    "Elena Rossi",
    "Kenji Watanabe",
    "Aisha Bello",
    "Lucas Martin",
    "Sofia Alvarez",
    "Grace Kim",
    "Oliver Brandt",
    "Nadia Haddad",
]
#: ICP tier mix per segment (tiers 1, 2, 3)
ICP_MIX = [[0.25, 0.45, 0.30], [0.35, 0.45, 0.20], [0.45, 0.40, 0.15]]
#: tier mix of SMB accounts created in the last third of the window (ICP drift)
ICP_MIX_RECENT_SMB = [0.15, 0.35, 0.50]

NAME_ADJECTIVES = [
    "Blue", "Bright", "Silver", "North", "Rapid", "Clear", "Summit", "Iron", "Golden", "Quiet",
    "Bold", "Urban", "Prime", "Lunar", "Cedar", "Harbor", "Vivid", "Nimble", "Atlas", "Crimson",
]  # fmt: skip
NAME_NOUNS = [
    "Harbor", "Peak", "River", "Forge", "Pixel", "Orbit", "Field", "Beacon", "Canyon", "Maple",
    "Falcon", "Signal", "Anchor", "Bridge", "Meadow", "Vertex", "Ember", "Tide", "Quarry", "Grove",
]  # fmt: skip
NAME_SUFFIXES = ["Labs", "Systems", "Group", "Health", "Logistics", "Retail", "Works", "Partners",
                 "Analytics", "Media", "Capital", "Foods"]  # fmt: skip

CURRENCIES = ["USD", "EUR", "GBP"]
FX_RATES = {"EUR": 1.08, "GBP": 1.27}
#: currency mix of EMEA accounts (USD, EUR, GBP); other regions bill in USD
EMEA_CURRENCY_MIX = [0.40, 0.40, 0.20]

# --- products, plans, prices --------------------------------------------------------------
PRODUCTS = ["platform", "analytics_addon", "automation_addon", "api_calls", "onboarding"]
PLANS = [
    "trial",
    "free",
    "starter",
    "professional",
    "business",
    "enterprise",
    "analytics",
    "automation",
    "metered",
    "standard_onboarding",
    "premium_onboarding",
]
PLAN_INDEX = {p: i for i, p in enumerate(PLANS)}
LINE_TYPES = ["recurring", "one_time", "usage"]
#: list price in USD per seat per month of the paid core plans
PLAN_PRICE_USD = {"starter": 29.0, "professional": 49.0, "business": 79.0, "enterprise": 99.0}
#: paid core plans a segment starts on (first is the entry plan, second the upgrade)
SEGMENT_PLANS = [
    ["starter", "professional"],
    ["professional", "business"],
    ["business", "enterprise"],
]
ANALYTICS_PRICE_USD = 12.0  # per seat per month
AUTOMATION_PRICE_USD = [150.0, 500.0, 1500.0]  # flat per month, by segment
ONBOARDING_PRICE_USD = [500.0, 2500.0, 10000.0]  # one-time, by segment
API_PRICE_PER_1K_USD = 0.5  # usage line, per 1,000 calls
#: contract term mix per segment over (monthly, annual, 36-month prepaid)
INTERVAL_MIX = [[0.85, 0.15, 0.0], [0.18, 0.74, 0.08], [0.05, 0.85, 0.10]]
DISCOUNT_LEVELS = [0.0, 0.1, 0.15, 0.2, 0.25]
DISCOUNT_MIX = [
    [0.85, 0.15, 0.0, 0.0, 0.0],
    [0.5, 0.25, 0.15, 0.10, 0.0],
    [0.25, 0.25, 0.2, 0.2, 0.1],
]
#: share of accounts that start with a zero-priced trial line, by segment
TRIAL_SHARE = [0.60, 0.35, 0.15]
#: share of accounts paying a one-time onboarding fee, by segment
ONBOARDING_SHARE = [0.10, 0.65, 0.95]
#: share of accounts with a metered usage line, by segment
USAGE_LINE_SHARE = [0.05, 0.15, 0.30]
#: median licensed seats at start, by segment (lognormal)
SEATS_MEDIAN = [5.0, 28.0, 110.0]
SEATS_SIGMA = [0.45, 0.5, 0.55]
#: share of smb churns that drop to the zero-priced free plan instead of leaving
FREE_DOWNGRADE_SHARE = 0.25

# --- product usage ----------------------------------------------------------------------------
#: (feature, tier): tiers are core / advanced / workflow; a seed can mirror this list
FEATURE_CATALOGUE: list[tuple[str, str]] = [
    ("dashboard_view", "core"),
    ("report_view", "core"),
    ("search", "core"),
    ("filter_apply", "core"),
    ("export_csv", "core"),
    ("share_link", "core"),
    ("comment", "core"),
    ("notification_settings", "core"),
    ("custom_report_build", "advanced"),
    ("cohort_analysis", "advanced"),
    ("forecast_model", "advanced"),
    ("sql_editor", "advanced"),
    ("data_blend", "advanced"),
    ("anomaly_alerts", "advanced"),
    ("workflow_create", "workflow"),
    ("automation_run", "workflow"),
    ("template_use", "workflow"),
    ("scheduled_delivery", "workflow"),
    ("api_access", "workflow"),
    ("approval_flow", "workflow"),
]
INTEGRATION_CATALOGUE = [
    "slack",
    "salesforce",
    "hubspot",
    "jira",
    "github",
    "google_drive",
    "zendesk",
    "snowflake",
    "microsoft_teams",
    "zapier",
    "okta",
    "segment",
]
COMPETITORS = [
    "Northwind Metrics",
    "Globex Insights",
    "Initech Cloud",
    "Umbrella BI",
    "Acme Analytics",
]

# --- drivers ----------------------------------------------------------------------------------
#: Planted churn drivers. ``hazard_multiplier`` multiplies the churn hazard (monthly plans) or
#: the non-renewal hazard rate (term contracts) while the driver is active; ``window_months`` is
#: how long it stays active after its onset (None = for good) for monthly plans, and
#: ``term_contract_window_months`` the same for the renewal decision of annual / 36-month terms
#: (a champion who leaves mid-term puts the next renewal at risk); ``lead_months`` is how long
#: its traces in the behavioural tables precede the churn it causes. ``health_shock`` is the
#: drop of the latent health at onset; the churn hazard also scales with
#: exp(-HEALTH_BETA * health deviation), so the realised hazard ratio right after an onset is
#: larger than ``hazard_multiplier`` (the shock decays with the health's mean reversion).
DRIVER_EFFECTS: dict[str, dict] = {
    "champion_departure": {
        "hazard_multiplier": 3.0,
        "health_shock": -1.0,
        "window_months": 6,
        "term_contract_window_months": 12,
        "onset_rate_monthly": 0.010,
        "lead_months": [1, 3],
        "evidence": "crm_events champion_left; champion user deactivated_at set and the user's "
        "usage stops; a replacement champion is added later for about half",
        "churn_reason": "champion_left",
    },
    "usage_decline": {
        "hazard_multiplier": 2.0,
        "health_shock": -0.3,
        "window_months": 6,
        "term_contract_window_months": 12,
        "onset_rate_monthly": 0.008,
        "usage_multiplier_by_month": [0.7, 0.45, 0.35],
        "lead_months": [1, 3],
        "evidence": "usage_events per account fall by more than 40% over two to three months; "
        "every churner's usage also fades during its 1-3 month notice period",
        "churn_reason": "budget|missing_feature",
    },
    "payment_failure_unresolved": {
        "hazard_multiplier": 4.0,
        "health_shock": -0.2,
        "window_months": 3,
        "onset_rate_monthly": [0.008, 0.004, 0.002],
        "unresolved_share": 0.65,
        "lead_months": [1, 3],
        "evidence": "invoices status failed (attempt_count 3-4) never paid, or paid more than 7 "
        "days after issue; billing support tickets",
        "churn_reason": "involuntary_payment",
    },
    "competitor_evaluation": {
        "hazard_multiplier": 2.5,
        "health_shock": -0.4,
        "window_months": 6,
        "term_contract_window_months": 12,
        "onset_rate_monthly": 0.006,
        "lead_months": [1, 3],
        "evidence": "crm_events competitor_mention / competitor_page_visit in the onset month "
        "and the next two; competitor named in details and in churn surveys",
        "churn_reason": "competitor",
    },
    "icp_drift": {
        "hazard_multiplier": 2.0,
        "window_months": None,
        "applies_to": "smb accounts of icp_tier 3 created in the last third of the window",
        "evidence": "accounts.icp_tier, segment and created_at; tier-3 share of recent smb "
        "cohorts rises to 50%",
        "churn_reason": "poor_fit",
    },
    "renewal_cliff": {
        "hazard_multiplier": 1.8,
        "window_months": None,
        "applies_to": "first renewal of annual (and 36-month) contracts, relative to later "
        "renewals; term contracts churn only at a renewal, except involuntary early terminations",
        "evidence": "subscription_line_items interval_months 12: churn at tenure month 12",
        "churn_reason": "budget|missing_feature|other",
    },
    "activation_failure": {
        "hazard_multiplier": 5.0,
        "health_shock": -1.2,
        "window_months": 6,
        "share_of_new_accounts_by_icp_tier": [0.06, 0.10, 0.18],
        "usage_multiplier": {"months_0_1": 0.05, "later": 0.3},
        "evidence": "barely any usage_events in the first two months, onboarding support "
        "tickets; for term contracts the multiplier applies to the first renewal",
        "churn_reason": "poor_onboarding",
    },
}
#: protective effects (multipliers < 1) on the same hazards
PROTECTIVE_EFFECTS: dict[str, float] = {
    "per_connected_integration": 0.88,
    "community_member": 0.75,
}
#: every churn (any driver) is decided 1-3 months before it takes effect (monthly plans) or
#: 1-3 months before the renewal date (terms); in that notice period health drops by this much
#: and usage fades by NOTICE_USAGE_DECAY per month
NOTICE_HEALTH_SHOCK = -0.8
NOTICE_USAGE_DECAY = 0.65
#: base churn hazards at average health: monthly plans (per month) and term contracts (per
#: renewal, later renewals; the first renewal is multiplied by renewal_cliff)
BASE_MONTHLY_HAZARD = [0.016, 0.010, 0.007]
BASE_RENEWAL_HAZARD = [0.14, 0.08, 0.05]
#: sensitivity of the hazard to latent health: hazard * exp(-HEALTH_BETA * (h - mu_segment))
HEALTH_BETA = 0.9
#: win-back probability after a churn, by churn reason (gap 2-12 months)
WINBACK_PROBABILITY = {
    "missing_feature": 0.18,
    "budget": 0.22,
    "champion_left": 0.20,
    "poor_onboarding": 0.12,
    "competitor": 0.08,
    "poor_fit": 0.05,
    "other": 0.12,
    "involuntary_payment": 0.25,
}
CHURN_REASONS = [
    "missing_feature",
    "budget",
    "champion_left",
    "poor_onboarding",
    "competitor",
    "poor_fit",
    "other",
    "involuntary_payment",
]
SURVEY_REASONS = CHURN_REASONS[:7]

DRIVERS = list(DRIVER_EFFECTS)

CRM_EVENT_TYPES = [
    "champion_left",
    "new_executive",
    "expansion_inquiry",
    "pricing_page_visit",
    "competitor_mention",
    "competitor_page_visit",
    "qbr_held",
    "executive_touch",
    "higher_tier_feature_attempt",
    "unlicensed_user_invited",
    "export_shared_externally",
    "outcome_milestone",
]
#: expansion lead signals and their weights
EXPANSION_SIGNALS = [
    ("expansion_inquiry", 0.25),
    ("pricing_page_visit", 0.20),
    ("higher_tier_feature_attempt", 0.15),
    ("unlicensed_user_invited", 0.15),
    ("export_shared_externally", 0.10),
    ("outcome_milestone", 0.15),
]
USER_ROLES = ["champion", "executive_sponsor", "admin", "end_user"]
PRIORITIES = ["low", "normal", "high", "urgent"]
FEEDBACK_SOURCES = [
    "review",
    "community",
    "sales_call",
    "cs_call",
    "feature_request",
    "social",
    "other",
]
COMMUNITY_TYPES = ["post", "reply", "event_attended", "template_shared", "certification"]
COMMUNITY_MIX = [0.28, 0.40, 0.17, 0.10, 0.05]
INVOICE_STATUSES = ["paid", "open", "failed", "void", "refunded"]

# --- phrase banks -----------------------------------------------------------------------------
TICKET_TOPICS = [
    "billing",
    "onboarding",
    "bug",
    "how_to",
    "integration",
    "performance",
    "feature_request",
    "access",
]
TICKET_SUBJECTS = {
    ("billing", 0): ["Question about our latest invoice", "How do we update the billing contact?"],
    ("billing", 1): ["Card charged twice and nobody answers", "Payment keeps failing, urgent"],
    ("onboarding", 0): ["Best way to set up our first dashboard?", "Onboarding checklist question"],
    ("onboarding", 1): ["Still cannot get started after two weeks", "Setup is far too complicated"],
    ("bug", 0): ["Chart legend looks off", "Small glitch in report filters"],
    ("bug", 1): ["Reports broken AGAIN", "Dashboard data is wrong, this is unacceptable"],
    ("how_to", 0): ["How do I schedule a report?", "Can we share a dashboard with a client?"],
    ("how_to", 1): ["Why is something this basic so hard?", "Documentation does not help at all"],
    ("integration", 0): ["Connecting our CRM", "Question about the Slack integration"],
    ("integration", 1): ["Sync has been failing for days", "Integration keeps disconnecting"],
    ("performance", 0): ["Dashboards a bit slow this morning", "Export takes a while"],
    ("performance", 1): ["Product is unusably slow", "Timeouts every single day"],
    ("feature_request", 0): ["Idea: custom fiscal calendars", "Would love a dark mode"],
    ("feature_request", 1): [
        "Missing feature is blocking our team",
        "Competitors already have this",
    ],
    ("access", 0): ["Adding a new teammate", "Resetting SSO settings"],
    ("access", 1): ["Locked out of our account", "Users cannot log in, escalating"],
}
TICKET_OPENERS = {
    0: [
        "Hi team,",
        "Hello there,",
        "Quick question:",
        "Hope you are well.",
        "Thanks for the help so far.",
    ],
    1: [
        "This is really frustrating.",
        "We are very disappointed.",
        "Third time we are reporting this.",
        "Honestly we are losing patience.",
        "This needs attention today.",
    ],
}
TICKET_ISSUES = {
    "billing": [
        "our invoice total does not match the contract",
        "the card on file was declined",
        "we need a copy of the last invoice",
        "the billing address needs to change",
    ],
    "onboarding": [
        "we have not managed to load our data yet",
        "the setup guide skips a step we need",
        "our team does not know where to start",
        "the sample workspace is confusing",
    ],
    "bug": [
        "numbers in the weekly report are off",
        "the filter resets after saving",
        "charts fail to render for some users",
        "exports come out empty",
    ],
    "how_to": [
        "we want to schedule a weekly summary",
        "we would like to share a read-only view",
        "we need to group results by region",
        "we want to build a template for our team",
    ],
    "integration": [
        "the CRM sync stopped overnight",
        "the Slack alerts no longer arrive",
        "the warehouse connection times out",
        "field mapping is not saved",
    ],
    "performance": [
        "dashboards take a minute to load",
        "exports time out on large reports",
        "the editor freezes with many widgets",
        "search is very slow",
    ],
    "feature_request": [
        "we need custom fiscal calendars",
        "we would like role-based dashboards",
        "we need more flexible alerts",
        "we want an audit log",
    ],
    "access": [
        "a new colleague cannot accept the invite",
        "SSO login loops back to the start page",
        "an admin lost permissions",
        "two users are locked out",
    ],
}
TICKET_CLOSERS = {
    0: [
        "Thanks in advance!",
        "Appreciate your help.",
        "No rush on this.",
        "Curious to hear your suggestion.",
        "Cheers.",
    ],
    1: [
        "Please fix this immediately.",
        "We are reconsidering our subscription.",
        "We expect a call back today.",
        "This is costing us time and money.",
        "If this continues we will look at alternatives.",
    ],
}
NPS_COMMENTS = {
    0: [  # detractor
        "Too expensive for what we get.",
        "Support is slow and the product is buggy.",
        "We barely use it anymore.",
        "Missing features we need.",
        "Hard to onboard new people.",
    ],
    1: [  # passive
        "Does the job, some rough edges.",
        "Good product, pricing is steep.",
        "Reporting is fine, automation could be better.",
        "OK so far.",
    ],
    2: [  # promoter
        "Our team relies on it every day.",
        "Saved us hours every week.",
        "Great support and constant improvements.",
        "The automations are fantastic.",
        "Could not run our reviews without it.",
    ],
}
FEEDBACK_BODIES = {
    0: [
        "Frustrating experience, reports break too often.",
        "Pricing went up and value did not.",
        "Switched our team to another tool for dashboards.",
        "Onboarding took far too long.",
        "Support tickets take days to get an answer.",
    ],
    1: [
        "Solid tool, a few missing features.",
        "Works as expected for basic reporting.",
        "Would like more integrations.",
        "Decent, learning curve is steep.",
    ],
    2: [
        "Love the new workflow builder.",
        "The best reporting tool we have used.",
        "Automations changed how our ops team works.",
        "Great community and templates.",
        "Fast, reliable and well supported.",
    ],
}
CRM_DETAILS = {
    "champion_left": "Champion left the company",
    "new_executive": "New executive joined the account",
    "expansion_inquiry": "Asked about adding seats",
    "pricing_page_visit": "Visited pricing page",
    "qbr_held": "Quarterly business review held",
    "executive_touch": "Executive check-in call",
    "higher_tier_feature_attempt": "Tried a feature from a higher plan",
    "unlicensed_user_invited": "Invited colleagues without a licence",
    "export_shared_externally": "Shared an export outside the company",
    "outcome_milestone": "Reached a reported outcome milestone",
}
SURVEY_COMMENTS = {
    "missing_feature": ["The product lacks features we need.", "No custom fiscal calendars."],
    "budget": ["Budget cuts this year.", "Could not justify the cost."],
    "champion_left": ["The person who ran this left.", "Nobody owns the tool anymore."],
    "poor_onboarding": ["We never got it set up.", "Onboarding was too hard for our team."],
    "competitor": ["Moved to a tool that fits us better.", "Got a better offer elsewhere."],
    "poor_fit": ["Not built for a team like ours.", "We are too small for this."],
    "other": ["Company restructuring.", "Project ended."],
}
