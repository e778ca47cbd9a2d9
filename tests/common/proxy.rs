//! A TCP proxy on 127.0.0.1 that forwards to a server and, on its first connection that
//! reaches the given byte count from the server, cuts both directions: a connection that
//! dies in the middle of a FETCH. Later connections pass through untouched.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct CuttingProxy {
    pub port: u16,
    /// How many connections were cut.
    pub cuts: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

impl CuttingProxy {
    /// Forwards to `127.0.0.1:target`; cuts the first `cut_count` connections whose
    /// server-to-client stream passes `after_bytes`.
    pub fn start(target: u16, after_bytes: usize, cut_count: usize) -> CuttingProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let cuts = Arc::new(AtomicUsize::new(0));
        let counter = cuts.clone();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let cut_this = counter.load(Ordering::SeqCst) < cut_count;
                let counter = counter.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await {
                        relay(client, server, cut_this.then_some(after_bytes), counter).await;
                    }
                });
            }
        });
        CuttingProxy {
            port,
            cuts,
            _runtime: runtime,
        }
    }
}

async fn relay(
    client: TcpStream,
    server: TcpStream,
    cut_after: Option<usize>,
    cuts: Arc<AtomicUsize>,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let done = Arc::new(AtomicBool::new(false));
    let upstream_done = done.clone();
    let upstream = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        while !upstream_done.load(Ordering::SeqCst) {
            match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if server_write.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut buf = vec![0u8; 16 * 1024];
    let mut passed = 0usize;
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(limit) = cut_after.filter(|limit| passed + n >= *limit) {
            let _ = client_write
                .write_all(&buf[..limit.saturating_sub(passed)])
                .await;
            cuts.fetch_add(1, Ordering::SeqCst);
            break;
        }
        passed += n;
        if client_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    done.store(true, Ordering::SeqCst);
    upstream.abort();
    let _ = client_write.shutdown().await;
}
