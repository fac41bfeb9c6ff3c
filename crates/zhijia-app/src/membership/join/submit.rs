//! Applying: the applicant's worker record, the application, or a transfer when the applicant
//! is a member elsewhere.

use super::*;

/// What the worker sees after applying.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Submitted {
    #[schema(value_type = i64)]
    pub application_id: JoinApplicationId,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub route: &'static str,
    pub due_on: NaiveDate,
    /// Set when the person is already a member elsewhere: the application became a transfer.
    #[schema(value_type = Option<i64>)]
    pub transfer_id: Option<TransferId>,
}

fn applicant(ctx: &Ctx<'_>, data: &JoinData, phone: &str) -> Applicant {
    let (employer_name, employer_credit_code, gig, work_region) = match &data.employment {
        Employment::Employee {
            name, credit_code, ..
        } => (
            Some(name.clone()),
            Some(credit_code.as_str().to_owned()),
            None,
            None,
        ),
        Employment::Gig { occupation, city } => (
            None,
            None,
            Some(occupation.as_str()),
            Some(city.as_str().to_owned()),
        ),
    };
    Applicant {
        name: data.name.clone(),
        id_number_enc: ctx.keys.encrypt(data.id_number.expose()),
        id_number_idx: ctx.keys.blind_index(data.id_number.expose()).to_vec(),
        sex: data.id_number.sex().code(),
        birth_date: data.id_number.birth_date(),
        phone: phone.to_owned(),
        region_code: data.id_number.region_code().to_owned(),
        employer_name,
        employer_credit_code,
        gig_occupation: gig,
        work_region,
        ethnicity: data.ethnicity.map(Ethnicity::code),
        education: data.education.map(Education::code),
        political_status: data.political_status.map(PoliticalStatus::code),
        hukou_type: data.hukou_type.map(HukouType::code),
        hukou_region: data.hukou_region.as_ref().map(|r| r.as_str().to_owned()),
        skill_level: data.skill_level.map(SkillLevel::code),
        marital_status: data.marital_status.map(MaritalStatus::code),
        emergency_contact: data.emergency_contact.clone(),
        emergency_phone: data.emergency_phone.clone(),
    }
}

/// A worker signed in with `phone` applies to join. Someone who is already a member elsewhere
/// gets a transfer request instead (one person, one membership: 一次入会、动态接转).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn apply(
    ctx: &Ctx<'_>,
    phone: &str,
    input: &JoinInput,
    now: DateTime<Utc>,
) -> Result<Submitted> {
    let today = crate::today(now);
    let data = check(input, today)?;
    let a = applicant(ctx, &data, phone);
    let existing = existing_worker(ctx, &a, phone).await?;
    let (org, route) = route(ctx.db, &data.employment).await?;
    let due_on = ctx
        .settings
        .calendar
        .add_working_days(today, ctx.settings.review_working_days);
    let mut tx = ctx.db.change().await?;
    let worker_id = store::save_applicant(&mut tx, existing, &a).await?;
    let current = store::current(&mut tx, worker_id).await?;
    if let Some(m) = current.as_ref().filter(|m| m.org_id == org.id) {
        return Err(AppError::Conflict(format!(
            "您已是{}的会员，无需重复申请",
            m.org_name
        )));
    }
    let application_id = insert_application(&mut tx, worker_id, &a, org.id, route, due_on).await?;
    let actor = worker_actor(phone);
    let (title, body, transfer_id) = match &current {
        Some(m) => {
            let (id, title, body) = into_transfer(
                &mut tx,
                ctx,
                &actor,
                worker_id,
                m,
                &org,
                application_id,
                now,
            )
            .await?;
            (title, body, Some(id))
        }
        None => (
            "入会申请已提交".to_owned(),
            format!(
                "您的入会申请已提交至{}，将在{}前完成审核。",
                org.name, due_on
            ),
            None,
        ),
    };
    let recorded = audit::append(
        &mut tx,
        &actor,
        Record {
            action: action::JOIN_APPLIED,
            org: Some(org.id),
            target_kind: Some("worker"),
            target_id: Some(worker_id.to_string()),
            detail: Some(format!("申请#{application_id}，{}", route.label())),
        },
    )
    .await?;
    store::notify(&mut tx, worker_id, &title, &body, Some("/membership")).await?;
    tx.commit(recorded).await?;
    Ok(Submitted {
        application_id,
        org_id: org.id,
        org_name: org.name,
        route: route.as_str(),
        due_on,
        transfer_id,
    })
}

/// Records the application; a second pending one of the same worker is refused.
async fn insert_application(
    tx: &mut zhijia_store::Change,
    worker_id: WorkerId,
    a: &Applicant,
    org_id: OrgId,
    route: Route,
    due_on: NaiveDate,
) -> Result<JoinApplicationId> {
    let new = NewApplication {
        worker_id,
        org_id,
        route,
        employer_name: a.employer_name.as_deref(),
        employer_credit_code: a.employer_credit_code.as_deref(),
        gig_occupation: a.gig_occupation,
        work_region: a.work_region.as_deref(),
        consent_version: CONSENT_VERSION,
        due_on,
    };
    match store::insert_application(tx, &new).await {
        Ok(id) => Ok(id),
        Err(e) if e.is_conflict_on(zhijia_store::unique::JOIN_APPLICATION_PENDING) => Err(
            AppError::Conflict("您已有一份待审核的入会申请，请等待审核结果".into()),
        ),
        Err(e) => Err(e.into()),
    }
}

/// The worker record the applicant already has, if any: found by identity number or phone, and
/// refused when the two name different people.
async fn existing_worker(ctx: &Ctx<'_>, a: &Applicant, phone: &str) -> Result<Option<WorkerId>> {
    // The phone was verified by SMS; the identity number must not belong to someone else's
    // phone, or anyone knowing a number could take over that person's membership.
    let by_id = worker_store::find_by_id_number_index(ctx.db, &a.id_number_idx).await?;
    let by_phone = worker_store::find_by_phone(ctx.db, phone).await?;
    Ok(match (&by_id, &by_phone) {
        (Some(w), _) if w.phone != phone => {
            return Err(AppError::Conflict(
                "该身份证号已由另一个手机号登记。如更换了手机号，请携带身份证到所在工会办理变更"
                    .into(),
            ));
        }
        (_, Some(w)) if by_id.as_ref().is_none_or(|i| i.id != w.id) => {
            return Err(AppError::Conflict(
                "此手机号已登记在另一人的名下，请使用本人手机号申请".into(),
            ));
        }
        (Some(w), _) => Some(w.id),
        (None, _) => None,
    })
}

/// The applicant is a member elsewhere: the application becomes a transfer of that membership
/// to `org`, audited, in the change. Returns the transfer and what the applicant is told.
#[allow(clippy::too_many_arguments)]
async fn into_transfer(
    tx: &mut zhijia_store::Change,
    ctx: &Ctx<'_>,
    actor: &zhijia_domain::audit::Actor,
    worker_id: WorkerId,
    m: &zhijia_store::membership::Membership,
    org: &Org,
    application_id: JoinApplicationId,
    now: DateTime<Utc>,
) -> Result<(TransferId, String, String)> {
    let release_due_at = now + chrono::Duration::days(ctx.settings.release_days);
    let t = NewTransfer {
        worker_id,
        from_membership_id: m.id,
        from_org_id: m.org_id,
        to_org_id: org.id,
        started_by: zhijia_domain::member::TransferStarter::Worker,
        reason: Some("入会申请时已是其他工会会员，转为会籍接转"),
        release_due_at,
        confirm_due_at: None,
    };
    let id = match store::insert_transfer(tx, &t).await {
        Ok(id) => id,
        Err(e) if e.is_conflict_on(zhijia_store::unique::TRANSFER_OPEN) => {
            return Err(AppError::Conflict(
                "您已有一项正在办理的会籍接转，请等待办理结果".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    store::decide(
        tx,
        application_id,
        member::ApplicationStatus::BecameTransfer,
        None,
        None,
        Some(id),
    )
    .await?;
    let _ = audit::append(
        tx,
        actor,
        Record {
            action: action::TRANSFER_REQUESTED,
            org: Some(org.id),
            target_kind: Some("worker"),
            target_id: Some(worker_id.to_string()),
            detail: Some(format!("接转#{id}：{} → {}", m.org_name, org.name)),
        },
    )
    .await?;
    Ok((
        id,
        "入会申请已转为会籍接转".to_owned(),
        format!(
            "您已是{}的会员。会籍将转入{}：请{}同意转出(最迟{}自动转出)，再由{}接收。",
            m.org_name,
            org.name,
            m.org_name,
            crate::today(release_due_at),
            org.name
        ),
    ))
}
