//! The staff console shell and its org-tree browser. Branches open in place with htmx; without
//! JavaScript every link still leads to a full page.

use super::parse_id;
use crate::auth::StaffUser;
use crate::filters;
use crate::pages::{PER_PAGE, Pager, UserBar, page_window, render};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use zhijia_app::{AppError, org as uc};
use zhijia_domain::auth::Role;
use zhijia_store::org::{Org, OrgMove};

#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    page: Option<i64>,
    q: Option<String>,
}

fn params(p: Result<Query<PageParams>, QueryRejection>) -> Result<PageParams, AppError> {
    p.map(|Query(p)| p)
        .map_err(|_| AppError::invalid("page", "页码应为正整数"))
}

#[derive(Template)]
#[template(path = "console/console.html")]
struct ConsolePage {
    demo: bool,
    user: UserBar,
    roots: Vec<Org>,
    pager: Pager,
    work: Vec<Work>,
    cases: Vec<CaseWork>,
    /// The caller's branch at a glance.
    glance: crate::console::Waiting,
    branch: String,
}

/// What waits for a case handler in one of their branches.
struct CaseWork {
    org_id: zhijia_domain::org::OrgId,
    org_name: String,
    /// Open cases of the subtree (counted up to the store's cap).
    open: i64,
    /// Open cases escalated to this union.
    supervised: i64,
    /// Cases of child unions whose workers asked for a review.
    review: i64,
}

/// What waits for a reviewer in one of their branches: the console's first lines.
struct Work {
    org_id: zhijia_domain::org::OrgId,
    org_name: String,
    pending: i64,
    /// Pending past their deadline: a parent union follows these up.
    overdue: i64,
    transfers: i64,
}

/// The console starts at the orgs the user holds roles on: the tops of what they may see.
async fn console(
    State(state): State<AppState>,
    user: StaffUser,
    p: Result<Query<PageParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let p = params(p)?;
    let (page, limit, offset) = page_window(p.page, PER_PAGE);
    let tops = grant_tops(&user);
    let total = tops.len() as i64;
    let mut roots = Vec::new();
    for path in tops.into_iter().skip(offset as usize).take(limit as usize) {
        if let Some(id) = path.ids().last() {
            roots.push(uc::get(&state.store, *id).await?);
        }
    }
    let pager = Pager::new(page, total, "/console?".into());
    let today = zhijia_app::today(chrono::Utc::now());
    let work = review_work(&state.store, &user, &roots, today).await?;
    let cases = case_work(&state.store, &user, &roots).await?;
    let glance = crate::console::waiting(&state.store, &user.grants, today).await?;
    let branch = match roots.as_slice() {
        [one] => one.name.clone(),
        [] => String::new(),
        many => format!("{}等 {} 个组织", many[0].name, total),
    };
    Ok(render(&ConsolePage {
        demo: state.config.demo,
        user: UserBar::from(&user),
        roots,
        pager,
        work,
        cases,
        glance,
        branch,
    }))
}

/// The paths of the user's grants that no other grant of theirs contains, sorted.
fn grant_tops(user: &StaffUser) -> Vec<&zhijia_domain::org::OrgPath> {
    let mut tops: Vec<_> = user
        .grants
        .iter()
        .map(|g| &g.org_path)
        .filter(|path| {
            !user
                .grants
                .iter()
                .any(|o| o.org_path != **path && o.org_path.contains(path))
        })
        .collect();
    tops.sort_by_key(|p| p.as_str().to_owned());
    tops.dedup();
    tops
}

/// What waits for the user as a reviewer in each of `roots` they review.
async fn review_work(
    db: &zhijia_store::Store,
    user: &StaffUser,
    roots: &[Org],
    today: chrono::NaiveDate,
) -> Result<Vec<Work>, AppError> {
    let mut work = Vec::new();
    for org in roots {
        let reviews = [Role::Reviewer, Role::OrgAdmin]
            .into_iter()
            .any(|r| zhijia_domain::auth::holds(&user.grants, r, &org.path));
        if !reviews {
            continue;
        }
        let count = |overdue: Option<chrono::NaiveDate>| {
            zhijia_store::membership::queue(
                db,
                &org.path,
                zhijia_domain::member::ApplicationStatus::Pending,
                overdue,
                1,
                0,
            )
        };
        let pending = count(None).await?.total;
        let overdue = count(Some(today)).await?.total;
        let transfers = zhijia_store::membership::transfer_queue(
            db,
            &org.path,
            zhijia_domain::member::TransferStatus::AwaitingRelease,
            1,
            0,
        )
        .await?
        .total;
        work.push(Work {
            org_id: org.id,
            org_name: org.name.clone(),
            pending,
            overdue,
            transfers,
        });
    }
    Ok(work)
}

/// What waits for the user as a case handler in each of `roots` they handle cases in.
async fn case_work(
    db: &zhijia_store::Store,
    user: &StaffUser,
    roots: &[Org],
) -> Result<Vec<CaseWork>, AppError> {
    use zhijia_store::case as case_store;
    let mut cases = Vec::new();
    for org in roots {
        if !zhijia_domain::auth::holds(&user.grants, Role::CaseHandler, &org.path) {
            continue;
        }
        cases.push(CaseWork {
            org_id: org.id,
            org_name: org.name.clone(),
            open: case_store::queue(db, &org.path, None, 1, 0).await?.total,
            supervised: case_store::supervised(db, org.id, 1, 0).await?.total,
            review: case_store::for_review(db, org.id, 1, 0).await?.total,
        });
    }
    Ok(cases)
}

/// An org the user may see, or "not found" (an org outside their branch is not revealed).
async fn visible(
    state: &AppState,
    user: &StaffUser,
    id: zhijia_domain::org::OrgId,
) -> Result<Org, AppError> {
    let org = uc::get(&state.store, id).await?;
    if user.may_see(&org.path) {
        Ok(org)
    } else {
        Err(AppError::NotFound("工会组织"))
    }
}

#[derive(Template)]
#[template(path = "org/org.html")]
struct OrgPage {
    user: UserBar,
    org: Org,
    ancestors: Vec<Org>,
    children: Vec<Org>,
    pager: Pager,
    subtree_total: i64,
    query: String,
    found: Option<Vec<Org>>,
    moves: Vec<OrgMove>,
}

impl OrgPage {
    fn industry(&self) -> &str {
        self.org
            .industry_code
            .as_deref()
            .and_then(zhijia_domain::industry::section_name)
            .unwrap_or("")
    }
}

async fn org_page(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    p: Result<Query<PageParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let p = params(p)?;
    let db = &state.store;
    let org = visible(&state, &user, id).await?;
    let (page, limit, offset) = page_window(p.page, PER_PAGE);
    let children = uc::children(db, id, limit, offset).await?;
    let subtree_total = uc::subtree(db, id, 1, 0).await?.total;
    let query = p.q.unwrap_or_default().trim().to_owned();
    let found = if query.is_empty() {
        None
    } else {
        Some(uc::search(db, id, &query, 50, 0).await?.items)
    };
    let ancestors = uc::ancestors(db, &org)
        .await?
        .into_iter()
        .filter(|a| a.id != org.id && user.may_see(&a.path))
        .collect();
    let moves = uc::moves(db, id).await?;
    let pager = Pager::new(page, children.total, format!("/console/orgs/{}?", org.id));
    Ok(render(&OrgPage {
        user: UserBar::from(&user),
        org,
        ancestors,
        children: children.items,
        pager,
        subtree_total,
        query,
        found,
        moves,
    }))
}

#[derive(Template)]
#[template(path = "org/children.html")]
struct ChildrenFragment {
    parent: i64,
    children: Vec<Org>,
    next_page: Option<i64>,
}

/// The children of one branch, as a fragment for htmx to put under the node.
async fn children_fragment(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    p: Result<Query<PageParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    visible(&state, &user, id).await?;
    let p = params(p)?;
    let (page, limit, offset) = page_window(p.page, PER_PAGE);
    let children = uc::children(&state.store, id, limit, offset).await?;
    let next_page = (offset + limit < children.total).then_some(page + 1);
    Ok(render(&ChildrenFragment {
        parent: id.0,
        children: children.items,
        next_page,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(console))
        .route("/console/orgs/{id}", get(org_page))
        .route("/console/orgs/{id}/children", get(children_fragment))
}
