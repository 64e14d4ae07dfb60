//! The HTTP operations on sectors.

use super::Sectors;
use crate::resource::Routed;

impl Routed for Sectors {}
