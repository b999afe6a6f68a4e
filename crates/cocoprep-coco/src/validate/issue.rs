//! What `validate` reports.

use std::fmt;

use serde::Serialize;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Tolerated by pycocotools, but likely a mistake or a trap for some consumer.
    Warning,
    /// The file is wrong: a consumer will crash, reject it or compute wrong results.
    Error,
}

/// One finding, located as precisely as possible.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Issue {
    /// Error or warning.
    pub severity: Severity,
    /// A stable kebab-case name for the kind of finding (`bbox-outside-image`), for scripts.
    pub code: &'static str,
    /// JSON path of the record: `annotations[12]`, `images[3]`, or `` for the document.
    pub path: String,
    /// The member within the record, if the finding is about one: `bbox`, `segmentation[1]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// The record's `id`, when it has a readable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// 1-based line of the record in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column of the record in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
}

impl Issue {
    pub(crate) fn new(
        severity: Severity,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            code,
            path: path.into(),
            member: None,
            id: None,
            message: message.into(),
            line: None,
            column: None,
        }
    }

    pub(crate) fn member(mut self, member: impl Into<String>) -> Self {
        self.member = Some(member.into());
        self
    }

    pub(crate) fn id(mut self, id: Option<String>) -> Self {
        self.id = id;
        self
    }

    /// `annotations[12].bbox`: the record path joined with the member.
    pub fn location(&self) -> String {
        match (&self.member, self.path.is_empty()) {
            (Some(member), false) => format!("{}.{member}", self.path),
            (Some(member), true) => member.clone(),
            (None, false) => self.path.clone(),
            (None, true) => "document".to_owned(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(formatter, "{severity}[{}]: {}", self.code, self.location())?;
        if let Some(id) = &self.id {
            write!(formatter, " (id {id})")?;
        }
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(formatter, " at {line}:{column}")?;
        }
        write!(formatter, ": {}", self.message)
    }
}
