//! Upgrades keep the data: a database brought to an earlier schema and filled, then migrated
//! to the current one. (Migration 000011 rebuilds SQLite's agreements table to widen a CHECK.)

use diesel::connection::SimpleConnection;

use crate::helpers::fresh_database;

const NOW: &str = "'2026-01-01 00:00:00'";

#[test]
fn rebuilding_the_agreements_table_keeps_ids_links_counters_and_foreign_keys() {
    let (_database, url) = fresh_database();
    let target = jalin::testing::DatabaseTarget::parse(&url).expect("a database URL");
    let mut conn = jalin::testing::ConnectionManager::connect(&target).expect("a connection");
    // The schema as it was before the lifecycle (migrations up to 000010, contacts).
    jalin::testing::run_migrations_up_to(&mut conn, "20261203000010").expect("the earlier migrations");
    conn.batch_execute(&format!(
        "INSERT INTO regions (key, name, kind, country_code, created_at, updated_at) VALUES \
           ('ID-JB', 'West Java', 'province', 'ID', {NOW}, {NOW}), ('MA-09', 'Souss-Massa', 'region', 'MA', {NOW}, {NOW}); \
         INSERT INTO agreements (key, title, kind, status, created_at, updated_at) VALUES \
           ('mou', 'MoU', 'sister_province', 'active', {NOW}, {NOW}), \
           ('renewal', 'Renewal', 'sister_province', 'negotiating', {NOW}, {NOW}), \
           ('dropped', 'Dropped', 'other', 'proposed', {NOW}, {NOW}); \
         UPDATE agreements SET renews_agreement_id = 1 WHERE key = 'renewal'; \
         DELETE FROM agreements WHERE key = 'dropped'; \
         INSERT INTO agreement_parties (agreement_id, region_id, position) VALUES (1, 1, 0), (1, 2, 1), (2, 1, 0), (2, 2, 1); \
         INSERT INTO action_plans (key, agreement_id, title, status, created_at, updated_at) \
           VALUES ('plan', 1, 'Business matching', 'planned', {NOW}, {NOW});"
    ))
    .expect("the data of the earlier schema");

    assert!(jalin::testing::run_migrations(&mut conn).expect("the later migrations") >= 3);
    let count =
        |conn: &mut jalin::testing::DbConnection, sql: &str| jalin::testing::count_sql(conn, sql).expect(sql);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS count FROM agreements WHERE id IN (1, 2)"), 2);
    assert_eq!(
        count(&mut conn, "SELECT renews_agreement_id AS count FROM agreements WHERE key = 'renewal'"),
        1
    );
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS count FROM agreement_parties"), 4);
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS count FROM agreements WHERE stage IS NULL AND amends_agreement_id IS NULL"
        ),
        2
    );
    // The next id is not the deleted one's: the counter went on.
    conn.batch_execute(&format!(
        "INSERT INTO agreements (key, title, kind, status, created_at, updated_at) \
         VALUES ('institutional', 'With a university', 'institutional', 'proposed', {NOW}, {NOW})"
    ))
    .expect("the new kind is allowed");
    assert_eq!(count(&mut conn, "SELECT id AS count FROM agreements WHERE key = 'institutional'"), 4);
    // Foreign keys still hold, to and from the rebuilt table.
    assert!(conn.batch_execute("DELETE FROM agreements WHERE id = 1").is_err(), "its plan keeps it");
    assert!(
        conn.batch_execute(
            "INSERT INTO agreement_parties (agreement_id, region_id, position) VALUES (99, 1, 0)"
        )
        .is_err()
    );
    assert!(conn.batch_execute("UPDATE agreements SET renews_agreement_id = 99 WHERE id = 2").is_err());
    assert!(conn.batch_execute(&format!(
        "INSERT INTO agreements (key, title, kind, status, created_at, updated_at) VALUES ('x', 'X', 'treaty', 'proposed', {NOW}, {NOW})"
    )).is_err(), "the kind's CHECK holds");
}

#[test]
fn the_fidelity_migration_keeps_assessed_obstacles_and_adds_nullable_facts() {
    let (_database, url) = fresh_database();
    let target = jalin::testing::DatabaseTarget::parse(&url).expect("a database URL");
    let mut conn = jalin::testing::ConnectionManager::connect(&target).expect("a connection");
    // The schema before fidelity (up to 000014, signed_on_precision), with data in it.
    jalin::testing::run_migrations_up_to(&mut conn, "20261203000014").expect("the earlier migrations");
    conn.batch_execute(&format!(
        "INSERT INTO regions (key, name, kind, country_code, created_at, updated_at) VALUES \
           ('ID-JB', 'West Java', 'province', 'ID', {NOW}, {NOW}), ('MA-09', 'Souss-Massa', 'region', 'MA', {NOW}, {NOW}); \
         INSERT INTO agreements (key, title, kind, status, created_at, updated_at) VALUES \
           ('mou', 'MoU', 'sister_province', 'active', {NOW}, {NOW}); \
         INSERT INTO action_plans (key, agreement_id, title, status, year, created_at, updated_at) \
           VALUES ('plan', 1, 'Business matching', 'implemented', 2019, {NOW}, {NOW}); \
         INSERT INTO obstacles (key, agreement_id, category, description, severity, status, created_at, updated_at) VALUES \
           ('given', 1, 'financial', 'Funds', 'high', 'mitigated', {NOW}, {NOW}), \
           ('gone', 1, 'financial', 'Gone', 'low', 'open', {NOW}, {NOW}), \
           ('defaulted', 1, 'resources', 'Staff', 'medium', 'open', {NOW}, {NOW}); \
         DELETE FROM obstacles WHERE key = 'gone';"
    ))
    .expect("the data of the earlier schema");

    assert!(jalin::testing::run_migrations(&mut conn).expect("the fidelity migration") >= 1);
    let count =
        |conn: &mut jalin::testing::DbConnection, sql: &str| jalin::testing::count_sql(conn, sql).expect(sql);
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS count FROM obstacles WHERE (key = 'given' AND severity = 'high' AND status = 'mitigated') \
             OR (key = 'defaulted' AND severity = 'medium' AND status = 'open')"
        ),
        2,
        "existing severities and statuses are kept"
    );
    assert_eq!(count(&mut conn, "SELECT id AS count FROM obstacles WHERE key = 'defaulted'"), 3, "ids kept");
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS count FROM action_plans WHERE end_year IS NULL AND local_title IS NULL AND source IS NULL"
        ),
        1
    );
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS count FROM regions WHERE parent_region_id IS NULL"),
        2,
        "every region stays at the top level"
    );
    // New obstacles may be unassessed; the counter went on past the deleted one.
    conn.batch_execute(&format!(
        "INSERT INTO obstacles (key, agreement_id, category, description, created_at, updated_at) \
         VALUES ('unassessed', 1, 'other', 'Not assessed', {NOW}, {NOW})"
    ))
    .expect("severity and status may be null");
    assert_eq!(count(&mut conn, "SELECT id AS count FROM obstacles WHERE key = 'unassessed'"), 4);
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS count FROM obstacles WHERE severity IS NULL AND status IS NULL"),
        1,
        "no default is invented"
    );
    // The constraints still hold on the rebuilt and altered tables.
    assert!(conn.batch_execute("UPDATE obstacles SET severity = 'extreme' WHERE key = 'given'").is_err());
    assert!(conn.batch_execute("UPDATE obstacles SET agreement_id = 99 WHERE key = 'given'").is_err());
    assert!(conn.batch_execute("UPDATE action_plans SET end_year = 2018 WHERE key = 'plan'").is_err());
    assert!(conn.batch_execute("UPDATE regions SET parent_region_id = 99 WHERE key = 'ID-JB'").is_err());
    conn.batch_execute("UPDATE regions SET parent_region_id = 1 WHERE key = 'MA-09'")
        .expect("the column refers to regions (the country rule is the API's)");
}

#[test]
fn the_money_migration_keeps_agreements_and_its_tables_refuse_what_the_api_refuses() {
    let (_database, url) = fresh_database();
    let target = jalin::testing::DatabaseTarget::parse(&url).expect("a database URL");
    let mut conn = jalin::testing::ConnectionManager::connect(&target).expect("a connection");
    // The schema before money and results (up to 000015, fidelity), with an agreement in it.
    jalin::testing::run_migrations_up_to(&mut conn, "20261203000015").expect("the earlier migrations");
    conn.batch_execute(&format!(
        "INSERT INTO agreements (key, title, kind, status, created_at, updated_at) VALUES \
           ('mou', 'MoU', 'sister_province', 'active', {NOW}, {NOW}); \
         INSERT INTO action_plans (key, agreement_id, title, status, created_at, updated_at) \
           VALUES ('plan', 1, 'Business matching', 'planned', {NOW}, {NOW});"
    ))
    .expect("the data of the earlier schema");
    assert_eq!(
        jalin::testing::run_migrations_up_to(&mut conn, "20261203000016").expect("the money migration"),
        1
    );
    let count =
        |conn: &mut jalin::testing::DbConnection, sql: &str| jalin::testing::count_sql(conn, sql).expect(sql);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS count FROM agreements WHERE local_language IS NULL"), 1);
    conn.batch_execute(&format!(
        "INSERT INTO transactions (key, action_plan_id, kind, amount_minor, currency, value_date, created_at, updated_at) \
           VALUES ('t', 1, 'budget', 9223372036854775807, 'IDR', '2019-01-01', {NOW}, {NOW})"
    ))
    .expect("the largest amount in minor units");
    for refused in [
        "INSERT INTO transactions (key, action_plan_id, kind, amount_minor, currency, value_date, created_at, updated_at) \
           VALUES ('zero', 1, 'budget', 0, 'IDR', '2019-01-01', NOW_, NOW_)",
        "INSERT INTO transactions (key, action_plan_id, kind, amount_minor, currency, value_date, created_at, updated_at) \
           VALUES ('gift', 1, 'gift', 1, 'IDR', '2019-01-01', NOW_, NOW_)",
        "INSERT INTO indicators (key, action_plan_id, title, measure, target_value, created_at, updated_at) \
           VALUES ('words', 1, 'Ties', 'qualitative', '3', NOW_, NOW_)",
    ] {
        assert!(conn.batch_execute(&refused.replace("NOW_", NOW)).is_err(), "accepted: {refused}");
    }
}

/// Migration 000017 counts the plans already there by range of ids, gaps included, and the
/// triggers it adds keep the counts as plans come and go.
#[test]
fn the_id_blocks_migration_counts_the_plans_already_there() {
    let (_database, url) = fresh_database();
    let target = jalin::testing::DatabaseTarget::parse(&url).expect("a database URL");
    let mut conn = jalin::testing::ConnectionManager::connect(&target).expect("a connection");
    jalin::testing::run_migrations_up_to(&mut conn, "20261203000016").expect("the earlier migrations");
    conn.batch_execute(&format!(
        "INSERT INTO agreements (key, title, kind, status, created_at, updated_at) VALUES \
           ('mou', 'MoU', 'sister_province', 'active', {NOW}, {NOW}); \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
         INSERT INTO action_plans (key, agreement_id, title, status, created_at, updated_at) \
           SELECT 'plan-' || i, 1, 'Plan', 'planned', {NOW}, {NOW} FROM n; \
         DELETE FROM action_plans WHERE id % 3 = 0 OR id BETWEEN 2100 AND 2200;"
    ))
    .expect("the data of the earlier schema");
    assert_eq!(
        jalin::testing::run_migrations_up_to(&mut conn, "20261203000017").expect("the id blocks migration"),
        1
    );
    let count =
        |conn: &mut jalin::testing::DbConnection, sql: &str| jalin::testing::count_sql(conn, sql).expect(sql);
    let in_block = |block: i64| {
        format!(
            "SELECT CAST(COALESCE(SUM(plans), 0) AS BIGINT) AS count FROM action_plan_id_blocks WHERE block = {block}"
        )
    };
    // Ids 1-2047, 2048-4095 (less 2100-2200) and 4096-5000, less every third.
    assert_eq!(count(&mut conn, &in_block(0)), 2047 - 682);
    assert_eq!(count(&mut conn, &in_block(1)), 2048 - 683 - (101 - 34));
    assert_eq!(count(&mut conn, &in_block(2)), 905 - 301);
    conn.batch_execute(&format!(
        "DELETE FROM action_plans WHERE id = 1; \
         INSERT INTO action_plans (id, key, agreement_id, title, status, created_at, updated_at) \
           VALUES (6200, 'far', 1, 'Plan', 'planned', {NOW}, {NOW})"
    ))
    .expect("writes after the migration");
    assert_eq!(count(&mut conn, &in_block(0)), 2047 - 682 - 1);
    assert_eq!(count(&mut conn, &in_block(3)), 1);
}

/// Migration 000018 counts the plans already there by status and year, those without a year
/// apart, and the triggers it adds keep the counts as plans come, change and go.
#[test]
fn the_status_years_migration_counts_the_plans_already_there() {
    let (_database, url) = fresh_database();
    let target = jalin::testing::DatabaseTarget::parse(&url).expect("a database URL");
    let mut conn = jalin::testing::ConnectionManager::connect(&target).expect("a connection");
    jalin::testing::run_migrations_up_to(&mut conn, "20261203000017").expect("the earlier migrations");
    conn.batch_execute(&format!(
        "INSERT INTO agreements (key, title, kind, status, created_at, updated_at) VALUES \
           ('mou', 'MoU', 'sister_province', 'active', {NOW}, {NOW}); \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) \
         INSERT INTO action_plans (key, agreement_id, title, status, year, created_at, updated_at) \
           SELECT 'plan-' || i, 1, 'Plan', CASE WHEN i % 2 = 0 THEN 'planned' ELSE 'implemented' END, \
                  CASE WHEN i % 3 = 0 THEN NULL ELSE 2020 + i % 3 END, {NOW}, {NOW} FROM n;"
    ))
    .expect("the data of the earlier schema");
    assert_eq!(
        jalin::testing::run_migrations_up_to(&mut conn, "20261206000018")
            .expect("the status and years migration"),
        1
    );
    let count = |conn: &mut jalin::testing::DbConnection, condition: &str| {
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(plans), 0) AS BIGINT) AS count FROM action_plan_status_years WHERE {condition}"
        );
        jalin::testing::count_sql(conn, &sql).expect("a count")
    };
    // i % 3 = 1: 2021, i % 3 = 2: 2022, i % 3 = 0: no year; even i planned, odd implemented.
    assert_eq!(count(&mut conn, "status = 'planned' AND dated = 1 AND year = 2021"), 50);
    assert_eq!(count(&mut conn, "status = 'implemented' AND dated = 1 AND year = 2022"), 50);
    assert_eq!(count(&mut conn, "status = 'planned' AND dated = 0"), 50);
    assert_eq!(count(&mut conn, "dated = 1"), 200);
    conn.batch_execute(
        "UPDATE action_plans SET year = NULL WHERE key = 'plan-2'; \
         UPDATE action_plans SET status = 'cancelled', year = 2030 WHERE key = 'plan-3'; \
         DELETE FROM action_plans WHERE key = 'plan-4';",
    )
    .expect("writes after the migration");
    // plan-2 (planned, 2022) lost its year; plan-4 (planned, 2021) is gone.
    assert_eq!(count(&mut conn, "status = 'planned' AND dated = 1 AND year = 2022"), 49);
    assert_eq!(count(&mut conn, "status = 'planned' AND dated = 1 AND year = 2021"), 49);
    assert_eq!(count(&mut conn, "status = 'planned' AND dated = 0"), 51);
    assert_eq!(count(&mut conn, "status = 'implemented' AND dated = 0"), 49);
    assert_eq!(count(&mut conn, "status = 'cancelled' AND dated = 1 AND year = 2030"), 1);
}
