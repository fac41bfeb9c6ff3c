//! The public notice (帮扶公示) page: approved applications whose notice period runs, for
//! anyone, signed in or not.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticePageQuery {
    org: Option<OrgId>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "aid/notice.html")]
pub(super) struct NoticePage {
    items: Vec<NoticeItem>,
    pager: Pager,
}

pub(super) async fn notice(
    State(state): State<AppState>,
    q: Result<Query<NoticePageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let list =
        application::notice(&state.store, q.org, Some(limit), Some(offset), Utc::now()).await?;
    let base = match q.org {
        Some(o) => format!("/aid/notice?org={o}&"),
        None => "/aid/notice?".into(),
    };
    Ok(render(&NoticePage {
        pager: Pager::new(page, list.total, base),
        items: list.items,
    }))
}
