//! Which calls count in a service-level percentage: one type for the configuration, the SLA
//! maths and the screens (the formulas are in `sla::service_level`).

use serde::{Deserialize, Serialize};

/// The counting rule for the service-level percentage (see `sla::service_level` for the
/// formulas). Written in configuration files as [`SlVariant::as_str`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlVariant {
    /// Answered within T over answered + abandoned: abandons count against.
    #[default]
    Offered,
    /// Abandons within T are dropped from the denominator; later abandons count against.
    IgnoreAbandonsWithinT,
    /// Abandons within T count as hits.
    AbandonsPositive,
    /// Answered calls only; abandons are ignored.
    Answered,
}

impl SlVariant {
    /// Every variant, in documentation order.
    pub const ALL: [SlVariant; 4] = [
        SlVariant::Offered,
        SlVariant::IgnoreAbandonsWithinT,
        SlVariant::AbandonsPositive,
        SlVariant::Answered,
    ];

    /// The configuration name: `offered`, `ignore_abandons_within_t`, `abandons_positive`,
    /// `answered`.
    pub fn as_str(self) -> &'static str {
        match self {
            SlVariant::Offered => "offered",
            SlVariant::IgnoreAbandonsWithinT => "ignore_abandons_within_t",
            SlVariant::AbandonsPositive => "abandons_positive",
            SlVariant::Answered => "answered",
        }
    }

    /// Parses a configuration name (see [`SlVariant::as_str`]).
    pub fn from_name(name: &str) -> Option<SlVariant> {
        SlVariant::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

impl std::fmt::Display for SlVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_configuration_names() {
        for v in SlVariant::ALL {
            let json = serde_json::to_string(&v).expect("serialises");
            assert_eq!(json, format!("\"{}\"", v.as_str()));
            let back: SlVariant = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, v);
        }
    }
}
