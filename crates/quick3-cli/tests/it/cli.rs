//! The `quick3` binary end to end: exit codes, plain errors, JSON round trips on a fresh data dir.

use std::process::Command;

use serde_json::Value;

use crate::common::Quick3;

#[test]
fn resource_and_appointment_round_trip_as_json() {
    let q = Quick3::new();
    q.ok(&[
        "resource",
        "add",
        "--name",
        "Ada",
        "--email",
        "ada@example.com",
    ]);
    let added = q.json(&[
        "appointment",
        "add",
        "--resource",
        "Ada",
        "--title",
        "Review",
        "--start",
        "2026-11-25T09:00",
        "--end",
        "2026-11-25T10:30",
        "--location",
        "Room 4",
        "--json",
    ]);
    let listed = q.json(&["appointment", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0], added, "list returns exactly what add stored");
    assert_eq!(added["start"], "2026-11-25T09:00:00+01:00");
    assert_eq!(added["time_zone"], "Europe/Berlin");
    assert_eq!(added["location"], "Room 4");

    let id = added["id"].as_str().expect("an id");
    let edited = q.json(&[
        "appointment",
        "edit",
        id,
        "--title",
        "Design review",
        "--json",
    ]);
    assert_eq!(edited["title"], "Design review");
    assert_eq!(
        edited["start"], added["start"],
        "edit keeps what it was not given"
    );

    q.ok(&["appointment", "delete", id]);
    assert_eq!(
        q.json(&["appointment", "list", "--json"]),
        Value::Array(vec![])
    );
}

#[test]
fn invalid_email_fails_with_a_sentence_and_changes_nothing() {
    let q = Quick3::new();
    q.ok(&[
        "resource",
        "add",
        "--name",
        "Ada",
        "--email",
        "ada@example.com",
    ]);
    let before = q.json(&["resource", "list", "--json"]);
    let out = q.run(&[
        "resource",
        "add",
        "--name",
        "Bob",
        "--email",
        "not-an-email",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad value on the command line exits 2"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "quick3: \"not-an-email\" is not a valid e-mail address."
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        q.json(&["resource", "list", "--json"]),
        before,
        "the resource list is unchanged"
    );
}

#[test]
fn usage_errors_exit_2() {
    let q = Quick3::new();
    let out = q.run(&["appointment", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = q.run(&["resource", "add"]);
    assert_eq!(out.status.code(), Some(2), "--name is required");
}

#[test]
fn bad_values_ids_and_missing_options_exit_2_and_failures_exit_1() {
    let q = Quick3::new();
    q.ok(&["resource", "add", "--name", "Ada"]);
    let at = ["--start", "2026-11-25T09:00", "--end", "2026-11-25T10:00"];
    let add = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut args = vec!["appointment", "add", "--resource", "Ada", "--title", "x"];
        args.extend_from_slice(extra);
        args
    };
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec![
                "appointment",
                "add",
                "--resource",
                "Ada",
                "--start",
                at[1],
                "--end",
                at[3],
            ],
            2,
            "--title is required.",
        ),
        (
            add(&["--start", "tomorrow", "--end", at[3]]),
            2,
            "is not a date and time",
        ),
        (
            add(&[at[0], at[1], at[2], at[3], "--show-as", "away"]),
            2,
            "\"away\" is not one of free, tentative",
        ),
        (
            vec![
                "appointment",
                "add",
                "--resource",
                "Zoe",
                "--title",
                "x",
                at[0],
                at[1],
                at[2],
                at[3],
            ],
            2,
            "There is no resource \"Zoe\".",
        ),
        (
            vec!["appointment", "delete", "not-an-id"],
            2,
            "There is no appointment",
        ),
        (
            vec![
                "appointment",
                "delete",
                "0190a0a0-0000-7000-8000-000000000000",
            ],
            2,
            "There is no appointment",
        ),
        (vec!["appointment", "list", "--from", "soon"], 2, "--from"),
        (
            vec!["resource", "add", "--name", "Bob", "--kind", "spaceship"],
            2,
            "spaceship",
        ),
        (
            vec!["resource", "show", "Nobody"],
            2,
            "There is no resource",
        ),
        (vec!["job", "add", "--every", "sometimes"], 2, "sometimes"),
        (
            vec!["job", "add", "--active-hours", "late"],
            2,
            "is not an hour range",
        ),
        (
            vec!["job", "history", "No such job"],
            2,
            "There is no scheduled job",
        ),
        (
            vec!["admin", "module", "status", "teams"],
            2,
            "is not a module",
        ),
        (
            vec!["admin", "module", "reboot", "office365"],
            2,
            "is not an action",
        ),
        (vec!["config", "set", "colour", "blue"], 2, "is not one of"),
        (
            vec!["admin", "date-format", "--clock", "13"],
            2,
            "is not a clock",
        ),
        (
            vec!["admin", "date-format", "--locale", "en_GB"],
            2,
            "is not a language tag",
        ),
        (
            vec!["demo", "scale", "--resources", "250000"],
            2,
            "at most 1000",
        ),
        (
            vec!["demo", "scale", "--appointments", "100001"],
            2,
            "at most 100000",
        ),
        (vec!["demo", "scale", "--weeks", "100000"], 2, "at most 520"),
        (
            vec!["mail", "test", "it@example.com"],
            1,
            "No SMTP server is set",
        ),
    ];
    for (args, status, expected) in &cases {
        let out = q.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(*status),
            "quick3 {args:?}: {stderr}"
        );
        assert!(stderr.contains(expected), "quick3 {args:?}: {stderr}");
    }
    assert_eq!(
        q.json(&["resource", "list", "--json"])
            .as_array()
            .map(Vec::len),
        Some(1),
        "bad input wrote nothing (no demo data either)"
    );
}

#[test]
fn bad_appointments_are_refused_in_plain_words() {
    let q = Quick3::new();
    q.ok(&["resource", "add", "--name", "Ada"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--start", "2026-11-25T10:00", "--end", "2026-11-25T09:00"],
            "The end must come after the start.",
        ),
        (
            &["--all-day", "--start", "2026-11-25T10:00"],
            "An all-day appointment takes dates only",
        ),
        (
            &["--start", "tomorrow", "--end", "2026-11-25T09:00"],
            "is not a date and time",
        ),
        (
            &[
                "--start",
                "+12026-11-25T09:00",
                "--end",
                "+12026-11-26T01:00",
            ],
            "The start is not valid: \"+12026-11-25T09:00\" is outside the years 0001 to 9999.",
        ),
        (
            &[
                "--start",
                "2026-11-25T09:00:60",
                "--end",
                "2026-11-25T10:00",
            ],
            "seconds go from 00 to 59",
        ),
        (
            &["--all-day", "--start", "+12026-11-25"],
            "is outside the years 0001 to 9999",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["appointment", "add", "--resource", "Ada", "--title", "x"];
        args.extend_from_slice(extra);
        let out = q.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: a usage error");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let out = q.run(&[
        "appointment",
        "add",
        "--resource",
        "Zoe",
        "--title",
        "x",
        "--start",
        "2026-11-25T09:00",
        "--end",
        "2026-11-25T10:00",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("There is no resource \"Zoe\"."));
    assert_eq!(
        q.json(&["appointment", "list", "--json"]),
        Value::Array(vec![])
    );
}

#[test]
fn the_windows_date_format_is_set_by_management_and_read_back() {
    let q = Quick3::new();
    assert!(
        q.ok(&["admin", "date-format"])
            .contains("the system's language and region, with its own clock"),
        "nothing chosen: the system's"
    );
    assert_eq!(
        q.ok(&["admin", "date-format", "--locale", "nb-NO", "--clock", "12"])
            .trim(),
        "Dates and times are written in nb-NO, with a 12-hour clock."
    );
    assert!(
        q.ok(&["admin", "date-format", "--clock", "24"])
            .contains("nb-NO, with a 24-hour clock"),
        "a clock alone keeps the language"
    );
    assert!(
        q.ok(&["admin", "date-format", "--locale", "system"])
            .contains("the system's language and region, with a 24-hour clock"),
        "system goes back to the system's language"
    );
}

#[test]
fn demo_seed_is_idempotent_and_grants_the_demo_rights() {
    let q = Quick3::new();
    assert!(
        q.ok(&["demo", "seed"])
            .starts_with("Added 5 demo resources")
    );
    assert!(q.ok(&["demo", "seed"]).contains("nothing was added"));
    let resources = q.json(&["resource", "list", "--json"]);
    assert_eq!(resources.as_array().map(Vec::len), Some(5));
    assert!(
        q.ok(&["admin", "module", "status", "office365"])
            .contains("is activated")
    );
    let week = q.json(&[
        "appointment",
        "list",
        "--resource",
        "megan.bowen@contoso.example",
        "--json",
    ]);
    assert!(
        week.as_array().is_some_and(|a| !a.is_empty()),
        "Megan has appointments"
    );
}

#[test]
fn quick3_run_beside_the_open_app_loses_none_of_the_apps_writes() {
    use quick3_core::Store;
    use quick3_core::model::{NewResource, ResourceKind};
    let q = Quick3::new();
    let database = quick3_core::paths::database_in(q.dir.path()).expect("a database path");
    let person = |name: &str| NewResource {
        name: name.into(),
        email: None,
        kind: ResourceKind::Person,
        colour: None,
        hours: None,
    };
    let now = chrono::Utc::now();
    // The app: its store, then a second connection of the same process (its background jobs).
    let mut app = Store::open(&database).expect("the app opens the store");
    app.add_resource(person("Written before"), now).unwrap();
    let jobs = Store::open(&database).expect("the app's jobs open the store");
    // Support runs the CLI while the app is open, then the app writes again.
    q.ok(&["resource", "list"]);
    app.add_resource(person("Written after"), now).unwrap();
    let seen: Vec<String> = q
        .json(&["resource", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    drop((app, jobs));
    assert_eq!(
        seen,
        ["Written after", "Written before"],
        "the CLI sees every write of the running app (the app's log was not deleted under it)"
    );
}

#[test]
fn demo_scale_adds_resources_up_to_the_number_asked_and_the_appointments() {
    let q = Quick3::new();
    let said = q.ok(&[
        "demo",
        "scale",
        "--resources",
        "10",
        "--appointments",
        "200",
        "--weeks",
        "2",
    ]);
    assert!(
        said.starts_with("Added 5 resources and 200 appointments over 2 week(s) from "),
        "{said}"
    );
    let resources = q.json(&["resource", "list", "--json"]);
    assert_eq!(resources.as_array().map(Vec::len), Some(10));
    let all = q.json(&["appointment", "list", "--json"]);
    let demo = Quick3::new();
    demo.ok(&["demo", "seed"]);
    let demo_only = demo.json(&["appointment", "list", "--json"]);
    let demo_count = demo_only.as_array().map_or(0, Vec::len);
    assert!(demo_count > 100, "the demo's fortnight: {demo_count}");
    assert_eq!(
        all.as_array().map(Vec::len),
        Some(200 + demo_count),
        "the 200 asked for and the demo's own"
    );
}

#[test]
fn a_damaged_database_is_named_plainly_and_a_daily_backup_brings_it_back() {
    use std::io::{Seek, SeekFrom, Write};
    let quick3 = Quick3::new();
    quick3.ok(&["resource", "add", "--name", "Ada Lovelace"]);
    let listed = quick3.ok(&["backup", "list"]);
    assert!(
        listed.contains("quick3-") && listed.contains(".db"),
        "the first command of the day kept a backup: {listed}"
    );
    // Today's backup is the database as the day's first command found it: taken again now, it
    // holds Ada.
    std::fs::remove_dir_all(quick3.dir.path().join("backups")).unwrap();
    quick3.ok(&["resource", "list"]);
    let database = quick3.dir.path().join("quick3.db");
    // A failing disk overwrites pages after the first.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&database)
        .unwrap();
    file.seek(SeekFrom::Start(4096)).unwrap();
    file.write_all(&[0xA5; 4096 * 3]).unwrap();
    file.sync_all().unwrap();
    drop(file);

    let out = quick3.run(&["resource", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&database.display().to_string())
            && stderr.contains("is damaged")
            && stderr.contains("quick3 backup restore"),
        "one plain message naming the file and the way back: {stderr}"
    );
    assert!(
        stderr.starts_with("quick3: The database") && stderr.lines().count() == 1,
        "one sentence, not a raw SQLite error: {stderr}"
    );

    let restored = quick3.ok(&["backup", "restore", "latest"]);
    assert!(restored.contains("is now the backup of"), "{restored}");
    assert!(quick3.ok(&["resource", "list"]).contains("Ada Lovelace"));
    let unknown = quick3.run(&["backup", "restore", "1999-01-01"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no backup"));
}

#[test]
fn demo_mode_never_writes_into_a_real_data_folder_and_keeps_its_files_private() {
    use std::os::unix::fs::PermissionsExt;
    let quick3 = Quick3::new();
    quick3.ok(&["resource", "add", "--name", "Ada Lovelace"]);
    let real = quick3.dir.path();
    let mut before: Vec<String> = std::fs::read_dir(real)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    before.sort();

    // QUICK3_DATA_DIR points at the planner's real data, and demo mode is asked for.
    quick3.ok(&["--demo", "demo", "seed"]);
    for file in ["emulator-ca", "emulator.db", "emulator-ports.json"] {
        assert!(
            !real.join(file).exists(),
            "the emulator's {file} is not written into the real data folder"
        );
    }
    let listed = quick3.ok(&["resource", "list"]);
    assert!(
        listed.contains("Ada Lovelace") && !listed.contains("Megan"),
        "the real data has no demo resources: {listed}"
    );

    let demo = real.join("demo");
    assert!(
        demo.join("quick3.db").exists(),
        "demo mode has a folder of its own"
    );
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&demo), 0o700);
    for file in [
        "emulator.db",
        "emulator-ports.json",
        "emulator-ca/ca.key",
        "emulator-ca/ca.pem",
    ] {
        assert_eq!(mode(&demo.join(file)), 0o600, "{file} is private");
    }
    assert_eq!(mode(&demo.join("emulator-ca")), 0o700);
    let mut after: Vec<String> = std::fs::read_dir(real)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "demo")
        .collect();
    after.sort();
    assert_eq!(after, before, "nothing else appeared in the real folder");
}

#[test]
fn twenty_appointment_adds_at_once_all_succeed() {
    let q = Quick3::new();
    q.ok(&["resource", "add", "--name", "Ada"]);
    let adds: Vec<_> = (0..20)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_quick3"))
                .args(["appointment", "add", "--resource", "Ada", "--title"])
                .arg(format!("Meeting {i}"))
                .args(["--start", "2026-11-25T09:00", "--end", "2026-11-25T10:00"])
                .env("QUICK3_DATA_DIR", q.dir.path())
                .env("QUICK3_TZ", "Europe/Berlin")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("quick3 starts")
        })
        .collect();
    let failed: Vec<String> = adds
        .into_iter()
        .map(|add| add.wait_with_output().expect("quick3 runs"))
        .filter(|out| !out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stderr).into_owned())
        .collect();
    assert_eq!(failed, Vec::<String>::new(), "writers wait for each other");
    let listed = q.json(&["appointment", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(20));
}

#[test]
fn control_characters_of_a_title_are_escaped_in_tables_and_kept_in_json() {
    let q = Quick3::new();
    q.ok(&["resource", "add", "--name", "Ada"]);
    let evil = "Evil\x1b[31m\r\nFAKE LOG";
    let added = q.ok(&[
        "appointment",
        "add",
        "--resource",
        "Ada",
        "--title",
        evil,
        "--start",
        "2026-11-25T09:00",
        "--end",
        "2026-11-25T10:00",
    ]);
    let table = q.ok(&["appointment", "list"]);
    for printed in [&added, &table] {
        assert!(
            !printed.contains(['\x1b', '\r']),
            "no terminal escape, no carriage return: {printed:?}"
        );
    }
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "the header and one row: {table:?}");
    assert!(
        lines[1].ends_with("Evil\\u{1b}[31m\\r\\nFAKE LOG"),
        "the title shown with its escapes: {:?}",
        lines[1]
    );
    let listed = q.json(&["appointment", "list", "--json"]);
    assert_eq!(listed[0]["title"], evil, "--json keeps the title as it is");
}

#[test]
fn a_damaged_appointment_is_left_out_named_and_can_be_deleted() {
    let q = Quick3::new();
    q.ok(&["resource", "add", "--name", "Ada"]);
    let add = |title: &str, day: &str| {
        let start = format!("2026-11-{day}T09:00");
        let end = format!("2026-11-{day}T10:00");
        q.json(&[
            "appointment",
            "add",
            "--resource",
            "Ada",
            "--title",
            title,
            "--start",
            &start,
            "--end",
            &end,
            "--json",
        ])["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let good = add("Good", "25");
    let bad = add("Poisoned", "26");
    // What an older version stored for `--start +12026-11-25T09:00`.
    let database = quick3_core::paths::database_in(q.dir.path()).unwrap();
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute(
            "UPDATE appointments SET start_utc = '+12026-11-25T08:00:00Z' WHERE id = ?1",
            [&bad],
        )
        .unwrap();

    let out = q.run(&["appointment", "list", "--json"]);
    assert!(
        out.status.success(),
        "one damaged row does not break the listing"
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["id"], good.as_str());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&bad),
        "the warning names the damaged appointment, so it can be deleted: {stderr}"
    );
    q.ok(&["appointment", "delete", &bad]);
    let out = q.run(&["appointment", "list"]);
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "nothing damaged is left");
}
