"""Run suites with Great Expectations and turn failed expectations into named failures.

The mart suites run here (the raw validation is SQL in DuckDB, ``raw_suites``, and shares only
``Failure`` and the way examples are shown). A suite is a pandas DataFrame plus a list of
``Check``s: the name of a GX Core expectation class, its arguments, and what it means for us
(table, column, rule). Suites are built without GX, so building them is cheap and testable; GX is
imported only here, lazily, when a suite runs (the import takes about 3 s). Data is always handed
to GX as a DataFrame through a pandas datasource: GX's SQL datasource does not work over DuckDB
(see the stack notes).
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class Check:
    """One expectation: `expectation` is a class of `great_expectations.expectations`."""

    expectation: str
    kwargs: dict[str, Any]
    table: str
    column: str | None
    rule: str
    description: str


@dataclass
class Suite:
    """Checks on one DataFrame. `name` is `<layer>.<table>`, e.g. `raw.invoices`."""

    name: str
    frame: pd.DataFrame
    checks: list[Check]


@dataclass
class Failure:
    """A broken rule, named by stage, table, column and rule."""

    stage: str
    table: str
    column: str | None
    rule: str
    detail: str
    unexpected_count: int | None = None
    examples: list[str] = field(default_factory=list)

    def message(self) -> str:
        where = self.table + (f".{self.column}" if self.column else "")
        text = f"{where} [{self.rule}]: {self.detail}"
        if self.unexpected_count is not None:
            text += f" ({self.unexpected_count} row{'s' if self.unexpected_count != 1 else ''}"
            text += f", e.g. {', '.join(self.examples)})" if self.examples else ")"
        return text

    def as_dict(self) -> dict:
        return asdict(self)


def _show(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, np.datetime64 | pd.Timestamp):
        stamp = pd.Timestamp(value)
        text = stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
        return text
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class GxSession:
    """One ephemeral GX context per scheduled run, with a Data Docs site in `data_docs_dir`."""

    def __init__(self, data_docs_dir: Path | None = None) -> None:
        self.data_docs_dir = Path(data_docs_dir) if data_docs_dir else None
        self._context = None
        self._datasources: dict[str, Any] = {}
        self._names: dict[str, int] = {}

    def _ctx(self):
        if self._context is None:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            if self.data_docs_dir is not None:
                shutil.rmtree(self.data_docs_dir, ignore_errors=True)
                self.data_docs_dir.mkdir(parents=True, exist_ok=True)
                context.add_data_docs_site(
                    site_name="scheduled_run",
                    site_config={
                        "class_name": "SiteBuilder",
                        "store_backend": {
                            "class_name": "TupleFilesystemStoreBackend",
                            "base_directory": str(self.data_docs_dir),
                        },
                        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    },
                )
            self._context = context
        return self._context

    @property
    def data_docs_index(self) -> Path | None:
        if self.data_docs_dir is None:
            return None
        index = self.data_docs_dir / "index.html"
        return index if index.exists() else None

    def run(self, suites: list[Suite], stage: str) -> list[Failure]:
        """Validate every suite; return the failed checks in suite order."""
        if not suites:
            return []
        import great_expectations as gx
        import great_expectations.expectations as gxe

        context = self._ctx()
        if stage not in self._datasources:
            self._datasources[stage] = context.data_sources.add_pandas(name=stage)
        datasource = self._datasources[stage]

        failures: list[Failure] = []
        for suite in suites:
            # GX names must be unique within a context; a suite run twice gets a numbered name.
            seen = self._names.get(suite.name, 0)
            self._names[suite.name] = seen + 1
            name = suite.name if not seen else f"{suite.name} ({seen + 1})"
            batch = datasource.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(
                name="whole"
            )
            expectations = []
            for index, check in enumerate(suite.checks):
                meta = {
                    "check_index": index,
                    "table": check.table,
                    "column": check.column or "",
                    "rule": check.rule,
                    "description": check.description,
                }
                expectation_class = getattr(gxe, check.expectation)
                expectations.append(
                    expectation_class(**check.kwargs, meta=meta, catch_exceptions=True)
                )
            # The whole suite at once: adding expectations one by one re-serialises the suite.
            gx_suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
            )
            # One checkpoint per suite, since each batch is its own DataFrame. Data Docs are
            # built once at the end of the run (build_docs): per checkpoint they cost O(n^2).
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(
                    name=f"{stage}:{name}",
                    validation_definitions=[definition],
                    actions=[],
                    # SUMMARY: counts and the first unexpected values, not every unexpected row
                    result_format={"result_format": "SUMMARY"},
                )
            )
            result = checkpoint.run(batch_parameters={"dataframe": suite.frame})
            for run_result in result.run_results.values():
                failures += _failures(run_result.results, stage)
        return failures

    def build_docs(self) -> Path | None:
        """Render the Data Docs of every suite run so far; the index page, if any."""
        if self._context is None or self.data_docs_dir is None:
            return None
        self._context.build_data_docs()
        return self.data_docs_index


def _exceptions(info) -> list[str]:
    """Messages of exceptions a check raised (GX nests them per metric, or not)."""
    if not isinstance(info, dict):
        return []
    if "raised_exception" in info:
        return [str(info.get("exception_message"))] if info.get("raised_exception") else []
    return [m for value in info.values() for m in _exceptions(value)]


def _failures(results, stage: str) -> list[Failure]:
    found = []
    for result in results:
        if result.success:
            continue
        meta = result.expectation_config.meta or {}
        detail = meta.get("description") or result.expectation_config.type
        raw = result.result or {}
        examples = [_show(v) for v in (raw.get("partial_unexpected_list") or [])[:EXAMPLES_SHOWN]]
        if "observed_value" in raw and raw.get("unexpected_count") is None:
            detail += f"; observed {raw['observed_value']}"
        for exception in _exceptions(result.exception_info):
            detail += f"; the check raised: {exception}"
        missing = ((raw.get("details") or {}).get("mismatched") or {}).get("missing")
        if missing:  # a column-set check: one failure per missing column
            for column in missing:
                found.append(
                    (
                        int(meta.get("check_index", 0)),
                        Failure(
                            stage, meta.get("table", "?"), column, meta["rule"], meta["description"]
                        ),
                    )
                )
            continue
        found.append(
            (
                int(meta.get("check_index", 0)),
                Failure(
                    stage=stage,
                    table=meta.get("table", "?"),
                    column=meta.get("column") or None,
                    rule=meta.get("rule", result.expectation_config.type),
                    detail=detail,
                    unexpected_count=raw.get("unexpected_count"),
                    examples=examples,
                ),
            )
        )
    return [failure for _, failure in sorted(found, key=lambda pair: pair[0])]
