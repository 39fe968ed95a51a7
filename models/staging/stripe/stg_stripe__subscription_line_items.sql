{#-
    Stripe subscription items as the raw contract's subscription_line_items: one line per item
    and per stretch over which its price, quantity and discount stay the same
    (docs/map_your_exports.md#stripe-fivetran).

    - History: Fivetran's subscription_item holds the current state only, so the stretches come
      from the item's billed periods (invoice_line_item lines of the item on invoices that are
      not draft or void; a proration credit, amount < 0, is not a period). A change of quantity
      or price starts a new stretch on the first day billed at it (the proration charge's
      period start for a mid-period change). An item never invoiced is one stretch from the
      subscription's start at its current quantity and price; an item billed but no longer in
      subscription_item (removed) ends at the end of its last period billed.
    - A stretch ends where the next one starts; the last one ends when the subscription stops:
      ended_at (or canceled_at) once canceled, else cancel_at, else current_period_end with
      cancel_at_period_end; open otherwise. Never on the day the cancellation was requested.
    - Trials: a line starts no earlier than trial_end (no ARR during the trial); a trial that
      never converts leaves no line.
    - Discounts: `forever` and `repeating` coupons (on the subscription, or on the customer when
      the discount names no subscription) split the stretch at their start and end (end: the
      discount's, else start + duration_in_months). percent_off / 100, or amount_off / (quantity
      x unit amount) per period, at most 1; of two discounts at once, the larger. `once`
      coupons discount one invoice, not the contract: no discount_pct. A discount in another
      currency than the price, or whose coupon is unknown, is no share: discount_pct null, so
      the contract check quarantines the line rather than price it without the discount.
    - Amounts in currency units (stripe_amount()); interval: month x count, year x 12 x count;
      a daily or weekly price has no whole-month interval (null: the contract check quarantines
      it). Metered prices are `usage`, one-time prices `one_time`.
-#}
{%- set text = dbt.type_string() -%}
{%- set number = dbt.type_numeric() -%}
with

{% for table in stripe_sources('subscription') %}
    from_{{ table }} as (
        select
            cast(id as {{ text }}) as subscription_id,
            cast(customer_id as {{ text }}) as customer_id,
            lower(trim(cast(status as {{ text }}))) as status,
            cast(coalesce(
                {{ safe_cast('start_date', dbt.type_timestamp()) }},
                {{ safe_cast('created', dbt.type_timestamp()) }}
            ) as date) as started_on,
            cast({{ safe_cast('trial_end', dbt.type_timestamp()) }} as date) as trial_ends_on,
            coalesce({{ safe_cast('cancel_at_period_end', dbt.type_boolean()) }}, false)
                as cancel_at_period_end,
            cast({{ safe_cast('cancel_at', dbt.type_timestamp()) }} as date) as cancel_on,
            cast({{ safe_cast('canceled_at', dbt.type_timestamp()) }} as date) as canceled_on,
            cast({{ safe_cast('ended_at', dbt.type_timestamp()) }} as date) as ended_on,
            cast({{ safe_cast('current_period_end', dbt.type_timestamp()) }} as date)
                as current_period_ends_on,
            {{ loop.index }} as table_rank
        from {{ source('stripe', table) }}
        -- subscription_history: the current version only
        where coalesce({{ safe_cast('_fivetran_active', dbt.type_boolean()) }}, true)
    ),
{% endfor %}

subscription_rows as (
    {% for table in stripe_sources('subscription') -%}
        select * from from_{{ table }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

subscription_rows_ranked as (
    select
        subscription_rows.*,
        row_number() over (
            partition by subscription_rows.subscription_id order by subscription_rows.table_rank
        ) as rank_within_id
    from subscription_rows
),

subscriptions as (
    -- one row per id: subscription_history wins over subscription
    select * from subscription_rows_ranked
    where rank_within_id = 1
),

subscription_ends as (
    select
        subscriptions.*,
        case
            when subscriptions.status in ('canceled', 'incomplete_expired')
                then coalesce(subscriptions.ended_on, subscriptions.canceled_on)
            when subscriptions.ended_on is not null then subscriptions.ended_on
            when subscriptions.cancel_on is not null then subscriptions.cancel_on
            when subscriptions.cancel_at_period_end then subscriptions.current_period_ends_on
        end as stops_on
    from subscriptions
),

{% for table in stripe_sources('price') %}
    from_{{ table }} as (
        select
            cast(id as {{ text }}) as price_id,
            cast(product_id as {{ text }}) as product_id,
            cast(nickname as {{ text }}) as nickname,
            upper(trim(cast(currency as {{ text }}))) as currency,
            {% if table == 'price' -%}
                {{ safe_cast('unit_amount', number) }} as unit_amount,
                lower(trim(cast(type as {{ text }}))) as price_type,
                lower(trim(cast(recurring_interval as {{ text }}))) as billing_interval,
                coalesce(
                    {{ safe_cast('recurring_interval_count', dbt.type_int()) }}, 1
                ) as interval_count,
                lower(trim(cast(recurring_usage_type as {{ text }}))) as usage_type,
            {%- else -%}
                {{ safe_cast('amount', number) }} as unit_amount,
                cast('recurring' as {{ text }}) as price_type,
                lower(trim(cast({{ adapter.quote('interval') }} as {{ text }})))
                    as billing_interval,
                coalesce({{ safe_cast('interval_count', dbt.type_int()) }}, 1) as interval_count,
                lower(trim(cast(usage_type as {{ text }}))) as usage_type,
            {%- endif %}
            {{ loop.index }} as table_rank
        from {{ source('stripe', table) }}
    ),
{% endfor %}

price_rows as (
    {% for table in stripe_sources('price') -%}
        select * from from_{{ table }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

price_rows_ranked as (
    select
        price_rows.*,
        row_number() over (
            partition by price_rows.price_id order by price_rows.table_rank
        ) as rank_within_id
    from price_rows
),

prices as (
    -- one row per id: a price wins over a legacy plan of the same id
    select * from price_rows_ranked
    where rank_within_id = 1
),

products as (
    select
        cast(id as {{ text }}) as product_id,
        cast(name as {{ text }}) as product_name
    from {{ source('stripe', 'product') }}
),

items as (
    select
        cast(id as {{ text }}) as item_id,
        cast(subscription_id as {{ text }}) as subscription_id,
        cast(plan_id as {{ text }}) as price_id,
        {{ safe_cast('quantity', number) }} as quantity
    from {{ source('stripe', 'subscription_item') }}
),

invoices as (
    select
        cast(id as {{ text }}) as invoice_id,
        lower(trim(cast(status as {{ text }}))) as status
    from {{ source('stripe', 'invoice') }}
),

billed_periods as (
    -- the item's history: each period billed, at its quantity and price
    select
        cast(invoice_lines.subscription_item_id as {{ text }}) as item_id,
        cast(invoice_lines.subscription_id as {{ text }}) as subscription_id,
        cast({{ safe_cast('invoice_lines.period_start', dbt.type_timestamp()) }} as date)
            as period_start,
        cast({{ safe_cast('invoice_lines.period_end', dbt.type_timestamp()) }} as date)
            as period_end,
        {{ safe_cast('invoice_lines.quantity', number) }} as quantity,
        cast(coalesce(invoice_lines.price_id, invoice_lines.plan_id) as {{ text }}) as price_id
    from {{ source('stripe', 'invoice_line_item') }} as invoice_lines
    inner join invoices
        on cast(invoice_lines.invoice_id as {{ text }}) = invoices.invoice_id
    where invoice_lines.subscription_item_id is not null
        and coalesce(invoices.status, '') not in ('draft', 'void')
        and coalesce({{ safe_cast('invoice_lines.amount', number) }}, 0) >= 0
),

item_billing as (
    -- for an item no longer in subscription_item (removed): its subscription, and the end of
    -- the last period billed, where its last line ends
    select
        billed_periods.item_id,
        min(billed_periods.subscription_id) as billed_subscription_id,
        max(billed_periods.period_end) as last_billed_end
    from billed_periods
    group by billed_periods.item_id
),

distinct_periods as (
    -- an invoice line repeated (re-synced, or a period billed at the same terms twice) is one
    select distinct
        item_id,
        period_start,
        quantity,
        price_id
    from billed_periods
),

periods_compared as (
    select
        distinct_periods.*,
        lag(distinct_periods.quantity) over (
            partition by distinct_periods.item_id
            order by distinct_periods.period_start, distinct_periods.quantity
        ) as previous_quantity,
        lag(distinct_periods.price_id) over (
            partition by distinct_periods.item_id
            order by distinct_periods.period_start, distinct_periods.quantity
        ) as previous_price_id
    from distinct_periods
),

periods_islanded as (
    select
        periods_compared.*,
        sum(
            case
                when periods_compared.previous_quantity = periods_compared.quantity
                    and periods_compared.previous_price_id = periods_compared.price_id
                    then 0
                else 1
            end
        ) over (
            partition by periods_compared.item_id
            order by periods_compared.period_start, periods_compared.quantity
            rows unbounded preceding
        ) as stretch_number
    from periods_compared
),

billed_stretches as (
    select
        item_id,
        stretch_number,
        min(period_start) as stretch_start,
        min(quantity) as quantity,
        min(price_id) as price_id
    from periods_islanded
    group by item_id, stretch_number
),

unbilled_stretches as (
    -- an item never invoiced (in trial, or an export without invoices): its current state
    select
        items.item_id,
        1 as stretch_number,
        cast(null as date) as stretch_start,
        items.quantity,
        items.price_id
    from items
    where not exists (
            select 1 from billed_stretches
            where billed_stretches.item_id = items.item_id
        )
),

stretches as (
    select * from billed_stretches
    union all
    select * from unbilled_stretches
),

stretches_bounded as (
    select
        stretches.item_id,
        stretches.stretch_number,
        stretches.quantity,
        stretches.price_id,
        subscription_ends.customer_id,
        subscription_ends.subscription_id,
        -- no ARR during a trial: the paid line starts at its end
        case
            when subscription_ends.trial_ends_on
                > coalesce(stretches.stretch_start, subscription_ends.started_on)
                then subscription_ends.trial_ends_on
            else coalesce(stretches.stretch_start, subscription_ends.started_on)
        end as start_date,
        coalesce(
            lead(stretches.stretch_start) over (
                partition by stretches.item_id order by stretches.stretch_number
            ),
            case
                when items.item_id is not null then subscription_ends.stops_on
                when subscription_ends.stops_on < item_billing.last_billed_end
                    then subscription_ends.stops_on
                else item_billing.last_billed_end
            end
        ) as end_date
    from stretches
    left join items
        on stretches.item_id = items.item_id
    left join item_billing
        on stretches.item_id = item_billing.item_id
    left join subscription_ends
        on coalesce(items.subscription_id, item_billing.billed_subscription_id)
        = subscription_ends.subscription_id
),

coupons as (
    select
        cast(id as {{ text }}) as coupon_id,
        {{ safe_cast('percent_off', number) }} as percent_off,
        {{ safe_cast('amount_off', number) }} as amount_off,
        upper(trim(cast(currency as {{ text }}))) as currency,
        lower(trim(cast(duration as {{ text }}))) as duration,
        {{ safe_cast('duration_in_months', dbt.type_int()) }} as duration_in_months
    from {{ source('stripe', 'coupon') }}
),

discounts as (
    -- the discounts that change the contracted price: forever and repeating coupons, and
    -- those whose coupon is not in the coupon table (unknown: the line is quarantined below)
    select
        coupons.coupon_id is null as has_unknown_coupon,
        cast(discount_rows.subscription_id as {{ text }}) as subscription_id,
        cast(discount_rows.customer_id as {{ text }}) as customer_id,
        coupons.percent_off,
        coupons.amount_off,
        coupons.currency,
        cast({{ safe_cast('discount_rows.start', dbt.type_timestamp()) }} as date) as starts_on,
        cast(coalesce(
            {{ safe_cast('discount_rows.' ~ adapter.quote('end'), dbt.type_timestamp()) }},
            case
                when coupons.duration = 'repeating'
                    then {{ dbt.dateadd('month', 'coupons.duration_in_months',
                        safe_cast('discount_rows.start', dbt.type_timestamp())) }}
            end
        ) as date) as ends_on
    from {{ source('stripe', 'discount') }} as discount_rows
    left join coupons
        on cast(discount_rows.coupon_id as {{ text }}) = coupons.coupon_id
    where coupons.coupon_id is null or coupons.duration in ('forever', 'repeating')
),

stretch_discounts as (
    select
        discounts.*,
        stretches_bounded.item_id,
        stretches_bounded.stretch_number
    from stretches_bounded
    inner join discounts
        on (
            discounts.subscription_id = stretches_bounded.subscription_id
            or (
                discounts.subscription_id is null
                and discounts.customer_id = stretches_bounded.customer_id
            )
        )
        and (discounts.ends_on is null or discounts.ends_on > stretches_bounded.start_date)
        and (stretches_bounded.end_date is null or discounts.starts_on < stretches_bounded.end_date)
),

boundaries as (
    -- a stretch splits where a discount starts or ends inside it
    select
        item_id,
        stretch_number,
        start_date as boundary
    from stretches_bounded
    union
    select
        stretch_discounts.item_id,
        stretch_discounts.stretch_number,
        stretch_discounts.starts_on
    from stretch_discounts
    inner join stretches_bounded
        on stretch_discounts.item_id = stretches_bounded.item_id
        and stretch_discounts.stretch_number = stretches_bounded.stretch_number
    where stretch_discounts.starts_on > stretches_bounded.start_date
    union
    select
        stretch_discounts.item_id,
        stretch_discounts.stretch_number,
        stretch_discounts.ends_on
    from stretch_discounts
    inner join stretches_bounded
        on stretch_discounts.item_id = stretches_bounded.item_id
        and stretch_discounts.stretch_number = stretches_bounded.stretch_number
    where stretch_discounts.ends_on > stretches_bounded.start_date
        and (
            stretches_bounded.end_date is null
            or stretch_discounts.ends_on < stretches_bounded.end_date
        )
),

pieces as (
    select
        boundaries.item_id,
        boundaries.stretch_number,
        boundaries.boundary as start_date,
        stretches_bounded.customer_id,
        stretches_bounded.quantity,
        stretches_bounded.price_id,
        coalesce(
            lead(boundaries.boundary) over (
                partition by boundaries.item_id, boundaries.stretch_number
                order by boundaries.boundary
            ),
            stretches_bounded.end_date
        ) as end_date,
        row_number() over (
            partition by boundaries.item_id, boundaries.stretch_number order by boundaries.boundary
        ) as piece_number
    from boundaries
    inner join stretches_bounded
        on boundaries.item_id = stretches_bounded.item_id
        and boundaries.stretch_number = stretches_bounded.stretch_number
),

pieces_priced as (
    select
        pieces.*,
        prices.unit_amount,
        prices.currency,
        prices.price_type,
        prices.billing_interval,
        prices.interval_count,
        prices.usage_type,
        prices.nickname,
        products.product_name
    from pieces
    left join prices
        on pieces.price_id = prices.price_id
    left join products
        on prices.product_id = products.product_id
),

piece_discounts as (
    -- the discount share in force on the piece's first day; of two, the larger
    select
        pieces_priced.item_id,
        pieces_priced.stretch_number,
        pieces_priced.piece_number,
        max(
            case
                when stretch_discounts.percent_off is not null
                    then stretch_discounts.percent_off / 100
                when stretch_discounts.currency = pieces_priced.currency
                    and pieces_priced.quantity * pieces_priced.unit_amount > 0
                    then case
                            when stretch_discounts.amount_off
                                >= pieces_priced.quantity * pieces_priced.unit_amount then 1
                            else stretch_discounts.amount_off
                                / (pieces_priced.quantity * pieces_priced.unit_amount)
                        end
            end
        ) as discount_pct,
        -- an amount off in another currency than the price cannot be a share, nor can a
        -- coupon that is not in the coupon table: the line is quarantined (discount_pct
        -- missing) rather than priced without it
        max(case
            when stretch_discounts.has_unknown_coupon then 1
            when stretch_discounts.percent_off is null
                and stretch_discounts.amount_off is not null
                and coalesce(stretch_discounts.currency, '') <> coalesce(pieces_priced.currency, '')
                then 1
            else 0
        end) as has_unusable_discount
    from pieces_priced
    inner join stretch_discounts
        on pieces_priced.item_id = stretch_discounts.item_id
        and pieces_priced.stretch_number = stretch_discounts.stretch_number
        and stretch_discounts.starts_on <= pieces_priced.start_date
        and (
            stretch_discounts.ends_on is null
            or stretch_discounts.ends_on > pieces_priced.start_date
        )
    group by pieces_priced.item_id, pieces_priced.stretch_number, pieces_priced.piece_number
),

final as (
    select
        {{ dbt.concat([
            'pieces_priced.item_id', "'#'",
            dbt.cast('pieces_priced.stretch_number', text), "'.'",
            dbt.cast('pieces_priced.piece_number', text),
        ]) }} as line_item_id,
        pieces_priced.customer_id as account_id,
        pieces_priced.product_name as product,
        coalesce(pieces_priced.nickname, pieces_priced.price_id) as plan,
        case
            when pieces_priced.price_type = 'one_time' then 'one_time'
            when pieces_priced.usage_type = 'metered' then 'usage'
            else 'recurring'
        end as line_type,
        case pieces_priced.billing_interval
            when 'month' then pieces_priced.interval_count
            when 'year' then 12 * pieces_priced.interval_count
        end as interval_months,
        pieces_priced.start_date,
        pieces_priced.end_date,
        pieces_priced.quantity,
        {{ stripe_amount('pieces_priced.unit_amount', 'pieces_priced.currency') }} as unit_price,
        case
            when piece_discounts.has_unusable_discount = 1 then null
            else coalesce(piece_discounts.discount_pct, 0)
        end as discount_pct,
        pieces_priced.currency
    from pieces_priced
    left join piece_discounts
        on pieces_priced.item_id = piece_discounts.item_id
        and pieces_priced.stretch_number = piece_discounts.stretch_number
        and pieces_priced.piece_number = piece_discounts.piece_number
    -- a trial that never converted (it stopped by its end) leaves no paid line
    where pieces_priced.end_date is null or pieces_priced.end_date > pieces_priced.start_date
)

select * from final
