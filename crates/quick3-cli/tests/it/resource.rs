//! `quick3 resource edit|remove|restore|list`: what changes, what a bad input says (nothing
//! written), and the question before a deletion.

use crate::common::Quick3;

impl Quick3 {
    /// Runs a command that must fail with `status`; returns what it said on stderr.
    fn fails(&self, args: &[&str], status: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(status), "quick3 {args:?}");
        String::from_utf8(out.stderr).expect("utf-8 errors")
    }

    fn names(&self, args: &[&str]) -> Vec<String> {
        self.json(args)
            .as_array()
            .expect("a list")
            .iter()
            .map(|r| r["name"].as_str().expect("a name").to_owned())
            .collect()
    }

    fn book(&self, resource: &str, title: &str) {
        self.ok(&[
            "appointment",
            "add",
            "--resource",
            resource,
            "--title",
            title,
            "--start",
            "2026-11-25T09:00",
            "--end",
            "2026-11-25T10:00",
        ]);
    }

    /// Every appointment's (title, resource id), history included.
    fn appointments(&self) -> Vec<(String, i64)> {
        self.json(&["appointment", "list", "--json"])
            .as_array()
            .expect("a list")
            .iter()
            .map(|a| {
                (
                    a["title"].as_str().expect("a title").to_owned(),
                    a["resource_id"].as_i64().expect("a resource id"),
                )
            })
            .collect()
    }
}

fn room(q: &Quick3, name: &str) -> i64 {
    let added = q.json(&[
        "resource", "add", "--kind", "room", "--name", name, "--json",
    ]);
    added["id"].as_i64().expect("an id")
}

#[test]
fn edit_changes_what_is_given_and_bad_input_says_why_and_writes_nothing() {
    let q = Quick3::new();
    let id = room(&q, "Boardroom");
    room(&q, "Lab");
    let edited = q.json(&[
        "resource",
        "edit",
        &id.to_string(),
        "--name",
        "Main boardroom",
        "--email",
        "boardroom@contoso.example",
        "--colour",
        "#112233",
        "--hours",
        "7:00-16:00",
        "--json",
    ]);
    assert_eq!(edited["name"], "Main boardroom");
    assert_eq!(edited["kind"], "room", "the kind stays when not given");
    assert_eq!(edited["hours"]["start"], "07:00");
    assert_eq!(edited["hours"]["end"], "16:00");
    assert_eq!(edited["colour"], "#112233");
    let before = q.ok(&["resource", "show", "Main boardroom", "--json"]);
    for (args, status, says) in [
        (
            vec!["--hours", "16:00-07:00"],
            2,
            "The working hours is not valid: the day must start before it ends",
        ),
        (
            vec!["--kind", "car"],
            2,
            "\"car\" is not one of person, room, equipment",
        ),
        (
            vec!["--name", "  "],
            2,
            "The name is not valid: it must not be empty.",
        ),
        (
            vec!["--email", "not-mail"],
            2,
            "\"not-mail\" is not a valid e-mail address.",
        ),
        (
            vec!["--name", "lab"],
            1,
            "A room called \"lab\" already exists (id 2): give this one another name.",
        ),
    ] {
        let mut command = vec!["resource", "edit", "Main boardroom"];
        command.extend(args);
        let said = q.fails(&command, status);
        assert!(said.contains(says), "{command:?} said: {said}");
    }
    assert_eq!(
        q.ok(&["resource", "show", "Main boardroom", "--json"]),
        before,
        "refused edits wrote nothing"
    );
    q.ok(&[
        "resource",
        "edit",
        "Main boardroom",
        "--kind",
        "person",
        "--name",
        "Lab",
    ]);
    assert_eq!(
        q.names(&["resource", "list", "--json"]),
        ["Lab", "Lab"],
        "a person and a room may share a name"
    );
}

#[test]
fn an_archived_resource_leaves_the_list_keeps_its_appointments_and_comes_back() {
    let q = Quick3::new();
    room(&q, "Boardroom");
    room(&q, "Lab");
    q.book("Boardroom", "Board meeting");
    let said = q.ok(&["resource", "remove", "Boardroom", "--archive"]);
    assert!(
        said.starts_with("Archived the room \"Boardroom\""),
        "{said}"
    );
    assert_eq!(q.names(&["resource", "list", "--json"]), ["Lab"]);
    assert!(!q.ok(&["resource", "list"]).contains("Boardroom"));
    let all = q.json(&["resource", "list", "--archived", "--json"]);
    assert_eq!(all[0]["name"], "Boardroom");
    assert_eq!(all[0]["archived"], true);
    assert_eq!(
        q.appointments(),
        [("Board meeting".to_owned(), 1)],
        "history kept"
    );
    q.ok(&["resource", "restore", "Boardroom"]);
    assert_eq!(
        q.names(&["resource", "list", "--json"]),
        ["Boardroom", "Lab"]
    );
}

#[test]
fn remove_asks_first_then_keeps_moves_or_deletes_the_appointments_as_told() {
    let q = Quick3::new();
    room(&q, "Boardroom");
    let lab = room(&q, "Lab");
    room(&q, "Cellar");
    q.book("Boardroom", "Board meeting");
    q.book("Cellar", "Wine tasting");
    for args in [
        vec!["resource", "remove", "Boardroom"],
        vec![
            "resource",
            "remove",
            "Boardroom",
            "--appointments",
            "delete",
        ],
        vec!["resource", "remove", "Boardroom", "--yes"],
    ] {
        let said = q.fails(&args, 2);
        assert!(
            said.contains(
                "The room \"Boardroom\" has 1 appointment. Keep its appointments as history, move \
                 them to another resource, or delete them with it? Nothing was deleted"
            ),
            "{args:?} asks first: {said}"
        );
    }
    let said = q.fails(
        &[
            "resource",
            "remove",
            "Boardroom",
            "--appointments",
            "drop",
            "--yes",
        ],
        2,
    );
    assert!(said.contains("--appointments takes keep, move:ID or delete, not \"drop\"."));
    let said = q.fails(
        &[
            "resource",
            "remove",
            "Boardroom",
            "--appointments",
            "move:Nowhere",
            "--yes",
        ],
        2,
    );
    assert!(said.contains("There is no resource \"Nowhere\"."), "{said}");
    assert_eq!(
        q.names(&["resource", "list", "--json"]).len(),
        3,
        "nothing deleted"
    );

    let said = q.ok(&[
        "resource",
        "remove",
        "Boardroom",
        "--appointments",
        &format!("move:{lab}"),
        "--yes",
    ]);
    assert_eq!(
        said.trim(),
        "Deleted the room \"Boardroom\". Its appointment moved to \"Lab\"."
    );
    let said = q.ok(&[
        "resource",
        "remove",
        "Cellar",
        "--appointments",
        "delete",
        "--yes",
    ]);
    assert_eq!(
        said.trim(),
        "Deleted the room \"Cellar\". Its appointment was deleted."
    );
    assert_eq!(
        q.names(&["resource", "list", "--archived", "--json"]),
        ["Lab"]
    );
    assert_eq!(q.appointments(), [("Board meeting".to_owned(), lab)]);
    room(&q, "Cellar");
}

#[test]
fn without_the_right_to_edit_resource_settings_every_change_is_refused_in_one_sentence() {
    let q = Quick3::new();
    room(&q, "Boardroom");
    room(&q, "Lab");
    q.ok(&["resource", "remove", "Lab", "--archive"]);
    q.ok(&["admin", "deny-edit"]);
    let listed = || {
        (
            q.ok(&["resource", "list", "--json"]),
            q.ok(&["resource", "list", "--archived", "--json"]),
        )
    };
    let before = listed();
    for args in [
        vec!["resource", "add", "--name", "Studio", "--kind", "room"],
        vec!["resource", "edit", "Boardroom", "--name", "Renamed"],
        vec!["resource", "remove", "Boardroom", "--archive"],
        vec!["resource", "restore", "Lab"],
        vec![
            "resource",
            "remove",
            "Boardroom",
            "--appointments",
            "delete",
            "--yes",
        ],
    ] {
        let said = q.fails(&args, 1);
        assert!(
            said.contains(
                "You do not have the right to edit Resource settings. Ask your local management \
                 to grant it."
            ),
            "{args:?} is refused with the core's sentence, as in the window: {said}"
        );
    }
    assert_eq!(listed(), before, "nothing was written");
    q.ok(&["admin", "allow-edit"]);
    q.ok(&["resource", "restore", "Lab"]);
}
