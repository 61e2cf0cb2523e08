//! The test's answers to the server's questions: one callback per kind of client input
//! (sampling, elicitation, roots), and the capabilities they declare.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::protocol::{ErrorCode, RpcError};

/// Answers one kind of question: the request's `params` in, the result object out.
pub(super) type Callback = Arc<dyn Fn(Value) -> Result<Value, RpcError> + Send + Sync>;

/// A kind of question a server asks its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Question {
    /// `sampling/createMessage`.
    Sampling,
    /// `elicitation/create`.
    Elicitation,
    /// `roots/list`.
    Roots,
}

impl Question {
    const ALL: [Self; 3] = [Self::Sampling, Self::Elicitation, Self::Roots];

    /// The question a server-to-client method asks.
    fn of(method: &str) -> Option<Self> {
        match method {
            "sampling/createMessage" => Some(Self::Sampling),
            "elicitation/create" => Some(Self::Elicitation),
            "roots/list" => Some(Self::Roots),
            _ => None,
        }
    }

    /// The capability a client able to answer declares, and its value.
    fn capability(self) -> (&'static str, Value) {
        match self {
            Self::Sampling => ("sampling", json!({})),
            Self::Elicitation => ("elicitation", json!({"form": {}})),
            Self::Roots => ("roots", json!({})),
        }
    }
}

/// The callbacks a test set (shared by every clone of the client).
#[derive(Clone, Default)]
pub(super) struct Callbacks {
    sampling: Option<Callback>,
    elicitation: Option<Callback>,
    roots: Option<Callback>,
}

impl std::fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callbacks")
            .field("sampling", &self.sampling.is_some())
            .field("elicitation", &self.elicitation.is_some())
            .field("roots", &self.roots.is_some())
            .finish()
    }
}

impl Callbacks {
    /// Answers `question` with `callback` from now on.
    pub(super) fn set(&mut self, question: Question, callback: Callback) {
        *self.slot(question) = Some(callback);
    }

    fn slot(&mut self, question: Question) -> &mut Option<Callback> {
        match question {
            Question::Sampling => &mut self.sampling,
            Question::Elicitation => &mut self.elicitation,
            Question::Roots => &mut self.roots,
        }
    }

    fn callback(&self, question: Question) -> Option<&Callback> {
        match question {
            Question::Sampling => self.sampling.as_ref(),
            Question::Elicitation => self.elicitation.as_ref(),
            Question::Roots => self.roots.as_ref(),
        }
    }

    fn get(&self, method: &str) -> Option<&Callback> {
        self.callback(Question::of(method)?)
    }

    /// Whether a callback answers `method`.
    pub(super) fn answers(&self, method: &str) -> bool {
        self.get(method).is_some()
    }

    /// The answer to a server-to-client request: the callback's, or `-32601` when none is set.
    pub(super) fn answer(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        match self.get(method) {
            Some(callback) => callback(params),
            None => Err(RpcError::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("the test client has no callback for `{method}`"),
            )),
        }
    }

    /// `declared` with the capability of every question a callback answers added (what the
    /// test declared itself wins).
    pub(super) fn declare(&self, declared: &Value) -> Value {
        let mut capabilities = match declared {
            Value::Object(map) => map.clone(),
            _ => Map::new(),
        };
        for question in Question::ALL {
            if self.callback(question).is_some() {
                let (name, value) = question.capability();
                capabilities.entry(name).or_insert(value);
            }
        }
        Value::Object(capabilities)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_declare_their_capabilities_without_overriding_the_tests() {
        let mut callbacks = Callbacks::default();
        callbacks.set(Question::Elicitation, Arc::new(|_| Ok(json!({}))));
        callbacks.set(Question::Roots, Arc::new(|_| Ok(json!({}))));
        let declared = callbacks.declare(&json!({"roots": {"listChanged": true}, "x": {}}));
        assert_eq!(
            declared,
            json!({"roots": {"listChanged": true}, "x": {}, "elicitation": {"form": {}}})
        );
        assert!(callbacks.answers("roots/list") && !callbacks.answers("sampling/createMessage"));
        let missing = callbacks.answer("sampling/createMessage", json!({}));
        assert_eq!(missing.unwrap_err().code, ErrorCode::METHOD_NOT_FOUND);
    }
}
