//! The OpenAPI document of the JSON API, served at /api/openapi.json.

use crate::AppState;
use crate::activity::api as act;
use crate::aid::api as aid;
use crate::auth::worker_api as w;
use crate::benefit::api as b;
use crate::benefit::merchant_api as bm;
use crate::case::api as c;
use crate::membership::api as m;
use crate::org::api;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "网上职工之家 zhijia API", description = "工会组织、会员与服务的开放接口。错误统一返回 {error, message, field}。"),
    paths(
        api::list_roots,
        api::get_org,
        api::list_children,
        api::list_subtree,
        api::list_moves,
        crate::audit::api,
        crate::grant::list,
        crate::grant::create,
        crate::grant::below,
        crate::auth::pages::api_sign_in,
        crate::auth::pages::api_sign_out,
        crate::auth::pages::api_sign_out_everywhere,
        w::request_code,
        w::verify,
        w::sign_out,
        w::my_data,
        w::request_deletion,
        m::apply,
        m::mine,
        m::my_card,
        m::request_transfer,
        m::leave,
        m::employer_suggestions,
        m::township_suggestions,
        m::inbox,
        m::mark_read,
        m::verify_card,
        m::applications,
        m::decide,
        m::transfers,
        m::start_transfer,
        m::confirm_transfer,
        m::decline_transfer,
        m::release,
        m::accept,
        m::roster_list,
        m::roster_detail,
        m::reveal,
        m::retired,
        m::export,
        m::import_roster,
        m::import_errors,
        bm::propose,
        bm::my_proposals,
        bm::cancel,
        bm::waiting,
        bm::approve,
        bm::reject,
        bm::shops,
        bm::add_shop,
        bm::remove_shop,
        crate::deletion::list,
        crate::deletion::handle,
        c::file_case,
        c::my_cases,
        c::my_case,
        c::reply,
        c::my_attachment,
        c::my_file,
        c::rate,
        c::queue,
        c::register,
        c::detail,
        c::step,
        c::message,
        c::reroute,
        c::mediation,
        c::attachment,
        c::staff_file,
        c::statistics,
        aid::files,
        aid::open_file,
        aid::file_detail,
        aid::review,
        aid::exit,
        aid::applications,
        aid::apply,
        aid::application_detail,
        aid::decide,
        aid::attachment,
        aid::staff_file,
        aid::staff_objection,
        aid::resolve,
        aid::disburse,
        aid::reverse,
        aid::ledger_list,
        aid::ledger_export,
        aid::my_identity,
        aid::notice,
        aid::worker_objection,
        crate::aid::worker::my_aid_api,
        b::my_offers,
        b::claim,
        b::my_coupons,
        b::redeem,
        b::register_merchant,
        b::merchants,
        b::merchant_account,
        b::create_offer,
        b::offers,
        b::publish,
        b::withdraw,
        b::settlement,
        b::settlement_xlsx,
        b::merchant_offers,
        crate::mall::shelf,
        crate::mall::order,
        crate::mall::my_orders,
        crate::mall::create_item,
        crate::mall::items,
        act::list,
        act::create,
        act::detail,
        act::check_in,
        act::cancel,
        act::rules,
        act::set_rule,
        act::my_activities,
        act::my_activity,
        act::register,
        act::cancel_registration,
        act::my_registrations,
        act::my_points,
        crate::article::comment::api::list,
        crate::article::comment::api::write,
        crate::article::comment::api::delete_own,
        crate::article::comment::api::queue,
        crate::article::comment::api::feature,
        crate::article::comment::api::reply,
        crate::article::comment::api::hide,
        crate::article::export::api,
        crate::region::provinces,
        crate::region::children,
        crate::aid::worker::standing_api,
        crate::aid::worker::apply_api,
        crate::aid::worker::applications_api,
        crate::aid::worker::application_api,
        crate::aid::worker::attach_api,
        crate::aid::worker::file_api,
        crate::aid::worker::upload_api,
        crate::org::suggest::suggest,
        m::application_detail,
        crate::article::api::feed,
        crate::article::api::article,
        crate::article::api::read,
        crate::article::api::like,
        crate::article::api::unlike,
        crate::article::api::channel_page,
        crate::article::api::knowledge,
        crate::article::api::list,
        crate::article::api::queue,
        crate::article::api::create,
        crate::article::api::detail,
        crate::article::api::update,
        crate::article::api::submit,
        crate::article::api::approve,
        crate::article::api::send_back,
        crate::article::api::withdraw,
        crate::article::api::reshare,
        crate::article::api::upload,
        crate::article::api::channel_settings,
        crate::article::api::set_channel,
    ),
    components(schemas(
        api::OrgView,
        api::OrgPage,
        api::OrgMoveView,
        crate::audit::AuditPageView,
        crate::audit::view::EntryView,
        crate::grant::GrantRequest,
        crate::grant::GrantResult,
        crate::grant::HolderView,
        crate::grant::GrantBelowView,
        crate::auth::pages::ApiSignIn,
        crate::auth::pages::ApiSession,
        w::CodeRequest,
        w::CodeSent,
        w::VerifyRequest,
        w::WorkerToken,
        w::DeletionRequestBody,
        zhijia_app::membership::join::JoinInput,
        zhijia_app::membership::join::Submitted,
        zhijia_app::membership::card::Card,
        zhijia_app::membership::card::CardCheck,
        m::TransferRequest,
        m::LeaveRequest,
        zhijia_app::membership::pickers::EmployerChoice,
        zhijia_app::membership::pickers::TownshipChoice,
        m::ReadRequest,
        m::VerifyCard,
        m::DecisionRequest,
        m::UnionTransfer,
        m::Proposed,
        m::ReleaseRequest,
        m::FullIdNumber,
        m::RetiredRequest,
        crate::deletion::HandleRequest,
        crate::error::ErrorBody,
        crate::extract::Created,
        b::ClaimRequest,
        b::RedeemRequest,
        b::AccountRequest,
        b::AccountCreated,
        zhijia_app::benefit::ClaimedCoupon,
        crate::benefit::view::OfferView,
        zhijia_app::benefit::Redeemed,
        zhijia_app::benefit::MerchantInput,
        zhijia_app::benefit::OfferInput,
        zhijia_app::benefit::OfferTerms,
        zhijia_app::benefit::proposal::Approval,
        zhijia_app::benefit::shop::ShopInput,
        bm::RejectRequest,
        zhijia_app::benefit::Settlement,
        zhijia_app::benefit::SettlementLine,
        crate::mall::OrderRequest,
        crate::mall::view::ShelfView,
        crate::mall::view::ItemView,
        crate::mall::view::OrderView,
        zhijia_app::mall::ItemInput,
        zhijia_app::case::file::CaseInput,
        zhijia_app::case::file::DeskInput,
        zhijia_app::case::file::Filed,
        zhijia_app::case::file::Route,
        zhijia_app::case::handle::Step,
        zhijia_app::case::talk::MediationInput,
        crate::case::view::FiguresView,
        crate::case::view::CaseView,
        crate::case::view::DetailView,
        crate::case::view::OwnCaseView,
        crate::attachment::AttachmentView,
        c::ReplyRequest,
        c::RatingRequest,
        c::MessageRequest,
        c::RouteRequest,
        aid::ReasonRequest,
        aid::ObjectionRequest,
        aid::ResolutionRequest,
        aid::IdentityRequest,
        aid::NoticePage,
        zhijia_app::aid::application::NoticeItem,
        zhijia_app::aid::file::FileInput,
        zhijia_app::aid::file::MemberInput,
        zhijia_app::aid::file::ReviewInput,
        zhijia_app::aid::file::FileView,
        zhijia_app::aid::application::ApplicationInput,
        zhijia_app::aid::application::DecisionInput,
        zhijia_app::aid::ledger::DisbursementInput,
        zhijia_app::activity::ActivityInput,
        zhijia_app::activity::CheckedIn,
        zhijia_app::activity::mine::MyRegistration,
        zhijia_app::points::RuleView,
        zhijia_app::points::HistoryLine,
        act::CheckInRequest,
        crate::article::comment::api::CommentRequest,
        crate::article::comment::api::ReplyRequest,
        crate::article::comment::view::CommentView,
        crate::article::comment::view::ModerationView,
        zhijia_app::article::export::WechatExport,
        act::RuleRequest,
        zhijia_app::model_worker::ModelWorkerInput,
        zhijia_app::model_worker::PublicModelWorker,
        zhijia_app::library::LibraryInput,
        zhijia_app::library::PublicItem,
        zhijia_app::region::Place,
        zhijia_app::aid::mine::Standing,
        zhijia_app::aid::mine::ActiveFile,
        zhijia_app::aid::mine::WorkerApplication,
        zhijia_app::aid::mine::Applied,
        crate::aid::worker::KeptFile,
        c::WorkerCase,
        zhijia_app::article::ArticleInput,
        zhijia_app::article::PublicArticle,
        zhijia_app::article::reader::Likes,
        zhijia_app::article::channel::ChannelInput,
        crate::article::api::SendBackRequest,
        crate::article::api::ReshareRequest,
        crate::article::view::ItemView,
        crate::article::view::ItemPage,
        crate::article::view::FeedView,
        crate::article::view::ChannelPageView,
        crate::article::view::ChannelView,
        crate::article::view::StaffArticleView,
        crate::article::view::StaffPage,
    )),
    modifiers(&Conventions),
    tags(
        (name = "org", description = "工会组织树"),
        (name = "audit", description = "审计日志"),
        (name = "grant", description = "角色授权"),
        (name = "auth", description = "登录"),
        (name = "me", description = "本人数据"),
        (name = "membership", description = "入会、会员卡、会籍接转与会员名册"),
        (name = "case", description = "职工维权：诉求、办理、督办、调解与统计"),
        (name = "benefit", description = "普惠：商户、优惠、领券与核销"),
        (name = "mall", description = "积分商城：商品与兑换"),
        (name = "aid", description = "困难职工帮扶：建档、申请与分级审批、公示、发放台账、年度复核"),
        (name = "activity", description = "工会活动：报名、候补、扫码签到；积分与积分规则"),
        (name = "article", description = "资讯：文章留言(精选后公开)、留言管理、公众号排版导出；频道的 RSS/Atom 订阅在 /channels/{org}/rss.xml、atom.xml"),
        (name = "regions", description = "行政区划(省、市、区县)，供地区选择器使用"),
        (name = "culture", description = "精神文化：劳模风采与职工书屋(公开阅读无需登录；管理接口在 /api/v1/console 下)"),
        (name = "news", description = "资讯：会员资讯流、频道、法律知识库(公开阅读无需登录)；撰写、审核(双人)、转载与频道设置在 /api/v1/console 下"),
    )
)]
struct ApiDoc;

/// What the whole API shares, written once instead of on 140 operations.
///
/// - The bearer token every signed-in caller sends (a staff token from `POST
///   /api/v1/staff/sessions`, a worker token from `POST /api/v1/worker/sessions`): one security
///   scheme, optional at the document level (public operations need none).
/// - The refusals every operation can give, since all of them come from the one error type
///   (`AppError` → `crate::error`) with the body `ErrorBody`: 422 for input it cannot take (any
///   operation with parameters or a body; an unreadable body too), 404 for an id (in the path
///   or a filter) that does not exist or is not the caller's to see, 401/403 unless the operation is public,
///   409 for a write refused by the record's state, 429 for the rate limits (sign-in, codes,
///   proposals and claims are limited per person and per address), 413 for uploads over their
///   size. An operation's own description of a refusal, when it has one, is kept.
struct Conventions;

/// Operations anyone may call without signing in (method, path).
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/api/v1/regions"),
    ("get", "/api/v1/regions/{code}/children"),
    ("get", "/api/v1/orgs"),
    ("post", "/api/v1/staff/sessions"),
    ("post", "/api/v1/worker/sms-codes"),
    ("post", "/api/v1/worker/sessions"),
    ("get", "/api/v1/aid/notice"),
    ("get", "/api/v1/news/{id}"),
    ("post", "/api/v1/news/{id}/reads"),
    ("get", "/api/v1/channels/{org}"),
    ("get", "/api/v1/knowledge"),
    ("get", "/api/v1/library"),
    ("get", "/api/v1/library/{id}"),
    ("get", "/api/v1/model-workers"),
    ("get", "/api/v1/model-workers/{id}"),
    ("get", "/api/v1/articles/{id}/comments"),
];

impl utoipa::Modify for Conventions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("工作人员或职工登录后得到的令牌"))
                    .build(),
            ),
        );
        doc.security = Some(vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::default(),
        ]);
        let refusal = |what: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                let public = PUBLIC.contains(&(method, path.as_str()));
                let writes = method != "get";
                let takes_input = op.request_body.is_some()
                    || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let uploads = op
                    .request_body
                    .as_ref()
                    .is_some_and(|b| b.content.keys().any(|k| k.starts_with("multipart/")));
                let mut add = |code: &str, what: &str| {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| refusal(what));
                };
                if takes_input || writes {
                    add("422", "输入有误(字段见 field)");
                }
                if path.contains('{') || takes_input {
                    add("404", "不存在，或不在本人可见的范围内");
                }
                if !public {
                    add("401", "未登录或登录已失效");
                    add("403", "无权限");
                }
                if writes {
                    add("409", "当前状态下不能这样做");
                    add("429", "请求过于频繁，请稍后再试");
                }
                if uploads {
                    add("413", "文件过大");
                }
            }
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    crate::publishable::api::document::<zhijia_app::model_worker::ModelWorkers>(&mut doc.paths);
    crate::publishable::api::document::<zhijia_app::library::Library>(&mut doc.paths);
    Json(doc)
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi))
}
