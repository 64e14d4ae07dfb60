//! Lists: query-parameter parsing, the paged envelope, sorting and text search, written once
//! for every resource.
//!
//! A resource's list handler reads its filters from a [`QueryParams`] with `take`, then calls
//! `finish`: a parameter that is unknown, repeated or of the wrong type is a `400` that names
//! it, and all such parameters are reported at once.

use std::str::FromStr;

use diesel::expression::{AsExpression, BoxableExpression, TypedExpressionType};
use diesel::sql_types::{Bool, Nullable, SqlType};
use diesel::{BoolExpressionMethods, Expression, NullableExpressionMethods};
use diesel::{Column, ExpressionMethods, dsl};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::db::Backend;
use crate::domain::Enumeration;
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
    /// skip (save for the whole list of action plans in id order, whose deep pages are found
    /// from counts kept per range of ids): to go through a long list, page with `after_id`.
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
    /// Only matches with a larger id, in id order unless `sort` says otherwise: give the last
    /// id of a page to get the next one, as fast at the millionth record as at the first. With
    /// `offset`, that many of them are skipped; `total` still counts every match.
    #[param(minimum = 0)]
    after_id: Option<i64>,
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
}

/// A list that `sort` orders: the fields it may name.
pub trait SortableList {
    const SORTABLE: &'static [&'static str];
}

/// The `sort` parameter of a list of `L`, its schema a pattern of exactly the terms `L` takes
/// (a generated client, and a conformance test, then know them). Documentation only: read by
/// [`ListParams::take`].
pub struct SortDoc<L>(std::marker::PhantomData<L>);

impl<L: SortableList> IntoParams for SortDoc<L> {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, schema::Type};
        let description = format!(
            "Comma-separated fields among {}, each optionally prefixed with `-` for descending order, \
             such as `-created_at,name`. Ties are broken by `id`; a field named twice counts once. \
             Nulls come last in ascending order and first in descending order; a field followed by \
             `:nullsfirst` or `:nullslast` puts them where it says, such as `-population:nullslast,name` \
             (on a field that is never null it changes nothing).",
            L::SORTABLE.iter().map(|field| format!("`{field}`")).collect::<Vec<_>>().join(", ")
        );
        vec![
            ParameterBuilder::new()
                .name("sort")
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(
                    ObjectBuilder::new().schema_type(Type::String).pattern(Some(sort_pattern(L::SORTABLE))),
                ))
                .build(),
        ]
    }
}

/// The regular expression of what `sort` takes for these fields: terms separated by commas,
/// spaces around them allowed.
pub fn sort_pattern(sortable: &[&str]) -> String {
    let term = format!("-?({})(:(nullsfirst|nullslast))?", sortable.join("|"));
    format!("^ *{term} *(, *{term} *)*$")
}

/// One term of `sort`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub field: &'static str,
    pub descending: bool,
    /// Where the request puts nulls (`:nullsfirst`, `:nullslast`), if it says.
    pub nulls: Option<Nulls>,
}

/// Where nulls go in an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    First,
    Last,
}

impl SortKey {
    /// `field` in ascending order, nulls where they go by default.
    pub const fn ascending(field: &'static str) -> Self {
        Self { field, descending: false, nulls: None }
    }

    /// Whether nulls come after every value: where the request put them, else last in
    /// ascending order and first in descending order (PostgreSQL's default, which SQLite
    /// reverses: hence always said in SQL).
    pub fn nulls_last(&self) -> bool {
        match self.nulls {
            Some(nulls) => nulls == Nulls::Last,
            None => !self.descending,
        }
    }
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
            if id < 0 { Err("must be at least 0".to_owned()) } else { Ok(id) }
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
    for term in text.split(',').map(|term| term.trim_matches(' ')) {
        let (term, nulls) = match term.split_once(':') {
            None => (term, None),
            Some((term, "nullsfirst")) => (term, Some(Nulls::First)),
            Some((term, "nullslast")) => (term, Some(Nulls::Last)),
            Some((term, placement)) => {
                return Err(format!(
                    "`{term}:{placement}`: after `:` comes where nulls go, `nullsfirst` or `nullslast`"
                ));
            }
        };
        let (name, descending) = match term.strip_prefix('-') {
            Some(name) => (name, true),
            None => (term, false),
        };
        let Some(field) = sortable.iter().find(|f| **f == name) else {
            return Err(format!("cannot sort by `{name}`; sortable fields: {}", sortable.join(", ")));
        };
        // Named again, a field adds nothing to the order: the first time counts.
        if !keys.iter().any(|k| k.field == *field) {
            keys.push(SortKey { field, descending, nulls });
        }
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
        if T::REPEATABLE {
            // `status=a&status=b` is `status=a,b`: how generated clients send a list.
            let values = extract(&mut self.pairs, name);
            if values.len() > 1 {
                self.pairs.push((name.to_owned(), values.join(",")));
            } else {
                self.pairs.extend(values.into_iter().map(|value| (name.to_owned(), value)));
            }
        }
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
/// OpenAPI document (`IntoParams`, from the fields' doc comments and `#[param]` attributes,
/// then [`QueryValue::document`] of each field's type), and how it is read from the query
/// string ([`FromQuery`]). Every field is an `Option` of a [`QueryValue`], read from the
/// parameter of the field's name.
///
/// ```ignore
/// filters! {
///     /// Filters of the region list.
///     pub struct RegionFilter {
///         /// Regions of this country.
///         country_code: Option<CountryCode>,
///         /// Regions of these kinds.
///         kind: Option<AnyOf<RegionKind>>,
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
        #[derive(Debug, Clone, Default)]
        pub struct $name {
            // The fields' documentation is the parameters', in `into_params`.
            $(pub $field: Option<$type>),*
        }

        impl utoipa::IntoParams for $name {
            fn into_params(
                parameter_in: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                // The parameters as utoipa derives them from the fields, then as each type is
                // read (a list of values is an array).
                #[derive(utoipa::IntoParams)]
                #[into_params(parameter_in = Query)]
                #[allow(dead_code)]
                struct Documented {
                    $($(#[$field_meta])* $field: Option<$type>),*
                }
                let mut parameters = Documented::into_params(parameter_in);
                for parameter in &mut parameters {
                    $(
                        if parameter.name == stringify!($field) {
                            <$type as $crate::listing::QueryValue>::document(parameter);
                        }
                    )*
                }
                parameters
            }
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

    /// Whether the parameter may be given more than once, its values then read as one
    /// comma-separated list (a list of values); otherwise a repeat is a `400`.
    const REPEATABLE: bool = false;

    /// Completes the parameter's documentation, derived from the field, where the text it
    /// reads is not the type's schema (a list of values).
    fn document(_parameter: &mut Parameter) {}
}

/// One or more values of an enumeration, comma-separated (`status=planned,in_progress`): a
/// filter that selects the records whose column holds any of them. Kept in the
/// enumeration's order and each once, so that the same values asked in any order make the
/// same statement, and at most as many bound values as the enumeration has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyOf<T>(Vec<T>);

/// An array of `T`'s values: what the parameter's text stands for.
impl<T: ToSchema> PartialSchema for AnyOf<T> {
    fn schema() -> RefOr<Schema> {
        let value = RefOr::Ref(Ref::from_schema_name(T::name()));
        ArrayBuilder::new().items(value).min_items(Some(1)).into()
    }
}

impl<T: ToSchema> ToSchema for AnyOf<T> {}

/// A condition on rows of `Table` whose shape depends on the request, as `filter` takes it:
/// `Bool`, or `Nullable<Bool>` on an optional column.
pub type Condition<Table, Truth> = Box<dyn BoxableExpression<Table, Backend, SqlType = Truth>>;

impl<T: Enumeration + PartialEq> AnyOf<T> {
    /// The values asked for, in the enumeration's order.
    #[cfg(test)]
    pub fn values(&self) -> &[T] {
        &self.0
    }

    pub fn contains(&self, value: T) -> bool {
        self.0.contains(&value)
    }

    /// `column` holds one of the values: `column = ?` for one value, `column IN (?, ...)` for
    /// several (on PostgreSQL `column = ANY($1)`, one array).
    pub fn condition<C, Truth>(&self, column: C) -> Condition<C::Table, Truth>
    where
        C: Column + ExpressionMethods,
        C::SqlType: SqlType + TypedExpressionType,
        T: AsExpression<C::SqlType> + 'static,
        dsl::Eq<C, T>: BoxableExpression<C::Table, Backend, SqlType = Truth> + 'static,
        dsl::EqAny<C, Vec<T>>: BoxableExpression<C::Table, Backend, SqlType = Truth> + 'static,
    {
        equal_to_any(column, self.0.clone())
    }

    /// The same for an enumeration with a member that stands for no value (`unassessed`), on
    /// an optional column: `stored` gives the value a member matches in `column`, `None` for
    /// the one that matches `NULL`. That member alone is `column IS NULL`; with others,
    /// `column IS NULL OR column = ?` (or `IN`).
    pub fn condition_or_null<C, V>(
        &self,
        column: C,
        stored: impl Fn(T) -> Option<V>,
    ) -> Condition<C::Table, Nullable<Bool>>
    where
        C: Column + ExpressionMethods + Copy,
        C::SqlType: SqlType + TypedExpressionType,
        V: AsExpression<C::SqlType> + 'static,
        dsl::Eq<C, V>: BoxableExpression<C::Table, Backend, SqlType = Nullable<Bool>> + 'static,
        dsl::EqAny<C, Vec<V>>: BoxableExpression<C::Table, Backend, SqlType = Nullable<Bool>> + 'static,
        dsl::IsNull<C>: Expression<SqlType = Bool>,
        dsl::Nullable<dsl::IsNull<C>>:
            BoxableExpression<C::Table, Backend, SqlType = Nullable<Bool>> + 'static,
        dsl::Or<dsl::IsNull<C>, Condition<C::Table, Nullable<Bool>>, Nullable<Bool>>:
            BoxableExpression<C::Table, Backend, SqlType = Nullable<Bool>> + 'static,
    {
        let values: Vec<V> = self.0.iter().filter_map(|value| stored(*value)).collect();
        let missing = self.0.iter().any(|value| stored(*value).is_none());
        match (values.is_empty(), missing) {
            (true, _) => Box::new(column.is_null().nullable()),
            (false, false) => equal_to_any(column, values),
            (false, true) => Box::new(column.is_null().or::<_, Nullable<Bool>>(equal_to_any(column, values))),
        }
    }
}

/// `column = ?` for one value, `column IN (?, ...)` (PostgreSQL: `= ANY($1)`) for several.
/// One value stays an equality,
/// as it was before filters took several: the statement, its cached plans and the indexes it
/// walks in order (`(status, year, id)` for a page of plans) are those of an equality.
fn equal_to_any<C, V, Truth>(column: C, mut values: Vec<V>) -> Condition<C::Table, Truth>
where
    C: Column + ExpressionMethods,
    C::SqlType: SqlType + TypedExpressionType,
    V: AsExpression<C::SqlType> + 'static,
    dsl::Eq<C, V>: BoxableExpression<C::Table, Backend, SqlType = Truth> + 'static,
    dsl::EqAny<C, Vec<V>>: BoxableExpression<C::Table, Backend, SqlType = Truth> + 'static,
{
    if values.len() == 1
        && let Some(only) = values.pop()
    {
        return Box::new(column.eq(only));
    }
    Box::new(column.eq_any(values))
}

impl<T: Enumeration + PartialEq + QueryValue + ToSchema> QueryValue for AnyOf<T> {
    const REPEATABLE: bool = true;

    fn parse_query(text: &str) -> Result<Self, String> {
        // One value reads as before lists took several, with the same message when it is wrong
        // (`status=` included).
        if !text.contains(',') {
            return T::parse_query(text).map(|value| Self(vec![value]));
        }
        let mut asked = Vec::new();
        for item in text.split(',') {
            if item.is_empty() {
                return Err(
                    "holds an empty value: separate values by single commas, such as `a,b`".to_owned()
                );
            }
            asked.push(T::parse_query(item).map_err(|message| format!("`{item}` {message}"))?);
        }
        Ok(Self(T::ALL.iter().copied().filter(|value| asked.contains(value)).collect()))
    }

    /// An array of the enumeration, written comma-separated (`style: form`, `explode: false`),
    /// so that generated clients send `status=planned,in_progress`.
    fn document(parameter: &mut Parameter) {
        parameter.schema = Some(Self::schema());
        parameter.style = Some(ParameterStyle::Form);
        parameter.explode = Some(false);
        let several = "Several values, comma-separated (or the parameter repeated), select the records \
                       with any of them.";
        parameter.description = Some(match parameter.description.take() {
            Some(description) => format!("{description} {several}"),
            None => several.to_owned(),
        });
    }
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

/// A list that can be answered as JSON pages or as CSV.
pub trait ListSource: 'static {
    type Record: serde::Serialize + Send + 'static;
    type Filter: Send + 'static;
    /// The file's name, without `.csv`.
    const FILE: &'static str;
    /// The columns, in order: fields of the record as JSON.
    const COLUMNS: &'static [&'static str];
    /// Whether the default order is by ascending id, so that batches can follow `after_id`.
    const KEYSET: bool;
    fn page(
        conn: &mut crate::db::DbConnection,
        list: &ListParams,
        filter: &Self::Filter,
    ) -> Result<(i64, Vec<Self::Record>), crate::error::ApiError>;
    fn id(record: &Self::Record) -> i64;
}

/// Every enumeration (`string_enum!`) reads its own wire names, so a new one needs no line here.
impl<T> QueryValue for T
where
    T: crate::domain::Enumeration + FromStr<Err = String>,
{
    fn parse_query(text: &str) -> Result<Self, String> {
        T::from_str(text)
    }
}

/// The other domain types read their own text.
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

/// What [`page_of`] needs of a table's list, written by `sortable!` (as `Sorted` in the
/// list's module): its boxed query, ordered by the asked keys, counted, cut to a window,
/// reduced to ids, or narrowed to given ids.
pub trait Sorting {
    type Query;
    /// `query` in the order of `keys`, ties broken by id.
    fn ordered(query: Self::Query, keys: &[SortKey]) -> Self::Query;
    /// How many records `query` selects.
    fn count(conn: &mut crate::db::DbConnection, query: Self::Query) -> diesel::QueryResult<i64>;
    /// `limit` records of `query` after `offset`.
    fn window(query: Self::Query, limit: i64, offset: i64) -> Self::Query;
    /// The ids of the records `query` selects, in its order.
    fn ids(conn: &mut crate::db::DbConnection, query: Self::Query) -> diesel::QueryResult<Vec<i64>>;
    /// The records with these ids.
    fn among(ids: Vec<i64>) -> Self::Query;
}

/// The paginator of every list: how many records `query` selects (`total`, unless the list
/// asks for none; past `after_id` too), and the page `list` asks for, in its order.
///
/// `listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))`
pub fn page_of<S: Sorting, Row>(
    conn: &mut crate::db::DbConnection,
    list: &ListParams,
    query: impl Fn(&ListParams) -> S::Query,
) -> diesel::QueryResult<(i64, Vec<Row>)>
where
    S::Query: diesel::RunQueryDsl<crate::db::DbConnection>
        + for<'a> diesel::query_dsl::LoadQuery<'a, crate::db::DbConnection, Row>,
{
    use diesel::RunQueryDsl;
    let total = match (list.counted, list.after_id) {
        (false, _) => 0,
        (true, None) => S::count(conn, query(list))?,
        (true, Some(_)) => S::count(conn, query(&ListParams { after_id: None, ..list.clone() }))?,
    };
    let rows = if list.offset > 0 && matches!(conn, crate::db::DbConnection::Pg(_)) {
        // A page past others on PostgreSQL, which fetches every row that OFFSET skips from
        // the table: the page's ids first, read in order from an index alone, then only the
        // page's rows. (SQLite reads no row it skips.)
        let ids = S::ids(conn, S::window(S::ordered(query(list), &list.sort), list.limit, list.offset))?;
        S::ordered(S::among(ids), &list.sort).load(conn)?
    } else {
        S::window(S::ordered(query(list), &list.sort), list.limit, list.offset).load(conn)?
    };
    Ok((total, rows))
}

/// Declares what a list may be sorted by, once: a constant with the field names (for
/// [`ListParams::take`]), a function that appends the `ORDER BY` terms of the request's sort
/// keys, then `id`, to a boxed diesel query, and `Sorted`, the table's [`Sorting`] for the
/// paginator [`page_of`]. Nulls go where the sort key says
/// ([`SortKey::nulls_last`]), the same on both backends.
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
                query = match key.field {
                    $(
                        $name => {
                            // Nulls placed explicitly only where there can be some: an extra
                            // sort term keeps the database from reading the column's index in
                            // order. (`false` sorts before `true`.)
                            if $crate::listing::nullable(&$column) {
                                query = if key.nulls_last() {
                                    query.then_order_by($column.is_null().asc())
                                } else {
                                    query.then_order_by($column.is_null().desc())
                                };
                            }
                            if key.descending {
                                query.then_order_by($column.desc())
                            } else {
                                query.then_order_by($column.asc())
                            }
                        }
                    )+
                    // `ListParams::take` only lets the names above through.
                    _ => query,
                };
            }
            query.then_order_by($id.asc())
        }

        /// The table's sorting, for [`page_of`]($crate::listing::page_of). (Lists with another
        /// default order, like the audit trail's, page themselves.)
        #[allow(dead_code)]
        pub(crate) enum Sorted {}

        impl $crate::listing::Sorting for Sorted {
            type Query = $query;

            fn ordered(query: $query, keys: &[$crate::listing::SortKey]) -> $query {
                $function(query, keys)
            }

            fn count(conn: &mut $crate::db::DbConnection, query: $query) -> diesel::QueryResult<i64> {
                use diesel::prelude::*;
                query.count().get_result(conn)
            }

            fn window(query: $query, limit: i64, offset: i64) -> $query {
                use diesel::prelude::*;
                query.limit(limit).offset(offset)
            }

            fn ids(conn: &mut $crate::db::DbConnection, query: $query) -> diesel::QueryResult<Vec<i64>> {
                use diesel::prelude::*;
                query.select($id).load(conn)
            }

            fn among(ids: Vec<i64>) -> $query {
                use diesel::prelude::*;
                $crate::listing::table_of(&$id).into_boxed().filter($id.eq_any(ids))
            }
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
                    $crate::db::lower_nullable($table::$first.nullable()).like(pattern.clone()).escape('\\')
                        $(.or($crate::db::lower_nullable($table::$more.nullable())
                            .like(pattern.clone())
                            .escape('\\')))*,
                );
            }
            query
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["id", "name", "population"];

    #[test]
    fn sort_reads_directions_and_rejects_unknown_fields() {
        let keys = parse_sort("-population,name", FIELDS).unwrap();
        assert_eq!(keys[0], SortKey { field: "population", descending: true, nulls: None });
        assert_eq!(keys[1], SortKey::ascending("name"));
        assert!(parse_sort("password", FIELDS).unwrap_err().contains("password"));
        assert_eq!(parse_sort("name,-name", FIELDS).unwrap(), [SortKey::ascending("name")]);
        assert!(parse_sort("", FIELDS).is_err());
    }

    #[test]
    fn sort_reads_where_nulls_go_and_keeps_the_default_without_it() {
        let keys = parse_sort("-population:nullslast,name:nullsfirst,id", FIELDS).unwrap();
        assert_eq!(keys[0], SortKey { field: "population", descending: true, nulls: Some(Nulls::Last) });
        assert_eq!(keys[1], SortKey { field: "name", descending: false, nulls: Some(Nulls::First) });
        assert_eq!(keys[2], SortKey::ascending("id"));
        let last = |text: &str| parse_sort(text, FIELDS).unwrap()[0].nulls_last();
        assert!(last("population"), "ascending: nulls last");
        assert!(!last("-population"), "descending: nulls first");
        assert!(!last("population:nullsfirst"));
        assert!(last("-population:nullslast"));
        for bad in [
            "population:",
            "population:nulls",
            "population:NULLSLAST",
            ":nullslast",
            "population:nullslast:x",
        ] {
            assert!(parse_sort(bad, FIELDS).is_err(), "{bad}");
        }
        assert_eq!(
            parse_sort("population:nullslast,-population", FIELDS).unwrap(),
            [SortKey { field: "population", descending: false, nulls: Some(Nulls::Last) }],
            "a field named twice counts once, the first time"
        );
    }

    #[test]
    fn the_sort_pattern_takes_exactly_what_sort_reads() {
        let pattern = regex::Regex::new(&sort_pattern(FIELDS)).unwrap();
        for text in [
            "name",
            "-population:nullslast,name",
            " name , -id:nullsfirst ",
            "id,id",
            "",
            "name,",
            ",name",
            "nom",
            "name:",
            "Name",
            "\tname",
            "name;id",
            "--name",
            "name:nullslast:nullsfirst",
        ] {
            assert_eq!(pattern.is_match(text), parse_sort(text, FIELDS).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn any_of_reads_comma_separated_values_in_the_enumeration_order() {
        use crate::domain::{ActionPlanStatus, SeverityFilter};
        let statuses =
            |text: &str| AnyOf::<ActionPlanStatus>::parse_query(text).map(|any| any.values().to_vec());
        assert_eq!(statuses("planned"), Ok(vec![ActionPlanStatus::Planned]));
        assert_eq!(
            statuses("cancelled,planned,cancelled"),
            Ok(vec![ActionPlanStatus::Planned, ActionPlanStatus::Cancelled]),
            "each value once, in the enumeration's order"
        );
        assert_eq!(
            statuses("plannd"),
            Err(ActionPlanStatus::from_str("plannd").unwrap_err()),
            "one value as before"
        );
        let error = statuses("planned,plannd").unwrap_err();
        assert!(error.starts_with("`plannd` must be one of: planned, in_progress"), "{error}");
        assert!(statuses("").is_err());
        for empty in ["planned,", ",planned", "planned,,cancelled", ","] {
            assert!(statuses(empty).unwrap_err().contains("empty value"), "{empty}");
        }
        let severities = AnyOf::<SeverityFilter>::parse_query("unassessed,high").unwrap();
        assert_eq!(severities.values(), [SeverityFilter::High, SeverityFilter::Unassessed]);
        assert!(severities.contains(SeverityFilter::High) && !severities.contains(SeverityFilter::Low));
    }

    /// The SQL of enumeration filters, as SQLite runs it: one value is an equality, the
    /// statement of a single-valued filter before they took several.
    #[test]
    fn one_value_is_an_equality_and_several_an_in_list() {
        use std::sync::{Arc, Mutex};

        use diesel::connection::InstrumentationEvent;
        use diesel::prelude::*;

        use crate::db::DbConnection;
        use crate::db::schema::{action_plans, obstacles};
        use crate::domain::{ActionPlanStatus, SeverityFilter};

        let mut conn = DbConnection::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        crate::db::run_migrations(&mut conn).unwrap();
        let statements = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = statements.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                seen.lock().unwrap().push(query.to_string());
            }
        });
        let mut where_clause = |run: &mut dyn FnMut(&mut DbConnection)| {
            run(&mut conn);
            let sql = statements.lock().unwrap().pop().unwrap();
            let start = sql.find(" WHERE ").unwrap() + " WHERE ".len();
            let end = sql.find(" -- binds").unwrap();
            sql[start..end].to_owned()
        };
        let plans = |text: &'static str| {
            move |conn: &mut DbConnection| {
                let statuses = AnyOf::<ActionPlanStatus>::parse_query(text).unwrap();
                let query = action_plans::table.into_boxed().filter(statuses.condition(action_plans::status));
                query.select(action_plans::id).load::<i64>(conn).unwrap();
            }
        };
        assert_eq!(where_clause(&mut plans("planned")), "(`action_plans`.`status` = ?)");
        assert_eq!(where_clause(&mut plans("planned,in_progress")), "(`action_plans`.`status` IN (?, ?))");
        let obstacles = |text: &'static str| {
            move |conn: &mut DbConnection| {
                let severities = AnyOf::<SeverityFilter>::parse_query(text).unwrap();
                let condition = severities.condition_or_null(obstacles::severity, SeverityFilter::assessed);
                obstacles::table
                    .into_boxed()
                    .filter(condition)
                    .select(obstacles::id)
                    .load::<i64>(conn)
                    .unwrap();
            }
        };
        assert_eq!(where_clause(&mut obstacles("high")), "(`obstacles`.`severity` = ?)");
        assert_eq!(where_clause(&mut obstacles("unassessed")), "(`obstacles`.`severity` IS NULL)");
        assert_eq!(where_clause(&mut obstacles("low,high")), "(`obstacles`.`severity` IN (?, ?))");
        assert_eq!(
            where_clause(&mut obstacles("unassessed,high")),
            "((`obstacles`.`severity` IS NULL) OR (`obstacles`.`severity` = ?))"
        );
        assert_eq!(
            where_clause(&mut obstacles("high,unassessed,low")),
            "((`obstacles`.`severity` IS NULL) OR (`obstacles`.`severity` IN (?, ?)))"
        );
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
