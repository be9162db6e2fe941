//! GraphiQL, served entirely by the binary: the page and pinned production bundles of GraphiQL
//! and React (`api/graphiql/`, from their npm packages, with their licenses), embedded at build
//! time, under a Content-Security-Policy that lets the page load nothing from another origin and
//! run no inline script. Works offline and behind strict proxies. `KINSHIP_GRAPHIQL=false`
//! turns it off (404).

use crate::server::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// What the page may load: its own scripts and styles, fonts and images inlined in the CSS, and
/// requests to this origin (the API); no frames, forms or base changes.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; font-src data:; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The page.
const PAGE: &str = include_str!("../graphiql/index.html");

/// A file the page loads: its name under `/graphiql/assets/`, content type and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("../graphiql/", $name)),
        }
    };
}

/// Every file the page loads. Versioned names: each may be cached for good.
const ASSETS: &[Asset] = &[
    asset!("graphiql-3.8.3.min.js", "text/javascript; charset=utf-8"),
    asset!("graphiql-3.8.3.min.css", "text/css; charset=utf-8"),
    asset!(
        "react-18.3.1.production.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "react-dom-18.3.1.production.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!("kinship-graphiql.js", "text/javascript; charset=utf-8"),
    asset!("kinship-graphiql.css", "text/css; charset=utf-8"),
];

/// Answers 404 in the shape of every other route's errors.
fn not_served() -> HttpResponse {
    crate::server::json_error(
        actix_web::http::StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "GraphiQL is turned off here (KINSHIP_GRAPHIQL=false); the API is at /graphql",
    )
}

/// `GET /graphiql`: the IDE's page.
pub async fn page(state: web::Data<AppState>) -> HttpResponse {
    if !state.graphiql {
        return not_served();
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

/// `GET /graphiql/assets/{file}`: one of the page's files.
pub async fn asset(state: web::Data<AppState>, file: web::Path<String>) -> HttpResponse {
    let found = ASSETS.iter().find(|a| a.name == file.as_str());
    match (state.graphiql, found) {
        (true, Some(asset)) => HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(asset.body),
        _ => not_served(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_embedded_files_of_its_own_origin() {
        let sources: Vec<&str> = PAGE
            .split(['"', '\''])
            .filter(|s| s.starts_with('/') || s.contains("://") || s.starts_with("data:"))
            .filter(|s| *s != "data:,")
            .collect();
        assert!(sources.len() >= 6, "{sources:?}");
        for source in sources {
            let name = source
                .strip_prefix("/graphiql/assets/")
                .unwrap_or_else(|| panic!("{source} is not an embedded asset"));
            assert!(
                ASSETS.iter().any(|a| a.name == name),
                "{name} is not embedded"
            );
        }
        assert!(!PAGE.contains("<script>"), "no inline script");
    }
}
