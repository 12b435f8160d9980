//! The simulated contact centre.
