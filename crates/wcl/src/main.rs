//! The `wcl` binary: everything lives in the library; this only runs it.
fn main() -> std::process::ExitCode {
    wcl::cli::main()
}
