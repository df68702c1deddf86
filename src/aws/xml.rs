//! The little XML that AWS work needs: query-protocol answers (STS,
//! moto's errors) are read one element at a time, no XML parser needed.

/// Text of the first `<tag>…</tag>` in a small XML document. Enough for
/// the AWS query-protocol error and STS answers; entities are decoded.
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml.get(start..)?.find(&close)?;
    let raw = xml.get(start..start + len)?;
    Some(
        raw.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}
