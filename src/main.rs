//! `laurel`: the Open Badges 3.0 issuer's command line. All the work is in [`cli`].

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
