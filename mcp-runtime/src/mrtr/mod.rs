//! Client input without a session: multi round-trip requests (MRTR) of the 2026-07-28 era.
//!
//! A handler asks for input with one `await` (`Sampler`, `Elicitor`, `Roots`). When the answer is
//! not at hand, the runtime stops the handler and replies `input_required` with every input
//! asked for so far and a sealed `requestState`; the client answers and retries, and the handler
//! runs again from the start, now finding its answers. Handlers must therefore be
//! deterministic up to their input calls: the same arguments and answers must lead to the same
//! calls in the same order (or use explicit keys).

mod state;

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use serde_json::{json, Map, Value};

pub use state::StateKeys;
pub(crate) use state::{digest, RequestState};

/// Why a run stopped before the handler finished.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Interrupt {
    /// Inputs are missing: reply `input_required` with these requests (key, `{method, params}`).
    InputRequired(Vec<(String, Value)>),
    /// The client did not declare a capability an input needs (`-32021`).
    MissingCapability(&'static str),
    /// The client cannot be asked at all (a 2025-era client of a server without sessions).
    Unavailable(&'static str),
}

/// How inputs can reach the client in this request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum InputMode {
    /// Multi round-trip requests.
    #[default]
    RoundTrip,
    /// No way to ask.
    Unavailable,
}

/// The inputs of one run of a handler: the answers known, and what it asked for.
#[derive(Debug, Default)]
pub(crate) struct InputRound {
    pub(crate) mode: InputMode,
    pub(crate) answers: Map<String, Value>,
    asked: Mutex<Asked>,
    /// The results of steps that ran once, in this round or an earlier one.
    steps: Mutex<Map<String, Value>>,
    /// Once the call became a task: the task (its progress becomes the task's status message),
    /// and whether its questions wait on it for the client's answers.
    task: std::sync::OnceLock<(std::sync::Arc<crate::task::Task>, bool)>,
}

#[derive(Debug, Default)]
struct Asked {
    requests: Vec<(String, Value)>,
    counters: Vec<(&'static str, u32)>,
    interrupt: Option<Interrupt>,
}

impl InputRound {
    /// A round in `mode` with the answers gathered so far.
    pub(crate) fn new(mode: InputMode, answers: Map<String, Value>) -> Self {
        Self {
            mode,
            answers,
            asked: Mutex::default(),
            steps: Mutex::default(),
            task: std::sync::OnceLock::new(),
        }
    }

    /// The call runs as `task` from now on; with `parks`, its questions wait on the task for
    /// the client's answers (`tasks/update`, or `tasks/result` in a 2025-era session) instead
    /// of stopping the run.
    pub(crate) fn run_as(&self, task: std::sync::Arc<crate::task::Task>, parks: bool) {
        let _ = self.task.set((task, parks));
    }

    /// The task the call runs as, if it does.
    pub(crate) fn task(&self) -> Option<&std::sync::Arc<crate::task::Task>> {
        self.task.get().map(|(task, _)| task)
    }

    /// The task its questions wait on, if they do.
    fn parked(&self) -> Option<&std::sync::Arc<crate::task::Task>> {
        self.task
            .get()
            .filter(|(_, parks)| *parks)
            .map(|(task, _)| task)
    }

    /// Whether questions wait on a task.
    pub(crate) fn is_parked(&self) -> bool {
        self.parked().is_some()
    }

    /// The same round, knowing the steps earlier rounds ran.
    pub(crate) fn with_steps(self, steps: Map<String, Value>) -> Self {
        *self.steps.lock().expect("steps lock") = steps;
        self
    }

    /// The recorded result of the step `key`.
    pub(crate) fn step(&self, key: &str) -> Option<Value> {
        self.steps.lock().expect("steps lock").get(key).cloned()
    }

    /// Records the result of the step `key`.
    pub(crate) fn record_step(&self, key: &str, result: Value) {
        self.steps
            .lock()
            .expect("steps lock")
            .insert(key.to_owned(), result);
    }

    /// Every step result, to seal into the next round's state.
    pub(crate) fn steps(&self) -> Map<String, Value> {
        self.steps.lock().expect("steps lock").clone()
    }

    /// The key of the next unkeyed input of this kind: `sampling-1`, `sampling-2`, ...
    pub(crate) fn next_key(&self, kind: &'static str) -> String {
        let mut asked = self.asked.lock().expect("input lock");
        let n = match asked.counters.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                asked.counters.push((kind, 1));
                1
            }
        };
        format!("{kind}-{n}")
    }

    /// Asks for an input; resolves with the answer if it is known, and otherwise never (the
    /// runtime stops the handler and asks the client).
    pub(crate) fn ask(
        &self,
        key: String,
        method: &'static str,
        params: Value,
        capability: (&'static str, bool),
    ) -> Pin<Box<dyn Future<Output = Value> + Send>> {
        let stop = |interrupt: Interrupt| {
            let mut asked = self.asked.lock().expect("input lock");
            asked.interrupt.get_or_insert(interrupt);
        };
        // A task's questions wait on it, whichever era the client is of.
        let parked = self.parked();
        if self.mode == InputMode::Unavailable && parked.is_none() {
            stop(Interrupt::Unavailable(method));
            return Box::pin(std::future::pending());
        }
        let (name, declared) = capability;
        if !declared {
            stop(Interrupt::MissingCapability(name));
            return Box::pin(std::future::pending());
        }
        if let Some(answer) = self.answers.get(&key) {
            return Box::pin(std::future::ready(answer.clone()));
        }
        if let Some(task) = parked {
            return task.ask(key, json!({"method": method, "params": params}));
        }
        self.request(&key, method, params);
        Box::pin(std::future::pending())
    }

    /// Asks again for an answer the handler found malformed.
    pub(crate) fn reject(&self, key: &str, method: &'static str, params: Value) {
        self.request(key, method, params);
    }

    /// Records that the client must be asked for `key` (once per key and round).
    fn request(&self, key: &str, method: &'static str, params: Value) {
        let mut asked = self.asked.lock().expect("input lock");
        if !asked.requests.iter().any(|(k, _)| k == key) {
            asked
                .requests
                .push((key.to_owned(), json!({"method": method, "params": params})));
        }
    }

    /// Why the run must stop, if it must.
    fn interrupt(&self) -> Option<Interrupt> {
        let asked = self.asked.lock().expect("input lock");
        asked.interrupt.clone().or_else(|| {
            (!asked.requests.is_empty()).then(|| Interrupt::InputRequired(asked.requests.clone()))
        })
    }
}

/// Runs a handler future until it finishes or stops on input it does not have.
pub(crate) struct Interruptible<F> {
    future: Pin<Box<F>>,
    round: std::sync::Arc<crate::extract::RequestScope>,
}

impl<F> Interruptible<F> {
    pub(crate) fn new(future: F, round: std::sync::Arc<crate::extract::RequestScope>) -> Self {
        Self {
            future: Box::pin(future),
            round,
        }
    }
}

impl<F: Future> Future for Interruptible<F> {
    type Output = Result<F::Output, Interrupt>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.future.as_mut().poll(cx) {
            Poll::Ready(output) => Poll::Ready(Ok(output)),
            // Every input asked for in this poll (concurrent awaits included) is registered by
            // now; stop and ask for all of them at once.
            Poll::Pending => match self.round.input.interrupt() {
                Some(interrupt) => Poll::Ready(Err(interrupt)),
                None => Poll::Pending,
            },
        }
    }
}
