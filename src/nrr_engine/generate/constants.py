"""Catalogues, phrase banks and planted effect sizes of the demo-data generator.

Everything here is data: the simulation (``simulate.py`` and its concerns ``accounts.py``,
``churn.py``, ``behaviour.py``) and the table builders (``tables.py``) read it, the manifest
copies the effect sizes, and dbt seeds may mirror the catalogues (e.g. ``FEATURE_CATALOGUE``).
The sections "simulation parameters" name every number of the simulation that is a modelling
choice; changing one changes every book.
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

# --- simulation parameters: accounts and contracts (accounts.py) -----------------------------
# Ranges written (low, high) are half-open draws [low, high) of rng.integers / rng.uniform.
#: new accounts per month rise linearly by this share from the first to the last window month
ACCOUNT_GROWTH_OVER_WINDOW = 0.6
#: hour of day (UTC) an account is created in
CREATED_HOUR_RANGE = (7, 20)
#: employees: median, lognormal sigma and clip bounds by segment
EMPLOYEES_MEDIAN = [40.0, 600.0, 8000.0]
EMPLOYEES_SIGMA = 0.7
EMPLOYEES_MIN = [2, 150, 1500]
EMPLOYEES_MAX = [250, 3000, 250000]
#: share of smb accounts with a named CSM (mid-market and enterprise always have one)
SMB_CSM_SHARE = 0.12
#: trial length in days
TRIAL_DAYS_RANGE = (14, 31)
#: paid start of non-trial accounts: cumulative shares starting on the 1st of next month, then
#: on the last day of the creation month; the rest start a few days after creation
PAID_START_FIRST_OF_MONTH_UPTO = 0.15
PAID_START_LAST_OF_MONTH_UPTO = 0.20
PAID_START_DELAY_DAYS = (0, 11)
#: contract terms in months, the columns of INTERVAL_MIX
INTERVAL_MONTHS = [1, 12, 36]
#: share of accounts starting on their segment's upgrade plan instead of the entry plan
START_ON_UPGRADE_PLAN_SHARE = 0.2
#: admins per account by segment (smb always has one)
ADMIN_COUNT_RANGE = [(1, 2), (1, 3), (2, 4)]
#: share of smb accounts with an executive sponsor (larger segments always have one)
SMB_SPONSOR_SHARE = 0.4
#: metered usage line: median quantity (thousand API calls a month) by segment, lognormal sigma
USAGE_QTY_MEDIAN = [50.0, 200.0, 1000.0]
USAGE_QTY_SIGMA = 0.5
#: share of accounts that buy the analytics add-on with their first contract, by segment
ANALYTICS_AT_START_SHARE = [0.05, 0.2, 0.25]
#: renewal decision made this many months (1, 2, 3) before a term ends
RENEWAL_DECISION_LEAD_MIX = [0.4, 0.35, 0.25]
#: expansion: monthly probability at reference health, lift by segment, sensitivity to health
#: deviation exp(s * (h - mu_ref)) and the factor for ICP tier 3
EXPANSION_RATE_MONTHLY = 0.02
EXPANSION_SEGMENT_LIFT = [1.0, 1.3, 1.5]
EXPANSION_HEALTH_SENSITIVITY = 0.9
EXPANSION_TIER3_FACTOR = 0.5
#: kind of expansion: more seats, an add-on, the upgrade plan
EXPANSION_KIND_MIX = [0.6, 0.3, 0.1]
EXPANSION_SEAT_FACTOR = (1.1, 1.5)
#: contraction (monthly plans): monthly probability at reference health and its sensitivity
#: exp(-s * (h - mu_ref)); share of contractions with an add-on that drop the add-on
CONTRACTION_RATE_MONTHLY = 0.012
CONTRACTION_HEALTH_SENSITIVITY = 0.9
CONTRACTION_ADDON_SHARE = 0.3
CONTRACTION_SEAT_FACTOR = (0.6, 0.9)
#: at a renewal: healthy accounts (health above the threshold) add seats with this share; weak
#: ones cut seats when a uniform draw falls in the band; very weak ones may drop an add-on
RENEWAL_UPSELL_HEALTH = 0.62
RENEWAL_UPSELL_SHARE = 0.35
RENEWAL_UPSELL_SEAT_FACTOR = (1.05, 1.35)
RENEWAL_DOWNSELL_HEALTH = 0.45
RENEWAL_DOWNSELL_DRAW_BAND = (0.5, 0.95)
RENEWAL_DOWNSELL_SEAT_FACTOR = (0.65, 0.95)
RENEWAL_ADDON_DROP_HEALTH = 0.4
RENEWAL_ADDON_DROP_SHARE = 0.4
#: users follow a seat change within this many days
SEAT_CHANGE_USERS_DAYS = 2
#: win-back: months from churn to the return, seats kept of the former count, latent health
#: restored to at least (segment mean - margin), users back this many days before the return
WINBACK_GAP_MONTHS = (2, 13)
WINBACK_SEAT_FACTOR = (0.5, 1.0)
WINBACK_HEALTH_MARGIN = 0.2
WINBACK_USERS_LEAD_DAYS = 2

# --- simulation parameters: latent health, drivers and churn (churn.py) -----------------------
#: latent health h: mean by ICP tier plus an offset by segment, start spread, monthly mean
#: reversion, drift by ICP tier and volatility by segment
HEALTH_MEAN_BY_ICP_TIER = [0.9, 0.5, 0.0]
HEALTH_MEAN_SEGMENT_OFFSET = [0.0, 0.1, 0.2]
HEALTH_START_SD = 0.6
HEALTH_MEAN_REVERSION = 0.08
HEALTH_DRIFT_BY_ICP_TIER = [0.004, 0.0, -0.008]
HEALTH_VOLATILITY_BY_SEGMENT = [0.25, 0.2, 0.18]
#: reference health mu_ref of a segment: hazards and onset rates are relative to it
HEALTH_REFERENCE_BY_SEGMENT = [0.45, 0.60, 0.75]
#: drivers strike weak accounts more often: onset rate * exp(s * (mu_ref - h))
DRIVER_ONSET_HEALTH_SENSITIVITY = 0.8
#: months after an onset of usage decline or competitor evaluation before another can start
DRIVER_REFRACTORY_MONTHS = 6
#: champion departure: the CRM logs it within this many days; share replaced, months to replace
CHAMPION_LEFT_LOGGED_DAYS = 5
CHAMPION_REPLACED_SHARE = 0.5
CHAMPION_REPLACEMENT_MONTHS = (1, 4)
#: competitor evaluation: share of events that are mentions (else page visits); follow-up
#: events in the months after the onset and their monthly probability
COMPETITOR_MENTION_SHARE = 0.5
COMPETITOR_FOLLOW_UP_MONTHS = 2
COMPETITOR_FOLLOW_UP_SHARE = 0.6
#: offset of the competitor names in the crm_events details bank
COMPETITOR_DETAILS_OFFSET = 100
#: payment failures: rate lift below a health, share never paid among unresolved ones, days to
#: pay (unresolved: late; resolved: on a retry), share of never-paid term contracts that end
#: early (involuntary) and the months until they do
PAYMENT_FAILURE_WEAK_HEALTH = 0.4
PAYMENT_FAILURE_WEAK_LIFT = 1.5
PAYMENT_NEVER_PAID_SHARE = 0.6
PAYMENT_LATE_DAYS = (8, 26)
PAYMENT_RETRY_DAYS = (1, 6)
EARLY_TERMINATION_SHARE = 0.35
EARLY_TERMINATION_MONTHS = (1, 3)
#: new executive on the account (monthly probability) and share who replace the sponsor
NEW_EXECUTIVE_RATE_MONTHLY = 0.008
NEW_EXECUTIVE_REPLACES_SPONSOR_SHARE = 0.5
#: reason weights of a churn before the drivers' shares are added (a first renewal multiplies
#: the three by renewal_cliff); poor fit weighs more for ICP tier 3
CHURN_REASON_BASE_WEIGHTS = {"missing_feature": 0.3, "budget": 0.35, "other": 0.2}
POOR_FIT_REASON_WEIGHT = 0.15
POOR_FIT_REASON_WEIGHT_TIER3 = 0.35
#: share of a usage decline's churn weight going to budget (the rest to missing_feature)
USAGE_DECLINE_BUDGET_SHARE = 0.5
#: notice period of a monthly plan's churn: 1, 2 or 3 months (involuntary churn: 1)
CHURN_NOTICE_LEAD_MIX = [0.45, 0.35, 0.2]
#: users and integrations of a churned account go within this many days of the churn
USERS_OFF_AFTER_CHURN_DAYS = 3
INTEGRATIONS_OFF_AFTER_CHURN_DAYS = 10
#: churn survey: response rate (involuntary churners rarely answer), share of random answers,
#: share of involuntary churners who say budget (else other), window around the churn date in
#: days (never more than SURVEY_DAYS_BEFORE before it nor before the intent), share with a comment
SURVEY_RESPONSE_RATE = 0.6
SURVEY_RESPONSE_RATE_INVOLUNTARY = 0.15
SURVEY_NOISE_SHARE = 0.15
SURVEY_INVOLUNTARY_BUDGET_SHARE = 0.7
SURVEY_DAYS_BEFORE = 20
SURVEY_OFFSET_DAYS = (-20, 10)
SURVEY_COMMENT_SHARE = 0.7

# --- simulation parameters: behaviour (behaviour.py) ------------------------------------------
#: a new account's licensed users arrive within this many days; unlicensed users (Poisson mean
#: by segment) within UNLICENSED_USERS_DAYS
NEW_USERS_DAYS = 3
UNLICENSED_USERS_AT_START = [0.3, 1.0, 3.0]
UNLICENSED_USERS_DAYS = 20
#: stints of champion, sponsor and admins start within this many seconds of the trigger
SPECIAL_USERS_DELAY_SEC = 7200
#: CRM signals: background expansion signals per month (* health), extra signals of a real
#: expansion (Poisson mean), share with a champion contact (else admin), share with details,
#: unlicensed colleagues invited per invitation
BACKGROUND_EXPANSION_SIGNAL_RATE = 0.02
EXTRA_EXPANSION_SIGNALS_MEAN = 0.7
SIGNAL_CHAMPION_SHARE = 0.6
SIGNAL_DETAILS_SHARE = 0.8
INVITED_USERS_RANGE = (1, 4)
#: QBRs per month by segment * (QBR_HEALTH_BASE + health), share held with the sponsor
QBR_RATE_MONTHLY = [0.0, 0.06, 0.22]
QBR_HEALTH_BASE = 0.5
QBR_SPONSOR_SHARE = 0.5
#: executive touches per month by segment, share with details
EXECUTIVE_TOUCH_RATE_MONTHLY = [0.005, 0.04, 0.12]
EXECUTIVE_TOUCH_DETAILS_SHARE = 0.7
#: integrations: most connected by segment, monthly connect probability (* health), its factor
#: after the first months, and monthly disconnect probability base + slope * (1 - health)
INTEGRATIONS_MAX = [3, 6, 9]
INTEGRATION_CONNECT_RATE = 0.25
INTEGRATION_EARLY_MONTHS = 6
INTEGRATION_LATE_FACTOR = 0.3
INTEGRATION_DISCONNECT_BASE = 0.004
INTEGRATION_DISCONNECT_SLOPE = 0.02
#: support tickets per month by segment, scaled by (1 + slope * (1 - health)) and lifted while
#: a churn intent is open, after a payment failure, early in a failed activation; free plans
#: raise few tickets
TICKET_RATE_MONTHLY = [0.15, 0.4, 0.9]
TICKET_HEALTH_SLOPE = 1.2
TICKET_INTENT_LIFT = 1.5
TICKET_PAYMENT_LIFT = 2.0
TICKET_ACTIVATION_LIFT = 1.5
TICKET_FREE_PLAN_FACTOR = 0.3
#: months a payment failure, a failed activation and a competitor evaluation shape the tickets
TICKET_PAYMENT_MONTHS = 3
TICKET_ACTIVATION_MONTHS = 4
TICKET_COMPETITOR_MONTHS = 6
#: topic weights (TICKET_TOPICS order) and the boosts of billing, onboarding, feature requests
TICKET_TOPIC_WEIGHTS = [0.08, 0.08, 0.2, 0.25, 0.12, 0.1, 0.12, 0.05]
TICKET_BILLING_BOOST = 1.5
TICKET_ONBOARDING_BOOST = 1.5
TICKET_FEATURE_REQUEST_BOOST = 0.5
#: probability of a frustrated tone: base + slope * (1 - health) ** power + lifts, capped
TICKET_FRUSTRATION_BASE = 0.05
TICKET_FRUSTRATION_SLOPE = 0.9
TICKET_FRUSTRATION_POWER = 1.5
TICKET_FRUSTRATION_INTENT_LIFT = 0.25
TICKET_FRUSTRATION_PAYMENT_LIFT = 0.2
TICKET_FRUSTRATION_MAX = 0.95
#: priority mix (PRIORITIES order) by tone; share of enterprise tickets bumped one level
TICKET_PRIORITY_MIX_CALM = [0.3, 0.58, 0.1, 0.02]
TICKET_PRIORITY_MIX_FRUSTRATED = [0.1, 0.4, 0.35, 0.15]
TICKET_ENTERPRISE_BUMP_SHARE = 0.2
#: resolution: median hours by priority, lognormal sigma, share never resolved
TICKET_RESOLUTION_HOURS = [30.0, 18.0, 8.0, 3.0]
TICKET_RESOLUTION_SIGMA = 0.8
TICKET_UNRESOLVED_SHARE = 0.03
#: CSAT 1-5: base + slope * health - frustration penalty + noise; share of resolved rated
CSAT_BASE = 1.5
CSAT_HEALTH_SLOPE = 3.5
CSAT_FRUSTRATION_PENALTY = 1.0
CSAT_NOISE_SD = 0.7
CSAT_RESPONSE_SHARE = 0.55
#: role mixes (USER_ROLES order) of the user behind a ticket, an NPS answer, a community action
TICKET_USER_MIX = [0.4, 0.0, 0.4, 0.2]
NPS_USER_MIX = [0.3, 0.15, 0.2, 0.35]
COMMUNITY_USER_MIX = [0.45, 0.0, 0.3, 0.25]
#: NPS: survey cycle in months, responses per due account by segment, score 0-10 = base +
#: slope * adjusted health + noise; the adjustment for an open churn intent and a champion lost
#: in the last NPS_CHAMPION_MONTHS; share with a comment
NPS_CYCLE_MONTHS = 3
NPS_RESPONSES_PER_CYCLE = [0.45, 0.9, 1.6]
NPS_BASE = 2.0
NPS_HEALTH_SLOPE = 9.0
NPS_NOISE_SD = 1.5
NPS_INTENT_PENALTY = 0.15
NPS_CHAMPION_PENALTY = 0.1
NPS_CHAMPION_MONTHS = 4
NPS_COMMENT_SHARE = 0.5
#: feedback items per month by segment, anonymous ones per account with access, source mixes
#: (FEEDBACK_SOURCES order) and the Beta(a, b) health of anonymous authors
FEEDBACK_RATE_MONTHLY = [0.03, 0.06, 0.1]
ANONYMOUS_FEEDBACK_RATE = 0.004
FEEDBACK_SOURCE_MIX = [0.2, 0.2, 0.1, 0.25, 0.15, 0.05, 0.05]
ANONYMOUS_FEEDBACK_SOURCE_MIX = [0.5, 0, 0, 0, 0, 0.4, 0.1]
ANONYMOUS_HEALTH_BETA = (3, 2)
#: sentiment: negative below (1 - h) ** a, positive above 1 - h ** b
FEEDBACK_NEGATIVE_POWER = 1.5
FEEDBACK_POSITIVE_POWER = 2
#: community actions per month of members by segment, of non-members, * (base + health)
COMMUNITY_MEMBER_SHARE = [0.15, 0.30, 0.45]
COMMUNITY_TIER1_LIFT = 1.3
COMMUNITY_RATE_MONTHLY = [1.0, 1.5, 2.5]
COMMUNITY_NON_MEMBER_RATE = 0.03
COMMUNITY_HEALTH_BASE = 0.3
#: usage multipliers: failed activations (beyond months_0_1 until this tenure), the tail of a
#: usage decline after its window, a lost champion, trials and free plans
ACTIVATION_FAILURE_USAGE_MONTHS = 8
USAGE_DECLINE_TAIL_MONTHS = 12
USAGE_DECLINE_TAIL_MULTIPLIER = 0.7
CHAMPION_LOSS_USAGE_MONTHS = 3
CHAMPION_LOSS_USAGE_MULTIPLIER = 0.85
TRIAL_USAGE_MULTIPLIER = 0.8
FREE_PLAN_USAGE_MULTIPLIER = 0.15

# --- simulation parameters: customer-success activity (cs_activity.py) -------------------------
#: CS activity types (raw cs_activities.activity_type) and the risk levels of the playbook,
#: mildest first (level code = index + 1; 0 = no risk level)
CS_ACTIVITY_TYPES = [
    "check_in",
    "value_content",
    "save_call",
    "recovery_plan",
    "concession",
    "executive_outreach",
    "qbr",
    "training",
]
CS_LEVELS = ["early_warning", "active_save", "executive_escalation"]
#: holdout: accounts whose md5 bucket of salt + account_id is below the share are never worked
#: (nrr_engine.interventions.holdout_bucket; dbt computes the same bucket)
CS_HOLDOUT_SALT = "nrr-holdout-v1"
CS_HOLDOUT_SHARE = 0.10
#: what the CS team sees: the risk health = sigmoid(latent health) minus a penalty while a churn
#: intent is open (usage fades in the notice period) and one while a driver's onset is recent
CS_INTENT_RISK_PENALTY = 0.08
CS_DRIVER_RISK_PENALTY = 0.05
CS_DRIVER_RISK_MONTHS = 3
#: risk levels on the risk health (0..1, like the product's score / 100): early warning below
#: its threshold and trending down (a drop of at least CS_TREND_DROP over CS_TREND_MONTHS);
#: active save below its threshold; executive escalation below its threshold, or a term
#: renewal within CS_RENEWAL_CLOSE_MONTHS and below the early-warning threshold
CS_RISK_HEALTH_BELOW = {
    "early_warning": 0.42,
    "active_save": 0.30,
    "executive_escalation": 0.15,
}
CS_TREND_MONTHS = 3
CS_TREND_DROP = 0.03
CS_RENEWAL_CLOSE_MONTHS = 3
#: first-touch SLA after an episode opens, in hours (executive escalation: at once, i.e. within
#: a few hours); first-touch timeliness mix (on time, late, never) per level; a late touch comes
#: this many days after the SLA [low, high)
CS_SLA_HOURS = {"early_warning": 48, "active_save": 24, "executive_escalation": 4}
CS_FIRST_TOUCH_MIX = {
    "early_warning": [0.60, 0.25, 0.15],
    "active_save": [0.70, 0.20, 0.10],
    "executive_escalation": [0.80, 0.15, 0.05],
}
CS_LATE_TOUCH_DAYS = (3, 22)
#: the planted effect: a worked account at a level whose churn intent is pending (its churn due
#: inside the history) is saved with this probability when touched on time; a late touch
#: multiplies it by CS_LATE_TOUCH_SAVE_FACTOR; never touched, or touched after the churn date:
#: no effect. Once per account (its first such intent). A saved account's churn is cancelled
#: and its latent health lifted to at least logit(CS_SAVED_HEALTH).
CS_SAVE_PROBABILITY = {"early_warning": 0.25, "active_save": 0.35, "executive_escalation": 0.45}
#: churn reasons the CS playbook does not save (an unresolved payment is dunning's, not CS's)
CS_UNSAVED_REASONS = ["involuntary_payment"]
CS_LATE_TOUCH_SAVE_FACTOR = 0.5
CS_SAVED_HEALTH = 0.75
#: first-touch and follow-up activity types per level (weights in CS_ACTIVITY_TYPES order) and
#: follow-ups per month of a touched, open episode (Poisson mean)
CS_FIRST_TOUCH_TYPE_MIX = {
    "early_warning": [0.6, 0.4, 0, 0, 0, 0, 0, 0],
    "active_save": [0, 0, 0.7, 0.3, 0, 0, 0, 0],
    "executive_escalation": [0, 0, 0.2, 0, 0, 0.8, 0, 0],
}
CS_FOLLOW_UP_TYPE_MIX = {
    "early_warning": [0.4, 0.4, 0, 0, 0, 0, 0, 0.2],
    "active_save": [0.1, 0, 0.3, 0.4, 0.2, 0, 0, 0],
    "executive_escalation": [0, 0, 0.1, 0.3, 0.3, 0.3, 0, 0],
}
CS_FOLLOW_UP_RATE_MONTHLY = {
    "early_warning": 0.6,
    "active_save": 1.2,
    "executive_escalation": 1.8,
}
#: routine activity of paying accounts at no risk level, per month by segment (Poisson mean)
CS_ROUTINE_RATE_MONTHLY = {
    "check_in": [0.03, 0.10, 0.20],
    "qbr": [0.0, 0.06, 0.22],
    "training": [0.01, 0.03, 0.05],
}
#: owners: CSMs csm_1..csm_<len(CSM_NAMES)> (the account's CSM, else one of the pool) for early
#: warning and routine work; senior CSMs and CS managers for active saves; VP CS or founder for
#: executive escalations (weights in list order)
CS_CSM_OWNER_PREFIX = "csm_"
CS_SAVE_OWNERS = ["senior_csm_1", "senior_csm_2", "senior_csm_3", "cs_manager_1", "cs_manager_2"]
CS_SAVE_OWNER_MIX = [0.25, 0.25, 0.2, 0.15, 0.15]
CS_EXECUTIVE_OWNERS = ["vp_cs", "founder"]
CS_EXECUTIVE_OWNER_MIX = [0.75, 0.25]
#: share of activities with a note (the wording: feedback_text.py)
CS_NOTES_SHARE = 0.6

# --- planted feedback themes (feedback_text.py) ----------------------------------------------
#: Texts written by an account window_days[0]..window_days[1] days before an ARR event of kind
#: ``outcome`` mention ``theme`` ``rate_multiplier`` times as often as the account texts outside
#: such windows ("mentioned reliability 3x more before churning"). Only the wording and the
#: themes of existing texts change: no row is added or removed.
FEEDBACK_THEME_EFFECTS: list[dict] = [
    {"outcome": "churn", "theme": "reliability", "rate_multiplier": 3.0, "window_days": [30, 90]},
    {"outcome": "churn", "theme": "support", "rate_multiplier": 2.0, "window_days": [0, 60]},
    {"outcome": "contraction", "theme": "pricing", "rate_multiplier": 3.0, "window_days": [0, 90]},
    {"outcome": "expansion", "theme": "praise", "rate_multiplier": 1.5, "window_days": [0, 90]},
    {
        "outcome": "expansion",
        "theme": "missing_feature",
        "rate_multiplier": 2.0,
        "window_days": [30, 90],
    },
]

# --- ticket topics (the wording of every text: feedback_text.py, feedback_banks.py) ----------
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
#: sizes of the draws the simulation makes for the wording of a row. The wording itself is
#: composed later from streams of its own (feedback_text.py); these draws stay so that every
#: other draw of the behavioural streams, and so every other column, keeps its value
TICKET_SUBJECT_DRAWS = 2
TICKET_OPENER_DRAWS = 5
TICKET_ISSUE_DRAWS = 4
TICKET_CLOSER_DRAWS = 5
NPS_COMMENT_DRAWS = 4
FEEDBACK_BODY_DRAWS = 4
SURVEY_COMMENT_DRAWS = 2
CS_NOTE_DRAWS = 2

# ---------------------------------------------------------------------- onboarding (issue 14)
#: activation paths: (path, segment, use cases or None for any). The first match wins; it
#: mirrors seeds/activation_paths.csv, which the marts read (a test checks the two agree).
ONBOARDING_PATHS = [
    ("self_serve_reporting", "smb", ["revenue_analytics", "customer_reporting"]),
    ("self_serve_automation", "smb", ["ops_automation"]),
    ("self_serve_analysis", "smb", None),
    ("team_rollout", "mid_market", None),
    ("guided_enterprise", "enterprise", None),
]
#: per path: median hours from creation to the setup event (M1), median hours from M1 to the
#: first-value event (M2), the lognormal sigma of both, and the shares of accounts (of those
#: that do not fail activation) that build a habit (3 active days in 7) and bring a second user
#: within 14 days through the onboarding flow
ONBOARDING_PATH_TIMING = {
    "self_serve_reporting": {"m1_h": 0.5, "m2_h": 2.0, "sigma": 1.0, "m3": 0.55, "m4": 0.35},
    "self_serve_automation": {"m1_h": 1.0, "m2_h": 6.0, "sigma": 1.1, "m3": 0.60, "m4": 0.30},
    "self_serve_analysis": {"m1_h": 0.8, "m2_h": 4.0, "sigma": 1.2, "m3": 0.45, "m4": 0.30},
    "team_rollout": {"m1_h": 2.0, "m2_h": 8.0, "sigma": 1.0, "m3": 0.55, "m4": 0.60},
    "guided_enterprise": {"m1_h": 4.0, "m2_h": 20.0, "sigma": 0.9, "m3": 0.50, "m4": 0.70},
}
#: the features of the onboarding events (of the catalogue, so the base usage stream sends
#: them too): setup (M1: notification settings), first value (M2: a report shared), and the
#: habit and team events
ONBOARDING_SETUP_FEATURE = "notification_settings"
ONBOARDING_VALUE_FEATURE = "share_link"
ONBOARDING_HABIT_FEATURE = "dashboard_view"
#: accounts that fail activation (DRIVER_EFFECTS activation_failure) never send the onboarding
#: events: they miss M1 and M2 in their windows. Their churn effect is the driver's
#: (hazard_multiplier and health_shock); the manifest records the churn ratio it realises
#: between accounts that missed M2 within its window and those that reached it.
ONBOARDING_M2_WINDOW_HOURS = 24
