//! ISO 4217 currency codes, and whether one was in force on a given day.
//!
//! The lists are ISO 4217's own, as its maintenance agency (SIX Financial Information)
//! publishes them, kept whole in `iso4217/` and read when first needed:
//! - `list-one.xml`: List One, the codes in use (published 2026-01-01), with their minor units;
//! - `list-three.xml`: List Three, the codes withdrawn, each with the month of its withdrawal
//!   and the country that used it (published 2026-01-01);
//! - `minor-units-of-withdrawn.tsv`: the minor unit of each withdrawn code, which List Three
//!   does not give (from the last List One that held the code, else from CLDR; its header says).
//!
//! Both XML files are the published ones byte for byte (copied from the ikseek/iso_4217
//! repository, which vendors them: list-one.xml at 7d6bb3fa, list-three.xml at 75ac8d8a). To
//! update, replace them with newer ones and add any code newly withdrawn to the TSV.
//!
//! A code of List One is accepted on any day (List One gives no day of introduction). A code
//! only in List Three is accepted on days before its withdrawal: List Three names the month
//! alone, so a code withdrawn in `2023-01` is accepted up to 2023-01-31 and refused from
//! 2023-02-01 (a payment of January 2023 may well have been made in it). A code withdrawn more
//! than once (in several countries) counts from its last withdrawal.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use chrono::NaiveDate;

const LIST_ONE: &str = include_str!("iso4217/list-one.xml");
const LIST_THREE: &str = include_str!("iso4217/list-three.xml");
const WITHDRAWN_MINOR_UNITS: &str = include_str!("iso4217/minor-units-of-withdrawn.tsv");

/// A currency of ISO 4217 with a minor unit: in use (List One), or withdrawn (List Three).
#[derive(Debug)]
struct Currency {
    code: String,
    /// How many decimals its amounts have; `None` for funds, metals and special units.
    minor_unit: Option<u32>,
    /// `None` while it is in List One.
    withdrawal: Option<Withdrawal>,
}

#[derive(Debug)]
struct Withdrawal {
    /// As List Three writes it: `2023-01`, or a span such as `1989 to 1990`.
    written: String,
    /// The first day on which the code is no longer in force.
    from: NaiveDate,
    /// The countries that used it until then.
    countries: Vec<String>,
    /// The codes of List One those countries use now (`EUR` for the kuna).
    now_used: Vec<String>,
}

/// Both lists, as read from the published files.
struct Lists {
    published: String,
    by_code: HashMap<String, Currency>,
}

/// One entry of a list: the text of each of its elements.
type Entry = HashMap<String, String>;

/// The entries (`entry` elements) of one of the published lists, and its `Pblshd` attribute.
fn entries(xml: &str, entry: &str) -> Result<(String, Vec<Entry>), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut published, mut entries) = (String::new(), Vec::new());
    let (mut current, mut element): (Option<Entry>, Option<String>) = (None, None);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if name == "ISO_4217" {
                    for attribute in start.attributes().flatten() {
                        if attribute.key.as_ref() == b"Pblshd" {
                            published = attribute.unescape_value().map_err(|e| e.to_string())?.into_owned();
                        }
                    }
                } else if name == entry {
                    current = Some(Entry::new());
                } else {
                    element = Some(name);
                }
            }
            Event::Text(text) => {
                if let (Some(current), Some(element)) = (current.as_mut(), element.as_ref()) {
                    let text = text.decode().map_err(|e| e.to_string())?;
                    current.entry(element.clone()).or_default().push_str(text.trim());
                }
            }
            Event::End(end) => {
                if end.name().as_ref() == entry.as_bytes() {
                    entries.extend(current.take());
                }
                element = None;
            }
            Event::Eof => return Ok((published, entries)),
            _ => {}
        }
    }
}

/// The first day after a withdrawal as List Three writes it: `2023-01` gives 2023-02-01, and a
/// span (`1989 to 1990`, `1990-07 to 1990-09`) counts from its end.
fn first_day_after(written: &str) -> Option<NaiveDate> {
    let end = written.rsplit(" to ").next()?.rsplit('-').collect::<Vec<_>>();
    // `1989-1990` (a span written with a hyphen) ends in a year; `2023-01` in a month.
    let (year, month): (i32, u32) = match end.as_slice() {
        [month, year] if month.len() == 2 => (year.trim().parse().ok()?, month.parse().ok()?),
        [year, ..] => (year.trim().parse().ok()?, 12),
        [] => return None,
    };
    let (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(year, month, 1)
}

fn read_lists() -> Result<Lists, String> {
    let (published, in_use) = entries(LIST_ONE, "CcyNtry")?;
    let (_, withdrawn) = entries(LIST_THREE, "HstrcCcyNtry")?;
    let mut by_code: HashMap<String, Currency> = HashMap::new();
    let mut used_in: HashMap<String, Vec<String>> = HashMap::new();
    for entry in &in_use {
        let (Some(code), Some(country)) = (entry.get("Ccy"), entry.get("CtryNm")) else { continue };
        let minor_unit = entry.get("CcyMnrUnts").and_then(|unit| unit.parse().ok());
        by_code.entry(code.clone()).or_insert(Currency { code: code.clone(), minor_unit, withdrawal: None });
        if minor_unit.is_some() {
            used_in.entry(country.clone()).or_default().push(code.clone());
        }
    }
    let minor_units: HashMap<&str, u32> = WITHDRAWN_MINOR_UNITS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut columns = line.split('\t');
            Some((columns.next()?, columns.next()?.parse().ok()?))
        })
        .collect();
    for entry in &withdrawn {
        let (Some(code), Some(written)) = (entry.get("Ccy"), entry.get("WthdrwlDt")) else { continue };
        if by_code.get(code).is_some_and(|currency| currency.withdrawal.is_none()) {
            continue; // Withdrawn in one country, in use in another (EUR, IDR): List One stands.
        }
        let from =
            first_day_after(written).ok_or_else(|| format!("List Three: {code} withdrawn `{written}`"))?;
        let minor_unit = *minor_units
            .get(code.as_str())
            .ok_or_else(|| format!("no minor unit for the withdrawn code {code}"))?;
        let country = entry.get("CtryNm").cloned().unwrap_or_default();
        let currency = by_code.entry(code.clone()).or_insert_with(|| Currency {
            code: code.clone(),
            minor_unit: Some(minor_unit),
            withdrawal: Some(Withdrawal {
                written: written.clone(),
                from,
                countries: Vec::new(),
                now_used: Vec::new(),
            }),
        });
        let Some(withdrawal) = currency.withdrawal.as_mut() else { continue };
        if from > withdrawal.from {
            *withdrawal =
                Withdrawal { written: written.clone(), from, countries: Vec::new(), now_used: Vec::new() };
        }
        if from == withdrawal.from && !withdrawal.countries.contains(&country) {
            for now_used in used_in.get(&country).into_iter().flatten() {
                if !withdrawal.now_used.contains(now_used) {
                    withdrawal.now_used.push(now_used.clone());
                }
            }
            withdrawal.countries.push(country);
        }
    }
    Ok(Lists { published, by_code })
}

/// The published lists, read once. They are part of the program: a failure to read them is a
/// fault of the build, which the tests of this module find first.
static LISTS: LazyLock<Lists> = LazyLock::new(|| match read_lists() {
    Ok(lists) => lists,
    Err(error) => panic!("the ISO 4217 lists built into the program cannot be read: {error}"),
});

/// The day ISO 4217's lists were published, as the service uses them (`2026-01-01`).
pub fn lists_published() -> &'static str {
    &LISTS.published
}

/// An ISO 4217 currency code in upper case, with a minor unit (`IDR`, `MAD`, `JPY`), in use or
/// withdrawn; [`CurrencyCode::in_force_on`] says whether it was in force on a day. Funds,
/// precious metals and special units without a minor unit (`XAU`, `XDR`) are refused, since an
/// amount in them has no defined number of decimals.
#[derive(Debug, Clone, Copy)]
pub struct CurrencyCode(&'static Currency);

impl PartialEq for CurrencyCode {
    fn eq(&self, other: &Self) -> bool {
        self.0.code == other.0.code
    }
}

impl Eq for CurrencyCode {}

impl CurrencyCode {
    pub fn as_str(self) -> &'static str {
        &self.0.code
    }

    /// How many decimals its amounts have: 2 for IDR and MAD, 0 for JPY, 3 for KWD.
    pub fn minor_unit(self) -> u32 {
        self.0.minor_unit.unwrap_or(0)
    }

    /// The minor unit of a stored code; 2, the most common, for a code the lists do not know
    /// (stored codes were checked when written).
    pub fn minor_unit_of(code: &str) -> u32 {
        code.parse::<Self>().map_or(2, Self::minor_unit)
    }

    /// Whether the code was in force on `day`: always for a code of List One; for a withdrawn
    /// one, before its withdrawal, else why not, naming what its countries use now.
    pub fn in_force_on(self, day: NaiveDate) -> Result<(), String> {
        let Some(withdrawal) = &self.0.withdrawal else { return Ok(()) };
        if day < withdrawal.from {
            return Ok(());
        }
        let countries = withdrawal.countries.join(", ");
        let now = match withdrawal.now_used.as_slice() {
            [] => String::new(),
            [one] => format!(": {countries} now uses {one}"),
            several => format!(": {countries} now use {}", several.join(" or ")),
        };
        Err(format!(
            "{} was withdrawn from ISO 4217 in {} (List Three) and was no longer in force on {}{now}",
            self.0.code,
            withdrawal.written,
            day.format("%Y-%m-%d")
        ))
    }

    /// The first day a withdrawn code is no longer in force; `None` for a code in use.
    #[cfg(test)]
    pub fn withdrawn_from(self) -> Option<NaiveDate> {
        self.0.withdrawal.as_ref().map(|withdrawal| withdrawal.from)
    }
}

impl FromStr for CurrencyCode {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let shape = text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase());
        match LISTS.by_code.get(text) {
            Some(currency) if shape && currency.minor_unit.is_some() => Ok(Self(currency)),
            Some(_) if shape => Err(format!(
                "{text} has no minor unit in ISO 4217 (a fund, metal or special unit): amounts cannot be recorded in it"
            )),
            _ => Err("must be an ISO 4217 currency code in upper case, such as IDR".to_owned()),
        }
    }
}
super::deserialize_from_str!(CurrencyCode);

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The schema lists the codes in use, which are accepted on any day, so that clients and
/// generated tests know them; the codes of List Three are described, being accepted only
/// before their withdrawal.
impl utoipa::PartialSchema for CurrencyCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut codes: Vec<&str> = LISTS
            .by_code
            .values()
            .filter(|currency| currency.minor_unit.is_some() && currency.withdrawal.is_none())
            .map(|currency| currency.code.as_str())
            .collect();
        codes.sort_unstable();
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(format!(
                "An ISO 4217 currency code with a minor unit, upper case: one of ISO 4217 List One \
                 (published {}), listed here; or, for a transaction dated before its withdrawal, \
                 a withdrawn code of List Three (HRK up to January 2023). The year of the record \
                 decides: a withdrawn code is refused for a later `value_date` (`422`).",
                lists_published()
            )))
            .enum_values(Some(codes))
            .examples([serde_json::json!("IDR")])
            .into()
    }
}

impl utoipa::ToSchema for CurrencyCode {}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> CurrencyCode {
        text.parse().unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn both_published_lists_are_read_whole() {
        assert_eq!(lists_published(), "2026-01-01");
        let in_use = LISTS.by_code.values().filter(|c| c.withdrawal.is_none()).count();
        let withdrawn = LISTS.by_code.values().filter(|c| c.withdrawal.is_some()).count();
        assert_eq!((in_use, withdrawn), (178, 129));
        assert!(LISTS.by_code.values().all(|c| c.withdrawal.is_none() || c.minor_unit.is_some()));
    }

    #[test]
    fn codes_in_use_have_their_minor_units_and_funds_are_refused() {
        assert_eq!(code("IDR").minor_unit(), 2);
        assert_eq!(code("MAD").minor_unit(), 2);
        assert_eq!(code("JPY").minor_unit(), 0);
        assert_eq!(code("KWD").minor_unit(), 3);
        assert_eq!(code("XCG").minor_unit(), 2);
        for refused in ["idr", "XXX1", "ZZZ", "XAU", "XDR", "", "ID"] {
            assert!(refused.parse::<CurrencyCode>().is_err(), "{refused} was accepted");
        }
    }

    #[test]
    fn a_withdrawn_code_is_in_force_until_the_end_of_the_month_of_its_withdrawal() {
        let kuna = code("HRK");
        assert_eq!(kuna.in_force_on(day("2019-05-01")), Ok(()));
        assert_eq!(kuna.in_force_on(day("2023-01-31")), Ok(()));
        let refused = kuna.in_force_on(day("2024-05-01")).unwrap_err();
        assert!(refused.contains("2023-01") && refused.contains("CROATIA now uses EUR"), "{refused}");
        // Replaced in 2025 by the Caribbean guilder: a 2019 payment was really made in it.
        assert_eq!(code("ANG").in_force_on(day("2019-06-15")), Ok(()));
        let refused = code("ANG").in_force_on(day("2025-06-01")).unwrap_err();
        assert!(refused.contains("XCG"), "{refused}");
        assert_eq!(code("DEM").minor_unit(), 2);
        assert_eq!(code("ITL").minor_unit(), 0);
        assert!(code("DEM").in_force_on(day("2002-04-01")).is_err());
        assert_eq!(code("DEM").in_force_on(day("1998-12-31")), Ok(()));
        // Bulgaria took the euro on 2026-01-01.
        assert_eq!(code("BGN").withdrawn_from(), Some(day("2026-02-01")));
        // In use in one country, withdrawn in another: List One stands.
        assert_eq!(code("EUR").in_force_on(day("1999-01-01")), Ok(()));
        assert_eq!(code("IDR").withdrawn_from(), None);
    }

    #[test]
    fn withdrawals_written_as_spans_count_from_their_end() {
        assert_eq!(first_day_after("2023-01"), Some(day("2023-02-01")));
        assert_eq!(first_day_after("2002-12"), Some(day("2003-01-01")));
        assert_eq!(first_day_after("1989 to 1990"), Some(day("1991-01-01")));
        assert_eq!(first_day_after("1990-07 to 1990-09"), Some(day("1990-10-01")));
        assert_eq!(first_day_after("1989-1990"), Some(day("1991-01-01")));
    }
}
