//! `quick3 org` against the emulator: the organisation's settings with the secret in the keyring
//! only, Test settings (success, a wrong secret), links by Object ID and by e-mail shown with the
//! user's name, a sync of the linked mailboxes, and the secret-expiry warning.

use crate::common;

use common::{Cli, support};
use m365_emulator::{DEMO_TENANT_ID, MEGAN_ID, ORG_CLIENT_ID, ORG_CLIENT_SECRET};
use serde_json::Value;

fn org_set(cli: &Cli, secret: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "org",
        "set",
        "--tenant",
        DEMO_TENANT_ID,
        "--client-id",
        ORG_CLIENT_ID,
    ];
    args.extend_from_slice(extra);
    cli.command(&args)
        .env("QUICK3_ORG_SECRET", secret)
        .output()
        .expect("quick3 runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_sets_up_tests_and_links_the_organisation() {
    let tenant = support::demo_tenant().await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);

    let wrong = org_set(&cli, "not-the-secret", &[]);
    assert!(wrong.status.success());
    let test = cli.command(&["org", "test"]).output().unwrap();
    assert_eq!(
        test.status.code(),
        Some(1),
        "a failed test fails the command"
    );
    let stderr = String::from_utf8_lossy(&test.stderr);
    assert!(stderr.contains("AADSTS7000215"), "{stderr}");

    let expires = (chrono::Utc::now() + chrono::Duration::days(12)).date_naive();
    let set = org_set(
        &cli,
        ORG_CLIENT_SECRET,
        &["--secret-expires", &expires.to_string()],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let warning = String::from_utf8_lossy(&set.stderr);
    assert!(
        warning.contains(&format!("expires on {expires}")),
        "12 days ahead is within the 30-day warning: {warning}"
    );
    let shown = cli.json(&["org", "show", "--json"]);
    assert_eq!(shown["secret_stored"], true);
    assert_eq!(shown["settings"]["tenant"], DEMO_TENANT_ID);

    let tested = cli.ok(&["org", "test", "--mailbox", "megan.bowen@contoso.example"]);
    assert!(tested.contains("Megan Bowen"), "{tested}");
    assert!(
        tested.contains("The organisation's settings work."),
        "{tested}"
    );

    let by_id = cli.ok(&[
        "org",
        "link",
        "--resource",
        "Megan Bowen",
        "--object-id",
        MEGAN_ID,
        "--direction",
        "down",
    ]);
    assert!(
        by_id.contains("Megan Bowen <megan.bowen@contoso.example>"),
        "{by_id}"
    );
    let by_mail = cli.ok(&[
        "org",
        "link",
        "--resource",
        "Adele Vance",
        "--email",
        "adele.vance@contoso.example",
        "--direction",
        "both",
        "--calendar",
        "Calendar",
    ]);
    assert!(by_mail.contains("Adele Vance"), "{by_mail}");
    let unknown = cli
        .command(&[
            "org",
            "link",
            "--resource",
            "Alex Wilber",
            "--email",
            "nobody@contoso.example",
            "--direction",
            "down",
        ])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));

    let links = cli.json(&["org", "links", "--json"]);
    let names: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["organisation"]["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Megan Bowen", "Adele Vance"],
        "only the two links were kept"
    );
    let table = cli.ok(&["account", "list"]);
    assert!(table.contains("organisation link (Megan Bowen)"), "{table}");

    let summaries = cli.json(&["sync", "--json"]);
    for summary in summaries.as_array().unwrap() {
        assert_eq!(summary["errors"], Value::Array(vec![]), "{summary}");
        assert!(summary["added"].as_u64().unwrap() > 0, "{summary}");
    }

    let megan = links[0]["id"].to_string();
    cli.ok(&["org", "unlink", &megan]);
    assert_eq!(
        cli.json(&["org", "links", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The secret is in the keyring only: not in the database, not in anything printed.
    for entry in std::fs::read_dir(cli.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes
                    .windows(ORG_CLIENT_SECRET.len())
                    .any(|w| w == ORG_CLIENT_SECRET.as_bytes()),
                "{} holds the client secret",
                path.display()
            );
        }
    }
    assert!(!tested.contains(ORG_CLIENT_SECRET) && !shown.to_string().contains(ORG_CLIENT_SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_uses_a_certificate_instead_of_a_secret() {
    let tenant = support::demo_tenant().await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);
    let certificate = tenant.emulator.org_certificate_path().display().to_string();
    let set_with = |file: &str| {
        cli.command(&[
            "org",
            "set",
            "--tenant",
            DEMO_TENANT_ID,
            "--client-id",
            ORG_CLIENT_ID,
            "--certificate",
            file,
        ])
        .env_remove("QUICK3_ORG_SECRET")
        .output()
        .expect("quick3 runs")
    };

    // A file holding a certificate with the key of another certificate is refused plainly.
    let mismatched = cli.dir.path().join("mismatched.pem");
    let certificate_part = m365_emulator::ORG_CERTIFICATE_PEM
        .split("-----BEGIN PRIVATE KEY-----")
        .next()
        .unwrap();
    std::fs::write(
        &mismatched,
        format!(
            "{certificate_part}{}",
            m365_emulator::certificates::OTHER_KEY_PEM
        ),
    )
    .unwrap();
    let refused = set_with(&mismatched.display().to_string());
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("the private key does not belong to the certificate"),
        "{stderr}"
    );

    let set = set_with(&certificate);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let said = String::from_utf8_lossy(&set.stdout);
    assert!(
        said.contains("2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9") && said.contains("2045-12-31"),
        "{said}"
    );
    let shown = cli.ok(&["org", "show"]);
    assert!(
        shown.contains("certificate, private key in the OS keyring")
            && shown.contains("Thumbprint:      2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9")
            && shown.contains("Expires:         2045-12-31"),
        "{shown}"
    );
    let json = cli.json(&["org", "show", "--json"]);
    assert_eq!(json["settings"]["credential"], "certificate");
    assert_eq!(json["secret_stored"], false);

    let tested = cli.ok(&["org", "test", "--mailbox", "megan.bowen@contoso.example"]);
    assert!(
        tested.contains("Megan Bowen") && tested.contains("The organisation's settings work."),
        "{tested}"
    );
    // Saved again without --certificate or a secret: the certificate stays in use.
    let again = org_set(&cli, "", &[]);
    assert!(again.status.success());
    assert_eq!(
        cli.json(&["org", "show", "--json"])["settings"]["credential"],
        "certificate"
    );

    // The certificate is removed in Entra: Test settings names it by its thumbprint.
    common::admin(
        &tenant,
        reqwest::Method::DELETE,
        &format!("/apps/{ORG_CLIENT_ID}/certificates/2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9"),
        None,
    )
    .await;
    let test = cli.command(&["org", "test"]).output().unwrap();
    assert_eq!(test.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&test.stderr);
    assert!(
        stderr.contains("AADSTS700027")
            && stderr.contains("2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9"),
        "{stderr}"
    );

    // No part of the private key in the data folder.
    // A line from the end of the key: its private primes (the first lines hold the public modulus).
    let key_lines: Vec<&str> = m365_emulator::ORG_CERTIFICATE_PEM
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .unwrap()
        .lines()
        .collect();
    let key_line = key_lines[key_lines.len() - 3];
    for entry in std::fs::read_dir(cli.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path != mismatched {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes
                    .windows(key_line.len())
                    .any(|w| w == key_line.as_bytes()),
                "{} holds the private key",
                path.display()
            );
        }
    }
}
