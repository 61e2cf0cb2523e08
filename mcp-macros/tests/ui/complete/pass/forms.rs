use mcp_runtime::prelude::*;

/// A repository's branches.
#[resource("repo://{owner}/{name}/branches")]
fn branches(owner: String, name: String) -> String {
    format!("{owner}/{name}: main")
}

#[complete(resource = "repo://{owner}/{name}/branches", argument = "name")]
async fn repo_names(partial: String, context: CompletionContext) -> Vec<String> {
    let owner = context.argument("owner").unwrap_or("anyone");
    vec![format!("{owner}/{partial}-app")]
}

fn main() {
    let _ = (branches, repo_names);
}
