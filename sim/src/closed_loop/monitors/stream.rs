//! The file writers the monitors stream into, closed once: flushed every simulated second,
//! finished at the end, an error if written after.

use crate::record::spikes::SpikeWriter;
use crate::record::timeline::TimelineWriter;

/// A file written as the loop runs.
pub(super) trait Stream {
    fn flush(&mut self) -> anyhow::Result<()>;
    fn finish(self) -> anyhow::Result<()>;
}

impl Stream for TimelineWriter {
    fn flush(&mut self) -> anyhow::Result<()> {
        Ok(TimelineWriter::flush(self)?)
    }
    fn finish(self) -> anyhow::Result<()> {
        Ok(TimelineWriter::finish(self)?)
    }
}

impl Stream for SpikeWriter {
    fn flush(&mut self) -> anyhow::Result<()> {
        Ok(SpikeWriter::flush(self)?)
    }
    fn finish(self) -> anyhow::Result<()> {
        Ok(SpikeWriter::finish(self)?)
    }
}

/// The writer, unless it was closed.
pub(super) fn open<'w, W>(writer: &'w mut Option<W>, what: &str) -> anyhow::Result<&'w mut W> {
    writer
        .as_mut()
        .ok_or_else(|| anyhow::anyhow!("the {what} was already closed"))
}

/// Flushes the writer, if open.
pub(super) fn flush<W: Stream>(writer: &mut Option<W>) -> anyhow::Result<()> {
    writer.as_mut().map_or(Ok(()), Stream::flush)
}

/// Closes the writer, if open.
pub(super) fn close<W: Stream>(writer: &mut Option<W>) -> anyhow::Result<()> {
    writer.take().map_or(Ok(()), Stream::finish)
}
