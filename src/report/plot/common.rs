//! What every plot shares: the embedded font, the two output formats (SVG text, PNG
//! bytes) behind one `Format` trait, the palette, titles and notes, tick-only axes, the
//! legend and its placement, number formatting, and `Table`, the reader of the CSV text
//! the plots are drawn from.
//!
//! Drawing code is generic over the plotters backend (`Canvas`), so an SVG and a PNG of a
//! plot come from the same code and differ only in how the canvas is rasterised.

use std::sync::OnceLock;

use anyhow::{Context, Result, anyhow, bail};
use image::{ColorType, ImageEncoder, codecs::png::PngEncoder};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The font family every text of the plots uses.
pub(crate) const FONT: &str = "sans-serif";

/// Colour-blind-safe colours (Okabe & Ito), in the order tiers and links take them.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0x99, 0x99, 0x99), // grey
];

pub(crate) const SECONDS_PER_HOUR: f64 = 3600.0;

// ---------------------------------------------------------------------------------------
// Canvases and formats
// ---------------------------------------------------------------------------------------

/// A plotters backend the plots draw on. Its errors are `'static`, so `?` turns them into
/// `anyhow` errors; the SVG and bitmap backends both qualify.
pub(crate) trait Canvas: DrawingBackend<ErrorType: 'static> {}

impl<DB: DrawingBackend<ErrorType: 'static>> Canvas for DB {}

/// A drawing area of a canvas, in pixel coordinates.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// An output format of the plots: the canvas drawn on and what the drawing becomes.
pub(crate) trait Format {
    /// The plotters backend of this format; `'a` borrows the output being written.
    type Backend<'a>: DrawingBackend<ErrorType = Self::Error>;
    /// The backend's error. Named here, apart from the backend and its borrow, so that
    /// code generic over the format sees it is `'static` (and so a `Canvas`).
    type Error: std::error::Error + Send + Sync + 'static;
    /// What a finished drawing is: SVG text or PNG bytes.
    type Output;

    /// Draws on a white canvas of `size` pixels and returns the finished file.
    fn render(
        size: (u32, u32),
        draw: impl FnOnce(&Area<Self::Backend<'_>>) -> Result<()>,
    ) -> Result<Self::Output>;
}

/// SVG text. Text stays text, naming the `sans-serif` family, which the viewer supplies.
pub(crate) struct Svg;

/// PNG bytes: the plot rasterised with the embedded font, then encoded in memory.
pub(crate) struct Png;

impl Format for Svg {
    type Backend<'a> = SVGBackend<'a>;
    type Error = std::io::Error;
    type Output = String;

    fn render(
        size: (u32, u32),
        draw: impl FnOnce(&Area<SVGBackend<'_>>) -> Result<()>,
    ) -> Result<String> {
        svg(size, draw)
    }
}

impl Format for Png {
    type Backend<'a> = BitMapBackend<'a>;
    // plotters does not re-export the bitmap backend's error type by name.
    type Error = <BitMapBackend<'static> as DrawingBackend>::ErrorType;
    type Output = Vec<u8>;

    fn render(
        size: (u32, u32),
        draw: impl FnOnce(&Area<BitMapBackend<'_>>) -> Result<()>,
    ) -> Result<Vec<u8>> {
        png(size, draw)
    }
}

/// Registers the embedded font with plotters, once per process.
fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_ok()
    });
    if !ok {
        bail!("the embedded DejaVu Sans font does not load");
    }
    Ok(())
}

/// Draws on a white SVG canvas of `size` pixels and returns the SVG text.
pub(crate) fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&Area<SVGBackend<'_>>) -> Result<()>,
) -> Result<String> {
    register_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(out)
}

/// Draws on a white RGB bitmap of `size` pixels and returns it encoded as PNG. The bytes
/// depend only on the drawing: PNG holds no timestamp and the encoder's settings are fixed.
pub(crate) fn png(
    size: (u32, u32),
    draw: impl FnOnce(&Area<BitMapBackend<'_>>) -> Result<()>,
) -> Result<Vec<u8>> {
    register_font()?;
    let (w, h) = size;
    let mut pixels = vec![0; 3 * w as usize * h as usize];
    {
        // An in-memory buffer: `present` writes nothing anywhere.
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(&pixels, w, h, ColorType::Rgb8)
        .context("cannot encode the plot as PNG")?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Titles and notes
// ---------------------------------------------------------------------------------------

/// A plot holding only a title and a sentence: what a plot shows when there is no data.
pub(crate) fn message<F: Format>(title: &str, text: &str) -> Result<F::Output> {
    F::render((800, 200), |root| draw_note(root, title, text))
}

/// A caption and a centred sentence in place of a chart.
pub(crate) fn draw_note<DB: Canvas>(area: &Area<DB>, caption: &str, text: &str) -> Result<()> {
    let inner = area.titled(caption, (FONT, 18))?;
    let (w, h) = inner.dim_in_pixel();
    let grey = BLACK.mix(0.7);
    let style = TextStyle::from((FONT, 15).into_font())
        .color(&grey)
        .pos(Pos::new(HPos::Center, VPos::Center));
    inner.draw(&Text::new(text, (w as i32 / 2, h as i32 / 2), style))?;
    Ok(())
}

/// A figure's title and a one-line key under it.
pub(crate) fn draw_title<DB: Canvas>(area: &Area<DB>, title: &str, key: &str) -> Result<()> {
    let (w, _) = area.dim_in_pixel();
    let centre =
        |size| TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(title, (w as i32 / 2, 12), centre(22)))?;
    area.draw(&Text::new(
        key,
        (w as i32 / 2, 44),
        centre(13).color(&BLACK.mix(0.7)),
    ))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Axes, lines and legends
// ---------------------------------------------------------------------------------------

/// An axis (linear or logarithmic) with ticks and grid lines at chosen values only.
pub(crate) struct Ticked<R> {
    axis: R,
    ticks: Vec<f64>,
}

impl<R: Ranged<ValueType = f64>> Ticked<R> {
    pub(crate) fn new(axis: impl Into<R>, ticks: Vec<f64>) -> Ticked<R> {
        Ticked {
            axis: axis.into(),
            ticks,
        }
    }
}

impl<R: Ranged<ValueType = f64>> Ranged for Ticked<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.axis.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // The chosen ticks are the bold lines; no light lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.axis.range()
    }
}

/// A dashed vertical line at `x` from `y0` to `y1`.
pub(crate) fn dashed_vertical(
    x: f64,
    y0: f64,
    y1: f64,
    colour: RGBColor,
) -> DashedLineSeries<std::vec::IntoIter<(f64, f64)>, i32> {
    DashedLineSeries::new(vec![(x, y0), (x, y1)], 6, 4, colour.stroke_width(2))
}

/// Where a legend of `rows` lines covers the fewest `points` (fractions of the plot's
/// width and height from its lower left corner): lower right, upper left, middle right,
/// upper right or lower left, the first of those on a tie. The box is taken as 40% of the
/// width and 7% of the height per line, about what the legends here take.
pub(crate) fn quiet_corner(points: &[(f64, f64)], rows: usize) -> SeriesLabelPosition {
    let (w, h) = (0.4, (0.07 * rows as f64 + 0.05).min(1.0));
    let (left, right) = (0.0..w, 1.0 - w..1.0);
    let (bottom, middle, top) = (0.0..h, 0.5 - h / 2.0..0.5 + h / 2.0, 1.0 - h..1.0);
    let candidates = [
        (
            SeriesLabelPosition::LowerRight,
            right.clone(),
            bottom.clone(),
        ),
        (SeriesLabelPosition::UpperLeft, left.clone(), top.clone()),
        (SeriesLabelPosition::MiddleRight, right.clone(), middle),
        (SeriesLabelPosition::UpperRight, right, top),
        (SeriesLabelPosition::LowerLeft, left, bottom),
    ];
    candidates
        .into_iter()
        .min_by_key(|(_, xs, ys)| {
            points
                .iter()
                .filter(|(x, y)| xs.contains(x) && ys.contains(y))
                .count()
        })
        .map_or(SeriesLabelPosition::LowerRight, |c| c.0)
}

/// Draws the series labels of `chart` at `position`, on a translucent white box.
pub(crate) fn draw_legend<'a, DB: Canvas + 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .margin(10)
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------

/// A number for an axis tick or label: at most three significant decimals, thousands
/// separated (`0.01`, `2.5`, `1,000`).
pub(crate) fn format_number(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 || a == 0.0 {
        let whole = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 && whole != "0" {
            out.insert(0, '-');
        }
        return out;
    }
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A probability as a percentage with one decimal (`53.6%`).
pub(crate) fn format_percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

/// A readable unit for an amount of USD up to `largest`: (divisor, name).
pub(crate) fn money_unit(largest: f64) -> (f64, &'static str) {
    if largest >= 1e9 {
        (1e9, "$ billions")
    } else if largest >= 1e6 {
        (1e6, "$ millions")
    } else if largest >= 1e4 {
        (1e3, "$ thousands")
    } else {
        (1.0, "")
    }
}

// ---------------------------------------------------------------------------------------
// Reading CSV text
// ---------------------------------------------------------------------------------------

/// A CSV file held in memory: its header and records, columns looked up by name.
pub(crate) struct Table {
    file: &'static str,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<csv::StringRecord>,
}

/// One record of a `Table`, for reading cells by column index.
pub(crate) struct Row<'a> {
    file: &'static str,
    header: &'a [String],
    record: &'a csv::StringRecord,
}

impl Table {
    /// Reads `text`, the contents of `file` (the name errors give).
    pub(crate) fn parse(file: &'static str, text: &str) -> Result<Table> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader
            .headers()
            .with_context(|| format!("{file}: the header is not CSV"))?
            .iter()
            .map(String::from)
            .collect();
        let rows = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("{file} is not CSV"))?;
        Ok(Table { file, header, rows })
    }

    /// The indices of the named columns; an error naming the first one missing.
    pub(crate) fn columns<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N]> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self
                .header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| anyhow!("{} has no column `{name}`", self.file))?;
        }
        Ok(out)
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|record| Row {
            file: self.file,
            header: &self.header,
            record,
        })
    }
}

impl<'a> Row<'a> {
    /// The cell's text; empty if the record is short.
    pub(crate) fn text(&self, column: usize) -> &'a str {
        self.record.get(column).unwrap_or("")
    }

    /// The cell as a number; `None` if empty, an error naming the place if not a number.
    pub(crate) fn number(&self, column: usize) -> Result<Option<f64>> {
        let text = self.text(column).trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>().map(Some).map_err(|_| {
            let line = self.record.position().map_or(0, |p| p.line());
            anyhow!(
                "{}:{line}: column `{}` holds `{text}`, not a number",
                self.file,
                self.header[column]
            )
        })
    }

    /// The cell as a number that must be there.
    pub(crate) fn required(&self, column: usize) -> Result<f64> {
        self.number(column)?.ok_or_else(|| {
            let line = self.record.position().map_or(0, |p| p.line());
            anyhow!(
                "{}:{line}: column `{}` is empty",
                self.file,
                self.header[column]
            )
        })
    }
}

/// The value stored under `key` in an insertion-ordered list, added if missing.
pub(crate) fn entry<'a, T: Default>(list: &'a mut Vec<(String, T)>, key: &str) -> &'a mut T {
    let i = match list.iter().position(|(k, _)| k == key) {
        Some(i) => i,
        None => {
            list.push((key.to_string(), T::default()));
            list.len() - 1
        }
    };
    &mut list[i].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_at_a_glance() {
        assert_eq!(format_number(0.01), "0.01");
        assert_eq!(format_number(0.25), "0.25");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(24.0), "24");
        assert_eq!(format_number(1000.0), "1,000");
        assert_eq!(format_number(14.86), "14.9");
    }

    /// A small plot with text (the embedded font) and lines, as PNG.
    fn small_png() -> Vec<u8> {
        Png::render((320, 200), |root| {
            draw_title(root, "title ≤ 1 h", "key · P10–P90")?;
            let mut chart = ChartBuilder::on(root)
                .margin(60)
                .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
            chart
                .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], PALETTE[0]))?
                .label("line");
            draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
        })
        .expect("renders")
    }

    #[test]
    fn png_is_a_png_of_the_size_asked_and_the_same_bytes_every_time() {
        let (a, b) = (small_png(), small_png());
        assert_eq!(&a[..8], b"\x89PNG\r\n\x1a\n", "the PNG signature");
        // The first chunk is IHDR: length (4 bytes), type, then width and height.
        assert_eq!(&a[12..16], b"IHDR");
        let be = |at: usize| u32::from_be_bytes(a[at..at + 4].try_into().expect("4 bytes"));
        assert_eq!((be(16), be(20)), (320, 200));
        assert!(a == b, "the same drawing gives the same bytes");
    }

    #[test]
    fn png_text_uses_the_embedded_font() {
        // A canvas with text differs from one with none: text is rasterised with the
        // embedded font, not skipped for want of a system font.
        let blank = Png::render((200, 60), |_| Ok(())).expect("renders");
        let text = Png::render((200, 60), |root| draw_title(root, "Tier1", "")).expect("renders");
        assert_ne!(blank, text);
    }
}
