//! A worker's rights over their own data (个人信息保护法 art. 45, 47): see and download all
//! the platform holds about them, and ask for deletion of what it is not required to keep.

use crate::caller::worker_actor;
use crate::{AppError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhijia_domain::audit::action;
use zhijia_domain::id_number;
use zhijia_domain::pii::PiiKeys;
use zhijia_domain::worker::GigOccupation;
use zhijia_store::Store;
use zhijia_store::audit::{self, Record};
use zhijia_store::sms::{self as sms_store, DeletionRequest};
use zhijia_store::{org as org_store, worker as worker_store};

/// Everything held about the signed-in phone number. It holds store rows, so the web layer
/// answers with its own view of it.
#[derive(Debug)]
pub struct MyData {
    pub phone: String,
    pub worker: Option<MyRecord>,
    pub deletion_requests: Vec<DeletionRequest>,
    pub exported_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct MyRecord {
    pub name: String,
    /// The full number: it is the person's own. `None` if the server has no key to decrypt it.
    pub id_number: Option<String>,
    pub id_number_masked: Option<String>,
    pub sex: &'static str,
    pub birth_date: NaiveDate,
    pub region_code: String,
    pub employer_name: Option<String>,
    pub gig_occupation: Option<&'static str>,
    pub union: Option<String>,
}

/// Collects what the platform holds about `phone`; the export itself is audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export(db: &Store, keys: Option<&PiiKeys>, phone: &str) -> Result<MyData> {
    let worker = match worker_store::find_by_phone(db, phone).await? {
        Some(w) => {
            let id_number = keys.and_then(|k| k.decrypt(&w.id_number_enc).ok());
            let union = match w.org_id {
                Some(id) => org_store::get(db, id).await?.map(|o| o.name),
                None => None,
            };
            Some(MyRecord {
                name: w.name,
                id_number_masked: id_number.as_deref().map(id_number::mask),
                id_number,
                sex: w.sex.label(),
                birth_date: w.birth_date,
                region_code: w.region_code,
                employer_name: w.employer_name,
                gig_occupation: w.gig_occupation.map(GigOccupation::label),
                union,
            })
        }
        None => None,
    };
    let deletion_requests = sms_store::deletion_requests(db, phone).await?;
    let mut tx = db.change().await?;
    let recorded = audit::append(
        &mut tx,
        &worker_actor(phone),
        Record {
            action: action::PII_SELF_EXPORT,
            ..Default::default()
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(MyData {
        phone: phone.to_owned(),
        worker,
        deletion_requests,
        exported_at: Utc::now(),
    })
}

/// Records a request for deletion; staff handle it (membership records the law requires a union
/// to keep are kept, the rest deleted).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn request_deletion(db: &Store, phone: &str, reason: &str) -> Result<()> {
    let reason = reason.trim();
    if reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", "说明不能超过500个字"));
    }
    let reason = (!reason.is_empty()).then_some(reason);
    let mut tx = db.change().await?;
    sms_store::insert_deletion_request(&mut tx, phone, reason).await?;
    let recorded = audit::append(
        &mut tx,
        &worker_actor(phone),
        Record {
            action: action::PII_DELETION_REQUESTED,
            ..Default::default()
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}
