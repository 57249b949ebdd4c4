//! Memory per tick (issue 12: "stream the timeline instead of holding it
//! all where that is what limits scale"). A counting global allocator (this
//! test binary only) measures the peak bytes a whole `drillsim run` —
//! simulate, assess, write the run folder — holds for a 5-day and a 30-day
//! run of the bundled national worm with 1-minute ticks. What a tick adds
//! to the peak must stay small: the run folder's large files are written
//! row by row (`output::write_run_files`) and the compliance series is
//! kept as its change points (`score::compliance`), so what still grows is
//! the record's own timeline (one `TimelineRow` per tick) and the charts'
//! passing series. Not timed: it counts bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use drillsim::app::{self, RunArgs};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = NOW.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        NOW.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                grew(new - l.size());
            } else {
                NOW.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak bytes held during `drillsim run` of the national worm lasting
/// `duration`, above what was held before; and the run folder's
/// `timeline.csv` lines.
fn peak_of_run(dir: &Path, duration: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national-worm.ron"),
    )
    .unwrap();
    assert!(text.contains("duration: \"72h\""));
    let file = dir.join(format!("worm-{duration}.ron"));
    std::fs::write(
        &file,
        text.replace("duration: \"72h\"", &format!("duration: \"{duration}\"")),
    )
    .unwrap();
    let out = dir.join(format!("run-{duration}"));
    let args = RunArgs {
        scenario: Some(file),
        seed: 1,
        out: Some(out.clone()),
        ..RunArgs::default()
    };
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let r = app::run(&args).expect("the run");
    let ticks = r.record.timeline.len();
    drop(r);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let csv = std::fs::read_to_string(out.join("timeline.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + ticks, "every tick exported");
    (peak, ticks)
}

#[test]
fn a_tick_adds_little_to_the_peak_memory_of_a_run() {
    let dir = tempfile::tempdir().unwrap();
    // A first run fills whatever is built once per process (so that both
    // measured runs start from the same state).
    peak_of_run(dir.path(), "1d");
    let (short, short_ticks) = peak_of_run(dir.path(), "5d");
    let (long, long_ticks) = peak_of_run(dir.path(), "30d");
    assert_eq!(short_ticks, 5 * 1440 + 1);
    assert_eq!(long_ticks, 30 * 1440 + 1);
    let per_tick = long.saturating_sub(short) as f64 / (long_ticks - short_ticks) as f64;
    eprintln!(
        "peak {:.1} MB (5 d), {:.1} MB (30 d): {per_tick:.0} bytes per tick",
        short as f64 / 1e6,
        long as f64 / 1e6
    );
    // Before streaming, the heap's peak was about 1,400 bytes a tick
    // (heaptrack of the 365-day run: the compliance
    // cells of every row as strings, timeline.csv and record.json whole in
    // memory, one compliance point per row).
    assert!(per_tick < 300.0, "{per_tick:.0} bytes per tick");
}
