//! A member's own application from the phone: the checks, the household file opened with a
//! first application, the application and its documents, in one transaction.

use super::*;

/// The facts of a household file opened with a worker's first application, checked before
/// anything is written.
struct HouseholdFacts {
    cause: HardshipCause,
    size: i64,
    minimum_fen: i64,
    tier: HardshipTier,
    housing: String,
    health: String,
    disability: String,
}

/// The kind a worker may apply for from the phone, or why not.
fn worker_kind(input: &str) -> Result<AidKind> {
    AidKind::parse(input.trim())
        .filter(|k| WORKER_KINDS.contains(k))
        .ok_or_else(|| {
            if input.trim() == AidKind::EducationGrant.as_str() {
                AppError::invalid(
                    "kind",
                    "金秋助学须登记受助学生和录取学校，请到所在工会找帮扶专干办理",
                )
            } else {
                AppError::invalid("kind", "请选择帮扶类别：生活救助、医疗救助或应急救助")
            }
        })
}

/// The amount and the reason of an application, checked.
fn amount_and_reason(ctx: &Ctx<'_>, input: &WorkerApplication) -> Result<String> {
    if input.amount_fen <= 0 || input.amount_fen > ctx.settings.yearly_cap_fen {
        return Err(AppError::invalid(
            "amount_fen",
            format!(
                "申请金额应大于0元且不超过每户每年上限{}元",
                aid::yuan(ctx.settings.yearly_cap_fen)
            ),
        ));
    }
    text("reason", &input.reason, 500).map_err(|_| {
        AppError::invalid(
            "reason",
            "请写明申请理由：家里遇到了什么困难（不超过500字）",
        )
    })
}

/// The household figures of a new file, checked.
fn household_facts(
    ctx: &Ctx<'_>,
    worker: &Worker,
    input: &WorkerApplication,
) -> Result<HouseholdFacts> {
    let cause = crate::aid::file::cause(&input.cause)
        .map_err(|_| AppError::invalid("cause", "请选择致困原因"))?;
    let size = crate::aid::file::size(input.household_size, 1)?;
    let minimum_fen = ctx.settings.minimum_for(&worker.region_code);
    let tier = crate::aid::file::tier(ctx, input.income_per_head_fen, minimum_fen, cause)?;
    let housing = text("housing", &input.housing, 200).map_err(|_| {
        AppError::invalid(
            "housing",
            "请填写住房情况，如：租房、自有住房（不超过200字）",
        )
    })?;
    Ok(HouseholdFacts {
        cause,
        size,
        minimum_fen,
        tier,
        housing,
        health: optional_text("health", &input.health, 500)?,
        disability: optional_text("disability", &input.disability, 500)?,
    })
}

/// Opens the worker's household file inside `tx`, with the worker as its first person, and
/// audits it (the entry commits with the application's).
#[allow(clippy::too_many_arguments)]
async fn open_own_file(
    tx: &mut zhijia_store::Tx,
    ctx: &Ctx<'_>,
    actor: &zhijia_domain::audit::Actor,
    worker: &Worker,
    org: zhijia_domain::org::OrgId,
    facts: &HouseholdFacts,
    income_per_head_fen: i64,
    now: DateTime<Utc>,
) -> Result<AidFileId> {
    let number = ctx
        .keys
        .decrypt(&worker.id_number_enc)
        .map_err(|_| AppError::Config("无法读取您的身份信息，请联系所在工会".into()))?;
    let idx = ctx.keys.blind_index(&number);
    let today = crate::today(now);
    let due = aid::review_due(today, ctx.settings.review_months);
    let id = store::insert_file(
        tx,
        &store::NewFile {
            org_id: org,
            head_worker_id: worker.id,
            tier: facts.tier,
            cause: facts.cause,
            household_size: facts.size,
            income_per_head_fen,
            health: &facts.health,
            disability: &facts.disability,
            housing: &facts.housing,
            minimum_fen: facts.minimum_fen,
            region_code: &worker.region_code,
            opened_on: today,
            review_due_on: due,
            lapses_on: due + Duration::days(ctx.settings.lapse_grace_days),
            created_by: None,
        },
    )
    .await?;
    store::insert_member(tx, id, &worker.name, "本人", &worker.id_number_enc, &idx)
        .await
        .map_err(|e| crate::aid::file::one_person_conflict(e, &worker.name))?;
    // The application's own entry is the one the commit needs; this one commits with it in
    // the same transaction.
    let _opened = audit::append(
        tx,
        actor,
        Record {
            action: action::AID_FILE_OPENED,
            org: Some(org),
            target_kind: Some("hardship_file"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "职工本人申请帮扶时建档(待帮扶专干核实)：{}，{}，{}人",
                facts.tier.label(),
                facts.cause.label(),
                facts.size
            )),
        },
    )
    .await?;
    Ok(id)
}

/// The worker of `phone` and their membership: aid is for members.
async fn member_of(
    ctx: &Ctx<'_>,
    phone: &str,
) -> Result<(Worker, zhijia_store::membership::Membership)> {
    let not_member =
        || AppError::Conflict("帮扶申请须由在会会员提出：请先申请加入工会，入会后即可申请".into());
    let worker = worker_of(ctx, phone).await?.ok_or_else(not_member)?;
    let membership = zhijia_store::membership::current(ctx.db, worker.id)
        .await?
        .ok_or_else(not_member)?;
    Ok((worker, membership))
}

/// The approval chain of an application (as stored) and its stages in words.
fn chain_and_stages(
    ctx: &Ctx<'_>,
    kind: AidKind,
    amount_fen: i64,
) -> Result<(String, Vec<String>)> {
    let chain = ctx
        .settings
        .chains
        .chain_for(kind, amount_fen)
        .ok_or_else(|| AppError::Config(format!("{}没有配置审批流程", kind.label())))?;
    let stages = chain
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}{}", l.label(), aid::stage_role(i, chain.len()).label()))
        .collect();
    Ok((aid::chain_to_string(chain), stages))
}

/// A member applies for aid for their household from the phone, with documents. The
/// application and a new file (if any) and the documents commit together with their audit
/// entries, or nothing does.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn apply(
    ctx: &Ctx<'_>,
    phone: &str,
    input: &WorkerApplication,
    files: &[Upload],
    now: DateTime<Utc>,
) -> Result<Applied> {
    let (worker, membership) = member_of(ctx, phone).await?;
    let kind = worker_kind(&input.kind)?;
    let reason = amount_and_reason(ctx, input)?;
    let existing = active_file(ctx, worker.id).await?;
    let new_file = match &existing {
        Some(_) => None,
        None => Some(household_facts(ctx, &worker, input)?),
    };
    let checked = crate::aid::attachment::check(files)?;
    let (chain, stages) = chain_and_stages(ctx, kind, input.amount_fen)?;
    let actor = worker_actor(phone);
    let mut tx = ctx.db.change().await?;
    let (file_id, org_id, opened) = match (existing, new_file) {
        (Some(f), _) => (f.id, f.org_id, false),
        (None, Some(facts)) => {
            let org = membership.org_id;
            let id = open_own_file(
                &mut tx,
                ctx,
                &actor,
                &worker,
                org,
                &facts,
                input.income_per_head_fen,
                now,
            )
            .await?;
            (id, org, true)
        }
        (None, None) => return Err(AppError::Config("帮扶档案状态无法确定".into())),
    };
    let new = store::NewApplication {
        file_id,
        kind,
        amount_fen: input.amount_fen,
        reason: &reason,
        student_id: None,
        school: None,
        admission_proof: None,
        chain: &chain,
        created_by: None,
    };
    let (id, mut recorded) = insert_own(&mut tx, &actor, org_id, &new).await?;
    if !checked.is_empty() {
        let who = worker.id;
        recorded =
            store_worker_files(&mut tx, phone, who, id, org_id, files, &checked, now).await?;
    }
    tx.commit(recorded).await?;
    Ok(Applied {
        id,
        file_id,
        file_opened: opened,
        stages,
    })
}

/// Records the worker's own application with its audit entry.
async fn insert_own(
    tx: &mut zhijia_store::Change,
    actor: &zhijia_domain::audit::Actor,
    org_id: zhijia_domain::org::OrgId,
    new: &store::NewApplication<'_>,
) -> Result<(AidApplicationId, zhijia_store::Recorded)> {
    let id = store::insert_application(tx, new).await?;
    let recorded = audit::append(
        tx,
        actor,
        Record {
            action: action::AID_APPLIED,
            org: Some(org_id),
            target_kind: Some("aid_application"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "职工本人在线申请：档案#{}，{}{}元，审批流程 {}",
                new.file_id,
                new.kind.label(),
                aid::yuan(new.amount_fen),
                new.chain
            )),
        },
    )
    .await?;
    Ok((id, recorded))
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn store_worker_files(
    tx: &mut zhijia_store::Tx,
    phone: &str,
    worker_id: WorkerId,
    application_id: AidApplicationId,
    org: zhijia_domain::org::OrgId,
    files: &[Upload],
    checked: &[zhijia_domain::attachment::Checked],
    now: DateTime<Utc>,
) -> Result<zhijia_store::Recorded> {
    use zhijia_domain::attachment::MAX_PER_AID_APPLICATION;
    let have = store::count_attachments(tx, application_id).await?;
    crate::attachment::check_room(have, checked.len(), MAX_PER_AID_APPLICATION, "每份帮扶申请")?;
    for (f, c) in files.iter().zip(checked) {
        store::add_worker_attachment(
            tx,
            application_id,
            &c.file_name,
            c.kind.content_type(),
            &f.bytes,
            worker_id,
            now,
        )
        .await?;
    }
    let names: Vec<&str> = checked.iter().map(|c| c.file_name.as_str()).collect();
    Ok(audit::append(
        tx,
        &worker_actor(phone),
        Record {
            action: action::AID_ATTACHMENT_ADDED,
            org: Some(org),
            target_kind: Some("aid_application"),
            target_id: Some(application_id.to_string()),
            detail: Some(format!("申请人上传申请材料：{}", names.join("、"))),
        },
    )
    .await?)
}
