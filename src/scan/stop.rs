//! Stopping cleanly on SIGINT (Ctrl-C) or SIGTERM: the flag is set, each folder finishes
//! and commits the window it is on, and the run ends with status `interrupted`. A second
//! signal is not special: `kill -9` is always safe, since every window commits atomically.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Sets the flag when the process receives SIGINT or SIGTERM. Must run inside the
    /// runtime.
    pub fn listen_for_signals(&self) {
        let flag = self.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::warn!("stop requested; finishing the current windows");
            flag.request();
        });
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
