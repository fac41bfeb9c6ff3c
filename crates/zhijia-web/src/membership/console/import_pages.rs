//! Importing a roster: the upload form, the upload, the template and the error report.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgQuery {
    org: Option<OrgId>,
}

#[derive(Template)]
#[template(path = "membership/roster_import.html")]
pub(super) struct ImportPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    columns: Vec<(&'static str, bool)>,
    result: Option<zhijia_app::membership::import::Uploaded>,
    error: Option<String>,
}

pub(super) async fn import_form(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<OrgQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let org = zhijia_app::membership::review_scope(&state.membership(), &user.ctx(), q.org).await?;
    Ok(render(&import_page(&user, &org, None, None)))
}

pub(super) fn import_page(
    user: &StaffUser,
    org: &zhijia_store::org::Org,
    result: Option<zhijia_app::membership::import::Uploaded>,
    error: Option<String>,
) -> ImportPage {
    ImportPage {
        user: user.into(),
        org_id: org.id,
        org_name: org.name.clone(),
        columns: zhijia_app::membership::import::COLUMNS
            .iter()
            .map(|(_, h, required)| (*h, *required))
            .collect(),
        result,
        error,
    }
}

/// The upload: a multipart form with `csrf`, `org` and `file`.
pub(super) async fn import_submit(
    state: Keyed,
    user: StaffUser,
    mut form: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut org: Option<OrgId> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    // The file is read as it arrives: refused on its first bytes when it cannot be a roster and
    // as soon as it passes the limit, without reading the rest of the request.
    let mut refused: Option<zhijia_app::AppError> = None;
    while let Ok(Some(mut field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("org") => org = field.text().await.ok().and_then(|t| t.trim().parse().ok()),
            Some("file") => match read_roster(&mut field).await? {
                Ok(f) => file = Some(f),
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            },
            _ => {}
        }
    }
    if refused.is_some() {
        crate::attachment::drain_later(form);
    }
    if !user.csrf_ok(&csrf) {
        return Ok(csrf_refused());
    }
    let org_row =
        zhijia_app::membership::review_scope(&state.membership(), &user.ctx(), org).await?;
    if let Some(e) = refused {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page(&user, &org_row, None, Some(e.to_string()))),
        )
            .into_response());
    }
    let (name, bytes) = file.unwrap_or_default();
    let result = zhijia_app::membership::import::upload(
        &state.membership(),
        &user.ctx(),
        org_row.id,
        &name,
        bytes,
        Utc::now(),
    )
    .await;
    match result {
        Ok(up) => Ok(render(&import_page(&user, &org_row, Some(up), None))),
        Err(e @ zhijia_app::AppError::Invalid(_)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page(&user, &org_row, None, Some(e.to_string()))),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// Reads the roster file as it arrives; the inner error refuses it on its first bytes when it
/// cannot be a roster, or as soon as it passes the limit, without reading the rest.
async fn read_roster(
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Result<(String, Vec<u8>), zhijia_app::AppError>, PageError> {
    use zhijia_app::membership::import::{HEAD_BYTES, MAX_UPLOAD, check_head};
    let name = field.file_name().unwrap_or("roster").to_owned();
    let mut bytes = Vec::new();
    let mut checked = false;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => return Ok(Ok((name, bytes))),
            Err(_) => {
                return Err(zhijia_app::AppError::invalid(
                    "file",
                    "文件上传不完整或超过20MB，请重试",
                )
                .into());
            }
        }
        if !checked && bytes.len() >= HEAD_BYTES {
            if let Err(e) = check_head(&bytes) {
                return Ok(Err(e));
            }
            checked = true;
        }
        if bytes.len() > MAX_UPLOAD {
            return Ok(Err(zhijia_app::AppError::invalid(
                "file",
                "文件超过20MB，请分批上传或使用命令行 zhijia import members",
            )));
        }
    }
}

/// The import template, with the headers the importer reads: `.xlsx` or `.csv`.
pub(super) async fn import_template(
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    use axum::http::header;
    let (bytes, kind) = match name.as_str() {
        "template.xlsx" => (
            zhijia_app::slow::run(super::super::xlsx::import_template).await??,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "template.csv" => (
            super::super::xlsx::import_template_csv(),
            "text/csv; charset=utf-8",
        ),
        _ => return Err(zhijia_app::AppError::NotFound("模板").into()),
    };
    let ext = name.rsplit('.').next().unwrap_or("csv");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"roster-template.{ext}\"; filename*=UTF-8''%E4%BC%9A%E5%91%98%E5%90%8D%E5%86%8C%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.{ext}"
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The error report of an upload, as CSV.
pub(super) async fn import_errors(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ImportId>,
) -> Result<Response, PageError> {
    let (_, csv) =
        zhijia_app::membership::import::error_report(&state.membership(), &user.ctx(), id).await?;
    Ok(super::super::api::csv_attachment(
        csv,
        &format!("import-{id}-errors.csv"),
    ))
}
