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

diesel::joinable!(agencies -> regions (region_id));
diesel::allow_tables_to_appear_in_same_query!(regions, sectors, agencies);
