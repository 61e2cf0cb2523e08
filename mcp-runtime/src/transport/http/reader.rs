//! Reading a `text/event-stream` body as it arrives: events split across chunks, `id:` and
//! `retry:` fields, comments, and lines ended by CRLF, LF or CR.

use std::time::Duration;

/// What has been read of one event stream: a line not yet complete, the event being built, and
/// what the stream said about resuming it.
#[derive(Debug, Default)]
pub(crate) struct EventReader {
    /// Bytes after the last complete line.
    pending: Vec<u8>,
    /// The `data:` lines of the event being built, joined by `\n` (`None`: no `data:` line yet).
    data: Option<String>,
    /// The last `id:` the stream sent (what a reconnecting client sends as `Last-Event-ID`).
    last_event_id: Option<String>,
    /// How long the stream asked a client to wait before reconnecting.
    retry: Option<Duration>,
}

impl EventReader {
    /// Reads a chunk; returns the data of every event it completes, in order.
    pub(crate) fn feed(&mut self, chunk: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some((end, next)) = line_end(&self.pending[start..]) {
            let line = String::from_utf8_lossy(&self.pending[start..start + end]).into_owned();
            events.extend(self.line(&line));
            start += next;
        }
        self.pending.drain(..start);
        events
    }

    /// The connection ended: what was not a complete event is dropped, and reading goes on
    /// (on a resumed connection) with what the stream said about ids and retrying.
    pub(crate) fn reconnect(&mut self) {
        self.pending.clear();
        self.data = None;
    }

    /// The id to resume after, if the stream sent one.
    pub(crate) fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// How long to wait before resuming, if the stream said.
    pub(crate) fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Reads one line; a blank line ends the event being built.
    fn line(&mut self, line: &str) -> Option<String> {
        if line.is_empty() {
            return self.data.take();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "id" if !value.contains('\0') => self.last_event_id = Some(value.to_owned()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry = value.parse().ok().map(Duration::from_millis);
            }
            // `event:` names and unknown fields carry nothing a JSON-RPC stream uses.
            _ => {}
        }
        None
    }
}

/// Where the first line of `bytes` ends and the next begins; `None` until a whole line is
/// there (a CR at the very end may be the first half of a CRLF).
fn line_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let at = bytes.iter().position(|&b| b == b'\n' || b == b'\r')?;
    match (bytes[at], bytes.get(at + 1)) {
        (b'\r', Some(b'\n')) => Some((at, at + 2)),
        (b'\r', None) => None,
        _ => Some((at, at + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(chunks: &[&[u8]]) -> (Vec<String>, EventReader) {
        let mut reader = EventReader::default();
        let events = chunks.iter().flat_map(|c| reader.feed(c)).collect();
        (events, reader)
    }

    #[test]
    fn events_end_at_blank_lines_whatever_the_chunks() {
        let stream = b"data: {\"a\":1}\n\ndata: {\"b\":2}\n\n";
        let (whole, _) = read_all(&[stream]);
        assert_eq!(whole, [r#"{"a":1}"#, r#"{"b":2}"#]);
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        let (bytewise, _) = read_all(&bytes);
        assert_eq!(bytewise, whole);
    }

    #[test]
    fn ids_retry_comments_and_line_endings() {
        let (events, reader) = read_all(&[
            b": keep-alive\n\n",
            b"id: 3-0\r\ndata: \r\n\r\n",
            b"retry: 50\rid: 3-1\rdata:x\r",
            b"\ndata: y\n\nevent: ignored\nnot a field\n\n",
        ]);
        assert_eq!(events, ["", "x\ny"]);
        assert_eq!(reader.last_event_id(), Some("3-1"));
        assert_eq!(reader.retry(), Some(Duration::from_millis(50)));
    }

    #[test]
    fn an_event_cut_off_by_a_reconnection_is_dropped() {
        let mut reader = EventReader::default();
        assert!(reader.feed(b"id: 1-1\ndata: {\"half\"").is_empty());
        reader.reconnect();
        assert_eq!(reader.feed(b"data: whole\n\n"), ["whole"]);
        assert_eq!(reader.last_event_id(), Some("1-1"));
    }
}
