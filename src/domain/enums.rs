//! The enumerations of the API. Each is a lower-case `snake_case` string on the wire and in
//! the database; an unknown value is rejected with the list of allowed ones.

/// Declares an enumeration with its wire names, `ALL`, `as_str`, `FromStr` and serde support.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
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

        super::deserialize_from_str!($name);
    };
}

use serde::{Deserialize, Deserializer};

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
}
