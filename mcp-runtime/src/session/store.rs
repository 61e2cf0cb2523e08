//! Where sessions live: the [`SessionStore`] trait and its in-memory implementation.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};

use super::SessionData;

/// A map of live sessions by id. Sessions hold in-process state (open streams, waiting
/// requests), so a store keeps them in this process; the trait lets an application bound,
/// observe or index them differently.
pub trait SessionStore: Send + Sync + std::fmt::Debug + 'static {
    /// Adds a session.
    fn insert(&self, session: Arc<SessionData>);
    /// The session with this id.
    fn get(&self, id: &str) -> Option<Arc<SessionData>>;
    /// Removes and returns the session with this id.
    fn remove(&self, id: &str) -> Option<Arc<SessionData>>;
    /// How many sessions there are.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Removes every session for which `expired` is true; returns how many it removed.
    fn remove_where(&self, expired: &dyn Fn(&SessionData) -> bool) -> usize;
    /// Visits every session.
    fn for_each(&self, visit: &dyn Fn(&SessionData)) {
        self.remove_where(&|s| {
            visit(s);
            false
        });
    }
}

const SHARDS: usize = 16;

/// Gives back most of a shard's room once it holds far fewer sessions than it has room for
/// (after a burst), keeping room to grow again without reallocating at once.
fn shrink(map: &mut HashMap<Box<str>, Arc<SessionData>>) {
    if map.capacity() > 64 && map.capacity() > map.len() * 4 {
        map.shrink_to(map.len() * 2);
    }
}

/// Sessions in memory, sharded so that requests of different sessions rarely share a lock.
#[derive(Debug, Default)]
pub struct MemoryStore {
    shards: [RwLock<HashMap<Box<str>, Arc<SessionData>>>; SHARDS],
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn shard(&self, id: &str) -> &RwLock<HashMap<Box<str>, Arc<SessionData>>> {
        let mut hasher = DefaultHasher::new();
        id.hash(&mut hasher);
        &self.shards[hasher.finish() as usize % SHARDS]
    }
}

impl SessionStore for MemoryStore {
    fn insert(&self, session: Arc<SessionData>) {
        let shard = self.shard(&session.id);
        shard
            .write()
            .expect("session shard")
            .insert(session.id.clone(), session);
    }

    fn get(&self, id: &str) -> Option<Arc<SessionData>> {
        self.shard(id)
            .read()
            .expect("session shard")
            .get(id)
            .cloned()
    }

    fn remove(&self, id: &str) -> Option<Arc<SessionData>> {
        let mut shard = self.shard(id).write().expect("session shard");
        let removed = shard.remove(id);
        shrink(&mut shard);
        removed
    }

    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().expect("session shard").len())
            .sum()
    }

    fn for_each(&self, visit: &dyn Fn(&SessionData)) {
        for shard in &self.shards {
            shard
                .read()
                .expect("session shard")
                .values()
                .for_each(|s| visit(s));
        }
    }

    fn remove_where(&self, expired: &dyn Fn(&SessionData) -> bool) -> usize {
        let mut removed = 0;
        for shard in &self.shards {
            let mut map = shard.write().expect("session shard");
            let before = map.len();
            map.retain(|_, s| !expired(s));
            removed += before - map.len();
            shrink(&mut map);
        }
        removed
    }
}
