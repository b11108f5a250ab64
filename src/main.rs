//! `fencheng`: see the README, or `fencheng --help`.

fn main() -> std::process::ExitCode {
    fencheng::cli::main()
}
