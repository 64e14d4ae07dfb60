//! Action plans: what is carried out (or to be carried out) under an agreement, by which
//! agencies, in which sectors, and how far it has got.

mod model;
mod routes;

pub use model::{ActionPlan, ActionPlanFilter, ActionPlanInput, ActionPlanRecord, ActionPlanValues};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

use crate::db::DbConnection;
use crate::db::schema::action_plans;
use crate::error::Result;
use crate::input::record_fields;
use crate::links;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Nested, Reference, Resource};
use crate::resources::agencies::Agencies;
use crate::resources::agreements::Agreements;
use crate::resources::sectors::Sectors;

/// How many action plans a document holds at least for its import to recount the tallies, the
/// counts per range of ids and per status and year once, at its end (migrations 000007, 000017
/// and 000018), rather than update them plan by plan or statement by statement.
const RECOUNT_TALLIES_FROM: usize = 1_000;

/// For an import of `plans` action plans, when they are many: the counting triggers stand
/// aside, in this transaction only, until [`recount_tallies`]; whether they do.
pub fn defer_tallies(conn: &mut DbConnection, plans: usize) -> QueryResult<bool> {
    if plans < RECOUNT_TALLIES_FROM {
        return Ok(false);
    }
    conn.batch_execute(match conn {
        DbConnection::Pg(_) => "SET LOCAL jalin.tallies_deferred = 'on'",
        DbConnection::Sqlite(_) => "INSERT INTO action_plan_counts_deferred (deferred) VALUES (1)",
    })?;
    Ok(true)
}

/// Counts every agreement's plans, the plans of each range of ids and of each status and year,
/// again, in the transaction that deferred the tallies. On PostgreSQL, a plan written meanwhile by another
/// transaction is counted once: by this count if it committed first, else by its own trigger,
/// which waits for this transaction's rows. (The ranges' counts and the status and years' are
/// kept in several rows each, not all written by this count: their tables are locked first, so
/// that no trigger adds to a row this count does not replace.) SQLite lets no other writer in meanwhile.
pub fn recount_tallies(conn: &mut DbConnection) -> QueryResult<()> {
    const RECOUNT: &str = "DELETE FROM action_plan_tallies; \
         INSERT INTO action_plan_tallies (agreement_id, status, plans) \
         SELECT agreement_id, status, COUNT(*) FROM action_plans GROUP BY agreement_id, status; \
         DELETE FROM action_plan_id_blocks; \
         INSERT INTO action_plan_id_blocks (block, shard, plans) \
         SELECT id / 2048, 0, COUNT(*) FROM action_plans GROUP BY id / 2048; \
         DELETE FROM action_plan_status_years; \
         INSERT INTO action_plan_status_years (status, dated, year, shard, plans) \
         SELECT status, CASE WHEN year IS NULL THEN 0 ELSE 1 END, COALESCE(year, 0), 0, COUNT(*) \
         FROM action_plans GROUP BY status, CASE WHEN year IS NULL THEN 0 ELSE 1 END, COALESCE(year, 0);";
    let stand_aside_no_more = match conn {
        DbConnection::Pg(_) => {
            "SET LOCAL jalin.tallies_deferred = 'off'; \
             LOCK TABLE action_plan_id_blocks, action_plan_status_years IN EXCLUSIVE MODE;"
        }
        DbConnection::Sqlite(_) => "DELETE FROM action_plan_counts_deferred;",
    };
    conn.batch_execute(&format!("{stand_aside_no_more} {RECOUNT}"))
}

/// The plans that `which` selects with their sectors and agencies, in one statement.
fn with_links(conn: &mut DbConnection, which: impl crate::db::Condition<action_plans::table>) -> Result<Vec<ActionPlan>> {
    use links::{action_plan_agencies as agencies, action_plan_sectors as sectors};
    let query = action_plans::table.filter(which).select((action_plans::all_columns, sectors::Json::new(), agencies::Json::new()));
    let rows: Vec<(ActionPlanRecord, String, String)> = crate::db::load_on_backend(conn, query)?;
    rows.into_iter()
        .map(|(record, sectors_json, agencies_json)| {
            Ok(ActionPlan { record, sectors: sectors::parse(&sectors_json)?, agencies: agencies::parse(&agencies_json)? })
        })
        .collect()
}

/// Action plans as a resource: `action_plans` in documents, where `agreement`, `sectors` and
/// `agencies` name keys.
pub struct ActionPlans;

impl Resource for ActionPlans {
    const KIND: &'static Kind = &Kind {
        name: "action plan",
        plural: "action plans",
        table: "action_plans",
        resource_type: "action_plan",
        path: "/api/v1/action-plans",
        description: "What is carried out under an agreement, by whom, in which sectors",
    };
    const REFERENCES: &'static [Reference] = &[
        Reference::one("agreement", "agreement_id", Agreements::KIND),
        Reference::many("sectors", "sector_ids", Sectors::KIND, links::action_plan_sectors::STORAGE),
        Reference::many("agencies", "agency_ids", Agencies::KIND, links::action_plan_agencies::STORAGE),
    ];
    const SOURCED: bool = true;
    type Record = ActionPlan;
    type Input = ActionPlanInput;
    type Values = ActionPlanValues;

    fn id(record: &ActionPlan) -> i64 {
        record.record.id
    }

    fn version(record: &ActionPlan) -> i32 {
        record.record.version
    }

    /// One statement: the plan with its sectors and agencies. Run on the backend's own
    /// connection, where its statement is found in the cache by type; through the two-backend
    /// connection its SQL would be written out and hashed on every read (~8% of a GET's CPU).
    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<ActionPlan>> {
        Ok(with_links(conn, action_plans::id.eq(id))?.pop())
    }

    fn find_many(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<ActionPlan>> {
        with_links(conn, crate::db::AmongIds::new(action_plans::id, ids))
    }

    /// The links are written as id lists, as a client sends them.
    fn input_fields(plan: &ActionPlan) -> Result<Value> {
        let mut fields = record_fields(plan)?;
        if let Value::Object(object) = &mut fields {
            object.insert("sector_ids".into(), plan.sectors.iter().map(|s| s.id).collect());
            object.insert("agency_ids".into(), plan.agencies.iter().map(|a| a.id).collect());
        }
        Ok(fields)
    }

    fn insert(conn: &mut DbConnection, values: ActionPlanValues) -> Result<ActionPlan> {
        let now = crate::domain::now();
        let inserted: Option<ActionPlanRecord> = crate::db::first_on_backend(
            conn,
            diesel::insert_into(action_plans::table)
                .values((&values.columns, action_plans::created_at.eq(now), action_plans::updated_at.eq(now)))
                .returning(action_plans::all_columns),
        )?;
        let record = inserted.ok_or(diesel::result::Error::NotFound)?;
        model::with_written_links(conn, record, values, true)
    }

    /// No rule of a plan looks at other plans.
    const INSERTED_TOGETHER: bool = true;

    fn insert_many(conn: &mut DbConnection, values: Vec<ActionPlanValues>) -> Result<Vec<ActionPlan>> {
        model::insert_many(conn, values)
    }

    fn update(conn: &mut DbConnection, id: i64, values: ActionPlanValues) -> Result<ActionPlan> {
        let record = diesel::update(action_plans::table.find(id))
            .set((
                &values.columns,
                action_plans::updated_at.eq(crate::domain::now()),
                action_plans::version.eq(action_plans::version + 1),
            ))
            .returning(action_plans::all_columns)
            .get_result(conn)?;
        model::with_written_links(conn, record, values, false)
    }

    fn delete(conn: &mut DbConnection, id: i64) -> Result<()> {
        diesel::delete(action_plans::table.find(id)).execute(conn)?;
        Ok(())
    }
}

impl Listed for ActionPlans {
    type Filter = ActionPlanFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "agreement_id",
        "title",
        "local_title",
        "description",
        "local_description",
        "status",
        "year",
        "end_year",
        "start_date",
        "end_date",
        "sectors",
        "agencies",
        "outcome",
        "source",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &ActionPlanFilter) -> Result<(i64, Vec<ActionPlan>)> {
        model::page(conn, list, filter)
    }
}

/// `/agreements/{id}/action-plans`.
impl Nested<Agreements> for ActionPlans {
    fn parent(filter: &mut ActionPlanFilter) -> &mut Option<i64> {
        &mut filter.agreement_id
    }
}
