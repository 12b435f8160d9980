//! Number and time formatting for screens. Unknown is always `—`, never a made-up zero.

pub const UNKNOWN: &str = "—";

pub fn opt_u32(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| UNKNOWN.into())
}

pub fn opt_u64(v: Option<u64>) -> String {
    v.map(thousands).unwrap_or_else(|| UNKNOWN.into())
}

pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A fraction as a percentage: `0.8123` → `81%` (or `81.2%` with `decimals = 1`).
pub fn pct(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{:.*}%", decimals, v * 100.0),
        _ => UNKNOWN.into(),
    }
}

/// A wait or handle time: `42s`, `3:07`, `1:02:33`.
pub fn clock(v: Option<f64>) -> String {
    match v {
        Some(s) if s.is_finite() && s >= 0.0 => {
            let s = s.floor() as u64;
            if s < 60 {
                format!("{s}s")
            } else if s < 3600 {
                format!("{}:{:02}", s / 60, s % 60)
            } else {
                format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
            }
        }
        _ => UNKNOWN.into(),
    }
}

/// A duration in words-ish: `20s`, `2m`, `1h30m`, `4h`.
pub fn duration_short(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return UNKNOWN.into();
    }
    let s = secs.round() as u64;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        if s.is_multiple_of(60) {
            format!("{}m", s / 60)
        } else {
            format!("{}m{}s", s / 60, s % 60)
        }
    } else {
        let (h, m) = (s / 3600, (s % 3600) / 60);
        if m == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{m:02}m")
        }
    }
}

/// Worked time to the minute: `45s`, `4m`, `21m`, `2h20m`, `3h`.
pub fn hours_minutes(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return UNKNOWN.into();
    }
    let s = secs.round() as u64;
    if s < 60 {
        return format!("{s}s");
    }
    let m = (s + 30) / 60;
    if m < 60 {
        format!("{m}m")
    } else if m.is_multiple_of(60) {
        format!("{}h", m / 60)
    } else {
        format!("{}h{:02}m", m / 60, m % 60)
    }
}

/// A span length: `1h 05m`, `12m 03s`, `45s`.
pub fn span_len(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return UNKNOWN.into();
    }
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// Truncate to `width` display columns with an ellipsis.
pub fn fit(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// A sparkline of `values` squeezed into `width` cells (max per cell), scaled to the max.
pub fn sparkline(values: &[u32], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if values.is_empty() || width == 0 {
        return String::new();
    }
    let cells = width.min(values.len());
    let start_skip = values.len().saturating_sub(values.len() / cells * cells);
    let v = &values[start_skip..];
    let per = (v.len() / cells).max(1);
    let buckets: Vec<u32> = v
        .chunks(per)
        .map(|c| c.iter().copied().max().unwrap_or(0))
        .collect();
    let max = buckets.iter().copied().max().unwrap_or(0).max(1);
    buckets
        .iter()
        .map(|&b| {
            // Zero is the baseline; anything waiting is at least one step above it.
            if b == 0 {
                BARS[0]
            } else {
                BARS[(1 + (b as usize * 6 + max as usize / 2) / max as usize).min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_is_a_dash_never_zero() {
        assert_eq!(opt_u32(None), "—");
        assert_eq!(pct(None, 0), "—");
        assert_eq!(pct(Some(f64::NAN), 0), "—");
        assert_eq!(clock(None), "—");
    }

    #[test]
    fn formats() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(pct(Some(0.8123), 0), "81%");
        assert_eq!(clock(Some(187.9)), "3:07");
        assert_eq!(clock(Some(3753.0)), "1:02:33");
        assert_eq!(duration_short(14400.0), "4h");
        assert_eq!(duration_short(90.0), "1m30s");
        assert_eq!(fit("Technical Support", 9), "Technica…");
        assert_eq!(hours_minutes(8403.0), "2h20m");
        assert_eq!(hours_minutes(240.0), "4m");
        assert_eq!(hours_minutes(1266.0), "21m");
        assert_eq!(hours_minutes(3599.0), "1h");
        assert_eq!(hours_minutes(7200.0 + 3.0 * 60.0), "2h03m");
        assert_eq!(hours_minutes(42.4), "42s");
        assert_eq!(hours_minutes(-1.0), "—");
        assert_eq!(sparkline(&[0, 1, 2, 4], 4), "▁▄▅█");
        assert_eq!(sparkline(&[0, 0], 2), "▁▁");
        assert_eq!(sparkline(&[], 4), "");
        assert_eq!(sparkline(&[3; 61], 12).chars().count(), 12);
    }
}
