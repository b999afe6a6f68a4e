//! One module per command, each with a plain `run(settings, global)` function.

pub mod demo;
pub mod inspect;
pub mod masks;
pub mod validate;

/// How a command that ran to the end went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything worked.
    Success,
    /// The command ran but found problems (exit status 1).
    ProblemsFound,
}
