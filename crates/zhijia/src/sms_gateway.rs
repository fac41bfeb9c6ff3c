//! An `SmsSender` that posts each message to an operator's HTTP(S) SMS gateway.
//!
//! The body is a template with `{phone}` and `{text}` placeholders, filled with JSON-escaped
//! values, e.g. `{"mobile":"{phone}","content":"{text}"}`; an optional bearer token goes in the
//! `Authorization` header. Any 2xx answer counts as sent.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use zhijia_app::sms::SmsSender;

pub const DEFAULT_TEMPLATE: &str = r#"{"phone":"{phone}","text":"{text}"}"#;

pub struct HttpSender {
    client: reqwest::Client,
    url: String,
    template: String,
    token: Option<String>,
}

impl HttpSender {
    pub fn new(url: &str, template: &str, token: Option<String>) -> Result<Self, String> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err("短信网关地址应以 https:// 或 http:// 开头".into());
        }
        if !template.contains("{text}") {
            return Err("短信网关模板须包含 {text}".into());
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("无法创建短信网关客户端：{e}"))?;
        Ok(Self {
            client,
            url: url.to_owned(),
            template: template.to_owned(),
            token,
        })
    }

    /// The request body: the template with JSON-escaped values (a quote in a message cannot
    /// break out of its string).
    pub fn body(&self, phone: &str, text: &str) -> String {
        let escape = |s: &str| {
            let quoted = serde_json::to_string(s).unwrap_or_default();
            quoted.trim_matches('"').to_owned()
        };
        self.template
            .replace("{phone}", &escape(phone))
            .replace("{text}", &escape(text))
    }
}

impl SmsSender for HttpSender {
    fn send<'a>(
        &'a self,
        phone: &'a str,
        text: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let mut req = self
                .client
                .post(&self.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(self.body(phone, text));
            if let Some(token) = &self.token {
                req = req.bearer_auth(token);
            }
            let res = req
                .send()
                .await
                .map_err(|e| format!("短信网关不可达：{e}"))?;
            if res.status().is_success() {
                Ok(())
            } else {
                Err(format!("短信网关返回 {}", res.status()))
            }
        })
    }
}
