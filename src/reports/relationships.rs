//! Relationships: the agreements between the same set of parties (a letter of intent, the
//! MoU, its renewal and its addenda) as one item, read-only.
//!
//! Grouped here rather than in SQL: two scans of the link tables and one of the agreements
//! (thousands of rows) give every agreement's set of parties; the grouping, the derived
//! status and the filters on the set follow from those in memory, the same on both backends.

use std::collections::{BTreeSet, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Reader;
use crate::db::DbConnection;
use crate::db::schema::{agreement_organizations, agreement_parties, agreements, organizations, regions};
use crate::domain::{AgreementStatus, CountryCode, DatePrecision, Instrument, MilestoneStage};
use crate::error::Result;
use crate::http::AppState;
use crate::links::{self, Party};
use crate::listing::ListSource;
use crate::listing::{AnyOf, FromQuery, ListParams, Page};

crate::filters! {
    /// Filters of the relationships.
    pub struct RelationshipFilter {
        /// Relationships this region is a party to.
        region_id: Option<i64>,
        /// Relationships this organization is a party to.
        organization_id: Option<i64>,
        /// Relationships with a party in this country.
        country_code: Option<CountryCode>,
        /// Relationships whose status (see `Relationship`) is this one.
        status: Option<AnyOf<AgreementStatus>>,
    }
}

/// The paging of the relationships. Documentation only.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RelationshipPaging {
    /// Page size.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// How many relationships to skip.
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

/// An agreement as a step of a relationship.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct RelatedAgreement {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub instrument: Option<Instrument>,
    pub status: AgreementStatus,
    pub signed_on: Option<NaiveDate>,
    /// How much of `signed_on` is known (`day`, `month`, `year`).
    pub signed_on_precision: DatePrecision,
    pub expires_on: Option<NaiveDate>,
    #[schema(value_type = Option<MilestoneStage>)]
    pub stage: Option<MilestoneStage>,
    /// The agreement this one extends.
    pub renews_agreement_id: Option<i64>,
    /// The agreement this one is an addendum to.
    pub amends_agreement_id: Option<i64>,
}

/// The agreements between one set of parties.
#[derive(Debug, Serialize, ToSchema)]
pub struct Relationship {
    /// The parties, as the earliest agreement lists them.
    pub parties: Vec<Party>,
    /// `active` when any agreement is active, else the status of the last one.
    pub status: AgreementStatus,
    /// When the first of them was signed.
    pub first_signed_on: Option<NaiveDate>,
    /// How much of `first_signed_on` is known; `null` with it.
    #[schema(value_type = Option<DatePrecision>)]
    pub first_signed_on_precision: Option<DatePrecision>,
    /// By `signed_on` (unsigned last), then id.
    pub agreements: Vec<RelatedAgreement>,
}

/// One set of parties, whatever their order, and the countries they are in.
#[derive(Debug, Default)]
struct Parties {
    regions: BTreeSet<i64>,
    organizations: BTreeSet<i64>,
    countries: BTreeSet<String>,
}

/// The agreements of one set of parties, and the countries those parties are in.
#[derive(Debug, Default)]
struct Group {
    agreements: Vec<RelatedAgreement>,
    countries: BTreeSet<String>,
}

/// The relationships the filters select, in order of their first signature (unsigned last),
/// then of their first agreement; `total` counts them all, the page holds `list`'s.
pub fn page(
    conn: &mut DbConnection,
    list: &ListParams,
    filter: &RelationshipFilter,
) -> Result<(i64, Vec<Relationship>)> {
    let mut parties: HashMap<i64, Parties> = HashMap::new();
    let regions: Vec<(i64, i64, String)> = agreement_parties::table
        .inner_join(regions::table)
        .select((agreement_parties::agreement_id, agreement_parties::region_id, regions::country_code))
        .load(conn)?;
    for (agreement, region, country) in regions {
        let entry = parties.entry(agreement).or_default();
        entry.regions.insert(region);
        entry.countries.insert(country);
    }
    let organizations: Vec<(i64, i64, Option<String>)> = agreement_organizations::table
        .inner_join(organizations::table)
        .select((
            agreement_organizations::agreement_id,
            agreement_organizations::organization_id,
            organizations::country_code,
        ))
        .load(conn)?;
    for (agreement, organization, country) in organizations {
        let entry = parties.entry(agreement).or_default();
        entry.organizations.insert(organization);
        entry.countries.extend(country);
    }
    let agreements: Vec<RelatedAgreement> = agreements::table
        .select((
            agreements::id,
            agreements::key,
            agreements::title,
            agreements::instrument,
            agreements::status,
            agreements::signed_on,
            agreements::signed_on_precision,
            agreements::expires_on,
            agreements::stage,
            agreements::renews_agreement_id,
            agreements::amends_agreement_id,
        ))
        .order(agreements::id)
        .load(conn)?;

    // Grouped by the set of parties, each group's agreements in id order so far.
    let mut groups: HashMap<(Vec<i64>, Vec<i64>), Group> = HashMap::new();
    for agreement in agreements {
        let set = parties.remove(&agreement.id).unwrap_or_default();
        let key = (set.regions.into_iter().collect(), set.organizations.into_iter().collect());
        let group = groups.entry(key).or_default();
        group.agreements.push(agreement);
        group.countries.extend(set.countries);
    }
    let mut selected: Vec<(Vec<RelatedAgreement>, AgreementStatus)> = Vec::new();
    for ((regions, organizations), Group { mut agreements, countries }) in groups {
        if filter.region_id.is_some_and(|region| !regions.contains(&region))
            || filter.organization_id.is_some_and(|organization| !organizations.contains(&organization))
            || filter.country_code.as_ref().is_some_and(|country| !countries.contains(country.as_str()))
        {
            continue;
        }
        agreements.sort_by_key(|a| (a.signed_on.is_none(), a.signed_on, a.id));
        let status = relationship_status(&agreements);
        if filter.status.as_ref().is_some_and(|wanted| !wanted.contains(status)) {
            continue;
        }
        selected.push((agreements, status));
    }
    selected.sort_by_key(|(agreements, _)| {
        (agreements[0].signed_on.is_none(), agreements[0].signed_on, agreements[0].id)
    });
    let total = selected.len() as i64;
    let page: Vec<_> = selected
        .into_iter()
        .skip(usize::try_from(list.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(list.limit).unwrap_or(0))
        .collect();
    let first: Vec<i64> = page.iter().map(|(agreements, _)| agreements[0].id).collect();
    let mut region_parties = links::agreement_parties::linked(conn, &first)?;
    let mut organization_parties = links::agreement_organizations::linked(conn, &first)?;
    let items = page
        .into_iter()
        .map(|(agreements, status)| {
            let id = agreements[0].id;
            Relationship {
                parties: crate::resources::agreements::parties(
                    region_parties.remove(&id).unwrap_or_default(),
                    organization_parties.remove(&id).unwrap_or_default(),
                ),
                status,
                first_signed_on: agreements[0].signed_on,
                first_signed_on_precision: agreements[0].signed_on.map(|_| agreements[0].signed_on_precision),
                agreements,
            }
        })
        .collect();
    Ok((total, items))
}

/// `active` when any agreement is, else the status of the last one (agreements in order).
fn relationship_status(agreements: &[RelatedAgreement]) -> AgreementStatus {
    if agreements.iter().any(|a| a.status == AgreementStatus::Active) {
        return AgreementStatus::Active;
    }
    agreements.last().map_or(AgreementStatus::Proposed, |a| a.status)
}

/// The relationships as a CSV source: agreements and parties as lists of their keys and codes.
pub struct Relationships;

impl ListSource for Relationships {
    type Record = Relationship;
    type Filter = RelationshipFilter;
    const FILE: &'static str = "relationships";
    const COLUMNS: &'static [&'static str] =
        &["parties", "status", "first_signed_on", "first_signed_on_precision", "agreements"];
    // Ordered by first signature: batches go by offset.
    const KEYSET: bool = false;

    fn page(
        conn: &mut DbConnection,
        list: &ListParams,
        filter: &RelationshipFilter,
    ) -> Result<(i64, Vec<Relationship>)> {
        page(conn, list, filter)
    }

    fn id(record: &Relationship) -> i64 {
        record.agreements.first().map_or(0, |a| a.id)
    }
}

/// The relationships: agreements between the same set of parties, as one item each. As CSV:
/// `format=csv` (or `Accept: text/csv`), with `bom=true` for Excel.
#[utoipa::path(
    tag = "reports",
    operation_id = "list_relationships",
    params(RelationshipPaging, RelationshipFilter),
    responses(
        (status = 200, description = "A page of relationships", body = Page<Relationship>),
        (status = 400, description = "A bad query parameter", body = crate::error::Problem,
            content_type = "application/problem+json"),
    )
)]
#[get("/relationships")]
pub async fn list_relationships(
    _reader: Reader,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse> {
    let (mut params, list, wanted) = crate::pages::paging_query(&request, &[])?;
    let filter = RelationshipFilter::from_query(&mut params);
    params.finish()?;
    crate::pages::respond::<Relationships>(&state, &request, list, filter, wanted, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agreement(id: i64, status: AgreementStatus) -> RelatedAgreement {
        RelatedAgreement {
            id,
            key: id.to_string(),
            title: String::new(),
            instrument: None,
            status,
            signed_on: None,
            signed_on_precision: DatePrecision::Day,
            expires_on: None,
            stage: None,
            renews_agreement_id: None,
            amends_agreement_id: None,
        }
    }

    #[test]
    fn a_relationship_is_active_when_any_agreement_is_else_as_its_last() {
        use AgreementStatus::*;
        let status = |statuses: &[AgreementStatus]| {
            let agreements: Vec<_> = (1..).zip(statuses).map(|(id, s)| agreement(id, *s)).collect();
            relationship_status(&agreements)
        };
        assert_eq!(status(&[Expired, Active, Negotiating]), Active);
        assert_eq!(status(&[Expired, Negotiating]), Negotiating);
        assert_eq!(status(&[Terminated]), Terminated);
    }
}
