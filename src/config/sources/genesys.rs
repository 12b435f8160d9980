//! A `kind = "genesys"` source: Genesys Cloud, its region table and its URLs.

use super::{Ctx, RawSource};
use crate::config::url;
use crate::config::{ConfigError, GenesysConfig, PushMode, SourceConfig};

/// The keys a Genesys source takes.
pub(super) const KEYS: &[&str] = &[
    "region",
    "api_url",
    "login_url",
    "client_id",
    "client_secret",
    "client_secret_env",
    "client_secret_file",
    "queues",
    "push",
];

/// The 18 Genesys Cloud API domains (genesys REFERENCE §1), with the SDKs' region names.
pub const GENESYS_REGIONS: [(&str, &str); 18] = [
    ("us_east_1", "mypurecloud.com"),
    ("us_east_2", "use2.us-gov-pure.cloud"),
    ("us_west_2", "usw2.pure.cloud"),
    ("ca_central_1", "cac1.pure.cloud"),
    ("sa_east_1", "sae1.pure.cloud"),
    ("mx_central_1", "mxc1.pure.cloud"),
    ("eu_west_1", "mypurecloud.ie"),
    ("eu_west_2", "euw2.pure.cloud"),
    ("eu_central_1", "mypurecloud.de"),
    ("eu_central_2", "euc2.pure.cloud"),
    ("eusc_de_east_1", "edee1.eusc-pure.cloud"),
    ("me_central_1", "mec1.pure.cloud"),
    ("ap_south_1", "aps1.pure.cloud"),
    ("ap_northeast_1", "mypurecloud.jp"),
    ("ap_northeast_2", "apne2.pure.cloud"),
    ("ap_northeast_3", "apne3.pure.cloud"),
    ("ap_southeast_1", "apse1.pure.cloud"),
    ("ap_southeast_2", "mypurecloud.com.au"),
];

/// Resolve a Genesys region (API domain such as `mypurecloud.ie`, or SDK name such as
/// `eu_west_1`) to its domain.
pub fn genesys_domain(region: &str) -> Option<&'static str> {
    let r = region
        .trim()
        .trim_start_matches("api.")
        .to_ascii_lowercase();
    GENESYS_REGIONS
        .iter()
        .find(|(name, domain)| *domain == r || *name == r.replace('-', "_"))
        .map(|(_, d)| *d)
}

/// A Genesys source: a region, or both URLs; a client id and its secret.
pub(super) fn validate(s: &RawSource, ctx: &mut Ctx<'_>) -> Result<SourceConfig, ConfigError> {
    let v = ctx.v;
    let (api_url, login_url) = match (&s.region, &s.api_url, &s.login_url) {
        (Some(r), None, None) => {
            let d = genesys_domain(r.get_ref()).ok_or_else(|| {
                let list: Vec<&str> = GENESYS_REGIONS.iter().map(|(_, d)| *d).collect();
                v.err(
                    Some(r.span()),
                    &format!("unknown Genesys Cloud region {:?}", r.get_ref()),
                    &format!("use one of: {}", list.join(", ")),
                )
            })?;
            (format!("https://api.{d}"), format!("https://login.{d}"))
        }
        (None, Some(a), Some(l)) => (
            url::validated(v, a, "api_url")?,
            url::validated(v, l, "login_url")?,
        ),
        (Some(r), _, _) => {
            return Err(v.err(
                Some(r.span()),
                "give either region or api_url + login_url, not both",
                "remove region, or remove api_url and login_url",
            ));
        }
        (None, _, _) => {
            return Err(v.err(
                Some(ctx.table.clone()),
                &format!(
                    "source {:?} needs region (or api_url and login_url)",
                    ctx.name
                ),
                "add region = \"mypurecloud.ie\" (your org's API domain)",
            ));
        }
    };
    let client_id = ctx.required(&s.client_id, "client_id")?;
    let client_secret = ctx.secret(&s.client_secret())?;
    let push = match &s.push {
        None => PushMode::default(),
        Some(p) => PushMode::parse(p.get_ref()).ok_or_else(|| {
            v.err(
                Some(p.span()),
                &format!("push = {:?} is not a push mode", p.get_ref()),
                "use push = \"auto\" (push when it works, else poll), \"on\" or \"off\"",
            )
        })?,
    };
    Ok(SourceConfig::Genesys(GenesysConfig {
        name: ctx.name.clone(),
        api_url,
        login_url,
        client_id,
        client_secret,
        queues: s.queues.clone().unwrap_or_default(),
        push,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_resolve_by_domain_or_sdk_name() {
        assert_eq!(genesys_domain("mypurecloud.ie"), Some("mypurecloud.ie"));
        assert_eq!(
            genesys_domain(" api.mypurecloud.de "),
            Some("mypurecloud.de")
        );
        assert_eq!(genesys_domain("eu-west-1"), Some("mypurecloud.ie"));
        assert_eq!(genesys_domain("AP_SOUTHEAST_2"), Some("mypurecloud.com.au"));
        assert_eq!(genesys_domain("mypurecloud.xx"), None);
    }

    #[test]
    fn region_names_and_domains_are_unique() {
        let names: std::collections::HashSet<_> = GENESYS_REGIONS.iter().map(|r| r.0).collect();
        let domains: std::collections::HashSet<_> = GENESYS_REGIONS.iter().map(|r| r.1).collect();
        assert_eq!(names.len(), GENESYS_REGIONS.len());
        assert_eq!(domains.len(), GENESYS_REGIONS.len());
    }
}
