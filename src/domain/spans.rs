//! Span algebra (see issue: drill-down).
