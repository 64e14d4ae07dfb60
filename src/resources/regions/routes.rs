//! The HTTP operations on regions.

use super::Regions;
use crate::resource::Routed;

impl Routed for Regions {}
