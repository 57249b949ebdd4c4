//! Writing a run's record: CSV, JSON.
