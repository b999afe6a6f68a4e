//! `cocoprep validate`: every problem in a COCO file, each located by JSON path and id,
//! each naming the tools it breaks.
//!
//! Records are checked one by one as they stream past (see [`record`]), in parallel. Then
//! the file's [`Dialect`] (COCO, LVIS, CrowdPose, Objects365 or a results list) is
//! recognised from what the records hold, and the members its consumers need are checked
//! (see [`dialect`]); cross-record rules run over a compact summary of each record
//! (duplicate ids, references to unknown images or categories, boxes outside their image,
//! ...), and finally, with an images folder, the image files themselves are checked.

mod cross;
mod dialect;
mod dialect_checks;
mod files;
mod issue;
pub(crate) mod record;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

pub use dialect::{Dialect, DialectChoice};
pub use issue::{Consumer, Issue, IssueCode, Severity};

use cocoprep_base::position::Locator;
use cocoprep_base::threads::worker_count;

use crate::document::pipeline::{Element, read_array};
use crate::document::{DocumentError, DocumentVisitor, array_error, syntax_message, walk_document};
use crate::error::ReadError;
use crate::json_split::{ScanError, Scanner};
use crate::record_kind::RecordKind;
use cocoprep_base::progress::{NoReporter, ProgressUnit, Reporter};
use record::{Facts, check_record_with_facts};

/// What to check besides the file itself.
#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    /// Folder holding the images named by `file_name`; enables the file checks.
    pub images_dir: Option<PathBuf>,
    /// Only read image headers, do not decode (much faster, misses corrupt pixel data).
    pub skip_decode: bool,
    /// Worker threads for parsing; 0 means as many as the rayon pool the call runs in.
    pub jobs: usize,
    /// Judge the file as this dialect; `None` recognises it from the records.
    pub dialect: Option<Dialect>,
}

/// Record counts seen while validating.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordCounts {
    /// Entries of `images`.
    pub images: usize,
    /// Entries of `annotations` (or of a results list).
    pub annotations: usize,
    /// Entries of `categories`.
    pub categories: usize,
    /// Entries of `licenses`.
    pub licenses: usize,
    /// Image files checked on disk.
    pub image_files: usize,
}

/// The outcome of validating one file.
#[derive(Clone, Debug, Serialize)]
pub struct ValidationReport {
    /// The file validated.
    pub file: PathBuf,
    /// The dialect the findings follow.
    pub dialect: DialectChoice,
    /// Every finding, in file order (then whole-list, cross-record and image-file findings).
    pub issues: Vec<Issue>,
    /// How many records were seen.
    pub counts: RecordCounts,
}

impl ValidationReport {
    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.issues
            .iter()
            .filter(|issue| issue.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.issues
            .iter()
            .filter(|issue| issue.severity == Severity::Warning)
            .count()
    }

    /// Whether there are no errors (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.error_count() == 0
    }
}

/// One checked record: its findings (with document offsets) and its facts.
///
/// Findings are settled by the dialect only at the end: it can depend on later records.
struct CheckedRecord {
    issues: Vec<(u64, Issue)>,
    facts: Facts,
}

impl Element for CheckedRecord {
    type Context = RecordKind;

    fn parse(
        bytes: &[u8],
        index: usize,
        offset: u64,
        kind: &RecordKind,
    ) -> Result<Self, serde_json::Error> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => {
                let (issues, mut facts) = check_record_with_facts(*kind, index, &value);
                facts.set_offset(offset);
                Ok(CheckedRecord {
                    issues: issues.into_iter().map(|issue| (offset, issue)).collect(),
                    facts,
                })
            }
            // A record that is not valid JSON is reported and skipped: the scanner already
            // found where it ends, so the rest of the file can still be checked.
            Err(error) => {
                let (at, message) = syntax_message(bytes, &error);
                let issue = Issue::new(
                    Severity::Error,
                    IssueCode::Syntax,
                    format!("{}[{index}]", kind.key()),
                    message,
                );
                Ok(CheckedRecord {
                    issues: vec![(offset + at, issue)],
                    facts: Facts::None,
                })
            }
        }
    }
}

struct Validator<'p> {
    jobs: usize,
    on_progress: &'p mut dyn FnMut(u64),
    /// `(document offset, issue)`; offsets become line/column at the end.
    issues: Vec<(u64, Issue)>,
    facts: cross::CollectedFacts,
    counts: RecordCounts,
    sections: HashMap<&'static str, bool>,
}

impl Validator<'_> {
    fn take_records(&mut self, kind: RecordKind, records: Vec<CheckedRecord>) {
        let count = records.len();
        for record in records {
            self.issues.extend(record.issues);
            self.facts.push(record.facts);
        }
        match kind {
            RecordKind::Image => self.counts.images += count,
            RecordKind::Annotation | RecordKind::Result => self.counts.annotations += count,
            RecordKind::Category => self.counts.categories += count,
            RecordKind::License => self.counts.licenses += count,
            _ => {}
        }
        self.sections.insert(kind.key(), true);
    }
}

impl DocumentVisitor for Validator<'_> {
    fn on_results_list<R: Read>(&mut self, scanner: &mut Scanner<R>) -> Result<(), DocumentError> {
        let kind = RecordKind::Result;
        let records = read_array::<CheckedRecord, _>(scanner, self.jobs, &kind, self.on_progress)
            .map_err(array_error(kind))?;
        self.take_records(kind, records);
        Ok(())
    }

    fn on_array<R: Read>(
        &mut self,
        kind: RecordKind,
        scanner: &mut Scanner<R>,
    ) -> Result<(), DocumentError> {
        if scanner.peek()? != Some(b'[') {
            let (offset, bytes) = scanner.next_value()?;
            let found = serde_json::from_slice::<Value>(bytes)
                .map(|value| record::type_name(&value))
                .unwrap_or("invalid JSON");
            let issue = Issue::new(
                Severity::Error,
                IssueCode::Type,
                "",
                format!("expected a list, found {found}"),
            )
            .member(kind.key());
            self.issues.push((offset, issue));
            return Ok(());
        }
        let records = read_array::<CheckedRecord, _>(scanner, self.jobs, &kind, self.on_progress)
            .map_err(array_error(kind))?;
        self.take_records(kind, records);
        Ok(())
    }

    fn on_member(&mut self, key: &str, offset: u64, bytes: &[u8]) -> Result<(), DocumentError> {
        if key != "info" {
            // Unknown members are allowed; they only need to be valid JSON.
            if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                let (at, message) = syntax_message(bytes, &error);
                self.issues.push((
                    offset + at,
                    Issue::new(Severity::Error, IssueCode::Syntax, "", message).member(key),
                ));
            }
            return Ok(());
        }
        let record =
            CheckedRecord::parse(bytes, 0, offset, &RecordKind::Info).unwrap_or(CheckedRecord {
                issues: Vec::new(),
                facts: Facts::None,
            });
        for (offset, mut issue) in record.issues {
            issue.path = "info".to_owned();
            self.issues.push((offset, issue));
        }
        Ok(())
    }
}

/// Validates a COCO file. Only failing to read the file is an `Err`; everything wrong
/// with its content is in the report.
pub fn validate_file(
    path: &Path,
    options: &ValidateOptions,
    reporter: &dyn Reporter,
) -> Result<ValidationReport, ReadError> {
    let io_error = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    // std rather than fs_err: `ReadError::Io` already names the path.
    let file = std::fs::File::open(path).map_err(io_error)?;
    let length = file.metadata().map_err(io_error)?.len();
    validate_reader(
        file,
        Some(length),
        path,
        &Locator::File(path),
        options,
        reporter,
    )
}

/// Validates a COCO document held in memory; `label` names it in the report.
pub fn validate_slice(bytes: &[u8], label: &Path, options: &ValidateOptions) -> ValidationReport {
    let report = validate_reader(
        bytes,
        Some(bytes.len() as u64),
        label,
        &Locator::Bytes(bytes),
        options,
        &NoReporter,
    );
    report.expect("reading from memory cannot fail")
}

fn validate_reader<R: Read>(
    reader: R,
    length: Option<u64>,
    path: &Path,
    locator: &Locator,
    options: &ValidateOptions,
    reporter: &dyn Reporter,
) -> Result<ValidationReport, ReadError> {
    let io_error = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    let task = reporter.on_task_start(
        &format!("validating {}", path.display()),
        length,
        ProgressUnit::Bytes,
    );
    let mut reported = 0u64;
    let mut on_progress = |offset: u64| {
        reporter.on_task_progress(task, offset.saturating_sub(reported));
        reported = reported.max(offset);
    };
    let jobs = worker_count(options.jobs);
    let mut validator = Validator {
        jobs,
        on_progress: &mut on_progress,
        issues: Vec::new(),
        facts: cross::CollectedFacts::default(),
        counts: RecordCounts::default(),
        sections: HashMap::new(),
    };
    let mut scanner = Scanner::new(reader);
    let outcome = walk_document(&mut scanner, &mut validator);
    let is_results = validator.sections.contains_key("results");
    let mut issues = std::mem::take(&mut validator.issues);
    let facts = std::mem::take(&mut validator.facts);
    let mut counts = validator.counts;
    let sections = std::mem::take(&mut validator.sections);
    reporter.on_task_complete(task);
    match outcome {
        Ok(()) => {}
        Err(DocumentError::Scan(ScanError::Io(source))) => return Err(io_error(source)),
        Err(DocumentError::Scan(error)) => {
            let offset = error.offset().unwrap_or(0);
            let message = match error {
                ScanError::UnexpectedEnd { .. } => {
                    "unexpected end of file (is the file truncated?)".to_owned()
                }
                other => other.to_string(),
            };
            issues.push((
                offset,
                Issue::new(
                    Severity::Error,
                    IssueCode::Syntax,
                    "",
                    format!("{message}; checking stopped here"),
                ),
            ));
        }
        Err(DocumentError::Record {
            kind,
            index,
            offset,
            bytes,
            error,
        }) => {
            let (at, message) = syntax_message(&bytes, &error);
            issues.push((
                offset + at,
                Issue::new(
                    Severity::Error,
                    IssueCode::Syntax,
                    format!("{}[{index}]", kind.key()),
                    message,
                ),
            ));
        }
    }
    let stopped_early = issues
        .iter()
        .any(|(_, issue)| issue.code == IssueCode::Syntax && issue.path.is_empty());
    let (detected, detected_evidence) = dialect_checks::detect(&facts, is_results);
    let choice = match options.dialect {
        Some(forced) => DialectChoice {
            dialect: forced,
            forced: true,
            evidence: format!("--dialect {forced}"),
        },
        None => DialectChoice {
            dialect: detected,
            forced: false,
            evidence: detected_evidence.clone(),
        },
    };
    let dialect = choice.dialect;
    let mut issues: Vec<(u64, Issue)> = issues
        .into_iter()
        .filter_map(|(offset, issue)| issue.settle(dialect).map(|issue| (offset, issue)))
        .collect();
    let (member_findings, summaries) = if stopped_early {
        (Vec::new(), Vec::new())
    } else {
        dialect_checks::check_members(dialect, &facts)
    };
    issues.extend(member_findings);
    // Findings in file order, whatever pass found them.
    issues.sort_by_key(|(offset, _)| *offset);
    let mut issues = resolve_positions(issues, locator);
    if dialect != detected && !stopped_early {
        issues.push(Issue::new(
            Severity::Warning,
            IssueCode::DialectMismatch,
            "",
            format!(
                "checked as {dialect} (--dialect), but the file looks like {detected} ({detected_evidence})"
            ),
        ));
    }
    issues.extend(summaries);
    // After a syntax error that stopped the scan, "missing" lists are just unread ones.
    if !is_results && !stopped_early {
        for (key, severity, why) in [
            (
                "images",
                Severity::Warning,
                "pycocotools will index no images",
            ),
            (
                "annotations",
                Severity::Warning,
                "there is nothing to train or evaluate on",
            ),
        ] {
            if !sections.contains_key(key) {
                issues.push(Issue::new(
                    severity,
                    IssueCode::MissingSection,
                    "",
                    format!("no `{key}` list: {why}"),
                ));
            }
        }
    }
    issues.extend(cross::check(&facts, &sections));
    if let Some(images_dir) = &options.images_dir {
        let (file_issues, checked) =
            files::check_image_files(&facts, images_dir, options.skip_decode, reporter);
        issues.extend(file_issues);
        counts.image_files = checked;
    }
    Ok(ValidationReport {
        file: path.to_owned(),
        dialect: choice,
        issues,
        counts,
    })
}

/// Fills line/column for each issue in one pass over the file.
fn resolve_positions(mut issues: Vec<(u64, Issue)>, locator: &Locator) -> Vec<Issue> {
    if issues.is_empty() {
        return Vec::new();
    }
    let offsets: Vec<u64> = issues.iter().map(|(offset, _)| *offset).collect();
    let positions = locator.positions(&offsets);
    for ((_, issue), position) in issues.iter_mut().zip(positions) {
        issue.line = Some(position.line);
        issue.column = Some(position.column);
    }
    issues.into_iter().map(|(_, issue)| issue).collect()
}
