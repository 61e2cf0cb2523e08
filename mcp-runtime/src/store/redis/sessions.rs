//! 2025-era sessions on Redis, for every process of a server to serve.
//!
//! Keys, under the store's prefix:
//! - `session:{id}`: a hash with the session's `record` (what `initialize` settled and who
//!   opened it), its log `level` and one `sub:{uri}` field per resource subscription; it
//!   expires with the session;
//! - `values:{id}`: a hash of the session's values by type, expiring with the session;
//! - `sessions`: a sorted set of every session's id by the time it expires, which the session
//!   cap counts (entries past their time are dropped as sessions open);
//! - `client:{key}`: the same for the sessions of one client (its principal, else its address),
//!   which the per-client quota counts; it expires with the client's last session.

use std::time::Duration;

use super::relay::session;
use super::{millis, now_ms, RedisStore, Unavailable};
use crate::session::SessionEvent;

/// Opens a session unless the server holds as many as it may: drops the entries of sessions
/// past their time, counts the others, and either records the session or answers when the
/// next one ends.
const OPEN: &str = r#"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2])}
end
if ARGV[7] ~= '0' then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
  if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[7]) then
    local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    return {2, tonumber(first[2])}
  end
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
  if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[6]) then
    redis.call('PEXPIRE', KEYS[3], ARGV[6])
  end
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('HSET', KEYS[2], 'record', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return {1, 0}
"#;

/// Whether a session could be opened.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Opened {
    /// It is recorded.
    Yes,
    /// The server's processes hold as many sessions as they may; one ends within this time
    /// unless it is used.
    Full(Duration),
    /// The client holds as many sessions, on all processes together, as one client may; one of
    /// them ends within this time unless it is used.
    Quota(Duration),
}

/// Whose quota a shared session counts against, and how many sessions one client may hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owner<'a> {
    pub(crate) client: &'a str,
    pub(crate) quota: usize,
}

/// A session as another process recorded it.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// What `initialize` settled and who opened it (JSON).
    pub(crate) record: String,
    /// The level set by `logging/setLevel`, if any (JSON).
    pub(crate) level: Option<String>,
    /// The resources it subscribes to.
    pub(crate) subscriptions: Vec<String>,
}

impl RedisStore {
    fn session_key(&self, id: &str) -> String {
        self.key(format_args!("session:{id}"))
    }

    fn values_key(&self, id: &str) -> String {
        self.key(format_args!("values:{id}"))
    }

    fn sessions_key(&self) -> String {
        self.key(format_args!("sessions"))
    }

    fn client_key(&self, client: &str) -> String {
        self.key(format_args!("client:{client}"))
    }

    /// Records a new session for `ttl`, unless the processes hold `max` sessions already, or
    /// its owner as many as one client may.
    pub(crate) async fn open_session(
        &self,
        id: &str,
        record: &str,
        ttl: Duration,
        max: usize,
        owner: Option<Owner<'_>>,
    ) -> Result<Opened, Unavailable> {
        let now = now_ms();
        let mut eval = redis::cmd("EVAL");
        eval.arg(OPEN)
            .arg(3)
            .arg(self.sessions_key())
            .arg(self.session_key(id))
            .arg(owner.map_or_else(
                || self.key(format_args!("client")),
                |o| self.client_key(o.client),
            ))
            .arg(now)
            .arg(max)
            .arg(now + millis(ttl))
            .arg(id)
            .arg(record)
            .arg(millis(ttl))
            .arg(owner.map_or(0, |o| o.quota));
        let (opened, next_end): (i64, i64) = self.command(eval).await?;
        let after = Duration::from_millis((next_end as u64).saturating_sub(now).max(1000));
        Ok(match opened {
            1 => Opened::Yes,
            2 => Opened::Quota(after),
            _ => Opened::Full(after),
        })
    }

    /// Drops from the count of sessions those past their time (sessions also expire without
    /// any process ending them).
    pub(crate) async fn forget_expired(&self) {
        let mut prune = redis::cmd("ZREMRANGEBYSCORE");
        prune.arg(self.sessions_key()).arg("-inf").arg(now_ms());
        let _ = self.command::<i64>(prune).await;
    }

    /// A session's record and settings, if it exists (and has not expired).
    pub(crate) async fn load_session(&self, id: &str) -> Result<Option<Loaded>, Unavailable> {
        let mut hgetall = redis::cmd("HGETALL");
        hgetall.arg(self.session_key(id));
        let fields: Vec<(String, String)> = self.command(hgetall).await?;
        let mut loaded = Loaded::default();
        let mut found = false;
        for (field, value) in fields {
            match field.as_str() {
                "record" => {
                    loaded.record = value;
                    found = true;
                }
                "level" => loaded.level = Some(value),
                _ => {
                    if let Some(uri) = field.strip_prefix("sub:") {
                        loaded.subscriptions.push(uri.to_owned());
                    }
                }
            }
        }
        Ok(found.then_some(loaded))
    }

    /// Keeps a session (owned by `client`, if known) for `ttl` more from now.
    pub(crate) async fn renew_session(
        &self,
        id: &str,
        client: Option<&str>,
        ttl: Duration,
    ) -> Result<(), Unavailable> {
        let deadline = now_ms() + millis(ttl);
        let mut pipe = redis::pipe();
        pipe.cmd("PEXPIRE")
            .arg(self.session_key(id))
            .arg(millis(ttl))
            .ignore()
            .cmd("PEXPIRE")
            .arg(self.values_key(id))
            .arg(millis(ttl))
            .ignore()
            .cmd("ZADD")
            .arg(self.sessions_key())
            .arg("XX")
            .arg(deadline)
            .arg(id)
            .ignore();
        if let Some(client) = client {
            let key = self.client_key(client);
            pipe.cmd("ZADD")
                .arg(&key)
                .arg("XX")
                .arg(deadline)
                .arg(id)
                .ignore()
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(millis(ttl))
                .arg("GT")
                .ignore();
        }
        self.pipeline(pipe).await
    }

    /// Ends a session on every process: its keys go, and the others close their copies.
    pub(crate) async fn end_session(
        &self,
        id: &str,
        client: Option<&str>,
    ) -> Result<(), Unavailable> {
        let mut pipe = redis::pipe();
        if let Some(client) = client {
            pipe.cmd("ZREM")
                .arg(self.client_key(client))
                .arg(id)
                .ignore();
        }
        pipe.cmd("DEL")
            .arg(self.session_key(id))
            .arg(self.values_key(id))
            .ignore()
            .cmd("ZREM")
            .arg(self.sessions_key())
            .arg(id)
            .ignore()
            .add_command(self.publish_command(&session(id, SessionEvent::Ended)))
            .ignore();
        self.pipeline(pipe).await
    }

    /// Records a change of a session's settings (its log level, a subscription) and tells the
    /// processes serving it; the session's keys keep lasting `ttl`.
    pub(crate) async fn update_session(
        &self,
        id: &str,
        change: SessionEvent,
        ttl: Duration,
    ) -> Result<(), Unavailable> {
        let key = self.session_key(id);
        let mut pipe = redis::pipe();
        match &change {
            SessionEvent::Level(level) => {
                let level = serde_json::to_string(level).expect("a level serializes");
                pipe.cmd("HSET").arg(&key).arg("level").arg(level).ignore();
            }
            SessionEvent::Subscribed(uri) => {
                pipe.cmd("HSET")
                    .arg(&key)
                    .arg(format!("sub:{uri}"))
                    .arg(1)
                    .ignore();
            }
            SessionEvent::Unsubscribed(uri) => {
                pipe.cmd("HDEL")
                    .arg(&key)
                    .arg(format!("sub:{uri}"))
                    .ignore();
            }
            _ => {}
        }
        // A session deleted meanwhile leaves a hash without a record, which expires too.
        pipe.cmd("PEXPIRE")
            .arg(&key)
            .arg(millis(ttl))
            .ignore()
            .add_command(self.publish_command(&session(id, change)))
            .ignore();
        self.pipeline(pipe).await
    }

    /// Tells the processes serving a session of `event` (an answer, a cancellation).
    pub(crate) async fn tell_session(
        &self,
        id: &str,
        event: SessionEvent,
    ) -> Result<(), Unavailable> {
        self.announce(&session(id, event)).await
    }

    /// A session's value named `name` (JSON), if set.
    pub(crate) async fn value(&self, id: &str, name: &str) -> Result<Option<String>, Unavailable> {
        let mut hget = redis::cmd("HGET");
        hget.arg(self.values_key(id)).arg(name);
        self.command(hget).await
    }

    /// Sets a session's value named `name` (JSON), or removes it (`None`); the values last
    /// `ttl` from now, as the session does.
    pub(crate) async fn set_value(
        &self,
        id: &str,
        name: &str,
        json: Option<&str>,
        ttl: Duration,
    ) -> Result<(), Unavailable> {
        let key = self.values_key(id);
        let mut pipe = redis::pipe();
        match json {
            Some(json) => pipe.cmd("HSET").arg(&key).arg(name).arg(json).ignore(),
            None => pipe.cmd("HDEL").arg(&key).arg(name).ignore(),
        };
        pipe.cmd("PEXPIRE").arg(&key).arg(millis(ttl)).ignore();
        self.pipeline(pipe).await
    }
}
