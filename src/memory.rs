//! The allocator's handling of large blocks.
//!
//! Each password hash takes a 19 MiB block and frees it. glibc serves blocks this large with
//! `mmap` and returns them on free, but only until the first one is freed: its dynamic threshold
//! then rises above 19 MiB, later blocks come from malloc's heaps, and the heaps keep the memory.
//! Under a run of logins the resident size grew from under 100 MiB to about 800 MiB that way
//! (docs/benchmarks.md). Fixing the threshold keeps every large block on `mmap`.

/// Blocks of at least this size are always mapped, and returned to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD_BYTES: libc::c_int = 1024 * 1024;

/// Makes the allocator return large freed blocks to the system at once. Call it at start,
/// before other threads run.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a tuning parameter of glibc's allocator; it is called once at
    // start, before any thread that allocates is spawned.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    }
}
