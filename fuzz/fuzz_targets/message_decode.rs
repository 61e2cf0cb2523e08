//! `Message::parse` on arbitrary bytes never panics, reads what serde alone reads, and what it
//! accepts is sound: the body was one JSON value, the message has a `method` unless it is a
//! response, its id is a JSON string or integer that re-validates, and the response bodies built
//! from it (`result_body`, `error_body`, and `error_body` for a rejected message) are valid JSON
//! echoing the id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_runtime::protocol::{error_body, result_body, Message, RequestId, RpcError};
use serde_json::Value;

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "a response body is not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    })
}

fuzz_target!(|data: &[u8]| {
    // The hand-written reader of usual requests reads exactly what serde reads, or leaves the
    // message to serde: either way, the outcome is serde's.
    assert_eq!(
        format!("{:?}", Message::parse(data)),
        format!("{:?}", Message::parse_with_serde(data)),
        "the hand-written reader and serde disagree on {:?}",
        String::from_utf8_lossy(data)
    );
    let message = match Message::parse(data) {
        Ok(message) => message,
        Err(error) => {
            // A rejected message is answered with an error body: with its own id when it is an
            // invalid request whose id can be read (exactly the `id` member the body holds),
            // else with a null id.
            let id = (error.code.0 == -32600)
                .then(|| Message::id_of(data))
                .flatten();
            let body = json(&error_body(id.as_ref(), &error));
            match &id {
                Some(id) => {
                    // The id is the body's own text, and the answer carries it.
                    let text = id.as_json().as_bytes();
                    assert!(data.windows(text.len()).any(|w| w == text));
                    let answered: Value = serde_json::from_str(id.as_json()).expect("an id");
                    assert_eq!(answered, body["id"]);
                }
                None => assert_eq!(body["id"], Value::Null),
            }
            assert_eq!(body["error"]["code"], error.code.0);
            return;
        }
    };
    // Accepted input is exactly one JSON value (unknown members are skipped, not ignored).
    assert!(
        serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok(),
        "accepted a body that is not one JSON value"
    );
    if let Some(method) = &message.method {
        // A `str` is UTF-8 by construction; touch it so a bad borrow would show.
        assert!(std::str::from_utf8(method.as_bytes()).is_ok());
    } else {
        assert!(message.is_response, "neither a request nor a response");
    }
    assert_eq!(
        message.is_response,
        message.result.is_some() || message.error.is_some()
    );
    if let Some(id) = &message.id {
        let again = RequestId::from_json(id.as_json()).expect("a parsed id re-validates");
        assert_eq!(&again, id);
        let value: Value = serde_json::from_str(id.as_json()).expect("an id is JSON");
        assert!(
            value.is_string() || value.is_number(),
            "an id that is neither a string nor a number: {}",
            id.as_json()
        );
        // The id is echoed verbatim into well-formed responses.
        let ok = json(&result_body(id, &serde_json::json!({})));
        assert_eq!(ok["id"], value);
        let error = RpcError::invalid_params("fuzz");
        let failed = json(&error_body(Some(id), &error));
        assert_eq!(failed["id"], value);
    }
    if let Ok(params) = &message.params {
        if let Some(arguments) = params.arguments {
            assert!(serde_json::from_str::<serde::de::IgnoredAny>(arguments.get()).is_ok());
        }
        let _ = params.meta_version();
    }
});
