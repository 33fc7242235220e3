//! The built UI (`ui/dist`), served from the bridge's own origin so that the page's calls to
//! `/s/{id}/…` need no CORS. Read from disk on each request, so a rebuilt (or deliberately broken)
//! UI is served without restarting.

use std::path::{Path, PathBuf};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub struct UiFiles {
    root: PathBuf,
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

impl UiFiles {
    pub fn new(root: PathBuf) -> UiFiles {
        UiFiles { root }
    }

    /// The file for a request path: `/` and paths without an extension are the single page's
    /// index.html; anything that could leave the root is not found.
    fn file_for(&self, request_path: &str) -> Option<PathBuf> {
        let relative = request_path.trim_start_matches('/');
        let safe = relative
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'))
            || relative.is_empty();
        if !safe {
            return None;
        }
        let path = self.root.join(relative);
        if path.is_file() {
            return Some(path);
        }
        Path::new(relative).extension().is_none().then(|| self.root.join("index.html"))
    }

    pub fn serve(&self, request_path: &str) -> Response {
        let found = self.file_for(request_path).and_then(|p| std::fs::read(&p).ok().map(|body| (p, body)));
        match found {
            Some((path, body)) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, content_type(&path)), (header::CACHE_CONTROL, "no-store")],
                body,
            )
                .into_response(),
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
        }
    }
}
