"""Warehouses other than the embedded DuckDB: a throwaway PostgreSQL server, the raw-table
loader (`nrr-load-raw`) and the calibration command for targets without dbt Python models."""
