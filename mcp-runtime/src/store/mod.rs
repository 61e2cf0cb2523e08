//! What several processes of one server share: with a `RedisStore` (feature `redis`), change
//! notifications raised on any process reach the listeners of every process.
//!
//! Without a store a server needs nothing but itself, and everything stays in its process.

#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::RedisStore;
#[cfg(feature = "redis")]
pub(crate) use self::redis::{Loaded, LogEntry, Opened, Owner, StreamRead, TaskEvent};
