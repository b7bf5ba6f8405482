//! Quick3 Planner desktop app entry point.

fn main() {}
