//! CPU-bound work on a large request without stalling the others: the worker thread that runs
//! it hands its other tasks to another thread first.

/// The request size from which parsing and argument handling leave the async workers.
pub(crate) const LARGE_REQUEST: usize = 64 * 1024;

/// Runs `work`, which costs time in proportion to a request of `size` bytes. For a large
/// request on a multi-threaded runtime, the worker's other tasks move to another thread while
/// it runs (`block_in_place`), so that two 4 MiB requests on a 2-core server do not hold every
/// other request back; elsewhere it runs in place.
pub(crate) fn cpu_bound<R>(size: usize, work: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    // The size first: most requests are small, and asking for the runtime costs more.
    let offload = size >= LARGE_REQUEST
        && Handle::try_current()
            .is_ok_and(|handle| handle.runtime_flavor() == RuntimeFlavor::MultiThread);
    if offload {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}
