//! A fake authorization server for the auth tests: serves JSON documents (metadata, a JWK Set)
//! and an introspection endpoint on `127.0.0.1`, counts the requests, and mints tokens with keys
//! made at test time.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::EncodingKey;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

/// The resource the tests' tokens are for.
pub(crate) const RESOURCE: &str = "https://mcp.example.com/mcp";
/// The introspection client: characters that must be form-encoded before base64 (RFC 6749
/// section 2.3.1).
pub(crate) const CLIENT_ID: &str = "mcp server";
pub(crate) const CLIENT_SECRET: &str = "s3cr:t/ü+%";

/// The server, running until dropped.
pub(crate) struct AuthorizationServer {
    base: String,
    state: Arc<Served>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Served {
    documents: Mutex<HashMap<String, Value>>,
    failing: Mutex<HashSet<String>>,
    hits: Mutex<HashMap<String, usize>>,
    /// Introspection answers by token; any other token is inactive.
    answers: Mutex<HashMap<String, Value>>,
    introspection_delay: Mutex<Duration>,
    /// The form of the last introspection request.
    last_form: Mutex<Vec<(String, String)>>,
}

impl AuthorizationServer {
    /// Starts serving on a free port of 127.0.0.1, with no documents.
    pub(crate) async fn start() -> Self {
        let state = Arc::new(Served::default());
        let app = Router::new()
            .route("/introspect", post(introspect))
            .fallback(document)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { base, state, task }
    }

    /// Its issuer identifier: its base URL.
    pub(crate) fn issuer(&self) -> String {
        self.base.clone()
    }

    /// The URL of `path` on it.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Serves `document` at `path` from now on.
    pub(crate) fn set_document(&self, path: &str, document: Value) {
        lock(&self.state.documents).insert(path.to_owned(), document);
    }

    /// The document served at `path`.
    pub(crate) fn document(&self, path: &str) -> Value {
        lock(&self.state.documents)[path].clone()
    }

    /// Serves the public keys of `keys` as the JWK Set at `/jwks`.
    pub(crate) fn publish(&self, keys: &[&SigningKey]) {
        let keys: Vec<Value> = keys.iter().map(|k| k.jwk.clone()).collect();
        self.set_document("/jwks", json!({ "keys": keys }));
    }

    /// Answers 500 at `path` from now on.
    pub(crate) fn fail(&self, path: &str) {
        lock(&self.state.failing).insert(path.to_owned());
    }

    /// How many requests `path` received.
    pub(crate) fn hits(&self, path: &str) -> usize {
        lock(&self.state.hits).get(path).copied().unwrap_or(0)
    }

    /// Introspecting `token` answers `answer` from now on.
    pub(crate) fn answer(&self, token: &str, answer: Value) {
        lock(&self.state.answers).insert(token.to_owned(), answer);
    }

    /// Introspection answers wait this long.
    pub(crate) fn delay_introspection(&self, delay: Duration) {
        *lock(&self.state.introspection_delay) = delay;
    }

    /// The form fields of the last introspection request.
    pub(crate) fn last_form(&self) -> Vec<(String, String)> {
        lock(&self.state.last_form).clone()
    }

    /// The claims of a valid access token for `subject`: this issuer, [`RESOURCE`], an hour
    /// to live, the client `notes-app` and two scopes.
    pub(crate) fn claims(&self, subject: &str) -> Value {
        let now = jsonwebtoken::get_current_timestamp();
        json!({
            "iss": self.issuer(),
            "aud": RESOURCE,
            "sub": subject,
            "client_id": "notes-app",
            "scope": "notes:write notes:read",
            "iat": now,
            "exp": now + 3600,
            "jti": format!("{subject}-{now}"),
        })
    }
}

impl Drop for AuthorizationServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn count(state: &Served, path: &str) -> bool {
    *lock(&state.hits).entry(path.to_owned()).or_default() += 1;
    lock(&state.failing).contains(path)
}

async fn document(State(state): State<Arc<Served>>, uri: Uri) -> Response {
    let path = uri.path();
    if count(&state, path) {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    match lock(&state.documents).get(path) {
        Some(document) => (
            [(header::CONTENT_TYPE, "application/json")],
            document.to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// RFC 7662: the client must authenticate with HTTP Basic, its id and secret form-encoded.
async fn introspect(
    State(state): State<Arc<Served>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if count(&state, "/introspect") {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", encode(CLIENT_ID), encode(CLIENT_SECRET)))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(&expected)
    {
        return (StatusCode::UNAUTHORIZED, r#"{"error":"invalid_client"}"#).into_response();
    }
    if headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        != Some("application/x-www-form-urlencoded")
    {
        return StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response();
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    *lock(&state.last_form) = form.clone();
    let delay = *lock(&state.introspection_delay);
    tokio::time::sleep(delay).await;
    let token = form
        .iter()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    let answer = lock(&state.answers)
        .get(token)
        .cloned()
        .unwrap_or_else(|| json!({"active": false}));
    (
        [(header::CONTENT_TYPE, "application/json")],
        answer.to_string(),
    )
        .into_response()
}

/// A signing key made at test time, with its public JWK.
pub(crate) struct SigningKey {
    kid: String,
    alg: jsonwebtoken::Algorithm,
    encoding: EncodingKey,
    jwk: Value,
}

impl SigningKey {
    /// A fresh ES256 (P-256) key.
    pub(crate) fn es256(kid: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        // The uncompressed point: 0x04, x, y.
        let point = pair.public_key().as_ref();
        Self {
            kid: kid.to_owned(),
            alg: jsonwebtoken::Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk: json!({
                "kty": "EC",
                "crv": "P-256",
                "kid": kid,
                "use": "sig",
                "alg": "ES256",
                "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
            }),
        }
    }

    /// A fresh Ed25519 key.
    pub(crate) fn eddsa(kid: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        Self {
            kid: kid.to_owned(),
            alg: jsonwebtoken::Algorithm::EdDSA,
            encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
            jwk: json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
            }),
        }
    }

    /// A token with `claims`, its header naming this key's algorithm and kid.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let alg = format!("{:?}", self.alg);
        self.sign_with_header(
            &json!({"alg": alg, "typ": "at+jwt", "kid": self.kid}),
            claims,
        )
    }

    /// A token with `claims`, its header naming no kid.
    pub(crate) fn sign_without_kid(&self, claims: &Value) -> String {
        let alg = format!("{:?}", self.alg);
        self.sign_with_header(&json!({"alg": alg, "typ": "at+jwt"}), claims)
    }

    /// A token with `header` and `claims`, signed with this key's algorithm whatever the
    /// header says.
    pub(crate) fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        let message = format!("{}.{}", encode(header), encode(claims));
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &self.encoding, self.alg).unwrap();
        format!("{message}.{signature}")
    }
}
