//! Exit codes, documented in the README. Each means one thing, so cron jobs can act on it.

/// Every folder was scanned completely, or the command succeeded.
pub const SUCCESS: u8 = 0;
/// The run finished, but some folders or messages failed; each one was logged.
pub const PARTIAL: u8 = 1;
/// Nothing was done because of a configuration, usage, login or connection error.
pub const FAILURE: u8 = 2;
/// `report --fail-below`: the encrypted share is below the threshold.
pub const BELOW_THRESHOLD: u8 = 3;
/// `verify`: the store has integrity problems.
pub const STORE_DAMAGED: u8 = 4;
