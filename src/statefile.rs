//! The state directory (`--statefile-dir`, as Centreon names it): what one
//! run leaves for the next and for the checks running beside it — the
//! shared API rate buckets, cached temporary credentials, the events of
//! the last window, the events securityevents has seen.
//!
//! The directory is a trust boundary: Centreon's `centplugins` is shared
//! by every plugin of the poller and writable by the `centreon` group. So
//! every name in it is opened without following a symbolic link and
//! without blocking (a FIFO or a device is refused, never waited on); a
//! file is trusted only if the plugin itself could have written it (a
//! regular file with one name, owned by the user the plugin's own files
//! get here, writable by nobody else) and is no larger than its kind's
//! cap; files are written to an unpredictable temporary name created
//! exclusively, then renamed (a reader never sees half a file, and a
//! planted name is never written through); a lock is waited on until a
//! deadline only. Whatever is ignored leaves a note for `--debug`
//! ([`StateDir::take_notes`]); nothing here is ever fatal.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::env::{O_NOFOLLOW, O_NONBLOCK};

/// Bumped when a file's layout changes: older files are then ignored.
pub const VERSION: u64 = 1;

/// Centreon's default state directory.
pub const CENTREON_DIR: &str = "/var/lib/centreon/centplugins";

/// The size cap of the small files: a bucket is ~40 bytes, cached
/// credentials ~1.5 KB (a session token is up to ~1 KB today, and AWS
/// says it may grow). 64 KiB leaves that room forty times over and still
/// reads in a blink.
pub const SMALL_CAP: u64 = 64 * 1024;

/// Temporary files older than this are a killed run's, and removed when a
/// run opens the directory: no run lives that long (`--timeout` is capped
/// far below), and a live temporary file exists only between its creation
/// and its rename, milliseconds apart.
const STALE_SECS: i64 = 3600;

/// At most this many directory entries are looked at for stale temporary
/// files per run: a shared directory may hold many other files, and the
/// cleanup must stay a bounded cost (what it misses, a later run removes).
const CLEANUP_SCAN: usize = 20_000;

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

#[derive(Debug)]
pub struct StateDir {
    dir: PathBuf,
    suffix: String,
    /// The owner the plugin's own files get in this directory: that of the
    /// probe it has just created there. This is the effective uid on a
    /// local file system, and still right where the file system maps
    /// owners (NFS root squash, `uid=` mounts) — what a comparison with
    /// the process's euid would get wrong; nor does it need `/proc`.
    uid: u32,
    /// Why files were ignored, for `--debug` (the run's trace is not at
    /// hand in the buckets and caches that read here).
    notes: Mutex<Vec<String>>,
}

/// What opening found: the directory, if any is usable, and why others
/// were not.
pub struct Opened {
    pub dir: Option<StateDir>,
    pub notes: Vec<String>,
}

/// A name no other user can guess: 128 bits from std's `RandomState`,
/// whose keys std draws from the OS's random source (getrandom) — no file
/// to open, no new crate — hashing a per-process counter. Guessing only
/// matters for denial (the temporary file is created with `O_EXCL`, so a
/// name planted in advance fails the write, never redirects it).
fn unpredictable() -> String {
    use std::hash::{BuildHasher, Hasher, RandomState};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let half = |i: u8| {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u8(i);
        h.finish()
    };
    format!("{:016x}{:016x}", half(0), half(1))
}

/// `path` with `tail` appended to its file name (`<file>.lock`).
fn sibling(path: &Path, tail: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(tail);
    path.with_file_name(name)
}

/// Opens without following a symbolic link at the last component and
/// without blocking on a FIFO or a device.
fn open_nofollow(opts: &mut OpenOptions, path: &Path) -> io::Result<File> {
    opts.custom_flags(O_NOFOLLOW | O_NONBLOCK).open(path)
}

/// Creates `dir` and its missing parents, each 0700 whatever the umask
/// (the mode is set again through the new directory's own descriptor,
/// opened without following a link, so a name swapped in between is not
/// what gets the mode).
fn make_dirs(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        make_dirs(parent)?;
    }
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {
            let d = open_nofollow(OpenOptions::new().read(true), dir)?;
            if !d.metadata()?.is_dir() {
                return Err(io::Error::other("not a directory"));
            }
            d.set_permissions(fs::Permissions::from_mode(0o700))
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// The directory if the plugin may keep state in it, with the uid its
/// files get there; else why not.
fn usable(dir: &Path) -> Result<u32, String> {
    make_dirs(dir).map_err(|e| format!("cannot be created ({e})"))?;
    let m = fs::metadata(dir).map_err(|e| e.to_string())?;
    // Anyone could rename or remove the plugin's files there.
    if m.mode() & 0o1002 == 0o002 {
        return Err(format!(
            "world-writable without the sticky bit (mode {:o})",
            m.mode() & 0o7777
        ));
    }
    // Writable by us: a probe file that is created and removed.
    let probe = dir.join(format!("check_cloudtrail_probe.tmp-{}", unpredictable()));
    let created = open_nofollow(
        OpenOptions::new().write(true).create_new(true).mode(0o600),
        &probe,
    )
    .and_then(|f| f.metadata());
    let _ = fs::remove_file(&probe);
    created
        .map(|m| m.uid())
        .map_err(|e| format!("not writable ({e})"))
}

impl StateDir {
    /// The directory to use: the one given (or Centreon's default), else
    /// the user's cache directory when that one is not usable, else none
    /// (the run then works without state). `home` and `xdg_cache` come
    /// from the environment; `now` (epoch seconds) dates stale temporary
    /// files.
    pub fn open(
        opts: &Options,
        home: Option<&str>,
        xdg_cache: Option<&str>,
        cwd: Option<&Path>,
        now: i64,
    ) -> Opened {
        let mut notes = Vec::new();
        if opts.disabled {
            return Opened { dir: None, notes };
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
        for dir in std::iter::once(first).chain(fallback) {
            match usable(&dir) {
                Ok(uid) => {
                    let s = StateDir {
                        dir,
                        suffix: opts.suffix.clone(),
                        uid,
                        notes: Mutex::new(notes),
                    };
                    s.remove_stale(now);
                    return Opened {
                        notes: s.take_notes(),
                        dir: Some(s),
                    };
                }
                Err(why) => {
                    notes.push(format!("state directory {} not used: {why}", dir.display()))
                }
            }
        }
        Opened { dir: None, notes }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Why files were ignored since the last call, for `--debug`.
    pub fn take_notes(&self) -> Vec<String> {
        self.notes
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }

    fn note(&self, line: String) {
        if let Ok(mut n) = self.notes.lock() {
            n.push(line);
        }
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

    /// Why a file opened here is not to be trusted, if it is not.
    fn distrust(&self, m: &Metadata, cap: u64) -> Option<String> {
        if !m.file_type().is_file() {
            Some("not a regular file".to_owned())
        } else if m.uid() != self.uid {
            Some(format!(
                "owned by uid {}, not {} (the plugin's)",
                m.uid(),
                self.uid
            ))
        } else if m.mode() & 0o022 != 0 {
            Some(format!("writable by others (mode {:o})", m.mode() & 0o7777))
        } else if m.nlink() > 1 {
            Some(format!("a hard link ({} names)", m.nlink()))
        } else if m.len() > cap {
            Some(format!("larger than {cap} bytes ({})", m.len()))
        } else {
            None
        }
    }

    /// `path` opened with `opts`, if it is the plugin's own (see
    /// [`StateDir::distrust`]); a missing file is silent, anything else
    /// refused leaves a note.
    fn open_trusted(&self, opts: &mut OpenOptions, path: &Path, cap: u64) -> Option<File> {
        let why = match open_nofollow(opts, path) {
            Ok(f) => match f.metadata() {
                Ok(m) => match self.distrust(&m, cap) {
                    None => return Some(f),
                    Some(why) => why,
                },
                Err(e) => e.to_string(),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
            // Named from what is there (a FIFO opened for writing
            // without a reader fails with ENXIO, for one).
            Err(e) => match fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => "a symbolic link".to_owned(),
                Ok(m) if !m.is_file() => "not a regular file".to_owned(),
                _ => e.to_string(),
            },
        };
        self.note(format!("state: ignored {}: {why}", path.display()));
        None
    }

    /// A trusted file's reader, at most `cap` bytes of it.
    pub fn reader(&self, path: &Path, cap: u64) -> Option<io::Take<File>> {
        self.open_trusted(OpenOptions::new().read(true), path, cap)
            .map(|f| f.take(cap))
    }

    /// A trusted file's bytes (at most `cap`).
    pub fn read_bytes(&self, path: &Path, cap: u64) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.reader(path, cap)?.read_to_end(&mut out).ok()?;
        Some(out)
    }

    /// A trusted file's JSON when it is of this version; `None` otherwise.
    pub fn read(&self, path: &Path, cap: u64) -> Option<Value> {
        let v = parse(&self.read_bytes(path, cap)?);
        if v.is_none() {
            self.note(format!(
                "state: ignored {}: not JSON of this version",
                path.display()
            ));
        }
        v
    }

    /// Writes `v` atomically ([`StateDir::write_with`]).
    pub fn write(&self, path: &Path, v: &Value, cap: u64) -> io::Result<()> {
        self.write_with(path, cap, |w| Ok(serde_json::to_writer(w, v)?))
    }

    /// Writes atomically what `fill` writes: to a new temporary file of an
    /// unpredictable name in the same directory (created exclusively, mode
    /// 0600), then renamed over `path` — a rename replaces a link planted
    /// at `path`, never writes through it. More than `cap` bytes is not
    /// kept: it would not be read back.
    pub fn write_with(
        &self,
        path: &Path,
        cap: u64,
        fill: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
    ) -> io::Result<()> {
        let tmp = sibling(path, &format!(".tmp-{}", unpredictable()));
        let f = open_nofollow(
            OpenOptions::new().write(true).create_new(true).mode(0o600),
            &tmp,
        )?;
        let done = (|| {
            // The umask may have taken more than the group's and others' bits.
            f.set_permissions(fs::Permissions::from_mode(0o600))?;
            let mut w = BufWriter::new(&f);
            fill(&mut w)?;
            w.flush()?;
            drop(w);
            let len = f.metadata()?.len();
            if len > cap {
                self.note(format!(
                    "state: not kept {}: {len} bytes, over the cap of {cap}",
                    path.display()
                ));
                return Err(io::Error::other("over the cap"));
            }
            f.sync_all().ok();
            fs::rename(&tmp, path)
        })();
        if done.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        done
    }

    /// Removes a file (a link itself, never what it points at).
    pub fn remove(&self, path: &Path) {
        let _ = fs::remove_file(path);
    }

    /// An exclusive advisory lock (`flock`) on `<path>.lock`, held while
    /// the returned file lives; `None` (with a note) when the lock file is
    /// not the plugin's own or is still locked after `wait`: the caller
    /// then does without the shared state. Polled through `clock`, so the
    /// wait is part of the run's time.
    pub fn lock(&self, path: &Path, clock: &dyn Clock, wait: Duration) -> Option<File> {
        let lock = sibling(path, ".lock");
        let f = self.open_trusted(
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600),
            &lock,
            SMALL_CAP,
        )?;
        let deadline = clock.now() + wait;
        let mut pause = Duration::from_millis(2);
        loop {
            match f.try_lock() {
                Ok(()) => return Some(f),
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => {
                    self.note(format!("state: cannot lock {}: {e}", lock.display()));
                    return None;
                }
            }
            let left = deadline.saturating_duration_since(clock.now());
            if left.is_zero() {
                self.note(format!(
                    "state: {} still locked after {} ms, going on without it",
                    lock.display(),
                    wait.as_millis()
                ));
                return None;
            }
            clock.sleep(pause.min(left));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// Removes the temporary files of killed runs (the plugin's own,
    /// older than [`STALE_SECS`]); looks at [`CLEANUP_SCAN`] entries at
    /// most. Only names the plugin makes are considered, and `remove_file`
    /// removes a link, never its target.
    fn remove_stale(&self, now: i64) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.take(CLEANUP_SCAN).flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with("check_cloudtrail_") && name.contains(".tmp")) {
                continue;
            }
            let path = e.path();
            if let Ok(m) = fs::symlink_metadata(&path)
                && m.uid() == self.uid
                && m.mtime() < now.saturating_sub(STALE_SECS)
            {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// A state file's JSON when it is of this version; `None` otherwise.
pub fn parse(bytes: &[u8]) -> Option<Value> {
    this_version(serde_json::from_slice(bytes).ok()?)
}

/// `v` if it says it is of this version.
pub fn this_version(v: Value) -> Option<Value> {
    (v.get("version").and_then(Value::as_u64) == Some(VERSION)).then_some(v)
}

/// A state file of JSON lines, read one line at a time (only one line's
/// tree is ever built): a header of this version, then one value a line.
pub struct JsonLines<R> {
    r: io::BufReader<R>,
    line: Vec<u8>,
}

impl<R: Read> JsonLines<R> {
    /// The header and the lines after it; why not, when the first line is
    /// not a header of this version whose `format` is `format`.
    pub fn open(r: R, format: u64) -> Result<(Value, JsonLines<R>), String> {
        let mut lines = JsonLines {
            r: io::BufReader::new(r),
            line: Vec::new(),
        };
        let head = lines
            .next_value()?
            .and_then(this_version)
            .ok_or("not of this version")?;
        if head.get("format").and_then(Value::as_u64) != Some(format) {
            return Err("not of this format".into());
        }
        Ok((head, lines))
    }

    /// The next line's value, `None` at the end.
    pub fn next_value(&mut self) -> Result<Option<Value>, String> {
        use io::BufRead;
        self.line.clear();
        if self
            .r
            .read_until(b'\n', &mut self.line)
            .map_err(|e| e.to_string())?
            == 0
        {
            return Ok(None);
        }
        serde_json::from_slice(&self.line)
            .map(Some)
            .map_err(|e| format!("not JSON ({e})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use std::os::unix::fs::symlink;
    use std::time::Instant;

    fn temp(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("ct-state-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        p
    }

    fn open_at(d: &Path) -> StateDir {
        StateDir::open(
            &Options {
                dir: Some(d.to_string_lossy().into_owned()),
                ..Options::default()
            },
            None,
            None,
            None,
            0,
        )
        .dir
        .unwrap()
    }

    fn chmod(p: &Path, mode: u32) {
        fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn mode(p: &Path) -> u32 {
        fs::symlink_metadata(p).unwrap().mode() & 0o7777
    }

    fn notes(s: &StateDir) -> String {
        s.take_notes().join("\n")
    }

    const GOOD: &str = r#"{"version": 1, "a": 1}"#;

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
            0,
        )
        .dir
        .unwrap();
        let f = s.file("bucket", "k");
        assert!(f.file_name().unwrap().to_string_lossy().ends_with("_x"));
        s.write(
            &f,
            &serde_json::json!({"version": VERSION, "a": 1}),
            SMALL_CAP,
        )
        .unwrap();
        assert_eq!(s.read(&f, SMALL_CAP).unwrap()["a"], 1);
        assert_eq!(mode(&f), 0o600);
        fs::write(&f, "{not json").unwrap();
        assert!(s.read(&f, SMALL_CAP).is_none(), "corrupt files are ignored");
        assert!(notes(&s).contains("not JSON of this version"));
        fs::write(&f, r#"{"version": 999}"#).unwrap();
        assert!(
            s.read(&f, SMALL_CAP).is_none(),
            "other versions are ignored"
        );
        s.write(&f, &serde_json::json!({"version": VERSION}), SMALL_CAP)
            .unwrap();
        assert!(s.read(&f, SMALL_CAP).is_some(), "and rewritten");
        assert!(s.lock(&f, &SystemClock, Duration::ZERO).is_some());
        // Only the file and its lock are left: no temporary file, no probe.
        assert_eq!(fs::read_dir(&d).unwrap().count(), 2);
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
            0,
        );
        assert_eq!(s.dir.unwrap().dir(), cache.join("check_cloudtrail"));
        assert!(s.notes.join("").contains("/proc/not-writable not used"));
        let off = Options {
            disabled: true,
            ..Options::default()
        };
        assert!(
            StateDir::open(&off, None, Some(&cache.to_string_lossy()), None, 0)
                .dir
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
            0,
        );
        assert_eq!(s.dir.unwrap().dir(), base.join("state"));
        let _ = fs::remove_dir_all(&base);
    }

    #[test]
    fn nofollow_is_honoured() {
        // Proves the O_NOFOLLOW value on this architecture: a wrong one
        // would open the target.
        let d = temp("nofollow");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("target"), "x").unwrap();
        symlink(d.join("target"), d.join("link")).unwrap();
        let e = open_nofollow(OpenOptions::new().read(true), &d.join("link")).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(40), "ELOOP: {e}");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn links_at_every_name_are_never_followed() {
        let d = temp("links");
        let s = open_at(&d);
        let f = s.file("imds", "k");
        let elsewhere = temp("links-elsewhere");
        fs::create_dir_all(&elsewhere).unwrap();
        let victim = elsewhere.join("victim");
        fs::write(&victim, GOOD).unwrap();
        chmod(&victim, 0o600);
        // Read: a link to a file that would pass every other rule.
        symlink(&victim, &f).unwrap();
        assert!(s.read(&f, SMALL_CAP).is_none());
        assert!(notes(&s).contains("a symbolic link"));
        // Write: the link is replaced, its target untouched.
        s.write(&f, &serde_json::json!({"version": VERSION}), SMALL_CAP)
            .unwrap();
        assert!(fs::symlink_metadata(&f).unwrap().is_file());
        assert_eq!(fs::read_to_string(&victim).unwrap(), GOOD);
        // Lock: a link to a file that does not exist is not created.
        let absent = elsewhere.join("absent");
        symlink(&absent, sibling(&f, ".lock")).unwrap();
        assert!(s.lock(&f, &SystemClock, Duration::ZERO).is_none());
        assert!(!absent.exists());
        assert!(notes(&s).contains("a symbolic link"));
        // Lock: nor is an existing file taken.
        let _ = fs::remove_file(sibling(&f, ".lock"));
        symlink(&victim, sibling(&f, ".lock")).unwrap();
        assert!(s.lock(&f, &SystemClock, Duration::ZERO).is_none());
        assert_eq!(fs::read_to_string(&victim).unwrap(), GOOD);
        // Temporary and probe names cannot be planted in advance: 128
        // unpredictable bits, and created exclusively.
        let (a, b) = (unpredictable(), unpredictable());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        let _ = fs::remove_dir_all(&d);
        let _ = fs::remove_dir_all(&elsewhere);
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let d = temp("fifo");
        let s = open_at(&d);
        let f = s.file("bucket", "k");
        let made = std::process::Command::new("mkfifo")
            .arg(&f)
            .status()
            .unwrap();
        assert!(made.success());
        assert!(s.read(&f, SMALL_CAP).is_none());
        assert!(notes(&s).contains("not a regular file"));
        let made = std::process::Command::new("mkfifo")
            .arg(sibling(&f, ".lock"))
            .status()
            .unwrap();
        assert!(made.success());
        assert!(s.lock(&f, &SystemClock, Duration::ZERO).is_none());
        assert!(notes(&s).contains("not a regular file"));
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn only_the_plugins_own_files_are_trusted() {
        let d = temp("owners");
        let s = open_at(&d);
        let f = s.file("imds", "k");
        let plant = |m: u32| {
            let _ = fs::remove_file(&f);
            fs::write(&f, GOOD).unwrap();
            chmod(&f, m);
        };
        plant(0o600);
        assert!(s.read(&f, SMALL_CAP).is_some(), "ours");
        for m in [0o620, 0o602, 0o666] {
            plant(m);
            assert!(s.read(&f, SMALL_CAP).is_none(), "{m:o}");
            assert!(notes(&s).contains("writable by others"), "{m:o}");
        }
        plant(0o600);
        // Tests run as root here: another owner is simulated with chown.
        if std::os::unix::fs::chown(&f, Some(65534), None).is_ok() {
            assert!(s.read(&f, SMALL_CAP).is_none());
            assert!(notes(&s).contains("owned by uid 65534"));
        }
        plant(0o600);
        fs::hard_link(&f, d.join("second-name")).unwrap();
        assert!(s.read(&f, SMALL_CAP).is_none());
        assert!(notes(&s).contains("a hard link"));
        fs::remove_file(d.join("second-name")).unwrap();
        assert!(s.read(&f, SMALL_CAP).is_some());
        // Over the cap: ignored, and never written either.
        assert!(s.read(&f, 10).is_none());
        assert!(notes(&s).contains("larger than 10 bytes"));
        let big = serde_json::json!({"version": VERSION, "pad": "x".repeat(100)});
        assert!(s.write(&f, &big, 50).is_err());
        assert!(notes(&s).contains("over the cap of 50"));
        assert_eq!(fs::read_to_string(&f).unwrap(), GOOD);
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1, "no temporary left");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn directories_open_to_all_need_the_sticky_bit() {
        let base = temp("dirs");
        let cache = base.join("cache");
        for (m, used) in [(0o777, false), (0o1777, true), (0o775, true), (0o700, true)] {
            let d = base.join(format!("{m:o}"));
            fs::create_dir_all(&d).unwrap();
            chmod(&d, m);
            let o = StateDir::open(
                &Options {
                    dir: Some(d.to_string_lossy().into_owned()),
                    ..Options::default()
                },
                None,
                Some(&cache.to_string_lossy()),
                None,
                0,
            );
            let got = o.dir.unwrap();
            assert_eq!(got.dir() == d, used, "{m:o}");
            if !used {
                assert_eq!(got.dir(), cache.join("check_cloudtrail"));
                assert!(o.notes.join("").contains("without the sticky bit"));
            }
        }
        let _ = fs::remove_dir_all(&base);
    }

    #[test]
    fn created_directories_are_private() {
        let base = temp("mkdir");
        let deep = base.join("a/b/c");
        let s = open_at(&deep);
        for p in [base.join("a"), base.join("a/b"), deep.clone()] {
            assert_eq!(mode(&p), 0o700, "{}", p.display());
        }
        // A directory that exists keeps its mode (Centreon's 0775).
        chmod(&deep, 0o775);
        drop(s);
        let _ = open_at(&deep);
        assert_eq!(mode(&deep), 0o775);
        let _ = fs::remove_dir_all(&base);
    }

    #[test]
    fn a_held_lock_is_waited_on_until_the_deadline_only() {
        let d = temp("held");
        let s = open_at(&d);
        let f = s.file("bucket", "k");
        let mine = s.lock(&f, &SystemClock, Duration::ZERO).unwrap();
        // Another open file description: as another process's.
        let other = OpenOptions::new()
            .write(true)
            .open(sibling(&f, ".lock"))
            .unwrap();
        let t0 = Instant::now();
        assert!(
            s.lock(&f, &SystemClock, Duration::from_millis(200))
                .is_none()
        );
        let took = t0.elapsed();
        assert!(took >= Duration::from_millis(200) && took < Duration::from_secs(2));
        assert!(notes(&s).contains("still locked after 200 ms"));
        drop(mine);
        other.lock().unwrap();
        drop(other);
        assert!(s.lock(&f, &SystemClock, Duration::ZERO).is_some());
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn killed_runs_temporary_files_are_removed() {
        let d = temp("stale");
        let s = open_at(&d);
        let now = SystemClock.epoch();
        let old = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
        let mk = |name: &str, aged: bool| {
            let p = d.join(name);
            let f = File::create(&p).unwrap();
            if aged {
                f.set_modified(old).unwrap();
            }
            p
        };
        let stale = mk("check_cloudtrail_imds_ab.tmp-0123", true);
        let old_style = mk("check_cloudtrail_bucket_cd.tmp4242", true);
        let live = mk("check_cloudtrail_imds_ab.tmp-4567", false);
        let other = mk("centreon_other_plugin.tmp-1", true);
        drop(s);
        let _ = StateDir::open(
            &Options {
                dir: Some(d.to_string_lossy().into_owned()),
                ..Options::default()
            },
            None,
            None,
            None,
            now,
        );
        assert!(!stale.exists() && !old_style.exists());
        assert!(live.exists() && other.exists());
        let _ = fs::remove_dir_all(&d);
    }
}
