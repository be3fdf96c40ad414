//! A private PostgreSQL cluster that a test may stop and start, so that drills never stop the
//! shared server on 127.0.0.1:5432.
//!
//! The cluster lives under `target/fault-drills/<random>/postgres` and listens only on a Unix
//! socket in that folder, so clusters of parallel tests never compete for a TCP port. It is
//! made and started by the same code as the service's own private cluster
//! (`petajalan::local_postgres`), which also runs the programs as the `postgres` user when the
//! tests run as root.

use std::path::PathBuf;

use petajalan::local_postgres;

pub struct PrivateCluster {
    /// The cluster's data folder, which is also its socket folder.
    pub dir: PathBuf,
    /// The folder made for this cluster, removed on drop.
    root: PathBuf,
}

impl PrivateCluster {
    /// Creates a cluster in a fresh folder with `initdb` and starts it.
    pub async fn start() -> PrivateCluster {
        let name = uuid::Uuid::new_v4().simple().to_string();
        let root = super::repo_path("target/fault-drills").join(&name[..12]);
        let dir = root.join("postgres");
        local_postgres::start_private_cluster(&dir).await.expect("create and start a private PostgreSQL cluster");
        PrivateCluster { dir, root }
    }

    /// Returns the URL of the cluster without a database name.
    pub fn base_url(&self) -> String {
        let socket_dir: String = form_urlencoded::byte_serialize(self.dir.as_os_str().as_encoded_bytes()).collect();
        format!("postgres://postgres@{socket_dir}")
    }

    /// Stops the cluster with `pg_ctl stop -m fast`, which ends every open connection.
    pub async fn stop(&self) {
        local_postgres::stop_private_cluster(&self.dir).await.expect("stop the private cluster");
    }

    /// Starts the stopped cluster again.
    pub async fn restart(&self) {
        let started = local_postgres::start_private_cluster(&self.dir).await.expect("start the private cluster again");
        assert!(started, "the cluster was still running");
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let dir = self.dir.clone();
        // Drop runs inside the test's runtime, which cannot block on itself, so a thread with its
        // own runtime does the work. Stopping an already stopped cluster fails, which is fine.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let _ = runtime.block_on(local_postgres::stop_private_cluster(&dir));
        })
        .join();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
