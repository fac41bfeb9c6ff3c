//! The worker's membership pages (mobile): join form, my membership with inbox, the member card,
//! and the public card check page.

use crate::auth::worker::WorkerUser;
use crate::auth::{checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::filters;
use crate::pages::render;
use crate::region::Picker;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::membership::card::{self, Card, CardCheck};
use zhijia_app::membership::join::{self, JoinInput};
use zhijia_app::membership::pickers;
use zhijia_app::membership::transfer;
use zhijia_domain::codes::{
    Education, Ethnicity, HukouType, MaritalStatus, PoliticalStatus, SkillLevel,
};
use zhijia_domain::ids::{TransferId, WorkerId};
use zhijia_domain::member::{
    ApplicationStatus, CONSENT_TEXT, EndReason, MembershipStatus, TransferStatus,
};
use zhijia_domain::worker::GigOccupation;
use zhijia_store::membership::{self as store, Application, Membership, Transfer};

mod apply_form;
mod home;
mod leave;
mod member_card;
pub use apply_form::*;
pub use home::*;
pub use leave::*;
pub use member_card::*;
/// (code, label) pairs of a select box.
type Options = Vec<(&'static str, &'static str)>;

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Options {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/join", get(join_form).post(join_submit))
        .route("/membership", get(membership))
        .route("/membership/leave", get(leave_confirm).post(leave))
        .route("/membership/transfers/{id}/confirm", post(confirm_proposal))
        .route("/membership/transfers/{id}/decline", post(decline_proposal))
        .route("/membership/read", post(read_all))
        .route("/card", get(card_page))
        .route("/cards/verify", get(verify_page))
}
