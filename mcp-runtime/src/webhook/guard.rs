//! The address policy: which IP addresses a webhook may be sent to, checked on the addresses a
//! host name resolves to, right before connecting to one of them.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Most resolved addresses tried for one attempt.
const MAX_ADDRESSES: usize = 8;

/// Why `ip` is not a public (globally routable) unicast address, or `None` when it is one.
///
/// Refused: loopback, unspecified, private (RFC 1918), shared CGNAT `100.64.0.0/10`, link-local
/// (`169.254.0.0/16`, where cloud metadata services such as `169.254.169.254` live, and
/// `fe80::/10`), unique-local `fc00::/7` (where `fd00:ec2::254` lives), site-local `fec0::/10`,
/// multicast, broadcast and the rest of `240.0.0.0/4`, the documentation and benchmarking
/// ranges, the IETF protocol-assignment blocks, 6to4, Teredo, discard-only and every IPv6
/// address outside global unicast `2000::/3`. An IPv4 address written in IPv6 (`::ffff:a.b.c.d`
/// mapped, `64:ff9b::a.b.c.d` NAT64) is judged by the IPv4 address it carries; the deprecated
/// IPv4-compatible form `::a.b.c.d` is refused outright.
///
/// ```
/// use mcp_runtime::webhook::non_public_reason;
///
/// assert_eq!(non_public_reason("127.0.0.1".parse().unwrap()), Some("a loopback address"));
/// assert!(non_public_reason("::ffff:10.0.0.1".parse().unwrap()).is_some());
/// assert_eq!(non_public_reason("93.184.215.14".parse().unwrap()), None);
/// ```
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => v4(ip),
        IpAddr::V6(ip) => v6(ip),
    }
}

fn v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "an unspecified address (0.0.0.0/8)",
        (10, _, _) => "a private address (10.0.0.0/8)",
        (100, b, _) if b & 0xc0 == 64 => "a shared CGNAT address (100.64.0.0/10)",
        (127, _, _) => "a loopback address",
        (169, 254, _) => "a link-local address (169.254.0.0/16, cloud metadata)",
        (172, b, _) if b & 0xf0 == 16 => "a private address (172.16.0.0/12)",
        (192, 0, 0) => "an IETF protocol assignment (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (192, 88, 99) => "a 6to4 relay anycast address (192.88.99.0/24)",
        (192, 168, _) => "a private address (192.168.0.0/16)",
        (198, b, _) if b & 0xfe == 18 => "a benchmarking address (198.18.0.0/15)",
        (a, _, _) if a & 0xf0 == 224 => "a multicast address",
        (a, _, _) if a >= 240 => "a reserved or broadcast address (240.0.0.0/4)",
        _ => return None,
    })
}

fn v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("the unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    if let Some(mapped) = ip.to_ipv4_mapped() {
        return v4(mapped);
    }
    let s = ip.segments();
    if s[..6] == [0; 6] {
        return Some("an IPv4-compatible IPv6 address (::/96, deprecated)");
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return v4(Ipv4Addr::new(a, b, c, d));
    }
    Some(match s[0] {
        0x64 if s[1] == 0xff9b && s[2] == 1 => "a local-use NAT64 address (64:ff9b:1::/48)",
        0x100 if s[1..4] == [0; 3] => "a discard-only address (100::/64)",
        x if x & 0xfe00 == 0xfc00 => "a unique-local address (fc00::/7)",
        x if x & 0xffc0 == 0xfe80 => "a link-local address (fe80::/10)",
        x if x & 0xffc0 == 0xfec0 => "a site-local address (fec0::/10)",
        x if x & 0xff00 == 0xff00 => "a multicast address",
        0x2001 if s[1] < 0x200 => "an IETF protocol assignment (2001::/23, incl. Teredo)",
        0x2001 if s[1] == 0xdb8 => "a documentation address (2001:db8::/32)",
        0x2002 => "a 6to4 address (2002::/16)",
        0x3fff if s[1] < 0x1000 => "a documentation address (3fff::/20)",
        0x5f00 => "an SRv6 SID (5f00::/16)",
        x if x & 0xe000 != 0x2000 => "not a global unicast address (outside 2000::/3)",
        _ => return None,
    })
}

/// Why no connection may be made to a host.
#[derive(Debug)]
pub(crate) enum ResolveError {
    /// Every address the host has is refused by the policy.
    Refused(String),
    /// The name could not be resolved.
    Lookup(io::Error),
}

/// The addresses of `host` that a webhook may be sent to: the literal address itself, or the
/// ones the resolver returned that pass the policy. The caller connects to these and only these,
/// so a second lookup cannot swap in another address (DNS rebinding).
pub(crate) async fn vetted_addresses(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let resolved = crate::outbound::resolve(host, port)
        .await
        .map_err(ResolveError::Lookup)?;
    if allow_private {
        return Ok(resolved.into_iter().take(MAX_ADDRESSES).collect());
    }
    let mut refused = None;
    let allowed: Vec<SocketAddr> = resolved
        .into_iter()
        .filter(|addr| match non_public_reason(addr.ip()) {
            None => true,
            Some(reason) => {
                refused.get_or_insert((addr.ip(), reason));
                false
            }
        })
        .take(MAX_ADDRESSES)
        .collect();
    if allowed.is_empty() {
        let detail = match refused {
            Some((ip, reason)) if ip.to_string() == host => format!("{ip} is {reason}"),
            Some((ip, reason)) => format!("{host} resolves to {ip}, {reason}"),
            None => format!("{host} has no public address"),
        };
        return Err(ResolveError::Refused(format!(
            "{detail}; webhooks are sent only to public addresses"
        )));
    }
    Ok(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_every_non_public_range() {
        for ip in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.1.2.3",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:0.0.0.0",
            "::127.0.0.1",
            "::8.8.8.8",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "100::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "2001::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "3fff::1",
            "5f00::1",
            "4000::1",
            "1::1",
        ] {
            let parsed: IpAddr = ip.parse().unwrap();
            assert!(
                non_public_reason(parsed).is_some(),
                "{ip} should be refused"
            );
        }
    }

    #[test]
    fn allows_public_addresses() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.215.14",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.0.1.1",
            "192.169.0.1",
            "198.20.0.1",
            "223.255.255.255",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2606:4700:4700::1111",
            "2a00:1450:4001:800::200e",
            "2001:4860:4860::8888",
        ] {
            let parsed: IpAddr = ip.parse().unwrap();
            assert_eq!(non_public_reason(parsed), None, "{ip} should be allowed");
        }
    }

    #[tokio::test]
    async fn checks_resolved_addresses_not_just_literals() {
        // `localhost` is a name, not a literal: it is refused for what it resolves to.
        let err = vetted_addresses("localhost", 443, false).await.unwrap_err();
        let ResolveError::Refused(message) = err else {
            panic!("expected a refusal, got {err:?}")
        };
        assert!(message.contains("localhost resolves to"), "{message}");
        assert!(message.contains("loopback"), "{message}");

        let err = vetted_addresses("127.0.0.1", 443, false).await.unwrap_err();
        assert!(
            matches!(err, ResolveError::Refused(m) if m.starts_with("127.0.0.1 is a loopback"))
        );

        let allowed = vetted_addresses("localhost", 8080, true).await.unwrap();
        assert!(allowed
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 8080));
    }
}
