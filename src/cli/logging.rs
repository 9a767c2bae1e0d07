//! The log subscriber `laurel serve` installs: text or JSON lines on standard error.

use super::config::LogFormat;

/// Installs the global log subscriber: text or JSON lines on standard error, filtered by
/// `filter` (a tracing `EnvFilter` directive such as `info`). Only the binary calls this.
pub fn init_logging(format: LogFormat, filter: &str) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|error| format!("invalid log filter {filter:?}: {error}"))?;
    // Colours only on a terminal: a log file or collector would get escape codes otherwise.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    result.map_err(|error| format!("cannot install the logger: {error}"))
}
