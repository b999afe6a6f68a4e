//! Ultralytics' `merge_multi_segment`: one polygon from a multi-part object.
//!
//! YOLO segment rows hold one polygon per object, so the parts of a COCO segmentation
//! (an object split by occlusion) are joined by zero-width "bridges" between their closest
//! points: the outline walks part 1 up to the bridge, goes over to part 2, around it, and
//! comes back the same way. This is the 8.4 algorithm, including its fix for middle parts
//! whose two bridge points come in reverse order (older versions reversed the indexes but
//! not the points, producing crossed outlines).

/// Joins `parts` (flat `[x1, y1, x2, y2, ...]` lists, at least two) into one list of
/// points, in Ultralytics' order.
pub fn merge_multi_segment<P: AsRef<[f64]>>(parts: &[P]) -> Vec<[f64; 2]> {
    let mut segments: Vec<Vec<[f64; 2]>> = parts
        .iter()
        .map(|part| {
            part.as_ref()
                .chunks_exact(2)
                .map(|xy| [xy[0], xy[1]])
                .collect()
        })
        .collect();
    let count = segments.len();
    let mut bridges: Vec<Vec<usize>> = vec![Vec::new(); count];
    for index in 1..count {
        let (first, second) = closest_pair(&segments[index - 1], &segments[index]);
        bridges[index - 1].push(first);
        bridges[index].push(second);
    }
    let mut pieces: Vec<Vec<[f64; 2]>> = Vec::with_capacity(2 * count);
    // Forward: every part rotated to start at its first bridge point and closed; middle
    // parts contribute only the stretch between their two bridge points.
    for index in 0..count {
        let mut bridge = bridges[index].clone();
        let segment = &mut segments[index];
        if bridge.len() == 2 && bridge[0] > bridge[1] {
            let last = segment.len() - 1;
            bridge = bridge.iter().map(|&point| last - point).collect();
            segment.reverse();
        }
        segment.rotate_left(bridge[0]);
        let start = segment[0];
        segment.push(start);
        if index == 0 || index == count - 1 {
            pieces.push(segment.clone());
        } else {
            pieces.push(segment[..=bridge[1] - bridge[0]].to_vec());
        }
    }
    // Backward: the rest of each middle part, on the way back.
    for index in (0..count).rev() {
        if index != 0 && index != count - 1 {
            let bridge = &bridges[index];
            let skip = bridge[1].abs_diff(bridge[0]);
            pieces.push(segments[index][skip..].to_vec());
        }
    }
    pieces.concat()
}

/// The indexes of the closest pair of points between `a` and `b`; the first pair in
/// row-major order on ties, like `np.argmin`.
fn closest_pair(a: &[[f64; 2]], b: &[[f64; 2]]) -> (usize, usize) {
    let mut best = (0, 0);
    let mut best_distance = f64::INFINITY;
    for (i, p) in a.iter().enumerate() {
        for (j, q) in b.iter().enumerate() {
            let (dx, dy) = (p[0] - q[0], p[1] - q[1]);
            let distance = dx * dx + dy * dy;
            // `<` keeps the first minimum; NaN never wins, as with argmin on finite data.
            if distance < best_distance {
                best_distance = distance;
                best = (i, j);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_squares_are_bridged_at_their_closest_corners() {
        let left = vec![0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        let right = vec![3.0, 0.0, 4.0, 0.0, 4.0, 1.0, 3.0, 1.0];
        let merged = merge_multi_segment(&[left, right]);
        // Checked with ultralytics 8.4.190 `merge_multi_segment`.
        assert_eq!(
            merged,
            vec![
                [1.0, 0.0],
                [1.0, 1.0],
                [0.0, 1.0],
                [0.0, 0.0],
                [1.0, 0.0],
                [3.0, 0.0],
                [4.0, 0.0],
                [4.0, 1.0],
                [3.0, 1.0],
                [3.0, 0.0],
            ]
        );
    }
}
