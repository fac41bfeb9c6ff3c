//! The member card and the public card check page.

use super::*;

#[derive(Template)]
#[template(path = "membership/card.html")]
pub(super) struct CardPage {
    /// None: no active membership yet; the page says why and what comes next.
    card: Option<Card>,
    qr_svg: String,
    /// The expiry in Beijing time (UTC+8), as the member reads a clock.
    expires_local: String,
    pending: Option<Pending>,
}

pub(super) async fn card_page(state: Keyed, user: WorkerUser) -> Result<Response, PageError> {
    let ctx = state.membership();
    let page = match card::card(&ctx, &user.session.phone, Utc::now()).await {
        Ok(card) => CardPage {
            qr_svg: crate::pages::qr_svg(&card.token).await?,
            expires_local: filters::beijing_fmt(&card.expires_at, "%H:%M"),
            card: Some(card),
            pending: None,
        },
        // Not a member (yet): a state to read, not a 404.
        Err(AppError::NotFound(_)) => CardPage {
            card: None,
            qr_svg: String::new(),
            expires_local: String::new(),
            pending: pending_of_phone(ctx.db, &user.session.phone).await?,
        },
        Err(e) => return Err(e.into()),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], render(&page)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "membership/card_verify.html")]
pub(super) struct VerifyPage {
    token: String,
    check: Option<CardCheck>,
}

/// The card check page for merchants and organisers: paste or scan the QR content.
pub(super) async fn verify_page(
    state: Keyed,
    q: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let token = q
        .ok()
        .and_then(|Query(q)| q.token)
        .unwrap_or_default()
        .chars()
        .take(512)
        .collect::<String>();
    let check = if token.trim().is_empty() {
        None
    } else {
        Some(
            card::verify(
                state.membership().db,
                state.membership().keys,
                &token,
                Utc::now(),
            )
            .await?,
        )
    };
    Ok(render(&VerifyPage { token, check }))
}
