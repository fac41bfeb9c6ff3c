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
    paths(api::list_roots, api::get_org, api::list_children, api::list_subtree, api::list_moves, crate::audit::api, crate::grant::list, crate::grant::create, crate::grant::below, crate::auth::pages::api_sign_in, crate::auth::pages::api_sign_out, crate::auth::pages::api_sign_out_everywhere, w::request_code, w::verify, w::sign_out, w::my_data, w::request_deletion, m::apply, m::mine, m::my_card, m::request_transfer, m::leave, m::inbox, m::mark_read, m::verify_card, m::applications, m::decide, m::transfers, m::start_transfer, m::confirm_transfer, m::decline_transfer, m::release, m::accept, m::roster_list, m::roster_detail, m::reveal, m::retired, m::export, m::import_roster, m::import_errors, bm::propose, bm::my_proposals, bm::cancel, bm::waiting, bm::approve, bm::reject, bm::shops, bm::add_shop, bm::remove_shop, crate::deletion::list, crate::deletion::handle, c::file_case, c::my_cases, c::my_case, c::reply, c::my_attachment, c::my_file, c::rate, c::queue, c::register, c::detail, c::step, c::message, c::reroute, c::mediation, c::attachment, c::staff_file, c::statistics, aid::files, aid::open_file, aid::file_detail, aid::review, aid::exit, aid::applications, aid::apply, aid::application_detail, aid::decide, aid::attachment, aid::staff_file, aid::staff_objection, aid::resolve, aid::disburse, aid::reverse, aid::ledger_list, aid::ledger_export, aid::my_identity, aid::notice, aid::worker_objection, crate::aid::worker::my_aid_api, b::my_offers, b::claim, b::my_coupons, b::redeem, b::register_merchant, b::merchants, b::merchant_account, b::create_offer, b::offers, b::publish, b::withdraw, b::settlement, b::settlement_xlsx, b::merchant_offers, crate::mall::shelf, crate::mall::order, crate::mall::my_orders, crate::mall::create_item, crate::mall::items, act::list, act::create, act::detail, act::check_in, act::cancel, act::rules, act::set_rule, act::my_activities, act::my_activity, act::register, act::cancel_registration, act::my_registrations, act::my_points),
    components(schemas(api::OrgView, api::OrgPage, api::OrgMoveView, crate::audit::AuditPageView, crate::grant::GrantRequest, crate::grant::GrantResult, crate::grant::HolderView, crate::auth::pages::ApiSignIn, crate::auth::pages::ApiSession, w::CodeRequest, w::CodeSent, w::VerifyRequest, w::WorkerToken, w::DeletionRequestBody, zhijia_app::membership::join::JoinInput, zhijia_app::membership::join::Submitted, zhijia_app::membership::card::Card, zhijia_app::membership::card::CardCheck, m::TransferRequest, m::ReadRequest, m::VerifyCard, m::DecisionRequest, m::UnionTransfer, m::Proposed, m::ReleaseRequest, m::FullIdNumber, m::RetiredRequest, crate::deletion::HandleRequest, crate::error::ErrorBody, crate::extract::Created, b::ClaimRequest, b::RedeemRequest, b::AccountRequest, b::AccountCreated, zhijia_app::benefit::ClaimedCoupon, zhijia_app::benefit::Redeemed, zhijia_app::benefit::MerchantInput, zhijia_app::benefit::OfferInput, zhijia_app::benefit::OfferTerms, zhijia_app::benefit::proposal::Approval, zhijia_app::benefit::shop::ShopInput, bm::RejectRequest, zhijia_app::benefit::Settlement, zhijia_app::benefit::SettlementLine, crate::mall::OrderRequest, zhijia_app::mall::ItemInput, zhijia_app::case::file::CaseInput, zhijia_app::case::file::DeskInput, zhijia_app::case::file::Filed, zhijia_app::case::file::Route, zhijia_app::case::handle::Step, zhijia_app::case::talk::MediationInput, zhijia_app::case::stats::Figures, c::ReplyRequest, c::RatingRequest, c::MessageRequest, c::RouteRequest, aid::ReasonRequest, aid::ObjectionRequest, aid::ResolutionRequest, aid::IdentityRequest, aid::NoticePage, zhijia_app::aid::application::NoticeItem, zhijia_app::aid::file::FileInput, zhijia_app::aid::file::MemberInput, zhijia_app::aid::file::ReviewInput, zhijia_app::aid::file::FileView, zhijia_app::aid::application::ApplicationInput, zhijia_app::aid::application::DecisionInput, zhijia_app::aid::ledger::DisbursementInput, zhijia_app::activity::ActivityInput, zhijia_app::activity::CheckedIn, zhijia_app::activity::mine::MyRegistration, zhijia_app::points::RuleView, zhijia_app::points::HistoryLine, act::CheckInRequest, act::RuleRequest, zhijia_app::model_worker::ModelWorkerInput, zhijia_app::model_worker::PublicModelWorker, zhijia_app::library::LibraryInput, zhijia_app::library::PublicItem)),
    tags((name = "org", description = "工会组织树"), (name = "audit", description = "审计日志"), (name = "grant", description = "角色授权"), (name = "auth", description = "登录"), (name = "me", description = "本人数据"), (name = "membership", description = "入会、会员卡、会籍接转与会员名册"), (name = "case", description = "职工维权：诉求、办理、督办、调解与统计"), (name = "benefit", description = "普惠：商户、优惠、领券与核销"), (name = "mall", description = "积分商城：商品与兑换"), (name = "aid", description = "困难职工帮扶：建档、申请与分级审批、公示、发放台账、年度复核"), (name = "activity", description = "工会活动：报名、候补、扫码签到；积分与积分规则"), (name = "culture", description = "精神文化：劳模风采与职工书屋(公开阅读无需登录；管理接口在 /api/v1/console 下)"))
)]
struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    crate::publishable::api::document::<zhijia_app::model_worker::ModelWorkers>(&mut doc.paths);
    crate::publishable::api::document::<zhijia_app::library::Library>(&mut doc.paths);
    Json(doc)
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi))
}
