//! report.html in a real browser. Headless Chromium opens it from disk and routes every
//! request to a local proxy, which must see none from the page. The page must log nothing
//! to the console and its script must run. The first screen and the print layout are
//! saved.
//!
//! Needs Debian's `chromium` (`apt-get install chromium`; `scripts/install-deps` does it).
//! The screenshot and PDFs go to `<target>/tmp/report-chromium/` for a person to look at.

mod report_fixture;

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hopaudit::report::{self, Period};
use hopaudit::store::SqliteStore;

const CHROMIUM: &str = "/usr/bin/chromium";

/// A TCP listener posing as the browser's HTTP proxy: it records the host of every
/// request line (`CONNECT host:443`, `GET http://host/...`) and sends no reply.
struct RecordingProxy {
    port: u16,
    hosts: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RecordingProxy {
    fn start() -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hosts = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, done) = (hosts.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => seen.lock().unwrap().push(request_host(stream)),
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        RecordingProxy {
            port,
            hosts,
            stop,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        self.hosts.lock().unwrap().clone()
    }
}

/// Reads the request line and returns its host, or the line itself when it has none.
fn request_host(mut stream: TcpStream) -> String {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buffer = [0u8; 1024];
    let read = stream.read(&mut buffer).unwrap_or(0);
    let text = String::from_utf8_lossy(&buffer[..read]);
    let line = text.lines().next().unwrap_or_default();
    let target = line.split(' ').nth(1).unwrap_or(line);
    let without_scheme = target.split("://").last().unwrap_or(target);
    let authority = without_scheme.split('/').next().unwrap_or_default();
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
        .to_string()
}

/// Chromium's own services, which the full headless browser contacts at start even for an
/// empty page and with background networking disabled (component updates, account
/// checks). A request from the page itself is caught twice over: it goes to another host
/// here, and the page's Content-Security-Policy blocks it with a console message.
fn is_browser_service(host: &str) -> bool {
    ["google.com", "googleapis.com", "gstatic.com", "gvt1.com"]
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

fn chromium(profile: &Path, proxy_port: u16, action: &[String], page: &Path) -> Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing; install it with `apt-get install chromium` (scripts/install-deps does)"
    );
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{proxy_port}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .args(action)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

fn write_report(out: &Path) -> PathBuf {
    let db = out.join("audit.sqlite");
    let _ = std::fs::remove_file(&db);
    report_fixture::build(&db);
    let store = SqliteStore::open(&db).unwrap();
    let options = report_fixture::options(Period::default());
    let dir = out.join("report");
    report::write_report(&store, &options, &dir).unwrap();
    dir.join("report.html")
}

/// Counts page objects (`/Type /Page`, not `/Pages`) in a PDF.
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
        .count()
}

#[test]
fn page_renders_offline_and_prints() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-chromium");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let page = write_report(&out);
    let proxy = RecordingProxy::start();

    let screenshot = out.join("first-screen.png");
    let pdf = out.join("report.pdf");
    let runs = [
        ("dom", vec!["--dump-dom".to_string()]),
        (
            "screenshot",
            vec![format!("--screenshot={}", screenshot.display())],
        ),
        (
            "pdf",
            vec![
                "--no-pdf-header-footer".to_string(),
                format!("--print-to-pdf={}", pdf.display()),
            ],
        ),
    ];
    let mut dom = String::new();
    for (name, action) in &runs {
        let output = chromium(
            &out.join(format!("profile-{name}")),
            proxy.port,
            action,
            &page,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "chromium {name} failed: {stderr}");
        let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
        assert!(
            console.is_empty(),
            "console output during {name}: {console:#?}"
        );
        if *name == "dom" {
            dom = String::from_utf8_lossy(&output.stdout).into_owned();
        }
    }
    let hosts = proxy.finish();
    let from_page: Vec<&String> = hosts.iter().filter(|h| !is_browser_service(h)).collect();
    assert!(
        from_page.is_empty(),
        "requests from the page: {from_page:?}"
    );

    assert!(
        dom.contains("<html lang=\"en\" class=\"js\">"),
        "the page script did not run"
    );
    assert!(dom.contains("id=\"domain-filter\""));
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "screenshot is empty"
    );
    let pdf_bytes = std::fs::read(&pdf).unwrap();
    assert!(pdf_bytes.starts_with(b"%PDF-"));
    let pages = pdf_pages(&pdf_bytes);
    assert!(pages >= 6, "expected one page per section, found {pages}");
}
