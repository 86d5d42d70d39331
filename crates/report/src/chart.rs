//! Accessible SVG charts, drawn on the server.
//!
//! Every chart is an `<svg role="img">` with a `<title>` and a `<desc>` that states the data in
//! words, so a screen reader gets the same information. Meaning never depends on colour alone:
//! marked items get a different shape and a text mark, values are printed next to their marks, and
//! fills work in greyscale. The same SVG serves the web page and the PDF report.

use std::fmt::Write as _;

use crate::num::{nl, nl_signed};

/// Escape text for SVG/XML content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How a row, cell or bar is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mark {
    #[default]
    None,
    /// Reliably worse than the comparison (more delay).
    Negative,
    /// Reliably better than the comparison.
    Positive,
}

impl Mark {
    fn word(self) -> &'static str {
        match self {
            Mark::None => "",
            Mark::Negative => " (wijkt negatief af)",
            Mark::Positive => " (wijkt positief af)",
        }
    }
    fn symbol(self) -> &'static str {
        match self {
            Mark::None => "",
            Mark::Negative => "▼",
            Mark::Positive => "▲",
        }
    }
}

/// One row of an interval chart: an estimate with its 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalRow {
    pub label: String,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
    pub n: u64,
    pub mark: Mark,
}

/// A chart's title, the unit of its values and the words for the sign of a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub title: String,
    /// Unit in words, e.g. `schoolmaanden`.
    pub unit: String,
    /// How to read a positive value, e.g. `achter op de verwachting`.
    pub positive_means: String,
}

fn open_svg(out: &mut String, id: &str, w: f64, h: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" font-family="system-ui, sans-serif" font-size="13"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// Nice tick step for a range.
fn tick_step(span: f64) -> f64 {
    let raw = span / 6.0;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let r = raw / mag;
    let nice = if r < 1.5 {
        1.0
    } else if r < 3.0 {
        2.0
    } else if r < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// The x range for a set of intervals, always including 0, slightly padded.
fn range_with_zero(rows: &[IntervalRow]) -> (f64, f64) {
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for r in rows {
        for v in [r.value, r.lo, r.hi] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if hi - lo < 1e-9 {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.06;
    (lo - pad, hi + pad)
}

/// A dot-and-whisker chart: one row per item, the estimate as a dot and the 95% interval as a line,
/// with the value and n printed at the right. Marked rows get a diamond and a ▼/▲.
pub fn interval_chart(id: &str, frame: &Frame, rows: &[IntervalRow]) -> String {
    let label_w = 190.0;
    let value_w = 240.0;
    let plot_w = 420.0;
    let row_h = 28.0;
    let top = 34.0;
    let w = label_w + plot_w + value_w;
    let h = top + row_h * rows.len().max(1) as f64 + 40.0;
    let (xmin, xmax) = range_with_zero(rows);
    let sx = |v: f64| label_w + (v - xmin) / (xmax - xmin) * plot_w;

    let mut desc =
        format!("{}. Eenheid: {}; positief betekent {}. ", frame.title, frame.unit, frame.positive_means);
    for r in rows {
        let _ = write!(
            desc,
            "{}: {} (95%-interval {} tot {}, n = {}){}. ",
            r.label,
            nl_signed(r.value, 1),
            nl(r.lo, 1),
            nl(r.hi, 1),
            r.n,
            r.mark.word()
        );
    }
    if rows.is_empty() {
        desc.push_str("Geen gegevens.");
    }
    let mut out = String::new();
    open_svg(&mut out, id, w, h, &frame.title, &desc);

    // Grid and axis.
    let step = tick_step(xmax - xmin);
    let axis_y = top + row_h * rows.len().max(1) as f64 + 4.0;
    let mut t = (xmin / step).ceil() * step;
    while t <= xmax + 1e-9 {
        let x = sx(t);
        let strong = t.abs() < step * 1e-6;
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{axis_y:.1}" stroke="{}" stroke-width="{}"/>"##,
            if strong { "#1b1b1b" } else { "#d0d0d0" },
            if strong { 1.5 } else { 1.0 }
        );
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            axis_y + 16.0,
            esc(&nl(t, if step < 1.0 { 1 } else { 0 }))
        );
        t += step;
    }
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{} (positief = {})</text>"##,
        label_w + plot_w / 2.0,
        axis_y + 34.0,
        esc(&frame.unit),
        esc(&frame.positive_means)
    );
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="20" font-weight="600" fill="#1b1b1b">waarde (95%-interval), n</text>"##,
        label_w + plot_w + 10.0
    );

    for (i, r) in rows.iter().enumerate() {
        let cy = top + row_h * i as f64 + row_h / 2.0;
        if i % 2 == 0 {
            let _ = write!(
                out,
                r##"<rect x="0" y="{:.1}" width="{w:.0}" height="{row_h:.0}" fill="#000000" fill-opacity="0.04"/>"##,
                cy - row_h / 2.0
            );
        }
        let _ = write!(
            out,
            r##"<text x="8" y="{:.1}" fill="#1b1b1b">{}{}</text>"##,
            cy + 4.5,
            esc(&r.label),
            if r.mark == Mark::None { String::new() } else { format!(" {}", r.mark.symbol()) }
        );
        if r.lo.is_finite() && r.hi.is_finite() {
            let _ = write!(
                out,
                r##"<line x1="{:.1}" y1="{cy:.1}" x2="{:.1}" y2="{cy:.1}" stroke="#1b1b1b" stroke-width="2"/>"##,
                sx(r.lo),
                sx(r.hi)
            );
            for v in [r.lo, r.hi] {
                let _ = write!(
                    out,
                    r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#1b1b1b" stroke-width="2"/>"##,
                    cy - 6.0,
                    cy + 6.0,
                    x = sx(v)
                );
            }
        }
        if r.value.is_finite() {
            let x = sx(r.value);
            match r.mark {
                Mark::None => {
                    let _ = write!(
                        out,
                        r##"<circle cx="{x:.1}" cy="{cy:.1}" r="5.5" fill="#ffffff" stroke="#1b1b1b" stroke-width="2"/>"##
                    );
                }
                _ => {
                    let _ = write!(
                        out,
                        r##"<path d="M{x:.1} {:.1} L{:.1} {cy:.1} L{x:.1} {:.1} L{:.1} {cy:.1} Z" fill="#1b1b1b"/>"##,
                        cy - 8.0,
                        x + 8.0,
                        cy + 8.0,
                        x - 8.0
                    );
                }
            }
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" fill="#1b1b1b">{} ({} tot {}), n = {}</text>"##,
            label_w + plot_w + 10.0,
            cy + 4.5,
            esc(&nl_signed(r.value, 1)),
            esc(&nl(r.lo, 1)),
            esc(&nl(r.hi, 1)),
            r.n
        );
    }
    out.push_str("</svg>");
    out
}

/// One cell of a heat map.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    pub value: f64,
    pub n: u64,
    pub mark: Mark,
}

/// A table-like heat map (rows × columns). Each cell prints its value; the fill darkens with the
/// size of the value (greyscale-safe) and a marked cell gets a thick frame and ▼/▲.
pub fn heat_map(
    id: &str,
    frame: &Frame,
    row_labels: &[String],
    col_labels: &[String],
    cells: &[Vec<Option<HeatCell>>],
) -> String {
    let label_w = 110.0;
    let cell_w = 150.0;
    let cell_h = 40.0;
    let top = 40.0;
    let w = label_w + cell_w * col_labels.len().max(1) as f64 + 10.0;
    let h = top + cell_h * row_labels.len().max(1) as f64 + 30.0;
    let max_abs = cells
        .iter()
        .flatten()
        .flatten()
        .map(|c| c.value.abs())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-9);

    let mut desc =
        format!("{}. Eenheid: {}; positief betekent {}. ", frame.title, frame.unit, frame.positive_means);
    for (r, rl) in row_labels.iter().enumerate() {
        for (c, cl) in col_labels.iter().enumerate() {
            match cells.get(r).and_then(|row| row.get(c)).and_then(Option::as_ref) {
                Some(cell) => {
                    let _ = write!(
                        desc,
                        "{rl}, {cl}: {} (n = {}){}. ",
                        nl_signed(cell.value, 1),
                        cell.n,
                        cell.mark.word()
                    );
                }
                None => {
                    let _ = write!(desc, "{rl}, {cl}: geen gegevens. ");
                }
            }
        }
    }
    let mut out = String::new();
    open_svg(&mut out, id, w, h, &frame.title, &desc);
    for (c, cl) in col_labels.iter().enumerate() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="600" fill="#1b1b1b">{}</text>"##,
            label_w + cell_w * c as f64 + cell_w / 2.0,
            top - 12.0,
            esc(cl)
        );
    }
    for (r, rl) in row_labels.iter().enumerate() {
        let y = top + cell_h * r as f64;
        let _ = write!(
            out,
            r##"<text x="8" y="{:.1}" font-weight="600" fill="#1b1b1b">{}</text>"##,
            y + cell_h / 2.0 + 4.5,
            esc(rl)
        );
        for c in 0..col_labels.len() {
            let x = label_w + cell_w * c as f64;
            match cells.get(r).and_then(|row| row.get(c)).and_then(Option::as_ref) {
                Some(cell) => {
                    // Lightness 96% (0) to 55% (largest |value|); text stays dark on every fill.
                    let t = (cell.value.abs() / max_abs).clamp(0.0, 1.0);
                    let light = 96.0 - 41.0 * t;
                    let hue = if cell.value >= 0.0 { 20 } else { 210 };
                    let (stroke, sw) =
                        if cell.mark == Mark::None { ("#ffffff", 2.0) } else { ("#1b1b1b", 4.0) };
                    let _ = write!(
                        out,
                        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="hsl({hue},45%,{light:.0}%)" stroke="{stroke}" stroke-width="{sw}"/>"##,
                        x + 2.0,
                        y + 2.0,
                        cell_w - 4.0,
                        cell_h - 4.0
                    );
                    let _ = write!(
                        out,
                        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#111111">{}{} <tspan font-size="11">n={}</tspan></text>"##,
                        x + cell_w / 2.0,
                        y + cell_h / 2.0 + 4.5,
                        if cell.mark == Mark::None {
                            String::new()
                        } else {
                            format!("{} ", cell.mark.symbol())
                        },
                        esc(&nl_signed(cell.value, 1)),
                        cell.n
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#ffffff" stroke="#d0d0d0" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555555">–</text>"##,
                        x + 2.0,
                        y + 2.0,
                        cell_w - 4.0,
                        cell_h - 4.0,
                        x + cell_w / 2.0,
                        y + cell_h / 2.0 + 4.5
                    );
                }
            }
        }
    }
    let _ = write!(
        out,
        r##"<text x="8" y="{:.1}" fill="#333333">Waarden in {}; ▼/▲ met dikke rand = wijkt betrouwbaar af; – = geen gegevens.</text>"##,
        h - 8.0,
        esc(&frame.unit)
    );
    out.push_str("</svg>");
    out
}

/// One point of a trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryPoint {
    /// Label of the moment, e.g. `M5 2021`.
    pub label: String,
    /// The pupil's score (absent when not tested).
    pub score: Option<f64>,
    /// The expected score and its band (absent before the first prediction).
    pub expected: Option<(f64, f64, f64)>,
}

/// A pupil's scores over time against the expected band: solid line with dots for the pupil,
/// dashed line and grey band for the expectation.
pub fn trajectory(id: &str, title: &str, unit: &str, points: &[TrajectoryPoint]) -> String {
    let w = 760.0;
    let h = 300.0;
    let (left, right, top, bottom) = (60.0, 50.0, 20.0, 50.0);
    let mut vals: Vec<f64> = Vec::new();
    for p in points {
        vals.extend(p.score);
        if let Some((e, lo, hi)) = p.expected {
            vals.extend([e, lo, hi]);
        }
    }
    let vals: Vec<f64> = vals.into_iter().filter(|v| v.is_finite()).collect();
    let (mut ymin, mut ymax) =
        vals.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if !ymin.is_finite() {
        ymin = 0.0;
        ymax = 1.0;
    }
    if ymax - ymin < 1e-9 {
        ymin -= 1.0;
        ymax += 1.0;
    }
    let pad = (ymax - ymin) * 0.08;
    ymin -= pad;
    ymax += pad;
    let n = points.len().max(1);
    let sx = |i: usize| left + (w - left - right) * if n == 1 { 0.5 } else { i as f64 / (n - 1) as f64 };
    let sy = |v: f64| top + (h - top - bottom) * (1.0 - (v - ymin) / (ymax - ymin));

    let mut desc = format!("{title}. ");
    for p in points {
        let _ = write!(desc, "{}: ", p.label);
        match p.score {
            Some(s) => {
                let _ = write!(desc, "score {}", nl(s, 0));
            }
            None => desc.push_str("niet getoetst"),
        }
        if let Some((e, lo, hi)) = p.expected {
            let _ = write!(desc, ", verwacht {} (band {} tot {})", nl(e, 0), nl(lo, 0), nl(hi, 0));
        }
        desc.push_str(". ");
    }
    let mut out = String::new();
    open_svg(&mut out, id, w, h, title, &desc);
    let step = tick_step(ymax - ymin);
    let mut t = (ymin / step).ceil() * step;
    while t <= ymax {
        let y = sy(t);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{}</text>"##,
            w - right,
            left - 6.0,
            y + 4.0,
            esc(&nl(t, 0))
        );
        t += step;
    }
    // Expected band.
    let band: Vec<(usize, (f64, f64, f64))> =
        points.iter().enumerate().filter_map(|(i, p)| p.expected.map(|e| (i, e))).collect();
    if !band.is_empty() {
        let mut d = String::new();
        for (k, (i, (_, _, hi))) in band.iter().enumerate() {
            let _ = write!(d, "{}{:.1} {:.1} ", if k == 0 { "M" } else { "L" }, sx(*i), sy(*hi));
        }
        for (i, (_, lo, _)) in band.iter().rev() {
            let _ = write!(d, "L{:.1} {:.1} ", sx(*i), sy(*lo));
        }
        d.push('Z');
        let _ = write!(out, r##"<path d="{d}" fill="#dcdcdc" stroke="none"/>"##);
        let mut l = String::new();
        for (k, (i, (e, _, _))) in band.iter().enumerate() {
            let _ = write!(l, "{}{:.1} {:.1} ", if k == 0 { "M" } else { "L" }, sx(*i), sy(*e));
        }
        let _ = write!(
            out,
            r##"<path d="{l}" fill="none" stroke="#555555" stroke-width="2" stroke-dasharray="6 4"/>"##
        );
        // Every expected point also gets its own band bar and tick, so a single expected moment
        // (the usual case: the target moment) is visible too.
        for (i, (e, lo, hi)) in &band {
            let x = sx(*i);
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="18" height="{:.1}" fill="#c8c8c8" stroke="#555555" stroke-dasharray="3 2"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333333" stroke-width="2" stroke-dasharray="4 3"/>"##,
                x - 9.0,
                sy(*hi),
                (sy(*lo) - sy(*hi)).max(1.0),
                x - 14.0,
                sy(*e),
                x + 14.0,
                sy(*e)
            );
        }
    }
    // Pupil line.
    let pts: Vec<(usize, f64)> =
        points.iter().enumerate().filter_map(|(i, p)| p.score.map(|s| (i, s))).collect();
    if !pts.is_empty() {
        let mut l = String::new();
        for (k, (i, s)) in pts.iter().enumerate() {
            let _ = write!(l, "{}{:.1} {:.1} ", if k == 0 { "M" } else { "L" }, sx(*i), sy(*s));
        }
        let _ = write!(out, r##"<path d="{l}" fill="none" stroke="#1b1b1b" stroke-width="2.5"/>"##);
        for (i, s) in &pts {
            let _ =
                write!(out, r##"<circle cx="{:.1}" cy="{:.1}" r="4.5" fill="#1b1b1b"/>"##, sx(*i), sy(*s));
        }
    }
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            sx(i),
            h - bottom + 18.0,
            esc(&p.label)
        );
    }
    let _ = write!(
        out,
        r##"<text x="{left}" y="{:.1}" fill="#333">Doorgetrokken lijn: score ({}); gestippeld met grijze band: verwachting.</text>"##,
        h - 8.0,
        esc(unit)
    );
    out.push_str("</svg>");
    out
}

/// One bar of a bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub mark: Mark,
}

/// Horizontal bars from 0, value printed at the end of each bar. Negative values go left.
pub fn bar_chart(id: &str, frame: &Frame, bars: &[Bar], decimals: usize) -> String {
    let label_w = 220.0;
    let plot_w = 420.0;
    let row_h = 26.0;
    let top = 10.0;
    let w = label_w + plot_w + 90.0;
    let h = top + row_h * bars.len().max(1) as f64 + 26.0;
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for b in bars {
        if b.value.is_finite() {
            lo = lo.min(b.value);
            hi = hi.max(b.value);
        }
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let sx = |v: f64| label_w + (v - lo) / (hi - lo) * plot_w;
    let mut desc =
        format!("{}. Eenheid: {}; positief betekent {}. ", frame.title, frame.unit, frame.positive_means);
    for b in bars {
        let _ = write!(desc, "{}: {}{}. ", b.label, nl(b.value, decimals), b.mark.word());
    }
    let mut out = String::new();
    open_svg(&mut out, id, w, h, &frame.title, &desc);
    for (i, b) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let x0 = sx(0.0);
        let x1 = sx(if b.value.is_finite() { b.value } else { 0.0 });
        let (x, width) = if x1 >= x0 { (x0, x1 - x0) } else { (x1, x0 - x1) };
        let fill = if b.mark == Mark::None { "#8a8a8a" } else { "#1b1b1b" };
        let _ = write!(
            out,
            r##"<text x="8" y="{:.1}" fill="#1b1b1b">{}{}</text><rect x="{x:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{fill}"/><text x="{:.1}" y="{:.1}" fill="#1b1b1b">{}</text>"##,
            y + row_h / 2.0 + 4.5,
            esc(&b.label),
            if b.mark == Mark::None { String::new() } else { format!(" {}", b.mark.symbol()) },
            y + 4.0,
            row_h - 8.0,
            x.max(x1) + 6.0,
            y + row_h / 2.0 + 4.5,
            esc(&nl(b.value, decimals))
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{:.1}" y1="{top}" x2="{:.1}" y2="{:.1}" stroke="#1b1b1b"/><text x="8" y="{:.1}" fill="#333">{}</text>"##,
        sx(0.0),
        sx(0.0),
        top + row_h * bars.len().max(1) as f64,
        h - 6.0,
        esc(&frame.unit)
    );
    out.push_str("</svg>");
    out
}

/// A heading with its interval rows, for [`grouped_interval_chart`].
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalGroup {
    pub heading: String,
    pub rows: Vec<IntervalRow>,
}

/// Interval rows under headings (components per jaargroep, subgroups per dimension): one shared
/// axis, a heading row before each group, the same marks and printed values as
/// [`interval_chart`]. Rows without a finite value print "geen getal" instead of a dot.
pub fn grouped_interval_chart(id: &str, frame: &Frame, groups: &[IntervalGroup]) -> String {
    let label_w = 230.0;
    let value_w = 240.0;
    let plot_w = 380.0;
    let row_h = 26.0;
    let top = 34.0;
    let w = label_w + plot_w + value_w;
    let lines: usize = groups.iter().map(|g| g.rows.len() + 1).sum::<usize>().max(1);
    let h = top + row_h * lines as f64 + 40.0;
    let all: Vec<IntervalRow> = groups.iter().flat_map(|g| g.rows.iter().cloned()).collect();
    let (xmin, xmax) = range_with_zero(&all);
    let sx = |v: f64| label_w + (v - xmin) / (xmax - xmin) * plot_w;

    let mut desc =
        format!("{}. Eenheid: {}; positief betekent {}. ", frame.title, frame.unit, frame.positive_means);
    for g in groups {
        let _ = write!(desc, "{}: ", g.heading);
        for r in &g.rows {
            if r.value.is_finite() {
                let _ = write!(
                    desc,
                    "{} {} (95%-interval {} tot {}, n = {}){}; ",
                    r.label,
                    nl_signed(r.value, 1),
                    nl(r.lo, 1),
                    nl(r.hi, 1),
                    r.n,
                    r.mark.word()
                );
            } else {
                let _ = write!(desc, "{} geen getal (n = {}); ", r.label, r.n);
            }
        }
        desc.push_str(". ");
    }
    if groups.is_empty() {
        desc.push_str("Geen gegevens.");
    }
    let mut out = String::new();
    open_svg(&mut out, id, w, h, &frame.title, &desc);
    let axis_y = top + row_h * lines as f64 + 4.0;
    let step = tick_step(xmax - xmin);
    let mut t = (xmin / step).ceil() * step;
    while t <= xmax + 1e-9 {
        let x = sx(t);
        let strong = t.abs() < step * 1e-6;
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{axis_y:.1}" stroke="{}" stroke-width="{}"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            if strong { "#1b1b1b" } else { "#d0d0d0" },
            if strong { 1.5 } else { 1.0 },
            axis_y + 16.0,
            esc(&nl(t, if step < 1.0 { 1 } else { 0 }))
        );
        t += step;
    }
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{} (positief = {})</text><text x="{:.1}" y="20" font-weight="600" fill="#1b1b1b">waarde (95%-interval), n</text>"##,
        label_w + plot_w / 2.0,
        axis_y + 34.0,
        esc(&frame.unit),
        esc(&frame.positive_means),
        label_w + plot_w + 10.0
    );
    let mut line = 0usize;
    for g in groups {
        let y = top + row_h * line as f64;
        let _ = write!(
            out,
            r##"<text x="8" y="{:.1}" font-weight="700" fill="#1b1b1b">{}</text>"##,
            y + row_h / 2.0 + 4.5,
            esc(&g.heading)
        );
        line += 1;
        for r in &g.rows {
            let cy = top + row_h * line as f64 + row_h / 2.0;
            if line.is_multiple_of(2) {
                let _ = write!(
                    out,
                    r##"<rect x="0" y="{:.1}" width="{w:.0}" height="{row_h:.0}" fill="#000000" fill-opacity="0.04"/>"##,
                    cy - row_h / 2.0
                );
            }
            let _ = write!(
                out,
                r##"<text x="20" y="{:.1}" fill="#1b1b1b">{}{}</text>"##,
                cy + 4.5,
                esc(&r.label),
                if r.mark == Mark::None { String::new() } else { format!(" {}", r.mark.symbol()) }
            );
            if r.value.is_finite() {
                if r.lo.is_finite() && r.hi.is_finite() {
                    let _ = write!(
                        out,
                        r##"<line x1="{:.1}" y1="{cy:.1}" x2="{:.1}" y2="{cy:.1}" stroke="#1b1b1b" stroke-width="2"/>"##,
                        sx(r.lo),
                        sx(r.hi)
                    );
                }
                let x = sx(r.value);
                if r.mark == Mark::None {
                    let _ = write!(
                        out,
                        r##"<circle cx="{x:.1}" cy="{cy:.1}" r="5" fill="#ffffff" stroke="#1b1b1b" stroke-width="2"/>"##
                    );
                } else {
                    let _ = write!(
                        out,
                        r##"<path d="M{x:.1} {:.1} L{:.1} {cy:.1} L{x:.1} {:.1} L{:.1} {cy:.1} Z" fill="#1b1b1b"/>"##,
                        cy - 7.5,
                        x + 7.5,
                        cy + 7.5,
                        x - 7.5
                    );
                }
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="{:.1}" fill="#1b1b1b">{} ({} tot {}), n = {}</text>"##,
                    label_w + plot_w + 10.0,
                    cy + 4.5,
                    esc(&nl_signed(r.value, 1)),
                    esc(&nl(r.lo, 1)),
                    esc(&nl(r.hi, 1)),
                    r.n
                );
            } else {
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="{:.1}" fill="#333">geen getal, n = {}</text>"##,
                    label_w + plot_w + 10.0,
                    cy + 4.5,
                    r.n
                );
            }
            line += 1;
        }
    }
    out.push_str("</svg>");
    out
}

/// One row of a before/since chart (social-emotional scores).
#[derive(Debug, Clone, PartialEq)]
pub struct BeforeSince {
    pub label: String,
    pub before: Option<f64>,
    pub since: Option<f64>,
    pub n_before: u64,
    pub n_since: u64,
    pub mark: Mark,
}

/// Before → since per row: an open circle for before corona, a filled square for since, joined
/// by a line; both values are printed. Marked rows (a change whose interval excludes 0) get ▼/▲.
pub fn before_since_chart(id: &str, frame: &Frame, rows: &[BeforeSince]) -> String {
    let label_w = 260.0;
    let plot_w = 360.0;
    let value_w = 190.0;
    let row_h = 28.0;
    let top = 34.0;
    let w = label_w + plot_w + value_w;
    let h = top + row_h * rows.len().max(1) as f64 + 44.0;
    let vals: Vec<f64> =
        rows.iter().flat_map(|r| [r.before, r.since]).flatten().filter(|v| v.is_finite()).collect();
    let (mut lo, mut hi) =
        vals.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        lo = 0.0;
        hi = 1.0;
    }
    if hi - lo < 1e-9 {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.08;
    let (xmin, xmax) = (lo - pad, hi + pad);
    let sx = |v: f64| label_w + (v - xmin) / (xmax - xmin) * plot_w;
    let mut desc = format!("{}. Eenheid: {}; {}. ", frame.title, frame.unit, frame.positive_means);
    let fmt = |v: Option<f64>| v.map_or_else(|| "geen gegevens".to_owned(), |x| nl(x, 1));
    for r in rows {
        let _ = write!(
            desc,
            "{}: vóór corona {} (n = {}), sinds corona {} (n = {}){}. ",
            r.label,
            fmt(r.before),
            r.n_before,
            fmt(r.since),
            r.n_since,
            r.mark.word()
        );
    }
    if rows.is_empty() {
        desc.push_str("Geen gegevens.");
    }
    let mut out = String::new();
    open_svg(&mut out, id, w, h, &frame.title, &desc);
    let axis_y = top + row_h * rows.len().max(1) as f64 + 4.0;
    let step = tick_step(xmax - xmin);
    let mut t = (xmin / step).ceil() * step;
    while t <= xmax + 1e-9 {
        let x = sx(t);
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{axis_y:.1}" stroke="#d0d0d0"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
            axis_y + 16.0,
            esc(&nl(t, if step < 1.0 { 1 } else { 0 }))
        );
        t += step;
    }
    let _ = write!(
        out,
        r##"<text x="{:.1}" y="20" font-weight="600" fill="#1b1b1b">vóór → sinds (n)</text><text x="8" y="{:.1}" fill="#333">Open cirkel: vóór corona; gevuld vierkant: sinds corona. {}</text>"##,
        label_w + plot_w + 10.0,
        h - 8.0,
        esc(&frame.unit)
    );
    for (i, r) in rows.iter().enumerate() {
        let cy = top + row_h * i as f64 + row_h / 2.0;
        if i % 2 == 0 {
            let _ = write!(
                out,
                r##"<rect x="0" y="{:.1}" width="{w:.0}" height="{row_h:.0}" fill="#000000" fill-opacity="0.04"/>"##,
                cy - row_h / 2.0
            );
        }
        let _ = write!(
            out,
            r##"<text x="8" y="{:.1}" fill="#1b1b1b">{}{}</text>"##,
            cy + 4.5,
            esc(&r.label),
            if r.mark == Mark::None { String::new() } else { format!(" {}", r.mark.symbol()) }
        );
        if let (Some(b), Some(s)) = (r.before.filter(|v| v.is_finite()), r.since.filter(|v| v.is_finite())) {
            let _ = write!(
                out,
                r##"<line x1="{:.1}" y1="{cy:.1}" x2="{:.1}" y2="{cy:.1}" stroke="#1b1b1b" stroke-width="{}"/>"##,
                sx(b),
                sx(s),
                if r.mark == Mark::None { 1.5 } else { 3.0 }
            );
        }
        if let Some(b) = r.before.filter(|v| v.is_finite()) {
            let _ = write!(
                out,
                r##"<circle cx="{:.1}" cy="{cy:.1}" r="5.5" fill="#ffffff" stroke="#1b1b1b" stroke-width="2"/>"##,
                sx(b)
            );
        }
        if let Some(s) = r.since.filter(|v| v.is_finite()) {
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="#1b1b1b"/>"##,
                sx(s) - 5.0,
                cy - 5.0
            );
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" fill="#1b1b1b">{} → {} ({} / {})</text>"##,
            label_w + plot_w + 10.0,
            cy + 4.5,
            esc(&r.before.map_or_else(|| "–".to_owned(), |x| nl(x, 1))),
            esc(&r.since.map_or_else(|| "–".to_owned(), |x| nl(x, 1))),
            r.n_before,
            r.n_since
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame {
            title: "Vertraging per vak".into(),
            unit: "schoolmaanden".into(),
            positive_means: "achter op de verwachting".into(),
        }
    }

    fn rows() -> Vec<IntervalRow> {
        vec![
            IntervalRow {
                label: "Begrijpend lezen".into(),
                value: 2.1,
                lo: 1.2,
                hi: 3.0,
                n: 240,
                mark: Mark::Negative,
            },
            IntervalRow {
                label: "Spelling <&>".into(),
                value: -0.4,
                lo: -1.1,
                hi: 0.3,
                n: 250,
                mark: Mark::None,
            },
        ]
    }

    #[test]
    fn interval_chart_is_accessible_and_escaped() {
        let svg = interval_chart("c1", &frame(), &rows());
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"c1-t\">Vertraging per vak</title>"));
        assert!(
            svg.contains("Begrijpend lezen: +2,1 (95%-interval 1,2 tot 3,0, n = 240) (wijkt negatief af)")
        );
        assert!(svg.contains("Spelling &lt;&amp;&gt;"));
        assert!(!svg.contains("Spelling <&>"));
        assert!(svg.contains("▼"));
    }

    #[test]
    fn heat_map_marks_without_colour() {
        let cells = vec![
            vec![Some(HeatCell { value: 3.0, n: 25, mark: Mark::Negative }), None],
            vec![
                Some(HeatCell { value: -1.0, n: 24, mark: Mark::None }),
                Some(HeatCell { value: 0.2, n: 23, mark: Mark::Positive }),
            ],
        ];
        let svg = heat_map(
            "h",
            &frame(),
            &["groep 5".into(), "groep 6".into()],
            &["rekenen".into(), "spelling".into()],
            &cells,
        );
        assert!(svg.contains("groep 5, rekenen: +3,0 (n = 25) (wijkt negatief af)"));
        assert!(svg.contains("groep 5, spelling: geen gegevens"));
        assert!(svg.contains("▲"));
        assert!(svg.contains("stroke-width=\"4\""));
    }

    #[test]
    fn trajectory_and_bars_render_without_data() {
        let t = trajectory("t", "Leerling", "vaardigheidsscore", &[]);
        assert!(t.contains("</svg>"));
        let b = bar_chart("b", &frame(), &[], 0);
        assert!(b.contains("</svg>"));
        let t = trajectory(
            "t",
            "Leerling",
            "vaardigheidsscore",
            &[
                TrajectoryPoint { label: "M4 2020".into(), score: Some(60.0), expected: None },
                TrajectoryPoint {
                    label: "M5 2021".into(),
                    score: Some(64.0),
                    expected: Some((70.0, 65.0, 75.0)),
                },
            ],
        );
        assert!(t.contains("M5 2021: score 64, verwacht 70 (band 65 tot 75)"));
        // A single expected moment still draws its band (a bar) and the expected tick.
        assert_eq!(t.matches("width=\"18\"").count(), 1);
        assert!(t.contains("stroke-dasharray=\"4 3\""));
    }

    #[test]
    fn grouped_chart_has_headings_marks_and_missing_values() {
        let groups = vec![
            IntervalGroup { heading: "Jaargroep 5".into(), rows: rows() },
            IntervalGroup {
                heading: "Jaargroep 6".into(),
                rows: vec![IntervalRow {
                    label: "Getallen".into(),
                    value: f64::NAN,
                    lo: f64::NAN,
                    hi: f64::NAN,
                    n: 7,
                    mark: Mark::None,
                }],
            },
        ];
        let svg = grouped_interval_chart("g", &frame(), &groups);
        assert!(svg.contains("<title id=\"g-t\">Vertraging per vak</title>"));
        assert!(svg.contains(
            "Jaargroep 5: Begrijpend lezen +2,1 (95%-interval 1,2 tot 3,0, n = 240) (wijkt negatief af)"
        ));
        assert!(svg.contains("Jaargroep 6: Getallen geen getal (n = 7)"));
        assert!(svg.contains(">Jaargroep 6</text>"));
        assert!(svg.contains("geen getal, n = 7"));
        assert!(!svg.contains("NaN"));
        // One diamond for the one marked row.
        assert_eq!(svg.matches("<path d=\"M").count(), 1);
    }

    #[test]
    fn before_since_chart_states_both_values() {
        let rows = vec![
            BeforeSince {
                label: "ZIEN – betrokkenheid (leerkracht)".into(),
                before: Some(3.4),
                since: Some(2.9),
                n_before: 120,
                n_since: 118,
                mark: Mark::Negative,
            },
            BeforeSince {
                label: "Welbevinden".into(),
                before: None,
                since: Some(3.0),
                n_before: 0,
                n_since: 40,
                mark: Mark::None,
            },
        ];
        let svg = before_since_chart("s", &frame(), &rows);
        assert!(svg.contains(
            "ZIEN – betrokkenheid (leerkracht): vóór corona 3,4 (n = 120), sinds corona 2,9 (n = 118) (wijkt negatief af)"
        ));
        assert!(svg.contains("Welbevinden: vóór corona geen gegevens (n = 0), sinds corona 3,0 (n = 40)"));
        assert!(svg.contains("3,4 → 2,9 (120 / 118)"));
        assert!(svg.contains("▼"));
        // A filled square per since value, an open circle per before value.
        assert_eq!(svg.matches("width=\"10\" height=\"10\"").count(), 2);
        assert_eq!(svg.matches("fill=\"#ffffff\" stroke=\"#1b1b1b\"").count(), 1);
    }

    proptest::proptest! {
        #[test]
        fn charts_never_panic_and_stay_well_formed(vals in proptest::collection::vec(-1e6f64..1e6, 0..12), label in ".{0,20}") {
            let rows: Vec<IntervalRow> = vals.iter().map(|&v| IntervalRow { label: label.clone(), value: v, lo: v - 1.0, hi: v + 1.0, n: 10, mark: Mark::None }).collect();
            let svg = interval_chart("p", &frame(), &rows);
            proptest::prop_assert!(svg.ends_with("</svg>"));
            proptest::prop_assert!(!svg.contains("NaN"));
            let bars: Vec<Bar> = vals.iter().map(|&v| Bar { label: label.clone(), value: v, mark: Mark::Positive }).collect();
            let svg = bar_chart("q", &frame(), &bars, 1);
            proptest::prop_assert!(svg.ends_with("</svg>"));
            proptest::prop_assert!(!svg.contains("NaN"));
        }
    }
}
