//! Link tables (an agreement's parties and sectors, an action plan's sectors and agencies) and
//! the short references to linked records that responses embed.
//!
//! Lists embed links with a fixed number of queries per page: one per link table, joining the
//! link rows of all the page's owners to the linked records, whatever the page's length.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{agencies, regions, sectors};
use crate::db::{Backend, DbConnection};
use crate::input::Checker;

/// Declares a link table's operations (replace an owner's links, count the owners that link
/// to a target, select them for list filters) and where it is stored (for SQL written by hand).
macro_rules! link_table {
    ($module:ident, $table:ident, $owner:ident, $target:ident) => {
        pub mod $module {
            use diesel::prelude::*;

            use crate::db::DbConnection;
            use crate::db::schema::$table;

            /// Where the links are stored, for SQL written by hand (exports).
            pub const STORAGE: super::LinkTable = super::LinkTable {
                table: stringify!($table),
                owner: stringify!($owner),
                target: stringify!($target),
            };

            /// Makes `targets`, in this order, the owner's links.
            pub fn replace(conn: &mut DbConnection, owner: i64, targets: &[i64]) -> QueryResult<()> {
                diesel::delete($table::table.filter($table::$owner.eq(owner))).execute(conn)?;
                // Row by row: diesel's multi-row insert does not build on the two-backend connection.
                for (position, target) in (0..).zip(targets) {
                    diesel::insert_into($table::table)
                        .values((
                            $table::$owner.eq(owner),
                            $table::$target.eq(*target),
                            $table::position.eq(position),
                        ))
                        .execute(conn)?;
                }
                Ok(())
            }

            /// How many owners link to `target`.
            pub fn count_owners(conn: &mut DbConnection, target: i64) -> QueryResult<i64> {
                $table::table.filter($table::$target.eq(target)).count().get_result(conn)
            }

            /// The owners that link to `target`, as a subquery for list filters.
            pub fn owners_of(
                target: i64,
            ) -> diesel::dsl::Select<
                diesel::dsl::Filter<$table::table, diesel::dsl::Eq<$table::$target, i64>>,
                $table::$owner,
            > {
                $table::table.filter($table::$target.eq(target)).select($table::$owner)
            }
        }
    };
}

/// A link table's name and columns.
#[derive(Debug, Clone, Copy)]
pub struct LinkTable {
    pub table: &'static str,
    /// The column of the record that owns the links.
    pub owner: &'static str,
    /// The column of the linked record.
    pub target: &'static str,
}

link_table!(agreement_parties, agreement_parties, agreement_id, region_id);
link_table!(agreement_sectors, agreement_sectors, agreement_id, sector_id);
link_table!(action_plan_sectors, action_plan_sectors, action_plan_id, sector_id);
link_table!(action_plan_agencies, action_plan_agencies, action_plan_id, agency_id);

/// A region as a party to an agreement.
#[derive(Debug, Clone, Queryable, QueryableByName, Serialize, ToSchema)]
pub struct PartyRef {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name: String,
    #[schema(value_type = crate::domain::CountryCode)]
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub country_code: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub subdivision_code: Option<String>,
}

/// A sector, as linked from an agreement or action plan.
#[derive(Debug, Clone, Queryable, QueryableByName, Serialize, ToSchema)]
pub struct SectorRef {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub code: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name: String,
}

/// An agency responsible for an action plan.
#[derive(Debug, Clone, Queryable, QueryableByName, Serialize, ToSchema)]
pub struct AgencyRef {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub acronym: Option<String>,
}

/// A kind of record that others link to, loadable by id in one query.
pub trait LinkTarget: Sized + Clone + QueryableByName<Backend> + 'static {
    /// The record's name in messages (`region`).
    const NAME: &'static str;
    /// Its table, and its columns as `t.id, t.name, ...` (for [`linked`]).
    const TABLE: &'static str;
    const COLUMNS: &'static str;
    fn id(&self) -> i64;
    fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Self>>;

    /// The records with these ids, by id, however many ids there are.
    fn by_id(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Self>> {
        let mut records = HashMap::with_capacity(ids.len());
        for ids in ids.chunks(crate::db::MAX_BOUND_VALUES) {
            records.extend(Self::load(conn, ids)?.into_iter().map(|record| (record.id(), record)));
        }
        Ok(records)
    }
}

impl LinkTarget for PartyRef {
    const TABLE: &'static str = "regions";
    const COLUMNS: &'static str = "t.id, t.name, t.country_code, t.subdivision_code";
    const NAME: &'static str = "region";
    fn id(&self) -> i64 {
        self.id
    }
    fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
        regions::table
            .filter(regions::id.eq_any(ids))
            .select((regions::id, regions::name, regions::country_code, regions::subdivision_code))
            .load(conn)
    }
}

impl LinkTarget for SectorRef {
    const TABLE: &'static str = "sectors";
    const COLUMNS: &'static str = "t.id, t.code, t.name";
    const NAME: &'static str = "sector";
    fn id(&self) -> i64 {
        self.id
    }
    fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
        sectors::table
            .filter(sectors::id.eq_any(ids))
            .select((sectors::id, sectors::code, sectors::name))
            .load(conn)
    }
}

impl LinkTarget for AgencyRef {
    const TABLE: &'static str = "agencies";
    const COLUMNS: &'static str = "t.id, t.name, t.acronym";
    const NAME: &'static str = "agency";
    fn id(&self) -> i64 {
        self.id
    }
    fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
        agencies::table
            .filter(agencies::id.eq_any(ids))
            .select((agencies::id, agencies::name, agencies::acronym))
            .load(conn)
    }
}

/// The records linked to each owner through `links`, in their order: one query (per
/// `MAX_BOUND_VALUES` owners) that joins the link table to the linked records.
pub fn linked<T: LinkTarget>(
    conn: &mut DbConnection,
    links: LinkTable,
    owners: &[i64],
) -> QueryResult<HashMap<i64, Vec<T>>> {
    #[derive(QueryableByName)]
    struct Row<T: QueryableByName<Backend>> {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        owner: i64,
        #[diesel(embed)]
        target: T,
    }
    let mut linked: HashMap<i64, Vec<T>> = HashMap::with_capacity(owners.len());
    for owners in owners.chunks(crate::db::MAX_BOUND_VALUES) {
        // Integers written into the statement: nothing to bind, so no limit to mind.
        let owners = owners.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT l.{owner} AS owner, {columns} FROM {link} l JOIN {table} t ON t.id = l.{target} \
             WHERE l.{owner} IN ({owners}) ORDER BY l.{owner}, l.position",
            owner = links.owner,
            columns = T::COLUMNS,
            link = links.table,
            table = T::TABLE,
            target = links.target,
        );
        for row in diesel::sql_query(sql).load::<Row<T>>(conn)? {
            linked.entry(row.owner).or_default().push(row.target);
        }
    }
    Ok(linked)
}

/// The most ids a list in a request body may hold.
pub const MAX_IDS: usize = 1_000;

/// Checks a list of ids given in field `field`: at most [`MAX_IDS`], no id twice, every one an
/// existing record. Returns the records found, in the given order.
pub fn check_ids<T: LinkTarget>(
    conn: &mut DbConnection,
    checker: &mut Checker,
    field: &str,
    ids: &[i64],
) -> QueryResult<Vec<T>> {
    if ids.len() > MAX_IDS {
        checker.error(field, format!("must list at most {MAX_IDS} ids; it lists {}", ids.len()));
        return Ok(Vec::new());
    }
    let records = T::by_id(conn, ids)?;
    let mut seen = HashSet::with_capacity(ids.len());
    let mut found = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            checker.error(format!("{field}[{index}]"), format!("{} {id} is listed more than once", T::NAME));
        } else if let Some(record) = records.get(id) {
            found.push(record.clone());
        } else {
            checker.error(format!("{field}[{index}]"), format!("no {} has id {id}", T::NAME));
        }
    }
    Ok(found)
}
