//! Array-index expressions: the lists that `sbatch --array=` takes (`1,3-5`).

/// Sorted, de-duplicated `indices` as runs: `[1, 3, 4, 5]` → `[(1, 1), (3, 5)]`.
pub fn ranges(indices: &[usize]) -> Vec<(usize, usize)> {
    let mut sorted = indices.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for index in sorted {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == index => *last = index,
            _ => runs.push((index, index)),
        }
    }
    runs
}

/// `indices` as an array expression: `[1, 3, 4, 5]` → `1,3-5` (empty for none).
pub fn format_indices(indices: &[usize]) -> String {
    format_ranges(&ranges(indices), 0)
}

/// Runs as an array expression, each bound shifted by `offset` (1 for Grid Engine's
/// 1-based task ids).
pub fn format_ranges(runs: &[(usize, usize)], offset: usize) -> String {
    runs.iter()
        .map(|&(first, last)| {
            if first == last {
                (first + offset).to_string()
            } else {
                format!("{}-{}", first + offset, last + offset)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses an array expression (`0-3,7`, as written by [`format_indices`]) into sorted
/// indices; `None` for anything else.
pub fn parse_indices(text: &str) -> Option<Vec<usize>> {
    let mut indices = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((first, last)) => {
                let (first, last): (usize, usize) = (first.parse().ok()?, last.parse().ok()?);
                if last < first {
                    return None;
                }
                indices.extend(first..=last);
            }
            None => indices.push(part.parse().ok()?),
        }
    }
    indices.sort_unstable();
    indices.dedup();
    Some(indices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_become_runs() {
        let cases: &[(&[usize], &str)] = &[
            (&[], ""),
            (&[0], "0"),
            (&[1, 3, 4, 5], "1,3-5"),
            (&[5, 4, 3, 1, 1], "1,3-5"),
            (&[0, 1, 2, 3], "0-3"),
            (&[0, 2, 4], "0,2,4"),
            (&[7, 8, 10, 11, 12, 20], "7-8,10-12,20"),
        ];
        for (indices, expected) in cases {
            assert_eq!(format_indices(indices), *expected, "{indices:?}");
            if !indices.is_empty() {
                let mut sorted = indices.to_vec();
                sorted.sort_unstable();
                sorted.dedup();
                assert_eq!(parse_indices(expected), Some(sorted));
            }
        }
    }

    #[test]
    fn one_based_runs_are_shifted() {
        assert_eq!(format_ranges(&ranges(&[0, 2, 3]), 1), "1,3-4");
    }

    #[test]
    fn malformed_expressions_are_rejected() {
        for bad in ["", "a", "3-1", "1,,2", "-1"] {
            assert_eq!(parse_indices(bad), None, "{bad}");
        }
    }
}
