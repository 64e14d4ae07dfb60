//! Agreements: sister-province, sister-city, institutional and other cooperation
//! relationships, with their parties (regions and organizations), sectors and founding document.

mod model;
mod routes;

pub use model::{Agreement, AgreementFilter, AgreementInput, AgreementRecord, AgreementValues, parties};

use diesel::prelude::*;
use serde_json::Value;

use crate::db::DbConnection;
use crate::db::schema::agreements;
use crate::error::Result;
use crate::input::record_fields;
use crate::links;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Reference, Resource};
use crate::resources::organizations::Organizations;
use crate::resources::regions::Regions;
use crate::resources::sectors::Sectors;

/// The agreements that `which` selects with their parties and sectors, in one statement.
fn with_links(conn: &mut DbConnection, which: impl crate::db::Condition<agreements::table>) -> Result<Vec<Agreement>> {
    use links::{agreement_organizations as organizations, agreement_parties as regions, agreement_sectors as sectors};
    let query = agreements::table.filter(which).select((
        agreements::all_columns,
        regions::Json::new(),
        organizations::Json::new(),
        sectors::Json::new(),
    ));
    let rows: Vec<(AgreementRecord, String, String, String)> = crate::db::load_on_backend(conn, query)?;
    rows.into_iter()
        .map(|(record, regions_json, organizations_json, sectors_json)| {
            Ok(Agreement {
                record,
                parties: model::parties(regions::parse(&regions_json)?, organizations::parse(&organizations_json)?),
                sectors: sectors::parse(&sectors_json)?,
            })
        })
        .collect()
}

/// Agreements as a resource: `agreements` in documents, where `parties`,
/// `party_organizations`, `sectors`, `renews` and `amends` name keys.
pub struct Agreements;

impl Resource for Agreements {
    const KIND: &'static Kind = &Kind {
        name: "agreement",
        plural: "agreements",
        table: "agreements",
        resource_type: "agreement",
        path: "/api/v1/agreements",
        description: "Sister-province, sister-city and other cooperation relationships",
    };
    const REFERENCES: &'static [Reference] = &[
        Reference::many("parties", "party_region_ids", Regions::KIND, links::agreement_parties::STORAGE),
        Reference::many(
            "party_organizations",
            "party_organization_ids",
            Organizations::KIND,
            links::agreement_organizations::STORAGE,
        ),
        Reference::many("sectors", "sector_ids", Sectors::KIND, links::agreement_sectors::STORAGE),
        Reference::one("renews", "renews_agreement_id", Self::KIND).referred_to_by("renewing agreements"),
        Reference::one("amends", "amends_agreement_id", Self::KIND).referred_to_by("amending agreements"),
    ];
    const SOURCED: bool = true;
    type Record = Agreement;
    type Input = AgreementInput;
    type Values = AgreementValues;

    fn id(record: &Agreement) -> i64 {
        record.record.id
    }

    fn version(record: &Agreement) -> i32 {
        record.record.version
    }

    /// One statement: the agreement with its parties and sectors.
    fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Agreement>> {
        Ok(with_links(conn, agreements::id.eq(id))?.pop())
    }

    fn find_many(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<Agreement>> {
        with_links(conn, crate::db::AmongIds::new(agreements::id, ids))
    }

    /// The links are written as id lists, as a client sends them.
    fn input_fields(agreement: &Agreement) -> Result<Value> {
        let mut fields = record_fields(agreement)?;
        if let Value::Object(object) = &mut fields {
            let (mut regions, mut organizations) = (Vec::new(), Vec::new());
            for party in &agreement.parties {
                match party {
                    links::Party::Region(region) => regions.push(region.id),
                    links::Party::Organization(organization) => organizations.push(organization.id),
                }
            }
            object.insert("party_region_ids".into(), regions.into());
            object.insert("party_organization_ids".into(), organizations.into());
            object.insert("sector_ids".into(), agreement.sectors.iter().map(|s| s.id).collect());
        }
        Ok(fields)
    }

    fn insert(conn: &mut DbConnection, values: AgreementValues) -> Result<Agreement> {
        let now = crate::domain::now();
        let record = diesel::insert_into(agreements::table)
            .values((&values.columns, agreements::created_at.eq(now), agreements::updated_at.eq(now)))
            .returning(agreements::all_columns)
            .get_result(conn)?;
        model::with_written_links(conn, record, values, true)
    }

    fn update(conn: &mut DbConnection, id: i64, values: AgreementValues) -> Result<Agreement> {
        let record = diesel::update(agreements::table.find(id))
            .set((
                &values.columns,
                agreements::updated_at.eq(crate::domain::now()),
                agreements::version.eq(agreements::version + 1),
            ))
            .returning(agreements::all_columns)
            .get_result(conn)?;
        model::with_written_links(conn, record, values, false)
    }

    fn delete(conn: &mut DbConnection, id: i64) -> Result<()> {
        diesel::delete(agreements::table.find(id)).execute(conn)?;
        Ok(())
    }
}

impl Listed for Agreements {
    type Filter = AgreementFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "title",
        "local_title",
        "local_description",
        "local_language",
        "kind",
        "instrument",
        "status",
        "parties",
        "sectors",
        "signed_on",
        "signed_on_precision",
        "effective_from",
        "expires_on",
        "facilitator",
        "legal_basis",
        "full_power_letter_ref",
        "full_power_letter_issued_on",
        "document_url",
        "renews_agreement_id",
        "amends_agreement_id",
        "stage",
        "notes",
        "source",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &AgreementFilter) -> Result<(i64, Vec<Agreement>)> {
        model::page(conn, list, filter)
    }
}

/// Checks that `id`, given in `field`, names a record of `kind` that belongs to an agreement
/// (an action plan, a document) and, when `agreement` is given, that it belongs to that one.
/// The agreement it belongs to, when it exists.
pub fn check_of_agreement(
    conn: &mut DbConnection,
    checker: &mut crate::input::Checker,
    field: &str,
    kind: &'static Kind,
    id: i64,
    agreement: Option<i64>,
) -> Result<Option<i64>> {
    #[derive(QueryableByName)]
    struct Owner {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        agreement_id: i64,
    }
    let owners: Vec<Owner> =
        diesel::sql_query(format!("SELECT agreement_id FROM {} WHERE id = {id}", kind.table)).load(conn)?;
    let owner = owners.first().map(|owner| owner.agreement_id);
    match (owner, agreement) {
        (None, _) => checker.error(field, format!("no {} has id {id}", kind.name)),
        (Some(owner), Some(agreement)) if owner != agreement => checker.error(
            field,
            format!("the {} belongs to agreement {owner}, not {agreement}", kind.name),
        ),
        _ => {}
    }
    Ok(owner)
}
