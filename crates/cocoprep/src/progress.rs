//! Progress display for library work: bars on a terminal, plain log lines otherwise
//! (Slurm and CI logs), nothing with `--quiet`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cocoprep_base::progress::{ProgressUnit, Reporter, TaskId};
use indicatif::{
    DecimalBytes, HumanDuration, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle,
};

use crate::settings::{GlobalSettings, Verbosity};

/// How often a log line is printed for a long task when stderr is not a terminal.
const LOG_INTERVAL: Duration = Duration::from_secs(10);
/// Tasks shorter than this get no completion line in log mode.
const LOG_MINIMUM: Duration = Duration::from_secs(2);
/// Warnings of one kind printed before the rest are only counted (unless `-v`).
const WARNINGS_SHOWN_PER_KIND: u64 = 5;
/// Kinds of warning told apart; warnings of further kinds are counted together.
const WARNING_KINDS: usize = 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Hidden,
    Bars,
    Log,
}

struct Task {
    label: String,
    unit: ProgressUnit,
    total: Option<u64>,
    position: u64,
    started: Instant,
    last_log: Instant,
    bar: Option<ProgressBar>,
}

/// Warnings counted by kind, so that a file with 57,000 bad rows gives five lines and a
/// count rather than 57,000 lines.
#[derive(Default)]
struct Warnings {
    /// Kinds in the order they first came, with their first message and count.
    kinds: Vec<WarningKind>,
    /// Warnings of kinds after the first [`WARNING_KINDS`].
    other_kinds: u64,
}

struct WarningKind {
    kind: String,
    first_message: String,
    count: u64,
}

/// The binary's [`Reporter`].
pub struct Progress {
    mode: Mode,
    multi: MultiProgress,
    tasks: Mutex<HashMap<TaskId, Task>>,
    /// `-v`: every warning is printed.
    every_warning: bool,
    warnings: Mutex<Warnings>,
    /// The command's report, which lists every problem the warnings are about.
    report_file: Option<PathBuf>,
}

impl Progress {
    pub fn new(global: &GlobalSettings) -> Self {
        let mode = if global.verbosity == Verbosity::Quiet {
            Mode::Hidden
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Log
        };
        let target = if mode == Mode::Bars {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            mode,
            multi: MultiProgress::with_draw_target(target),
            tasks: Mutex::new(HashMap::new()),
            every_warning: global.verbosity == Verbosity::Verbose,
            warnings: Mutex::new(Warnings::default()),
            report_file: None,
        }
    }

    /// Names the report file that lists everything warned about, for the line that
    /// counts the warnings not shown.
    pub fn with_report_file(mut self, path: PathBuf) -> Self {
        self.report_file = Some(path);
        self
    }

    /// Prints how many warnings of each kind were counted but not shown. Called before a
    /// command's summary, and again (doing nothing) when the reporter is dropped.
    pub fn finish_warnings(&self) {
        let Ok(mut warnings) = self.warnings.lock() else {
            return;
        };
        let warnings = std::mem::take(&mut *warnings);
        let where_listed = match &self.report_file {
            Some(path) => format!("; all are listed in {}", path.display()),
            None => "; -v shows them all".to_owned(),
        };
        let hidden: Vec<&WarningKind> = warnings
            .kinds
            .iter()
            .filter(|kind| kind.count > WARNINGS_SHOWN_PER_KIND)
            .collect();
        for kind in &hidden {
            let more = count_with_commas(kind.count - WARNINGS_SHOWN_PER_KIND);
            let like = if hidden.len() == 1 && warnings.other_kinds == 0 {
                "this".to_owned()
            } else {
                format!("`{}`", shorten(&kind.first_message, 60))
            };
            self.println(&format!(
                "warning: … and {more} more like {like}{where_listed}"
            ));
        }
        if warnings.other_kinds > 0 {
            self.println(&format!(
                "warning: … and {} more of other kinds{where_listed}",
                count_with_commas(warnings.other_kinds)
            ));
        }
    }

    /// Prints a line above the bars (or plainly).
    pub fn println(&self, message: &str) {
        match self.mode {
            Mode::Hidden => {}
            Mode::Bars => {
                let _ = self.multi.println(message);
            }
            Mode::Log => eprintln!("{message}"),
        }
    }

    fn style(unit: ProgressUnit, total: Option<u64>) -> ProgressStyle {
        let template = match (unit, total.is_some()) {
            (ProgressUnit::Bytes, true) => {
                "{spinner} {msg} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} ETA {eta}"
            }
            (ProgressUnit::Bytes, false) => {
                "{spinner} {msg} {decimal_bytes} {decimal_bytes_per_sec}"
            }
            (ProgressUnit::Items, true) => {
                "{spinner} {msg} [{bar:30}] {human_pos}/{human_len} {per_sec} ETA {eta}"
            }
            (ProgressUnit::Items, false) => "{spinner} {msg} {human_pos} {per_sec}",
        };
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
    }
}

fn amount(unit: ProgressUnit, value: u64) -> String {
    match unit {
        ProgressUnit::Bytes => DecimalBytes(value).to_string(),
        ProgressUnit::Items => value.to_string(),
    }
}

/// In log mode, prints a line for a task at most every [`LOG_INTERVAL`].
fn log_if_due(state: &mut Task) {
    if state.last_log.elapsed() < LOG_INTERVAL {
        return;
    }
    state.last_log = Instant::now();
    let done = amount(state.unit, state.position);
    // Rate and ETA over the whole task so far (log lines are 10 s apart).
    let seconds = state.started.elapsed().as_secs_f64().max(1e-3);
    let per_second = state.position as f64 / seconds;
    let rate = match state.unit {
        ProgressUnit::Bytes => format!("{}/s", DecimalBytes(per_second as u64)),
        ProgressUnit::Items => format!("{per_second:.0}/s"),
    };
    match state.total {
        Some(total) if total > 0 => {
            let left = total.saturating_sub(state.position) as f64;
            let eta = if per_second > 0.0 {
                format!(
                    ", ETA {}",
                    HumanDuration(Duration::from_secs_f64(left / per_second))
                )
            } else {
                String::new()
            };
            eprintln!(
                "{}: {:.0}% ({done} of {}, {rate}{eta})",
                state.label,
                100.0 * state.position as f64 / total as f64,
                amount(state.unit, total)
            )
        }
        _ => eprintln!("{}: {done} ({rate})", state.label),
    }
}

impl Reporter for Progress {
    fn on_task_start(&self, label: &str, total: Option<u64>, unit: ProgressUnit) -> TaskId {
        let id = TaskId::next();
        if self.mode == Mode::Hidden {
            return id;
        }
        let bar = (self.mode == Mode::Bars).then(|| {
            let bar = self.multi.add(ProgressBar::new(total.unwrap_or(0)));
            if total.is_none() {
                bar.set_length(u64::MAX);
            }
            bar.set_style(Self::style(unit, total));
            bar.set_message(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        let task = Task {
            label: label.to_owned(),
            unit,
            total,
            position: 0,
            started: now,
            last_log: now,
            bar,
        };
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.insert(id, task);
        }
        id
    }

    fn on_task_progress(&self, task: TaskId, advanced: u64) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        let Some(state) = tasks.get_mut(&task) else {
            return;
        };
        state.position += advanced;
        if let Some(bar) = &state.bar {
            bar.inc(advanced);
        } else {
            log_if_due(state);
        }
    }

    fn on_task_position(&self, task: TaskId, position: u64) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        if let Some(state) = tasks.get_mut(&task) {
            state.position = position;
            if let Some(bar) = &state.bar {
                bar.set_position(position);
            } else {
                log_if_due(state);
            }
        }
    }

    fn on_task_total(&self, task: TaskId, total: u64) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        if let Some(state) = tasks.get_mut(&task) {
            if state.total.is_none()
                && let Some(bar) = &state.bar
            {
                bar.set_style(Self::style(state.unit, Some(total)));
            }
            state.total = Some(total);
            if let Some(bar) = &state.bar {
                bar.set_length(total);
            }
        }
    }

    fn on_task_complete(&self, task: TaskId) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        let Some(state) = tasks.remove(&task) else {
            return;
        };
        match state.bar {
            Some(bar) => {
                bar.finish_and_clear();
                self.multi.remove(&bar);
            }
            None => {
                let elapsed = state.started.elapsed();
                if elapsed >= LOG_MINIMUM {
                    eprintln!(
                        "{}: done, {} in {}",
                        state.label,
                        amount(state.unit, state.position),
                        HumanDuration(elapsed)
                    );
                }
            }
        }
    }

    fn on_warning(&self, message: &str) {
        if self.mode == Mode::Hidden {
            return;
        }
        if !self.every_warning {
            let Ok(mut warnings) = self.warnings.lock() else {
                return;
            };
            let kind = warning_kind(message);
            let known = warnings.kinds.iter().position(|known| known.kind == kind);
            let count = match known {
                Some(index) => {
                    warnings.kinds[index].count += 1;
                    warnings.kinds[index].count
                }
                None if warnings.kinds.len() < WARNING_KINDS => {
                    warnings.kinds.push(WarningKind {
                        kind,
                        first_message: message.to_owned(),
                        count: 1,
                    });
                    1
                }
                None => {
                    warnings.other_kinds += 1;
                    return;
                }
            };
            if count > WARNINGS_SHOWN_PER_KIND {
                return;
            }
        }
        self.println(&format!("warning: {message}"));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish_warnings();
    }
}

/// What warnings of one kind have in common: the message without parenthesised asides,
/// every word that holds a number, a path, a file name or a quoted value replaced by `…`
/// (`skipping … line … expected … tab-separated fields, found …`).
fn warning_kind(message: &str) -> String {
    let mut without_asides = String::with_capacity(message.len());
    let mut depth = 0usize;
    for character in message.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => without_asides.push(character),
            _ => {}
        }
    }
    let varies = |core: &str| {
        core.contains(|c: char| {
            c.is_ascii_digit() || matches!(c, '/' | '\\' | '`' | '"' | '\'' | '.')
        })
    };
    without_asides
        .split_whitespace()
        .filter_map(|word| {
            let core = word.trim_matches(|c: char| c.is_ascii_punctuation() && c != '.');
            if core.is_empty() {
                None
            } else if varies(core) {
                Some("…")
            } else {
                Some(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `57567` → `57,567`.
fn count_with_commas(count: u64) -> String {
    let digits = count.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// The first `limit` characters of `text`, with `…` if cut.
fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{count_with_commas, shorten, warning_kind};

    #[test]
    fn warnings_of_one_kind_share_their_kind() {
        let one = warning_kind(
            "skipping /data/instances_val2017.json line 3: expected 6 tab-separated fields, found 1",
        );
        let other = warning_kind(
            "skipping trainval.zip:a.tsv.0 line 57572 (image 42): expected 6 tab-separated fields, found 2",
        );
        assert_eq!(
            one,
            "skipping … line … expected … tab-separated fields, found …"
        );
        assert_eq!(one, other);
        assert_ne!(
            one,
            warning_kind("skipping a.tsv line 3: boxes: invalid base64")
        );
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count_with_commas(7), "7");
        assert_eq!(count_with_commas(57_567), "57,567");
        assert_eq!(count_with_commas(1_234_567), "1,234,567");
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
