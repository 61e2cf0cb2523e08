//! The Redis that tests of several processes share, and what they look up in it.

use std::time::Duration;

/// The Redis to use, or `None` (after saying why) when there is none and none is required:
/// `MCP_REDIS_URL`, else `redis://127.0.0.1:6379`. With `MCP_REQUIRE_REDIS` set (`.ci/run`
/// sets it) or under CI, a missing Redis fails the test instead.
pub fn url() -> Option<String> {
    let url = std::env::var("MCP_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    // host:port, after any credentials and before any database number.
    let authority = url.trim_start_matches("redis://");
    let authority = authority.split('/').next().unwrap_or_default();
    let address = authority.rsplit('@').next().unwrap_or(authority);
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(address)
        .ok()
        .and_then(|mut addresses| addresses.next())
        .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok());
    if reachable {
        return Some(url);
    }
    if std::env::var_os("MCP_REQUIRE_REDIS").is_some() || std::env::var_os("CI").is_some() {
        panic!("no Redis at {url}, and MCP_REQUIRE_REDIS or CI is set: start one (redis-server)");
    }
    eprintln!("skipping: no Redis at {url} (set MCP_REDIS_URL, or start redis-server)");
    None
}

/// A key prefix of its own for each test: tests run at once on one Redis.
pub fn prefix(test: &str) -> String {
    format!("mcp-test-{}-{test}", std::process::id())
}

/// The keys under `prefix` now.
pub fn keys(url: &str, prefix: &str) -> Vec<String> {
    let client = redis::Client::open(url).expect("a Redis URL");
    let mut connection = client.get_connection().expect("connect to Redis");
    redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query(&mut connection)
        .expect("KEYS")
}

/// How many bytes Redis uses for the keys under `prefix` (`MEMORY USAGE` of each).
pub fn memory(url: &str, prefix: &str) -> u64 {
    let client = redis::Client::open(url).expect("a Redis URL");
    let mut connection = client.get_connection().expect("connect to Redis");
    keys(url, prefix)
        .iter()
        .map(|key| {
            redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(key)
                .query::<Option<u64>>(&mut connection)
                .expect("MEMORY USAGE")
                .unwrap_or(0)
        })
        .sum()
}
