// Diesel table definitions; they mirror the SQL in `migrations/`.

diesel::table! {
    organisations (id) {
        id -> Int8,
        code -> Text,
        name -> Text,
        kind -> Text,
        aliases -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    roadmaps (id) {
        id -> Int8,
        code -> Text,
        title -> Text,
        legal_basis -> Text,
        start_year -> Int4,
        end_year -> Int4,
        baseline_year -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    goals (id) {
        id -> Int8,
        roadmap_id -> Int8,
        code -> Text,
        name -> Text,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        retired_at -> Nullable<Timestamptz>,
        retired_reason -> Nullable<Text>,
    }
}

diesel::table! {
    themes (id) {
        id -> Int8,
        roadmap_id -> Int8,
        code -> Text,
        name -> Text,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        retired_at -> Nullable<Timestamptz>,
        retired_reason -> Nullable<Text>,
    }
}

diesel::table! {
    objectives (id) {
        id -> Int8,
        roadmap_id -> Int8,
        code -> Text,
        kind -> Text,
        goal_id -> Nullable<Int8>,
        theme_id -> Nullable<Int8>,
        name -> Text,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        retired_at -> Nullable<Timestamptz>,
        retired_reason -> Nullable<Text>,
        coordinator_id -> Nullable<Int8>,
    }
}

diesel::table! {
    activities (id) {
        id -> Int8,
        roadmap_id -> Int8,
        objective_id -> Int8,
        code -> Text,
        name -> Text,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        retired_at -> Nullable<Timestamptz>,
        retired_reason -> Nullable<Text>,
        coordinator_id -> Nullable<Int8>,
    }
}

diesel::table! {
    indicators (id) {
        id -> Int8,
        roadmap_id -> Int8,
        code -> Text,
        name -> Text,
        unit -> Text,
        value_kind -> Text,
        direction -> Text,
        yearly_rule -> Text,
        coordinator_id -> Nullable<Int8>,
        note -> Nullable<Text>,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        combine_rule -> Text,
        reporting_unit_id -> Nullable<Int8>,
        lower_rule -> Text,
        retired_at -> Nullable<Timestamptz>,
        retired_reason -> Nullable<Text>,
        version -> Int4,
    }
}

diesel::table! {
    indicator_placements (id) {
        id -> Int8,
        indicator_id -> Int8,
        goal_id -> Nullable<Int8>,
        objective_id -> Nullable<Int8>,
        activity_id -> Nullable<Int8>,
        position -> Int4,
    }
}

diesel::table! {
    indicator_implementers (indicator_id, organisation_id) {
        indicator_id -> Int8,
        organisation_id -> Int8,
        position -> Int4,
    }
}

diesel::table! {
    indicator_figures (id) {
        id -> Int8,
        indicator_id -> Int8,
        role -> Text,
        year -> Int4,
        quarter -> Nullable<Int2>,
        printed -> Text,
        value_type -> Text,
        number -> Nullable<Numeric>,
        count -> Nullable<Numeric>,
        qualifier -> Nullable<Text>,
        band_low -> Nullable<Numeric>,
        band_high -> Nullable<Numeric>,
        comparator -> Nullable<Text>,
        grade -> Nullable<Text>,
        label -> Nullable<Text>,
        stated_value -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::joinable!(goals -> roadmaps (roadmap_id));
diesel::joinable!(themes -> roadmaps (roadmap_id));
diesel::joinable!(objectives -> roadmaps (roadmap_id));
diesel::joinable!(objectives -> goals (goal_id));
diesel::joinable!(objectives -> themes (theme_id));
diesel::joinable!(activities -> objectives (objective_id));
diesel::joinable!(indicators -> roadmaps (roadmap_id));
diesel::joinable!(indicators -> organisations (coordinator_id));
diesel::joinable!(indicator_placements -> indicators (indicator_id));
diesel::joinable!(indicator_implementers -> indicators (indicator_id));
diesel::joinable!(indicator_implementers -> organisations (organisation_id));
diesel::joinable!(indicator_figures -> indicators (indicator_id));
diesel::joinable!(action_plans -> activities (activity_id));
diesel::joinable!(action_plans -> objectives (objective_id));
diesel::joinable!(action_plan_supporters -> action_plans (plan_id));
diesel::joinable!(action_plan_indicators -> action_plans (plan_id));
diesel::joinable!(action_plan_indicators -> indicators (indicator_id));
diesel::joinable!(milestones -> action_plans (plan_id));
diesel::joinable!(milestone_progress -> milestones (milestone_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    roadmaps,
    goals,
    themes,
    objectives,
    activities,
    indicators,
    indicator_placements,
    indicator_implementers,
    indicator_figures,
    reporting_periods,
    period_exceptions,
    realisations,
    realisation_versions,
    evidence,
    target_revisions,
    action_plans,
    action_plan_supporters,
    action_plan_indicators,
    milestones,
    milestone_progress,
);

diesel::table! {
    users (id) {
        id -> Int8,
        username -> Text,
        display_name -> Text,
        role -> Text,
        organisation_id -> Nullable<Int8>,
        password_hash -> Text,
        active -> Bool,
        tokens_valid_after -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    service_clients (id) {
        id -> Int8,
        client_id -> Text,
        name -> Text,
        scopes -> Array<Text>,
        organisation_id -> Nullable<Int8>,
        secret_hash -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Int8,
        token_hash -> Bytea,
        family_id -> Uuid,
        user_id -> Nullable<Int8>,
        client_id -> Nullable<Int8>,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Int8,
        username -> Text,
        client_ip -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamptz,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        action -> Text,
        actor_user_id -> Nullable<Int8>,
        actor_client_id -> Nullable<Int8>,
        actor_name -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        subject -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(service_clients -> organisations (organisation_id));
diesel::allow_tables_to_appear_in_same_query!(users, service_clients, organisations);

diesel::table! {
    reporting_periods (id) {
        id -> Int8,
        roadmap_id -> Int8,
        year -> Int4,
        quarter -> Int2,
        opens_on -> Date,
        deadline -> Date,
        late_policy -> Text,
        locked_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    period_exceptions (id) {
        id -> Int8,
        period_id -> Int8,
        organisation_id -> Int8,
        until -> Date,
        reason -> Text,
        granted_by_user_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    realisations (id) {
        id -> Int8,
        indicator_id -> Int8,
        period_id -> Int8,
        organisation_id -> Int8,
        state -> Text,
        version -> Int4,
        printed -> Nullable<Text>,
        value_number -> Nullable<Numeric>,
        numerator -> Nullable<Numeric>,
        denominator -> Nullable<Numeric>,
        value_text -> Nullable<Text>,
        grade -> Nullable<Text>,
        met -> Nullable<Bool>,
        note -> Nullable<Text>,
        created_by_user_id -> Nullable<Int8>,
        created_by_client_id -> Nullable<Int8>,
        submitted_at -> Nullable<Timestamptz>,
        submitted_by_user_id -> Nullable<Int8>,
        submitted_by_client_id -> Nullable<Int8>,
        timeliness -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamptz>,
        reviewed_by_user_id -> Nullable<Int8>,
        review_note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    realisation_versions (id) {
        id -> Int8,
        realisation_id -> Int8,
        version -> Int4,
        state -> Text,
        action -> Text,
        snapshot -> Jsonb,
        actor_user_id -> Nullable<Int8>,
        actor_client_id -> Nullable<Int8>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    evidence (id) {
        id -> Int8,
        realisation_id -> Nullable<Int8>,
        kind -> Text,
        url -> Nullable<Text>,
        file_name -> Nullable<Text>,
        media_type -> Nullable<Text>,
        size_bytes -> Nullable<Int8>,
        sha256 -> Nullable<Bytea>,
        storage_key -> Nullable<Text>,
        description -> Nullable<Text>,
        added_by_user_id -> Nullable<Int8>,
        added_by_client_id -> Nullable<Int8>,
        added_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
        milestone_id -> Nullable<Int8>,
    }
}

diesel::table! {
    idempotency_keys (principal, key) {
        principal -> Text,
        key -> Text,
        fingerprint -> Bytea,
        status -> Int2,
        response_body -> Jsonb,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(reporting_periods -> roadmaps (roadmap_id));
diesel::joinable!(period_exceptions -> reporting_periods (period_id));
diesel::joinable!(realisations -> reporting_periods (period_id));
diesel::joinable!(realisations -> indicators (indicator_id));
diesel::joinable!(realisation_versions -> realisations (realisation_id));
diesel::joinable!(evidence -> realisations (realisation_id));

diesel::table! {
    target_revisions (id) {
        id -> Int8,
        indicator_id -> Int8,
        year -> Int4,
        quarter -> Nullable<Int2>,
        printed -> Text,
        value -> Jsonb,
        previous_printed -> Nullable<Text>,
        previous_value -> Nullable<Jsonb>,
        reason -> Text,
        reference -> Text,
        revised_by_user_id -> Int8,
        effective_from -> Timestamptz,
    }
}

diesel::joinable!(target_revisions -> indicators (indicator_id));

diesel::table! {
    action_plans (id) {
        id -> Int8,
        roadmap_id -> Int8,
        code -> Nullable<Text>,
        activity_id -> Nullable<Int8>,
        objective_id -> Nullable<Int8>,
        title -> Text,
        description -> Nullable<Text>,
        output_name -> Text,
        output_unit -> Text,
        output_quantity -> Numeric,
        starts_on -> Date,
        ends_on -> Date,
        budget -> Nullable<Numeric>,
        responsible_id -> Int8,
        status -> Text,
        cancel_reason -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    action_plan_supporters (plan_id, organisation_id) {
        plan_id -> Int8,
        organisation_id -> Int8,
        position -> Int4,
    }
}

diesel::table! {
    action_plan_indicators (plan_id, indicator_id) {
        plan_id -> Int8,
        indicator_id -> Int8,
        position -> Int4,
    }
}

diesel::table! {
    milestones (id) {
        id -> Int8,
        plan_id -> Int8,
        title -> Text,
        expected_output -> Text,
        due_on -> Date,
        due_quarter -> Nullable<Text>,
        weight -> Numeric,
        progress -> Numeric,
        progress_reported_at -> Nullable<Timestamptz>,
        position -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    milestone_progress (id) {
        id -> Int8,
        milestone_id -> Int8,
        percent -> Numeric,
        note -> Nullable<Text>,
        reported_by_user_id -> Nullable<Int8>,
        reported_by_client_id -> Nullable<Int8>,
        reported_at -> Timestamptz,
    }
}
