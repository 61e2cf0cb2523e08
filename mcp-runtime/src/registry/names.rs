//! The naming rule for tools (and later prompts): 1 to 128 characters of `A-Z a-z 0-9 _ - .`.

/// Checks a tool name; `Err` says which rule it breaks.
///
/// ```
/// use mcp_runtime::registry::check_name;
///
/// assert!(check_name("get_weather.v2").is_ok());
/// assert!(check_name("has space").is_err());
/// assert!(check_name("").is_err());
/// ```
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("a name must not be empty");
    }
    if name.len() > 128 {
        return Err("a name must be at most 128 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return Err("a name may contain only ASCII letters, digits, `_`, `-` and `.`");
    }
    Ok(())
}
