//! The HTTP operations on organizations.

use super::Organizations;
use crate::resource::Routed;

impl Routed for Organizations {}
