//! The disbursement ledger (发放台账): append-only. A payment is checked against the approval,
//! the public notice, the approved amount and the household's yearly cap while the file's row is
//! locked, so concurrent payments cannot together overshoot; a mistake is corrected by a
//! reversing entry that points to the original. Totals per file, year and fund; the export for
//! auditors.

use super::{Ctx, may_manage, may_read, staff_id, text};
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use zhijia_domain::aid::{self, AidStatus, FileStatus, PaymentMethod};
use zhijia_domain::audit::action;
use zhijia_domain::auth::Role;
use zhijia_domain::ids::{AidApplicationId, AidFileId, DisbursementId};
use zhijia_domain::org::OrgId;
use zhijia_store::Page;
use zhijia_store::aid::{self as store, LedgerRow, Total};
use zhijia_store::audit::{self, Record};
use zhijia_store::org::Org;

/// A payment as an aid officer records it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DisbursementInput {
    #[schema(value_type = i64)]
    pub application_id: AidApplicationId,
    /// 金额(分)
    pub amount_fen: i64,
    /// 资金来源，如 工会帮扶专项资金、财政帮扶资金、社会捐赠
    pub fund_source: String,
    /// bank_transfer, cash, in_kind
    pub method: String,
    /// 发放日期(默认今天)
    pub paid_on: Option<NaiveDate>,
    /// 幂等键(或 `Idempotency-Key` 请求头)：每笔发放一个；同一账号以同一键重发，返回已登记的那笔，
    /// 不再发放
    pub idempotency_key: Option<String>,
}

/// A ledger entry for people: amounts in fen and yuan, labels in Chinese (the web layer's
/// view serializes it).
#[derive(Debug, Clone)]
pub struct EntryView {
    pub entry: LedgerRow,
    pub kind_label: &'static str,
    pub method_label: &'static str,
    pub amount_yuan: String,
}

impl EntryView {
    pub fn of(entry: LedgerRow) -> Self {
        EntryView {
            kind_label: entry.kind.label(),
            method_label: entry.method.label(),
            amount_yuan: aid::yuan(entry.amount_fen),
            entry,
        }
    }
}

/// A payment's checked fields.
struct Payment<'a> {
    key: &'a str,
    fund: String,
    method: PaymentMethod,
    paid_on: NaiveDate,
}

/// Checks what a payment carries: its idempotency key, amount, fund, method and date.
fn payment(input: &DisbursementInput, today: NaiveDate) -> Result<Payment<'_>> {
    let key = input.idempotency_key.as_deref().map_or("", str::trim);
    if key.is_empty() || key.chars().count() > crate::benefit::MAX_KEY_CHARS {
        return Err(AppError::invalid(
            "idempotency_key",
            "每笔发放须带1到64个字符的幂等键(Idempotency-Key)",
        ));
    }
    if input.amount_fen <= 0 {
        return Err(AppError::invalid("amount_fen", "发放金额应大于0"));
    }
    let fund = text("fund_source", &input.fund_source, 50)?;
    let method = PaymentMethod::parse(input.method.trim())
        .ok_or_else(|| AppError::invalid("method", "发放方式应为银行转账、现金或实物"))?;
    let paid_on = input.paid_on.unwrap_or(today);
    if paid_on > today {
        return Err(AppError::invalid("paid_on", "发放日期不能晚于今天"));
    }
    Ok(Payment {
        key,
        fund,
        method,
        paid_on,
    })
}

/// A retry must ask for the payment its key already recorded; another payment under the same
/// key is refused.
fn same_payment(
    e: &store::KeyedEntry,
    input: &DisbursementInput,
    fund: &str,
    method: PaymentMethod,
) -> Result<()> {
    let same = e.application_id == input.application_id
        && e.amount_fen == input.amount_fen
        && e.fund_source == fund
        && e.method == method
        && input.paid_on.is_none_or(|d| d == e.paid_on);
    if same {
        return Ok(());
    }
    Err(AppError::Conflict(format!(
        "该幂等键已用于另一笔发放(申请#{}，{}元，{})，请换一个幂等键",
        e.application_id,
        aid::yuan(e.amount_fen),
        e.paid_on
    )))
}

/// Whether an application may be paid today: approved, its file active, its notice over.
fn payable(a: &store::ApplicationRow, today: NaiveDate) -> Result<()> {
    match a.status {
        AidStatus::Approved => {}
        AidStatus::Suspended => {
            return Err(AppError::Conflict("公示有异议尚未处理，暂停发放".into()));
        }
        AidStatus::Disbursed => return Err(AppError::Conflict("该申请已足额发放".into())),
        AidStatus::InReview | AidStatus::Rejected => {
            return Err(AppError::Conflict("申请尚未批准，不能发放".into()));
        }
    }
    if a.file_status != FileStatus::Active {
        return Err(AppError::Conflict(
            "档案已失效或已解困脱困，不能发放".into(),
        ));
    }
    if let Some(end) = a.notice_ends_on
        && today < end
    {
        return Err(AppError::Conflict(format!(
            "公示期未满(至{end})，公示期满且无异议后方可发放"
        )));
    }
    Ok(())
}

/// Appends a payment. The same key sent at once for a payment of another household's file
/// (whose lock this request does not hold) is refused by the unique key.
async fn insert_payment(
    tx: &mut zhijia_store::Tx,
    entry: &store::NewDisbursement<'_>,
) -> Result<DisbursementId> {
    store::insert_disbursement(tx, entry).await.map_err(|err| {
        if err.is_conflict_on(zhijia_store::unique::DISBURSEMENT_KEY) {
            AppError::Conflict("该幂等键已用于另一笔发放，请换一个幂等键".into())
        } else {
            err.into()
        }
    })
}

/// Records a payment of an approved application whose notice has ended without an open
/// objection, within the approved amount and the household's yearly cap. Returns the entry id.
///
/// Every payment carries the client's idempotency key. A request cut off (a dropped connection,
/// a killed server) is retried with the same key: when that key already recorded this payment,
/// its entry is returned and nothing new is written, so a retry never pays twice. The key is
/// looked up with the file's row locked, so concurrent retries see each other.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn disburse(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    input: &DisbursementInput,
    now: DateTime<Utc>,
) -> Result<DisbursementId> {
    let actor_id = staff_id(staff)?;
    let a = super::application::readable(ctx, staff, input.application_id).await?;
    if !may_manage(staff, &a.org_path) {
        return Err(AppError::Forbidden("只有帮扶专干可以登记发放".into()));
    }
    let today = crate::today(now);
    let Payment {
        key,
        fund,
        method,
        paid_on,
    } = payment(input, today)?;
    let year = aid::ledger_year(paid_on);
    let mut tx = ctx.db.change().await?;
    // Everything below is decided with the household's row locked.
    store::lock_file(&mut tx, a.file_id).await?;
    // A retry of a payment already recorded: the same entry, whatever the application's state
    // is now (a retried last instalment finds it fully paid).
    if let Some(e) = store::entry_by_key(&mut tx, actor_id, key).await? {
        return same_payment(&e, input, &fund, method).map(|()| e.id);
    }
    let a = store::application(&mut tx, a.id)
        .await?
        .ok_or(AppError::NotFound("帮扶申请"))?;
    payable(&a, today)?;
    let paid = within_limits(
        &mut tx,
        &a,
        input.amount_fen,
        year,
        ctx.settings.yearly_cap_fen,
    )
    .await?;
    let entry = store::NewDisbursement {
        application_id: a.id,
        file_id: a.file_id,
        amount_fen: input.amount_fen,
        fund_source: &fund,
        method,
        paid_on,
        year,
        operator_id: Some(actor_id),
        operator_name: &staff.actor.name,
        reverses_id: None,
        note: None,
        idempotency_key: Some(key),
    };
    let id = insert_payment(&mut tx, &entry).await?;
    if paid + input.amount_fen == a.amount_fen {
        store::set_status(&mut tx, a.id, AidStatus::Approved, AidStatus::Disbursed).await?;
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_DISBURSED,
            org: Some(a.org_id),
            target_kind: Some("disbursement"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "申请#{}，{}元，{}，{}",
                a.id,
                aid::yuan(input.amount_fen),
                fund,
                method.label()
            )),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// What the application has been paid, when `amount` more stays within the approved amount
/// and the household's yearly cap (checked with the file's row locked).
async fn within_limits(
    tx: &mut zhijia_store::Change,
    a: &store::ApplicationRow,
    amount: i64,
    year: i64,
    cap: i64,
) -> Result<i64> {
    let paid = store::paid_for_application(tx, a.id).await?;
    if paid + amount > a.amount_fen {
        return Err(AppError::Conflict(format!(
            "超过批准金额：批准{}元，已发放{}元",
            aid::yuan(a.amount_fen),
            aid::yuan(paid)
        )));
    }
    let this_year = store::paid_in_year(tx, a.file_id, year).await?;
    aid::check_cap(this_year, amount, cap).map_err(AppError::Conflict)?;
    Ok(paid)
}

/// Corrects an entry by a reversing entry of the opposite amount, in the original's year, that
/// points to it. An entry is reversed at most once; a reversal is not itself reversed (record
/// the payment again instead).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reverse(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    entry_id: DisbursementId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<DisbursementId> {
    let actor_id = staff_id(staff)?;
    let e = store::entry(ctx.db, entry_id)
        .await?
        .ok_or(AppError::NotFound("发放记录"))?;
    if !may_read(staff, &e.org_path) {
        return Err(AppError::NotFound("发放记录"));
    }
    if !may_manage(staff, &e.org_path) {
        return Err(AppError::Forbidden("只有帮扶专干可以冲正".into()));
    }
    let reason = text("reason", reason, 200)?;
    let mut tx = ctx.db.change().await?;
    store::lock_file(&mut tx, e.file_id).await?;
    let e = store::entry_in(&mut tx, entry_id)
        .await?
        .ok_or(AppError::NotFound("发放记录"))?;
    reversible(&e)?;
    let id = store::insert_disbursement(
        &mut tx,
        &store::NewDisbursement {
            application_id: e.application_id,
            file_id: e.file_id,
            amount_fen: -e.amount_fen,
            fund_source: &e.fund_source,
            method: e.method,
            paid_on: crate::today(now),
            year: e.year,
            operator_id: Some(actor_id),
            operator_name: &staff.actor.name,
            reverses_id: Some(e.id),
            note: Some(&reason),
            idempotency_key: None,
        },
    )
    .await
    .map_err(|err| {
        if err.is_conflict_on(zhijia_store::unique::DISBURSEMENT_REVERSES) {
            AppError::Conflict("该笔发放已冲正".into())
        } else {
            err.into()
        }
    })?;
    store::set_status(
        &mut tx,
        e.application_id,
        AidStatus::Disbursed,
        AidStatus::Approved,
    )
    .await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_DISBURSEMENT_REVERSED,
            org: Some(e.org_id),
            target_kind: Some("disbursement"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "冲正发放记录#{}，{}元：{reason}",
                e.id,
                aid::yuan(-e.amount_fen)
            )),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// An entry may be reversed once, and a reversal not at all.
fn reversible(e: &store::LedgerRow) -> Result<()> {
    if e.reverses_id.is_some() {
        return Err(AppError::Conflict(
            "冲正记录不能再冲正，请重新登记发放".into(),
        ));
    }
    if e.reversed_by.is_some() {
        return Err(AppError::Conflict("该笔发放已冲正".into()));
    }
    Ok(())
}

/// A ledger request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct LedgerQuery {
    #[param(value_type = Option<i64>)]
    pub org: Option<OrgId>,
    /// 年度；不填为全部
    pub year: Option<i64>,
    /// 档案编号；不填为全部
    #[param(value_type = Option<i64>)]
    pub file: Option<AidFileId>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Totals of the ledger of a subtree, net of reversals.
#[derive(Debug, Clone)]
pub struct Totals {
    pub fen: i64,
    pub yuan: String,
    pub by_year: Vec<Total>,
    pub by_fund: Vec<Total>,
    pub by_file: Vec<Total>,
}

/// One page of the ledger with the totals (the web layer's view serializes it).
#[derive(Debug, Clone)]
pub struct Ledger {
    pub page: Page<EntryView>,
    pub totals: Totals,
}

async fn totals(ctx: &Ctx<'_>, org: &Org, year: i64, file: Option<AidFileId>) -> Result<Totals> {
    let by_year = store::totals_by_year(ctx.db, &org.path, file).await?;
    let by_fund = store::totals_by_fund(ctx.db, &org.path, year, file).await?;
    let by_file = if file.is_none() {
        store::totals_by_file(ctx.db, &org.path, year, 200).await?
    } else {
        Vec::new()
    };
    let fen = by_fund.iter().map(|t| t.fen).sum();
    Ok(Totals {
        fen,
        yuan: aid::yuan(fen),
        by_year,
        by_fund,
        by_file,
    })
}

/// The ledger of the caller's branch, newest first, with totals.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, q: &LedgerQuery) -> Result<(Org, Ledger)> {
    let org = super::scope(ctx, staff, q.org).await?;
    let (year, file) = (q.year.unwrap_or(0), q.file);
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let page = store::ledger(ctx.db, &org.path, year, file, limit, offset).await?;
    let totals = totals(ctx, &org, year, file).await?;
    Ok((
        org,
        Ledger {
            page: Page {
                items: page.items.into_iter().map(EntryView::of).collect(),
                total: page.total,
                offset: page.offset,
                limit: page.limit,
            },
            totals,
        },
    ))
}

/// Most entries one export holds.
pub const EXPORT_MAX: i64 = 100_000;

/// The ledger for auditors (aid officers and administrators of the branch); audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &LedgerQuery,
) -> Result<(Org, Vec<EntryView>, Totals)> {
    let org = super::scope(ctx, staff, q.org).await?;
    let allowed = may_manage(staff, &org.path)
        || zhijia_domain::auth::holds(staff.grants, Role::OrgAdmin, &org.path);
    if !allowed {
        return Err(AppError::Forbidden(
            "只有帮扶专干和组织管理员可以导出发放台账".into(),
        ));
    }
    let (year, file) = (q.year.unwrap_or(0), q.file);
    let page = store::ledger(ctx.db, &org.path, year, file, EXPORT_MAX, 0).await?;
    let rows: Vec<EntryView> = page.items.into_iter().map(EntryView::of).collect();
    let totals = totals(ctx, &org, year, file).await?;
    let mut tx = ctx.db.change().await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_LEDGER_EXPORTED,
            org: Some(org.id),
            target_kind: Some("org"),
            target_id: Some(org.id.0.to_string()),
            detail: Some(format!(
                "{}条{}",
                rows.len(),
                if year == 0 {
                    String::new()
                } else {
                    format!("，{year}年度")
                }
            )),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok((org, rows, totals))
}
