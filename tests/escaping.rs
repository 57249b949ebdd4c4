//! Control characters and bidi overrides never reach the players' screen or
//! the terminal raw: what players type and the scenario's own texts in
//! `tabletop`, and file names in I/O errors and in the lines that name an
//! output folder, come out escaped (`model::diag::escape_controls`), as the
//! diagnostics do (`fuzz::control_characters_in_a_bad_value_…`).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// An ESC sequence (clear screen, red), a right-to-left override, an
/// isolate and a bell: what a hostile name or a stray paste may hold.
const EVIL: &str = "\u{1b}[2J\u{1b}[31mx\u{202e}gnp.exe\u{2066}\u{7}";
/// The same as a message shows it.
const SHOWN: &str = r"\u{1b}[2J\u{1b}[31mx\u{202e}gnp.exe\u{2066}\u{7}";

/// No byte below 0x20 but newlines, no C1 / DEL, no bidi control.
fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.chars().any(drillsim::model::diag::is_unsafe),
        "raw control or bidi character in {what}: {text:?}"
    );
    assert!(
        !text.bytes().any(|b| b < 0x20 && b != b'\n'),
        "raw control byte in {what}: {text:?}"
    );
}

fn drillsim(args: &[&std::ffi::OsStr], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The short bundled scenario with `EVIL` in its name.
fn evil_scenario(dir: &Path) -> std::path::PathBuf {
    let src = std::fs::read_to_string("scenarios/provincial-dc-power-failure.ron").unwrap();
    let named = src.replacen(
        "name: \"四川省局数据中心停电",
        &format!("name: \"{EVIL} 四川省局数据中心停电"),
        1,
    );
    assert_ne!(named, src, "the scenario's name line moved");
    let p = dir.join("evil.ron");
    std::fs::write(&p, named).unwrap();
    p
}

#[test]
fn a_tabletop_shows_what_players_type_and_the_scenarios_texts_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let sc = evil_scenario(dir.path());
    let out = dir.path().join(format!("run{EVIL}"));
    let script = format!(
        "status\n{EVIL}\nreport at {EVIL}\ndo {EVIL}\ngrade {EVIL}\nwait {EVIL}\nwait\nend\n"
    );
    let o = drillsim(
        &[
            "tabletop".as_ref(),
            sc.as_os_str(),
            "--as".as_ref(),
            "emergency_office@sc".as_ref(),
            "--lang".as_ref(),
            "en".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
        &script,
    );
    let (stdout, stderr) = (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    );
    assert_eq!(o.status.code(), Some(0), "{stderr}\n{stdout}");
    assert_clean("stdout", &stdout);
    assert_clean("stderr", &stderr);
    // The scenario's name, each bad command's echo and the output folder.
    assert!(
        stdout.contains(&format!("Tabletop: {SHOWN} ")),
        "name: {stdout}"
    );
    for line in 2..=6 {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("line {line}: ")) && l.contains(SHOWN)),
            "line {line} not echoed escaped: {stdout}"
        );
    }
    assert!(
        stdout.contains(&format!("results    {}", out.display()).replace(EVIL, SHOWN)),
        "{stdout}"
    );
    // The transcript file keeps the commands, escaped too.
    let transcript = std::fs::read_to_string(out.join("tabletop.txt")).unwrap();
    assert_clean("tabletop.txt", &transcript);
    assert!(transcript.contains(&format!("> report at {SHOWN}\n")));
}

#[test]
fn a_file_name_in_an_io_error_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the output's parent folder should be: creating it fails.
    let blocker = dir.path().join(format!("file{EVIL}"));
    std::fs::write(&blocker, "not a folder").unwrap();
    let out = blocker.join("run");
    let o = drillsim(
        &[
            "run".as_ref(),
            "scenarios/provincial-dc-power-failure.ron".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
        "",
    );
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(1), "an I/O error: {stderr}");
    assert_clean("stderr", &stderr);
    assert!(stderr.contains(&format!("file{SHOWN}")), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn the_library_error_names_the_file_escaped_too() {
    // `app::Error::Io` itself, for callers other than the binary.
    let e = drillsim::app::Error::Io {
        path: format!("/nowhere/{EVIL}").into(),
        source: std::io::Error::other(format!("bad {EVIL}")),
    };
    let shown = e.to_string();
    assert_clean("Error::Io", &shown);
    assert_eq!(shown, format!("error: /nowhere/{SHOWN}: bad {SHOWN}"));
}
