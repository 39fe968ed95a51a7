"""Data-quality gate of scheduled runs.

The scheduled run guards the boundaries of the DAG (dbt tests guard the logic inside it):

- ``contract``: the raw data contract, read from ``models/staging/raw/_raw__sources.yml``;
- ``raw_suites``: raw-input checks generated from that contract, run as SQL in DuckDB over the
  raw folder;
- ``mart_suites``: bounds and identities of the published marts, run on the candidate warehouse;
- ``validation``: runs the mart suites with GX Core (imported lazily: it is slow) and collects
  failures;
- ``run_log``: the ``audit_runs`` table, in its own DuckDB file and copied into each published
  warehouse;
- ``scheduled_run``: one command (``nrr-scheduled-run``) that validates raw, checks freshness,
  builds into a candidate file, validates the marts and publishes atomically, or nothing.
"""
