//! How large the canvas draws its system. A phone shows a system of a dozen boxes at full size
//! only a few boxes at a time; zoomed out, the learner sees all of it, and zooms in again to
//! read a number.
//!
//! # Contract
//! - The scale stays between [`MIN`] and [`MAX`]. [`fit`] is the scale that shows the whole
//!   width of the system in the room it has, never above full size.
//! - The buttons step through [`STEPS`]. Touch is the browser's own: one finger scrolls the
//!   panel sideways and the page up and down, two fingers zoom the page (nothing here blocks
//!   them). A pinch of the drawing's own cost 0.9 kB of gzip, which the page did not have.
//! - The scale belongs to the drawing alone: it changes no world, link or lesson.
//!
//! Pure, so it is tested natively; [`super::Canvas`] applies the scale with CSS `zoom`.

pub const MIN: f64 = 0.25;
pub const MAX: f64 = 2.0;

/// What the buttons step through.
pub const STEPS: [f64; 8] = [0.25, 0.33, 0.5, 0.67, 0.8, 1.0, 1.5, 2.0];

/// The next step above `scale` (`up`) or below it, or the end of the range.
pub fn step(scale: f64, up: bool) -> f64 {
    // Fit leaves the scale between steps; a hair's difference is not a step.
    let next = if up {
        STEPS.iter().find(|&&s| s > scale + 0.005)
    } else {
        STEPS.iter().rev().find(|&&s| s < scale - 0.005)
    };
    next.copied().unwrap_or(if up { MAX } else { MIN })
}

/// The largest whole percent at which a drawing `width` wide fits in `room`, but never larger
/// than full size. Whole, because the page applies whole percents ([`percent`]): rounding a
/// fit up would leave the drawing a few pixels too wide.
pub fn fit(room: f64, width: f64) -> f64 {
    if width > 0.0 && room > 0.0 {
        ((room / width * 100.0).floor() / 100.0).clamp(MIN, 1.0)
    } else {
        1.0
    }
}

/// The scale in whole percent, as the page shows it and CSS applies it: formatting an `f64`
/// would bring the standard float formatter into the page (about 10 kB of gzip).
pub fn percent(scale: f64) -> u32 {
    (scale * 100.0 + 0.5) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_step_through_the_range_and_stop_at_its_ends() {
        assert_eq!(step(1.0, true), 1.5);
        assert_eq!(step(1.0, false), 0.8);
        assert_eq!(step(MAX, true), MAX);
        assert_eq!(step(MIN, false), MIN);
        // From between two steps (after a fit), to the next one each way.
        assert_eq!(step(0.9, true), 1.0);
        assert_eq!(step(0.9, false), 0.8);
        assert_eq!(step(1.003, true), 1.5, "a hair above a step is that step");
    }

    #[test]
    fn the_percent_is_rounded_to_a_whole_number() {
        assert_eq!(percent(1.0), 100);
        assert_eq!(percent(0.33), 33);
        assert_eq!(percent(0.6666), 67);
        assert_eq!(percent(MIN), 25);
    }

    #[test]
    fn fit_shows_the_whole_width_but_never_enlarges() {
        assert_eq!(fit(360.0, 720.0), 0.5);
        assert_eq!(fit(1200.0, 600.0), 1.0);
        assert_eq!(fit(100.0, 1000.0), MIN);
        assert_eq!(fit(0.0, 600.0), 1.0, "not laid out yet");
        // 336 / 808 is 41.6 %: 41 %, not 42 %, which would be 3 px too wide.
        assert_eq!(percent(fit(336.0, 808.0)), 41);
    }
}
