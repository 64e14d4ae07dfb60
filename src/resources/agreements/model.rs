//! An agreement's fields, their rules (parties, dates, renewals), its links, and the
//! queries of the agreement list.


use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{agreement_parties, agreements, regions};
use crate::db::{Backend, DbConnection};
use crate::domain::{AgreementKind, AgreementStatus, CountryCode, Date, Instrument, Key, WebUrl, Timestamp};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX, TEXT_MAX};
use crate::links::{self, PartyRef, SectorRef, check_ids};
use crate::listing::ListParams;
use crate::resource::{Validate, Validated};

/// The stored columns of an agreement.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct AgreementRecord {
    pub id: i64,
    /// Stable identifier other systems use for this agreement.
    pub key: String,
    pub title: String,
    pub kind: AgreementKind,
    pub instrument: Option<Instrument>,
    pub status: AgreementStatus,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    /// Who brought the parties together (an embassy, an association...).
    pub facilitator: Option<String>,
    pub legal_basis: Option<String>,
    /// Reference of the central government's Full Power Letter authorising the signature.
    pub full_power_letter_ref: Option<String>,
    pub full_power_letter_issued_on: Option<NaiveDate>,
    /// Where the signed document can be read.
    pub document_url: Option<String>,
    /// The agreement this one extends.
    pub renews_agreement_id: Option<i64>,
    pub notes: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A cooperation relationship between regions, with its parties and sectors.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agreement {
    #[serde(flatten)]
    pub record: AgreementRecord,
    /// The regions that are parties, in the order given.
    pub parties: Vec<PartyRef>,
    /// The fields of cooperation.
    pub sectors: Vec<SectorRef>,
}

/// The writable fields of an agreement. On `PATCH` every field is optional (JSON merge patch);
/// `party_region_ids` and `sector_ids`, when given, replace the lists as a whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "jabar-souss-massa-2017",
    "title": "Sister province cooperation between West Java and Souss-Massa",
    "kind": "sister_province", "instrument": "memorandum_of_understanding", "status": "active",
    "party_region_ids": [1, 2], "sector_ids": [1, 2, 3], "signed_on": "2017-11-03"
}))]
pub struct AgreementInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    title: Field<String>,
    #[schema(value_type = AgreementKind)]
    kind: Field<AgreementKind>,
    #[schema(value_type = Option<Instrument>)]
    instrument: Field<Instrument>,
    #[schema(value_type = AgreementStatus)]
    status: Field<AgreementStatus>,
    /// At least two distinct existing regions; exactly two, in different countries, for
    /// `sister_province` and `sister_city`.
    #[schema(value_type = Vec<i64>, min_items = 2)]
    party_region_ids: Field<Vec<i64>>,
    /// Existing sectors, each once.
    #[schema(value_type = Option<Vec<i64>>)]
    sector_ids: Field<Vec<i64>>,
    #[schema(value_type = Option<String>, format = Date)]
    signed_on: Field<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    effective_from: Field<Date>,
    /// Not before `effective_from` or `signed_on`.
    #[schema(value_type = Option<String>, format = Date)]
    expires_on: Field<Date>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    facilitator: Field<String>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    legal_basis: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    full_power_letter_ref: Field<String>,
    #[schema(value_type = Option<String>, format = Date)]
    full_power_letter_issued_on: Field<Date>,
    /// An http or https URL.
    #[schema(value_type = Option<String>, max_length = 2000)]
    document_url: Field<WebUrl>,
    /// An existing agreement that this one extends.
    #[schema(value_type = Option<i64>, minimum = 1)]
    renews_agreement_id: Field<i64>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    notes: Field<String>,
}

/// The stored columns of a validated agreement.
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = agreements, treat_none_as_null = true)]
pub struct AgreementColumns {
    key: String,
    title: String,
    kind: AgreementKind,
    instrument: Option<Instrument>,
    status: AgreementStatus,
    signed_on: Option<NaiveDate>,
    effective_from: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
    facilitator: Option<String>,
    legal_basis: Option<String>,
    full_power_letter_ref: Option<String>,
    full_power_letter_issued_on: Option<NaiveDate>,
    document_url: Option<String>,
    renews_agreement_id: Option<i64>,
    notes: Option<String>,
}

/// A validated agreement: its columns and its links, named as in the API.
#[derive(Debug, Serialize)]
pub struct AgreementValues {
    #[serde(flatten)]
    pub(super) columns: AgreementColumns,
    #[serde(rename = "party_region_ids")]
    pub(super) party_ids: Vec<i64>,
    pub(super) sector_ids: Vec<i64>,
    /// The linked records, as validation found them: what a written record shows.
    #[serde(skip)]
    pub(super) parties: Vec<PartyRef>,
    #[serde(skip)]
    pub(super) sectors: Vec<SectorRef>,
}

impl Validate for AgreementInput {
    type Values = AgreementValues;

    /// Checks every field and rule; `id` is the agreement's own id on update.
    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let title = checker.required_text("title", self.title, NAME_MAX);
        let kind = checker.required("kind", self.kind);
        let instrument = checker.optional("instrument", self.instrument);
        let status = checker.required("status", self.status);
        let party_ids = checker.required("party_region_ids", self.party_region_ids).unwrap_or_default();
        let sector_ids = checker.optional("sector_ids", self.sector_ids).unwrap_or_default();
        let signed_on = checker.optional("signed_on", self.signed_on).map(|d| d.0);
        let effective_from = checker.optional("effective_from", self.effective_from).map(|d| d.0);
        let expires_on = checker.optional("expires_on", self.expires_on).map(|d| d.0);
        let facilitator = checker.optional_text("facilitator", self.facilitator, TEXT_MAX);
        let legal_basis = checker.optional_text("legal_basis", self.legal_basis, TEXT_MAX);
        let full_power_letter_ref =
            checker.optional_text("full_power_letter_ref", self.full_power_letter_ref, NAME_MAX);
        let full_power_letter_issued_on =
            checker.optional("full_power_letter_issued_on", self.full_power_letter_issued_on).map(|d| d.0);
        let document_url = checker.optional("document_url", self.document_url).map(WebUrl::into_inner);
        let renews_agreement_id = checker.optional("renews_agreement_id", self.renews_agreement_id);
        let notes = checker.optional_text("notes", self.notes, TEXT_MAX);

        let parties = check_ids::<PartyRef>(conn, checker, "party_region_ids", &party_ids)?;
        check_parties(checker, kind, &party_ids, &parties);
        let sectors = check_ids::<SectorRef>(conn, checker, "sector_ids", &sector_ids)?;
        if let Some(expires_on) = expires_on {
            if effective_from.is_some_and(|from| expires_on < from) {
                checker.error("expires_on", "must not be before effective_from");
            }
            if signed_on.is_some_and(|signed| expires_on < signed) {
                checker.error("expires_on", "must not be before signed_on");
            }
        }
        if let Some(renewed) = renews_agreement_id {
            if Some(renewed) == id {
                checker.error("renews_agreement_id", "an agreement cannot renew itself");
            } else if !checker.exists(conn, "agreements", renewed, |conn| exists(conn, renewed))? {
                checker.error("renews_agreement_id", format!("no agreement has id {renewed}"));
            } else if let Some(id) = id
                && chain_reaches(conn, renewed, id)?
            {
                checker.error(
                    "renews_agreement_id",
                    format!(
                        "agreement {renewed} already renews this one, directly or through others: a loop"
                    ),
                );
            }
        }
        let columns = (|| {
            Some(AgreementColumns {
                key: key?,
                title: title?,
                kind: kind?,
                instrument,
                status: status?,
                signed_on,
                effective_from,
                expires_on,
                facilitator,
                legal_basis,
                full_power_letter_ref,
                full_power_letter_issued_on,
                document_url,
                renews_agreement_id,
                notes,
            })
        })();
        Ok(columns.map(|columns| AgreementValues { columns, party_ids, sector_ids, parties, sectors }))
    }
}

/// Party rules: at least two distinct regions; a sister relationship joins exactly two, of two
/// countries. `parties` are the regions found, in the order given.
fn check_parties(checker: &mut Checker, kind: Option<AgreementKind>, ids: &[i64], parties: &[PartyRef]) {
    if checker.has_error_under("party_region_ids") {
        return;
    }
    if parties.len() < 2 {
        checker.error("party_region_ids", "must name at least two distinct regions");
        return;
    }
    if let Some(kind) = kind.filter(|kind| kind.is_sister()) {
        if ids.len() != 2 {
            checker.error("party_region_ids", format!("a {kind} agreement has exactly two parties"));
        } else if parties[0].country_code == parties[1].country_code {
            checker.error(
                "party_region_ids",
                format!("the two parties of a {kind} agreement must be in different countries"),
            );
        }
    }
}

/// Whether following renewals back from agreement `start` reaches agreement `target`. The
/// recursion keeps distinct ids only, so it ends even on data that already loops.
fn chain_reaches(conn: &mut DbConnection, start: i64, target: i64) -> QueryResult<bool> {
    let sql = format!(
        "WITH RECURSIVE chain(id) AS (SELECT CAST({start} AS BIGINT) \
         UNION SELECT a.renews_agreement_id FROM agreements a JOIN chain c ON a.id = c.id \
         WHERE a.renews_agreement_id IS NOT NULL) \
         SELECT COUNT(*) AS count FROM chain WHERE id = {target}"
    );
    Ok(crate::db::count_sql(conn, &sql)? > 0)
}

fn exists(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(agreements::table.find(id))).get_result(conn)
}

/// Embeds parties and sectors into agreement records: two queries whatever their number.
pub(super) fn with_links(conn: &mut DbConnection, records: Vec<AgreementRecord>) -> QueryResult<Vec<Agreement>> {
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let mut parties = links::agreement_parties::linked(conn, &ids)?;
    let mut sectors = links::agreement_sectors::linked(conn, &ids)?;
    Ok(records
        .into_iter()
        .map(|record| Agreement {
            parties: parties.remove(&record.id).unwrap_or_default(),
            sectors: sectors.remove(&record.id).unwrap_or_default(),
            record,
        })
        .collect())
}

crate::filters! {
    /// Filters of the agreement list.
    pub struct AgreementFilter {
        status: Option<AgreementStatus>,
        kind: Option<AgreementKind>,
        /// Agreements this region is a party to.
        region_id: Option<i64>,
        /// Agreements with a party in this country.
        country_code: Option<CountryCode>,
        /// Agreements in this sector.
        sector_id: Option<i64>,
        /// Signed on or after this date.
        #[param(value_type = Option<String>, format = Date)]
        signed_from: Option<Date>,
        /// Signed on or before this date.
        #[param(value_type = Option<String>, format = Date)]
        signed_to: Option<Date>,
        /// Expiring before this date.
        #[param(value_type = Option<String>, format = Date)]
        expires_before: Option<Date>,
    }
}

crate::sortable!(SORTABLE, sort_agreements, agreements::BoxedQuery<'static, Backend>, agreements::id, {
    "id" => agreements::id,
    "key" => agreements::key,
    "title" => agreements::title,
    "kind" => agreements::kind,
    "status" => agreements::status,
    "signed_on" => agreements::signed_on,
    "effective_from" => agreements::effective_from,
    "expires_on" => agreements::expires_on,
    "created_at" => agreements::created_at,
    "updated_at" => agreements::updated_at,
});

crate::listed!(agreements, search: title, notes, facilitator);

fn filtered(list: &ListParams, filter: &AgreementFilter) -> agreements::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(status) = filter.status {
        query = query.filter(agreements::status.eq(status));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(agreements::kind.eq(kind));
    }
    if let Some(region_id) = filter.region_id {
        query = query.filter(agreements::id.eq_any(links::agreement_parties::owners_of(region_id)));
    }
    if let Some(country) = &filter.country_code {
        let with_party_in_country = agreement_parties::table
            .inner_join(regions::table)
            .filter(regions::country_code.eq(country.as_str().to_owned()))
            .select(agreement_parties::agreement_id);
        query = query.filter(agreements::id.eq_any(with_party_in_country));
    }
    if let Some(sector_id) = filter.sector_id {
        query = query.filter(agreements::id.eq_any(links::agreement_sectors::owners_of(sector_id)));
    }
    if let Some(from) = filter.signed_from {
        query = query.filter(agreements::signed_on.ge(from.0));
    }
    if let Some(to) = filter.signed_to {
        query = query.filter(agreements::signed_on.le(to.0));
    }
    if let Some(before) = filter.expires_before {
        query = query.filter(agreements::expires_on.lt(before.0));
    }
    query
}

pub(super) fn page(
    conn: &mut DbConnection,
    list: &ListParams,
    filter: &AgreementFilter,
) -> Result<(i64, Vec<Agreement>)> {
    let (total, records) = page_of(conn, list, |list| filtered(list, filter))?;
    Ok((total, with_links(conn, records)?))
}

/// Stores the agreement's links and makes the record that shows them; `fresh` for an
/// agreement just created (it has no links yet).
pub(super) fn with_written_links(
    conn: &mut DbConnection,
    record: AgreementRecord,
    values: AgreementValues,
    fresh: bool,
) -> Result<Agreement> {
    links::agreement_parties::replace(conn, record.id, &values.party_ids, fresh)?;
    links::agreement_sectors::replace(conn, record.id, &values.sector_ids, fresh)?;
    Ok(Agreement { record, parties: values.parties, sectors: values.sectors })
}

