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
