"""Independent plain-Python reference implementation of the ARR / retention definitions.

Nothing here reads or shares code with the dbt project: it is written from
``docs/definitions.md`` only, so that tests can compare the dbt marts against it.
"""
