//! Outer contours of a binary mask, as OpenCV's `findContours(RETR_EXTERNAL,
//! CHAIN_APPROX_SIMPLE)` returns them.
//!
//! This is OpenCV's border follower (`icvFetchContour` and the raster scan of
//! `cvFindNextContour` in `imgproc/src/contours.cpp`), reduced to the external mode:
//! the mask is framed by one pixel of background, scanned row by row; a 0→1 step starts an
//! outer border unless the last border pixel met on the row belongs to an object we are
//! inside of. Border pixels are marked 2, or -126 when they bound the object on the right,
//! exactly as OpenCV marks them, because later decisions read those marks.

/// Neighbour offsets by direction: 0 = east, then counter-clockwise (1 = north-east,
/// 2 = north, ... 7 = south-east), with y growing downwards. `(dx, dy)`.
const STEPS: [(isize, isize); 8] = [
    (1, 0),
    (1, -1),
    (0, -1),
    (-1, -1),
    (-1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
];

const BORDER: i8 = 2;
const RIGHT_BORDER: i8 = BORDER | -128;

/// The outer contours of a row-major `height × width` mask (non-zero = foreground), in
/// OpenCV's order (last found first), each a list of `[x, y]` pixel coordinates with
/// straight runs reduced to their end points.
pub fn outer_contours(mask: &[u8], width: usize, height: usize) -> Vec<Vec<[i32; 2]>> {
    assert_eq!(mask.len(), width * height, "mask size");
    let step = width + 2;
    let mut image = vec![0i8; step * (height + 2)];
    for y in 0..height {
        for x in 0..width {
            if mask[y * width + x] != 0 {
                image[(y + 1) * step + x + 1] = 1;
            }
        }
    }
    let deltas: [isize; 8] = STEPS.map(|(dx, dy)| dy * step as isize + dx);
    let mut contours = Vec::new();
    for y in 1..=height {
        let row = y * step;
        // The last border pixel met on this row (starts on the frame, which is 0).
        let mut last_border = row;
        let mut previous = 0i8;
        let mut x = 1;
        while x <= width {
            let mut pixel = image[row + x];
            while pixel == previous {
                x += 1;
                if x > width {
                    break;
                }
                pixel = image[row + x];
            }
            if x > width {
                break;
            }
            let outer_start = previous == 0 && pixel == 1;
            if outer_start && image[last_border] <= 0 {
                contours.push(follow_border(&mut image, row + x, step, &deltas));
                // OpenCV resumes after the start pixel with `prev` = its new mark and
                // without recording it as the last border pixel.
                previous = image[row + x];
                x += 1;
                continue;
            }
            previous = pixel;
            if previous & -2 != 0 {
                last_border = row + x;
            }
            x += 1;
        }
    }
    // OpenCV links each new contour in front of the previous ones.
    contours.reverse();
    contours
}

/// Follows the outer border that starts at `start` (a pixel whose left neighbour is
/// background), marking it, and returns its corner points in frame-free coordinates.
fn follow_border(
    image: &mut [i8],
    start: usize,
    step: usize,
    deltas: &[isize; 8],
) -> Vec<[i32; 2]> {
    let at = |index: usize, direction: usize| (index as isize + deltas[direction & 7]) as usize;
    let mut point = [(start % step) as i32 - 1, (start / step) as i32 - 1];
    let mut points = Vec::new();
    // Look clockwise from north-west for the first foreground neighbour.
    let mut direction = 4usize;
    let mut first;
    loop {
        direction = (direction + 7) & 7;
        first = at(start, direction);
        if image[first] != 0 || direction == 4 {
            break;
        }
    }
    if direction == 4 && image[first] == 0 {
        image[start] = RIGHT_BORDER;
        points.push(point);
        return points;
    }
    let mut current = start;
    let mut previous_direction = direction ^ 4;
    loop {
        let search_end = direction;
        let mut next = current;
        let mut search = direction;
        // Counter-clockwise from just after where we came from, at most 15 steps (the
        // doubled direction table in OpenCV).
        while search < 15 {
            search += 1;
            next = at(current, search);
            if image[next] != 0 {
                break;
            }
        }
        direction = search & 7;
        if direction.wrapping_sub(1) < search_end {
            image[current] = RIGHT_BORDER;
        } else if image[current] == 1 {
            image[current] = BORDER;
        }
        if direction != previous_direction {
            points.push(point);
            previous_direction = direction;
        }
        point[0] += STEPS[direction].0 as i32;
        point[1] += STEPS[direction].1 as i32;
        if next == start && current == first {
            break;
        }
        current = next;
        direction = (direction + 4) & 7;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_gives_its_four_corners() {
        #[rustfmt::skip]
        let mask = [
            0, 0, 0, 0,
            0, 1, 1, 0,
            0, 1, 1, 0,
            0, 0, 0, 0,
        ];
        // cv2.findContours gives [[1,1],[1,2],[2,2],[2,1]] for this mask.
        assert_eq!(
            outer_contours(&mask, 4, 4),
            vec![vec![[1, 1], [1, 2], [2, 2], [2, 1]]]
        );
    }
}
