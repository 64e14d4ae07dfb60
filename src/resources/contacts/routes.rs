//! The HTTP operations on contacts: personal data, so every one needs a token.

use super::Contacts;
use crate::resource::Routed;

impl Routed for Contacts {}
