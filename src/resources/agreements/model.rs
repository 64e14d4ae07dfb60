//! An agreement's fields, their rules (parties, dates, renewals), its links, and the
//! queries of the agreement list.


use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{agreement_organizations, agreement_parties, agreements, organizations, regions};
use crate::db::{Backend, DbConnection};
use crate::domain::{
    AgreementKind, AgreementStatus, CountryCode, Date, DatePrecision, Instrument, Key, LanguageTag, MilestoneStage,
    Timestamp, WebUrl,
};
use crate::error::Result;
use crate::input::{Checker, Field, Mode, NAME_MAX, SOURCE_MAX, TEXT_MAX};
use crate::links::{self, OrganizationParty, Party, RegionParty, SectorRef, check_ids};
use crate::listing::{AnyOf, ListParams};
use crate::resource::{Resource, Validate, Validated};

/// The stored columns of an agreement.
#[derive(Debug, Clone, Queryable, Serialize, ToSchema)]
pub struct AgreementRecord {
    pub id: i64,
    /// Stable identifier other systems use for this agreement.
    pub key: String,
    pub title: String,
    /// The title in the parties' own language (the text of the source, often).
    pub local_title: Option<String>,
    /// A description in the parties' own language.
    pub local_description: Option<String>,
    /// The language of `local_title` and `local_description`, and of its action plans' (BCP 47:
    /// `id`, `fr-MA`): the IATI export marks their text with it.
    pub local_language: Option<String>,
    pub kind: AgreementKind,
    pub instrument: Option<Instrument>,
    pub status: AgreementStatus,
    pub signed_on: Option<NaiveDate>,
    /// How much of `signed_on` is known: a year-only fact is January 1 with precision `year`.
    pub signed_on_precision: DatePrecision,
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
    /// The agreement this one is an addendum to.
    pub amends_agreement_id: Option<i64>,
    /// Where the agreement stands in its legal procedure: the last stage, in procedure order
    /// (`other` aside), among its `done` milestones; `null` when none is done. Read-only.
    #[schema(value_type = Option<MilestoneStage>)]
    pub stage: Option<MilestoneStage>,
    pub notes: Option<String>,
    /// Where the fact comes from.
    pub source: Option<String>,
    /// 1 when created, one more on every change.
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A cooperation relationship between regions (and organizations), with its parties and
/// sectors.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agreement {
    #[serde(flatten)]
    pub record: AgreementRecord,
    /// The parties: the regions, then the organizations, each in the order given.
    pub parties: Vec<Party>,
    /// The fields of cooperation.
    pub sectors: Vec<SectorRef>,
}

/// The writable fields of an agreement. On `PATCH` every field is optional (JSON merge patch);
/// `party_region_ids` and `sector_ids`, when given, replace the lists as a whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Renewed sister province cooperation between West Java and Souss-Massa",
    "kind": "sister_province", "instrument": "memorandum_of_understanding", "status": "negotiating",
    "party_region_ids": [1, 2], "sector_ids": [1, 2, 3]
}))]
pub struct AgreementInput {
    /// Stable identifier; assigned by the server (a UUID) when left out.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9._:-]{1,100}$")]
    key: Field<Key>,
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = "\\S")]
    title: Field<String>,
    /// The title in the parties' own language (the text of the source, often); searched by `q`.
    #[schema(value_type = Option<String>, max_length = 300)]
    local_title: Field<String>,
    /// A description in the parties' own language; searched by `q`.
    #[schema(value_type = Option<String>, max_length = 10000)]
    local_description: Field<String>,
    /// The language of `local_title` and `local_description`, and of its action plans' (a BCP
    /// 47 tag such as `id` or `fr-MA`).
    #[schema(value_type = Option<crate::domain::LanguageTag>, example = "id")]
    local_language: Field<LanguageTag>,
    #[schema(value_type = AgreementKind)]
    kind: Field<AgreementKind>,
    #[schema(value_type = Option<Instrument>)]
    instrument: Field<Instrument>,
    #[schema(value_type = AgreementStatus)]
    status: Field<AgreementStatus>,
    /// Distinct existing regions, at least one; with the organizations, at least two parties.
    /// A `sister_province` or `sister_city` agreement joins exactly two regions, of two
    /// countries, and no organization.
    #[schema(value_type = Vec<i64>, min_items = 1)]
    party_region_ids: Field<Vec<i64>>,
    /// Distinct existing organizations that are parties; at least one for `institutional`.
    #[schema(value_type = Option<Vec<i64>>)]
    party_organization_ids: Field<Vec<i64>>,
    /// Existing sectors, each once.
    #[schema(value_type = Option<Vec<i64>>)]
    sector_ids: Field<Vec<i64>>,
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    signed_on: Field<Date>,
    /// Default `day`; with `year`, `signed_on` is January 1 of the year, with `month` the first
    /// of the month; another precision than `day` needs a `signed_on`.
    #[schema(value_type = Option<DatePrecision>)]
    signed_on_precision: Field<DatePrecision>,
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    effective_from: Field<Date>,
    /// Not before `effective_from` or `signed_on`.
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    expires_on: Field<Date>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    facilitator: Field<String>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    legal_basis: Field<String>,
    #[schema(value_type = Option<String>, max_length = 300)]
    full_power_letter_ref: Field<String>,
    #[schema(value_type = Option<crate::domain::DateOfRecord>)]
    full_power_letter_issued_on: Field<Date>,
    /// An http or https URL.
    #[schema(value_type = Option<crate::domain::WebUrl>)]
    document_url: Field<WebUrl>,
    /// An existing agreement, with the same parties, that this one extends.
    #[schema(value_type = Option<i64>, minimum = 1)]
    renews_agreement_id: Field<i64>,
    /// An existing agreement, with the same parties, that this one is an addendum to.
    #[schema(value_type = Option<i64>, minimum = 1)]
    amends_agreement_id: Field<i64>,
    #[schema(value_type = Option<String>, max_length = 10000)]
    notes: Field<String>,
    /// Where the fact comes from (a document, an article, a meeting), up to 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    source: Field<String>,
}

/// The stored columns of a validated agreement.
#[derive(Debug, Serialize, Insertable, AsChangeset)]
#[diesel(table_name = agreements, treat_none_as_null = true)]
pub struct AgreementColumns {
    key: String,
    title: String,
    local_title: Option<String>,
    local_description: Option<String>,
    local_language: Option<String>,
    kind: AgreementKind,
    instrument: Option<Instrument>,
    status: AgreementStatus,
    signed_on: Option<NaiveDate>,
    signed_on_precision: DatePrecision,
    effective_from: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
    facilitator: Option<String>,
    legal_basis: Option<String>,
    full_power_letter_ref: Option<String>,
    full_power_letter_issued_on: Option<NaiveDate>,
    document_url: Option<String>,
    renews_agreement_id: Option<i64>,
    amends_agreement_id: Option<i64>,
    notes: Option<String>,
    source: Option<String>,
}

/// A validated agreement: its columns and its links, named as in the API.
#[derive(Debug, Serialize)]
pub struct AgreementValues {
    #[serde(flatten)]
    pub(super) columns: AgreementColumns,
    #[serde(rename = "party_region_ids")]
    pub(super) region_ids: Vec<i64>,
    #[serde(rename = "party_organization_ids")]
    pub(super) organization_ids: Vec<i64>,
    pub(super) sector_ids: Vec<i64>,
    /// The linked records, as validation found them: what a written record shows.
    #[serde(skip)]
    pub(super) parties: Vec<Party>,
    #[serde(skip)]
    pub(super) sectors: Vec<SectorRef>,
}

impl Validate for AgreementInput {
    type Values = AgreementValues;

    /// Checks every field and rule; `id` is the agreement's own id on update.
    fn validate(self, checker: &mut Checker, conn: &mut DbConnection, id: Option<i64>) -> Validated<Self::Values> {
        let key = checker.key(self.key, Mode::of(id));
        let title = checker.required_text("title", self.title, NAME_MAX);
        let local_title = checker.optional_text("local_title", self.local_title, NAME_MAX);
        let local_description = checker.optional_text("local_description", self.local_description, TEXT_MAX);
        let local_language = checker.optional("local_language", self.local_language).map(LanguageTag::into_inner);
        let kind = checker.required("kind", self.kind);
        let instrument = checker.optional("instrument", self.instrument);
        let status = checker.required("status", self.status);
        let region_ids = checker.required("party_region_ids", self.party_region_ids).unwrap_or_default();
        let organization_ids =
            checker.optional("party_organization_ids", self.party_organization_ids).unwrap_or_default();
        let sector_ids = checker.optional("sector_ids", self.sector_ids).unwrap_or_default();
        let signed_on = checker.optional("signed_on", self.signed_on).map(|d| d.0);
        let signed_on_precision =
            checker.optional("signed_on_precision", self.signed_on_precision).unwrap_or(DatePrecision::Day);
        checker.date_precision(("signed_on", signed_on), ("signed_on_precision", signed_on_precision));
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
        let amends_agreement_id = checker.optional("amends_agreement_id", self.amends_agreement_id);
        let notes = checker.optional_text("notes", self.notes, TEXT_MAX);
        let source = checker.optional_text("source", self.source, SOURCE_MAX);

        let regions = check_ids::<RegionParty>(conn, checker, "party_region_ids", &region_ids)?;
        let organizations =
            check_ids::<OrganizationParty>(conn, checker, "party_organization_ids", &organization_ids)?;
        check_parties(checker, kind, &regions, &organizations);
        let sectors = check_ids::<SectorRef>(conn, checker, "sector_ids", &sector_ids)?;
        if let Some(expires_on) = expires_on {
            if effective_from.is_some_and(|from| expires_on < from) {
                checker.error("expires_on", "must not be before effective_from");
            }
            if signed_on.is_some_and(|signed| expires_on < signed) {
                checker.error("expires_on", "must not be before signed_on");
            }
        }
        let party_set = PartySet::of(&region_ids, &organization_ids);
        let parties_valid =
            !checker.has_error_under("party_region_ids") && !checker.has_error_under("party_organization_ids");
        // On update, the rules between agreements apply to what changes: a record stored
        // before they existed can still be edited in its other fields.
        let stored = match id {
            Some(id) => Some(Stored::read(conn, id)?),
            None => None,
        };
        let parties_changed = stored.as_ref().is_none_or(|stored| stored.parties != party_set);
        for (field, earlier, before) in [
            ("renews_agreement_id", renews_agreement_id, stored.as_ref().and_then(|s| s.renews)),
            ("amends_agreement_id", amends_agreement_id, stored.as_ref().and_then(|s| s.amends)),
        ] {
            if let Some(earlier) = earlier {
                let compare = parties_valid && (parties_changed || before != Some(earlier));
                check_earlier_agreement(conn, checker, field, earlier, id, compare.then_some(&party_set))?;
            }
        }
        if let Some(id) = id
            && parties_valid
            && parties_changed
        {
            check_later_agreements_keep_parties(conn, checker, id, &party_set)?;
            let change = crate::rules::PartyChange::Parties(&region_ids);
            let stranded = crate::rules::paid_by_non_parties(conn, id, change)?;
            if !stranded.is_empty() {
                checker.error(
                    "party_region_ids",
                    format!(
                        "transactions {} are paid by a region this change removes from the parties",
                        crate::rules::id_list(&stranded)
                    ),
                );
            }
        }
        let columns = (|| {
            Some(AgreementColumns {
                key: key?,
                title: title?,
                local_title,
                local_description,
                local_language,
                kind: kind?,
                instrument,
                status: status?,
                signed_on,
                signed_on_precision,
                effective_from,
                expires_on,
                facilitator,
                legal_basis,
                full_power_letter_ref,
                full_power_letter_issued_on,
                document_url,
                renews_agreement_id,
                amends_agreement_id,
                notes,
                source,
            })
        })();
        let parties = parties(regions, organizations);
        Ok(columns.map(|columns| AgreementValues {
            columns,
            region_ids,
            organization_ids,
            sector_ids,
            parties,
            sectors,
        }))
    }
}

/// Party rules: at least two parties, at least one a region; a sister relationship joins
/// exactly two regions, of two countries, and no organization; an institutional one has an
/// organization. `regions` and `organizations` are the records found, in the order given.
fn check_parties(
    checker: &mut Checker,
    kind: Option<AgreementKind>,
    regions: &[RegionParty],
    organizations: &[OrganizationParty],
) {
    if checker.has_error_under("party_region_ids") || checker.has_error_under("party_organization_ids") {
        return;
    }
    let sister = kind.is_some_and(AgreementKind::is_sister);
    if regions.is_empty() {
        checker.error("party_region_ids", "must name at least one region");
    } else if regions.len() + organizations.len() < 2 && !sister {
        checker.error("party_region_ids", "an agreement has at least two parties (regions and organizations)");
    }
    match kind {
        Some(kind) if kind.is_sister() => {
            if regions.len() != 2 {
                checker.error("party_region_ids", format!("a {kind} agreement joins exactly two regions"));
            } else if regions[0].country_code == regions[1].country_code {
                checker.error(
                    "party_region_ids",
                    format!("the two parties of a {kind} agreement must be in different countries"),
                );
            }
            if !organizations.is_empty() {
                checker.error("party_organization_ids", format!("a {kind} agreement has no organization as a party"));
            }
        }
        Some(AgreementKind::Institutional) if organizations.is_empty() => {
            checker.error("party_organization_ids", "an institutional agreement has at least one organization as a party");
        }
        _ => {}
    }
}

/// The parties of an agreement as a set, whatever their order: what a renewal or an addendum
/// shares with the agreement it follows, and what makes agreements one relationship.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartySet {
    pub regions: std::collections::BTreeSet<i64>,
    pub organizations: std::collections::BTreeSet<i64>,
}

impl PartySet {
    pub fn of(regions: &[i64], organizations: &[i64]) -> Self {
        Self { regions: regions.iter().copied().collect(), organizations: organizations.iter().copied().collect() }
    }

    /// The stored parties of these agreements, by agreement: two queries.
    pub fn load(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<std::collections::HashMap<i64, PartySet>> {
        let mut sets: std::collections::HashMap<i64, PartySet> = ids.iter().map(|id| (*id, PartySet::default())).collect();
        for ids in ids.chunks(crate::db::MAX_BOUND_VALUES) {
            let regions: Vec<(i64, i64)> = agreement_parties::table
                .filter(agreement_parties::agreement_id.eq_any(ids))
                .select((agreement_parties::agreement_id, agreement_parties::region_id))
                .load(conn)?;
            for (agreement, region) in regions {
                sets.entry(agreement).or_default().regions.insert(region);
            }
            let organizations: Vec<(i64, i64)> = agreement_organizations::table
                .filter(agreement_organizations::agreement_id.eq_any(ids))
                .select((agreement_organizations::agreement_id, agreement_organizations::organization_id))
                .load(conn)?;
            for (agreement, organization) in organizations {
                sets.entry(agreement).or_default().organizations.insert(organization);
            }
        }
        Ok(sets)
    }
}

/// What an agreement being updated holds now: its parties and the agreements it follows.
struct Stored {
    parties: PartySet,
    renews: Option<i64>,
    amends: Option<i64>,
}

impl Stored {
    fn read(conn: &mut DbConnection, id: i64) -> Result<Self> {
        let (renews, amends): (Option<i64>, Option<i64>) = agreements::table
            .find(id)
            .select((agreements::renews_agreement_id, agreements::amends_agreement_id))
            .first(conn)
            .optional()?
            .unwrap_or_default();
        let parties = PartySet::load(conn, &[id])?.remove(&id).unwrap_or_default();
        Ok(Self { parties, renews, amends })
    }
}

/// Checks `renews_agreement_id` or `amends_agreement_id` (`field`): an existing agreement other
/// than this one (`id` on update), with the same parties (when they are valid), that does not
/// itself follow this one, directly or through others.
fn check_earlier_agreement(
    conn: &mut DbConnection,
    checker: &mut Checker,
    field: &str,
    earlier: i64,
    id: Option<i64>,
    parties: Option<&PartySet>,
) -> Result<()> {
    if Some(earlier) == id {
        checker.error(field, "must name another agreement than this one");
        return Ok(());
    }
    if !super::Agreements::KIND.check_reference(conn, checker, field, earlier)? {
        return Ok(());
    }
    if let Some(parties) = parties
        && PartySet::load(conn, &[earlier])?.remove(&earlier).unwrap_or_default() != *parties
    {
        checker.error(field, format!("agreement {earlier} has other parties: it must have the same ones"));
    }
    if let Some(id) = id
        && chain_reaches(conn, earlier, id)?
    {
        checker.error(
            field,
            format!("agreement {earlier} already renews or amends this one, directly or through others: a loop"),
        );
    }
    Ok(())
}

/// On update: the agreements that renew or amend this one keep its parties, so its parties
/// may change only with theirs.
fn check_later_agreements_keep_parties(
    conn: &mut DbConnection,
    checker: &mut Checker,
    id: i64,
    parties: &PartySet,
) -> Result<()> {
    let later: Vec<i64> = agreements::table
        .filter(agreements::renews_agreement_id.eq(id).or(agreements::amends_agreement_id.eq(id)))
        .select(agreements::id)
        .order(agreements::id)
        .load(conn)?;
    if later.is_empty() {
        return Ok(());
    }
    let mut sets = PartySet::load(conn, &later)?;
    let differing: Vec<String> = later
        .iter()
        .filter(|other| sets.remove(other).unwrap_or_default() != *parties)
        .map(|other| other.to_string())
        .collect();
    if !differing.is_empty() {
        checker.error(
            "party_region_ids",
            format!(
                "agreements {} renew or amend this one and have its current parties: change theirs with it",
                differing.join(", ")
            ),
        );
    }
    Ok(())
}

/// Whether following renewals and amendments back from agreement `start` reaches agreement
/// `target`. The recursion keeps distinct ids only, so it ends even on data that already loops.
fn chain_reaches(conn: &mut DbConnection, start: i64, target: i64) -> QueryResult<bool> {
    let sql = format!(
        "WITH RECURSIVE chain(id) AS (SELECT CAST({start} AS BIGINT) \
         UNION SELECT e.earlier FROM chain c JOIN (\
         SELECT id, renews_agreement_id AS earlier FROM agreements WHERE renews_agreement_id IS NOT NULL \
         UNION ALL SELECT id, amends_agreement_id FROM agreements WHERE amends_agreement_id IS NOT NULL\
         ) e ON e.id = c.id) \
         SELECT COUNT(*) AS count FROM chain WHERE id = {target}"
    );
    Ok(crate::db::count_sql(conn, &sql)? > 0)
}

/// An agreement's parties as responses show them: the regions, then the organizations.
pub fn parties(regions: Vec<RegionParty>, organizations: Vec<OrganizationParty>) -> Vec<Party> {
    regions.into_iter().map(Party::Region).chain(organizations.into_iter().map(Party::Organization)).collect()
}

/// Embeds parties and sectors into agreement records: two queries whatever their number.
pub(super) fn with_links(conn: &mut DbConnection, records: Vec<AgreementRecord>) -> QueryResult<Vec<Agreement>> {
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let mut regions = links::agreement_parties::linked(conn, &ids)?;
    let mut organizations = links::agreement_organizations::linked(conn, &ids)?;
    let mut sectors = links::agreement_sectors::linked(conn, &ids)?;
    Ok(records
        .into_iter()
        .map(|record| Agreement {
            parties: parties(
                regions.remove(&record.id).unwrap_or_default(),
                organizations.remove(&record.id).unwrap_or_default(),
            ),
            sectors: sectors.remove(&record.id).unwrap_or_default(),
            record,
        })
        .collect())
}

crate::filters! {
    /// Filters of the agreement list.
    pub struct AgreementFilter {
        status: Option<AnyOf<AgreementStatus>>,
        kind: Option<AnyOf<AgreementKind>>,
        /// Agreements this region is a party to.
        region_id: Option<i64>,
        /// Agreements this organization is a party to.
        organization_id: Option<i64>,
        /// Agreements at this stage of their procedure.
        stage: Option<AnyOf<MilestoneStage>>,
        /// Agreements with a party in this country.
        country_code: Option<CountryCode>,
        /// Agreements in this sector.
        sector_id: Option<i64>,
        /// Signed on or after this date.
        #[param(value_type = Option<crate::domain::DateOfRecord>)]
        signed_from: Option<Date>,
        /// Signed on or before this date.
        #[param(value_type = Option<crate::domain::DateOfRecord>)]
        signed_to: Option<Date>,
        /// Expiring before this date.
        #[param(value_type = Option<crate::domain::DateOfRecord>)]
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

crate::listed!(agreements, search: title, local_title, local_description, notes, facilitator);

fn filtered(list: &ListParams, filter: &AgreementFilter) -> agreements::BoxedQuery<'static, Backend> {
    let mut query = listed(list);
    if let Some(status) = &filter.status {
        query = query.filter(status.condition(agreements::status));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(kind.condition(agreements::kind));
    }
    if let Some(region_id) = filter.region_id {
        query = query.filter(agreements::id.eq_any(links::agreement_parties::owners_of(region_id)));
    }
    if let Some(organization_id) = filter.organization_id {
        query = query.filter(agreements::id.eq_any(links::agreement_organizations::owners_of(organization_id)));
    }
    if let Some(stage) = &filter.stage {
        query = query.filter(stage.condition(agreements::stage));
    }
    if let Some(country) = &filter.country_code {
        let with_region_in_country = agreement_parties::table
            .inner_join(regions::table)
            .filter(regions::country_code.eq(country.as_str().to_owned()))
            .select(agreement_parties::agreement_id);
        let with_organization_in_country = agreement_organizations::table
            .inner_join(organizations::table)
            .filter(organizations::country_code.eq(country.as_str().to_owned()))
            .select(agreement_organizations::agreement_id);
        query = query.filter(
            agreements::id.eq_any(with_region_in_country).or(agreements::id.eq_any(with_organization_in_country)),
        );
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
    let (total, records) = crate::listing::page_of::<Sorted, _>(conn, list, |list| filtered(list, filter))?;
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
    links::agreement_parties::replace(conn, record.id, &values.region_ids, fresh)?;
    links::agreement_organizations::replace(conn, record.id, &values.organization_ids, fresh)?;
    links::agreement_sectors::replace(conn, record.id, &values.sector_ids, fresh)?;
    Ok(Agreement { record, parties: values.parties, sectors: values.sectors })
}

