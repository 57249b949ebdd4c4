//! What an output folder may replace, and cleaning up after interruptions.
//!
//! Every folder drillsim writes holds a marker file, [`MARKER`]
//! (`.drillsim`), listing the files drillsim wrote there. An existing
//! folder at an output path is replaced only when it is drillsim's — it has
//! the marker (or, from drillsim versions before the marker, a
//! `record.json` or `batch.json` and nothing but drillsim's file names) —
//! and it holds nothing but the files drillsim wrote, it is writable, and
//! no input of the command lies inside it. Anything else is refused before
//! anything is touched (an `io::Error` whose message says why: exit 1),
//! unless `--force` ([`set_force`]) — which never overrides the input and
//! read-only checks. `drillsim report RUN` keeps the files a user added
//! ([`Mode::KeepForeign`]).
//!
//! Temporary folders `.NAME.tmp-PID` are registered while they are being
//! filled: a SIGINT/SIGTERM/SIGHUP removes them ([`cleanup_on_signals`]);
//! those of dead processes (a SIGKILL, a power cut) are swept by the next
//! write to the same `NAME` ([`sweep_stale`]).

use std::cell::RefCell;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The marker file of every output folder.
pub const MARKER: &str = ".drillsim";

/// Top-level names of the folders older drillsim versions wrote (before
/// the marker): run folders and batch folders.
const LEGACY_NAMES: [&str; 15] = [
    "timeline.csv",
    "events.csv",
    "obligations.csv",
    "summary.json",
    "record.json",
    "report.lang",
    "spread.json",
    "report.html",
    "report.md",
    "charts",
    "runs",
    "runs.csv",
    "summary.csv",
    "aggregates.json",
    "batch.json",
];

static FORCE: AtomicBool = AtomicBool::new(false);

/// `--force`: replace an existing folder drillsim did not write, or one
/// holding files it did not write. Inputs inside it and read-only folders
/// are refused all the same.
pub fn set_force(force: bool) {
    FORCE.store(force, Ordering::SeqCst);
}

/// Whether `--force` was given.
pub fn force() -> bool {
    FORCE.load(Ordering::SeqCst)
}

thread_local! {
    static INPUTS: RefCell<Vec<PathBuf>> = const { RefCell::new(Vec::new()) };
}

/// Records that this thread's command reads `path` (a file or folder), so
/// that no output replaces a folder holding it. The loaders call it (every
/// RON file through `diag::read_source`, topology folders, run and batch
/// folders read back).
pub fn note_input(path: &Path) {
    let p = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    INPUTS.with(|i| {
        let mut i = i.borrow_mut();
        if !i.contains(&p) {
            i.push(p);
        }
    });
}

/// Forgets this thread's inputs (a library user running several commands
/// in one thread).
pub fn clear_inputs() {
    INPUTS.with(|i| i.borrow_mut().clear());
}

/// How an existing drillsim folder is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The folder is replaced as a whole; files drillsim did not write
    /// there are refused (unless `--force`).
    Replace,
    /// Files drillsim did not write are carried over into the new folder
    /// (`drillsim report RUN`); the command's own inputs may be inside.
    KeepForeign,
}

/// What is at an output path now.
#[derive(Debug, Default)]
pub struct Target {
    /// A folder is there (and may be replaced).
    pub exists: bool,
    /// Files in it drillsim did not write (relative paths, `/`-separated).
    pub foreign: Vec<String>,
    /// Replaced only because of `--force` (drillsim did not write it, or
    /// it holds files drillsim did not write).
    pub forced: bool,
}

fn refuse(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::AlreadyExists, msg)
}

fn parent_and_name(dir: &Path) -> (PathBuf, String) {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    (parent, name)
}

/// The parent folder and the temporary sibling `.NAME.tmp-PID` of `dir`.
pub fn temp_sibling(dir: &Path) -> (PathBuf, PathBuf) {
    let (parent, name) = parent_and_name(dir);
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    (parent, tmp)
}

/// Every file under `dir` (relative, `/`-separated, sorted) and every
/// folder (relative; "" for `dir` itself). Symbolic links count as files.
fn walk(dir: &Path) -> io::Result<(Vec<String>, Vec<String>)> {
    let mut files = Vec::new();
    let mut dirs = vec![String::new()];
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        for e in fs::read_dir(&d)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if e.file_type()?.is_dir() {
                dirs.push(r.clone());
                stack.push((e.path(), r));
            } else {
                files.push(r);
            }
        }
    }
    files.sort();
    dirs.sort();
    Ok((files, dirs))
}

/// The marker's text for a folder holding `files`: the drillsim version
/// and the files, one a line (no paths outside the folder, no time: the
/// same output gives the same marker).
pub fn marker_text(files: &[String]) -> String {
    let mut s = format!(
        "drillsim {} output folder. drillsim replaces this folder only while it holds\n\
         nothing but the files listed here (see README, \"Guarantees\").\n",
        env!("CARGO_PKG_VERSION")
    );
    for f in files.iter().filter(|f| *f != MARKER) {
        s.push_str(f);
        s.push('\n');
    }
    s
}

/// The files a marker lists (None: no marker).
fn marker_files(dir: &Path) -> Option<Vec<String>> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    Some(text.lines().skip(2).map(str::to_string).collect())
}

/// Writes the marker into a finished temporary folder.
pub fn write_marker(tmp: &Path) -> io::Result<()> {
    let (files, _) = walk(tmp)?;
    fs::write(tmp.join(MARKER), marker_text(&files))
}

fn short_list(v: &[String]) -> String {
    let mut s = v.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if v.len() > 5 {
        s.push_str(&format!(", … ({} in all)", v.len()));
    }
    s
}

/// Checks what may happen at the output path `dir` before anything is
/// written: absent (fine), or an existing folder drillsim may replace.
/// Refusals are `io::Error`s saying why and what to do.
pub fn check_target(dir: &Path, mode: Mode) -> io::Result<Target> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::default()),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            "is a symbolic link; drillsim writes a folder there and would replace the link: \
             choose another output folder"
                .into(),
        ));
    }
    if !meta.is_dir() {
        return Err(refuse(
            "exists and is not a folder; nothing was written: choose another output folder".into(),
        ));
    }
    let (files, dirs) = walk(dir)?;
    // Inputs of this command inside the folder (never replaced, even with --force).
    if mode == Mode::Replace
        && let Ok(canon) = fs::canonicalize(dir)
    {
        let inside: Vec<String> = INPUTS.with(|i| {
            i.borrow()
                .iter()
                .filter(|p| p.starts_with(&canon))
                .map(|p| crate::model::diag::shown_path(p))
                .collect()
        });
        if !inside.is_empty() {
            return Err(refuse(format!(
                "holds input(s) of this command ({}); refusing to replace it, even with --force: \
                 choose another output folder",
                short_list(&inside)
            )));
        }
    }
    let read_only: Vec<String> = dirs
        .iter()
        .filter(|d| {
            fs::metadata(dir.join(d))
                .map(|m| m.permissions().readonly())
                .unwrap_or(false)
        })
        .map(|d| if d.is_empty() { ".".into() } else { d.clone() })
        .collect();
    if !read_only.is_empty() {
        return Err(refuse(format!(
            "is read-only ({}); nothing was written: make it writable or choose another output folder",
            short_list(&read_only)
        )));
    }
    let owned: Option<Vec<String>> = marker_files(dir).or_else(|| {
        let top = |f: &String| f.split('/').next().unwrap_or("").to_string();
        let legacy = files
            .iter()
            .any(|f| f == "record.json" || f == "batch.json");
        legacy.then(|| {
            files
                .iter()
                .filter(|f| LEGACY_NAMES.contains(&top(f).as_str()))
                .cloned()
                .collect()
        })
    });
    let force = force();
    let Some(owned) = owned else {
        if files.is_empty() && dirs.len() == 1 {
            // An empty folder: nothing to lose (replaced without a note).
            return Ok(Target {
                exists: false,
                foreign: Vec::new(),
                forced: false,
            });
        }
        if force {
            return Ok(Target {
                exists: true,
                foreign: Vec::new(),
                forced: true,
            });
        }
        return Err(refuse(format!(
            "exists and drillsim did not write it (no {MARKER} marker; it holds {}); \
             refusing to replace it: choose another output folder, or pass --force to replace it \
             and everything in it",
            short_list(&files)
        )));
    };
    let owned: std::collections::BTreeSet<&str> = owned.iter().map(String::as_str).collect();
    let foreign: Vec<String> = files
        .into_iter()
        .filter(|f| f != MARKER && !owned.contains(f.as_str()))
        .collect();
    if !foreign.is_empty() && mode == Mode::Replace && !force {
        return Err(refuse(format!(
            "holds files drillsim did not write ({}); refusing to replace it: move them away, \
             choose another output folder, or pass --force to replace it and everything in it",
            short_list(&foreign)
        )));
    }
    Ok(Target {
        exists: true,
        forced: !foreign.is_empty() && mode == Mode::Replace,
        foreign: if mode == Mode::KeepForeign {
            foreign
        } else {
            Vec::new()
        },
    })
}

/// Temporary folders being filled now, removed on SIGINT/SIGTERM/SIGHUP.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn active() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Registers a temporary folder being filled.
pub fn register(tmp: &Path) {
    active().push(tmp.to_path_buf());
}

/// Forgets a temporary folder (installed or removed).
pub fn deregister(tmp: &Path) {
    active().retain(|p| p != tmp);
}

fn remove_fully(p: &Path) {
    // A writer may still be adding files while we remove: try a few times.
    for _ in 0..100 {
        match fs::remove_dir_all(p) {
            Ok(()) => return,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return,
            Err(_) => std::thread::yield_now(),
        }
    }
}

/// Installs the handler of SIGINT, SIGTERM and SIGHUP: it removes every
/// temporary folder being filled and exits with status 130. Folders being
/// installed finish first (the handler waits for the install's lock), so an
/// output path holds the old folder or the new one, never half of one.
/// A batch's working folder `.NAME.partial` is kept for `--resume`.
pub fn cleanup_on_signals() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        let mut a = active();
        // Writers stop before their next file (`stop_if_interrupted`); let
        // a file being written finish, then remove, twice over.
        for _ in 0..2 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            for p in a.iter() {
                remove_fully(p);
            }
        }
        a.clear();
        eprintln!("drillsim: interrupted; unfinished output removed, nothing written");
        std::process::exit(130);
    });
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Called by writers before each file: after a SIGINT/SIGTERM/SIGHUP the
/// thread waits for the handler to remove its temporary folder and end the
/// process, instead of writing into (and re-creating) it.
pub fn stop_if_interrupted() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::park_timeout(std::time::Duration::from_secs(1));
    }
}

/// Whether process `pid` is alive (Linux: `/proc/PID`; elsewhere every
/// process counts as alive, so nothing is swept).
fn alive(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Sweeps what dead processes left beside `dir`: `.NAME.tmp-PID` folders
/// are removed; a `.NAME.old-PID` folder (a process killed between moving
/// the old output aside and moving the new one in) is moved back to `dir`
/// when `dir` is missing, else removed. Only `NAME`'s leftovers are
/// touched (another machine may be writing other names in a shared
/// folder). Returns what was swept.
pub fn sweep_stale(dir: &Path) -> Vec<PathBuf> {
    let (parent, name) = parent_and_name(dir);
    let mut swept = Vec::new();
    let Ok(entries) = fs::read_dir(&parent) else {
        return swept;
    };
    let me = std::process::id();
    let mut found: Vec<(PathBuf, bool)> = Vec::new();
    for e in entries.flatten() {
        let f = e.file_name().to_string_lossy().into_owned();
        for (kind, old) in [("tmp", false), ("old", true)] {
            let prefix = format!(".{name}.{kind}-");
            if let Some(pid) = f.strip_prefix(&prefix)
                && let Ok(pid) = pid.parse::<u32>()
                && pid != me
                && !alive(pid)
            {
                found.push((e.path(), old));
            }
        }
    }
    found.sort();
    for (p, old) in found {
        if old && !dir.exists() && fs::rename(&p, dir).is_ok() {
            eprintln!(
                "drillsim: {} restored from {} (left by an interrupted drillsim)",
                crate::model::diag::shown_path(dir),
                crate::model::diag::shown_path(&p)
            );
        } else {
            let _ = fs::remove_dir_all(&p);
        }
        swept.push(p);
    }
    swept
}

/// Moves the entries of `old` not overwritten by `tmp` (the user's files)
/// into `tmp`: hard links where possible, else copies (so an interruption
/// never loses them: the old folder keeps them until the swap).
pub fn carry_over(old: &Path, tmp: &Path, foreign: &[String]) -> io::Result<()> {
    for f in foreign {
        let (from, to) = (old.join(f), tmp.join(f));
        if to.exists() {
            continue;
        }
        if let Some(d) = to.parent() {
            fs::create_dir_all(d)?;
        }
        if fs::symlink_metadata(&from)?.file_type().is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
            continue;
        }
        if fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

/// Swaps the finished `tmp` in at `dir` (a sibling) by rename, holding the
/// signal handler's lock. The old folder is moved aside to `.NAME.old-PID`
/// first and removed after; if that removal fails the new output is in
/// place and a warning names the leftover.
pub fn swap_in(tmp: &Path, dir: &Path, replace_note: Option<&str>) -> io::Result<()> {
    let mut lock = active();
    lock.retain(|p| p != tmp);
    if fs::symlink_metadata(dir).is_ok() {
        let (parent, name) = parent_and_name(dir);
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(dir, &old)?;
        if let Err(e) = fs::rename(tmp, dir) {
            let _ = fs::rename(&old, dir);
            return Err(e);
        }
        if let Some(why) = replace_note {
            eprintln!(
                "drillsim: replaced {} ({why})",
                crate::model::diag::shown_path(dir)
            );
        }
        if let Err(e) = fs::remove_dir_all(&old) {
            eprintln!(
                "drillsim: warning: the output is complete, but the previous folder could not be removed: {}: {e}",
                crate::model::diag::shown_path(&old)
            );
        }
    } else {
        fs::rename(tmp, dir)?;
    }
    Ok(())
}
