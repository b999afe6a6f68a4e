//! One module per command, each with a plain `run(settings, global)` function.

pub mod captions;
pub mod convert;
pub mod demo;
pub mod download;
pub mod features;
pub mod filter;
pub mod get;
pub mod inspect;
pub mod list;
pub mod masks;
pub mod merge;
pub mod split;
pub mod subset;
pub mod validate;
pub mod verify;

/// How a command that ran to the end went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything worked.
    Success,
    /// The command ran but found problems (exit status 1).
    ProblemsFound,
}
