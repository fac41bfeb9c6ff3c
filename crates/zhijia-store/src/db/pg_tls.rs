//! TLS to PostgreSQL, asked for the way libpq users write it: `sslmode=verify-full` and
//! `sslrootcert=/etc/zhijia/pg-ca.pem` in the connection URL.
//!
//! zhijia always verifies what it encrypts to: `require`, `verify-ca` and `verify-full` all mean
//! the server's certificate must chain to the given CA (or, with no `sslrootcert`, to the public
//! web roots) and name the host connected to. An encrypted connection to a server nobody checked
//! would protect the members' data from nobody who can sit in the middle. Without `sslmode` (or
//! with `disable`, `allow`, `prefer`) the connection is plain, as before.

use crate::{Result, StoreError};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// A connection URL with its TLS settings taken out (tokio-postgres does not read
/// `sslrootcert` or the verifying modes).
pub(super) struct Split {
    pub url: String,
    pub tls: Option<MakeRustlsConnect>,
}

pub(super) fn split(url: &str) -> Result<Split> {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL (key=value form): passed on as written, plain.
        return Ok(Split {
            url: url.to_owned(),
            tls: None,
        });
    };
    let mut mode = None;
    let mut root = None;
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter_map(|(k, v)| match k.as_ref() {
            "sslmode" => {
                mode = Some(v.into_owned());
                None
            }
            "sslrootcert" => {
                root = Some(v.into_owned());
                None
            }
            _ => Some((k.into_owned(), v.into_owned())),
        })
        .collect();
    let verify = match mode.as_deref() {
        None | Some("disable" | "allow" | "prefer") => false,
        Some("require" | "verify-ca" | "verify-full") => true,
        Some(other) => {
            return Err(StoreError::Open(format!(
                "PostgreSQL 地址中的 sslmode={other} 无法识别（可用 disable、require、verify-full）"
            )));
        }
    };
    if !verify && root.is_some() {
        return Err(StoreError::Open(
            "PostgreSQL 地址给了 sslrootcert，却没有要求加密：请同时写 sslmode=verify-full".into(),
        ));
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &kept {
        query.append_pair(k, v);
    }
    if verify {
        query.append_pair("sslmode", "require");
    }
    let query = query.finish();
    parsed.set_query((!query.is_empty()).then_some(query.as_str()));
    let tls = verify.then(|| connector(root.as_deref())).transpose()?;
    Ok(Split {
        url: parsed.into(),
        tls,
    })
}

/// A rustls client that trusts the CA file (PEM) or, without one, the public web roots.
fn connector(ca: Option<&str>) -> Result<MakeRustlsConnect> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca {
        Some(path) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect())
                .map_err(|e| {
                    StoreError::Open(format!("无法读取 PostgreSQL 的 CA 证书文件 {path}：{e}"))
                })?;
            if certs.is_empty() {
                return Err(StoreError::Open(format!(
                    "CA 证书文件 {path} 中没有 PEM 格式的证书"
                )));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| {
                    StoreError::Open(format!("CA 证书文件 {path} 中的证书无法使用：{e}"))
                })?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Open(format!("TLS 设置无法使用：{e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}
