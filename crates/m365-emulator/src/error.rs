//! Errors that stop the emulator from starting or serving.

use std::path::PathBuf;

/// Why the emulator could not start, persist or serve.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// Binding or serving a loopback socket failed.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// Generating or loading the local certificate authority failed.
    #[error("certificate: {0}")]
    Certificate(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The state file could not be opened, read or written.
    #[error("state file: {0}")]
    State(#[from] rusqlite::Error),
    /// The stored state could not be decoded.
    #[error("state file content: {0}")]
    StateContent(#[from] serde_json::Error),
    /// The benchmark could not talk to the emulator.
    #[error("bench: {0}")]
    Bench(String),
    /// The async runtime could not be built.
    #[error("runtime: {0}")]
    Runtime(std::io::Error),
}

impl From<rcgen::Error> for EmulatorError {
    fn from(error: rcgen::Error) -> Self {
        Self::Certificate(error.to_string())
    }
}

impl From<rustls::Error> for EmulatorError {
    fn from(error: rustls::Error) -> Self {
        Self::Certificate(error.to_string())
    }
}
