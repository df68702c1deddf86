//! `listtrails`: the trails visible in the region (ListTrails), as a plain
//! list like Centreon's `list-*` modes, or as host-discovery XML/JSON
//! (`--disco-format`, `--disco-show`) as Centreon's other AWS plugins give.

use serde_json::{Value, json};

use crate::aws::cloudtrail::Trail;
use crate::output::Outcome;
use crate::text;

/// The discovery macros, in `--disco-format`.
pub const ELEMENTS: [&str; 3] = ["name", "arn", "home_region"];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Disco {
    Format,
    Show,
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
                    .map(|(k, v)| format!("{k}=\"{}\"", text::xml(v)))
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
                        o.insert(k.to_owned(), Value::String(text::field(&v)));
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
/// Each value is flattened: a name must not start a line of its own, nor
/// perfdata (a `|` on any line is perfdata to Nagios).
pub fn list(trails: &[Trail]) -> Outcome {
    let mut out = String::from("List trails: \n");
    for t in trails {
        out.push_str(&format!(
            "[name = {}] [arn = {}] [home_region = {}]\n",
            text::flatten(&t.name),
            text::flatten(t.arn.as_deref().unwrap_or("")),
            text::flatten(t.home_region.as_deref().unwrap_or(""))
        ));
    }
    Outcome {
        raw: Some(out),
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

    fn hostile() -> Vec<Trail> {
        vec![Trail {
            name: "x\r\nCRITICAL: forged | 'a'=1 \u{1b}[31m\0\u{85}\u{2028}'\"<&>\u{1}\u{fffe}"
                .into(),
            arn: Some("arn|\n".into()),
            home_region: Some("eu\u{2029}west".into()),
            ..Trail::default()
        }]
    }

    #[test]
    fn hostile_names_stay_in_their_line_and_attribute() {
        let o = list(&hostile());
        assert_eq!(
            o.raw.as_deref(),
            Some(
                "List trails: \n[name = x  CRITICAL: forged / 'a'=1  [31m   '\"<&> \u{fffe}] \
                 [arn = arn/ ] [home_region = eu west]\n"
            )
        );
        let xml = disco(Disco::Show, &hostile(), false);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let label = doc.descendants().find(|n| n.has_tag_name("label")).unwrap();
        assert_eq!(
            label.attribute("name"),
            Some("x  CRITICAL: forged | 'a'=1  [31m   '\"<&> \u{fffd}")
        );
        assert_eq!(label.attribute("home_region"), Some("eu west"));
        let j: Value = serde_json::from_str(&disco(Disco::Show, &hostile(), true)).unwrap();
        assert_eq!(j["data"][0]["arn"], "arn| ");
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
