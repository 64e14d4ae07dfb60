//! The enumerations of the API. Each is a lower-case `snake_case` string on the wire and in
//! the database; an unknown value is rejected with the list of allowed ones.

/// Declares an enumeration with its wire names, `ALL`, `as_str`, `FromStr` and serde support.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        // The wire names are the variants in snake_case; a test checks they equal `$text`.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[serde(rename_all = "snake_case")]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        // Stored as its wire name, on every backend that stores text.
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = String::from_sql(bytes)?;
                // The columns' CHECK constraints allow only the wire names.
                text.parse().map_err(|_| format!("{} holds `{text}`", stringify!($name)).into())
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl $crate::domain::Enumeration for $name {
            const ALL: &'static [Self] = $name::ALL;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("must be one of: {}", [$($text),+].join(", "))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::domain::deserialize_from_str!($name);
    };
}
pub(crate) use string_enum;

/// What every enumeration of the API offers, for code that counts or lists any of them.
pub trait Enumeration: Copy + 'static {
    /// Every value, in the order of the documentation.
    const ALL: &'static [Self];
    /// The wire name.
    fn as_str(self) -> &'static str;
}

string_enum! {
    /// What kind of subnational government a region is.
    RegionKind {
        Province = "province",
        State = "state",
        Region = "region",
        Prefecture = "prefecture",
        County = "county",
        City = "city",
        Regency = "regency",
        Municipality = "municipality",
        District = "district",
        Other = "other",
    }
}

string_enum! {
    /// The form of a cooperation relationship.
    AgreementKind {
        SisterProvince = "sister_province",
        SisterCity = "sister_city",
        /// A region's cooperation with a foreign institution (a university, a network...).
        Institutional = "institutional",
        Other = "other",
    }
}

impl AgreementKind {
    /// Sister relationships join exactly two governments of two countries.
    pub fn is_sister(self) -> bool {
        matches!(self, Self::SisterProvince | Self::SisterCity)
    }
}

string_enum! {
    /// The kind of founding document.
    Instrument {
        LetterOfIntent = "letter_of_intent",
        MemorandumOfUnderstanding = "memorandum_of_understanding",
        CooperationAgreement = "cooperation_agreement",
        Other = "other",
    }
}

string_enum! {
    /// Where an agreement stands.
    AgreementStatus {
        Proposed = "proposed",
        Negotiating = "negotiating",
        Signed = "signed",
        Active = "active",
        Expired = "expired",
        Terminated = "terminated",
    }
}

string_enum! {
    /// What kind of body an organization is.
    OrganizationKind {
        University = "university",
        BusinessAssociation = "business_association",
        Network = "network",
        InternationalOrganization = "international_organization",
        Ngo = "ngo",
        GovernmentAgency = "government_agency",
        Other = "other",
    }
}

impl OrganizationKind {
    /// Whether an organization of this kind may belong to no one country.
    pub fn may_be_stateless(self) -> bool {
        matches!(self, Self::Network | Self::InternationalOrganization)
    }
}

string_enum! {
    /// A step of an agreement's legal procedure, in procedure order (for Indonesia: Law
    /// 37/1999, PP 28/2018, Permendagri 25/2020).
    MilestoneStage {
        Exploration = "exploration",
        LetterOfIntent = "letter_of_intent",
        CooperationPlan = "cooperation_plan",
        DprdApproval = "dprd_approval",
        CentralGovernmentReview = "central_government_review",
        FullPowerLetter = "full_power_letter",
        Signing = "signing",
        Deposit = "deposit",
        Evaluation = "evaluation",
        Renewal = "renewal",
        Termination = "termination",
        Other = "other",
    }
}

string_enum! {
    /// Whether a step of the procedure is behind the agreement.
    MilestoneStatus {
        Pending = "pending",
        Done = "done",
        NotRequired = "not_required",
    }
}

string_enum! {
    /// How much of a date is known: a year-only fact is stored as January 1 with precision
    /// `year`, a month as its first day.
    DatePrecision {
        Day = "day",
        Month = "month",
        Year = "year",
    }
}

string_enum! {
    /// What kind of paper a document is.
    DocumentCategory {
        LetterOfIntent = "letter_of_intent",
        MemorandumOfUnderstanding = "memorandum_of_understanding",
        CooperationAgreement = "cooperation_agreement",
        WorkPlan = "work_plan",
        DprdDecision = "dprd_decision",
        FullPowerLetter = "full_power_letter",
        Minutes = "minutes",
        Report = "report",
        Correspondence = "correspondence",
        Other = "other",
    }
}

impl DatePrecision {
    /// The days a date of this precision may be: the day itself, its month, or its year.
    pub fn span(self, date: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
        use chrono::Datelike;
        let last = match self {
            Self::Day => Some(date),
            Self::Month => date.checked_add_months(chrono::Months::new(1)).and_then(|next| next.pred_opt()),
            Self::Year => chrono::NaiveDate::from_ymd_opt(date.year(), 12, 31),
        };
        (date, last.unwrap_or(chrono::NaiveDate::MAX))
    }
}

impl DocumentCategory {
    /// The category of an agreement's founding document of this instrument.
    pub fn of_instrument(instrument: crate::domain::Instrument) -> Self {
        use crate::domain::Instrument;
        match instrument {
            Instrument::LetterOfIntent => Self::LetterOfIntent,
            Instrument::MemorandumOfUnderstanding => Self::MemorandumOfUnderstanding,
            Instrument::CooperationAgreement => Self::CooperationAgreement,
            Instrument::Other => Self::Other,
        }
    }
}

string_enum! {
    /// Where an action plan stands.
    ActionPlanStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Implemented = "implemented",
        Suspended = "suspended",
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// What kind of obstacle.
    ObstacleCategory {
        Regulatory = "regulatory",
        Financial = "financial",
        LanguageCulture = "language_culture",
        EducationSystem = "education_system",
        PolicyAlignment = "policy_alignment",
        DataSecurity = "data_security",
        Resources = "resources",
        CapacityGap = "capacity_gap",
        GovernanceDifference = "governance_difference",
        Other = "other",
    }
}

string_enum! {
    /// How badly an obstacle threatens the work.
    Severity {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

string_enum! {
    /// Whether an obstacle still blocks.
    ObstacleStatus {
        Open = "open",
        Mitigated = "mitigated",
        Resolved = "resolved",
    }
}

string_enum! {
    /// A severity to filter by, or `unassessed`: obstacles whose severity nobody has assessed.
    SeverityFilter {
        Low = "low",
        Medium = "medium",
        High = "high",
        Unassessed = "unassessed",
    }
}

string_enum! {
    /// An obstacle status to filter by, or `unassessed`: obstacles whose status nobody has
    /// assessed.
    ObstacleStatusFilter {
        Open = "open",
        Mitigated = "mitigated",
        Resolved = "resolved",
        Unassessed = "unassessed",
    }
}

impl SeverityFilter {
    /// The severity it matches; `None` matches obstacles without one.
    pub fn assessed(self) -> Option<Severity> {
        match self {
            Self::Low => Some(Severity::Low),
            Self::Medium => Some(Severity::Medium),
            Self::High => Some(Severity::High),
            Self::Unassessed => None,
        }
    }
}

impl ObstacleStatusFilter {
    /// The status it matches; `None` matches obstacles without one.
    pub fn assessed(self) -> Option<ObstacleStatus> {
        match self {
            Self::Open => Some(ObstacleStatus::Open),
            Self::Mitigated => Some(ObstacleStatus::Mitigated),
            Self::Resolved => Some(ObstacleStatus::Resolved),
            Self::Unassessed => None,
        }
    }
}

string_enum! {
    /// What a transaction records: money planned (`budget`), promised (`commitment`), paid out
    /// (`disbursement`), spent (`expenditure`), or the value of a contribution in kind.
    TransactionKind {
        Budget = "budget",
        Commitment = "commitment",
        Disbursement = "disbursement",
        Expenditure = "expenditure",
        InKind = "in_kind",
    }
}

string_enum! {
    /// Where the money of a transaction comes from.
    FundingSource {
        RegionalBudget = "regional_budget",
        NationalBudget = "national_budget",
        Partner = "partner",
        Private = "private",
        Other = "other",
    }
}

string_enum! {
    /// What an indicator measures: a number, a percentage, or a quality described in words
    /// (which has no values).
    IndicatorMeasure {
        Number = "number",
        Percentage = "percentage",
        Qualitative = "qualitative",
    }
}

string_enum! {
    /// What a token may do: read; read and write data; everything, tokens and audit included.
    /// Ordered: each role may do what the ones before it may.
    Role {
        Viewer = "viewer",
        Editor = "editor",
        Admin = "admin",
    }
}

string_enum! {
    /// What a write did to a record.
    AuditAction {
        Created = "created",
        Updated = "updated",
        Deleted = "deleted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_their_wire_names_and_list_them_on_error() {
        assert_eq!("regency".parse::<RegionKind>(), Ok(RegionKind::Regency));
        assert_eq!(RegionKind::Regency.as_str(), "regency");
        let error = "Province".parse::<RegionKind>().unwrap_err();
        assert!(error.contains("province, state, region"), "{error}");
        assert_eq!(RegionKind::ALL.len(), 10);
    }

    fn serde_and_schema_names_match<T: Copy + serde::Serialize + utoipa::PartialSchema>(
        all: &[T],
        name: fn(T) -> &'static str,
    ) {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let documented: Vec<&str> =
            schema["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
        assert_eq!(documented, names);
        for value in all {
            assert_eq!(serde_json::to_value(value).unwrap(), name(*value));
        }
    }

    #[test]
    fn wire_names_documented_names_and_stored_names_are_the_same() {
        serde_and_schema_names_match(RegionKind::ALL, RegionKind::as_str);
        serde_and_schema_names_match(AgreementKind::ALL, AgreementKind::as_str);
        serde_and_schema_names_match(Instrument::ALL, Instrument::as_str);
        serde_and_schema_names_match(AgreementStatus::ALL, AgreementStatus::as_str);
        serde_and_schema_names_match(OrganizationKind::ALL, OrganizationKind::as_str);
        serde_and_schema_names_match(MilestoneStage::ALL, MilestoneStage::as_str);
        serde_and_schema_names_match(MilestoneStatus::ALL, MilestoneStatus::as_str);
        serde_and_schema_names_match(DatePrecision::ALL, DatePrecision::as_str);
        serde_and_schema_names_match(DocumentCategory::ALL, DocumentCategory::as_str);
        serde_and_schema_names_match(ActionPlanStatus::ALL, ActionPlanStatus::as_str);
        serde_and_schema_names_match(ObstacleCategory::ALL, ObstacleCategory::as_str);
        serde_and_schema_names_match(Severity::ALL, Severity::as_str);
        serde_and_schema_names_match(ObstacleStatus::ALL, ObstacleStatus::as_str);
        serde_and_schema_names_match(SeverityFilter::ALL, SeverityFilter::as_str);
        serde_and_schema_names_match(ObstacleStatusFilter::ALL, ObstacleStatusFilter::as_str);
        serde_and_schema_names_match(TransactionKind::ALL, TransactionKind::as_str);
        serde_and_schema_names_match(FundingSource::ALL, FundingSource::as_str);
        serde_and_schema_names_match(IndicatorMeasure::ALL, IndicatorMeasure::as_str);
        serde_and_schema_names_match(Role::ALL, Role::as_str);
        serde_and_schema_names_match(AuditAction::ALL, AuditAction::as_str);
    }
}
