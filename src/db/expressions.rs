//! SQL expressions that diesel does not write itself, written so that their statements stay
//! prepared: a column among a list of ids, as one bound value; a total of counts.

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Text};
use diesel::sqlite::Sqlite;

/// `column` among `ids`: `column = ANY($1)` on PostgreSQL, the ids bound as one array, and
/// `column IN (SELECT value FROM json_each(?))` on SQLite, bound as one JSON array. The
/// statement is the same whatever the number of ids, so it stays prepared: an `IN` list of
/// values is a new statement, parsed and planned each time (it showed in profiles of every
/// page), and diesel's `eq_any` is found in the cache only by its SQL, written out and hashed
/// each time. Run on the backend's own connection ([`load_on_backend`](super::load_on_backend)).
#[derive(Debug, Clone)]
pub struct AmongIds<C> {
    column: C,
    ids: Vec<i64>,
    json: String,
}

impl<C> AmongIds<C> {
    pub fn new(column: C, ids: &[i64]) -> Self {
        Self { column, ids: ids.to_vec(), json: serde_json::Value::from(ids).to_string() }
    }
}

impl<C> diesel::expression::Expression for AmongIds<C> {
    type SqlType = diesel::sql_types::Bool;
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for AmongIds<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<BigInt>, _>(&self.ids)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for AmongIds<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C: QueryId> QueryId for AmongIds<C> {
    type QueryId = AmongIds<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<QS, C: diesel::AppearsOnTable<QS>> diesel::AppearsOnTable<QS> for AmongIds<C> {}

impl<QS, C: diesel::SelectableExpression<QS>> diesel::SelectableExpression<QS> for AmongIds<C> {}

impl<C> diesel::expression::ValidGrouping<()> for AmongIds<C> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

/// A condition on the rows of `T` that either backend's own connection runs (see
/// [`load_on_backend`](super::load_on_backend)): `id = ?`, or [`AmongIds`].
pub trait Condition<T>:
    diesel::expression::NonAggregate
    + diesel::AppearsOnTable<T>
    + diesel::Expression<SqlType = diesel::sql_types::Bool>
    + QueryFragment<Pg>
    + QueryFragment<Sqlite>
    + QueryId
{
}

impl<T, W> Condition<T> for W where
    W: diesel::expression::NonAggregate
        + diesel::AppearsOnTable<T>
        + diesel::Expression<SqlType = diesel::sql_types::Bool>
        + QueryFragment<Pg>
        + QueryFragment<Sqlite>
        + QueryId
{
}

/// `CAST(COALESCE(SUM(column), 0) AS BIGINT)`: the total of a column of counts, `0` over no
/// rows, a `BIGINT` on both backends (PostgreSQL's `SUM` of a `BIGINT` is a `NUMERIC`). Written
/// with diesel's `sql` literal instead, the statement would be parsed and planned on every
/// request, as a literal is never cached (on PostgreSQL: 0.3 ms of a filtered page's 0.9).
#[derive(Debug, Clone, Copy)]
pub struct TotalOf<C>(pub C);

impl<C> diesel::expression::Expression for TotalOf<C> {
    type SqlType = BigInt;
}

impl<C, DB> QueryFragment<DB> for TotalOf<C>
where
    DB: diesel::backend::Backend,
    C: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("CAST(COALESCE(SUM(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql("), 0) AS BIGINT)");
        Ok(())
    }
}

impl<C: QueryId> QueryId for TotalOf<C> {
    type QueryId = TotalOf<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<QS, C: diesel::AppearsOnTable<QS>> diesel::AppearsOnTable<QS> for TotalOf<C> {}

impl<QS, C: diesel::SelectableExpression<QS>> diesel::SelectableExpression<QS> for TotalOf<C> {}

impl<C> diesel::expression::ValidGrouping<()> for TotalOf<C> {
    type IsAggregate = diesel::expression::is_aggregate::Yes;
}
