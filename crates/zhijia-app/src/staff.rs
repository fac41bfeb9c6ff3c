//! Staff accounts: creation by an operator, password sign-in with lock-out, password change,
//! and role grants scoped to the granter's branch of the tree. Every step is audited in the
//! transaction that makes it.

use crate::{AppError, Result};
use chrono::Utc;
use zhijia_domain::audit::{Actor, ActorKind, action};
use zhijia_domain::auth::{self, Role, StaffId};
use zhijia_domain::org::OrgId;
use zhijia_store::audit::{self, Record};
use zhijia_store::staff::{self as store, Staff};
use zhijia_store::{Store, org as org_store};

/// A new staff account with a generated first password that must be changed at first sign-in.
pub struct Created {
    pub staff: StaffId,
    pub initial_password: String,
}

/// `zhijia admin create`: an account with `org_admin` on `org`.
pub async fn create_admin(
    db: &Store,
    username: &str,
    display_name: &str,
    org: OrgId,
    actor: &Actor,
) -> Result<Created> {
    insert_admin(db, username, display_name, org, None, actor).await
}

/// The demo's sign-in: `demo.admin` with a published password, `org_admin` of `org`. Only for
/// `serve --demo`, whose data is synthetic.
pub const DEMO_USERNAME: &str = "demo.admin";
pub const DEMO_PASSWORD: &str = "Demo2026zhijia";

pub async fn create_demo_admin(db: &Store, org: OrgId) -> Result<Created> {
    let actor = Actor::cli("zhijia serve --demo");
    let created = insert_admin(
        db,
        DEMO_USERNAME,
        "演示管理员",
        org,
        Some(DEMO_PASSWORD),
        &actor,
    )
    .await?;
    // The demo account also handles cases, so a newcomer sees the rights-protection console
    // with the same sign-in.
    let mut tx = db.begin().await?;
    store::grant(&mut tx, created.staff, org, Role::CaseHandler, None).await?;
    audit::append(
        &mut tx,
        &actor,
        Record {
            action: action::ROLE_GRANTED,
            org: Some(org),
            target_kind: Some("staff"),
            target_id: Some(created.staff.0.to_string()),
            detail: Some(Role::CaseHandler.as_str().to_owned()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

async fn insert_admin(
    db: &Store,
    username: &str,
    display_name: &str,
    org: OrgId,
    fixed_password: Option<&str>,
    actor: &Actor,
) -> Result<Created> {
    insert_with_role(
        db,
        username,
        display_name,
        org,
        Role::OrgAdmin,
        fixed_password,
        actor,
    )
    .await
}

/// An account with one role on `org` (a merchant's staff, say); prints nothing, returns the
/// first password, which must be changed at first sign-in.
pub async fn create_with_role(
    db: &Store,
    username: &str,
    display_name: &str,
    org: OrgId,
    role: Role,
    actor: &Actor,
) -> Result<Created> {
    insert_with_role(db, username, display_name, org, role, None, actor).await
}

async fn insert_with_role(
    db: &Store,
    username: &str,
    display_name: &str,
    org: OrgId,
    role: Role,
    fixed_password: Option<&str>,
    actor: &Actor,
) -> Result<Created> {
    let username = auth::parse_username(username)?;
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return Err(AppError::invalid("display_name", "姓名应为1至50个字"));
    }
    let initial_password = match fixed_password {
        Some(p) => {
            auth::check_password(p, &username)?;
            p.to_owned()
        }
        None => auth::initial_password(),
    };
    let hash = auth::hash_password(&initial_password)?;
    let mut tx = db.begin().await?;
    let target = org_store::get_in(&mut tx, org)
        .await?
        .ok_or(AppError::NotFound("工会组织"))?;
    let staff = store::insert(
        &mut tx,
        &username,
        display_name,
        &hash,
        fixed_password.is_none(),
    )
    .await
    .map_err(|e| {
        if e.is_conflict_on("username") {
            AppError::Conflict(format!("用户名“{username}”已被使用"))
        } else {
            e.into()
        }
    })?;
    store::grant(&mut tx, staff, target.id, role, None).await?;
    let record = |act| Record {
        action: act,
        org: Some(target.id),
        target_kind: Some("staff"),
        target_id: Some(staff.0.to_string()),
        detail: None,
    };
    audit::append(&mut tx, actor, record(action::STAFF_CREATED)).await?;
    audit::append(
        &mut tx,
        actor,
        Record {
            detail: Some(role.as_str().to_owned()),
            ..record(action::ROLE_GRANTED)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        staff,
        initial_password,
    })
}

/// The same answer for an unknown user and a wrong password, so sign-in does not reveal which
/// usernames exist.
fn wrong() -> AppError {
    AppError::Unauthorized("用户名或密码不正确".into())
}

/// Checks a username and password. Five wrong passwords in a row lock the account for fifteen
/// minutes; every attempt, right or wrong, is audited.
pub async fn sign_in(
    db: &Store,
    username: &str,
    password: &str,
    ip: Option<&str>,
) -> Result<Staff> {
    let username = auth::parse_username(username).map_err(|_| wrong())?;
    let mut tx = db.begin().await?;
    let Some(staff) = store::by_username(&mut tx, &username).await? else {
        let actor = Actor {
            kind: ActorKind::Staff,
            id: None,
            name: username.clone(),
            ip: ip.map(str::to_owned),
        };
        audit::append(
            &mut tx,
            &actor,
            Record {
                action: action::SIGN_IN_FAILED,
                detail: Some("unknown user".into()),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        return Err(wrong());
    };
    let actor = Actor {
        kind: ActorKind::Staff,
        id: Some(staff.id.0),
        name: staff.username.clone(),
        ip: ip.map(str::to_owned),
    };
    let now = Utc::now();
    if let Some(until) = staff.locked_until.filter(|u| *u > now) {
        audit::append(
            &mut tx,
            &actor,
            Record {
                action: action::SIGN_IN_FAILED,
                detail: Some("locked".into()),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        let minutes = (until - now).num_minutes() + 1;
        return Err(AppError::Forbidden(format!(
            "密码错误次数过多，账号已锁定，请 {minutes} 分钟后再试"
        )));
    }
    if !auth::verify_password(password, &staff.password_hash) {
        let (failures, lock) = auth::after_failure(staff.failed_attempts, now);
        store::record_failure(&mut tx, staff.id, failures, lock).await?;
        audit::append(
            &mut tx,
            &actor,
            Record {
                action: action::SIGN_IN_FAILED,
                detail: Some("wrong password".into()),
                ..Default::default()
            },
        )
        .await?;
        if lock.is_some() {
            audit::append(
                &mut tx,
                &actor,
                Record {
                    action: action::ACCOUNT_LOCKED,
                    ..Default::default()
                },
            )
            .await?;
        }
        tx.commit().await?;
        return Err(wrong());
    }
    store::record_success(&mut tx, staff.id).await?;
    audit::append(
        &mut tx,
        &actor,
        Record {
            action: action::SIGN_IN,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(staff)
}

/// Changes a password after checking the current one; clears the forced-change flag.
pub async fn change_password(
    db: &Store,
    staff: StaffId,
    current: &str,
    new: &str,
    actor: &Actor,
) -> Result<()> {
    let account = store::get(db, staff)
        .await?
        .ok_or(AppError::NotFound("工作人员账号"))?;
    if !auth::verify_password(current, &account.password_hash) {
        return Err(AppError::invalid("current_password", "当前密码不正确"));
    }
    if current == new {
        return Err(AppError::invalid("password", "新密码不能与当前密码相同"));
    }
    auth::check_password(new, &account.username)?;
    let hash = auth::hash_password(new)?;
    let mut tx = db.begin().await?;
    store::set_password(&mut tx, staff, &hash, false).await?;
    audit::append(
        &mut tx,
        actor,
        Record {
            action: action::PASSWORD_CHANGED,
            target_kind: Some("staff"),
            target_id: Some(staff.0.to_string()),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Grants `role` on `org` to `grantee`, if the granter is an `org_admin` at or above `org`.
/// A refused grant is audited too.
pub async fn grant(
    db: &Store,
    granter: StaffId,
    grantee: StaffId,
    org: OrgId,
    role: Role,
    actor: &Actor,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let target = org_store::get_in(&mut tx, org)
        .await?
        .ok_or(AppError::NotFound("工会组织"))?;
    let granter_grants = store::grants_in(&mut tx, granter).await?;
    let record = |act| Record {
        action: act,
        org: Some(target.id),
        target_kind: Some("staff"),
        target_id: Some(grantee.0.to_string()),
        detail: Some(role.as_str().to_owned()),
    };
    if !auth::may_grant(&granter_grants, &target.path) {
        audit::append(&mut tx, actor, record(action::ROLE_GRANT_REFUSED)).await?;
        tx.commit().await?;
        return Err(AppError::Forbidden(format!(
            "您无权在“{}”授予角色：只能在本级及下级组织授权",
            target.name
        )));
    }
    if store::get(db, grantee).await?.is_none() {
        return Err(AppError::NotFound("工作人员账号"));
    }
    let added = store::grant(&mut tx, grantee, target.id, role, Some(granter)).await?;
    if added {
        audit::append(&mut tx, actor, record(action::ROLE_GRANTED)).await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// Grants a role to the account named `username` (the form and API name people, not ids).
pub async fn grant_by_username(
    db: &Store,
    granter: StaffId,
    username: &str,
    org: OrgId,
    role: Role,
    actor: &Actor,
) -> Result<bool> {
    let username = auth::parse_username(username)?;
    let grantee = store::find_by_username(db, &username)
        .await?
        .ok_or_else(|| {
            AppError::invalid("username", format!("没有用户名为“{username}”的工作人员"))
        })?;
    grant(db, granter, grantee.id, org, role, actor).await
}

/// Who holds roles on an org, for an `org_admin` at or above it.
pub async fn holders(db: &Store, viewer: StaffId, org: OrgId) -> Result<Vec<store::Holder>> {
    let target = org_store::get(db, org)
        .await?
        .ok_or(AppError::NotFound("工会组织"))?;
    if !auth::holds(
        &store::grants(db, viewer).await?,
        Role::OrgAdmin,
        &target.path,
    ) {
        return Err(AppError::Forbidden(
            "只有本级或上级组织管理员可以查看和授予角色".into(),
        ));
    }
    Ok(store::holders(db, org).await?)
}
