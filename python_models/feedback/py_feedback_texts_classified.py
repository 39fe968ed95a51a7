"""Themes, tone, competitors and confidence of every text of the feedback corpus (thin model:
nrr_engine.feedback_corpus, the classifier of `python -m nrr_engine.feedback classify`)."""

from nrr_engine.feedback_corpus import classified_texts


def model(dbt, session):
    dbt.config(materialized="table")
    corpus = dbt.ref("int_feedback_corpus_unified").df()
    return classified_texts(corpus[["text_id", "text"]])
