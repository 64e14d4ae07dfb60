//! Milestones: the steps of an agreement's legal procedure (letter of intent, DPRD approval,
//! Full Power Letter, signing...), each with its date and reference. The agreement's `stage`
//! follows from its done milestones (migration 000012).

mod model;
mod routes;

pub use model::{Milestone, MilestoneFilter, MilestoneInput, MilestoneValues};

use crate::db::DbConnection;
use crate::db::schema::milestones;
use crate::error::Result;
use crate::listing::{ListParams, SortKey};
use crate::resource::{Kind, Listed, Nested, Reference, Resource};
use crate::resources::agreements::Agreements;
use crate::resources::documents::Documents;

/// Milestones as a resource: `milestones` in documents, where `agreement` names a key.
pub struct Milestones;

impl Resource for Milestones {
    const KIND: &'static Kind = &Kind {
        name: "milestone",
        plural: "milestones",
        table: "milestones",
        resource_type: "milestone",
        path: "/api/v1/milestones",
        description: "The steps of an agreement's legal procedure, with their dates and references",
    };
    const REFERENCES: &'static [Reference] = &[
        Reference::one("agreement", "agreement_id", Agreements::KIND),
        Reference::one("document", "document_id", Documents::KIND),
    ];
    const SOURCED: bool = true;
    type Record = Milestone;
    type Input = MilestoneInput;
    type Values = MilestoneValues;

    crate::row_resource!(milestones);
}

impl Listed for Milestones {
    type Filter = MilestoneFilter;
    const SORTABLE: &'static [&'static str] = model::SORTABLE;
    const SEARCHED: &'static [&'static str] = model::SEARCHED;
    /// Procedure order, then date.
    const DEFAULT_SORT: &'static [SortKey] =
        &[SortKey::ascending("stage"), SortKey::ascending("date")];
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "key",
        "agreement_id",
        "stage",
        "status",
        "date",
        "date_precision",
        "reference",
        "authority",
        "notes",
        "source",
        "document_id",
        "version",
        "created_at",
        "updated_at",
    ];

    fn page(conn: &mut DbConnection, list: &ListParams, filter: &MilestoneFilter) -> Result<(i64, Vec<Milestone>)> {
        model::page(conn, list, filter)
    }
}

/// `/agreements/{id}/milestones`.
impl Nested<Agreements> for Milestones {
    fn parent(filter: &mut MilestoneFilter) -> &mut Option<i64> {
        &mut filter.agreement_id
    }
}
