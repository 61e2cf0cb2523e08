//! Tokens already checked, with what was found: [`Verified`], so that a token seen again costs
//! a hash lookup instead of a signature check or a request to the authorization server.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::RwLock;
use std::time::Duration;

/// How many shards a large cache is split into, so that writers block few readers.
const SHARDS: usize = 16;
/// Below this many entries per shard, one shard is enough.
const MIN_SHARD_ENTRIES: usize = 64;
/// How many bytes of a token's end pick its shard: the end of a JWT is its signature, of an
/// opaque token random characters, so that is enough to spread tokens out.
const SHARD_KEY_BYTES: usize = 16;

/// A bounded map from the exact token string to what checking it found, each entry kept
/// until its token expires but no longer than `max_ttl`.
///
/// When a shard is full, an insertion first drops its expired entries, then an eighth of the
/// rest, whichever they are: it never grows past `max_entries`. Lookups take a read lock on
/// one shard and do not allocate.
pub(crate) struct Verified<V> {
    shards: Box<[Shard<V>]>,
    per_shard: usize,
    max_ttl: u64,
    spread: RandomState,
}

type Shard<V> = RwLock<HashMap<Box<str>, Entry<V>>>;

struct Entry<V> {
    value: V,
    /// Unix seconds from which it is not served.
    until: u64,
}

impl<V: Clone> Verified<V> {
    /// A cache of at most `max_entries` tokens, each kept at most `max_ttl` (whole seconds;
    /// `0` entries or under a second keeps nothing).
    pub(crate) fn new(max_entries: usize, max_ttl: Duration) -> Self {
        let shards = if max_entries >= SHARDS * MIN_SHARD_ENTRIES {
            SHARDS
        } else {
            1
        };
        Self {
            shards: (0..shards).map(|_| RwLock::default()).collect(),
            per_shard: max_entries / shards,
            max_ttl: max_ttl.as_secs(),
            spread: RandomState::new(),
        }
    }

    /// What was found for `token`, unless its entry has expired.
    pub(crate) fn get(&self, token: &str) -> Option<V> {
        self.get_at(token, jsonwebtoken::get_current_timestamp())
    }

    /// Remembers `value` for `token` until `expires` (Unix seconds; `None` when the token does
    /// not say) or for the cache's `max_ttl`, whichever is sooner.
    pub(crate) fn insert(&self, token: &str, value: V, expires: Option<u64>) {
        self.insert_at(token, value, expires, jsonwebtoken::get_current_timestamp());
    }

    fn get_at(&self, token: &str, now: u64) -> Option<V> {
        let shard = self.shard(token).read().unwrap_or_else(|e| e.into_inner());
        shard
            .get(token)
            .filter(|entry| now < entry.until)
            .map(|entry| entry.value.clone())
    }

    fn insert_at(&self, token: &str, value: V, expires: Option<u64>, now: u64) {
        let until = now
            .saturating_add(self.max_ttl)
            .min(expires.unwrap_or(u64::MAX));
        if self.per_shard == 0 || until <= now {
            return;
        }
        let mut shard = self.shard(token).write().unwrap_or_else(|e| e.into_inner());
        if shard.len() >= self.per_shard && !shard.contains_key(token) {
            shard.retain(|_, entry| now < entry.until);
            let mut evict = shard.len().saturating_sub(self.per_shard - 1);
            if evict > 0 {
                evict = evict.max(self.per_shard / 8);
                shard.retain(|_, _| {
                    let keep = evict == 0;
                    evict = evict.saturating_sub(1);
                    keep
                });
            }
        }
        shard.insert(token.into(), Entry { value, until });
    }

    fn shard(&self, token: &str) -> &Shard<V> {
        if self.shards.len() == 1 {
            return &self.shards[0];
        }
        let tail = &token.as_bytes()[token.len().saturating_sub(SHARD_KEY_BYTES)..];
        let index = self.spread.hash_one(tail) as usize % self.shards.len();
        &self.shards[index]
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }
}

impl<V> std::fmt::Debug for Verified<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The tokens themselves are never shown.
        f.debug_struct("Verified")
            .field("shards", &self.shards.len())
            .field("per_shard", &self.per_shard)
            .field("max_ttl", &self.max_ttl)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn serves_an_entry_until_its_token_expires() {
        let cache = Verified::new(10, Duration::from_secs(300));
        cache.insert_at("a", 1, Some(NOW + 60), NOW);
        assert_eq!(cache.get_at("a", NOW), Some(1));
        assert_eq!(cache.get_at("a", NOW + 59), Some(1));
        assert_eq!(cache.get_at("a", NOW + 60), None, "not at or after exp");
        assert_eq!(cache.get_at("b", NOW), None);
    }

    #[test]
    fn never_longer_than_max_ttl() {
        let cache = Verified::new(10, Duration::from_secs(300));
        cache.insert_at("a", 1, Some(NOW + 3600), NOW);
        cache.insert_at("b", 2, None, NOW);
        assert_eq!(cache.get_at("a", NOW + 299), Some(1));
        assert_eq!(cache.get_at("a", NOW + 300), None);
        assert_eq!(cache.get_at("b", NOW + 300), None);
        // An already expired token is not remembered at all.
        cache.insert_at("c", 3, Some(NOW - 1), NOW);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn stays_bounded() {
        for max in [1, 10, 1000, 5000] {
            let cache = Verified::new(max, Duration::from_secs(300));
            for i in 0..(3 * max + 7) {
                cache.insert_at(&format!("token-{i}"), i, Some(NOW + 60), NOW);
                assert!(cache.len() <= max, "{} > {max}", cache.len());
            }
            // The newest is always there.
            let last = 3 * max + 6;
            assert_eq!(cache.get_at(&format!("token-{last}"), NOW), Some(last));
        }
    }

    #[test]
    fn drops_expired_entries_before_live_ones() {
        let cache = Verified::new(4, Duration::from_secs(300));
        cache.insert_at("old-1", 0, Some(NOW + 1), NOW);
        cache.insert_at("old-2", 0, Some(NOW + 1), NOW);
        cache.insert_at("live-1", 1, Some(NOW + 100), NOW);
        cache.insert_at("live-2", 2, Some(NOW + 100), NOW);
        cache.insert_at("new", 3, Some(NOW + 100), NOW + 10);
        assert_eq!(cache.len(), 3);
        for (token, value) in [("live-1", 1), ("live-2", 2), ("new", 3)] {
            assert_eq!(cache.get_at(token, NOW + 10), Some(value), "{token}");
        }
    }

    #[test]
    fn nothing_kept_when_disabled() {
        let none = Verified::new(0, Duration::from_secs(300));
        none.insert_at("a", 1, None, NOW);
        assert_eq!(none.get_at("a", NOW), None);
        let instant = Verified::new(10, Duration::ZERO);
        instant.insert_at("a", 1, None, NOW);
        assert_eq!(instant.get_at("a", NOW), None);
    }
}
