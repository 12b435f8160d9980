//! Configuration: the example parses; each kind of bad input says file, line and a fix.

use std::path::Path;

use queuetop::config::{self, SlVariant, SlWindow, SourceConfig};

fn env(k: &str) -> Option<String> {
    match k {
        "GC_SECRET" => Some("s3cr3t-gc".into()),
        "CX_SECRET" => Some("s3cr3t-cx".into()),
        "CX_KEY" => Some("s3cr3t-key".into()),
        _ => None,
    }
}

fn parse(text: &str) -> Result<config::Config, config::ConfigError> {
    config::parse(text, Some(Path::new("/etc/q.toml")), &env)
}

#[test]
fn example_parses() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
        .expect("example");
    let c = parse(&text).expect("valid example");
    assert_eq!(c.refresh, std::time::Duration::from_secs(5));
    assert_eq!(c.sla.defaults.variant, SlVariant::Offered);
    assert_eq!(c.sla.queues.len(), 1);
    assert_eq!(c.alerts.len(), 4);
    assert!(matches!(&c.sources[..], [SourceConfig::Demo(_)]));
    // Uncommenting the vendor sources (with secrets in the environment) also parses.
    let full = text
        .lines()
        .map(|l| {
            if l.starts_with("# ")
                && !l.starts_with("#  ")
                && (l.contains(" = ") || l.starts_with("# ["))
            {
                &l[2..]
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .replace("GENESYS_CLIENT_SECRET", "GC_SECRET")
        .replace("CXONE_CLIENT_SECRET", "CX_SECRET")
        .replace("CXONE_ACCESS_KEY_SECRET", "CX_KEY");
    let c = parse(&full).unwrap_or_else(|e| panic!("{e}\n{full}"));
    assert_eq!(c.sources.len(), 4);
    assert_eq!(c.serve.centre, "acme");
    assert_eq!(c.timezone.map(|t| t.name()), Some("Europe/Dublin"));
}

#[test]
fn genesys_region_to_urls_and_both_spellings() {
    for region in ["mypurecloud.ie", "eu_west_1", "api.mypurecloud.ie"] {
        let c = parse(&format!("[[sources]]\nname = \"g\"\nkind = \"genesys\"\nregion = \"{region}\"\nclient_id = \"x\"\nclient_secret_env = \"GC_SECRET\"\n")).expect("valid");
        let SourceConfig::Genesys(g) = &c.sources[0] else {
            panic!()
        };
        assert_eq!(g.api_url, "https://api.mypurecloud.ie");
        assert_eq!(g.login_url, "https://login.mypurecloud.ie");
        assert_eq!(g.client_secret.expose(), "s3cr3t-gc");
    }
    assert_eq!(config::GENESYS_REGIONS.len(), 18);
}

fn err(text: &str) -> String {
    parse(text).expect_err("must be rejected").to_string()
}

#[test]
fn bad_input_names_file_line_and_fix() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "refresh = \"5s\"\nrefersh = \"5s\"\n",
            "line 2",
            "unknown field",
        ),
        ("refresh = \"fast\"\n", "line 1", "not a duration"),
        ("refresh = \"100ms\"\n", "line 1", "between 1s and 1h"),
        ("refresh = \"2h\"\n", "line 1", "between 1s and 1h"),
        (
            "[[sources]]\nname = \"g\"\nkind = \"genesys\"\napi_url = \"http://localhost:1@evil.example\"\nlogin_url = \"https://login.example.com\"\nclient_id = \"a\"\nclient_secret_env = \"GC_SECRET\"\n",
            "line 4",
            "user:password",
        ),
        ("timezone = \"Mars/Olympus\"\n", "line 1", "IANA"),
        ("[sla]\ntarget = 80\n", "line 2", "(0, 1]"),
        ("[sla]\nvariant = \"most\"\n", "line 2", "unknown variant"),
        ("[sla]\nwindow = \"week\"\n", "line 2", "\"15m\""),
        ("[[sla.queues]]\nmatch = \"[bad\"\n", "line 2", "glob"),
        (
            "[[alerts]]\nstate = \"napping\"\nafter = \"1m\"\n",
            "line 2",
            "after_call_work",
        ),
        (
            "[[sources]]\nname = \"x\"\nkind = \"avaya\"\n",
            "line 3",
            "genesys",
        ),
        (
            "[[sources]]\nname = \"g\"\nkind = \"genesys\"\nregion = \"mypurecloud.xx\"\nclient_id = \"a\"\nclient_secret_env = \"GC_SECRET\"\n",
            "line 4",
            "mypurecloud.ie",
        ),
        (
            "[[sources]]\nname = \"g\"\nkind = \"genesys\"\nregion = \"mypurecloud.ie\"\nclient_id = \"a\"\nclient_secret = \"inline!\"\n",
            "line 6",
            "client_secret_env",
        ),
        (
            "[[sources]]\nname = \"g\"\nkind = \"genesys\"\nregion = \"mypurecloud.ie\"\nclient_id = \"a\"\nclient_secret_env = \"NOT_SET\"\n",
            "line 6",
            "export NOT_SET",
        ),
        (
            "[[sources]]\nname = \"g\"\nkind = \"genesys\"\napi_url = \"http://api.example.com\"\nlogin_url = \"https://login.example.com\"\nclient_id = \"a\"\nclient_secret_env = \"GC_SECRET\"\n",
            "line 4",
            "loopback",
        ),
        (
            "[[sources]]\nname = \"d\"\nkind = \"demo\"\nregion = \"mypurecloud.ie\"\n",
            "line 4",
            "does not apply",
        ),
        (
            "[[sources]]\nname = \"c\"\nkind = \"cxone\"\nclient_id = \"a\"\nclient_secret_env = \"CX_SECRET\"\naccess_key_secret_env = \"CX_KEY\"\n",
            "line 1",
            "access_key_id",
        ),
        (
            "[[sources]]\nname = \"c\"\nkind = \"cxone\"\napi_version = \"34\"\nclient_id = \"a\"\naccess_key_id = \"k\"\nclient_secret_env = \"CX_SECRET\"\naccess_key_secret_env = \"CX_KEY\"\n",
            "line 4",
            "v34.0",
        ),
        (
            "[[sources]]\nname = \"a\"\nkind = \"demo\"\n[[sources]]\nname = \"a\"\nkind = \"demo\"\n",
            "line 5",
            "different name",
        ),
        ("refresh = \n", "line 1", "config.example.toml"),
    ];
    for (text, line, hint) in cases {
        let e = err(text);
        assert!(e.contains("/etc/q.toml"), "names the file: {e}");
        assert!(e.contains(line), "names {line}: {e}");
        assert!(e.contains(hint), "says {hint:?}: {e}");
    }
}

#[test]
fn secrets_never_in_errors_or_debug() {
    let text = "[[sources]]\nname = \"c\"\nkind = \"cxone\"\nclient_id = \"a\"\naccess_key_id = \"k\"\nclient_secret_env = \"CX_SECRET\"\naccess_key_secret_env = \"CX_KEY\"\n";
    let c = parse(text).expect("valid");
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("s3cr3t"), "{dbg}");
    let e = err(
        "allow_inline_secrets = false\n[[sources]]\nname = \"g\"\nkind = \"genesys\"\nregion = \"mypurecloud.ie\"\nclient_id = \"a\"\nclient_secret = \"hunter2\"\n",
    );
    assert!(!e.contains("hunter2"), "{e}");
}

#[test]
fn inline_secrets_allowed_with_warning_and_windows_parse() {
    let c = parse("allow_inline_secrets = true\n[sla]\nwindow = \"30m\"\n[[sources]]\nname = \"g\"\nkind = \"genesys\"\nregion = \"mypurecloud.de\"\nclient_id = \"a\"\nclient_secret = \"x\"\n").expect("valid");
    assert!(c.inline_secret_warning);
    assert_eq!(c.sla.defaults.window, SlWindow::Minutes(30));
}

#[test]
fn loopback_http_is_allowed_for_tests() {
    for u in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9",
    ] {
        assert!(config::check_url(u).is_ok(), "{u}");
    }
    for u in [
        "http://10.0.0.1",
        "ftp://x",
        "nonsense",
        "http://127.0.0.1.evil.com",
    ] {
        assert!(config::check_url(u).is_err(), "{u}");
    }
}

fn genesys_with_secret_file(path: &Path) -> String {
    format!(
        "[[sources]]\nname = \"g\"\nkind = \"genesys\"\nregion = \"mypurecloud.ie\"\nclient_id = \"a\"\nclient_secret_file = {:?}\n",
        path.display().to_string()
    )
}

#[test]
fn secret_files_must_be_small_regular_files() {
    let started = std::time::Instant::now();
    let e = err(&genesys_with_secret_file(Path::new("/dev/zero")));
    assert!(
        e.contains("/etc/q.toml, line 6"),
        "names file and line: {e}"
    );
    assert!(
        e.contains("/dev/zero is a device, not a regular file"),
        "says why: {e}"
    );
    assert!(e.contains("client_secret_file"), "names the fix: {e}");

    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big");
    std::fs::write(&big, vec![b'x'; 64 * 1024 + 1]).expect("write");
    let e = err(&genesys_with_secret_file(&big));
    assert!(
        e.contains(&big.display().to_string()),
        "names the file: {e}"
    );
    assert!(e.contains("larger than 64 KiB"), "says why: {e}");

    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let e = err(&genesys_with_secret_file(&fifo));
        assert!(
            e.contains(&fifo.display().to_string()),
            "names the file: {e}"
        );
        assert!(e.contains("FIFO"), "says why: {e}");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "never blocks"
    );

    let ok = dir.path().join("secret");
    std::fs::write(&ok, "s3cr3t-file\n").expect("write");
    let c = parse(&genesys_with_secret_file(&ok)).expect("valid");
    match &c.sources[..] {
        [SourceConfig::Genesys(g)] => assert_eq!(g.client_secret.expose(), "s3cr3t-file"),
        other => panic!("one Genesys source expected: {other:?}"),
    }
}

#[test]
fn a_source_may_have_its_own_time_zone() {
    let text = r#"
timezone = "Europe/Dublin"

[[sources]]
name = "acme"
kind = "demo"
timezone = "America/Chicago"

[[sources]]
name = "other"
kind = "demo"
"#;
    let cfg = parse(text).expect("valid");
    use queuetop::config::ZoneOrigin;
    assert_eq!(
        cfg.timezone_of("acme"),
        (Some(chrono_tz::America::Chicago), ZoneOrigin::Source)
    );
    assert_eq!(
        cfg.timezone_of("other"),
        (Some(chrono_tz::Europe::Dublin), ZoneOrigin::Configuration)
    );
    let bad = text.replace("America/Chicago", "Mars/Olympus");
    let e = parse(&bad).expect_err("unknown zone").to_string();
    assert!(
        e.contains("line 7") && e.contains("unknown time zone"),
        "{e}"
    );
}

#[test]
fn genesys_push_mode_defaults_to_auto_and_a_bad_one_names_its_line() {
    let base = "[[sources]]\nname = \"g\"\nkind = \"genesys\"\nregion = \"mypurecloud.ie\"\nclient_id = \"x\"\nclient_secret_env = \"GC_SECRET\"\n";
    let mode = |text: &str| match &parse(text).expect("valid").sources[..] {
        [SourceConfig::Genesys(g)] => g.push,
        other => panic!("{other:?}"),
    };
    assert_eq!(mode(base), config::PushMode::Auto);
    assert_eq!(
        mode(&format!("{base}push = \"off\"\n")),
        config::PushMode::Off
    );
    assert_eq!(
        mode(&format!("{base}push = \"ON\"\n")),
        config::PushMode::On
    );
    let e = err(&format!("{base}push = \"sometimes\"\n"));
    assert!(e.contains("/etc/q.toml") && e.contains("line 7"), "{e}");
    assert!(e.contains("\"auto\"") && e.contains("\"off\""), "{e}");
    let e = err("[[sources]]\nname = \"d\"\nkind = \"demo\"\npush = \"on\"\n");
    assert!(e.contains("`push` does not apply to a demo source"), "{e}");
}
