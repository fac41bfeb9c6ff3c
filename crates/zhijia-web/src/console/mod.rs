//! The console shell: the side menu every console page carries, grouped by area, with the
//! counts of what waits in the caller's branch. The staff extractor fills it once per console
//! page (see `auth`), and `base.html` draws it, so no page can be left without it and no handler
//! passes it.

pub mod labels;

use zhijia_domain::auth::{Grant, Role};
use zhijia_domain::member::{ApplicationStatus, MembershipStatus, TransferStatus};
use zhijia_domain::org::OrgPath;
use zhijia_store::Store;

/// What waits in the caller's branch, per kind of work; `None` where the caller holds no role
/// that does that work (the figure is then not shown at all).
#[derive(Clone, Debug, Default)]
pub struct Waiting {
    pub members: Option<i64>,
    pub pending: Option<i64>,
    pub overdue_applications: Option<i64>,
    pub transfers: Option<i64>,
    pub open_cases: Option<i64>,
    pub overdue_cases: Option<i64>,
    pub aid: Option<i64>,
    /// Articles waiting for a second person's review.
    pub articles: Option<i64>,
}

/// The tops of the branches where the caller holds one of `roles`: a grant below another of
/// these is inside it already, so counting it again would count twice.
pub fn tops<'a>(grants: &'a [Grant], roles: &[Role]) -> Vec<&'a OrgPath> {
    let held: Vec<&OrgPath> = grants
        .iter()
        .filter(|g| roles.contains(&g.role))
        .map(|g| &g.org_path)
        .collect();
    let mut out: Vec<&OrgPath> = held
        .iter()
        .filter(|p| !held.iter().any(|o| o != *p && o.contains(p)))
        .copied()
        .collect();
    out.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    out.dedup();
    out
}

const REVIEW: &[Role] = &[Role::Reviewer, Role::OrgAdmin];
const ROSTER: &[Role] = &[Role::Reviewer, Role::OrgAdmin, Role::Analyst];
const CASES: &[Role] = &[Role::CaseHandler];
const AID: &[Role] = &[Role::AidOfficer];
const EDIT: &[Role] = &[Role::Editor, Role::OrgAdmin];

async fn sum<'a, F, Fut>(paths: &[&'a OrgPath], f: F) -> Result<Option<i64>, zhijia_app::AppError>
where
    F: Fn(&'a OrgPath) -> Fut,
    Fut: std::future::Future<Output = Result<i64, zhijia_app::AppError>>,
{
    if paths.is_empty() {
        return Ok(None);
    }
    let mut total = 0;
    for p in paths {
        total += f(p).await?;
    }
    Ok(Some(total))
}

/// The counts of what waits, each within the branches where the caller does that work.
pub async fn waiting(
    db: &Store,
    grants: &[Grant],
    today: chrono::NaiveDate,
) -> Result<Waiting, zhijia_app::AppError> {
    use zhijia_store::{aid, case, membership};
    let review = tops(grants, REVIEW);
    let roster = tops(grants, ROSTER);
    let cases = tops(grants, CASES);
    let aid_tops = tops(grants, AID);
    let active = zhijia_store::membership::RosterFilter {
        status: Some(MembershipStatus::Active),
        ..Default::default()
    };
    let active = &active;
    Ok(Waiting {
        members: sum(&roster, |p| async move {
            Ok(membership::roster(db, p, active, 0, 0).await?.total)
        })
        .await?,
        pending: sum(&review, |p| async move {
            Ok(
                membership::queue(db, p, ApplicationStatus::Pending, None, 1, 0)
                    .await?
                    .total,
            )
        })
        .await?,
        overdue_applications: sum(&review, |p| async move {
            Ok(
                membership::queue(db, p, ApplicationStatus::Pending, Some(today), 1, 0)
                    .await?
                    .total,
            )
        })
        .await?,
        transfers: sum(&review, |p| async move {
            Ok(
                membership::transfer_queue(db, p, TransferStatus::AwaitingRelease, 1, 0)
                    .await?
                    .total,
            )
        })
        .await?,
        open_cases: sum(&cases, |p| async move {
            Ok(case::queue(db, p, None, 1, 0).await?.total)
        })
        .await?,
        overdue_cases: sum(&cases, |p| async move {
            Ok(case::count_overdue(db, p, today).await?)
        })
        .await?,
        aid: sum(&aid_tops, |p| async move {
            Ok(
                aid::applications(db, p, Some(zhijia_domain::aid::AidStatus::InReview), 1, 0)
                    .await?
                    .total,
            )
        })
        .await?,
        articles: sum(&tops(grants, EDIT), |p| async move {
            Ok(zhijia_store::article::in_review(db, p, 1, 0).await?.total)
        })
        .await?,
    })
}

/// One entry of the side menu.
#[derive(Clone, Debug)]
pub struct Item {
    pub name: &'static str,
    pub href: String,
    /// What waits there, shown as a badge when above zero.
    pub count: Option<i64>,
    /// Part of what waits is late: the badge is drawn as urgent.
    pub urgent: bool,
    pub current: bool,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: &'static str,
    pub items: Vec<Item>,
}

/// The side menu of a console page.
#[derive(Clone, Debug)]
pub struct Menu {
    /// The branch being worked on (the top of the caller's first branch).
    pub branch: String,
    pub groups: Vec<Group>,
}

fn item(name: &'static str, href: impl Into<String>, count: Option<i64>, urgent: bool) -> Item {
    Item {
        name,
        href: href.into(),
        count,
        urgent,
        current: false,
    }
}

impl Menu {
    /// The menu for a page at `here` (its path), given the counts and the caller's first
    /// branch (for the pages addressed by a union).
    pub fn build(here: &str, w: &Waiting, branch: Option<(i64, String)>) -> Menu {
        let (top, branch) = branch.unwrap_or((0, String::new()));
        let mut groups = service_groups(w);
        groups.extend(other_groups(w, top));
        mark_current(&mut groups, here);
        Menu { branch, groups }
    }
}

/// The groups of the work that waits: members, cases, aid.
fn service_groups(w: &Waiting) -> Vec<Group> {
    let late = |n: Option<i64>| n.unwrap_or(0) > 0;
    vec![
        Group {
            name: "会员",
            items: vec![
                item(
                    "入会审核",
                    "/console/applications",
                    w.pending,
                    late(w.overdue_applications),
                ),
                item("会员名册", "/console/roster", None, false),
                item("会籍接转", "/console/transfers", w.transfers, false),
                item("名册导入", "/console/roster/import", None, false),
            ],
        },
        Group {
            name: "维权",
            items: vec![
                item(
                    "案件办理",
                    "/console/cases",
                    w.open_cases,
                    late(w.overdue_cases),
                ),
                item("来电来访登记", "/console/cases/new", None, false),
                item("维权统计", "/console/case-stats", None, false),
            ],
        },
        Group {
            name: "帮扶",
            items: vec![
                item("困难职工档案", "/console/aid", None, false),
                item(
                    "帮扶审批",
                    "/console/aid/applications?status=in_review",
                    w.aid,
                    false,
                ),
                item("发放台账", "/console/aid/ledger", None, false),
            ],
        },
    ]
}

/// The groups of what a union offers, runs and publishes; `top` is the caller's first branch (0: none),
/// for the pages addressed by a union.
fn other_groups(w: &Waiting, top: i64) -> Vec<Group> {
    let org = |tail: &str| {
        if top > 0 {
            format!("/console/orgs/{top}{tail}")
        } else {
            "/console".into()
        }
    };
    vec![
        Group {
            name: "普惠",
            items: vec![
                item("优惠与商户", "/console/offers", None, false),
                item("积分商城", "/console/mall", None, false),
            ],
        },
        Group {
            name: "活动",
            items: vec![
                item("活动与签到", "/console/activities", None, false),
                item("劳模风采", "/console/model-workers", None, false),
                item("职工书屋", "/console/library", None, false),
            ],
        },
        Group {
            name: "资讯",
            items: vec![
                item("资讯管理", "/console/news", None, false),
                item("资讯审核", "/console/news/review", w.articles, false),
                item("留言管理", "/console/comments", None, false),
                item("频道设置", "/console/channel", None, false),
            ],
        },
        Group {
            name: "组织",
            items: vec![
                item("工作台首页", "/console", None, false),
                item("组织树", org(""), None, false),
                item("角色授权", org("/grants"), None, false),
            ],
        },
        Group {
            name: "系统",
            items: vec![
                item("审计日志", org("/audit"), None, false),
                item(
                    "个人信息删除申请",
                    "/console/deletion-requests",
                    None,
                    false,
                ),
                item("修改密码", "/console/password", None, false),
            ],
        },
    ]
}

/// Marks the current entry: the one whose address is the longest start of this page's.
fn mark_current(groups: &mut [Group], here: &str) {
    let path_of = |href: &str| href.split('?').next().unwrap_or("").to_owned();
    let best = groups
        .iter()
        .flat_map(|g| g.items.iter())
        .map(|i| path_of(&i.href))
        .filter(|p| here == p || (p != "/console" && here.starts_with(&format!("{p}/"))))
        .max_by_key(String::len);
    if let Some(best) = best {
        for i in groups.iter_mut().flat_map(|g| g.items.iter_mut()) {
            i.current = path_of(&i.href) == best;
        }
    }
}

/// The caller's first branch: the top of their grants, by id and name.
pub async fn first_branch(db: &Store, grants: &[Grant]) -> Option<(i64, String)> {
    let all: Vec<Role> = Role::ALL.to_vec();
    let top = tops(grants, &all).into_iter().next()?;
    let id = *top.ids().last()?;
    let org = zhijia_app::org::get(db, id).await.ok()?;
    Some((org.id.0, org.name))
}

/// Whether a request is for a console page that is drawn with the shell (not a fragment, a
/// download or a write).
pub fn wants_shell(parts: &axum::http::request::Parts) -> bool {
    let path = parts.uri.path();
    parts.method == axum::http::Method::GET
        && (path == "/console" || path.starts_with("/console/"))
        && !parts.headers.contains_key("hx-request")
        && !path.ends_with("/children")
        && !path.ends_with(".csv")
        && !path.ends_with(".xlsx")
        && !path.contains("/files/")
        && !path.starts_with("/console/api/")
}

/// Fills the page's menu. A failed count leaves the page without its menu rather than failing
/// the page: the work itself does not depend on the badges.
pub async fn fill_menu(db: &Store, grants: &[Grant], path: &str) {
    let today = zhijia_app::today(chrono::Utc::now());
    let w = match waiting(db, grants, today).await {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "console counts failed");
            Waiting::default()
        }
    };
    let branch = first_branch(db, grants).await;
    crate::frame::set_menu(Menu::build(path, &w, branch));
}

/// The menu of the page being rendered (called from base.html).
pub fn menu() -> Option<Menu> {
    crate::frame::menu()
}
