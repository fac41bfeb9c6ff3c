//! Membership JSON API: the worker's side (bearer token or cookie), the public card check and
//! the staff side (review queue, transfers, roster), each scoped as the use cases say.

use super::view::{
    ApplicationView, MemberDetailView, MembershipView, MessageView, PageView, TransferView,
};
use crate::auth::StaffUser;
use crate::auth::worker::WorkerUser;
use crate::extract::{ApiJson, ApiQuery, Created, Id, Keyed};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use zhijia_app::AppError;
use zhijia_app::caller::worker_of_phone;
use zhijia_app::membership::card::{self, Card, CardCheck};
use zhijia_app::membership::join::{self, Decision, JoinInput, Submitted};
use zhijia_app::membership::pickers::{self, EmployerChoice, TownshipChoice};
use zhijia_app::membership::roster::{self, RosterQuery};
use zhijia_app::membership::{QueueQuery, transfer};
use zhijia_domain::ids::{ImportId, JoinApplicationId, MembershipId, TransferId};
use zhijia_domain::member::MembershipStatus;
use zhijia_domain::org::OrgId;
use zhijia_store::membership as store;

mod review_api;
mod roster_api;
mod worker_api;
pub use review_api::*;
pub use roster_api::*;
pub use worker_api::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/membership", get(mine))
        .route("/api/v1/membership/applications", post(apply))
        .route("/api/v1/membership/card", get(my_card))
        .route("/api/v1/membership/transfers", post(request_transfer))
        .route(
            "/api/v1/membership/transfers/{id}/confirm",
            post(confirm_transfer),
        )
        .route(
            "/api/v1/membership/transfers/{id}/decline",
            post(decline_transfer),
        )
        .route("/api/v1/membership/leave", post(leave))
        .route("/api/v1/join/employers", get(employer_suggestions))
        .route("/api/v1/join/townships", get(township_suggestions))
        .route("/api/v1/inbox", get(inbox))
        .route("/api/v1/inbox/read", post(mark_read))
        .route("/api/v1/cards/verify", post(verify_card))
        .route("/api/v1/applications", get(applications))
        .route("/api/v1/applications/{id}", get(application_detail))
        .route("/api/v1/applications/{id}/decision", post(decide))
        .route("/api/v1/transfers", get(transfers).post(start_transfer))
        .route("/api/v1/transfers/{id}/release", post(release))
        .route("/api/v1/transfers/{id}/accept", post(accept))
        .route("/api/v1/roster", get(roster_list))
        .route("/api/v1/roster/export.xlsx", get(export))
        .route(
            "/api/v1/roster/imports",
            post(import_roster).layer(axum::extract::DefaultBodyLimit::max(
                zhijia_app::membership::import::MAX_UPLOAD + 64 * 1024,
            )),
        )
        .route("/api/v1/roster/imports/{id}/errors.csv", get(import_errors))
        .route("/api/v1/roster/{id}", get(roster_detail))
        .route("/api/v1/roster/{id}/id-number", post(reveal))
        .route("/api/v1/roster/{id}/retired", post(retired))
}
