//! Agreements: sister-province, sister-city and other cooperation relationships, with their
//! parties (regions), sectors and founding document.

mod model;
mod routes;

pub use model::{Agreement, AgreementFilter, AgreementInput, AgreementRecord, AgreementValues};

use diesel::prelude::*;
use serde_json::Value;

use crate::db::DbConnection;
use crate::db::schema::{action_plans, agreements, obstacles};
use crate::error::Result;
use crate::input::record_fields;
use crate::links;
use crate::listing::ListParams;
use crate::resource::{Kind, Listed, Reference, Resource};
use crate::resources::regions::Regions;
use crate::resources::sectors::Sectors;

/// Agreements as a resource: `agreements` in documents, where `parties`, `sectors` and
/// `renews` name keys.
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
        Reference::many("sectors", "sector_ids", Sectors::KIND, links::agreement_sectors::STORAGE),
        Reference::one("renews", "renews_agreement_id", Self::KIND),
    ];
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
        use links::{agreement_parties as parties, agreement_sectors as sectors};
        let query = agreements::table
            .find(id)
            .select((agreements::all_columns, parties::Json::new(), sectors::Json::new()))
            .limit(1);
        let rows: Vec<(AgreementRecord, String, String)> = crate::db::load_on_backend(conn, query)?;
        let Some((record, parties, sectors)) = rows.into_iter().next() else { return Ok(None) };
        Ok(Some(Agreement { record, parties: parties::parse(&parties)?, sectors: sectors::parse(&sectors)? }))
    }

    /// The links are written as id lists, as a client sends them.
    fn input_fields(agreement: &Agreement) -> Result<Value> {
        let mut fields = record_fields(agreement)?;
        if let Value::Object(object) = &mut fields {
            object.insert("party_region_ids".into(), agreement.parties.iter().map(|p| p.id).collect());
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

    fn referrers(conn: &mut DbConnection, id: i64) -> Result<Vec<(&'static str, i64)>> {
        let plans = action_plans::table.filter(action_plans::agreement_id.eq(id)).count().get_result(conn)?;
        let obstacles = obstacles::table.filter(obstacles::agreement_id.eq(id)).count().get_result(conn)?;
        let renewals = agreements::table.filter(agreements::renews_agreement_id.eq(id)).count().get_result(conn)?;
        Ok(vec![("action plans", plans), ("obstacles", obstacles), ("renewing agreements", renewals)])
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
        "kind",
        "instrument",
        "status",
        "parties",
        "sectors",
        "signed_on",
        "effective_from",
        "expires_on",
        "facilitator",
        "legal_basis",
        "full_power_letter_ref",
        "full_power_letter_issued_on",
        "document_url",
        "renews_agreement_id",
        "notes",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &AgreementFilter) -> Result<(i64, Vec<Agreement>)> {
        model::page(conn, list, filter)
    }
}
