//! The test authorization server of `support/oauth.rs` keeps its promises: RFC 8414 metadata, a
//! JWKS its tokens verify against (and its forged tokens do not), RFC 7662 introspection, and
//! the client-credentials grant with scopes intersected and `resource` as the audience.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mcp_tests::oauth::{now, AuthorizationServer, TokenFormat, TokenSpec};
use mcp_tests::Response;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const RESOURCE: &str = "http://127.0.0.1:9/mcp";

/// Sends one HTTP/1.1 request to the authorization server and reads the whole response.
async fn send(
    auth: &AuthorizationServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", auth.addr());
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    let mut stream = TcpStream::connect(auth.addr()).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    Response::parse(&raw)
}

async fn get(auth: &AuthorizationServer, path: &str) -> Response {
    send(auth, "GET", path, &[], "").await
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

async fn post_form(
    auth: &AuthorizationServer,
    path: &str,
    authorization: Option<&str>,
    body: &str,
) -> Response {
    let mut headers = vec![FORM];
    if let Some(value) = authorization {
        headers.push(("Authorization", value));
    }
    send(auth, "POST", path, &headers, body).await
}

/// The served JWK set.
async fn served_keys(auth: &AuthorizationServer) -> JwkSet {
    serde_json::from_value(get(auth, "/jwks").await.json()).expect("a JWK set")
}

/// Verifies `token` as a resource server would: ES256 only, against the served key its `kid`
/// names, for `RESOURCE` from this issuer.
async fn verify(auth: &AuthorizationServer, token: &str) -> jsonwebtoken::errors::Result<Value> {
    let header = jsonwebtoken::decode_header(token)?;
    let keys = served_keys(auth).await;
    let Some(jwk) = header.kid.as_deref().and_then(|kid| keys.find(kid)) else {
        return Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into());
    };
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[RESOURCE]);
    validation.set_issuer(&[auth.issuer()]);
    let key = DecodingKey::from_jwk(jwk)?;
    Ok(jsonwebtoken::decode::<Value>(token, &key, &validation)?.claims)
}

fn decode_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("a JWT part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

#[tokio::test]
async fn metadata_names_the_endpoints_under_the_issuer() {
    let auth = AuthorizationServer::start_for(RESOURCE).await;
    auth.register_client("agent", "secret", &["notes:write", "notes:read"]);
    let r = get(&auth, "/.well-known/oauth-authorization-server").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let m = r.json();
    let issuer = auth.issuer();
    assert_eq!(issuer, format!("http://{}", auth.addr()));
    assert_eq!(auth.url(), issuer);
    assert_eq!(m["issuer"], issuer);
    assert_eq!(m["jwks_uri"], auth.jwks_uri());
    assert_eq!(m["token_endpoint"], auth.token_endpoint());
    assert_eq!(m["introspection_endpoint"], auth.introspection_endpoint());
    assert_eq!(m["authorization_endpoint"], format!("{issuer}/authorize"));
    assert_eq!(m["grant_types_supported"], json!(["client_credentials"]));
    assert_eq!(
        m["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post"])
    );
    assert_eq!(m["scopes_supported"], json!(["notes:read", "notes:write"]));
    assert_eq!(m["response_types_supported"], json!(["code"]));
    assert_eq!(m["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(auth.metadata_fetches(), 1);
    assert_eq!(get(&auth, "/authorize").await.status, 400);
    assert_eq!(get(&auth, "/nothing").await.status, 404);
}

#[tokio::test]
async fn jwks_publishes_the_current_p256_key_and_follows_rotation() {
    let auth = AuthorizationServer::start().await;
    let r = get(&auth, "/jwks").await;
    assert_eq!(r.status, 200);
    let keys = r.json()["keys"].as_array().expect("keys").clone();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["crv"], "P-256");
    assert_eq!(key["alg"], "ES256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], auth.current_kid());
    for coordinate in ["x", "y"] {
        let bytes = URL_SAFE_NO_PAD
            .decode(key[coordinate].as_str().expect("a coordinate"))
            .expect("base64url without padding");
        assert_eq!(bytes.len(), 32, "{coordinate}");
    }
    assert!(key.get("d").is_none(), "no private part");
    assert_eq!(*key, auth.current_jwk());
    assert_eq!(auth.jwks_fetches(), 1);

    let first = auth.current_kid();
    let second = auth.rotate();
    assert_ne!(first, second);
    assert_eq!(auth.current_kid(), second);
    let kids = |set: JwkSet| -> Vec<String> {
        let keys = set.keys.into_iter();
        keys.map(|k| k.common.key_id.expect("a kid")).collect()
    };
    assert_eq!(kids(served_keys(&auth).await), [second.as_str()]);
    auth.publish_previous(true);
    assert_eq!(
        kids(served_keys(&auth).await),
        [second.as_str(), first.as_str()]
    );
    auth.publish_previous(false);
    assert_eq!(kids(served_keys(&auth).await), [second.as_str()]);
    assert_eq!(auth.jwks_fetches(), 4);
}

#[tokio::test]
async fn minted_tokens_verify_against_the_served_key_and_forgeries_do_not() {
    let auth = AuthorizationServer::start_for(RESOURCE).await;
    let token = auth.mint(&TokenSpec::new().scope("notes:read"));
    let header = jsonwebtoken::decode_header(&token).expect("a header");
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.kid.as_deref(), Some(auth.current_kid().as_str()));
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let claims = verify(&auth, &token).await.expect("a valid token");
    assert_eq!(claims["iss"], auth.issuer());
    assert_eq!(claims["aud"], RESOURCE);
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["scope"], "notes:read");
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert!((now() - iat).abs() <= 2 && exp == iat + 300, "{claims}");

    // Every claim can be overridden, added or left out.
    let spec = TokenSpec::new()
        .iss("https://elsewhere.example")
        .sub("bob")
        .audiences(["a", "b"])
        .client_id("agent")
        .exp(1_000)
        .nbf(900)
        .iat(800)
        .kid("unknown")
        .claim("tenant", "t1")
        .without("scope");
    let custom = auth.mint(&spec);
    let claims = decode_part(&custom, 1);
    assert_eq!(
        claims,
        json!({"iss": "https://elsewhere.example", "sub": "bob", "aud": ["a", "b"],
            "client_id": "agent", "exp": 1000, "nbf": 900, "iat": 800, "tenant": "t1"})
    );
    assert_eq!(decode_part(&custom, 0)["kid"], "unknown");
    assert!(auth
        .claims(&TokenSpec::new().without("aud"))
        .get("aud")
        .is_none());

    let wrong = |r: jsonwebtoken::errors::Result<Value>| r.expect_err("rejected").into_kind();
    use jsonwebtoken::errors::ErrorKind;
    let expired = auth.mint(&TokenSpec::new().expires_in(-600));
    assert_eq!(
        wrong(verify(&auth, &expired).await),
        ErrorKind::ExpiredSignature
    );
    let other_audience = auth.mint(&TokenSpec::new().aud("http://127.0.0.1:9/other"));
    assert_eq!(
        wrong(verify(&auth, &other_audience).await),
        ErrorKind::InvalidAudience
    );

    // Forgeries.
    let spec = TokenSpec::new().scope("notes:read");
    let unsigned = auth.mint_unsigned(&spec);
    assert!(unsigned.ends_with('.'));
    assert_eq!(
        decode_part(&unsigned, 0),
        json!({"alg": "none", "typ": "JWT"})
    );
    assert_eq!(decode_part(&unsigned, 1)["aud"], RESOURCE);
    assert!(verify(&auth, &unsigned).await.is_err());

    let hmac = auth.mint_hmac_with_public_key(&spec);
    assert_eq!(decode_part(&hmac, 0)["alg"], "HS256");
    assert_eq!(
        wrong(verify(&auth, &hmac).await),
        ErrorKind::InvalidAlgorithm
    );
    // ...yet it is exactly what a server confusing the algorithms would accept.
    let served = serde_json::to_string(&get(&auth, "/jwks").await.json()["keys"][0]).unwrap();
    let mut confused = Validation::new(Algorithm::HS256);
    confused.set_audience(&[RESOURCE]);
    let secret = DecodingKey::from_secret(served.as_bytes());
    jsonwebtoken::decode::<Value>(&hmac, &secret, &confused).expect("HMAC over the JWK text");
    let point_hmac = auth.mint_hmac_with_public_point(&spec);
    assert_eq!(
        wrong(verify(&auth, &point_hmac).await),
        ErrorKind::InvalidAlgorithm
    );

    let foreign = auth.mint_with_foreign_key(&spec);
    let foreign_header = jsonwebtoken::decode_header(&foreign).unwrap();
    assert_eq!(
        foreign_header.kid.as_deref(),
        Some(auth.current_kid().as_str())
    );
    assert_eq!(
        wrong(verify(&auth, &foreign).await),
        ErrorKind::InvalidSignature
    );

    // After a rotation, the old key's tokens verify only while it is still published.
    auth.rotate();
    assert!(verify(&auth, &token).await.is_err());
    auth.publish_previous(true);
    verify(&auth, &token)
        .await
        .expect("the previous key is published");
    let jwk: Jwk = serde_json::from_value(auth.current_jwk()).unwrap();
    assert!(DecodingKey::from_jwk(&jwk).is_ok());
}

#[tokio::test]
async fn introspection_describes_live_opaque_tokens_to_the_resource_client_only() {
    let auth = AuthorizationServer::start_for(RESOURCE).await;
    let (id, secret) = auth.resource_client();
    let resource_server = basic(&id, &secret);
    let spec = TokenSpec::new()
        .sub("carol")
        .scope("notes:read notes:write")
        .client_id("agent");
    let token = auth.issue_opaque(&spec);
    assert_eq!(token.split('.').count(), 1, "not a JWT");
    let body = format!("token={token}&token_type_hint=access_token");

    let r = post_form(&auth, "/introspection", None, &body).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
    assert!(r.header("www-authenticate").unwrap().starts_with("Basic"));
    let wrong = basic(&id, "guess");
    assert_eq!(
        post_form(&auth, "/introspection", Some(&wrong), &body)
            .await
            .status,
        401
    );

    let r = post_form(&auth, "/introspection", Some(&resource_server), &body).await;
    assert_eq!(r.status, 200);
    let answer = r.json();
    assert_eq!(answer["active"], true);
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["sub"], "carol");
    assert_eq!(answer["scope"], "notes:read notes:write");
    assert_eq!(answer["client_id"], "agent");
    assert_eq!(answer["iss"], auth.issuer());
    assert_eq!(answer["aud"], RESOURCE);
    assert!(answer["exp"].as_i64().unwrap() > now());
    assert!(answer["iat"].as_i64().unwrap() <= now());

    let inactive = json!({"active": false});
    let introspect = |token: String| {
        let body = format!("token={token}");
        let auth = &auth;
        let resource_server = resource_server.clone();
        async move {
            let r = post_form(auth, "/introspection", Some(&resource_server), &body).await;
            assert_eq!(r.status, 200);
            r.json()
        }
    };
    assert_eq!(introspect("unknown".into()).await, inactive);
    let expired = auth.issue_opaque(&TokenSpec::new().expires_in(-1));
    assert_eq!(introspect(expired).await, inactive);
    let early = auth.issue_opaque(&TokenSpec::new().valid_in(600));
    assert_eq!(introspect(early).await, inactive);
    auth.revoke(&token);
    assert_eq!(introspect(token).await, inactive);
    // Minted JWTs are introspectable too.
    let jwt = auth.mint(&TokenSpec::new());
    assert_eq!(introspect(jwt).await["active"], true);
    let missing = post_form(&auth, "/introspection", Some(&resource_server), "").await;
    assert_eq!(missing.status, 400);
    assert_eq!(auth.introspections(), 9);
}

#[tokio::test]
async fn client_credentials_grants_the_requested_scopes_the_client_may_have() {
    let auth = AuthorizationServer::start_for(RESOURCE).await;
    auth.register_client("agent", "s3cret", &["notes:read", "notes:write"]);
    let agent = basic("agent", "s3cret");
    let grant = "grant_type=client_credentials";

    // Requested scopes intersected with the allowed ones; `resource` is the audience.
    let body = format!("{grant}&scope=notes:write%20admin&resource={RESOURCE}");
    let r = post_form(&auth, "/token", Some(&agent), &body).await;
    assert_eq!(r.status, 200, "{}", r.json());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let answer = r.json();
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 300);
    assert_eq!(answer["scope"], "notes:write");
    let token = answer["access_token"].as_str().unwrap();
    let claims = verify(&auth, token).await.expect("a valid token");
    assert_eq!(claims["scope"], "notes:write");
    assert_eq!(claims["client_id"], "agent");
    assert_eq!(claims["sub"], "agent");
    assert_eq!(claims["aud"], RESOURCE);

    // No scope asked: every allowed one; no resource: the default audience.
    let r = post_form(&auth, "/token", Some(&agent), grant).await;
    assert_eq!(r.json()["scope"], "notes:read notes:write");

    // client_secret_post, with another resource.
    let body =
        format!("{grant}&client_id=agent&client_secret=s3cret&scope=notes:read&resource=urn:other");
    let r = post_form(&auth, "/token", None, &body).await;
    assert_eq!(r.status, 200);
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(decode_part(&token, 1)["aud"], "urn:other");

    // Refusals.
    for (authorization, body) in [
        (Some(basic("agent", "wrong")), grant.to_owned()),
        (Some(basic("nobody", "s3cret")), grant.to_owned()),
        (None, grant.to_owned()),
        (None, format!("{grant}&client_id=agent&client_secret=wrong")),
    ] {
        let r = post_form(&auth, "/token", authorization.as_deref(), &body).await;
        assert_eq!(r.status, 401, "{body}");
        assert_eq!(r.json()["error"], "invalid_client", "{body}");
    }
    let r = post_form(&auth, "/token", Some(&agent), "grant_type=password").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "unsupported_grant_type");

    assert_eq!(
        auth.token_requests(),
        ["notes:write admin", "", "notes:read", "", "", "", "", ""]
    );
    let log = auth.token_request_log();
    assert_eq!(log[0].resources, [RESOURCE]);
    assert_eq!(log[0].auth_method, "client_secret_basic");
    assert_eq!(log[0].granted.as_deref(), Some("notes:write"));
    assert_eq!(log[2].auth_method, "client_secret_post");
    assert_eq!(log[3].client_id, None);
    assert_eq!(log[3].granted, None);

    // Opaque tokens from the endpoint, described by introspection.
    auth.set_token_format(TokenFormat::Opaque);
    let r = post_form(
        &auth,
        "/token",
        Some(&agent),
        &format!("{grant}&scope=notes:read"),
    )
    .await;
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(token.split('.').count(), 1);
    let (id, secret) = auth.resource_client();
    let body = format!("token={token}");
    let r = post_form(&auth, "/introspection", Some(&basic(&id, &secret)), &body).await;
    let mut answer: Map<String, Value> = serde_json::from_value(r.json()).unwrap();
    answer.retain(|k, _| !["exp", "iat"].contains(&k.as_str()));
    assert_eq!(
        Value::Object(answer),
        json!({"active": true, "token_type": "Bearer", "iss": auth.issuer(), "sub": "agent",
            "aud": RESOURCE, "scope": "notes:read", "client_id": "agent"})
    );
}
