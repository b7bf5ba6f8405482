//! Build script: reads tauri.conf.json and declares the app's commands, so that the window's
//! capability can grant exactly those (no command is reachable unless listed here and granted).

fn main() {
    let commands = &[
        "overview",
        "list_resources",
        "add_resource",
        "edit_resource",
        "archive_resource",
        "restore_resource",
        "archived_resources",
        "resource_use",
        "delete_resource",
        "list_appointments",
        "get_appointment",
        "create_appointment",
        "edit_appointment",
        "delete_appointment",
        "restore_appointment",
        "set_display_time_zone",
        "list_accounts",
        "all_accounts",
        "add_account",
        "cancel_sign_in",
        "sign_in_again",
        "keyring_status",
        "account_calendars",
        "choose_calendars",
        "edit_account",
        "set_main_account",
        "remove_account",
        "sync_calendar",
        "push_changes",
        "background_status",
        "start_with_session",
        "close_window",
        "list_jobs",
        "add_job",
        "edit_job",
        "remove_job",
        "job_runs",
        "run_job_now",
        "smtp_settings",
        "save_smtp_settings",
        "send_test_mail",
        "org_settings",
        "save_org_settings",
        "test_org_settings",
        "look_up_mailbox",
        "link_mailbox",
        "unlink_mailbox",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri.conf.json and the app manifest are valid");
}
