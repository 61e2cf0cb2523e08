//! Newline-delimited input with a size limit: a line longer than the limit is skipped as it
//! arrives, never held whole.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One line of input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A complete line (without its `\n` or `\r\n`).
    Text(Vec<u8>),
    /// A line longer than the limit, skipped.
    TooLong,
}

/// Reads lines of at most `limit` bytes.
pub(crate) struct Lines<R> {
    input: R,
    limit: usize,
}

impl<R: AsyncBufRead + Unpin> Lines<R> {
    pub(crate) fn new(input: R, limit: usize) -> Self {
        Self { input, limit }
    }

    /// The next line; `None` at the end of input.
    pub(crate) async fn next(&mut self) -> std::io::Result<Option<Line>> {
        let mut line = Vec::new();
        let mut skipping = false;
        loop {
            let available = self.input.fill_buf().await?;
            if available.is_empty() {
                return Ok(match (skipping, line.is_empty()) {
                    (true, _) => Some(Line::TooLong),
                    (false, true) => None,
                    (false, false) => Some(self.whole(line)),
                });
            }
            let (chunk, found) = match available.iter().position(|&b| b == b'\n') {
                Some(end) => (&available[..end], Some(end + 1)),
                None => (available, None),
            };
            // One byte more than the limit may be a `\r` before the `\n`, checked once the
            // line is whole.
            if !skipping && line.len() + chunk.len() > self.limit + 1 {
                skipping = true;
                line = Vec::new();
            }
            if !skipping {
                line.extend_from_slice(chunk);
            }
            let used = found.unwrap_or(available.len());
            self.input.consume(used);
            if found.is_some() {
                return Ok(Some(if skipping {
                    Line::TooLong
                } else {
                    self.whole(line)
                }));
            }
        }
    }
}

impl<R> Lines<R> {
    /// A whole line without its `\r`, if it is within the limit.
    fn whole(&self, mut line: Vec<u8>) -> Line {
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        match line.len() > self.limit {
            true => Line::TooLong,
            false => Line::Text(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_skipped_and_the_rest_read() {
        let long = "x".repeat(100);
        let input = format!("{{}}\r\n{long}\nok\nlast");
        let mut lines = Lines::new(tokio::io::BufReader::with_capacity(8, input.as_bytes()), 10);
        assert_eq!(
            lines.next().await.unwrap(),
            Some(Line::Text(b"{}".to_vec()))
        );
        assert_eq!(lines.next().await.unwrap(), Some(Line::TooLong));
        assert_eq!(
            lines.next().await.unwrap(),
            Some(Line::Text(b"ok".to_vec()))
        );
        assert_eq!(
            lines.next().await.unwrap(),
            Some(Line::Text(b"last".to_vec()))
        );
        assert_eq!(lines.next().await.unwrap(), None);
    }

    #[tokio::test]
    async fn the_limit_counts_the_line_without_its_line_ending() {
        let input = "0123456789\r\n0123456789\n0123456789a\r\n0123456789a\n0123456789\r";
        let mut lines = Lines::new(tokio::io::BufReader::with_capacity(4, input.as_bytes()), 10);
        let ten = Some(Line::Text(b"0123456789".to_vec()));
        assert_eq!(lines.next().await.unwrap(), ten);
        assert_eq!(lines.next().await.unwrap(), ten);
        assert_eq!(lines.next().await.unwrap(), Some(Line::TooLong));
        assert_eq!(lines.next().await.unwrap(), Some(Line::TooLong));
        assert_eq!(lines.next().await.unwrap(), ten);
        assert_eq!(lines.next().await.unwrap(), None);
    }
}
