//! A test OAuth 2.1 authorization server for the resource-server tests: RFC 8414 metadata, a
//! JWKS of ES256 keys made at test time (rotated on demand), RFC 7662 introspection of opaque
//! tokens, and the client-credentials grant of RFC 6749 §4.4 (with RFC 8707 `resource`).
//!
//! Tests mint the tokens they need directly ([`AuthorizationServer::mint`] with a
//! [`TokenSpec`]), including the ones an attacker would forge
//! ([`AuthorizationServer::mint_unsigned`], [`AuthorizationServer::mint_hmac_with_public_key`],
//! [`AuthorizationServer::mint_with_foreign_key`]); real clients get theirs from `POST /token`.
//!
//! ```no_run
//! # async fn demo() {
//! use mcp_tests::oauth::{AuthorizationServer, TokenSpec};
//!
//! let auth = AuthorizationServer::start_for("http://127.0.0.1:8080/mcp").await;
//! auth.register_client("agent", "s3cret", &["notes:read", "notes:write"]);
//! let token = auth.mint(&TokenSpec::new().scope("notes:read"));
//! let expired = auth.mint(&TokenSpec::new().expires_in(-60));
//! # let _ = (token, expired);
//! # }
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Map, Value};
use tokio::sync::oneshot;

/// How long the tokens this server issues live by default, in seconds.
pub const TOKEN_LIFETIME: i64 = 300;

/// The subject of a minted token unless the [`TokenSpec`] names another.
pub const DEFAULT_SUBJECT: &str = "alice";

/// The current time in seconds since the Unix epoch (the unit of `exp`, `iat` and `nbf`).
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs() as i64
}

/// The claims of a token to mint or issue. Anything not set takes the server's default: `iss`
/// the issuer, `aud` the server's resource (absent if it has none), `sub` [`DEFAULT_SUBJECT`],
/// `iat` now, `exp` now + [`TOKEN_LIFETIME`]; `scope`, `client_id` and `nbf` are absent unless
/// set. [`TokenSpec::claim`] sets any claim (it wins over the rest) and [`TokenSpec::without`]
/// leaves one out.
#[derive(Debug, Clone, Default)]
pub struct TokenSpec {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Value>,
    scope: Option<String>,
    client_id: Option<String>,
    exp: Option<i64>,
    iat: Option<i64>,
    nbf: Option<i64>,
    kid: Option<String>,
    typ: Option<Option<String>>,
    extra: Map<String, Value>,
    without: Vec<String>,
}

impl TokenSpec {
    /// A token with every default.
    pub fn new() -> Self {
        Self::default()
    }

    /// The `iss` claim.
    pub fn iss(mut self, iss: impl Into<String>) -> Self {
        self.iss = Some(iss.into());
        self
    }

    /// The `sub` claim.
    // Named after the claim, like the other setters; not subtraction.
    #[allow(clippy::should_implement_trait)]
    pub fn sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// One audience: `"aud": "..."`.
    pub fn aud(mut self, aud: impl Into<String>) -> Self {
        self.aud = Some(Value::String(aud.into()));
        self
    }

    /// Several audiences: `"aud": ["...", ...]`.
    pub fn audiences<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = audiences.into_iter().map(|a| Value::String(a.into()));
        self.aud = Some(Value::Array(list.collect()));
        self
    }

    /// The `scope` claim: space-separated scopes (an empty string is kept as `""`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The `client_id` claim.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// `exp` at `unix` seconds (may be in the past).
    pub fn exp(mut self, unix: i64) -> Self {
        self.exp = Some(unix);
        self
    }

    /// `exp` `seconds` from now (negative: already expired).
    pub fn expires_in(self, seconds: i64) -> Self {
        self.exp(now() + seconds)
    }

    /// `iat` at `unix` seconds.
    pub fn iat(mut self, unix: i64) -> Self {
        self.iat = Some(unix);
        self
    }

    /// `nbf` at `unix` seconds.
    pub fn nbf(mut self, unix: i64) -> Self {
        self.nbf = Some(unix);
        self
    }

    /// `nbf` `seconds` from now (positive: not valid yet).
    pub fn valid_in(self, seconds: i64) -> Self {
        self.nbf(now() + seconds)
    }

    /// The `kid` header, instead of the signing key's own (e.g. one no JWKS publishes).
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The `typ` header of a signed token (default `at+jwt`, RFC 9068); `None` leaves it out.
    pub fn typ(mut self, typ: Option<&str>) -> Self {
        self.typ = Some(typ.map(str::to_owned));
        self
    }

    /// Any claim, with any JSON value; it replaces the default or the value set otherwise.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// Leaves the claim `name` out altogether (`"exp"`, `"aud"`, `"iss"`...).
    pub fn without(mut self, name: impl Into<String>) -> Self {
        self.without.push(name.into());
        self
    }
}

/// What a test reads of one `POST /token` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The client that authenticated (`None`: authentication failed).
    pub client_id: Option<String>,
    /// `client_secret_basic`, `client_secret_post` or `none`.
    pub auth_method: &'static str,
    /// The `grant_type` parameter.
    pub grant_type: Option<String>,
    /// The `scope` parameter, if sent.
    pub scope: Option<String>,
    /// The `resource` parameters (RFC 8707), in order.
    pub resources: Vec<String>,
    /// The scope granted (`None`: the request was refused).
    pub granted: Option<String>,
}

/// What `POST /token` issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenFormat {
    /// ES256 JWTs signed with the current key (the default).
    #[default]
    Jwt,
    /// Random strings only introspection can tell about.
    Opaque,
}

/// The test authorization server, serving on `127.0.0.1:PORT` until dropped.
///
/// Endpoints: `GET /.well-known/oauth-authorization-server`, `GET /jwks`, `POST /token`,
/// `POST /introspection`, and `GET /authorize` (which refuses: this server has no users).
#[derive(Debug)]
pub struct AuthorizationServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

#[derive(Debug)]
struct Shared {
    issuer: String,
    rng: SystemRandom,
    /// Signs [`AuthorizationServer::mint_with_foreign_key`]; never published.
    foreign: SigningKey,
    resource_client: (String, String),
    state: Mutex<AsState>,
}

#[derive(Debug)]
struct AsState {
    /// Every key so far; the last one signs.
    keys: Vec<SigningKey>,
    publish_previous: bool,
    resource: Option<String>,
    clients: HashMap<String, Client>,
    /// The claims of every token issued or minted here, for introspection.
    issued: HashMap<String, Map<String, Value>>,
    token_format: TokenFormat,
    token_requests: Vec<TokenRequest>,
    /// `METHOD /path` of every request, in order.
    log: Vec<String>,
}

#[derive(Debug)]
struct Client {
    secret: String,
    scopes: Vec<String>,
}

struct SigningKey {
    kid: String,
    pkcs8: Vec<u8>,
    /// The SEC1 uncompressed point: `04 || x || y`.
    public: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    fn generate(rng: &SystemRandom) -> Self {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, rng)
            .expect("generate a P-256 key");
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), rng)
            .expect("read the key back");
        Self {
            kid: format!("es256-{}", random_text(rng, 6)),
            pkcs8: pkcs8.as_ref().to_vec(),
            public: pair.public_key().as_ref().to_vec(),
        }
    }

    /// The public JWK (RFC 7517/7518): the point's coordinates, base64url.
    fn jwk(&self) -> Value {
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&self.public[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&self.public[33..65]),
            "kid": self.kid,
            "alg": "ES256",
            "use": "sig",
        })
    }

    fn sign(&self, kid: &str, typ: Option<String>, claims: &Map<String, Value>) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        header.typ = typ;
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_der(&self.pkcs8))
            .expect("sign with ES256")
    }
}

impl AuthorizationServer {
    /// Starts a server with no default resource: minted tokens carry no `aud` unless their
    /// spec names one or [`AuthorizationServer::set_resource`] sets it.
    pub async fn start() -> Self {
        Self::start_inner(None).await
    }

    /// Starts a server whose tokens are for `resource` (their `aud`) unless told otherwise.
    pub async fn start_for(resource: &str) -> Self {
        Self::start_inner(Some(resource.to_owned())).await
    }

    async fn start_inner(resource: Option<String>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let rng = SystemRandom::new();
        let resource_client = (
            format!("resource-server-{}", random_text(&rng, 4)),
            random_text(&rng, 24),
        );
        let shared = Arc::new(Shared {
            issuer: format!("http://{addr}"),
            foreign: SigningKey::generate(&rng),
            state: Mutex::new(AsState {
                keys: vec![SigningKey::generate(&rng)],
                publish_previous: false,
                resource,
                clients: HashMap::new(),
                issued: HashMap::new(),
                token_format: TokenFormat::Jwt,
                token_requests: Vec::new(),
                log: Vec::new(),
            }),
            rng,
            resource_client,
        });
        let router = Router::new()
            .route("/.well-known/oauth-authorization-server", get(metadata))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/introspection", post(introspection))
            .route("/authorize", get(authorize))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), record))
            .with_state(shared.clone());
        Self {
            addr,
            shared,
            stop: Some(crate::serve_in_background(listener, router)),
        }
    }

    /// The issuer identifier: the base URL `http://127.0.0.1:PORT` (no trailing slash).
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The base URL (the same as [`AuthorizationServer::issuer`]).
    pub fn url(&self) -> &str {
        &self.shared.issuer
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `{issuer}/.well-known/oauth-authorization-server`.
    pub fn metadata_url(&self) -> String {
        format!("{}/.well-known/oauth-authorization-server", self.issuer())
    }

    /// `{issuer}/jwks`.
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.issuer())
    }

    /// `{issuer}/token`.
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer())
    }

    /// `{issuer}/introspection`.
    pub fn introspection_endpoint(&self) -> String {
        format!("{}/introspection", self.issuer())
    }

    /// The default audience of tokens, if any.
    pub fn resource(&self) -> Option<String> {
        self.shared.lock().resource.clone()
    }

    /// Sets the default audience of tokens (e.g. the MCP server's URL once it is bound).
    pub fn set_resource(&self, resource: &str) {
        self.shared.lock().resource = Some(resource.to_owned());
    }

    /// Signs with a new key from now on; its `kid`. By default the JWKS then publishes only
    /// the new key.
    pub fn rotate(&self) -> String {
        let key = SigningKey::generate(&self.shared.rng);
        let kid = key.kid.clone();
        self.shared.lock().keys.push(key);
        kid
    }

    /// Whether the JWKS also publishes every key used before the current one.
    pub fn publish_previous(&self, publish: bool) {
        self.shared.lock().publish_previous = publish;
    }

    /// The `kid` of the key that signs now.
    pub fn current_kid(&self) -> String {
        self.shared.lock().current().kid.clone()
    }

    /// The current key's public JWK, as `/jwks` publishes it.
    pub fn current_jwk(&self) -> Value {
        self.shared.lock().current().jwk()
    }

    /// The JWK set `/jwks` serves now.
    pub fn jwks(&self) -> Value {
        self.shared.lock().jwks()
    }

    /// How many times `/jwks` was fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.count("GET /jwks")
    }

    /// How many times the metadata document was fetched.
    pub fn metadata_fetches(&self) -> usize {
        self.count("GET /.well-known/oauth-authorization-server")
    }

    /// How many introspection requests came (answered or refused).
    pub fn introspections(&self) -> usize {
        self.count("POST /introspection")
    }

    /// `METHOD /path` of every request so far, in order (unknown paths included).
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().log.clone()
    }

    fn count(&self, line: &str) -> usize {
        self.shared.lock().log.iter().filter(|l| *l == line).count()
    }

    /// The claims `spec` resolves to on this server now.
    pub fn claims(&self, spec: &TokenSpec) -> Map<String, Value> {
        self.shared.claims(spec)
    }

    /// An ES256 JWT with the current key, introspectable too.
    pub fn mint(&self, spec: &TokenSpec) -> String {
        self.shared.mint(spec)
    }

    /// An unsecured JWT: header `{"alg":"none","typ":"JWT"}` (plus `kid` if the spec sets
    /// one) and an empty signature.
    pub fn mint_unsigned(&self, spec: &TokenSpec) -> String {
        let mut header = json!({"alg": "none", "typ": "JWT"});
        if let Some(kid) = &spec.kid {
            header["kid"] = json!(kid);
        }
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let claims = URL_SAFE_NO_PAD.encode(Value::Object(self.claims(spec)).to_string());
        format!("{header}.{claims}.")
    }

    /// An HS256 JWT (`kid` the current key's) whose HMAC secret is the current public key's
    /// JWK JSON text, byte for byte as `/jwks` serves it: the algorithm-confusion attack.
    pub fn mint_hmac_with_public_key(&self, spec: &TokenSpec) -> String {
        let secret = self.current_jwk().to_string();
        self.mint_hmac(spec, secret.as_bytes())
    }

    /// The same attack with the public key's SEC1 uncompressed point (65 bytes) as the secret.
    pub fn mint_hmac_with_public_point(&self, spec: &TokenSpec) -> String {
        let point = self.shared.lock().current().public.clone();
        self.mint_hmac(spec, &point)
    }

    /// An HS256 JWT with any `secret` (`kid` the current key's unless the spec sets one).
    pub fn mint_hmac(&self, spec: &TokenSpec, secret: &[u8]) -> String {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(spec.kid.clone().unwrap_or_else(|| self.current_kid()));
        header.typ = spec.typ.clone().unwrap_or(Some("at+jwt".into()));
        let claims = self.claims(spec);
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret))
            .expect("sign with HS256")
    }

    /// An ES256 JWT signed by a key no JWKS ever publishes, under the current key's `kid`.
    pub fn mint_with_foreign_key(&self, spec: &TokenSpec) -> String {
        let kid = spec.kid.clone().unwrap_or_else(|| self.current_kid());
        let typ = spec.typ.clone().unwrap_or(Some("at+jwt".into()));
        self.shared.foreign.sign(&kid, typ, &self.claims(spec))
    }

    /// A random opaque token with `spec`'s claims, for introspection to describe.
    pub fn issue_opaque(&self, spec: &TokenSpec) -> String {
        self.shared.issue_opaque(self.claims(spec))
    }

    /// Revokes a token issued or minted here: introspection calls it inactive from now on.
    pub fn revoke(&self, token: &str) {
        self.shared.lock().issued.remove(token);
    }

    /// The client the resource server authenticates as at `POST /introspection` (HTTP Basic):
    /// `(client_id, client_secret)`.
    pub fn resource_client(&self) -> (String, String) {
        self.shared.resource_client.clone()
    }

    /// Registers a client of `POST /token` (client credentials) that may have `allowed_scopes`.
    pub fn register_client(&self, id: &str, secret: &str, allowed_scopes: &[&str]) {
        let client = Client {
            secret: secret.to_owned(),
            scopes: allowed_scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        self.shared.lock().clients.insert(id.to_owned(), client);
    }

    /// What `POST /token` issues from now on.
    pub fn set_token_format(&self, format: TokenFormat) {
        self.shared.lock().token_format = format;
    }

    /// The `scope` each `POST /token` request asked for, in order (`""` when it sent none).
    pub fn token_requests(&self) -> Vec<String> {
        let state = self.shared.lock();
        let scopes = state.token_requests.iter();
        scopes
            .map(|r| r.scope.clone().unwrap_or_default())
            .collect()
    }

    /// Everything about each `POST /token` request, in order.
    pub fn token_request_log(&self) -> Vec<TokenRequest> {
        self.shared.lock().token_requests.clone()
    }
}

impl Drop for AuthorizationServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl AsState {
    fn current(&self) -> &SigningKey {
        self.keys.last().expect("a key from the start")
    }

    fn jwks(&self) -> Value {
        let published = if self.publish_previous {
            &self.keys[..]
        } else {
            &self.keys[self.keys.len() - 1..]
        };
        // The current key first.
        let keys: Vec<Value> = published.iter().rev().map(SigningKey::jwk).collect();
        json!({ "keys": keys })
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, AsState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn claims(&self, spec: &TokenSpec) -> Map<String, Value> {
        let now = now();
        let mut claims = Map::new();
        claims.insert(
            "iss".into(),
            json!(spec.iss.as_deref().unwrap_or(&self.issuer)),
        );
        claims.insert(
            "sub".into(),
            json!(spec.sub.as_deref().unwrap_or(DEFAULT_SUBJECT)),
        );
        let aud = spec.aud.clone();
        if let Some(aud) = aud.or_else(|| self.lock().resource.clone().map(Value::String)) {
            claims.insert("aud".into(), aud);
        }
        claims.insert("iat".into(), json!(spec.iat.unwrap_or(now)));
        claims.insert(
            "exp".into(),
            json!(spec.exp.unwrap_or(now + TOKEN_LIFETIME)),
        );
        if let Some(nbf) = spec.nbf {
            claims.insert("nbf".into(), json!(nbf));
        }
        if let Some(scope) = &spec.scope {
            claims.insert("scope".into(), json!(scope));
        }
        if let Some(client_id) = &spec.client_id {
            claims.insert("client_id".into(), json!(client_id));
        }
        claims.extend(spec.extra.clone());
        for name in &spec.without {
            claims.remove(name);
        }
        claims
    }

    fn mint(&self, spec: &TokenSpec) -> String {
        let claims = self.claims(spec);
        let typ = spec.typ.clone().unwrap_or(Some("at+jwt".into()));
        let mut state = self.lock();
        let key = state.current();
        let token = key.sign(spec.kid.as_deref().unwrap_or(&key.kid), typ, &claims);
        state.issued.insert(token.clone(), claims);
        token
    }

    fn issue_opaque(&self, claims: Map<String, Value>) -> String {
        let token = random_text(&self.rng, 32);
        self.lock().issued.insert(token.clone(), claims);
        token
    }

    /// The introspection answer for `token` (RFC 7662 §2.2).
    fn introspect(&self, token: &str) -> Value {
        let Some(claims) = self.lock().issued.get(token).cloned() else {
            return json!({"active": false});
        };
        let now = now();
        let expired = claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|e| e <= now);
        let early = claims
            .get("nbf")
            .and_then(Value::as_i64)
            .is_some_and(|n| n > now);
        if expired || early {
            return json!({"active": false});
        }
        let mut answer = Map::new();
        answer.insert("active".into(), json!(true));
        answer.insert("token_type".into(), json!("Bearer"));
        answer.extend(claims);
        Value::Object(answer)
    }
}

/// `count` random bytes as base64url.
fn random_text(rng: &SystemRandom, count: usize) -> String {
    let mut bytes = vec![0u8; count];
    rng.fill(&mut bytes).expect("random bytes");
    URL_SAFE_NO_PAD.encode(bytes)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// An RFC 6749 §5.2 error answer (RFC 7662 reuses it), with a `WWW-Authenticate` challenge
/// when client authentication failed.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    let mut response = json_response(status, &body);
    if status == StatusCode::UNAUTHORIZED {
        let challenge =
            header::HeaderValue::from_static("Basic realm=\"test-authorization-server\"");
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

async fn record(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let line = format!("{} {}", request.method(), request.uri().path());
    shared.lock().log.push(line);
    next.run(request).await
}

async fn metadata(State(shared): State<Arc<Shared>>) -> Response {
    let issuer = &shared.issuer;
    let mut scopes: Vec<String> = {
        let state = shared.lock();
        state
            .clients
            .values()
            .flat_map(|c| c.scopes.clone())
            .collect()
    };
    scopes.sort();
    scopes.dedup();
    let body = json!({
        "issuer": issuer,
        // Required by the TypeScript SDK's schema even for client-credentials clients.
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "introspection_endpoint": format!("{issuer}/introspection"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    });
    json_response(StatusCode::OK, &body)
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    let body = shared.lock().jwks();
    json_response(StatusCode::OK, &body)
}

async fn authorize() -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "unsupported_response_type",
        "this test server only grants client credentials",
    )
}

/// The form parameters of a body, in order.
fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The `(id, secret)` of an `Authorization: Basic` header, if there is one that parses.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Whether `presented` is `expected`, as sent or once form-urlencoding is undone (RFC 6749
/// §2.3.1 encodes Basic credentials; not every client does).
fn same_credential(presented: &str, expected: &str) -> bool {
    if presented == expected {
        return true;
    }
    let decoded = form_urlencoded::parse(format!("x={}", presented.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned());
    decoded.as_deref() == Some(expected)
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = form(&body);
    let basic = basic_credentials(&headers);
    let posted = param(&params, "client_secret");
    let mut request = TokenRequest {
        client_id: None,
        auth_method: match (&basic, posted) {
            (Some(_), _) => "client_secret_basic",
            (None, Some(_)) => "client_secret_post",
            (None, None) => "none",
        },
        grant_type: param(&params, "grant_type").map(str::to_owned),
        scope: param(&params, "scope").map(str::to_owned),
        resources: params
            .iter()
            .filter(|(k, _)| k == "resource")
            .map(|(_, v)| v.clone())
            .collect(),
        granted: None,
    };
    let answer = grant(&shared, &params, basic, &mut request);
    shared.lock().token_requests.push(request);
    answer
}

fn grant(
    shared: &Shared,
    params: &[(String, String)],
    basic: Option<(String, String)>,
    request: &mut TokenRequest,
) -> Response {
    let posted = param(params, "client_secret");
    if basic.is_some() && posted.is_some() {
        // RFC 6749 §2.3: one authentication method per request.
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "one client authentication method at a time",
        );
    }
    let (id, secret) = match (basic, posted) {
        (Some(pair), None) => pair,
        (None, Some(secret)) => match param(params, "client_id") {
            Some(id) => (id.to_owned(), secret.to_owned()),
            None => {
                return oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "client_secret without client_id",
                )
            }
        },
        _ => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "no client authentication",
            )
        }
    };
    let (id, allowed, format, resource) = {
        let state = shared.lock();
        let found = state.clients.iter().find(|(known, client)| {
            same_credential(&id, known) && same_credential(&secret, &client.secret)
        });
        let Some((id, client)) = found else {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "unknown client or wrong secret",
            );
        };
        let resource = state.resource.clone();
        (
            id.clone(),
            client.scopes.clone(),
            state.token_format,
            resource,
        )
    };
    request.client_id = Some(id.clone());
    if request.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials",
        );
    }
    let requested: Vec<&str> = request
        .scope
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    let mut granted: Vec<&str> = if requested.is_empty() {
        allowed.iter().map(String::as_str).collect()
    } else {
        requested
            .into_iter()
            .filter(|s| allowed.iter().any(|a| a == s))
            .collect()
    };
    let mut seen = Vec::new();
    granted.retain(|s| {
        let new = !seen.contains(s);
        seen.push(*s);
        new
    });
    let granted = granted.join(" ");
    let mut spec = TokenSpec::new().sub(&id).client_id(&id).scope(&granted);
    spec = match request.resources.as_slice() {
        [] => match resource {
            Some(resource) => spec.aud(resource),
            None => spec,
        },
        [one] => spec.aud(one),
        many => spec.audiences(many.iter().cloned()),
    };
    let access_token = match format {
        TokenFormat::Jwt => shared.mint(&spec),
        TokenFormat::Opaque => shared.issue_opaque(shared.claims(&spec)),
    };
    request.granted = Some(granted.clone());
    let body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "scope": granted,
    });
    json_response(StatusCode::OK, &body)
}

async fn introspection(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (id, secret) = &shared.resource_client;
    let authenticated = basic_credentials(&headers)
        .is_some_and(|(i, s)| same_credential(&i, id) && same_credential(&s, secret));
    if !authenticated {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "introspection takes the resource client's HTTP Basic credentials",
        );
    }
    let params = form(&body);
    let Some(token) = param(&params, "token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "no token parameter",
        );
    };
    json_response(StatusCode::OK, &shared.introspect(token))
}
