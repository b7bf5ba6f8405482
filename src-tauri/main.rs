//! Quick3 Planner desktop app entry point.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    quick3_planner_lib::run();
}
