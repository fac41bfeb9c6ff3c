//! 申请退会: the confirm step and the leaving itself.

use super::*;

/// The reasons a worker may pick when leaving; "其他" asks for their own words.
pub(super) const LEAVE_REASONS: &[&str] = &[
    "离开原单位，暂不需要会籍",
    "个人原因",
    "对工会服务不满意",
    "其他",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LeaveForm {
    csrf: String,
    choice: String,
    detail: String,
}

impl LeaveForm {
    /// The reason as recorded: the choice, with the worker's words after it.
    fn reason(&self) -> Result<String, AppError> {
        let choice = self.choice.trim();
        let detail = self.detail.trim();
        if !LEAVE_REASONS.contains(&choice) {
            return Err(AppError::invalid("choice", "请选择退会原因"));
        }
        if choice == "其他" {
            if detail.chars().count() < 2 {
                return Err(AppError::invalid("detail", "选择“其他”时，请写明退会原因"));
            }
            return Ok(detail.to_owned());
        }
        Ok(if detail.is_empty() {
            choice.to_owned()
        } else {
            format!("{choice}；{detail}")
        })
    }
}

#[derive(Template)]
#[template(path = "membership/leave.html")]
pub(super) struct LeavePage {
    csrf: String,
    org_name: String,
    member_no: Option<String>,
    reasons: &'static [&'static str],
    form: LeaveForm,
    error: Option<String>,
    error_field: Option<&'static str>,
}

impl LeavePage {
    fn err(&self, field: &str) -> Option<&str> {
        (self.error_field == Some(field))
            .then_some(self.error.as_deref())
            .flatten()
    }
}

/// The confirm step of 申请退会: what leaving means, and why (required).
pub(super) async fn leave_page(
    State(state): State<AppState>,
    user: WorkerUser,
    form: LeaveForm,
    error: Option<&AppError>,
) -> Result<Response, PageError> {
    let db = &state.store;
    let Some(w) = zhijia_store::worker::find_by_phone(db, &user.session.phone).await? else {
        return Ok(Redirect::to("/membership").into_response());
    };
    let Some(current) = store::history(db, w.id)
        .await?
        .into_iter()
        .find(|m| m.status != MembershipStatus::Ended)
    else {
        return Ok(Redirect::to("/membership").into_response());
    };
    let page = LeavePage {
        csrf: user.session.csrf_token.clone(),
        org_name: current.org_name,
        member_no: w.member_no,
        reasons: LEAVE_REASONS,
        form,
        error: error.map(ToString::to_string),
        error_field: error.and_then(AppError::field),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)).into_response())
}

pub(super) async fn leave_confirm(
    state: State<AppState>,
    user: WorkerUser,
) -> Result<Response, PageError> {
    leave_page(state, user, LeaveForm::default(), None).await
}

pub(super) async fn leave(
    State(app): State<AppState>,
    state: Keyed,
    user: WorkerUser,
    form: Result<Form<LeaveForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let result = match form.reason() {
        Ok(reason) => {
            transfer::leave(
                &state.membership(),
                &user.session.phone,
                &reason,
                Utc::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/membership").into_response()),
        Err(e @ AppError::Invalid(_)) => leave_page(State(app), user, form, Some(&e)).await,
        Err(e) => Err(e.into()),
    }
}

crate::auth::carries_csrf!(LeaveForm);
