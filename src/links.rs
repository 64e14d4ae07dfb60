//! Link tables (an agreement's parties and sectors, an action plan's sectors and agencies) and
//! the short references to linked records that responses embed.
//!
//! Lists embed links with a fixed number of queries per page: one per link table, joining the
//! link rows of all the page's owners to the linked records, whatever the page's length. One
//! record is read with its links in one statement: each link table's records come as a JSON
//! array from a correlated subquery ([`LinkedJson`]), a round trip each saved on PostgreSQL.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::schema::{agencies, organizations, regions, sectors};
use crate::input::Checker;

/// Declares a link table's operations (read the linked records of owners, replace an owner's
/// links, count the owners that link to a target, select them for list filters) and where it
/// is stored (for SQL written by hand).
///
/// `link_table!(agreement_parties: agreements.agreement_id -> region_id, regions as RegionParty);`
macro_rules! link_table {
    (
        $table:ident: $owners:ident.$owner:ident -> $target:ident, $targets:ident as $reference:ident
    ) => {
        pub mod $table {
            use std::collections::HashMap;

            use diesel::prelude::*;

            use crate::db::DbConnection;
            use crate::db::schema::{$owners, $table, $targets};

            /// The linked records of the owner a query selects, as a JSON array in their
            /// order: a column of that query (see [`super::LinkedJson`]).
            pub type Json = super::LinkedJson<Linked>;

            /// What [`Json`] selects.
            #[derive(Debug, Clone, Copy)]
            pub struct Linked;

            impl super::Links for Linked {
                type Owners = $owners::table;
                type Target = super::$reference;
                const STORAGE: super::LinkTable = STORAGE;
                const OWNERS: &'static str = stringify!($owners);
                const TARGETS: &'static str = stringify!($targets);
            }

            /// The linked records, from the text [`Json`] selected.
            pub fn parse(json: &str) -> QueryResult<Vec<super::$reference>> {
                super::parse_linked(json)
            }

            /// The records linked to each owner, in their order: one query that joins the
            /// links to the linked records.
            pub fn linked(
                conn: &mut DbConnection,
                owners: &[i64],
            ) -> QueryResult<HashMap<i64, Vec<super::$reference>>> {
                let joined = || {
                    $table::table
                        .inner_join($targets::table)
                        .select(($table::$owner, <super::$reference as super::LinkTarget>::columns()))
                };
                let mut linked: HashMap<i64, Vec<super::$reference>> = HashMap::with_capacity(owners.len());
                let rows: Vec<(i64, super::$reference)> = match owners {
                    // One record read or written: a statement that stays prepared.
                    [owner] => crate::db::load_on_backend(
                        conn,
                        joined().filter($table::$owner.eq(*owner)).order($table::position),
                    )?,
                    // A page: the owners bound as one value, a statement that stays prepared.
                    _ => crate::db::load_on_backend(
                        conn,
                        joined()
                            .filter(crate::db::AmongIds::new($table::$owner, owners))
                            .order(($table::$owner, $table::position)),
                    )?,
                };
                for (owner, target) in rows {
                    linked.entry(owner).or_default().push(target);
                }
                Ok(linked)
            }

            /// Where the links are stored, for SQL written by hand (exports).
            pub const STORAGE: super::LinkTable = super::LinkTable {
                table: stringify!($table),
                owner: stringify!($owner),
                target: stringify!($target),
            };

            /// Makes `targets`, in this order, the owner's links; `fresh` for an owner that has
            /// none yet (just created).
            pub fn replace(
                conn: &mut DbConnection,
                owner: i64,
                targets: &[i64],
                fresh: bool,
            ) -> QueryResult<()> {
                if !fresh {
                    diesel::delete($table::table.filter($table::$owner.eq(owner))).execute(conn)?;
                }
                match targets {
                    [] => Ok(()),
                    // One link: a statement that stays prepared.
                    [target] => {
                        crate::db::execute_on_backend(
                            conn,
                            diesel::insert_into($table::table).values((
                                $table::$owner.eq(owner),
                                $table::$target.eq(*target),
                                $table::position.eq(0),
                            )),
                        )?;
                        Ok(())
                    }
                    _ => insert_new(conn, &[(owner, targets)]),
                }
            }

            /// Stores the links of owners that have none yet (just created), `(owner,
            /// targets)` each, targets in their order: a statement per
            /// [`super::LINKS_PER_STATEMENT`] links.
            pub fn insert_new(conn: &mut DbConnection, links: &[(i64, &[i64])]) -> QueryResult<()> {
                let rows: Vec<_> = links
                    .iter()
                    .flat_map(|&(owner, targets)| {
                        (0..).zip(targets).map(move |(position, target): (i32, &i64)| {
                            (
                                $table::$owner.eq(owner),
                                $table::$target.eq(*target),
                                $table::position.eq(position),
                            )
                        })
                    })
                    .collect();
                for rows in rows.chunks(super::LINKS_PER_STATEMENT) {
                    crate::db::execute_on_backend(
                        conn,
                        diesel::insert_into($table::table).values(rows.to_vec()),
                    )?;
                }
                Ok(())
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

/// A link table, for [`LinkedJson`]: whose links it holds, to which records, and where.
pub trait Links {
    /// The table of the records that own the links.
    type Owners;
    /// The linked records, as responses embed them.
    type Target: LinkTarget;
    const STORAGE: LinkTable;
    const OWNERS: &'static str;
    const TARGETS: &'static str;
}

/// The records an owner links to, as a JSON array in their order: a correlated subquery, so
/// that a record and its links are one statement (and one round trip). A type per link table,
/// so that the statement stays prepared.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkedJson<L>(std::marker::PhantomData<L>);

impl<L> LinkedJson<L> {
    pub fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<L> diesel::expression::Expression for LinkedJson<L> {
    type SqlType = diesel::sql_types::Text;
}

impl<L: Links> LinkedJson<L> {
    /// The subquery in the SQL of PostgreSQL (`postgres`) or SQLite.
    fn write<DB: diesel::backend::Backend>(
        &self,
        out: &mut diesel::query_builder::AstPass<'_, '_, DB>,
        postgres: bool,
    ) {
        // PostgreSQL's json_agg of no rows is NULL; SQLite's json_group_array is `[]`.
        out.push_sql(if postgres {
            "(SELECT COALESCE(json_agg(json_build_object("
        } else {
            "(SELECT json_group_array(json_object("
        });
        let fields = <L::Target as LinkTarget>::FIELDS;
        for (index, field) in fields.iter().enumerate() {
            if index > 0 {
                out.push_sql(", ");
            }
            out.push_sql("'");
            out.push_sql(field);
            out.push_sql("', t.");
            out.push_sql(field);
        }
        let storage = L::STORAGE;
        let links = [
            " FROM ",
            storage.table,
            " l JOIN ",
            L::TARGETS,
            " t ON t.id = l.",
            storage.target,
            " WHERE l.",
            storage.owner,
            " = ",
            L::OWNERS,
            ".id",
        ];
        if postgres {
            out.push_sql(") ORDER BY l.position), '[]')");
            links.iter().for_each(|sql| out.push_sql(sql));
        } else {
            // SQLite: the links read in order from their index, in a subquery. An ORDER BY
            // inside the aggregate would sort them again in a temporary b-tree made for each
            // record (a fifth of a GET's instructions). SQLite aggregates a subquery's rows in
            // the order it yields them; a test reads links back in the order given.
            out.push_sql(")) FROM (SELECT ");
            for (index, field) in fields.iter().enumerate() {
                if index > 0 {
                    out.push_sql(", ");
                }
                out.push_sql("t.");
                out.push_sql(field);
            }
            links.iter().for_each(|sql| out.push_sql(sql));
            out.push_sql(" ORDER BY l.position) t");
        }
        out.push_sql(")");
    }
}

impl<L: Links> diesel::query_builder::QueryFragment<crate::db::Backend> for LinkedJson<L> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, crate::db::Backend>,
    ) -> QueryResult<()> {
        let postgres = matches!(out.backend(), crate::db::Backend::Pg(_));
        self.write(&mut out, postgres);
        Ok(())
    }
}

impl<L: Links> diesel::query_builder::QueryFragment<diesel::pg::Pg> for LinkedJson<L> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        self.write(&mut out, true);
        Ok(())
    }
}

impl<L: Links> diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for LinkedJson<L> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        self.write(&mut out, false);
        Ok(())
    }
}

impl<L: 'static> diesel::query_builder::QueryId for LinkedJson<L> {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<L: Links> diesel::AppearsOnTable<L::Owners> for LinkedJson<L> {}

impl<L: Links> diesel::SelectableExpression<L::Owners> for LinkedJson<L> {}

impl<L> diesel::expression::ValidGrouping<()> for LinkedJson<L> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

/// The linked records from the text a [`LinkedJson`] selected.
fn parse_linked<T: serde::de::DeserializeOwned>(json: &str) -> QueryResult<Vec<T>> {
    serde_json::from_str(json).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}

/// The most link rows one statement inserts: three values each, well within either backend's
/// limit of bound values.
const LINKS_PER_STATEMENT: usize = 5_000;

/// A link table's name and columns.
#[derive(Debug, Clone, Copy)]
pub struct LinkTable {
    pub table: &'static str,
    /// The column of the record that owns the links.
    pub owner: &'static str,
    /// The column of the linked record.
    pub target: &'static str,
}

link_table!(agreement_parties: agreements.agreement_id -> region_id, regions as RegionParty);
link_table!(agreement_organizations: agreements.agreement_id -> organization_id, organizations as OrganizationParty);
link_table!(agreement_sectors: agreements.agreement_id -> sector_id, sectors as SectorRef);
link_table!(action_plan_sectors: action_plans.action_plan_id -> sector_id, sectors as SectorRef);
link_table!(action_plan_agencies: action_plans.action_plan_id -> agency_id, agencies as AgencyRef);

/// A party to an agreement: a region or an organization, told apart by `type`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Party {
    Region(RegionParty),
    Organization(OrganizationParty),
}

/// A region as a party to an agreement.
#[derive(Debug, Clone, Queryable, Serialize, Deserialize, ToSchema)]
pub struct RegionParty {
    pub id: i64,
    pub name: String,
    #[schema(value_type = crate::domain::CountryCode)]
    pub country_code: String,
    pub subdivision_code: Option<String>,
}

/// An organization as a party to an agreement.
#[derive(Debug, Clone, Queryable, Serialize, Deserialize, ToSchema)]
pub struct OrganizationParty {
    pub id: i64,
    pub name: String,
    pub acronym: Option<String>,
    #[schema(value_type = crate::domain::OrganizationKind)]
    pub kind: String,
    /// `null` for a network or international organization of no one country.
    #[schema(value_type = Option<crate::domain::CountryCode>)]
    pub country_code: Option<String>,
}

/// A sector, as linked from an agreement or action plan.
#[derive(Debug, Clone, Queryable, Serialize, Deserialize, ToSchema)]
pub struct SectorRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// An agency responsible for an action plan.
#[derive(Debug, Clone, Queryable, Serialize, Deserialize, ToSchema)]
pub struct AgencyRef {
    pub id: i64,
    pub name: String,
    pub acronym: Option<String>,
}

/// A kind of record that others link to: its columns, loadable by id in one query.
pub trait LinkTarget: Sized + Clone {
    /// The record's name in messages (`region`).
    const NAME: &'static str;
    /// The columns it is read from.
    type Columns;
    /// Their names, which are the names of its fields.
    const FIELDS: &'static [&'static str];
    fn columns() -> Self::Columns;
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

/// Implements [`LinkTarget`] for a reference read from these columns of `$table`.
macro_rules! link_target {
    ($reference:ident, $name:literal, $table:ident, ($($column:ident),+)) => {
        impl LinkTarget for $reference {
            const NAME: &'static str = $name;
            type Columns = ($($table::$column),+);
            const FIELDS: &'static [&'static str] = &[$(stringify!($column)),+];

            fn columns() -> Self::Columns {
                ($($table::$column),+)
            }

            fn id(&self) -> i64 {
                self.id
            }

            fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Self>> {
                match ids {
                    // One id (a record written with one link): a statement that stays prepared.
                    [id] => crate::db::load_on_backend(
                        conn,
                        $table::table.filter($table::id.eq(*id)).select(Self::columns()),
                    ),
                    _ => crate::db::load_on_backend(
                        conn,
                        $table::table.filter($table::id.eq_any(ids)).select(Self::columns()),
                    ),
                }
            }
        }
    };
}

link_target!(RegionParty, "region", regions, (id, name, country_code, subdivision_code));
link_target!(OrganizationParty, "organization", organizations, (id, name, acronym, kind, country_code));
link_target!(SectorRef, "sector", sectors, (id, code, name));
link_target!(AgencyRef, "agency", agencies, (id, name, acronym));

/// The most ids a list in a request body may hold.
pub const MAX_IDS: usize = 1_000;

/// Checks a list of ids given in field `field`: at most [`MAX_IDS`], no id twice, every one an
/// existing record. Returns the records found, in the given order.
pub fn check_ids<T: LinkTarget + Send + 'static>(
    conn: &mut DbConnection,
    checker: &mut Checker,
    field: &str,
    ids: &[i64],
) -> QueryResult<Vec<T>> {
    if ids.len() > MAX_IDS {
        checker.error(field, format!("must list at most {MAX_IDS} ids; it lists {}", ids.len()));
        return Ok(Vec::new());
    }
    let unknown: Vec<i64> = ids.iter().copied().filter(|id| checker.found_link::<T>(*id).is_none()).collect();
    for (id, record) in T::by_id(conn, &unknown)? {
        checker.keep_link(id, record);
    }
    let mut seen = HashSet::with_capacity(ids.len());
    let mut found = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            checker.error(format!("{field}[{index}]"), format!("{} {id} is listed more than once", T::NAME));
        } else if let Some(record) = checker.found_link::<T>(*id) {
            found.push(record.clone());
        } else {
            checker.error(format!("{field}[{index}]"), format!("no {} has id {id}", T::NAME));
        }
    }
    Ok(found)
}
