//! CSS, htmx, ECharts and the QR scanner, embedded in the binary and served with a content hash in the address, so
//! browsers may cache them for a year and still see a new version at once.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/app.css"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/htmx.min.js"),
    },
    Asset {
        name: "echarts.simple.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/echarts.simple.min.js"),
    },
    Asset {
        name: "charts.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/charts.js"),
    },
    Asset {
        name: "jsQR.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/jsQR.js"),
    },
    Asset {
        name: "countdown.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/countdown.js"),
    },
    Asset {
        name: "region.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/region.js"),
    },
    Asset {
        name: "join.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/join.js"),
    },
    Asset {
        name: "resend.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/resend.js"),
    },
    Asset {
        name: "suggest.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/suggest.js"),
    },
    Asset {
        name: "read.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/read.js"),
    },
    Asset {
        name: "answers.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/answers.js"),
    },
    Asset {
        name: "scan.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/scan.js"),
    },
];

static HASHES: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| hex::encode(&Sha256::digest(a.bytes)[..6]))
        .collect()
});

/// The address of an asset: `/static/{hash}/{name}`.
pub fn url(name: &str) -> String {
    match ASSETS.iter().position(|a| a.name == name) {
        Some(i) => format!("/static/{}/{}", HASHES[i], name),
        None => format!("/static/0/{name}"),
    }
}

async fn serve(Path((hash, name)): Path<(String, String)>) -> Response {
    let Some(i) = ASSETS.iter().position(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // An old hash still gets the current file, but only briefly cached.
    let cache = if HASHES[i] == hash {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, ASSETS[i].content_type),
            (header::CACHE_CONTROL, cache),
        ],
        ASSETS[i].bytes,
    )
        .into_response()
}

pub fn routes() -> Router<crate::AppState> {
    Router::new().route("/static/{hash}/{name}", get(serve))
}
