//! The `cocoprep` command. Thin: parse arguments, resolve settings, run one command,
//! turn the outcome into an exit status.

mod cli;
mod commands;
mod output;
mod progress;
mod sample;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use commands::Outcome;
use settings::GlobalSettings;

fn main() -> ExitCode {
    let Cli { command, global } = Cli::parse();
    let global = GlobalSettings::resolve(global);
    let result = match command {
        Command::Inspect(args) => {
            commands::inspect::run(&commands::inspect::InspectSettings::resolve(args), &global)
        }
        Command::Validate(args) => commands::validate::run(
            &commands::validate::ValidateSettings::resolve(args),
            &global,
        ),
        Command::Masks(args) => commands::masks::run(args, &global),
        Command::Demo(args) => {
            commands::demo::run(&commands::demo::DemoSettings::resolve(args), &global)
        }
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::ProblemsFound) => ExitCode::from(1),
        Err(error) => {
            // A closed stdout (`cocoprep inspect x.json --json | head`) is not an error.
            if output::is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
