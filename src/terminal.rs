//! The only module that touches the real terminal: raw mode, the alternate screen, the
//! panic hook, signals, and the event loop that feeds `app::update` and draws on change.
//!
//! The terminal is restored on every path: normal quit, Ctrl-C, SIGTERM, SIGHUP (SSH
//! dropped), SIGQUIT, a panic in any thread or task, or an error. A terminal that disappears ends the loop instead of
//! spinning (event-stream errors, end of stream and failed writes all mean "gone").

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use crossterm::event::{Event, EventStream};
use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures_util::{FutureExt, StreamExt};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Notify;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

use crate::app::{self, App, Effect, Msg};
use crate::source::{SourceCommand, SourceEvent, Sources};
use crate::ui::{self, theme::Theme};

/// At most this many frames per second, whatever the input rate.
const MAX_FPS: u64 = 10;
/// How long the first frame waits for the sources' first data (the demo takes a few ms).
const FIRST_DATA_WAIT: Duration = Duration::from_millis(250);

static RESTORED: AtomicBool = AtomicBool::new(true);
/// Woken by the panic hook: a panic anywhere ends the board (the terminal is already back).
static PANICKED: Notify = Notify::const_new();
static HOOK: Once = Once::new();

/// Put the terminal back as we found it. Safe to call more than once and from a panic.
pub fn restore() {
    if RESTORED.swap(true, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// The text of a panic's payload (a `&str` or a `String` for `panic!` with a message).
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}

/// Install, once, the panic hook used everywhere: a panic in any thread or task (the UI
/// thread, a source task, a worker) first puts the terminal back, then goes to the log with
/// its message and location, then prints one short line on stderr, and ends the board.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            restore();
            let message = crate::domain::text::printable(panic_text(info.payload())).into_owned();
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_else(|| "an unknown place".into());
            let thread = std::thread::current()
                .name()
                .unwrap_or("unnamed")
                .to_string();
            tracing::error!(%location, %thread, "panic: {message}");
            eprintln!(
                "queuetop: internal error at {location}: {message} (the terminal was restored; details are in the log)"
            );
            PANICKED.notify_one();
        }));
    });
}

fn enter() -> Result<Guard> {
    install_panic_hook();
    enable_raw_mode().context("cannot switch the terminal to raw mode (is this a terminal?)")?;
    RESTORED.store(false, Ordering::SeqCst);
    let guard = Guard;
    execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)
        .context("cannot open the alternate screen")?;
    Ok(guard)
}

/// Run the live board until the user quits or the terminal goes away.
pub async fn run_board(
    mut app: App,
    sources: Sources,
    mut events: crate::source::channel::EventReceiver,
    theme: Theme,
) -> Result<()> {
    let _guard = enter()?;
    let backend = CrosstermBackend::new(io::stdout());
    let mut terminal = Terminal::new(backend).context("cannot draw on this terminal")?;
    let size = terminal.size().context("cannot read the terminal size")?;
    app.size = (size.width, size.height);

    let mut hangup = signal(SignalKind::hangup()).context("cannot watch SIGHUP")?;
    let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
    let mut quit = signal(SignalKind::quit()).context("cannot watch SIGQUIT")?;
    let mut keys = EventStream::new();
    let mut clock = interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);

    // First frame: as soon as every source has reported once, or after a short wait.
    let deadline = Instant::now() + FIRST_DATA_WAIT;
    let mut reported = 0;
    while reported < sources.len() {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(ev)) => {
                if matches!(ev, SourceEvent::Snapshot(_)) {
                    reported += 1;
                }
                run_effects(&mut app, Msg::Source(ev), &sources);
                for iv in events.take_intervals() {
                    app.apply_intervals(iv);
                }
            }
            _ => break,
        }
    }
    let now = app.model().config.clock.now();
    run_effects(&mut app, Msg::Tick(now), &sources);
    draw(&mut terminal, &app, &theme)?;
    app.nav.dirty = false;
    let frame_gap = Duration::from_millis(1000 / MAX_FPS);
    let mut events_open = true;
    let mut last_draw = Instant::now();
    let mut panicked = false;

    'run: loop {
        let next_draw = last_draw + frame_gap;
        // Wait for the first message, or for the frame a change is owed.
        let msg = tokio::select! {
            biased;
            _ = hangup.recv() => Some(Msg::Signal),
            _ = term.recv() => Some(Msg::Signal),
            _ = int.recv() => Some(Msg::Signal),
            _ = quit.recv() => Some(Msg::Signal),
            _ = PANICKED.notified() => {
                panicked = true;
                break;
            }
            k = keys.next() => match k {
                Some(Ok(Event::Key(k))) => Some(Msg::Key(k)),
                Some(Ok(Event::Resize(w, h))) => Some(Msg::Resize(w, h)),
                Some(Ok(_)) => continue,
                // The terminal is gone or broken: leave rather than spin.
                Some(Err(_)) | None => Some(Msg::Signal),
            },
            ev = events.recv(), if events_open => match ev {
                Some(ev) => Some(Msg::Source(ev)),
                None => {
                    // Every source task has ended: nothing more will come (no spinning).
                    events_open = false;
                    continue;
                }
            },
            _ = clock.tick() => Some(Msg::Tick(app.model().config.clock.now())),
            _ = sleep_until(next_draw), if app.nav.dirty => None,
        };
        // Interval history already waiting (it follows its snapshot) goes into the same
        // derivation as the message.
        let mut deferred = false;
        for iv in events.take_intervals() {
            app.defer_intervals(iv);
            deferred = true;
        }
        let stop = match msg {
            Some(msg) => run_effects(&mut app, msg, &sources),
            None => {
                if deferred {
                    app.settle();
                }
                false
            }
        };
        if stop {
            break;
        }
        let mut late = false;
        for iv in events.take_intervals() {
            app.defer_intervals(iv);
            late = true;
        }
        if late {
            app.settle();
        }
        // Fold in whatever else is already waiting (a poll that came with the tick, a
        // burst of snapshots) so that it all makes one frame.
        loop {
            let msg = if let Some(Some(ev)) = events.recv().now_or_never() {
                Msg::Source(ev)
            } else if clock.tick().now_or_never().is_some() {
                Msg::Tick(app.model().config.clock.now())
            } else {
                break;
            };
            if run_effects(&mut app, msg, &sources) {
                break 'run;
            }
        }
        if app.nav.quit {
            break;
        }
        // At most one frame per turn, and no more than MAX_FPS of them.
        if app.nav.dirty && Instant::now() >= last_draw + frame_gap {
            if draw(&mut terminal, &app, &theme).is_err() {
                break;
            }
            app.nav.dirty = false;
            last_draw = Instant::now();
        }
    }
    drop(terminal);
    restore();
    if panicked {
        anyhow::bail!("the board stopped after an internal error (see the log)");
    }
    Ok(())
}

/// Feed one message to the app and carry out its effects; true when it is time to quit.
fn run_effects(app: &mut App, msg: Msg, sources: &Sources) -> bool {
    // New data is judged at the time it arrives; keys read what is already computed.
    if let Msg::Source(SourceEvent::Snapshot(_)) = msg {
        let now = app.model().config.clock.now();
        app.advance(now);
    }
    let mut quit = false;
    for e in app::update(app, msg) {
        match e {
            Effect::Quit => quit = true,
            Effect::RefreshAll => sources.broadcast(SourceCommand::Refresh),
            Effect::Bell => {
                // BEL, outside any frame: the terminal rings or flashes as it is set to.
                let mut out = io::stdout();
                let _ = out.write_all(b"\x07").and_then(|_| out.flush());
            }
            Effect::FetchHistory {
                source,
                agent_id,
                from,
                to,
            } => {
                sources.send(
                    &source,
                    SourceCommand::History {
                        agent_id: agent_id.clone(),
                        from,
                        to,
                    },
                );
                sources.send(&source, SourceCommand::Split { agent_id, to });
            }
            Effect::CancelHistory { source, agent_id } => {
                sources.send(&source, SourceCommand::CancelHistory { agent_id })
            }
        }
    }
    quit || app.nav.quit
}

fn draw(
    terminal: &mut Terminal<CrosstermBackend<io::Stdout>>,
    app: &App,
    theme: &Theme,
) -> Result<()> {
    // Synchronized output: the terminal shows the whole frame at once, never half of it.
    execute!(io::stdout(), BeginSynchronizedUpdate)?;
    let r = terminal.draw(|f| ui::draw(f, app, theme));
    execute!(io::stdout(), EndSynchronizedUpdate)?;
    r.context("cannot write to the terminal")?;
    Ok(())
}

/// Wrap a shared config for the app.
pub fn new_app(config: Arc<crate::config::Config>) -> App {
    let now = config.clock.now();
    App::new(config, now)
}
