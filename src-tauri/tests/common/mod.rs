//! The console on Tauri's mock runtime, for the IPC tests: the app's real configuration,
//! capabilities and commands on a temporary data directory, called as the UI calls them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use muster_store::{Muster, OpenOptions};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, MockRuntime};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

pub struct Console {
    /// The installation's data directory (a second process may open it).
    pub dir: tempfile::TempDir,
    pub app: tauri::App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
}

pub fn console() -> Console {
    let dir = tempfile::tempdir().unwrap();
    let muster = Muster::open(dir.path(), OpenOptions::default()).unwrap();
    let app =
        muster_desktop::app_builder::<MockRuntime>(muster).unwrap().build(muster_desktop::context()).unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Console { dir, app, window }
}

/// The arguments of `open_incident` as the UI's form sends them.
pub fn open_incident_args(title: &str, severity: &str) -> Value {
    json!({ "input": { "title": title, "drill": false, "description": null,
                       "commander": null, "severity": severity } })
}

impl Console {
    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            // The app's real context has its own key (the mock context's is fixed).
            invoke_key: self.app.invoke_key().to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap())
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args.clone()).unwrap_or_else(|e| panic!("{cmd} {args} failed: {e}"))
    }

    /// `open_incident` as the UI's form sends it; returns the incident id.
    pub fn open_incident(&self, title: &str, severity: &str) -> String {
        self.ok("open_incident", open_incident_args(title, severity))["incident"]
            .as_str()
            .unwrap()
            .to_string()
    }
}
