//! Big digits for the wall: a 3×5 pixel font drawn with half blocks (`▀ ▄ █`), at any
//! whole scale. Scale 1 is 3 rows high; each step adds about 2½ rows. Only what the wall
//! shows has a glyph: digits, `:`, `%`, `—` (unknown) and a space.

/// Rows of a glyph, top first; bit 2 is the left pixel. `None`: no glyph for this char.
fn glyph(c: char) -> Option<(u16, [u8; 5])> {
    Some(match c {
        '0' => (3, [0b111, 0b101, 0b101, 0b101, 0b111]),
        '1' => (3, [0b010, 0b110, 0b010, 0b010, 0b111]),
        '2' => (3, [0b111, 0b001, 0b111, 0b100, 0b111]),
        '3' => (3, [0b111, 0b001, 0b011, 0b001, 0b111]),
        '4' => (3, [0b101, 0b101, 0b111, 0b001, 0b001]),
        '5' => (3, [0b111, 0b100, 0b111, 0b001, 0b111]),
        '6' => (3, [0b111, 0b100, 0b111, 0b101, 0b111]),
        '7' => (3, [0b111, 0b001, 0b010, 0b010, 0b010]),
        '8' => (3, [0b111, 0b101, 0b111, 0b101, 0b111]),
        '9' => (3, [0b111, 0b101, 0b111, 0b001, 0b111]),
        ':' => (1, [0b0, 0b1, 0b0, 0b1, 0b0]),
        '%' => (3, [0b101, 0b001, 0b010, 0b100, 0b101]),
        '—' | '-' => (3, [0b000, 0b000, 0b111, 0b000, 0b000]),
        ' ' => (1, [0, 0, 0, 0, 0]),
        _ => return None,
    })
}

/// Rows the text takes at `scale`.
pub fn height(scale: u16) -> u16 {
    (5 * scale).div_ceil(2)
}

/// Columns the text takes at `scale` (`None` when a character has no glyph).
pub fn width(text: &str, scale: u16) -> Option<u16> {
    let mut px = 0u16;
    for (i, c) in text.chars().enumerate() {
        px += glyph(c)?.0 + u16::from(i > 0);
    }
    Some(px * scale)
}

/// The largest scale (up to `max`) at which `text` fits `w × h` cells; `None`: not even 1.
pub fn fit_scale(text: &str, w: u16, h: u16, max: u16) -> Option<u16> {
    (1..=max)
        .rev()
        .find(|&s| height(s) <= h && width(text, s).is_some_and(|tw| tw <= w))
}

/// The text's rows at `scale`, each exactly [`width`] cells wide.
pub fn render(text: &str, scale: u16) -> Option<Vec<String>> {
    let scale = scale.max(1);
    // One pixel row per bitmap row, pixels left to right with a blank column between glyphs.
    let mut cols: Vec<[bool; 5]> = Vec::new();
    for (i, c) in text.chars().enumerate() {
        let (w, rows) = glyph(c)?;
        if i > 0 {
            cols.push([false; 5]);
        }
        for x in 0..w {
            let bit = w - 1 - x;
            cols.push(std::array::from_fn(|y| rows[y] >> bit & 1 == 1));
        }
    }
    let lit = |px: usize, half_row: u16| {
        let y = (half_row / scale) as usize;
        y < 5 && cols[px][y]
    };
    let out = (0..height(scale))
        .map(|row| {
            (0..cols.len() * scale as usize)
                .map(|cx| {
                    let px = cx / scale as usize;
                    match (lit(px, row * 2), lit(px, row * 2 + 1)) {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    }
                })
                .collect()
        })
        .collect();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_at_scale_one() {
        assert_eq!(
            render("10:42", 1).expect("glyphs"),
            [
                "▄█  █▀█ ▄ █ █ ▀▀█",
                " █  █ █ ▄ ▀▀█ █▀▀",
                "▀▀▀ ▀▀▀     ▀ ▀▀▀"
            ]
        );
        assert_eq!(width("10:42", 1), Some(17));
        assert_eq!(height(2), 5);
        assert_eq!(width("x", 1), None);
    }

    #[test]
    fn the_largest_scale_that_fits() {
        assert_eq!(fit_scale("12", 40, 5, 6), Some(2));
        assert_eq!(fit_scale("12", 6, 5, 6), None);
        let rows = render("8", 3).expect("glyph");
        assert_eq!(rows.len(), 8);
        assert!(rows.iter().all(|r| r.chars().count() == 9));
    }
}
