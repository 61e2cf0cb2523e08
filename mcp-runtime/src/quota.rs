//! Fair shares of what the server holds for its clients (sessions, long-lived streams): a cap on
//! the whole, and a quota per client, so that one client cannot take what every other client
//! needs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Who a quota counts against: the authenticated principal when there is one, else the peer's
/// address (an IPv6 peer by its /64 network, which one host usually holds whole).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ClientKey {
    /// An authenticated principal.
    Principal(Box<str>),
    /// An unauthenticated peer.
    Address(IpAddr),
}

impl ClientKey {
    /// The key as text, for a store the server's processes share.
    #[cfg(feature = "redis")]
    pub(crate) fn as_text(&self) -> String {
        match self {
            Self::Principal(p) => format!("p:{p}"),
            Self::Address(ip) => format!("a:{ip}"),
        }
    }

    /// The key of a request: its principal, else its peer's address, else none (a server
    /// mounted without connection info counts only the whole).
    pub(crate) fn of(principal: Option<&str>, peer: Option<IpAddr>) -> Option<Self> {
        if let Some(principal) = principal {
            return Some(Self::Principal(principal.into()));
        }
        peer.map(|ip| match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::Address(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & !((1u128 << 64) - 1);
                    Self::Address(IpAddr::V6(network.into()))
                }
            },
            v4 => Self::Address(v4),
        })
    }
}

/// Why a share could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exhausted {
    /// The server holds as many as it may.
    Total,
    /// This client holds its whole quota.
    Client,
}

/// Counts per client, each capped.
#[derive(Debug)]
pub(crate) struct Quota {
    per_client: usize,
    counts: Mutex<HashMap<ClientKey, usize>>,
}

impl Quota {
    pub(crate) fn new(per_client: usize) -> Self {
        Self {
            per_client,
            counts: Mutex::default(),
        }
    }

    /// Takes one for `key`, unless it holds its quota already.
    pub(crate) fn take(&self, key: Option<&ClientKey>) -> bool {
        let Some(key) = key else { return true };
        let mut counts = self.counts.lock().expect("quota lock");
        match counts.get_mut(key) {
            Some(n) if *n >= self.per_client => false,
            Some(n) => {
                *n += 1;
                true
            }
            None if self.per_client == 0 => false,
            None => {
                counts.insert(key.clone(), 1);
                true
            }
        }
    }

    /// Gives one back (entries at zero are removed: the map holds only clients holding some).
    pub(crate) fn give_back(&self, key: Option<&ClientKey>) {
        let Some(key) = key else { return };
        let mut counts = self.counts.lock().expect("quota lock");
        if let Some(n) = counts.get_mut(key) {
            *n -= 1;
            if *n == 0 {
                counts.remove(key);
            }
        }
    }

    /// How many `key` holds.
    #[cfg(test)]
    pub(crate) fn held(&self, key: &ClientKey) -> usize {
        self.counts
            .lock()
            .expect("quota lock")
            .get(key)
            .copied()
            .unwrap_or(0)
    }
}

/// A capped whole with a quota per client, handing out [`Permit`]s.
#[derive(Debug)]
pub(crate) struct Budget {
    max: usize,
    held: AtomicUsize,
    quota: Quota,
}

/// One share of a [`Budget`], given back when dropped.
#[derive(Debug)]
pub(crate) struct Permit {
    budget: Arc<Budget>,
    key: Option<ClientKey>,
}

impl Budget {
    pub(crate) fn new(max: usize, per_client: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            held: AtomicUsize::new(0),
            quota: Quota::new(per_client),
        })
    }

    /// A share for `key`, if the whole and the client's quota allow one.
    pub(crate) fn take(self: &Arc<Self>, key: Option<ClientKey>) -> Result<Permit, Exhausted> {
        let taken = self
            .held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            });
        if taken.is_err() {
            return Err(Exhausted::Total);
        }
        if !self.quota.take(key.as_ref()) {
            self.held.fetch_sub(1, Ordering::AcqRel);
            return Err(Exhausted::Client);
        }
        Ok(Permit {
            budget: self.clone(),
            key,
        })
    }

    /// How many shares are held.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.held.load(Ordering::Acquire)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.budget.quota.give_back(self.key.as_ref());
        self.budget.held.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_group_an_ipv6_host_by_its_network() {
        let a = ClientKey::of(None, Some("2001:db8::1".parse().unwrap()));
        let b = ClientKey::of(None, Some("2001:db8::ffff:1:2:3".parse().unwrap()));
        let c = ClientKey::of(None, Some("2001:db8:0:1::1".parse().unwrap()));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            ClientKey::of(None, Some("::ffff:10.0.0.1".parse().unwrap())),
            ClientKey::of(None, Some("10.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            ClientKey::of(Some("alice"), Some("10.0.0.1".parse().unwrap())),
            Some(ClientKey::Principal("alice".into()))
        );
        assert_eq!(ClientKey::of(None, None), None);
    }

    #[test]
    fn budgets_cap_the_whole_and_each_client() {
        let budget = Budget::new(3, 2);
        let alice = ClientKey::of(Some("alice"), None);
        let bob = ClientKey::of(Some("bob"), None);
        let a1 = budget.take(alice.clone()).unwrap();
        let _a2 = budget.take(alice.clone()).unwrap();
        assert_eq!(budget.take(alice.clone()).unwrap_err(), Exhausted::Client);
        let _b1 = budget.take(bob.clone()).unwrap();
        assert_eq!(budget.take(bob.clone()).unwrap_err(), Exhausted::Total);
        drop(a1);
        assert_eq!(budget.held(), 2);
        assert_eq!(budget.quota.held(alice.as_ref().unwrap()), 1);
        let _b2 = budget.take(bob).unwrap();
        // Requests with no key count only against the whole.
        assert_eq!(budget.take(None).unwrap_err(), Exhausted::Total);
    }
}
