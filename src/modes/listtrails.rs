//! `listtrails`: the trails visible in the region (ListTrails), as a plain
//! list like Centreon's `list-*` modes, or as host-discovery XML/JSON
//! (`--disco-format`, `--disco-show`) as Centreon's other AWS plugins give.

use serde_json::{Value, json};

use crate::aws::cloudtrail::Trail;
use crate::output::Outcome;

/// The discovery macros, in `--disco-format`.
pub const ELEMENTS: [&str; 3] = ["name", "arn", "home_region"];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Disco {
    Format,
    Show,
}

fn attr(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            c if c.is_control() => format!("&#x{:X};", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}

fn fields(t: &Trail) -> [(&'static str, String); 3] {
    // Sorted by key, as upstream's XML attributes are.
    [
        ("arn", t.arn.clone().unwrap_or_default()),
        ("home_region", t.home_region.clone().unwrap_or_default()),
        ("name", t.name.clone()),
    ]
}

/// `--disco-format` / `--disco-show`, in XML or (with `--output-json`)
/// JSON.
pub fn disco(kind: Disco, trails: &[Trail], json_format: bool) -> String {
    match (kind, json_format) {
        (Disco::Format, false) => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<data>\n");
            for e in ELEMENTS {
                out.push_str(&format!("  <element>{e}</element>\n"));
            }
            out.push_str("</data>\n");
            out
        }
        (Disco::Format, true) => json!({"data": ELEMENTS}).to_string(),
        (Disco::Show, false) => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
            if trails.is_empty() {
                out.push_str("<data/>\n");
                return out;
            }
            out.push_str("<data>\n");
            for t in trails {
                let attrs: Vec<String> = fields(t)
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", attr(v)))
                    .collect();
                out.push_str(&format!("  <label {}/>\n", attrs.join(" ")));
            }
            out.push_str("</data>\n");
            out
        }
        (Disco::Show, true) => {
            let data: Vec<Value> = trails
                .iter()
                .map(|t| {
                    let mut o = serde_json::Map::new();
                    for (k, v) in fields(t) {
                        o.insert(k.to_owned(), Value::String(v));
                    }
                    Value::Object(o)
                })
                .collect();
            json!({ "data": data }).to_string()
        }
    }
}

/// The plain list: no state label, no perfdata, one line per trail
/// (upstream's list modes print with `nolabel` and forced long output).
pub fn list(trails: &[Trail]) -> Outcome {
    let mut text = String::from("List trails: \n");
    for t in trails {
        text.push_str(&format!(
            "[name = {}] [arn = {}] [home_region = {}]\n",
            t.name,
            t.arn.as_deref().unwrap_or(""),
            t.home_region.as_deref().unwrap_or("")
        ));
    }
    Outcome {
        raw: Some(text),
        ..Outcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trails() -> Vec<Trail> {
        vec![
            Trail {
                name: "main".into(),
                arn: Some("arn:aws:cloudtrail:eu-west-1:1:trail/main".into()),
                home_region: Some("eu-west-1".into()),
                ..Trail::default()
            },
            Trail {
                name: "org<&>".into(),
                arn: None,
                home_region: Some("us-east-1".into()),
                ..Trail::default()
            },
        ]
    }

    #[test]
    fn discovery_xml_and_json() {
        assert_eq!(
            disco(Disco::Format, &[], false),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<data>\n  <element>name</element>\n  \
             <element>arn</element>\n  <element>home_region</element>\n</data>\n"
        );
        assert_eq!(
            disco(Disco::Format, &[], true),
            r#"{"data":["name","arn","home_region"]}"#
        );
        assert_eq!(
            disco(Disco::Show, &trails(), false),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<data>\n  \
             <label arn=\"arn:aws:cloudtrail:eu-west-1:1:trail/main\" home_region=\"eu-west-1\" name=\"main\"/>\n  \
             <label arn=\"\" home_region=\"us-east-1\" name=\"org&lt;&amp;&gt;\"/>\n</data>\n"
        );
        let j: Value = serde_json::from_str(&disco(Disco::Show, &trails(), true)).unwrap();
        assert_eq!(j["data"][1]["home_region"], "us-east-1");
        assert_eq!(
            disco(Disco::Show, &[], false),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<data/>\n"
        );
    }

    #[test]
    fn plain_list() {
        let o = list(&trails());
        assert_eq!(
            o.raw.as_deref(),
            Some(
                "List trails: \n[name = main] [arn = arn:aws:cloudtrail:eu-west-1:1:trail/main] [home_region = eu-west-1]\n\
                 [name = org<&>] [arn = ] [home_region = us-east-1]\n"
            )
        );
    }
}
