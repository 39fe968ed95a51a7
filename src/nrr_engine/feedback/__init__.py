"""Voice of the customer: an offline, deterministic feedback classifier.

``classify(texts)`` splits each text into sentences and gives it themes (multi-label, from the
taxonomy in ``seeds/feedback_themes.csv``), a tone (positive, neutral, negative, urgent), the
competitors it names and a confidence. ``python -m nrr_engine.feedback classify|evaluate``
runs it on a CSV and publishes its accuracy on the labelled test split.
"""

from nrr_engine.feedback.classifier import (
    DEFAULT_SETTINGS,
    Classified,
    FeedbackClassifier,
    Settings,
    classify,
    default_classifier,
    read_labelled,
    train_classifier,
)
from nrr_engine.feedback.taxonomy import TONES, Taxonomy, load_taxonomy
from nrr_engine.feedback.text import split_sentences

__all__ = [
    "DEFAULT_SETTINGS",
    "TONES",
    "Classified",
    "FeedbackClassifier",
    "Settings",
    "Taxonomy",
    "classify",
    "default_classifier",
    "load_taxonomy",
    "read_labelled",
    "split_sentences",
    "train_classifier",
]
