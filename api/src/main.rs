//! The `kinship` binary.

fn main() -> std::process::ExitCode {
    kinship_api::cli::main()
}
