//! The n-gram pickles.

use std::io::Write;

use cocoprep_formats::pickle::{Global, MemoId, Pickler};

use super::frequency::{Ngram, length, unpack};

/// Writes `{'document_frequency': defaultdict(float, {...}), 'ref_len': images}`.
pub(super) fn write_pickle<W: Write>(
    out: W,
    frequencies: &[(Ngram, u32)],
    names: &[String],
    images: usize,
) -> std::io::Result<()> {
    let mut pickler = Pickler::new(out)?;
    // Each word is written once and referred to from every n-gram holding it, as in the
    // pickles Python makes (there the n-grams share the word objects).
    let mut memo: Vec<Option<MemoId>> = vec![None; names.len()];
    pickler.empty_dict()?;
    pickler.mark()?;
    pickler.str("document_frequency")?;
    pickler.global(&Global::DEFAULT_DICT.module, &Global::DEFAULT_DICT.name)?;
    pickler.begin_tuple(1)?;
    pickler.global(&Global::FLOAT.module, &Global::FLOAT.name)?;
    pickler.end_tuple(1)?;
    pickler.reduce()?;
    pickler.set_items(frequencies, |pickler, &(gram, count)| {
        let size = length(gram);
        pickler.begin_tuple(size)?;
        for atom in unpack(gram) {
            match memo[atom as usize] {
                Some(id) => pickler.get(id)?,
                None => {
                    pickler.str(&names[atom as usize])?;
                    memo[atom as usize] = Some(pickler.memoize()?);
                }
            }
        }
        pickler.end_tuple(size)?;
        pickler.float(f64::from(count))
    })?;
    pickler.str("ref_len")?;
    pickler.int(images as i64)?;
    pickler.set_items_from_mark()?;
    pickler.finish()?;
    Ok(())
}
