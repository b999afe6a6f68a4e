//! The `cocoprep` command. Thin: parse arguments, resolve settings, run one command,
//! turn the outcome into an exit status.

#![forbid(unsafe_code)]
// Messages and progress go to stderr; data goes to stdout only through a locked
// `io::stdout()` handle (so a closed pipe is an error, not a `println!` panic).
#![expect(
    clippy::print_stderr,
    reason = "the command prints its messages and progress to stderr"
)]

mod cli;
mod commands;
mod input_kind;
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
    // The one rayon pool of the process: every parallel loop of every library runs on it.
    cocoprep_base::threads::configure_global_pool(global.jobs);
    let result = match command {
        Command::Inspect(args) => {
            commands::inspect::run(&commands::inspect::InspectSettings::resolve(args), &global)
        }
        Command::Validate(args) => commands::validate::run(
            &commands::validate::ValidateSettings::resolve(args),
            &global,
        ),
        Command::List(args) => {
            commands::list::run(&commands::list::ListSettings::resolve(args), &global)
        }
        Command::Get(args) => commands::get::GetSettings::resolve(args)
            .and_then(|settings| commands::get::run(&settings, &global)),
        Command::Download(args) => commands::download::DownloadSettings::resolve(args)
            .and_then(|settings| commands::download::run(&settings, &global)),
        Command::Verify(args) => {
            commands::verify::run(&commands::verify::VerifySettings::resolve(args), &global)
        }
        Command::Convert(args) => commands::convert::run(args, &global),
        Command::Subset(args) => commands::subset::SubsetSettings::resolve(args)
            .and_then(|settings| commands::subset::run(&settings, &global)),
        Command::Filter(args) => commands::filter::FilterSettings::resolve(args)
            .and_then(|settings| commands::filter::run(&settings, &global)),
        Command::Merge(args) => {
            commands::merge::run(&commands::merge::MergeSettings::resolve(args), &global)
        }
        Command::Split(args) => commands::split::SplitSettings::resolve(args)
            .and_then(|settings| commands::split::run(&settings, &global)),
        Command::Features(args) => commands::features::run(args, &global),
        Command::Masks(args) => commands::masks::run(args, &global),
        Command::Eval(args) => commands::eval::run(args, &global),
        Command::Demo(args) => {
            commands::demo::run(&commands::demo::DemoSettings::resolve(args), &global)
        }
        Command::Captions(args) => commands::captions::run(args, &global),
        Command::Targets(args) => commands::targets::TargetsSettings::resolve(args)
            .and_then(|settings| commands::targets::run(&settings, &global)),
        Command::Tree(args) => commands::datasets::tree::run(
            &commands::datasets::tree::TreeSettings::resolve(args),
            &global,
        ),
        Command::Dataset(args) => commands::datasets::run(args, &global),
        Command::Show(args) => {
            commands::show::run(&commands::show::ShowSettings::resolve(args), &global)
        }
        Command::View(args) => {
            commands::view::run(&commands::view::ViewSettings::resolve(args), &global)
        }
        Command::Webdata(args) => commands::webdata::run(args, &global),
        Command::Status(args) => {
            commands::status::run(&commands::status::StatusSettings::resolve(args), &global)
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
