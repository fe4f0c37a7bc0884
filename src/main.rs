//! The `vaultsim` binary: parses the command line and hands over to `vaultsim::cli`.

fn main() {
    std::process::exit(vaultsim::cli::main());
}
