//! Where a webhook goes: [`WebhookTarget`], read and checked from what a client sent.

use std::net::IpAddr;

use serde::Deserialize;
use serde_json::Value;
use tokio_rustls::rustls::pki_types::ServerName;

use super::guard::non_public_reason;
use super::policy::{WebhookPolicy, MAX_URL_BYTES};
use super::secret::{SecretError, WebhookSecret};
use crate::outbound::{Destination, UrlError};

/// The longest `X-MCP-Subscription-Id` accepted, in bytes.
const MAX_SUBSCRIPTION_ID_BYTES: usize = 256;

/// A client's webhook parameters as they arrive, before any check: the `delivery` object of the
/// MCP Events extension's `events/subscribe`,
/// `{"mode": "webhook", "url": "https://…", "secret": "whsec_…"}`.
///
/// [`WebhookTarget::from_params`] checks it. `mode` may be left out; when present it must be
/// `"webhook"`. Other members are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookParams {
    /// The delivery mode; only `"webhook"` is meaningful here.
    #[serde(default)]
    pub mode: Option<String>,
    /// The callback URL the server POSTs to.
    pub url: String,
    /// The Standard Webhooks signing secret, `whsec_` and base64 of 24 to 64 bytes.
    pub secret: String,
}

/// A checked webhook destination: an `https` (or, when the policy allows, `http`) URL, the secret
/// every delivery is signed with, and optionally the subscription id sent as
/// `X-MCP-Subscription-Id`.
///
/// Made from the client's JSON with [`from_json`](Self::from_json) (the MCP Events extension's
/// `delivery` object), whose errors say what is wrong in words fit for a `-32602` answer. A
/// literal address in the URL is checked against the policy here; a host name is checked for
/// what it resolves to at every delivery attempt.
///
/// ```
/// use mcp_runtime::webhook::{WebhookPolicy, WebhookTarget};
/// use serde_json::json;
///
/// let policy = WebhookPolicy::default();
/// let target = WebhookTarget::from_json(
///     &json!({
///         "mode": "webhook",
///         "url": "https://hooks.example.com/mcp/tasks",
///         "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
///     }),
///     &policy,
/// )?
/// .with_subscription_id("task-42")?;
/// assert_eq!(target.url(), "https://hooks.example.com/mcp/tasks");
///
/// let err = WebhookTarget::from_json(
///     &json!({"url": "http://hooks.example.com/", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
///     &policy,
/// )
/// .unwrap_err();
/// assert_eq!(err.to_string(), "`url` must use https, not http");
/// # Ok::<(), mcp_runtime::webhook::TargetError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    url: String,
    destination: Destination,
    secret: WebhookSecret,
    previous_secret: Option<WebhookSecret>,
    subscription_id: Option<String>,
}

impl WebhookTarget {
    /// Reads and checks a client's webhook object, `{"url": …, "secret": …}` with an optional
    /// `"mode": "webhook"` (the MCP Events extension's `delivery`).
    pub fn from_json(value: &Value, policy: &WebhookPolicy) -> Result<Self, TargetError> {
        let object = value.as_object().ok_or(TargetError::NotAnObject)?;
        let text = |field: &'static str| match object.get(field) {
            None | Some(Value::Null) => Err(TargetError::Missing(field)),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(TargetError::NotAString(field)),
        };
        let mode = match object.get("mode") {
            None | Some(Value::Null) => None,
            Some(_) => Some(text("mode")?),
        };
        let params = WebhookParams {
            mode,
            url: text("url")?,
            secret: text("secret")?,
        };
        Self::from_params(&params, policy)
    }

    /// Checks deserialized [`WebhookParams`].
    pub fn from_params(
        params: &WebhookParams,
        policy: &WebhookPolicy,
    ) -> Result<Self, TargetError> {
        if let Some(mode) = &params.mode {
            if mode != "webhook" {
                return Err(TargetError::Mode(truncate(mode)));
            }
        }
        let secret = WebhookSecret::parse(&params.secret).map_err(TargetError::Secret)?;
        Self::new(&params.url, secret, policy)
    }

    /// A target from a URL and a secret already in hand, for instance one the server made with
    /// [`WebhookSecret::generate`] and hands to the client.
    pub fn new(
        url: &str,
        secret: WebhookSecret,
        policy: &WebhookPolicy,
    ) -> Result<Self, TargetError> {
        let destination = parse_url(url, policy)?;
        Ok(Self {
            url: url.to_owned(),
            destination,
            secret,
            previous_secret: None,
            subscription_id: None,
        })
    }

    /// Sends `id` as `X-MCP-Subscription-Id` with every delivery, so the receiver can pick the
    /// secret before it parses the body. It must be 1 to 256 visible ASCII characters.
    pub fn with_subscription_id(mut self, id: impl Into<String>) -> Result<Self, TargetError> {
        let id = id.into();
        if !is_token(&id, MAX_SUBSCRIPTION_ID_BYTES) {
            return Err(TargetError::SubscriptionId);
        }
        self.subscription_id = Some(id);
        Ok(self)
    }

    /// Also signs with `secret`, during a rotation: each delivery then carries two `v1,`
    /// signatures, and a receiver holding either secret accepts it.
    pub fn with_previous_secret(mut self, secret: WebhookSecret) -> Self {
        self.previous_secret = Some(secret);
        self
    }

    /// The callback URL, as the client wrote it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The secret deliveries are signed with.
    pub fn secret(&self) -> &WebhookSecret {
        &self.secret
    }

    /// The secret also signed with during a rotation, if any.
    pub fn previous_secret(&self) -> Option<&WebhookSecret> {
        self.previous_secret.as_ref()
    }

    /// The id sent as `X-MCP-Subscription-Id`, if any.
    pub fn subscription_id(&self) -> Option<&str> {
        self.subscription_id.as_deref()
    }

    /// The host of the URL, for logs (never the path or query, which may carry tokens).
    pub fn host(&self) -> &str {
        &self.destination.host
    }

    pub(crate) fn destination(&self) -> &Destination {
        &self.destination
    }
}

/// Checks a callback URL against `policy` and splits it into what a delivery needs.
pub(crate) fn parse_url(url: &str, policy: &WebhookPolicy) -> Result<Destination, TargetError> {
    if url.len() > MAX_URL_BYTES {
        return Err(TargetError::UrlTooLong { bytes: url.len() });
    }
    let destination = Destination::parse(url).map_err(|e| match e {
        UrlError::Scheme(scheme) => TargetError::Scheme(truncate(&scheme)),
        UrlError::Unusable(reason) => TargetError::Url(reason),
    })?;
    if !destination.https && !policy.allow_http {
        return Err(TargetError::Scheme("http".to_owned()));
    }
    let host = &destination.host;
    match host.parse::<IpAddr>() {
        Ok(ip) => {
            if !policy.allow_private {
                if let Some(reason) = non_public_reason(ip) {
                    return Err(TargetError::Address {
                        host: truncate(host),
                        reason,
                    });
                }
            }
        }
        Err(_) => check_name(host, destination.https, policy)?,
    }
    Ok(destination)
}

/// Refuses host names that are not DNS names, and, unless the policy allows private addresses,
/// the names that always mean this machine.
fn check_name(host: &str, https: bool, policy: &WebhookPolicy) -> Result<(), TargetError> {
    let bare = host.strip_suffix('.').unwrap_or(host);
    // `127.1`, `2130706433` or `0x7f.1` are IPv4 addresses to a resolver, not names: a numeric
    // last label is never a top-level domain.
    let last = bare.rsplit('.').next().unwrap_or(bare);
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || (last.len() > 2 && last[..2].eq_ignore_ascii_case("0x")));
    let valid = !bare.is_empty()
        && !numeric
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        && (!https || ServerName::try_from(bare).is_ok());
    if !valid {
        return Err(TargetError::Host(truncate(host)));
    }
    if !policy.allow_private && (bare == "localhost" || bare.ends_with(".localhost")) {
        return Err(TargetError::Address {
            host: truncate(host),
            reason: "a loopback address",
        });
    }
    Ok(())
}

/// 1 to `max` visible ASCII characters: fit for a header value and a log line.
pub(crate) fn is_token(text: &str, max: usize) -> bool {
    !text.is_empty() && text.len() <= max && text.bytes().all(|b| b.is_ascii_graphic())
}

/// Client text quoted in an error, cut to a readable length.
fn truncate(text: &str) -> String {
    const MAX: usize = 64;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Why a client's webhook parameters were refused. The message says what is wrong and is meant
/// to be returned as the message of a JSON-RPC `-32602` (invalid params) error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The parameters are not a JSON object.
    #[error("the webhook must be an object with `url` and `secret`")]
    NotAnObject,
    /// A required member is missing or null.
    #[error("missing `{0}`")]
    Missing(&'static str),
    /// A member is not a string.
    #[error("`{0}` must be a string")]
    NotAString(&'static str),
    /// `mode` is present but not `"webhook"`.
    #[error("`mode` must be \"webhook\", not \"{0}\"")]
    Mode(String),
    /// The URL is longer than [`MAX_URL_BYTES`](super::MAX_URL_BYTES).
    #[error("`url` is {bytes} bytes long; the limit is 2048")]
    UrlTooLong {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The URL cannot be used, for the reason given.
    #[error("`url` is not usable: {0}")]
    Url(&'static str),
    /// The URL's scheme is not allowed (`https` only, unless the policy allows `http`).
    #[error("`url` must use https, not {0}")]
    Scheme(String),
    /// The URL's host is not a valid IP address or DNS name.
    #[error("`url` host \"{0}\" is not a valid IP address or DNS name")]
    Host(String),
    /// The URL's host is an address the policy refuses.
    #[error("`url` host {host} is {reason}; webhooks are sent only to public addresses")]
    Address {
        /// The host as written.
        host: String,
        /// What kind of address it is.
        reason: &'static str,
    },
    /// The secret is not a Standard Webhooks secret.
    #[error("`secret` is invalid: {0}")]
    Secret(SecretError),
    /// The subscription id is empty, too long, or has characters a header cannot carry.
    #[error("the subscription id must be 1 to 256 visible ASCII characters")]
    SubscriptionId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn target(url: &str) -> Result<WebhookTarget, TargetError> {
        WebhookTarget::from_json(
            &json!({"url": url, "secret": SECRET}),
            &WebhookPolicy::default(),
        )
    }

    #[test]
    fn accepts_public_https_urls() {
        let t = target("https://Hooks.Example.com:8443/a/b?x=1").unwrap();
        let e = t.destination();
        assert!(e.https);
        assert_eq!(
            (
                e.host.as_str(),
                e.port,
                e.authority.as_str(),
                e.path.as_str()
            ),
            (
                "hooks.example.com",
                8443,
                "Hooks.Example.com:8443",
                "/a/b?x=1"
            )
        );
        let t = target("https://[2606:4700:4700::1111]").unwrap();
        assert_eq!(
            (
                t.host(),
                t.destination().port,
                t.destination().path.as_str()
            ),
            ("2606:4700:4700::1111", 443, "/")
        );
        assert!(target("https://8.8.8.8/hook").is_ok());
    }

    #[test]
    fn refuses_private_literals_and_local_names() {
        for url in [
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/",
            "https://[fd00:ec2::254]/",
            "https://[fe80::1]/",
            "https://0.0.0.0/",
            "https://localhost/",
            "https://LOCALHOST./",
            "https://api.localhost/",
        ] {
            let err = target(url).unwrap_err();
            assert!(matches!(err, TargetError::Address { .. }), "{url}: {err}");
        }
        assert_eq!(
            target("https://169.254.169.254/").unwrap_err().to_string(),
            "`url` host 169.254.169.254 is a link-local address (169.254.0.0/16, cloud metadata); \
             webhooks are sent only to public addresses"
        );
        // Numeric forms a resolver would read as 127.0.0.1.
        for url in ["https://2130706433/", "https://127.1/", "https://0x7f.1/"] {
            assert!(matches!(target(url), Err(TargetError::Host(_))), "{url}");
        }
    }

    #[test]
    fn refuses_bad_urls_with_precise_messages() {
        let cases = [
            (
                "http://hooks.example.com/",
                "`url` must use https, not http",
            ),
            ("ftp://hooks.example.com/", "`url` must use https, not ftp"),
            (
                "/hooks",
                "`url` is not usable: it is not an absolute URL (https://…)",
            ),
            (
                "https://user:pw@hooks.example.com/",
                "`url` is not usable: it must not contain a user name or password",
            ),
            (
                "https://hooks.example.com/#frag",
                "`url` is not usable: it must not contain a fragment (#…)",
            ),
            (
                "https://hooks.example.com:0/",
                "`url` is not usable: its port must not be 0",
            ),
            (
                "not a url",
                "`url` is not usable: it is not a valid absolute URL",
            ),
            (
                "https://exa$mple.com/",
                "`url` host \"exa$mple.com\" is not a valid IP address or DNS name",
            ),
        ];
        for (url, message) in cases {
            assert_eq!(target(url).unwrap_err().to_string(), message, "{url}");
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(2048));
        assert_eq!(
            target(&long).unwrap_err().to_string(),
            format!("`url` is {} bytes long; the limit is 2048", long.len())
        );
    }

    #[test]
    fn http_and_private_only_when_allowed() {
        let open = WebhookPolicy {
            allow_http: true,
            allow_private: true,
            ..WebhookPolicy::default()
        };
        let t = WebhookTarget::from_json(
            &json!({"url": "http://localhost:8080/h", "secret": SECRET}),
            &open,
        )
        .unwrap();
        assert_eq!((t.destination().https, t.destination().port), (false, 8080));
        assert!(WebhookTarget::from_json(
            &json!({"url": "http://127.0.0.1/", "secret": SECRET}),
            &open
        )
        .is_ok());
    }

    #[test]
    fn checks_the_object_and_the_secret() {
        let policy = WebhookPolicy::default();
        let url = "https://hooks.example.com/";
        let cases = [
            (json!("https://x"), "the webhook must be an object with `url` and `secret`"),
            (json!({"secret": SECRET}), "missing `url`"),
            (json!({"url": url}), "missing `secret`"),
            (json!({"url": 7, "secret": SECRET}), "`url` must be a string"),
            (json!({"mode": "push", "url": url, "secret": SECRET}), "`mode` must be \"webhook\", not \"push\""),
            (json!({"url": url, "secret": "hunter2"}), "`secret` is invalid: it must start with \"whsec_\" followed by base64 of 24 to 64 random bytes"),
            (json!({"url": url, "secret": "whsec_c2hvcnQ="}), "`secret` is invalid: it decodes to 5 bytes; it must decode to 24 to 64 bytes"),
            (json!({"url": url, "secret": "whsec_***"}), "`secret` is invalid: the part after \"whsec_\" is not valid standard base64"),
        ];
        for (value, message) in cases {
            assert_eq!(
                WebhookTarget::from_json(&value, &policy)
                    .unwrap_err()
                    .to_string(),
                message,
                "{value}"
            );
        }
        let ok = json!({"mode": "webhook", "url": url, "secret": SECRET, "extra": 1});
        assert!(WebhookTarget::from_json(&ok, &policy).is_ok());
        let params: WebhookParams = serde_json::from_value(ok).unwrap();
        assert!(WebhookTarget::from_params(&params, &policy).is_ok());
    }

    #[test]
    fn subscription_ids_must_fit_a_header() {
        let t = target("https://hooks.example.com/").unwrap();
        assert!(t
            .clone()
            .with_subscription_id("sub_a3f1c8e2b0d49f7e")
            .is_ok());
        assert_eq!(
            t.clone().with_subscription_id(""),
            Err(TargetError::SubscriptionId)
        );
        assert_eq!(
            t.clone().with_subscription_id("a b"),
            Err(TargetError::SubscriptionId)
        );
        assert_eq!(
            t.with_subscription_id("x".repeat(257)),
            Err(TargetError::SubscriptionId)
        );
    }
}
