//! Google Drive's large-file confirmation flow.
//!
//! For files too large to virus-scan, `drive.google.com/uc?export=download&id=ID` answers
//! with an HTML page instead of the file. Since 2024 the page holds a form
//! (`<form id="download-form" action="https://drive.usercontent.google.com/download">`
//! with hidden `id`, `export`, `confirm` and `uuid` inputs) that must be submitted; older
//! pages had a link with `confirm=TOKEN`, or set a `download_warning_*` cookie whose value
//! is the token. [`confirmation_url`] understands all three.

/// The URL that starts a download of a Drive file.
pub fn download_url(id: &str) -> String {
    format!(
        "https://drive.google.com/uc?export=download&id={}",
        percent_encode(id)
    )
}

/// The URL to request after receiving `page` (HTML) from `page_url`, or `None` if the page
/// is not a Drive confirmation page. `cookies` are the response's `Set-Cookie` values.
pub fn confirmation_url(page: &str, page_url: &str, cookies: &[String]) -> Option<String> {
    if let Some(url) = form_url(page, page_url) {
        return Some(url);
    }
    if let Some(url) = confirm_link(page, page_url) {
        return Some(url);
    }
    for cookie in cookies {
        let pair = cookie.split(';').next().unwrap_or("");
        if let Some((name, value)) = pair.split_once('=')
            && name.trim().starts_with("download_warning")
        {
            let separator = if page_url.contains('?') { '&' } else { '?' };
            return Some(format!(
                "{page_url}{separator}confirm={}",
                percent_encode(value.trim())
            ));
        }
    }
    None
}

/// The `download-form` submitted as a GET.
fn form_url(page: &str, page_url: &str) -> Option<String> {
    let start = page.find("id=\"download-form\"")?;
    let form_start = page[..start].rfind("<form")?;
    let form_end = page[form_start..]
        .find("</form>")
        .map_or(page.len(), |end| form_start + end);
    let form = &page[form_start..form_end];
    let open_tag = &form[..form.find('>')?];
    let action = html_unescape(&attribute(open_tag, "action")?);
    let mut query = Vec::new();
    let mut rest = form;
    while let Some(position) = rest.find("<input") {
        rest = &rest[position + 6..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if attribute(tag, "type").as_deref() != Some("hidden") {
            continue;
        }
        if let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value")) {
            query.push(format!(
                "{}={}",
                percent_encode(&html_unescape(&name)),
                percent_encode(&html_unescape(&value))
            ));
        }
    }
    let base = resolve(page_url, &action);
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}{}", query.join("&")))
}

/// An `href` containing `confirm=` (the pre-2024 page).
fn confirm_link(page: &str, page_url: &str) -> Option<String> {
    let mut rest = page;
    while let Some(position) = rest.find("href=\"") {
        rest = &rest[position + 6..];
        let end = rest.find('"')?;
        let href = html_unescape(&rest[..end]);
        if href.contains("confirm=") && (href.contains("export=download") || href.contains("id=")) {
            return Some(resolve(page_url, &href));
        }
    }
    None
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let mut search = tag;
    loop {
        let position = search.find(&needle)?;
        // Must be a whole attribute name (`id=` must not match `uuid=`).
        let before = search[..position].chars().last();
        let rest = &search[position + needle.len()..];
        if before.is_none_or(|c| c.is_whitespace()) {
            return rest.find('"').map(|end| rest[..end].to_owned());
        }
        search = rest;
    }
}

fn html_unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Resolves `reference` against `base` (absolute URL, absolute path, or query).
pub(crate) fn resolve(base: &str, reference: &str) -> String {
    if reference.starts_with("http://") || reference.starts_with("https://") {
        return reference.to_owned();
    }
    let scheme_end = base.find("://").map_or(0, |p| p + 3);
    let origin_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |p| scheme_end + p);
    if reference.starts_with('/') {
        format!("{}{reference}", &base[..origin_end])
    } else if reference.starts_with('?') {
        let path_end = base.find('?').unwrap_or(base.len());
        format!("{}{reference}", &base[..path_end])
    } else {
        let path_end = base.find('?').unwrap_or(base.len());
        let folder_end = base[..path_end].rfind('/').map_or(path_end, |p| p + 1);
        format!("{}{reference}", &base[..folder_end.max(origin_end)])
    }
}

fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_form_page_is_submitted_with_its_hidden_inputs() {
        let page = r#"<html><body><form id="download-form" action="https://drive.usercontent.google.com/download" method="get"><input type="submit" id="uc-download-link" value="Download anyway"/><input type="hidden" name="id" value="1AbC"><input type="hidden" name="export" value="download"><input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="u-1"></form></body></html>"#;
        assert_eq!(
            confirmation_url(
                page,
                "https://drive.google.com/uc?export=download&id=1AbC",
                &[]
            )
            .as_deref(),
            Some(
                "https://drive.usercontent.google.com/download?id=1AbC&export=download&confirm=t&uuid=u-1"
            )
        );
    }

    #[test]
    fn old_confirm_link_and_cookie_are_understood() {
        let page = r#"<a id="uc-download-link" href="/uc?export=download&amp;confirm=XyZ1&amp;id=9">Download anyway</a>"#;
        assert_eq!(
            confirmation_url(
                page,
                "https://drive.google.com/uc?export=download&id=9",
                &[]
            )
            .as_deref(),
            Some("https://drive.google.com/uc?export=download&confirm=XyZ1&id=9")
        );
        let cookie = vec!["download_warning_123_9=TOKEN; Path=/".to_owned()];
        assert_eq!(
            confirmation_url(
                "<html></html>",
                "https://drive.google.com/uc?export=download&id=9",
                &cookie
            )
            .as_deref(),
            Some("https://drive.google.com/uc?export=download&id=9&confirm=TOKEN")
        );
        assert_eq!(
            confirmation_url("<html>Not found</html>", "http://x/a", &[]),
            None
        );
    }
}
