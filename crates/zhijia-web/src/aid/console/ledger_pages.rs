//! The console page of the disbursement ledger, and reversing an entry.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LedgerPageQuery {
    org: Option<OrgId>,
    year: Option<i64>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid/ledger.html")]
pub(super) struct LedgerPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    year: String,
    export: String,
    items: Vec<EntryView>,
    totals: Totals,
    pager: Pager,
}

impl LedgerPage {
    fn yuan(&self, fen: &i64) -> String {
        rules::yuan(*fen)
    }
}

pub(super) async fn ledger_page(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<LedgerPageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let query = LedgerQuery {
        org: q.org,
        year: q.year,
        file: None,
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, l) = ledger::list(&state.aid(), &user.ctx(), &query).await?;
    let year = q.year.map(|y| y.to_string()).unwrap_or_default();
    Ok(render(&LedgerPage {
        user: (&user).into(),
        export: format!(
            "/api/v1/aid/ledger/export.xlsx?org={}&year={year}",
            org.id.0
        ),
        pager: Pager::new(
            page,
            l.page.total,
            format!("/console/aid/ledger?org={}&year={year}&", org.id.0),
        ),
        org_id: org.id,
        org_name: org.name,
        year,
        items: l.page.items,
        totals: l.totals,
    }))
}

pub(super) async fn reverse(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<DisbursementId>,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(f) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    ledger::reverse(&state.aid(), &user.ctx(), id, &f.reason, Utc::now()).await?;
    Ok(Redirect::to("/console/aid/ledger").into_response())
}
