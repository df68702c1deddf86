//! XML from outside: S3 answers and errors, STS answers, and the
//! query-protocol error bodies the aws CLI prints. Read with `roxmltree`
//! (no DTD, so no entity expansion), under a size cap and a node cap so a
//! hostile answer is refused before it is built.

use roxmltree::{Document, Node, ParsingOptions};

/// Largest XML document read. A ListObjectsV2 page of 1000 keys is some
/// 400 KB; anything near this is not an AWS answer.
pub const MAX_XML: usize = 4 * 1024 * 1024;

/// Most nodes (elements, text, attributes' owners) in one document: a
/// full ListObjectsV2 page is about 20 000.
pub const MAX_NODES: u32 = 100_000;

/// Parses a whole document, refusing what is too large or malformed. The
/// error says why, for a `BadResponse` line.
pub fn parse(text: &str) -> Result<Document<'_>, String> {
    if text.len() > MAX_XML {
        return Err(format!("XML larger than {} MiB", MAX_XML >> 20));
    }
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => format!("XML with more than {MAX_NODES} nodes"),
        e => format!("not XML ({e})"),
    })
}

/// The first element named `tag` (local name, any namespace) at or under
/// `node`, in document order.
pub fn find<'a, 'i>(node: Node<'a, 'i>, tag: &str) -> Option<Node<'a, 'i>> {
    node.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == tag)
}

/// The direct children of `node` named `tag`.
pub fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    tag: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == tag)
}

/// All the text under `node`, entities decoded.
pub fn text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect()
}

/// The text of the direct child `tag` of `node`.
pub fn child_text(node: Node<'_, '_>, tag: &str) -> Option<String> {
    children(node, tag).next().map(text)
}

/// Text of the first `<tag>` element in `xml`, which may be preceded and
/// followed by other text (the aws CLI prints the body after its own
/// line). Enough for the AWS query-protocol error and STS answers.
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find('<')?;
    let end = xml.rfind('>')?;
    let doc = parse(xml.get(start..=end)?).ok()?;
    find(doc.root(), tag).map(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_tag_text_with_entities_and_namespaces() {
        let xml = r#"<?xml version="1.0"?>
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Code>AccessDenied</Code>
<Message>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</Message></Error><Code>second</Code></ErrorResponse>"#;
        assert_eq!(xml_text(xml, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(
            xml_text(xml, "Message").as_deref(),
            Some("a <b> & \"c\" 'd'")
        );
        assert_eq!(xml_text(xml, "Missing"), None);
        assert_eq!(xml_text("no xml here", "Code"), None);
        assert_eq!(
            xml_text("An error occurred (403): <E><Code>X</Code></E>\n", "Code").as_deref(),
            Some("X")
        );
        assert_eq!(
            xml_text("<E><Code></Code></E>", "Code").as_deref(),
            Some("")
        );
    }

    #[test]
    fn hostile_documents_are_refused() {
        // Entity expansion needs a DTD, which is refused outright.
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><Code>&b;</Code>"#;
        assert!(parse(laughs).is_err());
        assert_eq!(xml_text(laughs, "Code"), None);
        let many = format!("<a>{}</a>", "<b/>".repeat(MAX_NODES as usize));
        assert!(parse(&many).unwrap_err().contains("nodes"), "node cap");
        let big = format!("<a>{}</a>", "x".repeat(MAX_XML));
        assert!(parse(&big).unwrap_err().contains("larger"));
        let deep = format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000));
        // Deep nesting: roxmltree's parser and our walks are iterative, so
        // this returns (either way) instead of overflowing the stack.
        let _ = xml_text(&deep, "Code");
        assert!(parse("<a><b></a>").is_err());
    }

    #[test]
    fn children_and_child_text() {
        let doc = parse("<r><C><K>1</K></C><C><K>2</K></C><D><C><K>3</K></C></D></r>").unwrap();
        let keys: Vec<_> = children(doc.root_element(), "C")
            .filter_map(|c| child_text(c, "K"))
            .collect();
        assert_eq!(keys, ["1", "2"]);
    }
}
