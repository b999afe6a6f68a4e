//! Document frequencies: for every image, each distinct n-gram (n = 1..4) of its
//! references counts once.

use cocoprep_base::progress::{Reporter, TaskId};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::MAX_NGRAM;
use super::atoms::AtomTable;
use crate::karpathy::{KarpathyDataset, KarpathyImage};

/// An n-gram of up to four atoms, packed as `atom + 1` per 32-bit lane, first atom in the
/// lowest lane; an empty lane (0) ends the n-gram.
pub(super) type Ngram = u128;

fn pack(atoms: &[u32]) -> Ngram {
    atoms.iter().enumerate().fold(0, |packed, (lane, &atom)| {
        packed | (u128::from(atom) + 1) << (32 * lane)
    })
}

pub(super) fn unpack(ngram: Ngram) -> impl Iterator<Item = u32> {
    (0..MAX_NGRAM)
        .map(move |lane| (ngram >> (32 * lane)) as u32)
        .take_while(|&lane| lane != 0)
        .map(|lane| lane - 1)
}

pub(super) fn length(ngram: Ngram) -> usize {
    unpack(ngram).count()
}

/// Document frequencies over the selected images, sorted by n-gram length, then atoms.
pub(super) fn document_frequency(
    dataset: &KarpathyDataset,
    selected: &[usize],
    table: &AtomTable,
    reporter: &dyn Reporter,
    task: TaskId,
) -> Vec<(Ngram, u32)> {
    const IMAGES_PER_CHUNK: usize = 1024;
    let counts = selected
        .par_chunks(IMAGES_PER_CHUNK)
        .fold(
            || (FxHashMap::<Ngram, u32>::default(), Vec::new(), Vec::new()),
            |(mut counts, mut grams, mut atoms), chunk| {
                for &index in chunk {
                    image_ngrams(
                        dataset,
                        &dataset.images()[index],
                        table,
                        &mut grams,
                        &mut atoms,
                    );
                    for &gram in &grams {
                        *counts.entry(gram).or_insert(0) += 1;
                    }
                }
                reporter.on_task_progress(task, chunk.len() as u64);
                (counts, grams, atoms)
            },
        )
        .map(|(counts, _, _)| counts)
        .reduce(FxHashMap::default, |mut larger, mut smaller| {
            if larger.len() < smaller.len() {
                std::mem::swap(&mut larger, &mut smaller);
            }
            for (gram, count) in smaller {
                *larger.entry(gram).or_insert(0) += count;
            }
            larger
        });
    let mut entries: Vec<(Ngram, u32)> = counts.into_iter().collect();
    entries.par_sort_unstable_by_key(|&(gram, _)| sort_key(gram));
    entries
}

/// Orders n-grams by length, then by their atoms from the first.
fn sort_key(gram: Ngram) -> (usize, [u32; MAX_NGRAM]) {
    let mut atoms = [0; MAX_NGRAM];
    for (slot, atom) in atoms.iter_mut().zip(unpack(gram)) {
        *slot = atom;
    }
    (length(gram), atoms)
}

/// The distinct n-grams of one image's references, into `grams` (`atoms` is scratch).
fn image_ngrams(
    dataset: &KarpathyDataset,
    image: &KarpathyImage,
    table: &AtomTable,
    grams: &mut Vec<Ngram>,
    atoms: &mut Vec<u32>,
) {
    grams.clear();
    for sentence in dataset.sentences(image) {
        atoms.clear();
        for &word in sentence.tokens() {
            atoms.extend_from_slice(table.atoms(word));
        }
        atoms.extend_from_slice(&table.end);
        for size in 1..=MAX_NGRAM.min(atoms.len()) {
            grams.extend(atoms.windows(size).map(pack));
        }
    }
    grams.sort_unstable();
    grams.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ngrams_pack_and_unpack() {
        let gram = pack(&[0, 7, u32::MAX - 1]);
        assert_eq!(unpack(gram).collect::<Vec<_>>(), vec![0, 7, u32::MAX - 1]);
        assert_eq!(length(gram), 3);
        assert!(sort_key(pack(&[9])) < sort_key(pack(&[0, 0])));
    }
}
