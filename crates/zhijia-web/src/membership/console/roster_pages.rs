//! The roster, one member, and revealing a member's identity number.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RosterPageQuery {
    org: Option<OrgId>,
    q: Option<String>,
    status: Option<String>,
    joined_from: Option<String>,
    joined_to: Option<String>,
    gig: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
}

#[derive(Template)]
#[template(path = "membership/roster.html")]
pub(super) struct RosterPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    q: String,
    status: String,
    joined_from: String,
    joined_to: String,
    gig: String,
    gigs: Vec<(&'static str, &'static str)>,
    export: String,
    items: Vec<RosterItem>,
    pager: Pager,
}

pub(super) async fn roster_page(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<RosterPageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let size = crate::pages::page_size(q.size, PER_PAGE);
    let (page, limit, offset) = crate::pages::page_window(q.page, size);
    let query = RosterQuery {
        org: q.org,
        q: q.q.clone(),
        status: q.status.clone(),
        joined_from: q.joined_from.clone(),
        joined_to: q.joined_to.clone(),
        gig: q.gig.clone(),
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = roster::list(&state.membership(), &user.ctx(), &query).await?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let filters = format!(
        "org={}&q={}&status={}&joined_from={}&joined_to={}&gig={}",
        org.id.0,
        enc(&s(&q.q)),
        enc(&s(&q.status)),
        enc(&s(&q.joined_from)),
        enc(&s(&q.joined_to)),
        enc(&s(&q.gig))
    );
    Ok(render(&RosterPage {
        user: (&user).into(),
        org_id: org.id,
        org_name: org.name,
        q: s(&q.q),
        status: s(&q.status),
        joined_from: s(&q.joined_from),
        joined_to: s(&q.joined_to),
        gig: s(&q.gig),
        gigs: zhijia_domain::worker::GigOccupation::ALL
            .iter()
            .map(|g| (g.as_str(), g.label()))
            .collect(),
        export: format!("/api/v1/roster/export.xlsx?{filters}"),
        pager: Pager::sized(
            page,
            size,
            list.total,
            format!("/console/roster?{filters}&size={size}&"),
        ),
        items: list.items,
    }))
}

#[derive(Template)]
#[template(path = "membership/member.html")]
pub(super) struct MemberPage {
    user: UserBar,
    d: MemberDetail,
    full_id: Option<String>,
}

pub(super) async fn member_page(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
) -> Result<Response, PageError> {
    let d = roster::detail(&state.membership(), &user.ctx(), id).await?;
    Ok(render(&MemberPage {
        user: (&user).into(),
        d,
        full_id: None,
    }))
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// Shows the full identity number once, on this response only; the view is audited.
pub(super) async fn reveal(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let full = roster::reveal_id_number(&state.membership(), &user.ctx(), id).await?;
    let d = roster::detail(&state.membership(), &user.ctx(), id).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        render(&MemberPage {
            user: (&user).into(),
            d,
            full_id: Some(full),
        }),
    )
        .into_response())
}

crate::auth::carries_csrf!(CsrfForm);
