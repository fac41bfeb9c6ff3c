//! What the points-mall API answers: views of the store's rows with the JSON's field names.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_app::mall::Shelf;
use zhijia_domain::ids::{MallItemId, MallOrderId, OrgId};
use zhijia_domain::points::MallItemStatus;
use zhijia_store::mall::{Item, Order};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemView {
    #[schema(value_type = i64)]
    pub id: MallItemId,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub title: String,
    pub description: String,
    pub points: i64,
    pub stock_total: i64,
    pub stock_left: i64,
    pub per_member_limit: i64,
    /// `on_sale` or `withdrawn`.
    #[schema(value_type = String)]
    pub status: MallItemStatus,
    pub created_at: DateTime<Utc>,
}

impl From<&Item> for ItemView {
    fn from(i: &Item) -> Self {
        ItemView {
            id: i.id,
            org_id: i.org_id,
            org_name: i.org_name.clone(),
            title: i.title.clone(),
            description: i.description.clone(),
            points: i.points,
            stock_total: i.stock_total,
            stock_left: i.stock_left,
            per_member_limit: i.per_member_limit,
            status: i.status,
            created_at: i.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    #[schema(value_type = i64)]
    pub id: MallOrderId,
    #[schema(value_type = i64)]
    pub item_id: MallItemId,
    pub item_title: String,
    pub points: i64,
    pub created_at: DateTime<Utc>,
}

impl From<&Order> for OrderView {
    fn from(o: &Order) -> Self {
        OrderView {
            id: o.id,
            item_id: o.item_id,
            item_title: o.item_title.clone(),
            points: o.points,
            created_at: o.created_at,
        }
    }
}

/// The items on sale to a member, with their balance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShelfView {
    pub balance: i64,
    pub items: Vec<ItemView>,
}

impl From<&Shelf> for ShelfView {
    fn from(s: &Shelf) -> Self {
        ShelfView {
            balance: s.balance,
            items: s.items.iter().map(ItemView::from).collect(),
        }
    }
}
