//! Streamable HTTP on a Unix domain socket: the same endpoint for local clients, without a TCP
//! port, reachable only by the socket file's owner.

use std::future::Future;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::UnixListener;

use crate::endpoint::Endpoint;
use crate::Error;

/// A server bound to a Unix socket ([`Server::bind_unix`](crate::Server::bind_unix)), ready to
/// run. The socket file is removed when the server stops.
#[derive(Debug)]
pub struct UnixListening {
    pub(crate) listener: UnixListener,
    pub(crate) path: PathBuf,
    pub(crate) endpoint: Arc<Endpoint>,
    pub(crate) mount: String,
    pub(crate) limits: crate::transport::http::connections::ConnectionLimits,
}

impl UnixListening {
    /// The socket file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs until Ctrl-C or SIGTERM.
    pub async fn run(self) -> Result<(), Error> {
        self.run_until(crate::server::shutdown_signal()).await
    }

    /// Runs until `shutdown` completes, then stops accepting, ends the long-lived streams and
    /// lets in-flight calls finish for up to [`SHUTDOWN_GRACE`](crate::SHUTDOWN_GRACE). The
    /// connections have the TCP listener's limits: a cap, time limits on request heads and on
    /// responses nobody reads, and notification streams taken over from hyper.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        crate::transport::http::connections::run_until(
            self.listener,
            self.endpoint,
            self.mount,
            self.limits,
            shutdown,
        )
        .await;
        let _ = std::fs::remove_file(&self.path);
        Ok(())
    }
}

/// Binds a socket at `path` that only its owner can use: it is created in a fresh folder of
/// mode 0700, given mode 0600, then moved into place, so it is never reachable by others. A
/// stale socket left at `path` by a server that died is replaced; a live one is an error.
pub(crate) fn bind_private(path: &Path) -> io::Result<UnixListener> {
    if path.exists() {
        match std::os::unix::net::UnixStream::connect(path) {
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    "a server already listens on this socket",
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => std::fs::remove_file(path)?,
            Err(e) => return Err(e),
        }
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let staging = parent.join(format!(".mcp-socket-{}", crate::session::new_id()));
    std::fs::DirBuilder::new().mode(0o700).create(&staging)?;
    let staged = staging.join("socket");
    let bound = (|| {
        let listener = std::os::unix::net::UnixListener::bind(&staged)?;
        std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&staged, path)?;
        listener.set_nonblocking(true)?;
        UnixListener::from_std(listener)
    })();
    let _ = std::fs::remove_file(&staged);
    let _ = std::fs::remove_dir(&staging);
    bound
}
