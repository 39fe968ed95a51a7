"""Deterministic, vectorised demo-data generator of the NRR engine.

``python -m nrr_engine.generate --accounts N --months M --seed S --out DIR`` writes the 14 raw
tables of the data contract, ``ground_truth`` and ``generator_manifest.json``.
"""

from .cli import generate, main
from .constants import DRIVER_EFFECTS, FEATURE_CATALOGUE, INTEGRATION_CATALOGUE, PROTECTIVE_EFFECTS
from .schema import SCHEMAS, TABLES

__all__ = [
    "DRIVER_EFFECTS",
    "FEATURE_CATALOGUE",
    "INTEGRATION_CATALOGUE",
    "PROTECTIVE_EFFECTS",
    "SCHEMAS",
    "TABLES",
    "generate",
    "main",
]
