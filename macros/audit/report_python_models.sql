{#-
    on-run-start hook: on a warehouse without dbt Python models (every adapter but DuckDB), say
    in the build log which Python models (python_models/calibration, python_models/feedback)
    this run leaves out and
    the commands that build them instead; stop with that message when the run selected one, as
    it would otherwise fail with an obscure materialization error. The default selector
    `without_python_models` (selectors.yml) leaves them and what reads them (since issue 13 the
    health score too: its ticket and review tone read the feedback classification) out of a
    plain `dbt build`. On DuckDB it does nothing.
-#}
{% macro report_python_models() %}
    {%- if execute and target.type != 'duckdb' -%}
        {%- set python_models = [] -%}
        {%- set python_ids = [] -%}
        {%- set selected = [] -%}
        {%- for node in graph.nodes.values()
                if node.resource_type == 'model' and node.language == 'python'
                and node.package_name == project_name -%}
            {%- do python_models.append(node.name) -%}
            {%- do python_ids.append(node.unique_id) -%}
            {%- if node.unique_id in selected_resources -%}
                {%- do selected.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {#- the selected models that read a Python model's table (the health score's text tone,
            the calibration and feedback marts) -#}
        {%- set readers = [] -%}
        {%- set read_tables = [] -%}
        {%- for node in graph.nodes.values()
                if node.resource_type == 'model' and node.unique_id in selected_resources -%}
            {%- for parent in node.depends_on.nodes if parent in python_ids -%}
                {%- do readers.append(node.name) -%}
                {%- do read_tables.append(graph.nodes[parent].name) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set commands = "nrr-calibrate-warehouse --target " ~ target.name ~ " --step feedback"
            ~ " (the feedback classifier on the corpus, its tables written), then `dbt build"
            ~ " --selector after_feedback_classification` (the health score, what reads it and the"
            ~ " feedback marts), then nrr-calibrate-warehouse --target " ~ target.name
            ~ " --step calibration (nrr_engine.calibration on the health history), then `dbt build"
            ~ " --selector calibration_after_command` (the calibration marts)" -%}
        {%- if selected -%}
            {{ exceptions.raise_compiler_error(
                target.type ~ " runs no dbt Python models, and this run selected "
                ~ selected | sort | join(', ') ~ ". Leave them out (a plain `dbt build` does) and "
                ~ "run " ~ commands ~ ".") }}
        {%- endif -%}
        {%- if readers -%}
            {%- do log(
                "On " ~ target.type ~ " the models " ~ readers | unique | sort | join(', ')
                ~ " read the tables (" ~ read_tables | unique | sort | join(', ')
                ~ ") nrr-calibrate-warehouse --target " ~ target.name ~ " wrote in "
                ~ "place of the Python models: run it again first when the warehouse data changed.",
                info=true) -%}
        {%- elif python_models -%}
            {%- do log(
                "Python models skipped on " ~ target.type ~ ": " ~ python_models | sort | join(', ')
                ~ ", and the models that read them (the health score through its ticket and review"
                ~ " tone, what reads the health score, the feedback and calibration marts). To build"
                ~ " them: " ~ commands
                ~ ".",
                info=true) -%}
        {%- endif -%}
    {%- endif -%}
    select 1 as python_models_reported
{% endmacro %}
