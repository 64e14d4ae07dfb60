//! Rules that span kinds of record: what a change of one kind would break in another. Each is
//! asked by the kind whose change it judges, and reads the other kinds' tables alone, so that
//! no resource module needs another's to keep them.

use diesel::prelude::*;

use crate::db::schema::{action_plans, agreement_parties, milestones, transactions};
use crate::db::{Backend, DbConnection};

/// What changes the parties a transaction may be paid by.
#[derive(Debug, Clone, Copy)]
pub enum PartyChange<'a> {
    /// The agreement's parties become these regions.
    Parties(&'a [i64]),
    /// This action plan moves to the agreement.
    PlanMoved(i64),
}

/// The transactions that a change would leave paid by a region that is not a party of their
/// action plan's agreement, by id (at most 20): those of `agreement`'s plans when its parties
/// become `parties`, or those of the plan `moved` when it moves to `agreement`.
pub fn paid_by_non_parties(
    conn: &mut DbConnection,
    agreement: i64,
    change: PartyChange<'_>,
) -> QueryResult<Vec<i64>> {
    let paid = transactions::table
        .filter(transactions::party_region_id.is_not_null())
        .select(transactions::id)
        .order(transactions::id)
        .limit(20)
        .into_boxed::<Backend>();
    let stranded = match change {
        PartyChange::Parties(parties) => paid
            .filter(transactions::action_plan_id.eq_any(
                action_plans::table.filter(action_plans::agreement_id.eq(agreement)).select(action_plans::id),
            ))
            .filter(transactions::party_region_id.ne_all(parties.to_vec())),
        PartyChange::PlanMoved(plan) => paid.filter(transactions::action_plan_id.eq(plan)).filter(
            transactions::party_region_id.assume_not_null().ne_all(
                agreement_parties::table
                    .filter(agreement_parties::agreement_id.eq(agreement))
                    .select(agreement_parties::region_id),
            ),
        ),
    };
    stranded.load(conn)
}

/// Transaction ids as a message lists them: `4, 7, 12`.
pub fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// How many milestones name document `document` but belong to another agreement than
/// `agreement`: those a move of the document to `agreement` would strand.
pub fn milestones_naming_document_elsewhere(
    conn: &mut DbConnection,
    document: i64,
    agreement: i64,
) -> QueryResult<i64> {
    milestones::table
        .filter(milestones::document_id.eq(document))
        .filter(milestones::agreement_id.ne(agreement))
        .count()
        .get_result(conn)
}
