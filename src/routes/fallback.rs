//! The response to requests that no route matched: 405 for a known path under another method,
//! 404 for an unknown path.

/// Rejects a request that no route matched: 405 with `Allow` when the path is a documented
/// route under other methods, 404 otherwise.
pub async fn fallback(request: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
    let allowed = allowed_methods(request.path());
    if allowed.is_empty() {
        return Err(crate::error::ApiError::RouteNotFound);
    }
    Err(crate::error::ApiError::MethodNotAllowed { allowed })
}

/// Route templates of the OpenAPI document with their methods, read once.
static ROUTES: std::sync::LazyLock<Vec<(Vec<String>, Vec<&'static str>)>> = std::sync::LazyLock::new(|| {
    let document = crate::api_doc::document();
    document
        .paths
        .paths
        .iter()
        .map(|(template, item)| {
            let segments = template.split('/').map(str::to_string).collect();
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ]
            .into_iter()
            .filter_map(|(method, present)| present.then_some(method))
            .collect();
            (segments, methods)
        })
        .collect()
});

/// Lists the methods of the documented route whose template matches `path`; a `{name}` segment
/// matches any non-empty segment.
fn allowed_methods(path: &str) -> Vec<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES
        .iter()
        .find(|(template, _)| {
            template.len() == segments.len()
                && template.iter().zip(&segments).all(|(expected, actual)| {
                    let is_parameter = expected.starts_with('{') && expected.ends_with('}');
                    if is_parameter { !actual.is_empty() } else { expected == actual }
                })
        })
        .map(|(_, methods)| methods.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_methods_follow_templates() {
        assert_eq!(allowed_methods("/api/v1/users"), ["GET", "POST"]);
        assert_eq!(allowed_methods("/api/v1/roadmaps/semarang-2023-2024/indicators/IND-03"), ["GET", "PATCH"]);
        assert_eq!(allowed_methods("/api/v1/users/budi/deactivate"), ["POST"]);
        assert!(allowed_methods("/api/v1/nothing").is_empty());
        assert!(allowed_methods("/api/v1/roadmaps//tree").is_empty());
    }
}
