//! A minimal Server-Sent Events decoder shared by the vendor clients.
//!
//! Both vendors stream over SSE, and the network may cut the byte stream anywhere: in the
//! middle of a line, of a CRLF pair, or of a multi-byte UTF-8 character. The decoder
//! therefore buffers raw bytes and only decodes complete lines (a line terminator byte can
//! never be part of a multi-byte UTF-8 sequence, so a complete line is always whole
//! characters). It follows the WHATWG event-stream rules that matter here: `event:` and
//! `data:` fields, multi-line data joined with `\n`, `:` comment lines, LF / CRLF / CR line
//! ends, and dispatch on a blank line. `id:` and `retry:` are ignored: the clients never
//! reconnect mid-response (a resumed model response would duplicate visible text).

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, or `None` when the server sent only data (OpenAI style).
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Incremental decoder: feed it byte chunks as they arrive, collect whole events.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the current, not yet terminated line.
    line: Vec<u8>,
    /// The previous chunk ended with `\r`, so a leading `\n` in the next one belongs to it.
    after_cr: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// An empty decoder, for one response body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one chunk of bytes; returns the events it completed, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' => self.end_line(&mut out),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut out);
                }
                _ => self.line.push(b),
            }
        }
        out
    }

    /// Ends the stream. A final event that lacks its blank line is still delivered:
    /// some servers close right after `data: [DONE]`, and a cut-off JSON payload is
    /// caught by the vendor parser anyway.
    pub fn finish(&mut self) -> Option<SseEvent> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            self.end_line(&mut out);
        }
        self.dispatch(&mut out);
        out.pop()
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            return; // comment / keep-alive
        }
        let line = String::from_utf8_lossy(&line);
        let (field, value) = match line.find(':') {
            Some(i) => {
                let value = &line[i + 1..];
                (&line[..i], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (&line[..], ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {} // id, retry, and non-standard fields
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = self.event.take();
        if !self.has_data {
            return; // per spec, an event without data is dropped
        }
        self.has_data = false;
        out.push(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: event.map(str::to_owned),
            data: data.to_owned(),
        }
    }

    fn parse_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(p.push(c));
        }
        out.extend(p.finish());
        out
    }

    #[test]
    fn named_events_and_data_only_events() {
        let got = parse_all(&[b"event: ping\ndata: {\"a\":1}\n\ndata: x\n\n"]);
        assert_eq!(got, vec![ev(Some("ping"), "{\"a\":1}"), ev(None, "x")]);
    }

    #[test]
    fn multi_line_data_is_joined_with_newlines() {
        let got = parse_all(&[b"data: one\ndata: two\ndata:three\n\n"]);
        assert_eq!(got, vec![ev(None, "one\ntwo\nthree")]);
    }

    #[test]
    fn comments_and_unknown_fields_are_ignored() {
        let got = parse_all(&[b": keep-alive\nid: 7\nretry: 10\nerror: {}\ndata: a\n\n:\n\n"]);
        assert_eq!(got, vec![ev(None, "a")]);
    }

    #[test]
    fn crlf_and_lone_cr_line_endings() {
        let got = parse_all(&[b"event: e\r\ndata: a\r\n\r\ndata: b\r\rdata: c\n\n"]);
        assert_eq!(got, vec![ev(Some("e"), "a"), ev(None, "b"), ev(None, "c")]);
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_end() {
        let got = parse_all(&[b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"]);
        assert_eq!(got, vec![ev(None, "a"), ev(None, "b")]);
    }

    #[test]
    fn event_without_data_is_dropped_and_does_not_leak_its_name() {
        let got = parse_all(&[b"event: lonely\n\ndata: x\n\n"]);
        assert_eq!(got, vec![ev(None, "x")]);
    }

    #[test]
    fn every_split_point_gives_the_same_events_even_inside_utf8() {
        let text = "event: content_block_delta\r\ndata: {\"t\":\"caf\u{e9} \u{1f600} \u{2014} ok\"}\r\n\r\n: c\ndata: [DONE]\n\n";
        let bytes = text.as_bytes();
        let whole = parse_all(&[bytes]);
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[0].data, "{\"t\":\"caf\u{e9} \u{1f600} \u{2014} ok\"}");
        for i in 0..=bytes.len() {
            for j in i..=bytes.len() {
                let got = parse_all(&[&bytes[..i], &bytes[i..j], &bytes[j..]]);
                assert_eq!(got, whole, "split at {i}/{j}");
            }
        }
    }

    #[test]
    fn byte_by_byte_feed() {
        let text = b"event: a\ndata: 1\n\nevent: b\ndata: 2\n\n";
        let chunks: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(
            parse_all(&chunks),
            vec![ev(Some("a"), "1"), ev(Some("b"), "2")]
        );
    }

    #[test]
    fn unterminated_final_event_is_delivered_at_finish() {
        assert_eq!(parse_all(&[b"data: [DONE]"]), vec![ev(None, "[DONE]")]);
        assert_eq!(parse_all(&[b"data: [DONE]\n"]), vec![ev(None, "[DONE]")]);
        assert_eq!(parse_all(&[b"event: x\n"]), vec![]);
    }

    #[test]
    fn field_without_colon_and_value_without_space() {
        let got = parse_all(&[b"data\ndata:x\n\n"]);
        assert_eq!(got, vec![ev(None, "\nx")]);
    }
}
