//! Lists: query-parameter parsing, the paged envelope, sorting and text search, written once
//! for every resource.
//!
//! A resource's list handler reads its filters from a [`QueryParams`] with `take`, then calls
//! `finish`: a parameter that is unknown, repeated or of the wrong type is a `400` that names
//! it, and all such parameters are reported at once.

use std::str::FromStr;

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, FieldError, Result};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// A page of a list, with the number of all matches.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// How many records match the filters, on all pages.
    pub total: i64,
    /// The page size asked for.
    pub limit: i64,
    /// How many matches were skipped before this page.
    pub offset: i64,
}

impl<T> Page<T> {
    pub fn new(list: &ListParams, total: i64, items: Vec<T>) -> Self {
        Self { items, total, limit: list.limit, offset: list.offset }
    }
}

/// The parameters every list takes. Documentation only: they are read by [`ListParams::take`].
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListQueryDoc {
    /// Page size.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// How many matches to skip. Deep pages cost the database a walk over every match they
    /// skip: to go through a long list, page with `after_id` instead.
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
    /// Only matches with a larger id, in id order: give the last id of a page to get the next
    /// one, as fast at the millionth record as at the first. Not with `sort` or `offset`;
    /// `total` still counts every match.
    #[param(minimum = 0)]
    after_id: Option<i64>,
    /// Comma-separated field names, each optionally prefixed with `-` for descending order,
    /// such as `-created_at,name`. Ties are broken by `id`. The sortable fields are listed in
    /// each list operation's description.
    sort: Option<String>,
    /// Case-insensitive substring search over the resource's names and descriptions.
    #[param(max_length = 300)]
    q: Option<String>,
    /// Only the record with this key.
    key: Option<String>,
}

/// The paging parameters of lists without search. Documentation only.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PagingDoc {
    /// Page size.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// How many matches to skip.
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
    /// Comma-separated field names, each optionally prefixed with `-` for descending order.
    /// Without it, newest first.
    sort: Option<String>,
}

/// One term of `sort`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub field: &'static str,
    pub descending: bool,
}

/// Paging, order and search of one list request.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub limit: i64,
    pub offset: i64,
    pub sort: Vec<SortKey>,
    /// The search text, lower-cased, as a `LIKE` pattern with `%`, `_` and `\` escaped.
    pub search_pattern: Option<String>,
    pub key: Option<String>,
    /// Only records with a larger id: how a CSV export in id order walks the table.
    pub after_id: Option<i64>,
    /// Only the records with these ids (at most `db::MAX_BOUND_VALUES`): how an export reads
    /// the records of a batch it has ordered itself.
    pub ids: Option<Vec<i64>>,
    /// Whether the client chose `limit` (a CSV export without one returns every match).
    pub limit_given: bool,
    /// Whether the page needs `total`: not for the batches of a CSV stream or an export.
    pub counted: bool,
}

impl ListParams {
    /// Reads `limit`, `offset`, `sort`, `q` and `key`; `sortable` lists the fields `sort` may name.
    pub fn take(params: &mut QueryParams, sortable: &'static [&'static str]) -> Self {
        let paging = Self::take_paging(params, sortable);
        let search_pattern = params
            .take_with("q", |text| {
                if text.chars().count() > 300 {
                    return Err("must be at most 300 characters".to_owned());
                }
                Ok(like_pattern(text.trim()))
            })
            .flatten();
        let key = params.take::<String>("key");
        let after_id = params.take_with("after_id", |text| {
            let id = i64::parse_query(text)?;
            if id < 0 {
                Err("must be at least 0".to_owned())
            } else if !paging.sort.is_empty() || paging.offset > 0 {
                Err("pages in id order from an id on: it cannot be combined with `sort` or `offset`"
                    .to_owned())
            } else {
                Ok(id)
            }
        });
        Self { search_pattern, key, after_id, ..paging }
    }

    /// The records with these ids, in id order: what an export reads, batch by batch.
    pub fn only_ids(ids: Vec<i64>) -> Self {
        Self {
            limit: ids.len() as i64,
            offset: 0,
            sort: Vec::new(),
            search_pattern: None,
            key: None,
            after_id: None,
            ids: Some(ids),
            limit_given: true,
            counted: false,
        }
    }

    /// Reads only `limit`, `offset` and `sort`, for lists without search or keys.
    pub fn take_paging(params: &mut QueryParams, sortable: &'static [&'static str]) -> Self {
        let limit = params.take_in_range("limit", 1, MAX_LIMIT);
        let offset = params.take_in_range("offset", 0, i64::MAX).unwrap_or(0);
        let sort = params.take_with("sort", |text| parse_sort(text, sortable)).unwrap_or_default();
        Self {
            limit: limit.unwrap_or(DEFAULT_LIMIT),
            limit_given: limit.is_some(),
            offset,
            sort,
            search_pattern: None,
            key: None,
            after_id: None,
            ids: None,
            counted: true,
        }
    }
}

fn parse_sort(text: &str, sortable: &'static [&'static str]) -> Result<Vec<SortKey>, String> {
    let mut keys: Vec<SortKey> = Vec::new();
    for term in text.split(',').map(str::trim) {
        let (name, descending) = match term.strip_prefix('-') {
            Some(name) => (name, true),
            None => (term, false),
        };
        let Some(field) = sortable.iter().find(|f| **f == name) else {
            return Err(format!("cannot sort by `{name}`; sortable fields: {}", sortable.join(", ")));
        };
        if keys.iter().any(|k| k.field == *field) {
            return Err(format!("`{name}` is named more than once"));
        }
        keys.push(SortKey { field, descending });
    }
    Ok(keys)
}

/// `%text%` in lower case, with `LIKE`'s wildcards escaped by `\`; `None` for empty text.
fn like_pattern(text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

/// The query string of a request, consumed parameter by parameter.
#[derive(Debug)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl QueryParams {
    /// Splits and decodes a query string. A name or value that is not UTF-8 once decoded, or
    /// that holds a NUL character, is a `400` naming it: no such text may reach a query.
    pub fn parse(query_string: &str) -> Result<Self> {
        let mut pairs = Vec::new();
        let mut errors: Vec<FieldError> = Vec::new();
        for pair in query_string.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = match decode_component(name) {
                Ok(name) => name,
                Err(message) => {
                    let shown = String::from_utf8_lossy(
                        &percent_encoding::percent_decode_str(name).collect::<Vec<u8>>(),
                    )
                    .replace('\0', "\\0");
                    errors.push(FieldError::new(shown, format!("its name {message}")));
                    continue;
                }
            };
            match decode_component(value) {
                Ok(value) => pairs.push((name, value)),
                Err(message) => {
                    if !errors.iter().any(|e| e.field == name) {
                        errors.push(FieldError::new(name, message));
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::InvalidQuery(errors));
        }
        Ok(Self { pairs, errors })
    }

    /// Removes `name` and converts its value with `convert`; records an error when it is
    /// repeated or does not convert.
    pub fn take_with<T>(&mut self, name: &str, convert: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let values: Vec<String> = extract(&mut self.pairs, name);
        match values.as_slice() {
            [] => None,
            [value] => match convert(value) {
                Ok(converted) => Some(converted),
                Err(message) => {
                    self.errors.push(FieldError::new(name, message));
                    None
                }
            },
            _ => {
                self.errors.push(FieldError::new(name, "must be given at most once"));
                None
            }
        }
    }

    /// Removes `name` and parses it as `T`.
    pub fn take<T: QueryValue>(&mut self, name: &str) -> Option<T> {
        self.take_with(name, T::parse_query)
    }

    /// Removes `name` and parses it as an integer within `min..=max`.
    pub fn take_in_range(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        self.take_with(name, |text| {
            let value = i64::parse_query(text)?;
            if (min..=max).contains(&value) {
                Ok(value)
            } else if max == i64::MAX {
                Err(format!("must be at least {min}"))
            } else {
                Err(format!("must be between {min} and {max}"))
            }
        })
    }

    /// Ends the reading: every parameter left over is unknown. `400` naming each bad one.
    pub fn finish(mut self) -> Result<()> {
        for (name, _) in std::mem::take(&mut self.pairs) {
            if !self.errors.iter().any(|e| e.field == name) {
                self.errors.push(FieldError::new(name, "is not a parameter of this operation"));
            }
        }
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::InvalidQuery(self.errors)) }
    }
}

/// One name or value of a query string: `+` is a space, `%XX` a byte; the bytes must be UTF-8
/// without NUL.
fn decode_component(text: &str) -> Result<String, String> {
    let spaced = text.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map_err(|_| "is not valid UTF-8 once percent-decoded".to_owned())?;
    if decoded.contains('\0') {
        return Err("must not contain NUL characters".to_owned());
    }
    Ok(decoded.into_owned())
}

fn extract(pairs: &mut Vec<(String, String)>, name: &str) -> Vec<String> {
    let mut values = Vec::new();
    pairs.retain(|(n, v)| {
        if n == name {
            values.push(v.clone());
            false
        } else {
            true
        }
    });
    values
}

/// A list's own filters, read from the query string.
pub trait FromQuery: Sized {
    /// Takes each filter's parameter from `params`; a bad value is recorded there, to be
    /// reported with the others by [`QueryParams::finish`].
    fn from_query(params: &mut QueryParams) -> Self;
}

/// Declares a list's filters once: the struct, its documentation as query parameters in the
/// OpenAPI document (`IntoParams`, from the fields' doc comments and `#[param]` attributes),
/// and how it is read from the query string ([`FromQuery`]). Every field is an `Option` of a
/// [`QueryValue`], read from the parameter of the field's name.
///
/// ```ignore
/// filters! {
///     /// Filters of the region list.
///     pub struct RegionFilter {
///         /// Regions of this country.
///         country_code: Option<CountryCode>,
///     }
/// }
/// ```
#[macro_export]
macro_rules! filters {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* $field:ident: Option<$type:ty>),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: Option<$type>),*
        }

        impl $crate::listing::FromQuery for $name {
            fn from_query(params: &mut $crate::listing::QueryParams) -> Self {
                Self { $($field: params.take::<$type>(stringify!($field))),* }
            }
        }
    };
}

/// No filters beyond paging: for lists without filters of their own.
impl FromQuery for () {
    fn from_query(_: &mut QueryParams) -> Self {}
}

/// A type a query parameter can be read as.
pub trait QueryValue: Sized {
    fn parse_query(text: &str) -> Result<Self, String>;
}

impl QueryValue for String {
    fn parse_query(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}

impl QueryValue for i64 {
    fn parse_query(text: &str) -> Result<Self, String> {
        text.parse().map_err(|_| "must be an integer".to_owned())
    }
}

impl QueryValue for i32 {
    fn parse_query(text: &str) -> Result<Self, String> {
        text.parse().map_err(|_| "must be an integer".to_owned())
    }
}

impl QueryValue for bool {
    fn parse_query(text: &str) -> Result<Self, String> {
        match text {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("must be true or false".to_owned()),
        }
    }
}

impl QueryValue for chrono::NaiveDate {
    fn parse_query(text: &str) -> Result<Self, String> {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| "must be a date as YYYY-MM-DD".to_owned())
    }
}

/// The domain types read their own text.
macro_rules! query_value_from_str {
    ($($type:ty),+) => {
        $(impl QueryValue for $type {
            fn parse_query(text: &str) -> Result<Self, String> {
                <$type as FromStr>::from_str(text)
            }
        })+
    };
}
query_value_from_str!(
    crate::domain::CountryCode,
    crate::domain::LanguageTag,
    crate::domain::Date,
    crate::domain::RegionKind,
    crate::domain::OrganizationKind,
    crate::domain::AgreementKind,
    crate::domain::AgreementStatus,
    crate::domain::MilestoneStage,
    crate::domain::MilestoneStatus,
    crate::domain::DocumentCategory,
    crate::domain::ActionPlanStatus,
    crate::domain::ObstacleCategory,
    crate::domain::Severity,
    crate::domain::ObstacleStatus,
    crate::domain::SeverityFilter,
    crate::domain::ObstacleStatusFilter,
    crate::domain::Role,
    crate::domain::TransactionKind,
    crate::domain::IndicatorMeasure,
    crate::domain::CurrencyCode
);

/// Whether a column can hold `NULL`, from its SQL type.
pub fn nullable<C>(_column: &C) -> bool
where
    C: diesel::Expression,
    C::SqlType: diesel::sql_types::SqlType,
    <C::SqlType as diesel::sql_types::SqlType>::IsNull: Nullability,
{
    <<C::SqlType as diesel::sql_types::SqlType>::IsNull as Nullability>::NULLABLE
}

/// Diesel's nullability markers as a value.
pub trait Nullability {
    const NULLABLE: bool;
}

impl Nullability for diesel::sql_types::is_nullable::NotNull {
    const NULLABLE: bool = false;
}

impl Nullability for diesel::sql_types::is_nullable::IsNullable {
    const NULLABLE: bool = true;
}

/// The table of a column.
pub fn table_of<C: diesel::Column>(_column: &C) -> C::Table
where
    C::Table: Default,
{
    C::Table::default()
}

/// Declares what a list may be sorted by, once: a constant with the field names (for
/// [`ListParams::take`]), a function that appends the `ORDER BY` terms of the request's sort
/// keys, then `id`, to a boxed diesel query, and `page_of`, which counts every match of a
/// query and loads the requested page of it in that order. Nulls sort last in ascending order
/// and first in descending order, the same on both backends.
///
/// `sortable!(SORTABLE, sort_regions, regions::BoxedQuery<'static, Backend>, regions::id,
/// { "name" => regions::name, ... });`
#[macro_export]
macro_rules! sortable {
    ($fields:ident, $function:ident, $query:ty, $id:expr, { $($name:literal => $column:expr),+ $(,)? }) => {
        pub(crate) const $fields: &[&str] = &[$($name),+];

        fn $function(mut query: $query, keys: &[$crate::listing::SortKey]) -> $query {
            use diesel::prelude::*;
            for key in keys {
                query = match (key.field, key.descending) {
                    $(
                        // Nulls placed explicitly only where there can be some: an extra
                        // sort term keeps the database from reading the column's index in order.
                        ($name, false) if $crate::listing::nullable(&$column) => {
                            query.then_order_by($column.is_null().asc()).then_order_by($column.asc())
                        }
                        ($name, false) => query.then_order_by($column.asc()),
                        ($name, true) if $crate::listing::nullable(&$column) => {
                            query.then_order_by($column.is_null().desc()).then_order_by($column.desc())
                        }
                        ($name, true) => query.then_order_by($column.desc()),
                    )+
                    // `ListParams::take` only lets the names above through.
                    _ => query,
                };
            }
            query.then_order_by($id.asc())
        }

        /// How many records `query` selects, and the page `list` asks for, in its order. (Lists
        /// with another default order, like the audit trail's, page themselves.)
        #[allow(dead_code)]
        fn page_of<Row>(
            conn: &mut $crate::db::DbConnection,
            list: &$crate::listing::ListParams,
            query: impl Fn(&$crate::listing::ListParams) -> $query,
        ) -> diesel::QueryResult<(i64, Vec<Row>)>
        where
            $query: for<'a> diesel::query_dsl::LoadQuery<'a, $crate::db::DbConnection, Row>,
        {
            use diesel::prelude::*;
            // `total` counts every match, on the pages before `after_id` too.
            let total = match (list.counted, list.after_id) {
                (false, _) => 0,
                (true, None) => query(list).count().get_result(conn)?,
                (true, Some(_)) => query(&$crate::listing::ListParams { after_id: None, ..list.clone() })
                    .count()
                    .get_result(conn)?,
            };
            let rows = if list.offset > 0 && matches!(conn, $crate::db::DbConnection::Pg(_)) {
                // A page past others on PostgreSQL, which fetches every row that OFFSET skips
                // from the table: the page's ids first, read in order from an index alone,
                // then only the page's rows. (SQLite reads no row it skips.)
                let ids: Vec<i64> = $function(query(list), &list.sort)
                    .select($id)
                    .limit(list.limit)
                    .offset(list.offset)
                    .load(conn)?;
                let table = $crate::listing::table_of(&$id).into_boxed();
                $function(table.filter($id.eq_any(ids)), &list.sort).load(conn)?
            } else {
                $function(query(list), &list.sort).limit(list.limit).offset(list.offset).load(conn)?
            };
            Ok((total, rows))
        }
    };
}

/// Declares, once, what the list of `$table` searches with `q`: the names of the searched
/// text columns (`SEARCHED`, for the documentation) and `fn listed`, the boxed query of every
/// record that the request's list parameters select: the keyset of CSV batches, the ids of an
/// export batch, `key`, and `q` searched case-insensitively in those columns. The resource
/// adds its own filters to that query.
///
/// `listed!(regions, search: name, local_name, capital);`
#[macro_export]
macro_rules! listed {
    ($table:ident, search: $first:ident $(, $more:ident)* $(,)?) => {
        pub(crate) const SEARCHED: &[&str] = &[stringify!($first) $(, stringify!($more))*];

        fn listed(list: &$crate::listing::ListParams) -> $table::BoxedQuery<'static, $crate::db::Backend> {
            use diesel::prelude::*;
            let mut query = $table::table.into_boxed();
            if let Some(after) = list.after_id {
                query = query.filter($table::id.gt(after));
            }
            if let Some(ids) = &list.ids {
                query = query.filter($table::id.eq_any(ids.clone()));
            }
            if let Some(key) = &list.key {
                query = query.filter($table::key.eq(key.clone()));
            }
            if let Some(pattern) = &list.search_pattern {
                // Every column as nullable, so that required and optional ones chain alike.
                query = query.filter(
                    $crate::listing::lower_nullable($table::$first.nullable()).like(pattern.clone()).escape('\\')
                        $(.or($crate::listing::lower_nullable($table::$more.nullable())
                            .like(pattern.clone())
                            .escape('\\')))*,
                );
            }
            query
        }
    };
}

diesel::define_sql_function! {
    /// `lower()` of a text, for case-insensitive search on both backends.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// `lower()` of a nullable text.
    #[sql_name = "lower"]
    fn lower_nullable(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["id", "name", "population"];

    #[test]
    fn sort_reads_directions_and_rejects_unknown_fields() {
        let keys = parse_sort("-population,name", FIELDS).unwrap();
        assert_eq!(keys[0], SortKey { field: "population", descending: true });
        assert_eq!(keys[1], SortKey { field: "name", descending: false });
        assert!(parse_sort("password", FIELDS).unwrap_err().contains("password"));
        assert!(parse_sort("name,-name", FIELDS).is_err());
        assert!(parse_sort("", FIELDS).is_err());
    }

    #[test]
    fn search_patterns_escape_like_wildcards() {
        assert_eq!(like_pattern("Java").as_deref(), Some("%java%"));
        assert_eq!(like_pattern("100%_x\\").as_deref(), Some("%100\\%\\_x\\\\%"));
        assert_eq!(like_pattern(""), None);
    }

    #[test]
    fn query_values_must_be_utf8_without_nul() {
        let mut params = QueryParams::parse("q=J%C3%A9r%C3%B4me+x%2B1&key=").unwrap();
        assert_eq!(params.take::<String>("q").as_deref(), Some("Jérôme x+1"));
        assert_eq!(params.take::<String>("key").as_deref(), Some(""));
        for bad in ["key=a%00b", "q=%FF", "q=%C3", "k%00=1"] {
            let Err(ApiError::InvalidQuery(errors)) = QueryParams::parse(bad) else {
                panic!("{bad} accepted")
            };
            assert_eq!(errors.len(), 1, "{bad}");
        }
        let Err(ApiError::InvalidQuery(errors)) = QueryParams::parse("key=a%00b&q=%FF&limit=2") else {
            panic!("accepted")
        };
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["key", "q"]);
    }

    #[test]
    fn query_params_report_every_bad_parameter() {
        let mut params =
            QueryParams::parse("limit=0&offset=-1&kind=x&kind=y&sort=password&color=red").unwrap();
        let list = ListParams::take(&mut params, FIELDS);
        assert_eq!(list.limit, DEFAULT_LIMIT);
        let _ = params.take::<String>("kind");
        let Err(ApiError::InvalidQuery(errors)) = params.finish() else { panic!("expected a 400") };
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["limit", "offset", "sort", "kind", "color"]);
    }
}
