//! Quick3 Planner desktop shell.
