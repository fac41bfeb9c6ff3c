//! The points mall (积分商城): a union puts items on sale for points; a member orders one, and
//! the stock, the per-member limit and the points balance are all checked and taken in one
//! transaction under the item's row lock, so none is overdrawn, whatever arrives at once. The
//! same idempotency key returns the same order.

use crate::caller::{StaffCtx, worker_of_phone};
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::ids::{MallItemId, WorkerId};
use zhijia_domain::points::MallItemStatus;
use zhijia_store::Store;
use zhijia_store::audit::{self, Record};
use zhijia_store::mall::{self as store, Item, NewItem, Order};
use zhijia_store::org::{self as org_store, Org};

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ItemInput {
    /// The union whose members may buy it (its subtree); the caller's first union by default.
    pub org: Option<i64>,
    pub title: String,
    pub description: String,
    pub points: i64,
    pub stock: i64,
    pub per_member_limit: i64,
}

/// Puts an item on sale (editors and administrators of the union).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_item(
    db: &Store,
    staff: &StaffCtx<'_>,
    input: &ItemInput,
    now: DateTime<Utc>,
) -> Result<MallItemId> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 60 {
        return Err(AppError::invalid("title", "请填写商品名称(不超过60个字)"));
    }
    if input.description.chars().count() > 2000 {
        return Err(AppError::invalid("description", "说明不能超过2000个字"));
    }
    if !(1..=1_000_000).contains(&input.points) {
        return Err(AppError::invalid("points", "所需积分应为1到1000000"));
    }
    if !(1..=1_000_000).contains(&input.stock) {
        return Err(AppError::invalid("stock", "库存应为1到1000000"));
    }
    if !(1..=100).contains(&input.per_member_limit) {
        return Err(AppError::invalid(
            "per_member_limit",
            "每人限兑应为1到100件",
        ));
    }
    let org = crate::caller::branch(
        db,
        staff,
        input.org.map(zhijia_domain::ids::OrgId),
        |p| staff.may_edit(p),
        "您没有管理积分商城的权限",
        "只能管理本级及下级工会的积分商城",
    )
    .await?;
    let mut tx = db.change().await?;
    let id = store::insert_item(
        &mut tx,
        &NewItem {
            org: org.id,
            title,
            description: input.description.trim(),
            points: input.points,
            stock: input.stock,
            per_member_limit: input.per_member_limit,
            created_by: crate::benefit::acting_staff(staff),
            now,
        },
    )
    .await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::MALL_ITEM_CREATED,
            org: Some(org.id),
            target_kind: Some("mall_item"),
            target_id: Some(id.to_string()),
            detail: Some(title.to_owned()),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// The items of a union's subtree, for its editors.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn items(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, zhijia_store::Page<Item>)> {
    let org = crate::caller::branch(
        db,
        staff,
        org.map(zhijia_domain::ids::OrgId),
        |p| staff.may_edit(p),
        "您没有管理积分商城的权限",
        "只能管理本级及下级工会的积分商城",
    )
    .await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let page = store::of_subtree(db, &org.path, limit, offset).await?;
    Ok((org, page))
}

/// A member's union, which decides what they may buy.
async fn member_union(db: &Store, phone: &str) -> Result<(WorkerId, Org)> {
    let w = worker_of_phone(db, phone).await?;
    let m = zhijia_store::membership::current(db, w.id)
        .await?
        .ok_or_else(|| AppError::Forbidden("积分商城面向工会会员，请先入会".into()))?;
    let org = org_store::get(db, m.org_id)
        .await?
        .ok_or(AppError::NotFound("所在工会"))?;
    Ok((w.id, org))
}

/// The items on sale to the member of `phone`, with their balance.
#[derive(Debug, Clone)]
pub struct Shelf {
    pub balance: i64,
    pub items: Vec<Item>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn shelf(db: &Store, phone: &str) -> Result<Shelf> {
    let (worker_id, org) = member_union(db, phone).await?;
    Ok(Shelf {
        balance: zhijia_store::points::balance(db, worker_id).await?,
        items: store::for_member(db, &org.path, 100, 0).await?,
    })
}

/// Orders one item with points. Refused, with nothing taken, when the item is gone, the
/// member's limit is reached or their balance is short.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn order(
    db: &Store,
    phone: &str,
    item_id: MallItemId,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Order> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > crate::benefit::MAX_KEY_CHARS {
        return Err(AppError::invalid(
            "idempotency_key",
            "请求须带1到64个字符的幂等键(Idempotency-Key)",
        ));
    }
    let (worker_id, org) = member_union(db, phone).await?;
    let mut tx = db.change().await?;
    let item = store::lock_item(&mut tx, item_id)
        .await?
        .filter(|i| i.org_path.contains(&org.path))
        .ok_or(AppError::NotFound("商品"))?;
    if let Some(o) = store::order_by_key(&mut tx, worker_id, key).await? {
        if o.item_id != item_id {
            return Err(AppError::Conflict(
                "该幂等键已用于兑换另一件商品，请换一个".into(),
            ));
        }
        return Ok(o);
    }
    if item.status != MallItemStatus::OnSale {
        return Err(AppError::Conflict("该商品已下架".into()));
    }
    if store::ordered_by(&mut tx, item.id, worker_id).await? >= item.per_member_limit {
        return Err(AppError::Conflict(format!(
            "每人限兑{}件，您已兑换",
            item.per_member_limit
        )));
    }
    if !store::take_one(&mut tx, item.id).await? {
        return Err(AppError::Conflict("已兑完".into()));
    }
    let note = format!("兑换：{}", item.title);
    if zhijia_store::points::spend(&mut tx, worker_id, item.points, Some(item.org_id), &note)
        .await?
        .is_none()
    {
        return Err(AppError::Conflict(format!(
            "积分不足：需要 {} 积分",
            item.points
        )));
    }
    let id = store::insert_order(&mut tx, item.id, worker_id, item.points, key, now).await?;
    let o = store::order_by_key(&mut tx, worker_id, key)
        .await?
        .ok_or(AppError::NotFound("订单"))?;
    debug_assert_eq!(o.id, id);
    tx.commit_unaudited(zhijia_store::Unaudited::OwnHistory)
        .await?;
    Ok(o)
}

/// The member's orders, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn my_orders(
    db: &Store,
    phone: &str,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<zhijia_store::Page<Order>> {
    let w = worker_of_phone(db, phone).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    Ok(store::orders_of(db, w.id, limit, offset).await?)
}
