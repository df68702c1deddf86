//! The process environment and the files the AWS conventions name
//! (`~/.aws/config`, token files…), behind one trait so that the logic
//! reading them is tested with a map, and `main` hands in the real thing.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The most read from a CA bundle: the Mozilla bundle every distribution
/// ships is about 220 KB, so 1 MiB leaves room for a site's own CAs on
/// top while a wrong path (a log, a disk image) fails at once.
pub const MAX_CA_BUNDLE: u64 = 1 << 20;
/// The most read from `~/.aws/config` or `~/.aws/credentials`: a few KB
/// in practice, tens of KB for SSO-generated files with hundreds of
/// profiles; 1 MiB is far beyond any real one.
pub const MAX_PROFILE_FILE: u64 = 1 << 20;
/// The most read from a web identity or container authorization token
/// file: STS takes a web identity token of at most 20,000 characters
/// (EKS and GitHub tokens are 1–2 KB), so 64 KiB is ample.
pub const MAX_TOKEN_FILE: u64 = 64 << 10;

/// The error for a file past its cap, naming the cap (the caller names
/// the file).
fn too_large(max_bytes: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "larger than {}, the most read from such a file",
            size(max_bytes)
        ),
    )
}

/// `1 MiB`, `64 KiB`, `100 bytes`: caps as the messages and README say them.
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// `open(2)` flags std has no name for, for every file from outside (here
/// and in the state directory). `O_NONBLOCK`: opening a FIFO planted where
/// a file is expected returns at once instead of waiting for a writer.
/// `O_NOFOLLOW`, Linux's values: the generic table (x86_64 and most
/// others) and arm's own — a wrong value would silently follow links, so
/// the state directory's `nofollow_is_honoured` proves it on the machine
/// the tests run on. `O_CLOEXEC` std sets by itself.
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
pub const O_NONBLOCK: i32 = 0x0004;
#[cfg(not(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
)))]
pub const O_NONBLOCK: i32 = 0o4000;
#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
pub const O_NOFOLLOW: i32 = 0o100_000;
#[cfg(not(any(target_arch = "aarch64", target_arch = "arm")))]
pub const O_NOFOLLOW: i32 = 0o400_000;

/// Reads a regular file as UTF-8 text, never more than `max_bytes + 1`
/// bytes of it (one more tells "too large" from "exactly the cap"), and
/// never blocking: a FIFO, socket or directory is refused.
fn read_capped(path: &Path, max_bytes: u64) -> io::Result<String> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)?;
    // `/dev/null` is the usual way to say "no such file"
    // (AWS_CONFIG_FILE=/dev/null): character devices pass, and with
    // O_NONBLOCK a read of one cannot wait either. FIFOs, sockets and
    // directories are refused.
    let kind = file.metadata()?.file_type();
    if !kind.is_file() && !kind.is_char_device() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(max_bytes));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

pub trait Env {
    /// A variable; an empty value counts as unset, as the AWS SDKs do.
    fn var(&self, key: &str) -> Option<String>;
    /// A file's text, refused past `max_bytes` (each caller passes its
    /// cap: one of the `MAX_*` above) and when not a regular file.
    fn read_file(&self, path: &Path, max_bytes: u64) -> io::Result<String>;

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

    fn read_file(&self, path: &Path, max_bytes: u64) -> io::Result<String> {
        read_capped(path, max_bytes)
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

    fn read_file(&self, path: &Path, max_bytes: u64) -> io::Result<String> {
        let text = self
            .files
            .get(path)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))?;
        if text.len() as u64 > max_bytes {
            return Err(too_large(max_bytes));
        }
        Ok(text.clone())
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
        assert_eq!(e.read_file(Path::new("/x"), 4).unwrap(), "text");
        assert!(e.read_file(Path::new("/y"), 4).is_err());
        assert_eq!(
            e.read_file(Path::new("/x"), 3).unwrap_err().to_string(),
            "larger than 3 bytes, the most read from such a file"
        );
    }

    #[test]
    fn real_files_are_capped_and_must_be_regular() {
        let dir = std::env::temp_dir().join(format!("cc-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("f");
        std::fs::write(&f, "x".repeat(2048)).unwrap();
        assert_eq!(ProcessEnv.read_file(&f, 2048).unwrap().len(), 2048);
        let e = ProcessEnv.read_file(&f, 2047).unwrap_err();
        assert_eq!(
            e.to_string(),
            "larger than 2047 bytes, the most read from such a file"
        );
        assert_eq!(
            ProcessEnv.read_file(&f, 1024).unwrap_err().to_string(),
            "larger than 1 KiB, the most read from such a file"
        );
        // A FIFO with no writer would block a plain open forever.
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = ProcessEnv.read_file(&fifo, 1024).unwrap_err();
            assert_eq!(e.to_string(), "not a regular file");
        }
        assert_eq!(
            ProcessEnv.read_file(&dir, 1024).unwrap_err().to_string(),
            "not a regular file"
        );
        assert_eq!(ProcessEnv.read_file(Path::new("/dev/null"), 1).unwrap(), "");
        assert!(ProcessEnv.read_file(Path::new("/dev/zero"), 1024).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
