//! The union tree in the store. Business rows keep an org id, never a copy of the path, so a
//! move rewrites only this table.

use crate::db::{Exec, FromRow, Row, Store, Tx};
use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use zhijia_domain::org::{NewOrg, OrgId, OrgKind, OrgLevel, OrgPath};

/// An org as stored, with the number of its direct children for tree browsing.
#[derive(Debug, Clone)]
pub struct Org {
    pub id: OrgId,
    pub parent_id: Option<OrgId>,
    pub path: OrgPath,
    pub depth: i64,
    pub name: String,
    pub level: OrgLevel,
    pub kind: OrgKind,
    pub region_code: String,
    pub credit_code: Option<String>,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub industry_code: Option<String>,
    pub chair: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub child_count: i64,
}

impl FromRow for Org {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let decode = |e: zhijia_domain::ValidationError| StoreError::Decode(e.message);
        let path: String = row.get("path")?;
        Ok(Org {
            id: row.id("id")?,
            parent_id: row.id_opt("parent_id")?,
            path: OrgPath::from_stored(path)
                .map_err(|p| StoreError::Decode(format!("组织路径“{p}”格式不正确")))?,
            depth: row.get("depth")?,
            name: row.get("name")?,
            level: OrgLevel::parse(&row.get::<String>("level")?).map_err(decode)?,
            kind: OrgKind::parse(&row.get::<String>("kind")?).map_err(decode)?,
            region_code: row.get("region_code")?,
            credit_code: row.get("credit_code")?,
            employer_name: row.get("employer_name")?,
            employer_credit_code: row.get("employer_credit_code")?,
            industry_code: row.get("industry_code")?,
            chair: row.get("chair")?,
            founded_on: row.get("founded_on")?,
            child_count: row.get("child_count")?,
        })
    }
}

/// The columns of `Org`, shared by every query that returns one.
macro_rules! org_select {
    ($($rest:literal),*) => {
        concat!(
            "SELECT o.id, o.parent_id, o.path, o.depth, o.name, o.level, o.kind, o.region_code, \
             o.credit_code, o.employer_name, o.employer_credit_code, o.industry_code, o.chair, o.founded_on, \
             (SELECT COUNT(*) FROM org c WHERE c.parent_id = o.id) AS child_count FROM org o ",
            $($rest),*
        )
    };
}

const GET: &str = org_select!("WHERE o.id = $1");
const CHILDREN: &str = org_select!(
    "WHERE o.parent_id = $1 ORDER BY o.region_code, o.kind, o.name, o.id LIMIT $2 OFFSET $3"
);
const COUNT_CHILDREN: &str = "SELECT COUNT(*) FROM org WHERE parent_id = $1";
const ROOTS: &str = org_select!(
    "WHERE o.parent_id IS NULL ORDER BY o.region_code, o.kind, o.name, o.id LIMIT $1 OFFSET $2"
);
const COUNT_ROOTS: &str = "SELECT COUNT(*) FROM org WHERE parent_id IS NULL";
const SUBTREE: &str =
    org_select!("WHERE o.path >= $1 AND o.path < $2 ORDER BY o.path LIMIT $3 OFFSET $4");
const COUNT_SUBTREE: &str = "SELECT COUNT(*) FROM org WHERE path >= $1 AND path < $2";
const BY_CREDIT_CODE: &str = org_select!("WHERE o.credit_code = $1");
const BY_EMPLOYER: &str = org_select!("WHERE o.employer_credit_code = $1");
const BY_REGION_LEVEL: &str = org_select!(
    "WHERE o.region_code = $1 AND o.level = $2 AND o.kind = 'general' ORDER BY o.id LIMIT 1"
);
const BY_GIG: &str = org_select!(
    "WHERE o.gig_occupation = $1 AND o.region_code = $2 AND o.kind = 'industry' ORDER BY o.id LIMIT 1"
);
const WITH_EMPLOYER: &str =
    org_select!("WHERE o.employer_credit_code IS NOT NULL ORDER BY o.id LIMIT $1");
const ANY_GIG: &str =
    org_select!("WHERE o.gig_occupation = $1 AND o.kind = 'industry' ORDER BY o.id LIMIT 1");
const SET_GIG: &str = "UPDATE org SET gig_occupation = $2, updated_at = $3 WHERE id = $1";
const SEARCH: &str = org_select!(
    "WHERE o.path >= $1 AND o.path < $2 AND o.name LIKE $3 ESCAPE '\\' ORDER BY o.depth, o.name LIMIT $4 OFFSET $5"
);
const COUNT_SEARCH: &str =
    "SELECT COUNT(*) FROM org WHERE path >= $1 AND path < $2 AND name LIKE $3 ESCAPE '\\'";

/// Grassroots unions whose employer's name contains the text or whose employer credit code
/// starts with it: the employers a worker may pick on the join form.
const EMPLOYERS_MATCHING: &str = org_select!(
    "WHERE o.employer_credit_code IS NOT NULL AND (o.employer_name LIKE $1 ESCAPE '\\' \
     OR o.employer_credit_code LIKE $2 ESCAPE '\\') ORDER BY o.employer_name, o.id LIMIT $3"
);
const EMPLOYERS_NAMED: &str = org_select!(
    "WHERE o.employer_credit_code IS NOT NULL AND o.employer_name = $1 ORDER BY o.id LIMIT 2"
);
/// Unions of one level whose name contains the text (the township picker of the join form).
const LEVEL_MATCHING: &str =
    org_select!("WHERE o.level = $1 AND o.name LIKE $2 ESCAPE '\\' ORDER BY o.name, o.id LIMIT $3");
const LEVEL_NAMED: &str = org_select!("WHERE o.level = $1 AND o.name = $2 ORDER BY o.id LIMIT 20");

const INSERT: &str = "INSERT INTO org (parent_id, path, depth, name, level, kind, region_code, \
     credit_code, employer_name, employer_credit_code, industry_code, chair, founded_on, \
     created_at, updated_at) \
     VALUES ($1, '', 0, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id";
const SET_PATH: &str = "UPDATE org SET path = $2, depth = $3 WHERE id = $1";
const RENAME: &str = "UPDATE org SET name = $2, updated_at = $3 WHERE id = $1";
/// Rewrites the path prefix of a whole subtree in one statement. `CAST(... AS TEXT)` gives the
/// parameters a type PostgreSQL can infer inside `||` and `length()`.
const MOVE_PATHS: &str = "UPDATE org SET \
     path = CAST($1 AS TEXT) || substr(path, length(CAST($2 AS TEXT)) + 1), \
     depth = depth + $4, updated_at = $5 \
     WHERE path >= $2 AND path < $3";
const SET_PARENT: &str = "UPDATE org SET parent_id = $2 WHERE id = $1";
const INSERT_MOVE: &str = "INSERT INTO org_move (org_id, from_parent_id, to_parent_id, from_path, \
     to_path, descendants, moved_by, moved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const MOVES: &str = "SELECT id, org_id, from_parent_id, to_parent_id, from_path, to_path, \
     descendants, moved_by, moved_at FROM org_move WHERE org_id = $1 ORDER BY moved_at DESC, id DESC";

pub use crate::Page;

pub async fn get(db: impl Into<Exec<'_>>, id: OrgId) -> Result<Option<Org>> {
    db.into().query_opt(GET, &[&id.0]).await
}

pub async fn find_by_credit_code(store: &Store, code: &str) -> Result<Option<Org>> {
    store.query_opt(BY_CREDIT_CODE, &[&code]).await
}

/// The grassroots union inside the employer with this credit code, if there is one.
pub async fn find_by_employer(store: &Store, employer_credit_code: &str) -> Result<Option<Org>> {
    store.query_opt(BY_EMPLOYER, &[&employer_credit_code]).await
}

/// The general (federation or township) union of a region at a level, e.g. the county
/// federation of county 440106: where applications without a grassroots union go.
pub async fn find_by_region(
    store: &Store,
    region_code: &str,
    level: OrgLevel,
) -> Result<Option<Org>> {
    store
        .query_opt(BY_REGION_LEVEL, &[&region_code, &level.as_str()])
        .await
}

/// The industry union organising a gig occupation in a region (a city code).
pub async fn find_by_gig(
    store: &Store,
    occupation: &str,
    region_code: &str,
) -> Result<Option<Org>> {
    store.query_opt(BY_GIG, &[&occupation, &region_code]).await
}

/// The first `limit` grassroots unions that record their employer (demo samples, tests).
pub async fn with_employer(store: &Store, limit: i64) -> Result<Vec<Org>> {
    store.query(WITH_EMPLOYER, &[&limit]).await
}

/// Some industry union organising a gig occupation, anywhere.
pub async fn any_gig_union(store: &Store, occupation: &str) -> Result<Option<Org>> {
    store.query_opt(ANY_GIG, &[&occupation]).await
}

/// Marks an industry union as the one organising a gig occupation in its region.
pub async fn set_gig_occupation(tx: &mut Tx, id: OrgId, occupation: Option<&str>) -> Result<u64> {
    tx.execute(SET_GIG, &[&id.0, &occupation, &Utc::now()])
        .await
}

pub async fn children(store: &Store, parent: OrgId, limit: i64, offset: i64) -> Result<Page<Org>> {
    let items = store.query(CHILDREN, &[&parent.0, &limit, &offset]).await?;
    let total = store.query_one(COUNT_CHILDREN, &[&parent.0]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

pub async fn roots(store: &Store, limit: i64, offset: i64) -> Result<Page<Org>> {
    let items = store.query(ROOTS, &[&limit, &offset]).await?;
    let total = store.query_one(COUNT_ROOTS, &[]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// The org at `path` and everything below it, in tree order: one index range scan.
pub async fn subtree(store: &Store, path: &OrgPath, limit: i64, offset: i64) -> Result<Page<Org>> {
    let upper = path.subtree_upper_bound();
    let items = store
        .query(SUBTREE, &[&path.as_str(), &upper, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_SUBTREE, &[&path.as_str(), &upper])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Orgs within `path`'s subtree whose name contains `text`.
pub async fn search(
    store: &Store,
    path: &OrgPath,
    text: &str,
    limit: i64,
    offset: i64,
) -> Result<Page<Org>> {
    let upper = path.subtree_upper_bound();
    let pattern = format!("%{}%", escape_like(text));
    let items = store
        .query(SEARCH, &[&path.as_str(), &upper, &pattern, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_SEARCH, &[&path.as_str(), &upper, &pattern])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Grassroots unions of employers whose name contains `text` or whose credit code starts with it.
pub async fn employers_matching(store: &Store, text: &str, limit: i64) -> Result<Vec<Org>> {
    let text = escape_like(text);
    let contains = format!("%{text}%");
    let prefix = format!("{}%", text.to_uppercase());
    store
        .query(EMPLOYERS_MATCHING, &[&contains, &prefix, &limit])
        .await
}

/// Grassroots unions of an employer with exactly this name (at most two: enough to tell one
/// from many).
pub async fn employers_named(store: &Store, name: &str) -> Result<Vec<Org>> {
    store.query(EMPLOYERS_NAMED, &[&name]).await
}

/// Unions of `level` whose name contains `text`.
pub async fn level_matching(
    store: &Store,
    level: OrgLevel,
    text: &str,
    limit: i64,
) -> Result<Vec<Org>> {
    let pattern = format!("%{}%", escape_like(text));
    store
        .query(LEVEL_MATCHING, &[&level.as_str(), &pattern, &limit])
        .await
}

/// Unions of `level` with exactly this name (at most twenty).
pub async fn level_named(store: &Store, level: OrgLevel, name: &str) -> Result<Vec<Org>> {
    store.query(LEVEL_NAMED, &[&level.as_str(), &name]).await
}

/// Makes `%`, `_` and `\\` typed by a person match themselves (see `ESCAPE` in SEARCH).
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inserts a checked org under `parent` (already loaded by the caller inside `tx`).
pub async fn insert(tx: &mut Tx, org: &NewOrg, parent: Option<&Org>) -> Result<Org> {
    let now = Utc::now();
    let id: i64 = tx
        .query_one(
            INSERT,
            &[
                &parent.map(|p| p.id.0),
                &org.name,
                &org.level.as_str(),
                &org.kind.as_str(),
                &org.region_code.as_str(),
                &org.credit_code.as_ref().map(|c| c.as_str()),
                &org.employer_name,
                &org.employer_credit_code.as_ref().map(|c| c.as_str()),
                &org.industry_code,
                &org.chair,
                &org.founded_on,
                &now,
            ],
        )
        .await?;
    let id = OrgId(id);
    let path = match parent {
        Some(p) => p.path.child(id),
        None => OrgPath::root(id),
    };
    tx.execute(SET_PATH, &[&id.0, &path.as_str(), &path.depth()])
        .await?;
    get(&mut *tx, id)
        .await?
        .ok_or_else(|| StoreError::Decode("新建的组织读取失败".into()))
}

pub async fn rename(tx: &mut Tx, id: OrgId, name: &str) -> Result<u64> {
    tx.execute(RENAME, &[&id.0, &name, &Utc::now()]).await
}

/// Moves `org` and its whole subtree under `new_parent`: one statement rewrites every path,
/// the move is recorded, and it all commits or rolls back with `tx`. Returns how many orgs moved.
pub async fn move_subtree(tx: &mut Tx, org: &Org, new_parent: &Org, moved_by: &str) -> Result<u64> {
    let old = &org.path;
    let new = new_parent.path.child(org.id);
    let depth_change = new.depth() - old.depth();
    let now = Utc::now();
    let moved = tx
        .execute(
            MOVE_PATHS,
            &[
                &new.as_str(),
                &old.as_str(),
                &old.subtree_upper_bound(),
                &depth_change,
                &now,
            ],
        )
        .await?;
    tx.execute(SET_PARENT, &[&org.id.0, &new_parent.id.0])
        .await?;
    let descendants = moved as i64 - 1;
    tx.execute(
        INSERT_MOVE,
        &[
            &org.id.0,
            &org.parent_id.map(|p| p.0),
            &new_parent.id.0,
            &old.as_str(),
            &new.as_str(),
            &descendants,
            &moved_by,
            &now,
        ],
    )
    .await?;
    Ok(moved)
}

/// A recorded move of an org.
#[derive(Debug, Clone)]
pub struct OrgMove {
    pub id: zhijia_domain::ids::OrgMoveId,
    pub org_id: OrgId,
    pub from_parent_id: Option<OrgId>,
    pub to_parent_id: OrgId,
    pub from_path: String,
    pub to_path: String,
    pub descendants: i64,
    pub moved_by: String,
    pub moved_at: DateTime<Utc>,
}

impl FromRow for OrgMove {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(OrgMove {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            from_parent_id: row.id_opt("from_parent_id")?,
            to_parent_id: row.id("to_parent_id")?,
            from_path: row.get("from_path")?,
            to_path: row.get("to_path")?,
            descendants: row.get("descendants")?,
            moved_by: row.get("moved_by")?,
            moved_at: row.get("moved_at")?,
        })
    }
}

pub async fn moves(store: &Store, id: OrgId) -> Result<Vec<OrgMove>> {
    store.query(MOVES, &[&id.0]).await
}

/// The orgs named on a path, root first (for breadcrumbs).
pub async fn ancestors(store: &Store, path: &OrgPath) -> Result<Vec<Org>> {
    let mut out = Vec::new();
    for id in path.ids() {
        if let Some(o) = get(store, id).await? {
            out.push(o);
        }
    }
    Ok(out)
}
