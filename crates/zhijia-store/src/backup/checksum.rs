//! A checksum of every table, equal for equal data on either backend.

use super::{Item, Value, parse_timestamp, snapshot, timestamp_text};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Rows and a SHA-256 of every table's rows in the neutral form, in id order, with timestamps
/// cut to microseconds (what PostgreSQL keeps): two stores with the same data give the same
/// list whatever their backends.
pub async fn checksums(store: &Store) -> Result<Vec<(String, u64, String)>> {
    let mut out: Vec<(String, u64, String)> = Vec::new();
    let mut hasher: Option<Sha256> = None;
    let finish = |out: &mut Vec<(String, u64, String)>, h: &mut Option<Sha256>| {
        if let (Some(last), Some(h)) = (out.last_mut(), h.take()) {
            last.2 = hex::encode(h.finalize());
        }
    };
    snapshot(store, &mut |item| {
        match item {
            Item::Table(t) => {
                finish(&mut out, &mut hasher);
                out.push((t.name.clone(), t.rows, String::new()));
                hasher = Some(Sha256::new());
            }
            Item::Row(values) => {
                if let Some(h) = hasher.as_mut() {
                    for v in values {
                        match v {
                            Value::Null => h.update(b"N;"),
                            Value::Int(n) => h.update(format!("I{n};")),
                            Value::Real(f) => h.update(format!("R{f};")),
                            Value::Text(t) => {
                                let t = parse_timestamp(t)
                                    .filter(|_| {
                                        t.len() >= 25 && t.as_bytes().get(10) == Some(&b' ')
                                    })
                                    .map(|ts| {
                                        let micros = ts.timestamp_subsec_micros();
                                        let cut = ts.with_nanosecond_cut(micros).unwrap_or(ts);
                                        timestamp_text(&cut)
                                    })
                                    .unwrap_or_else(|| t.clone());
                                h.update(format!("T{}:{t};", t.len()));
                            }
                            Value::Bytes(b) => {
                                h.update(format!("B{}:", b.len()));
                                h.update(b);
                            }
                        }
                    }
                    h.update(b"\n");
                }
            }
        }
        Ok(())
    })
    .await?;
    finish(&mut out, &mut hasher);
    Ok(out)
}

trait CutNanos: Sized {
    fn with_nanosecond_cut(&self, micros: u32) -> Option<Self>;
}

impl CutNanos for DateTime<Utc> {
    fn with_nanosecond_cut(&self, micros: u32) -> Option<Self> {
        use chrono::Timelike;
        self.with_nanosecond(micros * 1000)
    }
}
