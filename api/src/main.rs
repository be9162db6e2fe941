//! The `kinship` binary.

/// jemalloc: under load the server spends a tenth of its time in the allocator, and jemalloc's
/// per-thread caches cut that (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    kinship_api::cli::main()
}
