//! The worker's home page: the entry to every module, mobile-first.

use crate::pages::render;
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

/// One entry on the home page. `href` is `None` until the module is built ("即将上线").
pub struct Module {
    pub name: &'static str,
    pub icon: &'static str,
    pub href: Option<&'static str>,
}

/// Every tile is a worker page: none leads to the staff sign-in.
/// The eleven modules of PRODUCT.md (culture as three entries: activities, the library, model
/// workers), in the order a worker looks for them.
const MODULES: &[Module] = &[
    Module {
        name: "网上入会",
        icon: "入",
        href: Some("/join"),
    },
    Module {
        name: "电子会员卡",
        icon: "卡",
        href: Some("/card"),
    },
    Module {
        name: "维权服务",
        icon: "维",
        href: Some("/cases"),
    },
    Module {
        name: "困难帮扶",
        icon: "帮",
        href: Some("/aid/mine"),
    },
    Module {
        name: "普惠服务",
        icon: "惠",
        href: Some("/benefits"),
    },
    Module {
        name: "文体活动",
        icon: "活",
        href: Some("/activities"),
    },
    Module {
        name: "职工书屋",
        icon: "书",
        href: Some("/library"),
    },
    Module {
        name: "劳模风采",
        icon: "模",
        href: Some("/model-workers"),
    },
    Module {
        name: "招聘就业",
        icon: "聘",
        href: None,
    },
    Module {
        name: "技能培训",
        icon: "学",
        href: None,
    },
    Module {
        name: "工会资讯",
        icon: "讯",
        href: Some("/news"),
    },
    Module {
        name: "问卷投票",
        icon: "问",
        href: None,
    },
    Module {
        name: "户外劳动者驿站",
        icon: "驿",
        href: None,
    },
    Module {
        name: "为你推荐",
        icon: "荐",
        href: None,
    },
    Module {
        // The worker's own union and membership; the staff console has its own entry.
        name: "工会组织",
        icon: "会",
        href: Some("/membership"),
    },
];

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    demo: bool,
    modules: &'static [Module],
    /// The signed-in worker's masked phone and the CSRF token of the sign-out form.
    worker: Option<(String, String)>,
    /// Unread messages of the signed-in worker.
    unread: i64,
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let session = crate::auth::worker::current(&state, &headers).await?;
    let unread = match &session {
        Some((s, _)) => match zhijia_store::worker::find_by_phone(&state.store, &s.phone).await? {
            Some(w) => zhijia_store::membership::unread(&state.store, w.id).await?,
            None => 0,
        },
        None => 0,
    };
    let worker = session.map(|(s, _)| (zhijia_domain::auth::mask_phone(&s.phone), s.csrf_token));
    Ok(render(&HomePage {
        demo: state.config.demo,
        modules: MODULES,
        worker,
        unread,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}
