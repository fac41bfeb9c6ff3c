//! Roster.

use super::*;

/// One line of a union's roster: a membership and its member.
#[derive(Debug, Clone)]
pub struct RosterRow {
    pub membership_id: MembershipId,
    pub worker_id: WorkerId,
    pub name: String,
    pub member_no: Option<String>,
    pub id_number_enc: Vec<u8>,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub employer_name: Option<String>,
    pub gig_occupation: Option<GigOccupation>,
    pub org_id: OrgId,
    pub org_name: String,
    pub status: MembershipStatus,
    pub joined_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

impl FromRow for RosterRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(RosterRow {
            membership_id: row.id("membership_id")?,
            worker_id: row.id("worker_id")?,
            name: row.get("name")?,
            member_no: row.get("member_no")?,
            id_number_enc: row.get("id_number_enc")?,
            sex: row.parsed("sex", Sex::from_code)?,
            birth_date: row.get("birth_date")?,
            phone: row.get("phone")?,
            employer_name: row.get("employer_name")?,
            gig_occupation: row.parsed_opt("gig_occupation", GigOccupation::parse)?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            status: row.parsed("status", MembershipStatus::parse)?,
            joined_on: row.get("joined_on")?,
            ended_on: row.get("ended_on")?,
        })
    }
}

/// Filters of a roster list. The scope is the subtree the caller may see (checked by the
/// caller); every other filter is optional and bound as a parameter.
#[derive(Debug, Clone, Default)]
pub struct RosterFilter {
    /// One person, found by a unique index: member number, identity blind index or phone.
    pub member_no: Option<String>,
    pub id_number_idx: Option<Vec<u8>>,
    pub phone: Option<String>,
    /// Part of a name.
    pub name: Option<String>,
    pub status: Option<MembershipStatus>,
    pub joined_from: Option<NaiveDate>,
    pub joined_to: Option<NaiveDate>,
    pub gig_occupation: Option<String>,
}

macro_rules! roster_select {
    ($what:literal, $tail:literal) => {
        concat!(
            "SELECT ",
            $what,
            " FROM membership m JOIN worker w ON w.id = m.worker_id \
             JOIN org o ON o.id = m.org_id \
             WHERE o.path >= $1 AND o.path < $2 \
             AND (CAST($3 AS TEXT) IS NULL OR w.name LIKE $3 ESCAPE '\\') \
             AND (CAST($4 AS TEXT) IS NULL OR m.status = $4) \
             AND (CAST($5 AS DATE) IS NULL OR m.joined_on >= $5) \
             AND (CAST($6 AS DATE) IS NULL OR m.joined_on <= $6) \
             AND (CAST($7 AS TEXT) IS NULL OR w.gig_occupation = $7) ",
            $tail
        )
    };
}

const ROSTER: &str = roster_select!(
    "m.id AS membership_id, m.worker_id, w.name, w.member_no, w.id_number_enc, w.sex, \
     w.birth_date, w.phone, w.employer_name, w.gig_occupation, m.org_id, o.name AS org_name, \
     m.status, m.joined_on, m.ended_on",
    "ORDER BY m.id DESC LIMIT $8 OFFSET $9"
);
const COUNT_ROSTER: &str = roster_select!("COUNT(*)", "");
/// The one person a unique key names: their memberships within the scope. Looked up through
/// the worker's unique index first, so it stays a point read at any roster size.
const ROSTER_OF_WORKER: &str = "SELECT m.id AS membership_id, m.worker_id, w.name, w.member_no, \
     w.id_number_enc, w.sex, w.birth_date, w.phone, w.employer_name, w.gig_occupation, m.org_id, \
     o.name AS org_name, m.status, m.joined_on, m.ended_on \
     FROM membership m JOIN worker w ON w.id = m.worker_id JOIN org o ON o.id = m.org_id \
     WHERE m.worker_id = $1 AND o.path >= $2 AND o.path < $3 ORDER BY m.id DESC";
const WORKER_BY_MEMBER_NO: &str = "SELECT id FROM worker WHERE member_no = $1";
const WORKER_BY_INDEX: &str = "SELECT id FROM worker WHERE id_number_idx = $1";
const WORKER_BY_PHONE: &str = "SELECT id FROM worker WHERE phone = $1";

/// `%text%`, with what the person typed matching itself (the org search's escaping).
fn like_pattern(text: &str) -> String {
    format!("%{}%", crate::org::escape_like(text))
}

/// Memberships in the subtree at `scope` matching `filter`, newest first.
pub async fn roster(
    store: &Store,
    scope: &OrgPath,
    filter: &RosterFilter,
    limit: i64,
    offset: i64,
) -> Result<Page<RosterRow>> {
    let upper = scope.subtree_upper_bound();
    // A unique key names one person: find them by its index, then their memberships in scope.
    let key = if let Some(no) = &filter.member_no {
        Some(store.query_opt::<i64>(WORKER_BY_MEMBER_NO, &[no]).await?)
    } else if let Some(idx) = &filter.id_number_idx {
        Some(store.query_opt::<i64>(WORKER_BY_INDEX, &[idx]).await?)
    } else if let Some(phone) = &filter.phone {
        Some(store.query_opt::<i64>(WORKER_BY_PHONE, &[phone]).await?)
    } else {
        None
    };
    if let Some(worker) = key {
        let rows: Vec<RosterRow> = match worker {
            Some(id) => {
                store
                    .query(ROSTER_OF_WORKER, &[&id, &scope.as_str(), &upper])
                    .await?
            }
            None => Vec::new(),
        };
        let rows: Vec<RosterRow> = rows
            .into_iter()
            .filter(|r| filter.status.is_none_or(|s| s == r.status))
            .collect();
        let total = rows.len() as i64;
        return Ok(Page {
            items: rows
                .into_iter()
                .skip(offset.max(0) as usize)
                .take(limit.max(0) as usize)
                .collect(),
            total,
            offset,
            limit,
        });
    }
    let name = filter.name.as_deref().map(like_pattern);
    let status = filter.status.map(|s| s.as_str());
    // The optional filters are typed by CAST in the SQL: PostgreSQL cannot infer the type of a
    // parameter that appears only in `$n IS NULL`.
    let params: [&(dyn crate::Param + Sync); 7] = [
        &scope.as_str(),
        &upper,
        &name,
        &status,
        &filter.joined_from,
        &filter.joined_to,
        &filter.gig_occupation,
    ];
    let mut with_page: Vec<&(dyn crate::Param + Sync)> = params.to_vec();
    with_page.push(&limit);
    with_page.push(&offset);
    let items = store.query(ROSTER, &with_page).await?;
    let total = store.query_one(COUNT_ROSTER, &params).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// One membership with its member, if it lies in the subtree at `scope`.
pub async fn roster_entry(
    store: &Store,
    scope: &OrgPath,
    membership_id: MembershipId,
) -> Result<Option<RosterRow>> {
    store
        .query_opt(
            ROSTER_ENTRY,
            &[
                &membership_id.0,
                &scope.as_str(),
                &scope.subtree_upper_bound(),
            ],
        )
        .await
}

const ROSTER_ENTRY: &str = "SELECT m.id AS membership_id, m.worker_id, w.name, w.member_no, \
     w.id_number_enc, w.sex, w.birth_date, w.phone, w.employer_name, w.gig_occupation, m.org_id, \
     o.name AS org_name, m.status, m.joined_on, m.ended_on \
     FROM membership m JOIN worker w ON w.id = m.worker_id JOIN org o ON o.id = m.org_id \
     WHERE m.id = $1 AND o.path >= $2 AND o.path < $3";
