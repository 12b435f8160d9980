//! End-to-end: the real binary in a real pseudo-terminal (tmux), driven like a user would.
//! Needs `tmux` (CI installs it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Tmux {
    fn start(cmd: &str, w: u16, h: u16) -> Tmux {
        let dir = tempfile::tempdir().expect("tmp");
        let socket = format!("qt-e2e-{}-{}", std::process::id(), rand_suffix());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
                cmd,
            ])
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("c"))
            .env_remove("QUEUETOP_CONFIG")
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux must be installed (apt-get install -y tmux)");
        assert!(status.success());
        Tmux { socket, dir }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "t", k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn wait_for(&self, what: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for {what:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_queuetop")
}

fn wait_file(p: &Path, timeout: Duration) -> String {
    let start = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(p)
            && !s.is_empty()
        {
            return s;
        }
        assert!(start.elapsed() < timeout, "{} never appeared", p.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn board_help_drill_down_and_quit() {
    let dir = tempfile::tempdir().expect("tmp");
    let exit = dir.path().join("exit");
    let log = dir.path().join("q.log");
    let cmd = format!(
        "{} --demo --log-file {}; echo $? > {}; sleep 30",
        bin(),
        log.display(),
        exit.display()
    );
    let t = Tmux::start(&cmd, 120, 40);
    // Names are cut to fit at some hours (a wide ASA), so wait on what every board shows.
    let s = t.wait_for("Waiting 30m", Duration::from_secs(15));
    assert!(s.contains("DEMO DATA") && s.contains("Technical Su"), "{s}");
    t.keys(&["?"]);
    t.wait_for("Keys on this page", Duration::from_secs(5));
    t.keys(&["x"]);
    t.keys(&["Enter"]);
    t.wait_for("Also serves", Duration::from_secs(5));
    t.keys(&["Enter"]);
    t.wait_for("Totals in view", Duration::from_secs(5));
    t.keys(&["+", "Left", "0"]);
    t.keys(&["Escape", "Escape"]);
    t.wait_for("Waiting 30m", Duration::from_secs(5));
    t.keys(&["q"]);
    assert_eq!(
        wait_file(&exit, Duration::from_secs(10)).trim(),
        "0",
        "q exits 0"
    );
    // Back on the normal screen, with the cursor shown.
    assert_eq!(
        t.tmux(&["display", "-p", "-t", "t", "#{alternate_on}"])
            .trim(),
        "0"
    );
    assert_eq!(
        t.tmux(&["display", "-p", "-t", "t", "#{cursor_flag}"])
            .trim(),
        "1"
    );
    let _ = t.path("unused");
}

#[test]
fn hangup_ends_the_board() {
    let cmd = format!("exec {} --demo --log-file /dev/null", bin());
    let t = Tmux::start(&cmd, 100, 30);
    t.wait_for("Queue", Duration::from_secs(15));
    let pid: u32 = t
        .tmux(&["display", "-p", "-t", "t", "#{pane_pid}"])
        .trim()
        .parse()
        .expect("pid");
    // Closing the session hangs up the terminal, like a dropped SSH connection.
    t.tmux(&["kill-session", "-t", "t"]);
    let start = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists() {
        // A zombie has exited already; it only waits for its parent.
        if std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z ")) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "queuetop still running after SIGHUP"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn resize_to_tiny_and_back() {
    let cmd = format!("exec {} --demo --log-file /dev/null", bin());
    let t = Tmux::start(&cmd, 100, 30);
    t.wait_for("Queue", Duration::from_secs(15));
    t.tmux(&["resize-window", "-t", "t", "-x", "30", "-y", "8"]);
    t.wait_for("terminal too small (30×8)", Duration::from_secs(5));
    t.tmux(&["resize-window", "-t", "t", "-x", "100", "-y", "30"]);
    t.wait_for("Queue", Duration::from_secs(5));
}

/// Start the board in a shell that records its pid and, after it ends, its exit code; send
/// it `signal`; return the exit code once the terminal is checked to be restored.
fn board_ended_by(signal: &str) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let exit = dir.path().join("exit");
    let pid = dir.path().join("pid");
    let cmd = format!(
        "sh -c 'echo $$ > {}; exec {} --demo --log-file /dev/null'; echo $? > {}; sleep 30",
        pid.display(),
        bin(),
        exit.display()
    );
    let t = Tmux::start(&cmd, 100, 30);
    t.wait_for("Queue", Duration::from_secs(15));
    assert_eq!(
        t.tmux(&["display", "-p", "-t", "t", "#{alternate_on}"])
            .trim(),
        "1",
        "the board is on the alternate screen"
    );
    let pid = wait_file(&pid, Duration::from_secs(5)).trim().to_string();
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let code = wait_file(&exit, Duration::from_secs(10)).trim().to_string();
    // Back on the normal screen, with the cursor shown.
    assert_eq!(
        t.tmux(&["display", "-p", "-t", "t", "#{alternate_on}"])
            .trim(),
        "0",
        "alternate screen left after SIG{signal}"
    );
    assert_eq!(
        t.tmux(&["display", "-p", "-t", "t", "#{cursor_flag}"])
            .trim(),
        "1",
        "cursor shown after SIG{signal}"
    );
    code
}

#[test]
fn sigquit_ends_the_board_like_sigterm() {
    let term = board_ended_by("TERM");
    let quit = board_ended_by("QUIT");
    assert_eq!(term, "0", "SIGTERM leaves cleanly");
    assert_eq!(quit, term, "SIGQUIT exits as SIGTERM does");
}

/// Run the board in wall mode with an alarm on every queue (a longest-wait breach level
/// of 0 s), toggle the wall off and on, and return every byte it wrote.
fn wall_bytes(bell: bool) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = dir.path().join("q.toml");
    std::fs::write(
        &cfg,
        "[[sources]]\nname = \"demo\"\nkind = \"demo\"\n\n[[thresholds]]\nmetric = \"longest_wait\"\nbreach = \"0s\"\n",
    )
    .expect("config");
    let out = dir.path().join("out.bin");
    let cmd = format!(
        "sleep 1; exec {} --config {} --wall{} --log-file /dev/null",
        bin(),
        cfg.display(),
        if bell { " --bell" } else { "" }
    );
    let t = Tmux::start(&cmd, 120, 40);
    // Record the pane's output before the board starts (it waits a second).
    t.tmux(&[
        "pipe-pane",
        "-o",
        "-t",
        "t",
        &format!("cat >> {}", out.display()),
    ]);
    let s = t.wait_for("WALL", Duration::from_secs(15));
    // Every queue's longest wait is past a breach of 0 s: alarms for that cause.
    assert!(s.contains("⚠ ALARM · WAIT"), "{s}");
    t.keys(&["w"]);
    t.wait_for("Waiting 30m", Duration::from_secs(5));
    t.keys(&["w"]);
    t.wait_for("WALL", Duration::from_secs(5));
    t.keys(&["q"]);
    std::thread::sleep(Duration::from_millis(500));
    std::fs::read(&out).unwrap_or_default()
}

#[test]
fn wall_mode_toggles_and_rings_only_with_bell() {
    let quiet = wall_bytes(false);
    assert!(!quiet.is_empty(), "the pane's output was recorded");
    assert!(!quiet.contains(&0x07), "no BEL without --bell");
    let loud = wall_bytes(true);
    assert!(loud.contains(&0x07), "--bell rings when the alarms begin");
}
