//! The error line of an AWS answer that is not a 2xx: its code and
//! message in whichever protocol the service speaks, and how far off our
//! clock is when the error is about time.

use super::http;
use super::xml::xml_text;
use crate::error::{Error, kept};

/// Cuts an error code the way the AWS JSON protocol says: text before a
/// `:`, then text after a `#`.
pub fn sanitize_error_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    let after_hash = before_colon.rsplit('#').next().unwrap_or(before_colon);
    after_hash.trim().to_owned()
}

/// Turns a non-2xx answer into the error line: the code from the
/// `x-amzn-errortype` header, else the JSON `__type` or `code`, else an
/// XML `<Code>` (moto and query-protocol services answer in XML), else the
/// HTTP status. The message from `message`/`Message`.
pub fn api_error(op: &'static str, resp: &http::Response, signed_at: i64) -> Error {
    let text = String::from_utf8_lossy(&resp.body);
    let json: Option<serde_json::Value> = crate::json::parse(text.as_bytes()).ok();
    let obj = json.as_ref().and_then(serde_json::Value::as_object);
    let field = |names: &[&str]| -> Option<&str> {
        names
            .iter()
            .find_map(|n| obj?.get(*n).and_then(|v| v.as_str()))
    };
    let code = resp
        .header("x-amzn-errortype")
        .map(str::to_owned)
        .or_else(|| field(&["__type", "code"]).map(str::to_owned))
        .or_else(|| xml_text(&text, "Code"))
        .map(|c| sanitize_error_code(&c))
        .filter(|c| !c.is_empty());
    // Kept bounded, so a huge body is not kept in copies, but whole enough
    // to be redacted before the line cuts it.
    let message = field(&["message", "Message"])
        .map(kept)
        .or_else(|| xml_text(&text, "Message").map(|m| kept(&m)))
        .unwrap_or_default();
    let Some(code) = code else {
        return Error::Http {
            op,
            status: resp.status,
            body: kept(&text),
        };
    };
    let hint = skew_hint(&code, &message, resp.header("date"), signed_at);
    Error::Api {
        op,
        code,
        message,
        hint,
    }
}

/// When AWS rejects a request for its time, say how far off our clock is,
/// from the server's `Date` header.
fn skew_hint(code: &str, message: &str, date: Option<&str>, signed_at: i64) -> Option<String> {
    let about_time = code == "RequestTimeTooSkewed"
        || code == "RequestExpired"
        || message.contains("Signature expired")
        || message.contains("Signature not yet current");
    if !about_time {
        return None;
    }
    let server = date.and_then(crate::time::parse_http_date);
    Some(match server {
        Some(server) => {
            let skew = signed_at - server;
            let dir = if skew >= 0 { "ahead of" } else { "behind" };
            format!(
                "the poller's clock is {} {dir} the server's: fix NTP on this host",
                crate::time::human_duration(skew)
            )
        }
        None => "the poller's clock is off: fix NTP on this host".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response {
        http::Response {
            status,
            headers: headers
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn error_codes_are_sanitized() {
        assert_eq!(
            sanitize_error_code(
                "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/"
            ),
            "FooError"
        );
        assert_eq!(
            sanitize_error_code("com.amazon.coral.service#SerializationException"),
            "SerializationException"
        );
        assert_eq!(
            sanitize_error_code("ThrottlingException"),
            "ThrottlingException"
        );
    }

    #[test]
    fn json_error_body() {
        let e = api_error(
            "GetTrailStatus",
            &resp(
                400,
                &[],
                r#"{"__type":"TrailNotFoundException","message":"Unknown trail: x for the user: 1"}"#,
            ),
            0,
        );
        assert_eq!(
            e.to_string(),
            "GetTrailStatus failed: TrailNotFoundException: Unknown trail: x for the user: 1"
        );
        // The header wins, `Message` is read too.
        let e = api_error(
            "LookupEvents",
            &resp(
                400,
                &[("x-amzn-errortype", "ThrottlingException:http://x")],
                r#"{"__type":"Other","Message":"Rate exceeded"}"#,
            ),
            0,
        );
        assert_eq!(
            e.to_string(),
            "LookupEvents failed: ThrottlingException: Rate exceeded"
        );
    }

    #[test]
    fn xml_error_body() {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>\
                    <Message>The request signature we calculated does not match &amp; so on</Message>\
                    </Error></ErrorResponse>";
        let e = api_error("GetTrailStatus", &resp(403, &[], body), 0);
        assert_eq!(
            e.to_string(),
            "GetTrailStatus failed: SignatureDoesNotMatch: The request signature we calculated does not match & so on"
        );
    }

    #[test]
    fn unreadable_error_body_keeps_status() {
        let e = api_error(
            "LookupEvents",
            &resp(502, &[], "<html>Bad gateway</html>"),
            0,
        );
        assert_eq!(
            e.to_string(),
            "LookupEvents failed: HTTP 502: <html>Bad gateway</html>"
        );
    }

    #[test]
    fn clock_skew_is_measured() {
        let body = r#"{"__type":"InvalidSignatureException","message":"Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z (20150830T125100Z - 5 min.)"}"#;
        let e = api_error(
            "GetTrailStatus",
            &resp(400, &[("date", "Sun, 30 Aug 2015 13:36:00 GMT")], body),
            1_440_938_160,
        );
        let s = e.to_string();
        assert!(s.contains("clock is 1h 0m 0s behind the server's"), "{s}");
    }
}
