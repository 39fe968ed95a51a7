"""Every sentence of the feedback corpus with its themes, tone and the competitors it names
(thin model: nrr_engine.feedback_corpus). Quotes and competitor comparisons read this."""

from nrr_engine.feedback_corpus import classified_sentences


def model(dbt, session):
    dbt.config(materialized="table")
    corpus = dbt.ref("int_feedback_corpus_unified").df()
    return classified_sentences(corpus[["text_id", "text"]])
