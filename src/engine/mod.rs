//! The simulation engine (bevy_ecs). Does no I/O.
