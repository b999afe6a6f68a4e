//! A list of names (`cocoprep targets names`) encoded straight into its target-set pickle
//! and JSON: no id list is kept once its bytes are made, and the files are written while
//! the next names are encoded.
//!
//! The names are cut into chunks of [`APPEND_BATCH_SIZE`] (one `APPENDS` batch of the
//! pickle's `data` list). Each worker of the rayon pool takes the next chunk in order,
//! encodes it and makes its pickle and JSON bytes; one writer thread per file (outside the
//! pool, so that a core never waits for the disk) writes the chunks in order, syncing as
//! it goes so that the final fsync has only the last part left. The bytes are those of
//! [`write_with_json`](crate::targets::write_with_json) on the encoded list.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, PoisonError};

use cocoprep_base::AtomicFile;

use crate::error::Error;
use crate::targets::{END_OF_TEXT_SUFFIX, push_list};
use crate::tokenizer::{ClipTokenizer, Encoder};
use crate::torch_pickle::{
    APPEND_BATCH_SIZE, TensorTemplates, append_batch_frame, target_set_head_and_tail,
};

/// A writer waits for the bytes written since its last sync to reach the disk once they
/// pass this (the fsync at the end then has at most this much left).
const SYNC_BYTES: u64 = 64 << 20;

/// [`write_names`] of the lines of the file `names` ([`names`](crate::targets::names)) with
/// the shared tokenizer, whose merges are indexed while the file is read. Returns how many
/// names were written.
pub fn write_names_file(names: &Path, path: &Path, json: Option<&Path>) -> Result<usize, Error> {
    let (tokenizer, text) = rayon::join(ClipTokenizer::shared, || {
        std::fs::read_to_string(names).map_err(|source| Error::Read {
            path: names.to_owned(),
            source,
        })
    });
    let tokenizer = tokenizer.map_err(|error| Error::Tokenizer {
        message: error.to_string(),
    })?;
    let text = text?;
    let names = crate::targets::names(&text);
    write_names(tokenizer, &names, path, json)?;
    Ok(names.len())
}

/// Encodes every name as `name + " <|endoftext|>"` and writes the target-set pickle of the
/// ids to `path` and, when `json` is given, their JSON there. Each file is written under a
/// temporary name, fsynced and renamed: it is complete under its name or absent.
pub fn write_names(
    tokenizer: &ClipTokenizer,
    names: &[&str],
    path: &Path,
    json: Option<&Path>,
) -> Result<(), Error> {
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Write { path, source }
    };
    let (head, tail) = target_set_head_and_tail().map_err(write_error(path))?;
    let frame = append_batch_frame().map_err(write_error(path))?;
    let pickle_file = AtomicFile::create_unbuffered(path).map_err(write_error(path))?;
    let json_file = json
        .map(|json| AtomicFile::create_unbuffered(json).map_err(write_error(json)))
        .transpose()?;

    let chunk_count = names.len().div_ceil(APPEND_BATCH_SIZE);
    let next_chunk = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let pickle_buffers = BufferPool::default();
    let json_buffers = BufferPool::default();
    std::thread::scope(|scope| {
        let (pickle_sender, pickle_chunks) = mpsc::channel();
        let pickle_writer = {
            let (stop, buffers) = (&stop, &pickle_buffers);
            scope.spawn(move || {
                write_in_order(
                    pickle_file,
                    (&head, &tail),
                    chunk_count,
                    pickle_chunks,
                    buffers,
                    stop,
                )
            })
        };
        let (json_sender, json_chunks) = mpsc::channel();
        let json_writer = json_file.map(|file| {
            let (stop, buffers) = (&stop, &json_buffers);
            scope.spawn(move || {
                write_in_order(file, (b"[", b"]"), chunk_count, json_chunks, buffers, stop)
            })
        });
        let json_sender = json.is_some().then_some(json_sender);
        rayon::broadcast(|_| {
            let mut maker = ChunkMaker::new(tokenizer, frame);
            loop {
                let index = next_chunk.fetch_add(1, Ordering::Relaxed);
                if index >= chunk_count || stop.load(Ordering::Relaxed) {
                    break;
                }
                let start = index * APPEND_BATCH_SIZE;
                let chunk = &names[start..names.len().min(start + APPEND_BATCH_SIZE)];
                maker.encode(chunk);
                let pickle = maker.pickle(pickle_buffers.take());
                let failed = pickle.is_err();
                let mut sent = pickle_sender.send((index, pickle)).is_ok();
                if let Some(sender) = &json_sender {
                    let text = maker.json(json_buffers.take(), index == 0);
                    sent &= sender.send((index, Ok(text))).is_ok();
                }
                if failed || !sent {
                    // The pickle writer reports the failure; a writer that stopped
                    // listening has failed and reports why.
                    stop.store(true, Ordering::Relaxed);
                }
            }
        });
        drop(pickle_sender);
        drop(json_sender);
        let pickle = pickle_writer
            .join()
            .expect("the pickle writer does not panic");
        let json_result = json_writer.map_or(Ok(()), |writer| {
            writer.join().expect("the JSON writer does not panic")
        });
        // A writer stopped by the other's failure says so; the other's error is the cause.
        match (pickle, json_result) {
            (Err(error), Err(json_error)) if error.kind() == io::ErrorKind::Interrupted => {
                Err(write_error(json.unwrap_or(path))(json_error))
            }
            (pickle, json_result) => pickle
                .map_err(write_error(path))
                .and(json_result.map_err(write_error(json.unwrap_or(path)))),
        }
    })
}

/// One worker's encoder and buffers: a chunk of names encoded, then its bytes made.
struct ChunkMaker<'t> {
    encoder: Encoder<'t>,
    templates: TensorTemplates,
    /// `MARK` and `APPENDS`.
    frame: (u8, u8),
    /// The ids of the chunk's names, one after another; name i's end at `ends[i]`.
    ids: Vec<u32>,
    ends: Vec<usize>,
}

impl<'t> ChunkMaker<'t> {
    fn new(tokenizer: &'t ClipTokenizer, frame: (u8, u8)) -> Self {
        Self {
            encoder: Encoder::new(tokenizer),
            templates: TensorTemplates::default(),
            frame,
            ids: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn encode(&mut self, names: &[&str]) {
        self.ids.clear();
        self.ends.clear();
        for name in names {
            self.encoder
                .encode_with_suffix(name, END_OF_TEXT_SUFFIX, &mut self.ids);
            self.ends.push(self.ids.len());
        }
    }

    /// Each name's ids.
    fn lists(&self) -> impl Iterator<Item = &[u32]> {
        self.ends.iter().scan(0, |begin, &end| {
            Some(&self.ids[std::mem::replace(begin, end)..end])
        })
    }

    /// The chunk's `APPENDS` batch of tensors, into `out`.
    fn pickle(&mut self, mut out: Vec<u8>) -> io::Result<Vec<u8>> {
        out.push(self.frame.0);
        let mut templates = std::mem::take(&mut self.templates);
        let written = self
            .lists()
            .try_for_each(|list| templates.push(&mut out, list));
        self.templates = templates;
        written?;
        out.push(self.frame.1);
        Ok(out)
    }

    /// The chunk's id lists as JSON list items (after `, ` unless `first`), into `out`.
    fn json(&self, mut out: Vec<u8>, first: bool) -> Vec<u8> {
        for (position, list) in self.lists().enumerate() {
            if !(first && position == 0) {
                out.extend_from_slice(b", ");
            }
            push_list(&mut out, list);
        }
        out
    }
}

/// Buffers given back by a writer once written, for the next chunk's bytes: their pages are
/// faulted in once, not once per chunk.
#[derive(Default)]
struct BufferPool(Mutex<Vec<Vec<u8>>>);

impl BufferPool {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    fn give_back(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(buffer);
    }
}

/// A chunk's bytes, by chunk index (or why they could not be made).
type Chunk = (usize, io::Result<Vec<u8>>);

/// Writes `head`, the `chunk_count` chunks in index order as they arrive, then `tail`, and
/// commits. On an error, or when the chunks stop coming before the last (another writer
/// failed), tells the workers to `stop` and drops the file (its temporary is removed).
fn write_in_order(
    mut file: AtomicFile,
    (head, tail): (&[u8], &[u8]),
    chunk_count: usize,
    chunks: Receiver<Chunk>,
    buffers: &BufferPool,
    stop: &AtomicBool,
) -> io::Result<()> {
    let result = (|| {
        file.write_all(head)?;
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        let mut unsynced = 0u64;
        for (index, bytes) in chunks {
            waiting.insert(index, bytes?);
            while let Some(bytes) = waiting.remove(&next) {
                file.write_all(&bytes)?;
                unsynced += bytes.len() as u64;
                buffers.give_back(bytes);
                next += 1;
                if unsynced >= SYNC_BYTES {
                    file.sync_data()?;
                    unsynced = 0;
                }
            }
        }
        if next != chunk_count {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "stopped before every name was written",
            ));
        }
        file.write_all(tail)
    })();
    match result {
        Ok(()) => file.commit(),
        Err(error) => {
            stop.store(true, Ordering::Relaxed);
            Err(error)
        }
    }
}
