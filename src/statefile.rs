//! The state directory (`--statefile-dir`, as Centreon names it): what one
//! run leaves for the next and for the checks running beside it — the
//! shared API rate buckets, cached role credentials, the events of the
//! last window.
//!
//! Files are JSON, written to a temporary name and renamed (a reader never
//! sees half a file), mode 0600, owned by the running user. A file that
//! cannot be read or is not ours is ignored and rewritten, never fatal.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Bumped when a file's layout changes: older files are then ignored.
pub const VERSION: u64 = 1;

/// Centreon's default state directory.
pub const CENTREON_DIR: &str = "/var/lib/centreon/centplugins";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// `--statefile-dir`.
    pub dir: Option<String>,
    /// `--statefile-suffix`, appended to every file name.
    pub suffix: String,
    /// `--statefile-concat-cwd`: the directory is relative to the working
    /// directory.
    pub concat_cwd: bool,
    /// `--disable-statefile`.
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
    suffix: String,
}

fn usable(dir: &Path) -> bool {
    if fs::create_dir_all(dir).is_err() {
        return false;
    }
    // Writable by us: a probe file that is created and removed.
    let probe = dir.join(format!(".check_cloudtrail-probe-{}", std::process::id()));
    let ok = File::create(&probe).is_ok();
    let _ = fs::remove_file(&probe);
    ok
}

impl StateDir {
    /// The directory to use: the one given (or Centreon's default), else
    /// the user's cache directory when that one is not writable, else none
    /// (the run then works without state). `home` and `xdg_cache` come
    /// from the environment.
    pub fn open(
        opts: &Options,
        home: Option<&str>,
        xdg_cache: Option<&str>,
        cwd: Option<&Path>,
    ) -> Option<StateDir> {
        if opts.disabled {
            return None;
        }
        let given = opts.dir.as_deref().unwrap_or(CENTREON_DIR);
        let mut first = PathBuf::from(given);
        if opts.concat_cwd
            && let Some(c) = cwd
        {
            first = c.join(given.trim_start_matches('/'));
        }
        let fallback = xdg_cache
            .map(|x| Path::new(x).join("check_cloudtrail"))
            .or_else(|| home.map(|h| Path::new(h).join(".cache/check_cloudtrail")));
        let dir = std::iter::once(first).chain(fallback).find(|d| usable(d))?;
        Some(StateDir {
            dir,
            suffix: opts.suffix.clone(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `check_cloudtrail_<kind>_<sha256 of key, 32 hex>[suffix]`. The
    /// digest is taken here, not through `aws::crypto`: the state directory
    /// sits below `aws/` (the credential cache and pacing use it).
    pub fn file(&self, kind: &str, key: &str) -> PathBuf {
        let h = hex::encode(Sha256::digest(key.as_bytes()));
        let short = h.get(..32).unwrap_or(&h);
        self.dir
            .join(format!("check_cloudtrail_{kind}_{short}{}", self.suffix))
    }

    /// A file's JSON when it is ours and of this version; `None` otherwise.
    pub fn read(&self, path: &Path) -> Option<Value> {
        let text = fs::read_to_string(path).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        (v.get("version").and_then(Value::as_u64) == Some(VERSION)).then_some(v)
    }

    /// Writes atomically: a temporary file in the same directory, mode
    /// 0600, then renamed over the old one.
    pub fn write(&self, path: &Path, v: &Value) -> io::Result<()> {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(v.to_string().as_bytes())?;
        f.sync_all().ok();
        // An existing file keeps its mode on create: force it.
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
        fs::rename(&tmp, path)
    }

    /// An exclusive advisory lock (`flock`) on `<path>.lock`, held while
    /// the returned file lives.
    pub fn lock(&self, path: &Path) -> io::Result<File> {
        let lock = path.with_extension("lock");
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(lock)?;
        f.lock()?;
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("ct-state-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        p
    }

    #[test]
    fn atomic_private_files_and_versions() {
        let d = temp("files");
        let s = StateDir::open(
            &Options {
                dir: Some(d.to_string_lossy().into_owned()),
                suffix: "_x".into(),
                ..Options::default()
            },
            None,
            None,
            None,
        )
        .unwrap();
        let f = s.file("bucket", "k");
        assert!(f.file_name().unwrap().to_string_lossy().ends_with("_x"));
        s.write(&f, &serde_json::json!({"version": VERSION, "a": 1}))
            .unwrap();
        assert_eq!(s.read(&f).unwrap()["a"], 1);
        let mode = fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        fs::write(&f, "{not json").unwrap();
        assert!(s.read(&f).is_none(), "corrupt files are ignored");
        fs::write(&f, r#"{"version": 999}"#).unwrap();
        assert!(s.read(&f).is_none(), "other versions are ignored");
        s.write(&f, &serde_json::json!({"version": VERSION}))
            .unwrap();
        assert!(s.read(&f).is_some(), "and rewritten");
        let _l = s.lock(&f).unwrap();
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn falls_back_to_the_cache_dir_and_can_be_disabled() {
        let cache = temp("cache");
        let s = StateDir::open(
            &Options {
                dir: Some("/proc/not-writable".into()),
                ..Options::default()
            },
            None,
            Some(&cache.to_string_lossy()),
            None,
        )
        .unwrap();
        assert_eq!(s.dir(), cache.join("check_cloudtrail"));
        assert!(
            StateDir::open(
                &Options {
                    disabled: true,
                    ..Options::default()
                },
                None,
                Some(&cache.to_string_lossy()),
                None
            )
            .is_none()
        );
        let _ = fs::remove_dir_all(&cache);
    }

    #[test]
    fn concat_cwd() {
        let base = temp("cwd");
        fs::create_dir_all(&base).unwrap();
        let s = StateDir::open(
            &Options {
                dir: Some("/state".into()),
                concat_cwd: true,
                ..Options::default()
            },
            None,
            None,
            Some(&base),
        )
        .unwrap();
        assert_eq!(s.dir(), base.join("state"));
        let _ = fs::remove_dir_all(&base);
    }
}
