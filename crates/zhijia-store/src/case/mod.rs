//! Rights-protection cases: the case row, its history, conversation, attachments and mediation
//! records, the handler's queue and the statistics of a subtree. See
//! migrations/sqlite/0005_cases.sql.

use crate::db::{Backend, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, NaiveDate, Utc};
use zhijia_domain::case::{CaseChannel, CaseKind, CaseState, Tier};
use zhijia_domain::ids::{CaseId, WorkerId};
use zhijia_domain::org::{OrgId, OrgPath};

/// The `due_on` stored while a case's clock is paused: no deadline is known, and paused cases
/// sort after every real deadline in a queue.
pub fn paused_due_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The states that count as open, as SQL (the partial indexes use the same condition).
macro_rules! open_states {
    () => {
        "(c.state = 'submitted' OR c.state = 'accepted' OR c.state = 'in_progress' \
         OR c.state = 'waiting_on_worker')"
    };
}

/// One case, with the names of the unions handling and supervising it.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: CaseId,
    pub kind: CaseKind,
    pub channel: CaseChannel,
    pub title: String,
    pub description: String,
    pub employer_name: String,
    pub employer_credit_code: Option<String>,
    pub region_code: String,
    pub hide_identity: bool,
    pub filer_name: String,
    pub filer_phone: String,
    pub worker_id: Option<WorkerId>,
    pub handling_org_id: OrgId,
    pub handling_org_name: String,
    pub supervising_org_id: Option<OrgId>,
    pub supervising_org_name: Option<String>,
    pub escalation_level: i64,
    pub state: CaseState,
    pub reopened: bool,
    pub review_by_parent: bool,
    pub tier: Tier,
    pub limit_days: i64,
    pub submitted_on: NaiveDate,
    pub paused_working_days: i64,
    pub paused_since: Option<NaiveDate>,
    /// The last day to handle the case; `None` while the clock is paused.
    pub due_on: Option<NaiveDate>,
    pub decline_reason: Option<String>,
    pub answer: Option<String>,
    pub resolved_on: Option<NaiveDate>,
    pub satisfied: Option<bool>,
    pub rating_comment: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl FromRow for Case {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let paused_since: Option<NaiveDate> = row.get("paused_since")?;
        let due_on: NaiveDate = row.get("due_on")?;
        Ok(Case {
            id: row.id("id")?,
            kind: row.parsed("kind", CaseKind::parse)?,
            channel: row.parsed("channel", CaseChannel::parse)?,
            title: row.get("title")?,
            description: row.get("description")?,
            employer_name: row.get("employer_name")?,
            employer_credit_code: row.get("employer_credit_code")?,
            region_code: row.get("region_code")?,
            hide_identity: row.get("hide_identity")?,
            filer_name: row.get("filer_name")?,
            filer_phone: row.get("filer_phone")?,
            worker_id: row.id_opt("worker_id")?,
            handling_org_id: row.id("handling_org_id")?,
            handling_org_name: row.get("handling_org_name")?,
            supervising_org_id: row.id_opt("supervising_org_id")?,
            supervising_org_name: row.get("supervising_org_name")?,
            escalation_level: row.get("escalation_level")?,
            state: row.parsed("state", CaseState::parse)?,
            reopened: row.get("reopened")?,
            review_by_parent: row.get("review_by_parent")?,
            tier: row.parsed("tier", Tier::parse)?,
            limit_days: row.get("limit_days")?,
            submitted_on: row.get("submitted_on")?,
            paused_working_days: row.get("paused_working_days")?,
            due_on: if paused_since.is_some() {
                None
            } else {
                Some(due_on)
            },
            paused_since,
            decline_reason: row.get("decline_reason")?,
            answer: row.get("answer")?,
            resolved_on: row.get("resolved_on")?,
            satisfied: row.get("satisfied")?,
            rating_comment: row.get("rating_comment")?,
            submitted_at: row.get("submitted_at")?,
            updated_at: row.get("updated_at")?,
            closed_at: row.get("closed_at")?,
        })
    }
}

macro_rules! case_select {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.kind, c.channel, c.title, c.description, c.employer_name, \
             c.employer_credit_code, c.region_code, c.hide_identity, c.filer_name, \
             c.filer_phone, c.worker_id, c.handling_org_id, o.name AS handling_org_name, \
             c.supervising_org_id, s.name AS supervising_org_name, c.escalation_level, \
             c.state, c.reopened, c.review_by_parent, c.tier, c.limit_days, c.submitted_on, \
             c.paused_working_days, c.paused_since, c.due_on, c.decline_reason, c.answer, \
             c.resolved_on, c.satisfied, c.rating_comment, c.submitted_at, c.updated_at, \
             c.closed_at \
             FROM rights_case c JOIN org o ON o.id = c.handling_org_id \
             LEFT JOIN org s ON s.id = c.supervising_org_id ",
            $tail
        )
    };
}

/// A case being filed.
#[derive(Debug)]
pub struct NewCase<'a> {
    pub kind: CaseKind,
    pub channel: CaseChannel,
    pub title: &'a str,
    pub description: &'a str,
    pub employer_name: &'a str,
    pub employer_credit_code: Option<&'a str>,
    pub region_code: &'a str,
    pub hide_identity: bool,
    pub filer_name: &'a str,
    pub filer_phone: &'a str,
    pub worker_id: Option<WorkerId>,
    pub handling_org_id: OrgId,
    pub tier: Tier,
    pub limit_days: i64,
    pub submitted_on: NaiveDate,
    pub due_on: NaiveDate,
    pub now: DateTime<Utc>,
}

const INSERT: &str = "INSERT INTO rights_case (kind, channel, title, description, employer_name, \
     employer_credit_code, region_code, hide_identity, filer_name, filer_phone, worker_id, \
     handling_org_id, state, tier, limit_days, submitted_on, due_on, submitted_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'submitted', $13, $14, $15, $16, \
     $17, $17) RETURNING id";

pub async fn insert(tx: &mut Tx, c: &NewCase<'_>) -> Result<CaseId> {
    let id: i64 = tx
        .query_one(
            INSERT,
            &[
                c.kind.stored(),
                c.channel.stored(),
                &c.title,
                &c.description,
                &c.employer_name,
                &c.employer_credit_code,
                &c.region_code,
                &c.hide_identity,
                &c.filer_name,
                &c.filer_phone,
                &c.worker_id.map(|w| w.0),
                &c.handling_org_id.0,
                c.tier.stored(),
                &c.limit_days,
                &c.submitted_on,
                &c.due_on,
                &c.now,
            ],
        )
        .await?;
    Ok(CaseId(id))
}

const GET: &str = case_select!("WHERE c.id = $1");
const LOCK_PG: &str = "SELECT id FROM rights_case WHERE id = $1 FOR UPDATE";

pub async fn get(store: &Store, id: CaseId) -> Result<Option<Case>> {
    store.query_opt(GET, &[&id.0]).await
}

/// Reads a case in a transaction that will change it. On PostgreSQL the row is locked first,
/// so two handlers acting at once take turns; SQLite transactions already run one at a time.
pub async fn lock(tx: &mut Tx, id: CaseId) -> Result<Option<Case>> {
    if tx.backend() == Backend::Postgres {
        let found: Option<i64> = tx.query_opt(LOCK_PG, &[&id.0]).await?;
        if found.is_none() {
            return Ok(None);
        }
    }
    tx.query_opt(GET, &[&id.0]).await
}

const SAVE: &str = "UPDATE rights_case SET state = $2, reopened = $3, review_by_parent = $4, \
     tier = $5, limit_days = $6, paused_working_days = $7, paused_since = $8, due_on = $9, \
     decline_reason = $10, answer = $11, resolved_on = $12, satisfied = $13, \
     rating_comment = $14, closed_at = $15, updated_at = $16 WHERE id = $1";

/// Writes back what a step changed: state, flags, clock, texts and rating.
pub async fn save(tx: &mut Tx, c: &Case, now: DateTime<Utc>) -> Result<()> {
    let due_on = c.due_on.unwrap_or_else(paused_due_on);
    tx.execute(
        SAVE,
        &[
            &c.id.0,
            c.state.stored(),
            &c.reopened,
            &c.review_by_parent,
            c.tier.stored(),
            &c.limit_days,
            &c.paused_working_days,
            &c.paused_since,
            &due_on,
            &c.decline_reason,
            &c.answer,
            &c.resolved_on,
            &c.satisfied,
            &c.rating_comment,
            &c.closed_at,
            &now,
        ],
    )
    .await
    .map(|_| ())
}

const REROUTE: &str = "UPDATE rights_case SET handling_org_id = $2, updated_at = $3 WHERE id = $1";

pub async fn reroute(tx: &mut Tx, id: CaseId, org: OrgId, now: DateTime<Utc>) -> Result<()> {
    tx.execute(REROUTE, &[&id.0, &org.0, &now])
        .await
        .map(|_| ())
}

const ESCALATE: &str = "UPDATE rights_case SET escalation_level = $2, supervising_org_id = $3, \
     updated_at = $4 WHERE id = $1 AND escalation_level < $2";

/// Raises a case's escalation to `level`, supervised by `org`. False if it was already at that
/// level or higher: escalating is idempotent, however many runs see the same overdue case.
pub async fn escalate(
    tx: &mut Tx,
    id: CaseId,
    level: i64,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx.execute(ESCALATE, &[&id.0, &level, &org.0, &now]).await? == 1)
}

/// A case to raise to `level`, supervised by `org`.
#[derive(Debug, Clone, Copy)]
pub struct Raise {
    pub id: CaseId,
    pub level: i64,
    pub org: OrgId,
}

/// Rows per statement of the set-at-once writes on PostgreSQL.
const BATCH: usize = 5_000;

const ESCALATE_BATCH_PG: &str = "UPDATE rights_case c SET escalation_level = u.level, \
     supervising_org_id = u.org, updated_at = $4 \
     FROM UNNEST($1::int8[], $2::int8[], $3::int8[]) AS u(id, level, org) \
     WHERE c.id = u.id AND c.escalation_level < u.level RETURNING c.id";

/// Raises many cases at once (the escalation job); returns the ids actually raised (a case
/// already at that level or higher is left). PostgreSQL takes 5,000 per statement instead of a
/// round trip each; SQLite runs [`escalate`] per case.
pub async fn escalate_batch(
    tx: &mut Tx,
    raises: &[Raise],
    now: DateTime<Utc>,
) -> Result<Vec<CaseId>> {
    let mut raised = Vec::with_capacity(raises.len());
    for chunk in raises.chunks(BATCH) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.id.0).collect();
        let levels: Vec<i64> = chunk.iter().map(|r| r.level).collect();
        let orgs: Vec<i64> = chunk.iter().map(|r| r.org.0).collect();
        match tx
            .pg_ids(ESCALATE_BATCH_PG, &[&ids, &levels, &orgs, &now])
            .await?
        {
            Some(done) => raised.extend(done.into_iter().map(CaseId)),
            None => {
                for r in chunk {
                    if escalate(tx, r.id, r.level, r.org, now).await? {
                        raised.push(r.id);
                    }
                }
            }
        }
    }
    Ok(raised)
}

/// A row of a queue: what a list shows.
#[derive(Debug, Clone)]
pub struct CaseItem {
    pub id: CaseId,
    pub kind: CaseKind,
    pub title: String,
    pub state: CaseState,
    pub filer_name: String,
    pub handling_org_id: OrgId,
    pub handling_org_name: String,
    pub escalation_level: i64,
    pub review_by_parent: bool,
    pub submitted_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
}

impl FromRow for CaseItem {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let paused_since: Option<NaiveDate> = row.get("paused_since")?;
        let due_on: NaiveDate = row.get("due_on")?;
        Ok(CaseItem {
            id: row.id("id")?,
            kind: row.parsed("kind", CaseKind::parse)?,
            title: row.get("title")?,
            state: row.parsed("state", CaseState::parse)?,
            filer_name: row.get("filer_name")?,
            handling_org_id: row.id("handling_org_id")?,
            handling_org_name: row.get("handling_org_name")?,
            escalation_level: row.get("escalation_level")?,
            review_by_parent: row.get("review_by_parent")?,
            submitted_on: row.get("submitted_on")?,
            due_on: paused_since.is_none().then_some(due_on),
        })
    }
}

macro_rules! item_select {
    ($tail:expr) => {
        concat!(
            "SELECT c.id, c.kind, c.title, c.state, c.filer_name, c.handling_org_id, \
             o.name AS handling_org_name, c.escalation_level, c.review_by_parent, \
             c.submitted_on, c.paused_since, c.due_on FROM rights_case c \
             JOIN org o ON o.id = c.handling_org_id ",
            $tail
        )
    };
}

/// Counting stops here: a province's queue says "10000+" rather than counting a million rows
/// on every page view.
pub const COUNT_CAP: i64 = 10_000;

const QUEUE_OPEN: &str = item_select!(concat!(
    "WHERE o.path >= $1 AND o.path < $2 AND ",
    open_states!(),
    " ORDER BY c.due_on, c.id LIMIT $3 OFFSET $4"
));
const COUNT_OPEN: &str = concat!(
    "SELECT COUNT(*) FROM (SELECT 1 FROM rights_case c JOIN org o ON o.id = c.handling_org_id \
     WHERE o.path >= $1 AND o.path < $2 AND ",
    open_states!(),
    " LIMIT $3) t"
);
const QUEUE_STATE: &str = item_select!(
    "WHERE o.path >= $1 AND o.path < $2 AND c.state = $3 \
     ORDER BY c.due_on, c.id LIMIT $4 OFFSET $5"
);
const COUNT_STATE: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM rights_case c \
     JOIN org o ON o.id = c.handling_org_id \
     WHERE o.path >= $1 AND o.path < $2 AND c.state = $3 LIMIT $4) t";
const SUPERVISED: &str = item_select!(concat!(
    "WHERE c.supervising_org_id = $1 AND ",
    open_states!(),
    " ORDER BY c.due_on, c.id LIMIT $2 OFFSET $3"
));
const COUNT_SUPERVISED: &str = concat!(
    "SELECT COUNT(*) FROM rights_case c WHERE c.supervising_org_id = $1 AND ",
    open_states!()
);
const REVIEW: &str = item_select!(
    "WHERE c.review_by_parent = $1 AND o.parent_id = $2 ORDER BY c.id DESC LIMIT $3 OFFSET $4"
);
const COUNT_REVIEW: &str = "SELECT COUNT(*) FROM rights_case c \
     JOIN org o ON o.id = c.handling_org_id WHERE c.review_by_parent = $1 AND o.parent_id = $2";

/// Cases of the unions of the subtree at `scope`, earliest deadline first: the open ones, or
/// those in `state`. The total stops counting at [`COUNT_CAP`].
pub async fn queue(
    store: &Store,
    scope: &OrgPath,
    state: Option<CaseState>,
    limit: i64,
    offset: i64,
) -> Result<Page<CaseItem>> {
    let upper = scope.subtree_upper_bound();
    let from = scope.as_str();
    let cap = COUNT_CAP + 1;
    let (items, total) = match state {
        None => (
            store
                .query(QUEUE_OPEN, &[&from, &upper, &limit, &offset])
                .await?,
            store.query_one(COUNT_OPEN, &[&from, &upper, &cap]).await?,
        ),
        Some(state) => (
            store
                .query(
                    QUEUE_STATE,
                    &[&from, &upper, state.stored(), &limit, &offset],
                )
                .await?,
            store
                .query_one(COUNT_STATE, &[&from, &upper, state.stored(), &cap])
                .await?,
        ),
    };
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const COUNT_OVERDUE: &str = concat!(
    "SELECT COUNT(*) FROM (SELECT 1 FROM rights_case c JOIN org o ON o.id = c.handling_org_id \
     WHERE o.path >= $1 AND o.path < $2 AND c.paused_since IS NULL AND c.due_on < $3 AND ",
    open_states!(),
    " LIMIT $4) t"
);

/// Open cases of the subtree at `scope` past their deadline on `today` (paused ones are not
/// running late), counted up to [`COUNT_CAP`]: the console's "overdue" figure.
pub async fn count_overdue(store: &Store, scope: &OrgPath, today: NaiveDate) -> Result<i64> {
    let upper = scope.subtree_upper_bound();
    let cap = COUNT_CAP + 1;
    store
        .query_one(COUNT_OVERDUE, &[&scope.as_str(), &upper, &today, &cap])
        .await
}

/// Open cases escalated to `org` (督办), earliest deadline first.
pub async fn supervised(
    store: &Store,
    org: OrgId,
    limit: i64,
    offset: i64,
) -> Result<Page<CaseItem>> {
    let items = store.query(SUPERVISED, &[&org.0, &limit, &offset]).await?;
    let total = store.query_one(COUNT_SUPERVISED, &[&org.0]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Cases of `org`'s child unions that an unsatisfied worker asked the parent to review.
pub async fn for_review(
    store: &Store,
    org: OrgId,
    limit: i64,
    offset: i64,
) -> Result<Page<CaseItem>> {
    let items = store
        .query(REVIEW, &[&true, &org.0, &limit, &offset])
        .await?;
    let total = store.query_one(COUNT_REVIEW, &[&true, &org.0]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const OF_FILER: &str =
    item_select!("WHERE c.filer_phone = $1 ORDER BY c.id DESC LIMIT $2 OFFSET $3");
const COUNT_OF_FILER: &str = "SELECT COUNT(*) FROM rights_case c WHERE c.filer_phone = $1";

/// The cases filed from a phone, newest first.
pub async fn of_filer(
    store: &Store,
    phone: &str,
    limit: i64,
    offset: i64,
) -> Result<Page<CaseItem>> {
    let items = store.query(OF_FILER, &[&phone, &limit, &offset]).await?;
    let total = store.query_one(COUNT_OF_FILER, &[&phone]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const FILED_ONLINE_ON: &str = "SELECT COUNT(*) FROM rights_case \
     WHERE filer_phone = $1 AND submitted_on = $2 AND channel = 'online'";

/// How many cases a phone filed online on a day.
pub async fn filed_online_on(store: &Store, phone: &str, day: NaiveDate) -> Result<i64> {
    store.query_one(FILED_ONLINE_ON, &[&phone, &day]).await
}

/// An open case past its deadline, with what escalating it needs.
#[derive(Debug, Clone)]
pub struct Overdue {
    pub id: CaseId,
    pub title: String,
    pub due_on: NaiveDate,
    pub escalation_level: i64,
    pub handling_org_path: OrgPath,
}

impl FromRow for Overdue {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let path: String = row.get("path")?;
        Ok(Overdue {
            id: row.id("id")?,
            title: row.get("title")?,
            due_on: row.get("due_on")?,
            escalation_level: row.get("escalation_level")?,
            handling_org_path: OrgPath::from_stored(path).map_err(crate::StoreError::Decode)?,
        })
    }
}

const OVERDUE: &str = concat!(
    "SELECT c.id, c.title, c.due_on, c.escalation_level, o.path FROM rights_case c \
     JOIN org o ON o.id = c.handling_org_id WHERE c.due_on < $1 AND ",
    open_states!(),
    " ORDER BY c.due_on, c.id"
);

/// Every open case whose deadline is before `today` (paused ones have none).
pub async fn overdue(tx: &mut Tx, today: NaiveDate) -> Result<Vec<Overdue>> {
    tx.query(OVERDUE, &[&today]).await
}

mod attachment;
mod conversation;
mod history;
mod mediation;
mod statistics;
pub use attachment::*;
pub use conversation::*;
pub use history::*;
pub use mediation::*;
pub use statistics::*;
