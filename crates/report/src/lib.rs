//! Rendering helpers shared by the web pages and the PDF reports.
//!
//! - [`chart`]: server-side SVG charts. They need no JavaScript, stay readable in greyscale (marks
//!   and patterns, never colour alone) and carry a text alternative (`<title>`, `<desc>`).
//! - [`num`]: Dutch number formatting (decimal comma, thousands point).

pub mod chart;
pub mod num;
