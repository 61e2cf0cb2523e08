//! Logs to standard error, filtered by `RUST_LOG` (feature `logging`): what a server started
//! by a desktop client (stdio, where standard output carries the protocol) or from a shell
//! needs, in one call.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Installs a subscriber writing to standard error, at the levels `RUST_LOG` names
/// (`info`, `warn,mcp_runtime=debug`, `my_server=trace`...; `info` when unset or unreadable),
/// and returns `false` if another subscriber was installed first.
///
/// `RUST_LOG=mcp_runtime::request=debug` also shows each request's span (`mcp.server`, see the
/// crate's tracing notes) around the handler's own logs.
///
/// ```
/// mcp_runtime::logging::init();
/// tracing::info!("starting");
/// ```
pub fn init() -> bool {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init()
        .is_ok()
}
