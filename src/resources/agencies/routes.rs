//! The HTTP operations on agencies.

use super::Agencies;
use crate::resource::Routed;

impl Routed for Agencies {}
