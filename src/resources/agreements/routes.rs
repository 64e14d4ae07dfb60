//! The HTTP operations on agreements.

use super::Agreements;
use crate::resource::Routed;

impl Routed for Agreements {}
