//! Staff accounts: creation by an operator, password sign-in with lock-out, password change,
//! and role grants scoped to the granter's branch of the tree. Every step is audited in the
//! transaction that makes it.

use crate::{AppError, Result, slow};
use chrono::Utc;
use zhijia_domain::audit::{Actor, ActorKind, action};
use zhijia_domain::auth::{self, Role, SignInDelay, StaffId};
use zhijia_domain::org::OrgId;
use zhijia_store::audit::{self, Record};
use zhijia_store::staff::{self as store, Staff};
use zhijia_store::{Recorded, Store, Tx, Unaudited, org as org_store};

/// A new staff account with a generated first password that must be changed at first sign-in.
pub struct Created {
    pub staff: StaffId,
    pub initial_password: String,
}

/// `zhijia admin create`: an account with `org_admin` on `org`.
#[tracing::instrument(level = "debug", skip_all)]
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
/// The answer to a try made before the wait its failures earned was over.
fn too_soon(wait: chrono::Duration) -> AppError {
    AppError::TooMany(format!(
        "密码错误次数较多，请 {}后再试",
        auth::wait_text(wait)
    ))
}

/// Sign-in attempts (right or wrong) allowed per client address, and per account from one
/// address, in `SIGN_IN_WINDOW_MINUTES`: enough for an office behind one address, too few for a
/// guessing loop to fill the audit log or keep the writer busy.
pub const SIGN_INS_PER_ADDRESS: i64 = 60;
pub const SIGN_INS_PER_ACCOUNT: i64 = 20;
pub const SIGN_IN_WINDOW_MINUTES: i64 = 10;

/// Counts a sign-in attempt against the limits, in the database so every server process shares
/// them. A refusal is audited once per limit and window, not once per attempt.
async fn sign_in_allowed(db: &Store, username: &str, ip: Option<&str>) -> Result<()> {
    use zhijia_store::sms::throttle;
    let now = Utc::now();
    let window = now - chrono::Duration::minutes(SIGN_IN_WINDOW_MINUTES);
    let mut keys = vec![(
        format!("sign-in:user:{username}:{}", ip.unwrap_or("-")),
        SIGN_INS_PER_ACCOUNT,
    )];
    if let Some(ip) = ip {
        keys.push((format!("sign-in:ip:{ip}"), SIGN_INS_PER_ADDRESS));
    }
    let mut tx = db.change().await?;
    for (key, max) in keys {
        if throttle(&mut tx, &key, now, now, window, max).await? {
            continue;
        }
        let first = throttle(&mut tx, &format!("{key}:refused"), now, now, window, 1).await?;
        let refusal = AppError::TooMany(format!(
            "登录尝试过于频繁，请 {SIGN_IN_WINDOW_MINUTES} 分钟后再试"
        ));
        if !first {
            tx.commit_unaudited(Unaudited::Throttle).await?;
            return Err(refusal);
        }
        let actor = Actor {
            kind: ActorKind::Staff,
            id: None,
            name: username.to_owned(),
            ip: ip.map(str::to_owned),
        };
        let record = Record {
            action: action::SIGN_IN_THROTTLED,
            detail: Some(format!("{key}：{SIGN_IN_WINDOW_MINUTES}分钟内超过{max}次")),
            ..Default::default()
        };
        let recorded = audit::append(&mut tx, &actor, record).await?;
        tx.commit(recorded).await?;
        return Err(refusal);
    }
    tx.commit_unaudited(Unaudited::Throttle).await?;
    Ok(())
}

pub const DEMO_USERNAME: &str = "demo.admin";
pub const DEMO_PASSWORD: &str = "Demo2026zhijia";

#[tracing::instrument(level = "debug", skip_all)]
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
    let mut tx = db.change().await?;
    store::grant(&mut tx, created.staff, org, Role::CaseHandler, None).await?;
    let recorded = audit::append(
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
    tx.commit(recorded).await?;
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
#[tracing::instrument(level = "debug", skip_all)]
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
    let account = new_account(username, display_name, fixed_password).await?;
    let mut tx = db.change().await?;
    let (staff, recorded) = insert_account(&mut tx, &account, org, role, actor).await?;
    tx.commit(recorded).await?;
    Ok(Created {
        staff,
        initial_password: account.initial_password,
    })
}

/// A checked account whose password is already hashed, so the change that inserts it holds the
/// writer for microseconds, not for Argon2's tens of milliseconds.
pub(crate) struct NewAccount {
    username: String,
    display_name: String,
    hash: String,
    initial_password: String,
    must_change: bool,
}

impl NewAccount {
    pub(crate) fn initial_password(&self) -> &str {
        &self.initial_password
    }
}

/// Checks the names and hashes the first password (generated unless `fixed_password` is given).
pub(crate) async fn new_account(
    username: &str,
    display_name: &str,
    fixed_password: Option<&str>,
) -> Result<NewAccount> {
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
    let hash = slow::hash_password(initial_password.clone()).await?;
    Ok(NewAccount {
        username,
        display_name: display_name.to_owned(),
        hash,
        initial_password,
        must_change: fixed_password.is_none(),
    })
}

/// Inserts the account with its one role on `org`, and the audit entries of both.
pub(crate) async fn insert_account(
    tx: &mut Tx,
    account: &NewAccount,
    org: OrgId,
    role: Role,
    actor: &Actor,
) -> Result<(StaffId, Recorded)> {
    let target = org_store::get(&mut *tx, org)
        .await?
        .ok_or(AppError::NotFound("工会组织"))?;
    let username = &account.username;
    let staff = store::insert(
        tx,
        username,
        &account.display_name,
        &account.hash,
        account.must_change,
    )
    .await
    .map_err(|e| {
        if e.is_conflict_on(zhijia_store::unique::STAFF_USERNAME) {
            AppError::Conflict(format!("用户名“{username}”已被使用"))
        } else {
            e.into()
        }
    })?;
    store::grant(tx, staff, target.id, role, None).await?;
    let record = |act| Record {
        action: act,
        org: Some(target.id),
        target_kind: Some("staff"),
        target_id: Some(staff.0.to_string()),
        detail: None,
    };
    let _ = audit::append(tx, actor, record(action::STAFF_CREATED)).await?;
    let recorded = audit::append(
        tx,
        actor,
        Record {
            detail: Some(role.as_str().to_owned()),
            ..record(action::ROLE_GRANTED)
        },
    )
    .await?;
    Ok((staff, recorded))
}

/// The same answer for an unknown user and a wrong password, so sign-in does not reveal which
/// usernames exist.
fn wrong() -> AppError {
    AppError::Unauthorized("用户名或密码不正确".into())
}

/// A hash to check unknown usernames against, so that an unknown user costs the same time as
/// a wrong password and timing does not tell which usernames exist.
async fn decoy_hash() -> Result<&'static str> {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_try_init(|| slow::hash_password(auth::initial_password()))
        .await
        .map(String::as_str)
}

/// Where a sign-in's failures are counted: the account from this address, and the account
/// from every address (`SignInDelay` says why both).
fn delay_keys(username: &str, ip: Option<&str>) -> [(String, SignInDelay); 2] {
    [
        (
            format!("{username}|{}", ip.unwrap_or("-")),
            SignInDelay::PER_ADDRESS,
        ),
        (username.to_owned(), SignInDelay::PER_ACCOUNT),
    ]
}

/// What counting a password check before it runs gave.
enum Reserved {
    /// The check may run; `starts_wait` names the count (address or account) whose free
    /// failures this one uses up, should it be wrong.
    Check { starts_wait: Option<&'static str> },
    /// A wait is not over (or another process counted this failure at the same instant).
    TooSoon(chrono::Duration),
}

/// Counts a password check before it runs, as a wrong one until a right password clears it:
/// one conditional write per key, so however many guesses race, each count lets one through.
async fn reserve_check(db: &Store, keys: &[(String, SignInDelay); 2]) -> Result<Reserved> {
    use zhijia_store::sign_in_delay as delay;
    let now = Utc::now();
    let forget_before = now - chrono::Duration::hours(auth::FAILURE_MEMORY_HOURS);
    let mut tx = db.change().await?;
    let mut starts_wait = None;
    for ((key, rule), scope) in keys.iter().zip(["本地址", "全部地址"]) {
        let seen = delay::get(&mut tx, key).await?;
        if let Some(d) = seen.as_ref().filter(|d| d.not_before > now) {
            // Dropping the transaction forgets what was counted under the other key.
            return Ok(Reserved::TooSoon(d.not_before - now));
        }
        let failures = seen
            .as_ref()
            .filter(|d| d.last_failure_at >= forget_before)
            .map_or(1, |d| d.failures + 1);
        let not_before = now + rule.wait_after(failures);
        let seen = seen.map(|d| d.failures);
        if !delay::count(&mut tx, key, seen, failures, now, not_before).await? {
            return Ok(Reserved::TooSoon(chrono::Duration::seconds(1)));
        }
        if failures == rule.free {
            starts_wait = Some(scope);
        }
    }
    tx.commit_unaudited(Unaudited::Throttle).await?;
    Ok(Reserved::Check { starts_wait })
}

/// Refuses a try that came too soon; audited once per account, address and ten minutes, so a
/// guessing loop does not fill the log.
async fn refuse_too_soon(db: &Store, actor: &Actor, wait: chrono::Duration) -> Result<AppError> {
    use zhijia_store::sms::throttle;
    let now = Utc::now();
    let key = format!(
        "sign-in:delayed:{}|{}",
        actor.name,
        actor.ip.as_deref().unwrap_or("-")
    );
    let window = now - chrono::Duration::minutes(SIGN_IN_WINDOW_MINUTES);
    let mut tx = db.change().await?;
    if throttle(&mut tx, &key, now, now, window, 1).await? {
        let record = Record {
            action: action::SIGN_IN_THROTTLED,
            detail: Some(format!("密码错误次数较多，须等待{}", auth::wait_text(wait))),
            ..Default::default()
        };
        let recorded = audit::append(&mut tx, actor, record).await?;
        tx.commit(recorded).await?;
    } else {
        tx.commit_unaudited(Unaudited::Throttle).await?;
    }
    Ok(too_soon(wait))
}

/// Checks a username and password. Wrong passwords slow further tries down (`SignInDelay`)
/// but never lock the account; every check, right or wrong, is audited.
///
/// Known and unknown names go the same way, in time (an unknown one is checked against a
/// decoy hash) and in words, so neither tells which names exist. The password is checked
/// outside any transaction (Argon2 takes tens of milliseconds, and on SQLite every write
/// waits for the one writer), after the check was counted.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sign_in(
    db: &Store,
    username: &str,
    password: &str,
    ip: Option<&str>,
) -> Result<Staff> {
    let username = auth::parse_username(username).map_err(|_| wrong())?;
    sign_in_allowed(db, &username, ip).await?;
    let staff = store::find_by_username(db, &username).await?;
    let actor = Actor {
        kind: ActorKind::Staff,
        id: staff.as_ref().map(|s| s.id.0),
        name: staff
            .as_ref()
            .map_or(username.clone(), |s| s.username.clone()),
        ip: ip.map(str::to_owned),
    };
    let keys = delay_keys(&username, ip);
    let starts_wait = match reserve_check(db, &keys).await? {
        Reserved::Check { starts_wait } => starts_wait,
        Reserved::TooSoon(wait) => return Err(refuse_too_soon(db, &actor, wait).await?),
    };
    let hash = match &staff {
        Some(s) => s.password_hash.clone(),
        None => decoy_hash().await?.to_owned(),
    };
    let right = slow::verify_password(password.to_owned(), hash).await?;
    let mut tx = db.change().await?;
    let Some(staff) = staff.filter(|_| right) else {
        let detail = if actor.id.is_some() {
            "wrong password"
        } else {
            "unknown user"
        };
        let failed = Record {
            action: action::SIGN_IN_FAILED,
            detail: Some(detail.into()),
            ..Default::default()
        };
        let recorded = audit::append(&mut tx, &actor, failed).await?;
        if let Some(scope) = starts_wait {
            let delayed = Record {
                action: action::SIGN_IN_DELAYED,
                detail: Some(format!("{scope}密码错误次数较多，此后每次须等待")),
                ..Default::default()
            };
            let _ = audit::append(&mut tx, &actor, delayed).await?;
        }
        tx.commit(recorded).await?;
        return Err(wrong());
    };
    for (key, _) in &keys {
        zhijia_store::sign_in_delay::clear(&mut tx, key).await?;
    }
    let recorded = audit::append(
        &mut tx,
        &actor,
        Record {
            action: action::SIGN_IN,
            ..Default::default()
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(staff)
}

/// Changes a password after checking the current one; clears the forced-change flag.
#[tracing::instrument(level = "debug", skip_all)]
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
    if !slow::verify_password(current.to_owned(), account.password_hash.clone()).await? {
        return Err(AppError::invalid("current_password", "当前密码不正确"));
    }
    if current == new {
        return Err(AppError::invalid("password", "新密码不能与当前密码相同"));
    }
    auth::check_password(new, &account.username)?;
    let hash = slow::hash_password(new.to_owned()).await?;
    let mut tx = db.change().await?;
    store::set_password(&mut tx, staff, &hash, false).await?;
    let recorded = audit::append(
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
    tx.commit(recorded).await?;
    Ok(())
}

/// Grants `role` on `org` to `grantee`, if the granter is an `org_admin` at or above `org`.
/// A refused grant is audited too.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn grant(
    db: &Store,
    granter: StaffId,
    grantee: StaffId,
    org: OrgId,
    role: Role,
    actor: &Actor,
) -> Result<bool> {
    let mut tx = db.change().await?;
    let target = org_store::get(&mut tx, org)
        .await?
        .ok_or(AppError::NotFound("工会组织"))?;
    let granter_grants = store::grants(&mut tx, granter).await?;
    let record = |act| Record {
        action: act,
        org: Some(target.id),
        target_kind: Some("staff"),
        target_id: Some(grantee.0.to_string()),
        detail: Some(role.as_str().to_owned()),
    };
    if !auth::may_grant(&granter_grants, &target.path) {
        let recorded = audit::append(&mut tx, actor, record(action::ROLE_GRANT_REFUSED)).await?;
        tx.commit(recorded).await?;
        return Err(AppError::Forbidden(format!(
            "您无权在“{}”授予角色：只能在本级及下级组织授权",
            target.name
        )));
    }
    if store::get(db, grantee).await?.is_none() {
        return Err(AppError::NotFound("工作人员账号"));
    }
    let is_merchant = zhijia_store::benefit::merchant_of_staff(db, grantee)
        .await?
        .is_some();
    if let Err(why) = auth::check_grant(granter.0, grantee.0, is_merchant, role) {
        let recorded = audit::append(&mut tx, actor, record(action::ROLE_GRANT_REFUSED)).await?;
        tx.commit(recorded).await?;
        return Err(AppError::Forbidden(why.into()));
    }
    let added = store::grant(&mut tx, grantee, target.id, role, Some(granter)).await?;
    if !added {
        // Already held: nothing changed, nothing to record.
        return Ok(false);
    }
    let recorded = audit::append(&mut tx, actor, record(action::ROLE_GRANTED)).await?;
    tx.commit(recorded).await?;
    Ok(true)
}

/// Grants a role to the account named `username` (the form and API name people, not ids).
#[tracing::instrument(level = "debug", skip_all)]
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

/// How far back a union sees the approvers' roles granted below it.
pub const GRANTS_BELOW_DAYS: i64 = 90;

/// The administrators, reviewers and aid officers appointed in the unions below `org` in the
/// last `GRANTS_BELOW_DAYS` days, for its administrators: whoever appoints approvers answers to
/// the union above.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sensitive_grants_below(
    db: &Store,
    viewer: StaffId,
    org: OrgId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<store::GrantBelow>> {
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
    let since = now - chrono::Duration::days(GRANTS_BELOW_DAYS);
    Ok(store::sensitive_grants_below(db, &target.path, since, 200).await?)
}

/// Who holds roles on an org, for an `org_admin` at or above it.
#[tracing::instrument(level = "debug", skip_all)]
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
