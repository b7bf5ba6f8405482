//! Build script: lets tauri-build read tauri.conf.json and generate the app context.

fn main() {
    tauri_build::build();
}
