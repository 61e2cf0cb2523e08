//! Work in flight, by key: [`Flights`] lets concurrent callers asking the same question share
//! one answer instead of each asking the authorization server.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// The questions being answered, by key. Callers with the same key while one is in flight wait
/// for its answer; once it is in (or every caller gave up), the next caller starts afresh.
pub(crate) struct Flights<V> {
    running: Mutex<HashMap<Box<str>, Arc<OnceCell<V>>>>,
}

impl<V: Clone> Flights<V> {
    /// No flights.
    pub(crate) fn new() -> Self {
        Self {
            running: Mutex::default(),
        }
    }

    /// The answer of the flight for `key`, starting one with `work` when none is in flight. If
    /// the caller running `work` gives up (its future is dropped), a waiting caller runs its
    /// own.
    pub(crate) async fn join<F, W>(&self, key: &str, work: W) -> V
    where
        W: FnOnce() -> F,
        F: Future<Output = V>,
    {
        let cell = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            match running.get(key) {
                Some(cell) => Arc::clone(cell),
                None => {
                    let cell = Arc::new(OnceCell::new());
                    running.insert(key.into(), Arc::clone(&cell));
                    cell
                }
            }
        };
        let seat = Seat {
            flights: self,
            key,
            cell: Some(cell),
        };
        let cell = seat
            .cell
            .as_ref()
            .expect("a seat holds its cell until dropped");
        cell.get_or_init(work).await.clone()
    }

    #[cfg(test)]
    fn in_flight(&self) -> usize {
        self.running.lock().unwrap().len()
    }
}

/// A caller's place in a flight: leaving it ends the flight when the answer is in or nobody
/// else waits.
struct Seat<'a, V> {
    flights: &'a Flights<V>,
    key: &'a str,
    cell: Option<Arc<OnceCell<V>>>,
}

impl<V> Drop for Seat<'_, V> {
    fn drop(&mut self) {
        let mut running = self
            .flights
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let Some(mine) = self.cell.take() else { return };
        let ours = running
            .get(self.key)
            .is_some_and(|cell| Arc::ptr_eq(cell, &mine));
        // Every clone is made under this lock, so the count is exact: 2 is the map's and mine.
        if ours && (mine.initialized() || Arc::strong_count(&mine) == 2) {
            running.remove(self.key);
        }
    }
}

impl<V> std::fmt::Debug for Flights<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let running = self.running.lock().map_or(0, |r| r.len());
        f.debug_struct("Flights")
            .field("running", &running)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn concurrent_callers_share_one_answer() {
        let flights = Flights::new();
        let runs = AtomicUsize::new(0);
        let ask = || {
            flights.join("token", || async {
                runs.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                7
            })
        };
        let answers = futures_util::future::join_all((0..20).map(|_| ask())).await;
        assert_eq!(answers, vec![7; 20]);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(flights.in_flight(), 0);

        // Once answered, the next caller asks again.
        assert_eq!(ask().await, 7);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert_eq!(flights.in_flight(), 0);
    }

    #[tokio::test]
    async fn a_caller_giving_up_leaves_nothing_behind() {
        let flights: Flights<u32> = Flights::new();
        let slow = flights.join("token", || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            1
        });
        assert!(tokio::time::timeout(Duration::from_millis(20), slow)
            .await
            .is_err());
        assert_eq!(flights.in_flight(), 0);
        assert_eq!(flights.join("token", || async { 2 }).await, 2);
    }
}
