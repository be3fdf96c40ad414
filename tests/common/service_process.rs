//! The `petajalan` binary run as a child process, for drills that kill or stop it with a
//! signal.
//!
//! The child serves on 127.0.0.1 with the test signing key, so tokens from `test_auth` work on
//! it. Its standard error goes to `target/fault-drills/<port>.log`, which a failing drill
//! names.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{TEST_JWT_SECRET, repo_path};

pub struct ServiceProcess {
    child: Child,
    pub port: u16,
    pub address: String,
    pub log: PathBuf,
}

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl ServiceProcess {
    /// Starts `petajalan serve` on `port` against the database, with `extra` environment
    /// variables on top of the test defaults, and waits until `/health/live` returns 200.
    pub async fn start(database_url: &str, port: u16, extra: &[(&str, &str)]) -> ServiceProcess {
        let log_dir = repo_path("target/fault-drills");
        std::fs::create_dir_all(&log_dir).unwrap();
        let log = log_dir.join(format!("{port}.log"));
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
        let evidence = repo_path("target/test-evidence/fault-drills");

        let mut command = Command::new(env!("CARGO_BIN_EXE_petajalan"));
        command
            .arg("serve")
            .current_dir(repo_path("."))
            .env("DATABASE_URL", database_url)
            .env("PETAJALAN_BIND", format!("127.0.0.1:{port}"))
            .env("PETAJALAN_JWT_SECRET", TEST_JWT_SECRET)
            .env("PETAJALAN_WORKERS", "2")
            .env("PETAJALAN_LOG", "info")
            .env("PETAJALAN_PASSWORD_HASH_CONCURRENCY", "2")
            .env("PETAJALAN_EVIDENCE_STORE", evidence)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file);
        for (name, value) in extra {
            command.env(name, value);
        }
        let child = command.spawn().expect("start the petajalan binary");

        let mut service = ServiceProcess { child, port, address: format!("http://127.0.0.1:{port}"), log };
        service.wait_until_live(Duration::from_secs(30)).await;
        service
    }

    /// Returns the child's process id.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Sends a signal, such as `libc::SIGTERM`, to the child.
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill has no memory preconditions; the pid is the child's, which this value
        // has not yet reaped, so it cannot name another process.
        let result = unsafe { libc::kill(self.pid(), signal) };
        assert_eq!(result, 0, "kill({}, {signal}) failed: {}", self.pid(), std::io::Error::last_os_error());
    }

    /// Kills the child with SIGKILL and reaps it.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the service");
        self.child.wait().expect("reap the service");
    }

    /// Polls until the child exits, and returns its status, or `None` after `timeout`.
    pub async fn wait_for_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("poll the service process") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    async fn wait_until_live(&mut self, timeout: Duration) {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the service exited with {status} before it listened; see {}", self.log.display());
            }
            let live = client.get(format!("{}/health/live", self.address)).send().await;
            if live.is_ok_and(|response| response.status() == 200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the service did not listen within {timeout:?}; see {}",
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
