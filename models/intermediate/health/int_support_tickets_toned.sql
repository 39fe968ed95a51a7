{#-
    The tone of each support ticket from a transparent lexicon (seed `sentiment_lexicon`): the
    mean weight of the lexicon terms found in the lowercased subject and body, from -1
    (frustrated) to 1 (positive); 0 when no term matches. Every match is visible in
    `matched_terms`, so a CSM can see why a ticket reads as frustrated.
-#}
with

tickets as (
    select * from {{ ref('stg_raw__support_tickets') }}
),

lexicon as (
    select * from {{ ref('sentiment_lexicon') }}
),

texts as (
    select
        ticket_id,
        account_id,
        created_at,
        lower({{ dbt.concat(["coalesce(subject, '')", "' '", "coalesce(body, '')"]) }}) as ticket_text
    from tickets
),

matches as (
    select
        texts.ticket_id,
        lexicon.term,
        lexicon.tone
    from texts
    inner join lexicon
        on {{ dbt.position('lexicon.term', 'texts.ticket_text') }} > 0
),

scored as (
    select
        ticket_id,
        -- exact decimal sums: a float mean depends on the order rows arrive in
        avg(cast(tone as decimal(18, 9))) as tone,
        {{ dbt.listagg('term', "', '", "order by term") }} as matched_terms
    from matches
    group by ticket_id
),

final as (
    select
        texts.ticket_id,
        texts.account_id,
        texts.created_at,
        scored.matched_terms,
        coalesce(scored.tone, 0) as tone
    from texts
    left join scored
        on texts.ticket_id = scored.ticket_id
)

select * from final
