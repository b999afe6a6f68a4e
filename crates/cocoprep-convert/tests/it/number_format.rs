//! Label numbers equal Python's `"%g" % value` on values like the ones YOLO rows hold
//! (coordinates divided by image sizes, halfway cases, tiny and huge magnitudes).

use cocoprep_convert::number::push_general;

const VALUES: &str = r#"
import random, struct, sys
random.seed(7)
values = []
for _ in range(60000):
    values.append(random.randint(0, 100000) / random.choice([640, 480, 427, 500, 333, 612, 1024, 7]))
for _ in range(20000):
    values.append(random.random() * 10 ** random.randint(-9, 9))
for _ in range(20000):
    # halfway at the 7th significant digit, exactly representable or not
    values.append((random.randint(100000, 999999) * 10 + 5) / 10 ** random.randint(1, 12))
    values.append(random.randint(0, 2 ** 20) / 2 ** random.randint(0, 30))
for _ in range(5000):
    values.append(struct.unpack("d", struct.pack("Q", random.getrandbits(62)))[0])
values += [-v for v in values[:5000]]
for v in values:
    print(repr(v), "%g" % v)
"#;

#[test]
fn percent_g_equals_python_on_many_values() {
    let output = cocoprep_test::run_python(VALUES, &[]);
    let mut checked = 0;
    for line in output.lines() {
        let (value, expected) = line.split_once(' ').unwrap();
        let value: f64 = value.parse().unwrap();
        let mut ours = String::new();
        push_general(&mut ours, value, 6);
        assert_eq!(ours, expected, "{value:e}");
        checked += 1;
    }
    assert!(checked > 100_000);
}
