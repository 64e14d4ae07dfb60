//! Money and measured values: amounts in the minor units of their currency and exact decimals, which the API writes as
//! JSON strings (`"1250000.00"`) so that no client reads them as binary floating point.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Deserialize, Deserializer};
use serde_json::Value;

use super::CurrencyCode;

/// The most significant digits an amount or a value may have (API.md section 8): an amount of
/// 18 digits in minor units still fits a 64-bit integer.
pub const SIGNIFICANT_DIGITS_MAX: usize = 18;

/// A decimal number as a client writes it, in a JSON string: an optional `-`, digits, and
/// optionally a point and more digits (`"1250000.00"`, `"-3.5"`, `"42"`), at most 18 significant
/// digits. Kept exactly, with the decimals written (`"85.50"` stays `"85.50"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalText(Decimal);

impl DecimalText {
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl FromStr for DecimalText {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let unsigned = text.strip_prefix('-').unwrap_or(text);
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        let shaped = !whole.is_empty()
            && digits(whole)
            && digits(fraction)
            // A point is followed by digits.
            && (!unsigned.contains('.') || !fraction.is_empty());
        if !shaped {
            return Err(
                "must be a decimal number in a string: digits, optionally a point and more digits, such as \"1250000.00\""
                    .to_owned(),
            );
        }
        // Significant digits: all of them once the leading zeros are dropped ("0.050" has 2).
        let significant = format!("{whole}{fraction}").trim_start_matches('0').len();
        if significant > SIGNIFICANT_DIGITS_MAX {
            return Err(format!("must have at most {SIGNIFICANT_DIGITS_MAX} significant digits"));
        }
        let mut value = Decimal::from_str_exact(text).map_err(|_| {
            format!("must have at most {SIGNIFICANT_DIGITS_MAX} significant digits and 28 decimals")
        })?;
        if value.is_zero() {
            value.set_sign_positive(true);
        }
        Ok(Self(value))
    }
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => text.parse().map_err(de::Error::custom),
            Value::Number(number) => Err(de::Error::custom(format!(
                "must be a string holding the number (\"{number}\", not {number}): a JSON number is read as binary floating point by most clients, which is not exact"
            ))),
            _ => Err(de::Error::custom("must be a string holding a decimal number, such as \"1250000.00\"")),
        }
    }
}

impl fmt::Display for DecimalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An amount in `currency` as a count of its minor units (IDR 12.50 is 1250), or why it cannot
/// be one: it must be positive and have no more decimals than the currency.
pub fn to_minor_units(amount: DecimalText, currency: CurrencyCode) -> Result<i64, String> {
    let mut value = amount.0;
    if value <= Decimal::ZERO {
        return Err("must be greater than 0".to_owned());
    }
    let decimals = currency.minor_unit();
    if value.scale() > decimals {
        return Err(match decimals {
            0 => format!("{currency} amounts have no decimals (ISO 4217 minor unit 0)"),
            1 => format!("{currency} amounts have at most 1 decimal (ISO 4217 minor unit)"),
            n => format!("{currency} amounts have at most {n} decimals (ISO 4217 minor unit)"),
        });
    }
    value.rescale(decimals);
    i64::try_from(value.mantissa()).map_err(|_| "is too large".to_owned())
}

/// A count of minor units written as a decimal with `decimals` decimals (1250 and 2 give
/// `"12.50"`). Integer arithmetic only: sums of any size are written exactly.
pub fn format_minor_units(minor: i128, decimals: u32) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{magnitude}");
    }
    let unit = 10u128.pow(decimals);
    let width = decimals as usize;
    format!("{sign}{}.{:0width$}", magnitude / unit, magnitude % unit)
}

/// `(actual - baseline) / (target - baseline)`, rounded to 4 decimals (half away from zero), in
/// decimal arithmetic; `None` when a value is missing or unreadable, or target equals baseline.
pub fn progress(baseline: Option<&str>, target: Option<&str>, actual: Option<&str>) -> Option<f64> {
    let read = |text: Option<&str>| text.and_then(|text| Decimal::from_str_exact(text).ok());
    let (baseline, target, actual) = (read(baseline)?, read(target)?, read(actual)?);
    let span = target.checked_sub(baseline)?;
    if span.is_zero() {
        return None;
    }
    let ratio = actual.checked_sub(baseline)?.checked_div(span)?;
    ratio.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero).to_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> DecimalText {
        text.parse().unwrap()
    }

    fn code(text: &str) -> CurrencyCode {
        text.parse().unwrap()
    }

    #[test]
    fn decimals_keep_what_is_written_and_refuse_what_is_not_a_decimal() {
        assert_eq!(decimal("1250000.00").to_string(), "1250000.00");
        assert_eq!(decimal("-3.5").to_string(), "-3.5");
        assert_eq!(decimal("-0.0").to_string(), "0.0");
        assert_eq!(decimal("999999999999999999").to_string(), "999999999999999999");
        assert_eq!(decimal("0.000000000000000001").to_string(), "0.000000000000000001");
        for refused in
            ["", "1e3", "+1", "1.", ".5", "1,5", "0x10", " 1", "NaN", "1.2.3", "1234567890123456789"]
        {
            assert!(refused.parse::<DecimalText>().is_err(), "{refused:?} was accepted");
        }
    }

    #[test]
    fn json_numbers_are_refused_with_the_string_to_send_instead() {
        let error = serde_json::from_str::<DecimalText>("12.5").unwrap_err().to_string();
        assert!(error.contains("\"12.5\""), "{error}");
    }

    #[test]
    fn amounts_become_minor_units_only_within_the_currency_s_decimals() {
        assert_eq!(to_minor_units(decimal("1250000"), code("IDR")), Ok(125_000_000));
        assert_eq!(to_minor_units(decimal("0.10"), code("MAD")), Ok(10));
        assert_eq!(to_minor_units(decimal("999999999999999.99"), code("IDR")), Ok(99_999_999_999_999_999));
        assert_eq!(to_minor_units(decimal("1.250"), code("KWD")), Ok(1250));
        assert!(to_minor_units(decimal("1.5"), code("JPY")).is_err());
        assert!(to_minor_units(decimal("0.001"), code("IDR")).is_err());
        assert!(to_minor_units(decimal("0"), code("IDR")).is_err());
        assert!(to_minor_units(decimal("-5"), code("IDR")).is_err());
    }

    #[test]
    fn minor_units_are_written_with_the_currency_s_decimals() {
        assert_eq!(format_minor_units(60, 2), "0.60");
        assert_eq!(format_minor_units(1500, 0), "1500");
        assert_eq!(format_minor_units(1250, 3), "1.250");
        assert_eq!(format_minor_units(99_999_999_999_999_999, 2), "999999999999999.99");
        assert_eq!(format_minor_units(i128::from(i64::MAX) * 10, 2), "922337203685477580.70");
        assert_eq!(format_minor_units(-5, 2), "-0.05");
    }

    #[test]
    fn progress_is_exact_and_rounded_to_four_decimals() {
        assert_eq!(progress(Some("0"), Some("3"), Some("1")), Some(0.3333));
        assert_eq!(progress(Some("10"), Some("20"), Some("15")), Some(0.5));
        // Lower is better: the formula needs no direction.
        assert_eq!(progress(Some("40"), Some("20"), Some("30")), Some(0.5));
        assert_eq!(progress(Some("0.1"), Some("0.3"), Some("0.2")), Some(0.5));
        assert_eq!(progress(Some("0"), Some("8"), Some("0.00005")), Some(0.0));
        assert_eq!(progress(Some("0"), Some("2"), Some("0.00015")), Some(0.0001));
        assert_eq!(progress(Some("5"), Some("5"), Some("7")), None);
        assert_eq!(progress(None, Some("5"), Some("7")), None);
    }
}
