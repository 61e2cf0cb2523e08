//! `--dev`: a development authorization server on loopback, so the example can be tried
//! without one. It publishes one ES256 key generated at startup (JWKS and RFC 8414 metadata)
//! and prints tokens for this server. Never use it for anything else.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::routing::get;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

/// The key's id in the JWKS and in the tokens' headers.
const KID: &str = "dev";

/// Starts the development authorization server at `addr`, prints a token for each scope set,
/// and returns its issuer.
pub(crate) async fn start(
    addr: &str,
    resource: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| "could not generate a key")?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| "could not read the key")?;
    // An uncompressed P-256 point: 0x04, then x and y.
    let point = pair.public_key().as_ref();
    let jwk = json!({
        "kty": "EC", "crv": "P-256", "kid": KID, "alg": "ES256", "use": "sig",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let issuer = format!("http://{}", listener.local_addr()?);
    let metadata = json_body(&json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/jwks"),
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "response_types_supported": ["code"],
    }));
    let jwks = json_body(&json!({ "keys": [jwk] }));
    let app = axum::Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(move || std::future::ready(metadata.clone())),
        )
        .route("/jwks", get(move || std::future::ready(jwks.clone())));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let key = EncodingKey::from_ec_der(pkcs8.as_ref());
    let mint = |scope: &str| -> Result<String, jsonwebtoken::errors::Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims: Value = json!({
            "iss": issuer, "aud": resource, "sub": "dev-user", "client_id": "dev-client",
            "scope": scope, "iat": now, "exp": now + 3600,
        });
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(KID.into());
        encode(&header, &claims, &key)
    };
    eprintln!(
        "development authorization server at {issuer}; tokens for {resource}, valid an hour:"
    );
    for scope in ["notes:read notes:write", "notes:read"] {
        eprintln!("\n  scope \"{scope}\":\n  {}", mint(scope)?);
    }
    eprintln!();
    Ok(issuer)
}

/// A JSON response (status 200) of `value`.
fn json_body(value: &Value) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
}
