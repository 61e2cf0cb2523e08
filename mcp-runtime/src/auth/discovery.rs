//! Where the authorization server publishes its keys, read from its metadata: RFC 8414, else
//! OpenID Connect Discovery.

use serde::Deserialize;

use super::config::checked_url;
use super::fetch::{self, FetchError};
use crate::outbound::Destination;

/// The metadata members used.
#[derive(Debug, Deserialize)]
struct Metadata {
    issuer: String,
    jwks_uri: Option<String>,
}

/// Why the keys' location could not be learned. For logs.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DiscoveryError {
    /// Neither metadata document could be fetched.
    #[error("could not fetch the authorization server's metadata from {url}: {error}")]
    Fetch {
        /// The last URL tried.
        url: String,
        /// What went wrong there.
        error: FetchError,
    },
    /// The metadata is for another issuer: it must not be trusted (RFC 8414 section 3.3).
    #[error("the authorization server's metadata at {url} is for the issuer `{found}`, not the configured one")]
    OtherIssuer {
        /// Where it was read.
        url: String,
        /// The issuer it names.
        found: String,
    },
    /// The metadata has no `jwks_uri`, or one that cannot be used.
    #[error("the authorization server's metadata at {url} has no usable `jwks_uri`: {reason}")]
    NoKeys {
        /// Where it was read.
        url: String,
        /// What is wrong.
        reason: String,
    },
}

/// The URLs of the metadata documents of `issuer` (a checked URL), in the order they are
/// tried: RFC 8414's, with `/.well-known/oauth-authorization-server` inserted between the host
/// and the issuer's path, then OpenID Connect's, with `/.well-known/openid-configuration`
/// appended to the issuer.
pub(crate) fn metadata_urls(issuer: &str) -> [String; 2] {
    let issuer = issuer.trim_end_matches('/');
    let after_scheme = issuer.find("://").map_or(0, |i| i + 3);
    let path_start = issuer[after_scheme..]
        .find('/')
        .map_or(issuer.len(), |i| after_scheme + i);
    let (origin, path) = issuer.split_at(path_start);
    [
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
        format!("{issuer}/.well-known/openid-configuration"),
    ]
}

/// Where `issuer`'s keys are: its metadata's `jwks_uri`, from the first metadata document
/// that exists. A document that exists but is wrong (another issuer, no `jwks_uri`) ends the
/// search.
pub(crate) async fn jwks_uri(issuer: &str) -> Result<Destination, DiscoveryError> {
    let [rfc8414, openid] = metadata_urls(issuer);
    let mut last = None;
    for url in [rfc8414, openid] {
        let destination =
            checked_url("metadata URL", &url).map_err(|e| DiscoveryError::NoKeys {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        let metadata: Metadata = match fetch::get_json(&destination).await {
            Ok(metadata) => metadata,
            Err(error @ FetchError::Status(_)) => {
                last = Some(DiscoveryError::Fetch { url, error });
                continue;
            }
            Err(error) => return Err(DiscoveryError::Fetch { url, error }),
        };
        if metadata.issuer != issuer {
            return Err(DiscoveryError::OtherIssuer {
                url,
                found: metadata.issuer,
            });
        }
        let Some(jwks_uri) = metadata.jwks_uri else {
            return Err(DiscoveryError::NoKeys {
                url,
                reason: "it has none".to_owned(),
            });
        };
        return checked_url("jwks_uri", &jwks_uri).map_err(|e| DiscoveryError::NoKeys {
            url,
            reason: e.to_string(),
        });
    }
    Err(last.expect("two URLs were tried"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls() {
        assert_eq!(
            metadata_urls("https://as.example.com"),
            [
                "https://as.example.com/.well-known/oauth-authorization-server",
                "https://as.example.com/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            metadata_urls("https://as.example.com/"),
            [
                "https://as.example.com/.well-known/oauth-authorization-server",
                "https://as.example.com/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            metadata_urls("https://as.example.com:8443/realms/mcp"),
            [
                "https://as.example.com:8443/.well-known/oauth-authorization-server/realms/mcp",
                "https://as.example.com:8443/realms/mcp/.well-known/openid-configuration",
            ]
        );
    }
}
