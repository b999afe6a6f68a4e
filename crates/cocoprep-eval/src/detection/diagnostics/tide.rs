//! TIDE's error breakdown (Bolya et al., "TIDE: A General Toolbox for Identifying Object
//! Detection Errors", ECCV 2020), ported from the `tidecv` 1.0.1 package so that its numbers
//! equal `TIDE().evaluate(datasets.COCO(gt), datasets.COCOResult(results))` followed by
//! `get_main_errors()` / `get_special_errors()`.
//!
//! Every image's detections (at most `max_detections` per image, over all categories) are
//! matched greedily to its non-crowd ground truth of the same category at IoU ≥ the
//! foreground threshold; crowd regions swallow unmatched detections of their category
//! (crowd IoU above the threshold). Each detection that is not a true positive gets one
//! error, tested in this order: background (the image has no ground truth), localisation
//! (same category, background threshold ≤ IoU ≤ foreground threshold), classification
//! (other category, IoU ≥ foreground), duplicate (same category, the object already
//! matched), background (IoU ≤ background threshold with everything), otherwise "both".
//! Objects nothing matched and no localisation or classification error points at are
//! missed. The dAP of an error type is the AP at the foreground threshold (TIDE's own AP:
//! 101-point, in percent, averaged over every category with ground truth or detections)
//! after fixing only the errors of that type, minus the AP before, floored at 0.
//!
//! TIDE's own quirks are kept, since the point is to equal it: its AP differs from
//! COCOeval's AP50 (no precision `eps`, categories with detections but no ground truth
//! count with AP 0, max detections per image rather than per image and category), and a
//! detection swallowed by a crowd region still receives an error (counted, never fixed
//! into a true positive unless it is a localisation or classification error).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use cocoprep_coco::mask::{RunLengthMask, bbox_iou, iou, segmentation_to_mask};
use cocoprep_coco::{Annotation, BBoxXywh, CategoryId, Dataset, Image, ImageId};

use crate::detection::error::EvalError;
use crate::detection::params::IouType;

/// TIDE's error types, in its order (`TIDE._error_types`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TideErrorKind {
    /// Right place, wrong category (`Cls`).
    Classification,
    /// Right category, poorly localised (`Loc`).
    Localisation,
    /// Wrong category and poorly localised (`Both`).
    Both,
    /// A second detection of an already detected object (`Dupe`).
    Duplicate,
    /// A detection on background (`Bkg`).
    Background,
    /// An object no detection found (`Miss`).
    Missed,
}

impl TideErrorKind {
    /// All six, in TIDE's order.
    pub const ALL: [TideErrorKind; 6] = [
        TideErrorKind::Classification,
        TideErrorKind::Localisation,
        TideErrorKind::Both,
        TideErrorKind::Duplicate,
        TideErrorKind::Background,
        TideErrorKind::Missed,
    ];

    /// TIDE's short name (`Cls`, `Loc`, `Both`, `Dupe`, `Bkg`, `Miss`).
    pub fn short_name(self) -> &'static str {
        match self {
            TideErrorKind::Classification => "Cls",
            TideErrorKind::Localisation => "Loc",
            TideErrorKind::Both => "Both",
            TideErrorKind::Duplicate => "Dupe",
            TideErrorKind::Background => "Bkg",
            TideErrorKind::Missed => "Miss",
        }
    }
}

/// What TIDE compares and where its thresholds lie.
#[derive(Clone, Debug, PartialEq)]
pub struct TideOptions {
    /// Boxes or masks (keypoints are not a TIDE mode).
    pub iou_type: IouType,
    /// IoU at which a detection is a true positive (TIDE's `pos_threshold`, 0.5).
    pub foreground_threshold: f64,
    /// IoU at or below which a detection is on background (`background_threshold`, 0.1).
    pub background_threshold: f64,
    /// Detections kept per image, all categories together (`Data.max_dets`, 100 for COCO).
    pub max_detections: usize,
}

impl TideOptions {
    /// TIDE's defaults for `iou_type`: 0.5, 0.1 and 100 detections per image.
    pub fn new(iou_type: IouType) -> Self {
        Self {
            iou_type,
            foreground_threshold: 0.5,
            background_threshold: 0.1,
            max_detections: 100,
        }
    }
}

/// One error type's line of the breakdown.
#[derive(Clone, Debug, PartialEq)]
pub struct TideError {
    /// The type.
    pub kind: TideErrorKind,
    /// How many errors of this type there are.
    pub count: usize,
    /// AP gained (in percent) by fixing them all, floored at 0.
    pub delta_ap: f64,
}

/// TIDE's breakdown of one results file.
#[derive(Clone, Debug, PartialEq)]
pub struct TideReport {
    /// The options it was run with.
    pub options: TideOptions,
    /// TIDE's AP at the foreground threshold, in percent.
    pub ap: f64,
    /// The six main error types, in [`TideErrorKind::ALL`] order.
    pub errors: Vec<TideError>,
    /// AP gained by ranking every false positive below every true positive (`FalsePos`;
    /// not floored).
    pub false_positive_delta_ap: f64,
    /// AP gained by perfect recall without changing precision (`FalseNeg`; not floored).
    pub false_negative_delta_ap: f64,
}

/// Runs TIDE on `results` against `ground_truth`.
pub fn tide(
    ground_truth: &Dataset,
    results: &[Annotation],
    options: &TideOptions,
) -> Result<TideReport, EvalError> {
    if options.iou_type == IouType::Keypoints {
        return Err(EvalError::Params(
            "TIDE compares boxes or masks, not keypoints".to_owned(),
        ));
    }
    let inputs = Inputs::new(ground_truth, results, options)?;
    let outcomes = inputs
        .images
        .par_iter()
        .map(|records| inputs.image_outcome(records))
        .collect::<Result<Vec<_>, EvalError>>()?;

    let mut base = ApData::default();
    let mut false_negatives: FxHashMap<CategoryId, i64> = FxHashMap::default();
    let mut errors: Vec<ErrorRecord> = Vec::new();
    for outcome in outcomes {
        for event in outcome.events {
            match event {
                ApEvent::GroundTruth(class) => base.class(class).gt_positives += 1,
                ApEvent::Detection(class, point) => base.class(class).points.push(point),
                ApEvent::FalseNegative(class) => {
                    base.class(class);
                    *false_negatives.entry(class).or_default() += 1;
                }
            }
        }
        errors.extend(outcome.errors);
    }
    let ap = base.mean_ap();
    let rebuild = |fix: &dyn Fn(&ErrorRecord) -> bool,
                   transform: &dyn Fn(Point) -> Point,
                   subtract_false_negatives: bool| {
        let mut fixed = ApData::default();
        let mut gt_positives: Vec<i64> = base.classes.iter().map(|c| c.gt_positives).collect();
        for error in &errors {
            let point = if fix(error) {
                match error.fixed {
                    Fixed::Removed => None,
                    Fixed::Point(class, point) => Some((class, point)),
                    Fixed::FoundObject(class) => {
                        gt_positives[base.index[&class]] -= 1;
                        None
                    }
                }
            } else {
                error.original
            };
            if let Some((class, point)) = point {
                fixed.class(class).points.push(transform(point));
            }
        }
        for data in &base.classes {
            for point in data.points.iter().filter(|point| point.correct) {
                fixed.class(data.class).points.push(transform(*point));
            }
        }
        for (data, mut positives) in base.classes.iter().zip(gt_positives) {
            if subtract_false_negatives {
                positives -= false_negatives.get(&data.class).copied().unwrap_or(0);
            }
            fixed.class(data.class).gt_positives += positives;
        }
        fixed.mean_ap()
    };
    let keep = |point: Point| point;
    let report_errors = TideErrorKind::ALL
        .iter()
        .map(|&kind| TideError {
            kind,
            count: errors.iter().filter(|error| error.kind == kind).count(),
            delta_ap: (rebuild(&|error| error.kind == kind, &keep, false) - ap).max(0.0),
        })
        .collect();
    let rank_false_positives_last = |point: Point| Point {
        score: if point.correct { 1.0 } else { 0.0 },
        ..point
    };
    let false_positive_delta_ap = rebuild(&|_| false, &rank_false_positives_last, false) - ap;
    let false_negative_delta_ap = rebuild(&|_| false, &keep, true) - ap;
    Ok(TideReport {
        options: options.clone(),
        ap,
        errors: report_errors,
        false_positive_delta_ap,
        false_negative_delta_ap,
    })
}

/// A detection on the precision-recall curve of its category.
#[derive(Clone, Copy, Debug)]
struct Point {
    score: f64,
    correct: bool,
}

/// What one image adds to the AP data, in the order TIDE adds it (the order decides
/// which category comes first in the mean, and which of equal scores first on a curve).
enum ApEvent {
    GroundTruth(CategoryId),
    Detection(CategoryId, Point),
    FalseNegative(CategoryId),
}

/// What fixing an error does to the AP data.
#[derive(Clone, Copy)]
enum Fixed {
    /// The detection leaves the curve.
    Removed,
    /// The detection becomes a true positive of this category.
    Point(CategoryId, Point),
    /// A missed object leaves its category's count.
    FoundObject(CategoryId),
}

struct ErrorRecord {
    kind: TideErrorKind,
    /// The detection's point before fixing (`None` for missed objects and detections a
    /// crowd region swallowed).
    original: Option<(CategoryId, Point)>,
    fixed: Fixed,
}

struct ImageOutcome {
    events: Vec<ApEvent>,
    errors: Vec<ErrorRecord>,
}

/// TIDE's `ClassedAPDataObject`: per category, in the order categories were first touched.
#[derive(Default)]
struct ApData {
    classes: Vec<ClassData>,
    index: FxHashMap<CategoryId, usize>,
}

struct ClassData {
    class: CategoryId,
    points: Vec<Point>,
    gt_positives: i64,
}

impl ApData {
    fn class(&mut self, class: CategoryId) -> &mut ClassData {
        let next = self.classes.len();
        let at = *self.index.entry(class).or_insert(next);
        if at == next {
            self.classes.push(ClassData {
                class,
                points: Vec::new(),
                gt_positives: 0,
            });
        }
        &mut self.classes[at]
    }

    /// `get_mAP`: the mean over categories that have detections or ground truth, summed
    /// in order as Python's `sum` does.
    fn mean_ap(&self) -> f64 {
        let aps: Vec<f64> = self
            .classes
            .iter()
            .filter(|data| !(data.points.is_empty() && data.gt_positives == 0))
            .map(|data| class_ap(&data.points, data.gt_positives))
            .collect();
        if aps.is_empty() {
            return 0.0;
        }
        aps.iter().fold(0.0, |sum, ap| sum + ap) / aps.len() as f64
    }
}

/// `APDataObject.get_ap`: 101-point interpolated AP in percent, precision without eps.
fn class_ap(points: &[Point], gt_positives: i64) -> f64 {
    if gt_positives == 0 {
        return 0.0;
    }
    let mut sorted = points.to_vec();
    // Python's `sort(key=-score)` is stable.
    sorted.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let (mut true_count, mut false_count) = (0u64, 0u64);
    let mut precisions = Vec::with_capacity(sorted.len());
    let mut recalls = Vec::with_capacity(sorted.len());
    for point in &sorted {
        if point.correct {
            true_count += 1;
        } else {
            false_count += 1;
        }
        precisions.push(true_count as f64 / (true_count + false_count) as f64);
        recalls.push(true_count as f64 / gt_positives as f64);
    }
    for i in (1..precisions.len()).rev() {
        if precisions[i] > precisions[i - 1] {
            precisions[i - 1] = precisions[i];
        }
    }
    // `x / 100` in Python, not `np.linspace(0, 1, 101)` (they differ in the last bit).
    let mut sum = 0.0;
    let mut position = 0;
    for step in 0..=100u32 {
        let recall = f64::from(step) / 100.0;
        while position < recalls.len() && recalls[position] < recall {
            position += 1;
        }
        if position < precisions.len() {
            sum += precisions[position];
        }
    }
    sum / 101.0 * 100.0
}

/// A ground-truth object or crowd region.
struct Truth<'a> {
    annotation: &'a Annotation,
    index: usize,
    class: CategoryId,
}

/// A detection.
struct Prediction<'a> {
    annotation: &'a Annotation,
    index: usize,
    class: CategoryId,
    score: f64,
}

struct ImageRecords<'a> {
    image: &'a Image,
    truths: Vec<Truth<'a>>,
    predictions: Vec<Prediction<'a>>,
}

struct Inputs<'a> {
    options: &'a TideOptions,
    /// The ground truth's images in file order (the first of duplicate ids).
    images: Vec<ImageRecords<'a>>,
}

impl<'a> Inputs<'a> {
    fn new(
        ground_truth: &'a Dataset,
        results: &'a [Annotation],
        options: &'a TideOptions,
    ) -> Result<Self, EvalError> {
        let mut position: FxHashMap<ImageId, usize> = FxHashMap::default();
        let mut images = Vec::new();
        for image in &ground_truth.images {
            position.entry(image.id).or_insert_with(|| {
                images.push(ImageRecords {
                    image,
                    truths: Vec::new(),
                    predictions: Vec::new(),
                });
                images.len() - 1
            });
        }
        let categories: rustc_hash::FxHashSet<CategoryId> = ground_truth
            .categories
            .iter()
            .map(|category| category.id)
            .collect();
        for (index, annotation) in ground_truth.annotations.iter().enumerate() {
            let (Some(&at), Some(class)) =
                (position.get(&annotation.image_id), annotation.category_id)
            else {
                continue;
            };
            let missing = |member, why| EvalError::MissingGroundTruthMember {
                index,
                id: annotation.id.map_or(0, |id| id.0),
                member,
                why,
            };
            match options.iou_type {
                IouType::Segm if annotation.segmentation.is_none() => {
                    return Err(missing("segmentation", "TIDE's mask mode compares masks"));
                }
                IouType::Bbox if annotation.bbox.is_none() => {
                    return Err(missing("bbox", "TIDE's box mode compares boxes"));
                }
                _ => {}
            }
            images[at].truths.push(Truth {
                annotation,
                index,
                class,
            });
        }
        for (index, annotation) in results.iter().enumerate() {
            let missing = |member, why| EvalError::MissingResultMember { index, member, why };
            let at = *position
                .get(&annotation.image_id)
                .ok_or(EvalError::UnknownImage {
                    index,
                    image_id: annotation.image_id.0,
                })?;
            let class = annotation
                .category_id
                .ok_or_else(|| missing("category_id", "every detection names its category"))?;
            if !categories.contains(&class) {
                return Err(EvalError::UnknownCategory {
                    index,
                    category_id: class.0,
                });
            }
            let score = annotation
                .score
                .ok_or_else(|| missing("score", "detections are ranked by it"))?;
            if !score.is_finite() {
                return Err(EvalError::BadScore { index, score });
            }
            match options.iou_type {
                IouType::Segm if annotation.segmentation.is_none() => {
                    return Err(missing("segmentation", "TIDE's mask mode compares masks"));
                }
                IouType::Bbox if annotation.bbox.is_none() => {
                    return Err(missing("bbox", "TIDE's box mode compares boxes"));
                }
                _ => {}
            }
            images[at].predictions.push(Prediction {
                annotation,
                index,
                class,
                score,
            });
        }
        Ok(Self { options, images })
    }

    /// `iou(detections, truths, crowd)` in the options' mode, `[d * G + g]`.
    fn overlaps(
        &self,
        image: &Image,
        predictions: &[&Prediction<'_>],
        truths: &[&Truth<'_>],
        crowd: bool,
    ) -> Result<Vec<f64>, EvalError> {
        if predictions.is_empty() || truths.is_empty() {
            return Ok(Vec::new());
        }
        let flags = vec![crowd; truths.len()];
        match self.options.iou_type {
            IouType::Segm => {
                let mask = |annotation: &Annotation, record: String| {
                    let segmentation = annotation.segmentation.as_ref().expect("checked");
                    segmentation_to_mask(
                        segmentation,
                        image.height.zip(image.width),
                        annotation.image_id,
                    )
                    .map_err(|source| EvalError::Mask { record, source })
                };
                let dt: Vec<RunLengthMask> = predictions
                    .iter()
                    .map(|p| mask(p.annotation, format!("results[{}]", p.index)))
                    .collect::<Result<_, _>>()?;
                let gt: Vec<RunLengthMask> = truths
                    .iter()
                    .map(|t| mask(t.annotation, format!("annotations[{}]", t.index)))
                    .collect::<Result<_, _>>()?;
                Ok(iou(&dt, &gt, &flags))
            }
            _ => {
                let boxes = |annotations: &mut dyn Iterator<Item = &Annotation>| {
                    annotations
                        .map(|annotation| annotation.bbox.expect("checked"))
                        .collect::<Vec<BBoxXywh>>()
                };
                let dt = boxes(&mut predictions.iter().map(|p| p.annotation));
                let gt = boxes(&mut truths.iter().map(|t| t.annotation));
                Ok(bbox_iou(&dt, &gt, &flags))
            }
        }
    }

    /// `TIDERun._eval_image` with `TIDEExample`.
    fn image_outcome(&self, records: &ImageRecords<'_>) -> Result<ImageOutcome, EvalError> {
        let (positive, background) = (
            self.options.foreground_threshold,
            self.options.background_threshold,
        );
        let mut events = Vec::new();
        let mut errors = Vec::new();
        let objects: Vec<&Truth<'_>> = records
            .truths
            .iter()
            .filter(|truth| !truth.annotation.is_crowd())
            .collect();
        let crowds: Vec<&Truth<'_>> = records
            .truths
            .iter()
            .filter(|truth| truth.annotation.is_crowd())
            .collect();
        events.extend(
            objects
                .iter()
                .map(|truth| ApEvent::GroundTruth(truth.class)),
        );
        if records.predictions.is_empty() {
            for truth in &objects {
                events.push(ApEvent::FalseNegative(truth.class));
                errors.push(missed(truth.class));
            }
            return Ok(ImageOutcome { events, errors });
        }
        let mut predictions: Vec<&Prediction<'_>> = records.predictions.iter().collect();
        predictions.sort_by(|a, b| {
            b.score
                .partial_cmp(&a.score)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        predictions.truncate(self.options.max_detections);
        let (d_count, g_count) = (predictions.len(), objects.len());
        let overlaps = self.overlaps(records.image, &predictions, &objects, false)?;
        let same_class = |d: usize, g: usize| predictions[d].class == objects[g].class;
        // `gt_iou * gt_cls_matching`, and so on: numpy multiplies by 0 or 1.
        let class_overlap = |d: usize, g: usize| {
            if same_class(d, g) {
                overlaps[d * g_count + g]
            } else {
                0.0
            }
        };
        // `Some(true)` true positive, `Some(false)` false positive, `None` ignored.
        let mut used: Vec<Option<bool>> = vec![Some(false); d_count];
        let mut object_used = vec![false; g_count];
        let mut matched_with: Vec<Option<usize>> = vec![None; g_count];
        if g_count > 0 {
            let mut buffer: Vec<f64> = (0..d_count * g_count)
                .map(|at| class_overlap(at / g_count, at % g_count))
                .collect();
            for d in 0..d_count {
                let row = &buffer[d * g_count..(d + 1) * g_count];
                let g = argmax(row);
                if row[g] >= positive {
                    used[d] = Some(true);
                    object_used[g] = true;
                    matched_with[g] = Some(d);
                    for d2 in 0..d_count {
                        buffer[d2 * g_count + g] = 0.0;
                    }
                }
            }
        }
        for crowd in &crowds {
            let crowd_overlap = self.overlaps(records.image, &predictions, &[crowd], true)?;
            for d in 0..d_count {
                if used[d] != Some(true)
                    && crowd_overlap[d] > positive
                    && crowd.class == predictions[d].class
                {
                    used[d] = None;
                }
            }
        }
        // `BestGTMatch`: per object, whether an error may fix it and the best-scoring one.
        let mut usable = vec![false; g_count];
        let mut best: Vec<(f64, Option<usize>)> = vec![(-1.0, None); g_count];
        // (kind, detection, object whose match fixes it)
        let mut pending: Vec<(TideErrorKind, usize, Option<usize>)> = Vec::new();
        for (d, prediction) in predictions.iter().enumerate() {
            let point = |correct| Point {
                score: prediction.score,
                correct,
            };
            if let Some(correct) = used[d] {
                events.push(ApEvent::Detection(prediction.class, point(correct)));
            }
            if used[d] == Some(true) {
                continue;
            }
            let row = |value: &dyn Fn(usize) -> f64| -> (usize, f64) {
                let values: Vec<f64> = (0..g_count).map(value).collect();
                let g = argmax(&values);
                (g, values[g])
            };
            let mut claim = |g: usize| {
                if object_used[g] {
                    return None;
                }
                usable[g] = true;
                if best[g].0 < prediction.score {
                    best[g] = (prediction.score, Some(d));
                }
                Some(g)
            };
            let (kind, object) = 'classify: {
                if g_count == 0 {
                    break 'classify (TideErrorKind::Background, None);
                }
                let (g, value) = row(&|g| class_overlap(d, g));
                if background <= value && value <= positive {
                    break 'classify (TideErrorKind::Localisation, claim(g));
                }
                let (g, value) = row(&|g| {
                    if same_class(d, g) {
                        0.0
                    } else {
                        overlaps[d * g_count + g]
                    }
                });
                if value >= positive {
                    break 'classify (TideErrorKind::Classification, claim(g));
                }
                let (_, value) = row(&|g| {
                    if object_used[g] {
                        class_overlap(d, g)
                    } else {
                        0.0
                    }
                });
                if value >= positive {
                    break 'classify (TideErrorKind::Duplicate, None);
                }
                let (_, value) = row(&|g| overlaps[d * g_count + g]);
                if value <= background {
                    break 'classify (TideErrorKind::Background, None);
                }
                (TideErrorKind::Both, None)
            };
            pending.push((kind, d, object));
        }
        for (kind, d, object) in pending {
            let prediction = predictions[d];
            let original = used[d].map(|correct| {
                (
                    prediction.class,
                    Point {
                        score: prediction.score,
                        correct,
                    },
                )
            });
            let fixed = match (kind, object) {
                (TideErrorKind::Classification | TideErrorKind::Localisation, Some(g))
                    if best[g].1 == Some(d) =>
                {
                    let class = if kind == TideErrorKind::Classification {
                        objects[g].class
                    } else {
                        prediction.class
                    };
                    Fixed::Point(
                        class,
                        Point {
                            score: prediction.score,
                            correct: true,
                        },
                    )
                }
                _ => Fixed::Removed,
            };
            errors.push(ErrorRecord {
                kind,
                original,
                fixed,
            });
        }
        for (g, truth) in objects.iter().enumerate() {
            if !object_used[g] {
                events.push(ApEvent::FalseNegative(truth.class));
                if !usable[g] {
                    errors.push(missed(truth.class));
                }
            }
        }
        Ok(ImageOutcome { events, errors })
    }
}

fn missed(class: CategoryId) -> ErrorRecord {
    ErrorRecord {
        kind: TideErrorKind::Missed,
        original: None,
        fixed: Fixed::FoundObject(class),
    }
}

/// `np.argmax`: the first position of the largest value (0 for an empty row).
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (at, &value) in values.iter().enumerate() {
        if value > values[best] {
            best = at;
        }
    }
    best
}
