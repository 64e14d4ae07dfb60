//! Upgrades keep the data: a database brought to an earlier schema and filled, then migrated
//! to the current one. (Migration 000011 rebuilds SQLite's agreements table to widen a CHECK.)

use diesel::connection::SimpleConnection;

use crate::helpers::fresh_database;

const NOW: &str = "'2026-01-01 00:00:00'";

#[test]
fn rebuilding_the_agreements_table_keeps_ids_links_counters_and_foreign_keys() {
    let (_database, url) = fresh_database();
    let target = jalin::db::DatabaseTarget::parse(&url).expect("a database URL");
    let mut conn = jalin::db::ConnectionManager::connect(&target).expect("a connection");
    // The schema as it was before the lifecycle (migrations up to 000010, contacts).
    jalin::db::run_migrations_up_to(&mut conn, "20261203000010").expect("the earlier migrations");
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

    assert!(jalin::db::run_migrations(&mut conn).expect("the later migrations") >= 3);
    let count = |conn: &mut jalin::db::DbConnection, sql: &str| jalin::db::count_sql(conn, sql).expect(sql);
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
