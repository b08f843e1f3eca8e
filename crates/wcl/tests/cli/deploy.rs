//! The systemd unit in `deploy/` (README, "Running under systemd"): it restarts wcl after a
//! failure, runs it as its own user confined to its data folder, and starts it with a command
//! line and settings this wcl accepts.
use clap::Parser;

fn unit() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/wcl.service");
    std::fs::read_to_string(path).expect("deploy/wcl.service is in the repository")
}

/// The values of `key=` in the unit, in order.
fn values(unit: &str, key: &str) -> Vec<String> {
    unit.lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{key}=")))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_systemd_unit_restarts_and_confines_wcl() {
    let u = unit();
    for (key, want) in [
        ("Restart", "on-failure"),
        ("User", "wcl"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ReadWritePaths", "/var/lib/wcl"),
        ("PrivateTmp", "yes"),
        ("StateDirectory", "wcl"),
    ] {
        assert_eq!(values(&u, key), [want], "{key}");
    }
    // The database lives in the one writable folder.
    let env = values(&u, "Environment");
    assert!(
        env.contains(&"WCL_DATABASE_URL=sqlite:///var/lib/wcl/wcl.db".to_string()),
        "{env:?}"
    );
    // Every variable set is one wcl knows (an unknown one is only reported at start).
    for e in &env {
        let name = e.split('=').next().unwrap();
        assert!(
            wcl::config::KNOWN_VARS.contains(&name),
            "{name} is not a setting of wcl"
        );
    }
    // The command line parses as this wcl's `serve`.
    let exec = values(&u, "ExecStart");
    assert_eq!(exec.len(), 1);
    let argv: Vec<&str> = exec[0].split_whitespace().collect();
    assert!(argv[0].ends_with("/wcl"));
    let cli = wcl::cli::Cli::try_parse_from(&argv).unwrap();
    assert!(matches!(cli.command, wcl::cli::Command::Serve { .. }));
}
