//! What a worker's own-data export answers with, built from the use case's result (which holds
//! store rows): the fields and values the JSON has always had.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_app::me::{MyData, MyRecord};
use zhijia_domain::deletion::DeletionStatus;
use zhijia_domain::ids::DeletionRequestId;
use zhijia_store::sms::DeletionRequest;

#[derive(Debug, Serialize)]
pub struct MyDataView<'a> {
    pub phone: &'a str,
    pub worker: Option<&'a MyRecord>,
    pub deletion_requests: Vec<DeletionRequestView<'a>>,
    pub exported_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct DeletionRequestView<'a> {
    pub id: DeletionRequestId,
    pub reason: Option<&'a str>,
    pub status: DeletionStatus,
    pub requested_at: DateTime<Utc>,
    pub note: Option<&'a str>,
}

impl<'a> From<&'a DeletionRequest> for DeletionRequestView<'a> {
    fn from(r: &'a DeletionRequest) -> Self {
        DeletionRequestView {
            id: r.id,
            reason: r.reason.as_deref(),
            status: r.status,
            requested_at: r.requested_at,
            note: r.note.as_deref(),
        }
    }
}

impl<'a> From<&'a MyData> for MyDataView<'a> {
    fn from(d: &'a MyData) -> Self {
        MyDataView {
            phone: &d.phone,
            worker: d.worker.as_ref(),
            deletion_requests: d.deletion_requests.iter().map(Into::into).collect(),
            exported_at: d.exported_at,
        }
    }
}
