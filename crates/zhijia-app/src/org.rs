//! Use cases of the union tree: create, rename, move a subtree, and the reads the pages need.

use crate::{AppError, Result};
use zhijia_domain::audit::{Actor, action};
use zhijia_domain::org::{self as rules, OrgId, OrgInput, OrgLevel};
use zhijia_store::audit::{self, Record};
use zhijia_store::org::{self as store, Org, OrgMove, Page};
use zhijia_store::{Store, StoreError};

#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(db: &Store, id: OrgId) -> Result<Org> {
    store::get(db, id)
        .await?
        .ok_or(AppError::NotFound("工会组织"))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn children(db: &Store, id: OrgId, limit: i64, offset: i64) -> Result<Page<Org>> {
    get(db, id).await?;
    Ok(store::children(db, id, limit, offset).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn roots(db: &Store, limit: i64, offset: i64) -> Result<Page<Org>> {
    Ok(store::roots(db, limit, offset).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn subtree(db: &Store, id: OrgId, limit: i64, offset: i64) -> Result<Page<Org>> {
    let org = get(db, id).await?;
    Ok(store::subtree(db, &org.path, limit, offset).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn search(
    db: &Store,
    within: OrgId,
    text: &str,
    limit: i64,
    offset: i64,
) -> Result<Page<Org>> {
    let org = get(db, within).await?;
    let text = text.trim();
    if text.chars().count() > 50 {
        return Err(AppError::invalid("q", "搜索词不能超过50个字"));
    }
    Ok(store::search(db, &org.path, text, limit, offset).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn ancestors(db: &Store, org: &Org) -> Result<Vec<Org>> {
    Ok(store::ancestors(db, &org.path).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn moves(db: &Store, id: OrgId) -> Result<Vec<OrgMove>> {
    get(db, id).await?;
    Ok(store::moves(db, id).await?)
}

fn placement_error(child: OrgLevel, parent: &Org) -> AppError {
    AppError::invalid(
        "parent_id",
        format!(
            "{}不能设在{}“{}”之下",
            child.label(),
            parent.level.label(),
            parent.name
        ),
    )
}

/// Creates an org under its parent after checking every field and the place in the tree.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(db: &Store, input: &OrgInput, actor: &Actor) -> Result<Org> {
    let new = input.validate()?;
    let mut tx = db.change().await?;
    let parent = match new.parent_id {
        Some(pid) => {
            let parent = store::get(&mut tx, pid)
                .await?
                .ok_or_else(|| AppError::invalid("parent_id", "上级工会不存在"))?;
            if !rules::may_sit_under(new.level, new.kind, parent.level) {
                return Err(placement_error(new.level, &parent));
            }
            Some(parent)
        }
        None => None,
    };
    let org = store::insert(&mut tx, &new, parent.as_ref())
        .await
        .map_err(conflict_in_words)?;
    let record = Record {
        action: action::ORG_CREATED,
        org: Some(org.id),
        detail: Some(org.name.clone()),
        ..Default::default()
    };
    let recorded = audit::append(&mut tx, actor, record).await?;
    tx.commit(recorded).await?;
    tracing::info!(org = %org.id, name = %org.name, "org created");
    Ok(org)
}

fn conflict_in_words(e: StoreError) -> AppError {
    if e.is_conflict_on(zhijia_store::unique::ORG_EMPLOYER_CREDIT_CODE) {
        AppError::Conflict("该用人单位已经建立了基层工会(统一社会信用代码重复)".into())
    } else if e.is_conflict_on(zhijia_store::unique::ORG_CREDIT_CODE) {
        AppError::Conflict("该统一社会信用代码已被另一个工会使用".into())
    } else {
        e.into()
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn rename(db: &Store, id: OrgId, name: &str, actor: &Actor) -> Result<Org> {
    let name = rules::parse_name(name)?;
    let mut tx = db.change().await?;
    if store::rename(&mut tx, id, &name).await? == 0 {
        return Err(AppError::NotFound("工会组织"));
    }
    let org = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("工会组织"))?;
    let record = Record {
        action: action::ORG_RENAMED,
        org: Some(id),
        detail: Some(name),
        ..Default::default()
    };
    let recorded = audit::append(&mut tx, actor, record).await?;
    tx.commit(recorded).await?;
    Ok(org)
}

/// Moves an org and everything below it under a new parent, in one transaction. Memberships
/// and every other business row keep pointing at the same org ids, so nothing else changes.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn move_subtree(db: &Store, id: OrgId, new_parent: OrgId, actor: &Actor) -> Result<u64> {
    let mut tx = db.change().await?;
    let org = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("工会组织"))?;
    let parent = store::get(&mut tx, new_parent)
        .await?
        .ok_or_else(|| AppError::invalid("parent_id", "新的上级工会不存在"))?;
    if org.path.contains(&parent.path) {
        return Err(AppError::invalid(
            "parent_id",
            "不能把工会移到它自己或它的下级工会之下",
        ));
    }
    if org.parent_id == Some(parent.id) {
        return Err(AppError::invalid(
            "parent_id",
            format!("“{}”已经在“{}”之下", org.name, parent.name),
        ));
    }
    if !rules::may_sit_under(org.level, org.kind, parent.level) {
        return Err(placement_error(org.level, &parent));
    }
    let moved = store::move_subtree(&mut tx, &org, &parent, &actor.name).await?;
    let detail = format!(
        "{} -> {} ({moved})",
        org.path.as_str(),
        parent.path.as_str()
    );
    let recorded = audit::append(
        &mut tx,
        actor,
        Record {
            action: action::ORG_MOVED,
            org: Some(id),
            detail: Some(detail),
            ..Default::default()
        },
    )
    .await?;
    tx.commit(recorded).await?;
    tracing::info!(org = %org.id, to = %parent.id, moved, actor = %actor.name, "org subtree moved");
    Ok(moved)
}

/// The regional union of a county-level region (GB/T 2260): the county's union, else its
/// city's, else its province's; where join applications and cases go when no employer's union
/// takes them.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn regional_union(db: &Store, county: &str) -> Result<Option<Org>> {
    let (Some(city), Some(province)) = (county.get(..4), county.get(..2)) else {
        return Ok(None);
    };
    let city = format!("{city}00");
    let province = format!("{province}0000");
    for (code, level) in [
        (county, OrgLevel::County),
        (city.as_str(), OrgLevel::City),
        (province.as_str(), OrgLevel::Province),
    ] {
        if let Some(org) = store::find_by_region(db, code, level).await? {
            return Ok(Some(org));
        }
    }
    Ok(None)
}
