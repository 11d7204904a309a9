//! TCP connections that a handler can cut: every accepted stream carries a [`KillSwitch`], handed
//! to requests as connect info ([`Peer`]). Once pulled, the stream fails every read and write
//! and closes with a reset, so the client sees a transport error instead of an HTTP answer.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Pulled once to break one connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct KillSwitch(Arc<AtomicBool>);

impl KillSwitch {
    pub(crate) fn pull(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn pulled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The connection a request arrived on.
#[derive(Debug, Clone)]
pub(crate) struct Peer {
    pub(crate) kill: KillSwitch,
}

impl Connected<IncomingStream<'_, SandboxListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, SandboxListener>) -> Self {
        stream.remote_addr().clone()
    }
}

pub(crate) struct SandboxListener(pub(crate) TcpListener);

impl Listener for SandboxListener {
    type Io = SandboxStream;
    type Addr = Peer;

    async fn accept(&mut self) -> (SandboxStream, Peer) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    let kill = KillSwitch::default();
                    let peer = Peer { kill: kill.clone() };
                    return (SandboxStream { stream, kill }, peer);
                }
                // Out of file descriptors and the like: wait instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Peer> {
        self.0.local_addr()?;
        Ok(Peer { kill: KillSwitch::default() })
    }
}

pub(crate) struct SandboxStream {
    stream: TcpStream,
    kill: KillSwitch,
}

impl SandboxStream {
    /// Once the switch is pulled: ask for a reset on close and fail the operation.
    fn check(&self) -> io::Result<()> {
        if self.kill.pulled() {
            // SO_LINGER 0: closing sends RST instead of FIN. Best effort: a failure still
            // closes the connection, only more politely.
            let _ = self.stream.set_zero_linger();
            return Err(io::Error::new(io::ErrorKind::ConnectionReset, "sandbox reset"));
        }
        Ok(())
    }
}

impl AsyncRead for SandboxStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for SandboxStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}
