//! The join form: the worker applies, or asks for a transfer when already a member elsewhere.

use super::*;

#[derive(Template)]
#[template(path = "membership/join.html")]
pub(super) struct JoinPage {
    csrf: String,
    /// The path the worker chose ("employee" or "gig"); none yet: the page asks first.
    path: Option<&'static str>,
    /// An application already waiting: the page says so instead of offering another.
    pending: Option<Pending>,
    form: JoinForm,
    error: Option<String>,
    error_field: Option<&'static str>,
    ethnicities: Options,
    educations: Options,
    political: Options,
    marital: Options,
    hukou: Options,
    skills: Options,
    gigs: Options,
    hukou_region: Picker,
    work_city: Picker,
    consent_text: &'static str,
}

impl JoinPage {
    /// The message for `field`, when the form's error is about it.
    fn err(&self, field: &str) -> Option<&str> {
        (self.error_field == Some(field))
            .then_some(self.error.as_deref())
            .flatten()
    }
    fn is_err(&self, field: &str) -> bool {
        self.err(field).is_some()
    }
    fn gig(&self) -> bool {
        self.path == Some("gig")
    }
    /// The optional personal fields stay open when one is filled in or at fault.
    fn more_open(&self) -> bool {
        let f = &self.form;
        [
            &f.ethnicity,
            &f.education,
            &f.political_status,
            &f.marital_status,
            &f.hukou_type,
            &f.hukou_region,
            &f.skill_level,
            &f.emergency_contact,
            &f.emergency_phone,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
            || self.error_field.is_some_and(|e| {
                [
                    "ethnicity",
                    "education",
                    "political_status",
                    "marital_status",
                    "hukou_type",
                    "hukou_region",
                    "skill_level",
                    "emergency_contact",
                    "emergency_phone",
                ]
                .contains(&e)
            })
    }
}

/// A join application waiting for review, as the worker reads it.
pub(crate) struct Pending {
    pub org_name: String,
    pub due_on: String,
    pub submitted_on: String,
}

/// A date as people say it: 12月28日, with the year only when it is not this year.
pub(super) fn spoken_date(d: chrono::NaiveDate) -> String {
    if d.year() == zhijia_app::today(Utc::now()).year() {
        d.format("%-m月%-d日").to_string()
    } else {
        d.format("%Y年%-m月%-d日").to_string()
    }
}

/// The worker's application waiting for review, if any.
pub(crate) async fn pending_of(
    db: &zhijia_store::Store,
    worker_id: WorkerId,
) -> Result<Option<Pending>, AppError> {
    Ok(store::applications_of(db, worker_id)
        .await?
        .into_iter()
        .find(|a| a.status == ApplicationStatus::Pending)
        .map(|a| Pending {
            org_name: a.org_name,
            due_on: spoken_date(a.due_on),
            submitted_on: zhijia_app::today(a.submitted_at)
                .format("%-m月%-d日")
                .to_string(),
        }))
}

pub(super) async fn pending_of_phone(
    db: &zhijia_store::Store,
    phone: &str,
) -> Result<Option<Pending>, AppError> {
    match zhijia_store::worker::find_by_phone(db, phone).await? {
        Some(w) => pending_of(db, w.id).await,
        None => Ok(None),
    }
}

/// The join form as posted: checkboxes arrive as "on", numbers as text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    pub csrf: String,
    pub name: String,
    pub id_number: String,
    pub ethnicity: String,
    pub education: String,
    pub political_status: String,
    pub hukou_type: String,
    pub hukou_region: String,
    pub skill_level: String,
    pub marital_status: String,
    pub emergency_contact: String,
    pub emergency_phone: String,
    pub employment: String,
    pub employer_name: String,
    pub employer_credit_code: String,
    /// The township union by name, as picked from the suggestions or typed.
    pub township_org_name: String,
    pub gig_occupation: String,
    pub work_city: String,
    pub wage_earner: Option<String>,
    pub accepts_constitution: Option<String>,
    pub consent: Option<String>,
}

impl JoinForm {
    fn input(&self, township: Option<zhijia_domain::org::OrgId>) -> JoinInput {
        let gig = self.employment == "gig";
        // Only the chosen path's fields count: a value left in the other path's fields (a
        // browser's autofill) must not route the application.
        let keep = |on: bool, v: &str| if on { v.to_owned() } else { String::new() };
        JoinInput {
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            ethnicity: self.ethnicity.clone(),
            education: self.education.clone(),
            political_status: self.political_status.clone(),
            hukou_type: self.hukou_type.clone(),
            hukou_region: self.hukou_region.clone(),
            skill_level: self.skill_level.clone(),
            marital_status: self.marital_status.clone(),
            emergency_contact: self.emergency_contact.clone(),
            emergency_phone: self.emergency_phone.clone(),
            employment: self.employment.clone(),
            employer_name: keep(!gig, &self.employer_name),
            employer_credit_code: keep(!gig, &self.employer_credit_code),
            township_org_id: if gig { None } else { township.map(|t| t.0) },
            gig_occupation: keep(gig, &self.gig_occupation),
            work_city: keep(gig, &self.work_city),
            wage_earner: self.wage_earner.is_some(),
            accepts_constitution: self.accepts_constitution.is_some(),
            consent: self.consent.is_some(),
        }
    }
}

/// The path named in a link or a posted form.
pub(super) fn join_path(s: &str) -> Option<&'static str> {
    match s.trim() {
        "employee" => Some("employee"),
        "gig" => Some("gig"),
        _ => None,
    }
}

pub(super) fn join_page(
    csrf: String,
    path: Option<&'static str>,
    form: JoinForm,
    error: Option<&AppError>,
) -> JoinPage {
    let field = error.and_then(AppError::field);
    let message = error.map(ToString::to_string);
    let hukou_region = Picker::new("hukou_region", "户籍所在地", 3, &form.hukou_region)
        .hint("选填，按户口簿填写")
        .error_if(field, message.as_deref());
    let work_city = Picker::new("work_city", "工作所在城市", 2, &form.work_city)
        .required()
        .hint("在哪个城市接单、跑单")
        .error_if(field, message.as_deref());
    JoinPage {
        hukou_region,
        work_city,
        csrf,
        path,
        pending: None,
        form,
        error: message,
        error_field: field,
        ethnicities: options(Ethnicity::ALL, Ethnicity::code, Ethnicity::label),
        educations: options(Education::ALL, Education::code, Education::label),
        political: options(
            PoliticalStatus::ALL,
            PoliticalStatus::code,
            PoliticalStatus::label,
        ),
        marital: options(
            MaritalStatus::ALL,
            MaritalStatus::code,
            MaritalStatus::label,
        ),
        hukou: options(HukouType::ALL, HukouType::code, HukouType::label),
        skills: options(SkillLevel::ALL, SkillLevel::code, SkillLevel::label),
        gigs: GigOccupation::ALL
            .iter()
            .map(|g| (g.as_str(), g.label()))
            .collect(),
        consent_text: CONSENT_TEXT,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinQuery {
    path: String,
}

pub(super) async fn join_form(
    State(state): State<AppState>,
    user: WorkerUser,
    q: Result<Query<JoinQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let path = q.ok().and_then(|Query(q)| join_path(&q.path));
    let form = JoinForm {
        employment: path.unwrap_or_default().to_owned(),
        ..JoinForm::default()
    };
    let mut page = join_page(user.session.csrf_token.clone(), path, form, None);
    page.pending = pending_of_phone(&state.store, &user.session.phone).await?;
    Ok(render(&page))
}

pub(super) async fn join_submit(
    state: Keyed,
    user: WorkerUser,
    form: Result<Form<JoinForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(mut form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let path = join_path(&form.employment).unwrap_or("employee");
    form.employment = path.to_owned();
    let db = &state.store;
    // Found by name, not typed: the employer's code when the name is one the site knows, the
    // township union by the name picked from its suggestions.
    if path == "employee"
        && form.employer_credit_code.trim().is_empty()
        && let Some(code) = pickers::employer_code_by_name(db, &form.employer_name).await?
    {
        form.employer_credit_code = code;
    }
    let result = match pickers::township_by_name(db, &form.township_org_name).await {
        Ok(township) => {
            join::apply(
                &state.membership(),
                &user.session.phone,
                &form.input(township),
                Utc::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/membership").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            // Everything typed comes back, with the message at the field at fault.
            let page = join_page(user.session.csrf_token.clone(), Some(path), form, Some(&e));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

crate::auth::carries_csrf!(JoinForm);
