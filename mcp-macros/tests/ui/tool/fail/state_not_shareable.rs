use std::rc::Rc;

use mcp_runtime::prelude::*;

/// Reads a state that cannot cross threads.
#[tool]
async fn peek(cache: State<Rc<String>>) -> String {
    cache.to_string()
}

fn main() {}
