//! The database schema, written by hand in types that both SQLite and PostgreSQL understand
//! (diesel's `MultiConnection` supports only those). Keep in step with `migrations/`.

diesel::table! {
    regions (id) {
        id -> BigInt,
        key -> Text,
        name -> Text,
        local_name -> Nullable<Text>,
        kind -> Text,
        country_code -> Text,
        subdivision_code -> Nullable<Text>,
        capital -> Nullable<Text>,
        area_km2 -> Nullable<Double>,
        population -> Nullable<BigInt>,
        population_year -> Nullable<Integer>,
        parent_region_id -> Nullable<BigInt>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sectors (id) {
        id -> BigInt,
        key -> Text,
        code -> Text,
        name -> Text,
        local_name -> Nullable<Text>,
        description -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agencies (id) {
        id -> BigInt,
        key -> Text,
        name -> Text,
        english_name -> Nullable<Text>,
        acronym -> Nullable<Text>,
        country_code -> Text,
        region_id -> Nullable<BigInt>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> BigInt,
        key -> Text,
        name -> Text,
        local_name -> Nullable<Text>,
        acronym -> Nullable<Text>,
        kind -> Text,
        country_code -> Nullable<Text>,
        website -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> BigInt,
        key -> Text,
        name -> Text,
        position -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        agency_id -> Nullable<BigInt>,
        organization_id -> Nullable<BigInt>,
        region_id -> Nullable<BigInt>,
        languages -> Text,
        active -> Bool,
        notes -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(agencies -> regions (region_id));

diesel::table! {
    agreements (id) {
        id -> BigInt,
        key -> Text,
        title -> Text,
        local_title -> Nullable<Text>,
        local_description -> Nullable<Text>,
        local_language -> Nullable<Text>,
        kind -> Text,
        instrument -> Nullable<Text>,
        status -> Text,
        signed_on -> Nullable<Date>,
        signed_on_precision -> Text,
        effective_from -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        facilitator -> Nullable<Text>,
        legal_basis -> Nullable<Text>,
        full_power_letter_ref -> Nullable<Text>,
        full_power_letter_issued_on -> Nullable<Date>,
        document_url -> Nullable<Text>,
        renews_agreement_id -> Nullable<BigInt>,
        amends_agreement_id -> Nullable<BigInt>,
        stage -> Nullable<Text>,
        notes -> Nullable<Text>,
        source -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreement_parties (agreement_id, region_id) {
        agreement_id -> BigInt,
        region_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    agreement_organizations (agreement_id, organization_id) {
        agreement_id -> BigInt,
        organization_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    agreement_sectors (agreement_id, sector_id) {
        agreement_id -> BigInt,
        sector_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    milestones (id) {
        id -> BigInt,
        key -> Text,
        agreement_id -> BigInt,
        stage -> Text,
        status -> Text,
        date -> Nullable<Date>,
        date_precision -> Text,
        reference -> Nullable<Text>,
        authority -> Nullable<Text>,
        notes -> Nullable<Text>,
        source -> Nullable<Text>,
        document_id -> Nullable<BigInt>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        key -> Text,
        agreement_id -> BigInt,
        action_plan_id -> Nullable<BigInt>,
        category -> Text,
        title -> Text,
        issued_on -> Nullable<Date>,
        language -> Nullable<Text>,
        reference -> Nullable<Text>,
        url -> Nullable<Text>,
        notes -> Nullable<Text>,
        source -> Nullable<Text>,
        file_media_type -> Nullable<Text>,
        file_size -> Nullable<BigInt>,
        file_sha256 -> Nullable<Text>,
        file_uploaded_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    document_files (document_id, seq) {
        document_id -> BigInt,
        seq -> Integer,
        content -> Binary,
    }
}

diesel::table! {
    action_plans (id) {
        id -> BigInt,
        key -> Text,
        agreement_id -> BigInt,
        title -> Text,
        local_title -> Nullable<Text>,
        local_description -> Nullable<Text>,
        description -> Nullable<Text>,
        status -> Text,
        year -> Nullable<Integer>,
        end_year -> Nullable<Integer>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        outcome -> Nullable<Text>,
        source -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

// How many action plans there are in each status and year (migration 000018): `dated` 0 (and
// `year` 0) for plans whose year is to be determined; a count is the sum of its shards.
diesel::table! {
    action_plan_status_years (status, dated, year, shard) {
        status -> Text,
        dated -> Integer,
        year -> Integer,
        shard -> Integer,
        plans -> BigInt,
    }
}

diesel::table! {
    action_plan_sectors (action_plan_id, sector_id) {
        action_plan_id -> BigInt,
        sector_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    action_plan_agencies (action_plan_id, agency_id) {
        action_plan_id -> BigInt,
        agency_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    obstacles (id) {
        id -> BigInt,
        key -> Text,
        agreement_id -> BigInt,
        action_plan_id -> Nullable<BigInt>,
        category -> Text,
        description -> Text,
        severity -> Nullable<Text>,
        status -> Nullable<Text>,
        mitigation -> Nullable<Text>,
        identified_on -> Nullable<Date>,
        source -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    transactions (id) {
        id -> BigInt,
        key -> Text,
        action_plan_id -> BigInt,
        kind -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        value_date -> Date,
        party_region_id -> Nullable<BigInt>,
        funding_source -> Nullable<Text>,
        reference -> Nullable<Text>,
        description -> Nullable<Text>,
        source -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicators (id) {
        id -> BigInt,
        key -> Text,
        action_plan_id -> BigInt,
        title -> Text,
        measure -> Text,
        unit -> Nullable<Text>,
        ascending -> Bool,
        baseline_value -> Nullable<Text>,
        baseline_year -> Nullable<Integer>,
        target_value -> Nullable<Text>,
        target_year -> Nullable<Integer>,
        actual_value -> Nullable<Text>,
        actual_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        source -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        role -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        resource_type -> Text,
        resource_id -> BigInt,
        changes -> Text,
    }
}

diesel::joinable!(agreement_parties -> agreements (agreement_id));
diesel::joinable!(agreement_parties -> regions (region_id));
diesel::joinable!(agreement_organizations -> agreements (agreement_id));
diesel::joinable!(agreement_organizations -> organizations (organization_id));
diesel::joinable!(agreement_sectors -> agreements (agreement_id));
diesel::joinable!(agreement_sectors -> sectors (sector_id));
diesel::joinable!(milestones -> agreements (agreement_id));
diesel::joinable!(milestones -> documents (document_id));
diesel::joinable!(documents -> agreements (agreement_id));
diesel::joinable!(documents -> action_plans (action_plan_id));
diesel::joinable!(document_files -> documents (document_id));
diesel::joinable!(action_plans -> agreements (agreement_id));
diesel::joinable!(action_plan_sectors -> action_plans (action_plan_id));
diesel::joinable!(action_plan_sectors -> sectors (sector_id));
diesel::joinable!(action_plan_agencies -> action_plans (action_plan_id));
diesel::joinable!(action_plan_agencies -> agencies (agency_id));
diesel::joinable!(obstacles -> agreements (agreement_id));
diesel::joinable!(obstacles -> action_plans (action_plan_id));
diesel::joinable!(transactions -> action_plans (action_plan_id));
diesel::joinable!(transactions -> regions (party_region_id));
diesel::joinable!(indicators -> action_plans (action_plan_id));

diesel::allow_tables_to_appear_in_same_query!(
    regions,
    sectors,
    agencies,
    organizations,
    contacts,
    agreements,
    agreement_parties,
    agreement_organizations,
    agreement_sectors,
    milestones,
    documents,
    document_files,
    action_plans,
    action_plan_sectors,
    action_plan_agencies,
    obstacles,
    transactions,
    indicators,
    api_tokens,
    audit_events,
);
