//! The sockets the HTTP transport serves on: TCP, or a Unix domain socket. The accept loop, its
//! limits and the handed-off notification streams are written once over these traits.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncWrite};

/// A listening socket.
pub(crate) trait Listener: Send + 'static {
    /// The connections it accepts.
    type Stream: Stream;

    /// The next connection, and the peer's address where it has one.
    fn accept(&self)
        -> impl Future<Output = io::Result<(Self::Stream, Option<SocketAddr>)>> + Send;
}

/// An accepted connection, with the non-blocking reads and writes a handed-off stream uses.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send + Sync + 'static {
    /// Writes what the socket takes now, without waiting.
    fn try_write(&self, buf: &[u8]) -> io::Result<usize>;
    /// Reads what has arrived, without waiting.
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize>;
    /// Resolves when the socket has something to read (or is closed).
    fn readable(&self) -> impl Future<Output = io::Result<()>> + Send;
    /// Sends small writes at once (TCP: no Nagle delay); nothing to do elsewhere.
    fn send_at_once(&self) {}
}

impl Listener for tokio::net::TcpListener {
    type Stream = tokio::net::TcpStream;

    async fn accept(&self) -> io::Result<(Self::Stream, Option<SocketAddr>)> {
        let (stream, peer) = tokio::net::TcpListener::accept(self).await?;
        Ok((stream, Some(peer)))
    }
}

/// Implements [`Stream`] for a tokio socket type by its inherent methods of the same names.
macro_rules! stream {
    ($ty:ty $(, $extra:item)*) => {
        impl Stream for $ty {
            fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                <$ty>::try_write(self, buf)
            }

            fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                <$ty>::try_read(self, buf)
            }

            fn readable(&self) -> impl Future<Output = io::Result<()>> + Send {
                <$ty>::readable(self)
            }

            $($extra)*
        }
    };
}

stream!(
    tokio::net::TcpStream,
    fn send_at_once(&self) {
        let _ = self.set_nodelay(true);
    }
);

#[cfg(unix)]
impl Listener for tokio::net::UnixListener {
    type Stream = tokio::net::UnixStream;

    async fn accept(&self) -> io::Result<(Self::Stream, Option<SocketAddr>)> {
        let (stream, _) = tokio::net::UnixListener::accept(self).await?;
        Ok((stream, None))
    }
}

#[cfg(unix)]
stream!(tokio::net::UnixStream);
