//! `quick3 appointment` with series: `add --repeat`, `edit --occurrence` / `--series`,
//! `delete --occurrence`, `list --json` with `series_id` and `original_start`, and bad input
//! refused in one plain sentence with nothing written.

use serde_json::Value;

use crate::common::Quick3;

/// A data folder in Oslo with the resource Ada.
fn with_ada() -> Quick3 {
    let q = Quick3::in_zone("Europe/Oslo");
    q.ok(&["resource", "add", "--name", "Ada"]);
    q
}

impl Quick3 {
    /// `appointment list --json` over March 2027 (Oslo time).
    fn march(&self) -> Vec<Value> {
        self.json(&[
            "appointment",
            "list",
            "--from",
            "2027-03-01",
            "--to",
            "2027-04-01",
            "--json",
        ])
        .as_array()
        .expect("a list")
        .clone()
    }

    /// Runs a command that must be refused with one plain sentence, and returns it.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} must be refused");
        assert!(out.stdout.is_empty(), "{args:?}: nothing printed as done");
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        stderr
    }
}

fn starts(list: &[Value]) -> Vec<&str> {
    list.iter()
        .map(|a| a["start"].as_str().expect("a start"))
        .collect()
}

/// Every Monday and Thursday at 09:00 from Monday 1 March 2027, every 2 weeks, until 31 March.
fn add_series(q: &Quick3) -> Value {
    q.json(&[
        "appointment",
        "add",
        "--resource",
        "Ada",
        "--title",
        "Service",
        "--start",
        "2027-03-01T09:00",
        "--end",
        "2027-03-01T10:00",
        "--repeat",
        "weekly",
        "--interval",
        "2",
        "--days",
        "MO,TH",
        "--until",
        "2027-03-31",
        "--json",
    ])
}

#[test]
fn a_series_is_listed_as_its_occurrences_with_series_id_and_original_start() {
    let q = with_ada();
    let master = add_series(&q);
    assert_eq!(
        master["repeat_text"],
        "Every 2 weeks on Monday and Thursday, until 31 March 2027"
    );
    assert_eq!(
        master["occurrence_count"], 5,
        "the pattern's occurrences, which the window names after deleting the series"
    );
    let list = q.march();
    assert_eq!(
        starts(&list),
        [
            "2027-03-01T09:00:00+01:00",
            "2027-03-04T09:00:00+01:00",
            "2027-03-15T09:00:00+01:00",
            "2027-03-18T09:00:00+01:00",
            "2027-03-29T09:00:00+02:00",
        ],
        "every other week, and still 09:00 after summer time starts on 28 March"
    );
    for occurrence in &list {
        assert_eq!(occurrence["series_id"], master["id"]);
        assert_eq!(occurrence["recurrence"], Value::Null);
    }
    assert_eq!(list[4]["original_start"], "2027-03-29T07:00:00Z");
    let text = q.ok(&[
        "appointment",
        "add",
        "--resource",
        "Ada",
        "--title",
        "Stand-up",
        "--start",
        "2027-03-01T08:00",
        "--end",
        "2027-03-01T08:15",
        "--repeat",
        "daily",
        "--days",
        "MO,TU,WE,TH,FR",
        "--count",
        "10",
    ]);
    assert!(text.contains("Every weekday, 10 times."), "{text}");
    assert_eq!(q.march().len(), 15, "ten stand-ups join the five services");
}

#[test]
fn one_occurrence_or_the_whole_series_changes_and_deletes() {
    let q = with_ada();
    let master = add_series(&q);
    let id = master["id"].as_str().expect("an id");

    let moved = q.json(&[
        "appointment",
        "edit",
        id,
        "--occurrence",
        "2027-03-04",
        "--start",
        "2027-03-05T13:00",
        "--end",
        "2027-03-05T14:00",
        "--json",
    ]);
    assert_eq!(moved["exception"], true);
    q.ok(&["appointment", "delete", id, "--occurrence", "2027-03-15"]);
    let list = q.march();
    assert_eq!(
        starts(&list),
        [
            "2027-03-01T09:00:00+01:00",
            "2027-03-05T13:00:00+01:00",
            "2027-03-18T09:00:00+01:00",
            "2027-03-29T09:00:00+02:00",
        ]
    );
    assert_eq!(list[1]["exception"], true, "the moved one is marked");
    assert_eq!(list[1]["original_start"], "2027-03-04T08:00:00Z");

    let renamed = q.json(&[
        "appointment",
        "edit",
        id,
        "--series",
        "--title",
        "Machine service",
        "--json",
    ]);
    assert_eq!(renamed["exceptions_reset"], false);
    assert_eq!(
        (&renamed["reset_occurrences"], &renamed["undo"]),
        (&serde_json::json!(0), &Value::Null),
        "a new subject resets nothing, so there is nothing of times to undo"
    );
    let list = q.march();
    assert_eq!(list.len(), 4, "the deleted occurrence stays deleted");
    assert!(list.iter().all(|a| a["title"] == "Machine service"));
    assert_eq!(
        list[1]["start"], "2027-03-05T13:00:00+01:00",
        "the moved one stays moved"
    );

    let out = q.ok(&[
        "appointment",
        "edit",
        id,
        "--series",
        "--start",
        "2027-03-01T10:00",
        "--end",
        "2027-03-01T11:00",
    ]);
    assert!(
        out.contains("2 changed occurrences went back to the pattern"),
        "the planner is told how many (the moved and the deleted one): {out}"
    );
    let list = q.march();
    assert_eq!(list.len(), 5);
    assert!(list.iter().all(|a| a["exception"].is_null()));

    q.ok(&["appointment", "delete", id]);
    assert!(q.march().is_empty(), "the whole series is gone");
}

#[test]
fn bad_series_input_is_one_plain_sentence_and_writes_nothing() {
    let q = with_ada();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "appointment",
            "add",
            "--resource",
            "Ada",
            "--title",
            "x",
            "--start",
            "2027-03-02T09:00",
            "--end",
            "2027-03-02T10:00",
        ];
        args.extend_from_slice(extra);
        q.refused(&args)
    };
    for (extra, expected) in [
        (
            &[
                "--repeat",
                "weekly",
                "--days",
                "FR",
                "--until",
                "2027-03-04",
            ][..],
            "This pattern has no occurrence between 2 March 2027 and 4 March 2027.",
        ),
        (
            &["--repeat", "daily", "--until", "2027-03-01"][..],
            "The series ends on 1 March 2027 before it starts on 2 March 2027.",
        ),
        (
            &["--repeat", "daily", "--interval", "0"][..],
            "The interval must be a whole number from 1 to 999.",
        ),
        (
            &["--repeat", "monthly", "--week", "fifth"][..],
            "\"fifth\" is not first, second, third, fourth or last.",
        ),
        (
            &["--repeat", "hourly"][..],
            "\"hourly\" is not daily, weekly, monthly or yearly.",
        ),
        (
            &["--repeat", "weekly", "--days", "XX"][..],
            "\"XX\" is not a day of the week such as MO or TH.",
        ),
    ] {
        let said = add(extra);
        assert!(said.contains(expected), "{extra:?}: {said}");
    }
    assert!(q.march().is_empty(), "nothing was written");

    let master = add_series(&q);
    let id = master["id"].as_str().expect("an id");
    let before = q.march();
    for (args, expected) in [
        (
            vec!["appointment", "delete", id, "--occurrence", "2027-03-02"],
            "The series has no occurrence on 2 March 2027.",
        ),
        (
            vec![
                "appointment",
                "edit",
                id,
                "--occurrence",
                "2027-03-04",
                "--start",
                "2027-03-15T09:00",
                "--end",
                "2027-03-15T10:00",
            ],
            "An occurrence cannot move to or past the next occurrence (15 March 2027)",
        ),
        (
            vec![
                "appointment",
                "edit",
                id,
                "--occurrence",
                "2027-03-04",
                "--repeat",
                "daily",
            ],
            "--repeat changes the whole series",
        ),
    ] {
        let said = q.refused(&args);
        assert!(said.contains(expected), "{args:?}: {said}");
    }
    assert_eq!(q.march(), before, "refused edits changed nothing");
}

#[test]
fn repeat_never_on_the_series_says_what_goes_and_with_yes_makes_it_one_appointment() {
    let q = with_ada();
    let master = add_series(&q);
    let id = master["id"].as_str().expect("an id");
    q.ok(&["appointment", "delete", id, "--occurrence", "2027-03-15"]);
    let never = ["appointment", "edit", id, "--series", "--repeat", "never"];
    let asked = q.refused(&never);
    assert_eq!(
        asked,
        "quick3: The series becomes one appointment on Mon 1 Mar 09:00–10:00; its 3 other \
         occurrences are removed. Nothing was changed: run again with --yes to do it.",
        "a deletion of occurrences is asked first, naming exactly what goes"
    );
    assert_eq!(q.march().len(), 4, "nothing was written");
    let refused = q.refused(&[
        "appointment",
        "edit",
        id,
        "--series",
        "--repeat",
        "never",
        "--count",
        "3",
        "--yes",
    ]);
    assert!(refused.contains("--repeat never takes no"), "{refused}");

    let made = q.json(&[
        "appointment",
        "edit",
        id,
        "--series",
        "--repeat",
        "never",
        "--yes",
        "--json",
    ]);
    assert_eq!(
        made["sentence"],
        "The series becomes one appointment on Mon 1 Mar 09:00–10:00; its 3 other occurrences are removed."
    );
    let list = q.march();
    assert_eq!(list.len(), 1, "one appointment left: {list:?}");
    assert_eq!(list[0]["id"], made["record"]["id"]);
    assert_eq!(list[0]["start"], "2027-03-01T09:00:00+01:00");
    assert_eq!(
        list[0]["series_id"],
        Value::Null,
        "no occurrence of a series"
    );
    assert_eq!(list[0]["recurrence"], Value::Null);
    assert_eq!(list[0]["title"], "Service", "its details kept");
    let again = q.refused(&never);
    assert!(
        again.contains("There is no appointment"),
        "the series is gone, so it cannot be made single again: {again}"
    );
    let plain = q.json(&[
        "appointment",
        "add",
        "--resource",
        "Ada",
        "--title",
        "Once",
        "--start",
        "2027-03-02T09:00",
        "--end",
        "2027-03-02T10:00",
        "--repeat",
        "never",
        "--json",
    ]);
    assert_eq!(
        plain["recurrence"],
        Value::Null,
        "add --repeat never is a plain appointment, as the window's Never"
    );
}
