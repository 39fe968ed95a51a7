"""Themes, tone, competitors and confidence of every text of the feedback corpus (thin model:
nrr_engine.feedback_corpus, the classifier of `python -m nrr_engine.feedback classify`).

Incremental: on a build where the table exists (not --full-refresh), its rows of unchanged texts
(same text_id, text_hash and classifier_fingerprint) are reused and only new or changed texts
are classified; the strategy `replace_all` (macros/sql/get_incremental_replace_all_sql.sql)
then replaces the whole table by the returned frame, so removed texts disappear."""

from nrr_engine.feedback_corpus import classify_corpus


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="replace_all",
        on_schema_change="sync_all_columns",
    )
    corpus = dbt.ref("int_feedback_corpus_unified").df()
    previous = session.sql(f"select * from {dbt.this}").df() if dbt.is_incremental else None
    result, report = classify_corpus(corpus[["text_id", "text"]], "texts", previous)
    print(report.message(), flush=True)
    return result
