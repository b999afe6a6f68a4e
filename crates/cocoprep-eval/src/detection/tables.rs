//! The ground truth and the results as COCOeval walks them: compact records sorted by
//! (group, image, pooled category, file order), made while the files are read
//! ([`GroundTruthTable::read`], [`ResultsTable::read`]: the parse trees are never held
//! whole) or from annotations already in memory.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use cocoprep_base::progress::Reporter;
use cocoprep_coco::{
    Annotation, CategoryId, Dataset, ReadOptions, read_dataset, read_dataset_mapped,
};
use rayon::prelude::*;

use super::error::EvalError;
use super::federated::{Federation, area_is_evaluated, looks_like_lvis};
use super::params::{Federated, IouType, Params};
use super::records::{
    Detection, GroundTruth, ImageEntry, Lookup, ResultKind, detection_record, ground_truth_record,
    unknown_kind,
};

/// A ground truth ready to evaluate: its images and categories and, per annotation of a
/// known image and category, the members the IoU type compares.
pub struct GroundTruthTable<'a> {
    pub(crate) params: Params,
    pub(crate) lookup: Lookup,
    /// Sorted by [`group_key`].
    pub(crate) records: Vec<GroundTruth<'a>>,
    /// LVIS' per-image category lists, for an LVIS evaluation.
    pub(crate) federation: Option<Federation>,
}

/// Results ready to evaluate against one [`GroundTruthTable`].
pub struct ResultsTable<'a> {
    /// Sorted by [`group_key`].
    pub(crate) records: Vec<Detection<'a>>,
}

impl GroundTruthTable<'static> {
    /// Reads a ground-truth file, keeping of each annotation only what an evaluation
    /// with `params` reads. The returned dataset holds the file's images, categories and
    /// other members (not its annotations).
    pub fn read(
        path: &Path,
        params: &Params,
        options: &ReadOptions,
        reporter: &dyn Reporter,
    ) -> Result<(Self, Dataset), EvalError> {
        check_params(params)?;
        let map = |index: usize, annotation: Annotation| {
            ground_truth_record(Cow::Owned(annotation), index, params)
        };
        let (dataset, records) = read_dataset_mapped(path, options, reporter, &map)?;
        let table = Self::from_records(&dataset, records, params)?;
        Ok((table, dataset))
    }
}

impl<'a> GroundTruthTable<'a> {
    /// The table of a ground truth already in memory (its annotations are borrowed).
    pub fn new(ground_truth: &'a Dataset, params: &Params) -> Result<Self, EvalError> {
        check_params(params)?;
        let records: Vec<GroundTruth<'a>> = ground_truth
            .annotations
            .par_iter()
            .enumerate()
            .filter_map(|(index, annotation)| {
                ground_truth_record(Cow::Borrowed(annotation), index, params)
            })
            .collect();
        Self::from_records(ground_truth, records, params)
    }

    fn from_records(
        dataset: &Dataset,
        mut records: Vec<GroundTruth<'a>>,
        params: &Params,
    ) -> Result<Self, EvalError> {
        let lookup = lookup(dataset);
        let params = resolve_federated(params, dataset)?;
        let lvis = params.is_lvis();
        records.retain_mut(|record| {
            let image = lookup.image_index.get(&record.image_id);
            let category = lookup.category_index.get(&record.category_id);
            match (image, category) {
                (Some(&image), Some(&category)) => {
                    record.image = image;
                    record.category = category;
                    if lvis {
                        // LVIS has no crowd regions: `iscrowd` is not read, the file's
                        // own `ignore` is, and objects without a positive finite area
                        // are not evaluated (`get_ann_ids`).
                        record.crowd = false;
                        record.ignore = record.ignore_member;
                        return record.defect.is_some() || area_is_evaluated(record.area);
                    }
                    true
                }
                _ => false,
            }
        });
        records.shrink_to_fit();
        sort_records(&mut records, |record| {
            group_key(&params, record.category, record.image, record.index)
        });
        let federation = if lvis {
            let mut federation = Federation::new(dataset, &lookup)?;
            let mut positive: Vec<Vec<u32>> = vec![Vec::new(); lookup.images.len()];
            // Records are sorted by category first: each image's list comes out sorted.
            for record in records.iter().filter(|record| record.defect.is_none()) {
                let list = &mut positive[record.image as usize];
                if list.last() != Some(&record.category) {
                    list.push(record.category);
                }
            }
            federation.positive = positive.into_iter().map(Vec::into_boxed_slice).collect();
            Some(federation)
        } else {
            None
        };
        Ok(Self {
            params,
            lookup,
            records,
            federation,
        })
    }

    /// The parameters the table was made for.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The evaluated categories' ids, sorted.
    pub fn category_ids(&self) -> &[CategoryId] {
        &self.lookup.category_ids
    }
}

/// `params` with [`Federated::Detect`] decided by the ground truth, and an LVIS
/// evaluation's single max detections.
fn resolve_federated(params: &Params, dataset: &Dataset) -> Result<Params, EvalError> {
    let mut params = params.clone();
    let lvis = match params.federated {
        Federated::Detect => params.iou_type != IouType::Keypoints && looks_like_lvis(dataset),
        Federated::Always => true,
        Federated::Never => false,
    };
    if lvis {
        if params.iou_type == IouType::Keypoints {
            return Err(EvalError::Params(
                "LVIS evaluation compares boxes or masks, not keypoints".to_owned(),
            ));
        }
        params.federated = Federated::Always;
        params.max_detections = vec![params.lvis_max_detections];
    } else {
        params.federated = Federated::Never;
    }
    Ok(params)
}

/// Sorted images and categories of a ground truth, and their positions by id.
fn lookup(dataset: &Dataset) -> Lookup {
    let mut images: Vec<ImageEntry> = dataset
        .images
        .iter()
        .map(|image| ImageEntry {
            id: image.id,
            size: image.height.zip(image.width),
        })
        .collect();
    images.sort_by_key(|image| image.id);
    images.dedup_by_key(|image| image.id);
    let image_index = images
        .iter()
        .enumerate()
        .map(|(index, image)| (image.id, index as u32))
        .collect();
    let mut category_ids: Vec<CategoryId> = dataset
        .categories
        .iter()
        .map(|category| category.id)
        .collect();
    category_ids.sort_unstable();
    category_ids.dedup();
    let category_index = category_ids
        .iter()
        .enumerate()
        .map(|(index, id)| (*id, index as u32))
        .collect();
    Lookup {
        images,
        image_index,
        category_ids,
        category_index,
    }
}

/// The first failure in file order, whichever thread found it.
struct FirstError(Mutex<Option<(usize, EvalError)>>);

impl FirstError {
    fn offer(&self, index: usize, error: EvalError) {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.as_ref().is_none_or(|(first, _)| index < *first) {
            *slot = Some((index, error));
        }
    }

    fn into_result(self) -> Result<(), EvalError> {
        match self
            .0
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
        {
            Some((_, error)) => Err(error),
            None => Ok(()),
        }
    }
}

/// Bit of each [`ResultKind`] (and of "none") in the set of kinds a file's records have.
fn kind_bit(kind: Option<ResultKind>) -> u8 {
    match kind {
        Some(ResultKind::Bbox) => 1,
        Some(ResultKind::Segm) => 2,
        Some(ResultKind::Keypoints) => 4,
        None => 8,
    }
}

impl ResultsTable<'static> {
    /// Reads a results file (checking every record against `ground_truth`, as `loadRes`
    /// does, with an error naming the first bad record), keeping of each result only
    /// what the evaluation reads.
    pub fn read(
        path: &Path,
        ground_truth: &GroundTruthTable<'_>,
        options: &ReadOptions,
        reporter: &dyn Reporter,
    ) -> Result<Self, EvalError> {
        let params = &ground_truth.params;
        let lookup = &ground_truth.lookup;
        // `loadRes` decides the kind of every record by the first one, which a parallel
        // reader has not necessarily seen yet: each record is made with its own kind, and
        // the rare file whose records differ in kind is read again below.
        let kinds = AtomicU8::new(0);
        let first_error = FirstError(Mutex::new(None));
        let map = |index: usize, annotation: Annotation| {
            let kind = ResultKind::of(&annotation);
            kinds.fetch_or(kind_bit(kind), Ordering::Relaxed);
            let Some(kind) = kind else {
                first_error.offer(index, unknown_kind(&annotation));
                return None;
            };
            match detection_record(Cow::Owned(annotation), index, kind, params, lookup) {
                Ok(record) => Some(record),
                Err(error) => {
                    first_error.offer(index, error);
                    None
                }
            }
        };
        let (_, records) = read_dataset_mapped(path, options, reporter, &map)?;
        if kinds.load(Ordering::Relaxed).count_ones() > 1 {
            drop(records);
            let dataset = read_dataset(path, options, reporter)?;
            return Self::from_annotations(
                dataset.annotations.into_iter().map(Cow::Owned),
                ground_truth,
            );
        }
        first_error.into_result()?;
        Ok(Self::from_records(records, ground_truth))
    }
}

impl<'a> ResultsTable<'a> {
    /// The table of results already in memory (borrowed).
    pub fn new(
        results: &'a [Annotation],
        ground_truth: &GroundTruthTable<'_>,
    ) -> Result<Self, EvalError> {
        let Some(first) = results.first() else {
            return Ok(Self {
                records: Vec::new(),
            });
        };
        let kind = ResultKind::of(first).ok_or_else(|| unknown_kind(first))?;
        let checked: Vec<Result<Detection<'a>, EvalError>> = results
            .par_iter()
            .enumerate()
            .map(|(index, annotation)| {
                detection_record(
                    Cow::Borrowed(annotation),
                    index,
                    kind,
                    &ground_truth.params,
                    &ground_truth.lookup,
                )
            })
            .collect();
        // The first bad record in file order, whatever thread found it.
        let records = checked.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_records(records, ground_truth))
    }

    /// The table of owned results, in file order, of any mix of kinds.
    fn from_annotations(
        mut annotations: impl Iterator<Item = Cow<'a, Annotation>>,
        ground_truth: &GroundTruthTable<'_>,
    ) -> Result<Self, EvalError> {
        let Some(first) = annotations.next() else {
            return Ok(Self {
                records: Vec::new(),
            });
        };
        let kind = ResultKind::of(&first).ok_or_else(|| unknown_kind(&first))?;
        let (params, lookup) = (&ground_truth.params, &ground_truth.lookup);
        let records = std::iter::once(first)
            .chain(annotations)
            .enumerate()
            .map(|(index, annotation)| detection_record(annotation, index, kind, params, lookup))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_records(records, ground_truth))
    }

    fn from_records(mut records: Vec<Detection<'a>>, ground_truth: &GroundTruthTable<'_>) -> Self {
        let params = &ground_truth.params;
        if let Some(federation) = &ground_truth.federation {
            federate(&mut records, federation, params.lvis_max_detections);
        }
        records.shrink_to_fit();
        sort_records(&mut records, |record| {
            group_key(params, record.category, record.image, record.index)
        });
        Self { records }
    }
}

/// What LVIS does to results before matching: `LVISResults.limit_dets_per_image` keeps
/// each image's `limit` best-scored detections (across categories; ties to the earlier
/// in the file), then `LVISEval._prepare` drops those without a positive finite area and
/// those of categories neither annotated on the image nor verified absent, and marks
/// those of categories not exhaustively annotated.
fn federate(records: &mut Vec<Detection<'_>>, federation: &Federation, limit: usize) {
    records.par_sort_unstable_by(|a, b| {
        a.image
            .cmp(&b.image)
            .then_with(|| {
                b.score
                    .partial_cmp(&a.score)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .then(a.index.cmp(&b.index))
    });
    let (mut image, mut rank) = (u32::MAX, 0usize);
    records.retain_mut(|record| {
        if record.image != image {
            (image, rank) = (record.image, 0);
        }
        rank += 1;
        if rank > limit {
            return false;
        }
        record.unmatched_ignored = federation.is_not_exhaustive(record.image, record.category);
        area_is_evaluated(record.area) && federation.is_known(record.image, record.category)
    });
}

/// Sorts records by their unique keys. The records are large (a train2017-scale file has
/// millions of them) and a sort moves each many times: the keys are sorted with their
/// positions instead, and each record is then moved once, following the permutation's
/// cycles.
fn sort_records<T: Sync>(records: &mut [T], key: impl Fn(&T) -> (u32, u32, u32, u32) + Sync) {
    let mut keyed: Vec<((u32, u32, u32, u32), u32)> = records
        .par_iter()
        .enumerate()
        .map(|(position, record)| (key(record), position as u32))
        .collect();
    // Unique keys (the file position is the last part): an unstable sort is stable.
    keyed.par_sort_unstable_by_key(|&(key, _)| key);
    let mut source: Vec<u32> = keyed.into_iter().map(|(_, position)| position).collect();
    // `source[i]` is the position of the record that goes to `i`.
    const PLACED: u32 = u32::MAX;
    for start in 0..source.len() {
        if source[start] == PLACED {
            continue;
        }
        let mut current = start;
        loop {
            let from = source[current] as usize;
            source[current] = PLACED;
            if from == start {
                break;
            }
            records.swap(current, from);
            current = from;
        }
    }
}

pub(crate) fn check_params(params: &Params) -> Result<(), EvalError> {
    if params.max_detections.is_empty() {
        return Err(EvalError::Params("no max detections given".to_owned()));
    }
    if params
        .max_detections
        .windows(2)
        .any(|pair| pair[0] > pair[1])
    {
        return Err(EvalError::Params(
            "max detections must be in ascending order".to_owned(),
        ));
    }
    if params.area_ranges.is_empty() {
        return Err(EvalError::Params("no area range given".to_owned()));
    }
    if let Some(range) = params
        .area_ranges
        .iter()
        .find(|r| r.min.is_nan() || r.max.is_nan() || r.min > r.max)
    {
        return Err(EvalError::Params(format!(
            "area range `{}` has minimum {} above maximum {}",
            range.label, range.min, range.max
        )));
    }
    if params.iou_type == IouType::Keypoints && params.keypoint_sigmas.is_empty() {
        return Err(EvalError::Params("no keypoint sigmas".to_owned()));
    }
    Ok(())
}

/// The sort key that puts records in the order COCOeval walks them: by group (category,
/// or one group with `use_categories = false`), by image, then (for pooled categories) by
/// category in id order, then by position in the file.
pub(crate) fn group_key(
    params: &Params,
    category: u32,
    image: u32,
    index: u32,
) -> (u32, u32, u32, u32) {
    if params.use_categories {
        (category, image, 0, index)
    } else {
        (0, image, category, index)
    }
}

/// The group a record's key puts it in.
pub(crate) fn group_of(params: &Params, category: u32) -> u32 {
    if params.use_categories { category } else { 0 }
}
