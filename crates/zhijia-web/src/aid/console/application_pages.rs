//! The console pages of aid applications: the list, one application with its stages, decisions, attachments and objections.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationsPageQuery {
    org: Option<OrgId>,
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid/applications.html")]
pub(super) struct ApplicationsPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    items: Vec<ApplicationView>,
    pager: Pager,
}

pub(super) async fn applications(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<ApplicationsPageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let query = ApplicationQuery {
        org: q.org,
        status: q.status.clone(),
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = application::list(&state.aid(), &user.ctx(), &query).await?;
    let status = q.status.unwrap_or_default();
    let base = format!(
        "/console/aid/applications?org={}&status={}&",
        org.id.0, status
    );
    Ok(render(&ApplicationsPage {
        user: (&user).into(),
        org_id: org.id,
        org_name: org.name,
        status,
        statuses: labels(AidStatus::ALL, |s| (s.as_str(), s.label())),
        pager: Pager::new(page, list.total, base),
        items: list.items,
    }))
}

#[derive(Template)]
#[template(path = "aid/application.html")]
pub(super) struct ApplicationPage {
    user: UserBar,
    form: Prefill,
    d: ApplicationDetail,
    methods: Vec<(&'static str, &'static str)>,
    today: chrono::NaiveDate,
    /// A fresh idempotency key per page view, sent with the payment form: a double submit (or
    /// the browser resending it) records one payment.
    pay_key: String,
}

impl ApplicationPage {
    fn paid_yuan(&self) -> String {
        rules::yuan(self.d.paid_fen)
    }
    /// A file's size for people: “1.2 MB”, “35 KB”.
    fn size(&self, bytes: &i64) -> String {
        if *bytes >= 1_048_576 {
            format!("{:.1} MB", *bytes as f64 / 1_048_576.0)
        } else {
            format!("{} KB", (*bytes + 1023) / 1024)
        }
    }
    fn is_current(&self, index: &usize) -> bool {
        self.d.application.current_stage == Some(*index as i64)
    }
}

pub(super) async fn application_page(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
) -> Result<Response, PageError> {
    application_page_with(&state, &user, id, Prefill::default()).await
}

pub(super) async fn application_page_with(
    state: &Keyed,
    user: &StaffUser,
    id: AidApplicationId,
    form: Prefill,
) -> Result<Response, PageError> {
    let ctx = state.aid();
    let d = application::detail(&ctx, &user.ctx(), id).await?;
    let status = form.status();
    let page = render(&ApplicationPage {
        user: user.into(),
        form,
        d,
        methods: labels(rules::PaymentMethod::ALL, |s| (s.as_str(), s.label())),
        today: zhijia_app::today(Utc::now()),
        pay_key: zhijia_domain::auth::random_token(),
    });
    Ok((status, page).into_response())
}

/// After a step on an application's page: back to the page, or the page again with the refusal
/// and what was typed in the form that was sent.
pub(super) async fn after_step(
    state: &Keyed,
    user: &StaffUser,
    id: AidApplicationId,
    form: &'static str,
    result: Result<(), AppError>,
    values: HashMap<String, String>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/console/aid/applications/{id}")).into_response()),
        Err(e) if correctable(&e) => {
            application_page_with(state, user, id, Prefill::failed(form, &e, values)).await
        }
        Err(e) => Err(e.into()),
    }
}

csrf_form!(DecisionForm {
    stage: i64,
    approve: Option<String>,
    reason: String,
});

pub(super) async fn decide(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let values = f.values();
    let input = DecisionInput {
        stage: f.stage,
        approve: f.approve.is_some(),
        reason: f.reason,
    };
    after_step(
        &state,
        &user,
        id,
        "decision",
        application::decide(&state.aid(), &user.ctx(), id, &input, Utc::now())
            .await
            .map(|_| ()),
        values,
    )
    .await
}

/// An aid officer attaches files to an application (multipart, fields named `file`).
pub(super) async fn attach(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
    form: Multipart,
) -> Result<Response, PageError> {
    let (fields, files, refused) = match read_multipart(form, MAX_PER_AID_APPLICATION).await {
        Ok((fields, files)) => (fields, files, None),
        Err(r) => (r.fields, r.files, Some(r.error)),
    };
    if !user.csrf_ok(fields.get("csrf").map_or("", String::as_str)) {
        return Ok(csrf_refused());
    }
    // A file refused while it arrived is shown on the page like any other refusal.
    let attached = match refused {
        Some(e) => Err(e),
        None => attachment::attach(&state.aid(), &user.ctx(), id, &files, Utc::now()).await,
    };
    after_step(
        &state,
        &user,
        id,
        "attach",
        attached.map(|_| ()),
        HashMap::new(),
    )
    .await
}

pub(super) async fn staff_file(
    state: Keyed,
    user: StaffUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, file) = (
        AidApplicationId(parse_id(&id)?),
        AttachmentId(parse_id(&file)?),
    );
    let f = attachment::staff_file(&state.aid(), &user.ctx(), id, file).await?;
    Ok(file_response(f))
}

csrf_form!(ObjectionForm { detail: String });

pub(super) async fn object(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
    form: Result<Form<ObjectionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let sc = user.ctx();
    let objected = application::object(
        &state.aid(),
        &user.actor,
        Some(&sc),
        id,
        &f.detail,
        Utc::now(),
    )
    .await
    .map(|_| ());
    after_step(&state, &user, id, "objection", objected, f.values()).await
}

csrf_form!(ResolveForm {
    upheld: Option<String>,
    note: String,
    application: i64,
});

pub(super) async fn resolve(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ObjectionId>,
    form: Result<Form<ResolveForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let resolved = application::resolve(&state.aid(), &user.ctx(), id, f.upheld.is_some(), &f.note)
        .await
        .map(|_| ());
    after_step(
        &state,
        &user,
        AidApplicationId(f.application),
        "resolve",
        resolved,
        f.values(),
    )
    .await
}

csrf_form!(PayForm {
    amount: String,
    fund_source: String,
    method: String,
    idempotency_key: String,
});

pub(super) async fn disburse(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<AidApplicationId>,
    form: Result<Form<PayForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let values = f.values();
    let paid = match rules::parse_yuan("amount_fen", &f.amount) {
        Ok(amount_fen) => {
            let input = DisbursementInput {
                application_id: id,
                amount_fen,
                fund_source: f.fund_source,
                method: f.method,
                paid_on: None,
                idempotency_key: Some(f.idempotency_key),
            };
            ledger::disburse(&state.aid(), &user.ctx(), &input, Utc::now())
                .await
                .map(|_| ())
        }
        Err(e) => Err(e.into()),
    };
    after_step(&state, &user, id, "pay", paid, values).await
}
