{#-
    The holdout bucket of an account, in [0, 1): hash_uniform of the var intervention_holdout_salt
    followed by the account id, the same every run and on every warehouse. An account whose
    bucket is below the var intervention_holdout_share is in the holdout: monitored, not worked
    (docs/definitions.md#interventions). The generator computes the same number in Python,
    int(hashlib.md5((salt + account_id).encode()).hexdigest()[:4], 16) / 65536, so the simulated
    team leaves exactly these accounts alone.
-#}
{% macro holdout_bucket(account_id_expression) -%}
    {{ hash_uniform(dbt.concat(["'" ~ var('intervention_holdout_salt') ~ "'", account_id_expression])) }}
{%- endmacro %}
