//! Staff console pages of membership: the review queue, transfers, the roster and a member.

use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::filters;
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::membership::join::{self, Decision};
use zhijia_app::membership::roster::{self, MemberDetail, RosterItem, RosterQuery};
use zhijia_app::membership::{QueueQuery, transfer};
use zhijia_domain::ids::{ImportId, JoinApplicationId, MembershipId, TransferId};
use zhijia_domain::member::TransferStatus;
use zhijia_domain::org::OrgId;
use zhijia_store::membership::{Application, Transfer};

mod import_pages;
mod queue_pages;
mod roster_pages;
mod transfer_pages;
pub use import_pages::*;
pub use queue_pages::*;
pub use roster_pages::*;
pub use transfer_pages::*;
const PER_PAGE: i64 = 20;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct RetiredForm {
    csrf: String,
    retired: String,
}

/// Marks the member retired (membership kept) or active again.
async fn set_retired(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
    form: Result<Form<RetiredForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    transfer::set_retired(&state.membership(), &user.ctx(), id, form.retired == "1").await?;
    Ok(Redirect::to(&format!("/console/members/{id}")).into_response())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/applications", get(applications))
        .route("/console/applications/batch", post(batch_approve))
        .route("/console/applications/{id}", get(application_page))
        .route("/console/applications/{id}/decision", post(decide))
        .route("/console/transfers", get(transfers))
        .route("/console/transfers/{id}", post(act_on_transfer))
        .route("/console/roster", get(roster_page))
        .route("/console/members/{id}", get(member_page))
        .route("/console/members/{id}/id-number", post(reveal))
        .route("/console/members/{id}/retired", post(set_retired))
        .route(
            "/console/roster/import",
            get(import_form)
                .post(import_submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    zhijia_app::membership::import::MAX_UPLOAD + 64 * 1024,
                )),
        )
        .route("/console/imports/{id}/errors.csv", get(import_errors))
        .route("/console/roster/import/{name}", get(import_template))
}

crate::auth::carries_csrf!(RetiredForm);
