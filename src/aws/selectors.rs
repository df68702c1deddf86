//! What a trail's selectors say it records: `GetEventSelectors` (every
//! management event? the data events `--require-data-events` asks for?)
//! and `GetInsightSelectors` (Insights on API call and error rates?).
//!
//! Data event coverage is decided conservatively: a selector counts only
//! when it records, for sure, both the reads and the writes (possibly
//! across selectors) of every resource of the type under the prefix asked
//! for. A selector that narrows in a way not understood here does not
//! count: a false `false` is a look at the console, a false `true` hides
//! the Stratus Red Team technique `aws.defense-evasion.cloudtrail-event-selectors`.

use serde_json::Value;

/// One `--require-data-events=TYPE[=ARN_PREFIX]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DataEvents {
    /// As event selectors name it: `AWS::S3::Object`, `AWS::Lambda::Function`…
    pub resource_type: String,
    /// The resources whose ARN starts with this; `None`: every resource of
    /// the type.
    pub prefix: Option<String>,
}

impl DataEvents {
    /// `TYPE` or `TYPE=ARN_PREFIX`.
    pub fn parse(text: &str) -> Result<DataEvents, String> {
        let (resource_type, prefix) = match text.split_once('=') {
            Some((t, p)) => (t, Some(p)),
            None => (text, None),
        };
        let parts: Vec<&str> = resource_type.split("::").collect();
        if parts.len() < 3 || parts.iter().any(|p| p.is_empty()) || parts.first() != Some(&"AWS") {
            return Err(format!(
                "'{resource_type}' is not a resource type as event selectors name them \
                 (AWS::S3::Object, AWS::Lambda::Function, AWS::DynamoDB::Table…)"
            ));
        }
        if let Some(p) = prefix
            && !p.starts_with("arn:")
        {
            return Err(format!("'{p}' is not an ARN prefix (arn:…)"));
        }
        Ok(DataEvents {
            resource_type: resource_type.to_owned(),
            prefix: prefix.map(str::to_owned),
        })
    }

    /// As given on the command line.
    pub fn label(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{}={p}", self.resource_type),
            None => self.resource_type.clone(),
        }
    }

    /// S3 objects are named by prefix (a bucket, a folder); the other
    /// types' values name one resource, or all of them.
    fn by_prefix(&self) -> bool {
        self.resource_type.ends_with("::Object")
    }

    /// Whether `v` names every resource of this type's service: its
    /// service (`arn:aws:s3-object-lambda`) is the type's second word
    /// (`AWS::S3ObjectLambda::AccessPoint`), case and dashes aside. A
    /// service named otherwise is never taken for all: no guess.
    fn every_resource(&self, v: &str) -> bool {
        let service = |s: &str| s.replace('-', "").to_ascii_lowercase();
        let parts: Vec<&str> = v.trim_end_matches(':').split(':').collect();
        let ours = self.resource_type.split("::").nth(1).map(service);
        matches!(parts.as_slice(), ["arn", partition, svc]
            if !partition.is_empty() && Some(service(svc)) == ours)
    }
}

/// Does a trail record every management event, reads and writes, from
/// every source? (`GetEventSelectors`: a basic selector with
/// `IncludeManagementEvents`, `ReadWriteType: All` and no excluded source,
/// or an advanced selector on `eventCategory = Management` that filters
/// neither `readOnly` nor `eventSource`.)
pub fn records_all_management_events(v: &Value) -> Result<bool, String> {
    let basic = match v.get("EventSelectors") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err("EventSelectors is not a list".into()),
    };
    let basic_ok = basic.iter().any(|s| {
        s.get("IncludeManagementEvents").and_then(Value::as_bool) == Some(true)
            && s.get("ReadWriteType")
                .and_then(Value::as_str)
                .unwrap_or("All")
                == "All"
            && s.get("ExcludeManagementEventSources")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
    });
    let advanced = match v.get("AdvancedEventSelectors") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err("AdvancedEventSelectors is not a list".into()),
    };
    let advanced_ok = advanced.iter().any(|sel| {
        let fields = sel
            .get("FieldSelectors")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let field = |name: &str| {
            fields
                .iter()
                .find(|f| f.get("Field").and_then(Value::as_str) == Some(name))
        };
        let management = field("eventCategory").is_some_and(|f| {
            f.get("Equals")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(|x| x.as_str() == Some("Management")))
        });
        management && field("readOnly").is_none() && field("eventSource").is_none()
    });
    Ok(basic_ok || advanced_ok)
}

/// Read events, write events: what a selector proves it records.
#[derive(Clone, Copy, Default, PartialEq, Debug)]
struct Rw {
    read: bool,
    write: bool,
}

impl Rw {
    const BOTH: Rw = Rw {
        read: true,
        write: true,
    };
    const NONE: Rw = Rw {
        read: false,
        write: false,
    };
    fn and(self, o: Rw) -> Rw {
        Rw {
            read: self.read && o.read,
            write: self.write && o.write,
        }
    }
    fn or(self, o: Rw) -> Rw {
        Rw {
            read: self.read || o.read,
            write: self.write || o.write,
        }
    }
}

/// A `GetEventSelectors` answer, checked once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventSelectors {
    management: bool,
    basic: Vec<Value>,
    advanced: Vec<Value>,
}

fn list(v: &Value, key: &str) -> Result<Vec<Value>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(_) => Err(format!("{key} is not a list")),
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

impl EventSelectors {
    pub fn from_answer(v: &Value) -> Result<EventSelectors, String> {
        Ok(EventSelectors {
            management: records_all_management_events(v)?,
            basic: list(v, "EventSelectors")?,
            advanced: list(v, "AdvancedEventSelectors")?,
        })
    }

    /// Every read and write management event, from every source.
    pub fn all_management(&self) -> bool {
        self.management
    }

    /// Both the read and the write data events of `want`'s resources.
    pub fn records(&self, want: &DataEvents) -> bool {
        let rw = self
            .basic
            .iter()
            .map(|s| basic_covers(s, want))
            .chain(self.advanced.iter().map(|s| advanced_covers(s, want)))
            .fold(Rw::NONE, Rw::or);
        rw == Rw::BOTH
    }
}

/// A basic selector: `DataResources[{Type, Values}]` and `ReadWriteType`.
/// A value covers the resources asked for when it names every resource
/// of the service, or (S3 objects, named by prefix) when the prefix asked
/// for starts with it, or (other types, named whole) when it is the ARN
/// asked for.
fn basic_covers(sel: &Value, want: &DataEvents) -> Rw {
    let covered = sel
        .get("DataResources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("Type").and_then(Value::as_str) == Some(&want.resource_type))
        .flat_map(|r| strings(r.get("Values")))
        .any(|v| value_covers(v, want));
    if !covered {
        return Rw::NONE;
    }
    match sel
        .get("ReadWriteType")
        .and_then(Value::as_str)
        .unwrap_or("All")
    {
        "All" => Rw::BOTH,
        "ReadOnly" => Rw {
            read: true,
            write: false,
        },
        "WriteOnly" => Rw {
            read: false,
            write: true,
        },
        _ => Rw::NONE,
    }
}

fn value_covers(v: &str, want: &DataEvents) -> bool {
    if want.every_resource(v) {
        // Of the same service, when a prefix says which.
        return want
            .prefix
            .as_deref()
            .is_none_or(|p| p.starts_with(&format!("{}:", v.trim_end_matches(':'))));
    }
    match &want.prefix {
        None => false,
        // A resource part there: `arn:aws:s3:::bucket`, not `arn:aws:s3`
        // read as another service's prefix.
        Some(p) if want.by_prefix() => v.split(':').count() >= 6 && p.starts_with(v),
        Some(p) => p == v,
    }
}

/// An advanced selector: every field selector must hold (AND), and each
/// must be one understood here. `eventCategory` must be exactly
/// `Equals Data`, `resources.type` `Equals` the type; `readOnly` absent
/// (both), `Equals`/`NotEquals` `true`/`false`; `resources.ARN` absent,
/// or with operators that each keep every resource asked for (see
/// [`arn_keeps`]). Any other field (`eventName`, `eventSource`,
/// `userIdentity.arn`, `errorCode`…) narrows what is recorded: the
/// selector does not count.
fn advanced_covers(sel: &Value, want: &DataEvents) -> Rw {
    let Some(fields) = sel.get("FieldSelectors").and_then(Value::as_array) else {
        return Rw::NONE;
    };
    let (mut data, mut typed, mut rw) = (false, false, Rw::BOTH);
    for f in fields {
        let ops: Vec<(&str, Vec<&str>)> = match f.as_object() {
            Some(o) => o
                .iter()
                .filter(|(k, v)| k.as_str() != "Field" && !v.is_null())
                .map(|(k, v)| (k.as_str(), strings(Some(v))))
                .collect(),
            None => return Rw::NONE,
        };
        let only_equals =
            |want: &str| matches!(ops.as_slice(), [("Equals", vals)] if vals.contains(&want));
        match f.get("Field").and_then(Value::as_str) {
            Some("eventCategory") => data = only_equals("Data"),
            Some("resources.type") => typed = only_equals(&want.resource_type),
            Some("readOnly") => rw = rw.and(read_only(&ops)),
            Some("resources.ARN") => {
                if !ops.iter().all(|(op, vals)| arn_keeps(op, vals, want)) {
                    return Rw::NONE;
                }
            }
            _ => return Rw::NONE,
        }
    }
    if data && typed { rw } else { Rw::NONE }
}

/// `readOnly`: `Equals ["true"]` reads, `["false"]` writes, both values
/// both; `NotEquals` the opposite. Anything else proves nothing.
fn read_only(ops: &[(&str, Vec<&str>)]) -> Rw {
    let [(op, vals)] = ops else {
        return Rw::NONE;
    };
    let (t, f) = (vals.contains(&"true"), vals.contains(&"false"));
    match *op {
        "Equals" => Rw { read: t, write: f },
        "NotEquals" => Rw {
            read: !t && f,
            write: t && !f,
        },
        _ => Rw::NONE,
    }
}

/// Does one `resources.ARN` operator keep every resource asked for?
///
/// - `StartsWith`: one value the prefix asked for starts with (or one
///   naming the whole service, without a prefix asked for);
/// - `Equals`: the ARN asked for, for types named whole (not S3 objects);
/// - `NotStartsWith`, `NotEquals`: none of the values may fall under the
///   prefix asked for (or reach above it); without a prefix, any narrows;
/// - `EndsWith`, `NotEndsWith` and anything else: they narrow, so no.
fn arn_keeps(op: &str, vals: &[&str], want: &DataEvents) -> bool {
    let p = want.prefix.as_deref();
    match op {
        "StartsWith" => vals.iter().any(|v| match p {
            Some(p) => p.starts_with(v),
            None => want.every_resource(v),
        }),
        "Equals" => p.is_some_and(|p| !want.by_prefix() && vals.contains(&p)),
        "NotStartsWith" => {
            p.is_some_and(|p| vals.iter().all(|v| !p.starts_with(v) && !v.starts_with(p)))
        }
        "NotEquals" => p.is_some_and(|p| vals.iter().all(|v| !v.starts_with(p))),
        _ => false,
    }
}

/// `GetInsightSelectors`: Insights on both API call rates and API error
/// rates (of management events: a selector naming only other event
/// categories does not count). An empty or absent list is off.
pub fn insights_on(v: &Value) -> Result<bool, String> {
    let selectors = list(v, "InsightSelectors")?;
    let has = |kind: &str| {
        selectors.iter().any(|s| {
            s.get("InsightType").and_then(Value::as_str) == Some(kind) && {
                let categories = strings(s.get("EventCategories"));
                categories.is_empty() || categories.contains(&"Management")
            }
        })
    };
    Ok(has("ApiCallRateInsight") && has("ApiErrorRateInsight"))
}

/// The error code `GetInsightSelectors` answers for a trail without
/// Insights: the same as an empty list.
pub const INSIGHT_NOT_ENABLED: &str = "InsightNotEnabledException";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn want(text: &str) -> DataEvents {
        DataEvents::parse(text).expect(text)
    }

    fn basic(selectors: Value) -> EventSelectors {
        EventSelectors::from_answer(&json!({ "EventSelectors": selectors })).expect("answer")
    }

    fn advanced(selectors: Value) -> EventSelectors {
        EventSelectors::from_answer(&json!({ "AdvancedEventSelectors": selectors }))
            .expect("answer")
    }

    fn s3(rw: &str, values: &[&str]) -> Value {
        json!({"ReadWriteType": rw, "IncludeManagementEvents": true,
               "DataResources": [{"Type": "AWS::S3::Object", "Values": values}]})
    }

    const PAYROLL: &str = "AWS::S3::Object=arn:aws:s3:::payroll/";

    #[test]
    fn management_event_selectors() {
        let all = json!({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true,
                                              "ExcludeManagementEventSources": []}]});
        assert_eq!(records_all_management_events(&all), Ok(true));
        let write_only = json!({"EventSelectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": true}]});
        assert_eq!(records_all_management_events(&write_only), Ok(false));
        let excluded = json!({"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": true,
                                                   "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]});
        assert_eq!(records_all_management_events(&excluded), Ok(false));
        let advanced = json!({"AdvancedEventSelectors": [{"Name": "m", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]}]}]});
        assert_eq!(records_all_management_events(&advanced), Ok(true));
        let read_only = json!({"AdvancedEventSelectors": [{"FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]}]});
        assert_eq!(records_all_management_events(&read_only), Ok(false));
        assert_eq!(records_all_management_events(&json!({})), Ok(false));
        assert!(records_all_management_events(&json!({"EventSelectors": 1})).is_err());
    }

    #[test]
    fn requirements_parse() {
        assert_eq!(
            want(PAYROLL),
            DataEvents {
                resource_type: "AWS::S3::Object".into(),
                prefix: Some("arn:aws:s3:::payroll/".into())
            }
        );
        assert_eq!(want("AWS::Lambda::Function").prefix, None);
        assert_eq!(want(PAYROLL).label(), PAYROLL);
        for bad in [
            "",
            "S3::Object",
            "AWS::S3",
            "AWS::::Object",
            "AWS::S3::Object=payroll/",
        ] {
            assert!(DataEvents::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn basic_values_cover_by_prefix_for_s3_objects() {
        for all in ["arn:aws:s3", "arn:aws:s3:::"] {
            let s = basic(json!([s3("All", &[all])]));
            assert!(s.records(&want("AWS::S3::Object")), "{all}");
            assert!(s.records(&want(PAYROLL)), "{all}");
        }
        for bucket in ["arn:aws:s3:::payroll/", "arn:aws:s3:::payroll"] {
            let s = basic(json!([s3("All", &[bucket])]));
            assert!(s.records(&want(PAYROLL)), "{bucket}");
            assert!(!s.records(&want("AWS::S3::Object")), "{bucket}");
        }
        // A folder of the bucket, or another bucket, leaves objects out.
        for narrower in ["arn:aws:s3:::payroll/2026/", "arn:aws:s3:::other/"] {
            let s = basic(json!([s3("All", &[narrower])]));
            assert!(!s.records(&want(PAYROLL)), "{narrower}");
        }
        // Another service's "all" is not this one's (nor is s3 s3express's).
        assert!(!lambda_all_s3().records(&want("AWS::S3::Object")));
        let express = basic(json!([{"DataResources": [
            {"Type": "AWS::S3Express::Object", "Values": ["arn:aws:s3"]}]}]));
        assert!(!express.records(&want(
            "AWS::S3Express::Object=arn:aws:s3express:eu-west-1:1:bucket/b--x-s3/"
        )));
        let lambda_all = basic(json!([{"DataResources": [
            {"Type": "AWS::S3::Object", "Values": ["arn:aws:lambda"]}]}]));
        assert!(!lambda_all.records(&want(PAYROLL)));
    }

    fn lambda_all_s3() -> EventSelectors {
        basic(
            json!([{"DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:lambda"]}]}]),
        )
    }

    #[test]
    fn every_resource_of_the_types_service() {
        let t = |ty: &str, v: &str| want(ty).every_resource(v);
        assert!(t("AWS::S3::Object", "arn:aws:s3"));
        assert!(t("AWS::S3::Object", "arn:aws:s3:::"));
        assert!(t("AWS::S3::Object", "arn:aws-us-gov:s3"));
        assert!(t("AWS::DynamoDB::Table", "arn:aws:dynamodb"));
        assert!(t(
            "AWS::S3ObjectLambda::AccessPoint",
            "arn:aws:s3-object-lambda"
        ));
        assert!(!t("AWS::S3::Object", "arn:aws:s3:::b/"));
        assert!(!t("AWS::S3::Object", "arn:aws:lambda"));
        assert!(!t("AWS::S3Express::Object", "arn:aws:s3"));
        assert!(!t("AWS::S3::Object", "arn::s3"));
    }

    #[test]
    fn basic_read_and_write_may_come_from_two_selectors() {
        let b = "arn:aws:s3:::payroll/";
        assert!(!basic(json!([s3("ReadOnly", &[b])])).records(&want(PAYROLL)));
        assert!(!basic(json!([s3("WriteOnly", &[b])])).records(&want(PAYROLL)));
        assert!(
            basic(json!([
                s3("ReadOnly", &[b]),
                s3("WriteOnly", &["arn:aws:s3"])
            ]))
            .records(&want(PAYROLL))
        );
        // Absent ReadWriteType is All (the API's default).
        let s = basic(json!([{"DataResources": [{"Type": "AWS::S3::Object", "Values": [b]}]}]));
        assert!(s.records(&want(PAYROLL)));
        // Management events only: no data event.
        assert!(
            !basic(json!([{"ReadWriteType": "All", "IncludeManagementEvents": true}]))
                .records(&want(PAYROLL))
        );
    }

    #[test]
    fn basic_values_of_other_types_name_one_resource_or_all() {
        let f = "arn:aws:lambda:eu-west-1:123456789012:function:pay";
        let lambda = |v: &str| {
            basic(json!([{"DataResources": [{"Type": "AWS::Lambda::Function", "Values": [v]}]}]))
        };
        assert!(lambda("arn:aws:lambda").records(&want("AWS::Lambda::Function")));
        assert!(lambda("arn:aws:lambda").records(&want(&format!("AWS::Lambda::Function={f}"))));
        assert!(lambda(f).records(&want(&format!("AWS::Lambda::Function={f}"))));
        assert!(!lambda(f).records(&want("AWS::Lambda::Function")));
        // An exact ARN is not a prefix: pay does not cover pay2.
        assert!(!lambda(f).records(&want(&format!("AWS::Lambda::Function={f}2"))));
        // The type must match.
        assert!(!lambda("arn:aws:lambda").records(&want("AWS::DynamoDB::Table")));
    }

    fn adv(fields: Value) -> Value {
        json!({"Name": "data", "FieldSelectors": fields})
    }

    fn data_s3() -> Vec<Value> {
        vec![
            json!({"Field": "eventCategory", "Equals": ["Data"]}),
            json!({"Field": "resources.type", "Equals": ["AWS::S3::Object"]}),
        ]
    }

    fn with(extra: &[Value]) -> EventSelectors {
        let mut f = data_s3();
        f.extend_from_slice(extra);
        advanced(json!([adv(Value::Array(f))]))
    }

    #[test]
    fn advanced_category_and_type_must_be_exactly_data_and_the_type() {
        assert!(with(&[]).records(&want("AWS::S3::Object")));
        assert!(with(&[]).records(&want(PAYROLL)));
        assert!(!with(&[]).records(&want("AWS::Lambda::Function")));
        let management = advanced(json!([adv(json!([
            {"Field": "eventCategory", "Equals": ["Management"]}]))]));
        assert!(!management.records(&want(PAYROLL)));
        // No resources.type: not counted.
        let untyped = advanced(json!([adv(
            json!([{"Field": "eventCategory", "Equals": ["Data"]}])
        )]));
        assert!(!untyped.records(&want(PAYROLL)));
        // The type only excluded: not counted.
        let not_type = advanced(json!([adv(json!([
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "NotEquals": ["AWS::Lambda::Function"]}]))]));
        assert!(!not_type.records(&want(PAYROLL)));
    }

    #[test]
    fn advanced_read_only_field() {
        let ro = |op: &str, v: &[&str]| json!({"Field": "readOnly", op: v});
        assert!(with(&[ro("Equals", &["true", "false"])]).records(&want(PAYROLL)));
        assert!(!with(&[ro("Equals", &["true"])]).records(&want(PAYROLL)));
        assert!(!with(&[ro("Equals", &["false"])]).records(&want(PAYROLL)));
        assert!(!with(&[ro("NotEquals", &["true"])]).records(&want(PAYROLL)));
        // Reads in one selector, writes in another.
        let mut reads = data_s3();
        reads.push(ro("Equals", &["true"]));
        let mut writes = data_s3();
        writes.push(ro("NotEquals", &["true"]));
        let split = advanced(json!([adv(Value::Array(reads)), adv(Value::Array(writes))]));
        assert!(split.records(&want(PAYROLL)));
    }

    #[test]
    fn advanced_arn_operators() {
        let arn = |op: &str, v: &[&str]| json!({"Field": "resources.ARN", op: v});
        // StartsWith: a value the prefix starts with.
        assert!(with(&[arn("StartsWith", &["arn:aws:s3:::payroll/"])]).records(&want(PAYROLL)));
        assert!(
            with(&[arn(
                "StartsWith",
                &["arn:aws:s3:::other/", "arn:aws:s3:::pay"]
            )])
            .records(&want(PAYROLL))
        );
        assert!(
            !with(&[arn("StartsWith", &["arn:aws:s3:::payroll/2026/"])]).records(&want(PAYROLL))
        );
        assert!(
            !with(&[arn("StartsWith", &["arn:aws:s3:::payroll/"])])
                .records(&want("AWS::S3::Object"))
        );
        assert!(with(&[arn("StartsWith", &["arn:aws:s3:::"])]).records(&want("AWS::S3::Object")));
        // Equals: S3 objects are never named whole by a prefix.
        assert!(!with(&[arn("Equals", &["arn:aws:s3:::payroll/"])]).records(&want(PAYROLL)));
        // NotStartsWith / NotEquals: fine when they stay outside the prefix.
        assert!(with(&[arn("NotStartsWith", &["arn:aws:s3:::other/"])]).records(&want(PAYROLL)));
        assert!(
            !with(&[arn("NotStartsWith", &["arn:aws:s3:::payroll/tmp/"])]).records(&want(PAYROLL))
        );
        assert!(!with(&[arn("NotStartsWith", &["arn:aws:s3:::pay"])]).records(&want(PAYROLL)));
        assert!(
            !with(&[arn("NotStartsWith", &["arn:aws:s3:::other/"])])
                .records(&want("AWS::S3::Object"))
        );
        assert!(with(&[arn("NotEquals", &["arn:aws:s3:::other/key"])]).records(&want(PAYROLL)));
        assert!(!with(&[arn("NotEquals", &["arn:aws:s3:::payroll/key"])]).records(&want(PAYROLL)));
        // EndsWith and NotEndsWith narrow: never proof.
        assert!(!with(&[arn("EndsWith", &[".csv"])]).records(&want(PAYROLL)));
        assert!(!with(&[arn("NotEndsWith", &[".tmp"])]).records(&want(PAYROLL)));
        // Operators of one field all hold (AND).
        let both = json!({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"],
                          "NotEndsWith": [".tmp"]});
        assert!(!with(&[both]).records(&want(PAYROLL)));
        // Equals names one resource of the types named whole.
        let f = "arn:aws:lambda:eu-west-1:123456789012:function:pay";
        let lambda = advanced(json!([adv(json!([
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]},
            {"Field": "resources.ARN", "Equals": [f]}]))]));
        assert!(lambda.records(&want(&format!("AWS::Lambda::Function={f}"))));
        assert!(!lambda.records(&want("AWS::Lambda::Function")));
    }

    #[test]
    fn advanced_other_fields_narrow() {
        for field in [
            "eventName",
            "eventSource",
            "userIdentity.arn",
            "errorCode",
            "eventType",
        ] {
            let f = json!({"Field": field, "NotEquals": ["x"]});
            assert!(!with(&[f]).records(&want(PAYROLL)), "{field}");
        }
    }

    #[test]
    fn insight_selectors() {
        let both = json!({"InsightSelectors": [{"InsightType": "ApiCallRateInsight"},
                                               {"InsightType": "ApiErrorRateInsight"}]});
        assert_eq!(insights_on(&both), Ok(true));
        let one = json!({"InsightSelectors": [{"InsightType": "ApiCallRateInsight"}]});
        assert_eq!(insights_on(&one), Ok(false));
        assert_eq!(insights_on(&json!({"InsightSelectors": []})), Ok(false));
        assert_eq!(insights_on(&json!({"TrailARN": "arn"})), Ok(false));
        let management = json!({"InsightSelectors": [
            {"InsightType": "ApiCallRateInsight", "EventCategories": ["Management"]},
            {"InsightType": "ApiErrorRateInsight", "EventCategories": ["Management", "Data"]}]});
        assert_eq!(insights_on(&management), Ok(true));
        let data_only = json!({"InsightSelectors": [
            {"InsightType": "ApiCallRateInsight", "EventCategories": ["Data"]},
            {"InsightType": "ApiErrorRateInsight"}]});
        assert_eq!(insights_on(&data_only), Ok(false));
        assert!(insights_on(&json!({"InsightSelectors": {}})).is_err());
    }
}
