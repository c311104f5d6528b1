//! Where the plugin listens: a unix socket in a private temporary directory, or a loopback TCP
//! port on systems without unix sockets.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// go-plugin's defaults when `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT` are not set.
const DEFAULT_MIN_PORT: u16 = 10000;
const DEFAULT_MAX_PORT: u16 = 25000;

/// Why no listener could be opened.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// The private socket directory could not be made.
    #[error("cannot create a private directory for the plugin socket under {base}: {source}")]
    SocketDir {
        /// The parent directory that was tried.
        base: PathBuf,
        /// The underlying failure.
        source: io::Error,
    },
    /// The unix socket could not be bound.
    #[error("cannot listen on unix socket {path}: {source}")]
    Unix {
        /// The socket path.
        path: PathBuf,
        /// The underlying failure.
        source: io::Error,
    },
    /// No port in the allowed range could be bound.
    #[error("no free TCP port on 127.0.0.1 between {min} and {max}: {source}")]
    Tcp {
        /// Lowest port tried.
        min: u16,
        /// Highest port tried.
        max: u16,
        /// The last failure seen.
        source: io::Error,
    },
    /// `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT` hold something other than a port range.
    #[error("invalid port range {min}..{max} from PLUGIN_MIN_PORT / PLUGIN_MAX_PORT")]
    PortRange {
        /// The value of `PLUGIN_MIN_PORT`.
        min: String,
        /// The value of `PLUGIN_MAX_PORT`.
        max: String,
    },
}

/// A private `0700` directory holding the unix socket; dropping it removes it and the socket.
#[derive(Debug)]
pub struct SocketDir {
    dir: PathBuf,
}

impl SocketDir {
    /// Creates a fresh directory under `base` (the system temp dir when `None`).
    pub fn create(base: Option<&Path>) -> Result<Self, ListenError> {
        let base = base.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let mut last_err = io::Error::other("no attempt made");
        // A clash with another process's directory is possible but rare: try a few names.
        for _ in 0..16 {
            let dir = base.join(format!(
                "plugin-{}-{:016x}",
                std::process::id(),
                rand::random::<u64>()
            ));
            match create_private_dir(&dir) {
                Ok(()) => return Ok(Self { dir }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = e,
                Err(source) => return Err(ListenError::SocketDir { base, source }),
            }
        }
        Err(ListenError::SocketDir {
            base,
            source: last_err,
        })
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Where the socket lives inside the directory.
    pub fn socket_path(&self) -> PathBuf {
        self.dir.join("plugin.sock")
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        // Best effort: the process is ending and there is nobody left to report to.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new().mode(0o700).create(dir)?;
    // The umask can only remove bits, but be explicit about the mode we rely on.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir(dir)
}

/// An accepted connection of either kind, boxed so TLS and plaintext share one type.
pub struct Conn {
    io: Pin<Box<dyn Io>>,
    vectored: bool,
}

/// Anything a gRPC connection can run over.
pub trait Io: AsyncRead + AsyncWrite + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + 'static> Io for T {}

impl Conn {
    /// Wraps a connected plaintext stream.
    pub fn new(io: impl Io) -> Self {
        let vectored = io.is_write_vectored();
        Self {
            io: Box::pin(io),
            vectored,
        }
    }

    /// Wraps a TLS stream, which is offered to HTTP/2 as taking one buffer per write.
    ///
    /// TLS copies every write into a record, so a vectored write saves no copy; but HTTP/2
    /// (the h2 crate) leaves a frame larger than 256 bytes out of its write buffer when the
    /// connection takes vectored writes, and the frame after it then waits for a write of its
    /// own. That split most answers in two: a record and a `writev` for the message, another for
    /// its trailers. Without vectored writes the limit is 1 KiB and an answer goes out whole.
    pub fn tls(io: impl Io) -> Self {
        Self {
            io: Box::pin(io),
            vectored: false,
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.io.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.as_mut().poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.as_mut().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.as_mut().poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.as_mut().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.vectored
    }
}

impl tonic::transport::server::Connected for Conn {
    // Peer details are of no use: only Terraform can reach the socket or pass the pinned TLS check.
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

/// A bound listener and the address to announce for it.
#[derive(Debug)]
pub enum Listener {
    /// A unix socket (every OS but Windows).
    #[cfg(unix)]
    Unix(tokio::net::UnixListener, PathBuf),
    /// A loopback TCP port.
    Tcp(tokio::net::TcpListener, std::net::SocketAddr),
}

impl Listener {
    /// Binds a unix socket at `path`.
    #[cfg(unix)]
    pub fn bind_unix(path: PathBuf) -> Result<Self, ListenError> {
        match tokio::net::UnixListener::bind(&path) {
            Ok(l) => Ok(Self::Unix(l, path)),
            Err(source) => Err(ListenError::Unix { path, source }),
        }
    }

    /// Binds the first free port of `min..=max` on 127.0.0.1.
    pub async fn bind_tcp(min: u16, max: u16) -> Result<Self, ListenError> {
        let mut last = io::Error::other("empty port range");
        for port in min..=max {
            match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                Ok(l) => {
                    let addr =
                        l.local_addr()
                            .map_err(|source| ListenError::Tcp { min, max, source })?;
                    return Ok(Self::Tcp(l, addr));
                }
                Err(e) => last = e,
            }
        }
        Err(ListenError::Tcp {
            min,
            max,
            source: last,
        })
    }

    /// The network name for the handshake line and reattach config (`unix` or `tcp`).
    pub fn network(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            Self::Unix(..) => "unix",
            Self::Tcp(..) => "tcp",
        }
    }

    /// The address for the handshake line: a socket path or `127.0.0.1:port`.
    pub fn address(&self) -> String {
        match self {
            #[cfg(unix)]
            Self::Unix(_, path) => path.display().to_string(),
            Self::Tcp(_, addr) => addr.to_string(),
        }
    }

    /// Waits for the next connection.
    pub async fn accept(&self) -> io::Result<Conn> {
        match self {
            #[cfg(unix)]
            Self::Unix(l, _) => l.accept().await.map(|(s, _)| Conn::new(s)),
            Self::Tcp(l, _) => l.accept().await.map(|(s, _)| {
                // gRPC sends many small frames; Nagle only adds latency here.
                let _ = s.set_nodelay(true);
                Conn::new(s)
            }),
        }
    }
}

/// Reads the port range go-plugin hosts pass (`PLUGIN_MIN_PORT`, `PLUGIN_MAX_PORT`).
pub fn port_range(min: Option<&str>, max: Option<&str>) -> Result<(u16, u16), ListenError> {
    let parse = |v: Option<&str>, default: u16| match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(default),
        Some(s) => s.parse::<u16>().ok(),
    };
    match (parse(min, DEFAULT_MIN_PORT), parse(max, DEFAULT_MAX_PORT)) {
        (Some(lo), Some(hi)) if lo <= hi && lo > 0 => Ok((lo, hi)),
        _ => Err(ListenError::PortRange {
            min: min.unwrap_or_default().to_owned(),
            max: max.unwrap_or_default().to_owned(),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn port_range_defaults_and_validation() {
        assert_eq!(port_range(None, None).unwrap(), (10000, 25000));
        assert_eq!(
            port_range(Some("2000"), Some("2010")).unwrap(),
            (2000, 2010)
        );
        assert_eq!(port_range(Some(""), Some("30000")).unwrap(), (10000, 30000));
        for (lo, hi) in [("9", "1"), ("x", "2"), ("0", "10"), ("1", "70000")] {
            assert!(port_range(Some(lo), Some(hi)).is_err(), "{lo}..{hi}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn socket_dir_is_private_and_removed_on_drop() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let dir = SocketDir::create(Some(base.path())).unwrap();
        let path = dir.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        std::fs::write(dir.socket_path(), b"x").unwrap();
        drop(dir);
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn tcp_listener_stays_in_range() {
        // Find a free port first, then ask for exactly that one.
        let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let l = Listener::bind_tcp(port, port).await.unwrap();
        assert_eq!(l.network(), "tcp");
        assert_eq!(l.address(), format!("127.0.0.1:{port}"));
        // The port is now taken, so a range of just that port must fail.
        assert!(Listener::bind_tcp(port, port).await.is_err());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn tls_connections_refuse_vectored_writes_and_plaintext_keeps_them() {
        // A Unix socket takes vectored writes, so the plaintext wrapper must say so and the
        // TLS wrapper must not, whatever the stream beneath it can do.
        let (a, b) = tokio::net::UnixStream::pair().unwrap();
        assert!(a.is_write_vectored());
        assert!(Conn::new(a).is_write_vectored());
        assert!(!Conn::tls(b).is_write_vectored());
    }
}
