//! The process environment and the files the AWS conventions name
//! (`~/.aws/config`, token files…), behind one trait so that the logic
//! reading them is tested with a map, and `main` hands in the real thing.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

pub trait Env {
    /// A variable; an empty value counts as unset, as the AWS SDKs do.
    fn var(&self, key: &str) -> Option<String>;
    fn read_file(&self, path: &Path) -> io::Result<String>;

    /// `~/<rest>`, from `HOME`.
    fn home_path(&self, rest: &str) -> Option<PathBuf> {
        self.var("HOME").map(|h| Path::new(&h).join(rest))
    }

    /// `true`/`1`/`yes` (any case) is on; anything else is off.
    /// The working directory (`--statefile-concat-cwd`); none in tests
    /// unless they set one.
    fn current_dir(&self) -> Option<PathBuf> {
        None
    }

    fn flag(&self, key: &str) -> bool {
        self.var(key).is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v == "true" || v == "1" || v == "yes"
        })
    }
}

/// A plain decimal (digits and at most one dot, spaces around allowed):
/// no sign, exponent, `inf` or `NaN`, so a value can only be as large as
/// its digits say and every range check below sees a finite number.
pub fn decimal(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Variable `key` read by `read` (which checks its range): unset is
/// `None`, a value `read` refuses is the UNKNOWN naming the variable,
/// quoting the value and saying `what` is allowed, as for options.
pub fn number<T>(
    env: &dyn Env,
    key: &str,
    what: &str,
    read: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, crate::error::Error> {
    match env.var(key) {
        None => Ok(None),
        Some(v) => read(&v)
            .map(Some)
            .ok_or_else(|| crate::error::Error::out_of_range(key, what, &v)),
    }
}

/// The real environment and file system.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }

    fn read_file(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn current_dir(&self) -> Option<PathBuf> {
        std::env::current_dir().ok()
    }
}

/// An environment made of maps, for tests.
#[derive(Default, Clone)]
pub struct MapEnv {
    pub vars: HashMap<String, String>,
    pub files: HashMap<PathBuf, String>,
}

impl MapEnv {
    pub fn new(vars: &[(&str, &str)]) -> Self {
        MapEnv {
            vars: vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            files: HashMap::new(),
        }
    }

    pub fn file(mut self, path: &str, text: &str) -> Self {
        self.files.insert(PathBuf::from(path), text.to_owned());
        self
    }
}

impl Env for MapEnv {
    fn var(&self, key: &str) -> Option<String> {
        self.vars.get(key).filter(|v| !v.is_empty()).cloned()
    }

    fn read_file(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_variables_say_their_range() {
        assert_eq!(decimal(" 1.5 "), Some(1.5));
        for bad in ["", "1e3", "-1", "inf", "NaN", "0x10", "1.2.3"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
        let env = MapEnv::new(&[("N", "11")]);
        let read = |v: &str| v.parse::<u32>().ok().filter(|n| *n <= 10);
        assert_eq!(
            number(&env, "N", "from 0 to 10", read).map_err(|e| e.to_string()),
            Err("N must be from 0 to 10, got '11'.".to_owned())
        );
        assert_eq!(number(&env, "UNSET", "x", read), Ok(None));
    }

    #[test]
    fn empty_is_unset_and_flags() {
        let e = MapEnv::new(&[("A", ""), ("B", "True"), ("C", "0"), ("HOME", "/h")]);
        assert_eq!(e.var("A"), None);
        assert!(e.flag("B") && !e.flag("C") && !e.flag("D"));
        assert_eq!(
            e.home_path(".aws/config"),
            Some(PathBuf::from("/h/.aws/config"))
        );
        let e = e.file("/x", "text");
        assert_eq!(e.read_file(Path::new("/x")).unwrap(), "text");
        assert!(e.read_file(Path::new("/y")).is_err());
    }
}
