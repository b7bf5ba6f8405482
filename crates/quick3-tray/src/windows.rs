//! The window processes of the folder: they connect to the tray's socket (`presence`) and stay
//! connected while they run. Open tells a running one to come to the front, or starts
//! `quick3-planner` (beside this binary, or `QUICK3_WINDOW_BIN`); Quit tells each to end and
//! waits for them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use quick3_core::presence::{self, Message};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;
use tokio::net::unix::OwnedWriteHalf;
use tokio::sync::{Mutex, mpsc};

use crate::Options;
use crate::run::Request;

/// The variable that names the window's binary (default: `quick3-planner` beside this one).
pub const WINDOW_BIN_VAR: &str = "QUICK3_WINDOW_BIN";

/// How long Quit waits for the windows to end.
const QUIT_PATIENCE: Duration = Duration::from_secs(10);

/// The connected window processes (their pid and the way to tell them), and those Open started
/// that have not joined yet (Quit waits for them, so that none starts a tray of its own after).
#[derive(Debug, Clone)]
pub struct Windows {
    connected: Arc<Mutex<Vec<(u32, OwnedWriteHalf)>>>,
    starting: Arc<Mutex<Vec<u32>>>,
    options: Options,
}

impl Windows {
    /// Listens on the folder's socket (the caller holds the tray lock, so a file left there is a
    /// dead tray's).
    pub fn listen(
        database: &Path,
        options: Options,
        requests: mpsc::UnboundedSender<Request>,
    ) -> anyhow::Result<Windows> {
        let socket = presence::socket_path(database);
        if let Some(dir) = socket.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let _ = std::fs::remove_file(&socket);
        let listener = UnixListener::bind(&socket)?;
        let windows = Windows {
            connected: Arc::default(),
            starting: Arc::default(),
            options,
        };
        let accepting = windows.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (read, write) = stream.into_split();
                tokio::spawn(accepting.clone().follow(read, write, requests.clone()));
            }
        });
        Ok(windows)
    }

    /// Reads one window's lines until it ends.
    async fn follow(
        self,
        read: tokio::net::unix::OwnedReadHalf,
        write: OwnedWriteHalf,
        requests: mpsc::UnboundedSender<Request>,
    ) {
        let mut lines = BufReader::new(read).lines();
        let mut write = Some(write);
        let mut pid = None;
        while let Ok(Some(line)) = lines.next_line().await {
            match Message::read(&line) {
                Some(Message::Window { pid: window }) => {
                    if let Some(write) = write.take() {
                        tracing::info!(pid = window, "a window process joined");
                        self.connected.lock().await.push((window, write));
                        self.starting.lock().await.retain(|p| *p != window);
                        pid = Some(window);
                    }
                }
                Some(Message::Changed) => {
                    let _ = requests.send(Request::Refresh);
                }
                _ => {}
            }
        }
        if let Some(pid) = pid {
            tracing::info!(pid, "a window process ended");
            self.connected.lock().await.retain(|(p, _)| *p != pid);
        }
    }

    /// Brings the running window to the front, or starts a window process.
    pub async fn open(&self) {
        if let Some((_, write)) = self.connected.lock().await.last_mut()
            && write
                .write_all(Message::Open.line().as_bytes())
                .await
                .is_ok()
        {
            return;
        }
        let binary = window_binary();
        let started = tokio::process::Command::new(&binary)
            .args(self.options.args())
            .stdin(std::process::Stdio::null())
            .spawn();
        match started {
            Ok(mut child) => {
                let pid = child.id().unwrap_or_default();
                tracing::info!(pid, "window process started");
                self.starting.lock().await.push(pid);
                let starting = self.starting.clone();
                // Reaped when it ends; it no longer starts then.
                tokio::spawn(async move {
                    let _ = child.wait().await;
                    starting.lock().await.retain(|p| *p != pid);
                });
            }
            Err(err) => {
                tracing::warn!(%err, binary = %binary.display(), "the window could not be started")
            }
        }
    }

    /// Tells every window.
    pub async fn tell_all(&self, message: &Message) {
        let line = message.line();
        for (_, write) in self.connected.lock().await.iter_mut() {
            let _ = write.write_all(line.as_bytes()).await;
        }
    }

    /// Tells every window to end, once those starting have joined, and waits until they have
    /// ended (at most [`QUIT_PATIENCE`] in all).
    pub async fn quit_all(&self) {
        let deadline = tokio::time::Instant::now() + QUIT_PATIENCE;
        while !self.starting.lock().await.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.tell_all(&Message::Quit).await;
        while !self.connected.lock().await.is_empty() {
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!("a window did not end after Quit");
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `QUICK3_WINDOW_BIN`, else `quick3-planner` in this binary's folder.
fn window_binary() -> PathBuf {
    if let Some(binary) = std::env::var_os(WINDOW_BIN_VAR).filter(|v| !v.is_empty()) {
        return PathBuf::from(binary);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("quick3-planner")))
        .unwrap_or_else(|| PathBuf::from("quick3-planner"))
}
