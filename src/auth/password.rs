//! Password and client-secret hashing with Argon2id, off the async workers and bounded.
//!
//! Parameters follow OWASP's Password Storage Cheat Sheet (first recommended option for
//! Argon2id: 19 MiB of memory, 2 iterations, 1 lane). Each hash uses 19 MiB while it runs, so a
//! semaphore bounds how many run at once. A request that waits longer than the configured time
//! for a slot gets 503 rather than queueing without end.
//!
//! Hashes run on threads of their own at a lower scheduling priority (nice 10), so that a burst
//! of logins takes the CPU only when other requests leave it idle.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// Argon2 memory cost in KiB (19 MiB).
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Argon2 iterations.
pub const ITERATIONS: u32 = 2;
/// Argon2 lanes.
pub const LANES: u32 = 1;

/// Failure to compute or check a hash.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("all password hashing slots stayed busy")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Nice value of the hashing threads: 10 gives them about a tenth of the CPU share of a
/// request thread when both want the same core.
const HASHING_NICE: i32 = 10;

/// Hashes and verifies secrets on its own low-priority threads, a bounded number at a time.
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    threads: Arc<rayon::ThreadPool>,
    wait: Duration,
    /// A hash of a random secret, verified for unknown users so that they take as long as
    /// known ones.
    dummy_hash: String,
}

fn argon2() -> Argon2<'static> {
    // The constants are within Argon2's limits: at least 8 KiB of memory per lane, and at least
    // one iteration and one lane. So `Params::new` returns Ok, as the unit tests confirm.
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Computes a PHC-format Argon2id hash; blocking.
pub fn hash_blocking(secret: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(secret.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| HashError::Failed(error.to_string()))
}

fn verify_blocking(secret: &str, hash: &str) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(hash).map_err(|error| HashError::Failed(error.to_string()))?;
    Ok(argon2().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// Tells whether a stored hash was made with other parameters than the current ones, so that
/// a successful login should store a new hash.
pub fn needs_rehash(hash: &str) -> bool {
    let current = format!("$argon2id$v=19$m={MEMORY_KIB},t={ITERATIONS},p={LANES}$");
    !hash.starts_with(&current)
}

impl PasswordHasher {
    /// Creates a hasher allowing `concurrency` hashes at once and waiting at most `wait` for a
    /// slot. Computes the dummy hash, which takes one hash's time.
    pub fn new(concurrency: usize, wait: Duration) -> anyhow::Result<PasswordHasher> {
        let random = uuid::Uuid::new_v4().to_string();
        let dummy_hash = hash_blocking(&random).map_err(|error| anyhow::anyhow!("{error}"))?;
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(concurrency)
            .thread_name(|index| format!("petajalan-hash-{index}"))
            .start_handler(|_| lower_priority())
            .build()?;
        Ok(PasswordHasher {
            slots: Arc::new(Semaphore::new(concurrency)),
            threads: Arc::new(threads),
            wait,
            dummy_hash,
        })
    }

    /// Hashes a secret.
    pub async fn hash(&self, secret: String) -> Result<String, HashError> {
        self.run(move || hash_blocking(&secret)).await
    }

    /// Checks a secret against a stored hash; with no stored hash, checks it against the dummy
    /// hash and returns false, taking the same time.
    pub async fn verify(&self, secret: String, stored: Option<String>) -> Result<bool, HashError> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let matches = self.run(move || verify_blocking(&secret, &hash)).await?;
        Ok(known && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Busy)?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        self.threads.spawn(move || {
            let _permit = permit;
            let _ = sender.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
        });

        match receiver.await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(HashError::Failed("the hashing thread panicked".into())),
            Err(_) => Err(HashError::Failed("the hashing thread stopped".into())),
        }
    }
}

/// Lowers the calling thread's scheduling priority; on Linux, `setpriority` with
/// `PRIO_PROCESS` and 0 names the calling thread alone.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; it cannot touch memory.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, HASHING_NICE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashes_run_at_lower_priority() {
        let hasher = PasswordHasher::new(1, Duration::from_secs(5)).unwrap();

        // SAFETY: getpriority only reads its integer arguments.
        let nice = hasher.run(|| Ok(unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) })).await.unwrap();

        assert_eq!(nice, HASHING_NICE);
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = PasswordHasher::new(1, Duration::from_secs(5)).unwrap();

        let hash = hasher.hash("kata sandi yang panjang".into()).await.unwrap();
        let second_hash = hasher.hash("kata sandi yang panjang".into()).await.unwrap();

        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert_ne!(hash, second_hash, "the salt must be random");
        assert!(hasher.verify("kata sandi yang panjang".into(), Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("kata sandi lain".into(), Some(hash)).await.unwrap());
        assert!(!hasher.verify("apa saja".into(), None).await.unwrap());
    }

    #[test]
    fn outdated_hashes_need_rehash() {
        let current = hash_blocking("kata sandi yang panjang").unwrap();

        assert!(!needs_rehash(&current));
        assert!(needs_rehash("$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
        assert!(needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"));
    }

    #[tokio::test]
    async fn busy_slots_give_up_after_wait() {
        let hasher = PasswordHasher::new(1, Duration::from_millis(20)).unwrap();
        let only_slot = hasher.slots.clone().acquire_owned().await.unwrap();

        let result = hasher.hash("x".into()).await;

        assert!(matches!(result, Err(HashError::Busy)));
        drop(only_slot);
    }
}
