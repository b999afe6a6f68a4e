//! The viewer's request targets: path decoding that refuses anything climbing out of the
//! dataset, and query strings.

/// A request target split into its decoded path and its query parameters.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    /// The path, percent-decoded (`/api/images`).
    pub path: String,
    /// `key=value` pairs, decoded (`+` is a space).
    pub query: Vec<(String, String)>,
}

impl Target {
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }
}

/// Why a target was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TargetError {
    /// Not an origin-form path (`/...`), or not valid percent-encoded UTF-8.
    Malformed,
    /// A `..` segment, a backslash or a NUL: an attempt to leave the dataset.
    OutsideDataset,
}

/// Parses an origin-form request target (`/api/images?page=2`).
pub fn parse_target(target: &str) -> Result<Target, TargetError> {
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    if !raw_path.starts_with('/') {
        return Err(TargetError::Malformed);
    }
    let path = percent_decode(raw_path, false).ok_or(TargetError::Malformed)?;
    if path.contains('\\')
        || path.contains('\0')
        || path
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
    {
        return Err(TargetError::OutsideDataset);
    }
    let query = raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((
                percent_decode(key, true).ok_or(TargetError::Malformed)?,
                percent_decode(value, true).ok_or(TargetError::Malformed)?,
            ))
        })
        .collect::<Result<_, _>>()?;
    Ok(Target { path, query })
}

fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                index += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                index += 1;
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_that_climb_out_of_the_dataset_are_refused() {
        for target in [
            "/../etc/passwd",
            "/image/..%2F..%2Fetc%2Fpasswd",
            "/%2e%2e/secret",
            "/image/a\\..\\b",
            "/image/%00",
            "/./api",
        ] {
            assert_eq!(
                parse_target(target),
                Err(TargetError::OutsideDataset),
                "{target}"
            );
        }
        assert_eq!(parse_target("http://evil/"), Err(TargetError::Malformed));
        assert_eq!(parse_target("/a%zz"), Err(TargetError::Malformed));
    }

    #[test]
    fn paths_and_queries_are_decoded() {
        let target = parse_target("/api/images?page=2&q=red+car&category=&x=%C3%A9").unwrap();
        assert_eq!(target.path, "/api/images");
        assert_eq!(target.get("page"), Some("2"));
        assert_eq!(target.get("q"), Some("red car"));
        assert_eq!(target.get("category"), None);
        assert_eq!(target.get("x"), Some("é"));
    }
}
