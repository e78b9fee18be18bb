//! Vendor text made safe to keep: what a vendor answers (or the HTTP client reports) goes
//! into errors and logs, so the credential of the call is cut out of it and it is bounded.
//! Pure functions, shared by the vendor clients.

/// Longest piece of vendor text kept: enough to diagnose, short enough for a log line.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// `text` without `secret` anywhere in it, on one line, cut to [`MAX_MESSAGE_CHARS`]
/// (with `…`). The secret is removed before the cut, so no prefix of it survives there.
pub fn scrub(text: &str, secret: &str) -> String {
    let text = match secret {
        "" => text.to_owned(),
        secret => text.replace(secret, "[redacted]"),
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// An error and its causes, `outer: inner: …`: HTTP clients' own messages are vague
/// ("error sending request"), their causes say what happened (refused, DNS, TLS).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        message = format!("{message}: {inner}");
        cause = inner.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapped(std::io::Error);

    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("error sending request")
        }
    }

    impl std::error::Error for Wrapped {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn the_secret_is_cut_out_and_the_text_bounded() {
        assert_eq!(
            scrub("bad\n key sk_1  here", "sk_1"),
            "bad key [redacted] here"
        );
        assert_eq!(scrub("kept", ""), "kept");
        let long = scrub(&"é".repeat(400), "k");
        assert_eq!(long.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn causes_are_kept() {
        let error = Wrapped(std::io::Error::other("connection refused"));
        assert_eq!(
            error_chain(&error),
            "error sending request: connection refused"
        );
    }
}
