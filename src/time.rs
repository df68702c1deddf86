//! UTC calendar arithmetic without a date crate.
//!
//! The check needs exactly three things from a calendar: the SigV4 stamps
//! (`20150830T123600Z` / `20150830`), epoch seconds for CloudTrail request
//! bodies, and parsing the HTTP `Date` header the server sends back (to say
//! by how much the poller's clock is off). Time is always passed in as epoch
//! seconds; nothing here reads the clock.

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
/// Howard Hinnant's `civil_from_days`, valid for every date we can meet.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYYMMDD'T'HHMMSS'Z'`, the SigV4 `X-Amz-Date` format.
pub fn amz_date(epoch: i64) -> String {
    let (y, mo, d) = civil_from_days(epoch.div_euclid(86_400));
    let s = epoch.rem_euclid(86_400);
    format!(
        "{y:04}{mo:02}{d:02}T{:02}{:02}{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ`, for humans (verbose output, messages).
pub fn iso8601(epoch: i64) -> String {
    let (y, mo, d) = civil_from_days(epoch.div_euclid(86_400));
    let s = epoch.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// Parses an RFC 7231 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the
/// only form servers send today. Anything else is `None`: the caller then
/// just does not mention the skew amount.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut it = s.split_whitespace();
    let _weekday = it.next()?;
    let day: u32 = it.next()?.parse().ok()?;
    let month = match it.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = it.next()?.parse().ok()?;
    let mut hms = it.next()?.split(':');
    let h: i64 = hms.next()?.parse().ok()?;
    let mi: i64 = hms.next()?.parse().ok()?;
    let sec: i64 = hms.next()?.parse().ok()?;
    if it.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + mi * 60 + sec)
}

/// ISO-8601 / RFC 3339 date-times as AWS writes them:
/// `2011-07-15T23:28:33.359Z`, `2023-01-21T13:58:49.666000-05:00`,
/// `2023-01-21T18:58:49+00:00`. Returns epoch seconds (fraction dropped).
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let year: i64 = d.next()?.parse().ok()?;
    let month: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Split the time from its zone: `Z`, or the last `+`/`-`.
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else {
        let i = rest.rfind(['+', '-'])?;
        let (t, z) = rest.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let z = z.get(1..)?;
        let (zh, zm) = z.split_once(':').unwrap_or((z.get(..2)?, z.get(2..)?));
        let zh: i64 = zh.parse().ok()?;
        let zm: i64 = zm.parse().ok()?;
        (t, sign * (zh * 3600 + zm * 60))
    };
    let time = time.split('.').next()?;
    let mut t = time.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next()?.parse().ok()?;
    let sec: i64 = t.next().unwrap_or("0").parse().ok()?;
    if t.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// `1h 2m 3s` style, for durations in messages.
pub fn human_duration(secs: i64) -> String {
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, (a / 60) % 60, a % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigv4_suite_timestamp() {
        // The AWS SigV4 suite's 2015-08-30T12:36:00Z.
        assert_eq!(amz_date(1_440_938_160), "20150830T123600Z");
        assert_eq!(iso8601(1_440_938_160), "2015-08-30T12:36:00Z");
    }

    #[test]
    fn epoch_and_leap_days() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400), "20000229T000000Z");
        assert_eq!(amz_date(1_704_067_200), "20240101T000000Z");
        assert_eq!(amz_date(1_709_164_799), "20240228T235959Z");
        assert_eq!(amz_date(1_709_164_800), "20240229T000000Z");
    }

    #[test]
    fn days_round_trip() {
        for d in (-800_000..800_000).step_by(997) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn http_date() {
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
            Some(1_440_938_160)
        );
        assert_eq!(parse_http_date("Sunday, 30-Aug-15 12:36:00 GMT"), None);
        assert_eq!(parse_http_date(""), None);
        assert_eq!(parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"), None);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso8601("2015-08-30T12:36:00Z"), Some(1_440_938_160));
        assert_eq!(
            parse_iso8601("2011-07-15T23:28:33.359Z"),
            Some(1_310_772_513)
        );
        assert_eq!(
            parse_iso8601("2015-08-30T07:36:00.666000-05:00"),
            Some(1_440_938_160)
        );
        assert_eq!(
            parse_iso8601("2015-08-30T14:36:00+02:00"),
            Some(1_440_938_160)
        );
        assert_eq!(
            parse_iso8601("2015-08-30T14:36:00+0200"),
            Some(1_440_938_160)
        );
        for bad in [
            "",
            "2015-08-30",
            "2015-13-01T00:00:00Z",
            "x-08-30T00:00:00Z",
            "2015-08-30T25:00:00Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(-65), "1m 5s");
        assert_eq!(human_duration(3723), "1h 2m 3s");
    }
}
