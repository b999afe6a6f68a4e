//! METEOR 1.5 through its Java jar, driven over stdin/stdout exactly as pycocoevalcap's
//! `meteor/meteor.py` drives it (`java -jar -Xmx2G meteor-1.5.jar - - -stdio -l en -norm`,
//! one `SCORE` line per image, then one `EVAL` line), so the scores are the jar's own.
//!
//! The failures users meet with pycocoevalcap ("Broken pipe", a hang, a bare
//! `ValueError`) come from Java being absent, the jar or its paraphrase table missing, or
//! the JVM not getting its 2 GB heap; each is reported here with the reason and what Java
//! printed.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;

use super::{Error, TokenizedImage, java};

/// METEOR for the corpus (the jar's aggregate, not a mean of images) and for each image.
#[derive(Clone, Debug, PartialEq)]
pub struct MeteorScores {
    /// `METEOR`.
    pub corpus: f64,
    /// Per image, in evaluation order.
    pub per_image: Vec<f64>,
}

struct Meteor {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: Option<JoinHandle<String>>,
    jar: std::path::PathBuf,
}

impl Meteor {
    fn start(jar: &Path) -> Result<Self, Error> {
        let unavailable = |reason: String| Error::JavaMetric {
            metric: "METEOR",
            reason,
        };
        if !jar.is_file() {
            return Err(unavailable(format!(
                "`{}` does not exist (pycocoevalcap ships it as `pycocoevalcap/meteor/meteor-1.5.jar`, with `data/paraphrase-en.gz` next to it)",
                jar.display()
            )));
        }
        let folder = java::jar_folder(jar);
        if !folder.join("data/paraphrase-en.gz").is_file() {
            return Err(unavailable(format!(
                "`{}` is missing: METEOR's paraphrase table must be next to the jar",
                folder.join("data/paraphrase-en.gz").display()
            )));
        }
        let mut child = Command::new("java")
            .args(["-jar", "-Xmx2G"])
            .arg(jar.file_name().unwrap_or(jar.as_os_str()))
            .args(["-", "-", "-stdio", "-l", "en", "-norm"])
            .current_dir(&folder)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| unavailable(java::not_started(&error)))?;
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            unreachable!("all three streams are piped");
        };
        // Java's messages are collected on the side so a full pipe never blocks it.
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            text
        });
        Ok(Self {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr: Some(stderr),
            jar: jar.to_owned(),
        })
    }

    /// The error for a jar that stopped answering, with what Java printed.
    fn failure(&mut self, what: &str) -> Error {
        let _ = self.child.kill();
        let status = self.child.wait().ok();
        let printed = self
            .stderr
            .take()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default();
        let mut message = format!(
            "{what} ({})",
            status.map_or("no exit status".to_owned(), |s| s.to_string())
        );
        let printed = printed.trim();
        if !printed.is_empty() {
            let tail: String = printed
                .lines()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n");
            message.push_str(": java said:\n");
            message.push_str(&tail);
            if printed.contains("Could not reserve enough space")
                || printed.contains("OutOfMemoryError")
            {
                message
                    .push_str("\n(METEOR needs a 2 GB Java heap; free memory or raise the limit)");
            }
        }
        Error::JavaMetricFailed {
            metric: "METEOR",
            jar: self.jar.clone(),
            message,
        }
    }

    fn send(&mut self, line: &str) -> Result<(), Error> {
        let written = self
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.write_all(b"\n"))
            .and_then(|()| self.stdin.flush());
        written.map_err(|_| self.failure("the jar stopped reading its input"))
    }

    fn receive(&mut self) -> Result<String, Error> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) | Err(_) => Err(self.failure("the jar stopped answering")),
            Ok(_) => Ok(line.trim().to_owned()),
        }
    }

    fn receive_score(&mut self) -> Result<f64, Error> {
        let line = self.receive()?;
        line.parse().map_err(|_| {
            self.failure(&format!(
                "the jar answered `{line}` where a score was expected"
            ))
        })
    }
}

impl Drop for Meteor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn meteor(images: &[TokenizedImage], jar: &Path) -> Result<MeteorScores, Error> {
    let mut process = Meteor::start(jar)?;
    let mut evaluate = String::from("EVAL");
    for image in images {
        // meteor.py cleans the hypothesis only.
        let hypothesis = image.candidate.replace("|||", "").replace("  ", " ");
        let line = format!(
            "SCORE ||| {} ||| {hypothesis}",
            image.references.join(" ||| ")
        );
        process.send(&line)?;
        let statistics = process.receive()?;
        evaluate.push_str(" ||| ");
        evaluate.push_str(&statistics);
    }
    process.send(&evaluate)?;
    let per_image = images
        .iter()
        .map(|_| process.receive_score())
        .collect::<Result<Vec<f64>, Error>>()?;
    let corpus = process.receive_score()?;
    Ok(MeteorScores { corpus, per_image })
}
