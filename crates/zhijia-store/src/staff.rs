//! Staff accounts and their role grants.

use crate::db::{Exec, FromRow, Row, Store, Tx};
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use zhijia_domain::auth::{Grant, Role, StaffId};
use zhijia_domain::org::{OrgId, OrgPath};

#[derive(Debug, Clone)]
pub struct Staff {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
}

impl FromRow for Staff {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Staff {
            id: row.id("id")?,
            username: row.get("username")?,
            display_name: row.get("display_name")?,
            password_hash: row.get("password_hash")?,
            must_change_password: row.get("must_change_password")?,
        })
    }
}

/// The `role` column as a role; an unknown stored one is a decode error.
fn role(row: &Row<'_, '_>) -> Result<Role> {
    Role::parse(&row.get::<String>("role")?).map_err(|e| StoreError::Decode(e.message))
}

impl FromRow for Grant {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let role = role(row)?;
        let org_path = OrgPath::from_stored(row.get("path")?)
            .map_err(|p| StoreError::Decode(format!("组织路径“{p}”格式不正确")))?;
        Ok(Grant { role, org_path })
    }
}

macro_rules! staff_select {
    ($where:literal) => {
        concat!(
            "SELECT id, username, display_name, password_hash, must_change_password, \
             failed_attempts, locked_until FROM staff ",
            $where
        )
    };
}

const INSERT: &str = "INSERT INTO staff (username, display_name, password_hash, \
     must_change_password, failed_attempts, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id";
const BY_USERNAME: &str = staff_select!("WHERE username = $1");
const BY_ID: &str = staff_select!("WHERE id = $1");
// A password check is reserved before it runs, by one conditional increment: however many
// guesses race (on one process or several), at most `$3` are checked per lock window. The
// reservation that reaches `$3` also sets the lock (`$4`), so the account is locked even if
// nothing after the check is ever written (a cancelled request, a failed commit); a right
// password clears it. A lock that has run out starts the count again.
const SET_PASSWORD: &str = "UPDATE staff SET password_hash = $2, must_change_password = $3, \
     updated_at = $4 WHERE id = $1";
const GRANTS: &str = "SELECT g.role, o.path FROM role_grant g JOIN org o ON o.id = g.org_id \
     WHERE g.staff_id = $1 ORDER BY o.path, g.role";
const GRANT: &str = "INSERT INTO role_grant (staff_id, org_id, role, granted_by, granted_at) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (staff_id, org_id, role) DO NOTHING";
const REVOKE: &str = "DELETE FROM role_grant WHERE staff_id = $1 AND org_id = $2 AND role = $3";

pub async fn insert(
    tx: &mut Tx,
    username: &str,
    display_name: &str,
    hash: &str,
    must_change: bool,
) -> Result<StaffId> {
    let id: i64 = tx
        .query_one(
            INSERT,
            &[&username, &display_name, &hash, &must_change, &Utc::now()],
        )
        .await?;
    Ok(StaffId(id))
}

pub async fn by_username(tx: &mut Tx, username: &str) -> Result<Option<Staff>> {
    tx.query_opt(BY_USERNAME, &[&username]).await
}

pub async fn get(store: &Store, id: StaffId) -> Result<Option<Staff>> {
    store.query_opt(BY_ID, &[&id.0]).await
}

pub async fn set_password(tx: &mut Tx, id: StaffId, hash: &str, must_change: bool) -> Result<()> {
    tx.execute(SET_PASSWORD, &[&id.0, &hash, &must_change, &Utc::now()])
        .await
        .map(|_| ())
}

pub async fn grants(db: impl Into<Exec<'_>>, id: StaffId) -> Result<Vec<Grant>> {
    db.into().query(GRANTS, &[&id.0]).await
}

/// Grants a role; `false` if the staff member already held it there.
pub async fn grant(
    tx: &mut Tx,
    staff: StaffId,
    org: OrgId,
    role: Role,
    by: Option<StaffId>,
) -> Result<bool> {
    let n = tx
        .execute(
            GRANT,
            &[
                &staff.0,
                &org.0,
                &role.as_str(),
                &by.map(|b| b.0),
                &Utc::now(),
            ],
        )
        .await?;
    Ok(n == 1)
}

/// Takes a role back; `false` if it was not held.
pub async fn revoke(tx: &mut Tx, staff: StaffId, org: OrgId, role: Role) -> Result<bool> {
    Ok(tx
        .execute(REVOKE, &[&staff.0, &org.0, &role.as_str()])
        .await?
        == 1)
}

/// Who holds which role on one org.
#[derive(Debug, Clone)]
pub struct Holder {
    pub staff_id: StaffId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl FromRow for Holder {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Holder {
            staff_id: row.id("staff_id")?,
            username: row.get("username")?,
            display_name: row.get("display_name")?,
            role: role(row)?,
        })
    }
}

const HOLDERS: &str = "SELECT g.staff_id, s.username, s.display_name, g.role FROM role_grant g \
     JOIN staff s ON s.id = g.staff_id WHERE g.org_id = $1 ORDER BY s.username, g.role";

/// A role granted in a union below the one looking.
#[derive(Debug, Clone)]
pub struct GrantBelow {
    pub org_id: OrgId,
    pub org_name: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub granted_by: Option<String>,
    pub granted_at: DateTime<Utc>,
}

impl FromRow for GrantBelow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(GrantBelow {
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            username: row.get("username")?,
            display_name: row.get("display_name")?,
            role: role(row)?,
            granted_by: row.get("granted_by")?,
            granted_at: row.get("granted_at")?,
        })
    }
}

/// Grants of the sensitive roles in the unions strictly below `scope` since `since`, newest first.
const SENSITIVE_BELOW: &str = "SELECT g.org_id, o.name AS org_name, s.username, s.display_name, \
     g.role, b.username AS granted_by, g.granted_at FROM role_grant g \
     JOIN org o ON o.id = g.org_id JOIN staff s ON s.id = g.staff_id \
     LEFT JOIN staff b ON b.id = g.granted_by \
     WHERE o.path > $1 AND o.path < $2 AND g.granted_at >= $3 \
     AND g.role IN ('org_admin', 'reviewer', 'aid_officer') \
     ORDER BY g.granted_at DESC, g.id DESC LIMIT $4";

pub async fn sensitive_grants_below(
    store: &Store,
    scope: &OrgPath,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<GrantBelow>> {
    store
        .query(
            SENSITIVE_BELOW,
            &[
                &scope.as_str(),
                &scope.subtree_upper_bound(),
                &since,
                &limit,
            ],
        )
        .await
}

pub async fn holders(store: &Store, org: OrgId) -> Result<Vec<Holder>> {
    store.query(HOLDERS, &[&org.0]).await
}

pub async fn find_by_username(store: &Store, username: &str) -> Result<Option<Staff>> {
    store.query_opt(BY_USERNAME, &[&username]).await
}
