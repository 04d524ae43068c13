//! The file writers the monitors stream into, closed once: flushed every simulated second,
//! finished at the end, an error if written after.

use crate::closed_loop::MonitorError;
use crate::record::spikes::SpikeWriter;
use crate::record::timeline::TimelineWriter;

/// A file written as the loop runs.
pub(super) trait Stream {
    fn flush(&mut self) -> Result<(), MonitorError>;
    fn finish(self) -> Result<(), MonitorError>;
}

impl Stream for TimelineWriter {
    fn flush(&mut self) -> Result<(), MonitorError> {
        Ok(TimelineWriter::flush(self)?)
    }
    fn finish(self) -> Result<(), MonitorError> {
        Ok(TimelineWriter::finish(self)?)
    }
}

impl Stream for SpikeWriter {
    fn flush(&mut self) -> Result<(), MonitorError> {
        Ok(SpikeWriter::flush(self)?)
    }
    fn finish(self) -> Result<(), MonitorError> {
        Ok(SpikeWriter::finish(self)?)
    }
}

/// A monitor's file written after the monitor was finished.
#[derive(Debug, thiserror::Error)]
#[error("the {0} was already closed")]
pub struct StreamClosed(pub &'static str);

/// The writer, unless it was closed.
pub(super) fn open<'w, W>(
    writer: &'w mut Option<W>,
    what: &'static str,
) -> Result<&'w mut W, StreamClosed> {
    writer.as_mut().ok_or(StreamClosed(what))
}

/// Flushes the writer, if open.
pub(super) fn flush<W: Stream>(writer: &mut Option<W>) -> Result<(), MonitorError> {
    writer.as_mut().map_or(Ok(()), Stream::flush)
}

/// Closes the writer, if open.
pub(super) fn close<W: Stream>(writer: &mut Option<W>) -> Result<(), MonitorError> {
    writer.take().map_or(Ok(()), Stream::finish)
}
