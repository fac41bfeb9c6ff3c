//! A publishable kind as JSON: the public list and record (`/api/v1/<path>`, no sign-in) and
//! the union's records (`/api/v1/console/<path>`, editors and administrators), with their
//! entries in the OpenAPI document.

use super::Pages;
use super::view::{self, RecordView};
use crate::auth::StaffUser;
use crate::extract::{ApiJson, ApiQuery, Created, parse_id};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use std::collections::HashMap;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, Parameter, ParameterBuilder, ParameterIn, Paths,
};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{Content, ContentBuilder, Ref, Required, ResponseBuilder};
use zhijia_app::AppError;
use zhijia_app::publishable as uc;
use zhijia_domain::ids::RecordId;

/// The staff's view of one record of the kind `S`.
fn staff_view<S: Pages>(
    r: &zhijia_store::publishable::Record<S::Content>,
) -> RecordView<S::ContentView> {
    RecordView::from(r)
}

type Params = HashMap<String, String>;

/// A whole number from the query string, if given.
fn int(q: &Params, name: &'static str) -> Result<Option<i64>, ApiError> {
    match q.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| ApiError(AppError::invalid(name, format!("参数 {name} 应为整数")))),
    }
}

async fn published<S: Pages>(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let facet = q.get(S::FACET).map(String::as_str);
    let (org, limit, offset) = (int(&q, "org")?, int(&q, "limit")?, int(&q, "offset")?);
    let page = uc::published::<S>(&state.store, org, facet, limit, offset).await?;
    Ok(Json(page).into_response())
}

async fn public<S: Pages>(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = <uc::IdOf<S> as RecordId>::from_raw(parse_id(&id)?);
    Ok(Json(uc::public::<S>(&state.store, id).await?).into_response())
}

async fn create<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    ApiJson(input): ApiJson<S::Input>,
) -> Result<Response, ApiError> {
    let id = uc::create::<S>(&state.store, &user.ctx(), &input, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })).into_response())
}

async fn list<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    ApiQuery(q): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let (org, limit, offset) = (int(&q, "org")?, int(&q, "limit")?, int(&q, "offset")?);
    let (_, page) = uc::list::<S>(&state.store, &user.ctx(), org, limit, offset).await?;
    Ok(Json(view::page::<_, S::ContentView>(&page)).into_response())
}

async fn detail<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = <uc::IdOf<S> as RecordId>::from_raw(parse_id(&id)?);
    let r = uc::get::<S>(&state.store, &user.ctx(), id).await?;
    Ok(Json(staff_view::<S>(&r)).into_response())
}

async fn update<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<S::Input>,
) -> Result<Response, ApiError> {
    let id = <uc::IdOf<S> as RecordId>::from_raw(parse_id(&id)?);
    let r = uc::update::<S>(&state.store, &user.ctx(), id, &input, Utc::now()).await?;
    Ok(Json(staff_view::<S>(&r)).into_response())
}

async fn publish<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = <uc::IdOf<S> as RecordId>::from_raw(parse_id(&id)?);
    let r = uc::publish::<S>(&state.store, &user.ctx(), id, Utc::now()).await?;
    Ok(Json(staff_view::<S>(&r)).into_response())
}

async fn withdraw<S: Pages>(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = <uc::IdOf<S> as RecordId>::from_raw(parse_id(&id)?);
    let r = uc::withdraw::<S>(&state.store, &user.ctx(), id).await?;
    Ok(Json(staff_view::<S>(&r)).into_response())
}

pub fn routes<S: Pages>() -> Router<AppState> {
    let public_path = format!("/api/v1{}", S::PATH);
    let console = format!("/api/v1/console{}", S::PATH);
    Router::new()
        .route(&public_path, get(published::<S>))
        .route(&format!("{public_path}/{{id}}"), get(public::<S>))
        .route(&console, get(list::<S>).post(create::<S>))
        .route(
            &format!("{console}/{{id}}"),
            get(detail::<S>).put(update::<S>),
        )
        .route(&format!("{console}/{{id}}/publish"), post(publish::<S>))
        .route(&format!("{console}/{{id}}/withdraw"), post(withdraw::<S>))
}

/// The kind's endpoints in the OpenAPI document, under the tag `culture`: the handlers are
/// generic, so their entries are built here rather than by `#[utoipa::path]`.
pub fn document<S: Pages>(paths: &mut Paths) {
    document_public::<S>(paths);
    document_console::<S>(paths);
}

/// A parameter's schema: every parameter has its type, as a client generator (and
/// schemathesis) needs it to build one.
fn typed(kind: Type) -> Option<RefOr<Schema>> {
    Some(ObjectBuilder::new().schema_type(kind).into())
}

fn query(name: &str, what: String, kind: Type) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(what))
        .schema(typed(kind))
        .build()
}

fn path_id() -> Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(typed(Type::Integer))
        .build()
}

fn page_params() -> [Parameter; 2] {
    [
        query("limit", "每页条数".into(), Type::Integer),
        query("offset", "跳过条数".into(), Type::Integer),
    ]
}

fn json(schema: &str) -> Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(schema)))
        .build()
}

fn answer(what: String) -> utoipa::openapi::Response {
    ResponseBuilder::new().description(what).build()
}

fn answer_with(what: &str, schema: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(what)
        .content("application/json", json(schema))
        .build()
}

/// An operation of the tag `culture` with the refusals every one may answer.
fn op(summary: String) -> OperationBuilder {
    OperationBuilder::new()
        .tag("culture")
        .summary(Some(summary))
        .response("401", answer_with("未登录", "ErrorBody"))
        .response("403", answer_with("无权限", "ErrorBody"))
        .response(
            "404",
            answer_with("不存在，或不在本人管理的范围内", "ErrorBody"),
        )
        .response("422", answer_with("输入有误", "ErrorBody"))
}

fn input_body<S: Pages>() -> Option<RequestBody> {
    let input = <S::Input as utoipa::ToSchema>::name();
    Some(
        RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content("application/json", json(&input))
            .build(),
    )
}

/// The public list and record, without sign-in.
fn document_public<S: Pages>(paths: &mut Paths) {
    let noun = S::NOUN;
    let public_path = format!("/api/v1{}", S::PATH);
    let public = <S::Public as utoipa::ToSchema>::name();
    let facets: Vec<&str> = S::facets().iter().map(|(v, _)| *v).collect();
    paths.add_path_operation(
        &public_path,
        vec![HttpMethod::Get],
        op(format!("已发布的{noun}(分页，最新发布在前)，无需登录"))
            .parameter(query("org", "只看该工会及下级工会的".into(), Type::Integer))
            .parameter(query(S::FACET, facets.join("、"), Type::String))
            .parameters(Some(page_params()))
            .response("200", answer(format!("已发布的{noun}(分页)"))),
    );
    paths.add_path_operation(
        format!("{public_path}/{{id}}"),
        vec![HttpMethod::Get],
        op(format!("一条已发布的{noun}；草稿与已撤回的答 404"))
            .parameter(path_id())
            .response("200", answer_with(noun, &public)),
    );
}

/// The union's records: list, create, read, edit, publish and withdraw.
fn document_console<S: Pages>(paths: &mut Paths) {
    let noun = S::NOUN;
    let console = format!("/api/v1/console{}", S::PATH);
    paths.add_path_operation(
        &console,
        vec![HttpMethod::Get],
        op(format!("本级及下级工会的{noun}，各种状态，最新在前"))
            .parameter(query(
                "org",
                "工会 id，默认为本人的第一个工会".into(),
                Type::Integer,
            ))
            .parameters(Some(page_params()))
            .response("200", answer(format!("{noun}(分页)"))),
    );
    paths.add_path_operation(
        &console,
        vec![HttpMethod::Post],
        op(format!("新建{noun}草稿(宣传文体干事或工会管理员)"))
            .request_body(input_body::<S>())
            .response("201", answer_with("已创建", "Created")),
    );
    let one = format!("{console}/{{id}}");
    paths.add_path_operation(
        &one,
        vec![HttpMethod::Get],
        op(format!("一条{noun}，任何状态"))
            .parameter(path_id())
            .response("200", answer(noun.to_owned())),
    );
    paths.add_path_operation(
        &one,
        vec![HttpMethod::Put],
        op(format!("修改{noun}(所属工会不变)"))
            .parameter(path_id())
            .request_body(input_body::<S>())
            .response("200", answer(noun.to_owned()))
            .response("409", answer_with("状态不允许", "ErrorBody")),
    );
    for (action, summary) in [
        ("publish", "发布草稿或已撤回的"),
        ("withdraw", "撤回已发布的"),
    ] {
        paths.add_path_operation(
            format!("{one}/{action}"),
            vec![HttpMethod::Post],
            op(format!("{summary}{noun}"))
                .parameter(path_id())
                .response("200", answer(noun.to_owned()))
                .response("409", answer_with("状态不允许", "ErrorBody")),
        );
    }
}
