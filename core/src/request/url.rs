//! URLs as browsers read them (the WHATWG URL standard, by the `url`
//! crate): the scheme, host and path policies match on.

/// Parts of a URL that policies match on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlParts {
    /// `https`.
    pub scheme: String,
    /// Lower-case host, without user info or port.
    pub host: String,
    /// Path (without query or fragment), `/` when empty.
    pub path: String,
}

/// Split a URL into scheme, host and path as a browser would (the WHATWG
/// URL standard, by the `url` crate): `https://evil.com\\@github.com/` is
/// host `evil.com`. A URL that does not parse has an empty host and
/// scheme, and its text as the path: no host-based rule can match it.
pub fn parse_url(text: &str) -> UrlParts {
    match url::Url::parse(text.trim()) {
        Ok(u) => UrlParts {
            scheme: u.scheme().to_string(),
            host: match u.host() {
                Some(url::Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
                Some(url::Host::Ipv4(a)) => a.to_string(),
                Some(url::Host::Ipv6(a)) => a.to_string(),
                None => String::new(),
            },
            path: if u.path().is_empty() {
                "/".to_string()
            } else {
                u.path().to_string()
            },
        },
        Err(_) => UrlParts {
            scheme: String::new(),
            host: String::new(),
            path: text.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_as_browsers_do() {
        let u = parse_url("HTTPS://user@API.GitHub.com:443/repos/x?y=1#z");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "api.github.com");
        assert_eq!(u.path, "/repos/x");
        assert_eq!(parse_url("http://[::1]:8080").host, "::1");
        // The WHATWG parser's reading, not a hand-written one's.
        assert_eq!(parse_url("https://evil.com\\@github.com/").host, "evil.com");
        assert_eq!(parse_url("https://github.com@evil.com/").host, "evil.com");
        assert_eq!(parse_url("https://evil.com#@github.com").host, "evil.com");
        assert_eq!(parse_url("https://0x7f.1/").host, "127.0.0.1");
        assert_eq!(parse_url("https://GITHUB.com./x").host, "github.com");
        // No scheme: not a URL, no host to match.
        assert_eq!(parse_url("example.com").host, "");
    }
}
