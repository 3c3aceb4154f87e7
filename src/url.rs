//! Reading the page's URL. Permalinks will live here; for now, single query parameters.

/// The value of `?name=` in the page's address, if present.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}
