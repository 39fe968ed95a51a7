"""The real dbt Labs mrr-playbook data, built by our project, against that project's figures.

`tests/data/external/mrr_playbook/` holds the playbook's seed (MIT, with its licence). Mapped
onto our raw contract (one monthly USD line item per subscription period), our month-end ARR is
12 x the playbook's MRR and our movements are the playbook's categories, month by month. Its
dates are all the 1st of a month, so "active on the 1st" (playbook) and "active at month end,
end date exclusive" (ours) pick the same months; there is no offset. The playbook's spine starts in
2018-01, so customers whose history begins in 2017 are compared only through the totals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import PLAYBOOK_CSV, Build, build_ok
from reference.playbook import playbook_as_raw, playbook_mrr

AS_OF = dt.date(2020, 2, 29)  # the playbook's last data month is 2020-02

# The playbook's figures: total MRR per month, computed from the playbook's SQL on its seed (dbt
# Labs publishes the SQL, not these numbers; tests/data/external/mrr_playbook/README.md, and
# test_reference.py runs that SQL).
PLAYBOOK_SQL_MRR = {
    dt.date(2018, 1, 1): 55,
    dt.date(2018, 6, 1): 235,
    dt.date(2018, 12, 1): 585,
    dt.date(2019, 6, 1): 1135,
    dt.date(2019, 11, 1): 1840,
    dt.date(2019, 12, 1): 1255,
    dt.date(2020, 1, 1): 175,
    dt.date(2020, 2, 1): 0,
}
# ... and its 2019-12 movements, in MRR, from the same SQL.
PLAYBOOK_SQL_2019_12 = {"new": 100, "expansion": 50, "contraction": -30, "churn": -705}
PLAYBOOK_TO_OURS = {
    "new": "new",
    "churn": "churn",
    "reactivation": "reactivation",
    "upgrade": "expansion",
    "downgrade": "contraction",
}


# The two marts compared and what is upstream of them, with the data tests whose every parent is
# built (cautious): the movement rules and the waterfall identity run on the playbook's data. The
# whole project, with all its data tests, is built on the same periods in
# test_start_with_what_you_have.py (the minimal playbook folder).
SELECT = [
    "--select", "+fct_arr_waterfall", "+fct_account_arr_monthly",
    "--indirect-selection", "cautious",
]  # fmt: skip


@pytest.fixture(scope="module")
def playbook_build(tmp_path_factory) -> Build:
    raw = playbook_as_raw(PLAYBOOK_CSV, tmp_path_factory.mktemp("playbook") / "raw")
    return build_ok(
        tmp_path_factory.mktemp("playbook_build"),
        raw,
        dbt_vars={"as_of_date": AS_OF.isoformat()},
        extra_args=SELECT,
    )


def test_total_mrr_matches_the_playbook_sql_figures(playbook_build):
    waterfall = dict(
        playbook_build.query(
            "select period_start, ending_arr from revenue.fct_arr_waterfall "
            "where period_grain = 'month'"
        )
    )
    for month, mrr in PLAYBOOK_SQL_MRR.items():
        assert waterfall[month] == Decimal(mrr * 12), month


def test_december_2019_movements_match_the_playbook_sql_figures(playbook_build):
    movements = dict(
        playbook_build.query(
            "select movement_type, sum(movement_arr) from revenue.fct_account_arr_monthly "
            "where month = date '2019-12-01' group by movement_type"
        )
    )
    for movement, mrr in PLAYBOOK_SQL_2019_12.items():
        assert movements[movement] == Decimal(mrr * 12), movement
    assert movements.get("reactivation", 0) == 0


def test_categories_agree_month_by_month(playbook_build):
    playbook = playbook_mrr(PLAYBOOK_CSV, current_month=dt.date(2020, 3, 1))
    starts_in_2018 = {
        row["customer_id"]
        for row in playbook
        if row["change_category"] == "new" and row["date_month"] >= dt.date(2018, 2, 1)
    }
    assert len(starts_in_2018) > 40
    ours = {
        (account_id, month): (arr, movement)
        for account_id, month, arr, movement in playbook_build.query(
            "select account_id, month, arr, movement_type from revenue.fct_account_arr_monthly"
        )
    }
    compared = 0
    for row in playbook:
        if row["customer_id"] not in starts_in_2018:
            continue
        key = (row["customer_id"], row["date_month"])
        category = row["change_category"]
        if category is None and row["mrr"] == 0:
            assert key not in ours, key  # a month inside a gap: no movement on either side
            continue
        arr, movement = ours[key]
        assert arr == row["mrr"] * 12, key
        assert movement == PLAYBOOK_TO_OURS.get(category, "flat"), key
        compared += 1
    assert compared > 300
