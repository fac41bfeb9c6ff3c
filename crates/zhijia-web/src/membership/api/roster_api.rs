//! The staff side: the roster, a member, export and import.

use super::*;

#[derive(Debug, Serialize)]
pub(super) struct RosterPage {
    org_id: OrgId,
    org_name: String,
    #[serde(flatten)]
    page: zhijia_store::Page<roster::RosterItem>,
}

/// The roster of a union's subtree: search (name, member number, identity number, phone),
/// filters, pagination. Identity numbers and phones are masked.
#[utoipa::path(get, path = "/api/v1/roster", tag = "membership",
    params(("org" = Option<i64>, Query), ("q" = Option<String>, Query), ("status" = Option<String>, Query),
           ("joined_from" = Option<String>, Query), ("joined_to" = Option<String>, Query),
           ("gig" = Option<String>, Query), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)),
    responses((status = 200, description = "会员名册 {org_id, org_name, items, total, offset, limit}"),
              (status = 403, body = crate::error::ErrorBody)))]
pub async fn roster_list(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<RosterQuery>,
) -> Result<Response, ApiError> {
    let (org, page) = roster::list(&state.membership(), &user.ctx(), &q).await?;
    Ok(Json(RosterPage {
        org_id: org.id,
        org_name: org.name,
        page,
    })
    .into_response())
}

/// One member of the caller's branch: memberships, transfers, card status, audit trail.
#[utoipa::path(get, path = "/api/v1/roster/{membership_id}", tag = "membership",
    params(("membership_id" = i64, Path)),
    responses((status = 200, description = "会员详情"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn roster_detail(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
) -> Result<Response, ApiError> {
    let d = roster::detail(&state.membership(), &user.ctx(), id).await?;
    Ok(Json(MemberDetailView::from(&d)).into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FullIdNumber {
    pub id_number: String,
}

/// The full identity number, for reviewers and administrators; every call is audited.
#[utoipa::path(post, path = "/api/v1/roster/{membership_id}/id-number", tag = "membership",
    params(("membership_id" = i64, Path)),
    responses((status = 200, body = FullIdNumber), (status = 403, body = crate::error::ErrorBody)))]
pub async fn reveal(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
) -> Result<Response, ApiError> {
    let full = roster::reveal_id_number(&state.membership(), &user.ctx(), id).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(FullIdNumber { id_number: full }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RetiredRequest {
    pub retired: bool,
}

/// Marks a member retired (membership kept) or active again.
#[utoipa::path(post, path = "/api/v1/roster/{membership_id}/retired", tag = "membership",
    params(("membership_id" = i64, Path)), request_body = RetiredRequest,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn retired(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<MembershipId>,
    ApiJson(req): ApiJson<RetiredRequest>,
) -> Result<StatusCode, ApiError> {
    transfer::set_retired(&state.membership(), &user.ctx(), id, req.retired).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The roster filters and `full`. Spelt out rather than `#[serde(flatten)]`: flattened fields
/// of a query string arrive as text, and a number among them fails to parse.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    pub org: Option<OrgId>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub joined_from: Option<String>,
    pub joined_to: Option<String>,
    pub gig: Option<String>,
    /// Full identity numbers (reviewers and administrators only).
    pub full: bool,
}

impl ExportQuery {
    fn roster(&self) -> RosterQuery {
        RosterQuery {
            org: self.org,
            q: self.q.clone(),
            status: self.status.clone(),
            joined_from: self.joined_from.clone(),
            joined_to: self.joined_to.clone(),
            gig: self.gig.clone(),
            limit: None,
            offset: None,
        }
    }
}

/// The filtered roster as an XLSX file; masked unless `full` and allowed; audited.
#[utoipa::path(get, path = "/api/v1/roster/export.xlsx", tag = "membership",
    params(("org" = Option<i64>, Query), ("q" = Option<String>, Query), ("full" = Option<bool>, Query)),
    responses((status = 200, description = "XLSX 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let e = roster::export(&state.membership(), &user.ctx(), &q.roster(), q.full).await?;
    let bytes = zhijia_app::slow::run(move || super::super::xlsx::roster(&e)).await??;
    Ok(crate::attachment::xlsx_download(bytes, "roster.xlsx"))
}

/// A CSV file download (UTF-8 with BOM, as Excel expects).
pub fn csv_attachment(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ImportQuery {
    /// 会员所属的工会编号
    pub org: i64,
    /// 文件名(用于记录)
    pub name: Option<String>,
}

/// Imports a roster: the request body is the .xlsx or .csv file itself. Valid rows are
/// imported, bad ones reported (row, column, reason); members already in the union are skipped,
/// and people the caller cannot see are reported with one neutral reason.
#[utoipa::path(post, path = "/api/v1/roster/imports", tag = "membership", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "名册文件(.csv 或 .xlsx)"),
    responses((status = 201, description = "导入结果 {id, rows, imported, skipped, errors}"),
              (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn import_roster(
    state: Keyed,
    user: StaffUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    use futures_util::StreamExt;
    use zhijia_app::membership::import::{HEAD_BYTES, MAX_UPLOAD, check_head};
    let name = q.name.unwrap_or_else(|| "roster".into());
    // Read as it arrives: refused on its first bytes when it cannot be a roster and as soon as
    // it passes the limit, without reading the rest.
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    let mut checked = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            zhijia_app::AppError::invalid("file", "文件上传不完整或超过20MB，请重试")
        })?;
        bytes.extend_from_slice(&chunk);
        let mut refused = None;
        if !checked && bytes.len() >= HEAD_BYTES {
            checked = true;
            refused = check_head(&bytes).err();
        }
        if refused.is_none() && bytes.len() > MAX_UPLOAD {
            refused = Some(zhijia_app::AppError::invalid(
                "file",
                "文件超过20MB，请分批上传或使用命令行 zhijia import members",
            ));
        }
        if let Some(e) = refused {
            crate::attachment::drain_body_later(stream, MAX_UPLOAD);
            return Err(e.into());
        }
    }
    let up = zhijia_app::membership::import::upload(
        &state.membership(),
        &user.ctx(),
        OrgId(q.org),
        &name,
        bytes,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(up)).into_response())
}

/// The error report of an import, as CSV (row, column, reason).
#[utoipa::path(get, path = "/api/v1/roster/imports/{id}/errors.csv", tag = "membership",
    params(("id" = i64, Path)),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn import_errors(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ImportId>,
) -> Result<Response, ApiError> {
    let (_, csv) =
        zhijia_app::membership::import::error_report(&state.membership(), &user.ctx(), id).await?;
    Ok(csv_attachment(csv, &format!("import-{id}-errors.csv")))
}
