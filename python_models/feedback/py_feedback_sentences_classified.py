"""Every sentence of the feedback corpus with its themes, tone and the competitors it names
(thin model: nrr_engine.feedback_corpus). Quotes and competitor comparisons read this.

Incremental as py_feedback_texts_classified: the sentences of unchanged texts are reused, those
of new or changed texts classified, and the table replaced by the result (`replace_all`)."""

from nrr_engine.feedback_corpus import classify_corpus


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="replace_all",
        on_schema_change="sync_all_columns",
    )
    corpus = dbt.ref("int_feedback_corpus_unified").df()
    previous = session.sql(f"select * from {dbt.this}").df() if dbt.is_incremental else None
    result, report = classify_corpus(corpus[["text_id", "text"]], "sentences", previous)
    print(report.message(), flush=True)
    return result
