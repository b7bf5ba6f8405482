//! The `quick3` command line.

fn main() {}
